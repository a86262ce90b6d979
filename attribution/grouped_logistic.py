"""A logistic regression on standardised features, its regularisation chosen by grouped cross-validation.

What the learned second looks share (the loaded-term verifier, :mod:`attribution.term_verifier_training`, and the
target ranker, :mod:`attribution.target_ranking_training`): rows come in groups (an article's terms, a term's
candidate mentions) that must stay in one fold, and each chooses ``C`` by its own score of the out-of-fold
probabilities (ROC AUC, top-1 accuracy).

Example:
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2)); y = (x[:, 0] > 0).astype(int); groups = np.arange(200) // 10
    >>> from sklearn.metrics import roc_auc_score
    >>> fit = fit_grouped_logistic(x, y, groups, cs=[0.1, 1.0], score=lambda p: roc_auc_score(y, p))
    >>> fit.c in (0.1, 1.0), fit.weights[0] > fit.weights[1], sorted(fit.score_by_c)
    (True, True, ['0.1', '1.0'])

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GroupedFit:
    """The fitted weights and bias (on standardised features), the standardisation, and the choice of ``C``."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    c: float
    score_by_c: dict[str, float]


def fit_grouped_logistic(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    cs: Sequence[float],
    score: Callable[[np.ndarray], float],
    folds: int = 5,
) -> GroupedFit:
    """Fit on all rows with the ``C`` among ``cs`` whose out-of-fold probabilities ``score`` best (first wins a tie).

    Each group's rows stay in one of ``folds`` folds (fewer when there are fewer groups); a fold whose training
    rows hold one class only gives its held-out rows 0.5.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    n_folds = min(folds, len(set(groups.tolist())))
    score_by_c: dict[str, float] = {}
    for c in cs:
        probabilities = np.zeros(len(y))
        for train, held in GroupKFold(n_folds).split(z, y, groups):
            if len(set(y[train].tolist())) < 2:
                probabilities[held] = 0.5
                continue
            model = LogisticRegression(C=c, max_iter=2000).fit(z[train], y[train])
            probabilities[held] = model.predict_proba(z[held])[:, 1]
        score_by_c[str(c)] = score(probabilities)
    best = max(cs, key=lambda c: score_by_c[str(c)])
    model = LogisticRegression(C=best, max_iter=2000).fit(z, y)
    return GroupedFit(
        tuple(float(w) for w in model.coef_[0]),
        float(model.intercept_[0]),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        best,
        score_by_c,
    )
