"""Source profile, distancing, unattributed claims, actor table and plain-language summary in every report.

The fixture is a war report written for these tests: anonymous military sources relayed by two agencies, a
named NGO that the writer distances ("so-called", "claimed"), rebels in scare quotes, and loaded terms
aimed at both sides in all three voices.
"""

from __future__ import annotations

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
from attribution.records import Article, ArticleReport, Attribution, DistancingMarker, LoadedTerm, Sentence, Span
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


# --------------------------------------------------------------------------- unattributed factual claims


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("The army set up checkpoints in several areas.", True),
        ("Residents fled toward the coast on Monday.", True),
        ("Government troops have captured the hill.", True),
        ("Fighters are advancing on the airport.", True),
        ("Four civilians were killed in the shelling.", True),
        ("The army controls most of the province.", True),
        ("Shells struck the market at dawn.", True),
        # negatives: questions, opinion, speculation, exhortation, no event verb, too short
        ("Will the army reach the city before winter?", False),
        ('Who ordered the strike?"', False),
        ("The offensive could last for weeks.", False),
        ("The talks may resume next month.", False),
        ("We believe the siege must end.", False),
        ("Perhaps the army shelled the town.", False),
        ("The government should open the corridors.", False),
        ("It is clear that the rebels lost ground.", False),
        ("The town is strategic for both sides.", False),
        ("A hundred families live in the camp.", False),
        ("Clashes near Aleppo.", False),
        ("Troops advanced.", False),
        ("", False),
    ],
)
def test_factual_claim_rule(sentence: str, claim: bool) -> None:
    assert is_factual_claim(sentence) is claim


def test_unattributed_claims_are_unattributed_sentences_only() -> None:
    summary = war_report().summary
    assert summary.unattributed_sentences == (0, 6, 8, 9)
    assert summary.unattributed_claims == (0, 6, 8)  # S9 is a question
    assert set(summary.unattributed_claims) <= set(summary.unattributed_sentences)


@pytest.mark.parametrize(
    ("text", "content", "continued"),
    [
        # the second sentence of a quote is the speaker's: no unattributed claim, marked in every rendering
        ('"They shelled the bakery," said Abu Khaled. "The army destroyed the hospital."',
         ["They shelled the bakery,", "The army destroyed the hospital."], ((1, 0),)),
        # negative: a sentence the content does not hold is the writer's own
        ('"They shelled the bakery," said Abu Khaled. The army destroyed the hospital.',
         ["They shelled the bakery,"], ()),
    ],
)  # fmt: skip
def test_a_sentence_inside_a_quote_is_no_unattributed_claim(
    text: str, content: list[str], continued: tuple[tuple[int, int], ...]
) -> None:
    cut = text.index(" ", text.index("Khaled")) + 1
    sentences = [Sentence(0, 0, cut - 1, text[: cut - 1]), Sentence(1, cut, len(text), text[cut:])]

    def span(label: str, part: str) -> Span:
        start = text.index(part)
        return Span(label, start, start + len(part), part, 0 if start < cut else 1)  # type: ignore[arg-type]

    claim = Attribution((span("CUE", "said"),), (span("SOURCE", "Abu Khaled"),),
                        tuple(span("CONTENT", c) for c in content), "direct", 0, 1.0)  # fmt: skip
    report = aggregate(Article(id="q", text=text), sentences, [claim], PROVENANCE)
    assert report.summary.unattributed_sentences == (1,)
    assert report.summary.continued_sentences == continued
    assert report.summary.unattributed_claims == (() if continued else (1,))
    data = report_to_dict(report)
    jsonschema.validate(data, report_schema())
    assert data["sentences"][1]["continues_attribution"] == (0 if continued else None)
    assert ("S1 (inside A0)" in render_markdown(report)) is bool(continued)
    assert ("inside A0" in render_html(report)) is bool(continued)


# --------------------------------------------------------------------------- aggregates


