"""The held-out war-reporting evaluation set (``resources/evaluation/war_reports.*.jsonl``): complete, valid, unseen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attribution.annotations import read_annotations
from attribution.profile_evaluation import gold_distancing
from attribution.profile_training import ProfileTrainingConfig
from attribution.term_training import TermTrainingConfig

RESOURCES = Path(__file__).resolve().parents[1] / "attribution" / "resources"
EVALUATION = sorted((RESOURCES / "evaluation").glob("war_reports.*.jsonl"))
LAYERS = {"attributions", "source_profile", "loaded_terms", "distancing"}
TRAINING_FILES = [
    *sorted((RESOURCES / "source_profile").glob("war_sources*.jsonl")),
    *sorted((RESOURCES / "training").glob("war_terms.*.jsonl")),
    *sorted((RESOURCES / "training").glob("war_targets.*.jsonl")),
    *sorted((RESOURCES / "source_profile").glob("distancing.*.jsonl")),
]


def _records() -> list:
    return [record for path in EVALUATION for record in read_annotations(path)]


def _sentences(text: str) -> set[str]:
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 40}


def test_the_set_is_there_and_every_article_carries_every_layer() -> None:
    records = _records()
    assert len(EVALUATION) == 2 and len(records) == 20
    assert len({r.id for r in records}) == len(records)
    for record in records:
        assert set(record.layers) == LAYERS, record.id
        assert record.attributions, record.id
        assert all(a.source_type is not None for a in record.attributions), record.id


@pytest.mark.parametrize("role", ["source", "cue", "content"])
def test_spans_are_inside_the_text_and_not_blank(role: str) -> None:
    for record in _records():
        for attribution in record.attributions:
            for start, end in getattr(attribution, role) or ():
                assert 0 <= start < end <= len(record.text), record.id
                piece = record.text[start:end]
                assert piece.strip() == piece and piece, (record.id, role, piece)


def test_loaded_terms_and_distancing_are_labelled() -> None:
    records = _records()
    assert sum(len(r.loaded_terms) for r in records) >= 100
    assert all(t.voice in ("narrator", "indirect", "quoted") for r in records for t in r.loaded_terms)
    markers = [m for r in records for m in gold_distancing(r)]
    assert len(markers) >= 20


def test_no_sentence_of_the_set_is_in_training_data() -> None:
    training = set()
    for path in TRAINING_FILES:
        for record in read_annotations(path):
            training |= _sentences(record.text)
    shared = [s for record in _records() for s in _sentences(record.text) if s in training]
    assert shared == []


def test_no_training_default_reads_the_evaluation_folder() -> None:
    defaults = [
        *ProfileTrainingConfig(out="m").extra_train_data,
        *TermTrainingConfig(train_data=["x"], out="m").extra_train_data,
    ]
    assert defaults and not any("evaluation" in Path(p).parts for p in defaults)
