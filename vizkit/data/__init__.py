"""Images and datasets that work offline.

- :func:`image_to_tensor`: such a picture → a model input ``(C, H, W)``.
- :func:`load_image`: a user's picture (path, bytes, file object) → ``(H, W, 3)`` float32.
- :func:`natural_image`: scikit-image's bundled photos, same format.
- :func:`load_digits_split`: scikit-learn's digits, upsampled, as train/test tensors.
- :func:`load_mnist`, :func:`load_cifar10`: torchvision's sets, with the digits as the
  offline fallback.
"""

from vizkit.data.datasets import DatasetSplit, load_cifar10, load_digits_split, load_mnist
from vizkit.data.images import ImageLoadError, ImageSource, load_image
from vizkit.data.natural import NATURAL_IMAGES, natural_image, natural_images
from vizkit.data.transforms import image_to_tensor, tensor_to_image

__all__ = [
    "NATURAL_IMAGES",
    "DatasetSplit",
    "ImageLoadError",
    "ImageSource",
    "image_to_tensor",
    "load_cifar10",
    "load_digits_split",
    "load_image",
    "load_mnist",
    "natural_image",
    "natural_images",
    "tensor_to_image",
]
