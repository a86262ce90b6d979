from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from attribution.annotations import (
    TECHNIQUES,
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
)
from attribution.plots import PLOT_FILES, save_confusion_matrix
from attribution.records import LoadedTerm, Sentence, TechniqueSpan
from attribution.term_evaluation import (
    TermEvaluator,
    align_techniques,
    evaluate_layers,
    format_term_metrics,
    merge_overlapping,
    sentence_scores,
    si_scores,
    tc_scores,
    term_attribute_counts,
    top_techniques,
)

PTC = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ptc_semeval2020"

# --- SemEval-2020 SI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        pytest.param({"a": [(0, 10)]}, {"a": [(0, 10)]}, (1.0, 1.0, 1.0, 1, 1), id="identical"),
        pytest.param({"a": [(0, 10)]}, {"a": [(5, 15)]}, (0.5, 0.5, 0.5, 1, 1), id="half-overlap"),
        # P = (10 + 10) / 30; R = (10/10 + 10/10) / 2
        pytest.param({"a": [(0, 10), (20, 30)]}, {"a": [(0, 30)]}, (0.6667, 1.0, 0.8, 2, 1), id="one-covers-two"),
        # s = (2, 12): P = 2/10 + 2/10 = 0.4; R = (2/4 + 2/10) / 2 = 0.35; F1 = 0.28 / 0.75
        pytest.param({"a": [(0, 4), (10, 20)]}, {"a": [(2, 12)]}, (0.4, 0.35, 0.3733, 2, 1), id="straddles-two"),
        # nested gold (2, 5) merges into (0, 10); overlapping predictions merge into (0, 8): P 8/8, R 8/10
        pytest.param(
            {"a": [(0, 10), (2, 5)]}, {"a": [(0, 4), (3, 8)]}, (1.0, 0.8, 0.8889, 1, 1), id="nested-and-overlapping"
        ),
        # touching spans share no character: not merged (P = (5 + 5)/10, R = (5/5 + 5/5)/2)
        pytest.param({"a": [(0, 5), (5, 10)]}, {"a": [(0, 10)]}, (1.0, 1.0, 1.0, 2, 1), id="touching-not-merged"),
        # summed over articles: P = 1/1, R = (5/10) / 2 gold spans
        pytest.param({"a": [(0, 10)], "b": [(0, 4)]}, {"a": [(0, 5)]}, (1.0, 0.25, 0.4, 2, 1), id="two-articles"),
        pytest.param(
            {"a": [(0, 10)]}, {"a": [(0, 10)], "b": [(0, 5)]}, (0.5, 1.0, 0.6667, 1, 2), id="prediction-without-gold"
        ),
        pytest.param({"a": [(0, 10)]}, {}, (0.0, 0.0, 0.0, 1, 0), id="no-predictions"),
        pytest.param({"a": []}, {"a": [(0, 3)]}, (0.0, 0.0, 0.0, 0, 1), id="no-gold"),
        pytest.param({"a": [(0, 10)]}, {"a": [(20, 30)]}, (0.0, 0.0, 0.0, 1, 1), id="disjoint"),
        # the official scorer's convention: F1 = 1 with neither gold nor predicted spans
        pytest.param({"a": []}, {}, (0.0, 0.0, 1.0, 0, 0), id="both-empty"),
    ],
)
def test_si_scores_hand_computed(gold: dict, predicted: dict, expected: tuple) -> None:
    result = si_scores(gold, predicted)
    assert (result["precision"], result["recall"], result["f1"]) == pytest.approx(expected[:3], abs=1e-4)
    assert (result["n_gold"], result["n_predicted"]) == expected[3:]


