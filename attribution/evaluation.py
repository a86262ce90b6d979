"""One metrics module for training and ``attribution evaluate`` (pure; numpy, no torch).

Span matching works on the set of non-whitespace characters a span covers, so a span made
of several fragments compares as a whole:

- ``exact``: the predicted span covers exactly the gold span's characters;
- ``overlap``: they share at least one character (one-to-one, largest overlap first);
- ``relation``: a predicted attribution matches a gold one when cue, source and content
  each overlap (a role that is empty on both sides counts as matching).

Confidence intervals come from an article-level bootstrap: the evaluator keeps each article's
counts, resamples articles with replacement and reports percentile intervals of each F1
(:meth:`AttributionEvaluator.bootstrap`); :func:`paired_bootstrap` compares two systems on the
same resampled articles.

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
KINDS = ("exact", "overlap")
#: The F1 scores that get bootstrap intervals, as ``(role, kind)``; ``("relation", "")`` is the relation F1.
METRICS: tuple[tuple[str, str], ...] = (*((role, kind) for role in ROLES for kind in KINDS), ("relation", ""))
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
    """Accumulates attribution metrics over articles, keeping each article's counts for the bootstrap.

    Example:
        >>> from attribution.annotations import GoldAttribution
        >>> ev = AttributionEvaluator()
        >>> ev.add_gold_pair("He said no", [GoldAttribution(cue=((3, 7),), source=((0, 2),))],
        ...                  [GoldAttribution(cue=((3, 7),), source=((0, 2),))])
        >>> ev.results()["relation"]["f1"]
        1.0
        >>> ev.bootstrap(n=100)["relation"]
        {'low': 1.0, 'high': 1.0}

    """

    exact: dict[str, SpanCounts] = field(default_factory=lambda: {r: SpanCounts() for r in ROLES})
    overlap: dict[str, SpanCounts] = field(default_factory=lambda: {r: SpanCounts() for r in ROLES})
    relation: SpanCounts = field(default_factory=SpanCounts)
    n_articles: int = 0
    #: One row per article: ``(tp, n_pred, n_gold)`` for each of :data:`METRICS`, flattened.
    article_counts: list[tuple[int, ...]] = field(default_factory=list)

    def add(self, text: str, gold: Sequence[GoldAttribution], predicted: Sequence[Attribution]) -> None:
        """Add one article: gold labels against the analyzer's attributions."""
        as_gold = [
            GoldAttribution(cue=_pieces(a.cue), source=_pieces(a.source), content=_pieces(a.content)) for a in predicted
        ]
        self.add_gold_pair(text, gold, as_gold)

    def add_gold_pair(self, text: str, gold: Sequence[GoldAttribution], predicted: Sequence[GoldAttribution]) -> None:
        """Add one article where both sides are in the annotation form."""
        self.n_articles += 1
        article: dict[tuple[str, str], SpanCounts] = {}
        for role in ROLES:
            g = [charset(text, getattr(a, role)) for a in gold if getattr(a, role)]
            p = [charset(text, getattr(a, role)) for a in predicted if getattr(a, role)]
            g = [x for x in g if x]
            p = [x for x in p if x]
            article[role, "exact"] = SpanCounts()
            article[role, "exact"].add(gold=g, predicted=p)
            article[role, "overlap"] = SpanCounts()
            article[role, "overlap"].add(gold=g, predicted=p, overlap=True)
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
        article["relation", ""] = SpanCounts(tp=matched, n_pred=len(pred_sets), n_gold=len(gold_sets))
        for (role, kind), counts in article.items():
            total = self.relation if role == "relation" else getattr(self, kind)[role]
            total.tp += counts.tp
            total.n_pred += counts.n_pred
            total.n_gold += counts.n_gold
        self.article_counts.append(tuple(x for key in METRICS for x in astuple_counts(article[key])))

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

    def count_matrix(self) -> Any:
        """Per-article counts as a numpy array of shape ``(n_articles, len(METRICS), 3)`` (tp, n_pred, n_gold)."""
        import numpy as np

        return np.asarray(self.article_counts, dtype=np.int64).reshape(len(self.article_counts), len(METRICS), 3)

    def bootstrap(self, n: int = 1000, seed: int = 0, confidence: float = 0.95) -> dict[str, Any]:
        """Percentile intervals of each F1 over ``n`` resamples of the articles (with replacement).

        Returns:
            ``{role: {"exact": {"low", "high"}, "overlap": {"low", "high"}}, "relation": {"low", "high"}}``
            plus ``n_resamples``, ``confidence``, ``seed`` and ``n_articles``; :func:`with_intervals`
            merges it into :meth:`results`.

        Raises:
            ValueError: with no articles, ``n < 1`` or ``confidence`` outside (0, 1).

        """
        f1 = bootstrap_f1(self.count_matrix(), resample_weights(self.n_articles, n, seed))
        return {**_intervals(f1, confidence), **_meta(n, seed, confidence, self.n_articles)}

    def results_with_intervals(self, n: int = 1000, seed: int = 0, confidence: float = 0.95) -> dict[str, Any]:
        """:meth:`results` with ``"ci": {"low", "high"}`` next to each F1 (no intervals when ``n`` is 0)."""
        results = self.results()
        return with_intervals(results, self.bootstrap(n, seed, confidence)) if n else results


