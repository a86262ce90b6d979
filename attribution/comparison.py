"""Score analyzers on labeled data, and compare two of them on the same articles.

``attribution evaluate --compare MODEL_A MODEL_B`` runs on :func:`compare_models`: both analyzers
analyze the same labeled articles, each gets its metrics with bootstrap intervals, and a paired
bootstrap (the same resampled articles for both) gives, for every F1, the difference B - A, its
interval and the share of resamples where B scores higher.

Example:
    >>> from attribution.comparison import compare_models, format_comparison   # doctest: +SKIP
    >>> from attribution.training import load_labeled                          # doctest: +SKIP
    >>> records = load_labeled(["dev.jsonl"], "jsonl")                         # doctest: +SKIP
    >>> result = compare_models("models", "my-tagger", records, n_bootstrap=1000)  # doctest: +SKIP
    >>> print(format_comparison(result))                                       # doctest: +SKIP

"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from attribution.annotations import LabeledArticle
from attribution.evaluation import METRICS, AttributionEvaluator, paired_bootstrap
from attribution.records import Article

ModelSpec = str | Path | Any  # a folder (analyzer or bare tagger), None for the shipped models, or an Analyzer


def attribution_records(records: Iterable[LabeledArticle]) -> list[LabeledArticle]:
    """The records labeled for the attribution layer.

    Raises:
        ValueError: if there are none.

    """
    kept = [r for r in records if "attributions" in r.layers]
    if not kept:
        raise ValueError("no records with the 'attributions' layer")
    return kept


def load_analyzer(model: ModelSpec) -> Any:
    """An :class:`~attribution.pipeline.Analyzer`: ``model`` itself, or loaded from a folder (None: shipped)."""
    from attribution.pipeline import Analyzer

    if model is None or isinstance(model, str | Path):
        return Analyzer.from_pretrained(model)
    return model


def model_name(model: ModelSpec) -> str:
    """How a model is named in reports: its folder, or the tagger's name for a loaded analyzer."""
    from attribution.pipeline import default_model_dir

    if model is None:
        return str(default_model_dir())
    if isinstance(model, str | Path):
        return str(model)
    return str(getattr(model.tagger, "name", type(model).__name__))


def evaluate_analyzer(
    analyzer: Any, records: Sequence[LabeledArticle], *, batch_size: int = 32
) -> AttributionEvaluator:
    """Analyze ``records`` with ``analyzer`` and score its attributions against their labels.

    Records without the ``attributions`` layer are left out (not analyzed, not scored).
    """
    evaluator = AttributionEvaluator()
    records = [r for r in records if "attributions" in r.layers]
    articles = (Article(id=r.id, text=r.text) for r in records)
    for record, report in zip(records, analyzer.analyze_many(articles, batch_size=batch_size), strict=True):
        evaluator.add(record.text, record.attributions, report.attributions)
    return evaluator


def compare_models(
    model_a: ModelSpec,
    model_b: ModelSpec,
    records: Iterable[LabeledArticle],
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    batch_size: int = 32,
) -> dict[str, Any]:
    """Evaluate two analyzers on the same labeled articles and compare them with a paired bootstrap.

    Args:
        model_a: Folder of an analyzer or a bare tagger, None (the shipped models) or a loaded Analyzer.
        model_b: The same for the second model; B - A is reported.
        records: Labeled articles; those without the attribution layer are skipped.
        n_bootstrap: Resamples of the articles (0: point estimates only).
        seed: Seed of the resampling (the same draws for both models).
        confidence: Level of the percentile intervals.
        batch_size: Encoder windows per forward pass.

    Returns:
        ``{"compare": {"a", "b", "n_articles", "n_resamples", "confidence", "seed", "metrics"},
        "a": {"attributions": ...}, "b": {"attributions": ...}}`` where ``metrics`` has, for each
        F1 (``metrics[role]["exact"|"overlap"]`` and ``metrics["relation"]``), ``a``, ``b``,
        ``delta`` and with bootstrapping ``delta_ci`` and ``b_better``; each model's metrics are
        those of ``attribution evaluate`` (with ``"ci"`` next to each F1).

    """
    records = attribution_records(records)
    evaluators = []
    for model in (model_a, model_b):
        evaluators.append(evaluate_analyzer(load_analyzer(model), records, batch_size=batch_size))
    a, b = evaluators
    paired = paired_bootstrap(a, b, n=n_bootstrap, seed=seed, confidence=confidence)
    metrics = {key: value for key, value in paired.items() if key in {role for role, _ in METRICS}}
    return {
        "compare": {
            "a": model_name(model_a),
            "b": model_name(model_b),
            "n_articles": a.n_articles,
            "n_resamples": n_bootstrap,
            "confidence": confidence,
            "seed": seed,
            "metrics": metrics,
        },
        "a": {"attributions": a.results_with_intervals(n_bootstrap, seed, confidence)},
        "b": {"attributions": b.results_with_intervals(n_bootstrap, seed, confidence)},
    }


def format_comparison(result: dict[str, Any]) -> str:
    """The table of :func:`compare_models`: one row per F1; columns A, B, B-A, its interval, P(B>A).

    Example:
        >>> row = {"a": 0.5, "b": 0.6, "delta": 0.1, "delta_ci": {"low": -0.05, "high": 0.25}, "b_better": 0.91}
        >>> metrics = {r: {"exact": row, "overlap": row} for r in ("cue", "source", "content")}
        >>> result = {"compare": {"a": "A-dir", "b": "B-dir", "n_articles": 3, "n_resamples": 1000,
        ...                       "confidence": 0.95, "metrics": {**metrics, "relation": row}}}
        >>> print(format_comparison(result).splitlines()[4])
        cue exact           0.500    0.600   +0.100  [-0.050, +0.250]     0.910

    """
    compare = result["compare"]
    metrics = compare["metrics"]
    level = f"{compare.get('confidence', 0.95):.0%}"
    lines = [
        f"A: {compare['a']}",
        f"B: {compare['b']}",
        f"{compare['n_articles']} articles, {compare['n_resamples']} paired resamples"
        if compare["n_resamples"]
        else f"{compare['n_articles']} articles, no bootstrap",
        f"{'F1':<16}{'A':>9}{'B':>9}{'B-A':>9}  {level + ' CI of B-A':<18}{'P(B>A)':>8}",
    ]
    order = {"exact": 0, "overlap": 1, "": 2}  # exact rows, then overlap rows, then relation
    for role, kind in sorted(METRICS, key=lambda metric: order[metric[1]]):
        row = metrics[role][kind] if kind else metrics[role]
        ci = row.get("delta_ci")
        interval = f"[{ci['low']:+.3f}, {ci['high']:+.3f}]" if ci else "-"
        better = f"{row['b_better']:.3f}" if "b_better" in row else "-"
        label = f"{role} {kind}".strip()
        lines.append(f"{label:<16}{row['a']:>9.3f}{row['b']:>9.3f}{row['delta']:>+9.3f}  {interval:<18}{better:>8}")
    return "\n".join(line.rstrip() for line in lines)
