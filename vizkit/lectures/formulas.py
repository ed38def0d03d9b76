"""Recipes that check a note's formula against torch on random numbers (fixed seed).

Each returns True when the formula, written out literally with tensor slices, gives what the
torch layer or function gives (``how`` says which and the largest difference), or the torch
default the note's constant is compared with (BatchNorm's ε and momentum).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from vizkit.lectures.sizes import Measured

__all__ = ["FORMULA_RECIPES"]

_DOUBLE = torch.float64


def _rand(*shape: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=_DOUBLE)


def _close(a: torch.Tensor, b: torch.Tensor, what: str, *, atol: float = 1e-10) -> Measured:
    err = float((a - b).abs().max())
    return Measured(err <= atol, f"{what}: largest difference {err:.1e}")


def cross_correlation(*, stride: int = 1, channels: int = 1, out_channels: int = 1) -> Measured:
    """``(K ⋆ I)[i, j, o] = Σ_{m,n,c} I[i·S + m, j·S + n, c] K[m, n, c, o]`` vs ``F.conv2d``."""
    image, kernel = _rand(1, channels, 9, 9), _rand(out_channels, channels, 3, 3, seed=1)
    out = F.conv2d(image, kernel, stride=stride)
    h, w = out.shape[-2:]
    formula = torch.zeros_like(out)
    for m in range(3):
        for n in range(3):
            window = image[
                :, :, m : m + (h - 1) * stride + 1 : stride, n : n + (w - 1) * stride + 1 : stride
            ]
            formula += torch.einsum("bcij,oc->boij", window, kernel[:, :, m, n])
    return _close(formula, out, f"the sum over shifted slices vs F.conv2d(stride={stride})")


def convolution() -> Measured:
    """``(K * I)[i, j] = Σ_{m,n} I[i − m, j − n] K[m, n]`` vs ``F.conv2d`` with the flipped K."""
    image, kernel = _rand(1, 1, 9, 9), _rand(1, 1, 3, 3, seed=1)
    out = F.conv2d(image, kernel.flip(-1, -2))
    formula = torch.zeros_like(out)
    for m in range(3):
        for n in range(3):  # output (i, j) sits at input (i + 2, j + 2): i − m ranges over it
            formula += image[:, :, 2 - m : 9 - m, 2 - n : 9 - n] * kernel[0, 0, m, n]
    return _close(formula, out, "Σ I[i−m, j−n] K[m, n] vs F.conv2d(I, K.flip)")


def _full(a: torch.Tensor, b: torch.Tensor, *, flip: bool) -> torch.Tensor:
    k = b.shape[-1] - 1
    return F.conv2d(F.pad(a, (k, k, k, k)), b.flip(-1, -2) if flip else b)


def associativity(*, flip: bool) -> Measured:
    """Whether ``(A ∘ B) ∘ C == A ∘ (B ∘ C)`` for full 2-D convolution (``flip``) or
    cross-correlation (``flip=False``)."""
    a, b, c = _rand(1, 1, 6, 6), _rand(1, 1, 3, 3, seed=1), _rand(1, 1, 3, 3, seed=2)
    left = _full(_full(a, b, flip=flip), c, flip=flip)
    right = _full(a, _full(b, c, flip=flip), flip=flip)
    name = "convolution" if flip else "cross-correlation"
    return _close(left, right, f"(A∘B)∘C vs A∘(B∘C), full 2-D {name} by F.conv2d", atol=1e-9)


def output_size_formula(*, pooling: bool = False) -> Measured:
    """``⌊(i + 2p − k)/s⌋ + 1`` (pooling: ``p = 0``) against torch layers over a grid."""
    bad, tried = [], 0
    for i in range(1, 13):
        for k in range(1, 6):
            for s in range(1, 4):
                for p in range(0, 1 if pooling else 3):
                    if k > i + 2 * p:
                        continue
                    x = torch.empty(1, 1, i, i, device="meta")
                    layer = (
                        nn.MaxPool2d(k, s) if pooling else nn.Conv2d(1, 1, k, s, p, device="meta")
                    )
                    tried += 1
                    if layer(x).shape[-1] != (i + 2 * p - k) // s + 1:
                        bad.append((i, k, s, p))
    kind = "nn.MaxPool2d" if pooling else "nn.Conv2d"
    return Measured(not bad, f"{tried} settings of {kind}: {len(bad)} differ {bad[:3]}")


def same_padding() -> Measured:
    """``p = (k − 1)/2`` keeps the size at stride 1 (k = 1, 3, 5, 7; an even k has no integer p)."""
    keep = []
    for k in (1, 3, 5, 7):
        conv = nn.Conv2d(1, 1, k, padding=(k - 1) // 2, device="meta")
        keep.append(conv(torch.empty(1, 1, 10, 10, device="meta")).shape[-1] == 10)
    return Measured(all(keep), "nn.Conv2d(k, padding=(k−1)//2) on 10×10 for k = 1, 3, 5, 7 → 10")


def param_formula() -> Measured:
    """``(F·F·D₁)·K`` weights and ``K`` biases vs ``nn.Conv2d.parameters()``."""
    bad = [
        (f, d, k)
        for f in (1, 3, 5)
        for d in (1, 3, 20)
        for k in (1, 12, 96)
        if nn.Conv2d(d, k, f, device="meta").weight.numel() != f * f * d * k
        or nn.Conv2d(d, k, f, device="meta").bias.numel() != k  # type: ignore[union-attr]
    ]
    return Measured(not bad, f"27 layers nn.Conv2d(D₁, K, F): {len(bad)} differ")


def _bn_batch() -> tuple[torch.Tensor, nn.BatchNorm2d]:
    x = _rand(8, 3, 4, 4) * 2 + 1
    bn = nn.BatchNorm2d(3, dtype=_DOUBLE)
    with torch.no_grad():
        bn.weight.copy_(_rand(3, seed=5))
        bn.bias.copy_(_rand(3, seed=6))
    return x, bn


def batchnorm_train() -> Measured:
    """``γ (x − μ)/√(σ² + ε) + β``, μ and biased σ² per channel over batch and positions."""
    x, bn = _bn_batch()
    mu = x.mean((0, 2, 3), keepdim=True)
    var = ((x - mu) ** 2).mean((0, 2, 3), keepdim=True)
    formula = bn.weight.view(1, 3, 1, 1) * (x - mu) / torch.sqrt(var + bn.eps)
    formula = formula + bn.bias.view(1, 3, 1, 1)
    return _close(formula.detach(), bn.train()(x).detach(), "per-channel formula vs BatchNorm2d")


def batchnorm_eval() -> Measured:
    """Inference: ``γ (x − μ̂)/√(σ̂² + ε) + β`` with the running estimates."""
    x, bn = _bn_batch()
    bn.train()(x)  # one step of running statistics
    mu, var = bn.running_mean.view(1, 3, 1, 1), bn.running_var.view(1, 3, 1, 1)  # type: ignore[union-attr]
    formula = bn.weight.view(1, 3, 1, 1) * (x - mu) / torch.sqrt(var + bn.eps)
    formula = formula + bn.bias.view(1, 3, 1, 1)
    return _close(formula.detach(), bn.eval()(x).detach(), "running-statistics formula vs eval")


def batchnorm_bias_cancels() -> Measured:
    """``BN(Wx + b) == BN(Wx)`` in training: the bias is subtracted with the mean."""
    x = _rand(8, 3, 6, 6)
    conv = nn.Conv2d(3, 4, 3, dtype=_DOUBLE)
    bn = nn.BatchNorm2d(4, dtype=_DOUBLE).train()
    with torch.no_grad():
        with_bias = bn(conv(x))
        without = bn(F.conv2d(x, conv.weight))
    return _close(with_bias, without, "BatchNorm2d(conv(x)) with vs without the conv bias")


def batchnorm_running(*, statistic: str, tau: float) -> Measured:
    """The note's update ``τ·old + (1 − τ)·batch`` (biased σ²) vs ``BatchNorm2d(momentum=1−τ)``."""
    x, bn = _bn_batch()
    bn.momentum = 1 - tau
    bn.train()(x)
    if statistic == "mean":
        batch, old, got = x.mean((0, 2, 3)), 0.0, bn.running_mean
    else:
        batch, old, got = x.var((0, 2, 3), unbiased=False), 1.0, bn.running_var
    formula = tau * old + (1 - tau) * batch
    result = _close(formula, got.detach(), f"running_{statistic} after one step")  # type: ignore[union-attr]
    if statistic == "var" and not result.value:
        n = x.numel() // 3
        unbiased = tau * old + (1 - tau) * batch * n / (n - 1)
        err = float((unbiased - got).abs().max())  # type: ignore[operator]
        how = f"{result.how}; torch uses the unbiased σ²·m/(m−1), m={n}: difference {err:.1e}"
        return Measured(False, how)
    return result


