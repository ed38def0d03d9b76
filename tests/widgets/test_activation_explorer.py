"""ActivationExplorer driven in code: model picker, layer, channel, upload (good and bad files)."""

from __future__ import annotations

import datetime as dt
import html
import io

import numpy as np
import pytest
import torch
from PIL import Image

import vizkit.widgets.activation_explorer as module
from vizkit.widgets.activation_explorer import ActivationExplorer


def _png(seed: int = 0, side: int = 30) -> bytes:
    buffer = io.BytesIO()
    pixels = (np.random.default_rng(seed).random((side, side, 3)) * 255).astype("uint8")
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _upload_message(content: bytes, name: str = "mine.png") -> dict:
    """What the browser sends for one file (ipywidgets 8 FileUpload, before deserialising)."""
    return {
        "name": name,
        "type": "image/png",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": 1_700_000_000_000,
    }


def _image() -> np.ndarray:
    image = np.zeros((16, 16, 3), np.float32)
    image[4:8, 4:8] = 1.0
    return image


def test_layer_and_channel(tiny_cnn):
    explorer = ActivationExplorer(tiny_cnn, _image(), size=16, channels=1)
    labels = [label for label, _ in explorer.layer.options]
    assert labels[0] == "0  Conv2d  (4, 16, 16)"
    assert all("(10,)" not in label for label in labels)  # only (C, H, W) outputs
    assert explorer.model_picker.value == "given"
    assert explorer.model_picker.options[0][0] == "your model (Sequential)"
    assert explorer.channel.max == 3
    explorer.channel.value = 2
    np.testing.assert_allclose(np.asarray(explorer.single.data[0].z), explorer.maps[2])
    explorer.layer.value = "3"
    assert explorer.channel.max == 7 and explorer.maps.shape == (8, 3, 3)
    assert explorer.grid.layout.title.text.startswith("3 — 8 of 8 channels")


def test_upload_through_the_file_upload_widget(tiny_cnn):
    explorer = ActivationExplorer(tiny_cnn, _image(), size=16, channels=1)
    before = explorer.maps.copy()
    # the browser's comm message goes through set_state → the value observer
    explorer.upload.set_state({"value": [_upload_message(_png())]})
    assert explorer.upload.value[0]["last_modified"].tzinfo is dt.UTC
    assert not np.allclose(before, explorer.maps)
    assert explorer.image.shape == (30, 30, 3)
    shown = explorer.maps.copy()
    bad = _upload_message(b"not an image", "notes.txt")
    explorer.upload.value = ({**bad, "last_modified": dt.datetime.now(dt.UTC)},)
    assert "not an image Pillow can read" in explorer.status.value
    np.testing.assert_array_equal(explorer.maps, shown)  # the last good maps stay


def test_model_picker_switches_to_a_zoo_model(tiny_cnn):
    explorer = ActivationExplorer(tiny_cnn, _image(), size=16, channels=1)
    explorer.model_picker.value = "zoo:lenet5"
    assert explorer.model is not tiny_cnn
    assert tuple(explorer.input.shape) == (1, 32, 32)  # resized to the zoo entry's input
    assert explorer.layer.value == explorer.layer.options[0][1]
    first = explorer.maps
    assert first.shape[0] == 6 and first.shape[1:] == (28, 28)  # LeNet-5's C1 on 32×32
    assert explorer.grid.layout.title.text.startswith(f"{explorer.layer.value} — 6 of 6")
    assert "random weights" in explorer.status.value
    explorer.model_picker.value = "given"  # back to the model passed in, cached
    assert explorer.model is tiny_cnn and tuple(explorer.input.shape) == (1, 16, 16)
    assert explorer.maps.shape == (4, 16, 16)


def test_torchvision_choice_uses_the_weights_transforms():
    torchvision = pytest.importorskip("torchvision")
    photo = np.random.default_rng(0).random((300, 260, 3)).astype(np.float32)
    explorer = ActivationExplorer("torchvision:resnet18", photo)
    expected = torchvision.models.get_model_weights("resnet18").DEFAULT.transforms()(
        torch.from_numpy(photo).permute(2, 0, 1)
    )
    torch.testing.assert_close(explorer.input, expected)  # resize 256, crop 224, ImageNet norm
    assert explorer.layer.value == "conv1" and explorer.maps.shape == (64, 112, 112)
    note = explorer._note
    assert note is None or html.escape(note) in explorer.status.value  # offline: the note


def test_refresh_errors_go_to_the_status_line(tiny_cnn, monkeypatch):
    explorer = ActivationExplorer(tiny_cnn, _image(), size=16, channels=1)

    def broken(*args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(module, "feature_maps", broken)
    explorer.layer.value = "3"  # no traceback: the message is in the status line
    assert "⚠ CUDA out of memory. Tried to allocate 2.00 GiB" in explorer.status.value
    monkeypatch.setattr(
        module, "load_choice", lambda key: (_ for _ in ()).throw(OSError("No space left on device"))
    )
    explorer.model_picker.value = "zoo:vgg-D"
    assert "⚠ No space left on device" in explorer.status.value
    assert explorer.model is tiny_cnn


def test_start_errors(tiny_cnn):
    with pytest.raises(ValueError, match="model 'zoo:lenet' is not a picker choice"):
        ActivationExplorer("zoo:lenet", _image())
    with pytest.raises(TypeError, match=r"model must be an nn\.Module or a picker key"):
        ActivationExplorer(3, _image())  # type: ignore[arg-type]
