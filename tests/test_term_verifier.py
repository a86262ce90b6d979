"""The loaded-term verifier: features of a decoded term, the stored regression, fitting and choosing thresholds."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from attribution.annotations import GoldLoadedTerm, LabeledArticle
from attribution.records import Article, LoadedTerm
from attribution.segmenter import RuleSegmenter
from attribution.tagging.term_tagger import TERM_GROUPS, TermTagger
from attribution.tagging.term_verifier import CategoryVerifier, TermVerifier, feature_names, term_features
from attribution.tagging.windows import TokenWindow
from attribution.term_verifier_training import (
    choose_verifier_thresholds,
    fit_category_verifier,
    fit_term_verifier,
    term_is_correct,
    verifier_examples,
)

# "[CLS] the puppet regime [SEP]": tokens 1-3 cover characters 0-3, 4-10, 11-17
WINDOW = TokenWindow((101, 1, 2, 3, 102), ((-1, -1), (0, 3), (4, 10), (11, 17), (-1, -1)), (-1, 0, 0, 0, -1))


def _probs(inside: dict[int, tuple[float, float]]) -> np.ndarray:
    """Two groups; ``inside`` maps a token to each group's P(I) (P(B) 0, the rest O)."""
    probs = np.zeros((5, 2, 3))
    probs[:, :, 0] = 1.0
    for token, values in inside.items():
        for group, value in enumerate(values):
            probs[token, group] = (1.0 - value, 0.0, value)
    return probs


@pytest.mark.parametrize(
    ("start", "end", "text", "expected"),
    [
        pytest.param(4, 17, "puppet regime", [0.7, 2, 13, 2, 0, 1, 0.8, 0.3, 0.7, 0.2], id="two-tokens"),
        pytest.param(0, 3, "The", [0.7, 1, 3, 1, 1, 0, 0.0, 0.0, 0.0, 0.0], id="capitalised-unmarked"),
        pytest.param(20, 25, "other", [0.7, 0, 5, 1, 0, 1, 0.0, 0.0, 0.0, 0.0], id="outside-every-window"),
    ],
)
def test_term_features(start: int, end: int, text: str, expected: list[float]) -> None:
    probs = _probs({2: (0.8, 0.1), 3: (0.6, 0.3)})
    term = LoadedTerm("name_calling", start, end, text, 0, 0.7)
    assert term_features(term, [WINDOW], [probs]) == pytest.approx(expected)
    assert len(feature_names(("a", "b"))) == len(expected)


def _verifier(threshold: float) -> TermVerifier:
    """A name_calling verifier on the term's score alone: P = sigmoid(10 * (score - 0.5))."""
    return TermVerifier(("score",), {"name_calling": CategoryVerifier((10.0,), 0.0, (0.5,), (1.0,), threshold)})


@pytest.mark.parametrize(
    ("category", "score", "threshold", "accepted"),
    [
        pytest.param("name_calling", 0.9, 0.5, True, id="likely-right"),
        pytest.param("name_calling", 0.4, 0.5, False, id="below-the-threshold"),
        pytest.param("name_calling", 0.5, 0.5, True, id="at-the-threshold"),
        pytest.param("name_calling", 0.0, 0.0, True, id="threshold-zero-keeps-all"),
        pytest.param("loaded_language", 0.0, 0.5, True, id="category-without-a-verifier"),
    ],
)
def test_verifier_accepts(category: str, score: float, threshold: float, accepted: bool) -> None:
    assert _verifier(threshold).accepts(category, np.array([score])) is accepted


def test_verifier_round_trip_and_thresholds() -> None:
    verifier = _verifier(0.3)
    again = TermVerifier.from_dict(json.loads(json.dumps(verifier.to_dict())), expected_features=("score",), where="x")
    assert again == verifier
    moved = verifier.with_thresholds({"name_calling": 0.6, "exaggeration": 0.9})
    assert moved.categories["name_calling"].threshold == 0.6 and set(moved.categories) == {"name_calling"}


