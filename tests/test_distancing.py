"""Distancing markers and their targets (annotation guidelines section 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from attribution.annotations import AnnotationError, LabeledArticle, read_annotations
from attribution.distancing import find_distancing
from attribution.profile_evaluation import DistancingEvaluator, GoldDistancing, gold_distancing
from attribution.records import Article, Attribution, DistancingMarker, Span
from attribution.segmenter import RuleSegmenter

DATA = Path(__file__).resolve().parent.parent / "attribution" / "resources" / "source_profile"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The so-called Syrian Observatory for Human Rights announced new figures.",
            [("so-called", "so-called", "Syrian Observatory for Human Rights")],
        ),
        ("Fighters of the self-proclaimed caliphate withdrew.", [("self-proclaimed", "self-proclaimed", "caliphate")]),
        ("The self-styled governor fled.", [("self-styled", "self-styled", "governor")]),
        ("Police arrested the alleged gunman near the station.", [("alleged", "alleged", "gunman")]),
        ("Fighters of a so-called Islamic emirate withdrew.", [("so-called", "so-called", "Islamic emirate")]),
        (
            "Officials opened a so-called “humanitarian corridor”.",
            [("so-called", "so-called", "humanitarian corridor")],
        ),
        (
            "Rebels allegedly fired mortars at a school, activists said.",
            [("alleged", "allegedly", "fired mortars at a school")],
        ),
        ("The purported video circulated online.", [("purported", "purported", "video")]),
        (
            "The army continued what it calls “mopping-up operations” in the valley.",
            [("what it calls", "what it calls", "mopping-up operations")],
        ),
        (
            "The militia announced what it described as a “humanitarian corridor”.",
            [("what it calls", "what it described as", "humanitarian corridor")],
        ),
        ("Washington keeps arming the “moderate” opposition.", [("scare_quotes", "“moderate”", "moderate")]),
        ('Residents fled the "liberated" districts.', [("scare_quotes", '"liberated"', "liberated")]),
        # negative cases: technical "so-called", nicknames, titles, names, quoted speech
        ("The so-called core prices rose 0.2 percent in March.", []),
        ("Astronomers are still hunting for so-called dark matter.", []),
        ("A man who goes by the name “Shorty” runs the checkpoint.", []),
        ("The commander, known to his men as “the Engineer”, was killed.", []),
        ("The documentary “Last Men in Aleppo” was nominated for an Oscar.", []),
        ('Rep. Robert C. "Bobby" Scott opened his house to voters.', []),
        ("“We will not leave our homes,” one resident said.", []),
        ("The minister said the operation was “proceeding according to plan.”", []),
        ("He called the ceasefire “a lie” and walked out.", []),
        ("Aid workers said the camp was “overwhelmed” and “running out of everything.”", []),
        ("Allegations of torture were sent to the UN committee.", []),
        # an indefinite "so-called" before a plain term defines it; "alleged" as a reporting verb
        ("Nurses measure each child's arm with a so-called MUAC band.", []),
        ("Such so-called double-tap strikes have killed rescuers before.", []),
        ("Rights groups have long alleged that detainees are beaten.", []),
        ("Activists alleged that the army used cluster munitions.", []),
        ("“The so-called rebels are terrorists and nothing else,” the minister said.", []),
        ('<tweet author="someone" id="12">Hello</tweet>', []),
    ],
)
def test_find_distancing(text: str, expected: list[tuple[str, str, str]]) -> None:
    markers = find_distancing(text)
    assert [(m.kind, m.text, m.target_text) for m in markers] == expected
    for marker in markers:
        assert text[marker.start : marker.end] == marker.text
        assert text[marker.target_start : marker.target_end] == marker.target_text


def test_quotes_inside_attribution_content_are_speech() -> None:
    text = "Officials described the mood as “stable” on Monday."
    assert [m.kind for m in find_distancing(text)] == []  # a speech verb before the quote
    text = "The observatory counted the dead in the “liberated” villages, the monitor reported."
    content = Span("CONTENT", 0, text.index(","), text[: text.index(",")], 0)
    attribution = Attribution((Span("CUE", 74, 82, "reported", 0),), (), (content,), "indirect", 0, 1.0)
    assert [m.kind for m in find_distancing(text)] == ["scare_quotes"]
    assert find_distancing(text, (), [attribution]) == ()


def test_sentence_index_and_type_error() -> None:
    text = "Troops advanced. The so-called Islamic State claimed the attack."
    sentences = RuleSegmenter()(Article(id="a", text=text))
    (marker,) = find_distancing(text, sentences)
    assert (marker.kind, marker.sentence_index, marker.target_text) == ("so-called", 1, "Islamic State")
    with pytest.raises(TypeError, match="text must be a string"):
        find_distancing(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["distancing.train.jsonl", "distancing.test.jsonl"])
def test_packaged_sets(name: str) -> None:
    records = list(read_annotations(DATA / name))
    assert len(records) >= 80
    negatives = sum(1 for r in records if not gold_distancing(r))
    assert 0.3 <= negatives / len(records) <= 0.5
    for record in records:
        assert record.layers == ("distancing",)
        for item in gold_distancing(record):
            assert item.span and item.target


@pytest.mark.parametrize("name", ["distancing.train.jsonl", "distancing.test.jsonl"])
def test_rules_on_the_packaged_sets(name: str) -> None:
    """A regression guard: the rules were written on the train set; the test set was held out (README)."""
    evaluator = DistancingEvaluator()
    segmenter = RuleSegmenter()
    for record in read_annotations(DATA / name):
        markers = find_distancing(record.text, segmenter(Article(id=record.id, text=record.text)))
        evaluator.add(record.text, gold_distancing(record), markers)
    scores = evaluator.results()
    assert scores["f1"] >= 0.9
    assert scores["target"]["f1"] >= 0.9


def test_evaluator_counts() -> None:
    text = "the so-called state and the “moderate” rebels"
    gold = [GoldDistancing(((4, 13),), ((14, 19),)), GoldDistancing(((28, 38),), ((29, 37),))]
    predicted = [
        DistancingMarker("so-called", 4, 13, "so-called", 0, 24, 27, "the"),
        DistancingMarker("x", 0, 3, "the", 0, 0, 3, "the"),
    ]
    evaluator = DistancingEvaluator()
    evaluator.add(text, gold, predicted)
    scores = evaluator.results()
    assert (scores["precision"], scores["recall"], scores["target"]["f1"]) == (0.5, 0.5, 0.0)
    assert (scores["n_gold"], scores["n_predicted"]) == (2, 2)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("nope", "field 'distancing' must be a list"),
        (["x"], r"distancing\[0\]: expected an object"),
        ([{"target": [[0, 1]]}], "field 'span' is required"),
        ([{"span": [[0, 99]]}], "outside the text"),
    ],
)
def test_gold_distancing_errors(items: object, message: str) -> None:
    record = LabeledArticle("a", "some text", ("distancing",), extra={"distancing": items})
    with pytest.raises(AnnotationError, match=message):
        gold_distancing(record)
