"""ArchitecturePicker driven in code: model, resolution and batch update table and bars."""

from __future__ import annotations

import pytest

from vizkit.widgets.architecture_picker import ArchitecturePicker, model_choices


@pytest.fixture(scope="module")
def picker() -> ArchitecturePicker:
    return ArchitecturePicker("alexnet")


def test_offers_zoo_and_torchvision_models():
    choices = model_choices()
    assert {"alexnet", "vgg-D", "googlenet", "resnet50", "lenet5"} <= set(choices)
    assert {"vgg16", "convnext_tiny", "resnet50 (torchvision)", "googlenet (torchvision)"} <= set(
        choices
    )
    assert choices["alexnet"][1] == 227 and choices["inception_v3"][1] == 299


def test_starts_with_the_papers_alexnet(picker):
    assert picker.error is None
    assert picker.resolution.value == 227
    assert picker.table.row("features.conv1").output_shape == (1, 96, 55, 55)
    assert picker.table.row("features.conv1").params == 34_944
    assert "features.pool1" in picker.table_html.value
    assert "60.97 M params" in picker.status.value


def test_changing_model_updates_table_and_bars_in_place(picker):
    figure, first_bars = picker.figure, picker.figure.data[0]
    picker.model.value = "vgg16"
    assert picker.resolution.value == 224
    assert picker.table.total_params == 138_357_544
    assert picker.figure is figure and picker.figure.data[0] is first_bars  # updated in place
    assert sum(picker.figure.data[0].y) == 138_357_544
    assert "vgg16 at 1×3×224×224" in picker.figure.layout.title.text
    assert "classifier.6" in picker.table_html.value and "15.47 G MACs" in picker.status.value

    picker.model.value = "resnet50"  # the zoo's v1: the paper's 3.8 G
    assert picker.table.total_macs == pytest.approx(3.86e9, rel=0.01)
    picker.model.value = "resnet50 (torchvision)"  # v1.5: stride on the 3×3
    assert picker.table.total_macs == pytest.approx(4.09e9, rel=0.01)


def test_batch_and_resolution_scale_macs_not_params(picker):
    picker.model.value = "vgg16"
    params, macs = picker.table.total_params, picker.table.total_macs
    picker.batch_size.value = 4
    assert picker.table.total_params == params and picker.table.total_macs == 4 * macs
    assert picker.table.input_shape == (4, 3, 224, 224)
    picker.batch_size.value = 1
    conv_224 = sum(r.macs for r in picker.table.rows if r.type == "Conv2d")
    picker.resolution.value = 112  # a quarter of the pixels: a quarter of the conv MACs
    assert sum(r.macs for r in picker.table.rows if r.type == "Conv2d") * 4 == conv_224
    assert picker.table.row("features.0").output_shape == (1, 64, 112, 112)
    assert picker.table.total_params == params  # torchvision's adaptive pool keeps the head
    picker.model.value = "vgg-D"  # the paper's VGG has no adaptive pool: 224 only
    picker.resolution.value = 112
    assert "Linear layer" in picker.error and "[25088, 4096]" in picker.error


def test_impossible_setting_shows_in_the_status_line(picker):
    picker.model.value = "alexnet"
    good = picker.table
    bars_before = list(picker.figure.data[0].y)
    picker.resolution.value = 32
    assert picker.error is not None and "Output size is too small" in picker.error
    assert "⚠" in picker.status.value and "alexnet at 32×32" in picker.status.value
    assert picker.table is good and list(picker.figure.data[0].y) == bars_before
    picker.resolution.value = 227
    assert picker.error is None and "⚠" not in picker.status.value


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match=r"no model named 'vgg-16': did you mean"):
        ArchitecturePicker("vgg-16")
    with pytest.raises(ValueError, match=r"batch_size 0 must be an int in 1\.\.256"):
        ArchitecturePicker("lenet5", batch_size=0)
