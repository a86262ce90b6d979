"""Loaded terms, persuasion techniques and sentence bias in every report (JSON, Markdown, HTML, annotation JSONL).

The fixture is a war report written for these tests, with loaded terms in the narrator's voice, inside an
indirect attribution and inside a quote, a term nested in a technique span nested in a content span, and a
sentence-bias label per sentence.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from browser_helpers import chromium_page
from test_html_report import PROVENANCE, sentences_of

from attribution.aggregate import aggregate
from attribution.annotations import GoldLoadedTerm, read_annotations, write_annotations
from attribution.converters.labelstudio import labelstudio_record, labelstudio_task, read_labelstudio
from attribution.records import Article, ArticleReport, Attribution, LoadedTerm, Span, TechniqueSpan
from attribution.report.html_report import render_html
from attribution.report.json_report import render_json, report_schema, report_to_annotation, report_to_dict
from attribution.report.markdown_report import render_markdown

WAR_TEXT = (
    "The regime's forces shelled the eastern district overnight in a brutal assault on opposition fighters. "
    "A military source told SANA that the army had liberated the town from foreign-backed terrorists. "
    '"These thugs will be crushed," the governor said. '
    "Residents said countless families had fled the regime. "
    "The army set up checkpoints."
)
BIAS = ((True, 0.91), (True, 0.84), (True, 0.77), (False, 0.62), (False, 0.95))


def find(text: str, piece: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th whole-word match of ``piece``."""
    pattern = (r"\b" if piece[0].isalnum() else "") + re.escape(piece) + (r"\b" if piece[-1].isalnum() else "")
    start = [m.start() for m in re.finditer(pattern, text)][occurrence]
    return start, start + len(piece)


def piece(text: str, label: str, part: str, sentence_index: int, score: float = 0.9, occurrence: int = 0) -> Span:
    start, end = find(text, part, occurrence)
    return Span(label, start, end, part, sentence_index, score)  # type: ignore[arg-type]


def term(
    text: str,
    part: str,
    category: str,
    sentence_index: int,
    score: float,
    polarity: str | None = "negative",
    voice: str = "narrator",
    target: str | None = None,
    attribution_index: int | None = None,
    occurrence: int = 0,
) -> LoadedTerm:
    start, end = find(text, part, occurrence)
    target_span = find(text, target) if target and target in text else None
    return LoadedTerm(
        category, start, end, part, sentence_index, score, polarity, voice, target, target_span, attribution_index
    )


def technique(text: str, name: str, part: str, sentence_index: int, score: float, occurrence: int = 0) -> TechniqueSpan:
    start, end = find(text, part, occurrence)
    return TechniqueSpan(name, start, end, part, sentence_index, score)


def war_report(
    text: str = WAR_TEXT,
    *,
    terms: bool = True,
    techniques: bool = True,
    bias: bool = True,
    extra_terms: tuple[LoadedTerm, ...] = (),
) -> ArticleReport:
    """The hand-built war report; ``terms``/``techniques``/``bias`` False leaves that component out."""
    sentences = sentences_of(text)
    attributions = (
        Attribution(
            cue=(piece(text, "CUE", "told", 1, 0.97),),
            source=(piece(text, "SOURCE", "A military source", 1, 0.95),),
            content=(piece(text, "CONTENT", "the army had liberated the town from foreign-backed terrorists", 1),),
            kind="indirect",
            sentence_index=1,
            score=0.93,
        ),
        Attribution(
            cue=(piece(text, "CUE", "said", 2, 0.99),),
            source=(piece(text, "SOURCE", "the governor", 2, 0.94),),
            content=(piece(text, "CONTENT", '"These thugs will be crushed,"', 2, 0.96),),
            kind="direct",
            sentence_index=2,
            score=0.95,
        ),
        Attribution(
            cue=(piece(text, "CUE", "said", 3, 0.9, occurrence=1),),
            source=(piece(text, "SOURCE", "Residents", 3, 0.9),),
            content=(piece(text, "CONTENT", "countless families had fled the regime", 3, 0.85),),
            kind="indirect",
            sentence_index=3,
            score=0.88,
        ),
    )
    loaded = (
        term(text, "regime", "name_calling", 0, 0.91, target="the government"),
        term(text, "brutal", "loaded_language", 0, 0.88, target="the government"),
        term(text, "liberated", "loaded_language", 1, 0.8, "positive", "indirect", "the army", 0),
        term(text, "foreign-backed", "delegitimizing", 1, 0.86, "negative", "indirect", "opposition fighters", 0),
        term(text, "terrorists", "name_calling", 1, 0.93, "negative", "indirect", "opposition fighters", 0),
        term(text, "thugs", "name_calling", 2, 0.9, "negative", "quoted", "opposition fighters", 1),
        term(text, "countless", "exaggeration", 3, 0.7, None, "indirect", None, 2),
        term(text, "regime", "name_calling", 3, 0.84, "negative", "indirect", "The government", 2, occurrence=1),
        *extra_terms,
    )
    spans = (
        technique(text, "Loaded_Language", "brutal assault", 0, 0.77),
        technique(text, "Name_Calling,Labeling", "foreign-backed terrorists", 1, 0.82),
        technique(text, "Appeal_to_fear-prejudice", "These thugs will be crushed", 2, 0.61),
        technique(text, "Name_Calling,Labeling", "regime", 3, 0.66, occurrence=1),
    )
    article = Article(id="war-1", text=text, title="Shelling in the east", meta={"outlet": "Test Wire"})
    return aggregate(
        article,
        sentences,
        attributions,
        PROVENANCE,
        loaded_terms=loaded if terms else None,
        techniques=spans if techniques else None,
        sentence_bias=BIAS if bias else None,
    )


