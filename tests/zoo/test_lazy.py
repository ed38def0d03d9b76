"""``vizkit.zoo`` loads each name with only its own module (no catalog, no torchvision).

Checked in fresh interpreters: what a first zoo call adds to ``sys.modules`` is what a notebook
kernel pays for it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import vizkit.zoo as zoo

PROBE = """
import json, sys
import vizkit as vk
{code}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision")
                        or m.startswith("vizkit.zoo."))))
"""


def loaded_after(code: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_published_figures_load_no_torch() -> None:
    loaded = loaded_after("vk.zoo.published('ilsvrc_top5')")
    assert "torch" not in loaded
    assert loaded == {"vizkit.zoo.published"}


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("vk.zoo.conv_stack(4)", "vizkit.zoo.stacks"),
        ("vk.zoo.lenet5()", "vizkit.zoo.lenet"),
        ("vk.zoo.layer_walk(vk.summarize(vk.zoo.conv_stack(2), (2, 8, 8)))", "vizkit.zoo.stacks"),
        # random weights need no torchvision weights enum
        ("vk.zoo.vgg16(); vk.zoo.vgg('C')", "vizkit.zoo.vgg"),
        ("vk.zoo.alexnet(); vk.zoo.zfnet()", "vizkit.zoo.alexnet"),
    ],
)
def test_a_light_builder_loads_neither_catalog_nor_torchvision(code: str, module: str) -> None:
    loaded = loaded_after(code)
    assert "torch" in loaded and module in loaded  # the probe sees what the call imported
    assert "torchvision" not in loaded
    assert "vizkit.zoo.catalog" not in loaded
    assert "vizkit.zoo.resnet" not in loaded


def test_catalog_loads_every_architecture() -> None:
    loaded = loaded_after("vk.zoo.CATALOG")
    assert {"vizkit.zoo.catalog", "vizkit.zoo.resnet", "torchvision"} <= loaded


SHADOWED = ("alexnet", "googlenet", "nin", "published", "resnet", "vgg")


def test_builders_named_like_their_module_stay_builders_after_the_module_is_imported() -> None:
    # Importing ``vizkit.zoo.vgg`` binds the module on the package; ``vk.zoo.vgg`` must still
    # be the builder, whichever comes first. Fresh interpreter: nothing imported before.
    code = f"""
import importlib, inspect
for name in {SHADOWED!r}:
    module = importlib.import_module("vizkit.zoo." + name)
    assert getattr(vk.zoo, name) is getattr(module, name), (name, getattr(vk.zoo, name))
    assert inspect.isfunction(getattr(vk.zoo, name)), name
from vizkit.zoo import alexnet, vgg
assert inspect.isfunction(alexnet) and inspect.isfunction(vgg)
"""
    assert {f"vizkit.zoo.{name}" for name in SHADOWED} <= loaded_after(code)


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in zoo.__all__:
        assert getattr(zoo, name) is not None, name
    assert set(zoo.__all__) <= set(dir(zoo))


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(AttributeError, match=r"'vgg17'.*did you mean 'vgg1[0-9]'"):
        zoo.vgg17  # noqa: B018