def batchnorm_default(*, attribute: str) -> Measured:
    """torch's default ``eps``, ``τ = 1 − momentum`` (``"tau"``), or whether γ = 1, β = 0
    (``"affine"``) and μ̂ = 0, σ̂² = 1 (``"running"``) at initialisation."""
    bn = nn.BatchNorm2d(4)
    if attribute == "eps":
        return Measured(bn.eps, "nn.BatchNorm2d(4).eps")
    if attribute == "affine":
        ok = bool((bn.weight == 1).all() and (bn.bias == 0).all())
        return Measured(
            ok, f"nn.BatchNorm2d(4): weight {bn.weight.tolist()}, bias {bn.bias.tolist()}"
        )
    if attribute == "running":
        mean, var = bn.running_mean, bn.running_var
        ok = bool((mean == 0).all() and (var == 1).all())  # type: ignore[union-attr]
        return Measured(ok, f"running_mean {mean.tolist()}, running_var {var.tolist()}")  # type: ignore[union-attr]
    return Measured(round(1 - float(bn.momentum), 10), "1 − nn.BatchNorm2d(1).momentum")  # type: ignore[arg-type]


def sgd_momentum(*, lr: float = 0.01, momentum: float = 0.9, decay: float = 0.0005) -> Measured:
    """``v ← μv − α∂L/∂θ − λαθ; θ ← θ + v`` vs ``torch.optim.SGD(momentum, weight_decay)``."""
    target = _rand(5)
    theta = _rand(5, seed=1).requires_grad_()
    opt = torch.optim.SGD([theta], lr=lr, momentum=momentum, weight_decay=decay)
    mine, v = theta.detach().clone(), torch.zeros(5, dtype=_DOUBLE)
    for _ in range(5):
        grad = 2 * (mine - target)  # ∂/∂θ of ‖θ − target‖²
        v = momentum * v - lr * grad - decay * lr * mine
        mine = mine + v
        opt.zero_grad()
        ((theta - target) ** 2).sum().backward()
        opt.step()
    return _close(mine, theta.detach(), "θ after 5 steps, the note's update vs torch.optim.SGD")


