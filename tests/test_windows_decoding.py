from __future__ import annotations

import numpy as np
import pytest

from attribution.annotations import GoldAttribution
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.tagging.decoding import decode_window, viterbi_bio
from attribution.tagging.windows import IGNORE_INDEX, LABEL2ID, LABELS, build_windows, char_roles, window_labels

TEXT = "A military source told FNA that clashes are underway. Residents said water ran low."


@pytest.fixture()
def windows(tiny_tagger):  # type: ignore[no-untyped-def]
    sentences = RuleSegmenter()(Article(id="t", text=TEXT))
    return sentences, build_windows(sentences, tiny_tagger.tokenizer, max_length=24)


def test_windows_keep_article_offsets_and_respect_the_limit(windows) -> None:  # type: ignore[no-untyped-def]
    sentences, built = windows
    assert all(len(w.input_ids) <= 24 for w in built)
    inner = [o for w in built for o in w.offsets if o[0] >= 0]
    assert inner == sorted(inner)
    assert all(0 <= s < e <= len(TEXT) for s, e in inner)
    assert {i for w in built for i in w.sentence_indices if i >= 0} == {0, 1}


def test_labels_follow_gold_spans(windows) -> None:  # type: ignore[no-untyped-def]
    _, built = windows
    gold = [GoldAttribution(source=((0, 17),), cue=((18, 22),), content=((32, 52),))]
    roles, ids = char_roles(len(TEXT), gold)
    labels = [LABELS[x] if x != IGNORE_INDEX else None for x in window_labels(built[0], roles, ids)]
    assert labels[0] is None and labels[1] == "B-SOURCE"
    assert "B-CUE" in labels and "B-CONTENT" in labels
    assert labels.count("B-SOURCE") == 1


def one_hot(names: list[str]) -> np.ndarray:
    probs = np.full((len(names), len(LABELS)), 0.01)
    for row, name in enumerate(names):
        probs[row, LABEL2ID[name]] = 0.92
        if name.startswith("I-"):  # the matching B- is the runner-up
            probs[row, LABEL2ID["B-" + name[2:]]] = 0.03
    return probs


@pytest.mark.parametrize(
    ("best", "decoded"),
    [
        (["O", "I-CUE", "I-CUE"], ["O", "B-CUE", "I-CUE"]),
        (["B-SOURCE", "I-SOURCE", "I-CUE"], ["B-SOURCE", "I-SOURCE", "B-CUE"]),
        (["B-CONTENT", "I-CONTENT", "O"], ["B-CONTENT", "I-CONTENT", "O"]),
    ],
)
def test_viterbi_never_starts_a_span_with_i(best: list[str], decoded: list[str]) -> None:
    path = viterbi_bio(np.log(one_hot(best)))
    assert [LABELS[i] for i in path] == decoded


def test_decode_window_spans_match_text(windows) -> None:  # type: ignore[no-untyped-def]
    sentences, built = windows
    window = built[0]
    names = ["O"] * len(window.input_ids)
    names[1:3] = ["B-SOURCE", "I-SOURCE"]
    spans = decode_window(window, one_hot(names), TEXT)
    assert len(spans) == 1 and spans[0].label == "SOURCE"
    assert spans[0].text == TEXT[spans[0].start : spans[0].end]
    assert 0.9 < spans[0].score <= 1.0


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        # touching pieces of one role in one sentence are one span
        ([("CUE", 0, 4, 0), ("CUE", 5, 16, 0)], [("CUE", "have pointed out")]),
        # a different role in between keeps them apart
        (
            [("CUE", 0, 4, 0), ("SOURCE", 5, 12, 0), ("CUE", 13, 16, 0)],
            [("CUE", "have"), ("SOURCE", "pointed"), ("CUE", "out")],
        ),
        # a word in between keeps them apart
        ([("CUE", 0, 4, 0), ("CUE", 13, 16, 0)], [("CUE", "have"), ("CUE", "out")]),
        # different sentences keep them apart
        ([("CONTENT", 0, 4, 0), ("CONTENT", 5, 12, 1)], [("CONTENT", "have"), ("CONTENT", "pointed")]),
    ],
)
def test_merge_adjacent(pieces: list[tuple[str, int, int, int]], expected: list[tuple[str, str]]) -> None:
    from attribution.records import Span
    from attribution.tagging.decoding import merge_adjacent

    text = "have pointed out"
    spans = [Span(label, s, e, text[s:e], sent) for label, s, e, sent in pieces]  # type: ignore[arg-type]
    assert [(s.label, s.text) for s in merge_adjacent(spans, text)] == expected
