from __future__ import annotations

import pytest

from attribution.annotations import GoldAttribution
from attribution.evaluation import (
    METRICS,
    AttributionEvaluator,
    SpanCounts,
    bio_scores,
    bio_spans,
    bootstrap_f1,
    charset,
    format_metrics,
    paired_bootstrap,
    resample_weights,
)

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


SHIFTED = GoldAttribution(source=((2, 17),), cue=((18, 22),), content=((32, 52),))
SPURIOUS = GoldAttribution(cue=((23, 26),), content=((32, 52),))
# predictions per article, in turn: right, shifted source, missing, right plus a spurious one
VARIANTS = ([GOLD], [SHIFTED], [], [GOLD, SPURIOUS])


def _evaluator_over_mixed_articles(n_articles: int = 30) -> AttributionEvaluator:
    ev = AttributionEvaluator()
    for i in range(n_articles):
        ev.add_gold_pair(TEXT, [GOLD], VARIANTS[i % len(VARIANTS)])
    return ev


def _f1s(results: dict) -> list[float]:
    return [results[role][kind]["f1"] if kind else results[role]["f1"] for role, kind in METRICS]


def test_per_article_counts_add_up_to_the_totals() -> None:
    ev = _evaluator_over_mixed_articles()
    counts = ev.count_matrix()
    assert counts.shape == (30, len(METRICS), 3)
    totals = counts.sum(axis=0)
    assert tuple(totals[METRICS.index(("cue", "exact"))]) == (ev.exact["cue"].tp, ev.exact["cue"].n_pred, 30)
    assert tuple(totals[METRICS.index(("relation", ""))]) == (ev.relation.tp, ev.relation.n_pred, 30)


def test_bootstrap_f1_matches_prf_on_a_resample() -> None:
    ev = _evaluator_over_mixed_articles(8)
    weights = resample_weights(8, 3, seed=5)
    assert weights.sum(axis=1).tolist() == [8, 8, 8]
    f1 = bootstrap_f1(ev.count_matrix(), weights)
    for r in range(3):
        resampled = AttributionEvaluator()
        for article, times in enumerate(weights[r]):
            for _ in range(times):
                resampled.add_gold_pair(TEXT, [GOLD], VARIANTS[article % len(VARIANTS)])
        assert f1[r] == pytest.approx(_f1s(resampled.results()), abs=1e-4)


def test_bootstrap_is_deterministic_with_a_seed_and_contains_the_point_estimate() -> None:
    ev = _evaluator_over_mixed_articles()
    first, again, other = ev.bootstrap(n=300, seed=7), ev.bootstrap(n=300, seed=7), ev.bootstrap(n=300, seed=8)
    assert first == again
    assert first != other
    assert first["n_resamples"] == 300 and first["n_articles"] == 30 and first["confidence"] == 0.95
    results = ev.results()
    for role, kind in METRICS:
        point = results[role][kind]["f1"] if kind else results[role]["f1"]
        ci = first[role][kind] if kind else first[role]
        assert ci["low"] <= point <= ci["high"], (role, kind, ci, point)
    # the interval is not degenerate on varied articles, and widens with the confidence level
    assert first["cue"]["exact"]["low"] < first["cue"]["exact"]["high"]
    wide = ev.bootstrap(n=300, seed=7, confidence=0.99)["relation"]
    assert wide["low"] <= first["relation"]["low"] and wide["high"] >= first["relation"]["high"]


def test_bootstrap_with_one_article_is_the_point_estimate() -> None:
    ev = AttributionEvaluator()
    ev.add_gold_pair(TEXT, [GOLD], [GOLD, SPURIOUS])
    intervals, results = ev.bootstrap(n=50), ev.results()
    for role, kind in METRICS:
        point = results[role][kind]["f1"] if kind else results[role]["f1"]
        assert (intervals[role][kind] if kind else intervals[role]) == {"low": point, "high": point}
    assert intervals["cue"]["exact"] == {"low": 0.6667, "high": 0.6667}


def test_bootstrap_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="at least one evaluated article"):
        AttributionEvaluator().bootstrap()
    ev = _evaluator_over_mixed_articles(4)
    with pytest.raises(ValueError, match="at least one resample"):
        ev.bootstrap(n=0)
    with pytest.raises(ValueError, match="confidence"):
        ev.bootstrap(confidence=1.5)


def test_results_with_intervals_keeps_the_keys_and_adds_ci() -> None:
    ev = _evaluator_over_mixed_articles()
    plain, with_ci = ev.results(), ev.results_with_intervals(n=100)
    for role in ("cue", "source", "content"):
        for kind in ("exact", "overlap"):
            assert set(with_ci[role][kind]) == {"precision", "recall", "f1", "ci"}
            assert {k: with_ci[role][kind][k] for k in ("precision", "recall", "f1")} == plain[role][kind]
    assert set(with_ci["relation"]) == {"precision", "recall", "f1", "support", "ci"}
    assert "ci" not in plain["relation"], "results() is not changed by the bootstrap"
    assert ev.results_with_intervals(n=0) == plain
    table = format_metrics(with_ci)
    assert "F1 [CI]" in table and f"[{with_ci['relation']['ci']['low']:.3f}," in table
    assert "F1 [CI]" not in format_metrics(plain)


def test_paired_bootstrap_of_a_system_against_itself_and_a_better_one() -> None:
    worse = _evaluator_over_mixed_articles()
    same = paired_bootstrap(worse, worse, n=200)
    assert same["relation"]["delta"] == 0.0 and same["relation"]["b_better"] == 0.0
    assert same["relation"]["delta_ci"] == {"low": 0.0, "high": 0.0}
    perfect = AttributionEvaluator()
    for _ in range(30):
        perfect.add_gold_pair(TEXT, [GOLD], [GOLD])
    better = paired_bootstrap(worse, perfect, n=200, seed=3)
    relation = better["relation"]
    assert relation["b"] == 1.0 and relation["delta"] == pytest.approx(1.0 - relation["a"], abs=1e-4)
    assert relation["b_better"] == 1.0 and relation["delta_ci"]["low"] > 0
    assert paired_bootstrap(worse, perfect, n=200, seed=3) == better
    assert "delta_ci" not in paired_bootstrap(worse, perfect, n=0)["relation"]


def test_paired_bootstrap_needs_the_same_articles() -> None:
    with pytest.raises(ValueError, match="same articles"):
        paired_bootstrap(_evaluator_over_mixed_articles(4), _evaluator_over_mixed_articles(5))