def _groups(groups: Any) -> list[tuple[str, int, float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]]:
    return [(g.label, g.count, g.share, g.attribution_indices, g.sentence_indices, g.anonymous_indices) for g in groups]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            "sources_by_type",
            [
                ("military", 2, 0.3333, (0, 1), (1, 2), (0, 1)),
                ("ngo", 2, 0.3333, (2, 3), (3, 4), ()),
                ("armed_group", 1, 0.1667, (4,), (5,), (4,)),
                ("citizen", 1, 0.1667, (5,), (7,), (5,)),
            ],
        ),
        (
            "sources_by_anonymity",
            [
                ("anonymous", 4, 0.6667, (0, 1, 4, 5), (1, 2, 5, 7), (0, 1, 4, 5)),
                ("named", 2, 0.3333, (2, 3), (3, 4), ()),
            ],
        ),
        ("relays", [("fna", 1, 0.1667, (0,), (1,), (0,)), ("sana", 1, 0.1667, (1,), (2,), (1,))]),
        (
            "stances",
            [
                ("neutral", 4, 0.6667, (0, 1, 3, 5), (1, 2, 4, 7), (0, 1, 5)),
                ("distancing", 1, 0.1667, (2,), (3,), ()),
                ("charged", 1, 0.1667, (4,), (5,), (4,)),
            ],
        ),
    ],
)
def test_source_profile_aggregates(field: str, expected: list[tuple]) -> None:
    assert _groups(getattr(war_report().summary, field)) == expected


def test_distancing_and_share_aggregates() -> None:
    summary = war_report().summary
    assert summary.anonymous_source_share == 0.6667
    assert [(c.label, c.count, c.indices, c.sentence_indices) for c in summary.distancing_by_kind] == [
        ("so-called", 1, (0,), (3,)),
        ("scare_quotes", 1, (1,), (8,)),
    ]
    assert [(c.label, c.indices) for c in summary.distancing_by_target] == [
        ("Syrian Observatory for Human Rights", (0,)),
        ("moderate opposition", (1,)),
    ]
    assert summary.layers == ("attributions", "source_profile", "loaded_terms", "distancing")


def test_without_profile_and_distancing() -> None:
    summary = war_report(profile=False, distancing=False).summary
    assert summary.layers == ("attributions", "loaded_terms")
    assert summary.sources_by_type == () and summary.sources_by_anonymity == () and summary.relays == ()
    assert summary.anonymous_source_share is None and summary.distancing_by_kind == ()


def test_actor_table_of_the_war_report() -> None:
    actors = war_report().summary.actors
    assert [(a.name, a.role, a.mentions) for a in actors] == [
        ("Syrian army", "army", 5),
        ("ISIL", "militant", 4),  # "the terrorists" of S2 and S6 (no target) stand for the article's militants
        ("Syrian Observatory for Human Rights", "ngo", 3),
        ("rebels", "rebel", 2),
        ("Residents", None, 1),
    ]
    army, isil, observatory, rebels, _ = actors
    assert (army.claims, army.anonymous_claims, army.term_indices) == ((0, 1), (0, 1), (0, 2, 7))
    assert (observatory.claims, observatory.named_claims, observatory.distancing, observatory.distanced_claims) == (
        (2, 3), (2, 3), (0,), (2,)
    )  # fmt: skip
    assert [(t.category, t.voice, t.count, t.term_indices) for t in isil.terms] == [
        ("name_calling", "narrator", 2, (1, 6)),
        ("name_calling", "indirect", 1, (3,)),
        ("name_calling", "quoted", 1, (4,)),
    ]
    assert (rebels.claims, rebels.distancing, rebels.sentence_indices) == ((4,), (1,), (5, 8))


def test_bare_labels_name_the_actor_the_table_joins_them_to() -> None:
    report = war_report()
    terms = report.loaded_terms
    # "the terrorists" of S2 and S6 had no target in their sentence; the table joined them to ISIL
    assert [(terms[i].text, terms[i].target, terms[i].target_span) for i in (4, 6)] == [
        ("terrorists", "ISIL", (terms[4].start, terms[4].end)),
        ("terrorists", "ISIL", (terms[6].start, terms[6].end)),
    ]
    assert (terms[5].text, terms[5].target) == ("scorched earth", None)  # loaded language names no actor
    assert [(c.label, c.indices) for c in report.summary.loaded_terms_by_target][0] == ("ISIL", (1, 4, 6))


