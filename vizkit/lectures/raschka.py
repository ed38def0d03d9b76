"""Claims of Raschka, STAT 479 lecture 13 *Introduction to Convolutional Neural Networks, part 2*
(2019), including the paper pages it reproduces (VGG, ResNet, NiN, All-CNN, GoogLeNet).

Canziani et al.'s accuracies and the CIFAR-10 error rates need training and are not recomputed.
"""

from __future__ import annotations

from vizkit.lectures.claim import Claim, compute
from vizkit.lectures.tables import vgg_tables

__all__ = ["raschka_stat479"]

_ALLCNN_PARAMS = {  # Table 3 of Springenberg et al. (millions, printed "≈ …")
    ("A", "base"): "0.9",
    ("A", "strided"): "0.9",
    ("A", "convpool"): "1.28",
    ("A", "all"): "1.28",
    ("B", "base"): "1",
    ("B", "strided"): "1",
    ("B", "convpool"): "1.35",
    ("B", "all"): "1.35",
    ("C", "base"): "1.3",
    ("C", "strided"): "1.3",
    ("C", "convpool"): "1.4",
    ("C", "all"): "1.4",
}
_VARIANT_NAMES = {
    "base": "Model",
    "strided": "Strided-CNN",
    "convpool": "ConvPool-CNN",
    "all": "ALL-CNN",
}
_ALLCNN_WHY = {
    ("A", "base"): "Table 1's model A (5×5·96, 5×5·192, 3×3·192, 1×1·192, 1×1·10 with biases) "
    "has 839,242 parameters = 0.84 M; the paper's ≈0.9 M rounds up",
    ("A", "convpool"): "model A plus a 3×3 convolution before each pooling (96→96 and 192→192, "
    "415,008 parameters) has 1,254,250 = 1.25 M, not ≈1.28 M",
    ("B", "convpool"): "model B plus the two 3×3 convolutions has 1,300,618 = 1.30 M, not ≈1.35 M",
    ("C", "base"): "Table 1's model C (3×3 convolutions only) has 954,730 parameters = 0.95 M; "
    "≈1.3 M does not follow from its layers",
}
_ALLCNN_WHY[("A", "strided")] = _ALLCNN_WHY[("A", "base")] + " (striding adds no parameters)"
_ALLCNN_WHY[("A", "all")] = _ALLCNN_WHY[("A", "convpool")].replace(
    "before each pooling", "replacing each pooling"
)
_ALLCNN_WHY[("B", "all")] = _ALLCNN_WHY[("B", "convpool")]
_ALLCNN_WHY[("C", "strided")] = _ALLCNN_WHY[("C", "base")] + " (striding adds no parameters)"
_ALLCNN_ROUNDED = {("A", "base"), ("A", "strided")}
"""Rows where Table 3 only rounds coarsely; the others contradict the layers of its Table 1."""


