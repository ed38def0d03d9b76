"""Claims of Straka's two notes: NPFL138 *Convolutional Neural Networks* (2025) and NPFL114
lecture 4 *Convolutional Neural Networks* (2019).

Accuracy tables (ILSVRC errors, BN-Inception's training steps) need ImageNet training and are
not recomputed; every size, count, cost and formula is.
"""

from __future__ import annotations

from vizkit.lectures.claim import Claim, compute
from vizkit.lectures.tables import (
    alexnet_caption,
    googlenet_table1,
    inception_v3_cost,
    inception_v3_figures,
    inception_v3_table1,
    vgg_tables,
)

__all__ = ["straka_npfl114", "straka_npfl138"]

_TORCH_BN = "PyTorch's nn.BatchNorm2d"


def _formulas(note: str, conv: str, layer: str) -> list[Claim]:
    """The convolution formulas both notes write (sections ``conv`` and ``layer``)."""
    return [
        Claim(
            note,
            conv,
            "cross-correlation formula",
            "Σ_{m,n} I[i+m, j+n] K[m, n]",
            True,
            compute("cross_correlation"),
        ),
        Claim(
            note,
            conv,
            "convolution formula (flipped kernel)",
            "Σ_{m,n} I[i−m, j−n] K[m, n]",
            True,
            compute("convolution"),
        ),
        Claim(
            note,
            layer,
            "multi-channel strided formula",
            "Σ_{m,n,c} I[i·S+m, j·S+n, c] K[m, n, c, o]",
            True,
            compute("cross_correlation", stride=2, channels=3, out_channels=4),
        ),
        Claim(
            note,
            layer,
            "kernel size W × H × C × F",
            "W × H × C × F weights",
            True,
            compute("param_formula"),
        ),
    ]


def _batchnorm(note: str, section: str) -> list[Claim]:
    return [
        Claim(
            note,
            section,
            "BatchNorm training formula (biased σ², per channel over batch and positions)",
            "γ (x − μ)/√(σ² + ε) + β",
            True,
            compute("batchnorm_train"),
        ),
        Claim(
            note,
            section,
            "a bias before BatchNorm cancels out",
            "f(BN(Wx)) instead of f(Wx + b)",
            True,
            compute("batchnorm_bias_cancels"),
        ),
        Claim(
            note,
            section,
            "BatchNorm at inference uses the fixed estimates",
            "γ (x − μ̂)/√(σ̂² + ε) + β",
            True,
            compute("batchnorm_eval"),
        ),
    ]


