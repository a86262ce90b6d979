"""Constrained BIO decoding: token probabilities -> article-level spans (numpy only, no torch).

Viterbi over log-probabilities with the BIO constraint (``I-X`` only after ``B-X`` or
``I-X``), then each ``B``/``I`` run becomes one :class:`~attribution.records.Span` with the
characters from its first token's start to its last token's end.

Example:
    >>> import numpy as np
    >>> probs = np.array([[0.1, 0.05, 0.05, 0.2, 0.5, 0.1, 0.0]])  # best alone is I-CUE
    >>> LABELS[int(viterbi_bio(np.log(probs + 1e-9))[0])]          # not allowed at the start
    'B-CUE'

"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attribution.records import Span, SpanLabel
from attribution.tagging.windows import LABELS, TokenWindow

_N = len(LABELS)


def _transition_mask() -> np.ndarray:
    allowed = np.ones((_N, _N), dtype=bool)
    for j, label in enumerate(LABELS):
        if label.startswith("I-"):
            role = label[2:]
            for i, prev in enumerate(LABELS):
                allowed[i, j] = prev in (f"B-{role}", f"I-{role}")
    return allowed


_ALLOWED = _transition_mask()
_START_ALLOWED = np.array([not label.startswith("I-") for label in LABELS])


def viterbi_bio(log_probs: np.ndarray) -> np.ndarray:
    """Best label sequence (ids) under the BIO constraint for ``log_probs`` of shape (tokens, labels)."""
    n = log_probs.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    penalty = np.where(_ALLOWED, 0.0, -1e9)
    score = log_probs[0] + np.where(_START_ALLOWED, 0.0, -1e9)
    back = np.zeros((n, _N), dtype=np.int64)
    for t in range(1, n):
        candidates = score[:, None] + penalty
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[t]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def decode_window(window: TokenWindow, probs: np.ndarray, text: str) -> list[Span]:
    """Spans for one window, from its token probabilities (shape: window tokens x labels)."""
    inner = [i for i, (start, _) in enumerate(window.offsets) if start >= 0]
    if not inner:
        return []
    token_probs = probs[inner]
    path = viterbi_bio(np.log(np.clip(token_probs, 1e-9, 1.0)))
    spans: list[Span] = []
    run: list[int] = []
    run_role = ""

    def close() -> None:
        if not run:
            return
        first, last = inner[run[0]], inner[run[-1]]
        start, end = window.offsets[first][0], window.offsets[last][1]
        score = float(np.mean([token_probs[k, path[k]] for k in run]))
        sentence_index = window.sentence_indices[first]
        role: SpanLabel = run_role  # type: ignore[assignment]
        spans.append(Span(role, start, end, text[start:end], sentence_index, round(score, 4)))

    for k, label_id in enumerate(path):
        label = LABELS[int(label_id)]
        same_sentence = bool(run) and window.sentence_indices[inner[k]] == window.sentence_indices[inner[run[-1]]]
        if label.startswith("I-") and run and label[2:] == run_role and same_sentence:
            run.append(k)
            continue
        close()
        run, run_role = ([k], label[2:]) if label != "O" else ([], "")
    close()
    return merge_adjacent(spans, text)


def merge_adjacent(spans: Sequence[Span], text: str) -> list[Span]:
    """Join same-role pieces of one sentence that only whitespace separates ("have" + "pointed out").

    Each token has at most one role in one attribution (PolNeAR), so two touching pieces of the
    same role are one span that the tagger restarted with a ``B-`` label.
    """
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.label == span.label
            and last.sentence_index == span.sentence_index
            and not text[last.end : span.start].strip()
        ):
            score = round((last.score + span.score) / 2, 4)
            merged[-1] = Span(last.label, last.start, span.end, text[last.start : span.end], last.sentence_index, score)
        else:
            merged.append(span)
    return merged
