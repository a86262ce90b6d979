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

from attribution.actors import build_actors, find_asymmetries, targets_from_actors
from attribution.annotations import LOADED_TERM_CATEGORIES, SOURCE_TYPES, STANCES, TECHNIQUES, VOICES
from attribution.records import (
    Article,
    ArticleReport,
    ArticleSummary,
    Attribution,
    DistancingMarker,
    GroupCount,
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
    items: Sequence[LoadedTerm] | Sequence[TechniqueSpan] | Sequence[DistancingMarker],
    key: Callable[[int], str | None],
    order: Sequence[str] = (),
    surface: Callable[[int], str] | None = None,
) -> tuple[LabelCount, ...]:
    """Group item indices by ``key(index)`` (``None``: left out); most frequent first, then ``order``.

    A group is shown by its first ``surface`` form, one not in capitals before one in capitals (a headline's "KYIV"
    and the body's "Kyiv" show as "Kyiv").
    """
    groups: dict[str, list[int]] = defaultdict(list)
    shown: dict[str, str] = {}
    for index in range(len(items)):
        label = key(index)
        if label is None:
            continue
        groups[label].append(index)
        form = surface(index) if surface else label
        if label not in shown or (shown[label].isupper() and not form.isupper()):
            shown[label] = form
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


def _visible(text: str) -> int:
    return sum(not ch.isspace() for ch in text)


def continued_sentences(
    sentences: Sequence[Sentence], attributions: Sequence[Attribution], labels: Sequence[SentenceLabel]
) -> tuple[tuple[int, int], ...]:
    """``(sentence, attribution)`` for each sentence without a cue that lies inside an attribution's content.

    A sentence counts as inside when the content covers at least 80% of its non-space characters: the second
    sentence of a quote ("They are bombing bakeries," said Abu Khaled. "Nobody is left to help us.") is the
    speaker's, though the guidelines count a sentence as attributed only by a cue in it.

    Example:
        >>> from attribution.records import Span
        >>> text = '"They bomb bakeries," said Abu. "Nobody is left."'
        >>> sentences = [Sentence(0, 0, 31, text[:31]), Sentence(1, 32, len(text), text[32:])]
        >>> a = Attribution((Span("CUE", 22, 26, "said", 0),), (Span("SOURCE", 27, 30, "Abu", 0),),
        ...                 (Span("CONTENT", 1, 19, text[1:19], 0), Span("CONTENT", 33, 48, text[33:48], 1)),
        ...                 "direct", 0, 1.0)
        >>> continued_sentences(sentences, [a], _sentence_labels(sentences, [a]))
        ((1, 0),)

    """
    attributed = {label.sentence_index for label in labels if label.attributed}
    out = []
    for sentence in sentences:
        if sentence.index in attributed:
            continue
        size = _visible(sentence.text)
        for index, attribution in enumerate(attributions):
            inside = sum(
                _visible(sentence.text[max(c.start, sentence.start) - sentence.start : c.end - sentence.start])
                for c in attribution.content
                if c.start < sentence.end and sentence.start < c.end
            )
            if size and inside >= 0.8 * size:
                out.append((sentence.index, index))
                break
    return tuple(out)


# --------------------------------------------------------------------------- unattributed factual claims