def straka_npfl138() -> list[Claim]:
    """Straka, NPFL138 *Convolutional Neural Networks* (2025)."""
    n = "straka_npfl138"
    claims = _formulas(n, "Convolution operation", "Stride and padding (valid / same)")
    claims[2] = Claim(
        n,
        "Input and output channels",
        "multi-channel formula",
        "Σ_{m,n,c} I[i+m, j+n, c] K[m, n, c, o]",
        True,
        compute("cross_correlation", channels=3, out_channels=4),
    )
    claims += [
        Claim(
            n,
            "Stride and padding (valid / same)",
            "multi-channel strided formula",
            "Σ_{m,n,c} I[i·S+m, j·S+n, c] K[m, n, c, o]",
            True,
            compute("cross_correlation", stride=2, channels=3, out_channels=4),
        ),
        Claim(
            n,
            "Stride and padding (valid / same)",
            "stride 2 halves the output (224, 3×3, same padding)",
            "half the size",
            112,
            compute("conv_size", input_size=224, kernel_size=3, stride=2, padding=1, rounded=True),
        ),
        Claim(
            n,
            "Stride and padding (valid / same)",
            "same padding keeps the size",
            "result exactly the size of the input",
            True,
            compute("same_padding"),
        ),
    ]
    a = "AlexNet"
    claims += alexnet_caption(n, a)
    claims += [
        Claim(
            n,
            a,
            "AlexNet parameters",
            "61M",
            61,
            compute("zoo_params", model="alexnet"),
            unit=1e6,
            step=1,
            remark="the paper's AlexNet (two-GPU groups), 60,965,224",
        ),
        Claim(
            n,
            a,
            "AlexNet first-layer kernels",
            "96 kernels of size 11×11×3",
            (96, 11, 11, 3),
            compute("zoo_kernels", model="alexnet", layer="features.conv1"),
        ),
        Claim(
            n,
            a,
            "kernels per GPU: the next layer sees 48 channels per group",
            "top 48 kernels … bottom 48 kernels",
            48,
            compute("zoo_group_width", model="alexnet", layer="features.conv2"),
            remark="conv2 has groups=2: each GPU's filters read only its own 48 maps",
        ),
        Claim(
            n,
            a,
            "SGD with momentum 0.9 and weight decay 0.0005",
            "v ← 0.9v − α ∂L/∂θ − 0.0005·α·θ;  θ ← θ + v",
            True,
            compute("sgd_momentum"),
            remark="torch keeps b = −v/α: b ← 0.9b + ∂L/∂θ + 0.0005θ, θ ← θ − αb",
        ),
        Claim(
            n,
            a,
            "the same SGD update once the learning rate is divided by 10",
            "v ← 0.9v − α ∂L/∂θ − 0.0005·α·θ; initial α 0.01, divided by 10",
            True,
            compute("sgd_momentum_lr_drop"),
            remark="torch.optim.SGD(lr=α, momentum=0.9, weight_decay=0.0005), α ÷ 10 at step 11",
            explanation=(
                "torch.optim.SGD keeps the buffer b = −v/α without the learning rate and steps "
                "θ ← θ − α·b with the current α, so after α ÷ 10 its next step is ten times "
                "smaller at once, while the note's v still carries 0.9·v of the old size; the "
                "note's form (Krizhevsky et al., Sutskever et al. 2013) and PyTorch's agree only "
                "for a constant learning rate (see the note in torch.optim.SGD's documentation)"
            ),
            error_kind="convention",
        ),
        Claim(n, a, "test-time patches", "10 patches", 10, compute("crops", scheme="ten")),
    ]
    v = "VGG"
    claims += vgg_tables(n, v)
    claims += [
        Claim(
            n,
            v,
            "VGG-16 map before the FC layers at 224",
            "7×7",
            (7, 7, 512),
            compute("zoo_shape", model="vgg:D", layer="features.30"),
        ),
        Claim(
            n,
            v,
            "larger test images give maps larger than 7×7 (Q = 256, 384, 512)",
            "larger than 7×7",
            True,
            compute("dense_eval_larger", model="vgg:D", sides=(256, 384, 512)),
        ),
    ]
    g = "Inception (GoogLeNet)"
    claims += googlenet_table1(n, g)
    claims += [
        Claim(
            n,
            g,
            "GoogLeNet test crops per image",
            "4 · 3 · 6 · 2 = 144",
            144,
            compute("crops", scheme="googlenet"),
        ),
    ]
    table3 = (
        (1, "one", 1),
        (1, "ten", 10),
        (1, "googlenet", 144),
        (7, "one", 7),
        (7, "ten", 70),
        (7, "googlenet", 1008),
    )
    crops_of = {"one": "1 crop", "ten": "10 crops", "googlenet": "144 crops"}
    for models, scheme, cost in table3:
        claims.append(
            Claim(
                n,
                g,
                f"Table 3 cost: {models} model(s), {crops_of[scheme]}",
                str(cost),
                cost,
                compute("ensemble_cost", models=models, scheme=scheme),
            )
        )
    base = 10.07
    for models, crops, error, printed in (
        (1, 10, 9.15, -0.92),
        (1, 144, 7.89, -2.18),
        (7, 1, 8.09, -1.98),
        (7, 10, 7.62, -2.45),
        (7, 144, 6.67, -3.45),
    ):
        slip = printed == -3.45
        claims.append(
            Claim(
                n,
                g,
                f"Table 3 'compared to base': {models} model(s), {crops} crop(s), {error}%",
                f"{printed}%",
                printed,
                compute("difference", a=error, b=base),
                step=0.01,
                unit_label="%",
                explanation="6.67% − 10.07% = −3.40%: an arithmetic slip in the paper's Table 3 "
                "(the other four differences are right)"
                if slip
                else "",
                error_kind="arithmetic" if slip else "",
            )
        )
    b = "Batch normalization"
    claims += _batchnorm(n, b)
    claims += [
        Claim(
            n,
            b,
            "BatchNorm ε default",
            "0.001",
            0.001,
            compute("batchnorm_default", attribute="eps"),
            explanation=f"{_TORCH_BN} defaults to eps=1e-5; 0.001 is Keras/TensorFlow's "
            "default (vk.zoo.inception_v3 passes eps=0.001, as the TF-trained weights need)",
            error_kind="convention",
        ),
        Claim(
            n,
            b,
            "BatchNorm moving-average momentum τ default",
            "0.99",
            0.99,
            compute("batchnorm_default", attribute="tau"),
            explanation=f"{_TORCH_BN}(momentum=0.1) weights the new batch by 0.1, i.e. "
            "τ = 0.9; torch's momentum is 1 − τ, so τ = 0.99 is momentum=0.01 (0.99 is Keras's "
            "default)",
            error_kind="convention",
        ),
        Claim(
            n,
            b,
            "γ initialised to 1, β to 0",
            "β initialized to 0, γ initialized to 1",
            True,
            compute("batchnorm_default", attribute="affine"),
        ),
        Claim(
            n,
            b,
            "μ̂ initialised to 0, σ̂² to 1",
            "μ̂ initialized to 0, σ̂² initialized to 1",
            True,
            compute("batchnorm_default", attribute="running"),
        ),
        Claim(
            n,
            b,
            "running mean update",
            "μ̂ ← τ μ̂ + (1 − τ) μ",
            True,
            compute("batchnorm_running", statistic="mean", tau=0.99),
            remark="with nn.BatchNorm2d(momentum=1 − τ)",
        ),
        Claim(
            n,
            b,
            "running variance update with the batch σ² = (1/m) Σ (x − μ)²",
            "σ̂² ← τ σ̂² + (1 − τ) σ²",
            True,
            compute("batchnorm_running", statistic="var", tau=0.99),
            explanation=f"{_TORCH_BN} normalises the batch with the biased σ² (as the note "
            "does) but feeds the running estimate the unbiased σ² · m/(m − 1); with m = 128 "
            "values per channel here the estimates differ by 0.8%",
            error_kind="convention",
        ),
        Claim(
            n,
            b,
            "BatchNorm on convolutions: per channel over batch and positions",
            "normalize each channel across the minibatch and all locations",
            True,
            compute("batchnorm_train"),
        ),
    ]
    i = "Inception v2 and v3"
    claims += inception_v3_figures(n, i)
    claims += inception_v3_table1(n, i)
    claims += inception_v3_cost(n, i)
    return claims


