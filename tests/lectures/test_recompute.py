"""Every claim recomputed: which ones agree, row by row, and the exact values of the gallery.

The gallery below is the closing note's list of seed errors: a claim flips to "agrees" or a
new disagreement appears only with a deliberate edit here (and an explanation in the claim).
"""

from __future__ import annotations

import pytest

from vizkit.lectures import ClaimTable, claims, recompute_claims

_GOOGLENET = {  # (row, what) → computed; the same in all three notes that print Table 1
    "googlenet-convolution-7x7-2-params": 9408,
    "googlenet-convolution-7x7-2-ops": 118_013_952,
    "googlenet-inception-3b-params": 388_096,
    "googlenet-inception-4a-params": 375_552,
    "googlenet-inception-4b-params": 448_512,
    "googlenet-inception-4c-params": 509_440,
    "googlenet-inception-4d-params": 604_672,
    "googlenet-inception-4e-params": 867_328,
    "googlenet-inception-5a-params": 1_042_432,
    "googlenet-inception-5a-ops": 51_079_168,
    "googlenet-inception-5b-params": 1_442_816,
}
_INCEPTION_V3 = {
    "inception-v3-conv-3x3-2-to-35x35-input-size": (71, 71, 192),
    "inception-v3-3xinception-figure-5-input-size": (35, 35, 192),
    "inception-v3-modules-as-in-figure-6": 4,
    "inception-v2-bn-auxiliary-inception-v3-cost-bn-ops": 5_713_216_096,
}
GALLERY: dict[str, object] = {
    "straka_npfl138/alexnet/alexnet-conv1-neurons": 290_400,
    "straka_npfl138/alexnet/the-same-sgd-update-once-the-learning-rate-is-divided-by-10": False,
    **{f"straka_npfl138/inception-googlenet/{k}": v for k, v in _GOOGLENET.items()},
    "straka_npfl138/inception-googlenet/table-3-compared-to-base-7-model-s-144-crop-s-6-67": -3.4,
    "straka_npfl138/batch-normalization/batchnorm-default": 1e-05,
    "straka_npfl138/batch-normalization/batchnorm-moving-average-momentum-default": 0.9,
    "straka_npfl138/batch-normalization/running-variance-update-with-the-batch-1-m-x": False,
    **{f"straka_npfl138/inception-v2-and-v3/{k}": v for k, v in _INCEPTION_V3.items()},
    "straka_npfl114/gradient-clipping/clipnorm-clips-the-gradient-as-a-whole": False,
    "straka_npfl114/alexnet/alexnet-conv1-neurons": 290_400,
    **{f"straka_npfl114/inception-googlenet/{k}": v for k, v in _GOOGLENET.items()},
    **{f"straka_npfl114/inception-v2-and-v3/{k}": v for k, v in _INCEPTION_V3.items()},
    "straka_npfl114/resnet/resnet-50-flops-on-torchvision-s-resnet-v1-5": 4_089_184_256,
    "straka_npfl114/resnet/resnet-101-flops-on-torchvision-s-resnet-v1-5": 7_801_405_440,
    "straka_npfl114/resnet/resnet-152-flops-on-torchvision-s-resnet-v1-5": 11_513_626_624,
    "straka_npfl114/resnet/resnet-18-flops-by-torch-utils-flop-counter": 3_628_146_688,
    "raschka_stat479/all-convolutional-network/"
    "do-windows-with-k-r-2-overlap-the-text-disjoint-only-if-r-k": False,
    "raschka_stat479/all-convolutional-network/model-a-parameters": 839_242,
    "raschka_stat479/all-convolutional-network/strided-cnn-a-parameters": 839_242,
    "raschka_stat479/all-convolutional-network/convpool-cnn-a-parameters": 1_254_250,
    "raschka_stat479/all-convolutional-network/all-cnn-a-parameters": 1_254_250,
    "raschka_stat479/all-convolutional-network/convpool-cnn-b-parameters": 1_300_618,
    "raschka_stat479/all-convolutional-network/all-cnn-b-parameters": 1_300_618,
    "raschka_stat479/all-convolutional-network/model-c-parameters": 954_730,
    "raschka_stat479/all-convolutional-network/strided-cnn-c-parameters": 954_730,
    "raschka_stat479/googlenet-inception-v1/receptive-field-of-the-network": 715,
    "bakhshi/3-2-4-spatial-arrangement/the-fraction-as-printed-10-3-0-2-1": 2.3333333333,
    "bakhshi/4-2-layer-size-patterns/memory-for-activations-and-gradients": 77_070_336,
    "bakhshi/5-4-googlenet/googlenet-parameters": 6_998_552,
    "sarkar_cs60010/alexnet-shape-walk/norm1-output": (55, 55, 96),
    "sarkar_cs60010/alexnet-shape-walk/norm2-output": (27, 27, 256),
    "sarkar_cs60010/zfnet/zfnet-conv3-4-5-filters": (384, 384, 256),
    "sarkar_cs60010/vgg-16-memory-and-parameter-walk/total-memory-values": 15_237_608,
    "sarkar_cs60010/vgg-16-memory-and-parameter-walk/total-memory-bytes-forward": 60_950_432,
    "sarkar_cs60010/googlenet/googlenet-parameters": 6_998_552,
    **{f"sarkar_cs60010/googlenet/{k}": v for k, v in _GOOGLENET.items()},
}


