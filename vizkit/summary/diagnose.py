"""Why a summary's forward pass failed, in words: what went wrong, in which layer, the fix.

Torch has no exception types for "wrong arguments", "wrong dtype" or "wrong shape": it raises
``TypeError`` / ``RuntimeError`` with a text. :func:`explain` reads that text, sorts the failure
into one of a few kinds and writes a message for it: the kind, the layer
(:class:`~vizkit.summary.records.ForwardFailure` knows which module call was running), torch's
own words, and the fix that fits that kind. Anything it cannot place gets torch's message and
the layer, without a guessed fix.
"""

from __future__ import annotations

import re

from vizkit.summary.records import ForwardFailure
from vizkit.summary.table import TensorSpec

__all__ = ["explain"]

_ARGUMENTS = re.compile(
    r"forward\(\) (missing \d+ required|got an unexpected keyword|takes \d+ positional|"
    r"got multiple values)"
)
_INDICES = re.compile(r"'indices'.*(Long|Int)|indices.*(integer|long)", re.IGNORECASE)
_DTYPE = re.compile(
    r"dtype|scalar type|should be the same|Half|BFloat16|Double|expected .*Float|"
    r"type \(\w+\) and \w+ type",
    re.IGNORECASE,
)
_SHAPE = re.compile(
    r"shape|size|channel|dimension|dims?\b|kernel|mat1 and mat2|must match|expected input|"
    r"input image|out of range|invalid for input|unbatched|batched|length",
    re.IGNORECASE,
)
_NO_FORWARD = re.compile(r'missing the required "forward" function')


def _where(failure: ForwardFailure) -> str:
    if failure.layer is None:
        return " before any layer ran"
    if failure.layer == "":
        return f" in the model's own forward ({failure.layer_type})"
    return f" in a {failure.layer_type} layer {failure.layer!r}"


def _inputs_text(inputs: tuple[TensorSpec, ...]) -> str:
    if len(inputs) == 1 and inputs[0].path == "input":
        return f"a batch of shape {inputs[0].shape}"
    if not inputs:
        return "no tensor input"
    listed = ", ".join(f"{t.path} {t.shape} {t.dtype}" for t in inputs)
    return f"inputs {listed}"


def explain(
    failure: ForwardFailure,
    inputs: tuple[TensorSpec, ...],
    dtype: str,
    from_sizes: bool,
) -> TypeError | ValueError:
    """The error ``summarize`` raises for a forward pass that failed.

    Args:
        failure: the recorded failure (torch's error and the module call that was running).
        inputs: the input tensors the forward was given.
        dtype: the model's dtype, e.g. ``"float32"``.
        from_sizes: the inputs were made from ``input_size`` (else given as ``input_data``).

    Returns:
        ``TypeError`` for arguments, dtypes or a module that cannot be called;
        ``ValueError`` for shapes and anything else (torch's error is its ``__cause__``).
    """
    err = failure.error
    text = str(err).splitlines()[0] if str(err) else ""
    torch_says = f"{type(err).__name__}: {text}"
    where = _where(failure)
    ran = f"the model cannot run on {_inputs_text(inputs)}{where}: {torch_says}"
    if isinstance(err, TypeError) and _ARGUMENTS.search(text):
        if failure.layer:  # a layer inside: the model's forward calls it so, on any input
            return TypeError(
                f"layer {failure.layer!r} ({failure.layer_type}) was called with arguments its "
                f"forward does not take: {torch_says}. The model's own forward calls it so: "
                "check that the model runs on a real input"
            )
        return TypeError(
            f"the model's forward ({failure.layer_type}) was not given the arguments it takes: "
            f"{torch_says}. summarize calls model(x) for one input, model(*input_data) for a "
            "tuple or list, model(**input_data) for a dict, and passes keyword arguments it "
            "does not know on to forward: give every argument, e.g. summarize(model, "
            "input_data=(x, mask)), summarize(model, input_size=[(3, 224, 224), (10,)], "
            "dtypes=[torch.float, torch.long]) or summarize(model, input_size, mask=m)"
        )
    if isinstance(err, NotImplementedError) and _NO_FORWARD.search(text):
        return TypeError(
            f"a module that has no forward of its own was called{where}: {torch_says}. "
            "Containers such as nn.ModuleList and nn.ModuleDict only hold layers: call the "
            "layers inside them in your forward"
        )
    dtypes = sorted({t.dtype for t in inputs})
    if _INDICES.search(text):
        return TypeError(
            f"{ran}. This layer looks tensors up by integer index (token ids), but got "
            f"{', '.join(dtypes) or 'no'} tensors: pass dtypes=[torch.long] with input_size, "
            "or input_data with a torch.long tensor of ids"
        )
    if _DTYPE.search(text):
        return TypeError(
            f"{ran}. The tensors' dtypes do not fit together: the input is "
            f"{', '.join(dtypes) or 'none'}, the parameters {dtype}: pass dtype=... to run the "
            "whole model in one floating dtype, or make the inputs match (dtypes=[...] with "
            "input_size, converted tensors in input_data)"
        )
    if "device" in text and "same device" in text:
        return ValueError(
            f"{ran}. The input and the model are on different devices: put input_data on the "
            "model's device (x.to(next(model.parameters()).device))"
        )
    if _SHAPE.search(text):
        if from_sizes:
            hint = (
                "input_size is one sample without the batch dimension (batch_size sets N, "
                "batch_dim where it goes); check the channels and that the resolution suits "
                "the model (e.g. 227×227 for the paper's AlexNet)"
            )
        else:
            hint = "input_data is used as given, batch included: check its shapes"
        return ValueError(f"{ran}. {hint}")
    return ValueError(
        f"{ran}. summarize runs the model's forward once (shapes only, on the meta device, or "
        "for real when that cannot work): run model(...) on a real input to see the whole "
        "traceback"
    )