def straka_npfl114() -> list[Claim]:
    """Straka, NPFL114 lecture 4 *Convolutional Neural Networks* (2019)."""
    n = "straka_npfl114"
    c = "Gradient clipping"
    claims = [
        Claim(n, c, "clipping by norm", "g ← c·g/‖g‖ if ‖g‖ > c", True, compute("clip_norm")),
        Claim(
            n,
            c,
            "clipping per weight (clipvalue)",
            "each gradient value clipped to [−c, c]",
            True,
            compute("clip_value"),
        ),
        Claim(
            n,
            c,
            "clipnorm clips the gradient as a whole",
            "for the gradient as a whole (clipnorm of tf.keras.optimizers.Optimizer)",
            True,
            compute("keras_clipnorm_is_global"),
            remark="PyTorch: clip_grad_norm_(model.parameters(), c) clips the whole gradient",
            explanation=(
                "in tf.keras (TensorFlow 2, and Keras 3) clipnorm clips each variable's gradient "
                "on its own (tf.clip_by_norm per variable: the total norm can stay above c and "
                "the direction turns); the gradient as a whole is clipped by global_clipnorm "
                "(TF ≥ 2.4), in PyTorch by one clip_grad_norm_ over all parameters — only the "
                "old stand-alone Keras computed clipnorm over all gradients together"
            ),
            error_kind="convention",
        ),
    ]
    claims += _formulas(n, "Convolution operation", "Convolution layer")
    claims.append(
        Claim(
            n,
            "Padding and data formats",
            "same padding keeps the size",
            "result exactly the size of the input",
            True,
            compute("same_padding"),
        )
    )
    a = "AlexNet"
    claims += alexnet_caption(n, a, conv1_printed="253, 40")
    claims.append(
        Claim(n, a, "test-time patches", "10 patches", 10, compute("crops", scheme="ten"))
    )
    claims += vgg_tables(n, "VGG")
    g = "Inception (GoogLeNet)"
    claims += googlenet_table1(
        n, g, printed={"inception (3a) params": "159"}
    )  # the slide lost the K of 159K
    claims.append(
        Claim(
            n,
            g,
            "GoogLeNet auxiliary classifiers",
            "two auxiliary classifiers",
            2,
            compute("aux_heads"),
            remark="their weight 0.3 is a training choice",
        )
    )
    claims += _batchnorm(n, "Batch normalization")
    claims.append(
        Claim(
            n,
            "Batch normalization",
            "BatchNorm on convolutions: per channel over batch and positions",
            "normalize each channel across the minibatch and all locations",
            True,
            compute("batchnorm_train"),
        )
    )
    i = "Inception v2 and v3"
    claims += inception_v3_figures(n, i)
    claims += inception_v3_table1(n, i)
    claims += inception_v3_cost(n, i)
    claims += _resnet(n, "ResNet")
    return claims