def test_aggregate_rejects_a_marker_that_does_not_fit() -> None:
    report = war_report()
    bad = DistancingMarker("so-called", 0, 9, "so-called", 0, 10, 20, "Observatory")
    with pytest.raises(ValueError, match=r"article 'war-aleppo': distancing item 'so-called' \[0, 9\] does not match"):
        aggregate(report.article, report.sentences, report.attributions, PROVENANCE, distancing=[bad])
    start = WAR_TEXT.index("so-called")
    wrong_target = DistancingMarker("so-called", start, start + 9, "so-called", 3, 0, 6, "Syrian Army")
    with pytest.raises(ValueError, match="has target 'Syrian Army' .* does not match the article text"):
        aggregate(report.article, report.sentences, report.attributions, PROVENANCE, distancing=[wrong_target])


# --------------------------------------------------------------------------- JSON and schema


@pytest.mark.parametrize(
    ("kwargs"), [{}, {"profile": False}, {"distancing": False}, {"profile": False, "distancing": False}]
)
def test_json_validates_against_the_schema(kwargs: dict[str, bool]) -> None:
    data = json.loads(render_json(war_report(**kwargs)))
    jsonschema.validate(data, report_schema())


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("layers",), ["attributions", "source_profile", "loaded_terms", "distancing"]),
        (("sentences", 0, "unattributed_claim"), True),
        (("sentences", 9, "unattributed_claim"), False),
        (("sentences", 3, "distancing"), [0]),
        (("distancing", 1, "kind"), "scare_quotes"),
        (("distancing", 1, "target_text"), "moderate opposition"),
        (("summary", "unattributed_claims"), [0, 6, 8]),
        (("summary", "anonymous_source_share"), 0.6667),
        (("summary", "sources_by_type", 0, "source_type"), "military"),
        (("summary", "sources_by_type", 0, "anonymous"), [0, 1]),
        (("summary", "relays", 0, "via"), "fna"),
        (("summary", "stances", 1), {"stance": "distancing", "count": 1, "share": 0.1667, "attributions": [2],
                                     "sentences": [3], "anonymous": []}),
        (("summary", "n_distancing"), 2),
        (("summary", "distancing_by_kind", 0), {"kind": "so-called", "count": 1, "markers": [0], "sentences": [3]}),
        (("summary", "actors", 0, "name"), "Syrian army"),
        (("summary", "actors", 0, "anonymous_share"), 1.0),
        (("summary", "actors", 2, "anonymous_share"), 0.0),
        (("summary", "actors", 1, "terms", 0), {"category": "name_calling", "voice": "narrator", "count": 2,
                                                "terms": [1, 6], "sentences": [0, 6]}),
        (("summary", "asymmetries", 0, "kind"), "name_calling"),
        (("summary", "statements", 0, "sentences"), [1, 2, 3, 4, 5, 7]),
    ],
)  # fmt: skip
def test_json_fields(path: tuple[Any, ...], expected: Any) -> None:
    value: Any = report_to_dict(war_report())
    for key in path:
        value = value[key]
    assert value == expected


def test_schema_accepts_reports_written_before_the_profile_fields() -> None:
    data = report_to_dict(war_report())
    del data["distancing"]
    data["layers"] = ["attributions", "loaded_terms"]
    for sentence in data["sentences"]:
        del sentence["unattributed_claim"], sentence["distancing"]
    for key in ("unattributed_claims", "sources_by_type", "sources_by_anonymity", "anonymous_source_share", "relays",
                "stances", "n_distancing", "distancing_by_kind", "distancing_by_target", "actors", "asymmetries",
                "statements"):  # fmt: skip
        del data["summary"][key]
    jsonschema.validate(data, report_schema())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("layers",), ["attributions", "actors"]),
        (("summary", "sources_by_type", 0, "source_type"), "army"),
        (("summary", "sources_by_type", 0, "share"), 1.5),
        (("summary", "sources_by_anonymity", 0, "anonymity"), "hidden"),
        (("summary", "stances", 0, "stance"), "angry"),
        (("summary", "anonymous_source_share"), -0.1),
        (("summary", "distancing_by_kind", 0, "count"), 0),
        (("summary", "actors", 0, "terms", 0, "voice"), "writer"),
        (("summary", "actors", 0, "mentions"), 0),
        (("summary", "asymmetries", 0, "kind"), "tone"),
        (("summary", "statements", 0, "sentences"), [-1]),
        (("distancing", 0, "score"), 2),
        (("sentences", 0, "unattributed_claim"), "yes"),
    ],
)
def test_schema_rejects_bad_values(path: tuple[Any, ...], value: Any) -> None:
    data = report_to_dict(war_report())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


