"""One metrics module for training and ``attribution evaluate`` (pure; no torch).

Span matching works on the set of non-whitespace characters a span covers, so a span made
of several fragments compares as a whole:

- ``exact``: the predicted span covers exactly the gold span's characters;
- ``overlap``: they share at least one character (one-to-one, largest overlap first);
- ``relation``: a predicted attribution matches a gold one when cue, source and content
  each overlap (a role that is empty on both sides counts as matching).

Example:
    >>> counts = SpanCounts()
    >>> counts.add(gold=[frozenset({1, 2})], predicted=[frozenset({1, 2}), frozenset({7})])
    >>> counts.scores()
    {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667}

"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from attribution.annotations import Fragments, GoldAttribution
from attribution.records import Attribution, Span

ROLES = ("cue", "source", "content")
CharSet = frozenset[int]


def prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict[str, float]:
    """Precision, recall, F1 rounded to 4 places (0.0 where undefined)."""
    precision = tp_pred / n_pred if n_pred else 0.0
    recall = tp_gold / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class SpanCounts:
    """Running true-positive and total counts for one kind of span."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def add(self, *, gold: Sequence[CharSet], predicted: Sequence[CharSet], overlap: bool = False) -> None:
        """Match ``predicted`` against ``gold`` one-to-one and add the counts."""
        self.n_pred += len(predicted)
        self.n_gold += len(gold)
        self.tp += _match_overlap(gold, predicted) if overlap else _match_exact(gold, predicted)

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1."""
        return prf(self.tp, self.n_pred, self.tp, self.n_gold)


def _match_exact(gold: Sequence[CharSet], predicted: Sequence[CharSet]) -> int:
    remaining: dict[CharSet, int] = {}
    for g in gold:
        remaining[g] = remaining.get(g, 0) + 1
    matched = 0
    for p in predicted:
        if remaining.get(p, 0) > 0:
            remaining[p] -= 1
            matched += 1
    return matched


def _match_overlap(gold: Sequence[CharSet], predicted: Sequence[CharSet]) -> int:
    candidates = sorted(
        ((len(g & p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted) if g & p),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    return len(used_gold)


def charset(text: str, fragments: Iterable[tuple[int, int]]) -> CharSet:
    """The non-whitespace character positions covered by ``fragments``."""
    return frozenset(c for start, end in fragments for c in range(start, end) if not text[c].isspace())


def _pieces(spans: Sequence[Span]) -> Fragments:
    return tuple((s.start, s.end) for s in spans)


@dataclass
class AttributionEvaluator:
    """Accumulates attribution metrics over articles.

    Example:
        >>> from attribution.annotations import GoldAttribution
        >>> ev = AttributionEvaluator()
        >>> ev.add_gold_pair("He said no", [GoldAttribution(cue=((3, 7),), source=((0, 2),))],
        ...                  [GoldAttribution(cue=((3, 7),), source=((0, 2),))])
        >>> ev.results()["relation"]["f1"]
        1.0

    """

    exact: dict[str, SpanCounts] = field(default_factory=lambda: {r: SpanCounts() for r in ROLES})
    overlap: dict[str, SpanCounts] = field(default_factory=lambda: {r: SpanCounts() for r in ROLES})
    relation: SpanCounts = field(default_factory=SpanCounts)
    n_articles: int = 0

    def add(self, text: str, gold: Sequence[GoldAttribution], predicted: Sequence[Attribution]) -> None:
        """Add one article: gold labels against the analyzer's attributions."""
        as_gold = [
            GoldAttribution(cue=_pieces(a.cue), source=_pieces(a.source), content=_pieces(a.content)) for a in predicted
        ]
        self.add_gold_pair(text, gold, as_gold)

    def add_gold_pair(self, text: str, gold: Sequence[GoldAttribution], predicted: Sequence[GoldAttribution]) -> None:
        """Add one article where both sides are in the annotation form."""
        self.n_articles += 1
        for role in ROLES:
            g = [charset(text, getattr(a, role)) for a in gold if getattr(a, role)]
            p = [charset(text, getattr(a, role)) for a in predicted if getattr(a, role)]
            g = [x for x in g if x]
            p = [x for x in p if x]
            self.exact[role].add(gold=g, predicted=p)
            self.overlap[role].add(gold=g, predicted=p, overlap=True)
        gold_sets = [tuple(charset(text, getattr(a, r)) for r in ROLES) for a in gold]
        pred_sets = [tuple(charset(text, getattr(a, r)) for r in ROLES) for a in predicted]
        used: set[int] = set()
        matched = 0
        for p in pred_sets:
            for gi, g in enumerate(gold_sets):
                if gi in used:
                    continue
                if all((gr & pr) or (not gr and not pr) for gr, pr in zip(g, p, strict=True)):
                    used.add(gi)
                    matched += 1
                    break
        self.relation.tp += matched
        self.relation.n_pred += len(pred_sets)
        self.relation.n_gold += len(gold_sets)

    def results(self) -> dict[str, Any]:
        """``{role: {"exact": prf, "overlap": prf, "support": n}, "relation": prf}``."""
        out: dict[str, Any] = {
            role: {
                "exact": self.exact[role].scores(),
                "overlap": self.overlap[role].scores(),
                "support": self.exact[role].n_gold,
            }
            for role in ROLES
        }
        out["relation"] = {**self.relation.scores(), "support": self.relation.n_gold}
        return out


def bio_spans(labels: Sequence[str]) -> set[tuple[str, int, int]]:
    """``(role, first, last)`` token spans of a BIO sequence; ``I`` without ``B`` starts a span."""
    spans = set()
    role, first = "", -1
    for i, label in enumerate([*labels, "O"]):
        if label.startswith("I-") and label[2:] == role:
            continue
        if role:
            spans.add((role, first, i - 1))
        role, first = (label[2:], i) if label != "O" else ("", -1)
    return spans


def bio_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Token-level exact span F1 per role and micro over roles (used during training).

    Example:
        >>> bio_scores([["B-CUE", "O"]], [["B-CUE", "O"]])["f1_CUE"]
        1.0

    """
    counts: dict[str, list[int]] = {}
    for g_seq, p_seq in zip(gold, predicted, strict=True):
        g, p = bio_spans(g_seq), bio_spans(p_seq)
        for role in {s[0] for s in g | p}:
            c = counts.setdefault(role, [0, 0, 0])
            gr = {s for s in g if s[0] == role}
            pr = {s for s in p if s[0] == role}
            c[0] += len(gr & pr)
            c[1] += len(pr)
            c[2] += len(gr)
    out = {f"f1_{role}": prf(c[0], c[1], c[0], c[2])["f1"] for role, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    out["f1"] = prf(total[0], total[1], total[0], total[2])["f1"]
    return out