@pytest.mark.parametrize(
    ("change", "expected_features", "message"),
    [
        pytest.param({}, ("score", "tokens"), "fitted on other features", id="other-features"),
        pytest.param({"features": []}, ("score",), "fitted on other features", id="no-features"),
        pytest.param({"weights": [1.0, 2.0]}, ("score",), r"name_calling verifier has \[1, 2\] numbers", id="sizes"),
    ],
)
def test_verifier_that_does_not_fit_is_refused(change: dict, expected_features: tuple, message: str) -> None:
    data = _verifier(0.3).to_dict()
    if "features" in change:
        data["features"] = change["features"]
    else:
        data["categories"]["name_calling"].update(change)
    with pytest.raises(ValueError, match=f"models/x: .*{message}"):
        TermVerifier.from_dict(data, expected_features=expected_features, where="models/x")


@pytest.mark.parametrize(
    ("category", "start", "end", "correct"),
    [
        pytest.param("name_calling", 4, 17, True, id="same-span"),
        pytest.param("name_calling", 11, 14, True, id="overlaps-the-second-fragment"),
        pytest.param("name_calling", 9, 11, False, id="between-the-fragments"),
        pytest.param("loaded_language", 4, 17, False, id="other-category"),
        pytest.param("name_calling", 17, 20, False, id="touching-is-not-overlapping"),
    ],
)
def test_term_is_correct(category: str, start: int, end: int, correct: bool) -> None:
    gold = (GoldLoadedTerm(((4, 9), (11, 17)), "name_calling"),)
    record = LabeledArticle("a", "the puppet regime fled", ("loaded_terms",), loaded_terms=gold)
    assert term_is_correct(record, category, start, end) is correct


