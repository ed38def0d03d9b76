"""Claims of Sarkar, CS60010 *Convolution* (2018): the conv-layer summary, the AlexNet and
VGG-16 walks (CS231n's), ZFNet, VGG's tables and GoogLeNet's Table 1.

Error rates (ILSVRC, LeNet's 82 errors) and dataset sizes are not recomputed.
"""

from __future__ import annotations

from vizkit.lectures.claim import Claim, compute
from vizkit.lectures.tables import googlenet_table1, vgg_tables

__all__ = ["sarkar_cs60010"]

# layer, zoo name, (H, W, C), printed memory, memory value, unit, step, printed params
_VGG16_WALK: tuple[tuple[str, str, tuple[int, int, int], str, float, float, float, int], ...] = (
    ("CONV3-64 (1)", "features.0", (224, 224, 64), "3.2M", 3.2, 1e6, 0.1, 1_728),
    ("CONV3-64 (2)", "features.2", (224, 224, 64), "3.2M", 3.2, 1e6, 0.1, 36_864),
    ("POOL2 (1)", "features.4", (112, 112, 64), "800K", 800, 1e3, 10, 0),
    ("CONV3-128 (1)", "features.5", (112, 112, 128), "1.6M", 1.6, 1e6, 0.1, 73_728),
    ("CONV3-128 (2)", "features.7", (112, 112, 128), "1.6M", 1.6, 1e6, 0.1, 147_456),
    ("POOL2 (2)", "features.9", (56, 56, 128), "400K", 400, 1e3, 10, 0),
    ("CONV3-256 (1)", "features.10", (56, 56, 256), "800K", 800, 1e3, 10, 294_912),
    ("CONV3-256 (2)", "features.12", (56, 56, 256), "800K", 800, 1e3, 10, 589_824),
    ("CONV3-256 (3)", "features.14", (56, 56, 256), "800K", 800, 1e3, 10, 589_824),
    ("POOL2 (3)", "features.16", (28, 28, 256), "200K", 200, 1e3, 10, 0),
    ("CONV3-512 (1)", "features.17", (28, 28, 512), "400K", 400, 1e3, 10, 1_179_648),
    ("CONV3-512 (2)", "features.19", (28, 28, 512), "400K", 400, 1e3, 10, 2_359_296),
    ("CONV3-512 (3)", "features.21", (28, 28, 512), "400K", 400, 1e3, 10, 2_359_296),
    ("POOL2 (4)", "features.23", (14, 14, 512), "100K", 100, 1e3, 10, 0),
    ("CONV3-512 (4)", "features.24", (14, 14, 512), "100K", 100, 1e3, 10, 2_359_296),
    ("CONV3-512 (5)", "features.26", (14, 14, 512), "100K", 100, 1e3, 10, 2_359_296),
    ("CONV3-512 (6)", "features.28", (14, 14, 512), "100K", 100, 1e3, 10, 2_359_296),
    ("POOL2 (5)", "features.30", (7, 7, 512), "25K", 25, 1e3, 1, 0),
    ("FC (1)", "classifier.0", (1, 1, 4096), "4096", 4096, 1, 0, 102_760_448),
    ("FC (2)", "classifier.3", (1, 1, 4096), "4096", 4096, 1, 0, 16_777_216),
    ("FC (3)", "classifier.6", (1, 1, 1000), "1000", 1000, 1, 0, 4_096_000),
)

