"""Every public data function refuses hostile arguments clearly, quickly, within the budget; and
a huge JPEG is loaded without ever existing at full size in memory."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from hypothesis import strategies as st
from PIL import Image

from tests.hostile import (
    Entry,
    bad_array,
    bad_bool,
    bad_int,
    bad_number,
    bad_seed,
    bad_tensor,
    hostile_test,
    measure,
)
from vizkit.data import (
    image_to_tensor,
    load_cifar10,
    load_digits_split,
    load_image,
    load_mnist,
    natural_image,
    natural_images,
    tensor_to_image,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _jpeg(width: int, height: int, **options: object) -> bytes:
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[..., 0] = y
    pixels[..., 1] = x
    pixels[..., 2] = 128
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80, **options)
    return buffer.getvalue()


def _offline(**kwargs: object) -> dict[str, object]:
    """Valid torchvision-loader arguments that cannot touch the network or the home folder."""
    return {"root": "/nonexistent/vizkit-data", "download": False, **kwargs}


BAD_SOURCES = st.sampled_from(
    [
        None,
        3,
        2.5,
        [1, 2],
        b"",
        b"this is not a picture",
        _jpeg(8, 8)[:40],  # truncated
        io.StringIO("text mode"),
        bytearray(b"\x89PNG\r\n\x1a\n"),  # a PNG signature and nothing else
    ]
)

TABLE = {
    "load_image": Entry(
        load_image,
        lambda: {"source": _jpeg(8, 8)},
        {
            "source": BAD_SOURCES,
            "max_size": bad_int(1, optional=True),
            "background": st.sampled_from(
                [(1, 1), (2.0, 0, 0), (float("nan"), 0, 0), "white", 1.0, None, ("a", 0, 0)]
            ),
        },
        names={"source": ("bytes", "image", "decode", "picture")},
    ),
    "image_to_tensor": Entry(
        image_to_tensor,
        lambda: {"image": np.full((6, 8, 3), 0.5, np.float32)},
        {
            "image": bad_array((6, 8, 3), wrong_shapes=[(6, 8, 4), (6, 8, 2)]),
            "size": st.one_of(bad_int(1, optional=True, huge=True), st.just((4, 0))),
            "channels": st.sampled_from([2, 0, -1, "3", 3.0, True, [3]]),
            "mean": st.sampled_from([[0.5, 0.5], [float("nan")], "0.5", [None], {"a": 1}]),
            "std": st.sampled_from([[0.0], [-1.0], [float("inf")], [1.0, 1.0], "1", 0]),
            "batch": bad_bool(),
            "device": st.sampled_from(["gpu9000", "", 3, ["cpu"]]),
        },
    ),
    "tensor_to_image": Entry(
        tensor_to_image,
        lambda: {"x": __import__("torch").rand(3, 6, 8)},
        {
            "x": bad_tensor((3, 6, 8), wrong_shapes=[(2, 6, 8), (2, 3, 6, 8)]),
            "rescale": bad_bool(),
        },
    ),
    "natural_image": Entry(
        natural_image,
        lambda: {"name": "camera"},
        {"name": st.sampled_from(["nonexistent", "download_all", "_fetch", "", 3, None, ["cat"]])},
    ),
    "natural_images": Entry(
        natural_images,
        lambda: {"names": ("camera",)},
        {"names": st.sampled_from(["astronaut", ["astronaut", 3], ["nope"], 3, None])},
    ),
    "load_digits_split": Entry(
        load_digits_split,
        lambda: {"size": 8},
        {
            "size": bad_int(8, huge=True),
            "channels": st.sampled_from([2, 0, "1", 1.0, None, True]),
            "test_fraction": bad_number(above=0.0, below=1.0),
            "seed": bad_seed(),
        },
    ),
    "load_mnist": Entry(
        load_mnist,
        lambda: _offline(),
        {
            "root": st.sampled_from([3, None, b"/tmp", "", ["/tmp"]]),
            "download": bad_bool(),
            "limit": bad_int(1, optional=True),
            "fallback": bad_bool(),
        },
    ),
    "load_cifar10": Entry(
        load_cifar10,
        lambda: _offline(),
        {
            "root": st.sampled_from([3, None, b"/tmp", "", ["/tmp"]]),
            "download": bad_bool(),
            "limit": bad_int(1, optional=True),
            "fallback": bad_bool(),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)


def test_a_big_jpeg_is_decoded_reduced_and_rotated_after_downscaling() -> None:
    """6000×4000 with an EXIF rotation: at full size that is 72 MB of pixels, twice (decode,
    then the rotated copy). Decoded at 1/4 scale and rotated after downscaling, far less."""
    exif = Image.new("RGB", (1, 1)).getexif()
    exif[0x0112] = 6
    data = _jpeg(6000, 4000, exif=exif)
    full_decode = 6000 * 4000 * 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = measure(lambda: load_image(data, max_size=1024))
    assert run.error is None, run.error
    assert run.result.shape == (1024, 683, 3)  # portrait: the EXIF rotation was applied
    assert run.result[0, :, 1].mean() < run.result[-1, :, 1].mean()  # turned the right way
    assert run.peak_bytes < full_decode / 2, f"peak {run.peak_bytes / 2**20:.0f} MiB"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width × height`` RGB pixels and holds none (a bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_a_full_size_result_over_the_budget_is_refused_before_decoding() -> None:
    header = _png_header(12000, 12000)  # 144 M pixels: 3.2 GiB as float32 RGB
    run = measure(lambda: load_image(header, max_size=None))
    assert isinstance(run.error, ValueError)
    assert "max_size None" in str(run.error) and "memory budget of 2 GiB" in str(run.error)
    assert run.peak_bytes < 50 * 2**20  # refused from the header, before decoding anything
