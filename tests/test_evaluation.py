from __future__ import annotations

import pytest

from attribution.annotations import GoldAttribution
from attribution.evaluation import AttributionEvaluator, SpanCounts, bio_scores, bio_spans, charset

TEXT = "A military source told FNA that clashes are underway."
GOLD = GoldAttribution(source=((0, 17),), cue=((18, 22),), content=((32, 52),))


def test_charset_ignores_whitespace() -> None:
    assert charset("a b", [(0, 3)]) == frozenset({0, 2})


@pytest.mark.parametrize(
    ("predicted", "exact_source", "overlap_source", "relation"),
    [
        (GOLD, 1.0, 1.0, 1.0),
        (GoldAttribution(source=((2, 17),), cue=((18, 22),), content=((32, 52),)), 0.0, 1.0, 1.0),
        (GoldAttribution(source=((23, 26),), cue=((18, 22),), content=((32, 52),)), 0.0, 0.0, 0.0),
        (GoldAttribution(cue=((18, 22),), content=((32, 52),)), 0.0, 0.0, 0.0),
    ],
)
def test_exact_overlap_relation(
    predicted: GoldAttribution, exact_source: float, overlap_source: float, relation: float
) -> None:
    ev = AttributionEvaluator()
    ev.add_gold_pair(TEXT, [GOLD], [predicted])
    results = ev.results()
    assert results["source"]["exact"]["f1"] == exact_source
    assert results["source"]["overlap"]["f1"] == overlap_source
    assert results["relation"]["f1"] == relation
    assert results["cue"]["exact"]["f1"] == 1.0


def test_no_predictions_gives_zero_recall_and_no_division_error() -> None:
    ev = AttributionEvaluator()
    ev.add_gold_pair(TEXT, [GOLD], [])
    assert ev.results()["cue"]["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_overlap_matching_is_one_to_one() -> None:
    counts = SpanCounts()
    counts.add(gold=[frozenset({1, 2, 3})], predicted=[frozenset({1}), frozenset({2})], overlap=True)
    assert counts.scores() == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}


def test_discontinuous_content_compares_as_a_whole() -> None:
    gold = GoldAttribution(cue=((18, 22),), content=((0, 5), (32, 52)))
    ev = AttributionEvaluator()
    ev.add_gold_pair(TEXT, [gold], [GoldAttribution(cue=((18, 22),), content=((0, 5), (32, 52)))])
    assert ev.results()["content"]["exact"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("labels", "spans"),
    [
        (["B-CUE", "I-CUE", "O"], {("CUE", 0, 1)}),
        (["I-SOURCE", "O"], {("SOURCE", 0, 0)}),
        (["B-CUE", "B-CUE"], {("CUE", 0, 0), ("CUE", 1, 1)}),
        (["O", "O"], set()),
    ],
)
def test_bio_spans(labels: list[str], spans: set) -> None:
    assert bio_spans(labels) == spans


def test_bio_scores_micro() -> None:
    scores = bio_scores([["B-CUE", "O", "B-SOURCE"]], [["B-CUE", "O", "O"]])
    assert scores["f1_CUE"] == 1.0 and scores["f1_SOURCE"] == 0.0
    assert scores["f1"] == pytest.approx(0.6667)