def _official_si(gold: dict, predicted: dict) -> tuple[float, float, float]:
    """An independent re-statement of the organisers' scorer: character sets, pairwise-merge, then sums."""

    def merged(spans: list[tuple[int, int]]) -> list[set[int]]:
        groups: list[set[int]] = []
        for start, end in spans:
            chars = set(range(start, end))
            for group in [g for g in groups if g & chars]:
                chars |= group
                groups.remove(group)
            groups.append(chars)
        return groups

    prec = rec = 0.0
    n_pred = n_gold = 0
    for article in set(gold) | set(predicted):
        g, p = merged(gold.get(article, [])), merged(predicted.get(article, []))
        n_gold, n_pred = n_gold + len(g), n_pred + len(p)
        for s in p:
            for t in g:
                prec += len(s & t) / len(s)
                rec += len(s & t) / len(t)
    precision = prec / n_pred if n_pred else 0.0
    recall = rec / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision > 0 and recall > 0 else 0.0
    return precision, recall, 1.0 if n_pred == n_gold == 0 else f1


@pytest.mark.parametrize("seed", range(5))
def test_si_scores_match_a_set_based_restatement_on_random_spans(seed: int) -> None:
    rng = random.Random(seed)

    def spans() -> list[tuple[int, int]]:
        out = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randint(0, 80)
            out.append((start, start + rng.randint(1, 25)))
        return out

    gold = {f"a{i}": spans() for i in range(4)}
    predicted = {f"a{i}": spans() for i in range(1, 5)}
    result = si_scores(gold, predicted)
    assert (result["precision"], result["recall"], result["f1"]) == pytest.approx(
        _official_si(gold, predicted), abs=1e-4
    )


@pytest.mark.parametrize("bad", [(5, 5), (7, 3), (-1, 4), (1.0, 2), (1,), "ab"])
def test_merge_overlapping_rejects_bad_spans(bad: Any) -> None:
    with pytest.raises(ValueError, match="is not \\(start, end\\) integers"):
        merge_overlapping([(0, 2), bad], where="gold spans of article 'x'")


@pytest.mark.data
@pytest.mark.skipif(not PTC.is_dir(), reason="../shared/data/ptc_semeval2020 is absent")
def test_merged_technique_spans_are_the_organisers_si_gold() -> None:
    techniques: dict[str, list[tuple[int, int]]] = defaultdict(list)
    si: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line in (PTC / "train-task-flc-tc.labels").read_text(encoding="utf-8").splitlines():
        article, _, start, end = line.split("\t")
        techniques[article].append((int(start), int(end)))
    for line in (PTC / "train-task-si.labels").read_text(encoding="utf-8").splitlines():
        article, start, end = line.split("\t")
        si[article].append((int(start), int(end)))
    result = si_scores(si, techniques)
    assert result["f1"] == 1.0 and result["n_gold"] == result["n_predicted"] > 5000


# --- technique classification ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probabilities", "k", "expected"),
    [
        ({"Doubt": 0.2, "Slogans": 0.5, "Repetition": 0.3}, 1, ["Slogans"]),
        ({"Doubt": 0.2, "Slogans": 0.5, "Repetition": 0.3}, 2, ["Slogans", "Repetition"]),
        ({"Slogans": 0.4, "Doubt": 0.4, "Repetition": 0.2}, 1, ["Doubt"]),  # tie: by name
    ],
)
def test_top_techniques(probabilities: dict, k: int, expected: list[str]) -> None:
    assert top_techniques(probabilities, k) == expected


def test_top_techniques_needs_k_candidates() -> None:
    with pytest.raises(ValueError, match="name 1 technique"):
        top_techniques({"Doubt": 1.0}, 2)


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        (["Doubt"], ["Doubt"], [("Doubt", "Doubt")]),
        (["Doubt", "Slogans"], ["Slogans", "Doubt"], [("Doubt", "Doubt"), ("Slogans", "Slogans")]),
        (["Doubt", "Slogans"], ["Slogans", "Repetition"], [("Slogans", "Slogans"), ("Doubt", "Repetition")]),
        (["Doubt", "Doubt"], ["Doubt", "Slogans"], [("Doubt", "Doubt"), ("Doubt", "Slogans")]),
    ],
)
def test_align_techniques_pairs_matches_first(gold: list, predicted: list, expected: list) -> None:
    assert align_techniques(gold, predicted) == expected