#: Irregular past forms (and a few past participles) of verbs of action or event.
_IRREGULAR_PAST = frozenset(
    """began begun broke broken brought built burnt caught came chose dealt did done drove driven drew drawn ate fell
    fallen fought found fled flew flown forbade gave given went gone grew grown hung held hidden hit hurt kept knew
    known laid led left lent lost made meant met paid put quit ran rode rose risen sent set shook shot shut sank sunk
    sped spent split spread stood stole stolen struck stricken swept swam took taken tore torn threw thrown thrust
    undertook underwent woke won withdrew withdrawn wounded wrote written overran overrun overtook seized slew slain
    beat beaten bit bitten blew blown bore borne burst cast cut dug fed felt fled freed got gotten heard hid lay lit
    sought sold shed shone sat slid spoke spoken stuck stung strode strove swore sworn swung taught told understood
    upheld wept wound""".split()
)
#: Present-tense (third person) forms of event verbs, for reports in the present ("The army controls the town").
_PRESENT_EVENTS = frozenset(
    """attacks kills shells bombs captures seizes advances retreats continues launches fires targets holds besieges
    surrounds destroys wounds injures flees displaces deploys strikes hits raids storms controls evacuates arrests
    detains releases signs meets visits reaches enters leaves opens closes blocks cuts delivers dies rises falls
    increases drops loses wins takes sends begins ends fights clashes remains""".split()
)
#: Words in ``-ed`` that are usually adjectives, not a finite verb.
_ED_ADJECTIVES = frozenset(
    """so-called alleged armed backed based concerned interested united detailed related limited experienced
    advanced tired unnamed unidentified informed named supposed purported self-styled self-proclaimed renewed
    heated bloodied war-torn embattled besieged beleaguered rebel-held government-held isolated fabricated""".split()
)
#: Words in ``-ed`` that are no past form at all.
_NOT_VERBS = frozenset(
    """hundred indeed naked wicked sacred kindred rugged ragged aged beloved wretched crooked jagged need speed
    seed feed breed creed deed greed weed heed proceed succeed exceed steed bleed""".split()
)
_MODALS = frozenset("would could might may should must ought shall can".split())
#: Words and phrases that mark opinion, speculation or exhortation rather than a report of events.
_OPINION = re.compile(
    r"\b(?:i|we|my|our|us)\b|\b(?:i think|we believe|in my view|in our view|clearly|obviously|arguably|perhaps|"
    r"probably|possibly|likely|unlikely|apparently|seems?|seemed|appears?|appeared|hopefully|need to|needs to|"
    r"it is time|it is clear|of course|undoubtedly|surely|must|should|ought)\b",
    re.IGNORECASE,
)
_AUX_PROGRESSIVE = re.compile(r"\b(?:is|are|was|were|has been|have been|had been)\s+(?:\w+ly\s+)?\w+ing\b", re.I)
_PERFECT = re.compile(r"\b(?:has|have|had)\s+(?:\w+ly\s+)?(?:been\s+)?\w+\b", re.IGNORECASE)
MIN_CLAIM_WORDS = 4


def is_factual_claim(text: str) -> bool:
    """Whether a sentence, read in the narrator's voice, asserts an event (a conservative rule).

    A sentence counts when all of these hold:

    - it has at least :data:`MIN_CLAIM_WORDS` words and does not end with ``?``;
    - it has a finite verb of action or event: a past form (a word in ``-ed`` that is not a usual adjective
      such as "armed" or "so-called", or an irregular past such as "fled", "took", "struck"), a perfect or
      progressive ("has captured", "are advancing"), or a present-tense event verb ("controls", "attacks");
    - it carries no opinion or speculation marker: first-person words ("I", "we", "our"), modal verbs
      ("could", "should", "must", "may", "might", "would"), or hedges ("perhaps", "likely", "appears",
      "clearly", "it is time").

    Statements of state without an event verb ("The town is strategic.") do not count. The rule knows
    nothing of attribution: :func:`aggregate` applies it to the sentences with no attribution cue.

    Example:
        >>> is_factual_claim("The army set up checkpoints in several areas.")
        True
        >>> is_factual_claim("Government troops have captured the hill overnight.")
        True
        >>> is_factual_claim("Will the army advance?"), is_factual_claim("The offensive could last weeks.")
        (False, False)
        >>> is_factual_claim("The town is strategic."), is_factual_claim("We must stop the war.")
        (False, False)

    """
    flat = " ".join(text.split())
    words = [w.lower() for w in _WORD.findall(flat)]
    if len(words) < MIN_CLAIM_WORDS or flat.rstrip("\"'”’) ").endswith("?"):
        return False
    if _OPINION.search(flat) or any(w in _MODALS for w in words):
        return False
    if _AUX_PROGRESSIVE.search(flat) or _PERFECT.search(flat):
        return True
    for position, word in enumerate(words):
        if word in _IRREGULAR_PAST or word in _PRESENT_EVENTS and position > 0:
            return True
        if len(word) > 4 and word.endswith("ed") and "-" not in word and word not in _ED_ADJECTIVES | _NOT_VERBS:
            # "the injured", "an unexploded shell": an adjective after a determiner; "were killed" still counts.
            if position == 0 or words[position - 1] not in ("the", "a", "an", "of", "its", "their"):
                return True
    return False