def test_fit_category_verifier_chooses_c_by_grouped_auc() -> None:
    rng = np.random.default_rng(3)
    signal = rng.normal(size=300)
    x = np.column_stack([signal, rng.normal(size=300), np.ones(300)])  # a constant column is standardised safely
    y = (signal + 0.3 * rng.normal(size=300) > 0).astype(int)
    verifier, report = fit_category_verifier(x, y, np.arange(300) // 6, cs=[0.001, 1.0])
    assert set(report["cv_auc_by_c"]) == {"0.001", "1.0"} and report["c"] in (0.001, 1.0)
    assert report["cv_auc"] == max(report["cv_auc_by_c"].values()) > 0.85
    assert report["examples"] == 300 and 0.3 < report["share_right"] < 0.7
    likely, unlikely = (verifier.probability(np.array([v, 0.0, 1.0])) for v in (2.0, -2.0))
    assert likely > 0.8 > 0.2 > unlikely
    assert verifier.threshold == 0.0  # chosen later, on dev


@pytest.fixture(scope="module")
def tiny_terms(tiny_tagger):  # type: ignore[no-untyped-def]
    import torch

    torch.manual_seed(1)
    return TermTagger.from_trunk(tiny_tagger, trunk_layer=1)


def _regime_records(count: int) -> list[LabeledArticle]:
    """Articles where "puppet regime" is name_calling and "militants" is not a loaded term."""
    text = "The puppet regime shelled the town. Militants fled to the hills."
    gold = (GoldLoadedTerm(((4, 17),), "name_calling"),)
    return [LabeledArticle(f"r{i}", text, ("loaded_terms",), loaded_terms=gold) for i in range(count)]


def _words_verifier(fewest_words: int) -> dict:
    """A stored name_calling verifier that keeps terms of at least ``fewest_words`` words (weight on "words")."""
    names = feature_names(TERM_GROUPS)
    weights = [0.0] * len(names)
    weights[names.index("words")] = 20.0
    bias = -20.0 * (fewest_words - 0.5)
    verifier = CategoryVerifier(tuple(weights), bias, (0.0,) * len(names), (1.0,) * len(names), 0.5)
    return TermVerifier(names, {"name_calling": verifier}).to_dict()


@pytest.fixture(scope="module")
def sentence_marker(tiny_tagger):  # type: ignore[no-untyped-def]
    """A branch whose head marks every token inside name_calling and nothing else: one term per sentence."""
    import torch

    tagger = TermTagger.from_trunk(tiny_tagger, trunk_layer=1)
    head = tagger.branch.span_head
    with torch.no_grad():
        head.weight.zero_()
        bias = torch.tensor([5.0, 0.0, 0.0]).repeat(len(TERM_GROUPS))
        g = TERM_GROUPS.index("Name_Calling,Labeling")
        bias[3 * g : 3 * g + 3] = torch.tensor([0.0, 0.0, 5.0])
        head.bias.copy_(bias)
    return tagger


def test_tagger_drops_what_the_verifier_rejects(sentence_marker: TermTagger, tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = Article("a", "The puppet regime shelled the town. Militants fled to the hills.")
    sentences = RuleSegmenter()(article)
    unverified = sentence_marker.tag(article, sentences)
    sentence_long = ["The puppet regime shelled the town", "Militants fled to the hills"]
    assert [t.text for t in unverified.loaded_terms] == sentence_long
    sentence_marker.config = replace(sentence_marker.config, verifier=_words_verifier(6))
    verified = sentence_marker.tag(article, sentences)
    assert [t.text for t in verified.loaded_terms] == ["The puppet regime shelled the town"]
    assert verified.techniques == unverified.techniques  # technique spans are not verified
    sentence_marker.save_pretrained(tmp_path / "terms")
    assert TermTagger.from_pretrained(tmp_path / "terms", trunk=tiny_tagger).tag(article, sentences) == verified
    config = json.loads((tmp_path / "terms" / "term_tagger_config.json").read_text())
    config["verifier"]["features"] = config["verifier"]["features"][:-1]
    (tmp_path / "terms" / "term_tagger_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="term_tagger_config.json: the verifier was fitted on other features"):
        TermTagger.from_pretrained(tmp_path / "terms", trunk=tiny_tagger)
    sentence_marker.config = replace(sentence_marker.config, verifier={})


@pytest.mark.parametrize(
    ("keeps_lexicon_terms", "expected"),
    [
        pytest.param(True, ["The terrorists shelled the town"], id="a-war-lexicon-term-stays"),
        pytest.param(False, [], id="without-the-exception-both-go"),
    ],
)
def test_verifier_leaves_war_lexicon_terms_to_the_prior(
    sentence_marker: TermTagger, keeps_lexicon_terms: bool, expected: list[str]
) -> None:
    article = Article("a", "The terrorists shelled the town. Militants fled to the hills.")  # both 5 words
    verifier = TermVerifier.from_dict(_words_verifier(6), expected_features=feature_names(TERM_GROUPS), where="t")
    stored = replace(verifier, keeps_lexicon_terms=keeps_lexicon_terms).to_dict()
    sentence_marker.config = replace(sentence_marker.config, verifier=stored)
    try:
        kept = sentence_marker.tag(article, RuleSegmenter()(article)).loaded_terms
    finally:
        sentence_marker.config = replace(sentence_marker.config, verifier={})
    assert [t.text for t in kept] == expected


def test_verifier_examples_label_each_decoded_term(tiny_terms: TermTagger) -> None:
    from attribution.term_training import branch_outputs, build_term_features

    records = _regime_records(3)
    features = build_term_features(records, tiny_terms)
    outputs = branch_outputs(tiny_terms, features)
    original = tiny_terms.config
    try:
        tiny_terms.config = replace(original, threshold=0.3, group_thresholds={})
        examples = verifier_examples(tiny_terms, features, records, outputs, ["name_calling", "loaded_language"])
        first = [i for i, article in enumerate(features.article_of_window) if article == 0]
        raw, _ = tiny_terms.decode_unverified(
            [features.windows[i] for i in first],
            [outputs.spans[i] for i in first],
            [outputs.polarity[i] for i in first],
            records[0].text,
        )
    finally:
        tiny_terms.config = original
    for category, found in examples.items():
        terms = [t for t in raw.loaded_terms if t.category == category]
        assert found.features.shape == (3 * len(terms), len(feature_names(TERM_GROUPS)))
        assert found.correct.tolist() == [int(term_is_correct(records[0], category, t.start, t.end)) for t in terms] * 3
        assert found.articles.tolist() == [0] * len(terms) + [1] * len(terms) + [2] * len(terms)


def test_verifier_examples_leave_out_the_articles_after_the_records(sentence_marker: TermTagger) -> None:
    from attribution.term_training import branch_outputs, build_term_features

    records = _regime_records(3)  # in a training run the third would be the packed war set
    features = build_term_features(records, sentence_marker)
    outputs = branch_outputs(sentence_marker, features)
    found = verifier_examples(sentence_marker, features, records[:2], outputs, ["name_calling"])["name_calling"]
    assert found.articles.tolist() == [0, 0, 1, 1] and found.correct.tolist() == [1, 0, 1, 0]


def test_thresholds_are_chosen_on_the_sets_and_zero_drops_the_category(tiny_terms: TermTagger) -> None:
    from attribution.term_training import branch_outputs, build_term_features, mean_score, selection_score

    records = _regime_records(2)
    sets = [(build_term_features(records, tiny_terms), records)]
    outputs = [branch_outputs(tiny_terms, features) for features, _ in sets]
    verifier = TermVerifier.from_dict(_words_verifier(6), expected_features=feature_names(TERM_GROUPS), where="t")
    original = tiny_terms.config
    try:
        tiny_terms.config = replace(original, threshold=0.3, group_thresholds={})
        chosen, scores = choose_verifier_thresholds(tiny_terms, verifier, sets, outputs, [0.0, 0.5, 0.99])
        assert tiny_terms.config.verifier == {}  # choosing leaves the tagger as it was
        by_threshold = scores["name_calling"]
        assert set(by_threshold) == {"0.0", "0.5", "0.99"}
        assert by_threshold["0.0"] == mean_score(tiny_terms, sets, outputs, selection_score)  # 0 keeps every term
        best = max(by_threshold.values())
        first_best = next(float(t) for t, s in by_threshold.items() if s == best)
        if first_best == 0.0:
            assert chosen.categories == {}
        else:
            assert chosen.categories["name_calling"].threshold == first_best
    finally:
        tiny_terms.config = original


def test_fit_term_verifier_skips_a_category_with_too_few_terms(sentence_marker: TermTagger) -> None:
    from attribution.term_training import build_term_features

    records = _regime_records(2)
    features = build_term_features(records, sentence_marker)
    both = (features, records)
    report = fit_term_verifier(sentence_marker, both, [both], categories=["name_calling"], cs=[1.0], thresholds=[0.0])
    assert sentence_marker.config.verifier == {}
    assert report["categories"]["name_calling"]["skipped"] == "4 terms, 2 right"


def test_fit_term_verifier_learns_which_terms_are_right(sentence_marker: TermTagger) -> None:
    from attribution.term_training import build_term_features

    records = _regime_records(12)  # two terms an article: the first sentence (right) and the second (wrong)
    training = (build_term_features(records[:10], sentence_marker), records[:10])
    dev = (build_term_features(records[10:], sentence_marker), records[10:])
    report = fit_term_verifier(
        sentence_marker, training, [dev], categories=["name_calling"], cs=[1.0], thresholds=[0.0, 0.5]
    )
    try:
        fitted = report["categories"]["name_calling"]
        assert (fitted["examples"], fitted["share_right"], fitted["cv_auc"]) == (20, 0.5, 1.0)
        assert fitted["threshold"] == 0.5  # dropping the wrong sentence-long term scores better on dev
        assert fitted["selection_by_threshold"]["0.5"] > fitted["selection_by_threshold"]["0.0"]
        article = Article("a", records[0].text)
        kept = sentence_marker.tag(article, RuleSegmenter()(article)).loaded_terms
        assert [t.text for t in kept] == ["The puppet regime shelled the town"]
    finally:
        sentence_marker.config = replace(sentence_marker.config, verifier={})


_FITTED = {"examples": 1203, "share_right": 0.497, "c": 0.01, "cv_auc": 0.751}


@pytest.mark.parametrize(
    ("report", "present", "absent"),
    [
        pytest.param(
            {"categories": {"name_calling": {**_FITTED, "threshold": 0.3}}},
            ["- name_calling: 1203 training terms, 0.497 right; C 0.01", "threshold 0.3.", "war-lexicon match"],
            ["not used"],
            id="fitted-and-used",
        ),
        pytest.param(
            {"keeps_lexicon_terms": False, "categories": {"loaded_language": {**_FITTED, "threshold": None}}},
            ["- loaded_language: 1203 training terms", "not used (threshold 0"],
            ["war-lexicon match"],
            id="fitted-not-used-no-lexicon-exception",
        ),
        pytest.param(
            {"categories": {"exaggeration": {"skipped": "12 terms, 3 right"}}},
            ["- exaggeration: no verifier (12 terms, 3 right)."],
            ["training terms"],
            id="skipped",
        ),
        pytest.param(None, [], ["## Verifier"], id="no-verifier-no-section"),
    ],
)
def test_card_describes_the_verifier(report: dict | None, present: list[str], absent: list[str]) -> None:
    from attribution.model_card import _verifier_section

    text = "\n".join(_verifier_section(report))
    assert all(p in text for p in present) and not any(a in text for a in absent)
