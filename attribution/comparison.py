"""Score analyzers on labeled data, and compare two of them on the same articles, layer by layer.

``attribution evaluate --compare MODEL_A MODEL_B`` runs on :func:`compare_models`: each analyzer analyzes
each labeled article once (the report serves every layer), each gets the metrics of plain ``attribution
evaluate`` for every layer the records carry, and a paired bootstrap (the same resampled articles for both)
gives, for every compared score, the difference B - A, its interval and the share of resamples where B
scores higher:

- ``attributions``: cue / source / content exact and overlap F1, relation F1 (nested keys, as before);
- ``loaded_terms.<category>.{exact,overlap}.f1`` (category or ``micro``), ``techniques.si_f1``,
  ``techniques.tc_micro_f1``, ``sentence_labels.macro_f1``, ``term_attributes.<voice|polarity|target>.{accuracy,
  end_to_end}`` (where the gold terms give them);
- ``source_profile.type_accuracy``, ``source_profile.type_macro_f1``, ``source_profile.anonymous.f1``,
  ``source_profile.stance_accuracy`` (given the gold spans) and ``distancing.f1``.

A model is a loaded :class:`~attribution.pipeline.Analyzer`, ``None`` (the shipped models), an analyzer folder
(``analyzer_config.json``) or one component folder (:func:`folder_kind`), which then replaces that component of
the default analyzer: ``--compare models/ my-term-tagger/`` measures a fine-tuned term tagger against the
shipped one with everything else equal.

Example (the shipped term tagger against itself, swapped in from its folder: every B-A is 0):
    >>> from attribution.training import load_labeled                                  # doctest: +SKIP
    >>> records = load_labeled(["attribution/resources/training/war_terms.test.jsonl"], "jsonl")  # doctest: +SKIP
    >>> result = compare_models("models", "models/term-tagger", records, n_bootstrap=1000)  # doctest: +SKIP
    >>> result["compare"]["metrics"]["loaded_terms.name_calling.overlap.f1"]           # doctest: +SKIP
    {'a': 0.5041, 'b': 0.5041, 'delta': 0.0, 'delta_ci': {'low': 0.0, 'high': 0.0}, 'b_better': 0.0}
    >>> print(format_comparison(result).splitlines()[1])                               # doctest: +SKIP
    B: models/term-tagger (term_tagger in /work/main/models)

"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attribution.annotations import SOURCE_TYPES, GoldAttribution, LabeledArticle
from attribution.evaluation import (
    METRICS,
    AttributionEvaluator,
    paired_bootstrap,
    percentile_interval,
    resample_weights,
)
from attribution.records import Article, ArticleReport, Attribution
from attribution.term_evaluation import ATTRIBUTE_COLUMNS, TERM_METRICS, TermEvaluator

ModelSpec = str | Path | Any  # a folder (analyzer or one component), None for the shipped models, or an Analyzer

#: Layers in the order of the comparison table.
COMPARED_LAYERS = ("attributions", "loaded_terms", "techniques", "sentence_labels", "source_profile", "distancing")
#: Component kind -> the config file that marks its folder (the Analyzer.from_pretrained keyword of that kind).
COMPONENT_CONFIGS = {
    "attribution_tagger": "tagger_config.json",
    "term_tagger": "term_tagger_config.json",
    "sentence_bias": "sentence_bias_config.json",
    "source_profile": "source_profile_config.json",
    "target_ranker": "target_ranker.json",
}


def folder_kind(folder: str | Path) -> str:
    """What a model folder holds: ``"analyzer"`` or a component kind of :data:`COMPONENT_CONFIGS`.

    An ``analyzer_config.json`` makes it an analyzer folder even when a component config sits next to it.

    Raises:
        FileNotFoundError: if the folder holds none of these config files.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "term_tagger_config.json").write_text("{}")
        >>> folder_kind(folder)
        'term_tagger'

    """
    from attribution.pipeline import ANALYZER_CONFIG

    root = Path(folder)
    if (root / ANALYZER_CONFIG).is_file():
        return "analyzer"
    for kind, config in COMPONENT_CONFIGS.items():
        if (root / config).is_file():
            return kind
    raise FileNotFoundError(
        f"{root}: not a model folder; expected {ANALYZER_CONFIG} (an analyzer) or one of "
        f"{', '.join(COMPONENT_CONFIGS.values())} (a component)"
    )


def load_analyzer(model: ModelSpec, *, precision: str = "float32") -> Any:
    """An :class:`~attribution.pipeline.Analyzer` from a :data:`ModelSpec`.

    ``None``: the shipped models; an analyzer folder: that analyzer; a component folder (:func:`folder_kind`):
    the default analyzer with that component swapped in; anything else is taken to be a loaded analyzer (and
    keeps its own precision). ``precision``: the encoders' (:mod:`attribution.tagging.precision`).
    """
    from attribution.pipeline import Analyzer

    if model is None:
        return Analyzer.from_pretrained(precision=precision)
    if isinstance(model, str | Path):
        kind = folder_kind(model)
        if kind == "analyzer":
            return Analyzer.from_pretrained(model, precision=precision)
        return Analyzer.from_pretrained(None, precision=precision, **{kind: model})
    return model


def model_name(model: ModelSpec) -> str:
    """How a model is named in reports: its folder, or the tagger's name for a loaded analyzer."""
    from attribution.pipeline import default_model_dir

    if model is None:
        return str(default_model_dir())
    if isinstance(model, str | Path):
        return str(model)
    return str(getattr(model.tagger, "name", type(model).__name__))


