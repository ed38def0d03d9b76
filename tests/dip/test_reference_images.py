"""Against the paper's own data (../shared/data/dip; skipped where it is absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import vizkit.dip as dip


@pytest.mark.parametrize(("name", "known"), [("kate", 0.957), ("library", 1 - 0.186)])
def test_reference_masks_read_as_known_pixels(dip_data: Path, name: str, known: float) -> None:
    image = Image.open(dip_data / "inpainting" / f"{name}.png")
    mask = dip.mask_from_image(
        Image.open(dip_data / "inpainting" / f"{name}_mask.png"), (image.height, image.width)
    )
    assert mask.mean() == pytest.approx(known, abs=0.001)


def test_low_res_zebra_matches_pillow_antialiased_resize(dip_data: Path) -> None:
    zebra = Image.open(dip_data / "sr" / "zebra_GT.png").convert("RGB")
    w, h = zebra.width // 4 * 4, zebra.height // 4 * 4
    zebra = zebra.crop((0, 0, w, h))
    ours = dip.downsample(zebra, 4)
    pil = np.asarray(zebra.resize((w // 4, h // 4), Image.LANCZOS)) / 255.0
    diff = np.abs(ours - pil)
    # Pillow rounds and clips to uint8 between its horizontal and vertical passes, which
    # only matters where Lanczos overshoots at the stripes' sharpest edges.
    assert np.percentile(diff, 99) < 2.5 / 255 and diff.mean() < 0.5 / 255
