"""Exercise generators: one function per topic, ``(random.Random) -> Spec``.

Each draws its numbers from the given generator, builds the real PyTorch layer, and takes the
answer from a real forward pass (autograd for receptive fields, ``FlopCounterMode`` for MACs,
``nn.BatchNorm2d`` for normalisation), never from the formula the exercise teaches. The
formulas appear only in the feedback and as the *wrong* answers a mistake produces. torch is
imported inside the functions, so importing this package stays instant.

One module per topic (``counts`` and ``pooling`` hold related topics): :mod:`.conv_size`,
:mod:`.transposed`, :mod:`.same_padding`, :mod:`.pooling` (pool sizes and pooled values),
:mod:`.conv_cell`, :mod:`.batchnorm`, :mod:`.counts` (parameters, MACs, memory),
:mod:`.receptive`, :mod:`.stacks` (3×3 stacks vs one large kernel), :mod:`.architectures`
(AlexNet / VGG shapes), :mod:`.dropout` and :mod:`.dip` (multiple choice, built by
:mod:`.choice`); :mod:`.common` holds what they share.
"""
