"""The five sets of lecture notes vizkit teaches, cited by author and title, with their sections.

Each :class:`Note` lists its sections in the order the note teaches them; the claims of
:mod:`vizkit.lectures.catalog` name one of these sections, and ``notebooks/README.md`` maps each
section to the notebook that shows it.

Example:
    >>> NOTES["bakhshi"].citation
    'Bakhshi, *Convolutional Neural Networks* lecture notes (2021)'
"""

from __future__ import annotations

from dataclasses import dataclass

from vizkit._suggest import did_you_mean

__all__ = ["NOTES", "Note", "note"]


@dataclass(frozen=True)
class Note:
    """One set of lecture notes.

    Attributes:
        key: short identifier used by the functions of :mod:`vizkit.lectures`
            (``"straka_npfl138"``).
        author: the lecturer's surname.
        title: course and title as the notes print them (markdown emphasis on the title).
        year: year of the notes.
        sections: the note's sections in teaching order.
    """

    key: str
    author: str
    title: str
    year: int
    sections: tuple[str, ...]

    @property
    def citation(self) -> str:
        """``"Author, title (year)"``: how notebooks cite the note."""
        return f"{self.author}, {self.title} ({self.year})"


_NOTES = (
    Note(
        "straka_npfl138",
        "Straka",
        "NPFL138 *Convolutional Neural Networks*",
        2025,
        (
            "Convolution operation",
            "Input and output channels",
            "Stride and padding (valid / same)",
            "Image formats (channels_first / channels_last)",
            "Pooling",
            "Conv–ReLU–pool block",
            "AlexNet",
            "LeNet, V1 and Gabor filters",
            "Deep Prior",
            "VGG",
            "Inception (GoogLeNet)",
            "Batch normalization",
            "Inception with BatchNorm",
            "Inception v2 and v3",
            "Takeaways",
        ),
    ),
    Note(
        "straka_npfl114",
        "Straka",
        "NPFL114 lecture 4 *Convolutional Neural Networks*",
        2019,
        (
            "Gradient clipping",
            "Convolution operation",
            "Convolution layer",
            "Padding and data formats",
            "Pooling",
            "High-level CNN architecture",
            "AlexNet",
            "ReLU vs tanh",
            "LeNet",
            "Similarities in V1 and CNNs",
            "Deep Prior",
            "VGG",
            "Inception (GoogLeNet)",
            "Batch normalization",
            "Inception with BatchNorm",
            "Inception v2 and v3",
            "ResNet",
            "Takeaways",
        ),
    ),
    Note(
        "raschka_stat479",
        "Raschka",
        "STAT 479 lecture 13 *Introduction to Convolutional Neural Networks, part 2*",
        2019,
        (
            "A simple CNN in PyTorch",
            "Padding and the output-size formula",
            "Padding jargon: valid and same",
            "Spatial dropout (Dropout2d)",
            "Cross-correlation vs convolution",
            "Computing convolutions on the GPU",
            "Common architectures revisited (Canziani et al.)",
            "VGG-16",
            "ResNets",
            "ResNet block implementation",
            "Fully connected layers as convolutions",
            "Network in Network",
            "Global average pooling",
            "All-convolutional network",
            "GoogLeNet / Inception v1",
        ),
    ),
    Note(
        "bakhshi",
        "Bakhshi",
        "*Convolutional Neural Networks* lecture notes",
        2021,
        (
            "2.1 Regular neural nets",
            "2.2 3D volumes of neurons",
            "3.1 Example architecture",
            "3.2.1–3.2.3 Conv layer: intuition and local connectivity",
            "3.2.4 Spatial arrangement",
            "3.2.4 Real-world example (AlexNet)",
            "3.2.4 Parameter sharing and locally connected layers",
            "3.2.5 Conv layer summary",
            "3.3 Pooling layer",
            "3.3.1–3.3.3 General pooling, backpropagation, no pooling",
            "3.4 Normalization layer",
            "3.5 Fully-connected layer",
            "4.1 Layer patterns",
            "4.2 Layer size patterns",
            "5.1 LeNet",
            "5.2 AlexNet",
            "5.3 ZF Net",
            "5.4 GoogLeNet",
            "5.5 VGGNet",
            "5.6 ResNet",
            "6 Computational considerations",
        ),
    ),
    Note(
        "sarkar_cs60010",
        "Sarkar",
        "CS60010 *Convolution*",
        2018,
        (
            "Convolution and the conv layer summary",
            "Max pooling",
            "General pooling and backpropagation",
            "Getting rid of pooling (All-Convolutional Net)",
            "Stacks of 3×3 convolutions",
            "Case studies overview",
            "LeNet-5",
            "ImageNet and ILSVRC",
            "AlexNet",
            "AlexNet shape walk",
            "ZFNet",
            "VGGNet",
            "VGG-16 memory and parameter walk",
            "1×1 convolutions",
            "GoogLeNet",
            "Inception v2, v3",
        ),
    ),
)

NOTES: dict[str, Note] = {n.key: n for n in _NOTES}
"""Key → :class:`Note`, in the order the suite's README lists them."""


def note(key: str) -> Note:
    """The note ``key`` (``"straka_npfl138"``, ``"straka_npfl114"``, ``"raschka_stat479"``,
    ``"bakhshi"``, ``"sarkar_cs60010"``).

    Raises:
        TypeError: ``key`` is not a string.
        KeyError: unknown key; the message suggests the closest keys.
    """
    if not isinstance(key, str):
        raise TypeError(f"note key must be a string such as 'bakhshi', got {type(key).__name__}")
    if key not in NOTES:
        raise KeyError(did_you_mean(key, NOTES, what="note", where="see vizkit.lectures.NOTES"))
    return NOTES[key]
