"""VGG's dense evaluation (Simonyan & Zisserman 2015, Section 3.2): the fully connected layers
rewritten as convolutions (the first as a 7×7, the others as 1×1) slide over a larger image and
give a map of class scores, one per 224×224 window at a stride of 32 pixels.

- :func:`fc_to_conv`: the classifier as a stack of convolutions with the same weights;
- :func:`dense_evaluation`: the score map of a zoo VGG on a larger image, checked against the
  original classifier on every 7×7 window of the feature map, and against the whole network on
  224×224 crops (equal only where zero padding does not matter).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_instance, check_int
from vizkit.demos._threads import one_thread

__all__ = ["DenseEvaluation", "dense_evaluation", "fc_to_conv"]


def fc_to_conv(classifier: nn.Sequential, in_channels: int, kernel_size: int) -> nn.Sequential:
    """The same classifier as convolutions: the first ``nn.Linear`` becomes a
    ``kernel_size × kernel_size`` convolution over ``in_channels``, every later one a 1×1
    convolution; other layers (ReLU, Dropout) are kept. Weights are copied, not shared.

    Args:
        classifier: an ``nn.Sequential`` whose first Linear takes
            ``in_channels · kernel_size²`` features (flattened as ``(C, H, W)``, torch's order).
        in_channels: channels of the feature map (VGG: 512).
        kernel_size: side of the feature map the classifier was made for (VGG: 7).

    Returns:
        An ``nn.Sequential`` mapping ``(N, C, H, W)`` to ``(N, classes, H − k + 1, W − k + 1)``.

    Raises:
        TypeError: ``classifier`` is not an ``nn.Sequential``, or an int argument is not an int.
        ValueError: it holds no Linear, or its first Linear does not take
            ``in_channels · kernel_size²`` features.
    """
    check_instance(
        "classifier", classifier, nn.Sequential, "an nn.Sequential", "pass model.classifier"
    )
    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=65536)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=64)
    linears = [m for m in classifier if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("classifier holds no nn.Linear: pass the fully connected part of a model")
    expected = in_channels * kernel_size * kernel_size
    if linears[0].in_features != expected:
        raise ValueError(
            f"classifier's first Linear takes {linears[0].in_features} features, not "
            f"in_channels · kernel_size² = {in_channels}·{kernel_size}² = {expected}: pass the "
            "channels and side of the feature map it was trained on (VGG: 512 and 7)"
        )
    layers: list[nn.Module] = []
    first = True
    c = in_channels
    for m in classifier:
        if isinstance(m, nn.Linear):
            k = kernel_size if first else 1
            # no random init: the weights are overwritten (VGG's first: 4096×512×7×7)
            conv: nn.Conv2d = nn.utils.skip_init(  # type: ignore[no-untyped-call]
                nn.Conv2d,
                c,
                m.out_features,
                k,
                bias=m.bias is not None,
                device=m.weight.device,
                dtype=m.weight.dtype,
            )
            with torch.no_grad():
                conv.weight.copy_(m.weight.reshape(m.out_features, c, k, k))
                if m.bias is not None:
                    conv.bias.copy_(m.bias)  # type: ignore[union-attr]
            layers.append(conv)
            c, first = m.out_features, False
        elif isinstance(m, nn.ReLU):
            layers.append(nn.ReLU())
        elif isinstance(m, nn.Dropout):
            layers.append(nn.Dropout(m.p))
        else:
            raise ValueError(
                f"classifier holds a {type(m).__name__}; only Linear, ReLU and Dropout "
                "have a convolutional twin here"
            )
    return nn.Sequential(*layers).eval()


@dataclass(frozen=True)
class DenseEvaluation:
    """A VGG slid over a larger image.

    Attributes:
        input_shape: ``(N, 3, H, W)`` of the image.
        feature_shape: ``(N, 512, h, w)`` of the feature map.
        score_map: ``(N, classes, h − 6, w − 6)`` scores, one per 224×224 window (stride 32).
        scores: the spatial average of the map: the paper's class scores for the image.
        window_max_error: largest ``|map − classifier(window)|`` over every 7×7 window of the
            feature map (float rounding only: the two compute the same thing).
        crop_errors: ``(row, col)`` of the map → largest ``|map − model(224×224 crop)|`` for the
            crop at ``(32·row, 32·col)``: not zero, the crop's borders see zero padding where
            the whole image has pixels.
        scale: largest ``|score|`` of the map, to judge the errors against.
    """

    input_shape: tuple[int, ...]
    feature_shape: tuple[int, ...]
    score_map: torch.Tensor
    scores: torch.Tensor
    window_max_error: float
    crop_errors: dict[tuple[int, int], float]
    scale: float

    def _repr_html_(self) -> str:
        from vizkit.demos._table import html_table

        rows: list[tuple[object, ...]] = [
            ("image", tuple(self.input_shape[1:])),
            ("feature map", tuple(self.feature_shape[1:])),
            ("score map", tuple(self.score_map.shape[1:])),
            ("max |map − FC on each 7×7 window|", self.window_max_error),
            *(
                (f"max |map − net(crop at {32 * r}, {32 * c})|", e)
                for (r, c), e in self.crop_errors.items()
            ),
            ("largest |score|", self.scale),
        ]
        return html_table(["what", "value"], rows, css="dense-eval")


@one_thread(quick_only=True)
def dense_evaluation(
    model: nn.Module, image: torch.Tensor, *, max_crops: int = 2
) -> DenseEvaluation:
    """Evaluate a VGG densely on ``image`` (larger than 224×224) and check the score map.

    Args:
        model: a VGG with ``features`` (convolutions and pools, stride 32) and ``classifier``
            (``vk.zoo.vgg(...)``, torchvision's VGG without its adaptive pool works alike).
        image: ``(3, H, W)`` or ``(N, 3, H, W)``, ``H, W ≥ 224``.
        max_crops: how many 224×224 crops (first and last window) to run the whole network on
            (0 … 4; each costs one forward pass).

    In quick mode (``VIZKIT_QUICK=1``) it runs on one CPU thread (a loaded CI machine's second
    thread mostly waits).

    Returns:
        A :class:`DenseEvaluation`.

    Raises:
        TypeError: ``model`` has no ``features``/``classifier``, ``image`` is not a tensor.
        ValueError: ``image`` of the wrong rank, channel count or too small.
    """
    check_instance("model", model, nn.Module, "a torch.nn.Module", "model = vk.zoo.vgg('A')")
    for part in ("features", "classifier"):
        if not isinstance(getattr(model, part, None), nn.Module):
            raise TypeError(
                f"model has no '{part}' module: pass a VGG (vk.zoo.vgg('A')), whose features "
                "and classifier dense evaluation rewires"
            )
    check_instance("image", image, torch.Tensor, "a torch.Tensor", "vk.image_to_tensor(...)")
    max_crops = check_int("max_crops", max_crops, minimum=0, maximum=4)
    x = image.unsqueeze(0) if image.dim() == 3 else image
    if x.dim() != 4 or x.shape[1] != 3:
        raise ValueError(
            f"image has shape {tuple(image.shape)}: pass (3, H, W) or (N, 3, H, W), RGB"
        )
    if min(x.shape[-2:]) < 224:
        raise ValueError(
            f"image is {x.shape[-2]}×{x.shape[-1]}: VGG needs at least 224×224 (one window)"
        )
    if not torch.isfinite(x).all():
        raise ValueError("image holds NaN or infinite values: pass finite pixel values")
    features: nn.Module = model.features  # type: ignore[assignment]
    classifier: nn.Sequential = model.classifier  # type: ignore[assignment]
    param = next(model.parameters())
    x = x.to(param.device, param.dtype)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            fmap = features(x)
            n, c, h, w = fmap.shape
            head = fc_to_conv(classifier, c, 7)
            score_map = head(fmap)
            windows = fmap.unfold(2, 7, 1).unfold(3, 7, 1)  # (N, C, h', w', 7, 7)
            flat = windows.permute(0, 2, 3, 1, 4, 5).reshape(-1, c * 49)
            by_fc = classifier(flat).reshape(n, h - 6, w - 6, -1).permute(0, 3, 1, 2)
            window_error = float((by_fc - score_map).abs().max())
            hs, ws = score_map.shape[-2:]
            corners = [(0, 0), (hs - 1, ws - 1), (0, ws - 1), (hs - 1, 0)]
            crops: dict[tuple[int, int], float] = {}
            for r, col in dict.fromkeys(corners[:max_crops]):
                crop = x[:, :, 32 * r : 32 * r + 224, 32 * col : 32 * col + 224]
                crops[(r, col)] = float((model(crop) - score_map[:, :, r, col]).abs().max())
    finally:
        model.train(was_training)
    return DenseEvaluation(
        tuple(x.shape),
        tuple(fmap.shape),
        score_map,
        score_map.mean((2, 3)),
        window_error,
        crops,
        float(score_map.abs().max()),
    )