# --------------------------------------------------------------------------- source profile


def _group_counts(
    attributions: Sequence[Attribution], key: Callable[[Attribution], str | None], order: Sequence[str] = ()
) -> tuple[GroupCount, ...]:
    """Group attribution indices by ``key`` (``None``: left out); most frequent first, then ``order``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, attribution in enumerate(attributions):
        label = key(attribution)
        if label is not None:
            groups[label].append(index)
    total = len(attributions)
    rank = {label: i for i, label in enumerate(order)}
    counts = [
        GroupCount(
            label=label,
            count=len(indices),
            share=round(len(indices) / total, 4) if total else 0.0,
            attribution_indices=tuple(indices),
            sentence_indices=tuple(sorted({attributions[i].sentence_index for i in indices})),
            anonymous_indices=tuple(i for i in indices if attributions[i].anonymous is True),
        )
        for label, indices in groups.items()
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, rank.get(c.label, len(rank)), c.attribution_indices[0])))


def _anonymity(a: Attribution) -> str:
    return "unknown" if a.anonymous is None else "anonymous" if a.anonymous else "named"


def _has_profile(attributions: Sequence[Attribution]) -> bool:
    return any(
        a.source_type is not None or a.anonymous is not None or a.stance is not None or a.via or a.resolved_source
        for a in attributions
    )


def _via_key(a: Attribution) -> str | None:
    return normalise_source(" ... ".join(piece.text for piece in a.via)) if a.via else None


def _check_layers(
    article: Article,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
    techniques: Sequence[TechniqueSpan],
    sentence_bias: Sequence[tuple[bool, float]] | None,
    distancing: Sequence[DistancingMarker] = (),
) -> None:
    """Raise ``ValueError`` naming the article and the item when an item does not fit the article."""
    where = f"article {article.id!r}"
    known = {s.index for s in sentences}
    spans: list[tuple[str, LoadedTerm | TechniqueSpan | DistancingMarker]] = [("loaded_terms", t) for t in loaded_terms]
    spans += [("techniques", t) for t in techniques]
    spans += [("distancing", d) for d in distancing]
    for name, item in spans:
        if not 0 <= item.start < item.end <= len(article.text) or article.text[item.start : item.end] != item.text:
            raise ValueError(
                f"{where}: {name} item {item.text!r} [{item.start}, {item.end}] does not match the article text"
            )
        if item.sentence_index not in known:
            raise ValueError(f"{where}: {name} item {item.text!r} has unknown sentence_index {item.sentence_index}")
    for marker in distancing:
        start, end = marker.target_start, marker.target_end
        if not 0 <= start <= end <= len(article.text) or article.text[start:end] != marker.target_text:
            raise ValueError(
                f"{where}: distancing marker {marker.text!r} has target {marker.target_text!r} [{start}, {end}] "
                "that does not match the article text"
            )
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
    distancing: Sequence[DistancingMarker] | None = None,
) -> ArticleReport:
    """Assemble the report: per-sentence labels and article-level counts with their evidence.

    Besides the counts, the summary holds the unattributed factual claims (:func:`is_factual_claim` on the
    sentences with no attribution cue), the source profile (sources by type, anonymity, stance and relay,
    when the attributions carry profile fields), distancing markers by kind and target, the actor table and
    its asymmetries (:mod:`attribution.actors`), and the plain-language summary
    (:func:`attribution.summary_text.summarize`).

    Args:
        article: The article.
        sentences: Its sentences, in order.
        attributions: The linked attributions (with profile fields when a source-profile component filled them).
        provenance: What produced the report.
        loaded_terms: The loaded-term tagger's output; ``None`` when the analyzer has no such
            component (the report then leaves the ``loaded_terms`` layer out), ``()`` for "none found".
        techniques: The persuasion-technique spans; ``None`` when not analysed.
        sentence_bias: One ``(biased, confidence)`` pair per sentence, in order; ``None`` when not analysed.
        distancing: The distancing markers; ``None`` when not analysed.

    Raises:
        ValueError: when a loaded term, technique span or distancing marker does not match the article text
            or names an unknown sentence or attribution, or ``sentence_bias`` has not one entry per sentence.

    """
    from attribution.summary_text import summarize

    terms, spans = tuple(loaded_terms or ()), tuple(techniques or ())
    markers = tuple(distancing or ())
    _check_layers(article, sentences, attributions, terms, spans, sentence_bias, markers)
    labels = _sentence_labels(sentences, attributions)
    if sentence_bias is not None:
        labels = tuple(
            replace(label, biased=bool(biased), bias_confidence=round(float(confidence), 4))
            for label, (biased, confidence) in zip(labels, sentence_bias, strict=True)
        )
    profile = _has_profile(attributions)
    layers = ("attributions",)
    layers += ("source_profile",) if profile else ()
    layers += ("loaded_terms",) if loaded_terms is not None else ()
    layers += ("techniques",) if techniques is not None else ()
    layers += ("distancing",) if distancing is not None else ()
    layers += ("sentence_labels",) if sentence_bias is not None else ()
    n_words = sum(len(_WORD.findall(s.text)) for s in sentences)
    by_index = {s.index: s for s in sentences}
    unattributed = tuple(label.sentence_index for label in labels if not label.attributed)
    continued = continued_sentences(sentences, attributions, labels)
    in_quotes = {sentence for sentence, _ in continued}
    known_anonymity = [a.anonymous for a in attributions if a.anonymous is not None]
    actors = build_actors(attributions, terms, markers, article.text)
    terms = targets_from_actors(actors, terms)  # a bare label ("the terrorists") names the actor it was joined to
    summary = ArticleSummary(
        n_sentences=len(sentences),
        n_words=n_words,
        n_attributions=len(attributions),
        attributed_sentences=tuple(label.sentence_index for label in labels if label.attributed),
        unattributed_sentences=unattributed,
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
        unattributed_claims=tuple(i for i in unattributed if is_factual_claim(by_index[i].text) and i not in in_quotes),
        continued_sentences=continued,
        sources_by_type=_group_counts(attributions, lambda a: a.source_type or "unknown", (*SOURCE_TYPES, "unknown"))
        if profile
        else (),
        sources_by_anonymity=_group_counts(attributions, _anonymity, ("anonymous", "named", "unknown"))
        if profile
        else (),
        anonymous_source_share=round(sum(known_anonymity) / len(known_anonymity), 4) if known_anonymity else None,
        relays=_group_counts(attributions, _via_key),
        stances=_group_counts(attributions, lambda a: a.stance, STANCES),
        distancing_by_kind=_label_counts(markers, lambda i: markers[i].kind),
        distancing_by_target=_label_counts(
            markers, lambda i: normalise_source(markers[i].target_text), surface=lambda i: markers[i].target_text
        ),
        actors=actors,
        asymmetries=find_asymmetries(actors, terms, attributions, markers),
    )
    report = ArticleReport(
        article=article,
        sentences=tuple(sentences),
        attributions=tuple(attributions),
        sentence_labels=labels,
        summary=summary,
        provenance=provenance,
        loaded_terms=terms,
        techniques=spans,
        distancing=markers,
    )
    return replace(report, summary=replace(summary, statements=summarize(report)))