# layer, zoo name, (H, W, C), explanation when the zoo's order differs
_ALEXNET_WALK: tuple[tuple[str, str, tuple[int, int, int], str], ...] = (
    ("CONV1", "features.conv1", (55, 55, 96), ""),
    ("MAX POOL1", "features.pool1", (27, 27, 96), ""),
    (
        "NORM1",
        "features.norm1",
        (27, 27, 96),
        "the paper normalises before pooling (conv1 → ReLU → LRN → max pool: 'max-pooling layers "
        "follow both response-normalization layers'), so its NORM1 sees 55×55×96; the simplified "
        "walk swaps the two",
    ),
    ("CONV2", "features.conv2", (27, 27, 256), ""),
    ("MAX POOL2", "features.pool2", (13, 13, 256), ""),
    (
        "NORM2",
        "features.norm2",
        (13, 13, 256),
        "as for NORM1: in the paper LRN comes before the pooling, on 27×27×256",
    ),
    ("CONV3", "features.conv3", (13, 13, 384), ""),
    ("CONV4", "features.conv4", (13, 13, 384), ""),
    ("CONV5", "features.conv5", (13, 13, 256), ""),
    ("MAX POOL3", "features.pool5", (6, 6, 256), ""),
    ("FC6", "classifier.fc6", (1, 1, 4096), ""),
    ("FC7", "classifier.fc7", (1, 1, 4096), ""),
    ("FC8", "classifier.fc8", (1, 1, 1000), ""),
)

_NEURONS = (
    "features.conv1",
    "features.conv2",
    "features.conv3",
    "features.conv4",
    "features.conv5",
    "classifier.fc6",
    "classifier.fc7",
    "classifier.fc8",
)


