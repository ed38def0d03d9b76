"""Capture what layers output: ``capture_activations`` and the feature maps built on it.

Hooks exist only inside the ``with`` block and are removed on exit, also when the body
raises, so re-running a notebook cell never stacks hooks. Outputs are cloned when captured:
an in-place ReLU that runs after a conv (VGG, ResNet) would otherwise overwrite the conv's
captured output with ReLU'd values.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from vizkit._suggest import suggestion
from vizkit._validate import check_shape, describe
from vizkit.inspect._args import check_image, check_layer, check_model, model_device, run_model
from vizkit.inspect.modes import eval_mode

__all__ = ["LayerInfo", "capture_activations", "feature_maps", "layer_tree"]


def resolve_layers(model: nn.Module, layers: str | Sequence[str]) -> dict[str, nn.Module]:
    """Map dotted ``named_modules()`` names to modules; unknown names raise ``ValueError``.

    Args:
        model: The model.
        layers: One name or several.

    Returns:
        ``name → module`` in the order given.

    Raises:
        TypeError: ``model`` is not an ``nn.Module`` or ``layers`` is not str/sequence of str.
        ValueError: A name is not in ``model.named_modules()`` (the message suggests close names).
    """
    check_model(model)
    if isinstance(layers, str):
        layers = [layers]
    if isinstance(layers, (bytes, dict)) or not isinstance(layers, Sequence | set | frozenset):
        raise TypeError(
            f"layers must be a layer name or a list of names (str), got {describe(layers)}: "
            "e.g. layers='features.0' or layers=['features.0', 'features.3']"
        )
    layers = list(layers)
    if not all(isinstance(n, str) for n in layers):
        raise TypeError(f"layers must be a name or a sequence of names (str), got {layers!r}")
    if not layers:
        raise ValueError("layers is empty: name at least one layer, e.g. 'features.0'")
    modules = dict(model.named_modules())
    found: dict[str, nn.Module] = {}
    for name in layers:
        if name not in modules:
            raise ValueError(
                f"layers: no layer named {name!r} in {type(model).__name__}: "
                f"{suggestion(name, modules, what='layer')}; names come from model.named_modules()"
            )
        found[name] = modules[name]
    return found


@contextlib.contextmanager
def capture_activations(
    model: nn.Module, layers: str | Sequence[str]
) -> Iterator[dict[str, torch.Tensor]]:
    """Record the outputs of named layers during the forward passes run inside the block.

    Example::

        with capture_activations(model, ["features.0", "features.3"]) as acts:
            model(x)
        acts["features.0"].shape   # (N, C, H, W)

    The outputs are detached copies (so an in-place op later in the network cannot change
    them, and they hold no graph). With several forward passes in the block, each layer
    keeps the output of the last pass. A module that runs more than once within one pass of
    ``model`` (a reused module, e.g. one ``nn.ReLU`` shared by several stages) triggers a
    ``UserWarning`` naming it, once per layer, and the last call wins.

    Args:
        model: The model whose layers to watch; it is not modified (hooks are removed on exit,
            also when the body raises).
        layers: Dotted ``model.named_modules()`` names (``""`` is the whole model); one str
            or a sequence.

    Yields:
        ``dict`` name → tensor, filled as the forward passes run; a layer that did not run
        is absent. Tuple/list outputs keep their first tensor.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, or ``layers`` is not str/sequence of str.
        ValueError: A name is not a module of ``model``; the message suggests close names.
    """
    modules = resolve_layers(model, layers)
    captured: dict[str, torch.Tensor] = {}
    passes = [0]  # forward passes of the whole model started inside the block
    last_pass: dict[str, int] = {}
    warned: set[str] = set()
    handles: list[torch.utils.hooks.RemovableHandle] = []

    def count_pass(module: nn.Module, args: object) -> None:
        passes[0] += 1

    def make_hook(name: str):
        def hook(module: nn.Module, args: object, output: object) -> None:
            if last_pass.get(name) == passes[0] and name not in warned:
                warned.add(name)
                warnings.warn(
                    f"layer {name!r} ({type(module).__name__}) ran more than once in one "
                    "forward pass (the module is reused): capture_activations keeps the "
                    "output of its last call; give each use its own module to see them all",
                    stacklevel=2,
                )
            last_pass[name] = passes[0]
            tensor = output
            if isinstance(output, (tuple, list)):
                tensor = next((o for o in output if isinstance(o, torch.Tensor)), None)
            if isinstance(tensor, torch.Tensor):
                captured[name] = tensor.detach().clone()

        return hook

    try:
        handles.append(model.register_forward_pre_hook(count_pass))
        for name, module in modules.items():
            handles.append(module.register_forward_hook(make_hook(name)))
        yield captured
    finally:
        for handle in handles:
            handle.remove()


@dataclass(frozen=True)
class LayerInfo:
    """One module of a model, as a layer picker lists it.

    Attributes:
        name: Dotted ``named_modules()`` name.
        type: Class name, e.g. ``"Conv2d"``.
        depth: Nesting level (0 = direct child of the model).
        output_shape: Output shape for one example input, ``None`` if the module did not run.
        is_leaf: True for modules without children.
    """

    name: str
    type: str
    depth: int
    output_shape: tuple[int, ...] | None
    is_leaf: bool

    @property
    def label(self) -> str:
        """Indented picker label, e.g. ``"  features.0  Conv2d  (64, 55, 55)"``."""
        shape = "" if self.output_shape is None else f"  {tuple(self.output_shape)}"
        return f"{'  ' * self.depth}{self.name}  {self.type}{shape}"


def layer_tree(model: nn.Module, example: torch.Tensor) -> list[LayerInfo]:
    """The module tree with each module's output shape for one example input.

    Args:
        model: The model (not modified; run in eval mode under ``torch.no_grad()``, every
            submodule's own mode restored afterwards, also when the forward raises).
        example: One input batch, e.g. ``(1, 3, 224, 224)``.

    Returns:
        One :class:`LayerInfo` per named module except the root, in ``named_modules()`` order;
        shapes drop the batch dimension.

    Raises:
        TypeError: ``model`` is not a module or ``example`` not a tensor.
        ValueError: ``example`` is empty or holds NaN/inf, or the model cannot run on it.
    """
    check_model(model)
    if not isinstance(example, torch.Tensor):
        raise TypeError(
            f"example must be a torch.Tensor input batch such as torch.zeros(1, 3, 224, 224), "
            f"got {describe(example)}"
        )
    check_shape("example", example, ndim=tuple(range(1, 9)), layout="(N, ...), e.g. (1, C, H, W)")
    names = [n for n, _ in model.named_modules() if n]
    shapes: dict[str, tuple[int, ...]] = {}
    with eval_mode(model), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reuse warnings do not matter for shapes
        with capture_activations(model, names or [""]) as acts:
            run_model(model, example, "example")
        shapes = {n: tuple(t.shape[1:]) for n, t in acts.items()}
    return [
        LayerInfo(
            name=n,
            type=type(m).__name__,
            depth=n.count("."),
            output_shape=shapes.get(n),
            is_leaf=next(m.children(), None) is None,
        )
        for n, m in model.named_modules()
        if n
    ]


def feature_maps(model: nn.Module, image: torch.Tensor, layer: str) -> torch.Tensor:
    """A layer's output for one image, ``(C, H, W)``.

    Args:
        model: The model (run in eval mode, no gradients; every submodule's own mode is
            restored afterwards, also when the forward raises).
        image: ``(C, H, W)`` or ``(1, C, H, W)`` tensor, already normalised for the model.
        layer: Dotted module name whose output is 4-D.

    Returns:
        ``(C, H, W)`` float tensor on the CPU.

    Raises:
        TypeError: ``model`` is not a module, ``image`` not a tensor, ``layer`` not a str.
        ValueError: Unknown layer, more than one image, an empty image or one holding NaN/inf,
            a model that cannot run on the image, or a layer output that is not 4-D.
    """
    check_model(model)
    image = check_image(image)
    check_layer(model, layer)
    with eval_mode(model), torch.no_grad(), capture_activations(model, layer) as acts:
        run_model(model, image.to(model_device(model)))
    if layer not in acts:
        raise ValueError(
            f"layer {layer!r} did not run in the forward pass, or gave no tensor: pick a layer "
            "that the model calls"
        )
    out = acts[layer]
    if out.dim() != 4:
        raise ValueError(
            f"layer {layer!r} outputs shape {tuple(out.shape)}, not (N, C, H, W): pick a "
            "convolution, activation or pooling layer"
        )
    return out[0].float().cpu()
