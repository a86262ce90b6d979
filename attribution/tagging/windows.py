"""Pack sentences into encoder windows and label their tokens (no torch here).

Each window is ``[CLS] tokens of consecutive sentences [SEP]``, at most ``max_length``
tokens. Sentences are tokenized one by one; a sentence longer than a window is cut into
pieces. Every token keeps its article-level character offsets, so decoding maps labels
straight back to the article text.

Example:
    >>> LABELS
    ('O', 'B-SOURCE', 'I-SOURCE', 'B-CUE', 'I-CUE', 'B-CONTENT', 'I-CONTENT')

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attribution.annotations import GoldAttribution
from attribution.records import SPAN_LABELS, Sentence

LABELS: tuple[str, ...] = ("O",) + tuple(f"{prefix}-{label}" for label in SPAN_LABELS for prefix in ("B", "I"))
LABEL2ID = {label: i for i, label in enumerate(LABELS)}
IGNORE_INDEX = -100


@dataclass(frozen=True, slots=True)
class TokenWindow:
    """Encoder input for a run of sentences; special tokens have offset ``(-1, -1)``."""

    input_ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    sentence_indices: tuple[int, ...]


def build_windows(sentences: Sequence[Sentence], tokenizer: Any, *, max_length: int = 128) -> list[TokenWindow]:
    """Tokenize ``sentences`` and pack them, in order, into windows of at most ``max_length`` tokens."""
    if max_length < 8:
        raise ValueError(f"max_length must be at least 8, got {max_length}")
    if not sentences:
        return []
    encoded = tokenizer([s.text for s in sentences], add_special_tokens=False, return_offsets_mapping=True)
    budget = max_length - 2
    pieces: list[tuple[list[int], list[tuple[int, int]], int]] = []
    for sentence, ids, offsets in zip(sentences, encoded["input_ids"], encoded["offset_mapping"], strict=True):
        absolute = [(sentence.start + a, sentence.start + b) for a, b in offsets]
        for cut in range(0, max(len(ids), 1), budget):
            if ids[cut : cut + budget]:
                pieces.append((ids[cut : cut + budget], absolute[cut : cut + budget], sentence.index))
    windows: list[TokenWindow] = []
    ids_acc: list[int] = []
    off_acc: list[tuple[int, int]] = []
    sent_acc: list[int] = []

    def flush() -> None:
        if ids_acc:
            windows.append(
                TokenWindow(
                    input_ids=(tokenizer.cls_token_id, *ids_acc, tokenizer.sep_token_id),
                    offsets=((-1, -1), *off_acc, (-1, -1)),
                    sentence_indices=(-1, *sent_acc, -1),
                )
            )
            ids_acc.clear()
            off_acc.clear()
            sent_acc.clear()

    for ids, offsets, sentence_index in pieces:
        if len(ids_acc) + len(ids) > budget:
            flush()
        ids_acc.extend(ids)
        off_acc.extend(offsets)
        sent_acc.extend([sentence_index] * len(ids))
    flush()
    return windows


def char_roles(text_length: int, attributions: Sequence[GoldAttribution]) -> tuple[list[str | None], list[int]]:
    """Per-character role (``SOURCE``/``CUE``/``CONTENT`` or ``None``) and span id (-1 outside spans)."""
    roles: list[str | None] = [None] * text_length
    ids = [-1] * text_length
    for a_index, attribution in enumerate(attributions):
        for r_index, (role, fragments) in enumerate(
            (("SOURCE", attribution.source), ("CUE", attribution.cue), ("CONTENT", attribution.content))
        ):
            for start, end in fragments:
                for c in range(start, min(end, text_length)):
                    if roles[c] is None:
                        roles[c] = role
                        ids[c] = a_index * 3 + r_index
    return roles, ids


def window_labels(window: TokenWindow, roles: Sequence[str | None], span_ids: Sequence[int]) -> list[int]:
    """BIO label ids for a window's tokens; special tokens get ``IGNORE_INDEX``."""
    labels: list[int] = []
    previous_span = -1
    for start, end in window.offsets:
        if start < 0:
            labels.append(IGNORE_INDEX)
            previous_span = -1
            continue
        labelled = [c for c in range(start, end) if roles[c] is not None]
        if not labelled:
            labels.append(LABEL2ID["O"])
            previous_span = -1
            continue
        c = labelled[0]
        prefix = "I" if span_ids[c] == previous_span else "B"
        labels.append(LABEL2ID[f"{prefix}-{roles[c]}"])
        previous_span = span_ids[c]
    return labels
