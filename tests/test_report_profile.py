"""Source profile, distancing, unattributed claims, actor table and plain-language summary in every report.

The fixture is a war report written for these tests: anonymous military sources relayed by two agencies, a
named NGO that the writer distances ("so-called", "claimed"), rebels in scare quotes, and loaded terms
aimed at both sides in all three voices.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from browser_helpers import chromium_page
from test_html_report import PROVENANCE, sentences_of

from attribution.aggregate import aggregate, is_factual_claim
from attribution.annotations import parse_record
from attribution.records import Article, ArticleReport, Attribution, DistancingMarker, LoadedTerm, Span
from attribution.report.html_report import render_html
from attribution.report.index_page import IndexRow, outlet_rows, render_index
from attribution.report.json_report import render_json, report_schema, report_to_annotation, report_to_dict
from attribution.report.markdown_report import render_markdown

WAR_TEXT = (
    "Syrian troops bravely pushed deeper into the eastern countryside of Aleppo on Sunday, tightening the siege on "
    "ISIL terrorists in al-Bab. "
    "A military source told FNA that army units had liberated three villages and killed dozens of Takfiri militants. "
    '"The terrorists are collapsing," a field commander said, according to SANA. '
    "Meanwhile, the so-called Syrian Observatory for Human Rights claimed that government airstrikes had killed 14 "
    "civilians in the town. "
    "The Observatory's director, Rami Abdel Rahman, said the dead included five children. "
    'Rebel commanders accused the army of a "scorched earth" campaign. '
    "The army set up checkpoints to protect the locals from the terrorists. "
    "Residents said the heroic soldiers were welcomed with flowers. "
    'The "moderate opposition" has lost ground across the province. '
    "Will the fighting reach the city?"
)


def find(text: str, piece: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th whole-word match of ``piece``."""
    pattern = (r"\b" if piece[0].isalnum() else "") + re.escape(piece) + (r"\b" if piece[-1].isalnum() else "")
    start = [m.start() for m in re.finditer(pattern, text)][occurrence]
    return start, start + len(piece)


def piece(text: str, label: str, part: str, sentence: int, score: float = 0.9, occurrence: int = 0) -> Span:
    start, end = find(text, part, occurrence)
    return Span(label, start, end, part, sentence, score)  # type: ignore[arg-type]


def attribution(
    text: str,
    sentence: int,
    source: str,
    cue: str,
    content: str,
    *,
    kind: str = "indirect",
    via: str | None = None,
    occurrence: int = 0,
    **profile: Any,
) -> Attribution:
    return Attribution(
        cue=(piece(text, "CUE", cue, sentence, 0.95, occurrence),),
        source=(piece(text, "SOURCE", source, sentence, 0.93),),
        content=(piece(text, "CONTENT", content, sentence, 0.88),),
        kind=kind,  # type: ignore[arg-type]
        sentence_index=sentence,
        score=0.9,
        via=(piece(text, "SOURCE", via, sentence),) if via else (),
        **profile,
    )


def term(
    text: str,
    part: str,
    category: str,
    sentence: int,
    polarity: str,
    voice: str,
    target: str | None,
    attribution_index: int | None = None,
    occurrence: int = 0,
) -> LoadedTerm:
    start, end = find(text, part, occurrence)
    target_span = find(text, target) if target else None
    return LoadedTerm(
        category, start, end, part, sentence, 0.9, polarity, voice, target, target_span, attribution_index
    )


def marker(text: str, kind: str, part: str, target: str, sentence: int) -> DistancingMarker:
    start, end = find(text, part)
    target_start, target_end = find(text, target)
    return DistancingMarker(kind, start, end, part, sentence, target_start, target_end, target)


def war_report(text: str = WAR_TEXT, *, profile: bool = True, distancing: bool = True) -> ArticleReport:
    """The hand-built war report; ``profile=False`` drops the profile fields, ``distancing=False`` the markers."""
    sentences = sentences_of(text)
    specs = [
        (1, "A military source", "told", "army units had liberated three villages and killed dozens of Takfiri "
         "militants", {"via": "FNA", "source_type": "military", "anonymous": True, "stance": "neutral"}),
        (2, "a field commander", "said", '"The terrorists are collapsing,"',
         {"kind": "direct", "via": "SANA", "source_type": "military", "anonymous": True, "stance": "neutral"}),
        (3, "the so-called Syrian Observatory for Human Rights", "claimed",
         "government airstrikes had killed 14 civilians in the town",
         {"source_type": "ngo", "anonymous": False, "stance": "distancing"}),
        (4, "The Observatory's director, Rami Abdel Rahman", "said", "the dead included five children",
         {"source_type": "ngo", "anonymous": False, "stance": "neutral", "occurrence": 1}),
        (5, "Rebel commanders", "accused", 'the army of a "scorched earth" campaign',
         {"source_type": "armed_group", "anonymous": True, "stance": "charged"}),
        (7, "Residents", "said", "the heroic soldiers were welcomed with flowers",
         {"source_type": "citizen", "anonymous": True, "stance": "neutral", "occurrence": 2}),
    ]  # fmt: skip
    attributions = []
    for sentence, source, cue, content, extra in specs:
        extra = dict(extra)
        if not profile:
            extra = {k: v for k, v in extra.items() if k in ("kind", "occurrence")}
        attributions.append(attribution(text, sentence, source, cue, content, **extra))
    terms = [
        term(text, "bravely", "loaded_language", 0, "positive", "narrator", "Syrian troops"),
        term(text, "terrorists", "name_calling", 0, "negative", "narrator", "ISIL"),
        term(text, "liberated", "loaded_language", 1, "positive", "indirect", "army units", 0),
        term(text, "Takfiri", "name_calling", 1, "negative", "indirect", "militants", 0),
        term(text, "terrorists", "name_calling", 2, "negative", "quoted", None, 1, occurrence=1),
        term(text, "scorched earth", "loaded_language", 5, "negative", "quoted", None, 4),
        term(text, "terrorists", "name_calling", 6, "negative", "narrator", None, occurrence=2),
        term(text, "heroic", "loaded_language", 7, "positive", "indirect", "soldiers", 5),
    ]
    markers = [
        marker(text, "so-called", "so-called", "Syrian Observatory for Human Rights", 3),
        marker(text, "scare_quotes", '"moderate opposition"', "moderate opposition", 8),
    ]
    article = Article(id="war-aleppo", text=text, title="Army pushes into the Aleppo countryside", meta={"outlet": "X"})
    return aggregate(
        article,
        sentences,
        attributions,
        PROVENANCE,
        loaded_terms=terms,
        distancing=markers if distancing else None,
    )


def test_fixture_is_consistent() -> None:
    report = war_report()
    assert len(report.sentences) == 10
    for a in report.attributions:
        sentence = report.sentences[a.sentence_index]
        for p in (*a.source, *a.cue, *a.content, *a.via):
            assert WAR_TEXT[p.start : p.end] == p.text and sentence.start <= p.start < p.end <= sentence.end
    for t in report.loaded_terms:
        assert WAR_TEXT[t.start : t.end] == t.text
        if t.attribution_index is not None:
            (content,) = report.attributions[t.attribution_index].content
            assert content.start <= t.start < t.end <= content.end
    for d in report.distancing:
        assert WAR_TEXT[d.target_start : d.target_end] == d.target_text
