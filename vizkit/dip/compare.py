"""Several inpainting fits side by side: which network is the prior, and which ``z``.

Two experiments of the lectures (Straka, NPFL138 *Convolutional Neural Networks* and NPFL114
lecture 4, after Ulyanov et al. 2018):

- :func:`compare_networks`: the same task under different architectures
  (:func:`prior_networks`: encoder-decoders of two depths, a U-Net, a ResNet without
  down-sampling) — the structure of the network *is* the prior;
- :func:`compare_seeds`: the same task from different random codes ``z`` — a hole's fill is not
  determined by the data, so each seed draws its own plausible one.

Each returns ``{label: FitResult}`` in order, for
:func:`vizkit.render.dip.dip_results_figure` to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vizkit._validate import check_int, check_seed, describe
from vizkit.dip.fit import FitResult
from vizkit.dip.networks import NetSpec, encoder_decoder, resnet, unet
from vizkit.dip.tasks import inpaint

__all__ = ["compare_networks", "compare_seeds", "prior_networks"]


def prior_networks(width: int = 48) -> dict[str, NetSpec]:
    """The architectures NPFL114 compares as priors, for the 2-channel meshgrid input.

    Args:
        width: Channels of the widest layers (the U-Net's first scale and the ResNet use
            ``width // 2``).

    Returns:
        ``{"encoder-decoder, 5 scales": …, "encoder-decoder, 3 scales": …, "U-Net": …,
        "ResNet (no down-sampling)": …}``.

    Raises:
        ValueError: ``width`` below 2.
    """
    width = check_int("width", width, minimum=2, fix="it is the channels of the widest layers")
    try:
        return {
            "encoder-decoder, 5 scales": encoder_decoder(2, width, 5),
            "encoder-decoder, 3 scales": encoder_decoder(2, width, 3),
            "U-Net": unet(2, (width // 2, width, width)),
            "ResNet (no down-sampling)": resnet(2, width // 2, 4),
        }
    except ValueError as err:  # the memory budget, phrased for the builders' `channels`
        raise ValueError(f"width {width}: {err}") from None


def compare_networks(
    image: Any, mask: Any, networks: Mapping[str, NetSpec], **options: Any
) -> dict[str, FitResult]:
    """Inpaint the same image once per network.

    Args:
        image: ``(H, W, 3)`` image in ``[0, 1]``.
        mask: ``(H, W)`` mask, 1 = known pixel.
        networks: Label → :class:`NetSpec` (e.g. :func:`prior_networks`).
        **options: Passed to :func:`vizkit.dip.inpaint` for every fit (``clean``, ``input``,
            ``device``, ``steps``, ``seed`` …).

    Returns:
        Label → :class:`FitResult`, in the order of ``networks``.

    Raises:
        ValueError: ``networks`` is empty, or ``options`` holds ``network``.
    """
    if not isinstance(networks, Mapping):
        raise TypeError(
            f"networks must be a dict label → NetSpec, e.g. vizkit.dip.prior_networks(), got "
            f"{describe(networks)}"
        )
    if not networks:
        raise ValueError(
            "networks is empty: pass label → NetSpec, e.g. vizkit.dip.prior_networks()"
        )
    for label, spec in networks.items():
        if not isinstance(label, str) or not isinstance(spec, NetSpec):
            raise TypeError(
                f"networks must map str labels to NetSpec, got {label!r} → {describe(spec)}: "
                "build specs with vizkit.dip.unet(), hourglass() …"
            )
    if "network" in options:
        raise ValueError("pass the networks in `networks`, not as network=")
    return {
        label: inpaint(image, mask, network=spec, **options) for label, spec in networks.items()
    }


def compare_seeds(
    image: Any, mask: Any, seeds: Iterable[int] = (0, 1, 2, 3), **options: Any
) -> dict[str, FitResult]:
    """Inpaint the same image once per seed (a different ``z`` and initial weights each time).

    Args:
        image: ``(H, W, 3)`` image in ``[0, 1]``.
        mask: ``(H, W)`` mask, 1 = known pixel.
        seeds: The seeds, e.g. ``range(4)``.
        **options: Passed to :func:`vizkit.dip.inpaint` for every fit (``preset``,
            ``device``, ``steps``, ``input`` …).

    Returns:
        ``{"z with seed 0": FitResult, …}``, in the order of ``seeds``.

    Raises:
        ValueError: no seeds, or ``options`` holds ``seed``.
    """
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a list of ints such as range(4), got {describe(seeds)}")
    seeds = [check_seed(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty: pass e.g. range(4)")
    if "seed" in options:
        raise ValueError("pass the seeds in `seeds`, not as seed=")
    return {f"z with seed {seed}": inpaint(image, mask, seed=seed, **options) for seed in seeds}
