"""Fit the loaded-term verifier (:mod:`attribution.tagging.term_verifier`) on a trained branch.

Run by ``attribution train --task loaded-terms`` after the decoding settings are chosen: the branch
decodes the training articles, each decoded term of a verified category becomes one example, labelled
right when it overlaps a gold term of its category, and a logistic regression per category is fitted on
them (its regularisation chosen by grouped cross-validation, articles kept together). Then each
category's threshold is chosen on dev; a category whose best threshold is 0 (keep every term) gets no
verifier. The hand-written war set is neither fitted on nor used for the thresholds: the branch was
trained on it, so it keeps nearly all of its terms whatever the threshold, and with it in the choice
(session 20) the loaded_language threshold went to 0.5, which cut PTC validation loaded_language from
0.501 to 0.40. Terms of the packaged war lexicon are not the verifier's to drop
(:attr:`~attribution.tagging.term_verifier.TermVerifier.keeps_lexicon_terms`).

The branch fits its training articles only loosely (PTC name_calling overlap F1 0.500 on 60 of them
against 0.457 on validation, session 20), so its terms there make the same kinds of mistakes as on new
articles, which is what the verifier learns from.

Example:
    >>> from attribution.term_verifier_training import fit_category_verifier
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2)); y = (x[:, 0] > 0).astype(int); groups = np.arange(200) // 10
    >>> verifier, report = fit_category_verifier(x, y, groups, cs=[0.1, 1.0])
    >>> report["cv_auc"] > 0.9, verifier.probability(np.array([2.0, 0.0])) > 0.5
    (True, True)

"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from attribution.annotations import LabeledArticle
from attribution.grouped_logistic import fit_grouped_logistic
from attribution.tagging.term_tagger import TERM_GROUPS, TermTagger
from attribution.tagging.term_verifier import CategoryVerifier, TermVerifier, feature_names, term_features

logger = logging.getLogger(__name__)

#: Fewest examples, and fewest of each class, a category needs for a verifier.
MIN_EXAMPLES = 20
MIN_PER_CLASS = 5


@dataclass(frozen=True)
class VerifierExamples:
    """One category's decoded terms on labelled articles: features, whether each is right, its article."""

    features: np.ndarray  # terms x features
    correct: np.ndarray  # 0/1 per term
    articles: np.ndarray  # article index per term (cross-validation keeps an article's terms together)