def sarkar_cs60010() -> list[Claim]:
    """Sarkar, CS60010 *Convolution* (2018)."""
    n = "sarkar_cs60010"
    c = "Convolution and the conv layer summary"
    claims = [
        Claim(
            n,
            c,
            "6 filters 5×5 on a 32×32×3 image",
            "28x28x6",
            (28, 28, 6),
            compute("sequential_shape", input=(3, 32, 32), layers=(("conv", 6, 5),)),
            remark="the 32×32×3 input is in the slide's figure (CS231n's example)",
        ),
        Claim(
            n,
            c,
            "W₂ = (W₁ − F + 2P)/S + 1",
            "(W₁ − F + 2P)/S + 1",
            True,
            compute("output_size_formula"),
            remark="the extracted text lost the minus signs",
        ),
        Claim(
            n,
            c,
            "(F·F·D₁)·K weights and K biases",
            "(F·F·D₁)·K weights and K biases",
            True,
            compute("param_formula"),
        ),
        Claim(
            n,
            "Max pooling",
            "2×2 max pooling at stride 2 of the figure's 4×4 slice",
            "[[6, 8], [3, 4]]",
            (6, 8, 3, 4),
            compute("max_pool_example"),
            separator=", ",
            remark="the input slice is in the slide's figure (CS231n's example)",
        ),
        Claim(
            n,
            "General pooling and backpropagation",
            "the gradient goes to the max input",
            "routes the gradient to the input that had the highest value",
            True,
            compute("max_pool_switches"),
        ),
    ]
    s = "Stacks of 3×3 convolutions"
    claims += [
        Claim(
            n,
            s,
            "three stacked 3×3 see 7×7",
            "7×7 receptive field",
            7,
            compute("zoo_receptive_field", model="stack3x3"),
        ),
        Claim(
            n,
            s,
            "a 7×7 layer has 81% more parameters than three 3×3",
            "81% more",
            81,
            compute("stack_ratio"),
            unit=0.01,
            step=1,
            unit_label="%",
        ),
    ]
    a = "AlexNet"
    claims += [
        Claim(
            n,
            a,
            "AlexNet hidden layers",
            "7 hidden layers",
            7,
            compute("zoo_weight_layers", model="alexnet", skip="", exclude_output=True),
        ),
        Claim(
            n,
            a,
            "AlexNet units",
            "650K units",
            650,
            compute("zoo_activations", model="alexnet", layers=_NEURONS),
            unit=1e3,
            step=10,
            remark="659,272 neurons in conv1–5 and fc6–8 (truncated to 650K, as the paper's "
            "'650,000'); with the caption's 253,440 for conv1 the sum would be 622,312",
        ),
        Claim(
            n,
            a,
            "AlexNet parameters",
            "60M params",
            60,
            compute("zoo_params", model="alexnet"),
            unit=1e6,
            step=1,
            remark="60,965,224: truncated, as the AlexNet paper writes it",
        ),
        Claim(
            n, a, "test-time patches", "ten different patches", 10, compute("crops", scheme="ten")
        ),
    ]
    w = "AlexNet shape walk"
    claims += [
        Claim(n, w, "input", "227x227x3", (227, 227, 3), compute("zoo_shape", model="alexnet")),
        Claim(
            n,
            w,
            "CONV1 size (227 − 11)/4 + 1",
            "(227-11)/4+1 = 55",
            55,
            compute("conv_size", input_size=227, kernel_size=11, stride=4),
        ),
        Claim(
            n,
            w,
            "CONV1 parameters",
            "(11*11*3)*96 = 35K",
            35,
            compute("zoo_params", model="alexnet", layers=("features.conv1",)),
            unit=1e3,
            step=1,
            remark="weights only, as the walk multiplies them (34,848; 34,944 with biases)",
        ),
        Claim(
            n,
            w,
            "POOL1 size (55 − 3)/2 + 1",
            "(55-3)/2+1 = 27",
            27,
            compute("pool_size", input_size=55, kernel_size=3, stride=2),
        ),
        Claim(
            n,
            w,
            "POOL1 parameters",
            "0!",
            0,
            compute("zoo_params", model="alexnet", layers=("features.pool1",)),
        ),
    ]
    for layer, name, size, why in _ALEXNET_WALK:
        h, wd, ch = size
        printed = f"[{ch}]" if h == 1 else f"[{h}x{wd}x{ch}]"
        claims.append(
            Claim(
                n,
                w,
                f"{layer} output",
                printed,
                size,
                compute("zoo_shape", model="alexnet", layer=name),
                remark="the paper's AlexNet (vk.zoo.alexnet) on 227×227",
                explanation=why,
                error_kind="variant" if why else "",
            )
        )
    z = "ZFNet"
    claims += [
        Claim(
            n,
            z,
            "AlexNet CONV1 (kernel, stride)",
            "11x11 stride 4",
            (11, 4),
            compute("zoo_conv_geometry", model="alexnet", layer="features.conv1"),
            separator=" / ",
        ),
        Claim(
            n,
            z,
            "ZFNet CONV1 (kernel, stride)",
            "7x7 stride 2",
            (7, 2),
            compute("zoo_conv_geometry", model="zfnet", layer="features.conv1"),
            separator=" / ",
        ),
        Claim(
            n,
            z,
            "ZFNet CONV3, 4, 5 filters",
            "512, 1024, 512",
            (512, 1024, 512),
            compute(
                "zoo_out_channels",
                model="zfnet",
                layers=("features.conv3", "features.conv4", "features.conv5"),
            ),
            separator=", ",
            explanation="Zeiler & Fergus's ZFNet (their Figure 3, vk.zoo.zfnet) keeps "
            "AlexNet's 384, 384, 256 in layers 3–5; 512, 1024, 512 maps is the larger variant "
            "they also trained (Table 2 of their paper)",
            error_kind="variant",
        ),
    ]
    v = "VGGNet"
    claims += vgg_tables(n, v)
    claims += [
        Claim(
            n,
            v,
            "one 7×7 layer with C maps",
            "49C² weights (C = 64)",
            49 * 64 * 64,
            compute("zoo_params", model="stack7x7"),
        ),
        Claim(
            n,
            v,
            "three 3×3 layers with C maps",
            "27C² weights (C = 64)",
            27 * 64 * 64,
            compute("zoo_params", model="stack3x3"),
        ),
        Claim(
            n,
            v,
            "effective receptive field of three 3×3 (stride 1)",
            "[7x7]",
            7,
            compute("zoo_receptive_field", model="stack3x3"),
        ),
        Claim(
            n,
            v,
            "AlexNet layers",
            "8 layers (AlexNet)",
            8,
            compute("zoo_weight_layers", model="alexnet", skip=""),
        ),
        Claim(
            n, v, "VGG16Net layers", "16", 16, compute("zoo_weight_layers", model="vgg:D", skip="")
        ),
        Claim(n, v, "VGG19 layers", "19", 19, compute("zoo_weight_layers", model="vgg:E", skip="")),
    ]
    g = "VGG-16 memory and parameter walk"
    claims.append(
        Claim(
            n,
            g,
            "INPUT memory",
            "224*224*3=150K",
            150,
            compute("numel", shape=(3, 224, 224)),
            unit=1e3,
            step=10,
        )
    )
    for layer, name, size, printed, mem, unit, step, params in _VGG16_WALK:
        h, wd, ch = size
        claims += [
            Claim(
                n,
                g,
                f"{layer} output",
                f"[{h}x{wd}x{ch}]",
                size,
                compute("zoo_shape", model="vgg:D", layer=name),
            ),
            Claim(
                n,
                g,
                f"{layer} memory",
                printed,
                mem,
                compute("zoo_activations", model="vgg:D", layers=(name,)),
                unit=unit,
                step=step,
            ),
            Claim(
                n,
                g,
                f"{layer} params",
                f"{params:,}",
                params,
                compute("zoo_params", model="vgg:D", layers=(name,)),
                remark="weights only: the walk leaves the biases out",
            ),
        ]
    claims += [
        Claim(
            n,
            g,
            "TOTAL memory (values)",
            "24M",
            24,
            compute("zoo_activations", model="vgg:D", walk=True),
            unit=1e6,
            step=1,
            explanation="the walk's own lines add up to 15,237,608 values (15.2 M: the "
            "150K input plus every conv, pool and FC output); 24 M follows from no accounting "
            "of those lines (counting the in-place ReLU outputs too would give 28.8 M)",
            error_kind="arithmetic",
        ),
        Claim(
            n,
            g,
            "TOTAL memory (bytes, forward)",
            "24M * 4 bytes ~= 96MB",
            96,
            compute("zoo_activations", model="vgg:D", walk=True, scale=4),
            unit=1e6,
            step=1,
            unit_label=" MB",
            explanation="24 M × 4 bytes is 96 MB, but the walk's 15.2 M values take "
            "61 MB (58 MiB) in float32",
            error_kind="arithmetic",
        ),
        Claim(
            n,
            g,
            "TOTAL params",
            "138M",
            138,
            compute("zoo_params", model="vgg:D"),
            unit=1e6,
            step=1,
        ),
        Claim(
            n,
            g,
            "most memory is in the early CONV layers (224×224 and 112×112)",
            "Most memory is in early CONV",
            True,
            compute(
                "majority",
                model="vgg:D",
                of="activations",
                layers=("features.0", "features.2", "features.5", "features.7"),
            ),
        ),
        Claim(
            n,
            g,
            "most parameters are in the late FC layers",
            "Most params are in late FC",
            True,
            compute(
                "majority", model="vgg:D", layers=("classifier.0", "classifier.3", "classifier.6")
            ),
        ),
    ]
    gn = "GoogLeNet"
    claims += [
        Claim(
            n,
            gn,
            "GoogLeNet parameters",
            "4M",
            4,
            compute("zoo_params", model="googlenet"),
            unit=1e6,
            step=1,
            explanation="the paper-faithful GoogLeNet has 6,998,552 parameters (7.0 M; the "
            "paper's own Table 1 column sums to 6,798 K, torchvision's batch-norm variant has "
            "6.6 M); 4 M matches none of them",
            error_kind="rounding",
        ),
        Claim(
            n,
            gn,
            "AlexNet parameters",
            "60M",
            60,
            compute("zoo_params", model="alexnet"),
            unit=1e6,
            step=1,
            remark="60,965,224: truncated, as the AlexNet paper writes it",
        ),
    ]
    claims += googlenet_table1(n, gn)
    return claims
