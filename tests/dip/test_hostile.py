"""Every public Deep Image Prior function (except the fit loop and the presets) refuses hostile
arguments clearly, quickly and within the memory budget: a network of 10⁹ blocks, a 10⁹-sized
mask or a Lanczos factor of 10⁹ are refused before anything is built."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from torch import nn

import vizkit.dip as dip
from tests.hostile import (
    Entry,
    bad_array,
    bad_choice,
    bad_int,
    bad_module,
    bad_number,
    bad_seed,
    bad_tensor,
    hostile_test,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

SIZES = st.one_of(
    bad_int(1, huge=True),
    st.sampled_from([(0, 4), (4, -1), (10**9, 10**9), (4, 2.5), (4,), "16", (None, 4)]),
)
IMAGE = bad_array((16, 16, 3), wrong_shapes=[(16, 16, 4), (3, 16, 16), (16, 16, 2)])


def _image() -> np.ndarray:
    return np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)


def _tiny() -> dip.NetSpec:
    return dip.hourglass(2, 4, 2, 2)


def _task(**kwargs: object) -> dict[str, object]:
    return {"steps": 1, "network": _tiny(), "device": "cpu", **kwargs}


TASK_BAD = {
    "steps": bad_int(1, optional=True, huge=True),
    "seed": bad_seed(),
    "device": st.sampled_from(["gpu9000", "", 3, ["cpu"], "cuda:99"]),
    "network": st.sampled_from(["unet", 3, dip.unet, {"architecture": "unet"}]),
    "resize": bad_choice(["pad", "crop"]),
    "lr": bad_number(above=0.0),
    "reg_noise_std": bad_number(minimum=0.0),
    "input_scale": bad_number(above=0.0),
    "ema": st.sampled_from([1.0, -0.1, float("nan"), "0.9", 2]),
}

TABLE = {
    "add_noise": Entry(
        dip.add_noise,
        lambda: {"image": _image(), "sigma": 25},
        {"image": IMAGE, "sigma": bad_number(minimum=0.0), "seed": bad_seed()},
    ),
    "random_mask": Entry(
        dip.random_mask,
        lambda: {"size": 16},
        {"size": SIZES, "drop": bad_number(minimum=0.0, maximum=1.0), "seed": bad_seed()},
    ),
    "hole_mask": Entry(
        dip.hole_mask,
        lambda: {"size": 16},
        {
            "size": SIZES,
            "box": st.sampled_from([(0, 0, 20, 4), (1, 2, 3), "centre", (0, 0, 2.5, 4), 3]),
        },
    ),
    "text_mask": Entry(
        dip.text_mask,
        lambda: {"size": 32},
        {
            "size": SIZES,
            "text": st.sampled_from([3, b"abc", ["a"]]),
            "font_size": bad_int(1, optional=True, huge=True),
            "stroke": bad_int(0, huge=True),
        },
    ),
    "mask_from_image": Entry(
        dip.mask_from_image,
        lambda: {"mask": np.ones((16, 16), np.float32)},
        {
            "mask": bad_array((16, 16, 3), wrong_shapes=[(16, 16, 4)]),
            "size": st.sampled_from([(8, 8), (0, 16), "16", 2.5, (10**9, 10**9)]),
        },
    ),
    "lanczos_weights": Entry(
        dip.lanczos_weights,
        lambda: {"factor": 4},
        {"factor": bad_int(1, huge=True), "a": bad_int(1, huge=True)},
    ),
    "Downsampler": Entry(dip.Downsampler, lambda: {"factor": 4}, {"factor": bad_int(2, huge=True)}),
    "downsample": Entry(
        dip.downsample,
        lambda: {"image": _image(), "factor": 4},
        {"image": IMAGE, "factor": st.one_of(bad_int(2, huge=True), st.just(3))},
    ),
    "as_image": Entry(
        dip.as_image,
        lambda: {"image": _image()},
        {
            "image": st.one_of(
                IMAGE, st.sampled_from([np.full((4, 4, 3), 2.0), np.zeros((4, 4), bool)])
            ),
            "channels": st.just(1),
        },
    ),
    "psnr": Entry(
        dip.psnr,
        lambda: {"image": _image(), "reference": _image()},
        {
            "image": st.one_of(
                bad_array((16, 16, 3), tensor_ok=True), st.just(np.zeros((8, 16, 3)))
            ),
            "reference": st.one_of(
                bad_array((16, 16, 3), tensor_ok=True), st.just(np.zeros((16, 1, 3)))
            ),
        },
    ),
    "make_input": Entry(
        dip.make_input,
        lambda: {"kind": "noise", "channels": 2, "height": 8, "width": 8},
        {
            "kind": bad_choice(["noise", "meshgrid"]),
            "channels": bad_int(1, huge=True),
            "height": bad_int(1, huge=True),
            "width": bad_int(1, huge=True),
            "seed": bad_seed(),
            "scale": bad_number(above=0.0),
            "device": st.sampled_from(["gpu9000", 3, None, ["cpu"]]),
        },
    ),
    "NetSpec": Entry(
        dip.NetSpec,
        lambda: {"channels_down": (4, 4)},
        {
            "architecture": bad_choice(["hourglass", "unet", "resnet"]),
            "in_channels": bad_int(1),
            "channels_down": st.sampled_from(
                [(), (0, 4), (4, 2.5), "44", 4, (10**9, 10**9), (4,) * 100, [None]]
            ),
            "channels_up": st.sampled_from([(4,), (4, -1), "44", 4]),
            "channels_skip": st.sampled_from([(4,), (4, -1), "44", 4]),
            "kernel_size_down": st.one_of(bad_int(1, huge=True), st.just(4)),
            "kernel_size_up": st.one_of(bad_int(1, huge=True), st.just(2)),
            "kernel_size_skip": st.one_of(bad_int(1, huge=True), st.just(2)),
            "upsample_mode": bad_choice(["nearest", "bilinear"]),
            "blocks": bad_int(1, huge=True),
        },
    ),
    "hourglass": Entry(
        dip.hourglass,
        lambda: {},
        {
            "in_channels": bad_int(1),
            "channels": bad_int(1, huge=True),
            "scales": bad_int(1, huge=True),
            "skip": bad_int(0),
            "upsample_mode": bad_choice(["nearest", "bilinear"]),
            "kernel_size_down": st.one_of(bad_int(1, huge=True), st.just(4)),
        },
    ),
    "encoder_decoder": Entry(
        dip.encoder_decoder,
        lambda: {},
        {
            "in_channels": bad_int(1),
            "channels": bad_int(1, huge=True),
            "scales": bad_int(1, huge=True),
            "upsample_mode": bad_choice(["nearest", "bilinear"]),
        },
    ),
    "unet": Entry(
        dip.unet,
        lambda: {},
        {
            "in_channels": bad_int(1),
            "channels": st.sampled_from([(), (0, 4), "16", 16, (10**9,), (4,) * 100]),
            "upsample_mode": bad_choice(["nearest", "bilinear"]),
        },
    ),
    "resnet": Entry(
        dip.resnet,
        lambda: {},
        {
            "in_channels": bad_int(1),
            "channels": bad_int(1, huge=True),
            "blocks": bad_int(1, huge=True),
        },
    ),
    "bicubic": Entry(
        dip.bicubic,
        lambda: {"low_res": _image(), "factor": 2},
        {"low_res": IMAGE, "factor": bad_int(1, huge=True)},
    ),
    "denoise": Entry(
        dip.denoise,
        lambda: _task(noisy=_image()),
        {"noisy": IMAGE, "clean": st.sampled_from([np.zeros((8, 8, 3)), "x", 3]), **TASK_BAD},
    ),
    "inpaint": Entry(
        dip.inpaint,
        lambda: _task(image=_image(), mask=dip.hole_mask(16)),
        {
            "image": IMAGE,
            "mask": st.one_of(
                bad_array((16, 16), wrong_shapes=[(8, 8)]), st.just(np.zeros((16, 16)))
            ),
            "input": bad_choice(["noise", "meshgrid"]),
            **TASK_BAD,
        },
    ),
    "super_resolve": Entry(
        dip.super_resolve,
        lambda: _task(low_res=_image()[:8, :8], factor=2),
        {"low_res": IMAGE, "factor": st.one_of(bad_int(2, huge=True), st.just(3)), **TASK_BAD},
    ),
    "Checkpoint": Entry(
        dip.Checkpoint,
        lambda: {
            "module": (net := nn.Linear(2, 2)),
            "optimizer": torch.optim.SGD(net.parameters(), lr=0.1),
        },
        {"module": bad_module(), "optimizer": st.sampled_from([None, "adam", 3, nn.Linear(2, 2)])},
    ),
    "prior_networks": Entry(dip.prior_networks, lambda: {}, {"width": bad_int(2, huge=True)}),
    "compare_networks": Entry(
        dip.compare_networks,
        lambda: {
            "image": _image(),
            "mask": dip.hole_mask(16),
            "networks": {"tiny": _tiny()},
            "steps": 1,
            "device": "cpu",
        },
        {
            "networks": st.sampled_from([{}, ["unet"], {"a": "unet"}, {3: _tiny()}, None, 3]),
            "image": IMAGE,
            "steps": bad_int(1, optional=True, huge=True),
        },
    ),
    "compare_seeds": Entry(
        dip.compare_seeds,
        lambda: {
            "image": _image(),
            "mask": dip.hole_mask(16),
            "seeds": (0,),
            "steps": 1,
            "network": _tiny(),
            "device": "cpu",
        },
        {
            "seeds": st.sampled_from([(), [0.5], [-1], "0", 3, None, [None], [2**64]]),
            "image": IMAGE,
            "steps": bad_int(1, optional=True, huge=True),
        },
    ),
    "Downsampler.forward": Entry(
        lambda x: dip.Downsampler(2)(x),
        lambda: {"x": torch.zeros(1, 3, 8, 8)},
        {  # NaN and inf are values a differentiable op passes on, not bad arguments here
            "x": bad_tensor((1, 3, 8, 8), wrong_shapes=[(1, 3, 7, 8)]).filter(
                lambda x: (
                    not isinstance(x, torch.Tensor)
                    or not x.is_floating_point()
                    or bool(x.isfinite().all())
                )
            )
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