def clip_norm(*, max_norm: float = 1.0) -> Measured:
    """``g ← c·g/‖g‖`` when ``‖g‖ > c`` vs ``torch.nn.utils.clip_grad_norm_``."""
    p = _rand(10).requires_grad_()
    p.grad = _rand(10, seed=3) * 5
    g = p.grad.clone()
    torch.nn.utils.clip_grad_norm_([p], max_norm)
    return _close(
        max_norm * g / g.norm(), p.grad, "clip_grad_norm_ (it divides by ‖g‖ + 1e-6)", atol=1e-6
    )


def clip_value(*, clip: float = 0.5) -> Measured:
    """Per-weight clipping ``clamp(g, −c, c)`` vs ``torch.nn.utils.clip_grad_value_``."""
    p = _rand(10).requires_grad_()
    p.grad = _rand(10, seed=3)
    g = p.grad.clone()
    torch.nn.utils.clip_grad_value_([p], clip)
    return _close(g.clamp(-clip, clip), p.grad, "clip_grad_value_")


def sgd_momentum_lr_drop(
    *,
    lr: float = 0.01,
    momentum: float = 0.9,
    decay: float = 0.0005,
    steps: int = 20,
    drop_at: int = 11,
) -> Measured:
    """The note's update vs ``torch.optim.SGD`` when α is divided by 10 from step ``drop_at``.

    Runs :func:`vizkit.demos.sgd.sgd_update_check` (both forms side by side from the same
    weights, float64): True when the trajectories stay the same up to rounding after the drop.
    """
    from vizkit.demos.sgd import sgd_update_check

    check = sgd_update_check(
        steps=steps, lr=lr, momentum=momentum, weight_decay=decay, lr_drop_at=drop_at
    )
    same = float(check.max_difference.max()) <= 1e-10
    return Measured(
        same,
        f"demos.sgd_update_check: max |θ_note − θ_torch.optim.SGD| {check.max_before_drop:.1e} "
        f"with α = {lr:g}, {check.max_after_drop:.1e} once α ÷ 10 (from step {drop_at})",
    )


def keras_clipnorm_is_global(*, max_norm: float = 0.1) -> Measured:
    """Whether ``tf.keras``'s ``clipnorm`` clips the gradient as a whole.

    ``tf.keras`` (TF 2, and Keras 3) applies ``clipnorm`` to each variable's gradient on its own
    (``tf.clip_by_norm`` per variable; ``global_clipnorm`` clips the whole gradient). Torch's
    equivalents, ``clip_grad_norm_([p], c)`` per parameter and ``clip_grad_norm_(all, c)``, run
    on one backward pass of a small seeded CNN (:func:`vizkit.demos.clipping.clip_scopes`):
    True when the two clipped gradients are the same.
    """
    from vizkit.demos.clipping import clip_scopes

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3)
        ).double()
    inputs, targets = _rand(8, 1, 8, 8), torch.arange(8) % 3
    s = clip_scopes(model, inputs, targets, max_norm=max_norm)
    same = bool(
        abs(s.total_per_variable - s.total_global) <= 1e-9 and abs(s.cosine_per_variable - 1) < 1e-9
    )
    return Measured(
        same,
        f"clip_grad_norm_ per parameter (= tf.keras clipnorm, c = {max_norm:g}): total ‖g‖ "
        f"{s.total_before:.3g} → {s.total_per_variable:.3g}, cosine with g "
        f"{s.cosine_per_variable:.4f}; as a whole (= global_clipnorm): → {s.total_global:.3g}, "
        f"cosine {s.cosine_global:.4f}",
    )