def model_role(model: ModelSpec) -> str:
    """What a model is in a comparison: ``"analyzer"``, or ``"<kind> in <default analyzer folder>"``."""
    from attribution.pipeline import default_model_dir

    if isinstance(model, str | Path):
        kind = folder_kind(model)
        if kind != "analyzer":
            return f"{kind} in {default_model_dir()}"
    return "analyzer"


# --- one model on every layer --------------------------------------------------------------------


class ReportCache:
    """An analyzer whose :meth:`analyze_many` analyzes each distinct article (id and text) only once.

    Every other attribute is the wrapped analyzer's, so the layer evaluators take it for the analyzer;
    ``n_analyzed`` counts the articles actually analyzed.
    """

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        self.n_analyzed = 0
        self._reports: dict[tuple[str, str], ArticleReport] = {}

    def __getattr__(self, name: str) -> Any:
        if name == "analyzer":  # not set yet (copying, unpickling)
            raise AttributeError(name)
        return getattr(self.analyzer, name)

    def analyze_many(self, articles: Iterable[Article], *, batch_size: int = 32, **options: Any) -> Iterator[Any]:
        """The reports of ``articles``, in order; articles not seen before are analyzed in one batched run."""
        articles = list(articles)
        missing = list({(a.id, a.text): a for a in articles if (a.id, a.text) not in self._reports}.values())
        if missing:
            reports = self.analyzer.analyze_many(missing, batch_size=batch_size, **options)
            for article, report in zip(missing, reports, strict=True):
                self._reports[article.id, article.text] = report
            self.n_analyzed += len(missing)
        return iter([self._reports[a.id, a.text] for a in articles])

    def analyze(self, article: Article) -> Any:
        """One article's report."""
        return next(self.analyze_many([article]))


