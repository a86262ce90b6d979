"""Fit the target ranker (:mod:`attribution.target_ranking`) on articles with gold loaded-term targets.

The analyzer, without a ranker, reads each labelled article; every loaded term it leaves without a named target
(:func:`~attribution.target_ranking.rankable`) and that overlaps a gold term becomes one ranking problem: the
article's actor mentions, each labelled right when it names the gold target (:func:`~attribution.actors.same_actor`).
A gold term without a target makes every mention wrong, which teaches the ranker to leave a term open.

A logistic regression over the pairs, its regularisation chosen by grouped cross-validation (an article's pairs in
one fold, top-1 accuracy of the held-out terms), is then given the probability threshold that does a reader most good
on the dev articles: the most targets right less those wrong, a target given where the annotator saw none counting
as wrong (:func:`net_targets`; the first threshold wins a tie, so list the highest first). Target accuracy alone
would count a wrong target no worse than none, and so choose the lowest threshold.

Example:
    >>> import numpy as np
    >>> rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    >>> examples = RankingExamples(rows, np.array([1, 0, 1, 0]), np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1]))
    >>> top_one_accuracy(examples, np.array([0.9, 0.2, 0.3, 0.8]))  # term 0 right, term 1 wrong
    0.5

"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from attribution.actors import build_actors, same_actor, targets_from_actors
from attribution.annotations import LabeledArticle
from attribution.grouped_logistic import fit_grouped_logistic
from attribution.model_card import write_ranker_model_card
from attribution.records import ArticleReport, LoadedTerm
from attribution.target_ranking import (
    FEATURES,
    ArticleActors,
    TargetRanker,
    rankable,
    ranking_rows,
    targets_from_ranker,
)
from attribution.term_evaluation import attribute_results, charset, term_attribute_counts

logger = logging.getLogger(__name__)

#: Inverse regularisation strengths tried, and probability thresholds tried on dev (highest first).
DEFAULT_CS = (0.01, 0.03, 0.1, 0.3, 1.0)
DEFAULT_THRESHOLDS = (0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


@dataclass(frozen=True)
class RankingExamples:
    """(term, mention) pairs: features, whether the mention is the gold target, the term's id and its article."""

    features: np.ndarray  # pairs x features
    correct: np.ndarray  # 0/1 per pair
    terms: np.ndarray  # term id per pair (a ranking problem)
    articles: np.ndarray  # article index per pair (cross-validation keeps an article together)


def gold_targets(record: LabeledArticle, terms: Sequence[LoadedTerm]) -> dict[int, str | None]:
    """For each of ``terms`` that is the best match of a gold term (as the evaluator matches), that gold target.

    A term matching several gold terms takes the first one that gives a target (``None`` when none does).
    """
    predicted = [charset(record.text, [(t.start, t.end)]) for t in terms]
    out: dict[int, str | None] = {}
    for gold in record.loaded_terms or ():
        chars = charset(record.text, gold.span)
        overlaps = [len(chars & found) for found in predicted]
        if not overlaps or max(overlaps) == 0:
            continue
        best = overlaps.index(max(overlaps))
        if out.get(best) is None:
            out[best] = gold.target
    return out


def ranking_examples(records: Sequence[LabeledArticle], reports: Sequence[ArticleReport]) -> RankingExamples:
    """The ranking problems of the reports' open terms that match a gold term (module docstring)."""
    rows, correct, term_ids, articles = [], [], [], []
    term_id = 0
    for article, (record, report) in enumerate(zip(records, reports, strict=True)):
        terms = report.loaded_terms
        wanted = gold_targets(record, terms)
        actors = ArticleActors.of(report.article.text, report.sentences)
        for i, term in enumerate(terms):
            if i not in wanted or not rankable(term):
                continue
            pool, features = ranking_rows(term, actors, report.attributions, terms)
            if not pool:
                continue
            target = wanted[i]
            rows.append(features)
            correct += [int(target is not None and same_actor(target, c.text)) for c in pool]
            term_ids += [term_id] * len(pool)
            articles += [article] * len(pool)
            term_id += 1
    width = len(FEATURES)
    return RankingExamples(
        np.concatenate(rows) if rows else np.zeros((0, width)),
        np.array(correct, dtype=int),
        np.array(term_ids, dtype=int),
        np.array(articles, dtype=int),
    )