def test_fixture_is_consistent() -> None:
    report = war_report()
    assert [s.text for s in report.sentences][2] == '"These thugs will be crushed," the governor said.'
    for t in report.loaded_terms:
        assert WAR_TEXT[t.start : t.end] == t.text
        sentence = report.sentences[t.sentence_index]
        assert sentence.start <= t.start < t.end <= sentence.end
        if t.attribution_index is not None:
            (content,) = report.attributions[t.attribution_index].content
            assert content.start <= t.start < t.end <= content.end
    for t in report.techniques:
        sentence = report.sentences[t.sentence_index]
        assert sentence.start <= t.start < t.end <= sentence.end
    for a in report.attributions:
        sentence = report.sentences[a.sentence_index]
        assert all(sentence.start <= p.start < p.end <= sentence.end for p in (*a.cue, *a.source, *a.content))


# --------------------------------------------------------------------------- aggregate


def _counts(counts: Any) -> list[tuple[str, int, tuple[int, ...], tuple[int, ...]]]:
    return [(c.label, c.count, c.indices, c.sentence_indices) for c in counts]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("layers", ("attributions", "loaded_terms", "techniques", "sentence_labels")),
        (
            "loaded_terms_by_category",
            [
                ("name_calling", 4, (0, 4, 5, 7), (0, 1, 2, 3)),
                ("loaded_language", 2, (1, 2), (0, 1)),
                ("delegitimizing", 1, (3,), (1,)),
                ("exaggeration", 1, (6,), (3,)),
            ],
        ),
        (
            "loaded_terms_by_voice",
            [("indirect", 5, (2, 3, 4, 6, 7), (1, 3)), ("narrator", 2, (0, 1), (0,)), ("quoted", 1, (5,), (2,))],
        ),
        (
            # "the government" and "The government" are one actor; "countless" has no target and is left out.
            "loaded_terms_by_target",
            [
                ("the government", 3, (0, 1, 7), (0, 3)),
                ("opposition fighters", 3, (3, 4, 5), (1, 2)),
                ("the army", 1, (2,), (1,)),
            ],
        ),
        (
            "technique_counts",
            [
                ("Name_Calling,Labeling", 2, (1, 3), (1, 3)),
                ("Appeal_to_fear-prejudice", 1, (2,), (2,)),
                ("Loaded_Language", 1, (0,), (0,)),
            ],
        ),
        ("loaded_terms_per_100_words", round(100 * 8 / 51, 2)),
        ("biased_sentences", (0, 1, 2)),
        ("n_words", 51),
    ],
)
def test_summary_aggregates(field: str, expected: Any) -> None:
    value = getattr(war_report().summary, field)
    assert (_counts(value) if field.endswith(("_category", "_voice", "_target", "_counts")) else value) == expected


@pytest.mark.parametrize(
    ("components", "layers", "per_100", "biased"),
    [
        ({"terms": False, "techniques": False, "bias": False}, ("attributions",), None, None),
        ({"terms": True, "techniques": False, "bias": False}, ("attributions", "loaded_terms"), 15.69, None),
        ({"terms": False, "techniques": True, "bias": False}, ("attributions", "techniques"), None, None),
        ({"terms": False, "techniques": False, "bias": True}, ("attributions", "sentence_labels"), None, (0, 1, 2)),
    ],
)
def test_layers_follow_the_components(
    components: dict[str, bool], layers: tuple[str, ...], per_100: float | None, biased: tuple[int, ...] | None
) -> None:
    report = war_report(**components)
    summary = report.summary
    assert summary.layers == layers
    assert summary.loaded_terms_per_100_words == per_100 and summary.biased_sentences == biased
    assert bool(report.loaded_terms) == components["terms"] == bool(summary.loaded_terms_by_category)
    assert bool(report.techniques) == components["techniques"] == bool(summary.technique_counts)
    labels = report.sentence_labels
    assert all((label.biased is None) == (not components["bias"]) for label in labels)
    if components["bias"]:
        assert [(label.biased, label.bias_confidence) for label in labels] == list(BIAS)


def test_the_old_call_still_works_and_empty_outputs_are_analysed() -> None:
    report = war_report(terms=False, techniques=False, bias=False)
    old = aggregate(report.article, report.sentences, report.attributions, PROVENANCE)
    assert old == report
    empty = aggregate(report.article, report.sentences, (), PROVENANCE, loaded_terms=(), techniques=())
    assert empty.summary.layers == ("attributions", "loaded_terms", "techniques")
    assert empty.summary.loaded_terms_per_100_words == 0.0 and empty.summary.loaded_terms_by_category == ()


@pytest.mark.parametrize(
    ("targets", "shown"),
    [
        (["KYIV", "Kyiv", "Kyiv"], "Kyiv"),  # a headline's capitals give way to the body's form
        (["Kyiv", "KYIV"], "Kyiv"),
        (["ISIL", "ISIL"], "ISIL"),  # an acronym has no other form
    ],
)
def test_targets_are_shown_in_their_body_form(targets: list[str], shown: str) -> None:
    report = war_report(terms=False, techniques=False, bias=False)
    start = WAR_TEXT.index("regime")
    terms = [
        LoadedTerm("name_calling", start, start + 6, "regime", 0, 0.9, "negative", "narrator", target)
        for target in targets
    ]
    summary = aggregate(report.article, report.sentences, (), PROVENANCE, loaded_terms=terms).summary
    assert [(c.label, c.count) for c in summary.loaded_terms_by_target] == [(shown, len(targets))]


