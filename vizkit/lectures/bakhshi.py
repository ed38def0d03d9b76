"""Claims of Bakhshi, *Convolutional Neural Networks* lecture notes (2021, CS231n-style).

The ILSVRC error rates of section 5 need training and are not recomputed.
"""

from __future__ import annotations

from vizkit.lectures.claim import Claim, compute

__all__ = ["bakhshi"]

_FRACTION = (
    "the worked examples print the fraction bar over S + 1: (W − F + 2P)/(S + 1). The notes' own "
    "equation (1) and summary are (W − F + 2P)/S + 1, which gives the printed value; as printed "
    "the fraction is {printed:g}. The same slip appears in all five examples of this section "
    "and the next ((10−3+0)/(2+1), (5−3+2)/(1+1), (5−3+2)/(2+1), (227−11)/(4+1), "
    "(224−11)/(4+1))"
)
_CIFAR = (3, 32, 32)
_CIFAR_NET = (("conv", 12, 3, 1, 1), ("relu",), ("maxpool", 2, 2), ("flatten",), ("linear", 10))


def bakhshi() -> list[Claim]:
    """Bakhshi, *Convolutional Neural Networks* lecture notes (2021)."""
    n = "bakhshi"
    claims = [
        Claim(
            n,
            "2.1 Regular neural nets",
            "weights of one FC neuron on a CIFAR-10 image",
            "32 × 32 × 3 = 3072",
            3072,
            compute("linear_weights", in_features=3072),
        ),
        Claim(
            n,
            "2.1 Regular neural nets",
            "weights of one FC neuron on a 200×200×3 image",
            "200 × 200 × 3 = 120,000",
            120_000,
            compute("linear_weights", in_features=200 * 200 * 3),
        ),
    ]
    e = "3.1 Example architecture"
    for upto, what, size in (
        (1, "CONV with 12 filters", (32, 32, 12)),
        (2, "RELU keeps the size", (32, 32, 12)),
        (3, "POOL", (16, 16, 12)),
        (5, "FC class scores", (1, 1, 10)),
    ):
        height, width, depth = size
        claims.append(
            Claim(
                n,
                e,
                f"INPUT-CONV-RELU-POOL-FC on CIFAR-10: {what}",
                f"[{height} × {width} × {depth}]",
                size,
                compute("sequential_shape", input=_CIFAR, layers=_CIFAR_NET[:upto]),
                remark="3×3 filters with padding 1 and 2×2 pooling (the notes "
                "leave them open; these give the printed sizes)",
            )
        )
    c = "3.2.1–3.2.3 Conv layer: intuition and local connectivity"
    claims += [
        Claim(
            n,
            c,
            "Example 1: weights of a 5×5 neuron on 32×32×3",
            "5 × 5 × 3 = 75 weights",
            75,
            compute("conv_weights", in_channels=3, kernel_size=5),
        ),
        Claim(
            n,
            c,
            "Example 1: parameters with the bias",
            "75 weights (+1 bias)",
            76,
            compute("conv_params", in_channels=3, kernel_size=5, out_channels=1),
        ),
        Claim(
            n,
            c,
            "Example 2: connections of a 3×3 neuron on 16×16×20",
            "3 × 3 × 20 = 180",
            180,
            compute("conv_weights", in_channels=20, kernel_size=3),
        ),
    ]
    s = "3.2.4 Spatial arrangement"
    sizes = (
        ("7×7 input, 3×3 filter, stride 1, pad 0", "5×5", 5, dict(input_size=7, kernel_size=3)),
        (
            "7×7 input, 3×3 filter, stride 2, pad 0",
            "3×3",
            3,
            dict(input_size=7, kernel_size=3, stride=2),
        ),
        (
            "input 5, filter 3, zero padding 1",
            "also 5",
            5,
            dict(input_size=5, kernel_size=3, padding=1),
        ),
        ("input 5, filter 3, no zero padding", "only 3", 3, dict(input_size=5, kernel_size=3)),
        (
            "W=10, P=0, F=3, S=2 does not fit",
            "4.5, not an integer",
            4.5,
            dict(input_size=10, kernel_size=3, stride=2),
        ),
        ("Figure 4: W=5, F=3, P=1, S=1", "5", 5, dict(input_size=5, kernel_size=3, padding=1)),
        (
            "Figure 4: W=5, F=3, P=1, S=2",
            "3",
            3,
            dict(input_size=5, kernel_size=3, padding=1, stride=2),
        ),
        (
            "Figure 4: stride 3 does not fit",
            "(5 − 3 + 2) = 4 not divisible by 3",
            7 / 3,
            dict(input_size=5, kernel_size=3, padding=1, stride=3),
        ),
    )
    for what, printed, value, kw in sizes:
        claims.append(
            Claim(n, s, f"output size: {what}", printed, value, compute("conv_size", **kw))
        )
    claims += [
        Claim(
            n,
            s,
            "the fraction as printed: (10 − 3 + 0)/(2 + 1)",
            "(10−3+0)/(2+1) = 4.5",
            4.5,
            compute("printed_formula", input_size=10, kernel_size=3, padding=0, stride=2),
            explanation=_FRACTION.format(printed=7 / 3),
            error_kind="typo",
        ),
        Claim(
            n,
            s,
            "same padding P = (F − 1)/2 at S = 1",
            "P = (F − 1)/2",
            True,
            compute("same_padding"),
        ),
    ]
    r = "3.2.4 Real-world example (AlexNet)"
    claims += [
        Claim(
            n,
            r,
            "AlexNet conv1: (227 − 11)/4 + 1",
            "55",
            55,
            compute("conv_size", input_size=227, kernel_size=11, stride=4),
        ),
        Claim(
            n,
            r,
            "AlexNet conv1 output volume",
            "[55 × 55 × 96]",
            (55, 55, 96),
            compute("zoo_shape", model="alexnet", layer="features.conv1"),
        ),
        Claim(
            n,
            r,
            "AlexNet conv1 on the paper's 224: (224 − 11)/4 + 1",
            "not an integer",
            54.25,
            compute("conv_size", input_size=224, kernel_size=11, stride=4),
        ),
        Claim(
            n,
            r,
            "224 with 3 extra pixels of zero padding",
            "(55, the guess)",
            55,
            compute("conv_size", input_size=224, kernel_size=11, stride=4, pad_total=3),
            remark="1 pixel before, 2 after; torchvision instead pads 2 on each side "
            "(228 − 11)/4 + 1 = 55.25 → 55, leaving 1 column unread",
        ),
    ]
    p = "3.2.4 Parameter sharing and locally connected layers"
    claims += [
        Claim(
            n,
            p,
            "neurons in AlexNet's conv1",
            "55 × 55 × 96 = 290400",
            290_400,
            compute("zoo_activations", model="alexnet", layers=("features.conv1",)),
        ),
        Claim(
            n,
            p,
            "weights per neuron",
            "11 × 11 × 3 = 363",
            363,
            compute("conv_weights", in_channels=3, kernel_size=11),
        ),
        Claim(
            n,
            p,
            "parameters without sharing",
            "290400 × 364 = 105,705,600",
            105_705_600,
            compute(
                "locally_connected_params",
                input=(3, 227, 227),
                kernel_size=11,
                stride=4,
                out_channels=96,
            ),
        ),
        Claim(
            n,
            p,
            "unique weights with sharing",
            "96 × 11 × 11 × 3 = 34,848",
            34_848,
            compute("conv_weights", in_channels=3, kernel_size=11, out_channels=96),
        ),
        Claim(
            n,
            p,
            "parameters with sharing (+96 biases)",
            "34,944",
            34_944,
            compute("conv_params", in_channels=3, kernel_size=11, out_channels=96),
        ),
    ]
    m = "3.2.5 Conv layer summary"
    claims += [
        Claim(
            n,
            m,
            "W₂ = (W₁ − F + 2P)/S + 1",
            "(W₁ − F + 2P)/S + 1",
            True,
            compute("output_size_formula"),
            remark="torch rounds down where it does not fit",
        ),
        Claim(
            n,
            m,
            "(F·F·D₁)·K weights and K biases",
            "(F·F·D₁)·K weights and K biases",
            True,
            compute("param_formula"),
        ),
        Claim(
            n,
            m,
            "common setting F=3, S=1, P=1 keeps the size",
            "F = 3, S = 1, P = 1",
            32,
            compute("conv_size", input_size=32, kernel_size=3, padding=1),
        ),
    ]
    q = "3.3 Pooling layer"
    claims += [
        Claim(
            n,
            q,
            "2×2 pooling at stride 2 discards 75% of the activations",
            "75%",
            75,
            compute("pool_discarded", input=(64, 224, 224), kernel_size=2, stride=2),
            unit=0.01,
            unit_label="%",
        ),
        Claim(
            n,
            q,
            "W₂ = (W₁ − F)/S + 1",
            "(W₁ − F)/S + 1",
            True,
            compute("output_size_formula", pooling=True),
        ),
        Claim(
            n,
            q,
            "Figure 6: [224×224×64] pooled 2/2",
            "[112 × 112 × 64]",
            112,
            compute("pool_size", input_size=224, kernel_size=2, stride=2),
        ),
        Claim(
            n,
            q,
            "pooling introduces zero parameters",
            "zero parameters",
            0,
            compute("gap_params"),
            remark="global average pooling shown; max pooling has none either",
        ),
        Claim(
            n,
            q,
            "overlapping pooling F=3, S=2",
            "overlapping",
            True,
            compute("pool_overlap", kernel_size=3, stride=2),
        ),
        Claim(
            n,
            "3.3.1–3.3.3 General pooling, backpropagation, no pooling",
            "max pooling routes the gradient to the input that was largest (the switches)",
            "only to the input that had the highest value",
            True,
            compute("max_pool_switches"),
        ),
    ]
    z = "4.2 Layer size patterns"
    claims += [
        Claim(
            n,
            z,
            "F = 3 keeps the size with P = 1",
            "P = 1",
            32,
            compute("conv_size", input_size=32, kernel_size=3, padding=1),
        ),
        Claim(
            n,
            z,
            "F = 5 keeps the size with P = 2",
            "P = 2",
            32,
            compute("conv_size", input_size=32, kernel_size=5, padding=2),
        ),
        Claim(
            n,
            z,
            "3×3/2 max pooling on 32×32 needs zero padding",
            "(32 − 3)/2 + 1 = 15.5",
            15.5,
            compute("pool_size", input_size=32, kernel_size=3, stride=2),
        ),
        Claim(
            n,
            z,
            "three 3×3 layers (64 filters, pad 1) on 224×224×3",
            "[224 × 224 × 64]",
            (224, 224, 64),
            compute("sequential_shape", input=(3, 224, 224), layers=(("conv", 64, 3, 1, 1),) * 3),
        ),
        Claim(
            n,
            z,
            "their activations",
            "about 10 million",
            10,
            compute("numel", shape=(3, 64, 224, 224)),
            unit=1e6,
            step=1,
        ),
        Claim(
            n,
            z,
            "memory for activations and gradients",
            "72MB",
            72,
            compute("activation_bytes", shape=(3, 64, 224, 224), copies=2),
            unit=2**20,
            step=1,
            unit_label=" MB",
            remark="MB = 1024² bytes, as the notes convert in section 6",
            explanation="3 · 224·224·64 = 9,633,792 values · 4 bytes · 2 (values and "
            "gradients) = 77,070,336 bytes = 73.5 MB (77.1 million bytes); 72 MB would be "
            "9.4 M values",
            error_kind="rounding",
        ),
    ]
    k = "5.4 GoogLeNet"
    claims += [
        Claim(
            n,
            k,
            "GoogLeNet parameters",
            "4M",
            4,
            compute("zoo_params", model="googlenet"),
            unit=1e6,
            step=1,
            explanation="the paper-faithful GoogLeNet has 6,998,552 parameters (7.0 M; the "
            "paper's own Table 1 column sums to 6,798 K, torchvision's batch-norm variant has "
            "6.6 M); 4 M matches none of them — the paper itself says '12× fewer than "
            "AlexNet' (≈ 5 M)",
            error_kind="rounding",
        ),
        Claim(
            n,
            k,
            "AlexNet parameters",
            "60M",
            60,
            compute("zoo_params", model="alexnet"),
            unit=1e6,
            step=1,
            remark="60,965,224: truncated, as the AlexNet paper writes it",
        ),
        Claim(
            n,
            "5.5 VGGNet",
            "VGG-16 CONV/FC layers",
            "16",
            16,
            compute("zoo_weight_layers", model="vgg:D", skip=""),
        ),
        Claim(
            n,
            "5.5 VGGNet",
            "VGG-16 parameters",
            "140M",
            140,
            compute("zoo_params", model="vgg:D"),
            unit=1e6,
            step=10,
        ),
        Claim(
            n,
            "5.5 VGGNet",
            "most parameters are in the first FC layer",
            "most",
            True,
            compute("majority", model="vgg:D", layers=("classifier.0",)),
        ),
    ]
    x = "6 Computational considerations"
    claims += [
        Claim(n, x, "bytes per float", "4 bytes", 4, compute("bytes_per_value", dtype="float32")),
        Claim(
            n,
            x,
            "bytes per double",
            "8 for double precision",
            8,
            compute("bytes_per_value", dtype="float64"),
        ),
        Claim(
            n,
            x,
            "parameter memory factor with momentum",
            "at least 3 or so",
            3,
            compute("optimizer_copies"),
        ),
    ]
    return claims
