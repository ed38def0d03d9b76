"""load_image: every kind of file people have, generated with Pillow in tmp_path."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from vizkit.data import ImageLoadError, load_image


def _rgb(h: int = 20, w: int = 30) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), np.full_like(x, 128)], -1).astype(
        np.uint8
    )


def _check(array: np.ndarray, shape: tuple[int, int]) -> None:
    assert array.shape == (*shape, 3)
    assert array.dtype == np.float32
    assert 0.0 <= array.min() and array.max() <= 1.0


def test_rgb_png_from_path_bytes_and_file(tmp_path):
    pixels = _rgb()
    path = tmp_path / "rgb.png"
    Image.fromarray(pixels).save(path)
    expected = pixels.astype(np.float32) / 255
    from_path = load_image(path)
    _check(from_path, (20, 30))
    np.testing.assert_allclose(from_path, expected, atol=1e-6)
    np.testing.assert_array_equal(load_image(str(path)), from_path)
    np.testing.assert_array_equal(load_image(path.read_bytes()), from_path)
    with open(path, "rb") as fh:
        np.testing.assert_array_equal(load_image(fh), from_path)
    np.testing.assert_array_equal(load_image(io.BytesIO(path.read_bytes())), from_path)


def test_rgba_is_composited_on_the_background(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255  # red
    rgba[:2, :, 3] = 255  # top half opaque, bottom half fully transparent
    path = tmp_path / "rgba.png"
    Image.fromarray(rgba, "RGBA").save(path)
    out = load_image(path)
    _check(out, (4, 4))
    np.testing.assert_allclose(out[0, 0], [1, 0, 0])
    np.testing.assert_allclose(out[3, 0], [1, 1, 1])  # white background shows through
    np.testing.assert_allclose(load_image(path, background=(0, 0, 0))[3, 0], [0, 0, 0])


def test_grey_is_repeated_to_three_channels(tmp_path):
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    path = tmp_path / "grey.png"
    Image.fromarray(grey, "L").save(path)
    out = load_image(path)
    _check(out, (3, 4))
    for c in range(3):
        np.testing.assert_allclose(out[..., c], grey / 255, atol=1e-6)


def test_palette_image_with_and_without_transparency(tmp_path):
    pal = Image.fromarray(_rgb()).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    path = tmp_path / "pal.png"
    pal.save(path)
    out = load_image(path)
    _check(out, (20, 30))
    np.testing.assert_allclose(out, np.asarray(pal.convert("RGB")) / 255, atol=1e-6)

    pal.info["transparency"] = 0
    gif = tmp_path / "pal.gif"
    pal.save(gif, transparency=0)
    out = load_image(gif)
    index0 = np.asarray(Image.open(gif)) == 0
    assert index0.any()
    np.testing.assert_allclose(out[index0], 1.0)  # transparent index → white


def test_sixteen_bit_grey_uses_the_full_range(tmp_path):
    grey = np.array([[0, 1000], [32768, 65535]], dtype=np.uint16)
    path = tmp_path / "g16.png"
    Image.fromarray(grey).save(path)
    assert Image.open(path).mode.startswith("I")
    out = load_image(path)
    _check(out, (2, 2))
    np.testing.assert_allclose(out[..., 0], grey / 65535, atol=1e-6)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((10, 20, 3), np.uint8)  # landscape, bright left column
    pixels[:, 0] = 255
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif, quality=100)
    out = load_image(path)
    assert out.shape == (20, 10, 3)  # shown as portrait
    assert out[0].mean() > 0.8  # the bright left column is now the top row
    assert out[-1].mean() < 0.2


def test_large_image_is_downscaled_with_a_notice(tmp_path):
    path = tmp_path / "big.png"
    Image.fromarray(np.zeros((300, 500, 3), np.uint8)).save(path)
    with pytest.warns(UserWarning, match=r"500×300 pixels; downscaled to 100×60 \(max_size=100\)"):
        out = load_image(path, max_size=100)
    _check(out, (60, 100))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_image(path, max_size=None).shape == (300, 500, 3)


def test_large_sixteen_bit_keeps_its_scale(tmp_path):
    path = tmp_path / "big16.png"
    Image.fromarray(np.full((40, 80), 65535, np.uint16)).save(path)
    with pytest.warns(UserWarning, match="downscaled"):
        out = load_image(path, max_size=20)
    np.testing.assert_allclose(out, 1.0, atol=1e-4)


def test_truncated_file_gives_a_clear_error(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(_rgb(64, 64)).save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:300])
    with pytest.raises(ImageLoadError, match="truncated or corrupt"):
        load_image(path)


def test_non_image_gives_a_clear_error(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not a picture")
    with pytest.raises(ImageLoadError, match="is not an image Pillow can read"):
        load_image(path)
    with pytest.raises(ImageLoadError, match="empty"):
        load_image(b"")
    assert issubclass(ImageLoadError, ValueError)


def test_wrong_kinds_and_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file at"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_image(tmp_path)
    with pytest.raises(TypeError, match="must be a path, bytes, a binary file object or a PIL"):
        load_image(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text mode"):
        load_image(io.StringIO("x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_size 0 is below 1"):
        load_image(b"x", max_size=0)
