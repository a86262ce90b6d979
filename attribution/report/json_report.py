"""JSON rendering of an :class:`~attribution.records.ArticleReport` and its annotation-format export.

The JSON carries ``schema_version``; the schema ships as
``attribution/resources/report.v1.schema.json`` (see :func:`report_schema`).

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

from attribution.annotations import GoldAttribution, LabeledArticle
from attribution.records import ArticleReport, Attribution, Span

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


def report_to_dict(report: ArticleReport) -> dict[str, Any]:
    """The report as plain JSON-ready data, with ``schema_version``."""
    article, summary = report.article, report.summary
    labels = {label.sentence_index: label for label in report.sentence_labels}
    return {
        "schema_version": SCHEMA_VERSION,
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
            }
            for s in report.sentences
        ],
        "attributions": [_attribution(i, a) for i, a in enumerate(report.attributions)],
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
    """The report's predictions as one annotation-format record (``layers``: what was predicted)."""

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
    extra: dict[str, Any] = {"meta": report.article.meta} if report.article.meta else {}
    return LabeledArticle(
        id=report.article.id,
        text=report.article.text,
        layers=("attributions",),
        attributions=attributions,
        extra=extra,
    )
