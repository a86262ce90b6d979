"""Metrics for the loaded-term, technique and sentence-bias layers (pure; numpy, no torch).

Four scores, one per question the issue asks:

- **loaded terms** (``loaded_terms`` layer): span precision / recall / F1 per category, ``exact`` and
  ``overlap`` matching as in :mod:`attribution.evaluation` (non-whitespace character sets, one-to-one),
  plus ``micro`` over the categories; a term only matches a term of its own category.
- **span identification** (``techniques`` layer, technique-agnostic): the SemEval-2020 Task 11 SI metric,
  :func:`si_scores`.
- **technique classification given gold spans** (``techniques`` layer): micro-F1 as SemEval-2020 TC scored
  it, per-technique P/R/F1 and a confusion matrix, :func:`tc_scores`; a span with k gold techniques takes
  the k most probable predicted ones (:func:`top_techniques`, :func:`align_techniques`).
- **sentence bias** (``sentence_labels`` layer): P/R/F1 per class, macro-F1 and accuracy,
  :func:`sentence_scores`.
- **voice, polarity and target of loaded terms** (``loaded_terms`` layer, gold terms that carry them):
  each gold term is matched to the predicted term that overlaps it most (any category), and
  :func:`term_attribute_counts` counts how often the match carries the gold voice, polarity and target
  (:func:`attribution.actors.same_actor`): ``accuracy`` over the matched terms, ``end_to_end`` over all
  gold terms (a missed term counts as wrong).

:class:`TermEvaluator` accumulates these per article and adds article-bootstrap intervals;
:func:`evaluate_layers` runs an analyzer over labeled records and fills both evaluators.

Example:
    >>> si_scores({"a1": [(0, 10)]}, {"a1": [(5, 15)]})
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'n_gold': 1, 'n_predicted': 1}
    >>> sentence_scores([True, False, True], [True, False, False])["macro_f1"]
    0.6667

"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from attribution.annotations import LOADED_TERM_CATEGORIES, TECHNIQUES, Fragments, LabeledArticle
from attribution.evaluation import KINDS, AttributionEvaluator, SpanCounts, charset, prf, resample_weights
from attribution.records import Article, ArticleReport, LoadedTerm

#: The loaded-term F1s that get bootstrap intervals, as ``(category or "micro", kind)``.
TERM_METRICS: tuple[tuple[str, str], ...] = (
    *((category, kind) for category in LOADED_TERM_CATEGORIES for kind in KINDS),
    *(("micro", kind) for kind in KINDS),
)
#: Sentence-bias classes, in the order of the confusion matrix rows and columns.
SENTENCE_CLASSES = ("biased", "not_biased")
#: The layers :class:`TermEvaluator` scores.
TERM_LAYERS = ("loaded_terms", "techniques", "sentence_labels")
#: What a loaded term carries besides its span and category, scored on the gold terms that give it.
TERM_ATTRIBUTES = ("voice", "polarity", "target")
#: Per attribute, the columns of :func:`term_attribute_counts` (target adds ``given``).
ATTRIBUTE_COLUMNS = {
    "voice": ("n_gold", "n_matched", "n_correct"),
    "polarity": ("n_gold", "n_matched", "n_correct"),
    "target": ("n_gold", "n_matched", "n_given", "n_correct"),
}

Interval = tuple[int, int]


# --- SemEval-2020 Task 11 span identification -------------------------------------------------


def merge_overlapping(spans: Iterable[Interval], *, where: str = "spans") -> list[Interval]:
    """Spans that share at least one character merged into one (transitively), sorted by start.

    Spans that only touch (``(0, 5)`` and ``(5, 9)``) share no character and stay apart, as in the
    official scorer, which merges spans whose ``set(range(start, end))`` intersect.

    Raises:
        ValueError: for a span that is not ``(start, end)`` integers with ``0 <= start < end``.

    Example:
        >>> merge_overlapping([(20, 30), (0, 10), (2, 5), (8, 12), (12, 14)])
        [(0, 12), (12, 14), (20, 30)]

    """
    checked = []
    for span in spans:
        if (
            not isinstance(span, Sequence)
            or len(span) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            or not 0 <= span[0] < span[1]
        ):
            raise ValueError(f"{where}: span {span!r} is not (start, end) integers with 0 <= start < end")
        checked.append((span[0], span[1]))
    merged: list[Interval] = []
    for start, end in sorted(checked):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _si_sums(gold: Sequence[Interval], predicted: Sequence[Interval]) -> tuple[float, float, int, int]:
    """``(sum_s sum_t |s∩t|/|s|, sum_s sum_t |s∩t|/|t|, |S|, |T|)`` for one article's merged spans."""
    prec_sum = rec_sum = 0.0
    for s_start, s_end in predicted:
        for t_start, t_end in gold:
            overlap = min(s_end, t_end) - max(s_start, t_start)
            if overlap > 0:
                prec_sum += overlap / (s_end - s_start)
                rec_sum += overlap / (t_end - t_start)
    return prec_sum, rec_sum, len(predicted), len(gold)