def test_annotation_export_carries_profile_and_distancing() -> None:
    record = report_to_annotation(war_report())
    assert record.layers == ("attributions", "source_profile", "loaded_terms", "distancing")
    line = json.dumps(record.to_dict())
    again = parse_record(line, where="export:1")
    assert again.layers == record.layers
    marker_span, target_span = find(WAR_TEXT, "so-called"), find(WAR_TEXT, "Syrian Observatory for Human Rights")
    assert again.extra["distancing"][0] == {"span": [list(marker_span)], "target": [list(target_span)]}
    assert [(a.source_type, a.anonymous, a.stance) for a in again.attributions][:3] == [
        ("military", True, "neutral"),
        ("military", True, "neutral"),
        ("ngo", False, "distancing"),
    ]
    via = again.attributions[0].via
    assert [WAR_TEXT[s:e] for s, e in via] == ["FNA"]


# --------------------------------------------------------------------------- Markdown


def test_markdown_sections() -> None:
    md = render_markdown(war_report())
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[:9] == [
        "# Attribution report: Army pushes into the Aleppo countryside",
        "## In plain words",
        "## Summary",
        "## Sources",
        "## Source profile",
        "## Distancing markers",
        "## Actors",
        "### Asymmetries",
        "## Attributions",
    ]
    assert "- 3 sentences state events as fact in the writer's own voice, without naming a source. (S0, S6, S8)" in md
    assert "- Unattributed factual claims (events asserted without a source): S0, S6, S8" in md
    assert "- Anonymous-source share: 67%" in md
    assert "| military | 2 | 33% | 2 | A0, A1 | S1, S2 |" in md
    assert "| FNA | 1 | 17% | 1 | A0 | S1 |" in md
    assert '| D1 | "moderate opposition" | scare_quotes | moderate opposition | S8 |' in md
    isil = (
        "| ISIL | militant | 4 | terrorists; ISIL; militants | name_calling (narrator) ×2: T1, T6; "
        "name_calling (indirect) ×1: T3; name_calling (quoted) ×1: T4 |"
    )
    assert isil + " — | — | — | S0, S1, S2, S6 |" in md
    assert "| A0 | S1 | A military source | told |" in md and "military · anonymous · via FNA · neutral |" in md


def test_markdown_without_profile_and_distancing() -> None:
    md = render_markdown(war_report(profile=False, distancing=False))
    assert "## Source profile\n\nNot analysed (the attributions carry no source profile)." in md
    assert "## Distancing markers\n\nNot analysed (the analyzer has no distancing component)." in md
    assert "Anonymous-source share" not in md and "| profile |" not in md


# --------------------------------------------------------------------------- HTML


def test_html_marks_distancing_anonymous_sources_and_relays() -> None:
    page = render_html(war_report())
    article = re.search(r'<div id="article-text">(.*?)</div>', page, re.S).group(1)
    assert set(re.findall(r'class="dm d-(\d+)"', article)) == {"0", "1"}
    assert set(re.findall(r'class="dmt d-(\d+)"', article)) == {"0", "1"}
    assert re.search(r'class="hl hl-source a-0 anon"', article)  # "A military source"
    assert not re.search(r'class="hl hl-source a-2[^"]*anon', article)  # the Observatory is named
    assert re.findall(r'<span class="via v-(\d+)"[^>]*>(\w+)</span>', article) == [("0", "FNA"), ("1", "SANA")]
    for toggle in ("show-attributions", "show-terms", "show-anonymous", "show-distancing"):
        assert f'id="{toggle}"' in page
    for swatch in ("anon-swatch", "via-swatch", "dm-swatch", "dmt-swatch"):
        assert f'<span class="{swatch}"' in page