def astuple_counts(counts: SpanCounts) -> tuple[int, int, int]:
    """``(tp, n_pred, n_gold)``."""
    return counts.tp, counts.n_pred, counts.n_gold


def resample_weights(n_articles: int, n: int, seed: int = 0) -> Any:
    """How often each article is drawn in each of ``n`` resamples: an ``(n, n_articles)`` integer array.

    Drawing ``n_articles`` articles with replacement is a multinomial draw with equal probabilities;
    the same weights applied to two systems give a paired bootstrap.

    Example:
        >>> resample_weights(3, 2, seed=1).sum(axis=1).tolist()
        [3, 3]

    """
    import numpy as np

    if n_articles < 1:
        raise ValueError("the bootstrap needs at least one evaluated article")
    if n < 1:
        raise ValueError(f"the bootstrap needs at least one resample (got n={n})")
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_articles, np.full(n_articles, 1.0 / n_articles), size=n)


def bootstrap_f1(counts: Any, weights: Any) -> Any:
    """F1 of each metric in each resample: ``(n, len(METRICS))`` from counts ``(articles, metrics, 3)``."""
    import numpy as np

    sums = np.einsum("ra,amk->rmk", weights, counts)
    tp, denominator = sums[..., 0], sums[..., 1] + sums[..., 2]
    return np.divide(2.0 * tp, denominator, out=np.zeros(tp.shape, dtype=float), where=denominator > 0)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence})")


def percentile_interval(values: Any, confidence: float) -> tuple[float, float]:
    """The two-sided percentile interval of bootstrap ``values`` at ``confidence``.

    Example:
        >>> percentile_interval(list(range(101)), 0.9)
        (5.0, 95.0)

    """
    import numpy as np

    _check_confidence(confidence)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return round(float(low), 4), round(float(high), 4)


def _nest(per_metric: Sequence[Any]) -> dict[str, Any]:
    """``{role: {kind: value}, "relation": value}`` from one value per :data:`METRICS` entry."""
    out: dict[str, Any] = {}
    for (role, kind), value in zip(METRICS, per_metric, strict=True):
        if kind:
            out.setdefault(role, {})[kind] = value
        else:
            out[role] = value
    return out


def _intervals(f1: Any, confidence: float) -> dict[str, Any]:
    bounds = [percentile_interval(f1[:, m], confidence) for m in range(len(METRICS))]
    return _nest([{"low": low, "high": high} for low, high in bounds])


def _meta(n: int, seed: int, confidence: float, n_articles: int) -> dict[str, Any]:
    return {"n_resamples": n, "confidence": confidence, "seed": seed, "n_articles": n_articles}


