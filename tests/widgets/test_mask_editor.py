"""MaskEditor driven in code: uploads (ipywidgets 8 values), box selection, buttons, presets."""

from __future__ import annotations

import base64
import datetime
import io

import numpy as np
import pytest
from PIL import Image
from plotly.callbacks import BoxSelector, LassoSelector, Points

import vizkit.dip as dip
from vizkit.widgets import MaskEditor


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(content: bytes, name: str = "photo.png") -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload.value holds after the user picks one file."""
    return (
        {
            "name": name,
            "type": "image/png",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        },
    )


def _shown(editor: MaskEditor) -> np.ndarray:
    uri = editor.figure.data[0].source
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


@pytest.fixture
def editor() -> MaskEditor:
    return MaskEditor(size=32)


def test_defaults_to_a_photo_without_holes(editor: MaskEditor) -> None:
    assert editor.image.shape == (32, 32, 3) and editor.image.dtype == np.float32
    assert 0 <= editor.image.min() and editor.image.max() <= 1 and editor.image.std() > 0.05
    assert editor.mask.shape == (32, 32) and (editor.mask == 1).all()
    assert _shown(editor).shape == (32, 32, 3)
    assert editor.rows.max == 32 and editor.rows.value == (8, 24)
    assert "0.0% of the pixels are holes" in editor.status.value


def test_box_selection_cuts_the_pixels_whose_centres_it_covers(editor: MaskEditor) -> None:
    grid = editor.figure.data[1]
    grid._dispatch_on_selection(
        Points(point_inds=[0], xs=[0], ys=[0], trace_name="", trace_index=1),
        BoxSelector(xrange=[2.6, 5.2], yrange=[10.2, 3.5]),
    )
    expected = np.ones((32, 32), np.float32)
    expected[4:11, 3:6] = 0  # rows 4..10, columns 3..5
    assert np.array_equal(editor.mask, expected)
    shown = _shown(editor)
    assert shown[4, 3].tolist() == [255, 0, 255]  # holes drawn magenta
    assert np.array_equal(shown[0, 0], (editor.image[0, 0] * 255 + 0.5).astype(np.uint8))
    assert np.array_equal(editor.masked, editor.image * expected[:, :, None])
    # lasso is not a rectangle: explained, mask unchanged
    grid._dispatch_on_selection(Points(), LassoSelector(xs=[0, 5, 5], ys=[0, 0, 5]))
    assert "only box selection cuts holes" in editor.status.value
    assert np.array_equal(editor.mask, expected)


def test_slider_hole_buttons_and_presets(editor: MaskEditor) -> None:
    editor.rows.value, editor.columns.value = (2, 6), (10, 20)
    assert editor.figure.layout.shapes[0].x0 == 9.5  # the dashed preview follows the sliders
    editor.add_button.click()
    expected = np.ones((32, 32), np.float32)
    expected[2:6, 10:20] = 0
    assert np.array_equal(editor.mask, expected)
    assert "rows 2–6, columns 10–20" in editor.status.value
    editor.rows.value = (5, 5)
    editor.add_button.click()
    assert "is empty" in editor.status.value and np.array_equal(editor.mask, expected)
    editor.text_button.click()  # text over the existing holes
    assert np.array_equal(editor.mask, expected * dip.text_mask((32, 32)))
    editor.clear_button.click()
    assert (editor.mask == 1).all()
    editor.drop.value = 0.5
    editor.drop_button.click()
    first = editor.mask
    assert np.array_equal(first, dip.random_mask((32, 32), drop=0.5, seed=0))
    editor.drop_button.click()  # a fresh pattern, combined with the first
    assert np.array_equal(editor.mask, first * dip.random_mask((32, 32), drop=0.5, seed=1))


def test_image_upload_replaces_the_image_and_resets_the_mask(editor: MaskEditor) -> None:
    editor.add_hole((0, 4), (0, 4))
    photo = np.random.default_rng(0).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    editor.image_upload.value = _upload(_png(photo))
    assert np.array_equal(editor.image, photo.astype(np.float32) / 255)
    assert editor.mask.shape == (40, 48) and (editor.mask == 1).all()
    assert editor.rows.max == 40 and editor.columns.max == 48
    assert "loaded photo.png (40×48)" in editor.status.value
    assert _shown(editor).shape == (40, 48, 3)


def test_large_uploads_are_downscaled_with_a_notice() -> None:
    editor = MaskEditor(size=32, max_size=50)
    editor.image_upload.value = _upload(_png(np.zeros((100, 80, 3), np.uint8)), "big.png")
    assert editor.image.shape == (50, 40, 3)
    assert "downscaled to 40×50" in editor.status.value


def test_bad_uploads_show_in_the_status_line(editor: MaskEditor) -> None:
    before = editor.image
    editor.image_upload.value = _upload(b"not an image", "notes.txt")
    assert "notes.txt: " in editor.status.value and "not an image" in editor.status.value
    assert np.array_equal(editor.image, before)
    editor.mask_upload.value = _upload(_png(np.zeros((10, 10), np.uint8)), "small.png")
    assert "mask is 10×10 but the image is 32×32" in editor.status.value
    assert (editor.mask == 1).all()


def test_mask_upload_black_is_hole(editor: MaskEditor) -> None:
    drawn = np.full((32, 32), 255, np.uint8)
    drawn[:, :8] = 0
    editor.mask_upload.value = _upload(_png(drawn), "mask.png")
    assert np.array_equal(editor.mask, (drawn > 127).astype(np.float32))
    assert "mask mask.png loaded: 25.0% of the pixels are holes" in editor.status.value


def test_feeds_inpaint(editor: MaskEditor) -> None:
    import torch

    editor.add_hole((8, 24), (8, 24))
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = dip.inpaint(
            editor.image,
            editor.mask,
            clean=editor.image,
            steps=2,
            network=dip.hourglass(8, 8, 3, 2),
            progress=False,
        )
    finally:
        torch.set_num_threads(before)
    assert result.image.shape == (32, 32, 3) and result.best_psnr is not None


def test_errors_and_copies(editor: MaskEditor) -> None:
    with pytest.raises(ValueError, match=r"size 4 is below 8: use e\.g\. size=128 pixels"):
        MaskEditor(size=4)
    editor.mask[:] = 0  # a copy: the editor's mask is unchanged
    assert (editor.mask == 1).all()
    with pytest.raises(ValueError, match="mask is 3×3 but the image is 32×32"):
        editor.set_mask(np.ones((3, 3)))
