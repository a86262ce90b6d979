"""The target ranker: its features, its file, how it is fitted, and the shipped one on articles written for these tests.

The articles are this project's own: two sides, speakers of each, and loaded terms whose target only the speaker and
the rest of the article make clear.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from attribution.aggregate import aggregate
from attribution.annotations import GoldLoadedTerm, LabeledArticle
from attribution.pipeline import default_model_dir
from attribution.records import Article, Attribution, LoadedTerm, Provenance, Sentence, Span
from attribution.target_ranking import (
    CONFIG_NAME,
    FEATURES,
    ArticleActors,
    TargetRanker,
    TermView,
    names_speaker,
    pair_features,
    rankable,
    speaker_names,
    targets_from_ranker,
    term_label_kind,
)
from attribution.target_ranking_training import (
    RankingExamples,
    choose_threshold,
    fit_ranker,
    gold_targets,
    net_targets,
    ranking_examples,
    target_scores,
    top_one_accuracy,
)

TEXT = (
    "The Harran Front attacked the village of Kessa on Monday. "
    "A Harran Front commander said his heroes had taken the hills. "
    "The army said the butchers fled toward the border."
)


def _sentences(text: str) -> list[Sentence]:
    out, start = [], 0
    for i, piece in enumerate(text.split(". ")):
        end = start + len(piece) + (1 if not piece.endswith(".") else 0)
        out.append(Sentence(i, start, end, text[start:end]))
        start = end + 1
    return out


def _span(label: str, text: str, phrase: str, sentence: int) -> Span:
    start = text.index(phrase)
    return Span(label, start, start + len(phrase), phrase, sentence)  # type: ignore[arg-type]


def _said(text: str, source: str, cue: str, content: str, sentence: int, source_type: str) -> Attribution:
    return Attribution(
        cue=(_span("CUE", text, cue, sentence),),
        source=(_span("SOURCE", text, source, sentence),),
        content=(_span("CONTENT", text, content, sentence),),
        kind="indirect",
        sentence_index=sentence,
        score=1.0,
        source_type=source_type,
    )


ATTRIBUTIONS = [
    _said(TEXT, "A Harran Front commander", "said", "his heroes had taken the hills", 1, "armed_group"),
    _said(TEXT, "The army", "said", "the butchers fled toward the border", 2, "military"),
]


def _term(text: str, word: str, polarity: str, attribution: int | None, sentence: int) -> LoadedTerm:
    start = text.index(word)
    voice = "narrator" if attribution is None else "indirect"
    return LoadedTerm(
        "name_calling", start, start + len(word), word, sentence, 0.9, polarity, voice, None, None, attribution
    )


HEROES = _term(TEXT, "heroes", "positive", 0, 1)
BUTCHERS = _term(TEXT, "butchers", "negative", 1, 2)


def _row(term: LoadedTerm, mention: str) -> dict[str, float]:
    actors = ArticleActors.of(TEXT, _sentences(TEXT))
    index = next(i for i, c in enumerate(actors.candidates) if c.text == mention)
    view = TermView.of(term, actors, ATTRIBUTIONS, [HEROES, BUTCHERS])
    return dict(zip(FEATURES, pair_features(view, index, actors).tolist(), strict=True))


@pytest.mark.parametrize(
    ("candidate", "speaker", "expected"),
    [
        ("Aravan Liberation Army", {"ala"}, True),  # its initials
        ("Sabran Brigades", {"brigades"}, True),  # "a Brigades commander": the name's last word is all it gives
        ("Kalvik army", {"kalvik"}, True),
        ("Federal Army", {"ala"}, False),
        ("army", {"army"}, False),  # not a name
        ("Federal Army", {"army", "kalvik"}, False),  # a shared role word alone does not tie them
        ("Harran Front", set(), False),
    ],
)
def test_names_speaker(candidate: str, speaker: set[str], expected: bool) -> None:
    assert names_speaker(candidate, frozenset(speaker)) is expected


def test_speaker_names_follow_a_person_named_before() -> None:
    first = _said(
        "a Brigades commander, Yusuf Karam, said", "a Brigades commander, Yusuf Karam,", "said", "said", 0, ""
    )
    later = _said("Karam said", "Karam", "said", "said", 0, "armed_group")
    stranger = _said("Layla said", "Layla", "said", "said", 0, "citizen")
    assert speaker_names(later, [first, later, stranger]) == {"brigades", "yusuf", "karam"}
    assert speaker_names(stranger, [first, later, stranger]) == {"layla"}
    assert speaker_names(None, [first]) == frozenset()


@pytest.mark.parametrize(
    ("words", "target", "span", "expected"),
    [
        ("terrorist gangs", None, None, True),
        ("terrorist gangs", "gangs", (10, 15), True),  # only the term's own head noun
        ("terrorist gangs", "insurgents", (40, 50), True),  # a kind of actor: a name may replace it
        ("terrorist gangs", "the regime", (40, 50), True),
        ("terrorist gangs", "Harran Front", (40, 52), False),  # a name from the rules stays
        ("terrorists", "Harran Front", (0, 10), False),  # a bare label given the name by the article rule
        ("ISIL terrorists", "ISIL", (0, 4), False),  # a name inside the term
    ],
)
def test_rankable(words: str, target: str | None, span: tuple[int, int] | None, expected: bool) -> None:
    term = LoadedTerm("name_calling", 0, len(words), words, 0, 0.9, target=target, target_span=span)
    assert rankable(term) is expected


@pytest.mark.parametrize(
    ("words", "kind"),
    [("the regime", "government"), ("mercenaries", "militant"), ("bandits", "militant"), ("occupiers", "force")],
)
def test_term_label_kind(words: str, kind: str) -> None:
    assert term_label_kind(LoadedTerm("name_calling", 0, len(words), words, 0, 0.9)) == kind


@pytest.mark.parametrize("words", ["butchers", "heroes", "liberated", "a President who cares about nothing"])
def test_term_label_kind_none(words: str) -> None:
    assert term_label_kind(LoadedTerm("name_calling", 0, len(words), words, 0, 0.9)) is None


def test_pair_features_tie_praise_to_the_speakers_side_and_abuse_to_the_other() -> None:
    heroes = _row(HEROES, "Harran Front")  # the S0 mention of the group whose commander speaks in S1
    assert heroes["own_side_positive"] == 1.0 and heroes["own_side_negative"] == 0.0
    assert (
        heroes["before"] == 1.0 and heroes["same_sentence"] == 0.0 and heroes["mentions"] == pytest.approx(np.log1p(2))
    )
    butchers_front = _row(BUTCHERS, "Harran Front")
    assert butchers_front["opponent_kind_negative"] == 1.0  # an army's speaker, an armed group
    assert butchers_front["other_side_negative"] == 1.0 and butchers_front["own_side_negative"] == 0.0
    butchers_army = _row(BUTCHERS, "army")
    assert butchers_army["in_speaker_source"] == 1.0 and butchers_army["own_side_negative"] == 1.0
    assert butchers_army["speaker_kind_negative"] == 1.0 and butchers_army["other_side_negative"] == 0.0


def _ranker(weights: dict[str, float], bias: float, threshold: float) -> TargetRanker:
    n = len(FEATURES)
    return TargetRanker(FEATURES, tuple(weights.get(f, 0.0) for f in FEATURES), bias, (0.0,) * n, (1.0,) * n, threshold)


def test_targets_from_ranker_gives_the_best_mention_above_the_threshold() -> None:
    ranker = _ranker({"own_side_positive": 3.0, "other_side_negative": 3.0, "named": 0.5}, -2.0, 0.5)
    terms = targets_from_ranker(TEXT, _sentences(TEXT), ATTRIBUTIONS, [HEROES, BUTCHERS], ranker)
    assert [(t.target, TEXT[slice(*t.target_span)]) for t in terms] == [
        ("Harran Front", "Harran Front"),
        ("Harran Front", "Harran Front"),
    ]
    strict = dataclasses.replace(ranker, threshold=0.99)
    assert [t.target for t in targets_from_ranker(TEXT, _sentences(TEXT), ATTRIBUTIONS, [BUTCHERS], strict)] == [None]


def test_targets_from_ranker_keeps_a_named_target_from_the_rules() -> None:
    named = dataclasses.replace(BUTCHERS, target="army", target_span=(0, 0))
    named = dataclasses.replace(named, target="Kessa")
    ranker = _ranker({"opponent_kind_negative": 3.0}, 0.0, 0.0)
    assert targets_from_ranker(TEXT, _sentences(TEXT), ATTRIBUTIONS, [named], ranker) == (named,)


def test_ranker_file_round_trip(tmp_path: Path) -> None:
    ranker = _ranker({"named": 1.5}, -0.25, 0.4)
    ranker.save_pretrained(tmp_path)
    loaded = TargetRanker.from_pretrained(tmp_path)
    assert loaded == ranker and loaded.name == str(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no target ranker here"),
        ("{not json", "not JSON"),
        (json.dumps({"features": ["before"], "weights": [1.0], "mean": [0.0], "scale": [1.0]}), "other features"),
        (json.dumps({"features": list(FEATURES), "weights": [1.0], "mean": [], "scale": []}), "numbers for"),
    ],
)
def test_ranker_file_errors_name_the_file(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / CONFIG_NAME).write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        TargetRanker.from_pretrained(tmp_path)
    assert str(tmp_path) in str(error.value)


def _labelled(text: str, gold: dict[str, str | None]) -> LabeledArticle:
    terms = tuple(
        GoldLoadedTerm(((text.index(word), text.index(word) + len(word)),), "name_calling", None, target)
        for word, target in gold.items()
    )
    return LabeledArticle(id="t", text=text, layers=("loaded_terms",), loaded_terms=terms)


def _attributions(text: str) -> list[Attribution]:
    """The commander's and the army's attributions of a two-sides article like :data:`TEXT`."""
    commander = text[text.index(". A ") + 2 : text.index(" commander") + len(" commander")]
    return [
        _said(text, commander, "said", "his heroes had taken the hills", 1, "armed_group"),
        _said(text, "The army", "said", "the butchers fled toward the border", 2, "military"),
    ]


def _report(text: str, terms: list[LoadedTerm], article_id: str = "t"):  # type: ignore[no-untyped-def]
    provenance = Provenance("0", "t", "b", "1")
    return aggregate(Article(article_id, text), _sentences(text), _attributions(text), provenance, loaded_terms=terms)


def test_ranking_examples_mark_the_mentions_of_the_gold_target() -> None:
    record = _labelled(TEXT, {"heroes": "Harran Front", "butchers": "Harran Front"})
    examples = ranking_examples([record], [_report(TEXT, [HEROES, BUTCHERS])])
    assert len(set(examples.terms.tolist())) == 2
    for term in (0, 1):
        rows = examples.terms == term
        assert examples.correct[rows].sum() == 2  # "Harran Front" twice; "army" and "Kessa" are wrong
        assert examples.correct[rows].sum() < rows.sum()


def test_a_gold_term_without_a_target_makes_every_mention_wrong() -> None:
    record = _labelled(TEXT, {"butchers": None})
    examples = ranking_examples([record], [_report(TEXT, [BUTCHERS])])
    assert examples.correct.sum() == 0 and len(examples.correct) > 0
    assert gold_targets(record, [BUTCHERS]) == {0: None}


def test_fit_ranker_needs_articles_with_right_mentions() -> None:
    record = _labelled(TEXT, {"butchers": None})
    examples = ranking_examples([record], [_report(TEXT, [BUTCHERS])])
    with pytest.raises(ValueError, match="too little to fit a target ranker"):
        fit_ranker(examples)


def test_fit_ranker_and_choose_threshold_on_a_small_set() -> None:
    rng = np.random.default_rng(0)
    n_terms, per_term = 40, 5
    rows = rng.normal(size=(n_terms * per_term, len(FEATURES)))
    correct = np.zeros(n_terms * per_term, dtype=int)
    correct[::per_term] = 1
    rows[correct == 1, FEATURES.index("named")] += 3.0  # the right mention is the named one
    terms = np.repeat(np.arange(n_terms), per_term)
    examples = RankingExamples(rows, correct, terms, terms // 4)
    ranker, report = fit_ranker(examples, cs=[0.1, 1.0])
    assert report["terms"] == n_terms and top_one_accuracy(examples, ranker.probabilities(rows)) > 0.9
    record = _labelled(TEXT, {"heroes": "Harran Front", "butchers": "Harran Front"})
    report_ = _report(TEXT, [HEROES, BUTCHERS])
    chosen, choice = choose_threshold(_ranker({"opponent_kind_negative": 4.0}, -2.0, 0.0), [record], [report_])
    assert choice["threshold"] == chosen.threshold
    assert all("net" in scores for scores in choice["by_threshold"].values())
    assert target_scores([record], [report_], None)["accuracy"] == 0.0  # no target without the ranker


@pytest.mark.parametrize(
    ("scores", "net"),
    [
        ({"accuracy": 0.5, "given": 0.5, "n_matched": 10, "given_without_gold": 0}, 5),
        ({"accuracy": 0.5, "given": 1.0, "n_matched": 10, "given_without_gold": 2}, -2),
        ({}, 0),
    ],
)
def test_net_targets(scores: dict[str, float], net: int) -> None:
    assert net_targets(scores) == net


SHIPPED = default_model_dir() / "target-ranker"


@pytest.mark.slow
@pytest.mark.skipif(not SHIPPED.is_dir(), reason="no shipped target ranker")
@pytest.mark.parametrize(
    ("text", "term", "target"),
    [
        pytest.param(
            "Fighters of the Sable Legion stormed the village of Tarsa at dawn, residents said. "
            "A Sable Legion commander, Omar Haddad, told reporters that his heroes had freed the village. "
            "The army said in a statement that the butchers had executed three farmers before fleeing.",
            "butchers",
            "Sable Legion",
            id="abuse-from-the-other-side",
        ),
        pytest.param(
            "Fighters of the Sable Legion stormed the village of Tarsa at dawn, residents said. "
            "A Sable Legion commander, Omar Haddad, told reporters that his heroes had freed the village. "
            "The army said in a statement that the butchers had executed three farmers before fleeing.",
            "heroes",
            "Sable Legion",
            id="praise-from-its-own-side",
        ),
        pytest.param(
            "The Sable Legion denied shelling Tarsa. The army said ISIL terrorists had fired the rockets from the "
            "hills.",
            "terrorists",
            "ISIL",
            id="a-name-in-the-term-stays",
        ),
    ],
)
def test_shipped_ranker_on_articles_written_for_this_test(text: str, term: str, target: str) -> None:
    from attribution.actors import same_actor
    from attribution.pipeline import Analyzer

    analyzer = Analyzer.from_pretrained(target_ranker=SHIPPED)
    # the ranker's first choice; whether it is given depends on the threshold, tested on its own above
    analyzer.target_ranker = dataclasses.replace(analyzer.target_ranker, threshold=0.0)
    report = analyzer.analyze(Article("t", text))
    found = [t for t in report.loaded_terms if term in t.text.lower()]
    assert found, f"the term tagger found no {term!r}"
    assert found[0].target is not None and same_actor(found[0].target, target), found[0]


class _StubAnalyzer:
    """Reports whose loaded terms are the gold ones, as the analyzer's would be for a perfect term tagger."""

    def __init__(self, terms: dict[str, list[LoadedTerm]]) -> None:
        self.terms = terms
        self.target_ranker = "kept"

    def analyze_many(self, articles):  # type: ignore[no-untyped-def]
        for article in articles:
            yield _report(article.text, self.terms[article.id], article.id)


