"""Exercise: which padding keeps a stride-1 convolution's output size ("same")?

PyTorch decides: real ``nn.Conv2d`` layers are run with padding 0, 1, 2, … until the output
has the input's height and width, and the result is compared with ``padding='same'``.
"""

from __future__ import annotations

import random

from vizkit.exercises.answers import SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import (
    arguments,
    dims_text,
    keep_distinct,
    off_by_one,
    quiet_torch,
)

__all__ = ["same_padding"]


def same_padding(rng: random.Random) -> Spec:
    """The padding that keeps a stride-1 convolution's output size equal to its input size."""
    import torch
    from torch import nn

    square = rng.random() < 0.6
    kernel = (
        (rng.choice([1, 3, 3, 5, 5, 7, 9, 11]),) * 2
        if square
        else tuple(rng.sample([1, 3, 5, 7, 9], 2))
    )
    dilation = rng.choice([1, 1, 1, 2, 3])
    low = [max(8, dilation * (k - 1) + 1) for k in kernel]  # p = 0 must fit too
    size = (rng.randint(low[0], 64), rng.randint(low[1], 64))
    x = torch.zeros(1, 1, *size)
    found: list[int | None] = [None, None]
    with quiet_torch():
        for p in range(dilation * (max(kernel) - 1) + 1):  # torch decides which p keeps it
            out = nn.Conv2d(1, 1, kernel, padding=p, dilation=dilation, bias=False)(x).shape
            for i in range(2):
                if found[i] is None and out[2 + i] == size[i]:
                    found[i] = p
            if None not in found:
                break
        same = nn.Conv2d(1, 1, kernel, padding="same", dilation=dilation, bias=False)(x).shape
    if None in found or tuple(same[-2:]) != size:
        raise RuntimeError(f"no symmetric padding keeps {size} for kernel {kernel}")
    answer = (int(found[0]), int(found[1]))
    kernel_arg = kernel[0] if square else kernel
    call = arguments(1, 1, kernel_size=(kernel_arg, None), dilation=(dilation, 1))
    form = SizeForm(2, names="padding (height, width)", allow_single=square, style="tuple")
    dims = ("P",) if square else ("P_h", "P_w")
    working = "; ".join(f"{dim} = {dilation}·({kernel[i]} − 1) / 2" for i, dim in enumerate(dims))

    def variant(key: str, value: tuple[int, ...], text: str, label: str, fix: str) -> Mistake:
        steps = "; ".join(
            f"{dim} = {text.format(k=kernel[i], d=dilation)} = {value[i]}"
            for i, dim in enumerate(dims)
        )
        return Mistake(key, value, label, steps, fix)

    mistakes: list[Mistake | None] = [
        variant(
            "forgot_dilation",
            tuple((k - 1) // 2 for k in kernel),
            "({k} − 1) / 2",
            "used (K − 1)/2 without the dilation",
            f"The dilated kernel spans D·(K − 1) + 1"
            f" = {dims_text([dilation * (k - 1) + 1 for k in kernel])} cells.",
        )
        if dilation > 1
        else None,
        variant(
            "not_halved",
            tuple(dilation * (k - 1) for k in kernel),
            "{d}·({k} − 1)",
            "put the whole D·(K − 1) on each side",
            "The kernel's overhang D·(K − 1) is shared by the two sides: half on each.",
        ),
        variant(
            "used_kernel",
            kernel,
            "K",
            "used the kernel size",
            "Stride 1 loses D·(K − 1) cells; padding P on each side gives 2P back.",
        ),
        *off_by_one(
            answer, form, "Stride 1 loses D·(K − 1) cells; 2P must give exactly these back."
        ),
    ]
    solution = (
        "With stride 1, H_out = H + 2P − D·(K − 1). Keeping H_out = H needs 2P = D·(K − 1): "
        + "; ".join(
            f"{dim} = {dilation}·({kernel[i]} − 1)/2 = {answer[i]}" for i, dim in enumerate(dims)
        )
        + ". PyTorch's `padding='same'` gives the "
        "same shape."
    )
    padding_arg = answer[0] if square else answer
    return Spec(
        title='Padding that keeps the size ("same")',
        question=(
            f"Which `padding` makes `nn.Conv2d({call})` (stride 1) keep the height × "
            f"width of a **{dims_text(size)}** input? "
            + ("One number." if square else "Give (height, width).")
        ),
        answer=answer,
        form=form,
        hint="With stride 1, H_out = H + 2P − D·(K − 1); set H_out = H and solve for P.",
        working=working,
        solution=solution,
        torch_line=f"nn.Conv2d({call}, padding={padding_arg!r})(torch.zeros(1, 1, {size[0]}, "
        f"{size[1]})).shape[-2:]",
        torch_result=f"torch.Size([{size[0]}, {size[1]}])  # = padding='same'",
        mistakes=keep_distinct(mistakes, answer, form),
        params={"input_size": size, "kernel_size": kernel, "dilation": dilation},
    )
