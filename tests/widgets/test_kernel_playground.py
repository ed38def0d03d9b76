"""KernelPlayground driven in code: the filtered panel is torch's F.conv2d of the photo."""

from __future__ import annotations

import datetime
import html
import io
import re

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from vizkit.sliding.kernels import classic_kernels, gabor
from vizkit.widgets.kernel_playground import KernelPlayground


def text(p: KernelPlayground) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", p.status.value))


def torch_filter(image, weight, **kwargs):
    x = torch.tensor(image)[None, None]
    w = torch.tensor(np.ascontiguousarray(weight))[None, None]
    mode = kwargs.pop("padding_mode", "zeros")
    if mode == "zeros":
        return F.conv2d(x, w, **kwargs)[0, 0].numpy()
    conv = nn.Conv2d(
        1, 1, w.shape[-1], bias=False, padding_mode=mode, dtype=torch.float64, **kwargs
    )
    conv.weight.data = w
    with torch.no_grad():
        return conv(x)[0, 0].numpy()


@pytest.fixture(scope="module")
def playground():
    return KernelPlayground("coins", "edges (sobel x)", size=40)


def shown(p):
    return np.asarray(p.figure.data[1].z, dtype=float)


def test_filtered_panel_is_torch_conv2d(playground):
    p = playground
    figure = p.figure
    assert np.allclose(
        shown(p), torch_filter(p.image, classic_kernels()["edges (sobel x)"], padding="same")
    )
    assert np.array_equal(np.asarray(p.figure.data[0].z, float), p.image)
    for kernel, padding, mode, stride in [
        ("blur (gaussian 5×5)", "valid", "zeros", 2),
        ("sharpen", "2", "reflect", 3),
        ("edges (laplacian)", "1", "circular", 1),
        ("edges (sobel y)", "0", "replicate", 2),
    ]:
        p.kernel.value, p.padding.value = kernel, padding
        p.padding_mode.value, p.stride.value = mode, stride
        pad = int(padding) if padding.isdigit() else padding
        expected = torch_filter(
            p.image, classic_kernels()[kernel], padding=pad, padding_mode=mode, stride=stride
        )
        assert p.error is None
        assert shown(p).shape == expected.shape
        assert np.allclose(shown(p), expected)
        assert (stride == 1) != (f"stride={stride}" in text(p))
        assert (mode == "zeros") != (f"padding_mode='{mode}'" in text(p))
    assert p.figure is figure  # updated in place


def test_gabor_sliders(playground):
    p = playground
    p.padding_mode.value, p.stride.value, p.padding.value = "zeros", 1, "same"
    p.kernel.value = "gabor (sliders)"
    assert not p.frequency.disabled
    p.frequency.value, p.orientation.value = 0.25, 45
    weight = gabor(0.25, np.pi / 4, sigma=max(1.5, 0.6 / 0.25))
    assert np.allclose(p.weight, weight)
    assert np.allclose(shown(p), torch_filter(p.image, weight, padding="same"))
    assert "Gabor 0.25 cycles/px at 45°" in p.figure.layout.title.text
    p.kernel.value = "sharpen"
    assert p.frequency.disabled


def test_errors_go_to_the_status_line():
    p = KernelPlayground("camera", "sharpen", size=24)
    before = shown(p).copy()
    p.stride.value = 2  # 'same' with stride 2: torch refuses
    assert p.error is not None and "'same'" in p.error and "stride" in p.error
    assert "Not a valid configuration" in text(p) and "use stride=1" in text(p)
    assert np.array_equal(shown(p), before)  # the last valid picture stays
    p.padding.value = "valid"
    assert p.error is None and shown(p).shape == (11, 11)


def test_upload_goes_through_load_image():
    p = KernelPlayground("camera", "blur (box 3×3)", size=16)
    picture = np.zeros((20, 30, 3), np.uint8)
    picture[:, 15:] = 255
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    p.upload.value = (
        {
            "name": "mine.png",
            "type": "image/png",
            "size": len(buffer.getvalue()),
            "content": memoryview(buffer.getvalue()),
            "last_modified": datetime.datetime.now(datetime.UTC),
        },
    )
    assert p.photo.value == "upload: mine.png" and p.error is None
    assert p.image.shape == (11, 16)  # longest side shrunk to size
    assert np.allclose(
        shown(p), torch_filter(p.image, classic_kernels()["blur (box 3×3)"], padding="same")
    )
    p.upload.value = (
        {
            "name": "notes.txt",
            "type": "text/plain",
            "size": 5,
            "content": memoryview(b"hello"),
            "last_modified": datetime.datetime.now(datetime.UTC),
        },
    )
    assert "notes.txt" in p.error and "not an image" in p.error
    assert "Not a valid configuration" in text(p)


def test_own_array_and_bad_arguments(rng):
    image = rng.random((12, 10))
    p = KernelPlayground(image, "identity", size=64)
    assert np.allclose(shown(p), image)
    with pytest.raises(
        ValueError,
        match=r"kernel 'edge' is not one of the choices: use one of "
        r"'identity'",
    ):
        KernelPlayground(kernel="edge")
    with pytest.raises(ValueError, match="image 'lena' is not one of the photos"):
        KernelPlayground("lena")
    with pytest.raises(ValueError, match="stride 7 is outside 1–4"):
        KernelPlayground(stride=7)