def test_html_without_profile_has_no_profile_layers() -> None:
    page = render_html(war_report(profile=False, distancing=False))
    assert 'id="show-anonymous"' not in page and 'id="show-distancing"' not in page
    article = re.search(r'<div id="article-text">(.*?)</div>', page, re.S).group(1)
    assert 'id="no-profile"' in page and 'id="no-distancing"' in page
    assert " anon" not in article and 'class="dm' not in article and 'class="via' not in article


def test_html_sections_tables_and_charts() -> None:
    page = render_html(war_report())
    for needle in ('id="statements"', 'id="chart-sources"', 'id="chart-terms-by-actor"', 'table class="actors"',
                   'id="asymmetries"', 'table class="distancing"', 'table class="sources-by-type"',
                   'table class="relays"', '<tr id="st-military">', '<tr id="d-1">'):  # fmt: skip
        assert needle in page
    assert page.count('<tr class="actor" id="actor-') == 5
    assert '<tr class="actor" id="actor-0" data-sentences="0 1 2 7" tabindex="0"' in page
    assert "<script" not in page.split("<main>")[1].split('<script type="application/json"')[0]


def test_html_escapes_actor_names_in_tables_and_charts() -> None:
    text = "The <b>Brigade</b> said troops fled."
    sentences = sentences_of(text)
    said = Attribution(
        cue=(piece(text, "CUE", "said", 0),), source=(piece(text, "SOURCE", "The <b>Brigade</b>", 0),),
        content=(piece(text, "CONTENT", "troops fled", 0),), kind="indirect", sentence_index=0, score=0.9,
    )  # fmt: skip
    start, end = find(text, "fled")
    term_ = LoadedTerm(
        "loaded_language", start, end, "fled", 0, 0.9, "negative", "indirect", "<b>Brigade</b>", (4, 18), 0
    )
    report = aggregate(Article(id="x", text=text), sentences, [said], PROVENANCE, loaded_terms=[term_])
    page = render_html(report)
    actors = page.split('<h2 id="actors">')[1].split("<h2>Attributions</h2>")[0]
    assert "<b>" not in actors and "&lt;b&gt;Brigade&lt;/b&gt;" in actors
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-terms-by-actor"' in actors


# --------------------------------------------------------------------------- browser


def _url(tmp_path: Path, report: ArticleReport) -> str:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path.resolve().as_uri()


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.mark.browser
def test_browser_actor_row_lands_on_its_sentence(tmp_path: Path) -> None:
    with chromium_page(viewport={"width": 1200, "height": 800}) as page:
        errors = _watch(page)
        page.goto(_url(tmp_path, war_report()))
        row = page.locator("tr.actor#actor-3")  # the rebels: sentences 5 and 8
        row.locator("td").nth(1).click()
        assert page.evaluate("location.hash") == "#s-5"
        assert page.locator("#s-5").evaluate("el => el.matches(':target')")
        assert page.locator("#s-5").is_visible()
        box, bar = page.locator("#s-5").bounding_box(), page.locator("#review").bounding_box()
        assert box is not None and bar is not None
        assert bar["y"] + bar["height"] <= box["y"] and box["y"] + box["height"] <= 800  # not under the sticky bar
        focused = page.locator("tr.actor-focus").evaluate_all("rows => rows.map(r => r.id)")
        assert focused == ["s-5", "s-8"]
        page.locator("tr.actor#actor-1").focus()  # ISIL; the keyboard works too; the old marks go
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#s-0"
        assert page.locator("tr.actor-focus").evaluate_all("rows => rows.map(r => r.id)") == [
            "s-0",
            "s-1",
            "s-2",
            "s-6",
        ]
        page.locator("tr.actor#actor-1 a[href='#s-1']").click()  # a link in the row goes where it points
        assert page.evaluate("location.hash") == "#s-1"
        assert errors == []