def _bad_term(**changes: Any) -> LoadedTerm:
    base = term(WAR_TEXT, "regime", "name_calling", 0, 0.9)
    fields = {name: getattr(base, name) for name in LoadedTerm.__slots__}  # type: ignore[attr-defined]
    return LoadedTerm(**{**fields, **changes})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loaded_terms": [_bad_term(text="regim")]}, r"loaded_terms item 'regim' \[4, 10\] does not match"),
        ({"loaded_terms": [_bad_term(end=len(WAR_TEXT) + 5)]}, r"loaded_terms item 'regime' \[4, 338\] does not"),
        ({"loaded_terms": [_bad_term(sentence_index=9)]}, r"loaded_terms item 'regime' has unknown sentence_index 9"),
        (
            {"loaded_terms": [_bad_term(attribution_index=3)]},
            r"loaded term 'regime' has attribution_index 3, but there are 0 attributions",
        ),
        ({"techniques": [TechniqueSpan("Doubt", 0, 3, "xyz", 0, 0.5)]}, r"techniques item 'xyz' \[0, 3\]"),
        ({"sentence_bias": [(True, 0.9)]}, r"sentence_bias has 1 entries for 5 sentences"),
    ],
)
def test_aggregate_rejects_items_that_do_not_fit(kwargs: dict[str, Any], message: str) -> None:
    article = Article(id="war-1", text=WAR_TEXT)
    with pytest.raises(ValueError, match=r"^article 'war-1': " + message):
        aggregate(article, sentences_of(WAR_TEXT), (), PROVENANCE, **kwargs)


# --------------------------------------------------------------------------- JSON and annotation output


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("layers",), ["attributions", "loaded_terms", "techniques", "sentence_labels"]),
        (
            ("loaded_terms", 5),
            {
                "index": 5,
                "category": "name_calling",
                "polarity": "negative",
                "voice": "quoted",
                "target": "opposition fighters",
                "target_span": list(find(WAR_TEXT, "opposition fighters")),
                "start": WAR_TEXT.index("thugs"),
                "end": WAR_TEXT.index("thugs") + 5,
                "text": "thugs",
                "sentence_index": 2,
                "score": 0.9,
                "attribution_index": 1,
                "denied": False,
            },
        ),
        (("loaded_terms", 6, "target_span"), None),
        (("techniques", 1, "technique"), "Name_Calling,Labeling"),
        (("techniques", 1, "text"), "foreign-backed terrorists"),
        (("sentences", 1, "biased"), True),
        (("sentences", 3, "bias_confidence"), 0.62),
        (("sentences", 1, "loaded_terms"), [2, 3, 4]),
        (("sentences", 4, "loaded_terms"), []),
        (("sentences", 3, "techniques"), [3]),
        (("summary", "n_loaded_terms"), 8),
        (("summary", "loaded_terms_by_voice", 2), {"voice": "quoted", "count": 1, "terms": [5], "sentences": [2]}),
        (("summary", "loaded_terms_by_target", 0, "terms"), [0, 1, 7]),
        (
            ("summary", "techniques", 0),
            {"technique": "Name_Calling,Labeling", "count": 2, "spans": [1, 3], "sentences": [1, 3]},
        ),
        (("summary", "biased_sentences"), [0, 1, 2]),
        (("summary", "biased_share"), 0.6),
    ],
)
def test_json_fields(path: tuple[Any, ...], expected: Any) -> None:
    value: Any = report_to_dict(war_report())
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize(
    "components",
    [
        {},
        {"terms": False, "techniques": False, "bias": False},
        {"techniques": False, "bias": False},
        {"terms": False},
    ],
)
def test_json_validates_against_the_schema(components: dict[str, bool]) -> None:
    data = json.loads(render_json(war_report(**components)))
    jsonschema.validate(data, report_schema())
    assert data["schema_version"] == "1"
    if not components.get("bias", True):
        assert data["summary"]["biased_sentences"] is None and data["sentences"][0]["biased"] is None


def test_schema_accepts_reports_written_before_the_new_fields() -> None:
    data = report_to_dict(war_report())
    for key in ("layers", "loaded_terms", "techniques"):
        del data[key]
    for sentence in data["sentences"]:
        for key in ("biased", "bias_confidence", "loaded_terms", "techniques"):
            del sentence[key]
    for key in list(data["summary"]):
        if "loaded_terms" in key or "techni" in key or "biased" in key:
            del data["summary"][key]
    jsonschema.validate(data, report_schema())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("loaded_terms", 0, "category"), "propaganda"),
        (("loaded_terms", 0, "voice"), "writer"),
        (("loaded_terms", 0, "polarity"), "neutral"),
        (("loaded_terms", 0, "score"), 1.5),
        (("techniques", 0, "technique"), "Loaded language"),
        (("sentences", 0, "biased"), "yes"),
        (("summary", "loaded_terms_by_category", 0, "category"), "other"),
        (("summary", "techniques", 0, "count"), 0),
        (("layers",), ["attributions", "sentiment"]),
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


@pytest.mark.parametrize(
    ("components", "layers"),
    [
        ({}, ("attributions", "loaded_terms", "techniques", "sentence_labels")),
        ({"terms": False, "techniques": False, "bias": False}, ("attributions",)),
        ({"techniques": False}, ("attributions", "loaded_terms", "sentence_labels")),
        ({"terms": False, "bias": False}, ("attributions", "techniques")),
    ],
)
def test_annotation_layers(tmp_path: Path, components: dict[str, bool], layers: tuple[str, ...]) -> None:
    record = report_to_annotation(war_report(**components))
    assert record.layers == layers
    assert bool(record.loaded_terms) == ("loaded_terms" in layers)
    assert bool(record.techniques) == ("techniques" in layers)
    assert len(record.sentence_labels) == (5 if "sentence_labels" in layers else 0)
    path = tmp_path / "out.jsonl"
    write_annotations([record], path)
    (back,) = read_annotations(path)
    assert back == record


