"""Bad input to summarize / receptive_field: clear errors, or a stated fallback."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from vizkit.summary import receptive_field, summarize


def test_non_module_is_a_type_error():
    with pytest.raises(TypeError, match=r"model must be a torch.nn.Module, got list"):
        summarize([nn.Linear(2, 2)], (2,))
    with pytest.raises(TypeError, match=r"a class: call it"):
        summarize(nn.Linear, (2,))


@pytest.mark.parametrize(
    ("size", "error", "text"),
    [
        (
            "3x32x32",
            TypeError,
            "input_size must be a tuple of ints such as (3, 224, 224), got '3x32x32'",
        ),
        ((3, 32.0, 32), TypeError, "input_size must be a tuple of ints"),
        (
            (3, 0, 32),
            ValueError,
            "input_size (3, 0, 32) must have at least one dimension and every entry ≥ 1",
        ),
        ((), ValueError, "must have at least one dimension"),
    ],
)
def test_bad_input_size(size, error, text):
    with pytest.raises(error) as info:
        summarize(nn.Conv2d(3, 4, 3), size)
    assert text in str(info.value)


def test_bad_batch_size_and_dtype_and_mode():
    with pytest.raises(ValueError, match="batch_size 0 is below 1"):
        summarize(nn.Conv2d(3, 4, 3), (3, 8, 8), batch_size=0)
    with pytest.raises(TypeError, match=r"dtype must be a floating torch\.dtype"):
        summarize(nn.Conv2d(3, 4, 3), (3, 8, 8), dtype=torch.int64)
    with pytest.raises(ValueError, match="mode 'test' is not 'eval' or 'train'"):
        summarize(nn.Conv2d(3, 4, 3), (3, 8, 8), mode="test")


def test_input_the_model_cannot_take_names_the_layer_and_the_fix():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 30 * 30, 10))
    with pytest.raises(ValueError) as info:
        summarize(model, (3, 64, 64))
    message = str(info.value)
    assert "cannot run on a batch of shape (1, 3, 64, 64) in a Linear layer" in message
    assert "input_size is one sample without the batch dimension" in message
    with pytest.raises(ValueError, match="in a Conv2d layer"):
        summarize(model, (1, 3, 32, 32))  # batch dimension given by mistake


class DataDependent(nn.Module):
    """Chooses a branch from the values: impossible on the meta device."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        y = self.conv(x)
        return y if y.mean().item() > -1e9 else -y


def test_data_dependent_model_falls_back_to_a_real_forward_and_says_so():
    with pytest.warns(UserWarning, match="the meta device cannot run this model"):
        table = summarize(DataDependent(), (3, 16, 16))
    assert table.fallback_reason is not None and "meta" in table.fallback_reason
    assert table.total_params == 4 * 27 + 4
    assert table.row("conv").output_shape == (1, 4, 14, 14)
    assert table.total_macs == 4 * 14 * 14 * 27
    assert "real forward pass" in table._repr_html_()


def test_unknown_layer_suggests_closest_names():
    model = nn.Sequential()
    model.add_module("conv1", nn.Conv2d(1, 1, 3))
    model.add_module("conv2", nn.Conv2d(1, 1, 3))
    with pytest.raises(ValueError) as info:
        receptive_field(model, (1, 16, 16), "conv3")
    assert str(info.value) == (
        "no layer named 'conv3': did you mean 'conv2' or 'conv1'? "
        "(names come from model.named_modules())"
    )


def test_non_spatial_layer_is_explained():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 14 * 14, 3))
    with pytest.raises(ValueError, match=r"layer '2' has output shape \(1, 3\): no spatial"):
        receptive_field(model, (1, 16, 16), "2")


def test_uninitialised_lazy_module_names_the_parameter_and_the_fix():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(10))
    with pytest.raises(ValueError) as info:
        summarize(model, (3, 8, 8))
    assert str(info.value) == (
        "parameter '2.weight' of model is uninitialised (a lazy module such as nn.LazyLinear "
        "gets its shape from its first input): run the model once on a real batch, e.g. "
        "model(torch.zeros(1, *input_size)), then summarize it"
    )
    model(torch.zeros(1, 3, 8, 8))
    assert summarize(model, (3, 8, 8)).total_params == 4 * 27 + 4 + 4 * 36 * 10 + 10


