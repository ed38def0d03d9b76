"""Image validation, PSNR against scikit-image, and fitting sizes to the network."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio

import vizkit.dip as dip
from vizkit.data.transforms import image_to_tensor, tensor_to_image
from vizkit.dip.framing import apply_frame, frame


def test_as_image_converts_without_touching_the_input() -> None:
    u8 = np.full((4, 5, 3), 51, np.uint8)
    out = dip.as_image(u8)
    assert out.dtype == np.float32 and np.allclose(out, 0.2)
    grey = np.zeros((4, 5))
    out = dip.as_image(grey)
    assert out.shape == (4, 5, 1)
    out[:] = 1
    assert grey.max() == 0  # a copy


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ([[0.0]], TypeError, "image must be a numpy array or PIL image .* got list"),
        (torch.zeros(3, 4, 4), TypeError, r"got a torch tensor of shape \(3, 4, 4\)"),
        (np.zeros((3, 4, 4)), ValueError, r"shape \(3, 4, 4\); expected \(H, W, 3\).*transpose"),
        (np.full((4, 4, 3), 2.0), ValueError, r"values span \[2, 2\] but must lie in \[0, 1\]"),
        (np.zeros((4, 4, 4)), ValueError, "4 channels .*RGBA"),
        (np.full((4, 4, 3), np.nan), ValueError, "NaN"),
    ],
)
def test_as_image_explains_bad_inputs(value: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        dip.as_image(value)


def test_psnr_equals_skimage() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((20, 30, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    ours = dip.psnr(
        image_to_tensor(b, channels=None, batch=True), image_to_tensor(a, channels=None, batch=True)
    )
    assert ours == pytest.approx(peak_signal_noise_ratio(a, b, data_range=1.0), abs=1e-6)
    assert dip.psnr(
        image_to_tensor(a, channels=None, batch=True), image_to_tensor(a, channels=None, batch=True)
    ) == float("inf")


def test_psnr_takes_the_notebooks_numpy_images_and_refuses_other_shapes() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((20, 30, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    assert dip.psnr(b, a) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=1.0), abs=1e-6)
    assert dip.psnr(b, a) == dip.psnr(
        image_to_tensor(b, channels=None, batch=True), image_to_tensor(a, channels=None, batch=True)
    )
    with pytest.raises(ValueError, match=r"image shape \(20, 30\) differs from reference shape"):
        dip.psnr(a[..., 0], a)


def test_tensor_round_trip() -> None:
    a = np.random.default_rng(1).random((5, 7, 3)).astype(np.float32)
    t = image_to_tensor(a, channels=None, batch=True)
    assert t.shape == (1, 3, 5, 7)
    assert np.array_equal(tensor_to_image(t, rescale=False), a)


def test_frame_pads_with_a_notice_and_leaves_fitting_sizes_alone() -> None:
    with pytest.warns(dip.SizeNotice, match="image of 70×64 extended .* to 96×64"):
        f = frame(70, 64, 32, 64)
    assert (f.fitted_height, f.fitted_width, f.out_height, f.out_width) == (96, 64, 70, 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not frame(64, 96, 32, 64).changed


def test_frame_crops_centred() -> None:
    with pytest.warns(dip.SizeNotice, match="centre-cropped to 64×64"):
        f = frame(70, 66, 32, 64, mode="crop")
    assert (f.top, f.left, f.out_height, f.out_width) == (3, 1, 64, 64)
    image = np.arange(70 * 66, dtype=np.float32).reshape(70, 66, 1)
    assert np.array_equal(apply_frame(image, f), image[3:67, 1:65])


def test_too_small_images_get_a_clear_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"image of 40×100 is too small .* at least 64 pixels"
        r".*fewer scales",
    ):
        frame(40, 100, 32, 64)


# --- one picture conversion: dip.as_image(PIL image) == vizkit.data.load_image(the file) ---------


def _hostile_pictures() -> dict[str, bytes]:
    """Files a learner might have, made with Pillow: each one a trap for a naive conversion."""
    import io

    from PIL import Image

    def save(image: Image.Image, fmt: str, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    y, x = np.mgrid[0:12, 0:16]
    rgb = np.stack([x * 16, y * 20, np.full_like(x, 90)], -1).astype(np.uint8)
    rgba = np.dstack([rgb, (x * 17).astype(np.uint8)])  # alpha ramps from 0 to 255
    sixteen = (x * 4000 + y * 100).astype(np.uint16)
    sixteen[0, 0] = 32768  # the value the two paths used to disagree on (1.0 vs 0.5)
    palette = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=6)
    rotated = Image.fromarray(rgb)
    exif = rotated.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    frames = [Image.fromarray(rgb), Image.fromarray(255 - rgb)]
    return {
        "16-bit grey PNG": save(Image.fromarray(sixteen), "PNG"),
        "RGBA PNG": save(Image.fromarray(rgba, "RGBA"), "PNG"),
        "grey + alpha PNG": save(Image.fromarray(rgba, "RGBA").convert("LA"), "PNG"),
        "palette PNG": save(palette, "PNG"),
        "palette GIF with a transparent index": save(palette, "GIF", transparency=0),
        "EXIF-rotated JPEG": save(rotated, "JPEG", exif=exif, quality=95),
        "CMYK JPEG": save(Image.fromarray(rgb).convert("CMYK"), "JPEG"),
        "1-bit PNG": save(Image.fromarray(rgb).convert("1"), "PNG"),
        "grey PNG": save(Image.fromarray(rgb).convert("L"), "PNG"),
        "animated GIF": save(frames[0], "GIF", save_all=True, append_images=frames[1:]),
    }


@pytest.mark.parametrize("kind", sorted(_hostile_pictures()))
def test_as_image_converts_pil_images_exactly_as_load_image(kind: str) -> None:
    import io

    from PIL import Image

    from vizkit.data import load_image

    data = _hostile_pictures()[kind]
    from_file = load_image(data)
    from_pil = dip.as_image(Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(from_pil, from_file)
    if kind == "16-bit grey PNG":
        assert from_pil[0, 0, 0] == pytest.approx(32768 / 65535)  # not 1.0
    if kind == "EXIF-rotated JPEG":
        assert from_pil.shape == (16, 12, 3)  # shown upright, as a phone shows it
    if kind == "RGBA PNG":
        assert np.allclose(from_pil[:, 0], 1.0)  # fully transparent column: the white background
