"""Recipes that measure the zoo's paper-faithful models: shapes, parameters, MACs, depths.

Models are built on the meta device and summarised with :func:`vizkit.summarize` (torch runs the
forward pass; only shapes exist, so VGG-E's 144 M parameters cost nothing). A :class:`Bench`
builds each model once and summarises it once per input size, for one recomputation.

Model keys: ``"alexnet"`` (the paper's, 227×227), ``"vgg:A"`` … ``"vgg:E"``, ``"googlenet"``
(the paper's, true 5×5 branches), ``"inception_v3"`` (299×299), ``"resnet18"`` …
``"resnet152"`` (v1, the paper's) and ``"resnet50_v1.5"`` … (torchvision's), ``"zfnet"``,
``"nin"`` and ``"allconv:<A|B|C>:<base|strided|convpool|all>"`` (32×32 CIFAR), and
``"stack3x3"`` / ``"stack7x7"`` (three 3×3 or one 7×7 convolution on 64 channels, no bias).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from vizkit.lectures.sizes import Measured, hwc

if TYPE_CHECKING:
    from vizkit.summary import LayerTable

__all__ = ["MODEL_RECIPES", "Bench"]


def _input_of(key: str) -> tuple[int, int, int]:
    if key == "alexnet":
        return (3, 227, 227)
    if key == "inception_v3":
        return (3, 299, 299)
    if key == "nin" or key.startswith("allconv:"):
        return (3, 32, 32)
    if key.startswith("stack"):
        return (64, 32, 32)
    return (3, 224, 224)


def _build(key: str) -> nn.Module:
    # from the defining modules (vizkit.zoo loads these names lazily: mypy cannot see them)
    from vizkit.zoo.alexnet import alexnet, zfnet
    from vizkit.zoo.googlenet import googlenet
    from vizkit.zoo.inception import inception_v3
    from vizkit.zoo.nin import allconv, nin
    from vizkit.zoo.resnet import resnet
    from vizkit.zoo.stacks import conv_stack
    from vizkit.zoo.vgg import vgg

    name, _, rest = key.partition(":")
    if name == "vgg":
        return vgg(rest)  # type: ignore[arg-type]
    if name == "allconv":
        model, variant = rest.split(":")
        return allconv(model, variant)  # type: ignore[arg-type]
    if name.startswith("resnet"):
        depth, _, v15 = name.removeprefix("resnet").partition("_")
        return resnet(int(depth), v1_5=v15 == "v1.5")
    builders: dict[str, Callable[[], nn.Module]] = {
        "alexnet": alexnet,
        "googlenet": googlenet,
        "googlenet_aux": lambda: googlenet(aux_logits=True),
        "inception_v3": inception_v3,
        "zfnet": zfnet,
        "nin": nin,
        "stack3x3": lambda: conv_stack(64, (3, 3, 3)),
        "stack7x7": lambda: conv_stack(64, (7,)),
    }
    if name not in builders:
        raise ValueError(f"model key {key!r} is not one of {sorted(builders)}, vgg:…, resnet…")
    return builders[name]()


class Bench:
    """The models of one recomputation: each built once on the meta device, each table once."""

    def __init__(self) -> None:
        self._models: dict[str, nn.Module] = {}
        self._tables: dict[tuple[str, tuple[int, ...]], LayerTable] = {}

    def model(self, key: str) -> nn.Module:
        """The zoo model ``key`` on the meta device (shapes only)."""
        if key not in self._models:
            with torch.device("meta"):
                self._models[key] = _build(key)
        return self._models[key]

    def table(self, key: str, input: tuple[int, ...] | None = None) -> LayerTable:
        """``vizkit.summarize`` of model ``key`` on ``input`` (default: the model's own size)."""
        size = tuple(input) if input else _input_of(key)
        if (key, size) not in self._tables:
            from vizkit.summary import summarize

            self._tables[key, size] = summarize(self.model(key), size)
        return self._tables[key, size]


def _out(table: LayerTable, name: str) -> tuple[int, ...]:
    try:
        shape = table.block(name).output_shape
    except KeyError:
        shape = table.row(name).output_shape
    if shape is None:
        raise ValueError(f"layer {name!r} did not run")
    return table.unbatched(shape)


def zoo_shape(bench: Bench, *, model: str, layer: str = "", softmax: bool = False) -> Measured:
    """Output volume ``(H, W, C)`` of a layer or block (``layer=""``: the model's input)."""
    table = bench.table(model)
    if not layer:
        if table.input_shape is None:  # only for tensor-free inputs
            return Measured(hwc(_input_of(model)), f"input of {model}: {_input_of(model)}")
        shape = table.input_shape
        return Measured(hwc(table.unbatched(shape)), f"input of {model}: {shape}")
    shape = _out(table, layer)
    how = f"vk.summarize({model}): {layer} → {shape}"
    if softmax:
        shape = tuple(torch.softmax(torch.empty(1, *shape, device="meta"), 1).shape[1:])
        how += " → torch.softmax keeps the shape"
    return Measured(hwc(shape), how)


def zoo_last_shape(bench: Bench, *, model: str, type_name: str = "Conv2d") -> Measured:
    """Output volume ``(H, W, C)`` of the last layer of class ``type_name``."""
    table = bench.table(model)
    rows = [r for r in table.rows if r.type == type_name and r.output_shape]
    last = rows[-1]
    return Measured(
        hwc(table.unbatched(last.output_shape)),  # type: ignore[arg-type]
        f"last {type_name} of vk.summarize({model}): {last.name} → {last.output_shape}",
    )


def _stat(table: LayerTable, name: str, attribute: str) -> int:
    try:
        return int(getattr(table.block(name), attribute))
    except KeyError:
        return int(getattr(table.row(name), attribute))


def zoo_params(
    bench: Bench, *, model: str, layers: tuple[str, ...] = (), weights_only: bool = True
) -> Measured:
    """Parameters of layers / blocks (``weights_only``: biases and norms left out); ``()``:
    the whole model."""
    table = bench.table(model)
    if not layers:
        return Measured(table.total_params, f"vk.summarize({model}).total_params")
    attribute = "weight_params" if weights_only else "params"
    n = sum(_stat(table, name, attribute) for name in layers)
    return Measured(n, f"{attribute} of {' + '.join(layers)} in vk.summarize({model})")


def zoo_macs(bench: Bench, *, model: str, layers: tuple[str, ...] = ()) -> Measured:
    """Multiply-accumulates of layers / blocks (``()``: the whole forward pass)."""
    table = bench.table(model)
    if not layers:
        return Measured(table.total_macs, f"vk.summarize({model}).total_macs")
    n = sum(_stat(table, name, "macs") for name in layers)
    return Measured(n, f"MACs of {' + '.join(layers)} in vk.summarize({model})")


def zoo_activations(
    bench: Bench,
    *,
    model: str,
    layers: tuple[str, ...] = (),
    walk: bool = False,
    scale: int = 1,
) -> Measured:
    """Output values of layers (``walk``: input + every conv, pool and FC output, as the notes'
    memory walks add them up), times ``scale`` (4: float32 bytes)."""
    table = bench.table(model)
    times = f" × {scale}" if scale != 1 else ""
    if walk:
        from vizkit.zoo.paper_tables import layer_walk

        n = layer_walk(table).total_activations
        how = f"input + conv, pool and linear outputs of vk.summarize({model}): {n:,}{times}"
        return Measured(n * scale, how)
    n = sum(table.row(name).activations for name in layers)
    return Measured(
        n * scale, f"output values of {' + '.join(layers)} in vk.summarize({model}){times}"
    )


def zoo_weight_layers(
    bench: Bench, *, model: str, skip: str = "downsample", exclude_output: bool = False
) -> Measured:
    """Conv and linear layers (``skip``: names containing it, e.g. projection shortcuts;
    ``exclude_output``: leave out the last layer, counting hidden layers only)."""
    found = [
        name
        for name, m in bench.model(model).named_modules()
        if isinstance(m, nn.Conv2d | nn.Linear) and (not skip or skip not in name)
    ]
    how = f"{len(found)} nn.Conv2d and nn.Linear modules of {model}"
    how += f" (without {skip})" if skip else ""
    if exclude_output:
        return Measured(len(found) - 1, how + f", less the output layer {found[-1]}")
    return Measured(len(found), how)


def zoo_conv_geometry(bench: Bench, *, model: str, layer: str) -> Measured:
    """``(kernel size, stride)`` of a conv layer."""
    conv = dict(bench.model(model).named_modules())[layer]
    k, s = conv.kernel_size[0], conv.stride[0]
    return Measured((int(k), int(s)), f"{model}.{layer}: {conv}")


def _depth(module: nn.Module) -> int:
    if isinstance(module, nn.Conv2d | nn.Linear):
        return 1
    children = list(module.children())
    if type(module).__name__ == "Inception":  # parallel branches: the deepest one
        return max(_depth(c) for c in children)
    return sum(_depth(c) for c in children)


def zoo_depth(bench: Bench, *, model: str, modules: tuple[str, ...]) -> Measured:
    """Weight layers on the longest path through ``modules`` (parallel branches: the deepest)."""
    if not modules:
        return Measured(0, "no weight layer (torch.softmax has no parameters)")
    named = dict(bench.model(model).named_modules())
    n = sum(_depth(named[name]) for name in modules)
    return Measured(n, f"conv/linear layers in sequence through {', '.join(modules)}")


def zoo_receptive_field(bench: Bench, *, model: str, block: str = "") -> Measured:
    """Side of the input region one unit of ``block`` sees (analytic, not clipped); ``""``: of
    the model's last layer."""
    table = bench.table(model)
    field = table.block(block).receptive_field if block else table.rows[-1].receptive_field
    if field is None:
        raise ValueError(f"{block} of {model} has no receptive field")
    where = f".block({block!r})" if block else f".row({table.rows[-1].name!r})"
    return Measured(int(field.size[0]), f"vk.summarize({model}){where}.receptive_field")


def zoo_module_count(bench: Bench, *, model: str, type_name: str, depth: int = 0) -> Measured:
    """How many modules of class ``type_name`` the model has (``depth=1``: direct children)."""
    net = bench.model(model)
    modules = net.children() if depth == 1 else net.modules()
    n = sum(type(m).__name__ == type_name for m in modules)
    where = "direct children" if depth == 1 else "modules"
    return Measured(n, f"{where} of class {type_name} in {model}")


def stack_ratio(bench: Bench) -> Measured:
    """How many more parameters one 7×7 layer has than three 3×3 layers (a fraction)."""
    seven, three = bench.table("stack7x7").total_params, bench.table("stack3x3").total_params
    return Measured(seven / three - 1, f"{seven:,} / {three:,} − 1 (vk.zoo.conv_stack, C = 64)")


def zoo_out_channels(bench: Bench, *, model: str, layers: tuple[str, ...]) -> Measured:
    """``out_channels`` of conv layers, in order."""
    named = dict(bench.model(model).named_modules())
    values = tuple(int(named[name].out_channels) for name in layers)
    return Measured(values, f"out_channels of {', '.join(layers)} in {model}")


def zoo_kernels(bench: Bench, *, model: str, layer: str) -> Measured:
    """Filters of a conv layer as the notes write them: (count, height, width, depth)."""
    weight = dict(bench.model(model).named_modules())[layer].weight
    out, depth, h, w = weight.shape
    return Measured((out, h, w, depth), f"{model}.{layer}.weight.shape = {tuple(weight.shape)}")


def resnet_stage_size(bench: Bench, *, layer: str) -> Measured:
    """Output side of ``layer`` in ResNet-18 … 152 (v1); the value only if all five agree."""
    sides = {d: _out(bench.table(f"resnet{d}"), layer)[-1] for d in (18, 34, 50, 101, 152)}
    if len(set(sides.values())) != 1:
        return Measured(-1, f"{layer} differs across depths: {sides}")
    side = next(iter(sides.values()))
    return Measured((side, side), f"{layer} output of vk.summarize(resnet18 … resnet152)")


def macs_below(bench: Bench, *, model: str, others: tuple[str, ...]) -> Measured:
    """Whether ``model`` needs fewer MACs than each of ``others``."""
    mine = bench.table(model).total_macs
    theirs = {o: bench.table(o).total_macs for o in others}
    text = ", ".join(f"{o} {m / 1e9:.2f} G" for o, m in theirs.items())
    return Measured(all(mine < m for m in theirs.values()), f"{model} {mine / 1e9:.2f} G vs {text}")


def param_share(bench: Bench, *, model: str, layer: str) -> Measured:
    """Fraction of the model's parameters in one layer."""
    table = bench.table(model)
    share = table.row(layer).params / table.total_params
    return Measured(share, f"{table.row(layer).params:,} of {table.total_params:,} parameters")


def majority(bench: Bench, *, model: str, layers: tuple[str, ...], of: str = "params") -> Measured:
    """Whether ``layers`` hold more than half of the model's parameters (``of="params"``) or of
    the activations a memory walk adds up (``of="activations"``: input, conv, pool, FC outputs)."""
    table = bench.table(model)
    if of == "params":
        part, whole = sum(table.row(n).params for n in layers), table.total_params
    else:
        from vizkit.zoo.paper_tables import layer_walk

        part = sum(table.row(n).activations for n in layers)
        whole = layer_walk(table).total_activations
    share = part / whole
    return Measured(share > 0.5, f"{part:,} of {whole:,} {of} in {', '.join(layers)} = {share:.0%}")


def zoo_kernel_sizes(bench: Bench, *, model: str, layers: tuple[str, ...]) -> Measured:
    """``kernel_size`` (height, width) of conv layers, one after the other."""
    named = dict(bench.model(model).named_modules())
    sizes = tuple(int(k) for name in layers for k in named[name].kernel_size)
    return Measured(sizes, f"kernel_size of {', '.join(layers)} in {model}")


def zoo_group_width(bench: Bench, *, model: str, layer: str) -> Measured:
    """Input channels each filter of a grouped conv sees (``weight.shape[1]``)."""
    conv = dict(bench.model(model).named_modules())[layer]
    return Measured(int(conv.weight.shape[1]), f"{model}.{layer}: {conv}")


def aux_heads(bench: Bench, *, model: str = "googlenet_aux") -> Measured:
    """Auxiliary outputs GoogLeNet returns in training mode (a meta forward pass)."""
    net = bench.model(model).train()
    with torch.no_grad():
        out = net(torch.empty(1, 3, 224, 224, device="meta"))
    n = len(out) - 1
    net.eval()
    return Measured(n, f"{type(out).__name__} of a train-mode forward: logits + {n} auxiliary")


def flop_counter(bench: Bench, *, model: str) -> Measured:
    """FLOPs as ``torch.utils.flop_counter.FlopCounterMode`` counts them (2 per multiply-add)."""
    from torch.utils.flop_counter import FlopCounterMode

    net = bench.model(model)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.empty(1, *_input_of(model), device="meta"))
    return Measured(counter.get_total_flops(), f"FlopCounterMode on a meta forward of {model}")


