"""The fixed input code ``z`` of Deep Image Prior.

The paper feeds uniform noise ``U[0, 1/10]`` with 32 channels (``"noise"``); for large-hole
inpainting it feeds a coordinate grid instead (``"meshgrid"``: 2 channels, x and y in
``[0, 1]``), which makes smooth, structure-continuing fills more likely.
"""

from __future__ import annotations

from typing import Literal, get_args

import torch

from vizkit._validate import check_choice, check_int, check_memory, check_number, check_seed

__all__ = ["InputKind", "make_input"]

InputKind = Literal["noise", "meshgrid"]


def make_input(
    kind: InputKind,
    channels: int,
    height: int,
    width: int,
    *,
    seed: int = 0,
    scale: float = 0.1,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Make the input code ``z``.

    Args:
        kind: ``"noise"`` (uniform in ``[0, scale]``) or ``"meshgrid"`` (x, y in ``[0, 1]``).
        channels: Channels of ``z`` (must be 2 for ``"meshgrid"``).
        height, width: Spatial size (the network's input size).
        seed: Seed of the noise (different seeds → different fills when inpainting).
        scale: Upper bound of the uniform noise (the paper: 1/10).
        device: Where to put ``z``.

    Returns:
        ``(1, channels, height, width)`` float32 tensor.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: Unknown ``kind``, ``"meshgrid"`` with ``channels != 2``, a size below 1
            or above the memory budget, a negative seed, or a scale that is not > 0.

    Example:
        >>> make_input("meshgrid", 2, 2, 3)[0, 0]
        tensor([[0.0000, 0.5000, 1.0000],
                [0.0000, 0.5000, 1.0000]])
    """
    check_choice("kind", kind, get_args(InputKind))
    channels = check_int("channels", channels, minimum=1)
    height = check_int("height", height, minimum=1)
    width = check_int("width", width, minimum=1)
    check_memory(
        channels * height * width * 4 * 2,
        name="channels" if channels > max(height, width) else "height",
        value=channels if channels > max(height, width) else height,
        what=f"a (1, {channels}, {height}, {width}) float32 code z",
        fix="lower channels, height or width",
    )
    seed = check_seed(seed)
    scale = check_number("scale", scale, above=0.0, fix="the paper uses scale=0.1")
    from vizkit.data.transforms import _device

    device = _device(device)
    if kind == "meshgrid":
        if channels != 2:
            raise ValueError(
                f"a meshgrid input has 2 channels (x, y), but the network expects "
                f"{channels}: use a network with in_channels=2"
            )
        ys = torch.linspace(0.0, 1.0, height) if height > 1 else torch.zeros(1)
        xs = torch.linspace(0.0, 1.0, width) if width > 1 else torch.zeros(1)
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([grid_x, grid_y])[None].to(device)
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(1, channels, height, width, generator=gen) * scale).to(device)