def test_the_gallery_has_seventy_two_rows() -> None:
    assert len(GALLERY) == 72


def test_every_row_agrees_exactly_when_it_is_not_in_the_gallery(table: ClaimTable) -> None:
    assert len(table) == len(claims())
    wrong = [
        (r.claim.id, r.claim.stated, r.shown) for r in table if r.agrees is (r.claim.id in GALLERY)
    ]
    assert wrong == [], f"agreement flags differ from the gallery: {wrong}"


def test_every_disagreement_is_explained_and_no_agreement_is(table: ClaimTable) -> None:
    for r in table:
        assert r.consistent, (r.claim.id, r.agrees, r.claim.explanation)
        if not r.agrees:
            assert r.claim.error_kind and len(r.explanation) > 40, r.claim.id


def test_the_gallery_values_are_the_computed_ones(table: ClaimTable) -> None:
    assert [r.claim.id for r in table.seed_errors()] == [
        r for r in GALLERY if r in {x.claim.id for x in table}
    ]
    for claim_id, expected in GALLERY.items():
        computed = table.row(claim_id).computed
        if isinstance(expected, float):
            assert computed == pytest.approx(expected), claim_id
        else:
            assert computed == expected and type(computed) is type(expected), claim_id


def test_the_all_cnn_table_is_called_inconsistent_where_it_is_more_than_rounding(
    table: ClaimTable,
) -> None:
    prefix = "raschka_stat479/all-convolutional-network/"
    kinds = {
        r.claim.id.removeprefix(prefix): r.claim.error_kind
        for r in table.seed_errors()
        if r.claim.id.startswith(prefix) and r.claim.id.endswith("-parameters")
    }
    assert kinds == {
        "model-a-parameters": "rounding",
        "strided-cnn-a-parameters": "rounding",
        **{
            f"{m}-parameters": "inconsistent"
            for m in ("convpool-cnn-a", "all-cnn-a", "convpool-cnn-b", "all-cnn-b")
        },
        "model-c-parameters": "inconsistent",
        "strided-cnn-c-parameters": "inconsistent",
    }
    row = table.row(prefix + "model-c-parameters")
    assert row.claim.value == 1.3 and round(row.computed / 1e6, 2) == 0.95  # type: ignore[operator]


def test_the_numbers_the_issue_names(table: ClaimTable) -> None:
    sarkar = table.note("sarkar_cs60010")
    # VGG-16's "24M" activations: the walk's own lines sum to 15.2 M
    assert (
        round(
            sarkar.row(
                "sarkar_cs60010/vgg-16-memory-and-parameter-walk/total-memory-values"
            ).computed
            / 1e6,
            1,
        )
        == 15.2
    )  # type: ignore[operator]
    # ResNet v1 agrees with the paper; torchvision's v1.5 does not
    straka = table.note("straka_npfl114")
    v1 = straka.row("straka_npfl114/resnet/resnet-50-flops-v1-the-paper-s")
    assert v1.agrees and v1.shown == "3.86G"
    # Bakhshi's parameter sharing
    row = table.row(
        "bakhshi/3-2-4-parameter-sharing-and-locally-connected-layers/parameters-without-sharing"
    )
    assert (row.computed, row.agrees) == (105_705_600, True)
    row = table.row(
        "bakhshi/3-2-4-parameter-sharing-and-locally-connected-layers/"
        "parameters-with-sharing-96-biases"
    )
    assert (row.computed, row.agrees) == (34_944, True)
    # "81% more": 49/27 − 1 = 81.5 %
    row = table.row(
        "sarkar_cs60010/stacks-of-3x3-convolutions/"
        "a-7x7-layer-has-81-more-parameters-than-three-3x3"
    )
    assert row.computed == pytest.approx(49 / 27 - 1) and row.agrees


def test_table_views(table: ClaimTable) -> None:
    counts = table.counts()
    assert sum(c["claims"] for c in counts.values()) == len(table)
    assert sum(c["disagree"] for c in counts.values()) == len(GALLERY)
    bakhshi = table.note("bakhshi")
    assert {r.claim.note for r in bakhshi} == {"bakhshi"} and len(bakhshi) == 51
    records = bakhshi.records()
    assert records[0]["note"] == "Bakhshi, *Convolutional Neural Networks* lecture notes (2021)"
    assert set(records[0]) >= {"section", "claim", "stated", "computed", "agrees", "how"}
    html = table.seed_errors()._repr_html_()
    assert html.count("<tr") == len(GALLERY) + 1 and "inconsistent" in html
    with pytest.raises(KeyError, match="no claim with id 'nope'"):
        table.row("nope")
    with pytest.raises(KeyError, match="no note named"):
        table.note("straka")


def test_recompute_a_subset_and_one_note() -> None:
    subset = [c for c in claims("bakhshi") if c.computation.recipe == "conv_size"]
    small = recompute_claims(claims=subset)
    assert len(small) == len(subset) and all(r.agrees for r in small)
    assert len(recompute_claims("raschka_stat479", claims=subset)) == 0