@dataclass(frozen=True)
class ModelEvaluation:
    """One model's scores on every layer of the records, kept per article for the paired bootstrap.

    ``profile_pairs`` has, per record with the ``source_profile`` layer, the ``(gold, predicted)`` pairs of its
    labeled attributions profiled given the gold spans (``None``: no source profiler); ``distancing_rows`` has,
    per record with the ``distancing`` layer, the counts of a
    :class:`~attribution.profile_evaluation.DistancingEvaluator` (``tp, tp_target, tp_exact, n_gold,
    n_predicted``); ``skipped`` one line per layer the model could not score.
    """

    attributions: AttributionEvaluator | None
    terms: TermEvaluator
    profile_pairs: list[list[tuple[GoldAttribution, Attribution]]] | None
    distancing_rows: list[tuple[int, int, int, int, int]] | None
    skipped: tuple[str, ...] = ()
    n_analyzed: int = 0

    def profile_results(self) -> dict[str, Any] | None:
        """The ``source_profile`` metrics of plain ``attribution evaluate`` (given gold spans), or ``None``."""
        from attribution.profile_evaluation import ProfileEvaluator

        if self.profile_pairs is None:
            return None
        evaluator = ProfileEvaluator()
        for pairs in self.profile_pairs:
            for gold, predicted in pairs:
                evaluator.add(gold, predicted)
        return evaluator.results()

    def distancing_results(self) -> dict[str, Any] | None:
        """The ``distancing`` metrics of plain ``attribution evaluate`` (markers, targets, exact), or ``None``."""
        from attribution.profile_evaluation import DistancingEvaluator

        if self.distancing_rows is None:
            return None
        return DistancingEvaluator(*(sum(column) for column in zip(*self.distancing_rows, strict=True))).results()

    def metrics(self, n_bootstrap: int = 1000, seed: int = 0, confidence: float = 0.95) -> dict[str, Any]:
        """The metrics dict of plain ``attribution evaluate --json`` for the layers scored."""
        out: dict[str, Any] = {}
        if self.attributions is not None:
            out["attributions"] = self.attributions.results_with_intervals(n_bootstrap, seed, confidence)
        out.update(self.terms.results_with_intervals(n_bootstrap, seed, confidence))
        profile = self.profile_results()
        if profile is not None:
            out["source_profile"] = profile
        distancing = self.distancing_results()
        if distancing is not None:
            out["distancing"] = distancing
        return out


def evaluate_model(analyzer: Any, records: Sequence[LabeledArticle], *, batch_size: int = 32) -> ModelEvaluation:
    """Score ``analyzer`` on every layer of ``records``, analyzing each article once.

    Attributions, loaded terms, techniques and sentence bias are scored by
    :func:`~attribution.term_evaluation.evaluate_layers`; the source profile given the gold spans and the
    distancing markers as :func:`~attribution.profile_evaluation.evaluate_profile_layers` scores them (the
    same profiler: the analyzer's, else the shipped one). One :class:`ReportCache` serves all of them.
    """
    cached = analyzer if isinstance(analyzer, ReportCache) else ReportCache(analyzer)
    precision_context = getattr(cached.analyzer, "precision_context", contextlib.nullcontext)
    with precision_context():  # the components called directly below run at the analyzer's precision too
        return _evaluate_model(cached, records, batch_size)


def _evaluate_model(cached: ReportCache, records: Sequence[LabeledArticle], batch_size: int) -> ModelEvaluation:
    from attribution.distancing import find_distancing
    from attribution.profile_evaluation import DistancingEvaluator, gold_distancing, profile_gold, profiler_of
    from attribution.segmenter import RuleSegmenter
    from attribution.term_evaluation import evaluate_layers

    has_terms = getattr(cached.analyzer, "term_tagger", None) is not None
    needs_report = [
        r
        for r in records
        if {"attributions", "distancing"} & set(r.layers)
        or (has_terms and {"loaded_terms", "techniques"} & set(r.layers))
    ]
    if needs_report:  # one batched run over every article any layer needs
        list(cached.analyze_many((Article(id=r.id, text=r.text) for r in needs_report), batch_size=batch_size))
    layers = evaluate_layers(cached, records, batch_size=batch_size)
    skipped = list(layers.skipped)

    profile_records = [r for r in records if "source_profile" in r.layers]
    profile_pairs = None
    if profile_records:
        profiler = profiler_of(cached.analyzer)
        if profiler is None:
            skipped.append(
                f"source_profile: skipped, no source profiler ({len(profile_records)} record(s) carry the layer)"
            )
        else:
            segmenter = getattr(cached.analyzer, "segmenter", None) or RuleSegmenter()
            profile_pairs = []
            profiled_records = profile_gold(profiler, profile_records, segmenter, batch_size=batch_size)
            for record, (_, _, profiled) in zip(profile_records, profiled_records, strict=True):
                pairs = zip(record.attributions, profiled, strict=True)
                profile_pairs.append([(g, p) for g, p in pairs if g.source_type is not None])

    distancing_records = [r for r in records if "distancing" in r.layers]
    distancing_rows = None
    if distancing_records:
        distancing_rows = []
        reports = cached.analyze_many(Article(id=r.id, text=r.text) for r in distancing_records)
        for record, report in zip(distancing_records, reports, strict=True):
            markers = report.distancing or find_distancing(record.text, report.sentences, report.attributions)
            evaluator = DistancingEvaluator()
            evaluator.add(record.text, gold_distancing(record), markers)
            distancing_rows.append(
                (evaluator.tp, evaluator.tp_target, evaluator.tp_exact, evaluator.n_gold, evaluator.n_predicted)
            )
    return ModelEvaluation(
        layers.attributions, layers.terms, profile_pairs, distancing_rows, tuple(skipped), cached.n_analyzed
    )