def dense_eval_larger(bench: Bench, *, model: str, sides: tuple[int, ...]) -> Measured:
    """Whether the convolutional part's last map is larger than 7×7 on every test size."""
    features: nn.Module = bench.model(model).features  # type: ignore[assignment]
    # the FC layers only accept 7×7; dense evaluation runs the convolutional part
    found = {}
    with torch.no_grad():
        for s in sides:
            found[s] = features(torch.empty(1, 3, s, s, device="meta")).shape[-1]
    text = ", ".join(f"{s}: {v}×{v}" for s, v in found.items())
    return Measured(all(v > 7 for v in found.values()), f"{model}.features at {text}")


MODEL_RECIPES: dict[str, Callable[..., Measured]] = {
    f.__name__: f
    for f in (
        zoo_shape,
        zoo_last_shape,
        stack_ratio,
        zoo_params,
        zoo_macs,
        zoo_activations,
        zoo_weight_layers,
        zoo_conv_geometry,
        zoo_depth,
        zoo_receptive_field,
        zoo_module_count,
        zoo_out_channels,
        zoo_kernels,
        resnet_stage_size,
        macs_below,
        param_share,
        majority,
        zoo_group_width,
        zoo_kernel_sizes,
        aux_heads,
        flop_counter,
        dense_eval_larger,
    )
}
"""Recipe name → function taking a :class:`Bench` first, then keyword arguments."""
