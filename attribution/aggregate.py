"""Build an :class:`~attribution.records.ArticleReport` from the pipeline's records (pure; no torch).

Every aggregate keeps the indices of the sentences and attributions behind it, so a reader
can go from any number to its evidence.

Example:
    >>> from attribution.records import Article, Sentence, Provenance
    >>> article = Article(id="a", text="It rained.")
    >>> report = aggregate(article, [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> report.summary.unattributed_sentences
    (0,)

"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from attribution.records import (
    Article,
    ArticleReport,
    ArticleSummary,
    Attribution,
    Provenance,
    Sentence,
    SentenceLabel,
    SourceCount,
)

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def normalise_source(text: str) -> str:
    """A key that groups mentions of one source: lower-cased, no leading article, single spaces.

    Example:
        >>> normalise_source("The  Syrian Observatory")
        'syrian observatory'

    """
    return _LEADING_ARTICLE.sub("", " ".join(text.split()).lower().strip(" ,.:;\"'“”‘’"))


def _sentence_labels(sentences: Sequence[Sentence], attributions: Sequence[Attribution]) -> tuple[SentenceLabel, ...]:
    by_sentence: dict[int, list[int]] = defaultdict(list)
    for index, attribution in enumerate(attributions):
        by_sentence[attribution.sentence_index].append(index)
    labels = []
    for sentence in sentences:
        indices = tuple(by_sentence.get(sentence.index, ()))
        if indices:
            confidence = max(min(p.score for p in attributions[i].cue) for i in indices)
        else:
            confidence = 1.0
        labels.append(SentenceLabel(sentence.index, bool(indices), round(confidence, 4), indices))
    return tuple(labels)


def _source_counts(attributions: Sequence[Attribution]) -> tuple[SourceCount, ...]:
    groups: dict[str, list[int]] = defaultdict(list)
    surface: dict[str, str] = {}
    for index, attribution in enumerate(attributions):
        if not attribution.source:
            continue
        text = attribution.resolved_source or attribution.source_text or ""
        key = normalise_source(text)
        groups[key].append(index)
        surface.setdefault(key, text)
    counts = [
        SourceCount(
            source=surface[key],
            count=len(indices),
            attribution_indices=tuple(indices),
            sentence_indices=tuple(sorted({attributions[i].sentence_index for i in indices})),
        )
        for key, indices in groups.items()
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, c.attribution_indices[0])))


def aggregate(
    article: Article,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    provenance: Provenance,
) -> ArticleReport:
    """Assemble the report: per-sentence labels and article-level counts with their evidence."""
    labels = _sentence_labels(sentences, attributions)
    summary = ArticleSummary(
        n_sentences=len(sentences),
        n_words=sum(len(_WORD.findall(s.text)) for s in sentences),
        n_attributions=len(attributions),
        attributed_sentences=tuple(label.sentence_index for label in labels if label.attributed),
        unattributed_sentences=tuple(label.sentence_index for label in labels if not label.attributed),
        attributions_without_source=tuple(i for i, a in enumerate(attributions) if not a.source),
        direct_quotes=tuple(i for i, a in enumerate(attributions) if a.kind == "direct"),
        sources=_source_counts(attributions),
    )
    return ArticleReport(
        article=article,
        sentences=tuple(sentences),
        attributions=tuple(attributions),
        sentence_labels=labels,
        summary=summary,
        provenance=provenance,
    )