def test_tc_scores_micro_per_technique_and_confusion() -> None:
    pairs = [("Doubt", "Doubt"), ("Doubt", "Slogans"), ("Slogans", "Slogans"), ("Repetition", "Doubt")]
    result = tc_scores(pairs, labels=["Doubt", "Slogans", "Repetition"])
    assert result["micro_f1"] == 0.5 and result["n_spans"] == 4
    assert result["per_technique"]["Doubt"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "n_gold": 2}
    assert result["per_technique"]["Slogans"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "n_gold": 1}
    assert result["per_technique"]["Repetition"]["f1"] == 0.0
    assert result["confusion"]["matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
    sklearn = pytest.importorskip("sklearn.metrics")
    gold, predicted = zip(*pairs, strict=True)
    assert result["micro_f1"] == pytest.approx(sklearn.f1_score(gold, predicted, average="micro"), abs=1e-4)


def _tc_record(*techniques: tuple[tuple[int, int], str]) -> LabeledArticle:
    return LabeledArticle(
        id="t",
        text="The vile thugs will destroy everything we love.",
        layers=("techniques",),
        techniques=tuple(GoldTechnique(span=(span,), technique=name) for span, name in techniques),
    )


def test_tc_span_with_k_gold_techniques_takes_top_k() -> None:
    record = _tc_record(
        ((4, 14), "Name_Calling,Labeling"),
        ((4, 14), "Loaded_Language"),
        ((15, 46), "Appeal_to_fear-prejudice"),
    )
    spans = TermEvaluator.gold_technique_spans(record)
    assert spans == [
        (((4, 14),), ["Name_Calling,Labeling", "Loaded_Language"]),
        (((15, 46),), ["Appeal_to_fear-prejudice"]),
    ]
    probabilities = [
        {"Loaded_Language": 0.6, "Doubt": 0.3, "Name_Calling,Labeling": 0.1},  # top-2: one of two right
        {"Appeal_to_fear-prejudice": 0.7, "Doubt": 0.3},
    ]
    evaluator = TermEvaluator()
    evaluator.add(record, None, probabilities, None)
    techniques = evaluator.results()["techniques"]
    assert techniques["tc_micro_f1"] == pytest.approx(2 / 3, abs=1e-4) and techniques["tc_n_spans"] == 3
    assert "si_f1" not in techniques  # no report: span identification not scored
    assert techniques["per_technique"]["Name_Calling,Labeling"]["recall"] == 0.0
    labels = techniques["tc_confusion"]["labels"]
    assert labels == list(TECHNIQUES)
    matrix = techniques["tc_confusion"]["matrix"]
    assert matrix[labels.index("Name_Calling,Labeling")][labels.index("Doubt")] == 1


def test_tc_prediction_count_must_match_gold_spans() -> None:
    with pytest.raises(ValueError, match="record 't': 2 technique predictions for 1 gold spans"):
        TermEvaluator().add(_tc_record(((4, 14), "Doubt")), None, [{"Doubt": 1.0}, {"Doubt": 1.0}], None)


def test_si_in_evaluator_uses_report_technique_spans() -> None:
    record = _tc_record(((4, 14), "Name_Calling,Labeling"), ((4, 14), "Loaded_Language"), ((9, 14), "Doubt"))
    report = SimpleNamespace(
        loaded_terms=(), techniques=(TechniqueSpan("Loaded_Language", 9, 19, "thugs will", 0, 0.9),)
    )
    evaluator = TermEvaluator()
    evaluator.add(record, report, None, None)
    techniques = evaluator.results()["techniques"]
    # gold merges to (4, 14); s = (9, 19): P = 5/10, R = 5/10
    assert (techniques["si_precision"], techniques["si_recall"], techniques["si_f1"]) == (0.5, 0.5, 0.5)
    assert "tc_micro_f1" not in techniques
    assert techniques["si_f1"] == si_scores({"t": [(4, 14)]}, {"t": [(9, 19)]})["f1"]


# --- sentence bias -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "predicted"),
    [
        ([True, False, True, False], [True, False, False, False]),
        ([True, True, True], [False, False, False]),
        ([True, True, False, False, True], [True, True, False, True, True]),
        ([False, False], [False, False]),  # the biased class is absent on both sides: F1 0 for it
        ([True], [False]),
    ],
)
def test_sentence_scores_match_sklearn(gold: list[bool], predicted: list[bool]) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    result = sentence_scores(gold, predicted)
    labels = [True, False]
    macro = metrics.f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    assert result["macro_f1"] == pytest.approx(macro, abs=1e-4)
    assert result["accuracy"] == pytest.approx(metrics.accuracy_score(gold, predicted), abs=1e-4)
    for i, name in enumerate(("biased", "not_biased")):
        assert result[name]["precision"] == pytest.approx(precision[i], abs=1e-4)
        assert result[name]["recall"] == pytest.approx(recall[i], abs=1e-4)
        assert result[name]["f1"] == pytest.approx(f1[i], abs=1e-4)
        assert result[name]["n_gold"] == support[i]
    assert result["confusion"]["matrix"] == metrics.confusion_matrix(gold, predicted, labels=labels).tolist()