def top_one_accuracy(examples: RankingExamples, scores: np.ndarray) -> float:
    """Share of the ranking problems with a right mention whose best-scored mention is right."""
    right = total = 0
    for term in np.unique(examples.terms):
        rows = examples.terms == term
        if not examples.correct[rows].any():
            continue
        total += 1
        right += int(examples.correct[rows][int(np.argmax(scores[rows]))])
    return round(right / total, 4) if total else 0.0


def fit_ranker(
    examples: RankingExamples, *, cs: Sequence[float] = DEFAULT_CS, folds: int = 5
) -> tuple[TargetRanker, dict[str, Any]]:
    """A logistic regression on standardised pairs, ``C`` chosen by grouped cross-validated top-1 accuracy.

    Threshold 0: :func:`choose_threshold` sets it. Returns the ranker and a report.

    Raises:
        ValueError: when the examples hold no right mention or fewer articles than two.

    """
    if not examples.correct.any() or len(set(examples.articles.tolist())) < 2:
        raise ValueError(
            f"too little to fit a target ranker: {len(set(examples.terms.tolist()))} open terms with "
            f"{int(examples.correct.sum())} right mentions in {len(set(examples.articles.tolist()))} articles"
        )
    y = examples.correct
    fit = fit_grouped_logistic(
        examples.features, y, examples.articles, cs=cs, score=lambda p: top_one_accuracy(examples, p), folds=folds
    )
    ranker = TargetRanker(FEATURES, fit.weights, fit.bias, fit.mean, fit.scale, 0.0)
    report = {
        "pairs": len(y),
        "terms": len(set(examples.terms.tolist())),
        "terms_with_a_right_mention": len(set(examples.terms[y == 1].tolist())),
        "cv_top_one_accuracy_by_c": fit.score_by_c,
        "c": fit.c,
        "weights": {name: round(w, 4) for name, w in zip(FEATURES, fit.weights, strict=True)},
    }
    return ranker, report


def target_scores(
    records: Sequence[LabeledArticle], reports: Sequence[ArticleReport], ranker: TargetRanker | None
) -> dict[str, Any]:
    """Target accuracy and the rest (:func:`~attribution.term_evaluation.attribute_results`) with ``ranker``.

    The ranker runs on the reports' terms as the analyzer runs it (``None``: the reports as they are);
    ``given_without_gold`` counts targets given to terms whose gold target is none.
    """
    sums = None
    without_gold = 0
    for record, report in zip(records, reports, strict=True):
        terms = report.loaded_terms
        if ranker is not None:  # as the analyzer runs it: on the report's terms, then the actor table again
            terms = targets_from_ranker(report.article.text, report.sentences, report.attributions, terms, ranker)
            terms = targets_from_actors(
                build_actors(report.attributions, terms, report.distancing, report.article.text), terms
            )
        counts = np.array(term_attribute_counts(record, terms))
        sums = counts if sums is None else sums + counts
        for i, target in gold_targets(record, terms).items():
            without_gold += target is None and terms[i].target is not None
    results = attribute_results([int(v) for v in sums]) if sums is not None else {}
    out = dict(results.get("target", {}))
    out["given_without_gold"] = int(without_gold)
    return out


def net_targets(scores: dict[str, Any]) -> int:
    """Targets right less targets wrong, among the gold terms matched (:func:`target_scores`' output).

    >>> net_targets({"accuracy": 0.5, "given": 0.75, "n_matched": 8, "given_without_gold": 1})  # 4 right, 2 wrong
    1
    """
    matched = scores.get("n_matched", 0)
    right = round(scores.get("accuracy", 0.0) * matched)
    wrong = round(scores.get("given", 0.0) * matched) - right + scores.get("given_without_gold", 0)
    return right - wrong


