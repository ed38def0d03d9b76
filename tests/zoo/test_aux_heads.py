"""The optional auxiliary classifiers of GoogLeNet and Inception-v3: counted, and run only in
training mode."""

from __future__ import annotations

import torch
import torchvision

from vizkit import zoo


def _params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_googlenet_aux_heads_are_the_papers_and_run_in_training_only():
    # Szegedy et al. §5: 5×5/3 average pool, 1×1 conv to 128, FC 1024, FC 1000 — after 4a (512
    # channels) and 4d (528 channels); the 4×4×128 map feeds the FC.
    def head(c_in: int) -> int:
        return (c_in * 128 + 128) + (4 * 4 * 128 * 1024 + 1024) + (1024 * 1000 + 1000)

    plain, aux = zoo.googlenet(), zoo.googlenet(aux_logits=True)
    assert _params(plain) == 6_998_552
    assert _params(aux) - _params(plain) == head(512) + head(528) == 6_379_728
    x = torch.randn(2, 3, 224, 224)
    aux.train()
    logits, aux2, aux1 = aux(x)
    assert logits.shape == aux1.shape == aux2.shape == (2, 1000)
    aux.eval()
    with torch.no_grad():
        out = aux(x)
    assert isinstance(out, torch.Tensor) and out.shape == (2, 1000)


def test_inception_v3_aux_head_matches_torchvisions():
    with torch.device("meta"):
        ours = zoo.inception_v3(aux_logits=True)
        theirs = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
        ours_plain = zoo.inception_v3()
    assert _params(ours) == _params(theirs)
    assert _params(ours) > _params(ours_plain)