def with_intervals(results: dict[str, Any], intervals: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``results`` with ``"ci": {"low", "high"}`` (from ``bootstrap``) next to each F1."""
    out = {key: dict(value) if isinstance(value, dict) else value for key, value in results.items()}
    for role, kind in METRICS:
        if kind:
            out[role][kind] = {**out[role][kind], "ci": dict(intervals[role][kind])}
        else:
            out[role]["ci"] = dict(intervals[role])
    return out


def paired_bootstrap(
    a: AttributionEvaluator, b: AttributionEvaluator, n: int = 1000, seed: int = 0, confidence: float = 0.95
) -> dict[str, Any]:
    """Compare two systems scored on the same articles, resampling the same articles for both.

    For each F1 of :data:`METRICS`: ``a``, ``b``, ``delta`` (b - a), and with ``n > 0`` the
    percentile interval of the delta (``delta_ci``) and ``b_better``, the share of resamples
    where b's F1 is higher than a's (near 1: b is reliably better; near 0.5: no evidence;
    ``1 - b_better`` also counts ties, e.g. identical systems give 0.0).

    Raises:
        ValueError: if the two evaluators saw different numbers of articles.

    Example:
        >>> from attribution.annotations import GoldAttribution
        >>> gold = [GoldAttribution(cue=((3, 7),))]
        >>> a, b = AttributionEvaluator(), AttributionEvaluator()
        >>> a.add_gold_pair("He said no", gold, [])
        >>> b.add_gold_pair("He said no", gold, gold)
        >>> paired_bootstrap(a, b, n=50)["cue"]["exact"]
        {'a': 0.0, 'b': 1.0, 'delta': 1.0, 'delta_ci': {'low': 1.0, 'high': 1.0}, 'b_better': 1.0}

    """
    if a.n_articles != b.n_articles:
        raise ValueError(f"paired comparison needs the same articles (got {a.n_articles} and {b.n_articles})")
    point_a, point_b = _flat_f1(a.results()), _flat_f1(b.results())
    rows: list[dict[str, Any]] = [
        {"a": fa, "b": fb, "delta": round(fb - fa, 4)} for fa, fb in zip(point_a, point_b, strict=True)
    ]
    if n:
        _check_confidence(confidence)
        weights = resample_weights(a.n_articles, n, seed)
        f1_a, f1_b = bootstrap_f1(a.count_matrix(), weights), bootstrap_f1(b.count_matrix(), weights)
        delta = f1_b - f1_a
        for m, row in enumerate(rows):
            low, high = percentile_interval(delta[:, m], confidence)
            row["delta_ci"] = {"low": low, "high": high}
            row["b_better"] = round(float((delta[:, m] > 1e-12).mean()), 4)
    return {**_nest(rows), **_meta(n, seed, confidence, a.n_articles)}


def _flat_f1(results: dict[str, Any]) -> list[float]:
    return [results[role][kind]["f1"] if kind else results[role]["f1"] for role, kind in METRICS]


def format_metrics(results: dict[str, Any]) -> str:
    """The metrics table of :meth:`AttributionEvaluator.results`; F1 intervals below it when ``"ci"`` is present.

    Example:
        >>> ev = AttributionEvaluator()
        >>> ev.add_gold_pair("He said no", [GoldAttribution(cue=((3, 7),))], [GoldAttribution(cue=((3, 7),))])
        >>> print(format_metrics(ev.results()).splitlines()[2])
        cue           1.000    1.000     1.000   1.000   1.000   1.000      1

    """
    lines = [
        f"{'span':<10}{'exact P':>9}{'exact R':>9}{'exact F1':>10}{'ovl P':>8}{'ovl R':>8}{'ovl F1':>8}{'gold':>7}"
    ]
    for role in ("source", "cue", "content"):
        e, o = results[role]["exact"], results[role]["overlap"]
        lines.append(
            f"{role:<10}{e['precision']:>9.3f}{e['recall']:>9.3f}{e['f1']:>10.3f}"
            f"{o['precision']:>8.3f}{o['recall']:>8.3f}{o['f1']:>8.3f}{results[role]['support']:>7}"
        )
    r = results["relation"]
    lines.append(f"{'relation':<10}{r['precision']:>9.3f}{r['recall']:>9.3f}{r['f1']:>10.3f}{'':>24}{r['support']:>7}")
    if "ci" in r:
        lines.append("")
        lines.append(f"{'F1 [CI]':<10}{'exact':<24}{'overlap':<24}")
        for role in ("source", "cue", "content"):
            cells = [_with_ci(results[role][kind]) for kind in KINDS]
            lines.append(f"{role:<10}{cells[0]:<24}{cells[1]:<24}")
        lines.append(f"{'relation':<10}{_with_ci(r):<24}")
    return "\n".join(line.rstrip() for line in lines)


def _with_ci(scores: dict[str, Any]) -> str:
    ci = scores["ci"]
    return f"{scores['f1']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


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