def test_sentence_scores_reject_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 gold sentence labels but 1 predictions"):
        sentence_scores([True, False], [True])


def test_sentence_predictions_must_line_up_with_gold_sentences() -> None:
    record = LabeledArticle(
        id="s", text="Awful. Fine.", layers=("sentence_labels",), sentence_labels=(GoldSentenceLabel(((0, 6),), True),)
    )
    with pytest.raises(ValueError, match="record 's': 2 sentence predictions for 1 gold"):
        TermEvaluator().add(record, None, None, [(True, 0.9), (False, 0.1)])


# --- loaded terms, layers, bootstrap, formatting ------------------------------------------------

TEXT = "The foreign-backed thugs attacked countless homes."


def _term(category: str, start: int, end: int) -> LoadedTerm:
    return LoadedTerm(category, start, end, TEXT[start:end], 0, 0.9)


def _terms_record(layers: tuple[str, ...] = ("loaded_terms",)) -> LabeledArticle:
    return LabeledArticle(
        id="t1",
        text=TEXT,
        layers=layers,
        loaded_terms=(
            GoldLoadedTerm(((4, 18),), "delegitimizing", "negative"),
            GoldLoadedTerm(((19, 24),), "name_calling", "negative"),
            GoldLoadedTerm(((34, 43),), "exaggeration"),
        ),
    )


@pytest.mark.parametrize(
    ("predicted", "category", "exact_f1", "overlap_f1"),
    [
        ([_term("name_calling", 19, 24)], "name_calling", 1.0, 1.0),
        ([_term("name_calling", 15, 24)], "name_calling", 0.0, 1.0),  # "ed thugs": overlaps only
        ([_term("loaded_language", 19, 24)], "name_calling", 0.0, 0.0),  # wrong category never matches
        ([_term("loaded_language", 19, 24)], "loaded_language", 0.0, 0.0),  # and is a false positive there
        ([_term("delegitimizing", 4, 18), _term("delegitimizing", 25, 33)], "delegitimizing", 0.6667, 0.6667),
        ([], "exaggeration", 0.0, 0.0),
    ],
)
def test_loaded_terms_per_category(predicted: list, category: str, exact_f1: float, overlap_f1: float) -> None:
    evaluator = TermEvaluator()
    evaluator.add(_terms_record(), SimpleNamespace(loaded_terms=tuple(predicted), techniques=()), None, None)
    scores = evaluator.results()["loaded_terms"]
    assert scores[category]["exact"]["f1"] == exact_f1
    assert scores[category]["overlap"]["f1"] == overlap_f1
    assert scores["micro"]["n_gold"] == 3 and scores["micro"]["n_predicted"] == len(predicted)


def test_loaded_terms_micro_sums_the_categories() -> None:
    predicted = (_term("name_calling", 19, 24), _term("exaggeration", 34, 39), _term("loaded_language", 25, 33))
    evaluator = TermEvaluator()
    evaluator.add(_terms_record(), SimpleNamespace(loaded_terms=predicted, techniques=()), None, None)
    micro = evaluator.results()["loaded_terms"]["micro"]
    assert micro["exact"] == {"precision": 0.3333, "recall": 0.3333, "f1": 0.3333}  # thugs only
    assert micro["overlap"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}  # + "counts" in "countless"