@pytest.mark.browser
def test_browser_charts_render(tmp_path: Path) -> None:
    with chromium_page(viewport={"width": 1200, "height": 800}) as page:
        errors = _watch(page)
        page.goto(_url(tmp_path, war_report()))
        for chart in ("#chart-sources", "#chart-terms-by-actor"):
            svg = page.locator(f"svg{chart}")
            assert svg.is_visible()
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 40
        bars = page.locator("#chart-sources a.chart-row")
        assert bars.count() == 4
        # the military bar is all hatched (anonymous), the NGO bar all solid (named)
        fills = (
            page.locator("#chart-sources a.chart-row")
            .nth(0)
            .locator("rect")
            .evaluate_all("rects => rects.map(r => r.getAttribute('fill'))")
        )
        assert fills == ["url(#chart-sources-hatch-2f6fd0)"]
        width = (
            page.locator("#chart-sources a.chart-row").nth(0).locator("rect").first.evaluate("r => r.getBBox().width")
        )
        assert width > 100
        assert page.locator("#chart-terms-by-actor a.chart-row").count() == 2
        page.locator("#chart-terms-by-actor a.chart-row").nth(1).click()
        assert page.evaluate("location.hash") == "#actor-1"
        assert errors == []


@pytest.mark.browser
def test_browser_distancing_and_anonymous_toggles(tmp_path: Path) -> None:
    with chromium_page() as page:
        errors = _watch(page)
        page.goto(_url(tmp_path, war_report()))
        marker = page.locator("#article-text .dm.d-0")
        target = page.locator("#article-text .dmt.d-0").first
        anonymous = page.locator("#article-text .hl-source.anon.a-0").first
        background = "(el) => getComputedStyle(el).backgroundColor"
        outline = "(el) => getComputedStyle(el).outlineStyle"
        image = "(el) => getComputedStyle(el).backgroundImage"
        assert marker.evaluate(background) != "rgba(0, 0, 0, 0)" and target.evaluate(outline) == "dotted"
        assert anonymous.evaluate(image).startswith("repeating-linear-gradient")
        page.locator("#show-distancing").uncheck()
        assert marker.evaluate(background) == "rgba(0, 0, 0, 0)" and target.evaluate(outline) == "none"
        page.locator("#show-anonymous").uncheck()
        assert anonymous.evaluate(image) == "none"
        assert anonymous.evaluate(background) != "rgba(0, 0, 0, 0)"  # the source highlight stays
        page.locator("#show-distancing").check()
        assert target.evaluate(outline) == "dotted"
        assert page.locator("#article-text").inner_text() == WAR_TEXT
        assert errors == []


# --------------------------------------------------------------------------- index page and the fixture corpus


def test_index_rows_carry_the_new_aggregates() -> None:
    row = IndexRow.from_report(war_report())
    assert (row.n_unattributed_claims, row.anonymous_source_share, row.n_relays, row.n_distancing) == (3, 0.6667, 2, 2)
    assert row.n_asymmetries == 6 and IndexRow.from_dict(row.to_dict()) == row
    new = ("n_unattributed_claims", "anonymous_source_share", "n_relays", "n_distancing", "n_asymmetries")
    old = {k: v for k, v in row.to_dict().items() if k not in new}
    assert IndexRow.from_dict(old).anonymous_source_share is None
    bare = IndexRow.from_report(war_report(profile=False, distancing=False))
    assert (bare.anonymous_source_share, bare.n_relays, bare.n_distancing) == (None, None, None)
    (outlet,) = outlet_rows([row, bare])
    assert (outlet.outlet, outlet.unattributed_claims, outlet.mean_anonymous_source_share) == ("X", 6, 0.6667)
    page = render_index([row, bare])
    for header in ("Unattributed claims", "Anonymous sources", "Relayed", "Distancing markers", "Asymmetries",
                   "Mean anonymous-source share"):  # fmt: skip
        assert f">{header}</th>" in page
    assert '<td class="num" data-sort="0.6667">66.7%</td>' in page


CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def test_fixture_corpus() -> None:
    from attribution.readers import read_inputs
    from attribution.segmenter import RuleSegmenter

    articles = list(read_inputs([CORPUS]))
    assert len(articles) == 50 and all(isinstance(a, Article) for a in articles)
    assert len({a.id for a in articles}) == 50
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 200_000
    outlets = [a.meta.get("outlet") for a in articles]
    assert {o for o in outlets if o} == {"Capital Wire", "Front Dispatch", "Free Voice Radio", "Civic Monitor"}
    assert outlets.count(None) == 20
    segmenter = RuleSegmenter()
    for article in articles:
        body = [s for s in segmenter(article) if s.text != article.title]
        assert 4 <= len(body) <= 8, (article.id, len(body))