def test_annotation_content() -> None:
    record = report_to_annotation(war_report())
    thugs = find(WAR_TEXT, "thugs")
    assert record.loaded_terms[5] == GoldLoadedTerm(
        (thugs,), "name_calling", "negative", "opposition fighters", "quoted"
    )
    assert record.loaded_terms[6].polarity is None and record.loaded_terms[6].target is None
    assert [t.technique for t in record.techniques][:2] == ["Loaded_Language", "Name_Calling,Labeling"]
    assert [(s.span, s.biased) for s in record.sentence_labels] == [
        (((s.start, s.end),), biased) for s, (biased, _) in zip(sentences_of(WAR_TEXT), BIAS, strict=True)
    ]


# --------------------------------------------------------------------------- Markdown


def test_markdown_sections() -> None:
    text = render_markdown(war_report())
    for heading in ("## Loaded terms", "## Persuasion techniques", "## Sentences"):
        assert heading in text
    assert text.index("## Attributions") < text.index("## Loaded terms") < text.index("## Persuasion techniques")
    assert "- Loaded terms: 8 (15.69 per 100 words)" in text
    assert "- By category: name_calling 4, loaded_language 2, delegitimizing 1, exaggeration 1" in text
    assert "- By voice: indirect 5, narrator 2, quoted 1" in text
    assert "| T5 | thugs | name_calling | negative | quoted (A1) | opposition fighters | S2 | 0.90 |" in text
    assert "| opposition fighters | 3 | T3, T4, T5 | S1, S2 |" in text
    assert "| P1 | Name_Calling,Labeling | foreign-backed terrorists | S1 | 0.82 |" in text
    assert "| # | attributed | confidence | bias | terms | text |" in text
    assert "| S1 | yes (A0) | 0.97 | **biased** (0.84), source's wording | T2, T3, T4 |" in text
    assert "| S4 | no | 1.00 | not biased (0.95) | — |" in text
    assert "- Biased sentences: 3 of 5 (60%): S0, S1, S2" in text


@pytest.mark.parametrize(
    ("components", "present", "absent"),
    [
        (
            {"terms": False, "techniques": False, "bias": False},
            ["Not analysed (the analyzer has no loaded-term tagger).", "| # | attributed | confidence | text |"],
            ["- Loaded terms:", "- Biased sentences", "| bias |"],
        ),
        (
            {"terms": True, "techniques": False, "bias": False},
            ["Not analysed (the analyzer has no technique tagger).", "| # | attributed | confidence | terms | text |"],
            ["- Persuasion techniques:", "| bias |"],
        ),
    ],
)
def test_markdown_without_components(components: dict[str, bool], present: list[str], absent: list[str]) -> None:
    text = render_markdown(war_report(**components))
    assert all(p in text for p in present), text
    assert not any(a in text for a in absent)


@pytest.mark.parametrize(
    ("sentence", "qualified"),
    [
        pytest.param("S0", False, id="biased-with-the-narrator-s-brutal"),
        pytest.param("S1", True, id="biased-all-terms-indirect"),
        pytest.param("S2", True, id="biased-all-terms-quoted"),
        pytest.param("S3", False, id="indirect-terms-but-not-biased"),
        pytest.param("S4", False, id="no-terms-not-biased"),
    ],
)
def test_bias_flag_says_when_the_loaded_wording_is_the_sources(sentence: str, qualified: bool) -> None:
    text = render_markdown(war_report())
    row = next(line for line in text.splitlines() if line.startswith(f"| {sentence} |"))
    assert ("source's wording" in row) is qualified
    assert "  - with only sources' loaded wording (quoted or indirect; the flag may reflect it): S1, S2" in text
    html = render_html(war_report())
    cell = re.search(rf'<tr id="s-{sentence[1:]}".*?</tr>', html).group(0)
    assert ('class="sources-wording"' in cell) is qualified


def test_bias_flag_is_not_qualified_where_the_writer_distances() -> None:
    from dataclasses import replace

    from attribution.records import DistancingMarker

    start, end = find(WAR_TEXT, "military source")
    marker = DistancingMarker("scare_quotes", start, end, "military source", 1, start, end, "military source")
    report = replace(war_report(), distancing=(marker,))  # the writer's own judgement in S1
    row = next(line for line in render_markdown(report).splitlines() if line.startswith("| S1 |"))
    assert "source's wording" not in row
    cell = re.search(r'<tr id="s-1".*?</tr>', render_html(report)).group(0)
    assert 'class="sources-wording"' not in cell


def test_bias_flag_is_not_qualified_without_loaded_terms() -> None:
    report = war_report(terms=False, techniques=False)
    assert "source's wording" not in render_markdown(report)
    assert 'class="sources-wording"' not in render_html(report)


def test_markdown_empty_layers_say_none_found() -> None:
    report = war_report()
    empty = aggregate(report.article, report.sentences, (), PROVENANCE, loaded_terms=(), techniques=())
    text = render_markdown(empty)
    assert "No loaded terms found." in text and "No persuasion techniques found." in text


# --------------------------------------------------------------------------- HTML


def _article_part(page: str) -> str:
    match = re.search(r'<div id="article-text">(.*?)</div>', page, re.S)
    assert match is not None
    return match.group(1)