def test_unknown_predicted_category_is_an_error() -> None:
    report = SimpleNamespace(loaded_terms=(_term("slur", 19, 24),), techniques=())
    with pytest.raises(ValueError, match="record 't1': predicted loaded terms have unknown categories \\['slur'\\]"):
        TermEvaluator().add(_terms_record(), report, None, None)


def test_layers_not_listed_are_not_scored() -> None:
    record = _terms_record(layers=("attributions",))  # carries loaded terms, but not annotated for them
    evaluator = TermEvaluator()
    evaluator.add(record, SimpleNamespace(loaded_terms=(), techniques=()), [], [])
    assert evaluator.results() == {}
    assert evaluator.n_articles == {"loaded_terms": 0, "techniques_si": 0, "techniques_tc": 0, "sentence_labels": 0}


def test_listed_empty_layer_counts_false_positives() -> None:
    record = LabeledArticle(id="e", text=TEXT, layers=("loaded_terms",))
    evaluator = TermEvaluator()
    evaluator.add(record, SimpleNamespace(loaded_terms=(_term("name_calling", 19, 24),), techniques=()), None, None)
    assert evaluator.results()["loaded_terms"]["name_calling"]["exact"]["precision"] == 0.0


def test_bootstrap_intervals_sit_next_to_each_f1() -> None:
    evaluator = TermEvaluator()
    report = SimpleNamespace(loaded_terms=(_term("name_calling", 19, 24),), techniques=())
    for _ in range(3):
        evaluator.add(_terms_record(), report, None, None)
    results = evaluator.results_with_intervals(n=50, seed=1)
    ci = results["loaded_terms"]["name_calling"]["exact"]["ci"]
    assert ci == {"low": 1.0, "high": 1.0}  # identical articles: every resample scores the same
    assert results["loaded_terms"]["micro"]["exact"]["ci"] == {"low": 0.5, "high": 0.5}
    assert "ci" not in evaluator.results_with_intervals(n=0)["loaded_terms"]["micro"]["exact"]


def test_bootstrap_of_flat_scores_brackets_the_point_estimate() -> None:
    evaluator = TermEvaluator()
    for i, (gold, predicted) in enumerate([([True, False], [True, True]), ([True, True], [True, False])]):
        record = LabeledArticle(
            id=str(i),
            text="Ab. Cd.",
            layers=("sentence_labels", "techniques"),
            sentence_labels=(GoldSentenceLabel(((0, 3),), gold[0]), GoldSentenceLabel(((4, 7),), gold[1])),
            techniques=(GoldTechnique(((0, 2),), "Doubt"),),
        )
        report = SimpleNamespace(loaded_terms=(), techniques=(TechniqueSpan("Doubt", 0, 1 + i, "A", 0, 1.0),))
        tc = [{"Doubt": 0.9, "Slogans": 0.1}] if i else [{"Doubt": 0.1, "Slogans": 0.9}]
        evaluator.add(record, report, tc, [(p, 0.5) for p in predicted])
    results = evaluator.results_with_intervals(n=200, seed=0)
    for layer, key in (("techniques", "si_f1"), ("techniques", "tc_micro_f1"), ("sentence_labels", "macro_f1")):
        ci = results[layer][f"{key}_ci"]
        assert ci["low"] <= results[layer][key] <= ci["high"], key
    with pytest.raises(ValueError, match="confidence"):
        evaluator.bootstrap(n=10, confidence=1.5)


def test_format_term_metrics_prints_every_layer() -> None:
    evaluator = TermEvaluator()
    report = SimpleNamespace(loaded_terms=(_term("name_calling", 19, 24),), techniques=())
    evaluator.add(_terms_record(), report, None, None)
    evaluator.add(
        _tc_record(((4, 14), "Doubt")), SimpleNamespace(loaded_terms=(), techniques=()), [{"Doubt": 1.0}], None
    )
    record = LabeledArticle(
        id="s", text="Awful.", layers=("sentence_labels",), sentence_labels=(GoldSentenceLabel(((0, 6),), True),)
    )
    evaluator.add(record, None, None, [(True, 0.9)])
    text = format_term_metrics(evaluator.results_with_intervals(n=20))
    for expected in ("loaded terms", "name_calling", "micro", "F1 [CI]", "SemEval-2020 SI", "micro-F1", "Doubt"):
        assert expected in text
    assert "sentence bias" in text and "not_biased" in text and "macro-F1" in text