def dropout2d_maps() -> Measured:
    """``nn.Dropout2d`` in training zeroes whole feature maps (each map all 0 or all 1/(1−p))."""
    with torch.random.fork_rng(devices=[]):  # the module draws from the global generator
        torch.manual_seed(0)
        out = nn.Dropout2d(0.5).train()(torch.ones(4, 16, 5, 5))
    flat = out.flatten(2)
    whole = bool((flat == flat[..., :1]).all())
    kinds = sorted({float(v) for v in flat[..., 0].flatten()})
    return Measured(whole and kinds == [0.0, 2.0], f"64 maps of 5×5: each constant, values {kinds}")


def zero_residual_identity() -> Measured:
    """A ResNet basic block with zero weights (and zero BN shift) returns its input for x ≥ 0."""
    from torchvision.models.resnet import BasicBlock

    block = BasicBlock(8, 8).double().eval()
    with torch.no_grad():
        block.conv1.weight.zero_()
        block.conv2.weight.zero_()
        x = torch.relu(_rand(2, 8, 6, 6))
        out = block(x)
    return _close(out, x, "torchvision BasicBlock with zero conv weights, eval mode")


def identity_shortcut_params() -> Measured:
    """Parameters an identity shortcut adds: block total − its convolutions and norms."""
    from torchvision.models.resnet import BasicBlock

    block = BasicBlock(64, 64)
    inner = sum(
        p.numel() for m in (block.conv1, block.bn1, block.conv2, block.bn2) for p in m.parameters()
    )
    extra = sum(p.numel() for p in block.parameters()) - inner
    return Measured(extra, f"BasicBlock(64, 64): {inner:,} parameters in its layers, {extra} more")


def fc_as_conv(*, kernel: str) -> Measured:
    """``nn.Linear(4, 2)`` as a conv: ``"1x1"`` on a 1×1 image with 4 channels, or ``"full"``
    (a 2×2 kernel on a 2×2 one-channel image)."""
    x = _rand(1, 4)
    fc = nn.Linear(4, 2, dtype=_DOUBLE)
    if kernel == "1x1":
        conv = nn.Conv2d(4, 2, 1, dtype=_DOUBLE)
        image = x.view(1, 4, 1, 1)
    else:
        conv = nn.Conv2d(1, 2, 2, dtype=_DOUBLE)
        image = x.view(1, 1, 2, 2)
    with torch.no_grad():
        conv.weight.copy_(fc.weight.view(conv.weight.shape))
        conv.bias.copy_(fc.bias)  # type: ignore[union-attr]
        return _close(conv(image).flatten(1), fc(x), f"nn.Conv2d ({kernel}) vs nn.Linear(4, 2)")


def max_pool_switches() -> Measured:
    """Autograd of ``F.max_pool2d`` sends each window's gradient to its largest input only."""
    x = _rand(1, 1, 6, 6).requires_grad_()
    out, where = F.max_pool2d(x, 2, 2, return_indices=True)
    out.backward(torch.ones_like(out))
    grad = x.grad.flatten()  # type: ignore[union-attr]
    switches = torch.zeros_like(grad)
    switches[where.flatten()] = 1
    return _close(grad, switches, "x.grad vs 1 at each window's argmax, 0 elsewhere")


def gap_params() -> Measured:
    """Parameters of global average pooling."""
    n = sum(p.numel() for p in nn.AdaptiveAvgPool2d(1).parameters())
    return Measured(n, "nn.AdaptiveAvgPool2d(1).parameters()")


FORMULA_RECIPES: dict[str, Callable[..., Measured]] = {
    f.__name__: f
    for f in (
        cross_correlation,
        convolution,
        associativity,
        output_size_formula,
        same_padding,
        param_formula,
        batchnorm_train,
        batchnorm_eval,
        batchnorm_bias_cancels,
        batchnorm_running,
        batchnorm_default,
        sgd_momentum,
        sgd_momentum_lr_drop,
        clip_norm,
        keras_clipnorm_is_global,
        clip_value,
        dropout2d_maps,
        zero_residual_identity,
        identity_shortcut_params,
        fc_as_conv,
        max_pool_switches,
        gap_params,
    )
}
"""Recipe name → function (keyword arguments only)."""