# --- the paired comparison ------------------------------------------------------------------------

Statistic = Callable[[Any], Any]  # summed per-article rows (resamples, k) -> one score per resample


def _dice(tp: Any, denominator: Any) -> Any:
    import numpy as np

    tp, denominator = np.asarray(tp, dtype=float), np.asarray(denominator, dtype=float)
    return np.divide(2.0 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def _share(correct: Any, n: Any) -> Any:
    return _dice(correct, 2 * n)


def _paired_row(
    point_a: float,
    point_b: float,
    rows_a: Any,
    rows_b: Any,
    statistic: Statistic,
    n: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    """``a``, ``b``, ``delta`` and, with ``n`` resamples of the rows' articles, ``delta_ci`` and ``b_better``."""
    import numpy as np

    row: dict[str, Any] = {"a": point_a, "b": point_b, "delta": round(point_b - point_a, 4)}
    rows_a, rows_b = np.asarray(rows_a, dtype=float), np.asarray(rows_b, dtype=float)
    if n and len(rows_a):
        weights = resample_weights(len(rows_a), n, seed)  # the same draws for A and B
        delta = statistic(weights @ rows_b) - statistic(weights @ rows_a)
        low, high = percentile_interval(delta, confidence)
        row["delta_ci"] = {"low": low, "high": high}
        row["b_better"] = round(float((delta > 1e-12).mean()), 4)
    return row


def _term_specs(a: TermEvaluator, b: TermEvaluator) -> Iterator[tuple[str, float, float, Any, Any, Statistic]]:
    """``(key, point A, point B, rows A, rows B, statistic)`` for the term layers both models scored."""
    import numpy as np

    from attribution.term_evaluation import si_prf

    results_a, results_b = a.results(), b.results()
    if a.term_rows and b.term_rows:
        rows_a, rows_b = np.asarray(a.term_rows, dtype=float), np.asarray(b.term_rows, dtype=float)
        for m, (category, kind) in enumerate(TERM_METRICS):
            columns = slice(3 * m, 3 * m + 3)
            yield (
                f"loaded_terms.{category}.{kind}.f1",
                results_a["loaded_terms"][category][kind]["f1"],
                results_b["loaded_terms"][category][kind]["f1"],
                rows_a[:, columns],
                rows_b[:, columns],
                lambda s: _dice(s[:, 0], s[:, 1] + s[:, 2]),
            )
    attributes_a, attributes_b = results_a.get("term_attributes", {}), results_b.get("term_attributes", {})
    if a.attribute_rows and b.attribute_rows:
        rows_a, rows_b = np.asarray(a.attribute_rows, dtype=float), np.asarray(b.attribute_rows, dtype=float)
        position = 0
        for name, columns in ATTRIBUTE_COLUMNS.items():
            block = slice(position, position + len(columns))
            position += len(columns)
            if name not in attributes_a or name not in attributes_b:
                continue
            gold, matched, correct = (columns.index(c) for c in ("n_gold", "n_matched", "n_correct"))
            for score, denominator in (("accuracy", matched), ("end_to_end", gold)):
                yield (
                    f"term_attributes.{name}.{score}",
                    attributes_a[name][score],
                    attributes_b[name][score],
                    rows_a[:, block],
                    rows_b[:, block],
                    lambda s, c=correct, d=denominator: _share(s[:, c], s[:, d]),
                )
    if a.si_rows and b.si_rows:
        yield (
            "techniques.si_f1",
            results_a["techniques"]["si_f1"],
            results_b["techniques"]["si_f1"],
            a.si_rows,
            b.si_rows,
            lambda s: si_prf(s[:, 0], s[:, 1], s[:, 2], s[:, 3])[2],
        )
    if a.tc_rows and b.tc_rows:
        yield (
            "techniques.tc_micro_f1",
            results_a["techniques"]["tc_micro_f1"],
            results_b["techniques"]["tc_micro_f1"],
            a.tc_rows,
            b.tc_rows,
            lambda s: _share(s[:, 0], s[:, 1]),
        )
    if a.sentence_rows and b.sentence_rows:
        yield (
            "sentence_labels.macro_f1",
            results_a["sentence_labels"]["macro_f1"],
            results_b["sentence_labels"]["macro_f1"],
            a.sentence_rows,
            b.sentence_rows,
            lambda s: (_dice(s[:, 0], s[:, 1] + s[:, 2]) + _dice(s[:, 3], s[:, 4] + s[:, 5])) / 2,
        )


def profile_rows(
    pairs_per_article: Sequence[Sequence[tuple[GoldAttribution, Attribution]]], labels: Sequence[str]
) -> Any:
    """Per-article source-profile counts: the type confusion matrix (flattened), anonymous and stance counts.

    Each row is ``len(labels) ** 2`` confusion counts (gold row, predicted column; a missing type counts as
    ``unspecified``), then anonymous ``(tp, n_predicted, n_gold)``, then stance ``(correct, n)`` over the
    pairs with a gold stance (a missing predicted stance counts as ``neutral``), as
    :class:`~attribution.profile_evaluation.ProfileEvaluator` counts them.

    Raises:
        ValueError: for a source type missing from ``labels``.

    """
    import numpy as np

    index = {label: i for i, label in enumerate(labels)}
    size = len(labels)
    rows = np.zeros((len(pairs_per_article), size * size + 5), dtype=float)
    for a, pairs in enumerate(pairs_per_article):
        for gold, predicted in pairs:
            g, p = gold.source_type or "unspecified", predicted.source_type or "unspecified"
            if g not in index or p not in index:
                raise ValueError(f"source type {g if g not in index else p!r} is not one of {list(labels)}")
            rows[a, index[g] * size + index[p]] += 1
            rows[a, size * size] += bool(gold.anonymous) and bool(predicted.anonymous)
            rows[a, size * size + 1] += bool(predicted.anonymous)
            rows[a, size * size + 2] += bool(gold.anonymous)
            if gold.stance is not None:
                rows[a, size * size + 3] += gold.stance == (predicted.stance or "neutral")
                rows[a, size * size + 4] += 1
    return rows


def profile_statistics(sums: Any, n_labels: int) -> dict[str, Any]:
    """Type accuracy, type macro-F1, anonymous F1 and stance accuracy from summed :func:`profile_rows`.

    ``sums`` has shape ``(resamples, columns)``; each score comes back with shape ``(resamples,)``. Macro-F1
    averages over the types present in gold or predictions of that resample (as
    :func:`~attribution.profile_evaluation.type_scores`).

    Example:
        >>> import numpy as np
        >>> confusion = [[2, 1], [0, 1]]  # gold ngo: 2 right, 1 called media; gold media: 1 right
        >>> sums = np.asarray([[*np.ravel(confusion), 1, 2, 1, 3, 4]], dtype=float)
        >>> {key: round(float(value[0]), 4) for key, value in profile_statistics(sums, 2).items()}
        {'type_accuracy': 0.75, 'type_macro_f1': 0.7333, 'anonymous.f1': 0.6667, 'stance_accuracy': 0.75}

    """
    import numpy as np

    sums = np.asarray(sums, dtype=float)
    size = n_labels * n_labels
    confusion = sums[:, :size].reshape(len(sums), n_labels, n_labels)
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)
    n_gold, n_predicted = confusion.sum(axis=2), confusion.sum(axis=1)
    present = (n_gold + n_predicted) > 0
    f1 = _dice(diagonal, n_gold + n_predicted)
    n_present = present.sum(axis=1)
    macro = np.divide((f1 * present).sum(axis=1), n_present, out=np.zeros(len(sums)), where=n_present > 0)
    tail = sums[:, size:]
    return {
        "type_accuracy": _share(diagonal.sum(axis=1), confusion.sum(axis=(1, 2))),
        "type_macro_f1": macro,
        "anonymous.f1": _dice(tail[:, 0], tail[:, 1] + tail[:, 2]),
        "stance_accuracy": _share(tail[:, 3], tail[:, 4]),
    }


def _profile_specs(a: ModelEvaluation, b: ModelEvaluation) -> Iterator[tuple[str, float, float, Any, Any, Statistic]]:
    if a.profile_pairs is None or b.profile_pairs is None:
        return
    seen = {
        x.source_type or "unspecified"
        for side in (a, b)
        for pairs in side.profile_pairs
        for g, p in pairs
        for x in (g, p)
    }
    labels = [t for t in SOURCE_TYPES if t in seen] + sorted(seen - set(SOURCE_TYPES))
    rows_a, rows_b = profile_rows(a.profile_pairs, labels), profile_rows(b.profile_pairs, labels)
    results_a, results_b = a.profile_results() or {}, b.profile_results() or {}
    for key in ("type_accuracy", "type_macro_f1", "anonymous.f1", "stance_accuracy"):
        point_a, point_b = results_a, results_b
        for part in key.split("."):
            point_a, point_b = point_a[part], point_b[part]

        def statistic(sums: Any, key: str = key) -> Any:
            return profile_statistics(sums, len(labels))[key]

        yield f"source_profile.{key}", point_a, point_b, rows_a, rows_b, statistic


def _distancing_specs(
    a: ModelEvaluation, b: ModelEvaluation
) -> Iterator[tuple[str, float, float, Any, Any, Statistic]]:
    if a.distancing_rows is None or b.distancing_rows is None:
        return
    yield (
        "distancing.f1",
        (a.distancing_results() or {})["f1"],
        (b.distancing_results() or {})["f1"],
        a.distancing_rows,
        b.distancing_rows,
        lambda s: _dice(s[:, 0], s[:, 3] + s[:, 4]),  # tp, tp_target, tp_exact, n_gold, n_predicted
    )


def paired_layer_metrics(
    a: ModelEvaluation, b: ModelEvaluation, *, n: int = 1000, seed: int = 0, confidence: float = 0.95
) -> dict[str, Any]:
    """The paired comparison of two :class:`ModelEvaluation` on the same records, every layer both scored.

    Attribution F1s keep the nested keys of :func:`~attribution.evaluation.paired_bootstrap`; the other scores
    are flat keys named like the ``--json`` keys of plain ``attribution evaluate`` (``loaded_terms.micro.exact.f1``,
    ``techniques.si_f1``, ``source_profile.anonymous.f1``, ...). Each has ``a``, ``b``, ``delta`` (B - A) and
    with ``n > 0`` ``delta_ci`` and ``b_better``; each layer's articles are resampled, the same draws for A and B.

    Raises:
        ValueError: if the two evaluations scored different numbers of articles on a layer.

    """
    out: dict[str, Any] = {}
    if a.attributions is not None and b.attributions is not None:
        paired = paired_bootstrap(a.attributions, b.attributions, n=n, seed=seed, confidence=confidence)
        out.update({key: value for key, value in paired.items() if key in {role for role, _ in METRICS}})
    for key, point_a, point_b, rows_a, rows_b, statistic in (
        *_term_specs(a.terms, b.terms),
        *_profile_specs(a, b),
        *_distancing_specs(a, b),
    ):
        if len(rows_a) != len(rows_b):
            raise ValueError(f"{key}: paired comparison needs the same articles (got {len(rows_a)} and {len(rows_b)})")
        out[key] = _paired_row(point_a, point_b, rows_a, rows_b, statistic, n, seed, confidence)
    return out


def layer_counts(evaluation: ModelEvaluation) -> dict[str, int]:
    """How many articles each layer was scored on (layers not scored are left out)."""
    counts = {
        "attributions": evaluation.attributions.n_articles if evaluation.attributions is not None else 0,
        "loaded_terms": len(evaluation.terms.term_rows),
        "term_attributes": sum(1 for row in evaluation.terms.attribute_rows if any(row)),  # gold terms give some
        "techniques": max(len(evaluation.terms.si_rows), len(evaluation.terms.tc_rows)),
        "sentence_labels": len(evaluation.terms.sentence_rows),
        "source_profile": len(evaluation.profile_pairs or ()),
        "distancing": len(evaluation.distancing_rows or ()),
    }
    return {layer: n for layer, n in counts.items() if n}


def scoreable_records(records: Iterable[LabeledArticle]) -> list[LabeledArticle]:
    """The records carrying at least one layer :func:`compare_models` scores.

    Raises:
        ValueError: if there are none.

    """
    kept = [r for r in records if set(COMPARED_LAYERS) & set(r.layers)]
    if not kept:
        raise ValueError(f"no records with a layer to score ({', '.join(COMPARED_LAYERS)})")
    return kept


def compare_models(
    model_a: ModelSpec,
    model_b: ModelSpec,
    records: Iterable[LabeledArticle],
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    batch_size: int = 32,
    precision: str = "float32",
) -> dict[str, Any]:
    """Evaluate two analyzers on the same labeled articles, every layer, and compare them with a paired bootstrap.

    Args:
        model_a: An analyzer folder, one component folder (swapped into the default analyzer), None (the
            shipped models) or a loaded Analyzer; see :func:`load_analyzer`.
        model_b: The same for the second model; B - A is reported.
        records: Labeled articles; each layer is scored on the records that list it.
        n_bootstrap: Resamples of the articles (0: point estimates only).
        seed: Seed of the resampling (the same draws for both models).
        confidence: Level of the percentile intervals.
        batch_size: Encoder windows per forward pass.
        precision: The encoders' numeric precision for the models loaded here (see :func:`load_analyzer`).

    Returns:
        ``{"compare": {"a", "b", "roles", "n_articles", "layers", "n_resamples", "confidence", "seed",
        "metrics", "skipped"}, "a": {...}, "b": {...}}``. ``metrics`` has the rows of
        :func:`paired_layer_metrics`; ``layers`` the number of articles per compared layer; ``roles`` what
        each model is (:func:`model_role`); ``skipped`` a line per layer left out for a model. ``a`` and
        ``b`` hold each model's metrics as plain ``attribution evaluate --json`` writes them (the source
        profile given gold spans only).

    Raises:
        ValueError: if no record carries a layer to score.

    """
    records = scoreable_records(records)
    evaluations = [
        evaluate_model(load_analyzer(model, precision=precision), records, batch_size=batch_size)
        for model in (model_a, model_b)
    ]
    a, b = evaluations
    metrics = paired_layer_metrics(a, b, n=n_bootstrap, seed=seed, confidence=confidence)
    skipped = [f"{side}: {line}" for side, evaluation in (("A", a), ("B", b)) for line in evaluation.skipped]
    counts_a, counts_b = layer_counts(a), layer_counts(b)
    return {
        "compare": {
            "a": model_name(model_a),
            "b": model_name(model_b),
            "roles": {"a": model_role(model_a), "b": model_role(model_b)},
            "n_articles": len(records),
            "layers": {layer: n for layer, n in counts_a.items() if layer in counts_b},
            "n_resamples": n_bootstrap,
            "confidence": confidence,
            "seed": seed,
            "metrics": metrics,
            "skipped": skipped,
        },
        "a": a.metrics(n_bootstrap, seed, confidence),
        "b": b.metrics(n_bootstrap, seed, confidence),
    }


# --- the table ------------------------------------------------------------------------------------


def _layer_rows(metrics: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Comparison rows grouped by layer, in :data:`COMPARED_LAYERS` order (``term_attributes`` after ``loaded_terms``).

    Returns ``{layer: [(label, row)]}``.
    """
    grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    if "relation" in metrics:
        order = {"exact": 0, "overlap": 1, "": 2}  # exact rows, then overlap rows, then relation
        for role, kind in sorted(METRICS, key=lambda metric: order[metric[1]]):
            row = metrics[role][kind] if kind else metrics[role]
            grouped.setdefault("attributions", []).append((f"{role} {kind}".strip(), row))
    for key, row in metrics.items():
        if "." in key:
            layer, rest = key.split(".", 1)
            grouped.setdefault(layer, []).append((rest.replace(".", " "), row))
    table_order = (*COMPARED_LAYERS[:2], "term_attributes", *COMPARED_LAYERS[2:])  # attributes after their terms
    rank = {layer: i for i, layer in enumerate(table_order)}
    return dict(sorted(grouped.items(), key=lambda item: rank.get(item[0], len(rank))))


def comparison_rows(metrics: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The comparison rows in table order as ``(layer, score label, row)``.

    Example:
        >>> row = {"a": 0.5, "b": 0.6, "delta": 0.1}
        >>> [(layer, label) for layer, label, _ in comparison_rows({"sentence_labels.macro_f1": row})]
        [('sentence_labels', 'macro_f1')]

    """
    return [(layer, label, row) for layer, rows in _layer_rows(metrics).items() for label, row in rows]


def format_comparison(result: dict[str, Any]) -> str:
    """The table of :func:`compare_models`: a row per score, grouped by layer; A, B, B-A, its interval, P(B>A).

    Example:
        >>> row = {"a": 0.5, "b": 0.6, "delta": 0.1, "delta_ci": {"low": -0.05, "high": 0.25}, "b_better": 0.91}
        >>> metrics = {r: {"exact": row, "overlap": row} for r in ("cue", "source", "content")}
        >>> metrics |= {"relation": row, "loaded_terms.micro.overlap.f1": row, "source_profile.type_accuracy": row}
        >>> result = {"compare": {"a": "models", "b": "my-terms", "n_articles": 3, "n_resamples": 1000,
        ...                       "confidence": 0.95, "metrics": metrics,
        ...                       "layers": {"attributions": 3, "loaded_terms": 2, "source_profile": 1},
        ...                       "roles": {"a": "analyzer", "b": "term_tagger in models"}}}
        >>> print(format_comparison(result))
        A: models
        B: my-terms (term_tagger in models)
        3 articles, 1000 paired resamples (per layer, the same articles for A and B)
        score                                 A        B      B-A  95% CI of B-A       P(B>A)
        attributions (3 articles)
          cue exact                       0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          source exact                    0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          content exact                   0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          cue overlap                     0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          source overlap                  0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          content overlap                 0.500    0.600   +0.100  [-0.050, +0.250]     0.910
          relation                        0.500    0.600   +0.100  [-0.050, +0.250]     0.910
        loaded_terms (2 articles)
          micro overlap f1                0.500    0.600   +0.100  [-0.050, +0.250]     0.910
        source_profile (1 article)
          type_accuracy                   0.500    0.600   +0.100  [-0.050, +0.250]     0.910

    """
    compare = result["compare"]
    level = f"{compare.get('confidence', 0.95):.0%}"
    roles = compare.get("roles", {})
    names = [
        f"{compare[side]} ({roles[side]})" if roles.get(side, "analyzer") != "analyzer" else compare[side]
        for side in ("a", "b")
    ]
    lines = [
        f"A: {names[0]}",
        f"B: {names[1]}",
        f"{compare['n_articles']} articles, {compare['n_resamples']} paired resamples"
        " (per layer, the same articles for A and B)"
        if compare["n_resamples"]
        else f"{compare['n_articles']} articles, no bootstrap",
        f"{'score':<30}{'A':>9}{'B':>9}{'B-A':>9}  {level + ' CI of B-A':<18}{'P(B>A)':>8}",
    ]
    counts = compare.get("layers", {})
    for layer, rows in _layer_rows(compare["metrics"]).items():
        n = counts.get(layer)
        lines.append(f"{layer} ({n} article{'s' if n != 1 else ''})" if n is not None else layer)
        for label, row in rows:
            ci = row.get("delta_ci")
            interval = f"[{ci['low']:+.3f}, {ci['high']:+.3f}]" if ci else "-"
            better = f"{row['b_better']:.3f}" if "b_better" in row else "-"
            lines.append(
                f"  {label:<28}{row['a']:>9.3f}{row['b']:>9.3f}{row['delta']:>+9.3f}  {interval:<18}{better:>8}"
            )
    lines += compare.get("skipped", [])
    return "\n".join(line.rstrip() for line in lines)
