"""Exercise: Deep Image Prior concepts (Ulyanov, Vedaldi and Lempitsky, *Deep Image Prior*,
CVPR 2018) — why stop early, what the input z is, what is optimised, which loss — as multiple
choice with an explanation for every option.
"""

from __future__ import annotations

import random

from vizkit.exercises.exercise import Spec
from vizkit.exercises.generators.choice import Option, choice_spec

__all__ = ["DIP_QUESTIONS", "dip_concepts"]


#: (question, right answer + why, [(wrong answer, mistake key, label, why), ...])
DIP_QUESTIONS: tuple[tuple[str, tuple[str, str], tuple[tuple[str, str, str, str], ...]], ...] = (
    (
        "Why does Deep Image Prior denoising stop early instead of training to convergence?",
        (
            "Because the network fits the image's structure long before it fits the noise; "
            "trained long enough it reproduces the noisy image, noise included.",
            "The architecture resists noise (high impedance) but does not block it: the output "
            "gets cleaner first, then noisier, so the best result is in the middle.",
        ),
        (
            (
                "To avoid overfitting the training set of clean images.",
                "training_set",
                "assumed a training set",
                "DIP has no training set: it fits one network to the one corrupted image.",
            ),
            (
                "Because the loss becomes NaN after a few thousand iterations.",
                "nan",
                "blamed a numerical failure",
                "The loss keeps decreasing smoothly; that is the "
                "problem, it decreases towards fitting the noise.",
            ),
            (
                "Because the learning rate has decayed to zero by then.",
                "learning_rate",
                "blamed the learning rate",
                "Nothing forces the learning rate to zero; the fit simply"
                " reaches the noise if it continues.",
            ),
        ),
    ),
    (
        "In Deep Image Prior, what is the network's input z?",
        (
            "A fixed random tensor (e.g. uniform noise × 0.1, 32 channels at the image size), "
            "drawn once and kept; only the weights are optimised.",
            "z carries no information about the image: all the structure comes from the "
            "architecture and the fit to the corrupted image.",
        ),
        (
            (
                "The noisy image itself.",
                "noisy_input",
                "took the corrupted image as input",
                "The corrupted image is the *target* of the loss, not the input.",
            ),
            (
                "A latent code optimised together with the weights.",
                "learned_z",
                "thought z is learned",
                "z stays fixed (at most jittered with small noise); the "
                "weights are what gradient descent changes.",
            ),
            (
                "The clean image, which the network learns to copy.",
                "clean_input",
                "assumed the clean image is known",
                "The clean image is unknown: it is what DIP tries to recover.",
            ),
        ),
    ),
    (
        "What is optimised in Deep Image Prior?",
        (
            "The weights of a randomly initialised network, fitted to the single corrupted image.",
            "One network per image, no dataset and no pre-training: the prior is the "
            "architecture itself.",
        ),
        (
            (
                "The pixels of the restored image, by gradient descent on a smoothness loss.",
                "pixels",
                "optimised the pixels directly",
                "DIP parametrises the image as f_θ(z) and optimises θ; the pixels follow.",
            ),
            (
                "A network pre-trained on ImageNet, fine-tuned on the image.",
                "pretrained",
                "assumed pre-training",
                "The network starts from random weights; nothing is learned from other images.",
            ),
            (
                "The input noise z only, with the weights frozen.",
                "z_only",
                "optimised z instead of the weights",
                "The weights are optimised; z is fixed.",
            ),
        ),
    ),
    (
        "Which loss does Deep Image Prior minimise for inpainting (mask m = 1 on known pixels)?",
        (
            "‖(f_θ(z) − x₀) ⊙ m‖²: the error on the known pixels only.",
            "The missing pixels get no loss at all; the architecture fills them in.",
        ),
        (
            (
                "‖f_θ(z) − x₀‖² over all pixels.",
                "all_pixels",
                "used all pixels",
                "That would force the network to reproduce the holes as well.",
            ),
            (
                "‖f_θ(z) − x_clean‖², the error to the clean image.",
                "clean_target",
                "compared with the clean image",
                "The clean image is unknown in inpainting.",
            ),
            (
                "‖(f_θ(z) − x₀) ⊙ (1 − m)‖²: the error on the missing pixels.",
                "inverted_mask",
                "inverted the mask",
                "The missing pixels have no target value to compare with.",
            ),
        ),
    ),
    (
        "Which loss does Deep Image Prior minimise for 4× super-resolution (x₀ the small image)?",
        (
            "‖d(f_θ(z)) − x₀‖²: downsample the large output and compare with the small image.",
            "The output is the high-resolution image; only its downsampled version can be checked "
            "against the data.",
        ),
        (
            (
                "‖f_θ(z) − x₀‖² with the output at the small size.",
                "same_size",
                "produced a small output",
                "Then nothing would be super-resolved: the output must be 4× larger.",
            ),
            (
                "‖f_θ(z) − up(x₀)‖²: compare with a bicubic upsampling.",
                "bicubic_target",
                "fitted a bicubic upsampling",
                "That would reproduce bicubic blur, not recover detail.",
            ),
            (
                "A perceptual (VGG-feature) loss against ImageNet statistics.",
                "perceptual",
                "assumed a learned perceptual loss",
                "DIP uses no pre-trained network at all.",
            ),
        ),
    ),
    (
        "Why can a randomly initialised CNN act as a prior for natural images at all?",
        (
            "Its convolutional structure fits natural, locally correlated images much faster than "
            "noise; the architecture itself is the prior.",
            "Ulyanov et al. show that fitting noise or shuffled pixels takes far more iterations "
            "than fitting a natural image.",
        ),
        (
            (
                "Because random weights already encode ImageNet statistics.",
                "random_knows",
                "credited the random weights",
                "Random weights encode nothing about images.",
            ),
            (
                "Because it is trained on many noisy/clean image pairs.",
                "pairs",
                "assumed training pairs",
                "DIP uses no pairs: one image, one network.",
            ),
            (
                "Because the input z is a blurred version of the image.",
                "blurred_z",
                "credited the input",
                "z is pure noise, independent of the image.",
            ),
        ),
    ),
)


def dip_concepts(rng: random.Random) -> Spec:
    """A Deep Image Prior concept question (multiple choice with explanations)."""
    index = rng.randrange(len(DIP_QUESTIONS))
    stem, (right, right_why), wrongs = DIP_QUESTIONS[index]
    options = [Option(right, "right", "", right_why)]
    options += [Option(text, key, label, why) for text, key, label, why in wrongs]
    rng.shuffle(options)
    return choice_spec(
        "Deep Image Prior: concepts",
        stem,
        options,
        hint="Deep Image Prior fits a randomly initialised CNN f_θ, from a fixed random input z,"
        " to the one corrupted image x₀; the architecture is the only prior.",
        rule="x* = f_θ*(z) with θ* = argmin_θ E(f_θ(z); x₀): random initial weights θ, a fixed "
        "noise input z, the corrupted image x₀ as the only data, stopped early",
        solution="Ulyanov, Vedaldi and Lempitsky, *Deep Image Prior* (CVPR 2018): x* = "
        "f_θ*(z), θ* = argmin_θ E(f_θ(z); x₀), stopped early.",
        torch_line="z = torch.rand(1, 32, H, W) * 0.1  # fixed; optimise net.parameters() on "
        "E(net(z), x0)",
        torch_result="(conceptual question: no number to compute)",
        params={"question": index},
    )