def test_save_confusion_matrix_rejects_a_non_square_matrix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected 2x2 counts"):
        save_confusion_matrix([[1, 2, 3]], ["a", "b"], tmp_path / "x.png", "t")


# --- running an analyzer, and the CLI ----------------------------------------------------------

ARTICLE = 'Officials said the "vile thugs" will destroy everything. The mayor disagreed.'


class FakeTermTagger:
    def __init__(self) -> None:
        self.calls: list[list[tuple[int, int]]] = []

    def classify_spans(self, article: Any, sentences: Any, spans: list[tuple[int, int]]) -> list[dict[str, float]]:
        self.calls.append(list(spans))
        return [{"Name_Calling,Labeling": 0.7, "Loaded_Language": 0.2, "Doubt": 0.1} for _ in spans]


class FakeSentenceBias:
    def predict(self, texts: list[str]) -> list[tuple[bool, float]]:
        return [("thugs" in t, 0.9 if "thugs" in t else 0.1) for t in texts]


class FakeAnalyzer:
    """What evaluate_layers uses of an Analyzer, with fixed outputs."""

    def __init__(self, *, terms: bool = True, bias: bool = True) -> None:
        self.tagger = SimpleNamespace(name="fake-tagger")
        self.term_tagger = FakeTermTagger() if terms else None
        self.sentence_bias = FakeSentenceBias() if bias else None
        self.analyzed: list[str] = []

    def segmenter(self, article: Any) -> list[Sentence]:
        return [Sentence(0, 0, len(article.text), article.text)]

    def analyze_many(self, articles: Any, *, batch_size: int = 32) -> Any:
        for article in articles:
            self.analyzed.append(article.id)
            start = article.text.find("vile thugs")
            terms = (LoadedTerm("name_calling", start + 5, start + 10, "thugs", 0, 0.9),) if start >= 0 else ()
            techniques = (
                (TechniqueSpan("Name_Calling,Labeling", start, start + 10, "vile thugs", 0, 0.9),) if start >= 0 else ()
            )
            yield SimpleNamespace(attributions=(), loaded_terms=terms, techniques=techniques)


def _records() -> list[LabeledArticle]:
    thugs = ARTICLE.index("vile thugs")
    return [
        LabeledArticle(
            id="full",
            text=ARTICLE,
            layers=("attributions", "loaded_terms", "techniques", "sentence_labels"),
            attributions=(GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 56),)),),
            loaded_terms=(GoldLoadedTerm(((thugs + 5, thugs + 10),), "name_calling", "negative"),),
            techniques=(
                GoldTechnique(((thugs, thugs + 10),), "Name_Calling,Labeling"),
                GoldTechnique(((thugs, thugs + 10),), "Loaded_Language"),
            ),
            sentence_labels=(GoldSentenceLabel(((0, 56),), True), GoldSentenceLabel(((57, 77),), False)),
        ),
        LabeledArticle(
            id="sentences-only",
            text="Thugs everywhere. It rained.",
            layers=("sentence_labels",),
            sentence_labels=(GoldSentenceLabel(((0, 17),), True), GoldSentenceLabel(((18, 28),), False)),
        ),
    ]


def test_evaluate_layers_scores_every_layer_and_analyzes_only_what_needs_a_report() -> None:
    analyzer = FakeAnalyzer()
    evaluation = evaluate_layers(analyzer, _records())
    assert analyzer.analyzed == ["full"]  # the sentence-only record needs no report
    assert analyzer.term_tagger.calls == [[(20, 30)]]  # one distinct gold technique span
    assert evaluation.skipped == ()
    assert evaluation.attributions is not None and evaluation.attributions.n_articles == 1
    results = evaluation.terms.results()
    assert results["loaded_terms"]["name_calling"]["exact"]["f1"] == 1.0
    assert results["techniques"]["si_f1"] == 1.0
    assert results["techniques"]["tc_micro_f1"] == 1.0  # top-2 of the fake = both gold techniques
    # "Thugs everywhere." is gold biased but has no lowercase "thugs": one miss out of four
    assert results["sentence_labels"]["accuracy"] == 0.75