def choose_threshold(
    ranker: TargetRanker,
    records: Sequence[LabeledArticle],
    reports: Sequence[ArticleReport],
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> tuple[TargetRanker, dict[str, Any]]:
    """The threshold with the most :func:`net_targets` on the dev ``records`` (the first wins a tie)."""
    by_threshold = {str(t): target_scores(records, reports, replace(ranker, threshold=t)) for t in thresholds}
    for scores in by_threshold.values():
        scores["net"] = net_targets(scores)
    best = max(thresholds, key=lambda t: by_threshold[str(t)]["net"])
    logger.info("target ranker threshold %s chosen on dev (%s)", best, by_threshold[str(best)])
    return replace(ranker, threshold=best), {"by_threshold": by_threshold, "threshold": best}


def analyzer_reports(analyzer: Any, records: Sequence[LabeledArticle]) -> list[ArticleReport]:
    """The analyzer's reports of ``records``' texts, without its target ranker (what the ranker learns to extend)."""
    from attribution.records import Article

    ranker, analyzer.target_ranker = analyzer.target_ranker, None
    try:
        return list(analyzer.analyze_many([Article(id=r.id, text=r.text) for r in records]))
    finally:
        analyzer.target_ranker = ranker


def train_target_ranker(
    train_paths: Sequence[str | Path],
    dev_paths: Sequence[str | Path],
    out: str | Path,
    *,
    analyzer: Any | None = None,
    model: str | Path | None = None,
    precision: str = "float32",
    data_format: str = "jsonl",
    cs: Sequence[float] = DEFAULT_CS,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> dict[str, Any]:
    """Fit a ranker on ``train_paths``, choose its threshold on ``dev_paths``, save it to ``out``.

    ``analyzer``: the one whose reports the ranker extends; without it, the analyzer folder ``model`` (default: the
    shipped models) is loaded at ``precision`` once the data has been read. Writes
    ``target_ranker.json``, ``training_metrics.json`` (the fit report, the dev scores by threshold, the dev
    scores without a ranker) and a model card, and returns the metrics.

    Raises:
        ValueError: naming the data when it holds no loaded terms with targets, or when no dev data is given.

    """
    from attribution.training import load_labeled

    if not dev_paths:
        raise ValueError("--task targets needs --dev: labelled articles to choose the ranker's threshold on")
    started = time.perf_counter()
    train = [r for r in load_labeled(list(train_paths), data_format) if r.loaded_terms]
    dev = [r for r in load_labeled(list(dev_paths), data_format) if r.loaded_terms]
    for name, paths, records in (("training data", train_paths, train), ("dev data", dev_paths, dev)):
        if not any(t.target for r in records for t in r.loaded_terms):
            raise ValueError(f"{name} {', '.join(map(str, paths))}: no loaded term gives a target")
    if analyzer is None:
        from attribution.pipeline import Analyzer

        analyzer = Analyzer.from_pretrained(model, precision=precision)
    train_reports = analyzer_reports(analyzer, train)
    dev_reports = analyzer_reports(analyzer, dev)
    ranker, fit_report = fit_ranker(ranking_examples(train, train_reports), cs=cs)
    ranker, choice = choose_threshold(ranker, dev, dev_reports, thresholds)
    ranker.save_pretrained(out)
    metrics = {
        "train_data": [str(p) for p in train_paths],
        "dev_data": [str(p) for p in dev_paths],
        "train_articles": len(train),
        "dev_articles": len(dev),
        "fit": fit_report,
        "dev_without_ranker": target_scores(dev, dev_reports, None),
        "dev_by_threshold": choice["by_threshold"],
        "threshold": choice["threshold"],
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    (Path(out) / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_ranker_model_card(out, metrics)
    return metrics
