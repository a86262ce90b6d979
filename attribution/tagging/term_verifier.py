"""A second look at decoded loaded terms: a learned verifier that keeps or drops each term.

The branch (:mod:`attribution.tagging.term_tagger`) marks loaded terms token by token. Many of its
``name_calling`` terms overlap nothing a PTC annotator marked ("Trump", "Crime Stoppers", "priests"):
the token probabilities alone do not say how the whole term looks. The verifier scores each decoded
term of a category from features of the whole term (:func:`term_features`): its score, its length and
case, and, for each of the 15 span-head groups, the highest and the mean probability that its tokens are
inside a span of that group. A logistic regression per category, fitted on the branch's own terms in the
training articles (:mod:`attribution.term_verifier_training`), turns them into the probability that the
term is right; a term below its category's threshold (chosen on dev) is dropped.

It is stored in ``term_tagger_config.json`` under ``verifier`` (:meth:`TermVerifier.to_dict`), a few hundred
numbers, and needs only numpy at analyze time.

Example:
    >>> from attribution.records import LoadedTerm
    >>> names = ("score",)
    >>> verifier = TermVerifier(names, {"name_calling": CategoryVerifier((4.0,), -2.0, (0.0,), (1.0,), 0.5)})
    >>> round(verifier.probability("name_calling", np.array([0.3])), 3)  # "Trump" at 0.3: dropped
    0.31
    >>> verifier.accepts("name_calling", np.array([0.9])), verifier.accepts("loaded_language", np.array([0.1]))
    (True, True)

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attribution.records import LoadedTerm
from attribution.tagging.windows import TokenWindow


def feature_names(groups: Sequence[str]) -> tuple[str, ...]:
    """Names of :func:`term_features`' values, for span-head ``groups``, in order.

    Example:
        >>> feature_names(("Loaded_Language", "delegitimizing"))[5:]
        ('lower_case', 'max:Loaded_Language', 'max:delegitimizing', 'mean:Loaded_Language', 'mean:delegitimizing')

    """
    shape = ("score", "tokens", "characters", "words", "capitalised", "lower_case")
    return shape + tuple(f"max:{g}" for g in groups) + tuple(f"mean:{g}" for g in groups)


def term_features(term: LoadedTerm, windows: Sequence[TokenWindow], span_probs: Sequence[np.ndarray]) -> np.ndarray:
    """The verifier's view of one decoded term (names: :func:`feature_names`).

    ``span_probs`` are the branch's probabilities per window (tokens x groups x O/B/I), as the terms were
    decoded from (after the lexicon prior). A group's "inside" probability of a token is P(B) + P(I).

    Example:
        >>> offsets = ((-1, -1), (0, 3), (4, 9), (-1, -1))
        >>> window = TokenWindow((101, 1, 2, 102), offsets, (-1, 0, 0, -1))
        >>> probs = np.zeros((4, 2, 3)); probs[:, :, 0] = 1
        >>> probs[2] = [[0.2, 0.7, 0.1], [0.9, 0.05, 0.05]]        # "thugs": group 0 inside 0.8, group 1 0.1
        >>> term = LoadedTerm("name_calling", 4, 9, "thugs", 0, 0.8)
        >>> [round(float(v), 2) for v in term_features(term, [window], [probs])]
        [0.8, 1.0, 5.0, 1.0, 0.0, 1.0, 0.8, 0.1, 0.8, 0.1]

    """
    rows = [
        probs[t]
        for window, probs in zip(windows, span_probs, strict=True)
        for t, (a, b) in enumerate(window.offsets)
        if a >= 0 and a < term.end and b > term.start
    ]
    n_groups = span_probs[0].shape[1] if span_probs else 0
    inside = np.stack([row[:, 1] + row[:, 2] for row in rows]) if rows else np.zeros((1, n_groups))
    shape = [
        term.score,
        len(rows),
        len(term.text),
        len(term.text.split()),
        float(term.text[:1].isupper()),
        float(term.text.islower()),
    ]
    return np.concatenate([np.asarray(shape, dtype=np.float64), inside.max(axis=0), inside.mean(axis=0)])


@dataclass(frozen=True, slots=True)
class CategoryVerifier:
    """A logistic regression on standardised features and the threshold below which a term is dropped."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    def probability(self, features: np.ndarray) -> float:
        """P(the term is right) for one feature vector."""
        z = (np.asarray(features, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias))))


@dataclass(frozen=True, slots=True)
class TermVerifier:
    """Per-category verifiers over the features named ``features`` (:func:`feature_names`).

    With ``keeps_lexicon_terms``, a term that overlaps a war-lexicon match of its own category is never dropped:
    the verifier learns PTC's conventions, where "terrorists" or "regime" are often left unmarked, and the
    packaged war vocabulary is the lexicon prior's to decide (the tagger still decides in context there).
    """

    features: tuple[str, ...]
    categories: Mapping[str, CategoryVerifier]
    keeps_lexicon_terms: bool = True

    def probability(self, category: str, features: np.ndarray) -> float:
        """P(right) of a term of ``category`` (1.0 for a category without a verifier)."""
        verifier = self.categories.get(category)
        return 1.0 if verifier is None else verifier.probability(features)

    def accepts(self, category: str, features: np.ndarray) -> bool:
        """Whether a term of ``category`` with ``features`` is kept: its probability reaches the threshold."""
        verifier = self.categories.get(category)
        return verifier is None or verifier.probability(features) >= verifier.threshold

    def with_thresholds(self, thresholds: Mapping[str, float]) -> TermVerifier:
        """The same verifier with some categories' thresholds replaced."""
        categories = {
            c: CategoryVerifier(v.weights, v.bias, v.mean, v.scale, thresholds.get(c, v.threshold))
            for c, v in self.categories.items()
        }
        return TermVerifier(self.features, categories, self.keeps_lexicon_terms)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what ``term_tagger_config.json`` stores under ``verifier``)."""
        return {
            "features": list(self.features),
            "keeps_lexicon_terms": self.keeps_lexicon_terms,
            "categories": {
                c: {
                    "weights": list(v.weights),
                    "bias": v.bias,
                    "mean": list(v.mean),
                    "scale": list(v.scale),
                    "threshold": v.threshold,
                }
                for c, v in self.categories.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, expected_features: Sequence[str], where: str) -> TermVerifier:
        """Read :meth:`to_dict`'s output, checking that it describes the features this version computes.

        Raises:
            ValueError: naming ``where`` if the feature list differs or a category's numbers do not fit it.

        """
        features = tuple(data.get("features", ()))
        if features != tuple(expected_features):
            raise ValueError(
                f"{where}: the verifier was fitted on other features ({len(features)} named) than this version "
                f"computes ({len(expected_features)}); fit it again with `attribution train --task loaded-terms`"
            )
        categories = {}
        for category, values in data.get("categories", {}).items():
            sizes = {len(values["weights"]), len(values["mean"]), len(values["scale"])}
            if sizes != {len(features)}:
                raise ValueError(
                    f"{where}: the {category} verifier has {sorted(sizes)} numbers for {len(features)} features"
                )
            categories[category] = CategoryVerifier(
                tuple(float(v) for v in values["weights"]),
                float(values["bias"]),
                tuple(float(v) for v in values["mean"]),
                tuple(float(v) for v in values["scale"]),
                float(values["threshold"]),
            )
        return cls(features, categories, bool(data.get("keeps_lexicon_terms", True)))
