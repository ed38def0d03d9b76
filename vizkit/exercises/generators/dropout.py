"""Exercise: Dropout2d vs Dropout — which elements can be zeroed, and what eval mode does.

Every option is the output of a real module (``nn.Dropout2d`` or ``nn.Dropout`` in training or
eval mode) or a tensor op on one; the right option is the one ``nn.Dropout2d`` itself returned.
"""

from __future__ import annotations

import random

from vizkit.exercises.exercise import Spec
from vizkit.exercises.generators.choice import Option, choice_spec
from vizkit.exercises.generators.common import quiet_torch

__all__ = ["dropout2d_vs_dropout"]


def _show(t: object) -> str:
    """A (1, C, H, W) tensor, channel by channel, on one line of code."""
    rows = t[0].tolist()  # type: ignore[attr-defined]

    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:.2f}"

    return " · ".join(
        f"c{c}: " + str([[num(v) for v in row] for row in channel]).replace("'", "")
        for c, channel in enumerate(rows)
    )


def dropout2d_vs_dropout(rng: random.Random) -> Spec:
    """Which output is nn.Dropout2d's (training mode), or what it does in eval mode."""
    import torch
    from torch import nn

    p = rng.choice([0.5, 0.5, 0.2, 0.75])
    channels = rng.choice([3, 4])
    values = [[[rng.randint(1, 9) for _ in range(2)] for _ in range(2)] for _ in range(channels)]
    x = torch.tensor([values], dtype=torch.float32)
    eval_mode = rng.random() < 0.3
    seed = rng.getrandbits(31)

    def draw(module: nn.Module, inp: torch.Tensor, ok: object) -> torch.Tensor:
        for _ in range(1000):
            out = module.train()(inp)
            if ok(out):  # type: ignore[operator]
                return out
        raise RuntimeError("no dropout sample with the wanted pattern")

    def kept(t: torch.Tensor) -> torch.Tensor:
        return (t != 0).flatten(2).float().mean(dim=2)[0]  # per channel: share kept

    def partial(t: torch.Tensor) -> bool:  # some channel half-dropped, masks not all alike
        patterns = {tuple((t[0, c] != 0).flatten().tolist()) for c in range(channels)}
        return bool(((kept(t) > 0) & (kept(t) < 1)).any()) and len(patterns) > 1

    given = (
        f"`x = torch.tensor({values}, dtype=torch.float32)[None]` has shape (1, {channels}, 2, 2)."
    )
    with quiet_torch():
        torch.manual_seed(seed)  # seeded once (it is slow); the fork restores the caller's state
        whole = draw(nn.Dropout2d(p), x, lambda t: 0 < kept(t).sum() < channels)
        element = draw(nn.Dropout(p), x, partial)
        mask = draw(nn.Dropout(p), torch.ones(1, 1, 2, 2), lambda t: 0 < int((t != 0).sum()) < 4)
        identity = nn.Dropout2d(p).eval()(x)
    scale = 1 / (1 - p)
    if eval_mode:
        options = [
            Option(
                f"`{_show(identity)}`",
                "right",
                "",
                "In eval mode Dropout2d is the "
                "identity: PyTorch's dropout is *inverted*, the kept values were already "
                f"scaled by 1/(1 − p) = {scale:.2f} during training.",
            ),
            Option(
                f"`{_show(whole)}`",
                "random_in_eval",
                "thought it still drops channels in eval mode",
                "model.eval() switches dropout off: nothing is zeroed.",
            ),
            Option(
                f"`{_show(x * (1 - p))}`",
                "scaled_at_test",
                "scaled by (1 − p) at test time",
                "That is the original, non-inverted dropout; PyTorch scales by "
                "1/(1 − p) during training instead, so eval needs no scaling.",
            ),
            Option(
                f"`{_show(x * scale)}`",
                "scaled_up_in_eval",
                "scaled by 1/(1 − p) in eval mode",
                "The 1/(1 − p) scaling happens only in training mode.",
            ),
        ]
        stem = (
            f"{given} What does `nn.Dropout2d(p={p}).eval()(x)` return? (Shown channel by channel.)"
        )
        torch_line = f"nn.Dropout2d(p={p}).eval()(x)"
        torch_result = _show(identity)
    else:
        options = [
            Option(
                f"`{_show(whole)}`",
                "right",
                "",
                "Whole channels are zeroed and the kept "
                f"channels are scaled by 1/(1 − p) = {scale:.2f}: that is Dropout2d.",
            ),
            Option(
                f"`{_show(element)}`",
                "elementwise",
                "picked an element-wise mask (that is nn.Dropout)",
                "Dropout2d never zeroes part of a channel: it drops entire H × W maps.",
            ),
            Option(
                f"`{_show((whole != 0) * x)}`",
                "forgot_scaling",
                "forgot the 1/(1 − p) scaling",
                f"In training mode the kept values are multiplied by "
                f"1/(1 − p) = {scale:.2f}, so the expected value stays x.",
            ),
            Option(
                f"`{_show(x * mask)}`",
                "shared_spatial",
                "picked a mask shared by all channels",
                "That zeroes the same pixels in every channel; "
                "Dropout2d decides per channel, for the whole map.",
            ),
        ]
        stem = (
            f"{given} In training mode, which of these could `nn.Dropout2d(p={p})(x)` return? "
            "(Shown channel by channel.)"
        )
        torch_line = f"torch.manual_seed(s); nn.Dropout2d(p={p})(x)"
        torch_result = _show(whole)
    order = list(range(len(options)))
    rng.shuffle(order)
    return choice_spec(
        "Dropout2d vs Dropout",
        stem,
        [options[i] for i in order],
        hint="nn.Dropout2d zeroes whole channels (entire H × W maps), each with probability "
        "p, and multiplies the kept ones by 1/(1 − p); nn.Dropout does the same per "
        "element. In eval mode both return their input unchanged.",
        rule=(
            f"in eval mode Dropout2d changes nothing; in training mode every channel comes out "
            f"either all 0 or exactly x·1/(1 − {p}) = x·{scale:.2f}, never partly zeroed"
        ),
        solution="Dropout2d (spatial dropout) drops feature maps, not pixels: neighbouring "
        "pixels of a map are strongly correlated, so dropping single pixels "
        "regularises little.",
        torch_line=torch_line,
        torch_result=torch_result,
        params={
            "p": p,
            "input": values,
            "eval": eval_mode,
            "outputs": [o.text.strip("`") for o in (options[i] for i in order)],
        },
    )