def raschka_stat479() -> list[Claim]:
    """Raschka, STAT 479 lecture 13 *Introduction to Convolutional Neural Networks, part 2*."""
    n = "raschka_stat479"
    p = "Padding and the output-size formula"
    claims = [
        Claim(
            n,
            p,
            "o = ⌊(i + 2p − k)/s⌋ + 1",
            "o = ⌊(i + 2p − k)/s⌋ + 1",
            True,
            compute("output_size_formula"),
        ),
        Claim(
            n,
            p,
            "no padding, stride 1: i=4, k=3",
            "(4 − 3 + 2·0)/1 + 1 = 2",
            2,
            compute("conv_size", input_size=4, kernel_size=3),
        ),
        Claim(
            n,
            p,
            "padding 2, stride 1: i=5, k=4",
            "(5 − 4 + 2·2)/1 + 1 = 6",
            6,
            compute("conv_size", input_size=5, kernel_size=4, padding=2),
        ),
        Claim(
            n,
            p,
            "no padding, stride 2: i=5, k=3",
            "(5 − 3 + 2·0)/2 + 1 = 2",
            2,
            compute("conv_size", input_size=5, kernel_size=3, stride=2),
        ),
        Claim(
            n,
            p,
            "same padding p = (k − 1)/2 at stride 1 (odd k)",
            "p = (k − 1)/2",
            True,
            compute("same_padding"),
            remark="an even k gives a half pixel: why kernels are 3×3, 5×5, 7×7",
        ),
        Claim(
            n,
            "Spatial dropout (Dropout2d)",
            "Dropout2d drops full feature maps",
            "drop full feature maps (channels)",
            True,
            compute("dropout2d_maps"),
        ),
    ]
    x = "Cross-correlation vs convolution"
    claims += [
        Claim(
            n,
            x,
            "cross-correlation Z[i,j] = Σ_{u,v} K[u,v] A[i+u, j+v]",
            "K ⊗ A",
            True,
            compute("cross_correlation"),
        ),
        Claim(
            n,
            x,
            "convolution Z[i,j] = Σ_{u,v} K[u,v] A[i−u, j−v] (flipped kernel)",
            "K * A",
            True,
            compute("convolution"),
        ),
        Claim(
            n,
            x,
            "real convolution is associative",
            "(A * B) * C = A * (B * C)",
            True,
            compute("associativity", flip=True),
        ),
        Claim(
            n,
            x,
            "is cross-correlation associative?",
            "no: associativity is what real convolution has",
            False,
            compute("associativity", flip=False),
        ),
    ]
    v = "VGG-16"
    claims += vgg_tables(n, v)
    claims += [
        Claim(
            n,
            v,
            "three 3×3 layers on C channels",
            "3(3²C²) = 27C² (C = 64)",
            27 * 64 * 64,
            compute("zoo_params", model="stack3x3"),
        ),
        Claim(
            n,
            v,
            "one 7×7 layer on C channels",
            "7²C² = 49C² (C = 64)",
            49 * 64 * 64,
            compute("zoo_params", model="stack7x7"),
        ),
        Claim(
            n,
            v,
            "7×7 has 81% more parameters than three 3×3",
            "81% more",
            81,
            compute("stack_ratio"),
            unit=0.01,
            step=1,
            unit_label="%",
        ),
        Claim(
            n,
            v,
            "three 3×3 layers see 7×7",
            "7 × 7 effective receptive field",
            7,
            compute("zoo_receptive_field", model="stack3x3", block=""),
        ),
    ]
    r = "ResNets"
    claims += [
        Claim(
            n,
            r,
            "zero weights and bias: the block passes a^(l) through",
            "σ(a^(l)) = a^(l) (ReLU, a ≥ 0)",
            True,
            compute("zero_residual_identity"),
        ),
        Claim(
            n,
            r,
            "identity shortcuts add no parameters",
            "neither extra parameter …",
            0,
            compute("identity_shortcut_params"),
        ),
        Claim(
            n,
            r,
            "ResNet-152 has lower complexity than VGG nets",
            "lower complexity than VGG nets",
            True,
            compute("macs_below", model="resnet152", others=("vgg:D", "vgg:E")),
        ),
    ]
    f = "Fully connected layers as convolutions"
    claims += [
        Claim(
            n,
            f,
            "FC as 2×2 kernels on the 2×2 input",
            "W₁ * x + b₁, W₂ * x + b₂",
            True,
            compute("fc_as_conv", kernel="full"),
        ),
        Claim(
            n,
            f,
            "FC as 1×1 kernels on a 1×1 image with 4 channels",
            "2 kernels with 4 channels each",
            True,
            compute("fc_as_conv", kernel="1x1"),
        ),
    ]
    claims += [
        Claim(
            n,
            "Network in Network",
            "mlpconv layers of the CIFAR NIN",
            "three mlpconv layers",
            3,
            compute("zoo_module_count", model="nin", type_name="Sequential", depth=1),
            remark="vk.zoo.nin: the released Caffe definition",
        ),
        Claim(
            n,
            "Global average pooling",
            "parameters of global average pooling",
            "no parameter to optimize",
            0,
            compute("gap_params"),
        ),
    ]
    c = "All-convolutional network"
    claims += [
        Claim(
            n,
            c,
            "do windows with k = r = 2 overlap? (the text: disjoint only if r > k)",
            "if r > k, pooling regions do not overlap",
            True,
            compute("pool_overlap", kernel_size=2, stride=2),
            explanation="windows of size k at stride r are disjoint already when r = k (the "
            "common 2×2 pooling at stride 2): the condition is r ≥ k",
            error_kind="typo",
        ),
        Claim(
            n,
            c,
            "do windows with k = 3, r = 2 overlap?",
            "overlapping pooling with k = 3 and r = 2",
            True,
            compute("pool_overlap", kernel_size=3, stride=2),
        ),
        Claim(
            n,
            c,
            "smallest filter for overlapping stride-2 convolution",
            "3×3 is the minimum filter size",
            3,
            compute("min_overlapping_kernel", stride=2),
        ),
    ]
    for model in "ABC":
        claims.append(
            Claim(
                n,
                c,
                f"model {model}: global averaging over 6×6",
                "6 × 6 spatial dimensions",
                (6, 6, 10),
                compute("zoo_last_shape", model=f"allconv:{model}:base"),
                remark="vk.zoo.allconv: the map entering the global average",
            )
        )
    for variant in ("strided", "convpool", "all"):
        claims.append(
            Claim(
                n,
                c,
                f"{_VARIANT_NAMES[variant]}-C: global averaging over 6×6",
                "6 × 6 spatial dimensions",
                (6, 6, 10),
                compute("zoo_last_shape", model=f"allconv:C:{variant}"),
            )
        )
    for (model, variant), printed in _ALLCNN_PARAMS.items():
        why = _ALLCNN_WHY.get((model, variant), "")
        claims.append(
            Claim(
                n,
                c,
                f"{_VARIANT_NAMES[variant]}-{model} parameters",
                f"≈ {printed} M",
                float(printed),
                compute("zoo_params", model=f"allconv:{model}:{variant}"),
                unit=1e6,
                step=10.0 ** -(len(printed.split(".")[1]) if "." in printed else 0),
                remark="Table 3 of Springenberg et al., CIFAR-10 (10 classes), biases included",
                explanation=why,
                error_kind=(
                    ("rounding" if (model, variant) in _ALLCNN_ROUNDED else "inconsistent")
                    if why
                    else ""
                ),
            )
        )
    claims.append(
        Claim(
            n,
            "GoogLeNet / Inception v1",
            "receptive field of the network",
            "224×224",
            224,
            compute("zoo_receptive_field", model="googlenet", block="inception5b"),
            explanation="the paper means the input crop (224×224 RGB). The receptive field of a "
            "unit of inception (5b) — the input region that can influence it — is 715×715, larger "
            "than the image (mostly zero padding)",
            error_kind="terminology",
        )
    )
    return claims