class _Masked(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x, mask):
        return self.fc(x) * mask


def test_a_missing_forward_argument_says_how_to_give_it():
    with pytest.raises(TypeError) as info:
        summarize(_Masked(), (4,))
    assert str(info.value) == (
        "the model's forward (_Masked) was not given the arguments it takes: TypeError: "
        "_Masked.forward() missing 1 required positional argument: 'mask'. summarize calls "
        "model(x) for one input, model(*input_data) for a tuple or list, model(**input_data) "
        "for a dict, and passes keyword arguments it does not know on to forward: give every "
        "argument, e.g. summarize(model, input_data=(x, mask)), summarize(model, "
        "input_size=[(3, 224, 224), (10,)], dtypes=[torch.float, torch.long]) or "
        "summarize(model, input_size, mask=m)"
    )
    table = summarize(_Masked(), [(4,), (2,)])  # both given: it runs
    assert table.row("fc").output_shape == (1, 2)
    assert summarize(_Masked(), (4,), mask=torch.ones(1, 2)).total_macs == 8


def test_an_unknown_keyword_reaches_forward_and_is_named():
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'batchsize'"):
        summarize(nn.Linear(4, 2), (4,), batchsize=8)


def test_a_layer_called_wrongly_inside_the_model_is_the_models_bug():
    class Wrong(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x, x)

    with pytest.raises(TypeError) as info:
        summarize(Wrong(), (4,))
    assert str(info.value).startswith(
        "layer 'fc' (Linear) was called with arguments its forward does not take: TypeError: "
        "Linear.forward() takes 2 positional arguments but 3 were given. The model's own "
        "forward calls it so"
    )


def test_a_dtype_mismatch_names_both_dtypes_and_the_fix():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with pytest.raises(TypeError) as info:
        summarize(model, (4,), dtypes=[torch.float64])
    message = str(info.value)
    assert message.startswith(
        "the model cannot run on a batch of shape (1, 4) in a Linear layer '1': RuntimeError: "
        "linear: the input's dtype torch.float64 and the weight's"
    )
    assert "the input is float64, the parameters float32: pass dtype=..." in message
    assert "check the channels" not in message
    assert summarize(model, (4,), dtype=torch.float64).dtype == "float64"  # the fix works


def test_a_container_is_not_a_layer():
    with pytest.raises(TypeError) as info:
        summarize(nn.ModuleList([nn.Linear(4, 2)]), (4,))
    assert str(info.value) == (
        "model is a ModuleList, a container without a forward of its own, so it cannot be run: "
        "summarize one of its modules (model[0]), the module that calls them, or give no input "
        "for a parameters-only table"
    )
    assert summarize(nn.ModuleList([nn.Linear(4, 2)])).total_params == 10

    class CallsTheList(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(4, 2)])

        def forward(self, x):
            return self.blocks(x)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no detour through a real forward first
        with pytest.raises(TypeError) as info:
            summarize(CallsTheList(), (4,))
    assert str(info.value).startswith(
        "a module that has no forward of its own was called in a ModuleList layer 'blocks': "
        'NotImplementedError: Module [ModuleList] is missing the required "forward" function.'
    )


def test_another_failure_gives_torchs_words_and_the_layer_without_a_guess():
    class Picky(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            raise KeyError("no such head")

    with pytest.raises(ValueError) as info:
        summarize(Picky(), (4,))
    message = str(info.value)
    assert message.startswith(
        "the model cannot run on a batch of shape (1, 4) in the model's own forward (Picky): "
        "KeyError: 'no such head'."
    )
    assert "check the channels" not in message


def test_an_input_without_a_meta_twin_takes_the_real_forward():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # quantized tensors are deprecated
        model = torch.ao.nn.quantized.Linear(3, 4)
        x = torch.quantize_per_tensor(torch.randn(2, 3), 0.1, 0, torch.quint8)
    with pytest.warns(UserWarning, match="the meta device cannot run this model"):
        table = summarize(model, input_data=x)
    assert table.fallback_reason.startswith("an input has no meta twin")
    assert table.output_text == "Tensor 2×4 quint8"
    assert table.total_macs == 0  # torch.ops.quantized.linear is not counted as F.linear
