"""JSON rendering of an :class:`~attribution.records.ArticleReport` and its annotation-format export.

The JSON carries ``schema_version``; the schema ships as
``attribution/resources/report.v1.schema.json`` (see :func:`report_schema`). The loaded-term,
technique and sentence-bias fields (``layers``, ``loaded_terms``, ``techniques``, per-sentence
``biased``/``bias_confidence`` and their summary counts) are optional additions to version 1: a
report written before them still validates, and readers of the older fields are unaffected. So are the
source-profile and actor fields: ``distancing`` (the markers), per-sentence ``unattributed_claim``,
``continues_attribution`` and ``distancing``, and in ``summary`` the ``unattributed_claims``,
``continued_sentences``, ``sources_by_type``, ``sources_by_anonymity``, ``anonymous_source_share``, ``relays``,
``stances``, ``distancing_by_kind``,
``distancing_by_target``, ``actors``, ``asymmetries`` and the plain-language ``statements``. Every
count names the indices behind it (``attributions``, ``terms``, ``markers``) and its ``sentences``.

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Sentence, Provenance
    >>> report = aggregate(Article(id="a", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", SCHEMA_VERSION))
    >>> report_to_dict(report)["summary"]["unattributed_sentences"]
    [0]

"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from attribution.annotations import (
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
)
from attribution.records import (
    Actor,
    ArticleReport,
    Attribution,
    DistancingMarker,
    GroupCount,
    LabelCount,
    LoadedTerm,
    Span,
    TechniqueSpan,
)

SCHEMA_VERSION = "1"


def _span(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "sentence_index": span.sentence_index,
        "score": span.score,
    }


def _attribution(index: int, a: Attribution) -> dict[str, Any]:
    return {
        "index": index,
        "sentence_index": a.sentence_index,
        "kind": a.kind,
        "score": a.score,
        "source_text": a.source_text,
        "cue_text": a.cue_text,
        "content_text": a.content_text,
        "source": [_span(s) for s in a.source],
        "cue": [_span(s) for s in a.cue],
        "content": [_span(s) for s in a.content],
        "via": [_span(s) for s in a.via],
        "source_type": a.source_type,
        "anonymous": a.anonymous,
        "resolved_source": a.resolved_source,
        "stance": a.stance,
    }


def _loaded_term(index: int, t: LoadedTerm) -> dict[str, Any]:
    return {
        "index": index,
        "category": t.category,
        "polarity": t.polarity,
        "voice": t.voice,
        "target": t.target,
        "target_span": list(t.target_span) if t.target_span is not None else None,
        "start": t.start,
        "end": t.end,
        "text": t.text,
        "sentence_index": t.sentence_index,
        "score": t.score,
        "attribution_index": t.attribution_index,
        "denied": t.denied,
    }


def _technique(index: int, t: TechniqueSpan) -> dict[str, Any]:
    return {
        "index": index,
        "technique": t.technique,
        "start": t.start,
        "end": t.end,
        "text": t.text,
        "sentence_index": t.sentence_index,
        "score": t.score,
    }


def _distancing(index: int, d: DistancingMarker) -> dict[str, Any]:
    return {
        "index": index,
        "kind": d.kind,
        "start": d.start,
        "end": d.end,
        "text": d.text,
        "sentence_index": d.sentence_index,
        "target_start": d.target_start,
        "target_end": d.target_end,
        "target_text": d.target_text,
        "score": d.score,
    }


def _groups(groups: tuple[GroupCount, ...], label: str) -> list[dict[str, Any]]:
    return [
        {
            label: g.label,
            "count": g.count,
            "share": g.share,
            "attributions": list(g.attribution_indices),
            "sentences": list(g.sentence_indices),
            "anonymous": list(g.anonymous_indices),
        }
        for g in groups
    ]


def _actor(index: int, a: Actor) -> dict[str, Any]:
    known = len(a.anonymous_claims) + len(a.named_claims)
    return {
        "index": index,
        "name": a.name,
        "role": a.role,
        "forms": list(a.forms),
        "mentions": a.mentions,
        "sentences": list(a.sentence_indices),
        "terms": [
            {
                "category": t.category,
                "voice": t.voice,
                "count": t.count,
                "terms": list(t.term_indices),
                "sentences": list(t.sentence_indices),
            }
            for t in a.terms
        ],
        "loaded_terms": list(a.term_indices),
        "claims": list(a.claims),
        "anonymous_claims": list(a.anonymous_claims),
        "named_claims": list(a.named_claims),
        "anonymous_share": round(len(a.anonymous_claims) / known, 4) if known else None,
        "distancing": list(a.distancing),
        "distanced_claims": list(a.distanced_claims),
    }


def _counts(counts: tuple[LabelCount, ...], label: str, items: str) -> list[dict[str, Any]]:
    return [
        {label: c.label, "count": c.count, items: list(c.indices), "sentences": list(c.sentence_indices)}
        for c in counts
    ]


def _by_sentence(
    items: tuple[LoadedTerm, ...] | tuple[TechniqueSpan, ...] | tuple[DistancingMarker, ...],
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        out.setdefault(item.sentence_index, []).append(index)
    return out


def report_to_dict(report: ArticleReport) -> dict[str, Any]:
    """The report as plain JSON-ready data, with ``schema_version``."""
    article, summary = report.article, report.summary
    labels = {label.sentence_index: label for label in report.sentence_labels}
    terms_in, techniques_in = _by_sentence(report.loaded_terms), _by_sentence(report.techniques)
    distancing_in = _by_sentence(report.distancing)
    claims = set(summary.unattributed_claims)
    continues = dict(summary.continued_sentences)
    n_sentences = summary.n_sentences
    biased = summary.biased_sentences
    return {
        "schema_version": SCHEMA_VERSION,
        "layers": list(summary.layers),
        "article": {
            "id": article.id,
            "title": article.title,
            "origin": article.origin,
            "meta": article.meta,
            "text": article.text,
            "excluded": [list(r) for r in article.excluded],
        },
        "provenance": {
            "attribution_version": report.provenance.attribution_version,
            "tagger": report.provenance.tagger,
            "base_model": report.provenance.base_model,
            "schema_version": report.provenance.schema_version,
            "term_tagger": report.provenance.term_tagger,
            "sentence_bias": report.provenance.sentence_bias,
            "source_profile": report.provenance.source_profile,
            "precision": report.provenance.precision,
            "target_ranker": report.provenance.target_ranker,
        },
        "sentences": [
            {
                "index": s.index,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "attributed": labels[s.index].attributed,
                "confidence": labels[s.index].confidence,
                "attributions": list(labels[s.index].attribution_indices),
                "biased": labels[s.index].biased,
                "bias_confidence": labels[s.index].bias_confidence,
                "loaded_terms": terms_in.get(s.index, []),
                "techniques": techniques_in.get(s.index, []),
                "unattributed_claim": s.index in claims,
                "continues_attribution": continues.get(s.index),
                "distancing": distancing_in.get(s.index, []),
            }
            for s in report.sentences
        ],
        "attributions": [_attribution(i, a) for i, a in enumerate(report.attributions)],
        "loaded_terms": [_loaded_term(i, t) for i, t in enumerate(report.loaded_terms)],
        "techniques": [_technique(i, t) for i, t in enumerate(report.techniques)],
        "distancing": [_distancing(i, d) for i, d in enumerate(report.distancing)],
        "summary": {
            "n_sentences": summary.n_sentences,
            "n_words": summary.n_words,
            "n_attributions": summary.n_attributions,
            "attributed_sentences": list(summary.attributed_sentences),
            "unattributed_sentences": list(summary.unattributed_sentences),
            "attributed_share": round(len(summary.attributed_sentences) / summary.n_sentences, 4)
            if summary.n_sentences
            else 0.0,
            "attributions_without_source": list(summary.attributions_without_source),
            "direct_quotes": list(summary.direct_quotes),
            "sources": [
                {
                    "source": c.source,
                    "count": c.count,
                    "attributions": list(c.attribution_indices),
                    "sentences": list(c.sentence_indices),
                }
                for c in summary.sources
            ],
            "n_loaded_terms": len(report.loaded_terms),
            "loaded_terms_per_100_words": summary.loaded_terms_per_100_words,
            "loaded_terms_by_category": _counts(summary.loaded_terms_by_category, "category", "terms"),
            "loaded_terms_by_voice": _counts(summary.loaded_terms_by_voice, "voice", "terms"),
            "loaded_terms_by_target": _counts(summary.loaded_terms_by_target, "target", "terms"),
            "n_techniques": len(report.techniques),
            "techniques": _counts(summary.technique_counts, "technique", "spans"),
            "biased_sentences": list(biased) if biased is not None else None,
            "biased_share": (round(len(biased) / n_sentences, 4) if n_sentences else 0.0)
            if biased is not None
            else None,
            "unattributed_claims": list(summary.unattributed_claims),
            "continued_sentences": [list(pair) for pair in summary.continued_sentences],
            "sources_by_type": _groups(summary.sources_by_type, "source_type"),
            "sources_by_anonymity": _groups(summary.sources_by_anonymity, "anonymity"),
            "anonymous_source_share": summary.anonymous_source_share,
            "relays": _groups(summary.relays, "via"),
            "stances": _groups(summary.stances, "stance"),
            "n_distancing": len(report.distancing),
            "distancing_by_kind": _counts(summary.distancing_by_kind, "kind", "markers"),
            "distancing_by_target": _counts(summary.distancing_by_target, "target", "markers"),
            "actors": [_actor(i, a) for i, a in enumerate(summary.actors)],
            "asymmetries": [
                {
                    "kind": a.kind,
                    "statement": a.statement,
                    "actors": list(a.actors),
                    "sentences": list(a.sentence_indices),
                }
                for a in summary.asymmetries
            ],
            "statements": [
                {"kind": st.kind, "text": st.text, "sentences": list(st.sentence_indices)} for st in summary.statements
            ],
        },
    }


def render_json(report: ArticleReport) -> str:
    """The report as an indented JSON string."""
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every report validates against."""
    text = resources.files("attribution").joinpath("resources/report.v1.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_to_annotation(report: ArticleReport) -> LabeledArticle:
    """The report's predictions as one annotation-format record (``layers``: what was predicted).

    ``loaded_terms``, ``techniques`` and ``sentence_labels`` (one entry per sentence) are listed in
    ``layers`` only when the report carries that component's output.

    Example:
        >>> from attribution.aggregate import aggregate
        >>> from attribution.records import Article, LoadedTerm, Provenance, Sentence
        >>> article = Article(id="a", text="Thugs fled.")
        >>> report = aggregate(article, [Sentence(0, 0, 11, article.text)], [],
        ...                    Provenance("0.1.0", "none", "none", SCHEMA_VERSION),
        ...                    loaded_terms=[LoadedTerm("name_calling", 0, 5, "Thugs", 0, 0.9)],
        ...                    sentence_bias=[(True, 0.7)])
        >>> record = report_to_annotation(report)
        >>> record.layers, record.loaded_terms[0].span, record.sentence_labels[0].biased
        (('attributions', 'loaded_terms', 'sentence_labels'), ((0, 5),), True)

    """

    def fragments(spans: tuple[Span, ...]) -> tuple[tuple[int, int], ...]:
        return tuple((s.start, s.end) for s in spans)

    attributions = tuple(
        GoldAttribution(
            cue=fragments(a.cue),
            source=fragments(a.source),
            content=fragments(a.content),
            via=fragments(a.via),
            source_type=a.source_type,
            anonymous=a.anonymous,
            resolved_source=a.resolved_source,
            stance=a.stance,
        )
        for a in report.attributions
    )
    layers = report.summary.layers
    loaded_terms = tuple(
        GoldLoadedTerm(
            span=((t.start, t.end),), category=t.category, polarity=t.polarity, target=t.target, voice=t.voice
        )
        for t in report.loaded_terms
    )
    techniques = tuple(GoldTechnique(span=((t.start, t.end),), technique=t.technique) for t in report.techniques)
    sentence_labels: tuple[GoldSentenceLabel, ...] = ()
    if "sentence_labels" in layers:
        sentence_labels = tuple(
            GoldSentenceLabel(span=((s.start, s.end),), biased=bool(label.biased))
            for s, label in zip(report.sentences, report.sentence_labels, strict=True)
            if s.end > s.start
        )
    extra: dict[str, Any] = {"meta": report.article.meta} if report.article.meta else {}
    if "distancing" in layers:
        extra["distancing"] = [
            {"span": [[d.start, d.end]], "target": [[d.target_start, d.target_end]]} for d in report.distancing
        ]
    return LabeledArticle(
        id=report.article.id,
        text=report.article.text,
        layers=("attributions", *(layer for layer in layers if layer != "attributions")),
        attributions=attributions,
        extra=extra,
        loaded_terms=loaded_terms,
        techniques=techniques,
        sentence_labels=sentence_labels,
    )
