"""Build an :class:`~attribution.records.ArticleReport` from the pipeline's records (pure; no torch).

Every aggregate keeps the indices of the sentences and attributions (or loaded terms, or
technique spans) behind it, so a reader can go from any number to its evidence.

Example:
    >>> from attribution.records import Article, Sentence, Provenance
    >>> article = Article(id="a", text="It rained.")
    >>> report = aggregate(article, [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> report.summary.unattributed_sentences
    (0,)

With the loaded-term, technique and sentence-bias outputs:

    >>> from attribution.records import LoadedTerm
    >>> article = Article(id="b", text="The regime shelled the town.")
    >>> term = LoadedTerm("name_calling", 4, 10, "regime", 0, 0.9, polarity="negative")
    >>> report = aggregate(article, [Sentence(0, 0, 28, article.text)], [], Provenance("0.1.0", "none", "none", "1"),
    ...                    loaded_terms=[term], techniques=[], sentence_bias=[(True, 0.8)])
    >>> report.summary.layers
    ('attributions', 'loaded_terms', 'techniques', 'sentence_labels')
    >>> report.summary.loaded_terms_by_category
    (LabelCount(label='name_calling', count=1, indices=(0,), sentence_indices=(0,)),)
    >>> report.summary.loaded_terms_per_100_words, report.summary.biased_sentences
    (20.0, (0,))

"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

from attribution.annotations import LOADED_TERM_CATEGORIES, TECHNIQUES, VOICES
from attribution.records import (
    Article,
    ArticleReport,
    ArticleSummary,
    Attribution,
    LabelCount,
    LoadedTerm,
    Provenance,
    Sentence,
    SentenceLabel,
    SourceCount,
    TechniqueSpan,
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


def _label_counts(
    items: Sequence[LoadedTerm] | Sequence[TechniqueSpan],
    key: Callable[[int], str | None],
    order: Sequence[str] = (),
    surface: Callable[[int], str] | None = None,
) -> tuple[LabelCount, ...]:
    """Group item indices by ``key(index)`` (``None``: left out); most frequent first, then ``order``."""
    groups: dict[str, list[int]] = defaultdict(list)
    shown: dict[str, str] = {}
    for index in range(len(items)):
        label = key(index)
        if label is None:
            continue
        groups[label].append(index)
        shown.setdefault(label, surface(index) if surface else label)
    rank = {label: i for i, label in enumerate(order)}
    counts = [
        LabelCount(
            label=shown[label],
            count=len(indices),
            indices=tuple(indices),
            sentence_indices=tuple(sorted({items[i].sentence_index for i in indices})),
        )
        for label, indices in groups.items()
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, rank.get(c.label, len(rank)), c.indices[0])))


def _check_layers(
    article: Article,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
    techniques: Sequence[TechniqueSpan],
    sentence_bias: Sequence[tuple[bool, float]] | None,
) -> None:
    """Raise ``ValueError`` naming the article and the item when an item does not fit the article."""
    where = f"article {article.id!r}"
    known = {s.index for s in sentences}
    spans: list[tuple[str, LoadedTerm | TechniqueSpan]] = [("loaded_terms", t) for t in loaded_terms]
    spans += [("techniques", t) for t in techniques]
    for name, item in spans:
        if not 0 <= item.start < item.end <= len(article.text) or article.text[item.start : item.end] != item.text:
            raise ValueError(
                f"{where}: {name} item {item.text!r} [{item.start}, {item.end}] does not match the article text"
            )
        if item.sentence_index not in known:
            raise ValueError(f"{where}: {name} item {item.text!r} has unknown sentence_index {item.sentence_index}")
    for term in loaded_terms:
        if term.attribution_index is not None and not 0 <= term.attribution_index < len(attributions):
            raise ValueError(
                f"{where}: loaded term {term.text!r} has attribution_index {term.attribution_index}, "
                f"but there are {len(attributions)} attributions"
            )
    if sentence_bias is not None and len(sentence_bias) != len(sentences):
        raise ValueError(
            f"{where}: sentence_bias has {len(sentence_bias)} entries for {len(sentences)} sentences (need one each)"
        )


def aggregate(
    article: Article,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    provenance: Provenance,
    *,
    loaded_terms: Sequence[LoadedTerm] | None = None,
    techniques: Sequence[TechniqueSpan] | None = None,
    sentence_bias: Sequence[tuple[bool, float]] | None = None,
) -> ArticleReport:
    """Assemble the report: per-sentence labels and article-level counts with their evidence.

    Args:
        article: The article.
        sentences: Its sentences, in order.
        attributions: The linked attributions.
        provenance: What produced the report.
        loaded_terms: The loaded-term tagger's output; ``None`` when the analyzer has no such
            component (the report then leaves the ``loaded_terms`` layer out), ``()`` for "none found".
        techniques: The persuasion-technique spans; ``None`` when not analysed.
        sentence_bias: One ``(biased, confidence)`` pair per sentence, in order; ``None`` when not analysed.

    Raises:
        ValueError: when a loaded term or technique span does not match the article text or names an
            unknown sentence or attribution, or ``sentence_bias`` has not one entry per sentence.

    """
    terms, spans = tuple(loaded_terms or ()), tuple(techniques or ())
    _check_layers(article, sentences, attributions, terms, spans, sentence_bias)
    labels = _sentence_labels(sentences, attributions)
    if sentence_bias is not None:
        labels = tuple(
            replace(label, biased=bool(biased), bias_confidence=round(float(confidence), 4))
            for label, (biased, confidence) in zip(labels, sentence_bias, strict=True)
        )
    layers = ("attributions",)
    layers += ("loaded_terms",) if loaded_terms is not None else ()
    layers += ("techniques",) if techniques is not None else ()
    layers += ("sentence_labels",) if sentence_bias is not None else ()
    n_words = sum(len(_WORD.findall(s.text)) for s in sentences)
    summary = ArticleSummary(
        n_sentences=len(sentences),
        n_words=n_words,
        n_attributions=len(attributions),
        attributed_sentences=tuple(label.sentence_index for label in labels if label.attributed),
        unattributed_sentences=tuple(label.sentence_index for label in labels if not label.attributed),
        attributions_without_source=tuple(i for i, a in enumerate(attributions) if not a.source),
        direct_quotes=tuple(i for i, a in enumerate(attributions) if a.kind == "direct"),
        sources=_source_counts(attributions),
        layers=layers,
        loaded_terms_by_category=_label_counts(terms, lambda i: terms[i].category, LOADED_TERM_CATEGORIES),
        loaded_terms_by_voice=_label_counts(terms, lambda i: terms[i].voice, VOICES),
        loaded_terms_by_target=_label_counts(
            terms,
            lambda i: normalise_source(terms[i].target) if terms[i].target else None,
            surface=lambda i: terms[i].target or "",
        ),
        loaded_terms_per_100_words=(round(100 * len(terms) / n_words, 2) if n_words else 0.0)
        if loaded_terms is not None
        else None,
        technique_counts=_label_counts(spans, lambda i: spans[i].technique, TECHNIQUES),
        biased_sentences=tuple(label.sentence_index for label in labels if label.biased)
        if sentence_bias is not None
        else None,
    )
    return ArticleReport(
        article=article,
        sentences=tuple(sentences),
        attributions=tuple(attributions),
        sentence_labels=labels,
        summary=summary,
        provenance=provenance,
        loaded_terms=terms,
        techniques=spans,
    )