def si_prf(prec_sum: Any, rec_sum: Any, n_predicted: Any, n_gold: Any) -> tuple[Any, Any, Any]:
    """P, R and F1 from summed SI counts, as ``compute_prec_rec_f1`` of the official scorer (numpy-friendly)."""
    import numpy as np

    prec_sum, rec_sum = np.asarray(prec_sum, dtype=float), np.asarray(rec_sum, dtype=float)
    n_predicted, n_gold = np.asarray(n_predicted, dtype=float), np.asarray(n_gold, dtype=float)
    p = np.divide(prec_sum, n_predicted, out=np.zeros_like(prec_sum), where=n_predicted > 0)
    r = np.divide(rec_sum, n_gold, out=np.zeros_like(rec_sum), where=n_gold > 0)
    both = (p > 0) & (r > 0)
    f1 = np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=both)
    f1 = np.where((n_predicted == 0) & (n_gold == 0), 1.0, f1)
    return p, r, f1


def si_scores(gold: Mapping[str, Sequence[Interval]], predicted: Mapping[str, Sequence[Interval]]) -> dict[str, Any]:
    """The SemEval-2020 Task 11 span-identification (SI) metric, technique-agnostic.

    Da San Martino et al. (2020), "SemEval-2020 Task 11: Detection of Propaganda Techniques in News
    Articles", section 3: for a predicted span ``s`` and a gold span ``t`` (sets of character offsets),
    ``C(s, t, h) = |s ∩ t| / h``; ``P = (1/|S|) Σ_s Σ_t C(s, t, |s|)``, ``R = (1/|T|) Σ_s Σ_t C(s, t, |t|)``,
    summed over all articles, and F1 their harmonic mean.

    Matched line by line against the organisers' scorer ``tools/task-SI_scorer.py`` (G. Da San Martino,
    v0.1, as redistributed in github.com/aschern/semeval2020_task11 @ e4dc7e9, ``compute_score_pr`` with
    ``prop_vs_non_propaganda=True``, and ``compute_prec_rec_f1``):

    - a span is every character of ``range(start, end)``, whitespace included (unlike the span F1s of
      this package, which ignore whitespace);
    - overlapping gold spans of an article are merged first (``check_annotation_spans(gold, True)``);
      overlapping predicted spans are merged too, as the scorer's ``-m`` option does (without it the
      scorer refuses such a submission);
    - ``|S|`` and ``|T|`` count merged spans over all articles; an article missing on one side has no
      spans there (the scorer's ``gold_annotations.get(article_id, [])``);
    - P (R) is 0 when there are no predicted (gold) spans; F1 is ``2PR/(P+R)`` when both are positive,
      0 otherwise, and **1.0 when there are neither gold nor predicted spans** (the scorer's convention;
      P and R stay 0 then).

    Args:
        gold: Article id -> gold ``(start, end)`` spans (a discontinuous span: one entry per fragment).
        predicted: Article id -> predicted spans.

    Returns:
        ``{"precision", "recall", "f1"}`` rounded to 4 places, ``n_gold`` and ``n_predicted`` (merged spans).

    Raises:
        ValueError: for a span that is not ``(start, end)`` with ``0 <= start < end``, naming the article.

    Example:
        >>> si_scores({"a": [(0, 10), (20, 30)]}, {"a": [(0, 30)]})  # P = 20/30, R = (10/10 + 10/10) / 2
        {'precision': 0.6667, 'recall': 1.0, 'f1': 0.8, 'n_gold': 2, 'n_predicted': 1}

    """
    totals = [0.0, 0.0, 0, 0]
    for article_id in {*gold, *predicted}:
        g = merge_overlapping(gold.get(article_id, ()), where=f"gold spans of article {article_id!r}")
        p = merge_overlapping(predicted.get(article_id, ()), where=f"predicted spans of article {article_id!r}")
        for i, value in enumerate(_si_sums(g, p)):
            totals[i] += value
    p, r, f1 = si_prf(*totals)
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f1), 4),
        "n_gold": int(totals[3]),
        "n_predicted": int(totals[2]),
    }


# --- technique classification given gold spans ------------------------------------------------


def top_techniques(probabilities: Mapping[str, float], k: int) -> list[str]:
    """The ``k`` most probable techniques, most probable first (ties by name).

    Raises:
        ValueError: if ``probabilities`` has fewer than ``k`` techniques.

    Example:
        >>> top_techniques({"Doubt": 0.2, "Loaded_Language": 0.5, "Slogans": 0.3}, 2)
        ['Loaded_Language', 'Slogans']

    """
    if len(probabilities) < k:
        raise ValueError(f"technique probabilities name {len(probabilities)} technique(s); the span needs {k}")
    return [name for name, _ in sorted(probabilities.items(), key=lambda item: (-item[1], item[0]))[:k]]