def test_evaluate_layers_skips_layers_without_their_component() -> None:
    analyzer = FakeAnalyzer(terms=False, bias=False)
    evaluation = evaluate_layers(analyzer, _records())
    assert evaluation.terms.results() == {}
    assert evaluation.skipped == (
        "loaded_terms: skipped, the analyzer has no term tagger (1 record(s) carry the layer)",
        "techniques: skipped, the analyzer has no term tagger (1 record(s) carry the layer)",
        "sentence_labels: skipped, the analyzer has no sentence-bias classifier (2 record(s) carry the layer)",
    )
    assert evaluation.attributions is not None  # attributions are still scored


@pytest.fixture()
def labeled_file(tmp_path: Path) -> Path:
    path = tmp_path / "labeled.jsonl"
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in _records()), encoding="utf-8")
    return path


def _patch_analyzer(monkeypatch: pytest.MonkeyPatch, analyzer: FakeAnalyzer) -> None:
    from attribution.pipeline import Analyzer

    monkeypatch.setattr(Analyzer, "from_pretrained", classmethod(lambda cls, *args, **kwargs: analyzer))


def test_cli_evaluate_writes_json_and_plots(
    labeled_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from attribution.cli import main

    _patch_analyzer(monkeypatch, FakeAnalyzer())
    metrics_path, plots = tmp_path / "metrics.json", tmp_path / "plots"
    argv = ["evaluate", "--data", str(labeled_file), "--json", str(metrics_path), "--plots", str(plots)]
    assert main([*argv, "--bootstrap", "30"]) == 0
    printed = capsys.readouterr().out
    assert "2 articles, model fake-tagger" in printed
    for expected in ("relation", "loaded terms", "SemEval-2020 SI", "micro-F1", "sentence bias", "wrote"):
        assert expected in printed
    metrics = json.loads(metrics_path.read_text())
    assert set(metrics) == {"attributions", "loaded_terms", "term_attributes", "techniques", "sentence_labels"}
    assert metrics["loaded_terms"]["name_calling"]["exact"]["f1"] == 1.0
    # the gold term gives a polarity only; the fake's term has none
    assert metrics["term_attributes"] == {"polarity": {"accuracy": 0.0, "end_to_end": 0.0, "n_gold": 1, "n_matched": 1}}
    assert metrics["loaded_terms"]["name_calling"]["overlap"]["ci"] == {"low": 1.0, "high": 1.0}
    assert metrics["techniques"]["si_f1"] == 1.0 and metrics["techniques"]["tc_micro_f1"] == 1.0
    assert metrics["sentence_labels"]["macro_f1"] == 0.7333  # biased P 1 R .5; not biased P .667 R 1
    assert "macro_f1_ci" in metrics["sentence_labels"]
    for layer, name in PLOT_FILES.items():
        if layer in metrics:
            assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        else:  # no source_profile layer in these articles: no source-type plot
            assert not (plots / name).exists()


def test_cli_evaluate_says_which_layers_were_skipped(
    labeled_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from attribution.cli import main

    _patch_analyzer(monkeypatch, FakeAnalyzer(terms=False, bias=True))
    metrics_path = tmp_path / "metrics.json"
    assert main(["evaluate", "--data", str(labeled_file), "--json", str(metrics_path), "--bootstrap", "0"]) == 0
    printed = capsys.readouterr().out
    assert "loaded_terms: skipped, the analyzer has no term tagger" in printed
    assert "techniques: skipped, the analyzer has no term tagger" in printed
    assert set(json.loads(metrics_path.read_text())) == {"attributions", "sentence_labels"}


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([LabeledArticle(id="x", text="abc", layers=())], "no records with a layer to score"),
        (
            [
                LabeledArticle(
                    id="x",
                    text="Bad.",
                    layers=("sentence_labels",),
                    sentence_labels=(GoldSentenceLabel(((0, 4),), True),),
                )
            ],
            "nothing was scored: sentence_labels: skipped",
        ),
    ],
)
def test_cli_evaluate_errors_when_nothing_can_be_scored(
    records: list[LabeledArticle],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from attribution.cli import main

    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records), encoding="utf-8")
    _patch_analyzer(monkeypatch, FakeAnalyzer(terms=False, bias=False))
    assert main(["evaluate", "--data", str(path)]) == 2
    assert message in capsys.readouterr().err


