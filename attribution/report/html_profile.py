"""HTML sections of the report page for the source profile, distancing, the actor table and the summary text.

Each function takes the report as :func:`~attribution.report.json_report.report_to_dict` data and returns
an HTML fragment; every article-derived string goes through :func:`html.escape`. Numbers link to the
rows behind them: ``#s-<i>`` (sentences), ``#a-<i>`` (attributions), ``#t-<i>`` (loaded terms),
``#d-<i>`` (distancing markers), ``#actor-<i>`` (actors). A row of the actor table (``tr.actor``,
``data-sentences``) is also a click target: the page script jumps to its first sentence and marks all of
them (``attribution/resources/review.js``).

Example:
    >>> data = {"summary": {"statements": [{"kind": "x", "text": "A <b> claim.", "sentences": [2]}]}}
    >>> page = statements_html(data)
    >>> "A &lt;b&gt; claim." in page, '<span class="evidence">sentence <a href="#s-2">2</a></span>' in page
    (True, True)

"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from attribution.report.charts import BarRow, Segment, bar_chart
from attribution.report.html_common import CATEGORY_STYLES, category_class, links, table
from attribution.summary_text import SOURCE_TYPE_WORDS

__all__ = ["PROFILE_CSS", "actors_html", "distancing_html", "profile_html", "statements_html"]

ANONYMOUS_COLOUR = "#2f6fd0"
NAMED_COLOUR = "#a5c8f5"
UNKNOWN_COLOUR = "#dee2e6"
_NONE = '<span class="none">none</span>'

PROFILE_CSS = """
ul.statements { margin: 0; padding-left: 1.2rem; } ul.statements li { margin: .2rem 0; }
.evidence { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.evidence a { color: inherit; }
.hl-source.anon, .anon-swatch { background-image: repeating-linear-gradient(135deg, rgba(47, 111, 208, .35) 0 2px,
  transparent 2px 6px); }
.hl-source.anon { border-bottom-style: dashed; }
.anon-swatch { border-bottom: 2px dashed var(--source-b); padding: 0 .35rem; }
.dm, .dm-swatch { background: #ffe8cc; color: #a33c00; font-weight: 600; border: 1px solid #f08c00;
  border-radius: 3px; padding: 0 .1rem; }
.dmt, .dmt-swatch { outline: 2px dotted #f08c00; outline-offset: 1px; border-radius: 2px; }
.via, .via-swatch { border: 1px dashed var(--source-b); border-radius: 3px; padding: 0 .1rem; }
main:has(#show-anonymous:not(:checked)) #article-text .anon { background-image: none; border-bottom-style: solid; }
main:has(#show-anonymous:not(:checked)) #article-text .via { border-color: transparent; }
main:has(#show-distancing:not(:checked)) #article-text .dm { background: none; color: inherit; font-weight: inherit;
  border-color: transparent; }
main:has(#show-distancing:not(:checked)) #article-text .dmt { outline: none; }
tr[id] { scroll-margin-top: 40vh; }
tr.actor { cursor: pointer; } tr.actor:hover { background: #f1f3f5; }
tr.actor-focus td { background: #e7f5ff; }
.role { display: inline-block; font-size: .75rem; color: #495057; border: 1px solid #ced4da; border-radius: 8px;
  padding: 0 .4rem; margin-left: .3rem; }
.forms { color: var(--muted); font-size: .82rem; }
table.actors td:nth-child(5) { min-width: 17rem; } table.actors .lt-swatch { white-space: nowrap; }
ul.asymmetries { padding-left: 1.2rem; } ul.asymmetries li { margin: .3rem 0; }
ul.asymmetries .kind { font-weight: 600; }
svg.chart { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #dee2e6;
  border-radius: 6px; margin: .25rem 0 .75rem; }
svg.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #212529; }
svg.chart .chart-value { fill: #495057; } svg.chart a:hover rect { opacity: .8; }
"""


def _evidence(indices: Iterable[int]) -> str:
    indices = list(indices)
    if not indices:
        return ""
    word = "sentence" if len(indices) == 1 else "sentences"
    return f' <span class="evidence">{word} {links(indices, "s")}</span>'


def statements_html(data: Mapping[str, Any]) -> str:
    """The plain-language summary: one list item per statement, with links to its evidence sentences."""
    statements = data["summary"].get("statements", [])
    if not statements:
        return '<p class="none">Nothing to summarise.</p>'
    items = "".join(
        f'<li data-kind="{escape(st["kind"])}">{escape(st["text"])}{_evidence(st["sentences"])}</li>'
        for st in statements
    )
    return f'<ul class="statements" id="statements">{items}</ul>'


def _anonymity_counts(data: Mapping[str, Any], indices: Iterable[int]) -> tuple[int, int, int]:
    values = [data["attributions"][i]["anonymous"] for i in indices]
    return values.count(True), values.count(False), sum(v is None for v in values)


def source_mix_chart(data: Mapping[str, Any]) -> str:
    """Inline SVG: one bar per source type, split into anonymous (hatched), named and unknown sources."""
    rows = []
    for group in data["summary"].get("sources_by_type", []):
        label = group["source_type"]
        anonymous, named, unknown = _anonymity_counts(data, group["attributions"])
        words = SOURCE_TYPE_WORDS.get(label, label)
        rows.append(
            BarRow(
                words,
                f"#st-{label}",
                (
                    Segment(anonymous, f"hatch:{ANONYMOUS_COLOUR}", f"{words}: {anonymous} anonymous"),
                    Segment(named, NAMED_COLOUR, f"{words}: {named} named"),
                    Segment(unknown, UNKNOWN_COLOUR, f"{words}: {unknown} of unknown anonymity"),
                ),
            )
        )
    legend = [(f"hatch:{ANONYMOUS_COLOUR}", "anonymous"), (NAMED_COLOUR, "named")]
    return bar_chart("Source mix: attributions by source type and anonymity", rows, legend, "chart-sources")


def _group_table(data: Mapping[str, Any], key: str, head: str, field: str, words: Mapping[str, str]) -> str:
    """A table of attribution groups (``summary[field]``) whose numbers link to the attributions and sentences."""

    def row(g: Mapping[str, Any]) -> str:
        label = g[key]
        anonymous, named, _ = _anonymity_counts(data, g["attributions"])
        row_id = f' id="st-{escape(label)}"' if key == "source_type" else ""
        return (
            f"<tr{row_id}><td>{escape(words.get(label, label))}</td><td class='num'>{g['count']}</td>"
            f'<td class="num">{g["share"]:.0%}</td><td class="num">{anonymous}</td><td class="num">{named}</td>'
            f"<td>{links(g['attributions'], 'a')}</td><td>{links(g['sentences'], 's')}</td></tr>"
        )

    groups = data["summary"].get(field, [])
    head_row = (head, "#Claims", "#Share", "#Anonymous", "#Named", "Attributions", "Sentences")
    return f"<div><h3>{escape(head)}</h3>{table(head_row, map(row, groups), field.replace('_', '-'))}</div>"


def profile_html(data: Mapping[str, Any]) -> str:
    """The source profile: the source-mix chart, then sources by type, anonymity, stance and relay."""
    summary = data["summary"]
    if "source_profile" not in data.get("layers", ["attributions"]):
        return '<p class="none" id="no-profile">Not analysed: the attributions carry no source profile.</p>'
    share = summary.get("anonymous_source_share")
    lead = (
        f"<p>Anonymous sources: <strong>{share:.0%}</strong> of the attributions whose source is known to be "
        "named or anonymous. Bars and numbers link to the rows behind them.</p>"
        if share is not None
        else ""
    )
    relay_words = {}
    for g in summary.get("relays", []):
        via = data["attributions"][g["attributions"][0]]["via"]
        relay_words[g["via"]] = " ... ".join(piece["text"] for piece in via)
    tables = [
        _group_table(data, "source_type", "Source type", "sources_by_type", SOURCE_TYPE_WORDS),
        _group_table(data, "anonymity", "Anonymity", "sources_by_anonymity", {}),
    ]
    if summary.get("stances"):
        tables.append(_group_table(data, "stance", "Reporting-verb stance", "stances", {}))
    if summary.get("relays"):
        tables.append(_group_table(data, "via", "Relayed via", "relays", relay_words))
    else:
        tables.append(
            '<div><h3>Relayed via</h3><p class="none">No claim is passed on through another outlet.</p></div>'
        )
    return lead + source_mix_chart(data) + f'<div class="tables">{"".join(tables)}</div>'


def distancing_html(data: Mapping[str, Any]) -> str:
    """One row per distancing marker: the marker, its kind, its target and its sentence."""
    if "distancing" not in data.get("layers", ["attributions"]):
        return '<p class="none" id="no-distancing">Not analysed: the analyzer has no distancing component.</p>'
    markers = data.get("distancing", [])
    if not markers:
        return '<p class="none" id="no-distancing">No distancing markers found.</p>'
    rows = (
        f'<tr id="d-{d["index"]}"><td class="num">{d["index"]}</td><td><span class="dm">{escape(d["text"])}</span></td>'
        f"<td>{escape(d['kind'].replace('_', ' '))}</td><td><span class='dmt'>{escape(d['target_text'])}</span></td>"
        f"<td>{links([d['sentence_index']], 's')}</td></tr>"
        for d in markers
    )
    return table(("#", "Marker", "Kind", "Target", "Sentence"), rows, "distancing")


def terms_by_actor_chart(data: Mapping[str, Any]) -> str:
    """Inline SVG: one bar per actor that loaded terms are applied to, split by category."""
    rows = []
    for actor in data["summary"].get("actors", []):
        if not actor["loaded_terms"]:
            continue
        by_category: Counter[str] = Counter()
        voices: dict[str, Counter[str]] = {}
        for group in actor["terms"]:
            by_category[group["category"]] += group["count"]
            voices.setdefault(group["category"], Counter())[group["voice"]] += group["count"]
        for i in actor["loaded_terms"]:
            polarity = data["loaded_terms"][i]["polarity"] or "no polarity"
            voices.setdefault(data["loaded_terms"][i]["category"], Counter())[polarity] += 1
        segments = tuple(
            Segment(
                by_category[category],
                ink,
                f"{actor['name']}: {by_category[category]} {category.replace('_', ' ')} ("
                + ", ".join(f"{v} {n}" for v, n in voices.get(category, Counter()).most_common())
                + ")",
            )
            for category, (ink, _, _) in CATEGORY_STYLES.items()
            if by_category[category]
        )
        rows.append(BarRow(actor["name"], f"#actor-{actor['index']}", segments))
    if not rows:
        return '<p class="none" id="no-terms-by-actor">No loaded term is aimed at an actor.</p>'
    legend = [(ink, category.replace("_", " ")) for category, (ink, _, _) in CATEGORY_STYLES.items()]
    return bar_chart("Loaded terms by actor and category", rows, legend, "chart-terms-by-actor")


def _actor_row(actor: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    terms = data.get("loaded_terms", [])
    applied = "<br>".join(
        f'<span class="lt-swatch {category_class(g["category"])}">{escape(g["category"].replace("_", " "))}</span> '
        f"{escape(g['voice'])} ×{g['count']}: "
        + ", ".join(f'<a href="#t-{int(i)}">{escape(terms[i]["text"])}</a>' for i in g["terms"])
        for g in actor["terms"]
    )
    known = len(actor["anonymous_claims"]) + len(actor["named_claims"])
    anonymous = f"{len(actor['anonymous_claims'])} of {known}" if known else '<span class="none">—</span>'
    distanced = ", ".join(
        [*(f'<a href="#d-{int(i)}">D{int(i)}</a>' for i in actor["distancing"])]
        + [f'<a href="#a-{int(i)}">claim {int(i)}</a>' for i in actor["distanced_claims"]]
    )
    role = f'<span class="role">{escape(actor["role"])}</span>' if actor["role"] else ""
    shown = actor["forms"][:4]
    more = len(actor["forms"]) - len(shown)
    forms = escape("; ".join(shown)) + (f" (+{more} more)" if more else "")
    sentences = " ".join(str(int(i)) for i in actor["sentences"])
    return (
        f'<tr class="actor" id="actor-{actor["index"]}" data-sentences="{sentences}" tabindex="0" '
        f'title="Click to go to the sentences of {escape(actor["name"])}">'
        f'<td class="num">{actor["index"]}</td><td><strong>{escape(actor["name"])}</strong>{role}</td>'
        f'<td class="num">{actor["mentions"]}</td><td class="forms">{forms}</td>'
        f"<td>{applied or _NONE}</td><td>{links(actor['claims'], 'a')}</td><td class='num'>{anonymous}</td>"
        f"<td>{distanced or _NONE}</td><td>{links(actor['sentences'], 's')}</td></tr>"
    )


def actors_html(data: Mapping[str, Any]) -> str:
    """The actor table (with the terms-by-actor chart) and the asymmetries it shows."""
    actors = data["summary"].get("actors", [])
    if not actors:
        return '<p class="none" id="no-actors">No actors found (no sources, term targets or distancing targets).</p>'
    head = ("#", "Actor", "#Mentions", "As", "Terms applied (category, voice)", "Claims", "#Anonymous", "Distanced")
    body = table((*head, "Sentences"), (_actor_row(a, data) for a in actors), "actors")
    intro = (
        "<p>Actors are clustered from the sources, the targets of loaded terms and the targets of distancing "
        "markers. Click a row to go to its sentences.</p>"
    )
    asymmetries = data["summary"].get("asymmetries", [])
    kinds = {
        "name_calling": "Name-calling",
        "polarity": "Polarity",
        "anonymity": "Anonymity",
        "distancing": "Distancing",
    }
    if asymmetries:
        items = "".join(
            f'<li data-kind="{escape(a["kind"])}"><span class="kind">{escape(kinds.get(a["kind"], a["kind"]))}:</span> '
            f"{escape(a['statement'])}{_evidence(a['sentences'])}</li>"
            for a in asymmetries
        )
        listed = f'<h3 class="list">Asymmetries</h3><ul class="asymmetries" id="asymmetries">{items}</ul>'
    else:
        listed = '<h3 class="list">Asymmetries</h3><p class="none" id="asymmetries">None found.</p>'
    return intro + terms_by_actor_chart(data) + body + listed
