"""Weights loading: local .pth files, torchvision enums, and the offline fallback (no downloads)."""

from __future__ import annotations

import urllib.error
import warnings

import pytest
import torch
import torchvision

from vizkit import zoo
from vizkit.zoo.weights import WeightsUnavailableWarning, load_weights


def test_local_pth_roundtrip(tmp_path):
    torch.manual_seed(0)
    source = zoo.lenet5()
    path = tmp_path / "lenet.pth"
    torch.save(source.state_dict(), path)
    torch.manual_seed(1)
    restored = zoo.lenet5()
    load_weights(restored, str(path), name="lenet5", torchvision_weights=None)
    for a, b in zip(source.parameters(), restored.parameters(), strict=True):
        assert torch.equal(a, b)
    wrapped = tmp_path / "checkpoint.pt"
    torch.save({"state_dict": source.state_dict(), "epoch": 3}, wrapped)
    again = load_weights(zoo.lenet5(), wrapped, name="lenet5", torchvision_weights=None)
    assert torch.equal(again.c1.weight, source.c1.weight)


def test_wrong_file_is_a_clear_error(tmp_path):
    path = tmp_path / "other.pth"
    torch.save(zoo.lenet5("modern").state_dict(), path)
    with pytest.raises(ValueError, match="does not fit this architecture"):
        zoo.allconv("A", weights=path)
    with pytest.raises(FileNotFoundError, match=r"missing\.pth"):
        zoo.allconv("A", weights=tmp_path / "missing.pth")


def test_offline_download_warns_once_and_keeps_random_weights(monkeypatch):
    def offline(self, *args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(
        torchvision.models.ResNet18_Weights.IMAGENET1K_V1.__class__, "get_state_dict", offline
    )
    with pytest.warns(WeightsUnavailableWarning) as record:
        model = zoo.resnet18(weights="DEFAULT")
    assert len(record) == 1
    message = str(record[0].message)
    assert (
        "unavailable (URLError: <urlopen error no network>)" in message
        and "random weights" in message
        and "\n" not in message
    )
    assert isinstance(model, torch.nn.Module)


def test_torchvision_weights_load_when_available(monkeypatch):
    torch.manual_seed(1)
    reference = torchvision.models.resnet18().state_dict()
    monkeypatch.setattr(
        torchvision.models.ResNet18_Weights.IMAGENET1K_V1.__class__,
        "get_state_dict",
        lambda self, *a, **k: reference,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = zoo.resnet18(weights="IMAGENET1K_V1")
    assert torch.equal(model.conv1.weight, reference["conv1.weight"])


@pytest.fixture
def on_meta():
    with torch.device("meta"):
        yield


def test_incompatible_weights_are_refused(on_meta):
    with pytest.raises(
        ValueError, match="torchvision has no pretrained weights for alexnet \\(paper\\)"
    ):
        zoo.alexnet(weights="DEFAULT")
    with pytest.raises(ValueError, match="pass v1_5=True"):
        zoo.resnet50(weights="DEFAULT")
    with pytest.raises(ValueError, match="only configurations A, B, D and E"):
        zoo.vgg("C", weights="DEFAULT")
    with pytest.raises(ValueError, match="is not one of"):
        zoo.resnet18(weights="IMAGENET9K")


def test_v1_and_v1_5_share_parameter_names_and_shapes(on_meta):
    v1, v15 = zoo.resnet50().state_dict(), zoo.resnet50(v1_5=True).state_dict()
    assert {k: v.shape for k, v in v1.items()} == {k: v.shape for k, v in v15.items()}
    assert zoo.resnet50().layer2[0].conv1.stride == (2, 2)
    assert zoo.resnet50(v1_5=True).layer2[0].conv2.stride == (2, 2)


def test_bad_builder_arguments():
    with pytest.raises(ValueError, match="config 'F' is not one of"):
        zoo.vgg("F")
    with pytest.raises(ValueError, match="depth 20 is not one of"):
        zoo.resnet(20)
    with pytest.raises(ValueError, match="variant 'caffe'"):
        zoo.alexnet("caffe")
    with pytest.raises(ValueError, match="kernel_sizes\\[0\\] = 4"):
        zoo.conv_stack(8, (4,))
    with pytest.raises(ValueError, match=r"no zoo model named 'resnet5': did you mean"):
        zoo.build("resnet5")


def test_catalog_builds_every_model_for_its_input():
    from vizkit.summary import summarize

    for name, entry in zoo.CATALOG.items():
        with torch.device("meta"):  # shapes only: skip the cost of random initialisation
            model = zoo.build(name)
        table = summarize(model, entry.input_size)
        assert table.rows[-1].output_shape is not None, name


def test_published_data_has_sources():
    data = zoo.published()
    for key, entry in data.items():
        if not key.startswith("_"):
            assert "source" in entry, key
    with pytest.raises(ValueError, match="key 'nope' is not one of"):
        zoo.published("nope")