class _Texts(HTMLParser):
    """The text of the article part, and the text of each top-level ``data-start`` segment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text = ""
        self.segments: list[tuple[int, int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self.depth == 0:
            assert "data-start" in found, (tag, attrs)
            self.segments.append((int(found["data-start"] or 0), int(found["data-end"] or 0), ""))
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        assert self.depth > 0, data
        self.text += data
        start, end, seen = self.segments[-1]
        self.segments[-1] = (start, end, seen + data)


def _check_text_intact(page: str, text: str) -> None:
    parser = _Texts()
    parser.feed(_article_part(page))
    assert parser.depth == 0 and parser.text == text
    assert parser.segments[0][0] == 0 and parser.segments[-1][1] == len(text)
    for (_, end, _), (start, _, _) in zip(parser.segments, parser.segments[1:], strict=False):
        assert end == start
    for start, end, seen in parser.segments:
        assert seen == text[start:end]


def test_html_nests_terms_in_techniques_in_content_spans() -> None:
    page = render_html(war_report())
    _check_text_intact(page, WAR_TEXT)
    # "terrorists": a loaded term inside a technique span inside the content of attribution #0.
    assert re.search(
        r'<span class="hl hl-content a-0" [^>]*><span class="tq p-1" [^>]*>'
        r'<mark class="lt lt-name_calling t-4" data-terms="4" [^>]*>terrorists</mark></span></span>',
        _article_part(page),
    )
    # The term's tooltip names everything under the pointer: term, technique, attribution role.
    title = re.search(r'<mark class="lt lt-name_calling t-4" data-terms="4" title="([^"]*)"', page).group(1)
    assert title.split("&#x27;")[0].splitlines() == [
        "Loaded term T4: name_calling · polarity negative · voice indirect (attribution #0)"
        " · target opposition fighters (named in S0) · confidence 0.93",
        "Technique P1: Name_Calling,Labeling · confidence 0.82",
        "CONTENT of attribution #0 (score 0.90)",
    ]
    # A narrator term outside any attribution, and a quoted one.
    assert re.search(
        r'<span data-start="\d+" data-end="\d+"><mark class="lt lt-name_calling t-0"[^>]*>regime</mark>', page
    )
    assert "voice quoted (attribution #1)" in page
    for category in ("name_calling", "loaded_language", "delegitimizing", "exaggeration"):
        assert f'class="lt lt-{category} t-' in page and f".lt-{category} {{ --lt-ink:" in page


@pytest.mark.parametrize(
    "needle",
    [
        '<input type="checkbox" id="show-attributions" checked>',
        '<input type="checkbox" id="show-terms" checked>',
        '<input type="checkbox" id="show-techniques" checked>',
        '<span class="lt-swatch lt-delegitimizing" title="loaded term: delegitimizing">delegitimizing</span>',
        '<span class="tq-swatch"',
        '<h2 id="loaded-terms">Loaded terms</h2>',
        '<h2 id="persuasion-techniques">Persuasion techniques</h2>',
        '<table class="terms-by-category">',
        '<table class="terms-by-voice">',
        '<table class="terms-by-target">',
        '<tr class="term" id="t-5">',
        '<tr id="p-1">',
        '<a href="#t-5" class="lt-swatch lt-name_calling">thugs</a>',
        "<td>indirect 2, quoted 1</td>",  # the voices behind "opposition fighters"
        '<td class="bias"><span class="bias-yes">biased</span> (0.91)</td>',  # S0: the narrator's "brutal"
        '<td class="bias"><span class="bias-yes">biased</span> (0.84) · <span class="sources-wording"',
        '<td class="bias"><span class="bias-no">not biased</span> (0.95)</td>',
        '<tr><th>Loaded terms</th><td class="num">8 (15.69 per 100 words)</td></tr>',
        '<tr><th>Biased sentences</th><td class="num">3 (60.0%); 2 with only sources\' loaded wording: '
        '<a href="#s-1">1</a>, <a href="#s-2">2</a></td></tr>',
        '<td data-role="voice">quoted (<a href="#a-1">#1</a>)</td>',
        '<option value="exaggeration">exaggeration</option>',
    ],
)
def test_html_sections_legend_and_links(needle: str) -> None:
    assert needle in render_html(war_report())


def test_html_count_tables_link_to_terms_and_sentences() -> None:
    page = render_html(war_report())
    row = re.search(r"<tr><td>opposition fighters</td>.*?</tr>", page).group(0)
    assert re.findall(r'href="#(t-\d+)"', row) == ["t-3", "t-4", "t-5"]
    assert re.findall(r'href="#(s-\d+)"', row) == ["s-1", "s-2"]
    for target in re.findall(r'href="#([a-z]-\d+)"', page):
        assert f'id="{target}"' in page  # every click-through lands on a row


def test_html_without_components_has_no_term_layers() -> None:
    page = render_html(war_report(terms=False, techniques=False, bias=False))
    assert 'id="show-terms"' not in page and 'class="lt ' not in page and "Bias (confidence)" not in page
    assert "Not analysed: the analyzer has no loaded-term tagger." in page
    assert '<h3 class="list" hidden>' in page  # the term table is there, hidden, for the review to add to
    _check_text_intact(page, WAR_TEXT)


def test_overlapping_terms_keep_the_text_intact() -> None:
    text = "Officials said the heinous regime massacre went on. It rained."
    extra = (
        term(text, "heinous regime", "loaded_language", 0, 0.7),
        term(text, "regime", "name_calling", 0, 0.8),
        term(text, "regime massacre", "loaded_language", 0, 0.6),
    )
    report = aggregate(
        Article(id="o", text=text),
        sentences_of(text),
        [
            Attribution(
                cue=(piece(text, "CUE", "said", 0),),
                source=(piece(text, "SOURCE", "Officials", 0),),
                content=(piece(text, "CONTENT", "the heinous regime", 0),),  # ends inside the third term
                kind="indirect",
                sentence_index=0,
                score=0.9,
            )
        ],
        PROVENANCE,
        loaded_terms=extra,
        techniques=[technique(text, "Doubt", "heinous regime massacre went", 0, 0.5)],
    )
    page = render_html(report)
    _check_text_intact(page, text)
    # "regime" lies in all three terms: three nested marks, the text once.
    assert re.search(
        r'<mark class="lt lt-loaded_language t-0"[^>]*><mark class="lt lt-name_calling t-1"[^>]*>'
        r'<mark class="lt lt-loaded_language t-2"[^>]*>regime</mark></mark></mark>',
        page,
    )


XSS_TERM_TEXT = 'Police said <script>window.__pwned=1</script> thugs <img src=x onerror="window.__pwned=2"> ran.'


def xss_report() -> ArticleReport:
    text = XSS_TERM_TEXT
    script = "<script>window.__pwned=1</script>"
    start = text.index(script)
    terms = (
        LoadedTerm(
            "name_calling",
            start,
            start + len(script),
            script,
            0,
            0.9,
            "negative",
            "narrator",
            '<img src=x onerror="window.__pwned=3">',
            None,
            None,
        ),
        term(text, "thugs", "name_calling", 0, 0.8, target="</script><script>window.__pwned=4</script>"),
    )
    techniques = (
        TechniqueSpan("Doubt", start, start + len(script) + 6, text[start : start + len(script) + 6], 0, 0.5),
    )
    article = Article(id="x", text=text, title="<script>window.__pwned=5</script>")
    return aggregate(
        article,
        sentences_of(text),
        (),
        PROVENANCE,
        loaded_terms=terms,
        techniques=techniques,
        sentence_bias=[(True, 0.5)],
    )


def test_html_escapes_terms_targets_and_tooltips() -> None:
    page = render_html(xss_report())
    lowered = page.lower()
    assert lowered.count("<script") == 2  # the JSON data block and the page's own script
    assert "<img" not in lowered
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;" in page
    _check_text_intact(page, XSS_TERM_TEXT)


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
def test_browser_script_in_a_loaded_term_never_runs(tmp_path: Path) -> None:
    with chromium_page() as page:
        errors = _watch(page)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(_url(tmp_path, xss_report()))
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("#review").is_visible()  # the page's own script ran
        assert page.locator("main script, main img").count() == 0
        assert page.locator("#article-text").inner_text() == XSS_TERM_TEXT
        mark = page.locator("#article-text mark.t-0")
        assert mark.inner_text() == "<script>window.__pwned=1</script>"
        assert 'target <img src=x onerror="window.__pwned=3">' in (mark.get_attribute("title") or "")
        page.locator("#article-text mark.t-1").hover()
        assert "focus" in (page.locator("#t-1").get_attribute("class") or "")
        assert errors == [] and dialogs == []


@pytest.mark.browser
def test_browser_layer_toggles(tmp_path: Path) -> None:
    with chromium_page() as page:
        errors = _watch(page)
        page.goto(_url(tmp_path, war_report()))
        style = "(el) => getComputedStyle(el).textDecorationLine + '|' + getComputedStyle(el).backgroundImage"
        term_mark = page.locator("#article-text mark.t-4")
        assert term_mark.evaluate(style).startswith("underline|linear-gradient")
        page.locator("#show-terms").uncheck()
        assert term_mark.evaluate(style) == "none|none"
        technique_span = page.locator("#article-text .tq.p-1").first
        assert "overline" in technique_span.evaluate(style)
        page.locator("#show-techniques").uncheck()
        assert technique_span.evaluate(style).startswith("none|")
        content = page.locator("#article-text .hl-content.a-0").first
        background = "(el) => getComputedStyle(el).backgroundColor"
        assert content.evaluate(background) != "rgba(0, 0, 0, 0)"
        page.locator("#show-attributions").uncheck()
        assert content.evaluate(background) == "rgba(0, 0, 0, 0)"
        page.locator("#show-terms").check()
        assert term_mark.evaluate(style).startswith("underline|linear-gradient")
        assert errors == []


SELECT_JS = """([needle, occurrence, length]) => {
  const root = document.querySelector('#article-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(needle);
    if (at >= 0 && seen++ === occurrence) {
      window.getSelection().setBaseAndExtent(node, at, node, at + length);
      return window.getSelection().toString();
    }
  }
  throw new Error('not found: ' + needle);
}"""


def _download(page: Any, button: str) -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


@pytest.mark.browser
def test_browser_review_loaded_terms_and_export(tmp_path: Path) -> None:
    report = war_report()
    with chromium_page(viewport={"width": 1200, "height": 900}) as page:
        errors = _watch(page)
        page.goto(_url(tmp_path, report))
        assert page.locator("table.loaded-terms th", has_text="Review").count() == 1

        # Reject the narrator's "regime" (T0) in its row; its highlight in the article goes off.
        page.locator("#t-0 button.reject").click()
        assert page.locator("#t-0 button.reject").get_attribute("aria-pressed") == "true"
        assert "rv-off" in (page.locator("#article-text mark.t-0").get_attribute("class") or "")
        # Relabel the quoted "thugs" (T5) as loaded_language: row, article highlight and tooltip follow.
        page.locator("#t-5 select.term-category").select_option("loaded_language")
        assert "was name_calling" in page.locator("#t-5 [data-role=category]").inner_text()
        mark_class = page.locator("#article-text mark.t-5").get_attribute("class") or ""
        assert "lt-loaded_language" in mark_class and "lt-name_calling" not in mark_class
        assert "T5: loaded_language (was name_calling)" in (
            page.locator("#article-text mark.t-5").get_attribute("title") or ""
        )
        # Accept T4 and set the polarity of T6.
        page.locator("#t-4 button.accept").click()
        page.locator("#t-6 select.term-polarity").select_option("negative")

        # Add a missing narrator term by selecting "shelled" in the article.
        page.locator("#add-term-category").select_option("loaded_language")
        assert page.evaluate(SELECT_JS, ["shelled", 0, len("shelled")]) == "shelled"
        page.locator("#add-term").click()
        assert page.locator("#review-message").inner_text().startswith("Added loaded term new term 1")
        assert page.locator("tr.term.added").count() == 1
        page.locator("#tn-1 select.term-voice").select_option("narrator")
        counts = page.locator("#review-counts").inner_text()
        assert "loaded terms: 1 accepted, 1 rejected, 1 relabelled, 6 to review, 1 added" in counts

        jsonl = _download(page, "#export-jsonl")
        assert "and 8 loaded term(s)" in page.locator("#review-message").inner_text()
        labelstudio = _download(page, "#export-labelstudio")
        page.screenshot(path=str(tmp_path / "review-terms.png"), full_page=True)
        assert errors == []

    path = tmp_path / "export.jsonl"
    path.write_text(jsonl, encoding="utf-8")
    (record,) = read_annotations(path)
    assert record.id == "war-1" and record.text == WAR_TEXT
    assert record.layers == ("attributions", "loaded_terms")
    assert record.extra["review"]["loaded_terms"] == {"rejected": 1, "relabelled": 1, "added": 1}
    model = report_to_annotation(report).loaded_terms
    regime = find(WAR_TEXT, "regime")
    shelled = find(WAR_TEXT, "shelled")
    assert all(t.span != (regime,) for t in record.loaded_terms)  # rejected
    by_span = {t.span: t for t in record.loaded_terms}
    assert by_span[(find(WAR_TEXT, "thugs"),)].category == "loaded_language"
    assert by_span[(find(WAR_TEXT, "thugs"),)].voice == "quoted"  # the rest of the term is kept
    assert by_span[(find(WAR_TEXT, "countless"),)].polarity == "negative"
    assert by_span[(shelled,)] == GoldLoadedTerm(span=(shelled,), category="loaded_language", voice="narrator")
    unchanged = [
        t for t in model if t.span not in ((regime,), (find(WAR_TEXT, "thugs"),), (find(WAR_TEXT, "countless"),))
    ]
    assert all(by_span[t.span] == t for t in unchanged)
    assert len(record.loaded_terms) == 8

    # The Label Studio export reads back to the same terms and matches the Python writer exactly.
    (ls_path := tmp_path / "export.json").write_text(labelstudio, encoding="utf-8")
    (back,) = read_labelstudio(ls_path)
    assert back.loaded_terms == record.loaded_terms and back.layers == record.layers
    assert json.loads(labelstudio) == [labelstudio_task(record)]


# --------------------------------------------------------------------------- Label Studio converter


def test_labelstudio_loaded_terms_round_trip() -> None:
    record = report_to_annotation(war_report(techniques=False, bias=False))
    # A discontinuous term as well: "foreign ... terrorists".
    start, end = find(WAR_TEXT, "foreign-backed terrorists")
    split = GoldLoadedTerm(((start, start + 7), (end - 10, end)), "delegitimizing", None, None, "indirect")
    record = type(record)(
        record.id, record.text, record.layers, record.attributions, record.extra, (*record.loaded_terms, split)
    )
    task = labelstudio_task(record)
    result = task["annotations"][0]["result"]
    regions = [r for r in result if r.get("from_name") == "loaded_term"]
    assert len(regions) == 10 and regions[0]["value"]["labels"] == ["name_calling"]
    assert {"type": "relation", "from_id": "t8-0", "to_id": "t8-1", "direction": "right"} in result
    assert {
        "id": "t5-0",
        "from_name": "target",
        "to_name": "text",
        "type": "textarea",
        "value": {
            "start": regions[5]["value"]["start"],
            "end": regions[5]["value"]["end"],
            "text": ["opposition fighters"],
        },
    } in result
    back = labelstudio_record(task, where="inline")
    assert back.layers == ("attributions", "loaded_terms")
    assert back.loaded_terms == record.loaded_terms and back.attributions == record.attributions


def _term_task(*result: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"text": "Thugs and regime forces.", "id": "t"}, "annotations": [{"result": list(result)}]}


def _term_region(region_id: str, label: str, start: int, end: int) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": "loaded_term",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "labels": [label]},
    }


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ((_term_region("x", "propaganda", 0, 5),), r"must be one loaded-term category of \['name_calling'"),
        ((_term_region("x", "name_calling", 0, 99),), r"\[0, 99\] is outside the text"),
        (
            (
                _term_region("x", "name_calling", 0, 5),
                {"id": "x", "from_name": "voice", "type": "choices", "value": {"choices": ["writer"]}},
            ),
            r"must be one of \['narrator', 'indirect', 'quoted'\] for voice",
        ),
        (
            ({"id": "y", "from_name": "polarity", "type": "choices", "value": {"choices": ["negative"]}},),
            r"no loaded-term region has id 'y'",
        ),
        (
            (
                _term_region("x", "name_calling", 0, 5),
                {"id": "x", "from_name": "target", "type": "textarea", "value": {"text": "ISIL"}},
            ),
            r"'annotations\[0\]\.result\[1\]\.value\.text' must be a list with one string",
        ),
        (
            (
                _term_region("x", "name_calling", 0, 5),
                _term_region("z", "loaded_language", 10, 16),
                {"type": "relation", "from_id": "x", "to_id": "z"},
            ),
            r"the pieces \['x', 'z'\] of one loaded term have different categories",
        ),
        (
            (
                _term_region("x", "name_calling", 0, 5),
                {
                    "id": "c",
                    "from_name": "label",
                    "type": "labels",
                    "value": {"start": 10, "end": 16, "labels": ["Cue"]},
                },
                {"type": "relation", "from_id": "c", "to_id": "x"},
            ),
            r"relation 'c' -> 'x' links a loaded term to another kind of region",
        ),
        ((_term_region("x", "name_calling", 0, 5), _term_region("x", "name_calling", 0, 5)), r"'x' is used twice"),
    ],
)
def test_labelstudio_loaded_term_errors(result: tuple[dict[str, Any], ...], expected: str) -> None:
    from attribution.annotations import AnnotationError

    with pytest.raises(AnnotationError, match=expected) as caught:
        labelstudio_record(_term_task(*result), where="f.json: task 0")
    assert str(caught.value).startswith("f.json: task 0 (id 't'): ")


def test_index_row_carries_term_and_bias_aggregates() -> None:
    from attribution.report.index_page import IndexRow, render_index

    row = IndexRow.from_report(war_report())
    assert (row.n_loaded_terms, row.loaded_terms_per_100_words, row.n_techniques, row.biased_share) == (
        8,
        15.69,
        4,
        0.6,
    )
    assert IndexRow.from_dict(row.to_dict()) == row
    old = {
        k: v
        for k, v in row.to_dict().items()
        if k not in ("n_loaded_terms", "loaded_terms_per_100_words", "n_techniques", "biased_share")
    }
    assert IndexRow.from_dict(old).n_loaded_terms is None  # rows written before these fields
    plain = IndexRow.from_report(war_report(terms=False, techniques=False, bias=False))
    page = render_index([row, plain])
    assert "Loaded terms / 100 words" in page and "15.69" in page and "60.0%" in page and ">n/a<" in page
    assert "Loaded terms / 100 words" not in render_index([plain])


@pytest.mark.parametrize(
    ("second", "named_in"),
    [
        ("Residents said the terrorists fled.", " (named in S0)"),  # the label is ISIL's mention; ISIL is in S0
        ("Residents said ISIL terrorists fled.", ""),  # the target is in the term's own sentence
    ],
)
def test_a_bare_labels_tooltip_says_where_its_target_is_named(second: str, named_in: str) -> None:
    text = "ISIL shelled Kessa on Monday. " + second
    start = text.index("terrorists")
    isil = text.rindex("ISIL")
    target = ("ISIL", (isil, isil + 4)) if "ISIL terrorists" in text else (None, None)
    term = LoadedTerm("name_calling", start, start + 10, "terrorists", 1, 0.9, "negative", "narrator", *target)
    source = Attribution(cue=(Span("CUE", 0, 4, "ISIL", 0),), source=(Span("SOURCE", 0, 4, "ISIL", 0),), content=(),
                         kind="indirect", sentence_index=0, score=0.9, source_type="armed_group")  # fmt: skip
    report = aggregate(Article(id="a", text=text), sentences_of(text), [source], PROVENANCE, loaded_terms=[term])
    title = re.search(r'<mark class="lt lt-name_calling t-0" data-terms="0" title="([^"]*)"', render_html(report))
    assert f"· target ISIL{named_in} · confidence" in title.group(1)


def test_a_denied_label_is_shown_as_denied_and_applied_to_no_one() -> None:
    text = '"They are not terrorists," the minister said. The rebels fled.'
    start = text.index("terrorists")
    denied = LoadedTerm(
        "name_calling", start, start + 10, "terrorists", 0, 0.9, "negative", "quoted", attribution_index=0, denied=True
    )
    attribution = Attribution(
        cue=(piece(text, "CUE", "said", 0),),
        source=(piece(text, "SOURCE", "the minister", 0),),
        content=(piece(text, "CONTENT", '"They are not terrorists,"', 0),),
        kind="direct",
        sentence_index=0,
        score=0.9,
    )
    report = aggregate(
        Article(id="denied", text=text), sentences_of(text), (attribution,), PROVENANCE, loaded_terms=(denied,)
    )
    data = report_to_dict(report)
    assert data["loaded_terms"][0]["denied"] is True
    jsonschema.validate(data, report_schema())
    assert "| T0 | terrorists | name_calling | negative | quoted (A0) | — (denied) |" in render_markdown(report)
    html = render_html(report)
    assert "target none (denied label)" in html and '<td data-role="target">— (denied)</td>' in html
    assert all(0 not in actor.term_indices for actor in report.summary.actors)
    # the same label not denied is a mention of the militants
    used = aggregate(
        Article(id="used", text=text),
        sentences_of(text),
        (attribution,),
        PROVENANCE,
        loaded_terms=(
            LoadedTerm(
                "name_calling", start, start + 10, "terrorists", 0, 0.9, "negative", "quoted", attribution_index=0
            ),
        ),
    )
    assert [a.term_indices for a in used.summary.actors if a.term_indices] == [(0,)]