def align_techniques(gold: Sequence[str], predicted: Sequence[str]) -> list[tuple[str, str]]:
    """``(gold, predicted)`` pairs for one span, pairing equal labels first (SemEval TC's "best match").

    The TC scorer reorders the techniques predicted for a span with several gold techniques so that as
    many as possible match (``align_annotations``); the rest pair up in order.

    Raises:
        ValueError: if the two sides differ in length.

    Example:
        >>> align_techniques(["Doubt", "Loaded_Language"], ["Loaded_Language", "Slogans"])
        [('Loaded_Language', 'Loaded_Language'), ('Doubt', 'Slogans')]

    """
    if len(gold) != len(predicted):
        raise ValueError(f"a span has {len(gold)} gold and {len(predicted)} predicted techniques")
    remaining = list(predicted)
    pairs, unmatched = [], []
    for label in gold:
        if label in remaining:
            remaining.remove(label)
            pairs.append((label, label))
        else:
            unmatched.append(label)
    return pairs + list(zip(unmatched, remaining, strict=True))


def tc_scores(pairs: Sequence[tuple[str, str]], labels: Sequence[str] = TECHNIQUES) -> dict[str, Any]:
    """Technique classification scores from ``(gold, predicted)`` pairs, one per gold technique instance.

    ``micro_f1`` is sklearn's ``f1_score(average="micro")`` over all instances, what the SemEval-2020 TC
    scorer reports (``Annotations.compute_TC_score``); with one prediction per gold instance it equals
    accuracy. Per technique: P, R, F1 and ``n_gold``. ``confusion`` rows are gold, columns predicted,
    in the order of ``labels`` (extra predicted names are appended).

    Example:
        >>> result = tc_scores([("Doubt", "Doubt"), ("Slogans", "Doubt")], labels=["Doubt", "Slogans"])
        >>> result["micro_f1"], result["per_technique"]["Doubt"], result["confusion"]["matrix"]
        (0.5, {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'n_gold': 1}, [[1, 0], [1, 0]])

    """
    names = list(labels) + sorted({x for pair in pairs for x in pair} - set(labels))
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for g, p in pairs:
        matrix[index[g]][index[p]] += 1
    correct = sum(matrix[i][i] for i in range(len(names)))
    per_technique = {}
    for i, name in enumerate(names):
        n_gold, n_predicted = sum(matrix[i]), sum(row[i] for row in matrix)
        per_technique[name] = {**prf(matrix[i][i], n_predicted, matrix[i][i], n_gold), "n_gold": n_gold}
    return {
        "micro_f1": prf(correct, len(pairs), correct, len(pairs))["f1"],
        "n_spans": len(pairs),
        "per_technique": per_technique,
        "confusion": {"labels": names, "matrix": matrix},
    }


# --- sentence bias ----------------------------------------------------------------------------


def _sentence_row(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[int, ...]:
    """``(tp, n_pred, n_gold)`` for biased, the same for not biased, then ``(correct, n)``."""
    row: list[int] = []
    for positive in (True, False):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == positive)
        row += [tp, sum(1 for p in predicted if p == positive), sum(1 for g in gold if g == positive)]
    return (*row, sum(1 for g, p in zip(gold, predicted, strict=True) if g == p), len(gold))


def _sentence_results(row: Sequence[int]) -> dict[str, Any]:
    classes = {}
    for offset, name in ((0, "biased"), (3, "not_biased")):
        tp, n_pred, n_gold = row[offset : offset + 3]
        classes[name] = {**prf(tp, n_pred, tp, n_gold), "n_gold": n_gold}
    macro = (classes["biased"]["f1"] + classes["not_biased"]["f1"]) / 2
    correct, n = row[6], row[7]
    tp_b, tp_n = row[0], row[3]
    fn_b, fn_n = row[2] - tp_b, row[5] - tp_n  # gold biased predicted not, gold not predicted biased
    return {
        "macro_f1": round(macro, 4),
        "accuracy": round(correct / n, 4) if n else 0.0,
        "n_sentences": n,
        **classes,
        "confusion": {"labels": list(SENTENCE_CLASSES), "matrix": [[tp_b, fn_b], [fn_n, tp_n]]},
    }