SIDES = [("Harran Front", "Kessa"), ("Sable Legion", "Tarsa"), ("Qara Brigade", "Dumal"), ("Nahr Front", "Birin")]


def _article(group: str, village: str) -> str:
    return (
        f"The {group} attacked the village of {village} on Monday. "
        f"A {group} commander said his heroes had taken the hills. "
        "The army said the butchers fled toward the border."
    )


def test_train_target_ranker_writes_a_ranker_its_metrics_and_a_card(tmp_path: Path) -> None:
    from attribution.target_ranking_training import train_target_ranker

    records, terms = [], {}
    for i, (group, village) in enumerate(SIDES):
        text = _article(group, village)
        records.append(
            {
                "id": f"a{i}",
                "text": text,
                "layers": ["loaded_terms"],
                "loaded_terms": [
                    {"span": [[text.index(w), text.index(w) + len(w)]], "category": "name_calling", "target": group}
                    for w in ("heroes", "butchers")
                ],
            }
        )
        terms[f"a{i}"] = [_term(text, "heroes", "positive", 0, 1), _term(text, "butchers", "negative", 1, 2)]
    train, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in records[:3]), encoding="utf-8")
    dev.write_text(json.dumps(records[3]) + "\n", encoding="utf-8")
    analyzer = _StubAnalyzer(terms)
    metrics = train_target_ranker([train], [dev], tmp_path / "ranker", analyzer=analyzer, thresholds=(0.9, 0.5, 0.1))
    assert analyzer.target_ranker == "kept"  # put back after reading the articles without it
    ranker = TargetRanker.from_pretrained(tmp_path / "ranker")
    assert ranker.threshold == metrics["threshold"] and metrics["train_articles"] == 3
    assert metrics["dev_without_ranker"]["accuracy"] == 0.0
    assert metrics["dev_by_threshold"][str(ranker.threshold)]["accuracy"] == 1.0  # both dev targets right
    card = (tmp_path / "ranker" / "README.md").read_text(encoding="utf-8")
    assert "Target ranker" in card and "| 0.5 |" in card


