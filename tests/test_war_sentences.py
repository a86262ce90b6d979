"""The hand-written war sentences for the sentence-bias classifier: valid, balanced, train and test apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attribution.annotations import read_annotations

RESOURCES = Path(__file__).resolve().parents[1] / "attribution" / "resources"
TRAIN = RESOURCES / "training" / "war_sentences.train.jsonl"
TRAIN_PART2 = RESOURCES / "training" / "war_sentences.train.part2.jsonl"  # one pair per war-lexicon term
TEST = RESOURCES / "evaluation" / "war_sentences.test.jsonl"
OTHER_HAND_WRITTEN = [
    *sorted((RESOURCES / "training").glob("war_terms.*.jsonl")),
    *sorted((RESOURCES / "evaluation").glob("war_reports.*.jsonl")),
    *sorted((RESOURCES / "source_profile").glob("war_sources*.jsonl")),
]


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.mark.parametrize(
    ("path", "size", "prefix", "hard_negatives"),
    [
        (TRAIN, 320, "war-sentences-train-", 60),
        (TRAIN_PART2, 372, "war-sentences-train2-", 50),
        (TEST, 200, "war-sentences-test-", 40),
    ],
)
def test_one_whole_sentence_label_per_record_and_half_biased(
    path: Path, size: int, prefix: str, hard_negatives: int
) -> None:
    records = list(read_annotations(path))
    assert len(records) == size and len({r.id for r in records}) == size
    assert len({_normalised(r.text) for r in records}) == size  # no repeated text
    for record in records:
        assert record.id.startswith(prefix) and record.layers == ("sentence_labels",)
        (label,) = record.sentence_labels
        assert label.span == ((0, len(record.text)),), record.id
        assert record.extra["meta"]["source"] == "handwritten"
        if record.extra["meta"]["hard_negative"]:  # a loaded-looking word in neutral use
            assert not label.biased, record.id
    assert sum(r.sentence_labels[0].biased for r in records) == size // 2
    assert sum(r.extra["meta"]["hard_negative"] for r in records) >= hard_negatives


def test_test_sentences_are_in_no_training_file() -> None:
    test = {_normalised(r.text) for r in read_annotations(TEST)}
    train = {_normalised(r.text) for path in (TRAIN, TRAIN_PART2) for r in read_annotations(path)}
    assert len(train) == 320 + 372  # the two training parts share no text either
    assert not test & train
    for path in OTHER_HAND_WRITTEN:
        texts = " ".join(_normalised(r.text) for r in read_annotations(path))
        assert not [t for t in test | train if t in texts], path.name
