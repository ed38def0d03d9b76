"""vizkit.geometry.relationships as data: settings, lookups, messages, and its layering."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from vizkit.geometry import RELATIONSHIPS, GeometryError, Relationship, Setting, relationship


def test_relationships_are_frozen_values():
    r = RELATIONSHIPS[0]
    assert isinstance(r, Relationship)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.number = 2  # type: ignore[misc]
    assert len({r.formula for r in RELATIONSHIPS}) == 14  # R5 and R7 share ⌊(i − k)/s⌋ + 1
    assert all(r.figure.startswith("Figure ") for r in RELATIONSHIPS)


def test_setting_defaults_and_dilated_kernel():
    s = Setting(7, 3, dilation=2)
    assert (s.stride, s.padding, s.output_padding) == (1, 0, 0)
    assert s.dilated_kernel_size == 5


def test_setting_errors_teach():
    with pytest.raises(
        TypeError,
        match=r"kernel_size must be an int .* got 3\.0 \(float\): "
        r"pass kernel_size=3",
    ):
        Setting(5, 3.0)  # type: ignore[arg-type]
    with pytest.raises(GeometryError) as err:
        Setting(5, 3, padding=-1)
    assert str(err.value) == (
        "padding -1 is not allowed: padding must be ≥ 0 (p, zeros added on each side); "
        "use padding=0 or more"
    )


def test_lookup_by_number():
    assert relationship(15).name == "dilated convolution"
    with pytest.raises(GeometryError) as err:
        relationship(16)
    assert str(err.value) == (
        "relationship 16 does not exist: Dumoulin & Visin number them 1 … 15; use e.g. "
        "relationship(6) for ⌊(i + 2p − k) / s⌋ + 1"
    )
    with pytest.raises(TypeError):
        relationship("6")  # type: ignore[arg-type]


def test_closed_form_outside_its_conditions_says_what_it_needs():
    with pytest.raises(GeometryError) as err:
        relationship(3).closed_form(Setting(6, 4, padding=2))
    assert str(err.value) == (
        "relationship 3 (half (same) padding, unit strides) does not apply to "
        "Setting(input_size=6, kernel_size=4, stride=1, padding=2, output_padding=0, "
        "dilation=1): it needs s = 1, k odd, p = ⌊k/2⌋; pick a setting that meets them, e.g. "
        "Setting(input_size=5, kernel_size=3, stride=1, padding=1, output_padding=0, "
        "dilation=1)"
    )


def test_vizkit_uses_the_named_paddings_for_half_and_full():
    """R3 and R4 go through padding='same' / 'full', so the names are checked too."""
    assert relationship(3).vizkit(Setting(9, 5, padding=2)) == 9
    assert relationship(4).vizkit(Setting(9, 5, padding=4)) == 13


def test_params_text_uses_the_guides_letters():
    assert relationship(1).params_text(Setting(4, 3)) == "i = 4, k = 3, s = 1, p = 0"
    assert relationship(14).params_text(relationship(14).example) == (
        "i′ = 3, k = 3, s = 2, p = 1, a = 1"
    )


def test_importing_relationships_loads_nothing_heavy():
    probe = (
        "import json, sys; import vizkit.geometry.relationships; "
        "print(json.dumps([m for m in ('numpy', 'torch', 'plotly') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