def term_is_correct(record: LabeledArticle, category: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps a gold loaded term of ``category`` in ``record`` (the overlap scores' rule).

    Example:
        >>> from attribution.annotations import GoldLoadedTerm, LabeledArticle
        >>> gold = (GoldLoadedTerm(span=((4, 9),), category="name_calling"),)
        >>> record = LabeledArticle(id="a", text="the thugs fled", layers=("loaded_terms",), loaded_terms=gold)
        >>> term_is_correct(record, "name_calling", 4, 9), term_is_correct(record, "loaded_language", 4, 9)
        (True, False)
        >>> term_is_correct(record, "name_calling", 10, 14)
        False

    """
    return any(
        gold.category == category and any(a < end and start < b for a, b in gold.span)
        for gold in record.loaded_terms or ()
    )


def verifier_examples(
    tagger: TermTagger,
    features: Any,
    records: Sequence[LabeledArticle],
    outputs: Any,
    categories: Sequence[str],
) -> dict[str, VerifierExamples]:
    """Each category's decoded terms on ``records`` as examples, decoded without a verifier.

    ``features``, ``outputs``: the windows and the branch's probabilities (:mod:`attribution.term_training`).
    Windows of articles after ``records`` (the hand-written set, packed after the training articles) are left out.
    """
    per_article: dict[int, list[int]] = {}
    for i, article in enumerate(features.article_of_window):
        if article < len(records):
            per_article.setdefault(article, []).append(i)
    rows: dict[str, list[tuple[np.ndarray, int, int]]] = {c: [] for c in categories}
    for article, indices in per_article.items():
        record = records[article]
        windows = [features.windows[i] for i in indices]
        raw, spans = tagger.decode_unverified(
            windows, [outputs.spans[i] for i in indices], [outputs.polarity[i] for i in indices], record.text
        )
        for term in raw.loaded_terms:
            if term.category in rows:
                correct = term_is_correct(record, term.category, term.start, term.end)
                rows[term.category].append((term_features(term, windows, spans), int(correct), article))
    n_features = len(feature_names(TERM_GROUPS))
    return {
        c: VerifierExamples(
            np.array([r[0] for r in found]).reshape(len(found), n_features),
            np.array([r[1] for r in found], dtype=int),
            np.array([r[2] for r in found], dtype=int),
        )
        for c, found in rows.items()
    }


def fit_category_verifier(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, cs: Sequence[float], folds: int = 5
) -> tuple[CategoryVerifier, dict[str, Any]]:
    """A logistic regression on standardised ``x``, its ``C`` chosen by grouped cross-validation.

    The inverse regularisation ``C`` has the best cross-validated ROC AUC among ``cs`` (the first wins a tie), with
    each group's (article's) rows kept in one fold. Threshold 0: :func:`choose_verifier_thresholds` sets it.
    Returns the verifier and a report: examples, share right, AUC by ``C``, chosen ``C``, its AUC.
    """
    from sklearn.metrics import roc_auc_score

    fit = fit_grouped_logistic(x, y, groups, cs=cs, score=lambda p: round(float(roc_auc_score(y, p)), 4), folds=folds)
    verifier = CategoryVerifier(fit.weights, fit.bias, fit.mean, fit.scale, 0.0)
    report = {
        "examples": len(y),
        "share_right": round(float(y.mean()), 4),
        "cv_auc_by_c": fit.score_by_c,
        "c": fit.c,
        "cv_auc": fit.score_by_c[str(fit.c)],
    }
    return verifier, report


def choose_verifier_thresholds(
    tagger: TermTagger,
    verifier: TermVerifier,
    scored: Sequence[tuple[Any, Sequence[LabeledArticle]]],
    outputs: Sequence[Any],
    thresholds: Sequence[float],
) -> tuple[TermVerifier, dict[str, dict[str, float]]]:
    """Each category's threshold in turn, chosen on ``scored`` (dev and the war set).

    The score is the mean :func:`~attribution.term_training.selection_score` over the sets, the earlier categories'
    choices in place; the first of ``thresholds`` wins a tie, so list 0 (keep every term) first. Categories left at 0
    are removed. Returns the verifier and the scores.
    """
    from attribution.term_training import mean_score, selection_score

    chosen: dict[str, float] = {}
    scores: dict[str, dict[str, float]] = {}
    for category in verifier.categories:
        by_threshold = {}
        for threshold in thresholds:
            trial = verifier.with_thresholds({**chosen, category: threshold})
            kept = {c: v for c, v in trial.categories.items() if c in chosen or c == category}
            settings = TermVerifier(trial.features, kept, verifier.keeps_lexicon_terms).to_dict()
            by_threshold[str(threshold)] = mean_score(tagger, scored, outputs, selection_score, verifier=settings)
        best = max(thresholds, key=lambda t: by_threshold[str(t)])
        chosen[category] = best
        scores[category] = by_threshold
        logger.info("verifier threshold %s for %s chosen on dev (scores %s)", best, category, by_threshold)
    final = verifier.with_thresholds(chosen)
    kept = {c: v for c, v in final.categories.items() if chosen[c] > 0}
    return TermVerifier(final.features, kept, verifier.keeps_lexicon_terms), scores


def fit_term_verifier(
    tagger: TermTagger,
    training: tuple[Any, Sequence[LabeledArticle]],
    scored: Sequence[tuple[Any, Sequence[LabeledArticle]]],
    *,
    categories: Sequence[str],
    cs: Sequence[float],
    thresholds: Sequence[float],
    keeps_lexicon_terms: bool = True,
) -> dict[str, Any]:
    """Fit the verifier on ``training`` (features, records) and choose its thresholds on ``scored``.

    Only the windows of ``training``'s records are used: in a training run its features also hold the hand-written
    war set, which is one of the ``scored`` sets and so must not be fitted on too.

    The result is set on ``tagger.config.verifier`` (empty when no category keeps one); returns what was fitted and
    chosen, per category. ``keeps_lexicon_terms``: see :class:`~attribution.tagging.term_verifier.TermVerifier`.
    """
    from attribution.term_training import branch_outputs

    tagger.config = replace(tagger.config, verifier={})
    train_features, train_records = training
    outputs = branch_outputs(tagger, train_features)
    examples = verifier_examples(tagger, train_features, train_records, outputs, categories)
    fitted: dict[str, CategoryVerifier] = {}
    report: dict[str, Any] = {"keeps_lexicon_terms": keeps_lexicon_terms, "categories": {}}
    for category, found in examples.items():
        n_right = int(found.correct.sum())
        if len(found.correct) < MIN_EXAMPLES or min(n_right, len(found.correct) - n_right) < MIN_PER_CLASS:
            report["categories"][category] = {"skipped": f"{len(found.correct)} terms, {n_right} right"}
            logger.info("no %s verifier: %d decoded terms, %d right", category, len(found.correct), n_right)
            continue
        fitted[category], report["categories"][category] = fit_category_verifier(
            found.features, found.correct, found.articles, cs=cs
        )
    if not fitted:
        return report
    scored_outputs = [branch_outputs(tagger, features) for features, _ in scored]
    verifier = TermVerifier(feature_names(TERM_GROUPS), fitted, keeps_lexicon_terms)
    verifier, threshold_scores = choose_verifier_thresholds(tagger, verifier, scored, scored_outputs, thresholds)
    for category, by_threshold in threshold_scores.items():
        report["categories"][category]["selection_by_threshold"] = by_threshold
        report["categories"][category]["threshold"] = (
            verifier.categories[category].threshold if category in verifier.categories else None
        )
    tagger.config = replace(tagger.config, verifier=verifier.to_dict() if verifier.categories else {})
    return report