# --- voice, polarity and target of loaded terms ----------------------------------------------------

_ATTR_TEXT = "The army said the ISIL terrorists fled, and the regime's thugs shelled the town."


def _found(term: str, voice: str = "indirect", polarity: str | None = "negative", target: str | None = None):  # type: ignore[no-untyped-def]
    start = _ATTR_TEXT.index(term)
    return LoadedTerm("name_calling", start, start + len(term), term, 0, 0.9, polarity, voice, target)


def _gold(term: str, voice: str | None = "indirect", polarity: str | None = "negative", target: str | None = None):  # type: ignore[no-untyped-def]
    start = _ATTR_TEXT.index(term)
    return GoldLoadedTerm(((start, start + len(term)),), "name_calling", polarity, target, voice)


@pytest.mark.parametrize(
    ("gold", "found", "counts"),  # voice (gold, matched, right), polarity (same), target (gold, matched, given, right)
    [
        pytest.param([_gold("terrorists", target="ISIL")], [_found("ISIL terrorists", target="ISIL")],
                     (1, 1, 1, 1, 1, 1, 1, 1, 1, 1), id="all-right"),
        pytest.param([_gold("terrorists", target="ISIL")], [_found("terrorists", target="Islamic State")],
                     (1, 1, 1, 1, 1, 1, 1, 1, 1, 1), id="target-alias"),
        pytest.param([_gold("terrorists", target="ISIL")], [_found("terrorists", "narrator", "positive", "army")],
                     (1, 1, 0, 1, 1, 0, 1, 1, 1, 0), id="all-wrong"),
        pytest.param([_gold("terrorists", target="ISIL")], [_found("terrorists")],
                     (1, 1, 1, 1, 1, 1, 1, 1, 0, 0), id="no-target-given"),
        pytest.param([_gold("terrorists", target="ISIL")], [_found("thugs", target="ISIL")],
                     (1, 0, 0, 1, 0, 0, 1, 0, 0, 0), id="missed"),
        pytest.param([_gold("thugs", None, None, None)], [_found("thugs")],
                     (0, 0, 0, 0, 0, 0, 0, 0, 0, 0), id="gold-gives-nothing"),
        pytest.param(  # the predicted term sharing most characters is the match
            [_gold("the regime's thugs", target="regime")],
            [_found("regime", "quoted"), _found("the regime's thugs", target="regime")],
            (1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            id="largest-overlap",
        ),
    ],
)  # fmt: skip
def test_term_attribute_counts(gold: list, found: list, counts: tuple[int, ...]) -> None:  # type: ignore[type-arg]
    record = LabeledArticle(id="a", text=_ATTR_TEXT, layers=("loaded_terms",), loaded_terms=tuple(gold))
    assert term_attribute_counts(record, found) == counts


def test_term_attributes_in_results_and_printed() -> None:
    evaluator = TermEvaluator()
    record = LabeledArticle(
        id="a",
        text=_ATTR_TEXT,
        layers=("loaded_terms",),
        loaded_terms=(_gold("terrorists", target="ISIL"), _gold("thugs", "narrator", target="regime")),
    )
    report = SimpleNamespace(loaded_terms=(_found("ISIL terrorists", target="ISIL"),), techniques=())
    evaluator.add(record, report, None, None)  # type: ignore[arg-type]
    attributes = evaluator.results()["term_attributes"]
    assert attributes["voice"] == {"accuracy": 1.0, "end_to_end": 0.5, "n_gold": 2, "n_matched": 1}
    assert attributes["target"]["given"] == 1.0 and attributes["target"]["precision_when_given"] == 1.0
    printed = format_term_metrics(evaluator.results())
    assert "voice, polarity and target" in printed and "target given for 100% of matched terms" in printed
