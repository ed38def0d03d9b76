"""Deep Image Prior: an untrained CNN, fitted to one corrupted image, restores it.

Ulyanov, Vedaldi & Lempitsky, "Deep Image Prior", CVPR 2018 — the lectures' example of
"CNNs as regularisers" (NPFL138 / NPFL114 notes). The structure of a convolutional network
fits natural images much faster than noise, so stopping (or averaging) early restores.

Quick taste (CPU, a few seconds)::

    import vizkit.dip as dip
    from skimage import data
    clean = data.astronaut()[::4, ::4] / 255        # 128×128
    noisy = dip.add_noise(clean, sigma=25)
    result = dip.denoise(noisy, clean=clean, steps=50)
    result.best_psnr, result.image.shape

Modules: :mod:`~vizkit.dip.results` (what a fit returns),
:mod:`~vizkit.dip.networks` (hourglass, encoder-decoder, U-Net, ResNet),
:mod:`~vizkit.dip.corruptions` (noise, masks, Lanczos down-sampling),
:mod:`~vizkit.dip.inputs` (the code ``z``), :mod:`~vizkit.dip.fit` (the loop),
:mod:`~vizkit.dip.checkpoint` (exact rollback), :mod:`~vizkit.dip.presets` and
:mod:`~vizkit.dip.tasks` (denoise, inpaint, super_resolve).
"""

from vizkit.dip.checkpoint import Checkpoint
from vizkit.dip.compare import compare_networks, compare_seeds, prior_networks
from vizkit.dip.corruptions import (
    Downsampler,
    add_noise,
    downsample,
    hole_mask,
    lanczos_weights,
    mask_from_image,
    random_mask,
    text_mask,
)
from vizkit.dip.fit import FitResult, FitState, Snapshot, StepRecord, fit
from vizkit.dip.framing import SizeNotice, as_image, psnr
from vizkit.dip.inputs import make_input
from vizkit.dip.networks import NetSpec, encoder_decoder, hourglass, resnet, unet
from vizkit.dip.presets import Preset, Setup, choose_setup, get_preset
from vizkit.dip.tasks import bicubic, denoise, inpaint, super_resolve

__all__ = [
    "Checkpoint",
    "Downsampler",
    "FitResult",
    "FitState",
    "NetSpec",
    "Preset",
    "Setup",
    "SizeNotice",
    "Snapshot",
    "StepRecord",
    "add_noise",
    "as_image",
    "bicubic",
    "choose_setup",
    "compare_networks",
    "compare_seeds",
    "denoise",
    "downsample",
    "encoder_decoder",
    "fit",
    "get_preset",
    "hole_mask",
    "hourglass",
    "inpaint",
    "lanczos_weights",
    "make_input",
    "mask_from_image",
    "prior_networks",
    "psnr",
    "random_mask",
    "resnet",
    "super_resolve",
    "text_mask",
    "unet",
]