def sentence_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    """Sentence-bias scores: P/R/F1 per class, their unweighted mean ``macro_f1``, accuracy, confusion matrix.

    Equal to scikit-learn's ``precision_recall_fscore_support(gold, predicted, labels=[True, False],
    zero_division=0)`` and ``f1_score(..., average="macro")`` (both classes always averaged; a class
    with neither gold nor predicted sentences counts as F1 0). ``confusion`` rows are gold, columns
    predicted, ``["biased", "not_biased"]``.

    Raises:
        ValueError: if the two sequences differ in length.

    Example:
        >>> scores = sentence_scores([True, True, False, False], [True, False, False, False])
        >>> scores["biased"], scores["confusion"]["matrix"]
        ({'precision': 1.0, 'recall': 0.5, 'f1': 0.6667, 'n_gold': 2}, [[1, 1], [0, 2]])

    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentence labels but {len(predicted)} predictions")
    return _sentence_results(_sentence_row(gold, predicted))


# --- the evaluator ----------------------------------------------------------------------------


# --- voice, polarity and target of loaded terms ----------------------------------------------------


def term_attribute_counts(record: LabeledArticle, terms: Sequence[LoadedTerm]) -> tuple[int, ...]:
    """Counts for voice, polarity and target of ``record``'s gold loaded terms (columns: :data:`ATTRIBUTE_COLUMNS`).

    ``terms`` are the report's loaded terms. A gold term that gives an attribute counts in ``n_gold``; when one of
    ``terms`` overlaps it (the one sharing most non-whitespace characters, any category) in ``n_matched``; when that
    term's attribute equals the gold one in ``n_correct``. A target is correct when both name one actor
    (:func:`~attribution.actors.same_actor`); ``n_given`` counts the matched terms given any target.

    Example:
        >>> from attribution.annotations import GoldLoadedTerm
        >>> from attribution.records import LoadedTerm
        >>> text = "ISIL terrorists shelled the town, the army said."
        >>> gold = (GoldLoadedTerm(((5, 15),), "name_calling", "negative", "ISIL", "indirect"),)
        >>> record = LabeledArticle(id="a", text=text, layers=("loaded_terms",), loaded_terms=gold)
        >>> found = LoadedTerm("name_calling", 0, 15, "ISIL terrorists", 0, 0.9, "negative", "narrator", "ISIL")
        >>> term_attribute_counts(record, [found])  # voice wrong; polarity and target right
        (1, 1, 0, 1, 1, 1, 1, 1, 1, 1)
        >>> term_attribute_counts(record, [])  # missed: counted in n_gold only
        (1, 0, 0, 1, 0, 0, 1, 0, 0, 0)

    """
    from attribution.actors import same_actor

    predicted = [(term, charset(record.text, [(term.start, term.end)])) for term in terms]
    counts = {name: dict.fromkeys(columns, 0) for name, columns in ATTRIBUTE_COLUMNS.items()}
    for gold in record.loaded_terms:
        chars = charset(record.text, gold.span)
        overlaps = [(len(chars & found), term) for term, found in predicted]
        shared, match = max(overlaps, key=lambda pair: pair[0], default=(0, None))  # the first of equals wins
        match = match if shared else None
        for name in TERM_ATTRIBUTES:
            wanted = getattr(gold, name)
            if wanted is None:
                continue
            row = counts[name]
            row["n_gold"] += 1
            if match is None:
                continue
            row["n_matched"] += 1
            got = getattr(match, name)
            if name == "target":
                row["n_given"] += got is not None
                row["n_correct"] += got is not None and same_actor(wanted, got)
            else:
                row["n_correct"] += got == wanted
    return tuple(counts[name][column] for name, columns in ATTRIBUTE_COLUMNS.items() for column in columns)


def attribute_results(sums: Sequence[int]) -> dict[str, Any]:
    """Scores from summed :func:`term_attribute_counts` rows; attributes no gold term gave are left out.

    Example:
        >>> attribute_results([4, 2, 1, 0, 0, 0, 4, 2, 1, 1])["target"]
        {'accuracy': 0.5, 'end_to_end': 0.25, 'given': 0.5, 'precision_when_given': 1.0, 'n_gold': 4, 'n_matched': 2}

    """
    out: dict[str, Any] = {}
    position = 0
    for name, columns in ATTRIBUTE_COLUMNS.items():
        row = dict(zip(columns, sums[position : position + len(columns)], strict=True))
        position += len(columns)
        if not row["n_gold"]:
            continue
        entry = {
            "accuracy": _ratio(row["n_correct"], row["n_matched"]),
            "end_to_end": _ratio(row["n_correct"], row["n_gold"]),
        }
        if name == "target":
            entry["given"] = _ratio(row["n_given"], row["n_matched"])
            entry["precision_when_given"] = _ratio(row["n_correct"], row["n_given"])
        out[name] = {**entry, "n_gold": int(row["n_gold"]), "n_matched": int(row["n_matched"])}
    return out


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _flat_spans(fragments_list: Iterable[Fragments]) -> list[Interval]:
    return [fragment for fragments in fragments_list for fragment in fragments]


def _sentence_text(text: str, span: Fragments) -> str:
    return " ".join(text[start:end] for start, end in span)


@dataclass
class TermEvaluator:
    """Accumulates loaded-term, technique and sentence-bias metrics over articles.

    Each layer is scored only for records that list it in ``layers`` and only when its prediction is
    given (see :meth:`add`); each keeps per-article counts for the bootstrap.

    Example:
        >>> from attribution.annotations import GoldTechnique
        >>> record = LabeledArticle(id="a", text="Vile thugs!", layers=("techniques",),
        ...                         techniques=(GoldTechnique(span=((5, 10),), technique="Name_Calling,Labeling"),))
        >>> ev = TermEvaluator()
        >>> ev.add(record, None, [{"Name_Calling,Labeling": 0.9, "Doubt": 0.1}], None)
        >>> ev.results()["techniques"]["tc_micro_f1"]
        1.0

    """

    #: Per article with the ``loaded_terms`` layer: ``(tp, n_pred, n_gold)`` for each of :data:`TERM_METRICS`.
    term_rows: list[tuple[int, ...]] = field(default_factory=list)
    #: Per article with the ``techniques`` layer and a report: SI sums ``(Σ|s∩t|/|s|, Σ|s∩t|/|t|, |S|, |T|)``.
    si_rows: list[tuple[float, float, int, int]] = field(default_factory=list)
    #: Per article with the ``techniques`` layer and technique probabilities: ``(correct, n)``.
    tc_rows: list[tuple[int, int]] = field(default_factory=list)
    #: All ``(gold, predicted)`` technique pairs.
    tc_pairs: list[tuple[str, str]] = field(default_factory=list)
    #: Per article with the ``sentence_labels`` layer and predictions: see ``_sentence_row``.
    sentence_rows: list[tuple[int, ...]] = field(default_factory=list)
    #: Per article with the ``loaded_terms`` layer: :func:`term_attribute_counts`.
    attribute_rows: list[tuple[int, ...]] = field(default_factory=list)

    def add(
        self,
        record: LabeledArticle,
        report: ArticleReport | None,
        technique_probabilities: Sequence[Mapping[str, float]] | None,
        sentence_predictions: Sequence[tuple[bool, float]] | None,
    ) -> None:
        """Add one article.

        Args:
            record: The labeled article; only the layers in ``record.layers`` are scored.
            report: The analyzer's report, scored for loaded terms and SI (technique spans); ``None``
                when the analyzer has no term tagger (those two are then not scored).
            technique_probabilities: For TC: technique -> probability for each distinct gold technique
                span, in the order of :meth:`gold_technique_spans`; ``None``: TC not scored.
            sentence_predictions: ``(biased, probability)`` for each of ``record.sentence_labels``, in
                order; ``None``: sentence bias not scored.

        Raises:
            ValueError: when a prediction list does not line up with the gold labels, or a predicted
                loaded term has an unknown category; the message names the record.

        """
        where = f"record {record.id!r}"
        if "loaded_terms" in record.layers and report is not None:
            self.term_rows.append(self._term_row(record, report, where))
            self.attribute_rows.append(term_attribute_counts(record, report.loaded_terms))
        if "techniques" in record.layers and report is not None:
            gold = merge_overlapping(_flat_spans(t.span for t in record.techniques), where=f"{where} techniques")
            predicted = merge_overlapping(((t.start, t.end) for t in report.techniques), where=f"{where} report")
            self.si_rows.append(_si_sums(gold, predicted))
        if "techniques" in record.layers and technique_probabilities is not None:
            spans = self.gold_technique_spans(record)
            if len(technique_probabilities) != len(spans):
                raise ValueError(
                    f"{where}: {len(technique_probabilities)} technique predictions for {len(spans)} gold spans"
                )
            pairs = []
            for (_, labels), probabilities in zip(spans, technique_probabilities, strict=True):
                pairs += align_techniques(labels, top_techniques(probabilities, len(labels)))
            self.tc_pairs += pairs
            self.tc_rows.append((sum(1 for g, p in pairs if g == p), len(pairs)))
        if "sentence_labels" in record.layers and sentence_predictions is not None:
            if len(sentence_predictions) != len(record.sentence_labels):
                raise ValueError(
                    f"{where}: {len(sentence_predictions)} sentence predictions for "
                    f"{len(record.sentence_labels)} gold sentence labels"
                )
            gold_labels = [s.biased for s in record.sentence_labels]
            self.sentence_rows.append(_sentence_row(gold_labels, [bool(b) for b, _ in sentence_predictions]))

    @staticmethod
    def gold_technique_spans(record: LabeledArticle) -> list[tuple[Fragments, list[str]]]:
        """The distinct gold technique spans of ``record`` with their gold techniques, in first-seen order."""
        grouped: dict[Fragments, list[str]] = {}
        for technique in record.techniques:
            grouped.setdefault(technique.span, []).append(technique.technique)
        return list(grouped.items())

    @staticmethod
    def _term_row(record: LabeledArticle, report: ArticleReport, where: str) -> tuple[int, ...]:
        unknown = sorted({t.category for t in report.loaded_terms} - set(LOADED_TERM_CATEGORIES))
        if unknown:
            raise ValueError(f"{where}: predicted loaded terms have unknown categories {unknown}")
        counts = {metric: SpanCounts() for metric in TERM_METRICS}
        for category in LOADED_TERM_CATEGORIES:
            gold = [charset(record.text, t.span) for t in record.loaded_terms if t.category == category]
            predicted = [
                charset(record.text, [(t.start, t.end)]) for t in report.loaded_terms if t.category == category
            ]
            gold, predicted = [x for x in gold if x], [x for x in predicted if x]
            for kind in KINDS:
                counts[category, kind].add(gold=gold, predicted=predicted, overlap=kind == "overlap")
                micro = counts["micro", kind]
                micro.tp += counts[category, kind].tp
                micro.n_pred += counts[category, kind].n_pred
                micro.n_gold += counts[category, kind].n_gold
        return tuple(
            x for metric in TERM_METRICS for x in (counts[metric].tp, counts[metric].n_pred, counts[metric].n_gold)
        )

    @property
    def n_articles(self) -> dict[str, int]:
        """How many articles each score was computed on."""
        return {
            "loaded_terms": len(self.term_rows),
            "techniques_si": len(self.si_rows),
            "techniques_tc": len(self.tc_rows),
            "sentence_labels": len(self.sentence_rows),
        }

    def results(self) -> dict[str, Any]:
        """Nested scores for the layers scored so far (a layer never scored is absent).

        Returns:
            ``{"loaded_terms": {<category> | "micro": {"exact": prf, "overlap": prf, "n_gold", "n_predicted"}},
            "techniques": {"si_precision", "si_recall", "si_f1", "si_n_gold", "si_n_predicted", "tc_micro_f1",
            "tc_n_spans", "per_technique": {<technique>: {"precision", "recall", "f1", "n_gold"}},
            "tc_confusion": {"labels", "matrix"}}, "sentence_labels": {"macro_f1", "accuracy", "n_sentences",
            "biased": {...}, "not_biased": {...}, "confusion": {"labels", "matrix"}},
            "term_attributes": {"voice" | "polarity" | "target": {"accuracy", "end_to_end", "n_gold", "n_matched"}}}``
            (``target`` also has ``given`` and ``precision_when_given``; see :func:`attribute_results`).

        """
        out: dict[str, Any] = {}
        if self.term_rows:
            sums = [sum(column) for column in zip(*self.term_rows, strict=True)]
            terms: dict[str, Any] = {}
            for m, (category, kind) in enumerate(TERM_METRICS):
                tp, n_pred, n_gold = sums[3 * m : 3 * m + 3]
                entry = terms.setdefault(category, {})
                entry[kind] = prf(tp, n_pred, tp, n_gold)
                entry["n_gold"], entry["n_predicted"] = n_gold, n_pred
            out["loaded_terms"] = terms
        if self.attribute_rows:
            attributes = attribute_results([sum(column) for column in zip(*self.attribute_rows, strict=True)])
            if attributes:
                out["term_attributes"] = attributes
        techniques: dict[str, Any] = {}
        if self.si_rows:
            sums = [sum(column) for column in zip(*self.si_rows, strict=True)]
            p, r, f1 = si_prf(*sums)
            techniques.update(
                si_precision=round(float(p), 4),
                si_recall=round(float(r), 4),
                si_f1=round(float(f1), 4),
                si_n_gold=int(sums[3]),
                si_n_predicted=int(sums[2]),
            )
        if self.tc_rows:
            tc = tc_scores(self.tc_pairs)
            techniques.update(
                tc_micro_f1=tc["micro_f1"],
                tc_n_spans=tc["n_spans"],
                per_technique=tc["per_technique"],
                tc_confusion=tc["confusion"],
            )
        if techniques:
            out["techniques"] = techniques
        if self.sentence_rows:
            out["sentence_labels"] = _sentence_results(
                [sum(column) for column in zip(*self.sentence_rows, strict=True)]
            )
        return out

    def bootstrap(self, n: int = 1000, seed: int = 0, confidence: float = 0.95) -> dict[str, Any]:
        """Percentile intervals of each F1 over ``n`` resamples (with replacement) of each layer's articles.

        Returns:
            ``{"loaded_terms": {<category> | "micro": {kind: {"low", "high"}}}, "si_f1": {...},
            "tc_micro_f1": {...}, "macro_f1": {...}}``, each present when that score was computed.

        Raises:
            ValueError: if ``n < 1`` or ``confidence`` is not between 0 and 1.

        """
        import numpy as np

        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1 (got {confidence})")
        out: dict[str, Any] = {}
        if self.term_rows:
            counts = np.asarray(self.term_rows, dtype=np.int64).reshape(len(self.term_rows), len(TERM_METRICS), 3)
            sums = np.einsum("ra,amk->rmk", resample_weights(len(self.term_rows), n, seed), counts)
            f1 = _dice(sums[..., 0], sums[..., 1] + sums[..., 2])
            nested: dict[str, Any] = {}
            for m, (category, kind) in enumerate(TERM_METRICS):
                nested.setdefault(category, {})[kind] = _interval(f1[:, m], confidence)
            out["loaded_terms"] = nested
        if self.si_rows:
            sums = resample_weights(len(self.si_rows), n, seed) @ np.asarray(self.si_rows, dtype=float)
            out["si_f1"] = _interval(si_prf(sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3])[2], confidence)
        if self.tc_rows:
            sums = resample_weights(len(self.tc_rows), n, seed) @ np.asarray(self.tc_rows, dtype=np.int64)
            out["tc_micro_f1"] = _interval(_dice(sums[:, 0], 2 * sums[:, 1]), confidence)
        if self.sentence_rows:
            sums = resample_weights(len(self.sentence_rows), n, seed) @ np.asarray(self.sentence_rows, dtype=np.int64)
            biased = _dice(sums[:, 0], sums[:, 1] + sums[:, 2])
            not_biased = _dice(sums[:, 3], sums[:, 4] + sums[:, 5])
            out["macro_f1"] = _interval((biased + not_biased) / 2, confidence)
        return out

    def results_with_intervals(self, n: int = 1000, seed: int = 0, confidence: float = 0.95) -> dict[str, Any]:
        """:meth:`results` with bootstrap intervals (none when ``n`` is 0).

        ``"ci": {"low", "high"}`` goes next to each loaded-term F1; ``si_f1_ci``, ``tc_micro_f1_ci`` and
        ``macro_f1_ci`` next to the flat F1s.

        Example:
            >>> from attribution.annotations import GoldSentenceLabel
            >>> record = LabeledArticle(id="a", text="Awful.", layers=("sentence_labels",),
            ...                         sentence_labels=(GoldSentenceLabel(span=((0, 6),), biased=True),))
            >>> ev = TermEvaluator()
            >>> ev.add(record, None, None, [(True, 0.8)])
            >>> ev.results_with_intervals(n=20)["sentence_labels"]["macro_f1_ci"]
            {'low': 0.5, 'high': 0.5}

        """
        results = self.results()
        if not n or not results:
            return results
        intervals = self.bootstrap(n, seed, confidence)
        if "loaded_terms" in results:
            for category, kinds in intervals["loaded_terms"].items():
                for kind, ci in kinds.items():
                    results["loaded_terms"][category][kind]["ci"] = ci
        for key, layer in (("si_f1", "techniques"), ("tc_micro_f1", "techniques"), ("macro_f1", "sentence_labels")):
            if key in intervals:
                results[layer][f"{key}_ci"] = intervals[key]
        return results


def _dice(tp: Any, denominator: Any) -> Any:
    """``2 tp / denominator`` (F1 from counts), 0 where the denominator is 0."""
    import numpy as np

    tp, denominator = np.asarray(tp, dtype=float), np.asarray(denominator, dtype=float)
    return np.divide(2.0 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def _interval(values: Any, confidence: float) -> dict[str, float]:
    import numpy as np

    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return {"low": round(float(low), 4), "high": round(float(high), 4)}


# --- formatting -------------------------------------------------------------------------------


def _f1_cell(f1: float, ci: Mapping[str, float] | None) -> str:
    return f"{f1:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]" if ci else f"{f1:.3f}"


def format_term_metrics(results: Mapping[str, Any]) -> str:
    """Terminal tables for :meth:`TermEvaluator.results` (or ``results_with_intervals``); one block per layer.

    Example:
        >>> print(format_term_metrics({"techniques": {"si_precision": 0.5, "si_recall": 0.25, "si_f1": 0.3333,
        ...                                           "si_n_gold": 4, "si_n_predicted": 2}}))
        techniques: span identification (SemEval-2020 SI, character overlap)
          P 0.500  R 0.250  F1 0.333  (4 gold, 2 predicted merged spans)

    """
    blocks = []
    terms = results.get("loaded_terms")
    if terms:
        lines = [
            "loaded terms",
            f"{'category':<17}{'exact P':>8}{'exact R':>8}{'exact F1':>9}{'ovl P':>7}{'ovl R':>7}{'ovl F1':>8}"
            f"{'gold':>6}{'pred':>6}",
        ]
        for category in (*LOADED_TERM_CATEGORIES, "micro"):
            row = terms[category]
            e, o = row["exact"], row["overlap"]
            lines.append(
                f"{category:<17}{e['precision']:>8.3f}{e['recall']:>8.3f}{e['f1']:>9.3f}"
                f"{o['precision']:>7.3f}{o['recall']:>7.3f}{o['f1']:>8.3f}{row['n_gold']:>6}{row['n_predicted']:>6}"
            )
        if "ci" in terms["micro"]["exact"]:
            lines.append(f"{'F1 [CI]':<17}{'exact':<24}{'overlap':<24}")
            for category in (*LOADED_TERM_CATEGORIES, "micro"):
                cells = [_f1_cell(terms[category][kind]["f1"], terms[category][kind]["ci"]) for kind in KINDS]
                lines.append(f"{category:<17}{cells[0]:<24}{cells[1]:<24}")
        blocks.append("\n".join(lines))
    attributes = results.get("term_attributes")
    if attributes:
        lines = [
            "loaded terms: voice, polarity and target (gold terms matched to the predicted term overlapping most)",
            f"  {'attribute':<10}{'accuracy':>9}{'end-to-end':>11}{'matched':>9}{'gold':>6}",
        ]
        for name, row in attributes.items():
            extra = (
                f"  target given for {row['given']:.0%} of matched terms, right for {row['precision_when_given']:.0%}"
                if name == "target"
                else ""
            )
            lines.append(
                f"  {name:<10}{row['accuracy']:>9.3f}{row['end_to_end']:>11.3f}{row['n_matched']:>9}{row['n_gold']:>6}"
                + extra
            )
        blocks.append("\n".join(lines))
    techniques = results.get("techniques")
    if techniques and "si_f1" in techniques:
        t = techniques
        blocks.append(
            "techniques: span identification (SemEval-2020 SI, character overlap)\n"
            f"  P {t['si_precision']:.3f}  R {t['si_recall']:.3f}  F1 {_f1_cell(t['si_f1'], t.get('si_f1_ci'))}"
            f"  ({t['si_n_gold']} gold, {t['si_n_predicted']} predicted merged spans)"
        )
    if techniques and "tc_micro_f1" in techniques:
        t = techniques
        lines = [
            "techniques: classification given gold spans (SemEval-2020 TC)",
            f"  micro-F1 {_f1_cell(t['tc_micro_f1'], t.get('tc_micro_f1_ci'))} over {t['tc_n_spans']} gold techniques",
            f"  {'technique':<36}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}",
        ]
        for name, row in t["per_technique"].items():
            lines.append(
                f"  {name:<36}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}{row['n_gold']:>6}"
            )
        blocks.append("\n".join(lines))
    sentences = results.get("sentence_labels")
    if sentences:
        lines = [
            "sentence bias (given gold sentences)",
            f"  macro-F1 {_f1_cell(sentences['macro_f1'], sentences.get('macro_f1_ci'))}"
            f"  accuracy {sentences['accuracy']:.3f}  ({sentences['n_sentences']} sentences)",
            f"  {'class':<12}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}",
        ]
        for name in SENTENCE_CLASSES:
            row = sentences[name]
            lines.append(
                f"  {name:<12}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}{row['n_gold']:>6}"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join("\n".join(line.rstrip() for line in block.splitlines()) for block in blocks)


# --- running an analyzer over labeled records -------------------------------------------------


@dataclass
class LayerEvaluation:
    """What :func:`evaluate_layers` scored.

    ``attributions`` is ``None`` without attribution records; ``skipped`` has one line per layer the
    analyzer could not score (``"<layer>: skipped, <why>"``).
    """

    attributions: AttributionEvaluator | None
    terms: TermEvaluator
    skipped: tuple[str, ...] = ()


def evaluate_layers(analyzer: Any, records: Sequence[LabeledArticle], *, batch_size: int = 32) -> LayerEvaluation:
    """Score ``analyzer`` on every layer the records carry.

    ``attributions`` and ``loaded_terms`` are scored on ``analyzer.analyze_many`` reports; the SI score on
    the report's technique spans; TC on ``analyzer.term_tagger.classify_spans`` for the distinct gold
    technique spans; sentence bias on ``analyzer.sentence_bias.predict`` for the gold sentences' texts (a
    sentence-level score given gold sentences). Only records that need a report are analyzed. A layer
    whose component the analyzer lacks (``term_tagger`` / ``sentence_bias`` missing or ``None``) is
    skipped with a line in ``skipped``.

    Example:
        >>> evaluation = evaluate_layers(Analyzer.from_pretrained(), records)  # doctest: +SKIP
        >>> print(format_term_metrics(evaluation.terms.results()))              # doctest: +SKIP

    """
    term_tagger = getattr(analyzer, "term_tagger", None)
    sentence_bias = getattr(analyzer, "sentence_bias", None)
    carrying = {layer: sum(1 for r in records if layer in r.layers) for layer in ("attributions", *TERM_LAYERS)}
    skipped = []
    for layer, component, missing in (
        ("loaded_terms", term_tagger, "the analyzer has no term tagger"),
        ("techniques", term_tagger, "the analyzer has no term tagger"),
        ("sentence_labels", sentence_bias, "the analyzer has no sentence-bias classifier"),
    ):
        if carrying[layer] and component is None:
            skipped.append(f"{layer}: skipped, {missing} ({carrying[layer]} record(s) carry the layer)")

    def needs_report(record: LabeledArticle) -> bool:
        return "attributions" in record.layers or (
            term_tagger is not None and bool({"loaded_terms", "techniques"} & set(record.layers))
        )

    analyzed = [i for i, r in enumerate(records) if needs_report(r)]
    articles = {i: Article(id=records[i].id, text=records[i].text) for i in analyzed}
    reports: dict[int, ArticleReport] = {}
    if analyzed:
        generated = analyzer.analyze_many((articles[i] for i in analyzed), batch_size=batch_size)
        reports = dict(zip(analyzed, generated, strict=True))
    sentence_predictions: dict[int, list[tuple[bool, float]]] = {}
    if sentence_bias is not None:
        scored = [(i, r) for i, r in enumerate(records) if "sentence_labels" in r.layers]
        texts = [_sentence_text(r.text, s.span) for _, r in scored for s in r.sentence_labels]
        predictions = list(sentence_bias.predict(texts)) if texts else []
        if len(predictions) != len(texts):
            raise ValueError(f"the sentence-bias classifier returned {len(predictions)} predictions for {len(texts)}")
        position = 0
        for i, record in scored:
            sentence_predictions[i] = predictions[position : position + len(record.sentence_labels)]
            position += len(record.sentence_labels)

    attribution_evaluator = AttributionEvaluator() if carrying["attributions"] else None
    terms = TermEvaluator()
    for i, record in enumerate(records):
        report = reports.get(i)
        if attribution_evaluator is not None and "attributions" in record.layers:
            attribution_evaluator.add(record.text, record.attributions, report.attributions)
        probabilities = None
        if term_tagger is not None and "techniques" in record.layers:
            spans = [(span[0][0], span[-1][1]) for span, _ in TermEvaluator.gold_technique_spans(record)]
            article = articles.get(i) or Article(id=record.id, text=record.text)
            probabilities = term_tagger.classify_spans(article, analyzer.segmenter(article), spans) if spans else []
        terms.add(record, report if term_tagger is not None else None, probabilities, sentence_predictions.get(i))
    return LayerEvaluation(attribution_evaluator, terms, tuple(skipped))
