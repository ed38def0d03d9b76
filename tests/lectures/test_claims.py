"""The claim catalogue as data: every note covered, every claim well formed, the agreement rule."""

from __future__ import annotations

from collections import Counter

import pytest

from vizkit.lectures import NOTES, Claim, claims, compute, matches, note, shown
from vizkit.lectures.models import MODEL_RECIPES
from vizkit.lectures.recompute import RECIPES

ALL = claims()


def test_every_note_has_its_claims() -> None:
    counts = Counter(c.note for c in ALL)
    assert set(counts) == set(NOTES)
    # The numbers of the notes (see the closing report): tables dominate.
    assert counts == {
        "straka_npfl138": 141,
        "straka_npfl114": 138,
        "raschka_stat479": 55,
        "bakhshi": 51,
        "sarkar_cs60010": 183,
    }


def test_claim_ids_are_unique_and_sections_exist() -> None:
    assert len({c.id for c in ALL}) == len(ALL)
    for c in ALL:
        assert c.section in NOTES[c.note].sections, c.id
        assert c.id.startswith(f"{c.note}/")


def test_every_claim_names_a_known_recipe_with_hashable_arguments() -> None:
    known = set(RECIPES) | set(MODEL_RECIPES)
    for c in ALL:
        assert c.computation.recipe in known, c.id
        hash(c.computation)


def test_explanations_come_with_a_kind() -> None:
    explained = [c for c in ALL if c.explanation]
    assert explained and all(c.error_kind for c in explained)
    with pytest.raises(ValueError, match="explanation and an error_kind together"):
        Claim(
            "bakhshi",
            "6 Computational considerations",
            "x",
            "1",
            1,
            compute("gap_params"),
            explanation="why",
        )
    with pytest.raises(ValueError, match="error_kind 'oops' is not one of"):
        Claim(
            "bakhshi",
            "6 Computational considerations",
            "x",
            "1",
            1,
            compute("gap_params"),
            explanation="why",
            error_kind="oops",
        )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unit 0 must be > 0"):
        Claim(
            "bakhshi", "6 Computational considerations", "x", "1", 1, compute("gap_params"), unit=0
        )


def test_compute_refuses_unhashable_arguments() -> None:
    with pytest.raises(TypeError, match=r"layers=\['a'\] of recipe 'zoo_params'.*tuples"):
        compute("zoo_params", model="vgg:D", layers=["a"])


def test_notes_by_key() -> None:
    assert (
        note("bakhshi").citation == "Bakhshi, *Convolutional Neural Networks* lecture notes (2021)"
    )
    with pytest.raises(KeyError, match="no note named 'straka'"):
        note("straka")
    with pytest.raises(TypeError, match="note key must be a string"):
        note(3)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        claims("sarkar")


def _claim(value: object, *, unit: float = 1.0, step: float = 0.0) -> Claim:
    return Claim(
        "bakhshi",
        "6 Computational considerations",
        "x",
        str(value),
        value,  # type: ignore[arg-type]
        compute("gap_params"),
        unit=unit,
        step=step,
    )


@pytest.mark.parametrize(
    ("stated", "unit", "step", "computed", "agrees"),
    [
        (34_944, 1, 0, 34_944, True),  # printed exactly: exact
        (34_944, 1, 0, 34_945, False),
        (159, 1024, 1, 163_328, True),  # 159.5 K: truncated
        (380, 1024, 1, 388_096, False),  # 379.0 K is neither 380 rounded nor truncated
        (7.6, 1e9, 0.1, 7_570_194_432, True),  # 7.57 G: rounded
        (3.6, 1e9, 0.1, 3_663_761_408, True),  # 3.66 G: truncated
        (3.8, 1e9, 0.1, 4_089_184_256, False),  # v1.5: 4.09 G
        (-2.18, 1, 0.01, 7.89 - 10.07, True),  # 0.01 steps survive float noise
        (-3.45, 1, 0.01, 6.67 - 10.07, False),
        (72, 2**20, 1, 77_070_336, False),  # 73.5 MiB
        (140, 1e6, 10, 138_357_544, True),  # "140M": tens of millions
    ],
)
def test_agreement_rounds_or_truncates_to_the_printed_digits(
    stated: float, unit: float, step: float, computed: float, agrees: bool
) -> None:
    assert matches(_claim(stated, unit=unit, step=step), computed) is agrees


def test_agreement_of_shapes_and_truth_values() -> None:
    assert matches(_claim((55, 55, 96)), (55, 55, 96))
    assert not matches(_claim((55, 55, 96)), (54, 54, 96))
    assert not matches(_claim((55, 55, 96)), (55, 55))
    assert matches(_claim(True), True) and not matches(_claim(True), False)
    assert not matches(_claim(True), 1)  # a number is not a truth value
    assert not matches(_claim(1), (1,))


def test_shown_writes_the_note_s_unit() -> None:
    assert shown(_claim(380, unit=1024, step=1), 388_096) == "379.0K"
    assert shown(_claim(2.7, unit=1024, step=0.1), 9408) == "9.19K"
    assert shown(_claim(3.8, unit=1e9, step=0.1), 4_089_184_256) == "4.09G"
    assert shown(_claim(34_944), 34_944) == "34,944"
    assert shown(_claim(4.5), 4.5) == "4.5"
    assert shown(_claim((7, 7, 1024)), (7, 7, 1024)) == "7×7×1024"
    assert shown(_claim(True), False) == "no"
