"""load_pretrained: the real weights API, and the offline fallback (tested without network)."""

from __future__ import annotations

from urllib.error import URLError

import pytest

from vizkit.zoo.pretrained import load_pretrained


def test_offline_fallback_gives_random_weights_and_a_note(monkeypatch):
    import torchvision

    real = torchvision.models.get_model

    def offline(name, **kwargs):
        if kwargs.get("weights") is not None:
            raise URLError("[Errno -2] Name or service not known")
        return real(name, **kwargs)

    monkeypatch.setattr(torchvision.models, "get_model", offline)
    result = load_pretrained("resnet18")
    assert not result.pretrained and not result.model.training
    assert result.note is not None and "\n" not in result.note
    assert "resnet18 weights" in result.note and "URLError" in result.note
    assert result.mean == pytest.approx((0.485, 0.456, 0.406))
    assert len(result.categories) == 1000


def test_bad_names():
    with pytest.raises(ValueError, match="'lenet' is not a torchvision model"):
        load_pretrained("lenet")
    with pytest.raises(ValueError, match="weights 'V9' is not one of"):
        load_pretrained("resnet18", weights="V9")


def test_status_is_the_note_offline_and_says_loaded_otherwise(monkeypatch):
    import torchvision

    real = torchvision.models.get_model

    def offline(name, **kwargs):
        if kwargs.get("weights") is not None:
            raise URLError("[Errno -2] Name or service not known")
        return real(name, **kwargs)

    monkeypatch.setattr(torchvision.models, "get_model", offline)
    random = load_pretrained("resnet18")
    assert random.name == "resnet18" and random.status == random.note

    # "loaded": the builder answers without touching the network
    monkeypatch.setattr(torchvision.models, "get_model", lambda name, **kw: real(name))
    loaded = load_pretrained("resnet18")
    assert loaded.pretrained and loaded.note is None
    assert loaded.status == "resnet18: trained ImageNet weights loaded"