def test_train_target_ranker_needs_dev_data_and_targets(tmp_path: Path) -> None:
    from attribution.target_ranking_training import train_target_ranker

    with pytest.raises(ValueError, match="needs --dev"):
        train_target_ranker([tmp_path / "x.jsonl"], [], tmp_path / "out", analyzer=_StubAnalyzer({}))
    text = _article(*SIDES[0])
    untargeted = {
        "id": "a",
        "text": text,
        "layers": ["loaded_terms"],
        "loaded_terms": [{"span": [[text.index("butchers"), text.index("butchers") + 8]], "category": "name_calling"}],
    }
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps(untargeted) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"data\.jsonl.*no loaded term gives a target"):
        train_target_ranker([data], [data], tmp_path / "out", analyzer=_StubAnalyzer({}))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--epochs", "3"], "--epochs does not apply to --task targets"),
        (["--init-model", "models/term-tagger"], "--init-model does not apply to --task targets"),
        ([], "--task targets needs --dev"),
    ],
)
def test_cli_train_targets_errors(
    tmp_path: Path, flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from attribution.cli import main

    data = tmp_path / "data.jsonl"
    data.write_text("", encoding="utf-8")
    assert main(["train", "--task", "targets", "--data", str(data), "--out", str(tmp_path / "out"), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