_RESNET_FLOPS = {18: 1.8, 34: 3.6, 50: 3.8, 101: 7.6, 152: 11.3}


def _resnet(n: str, r: str) -> list[Claim]:
    stages = (
        ("conv1", "conv1", 112),
        ("conv2_x", "layer1", 56),
        ("conv3_x", "layer2", 28),
        ("conv4_x", "layer3", 14),
        ("conv5_x", "layer4", 7),
        ("average pool", "avgpool", 1),
    )
    claims = [
        Claim(
            n,
            r,
            f"ResNet {stage} output size (every depth)",
            f"{s}×{s}",
            (s, s),
            compute("resnet_stage_size", layer=layer),
        )
        for stage, layer, s in stages
    ]
    claims += [
        Claim(
            n,
            r,
            f"ResNet-{d} weight layers",
            f"{d}-layer",
            d,
            compute("zoo_weight_layers", model=f"resnet{d}"),
            remark="convolutions and the FC layer, projection shortcuts not counted",
        )
        for d in _RESNET_FLOPS
    ]
    claims += [
        Claim(
            n,
            r,
            f"ResNet-{d} FLOPs (v1, the paper's)",
            f"{f}×10⁹",
            f,
            compute("zoo_macs", model=f"resnet{d}"),
            unit=1e9,
            step=0.1,
            remark="the paper's 'FLOPs' are multiply-adds; v1 strides the first 1×1 of a "
            "bottleneck",
        )
        for d, f in _RESNET_FLOPS.items()
    ]
    claims += [
        Claim(
            n,
            r,
            f"ResNet-{d} FLOPs on torchvision's ResNet (v1.5)",
            f"{f}×10⁹",
            f,
            compute("zoo_macs", model=f"resnet{d}_v1.5"),
            unit=1e9,
            step=0.1,
            explanation="torchvision's ResNet-50/101/152 is v1.5: the stride-2 moves from the "
            "first 1×1 to the 3×3 of each downsampling bottleneck, so that 3×3 runs at the "
            "higher resolution — more multiply-adds (and better accuracy); the paper's v1 "
            "gives the printed figure",
            error_kind="variant",
        )
        for d, f in _RESNET_FLOPS.items()
        if d >= 50
    ]
    claims.append(
        Claim(
            n,
            r,
            "ResNet-18 FLOPs by torch.utils.flop_counter",
            "1.8×10⁹",
            1.8,
            compute("flop_counter", model="resnet18"),
            unit=1e9,
            step=0.1,
            explanation="FlopCounterMode counts a multiply and an add as 2 FLOPs: 3.63 G; the "
            "paper's 'FLOPs' are multiply-adds (1.81 G), the convention vizkit's MACs follow",
            error_kind="terminology",
        )
    )
    return claims
