"""Self-contained HTML rendering of an :class:`~attribution.records.ArticleReport`.

The page works offline: CSS and JavaScript are inline, nothing is loaded from a URL. The
article text is shown with every SOURCE, CUE and CONTENT piece highlighted (three colours,
with a legend and a tooltip per piece), boilerplate ranges greyed out, followed by a summary,
a sources table, a per-sentence table and an attributions table, and a provenance footer.

It is also the review page: a sticky review bar (shown when the script runs) lets a reviewer
accept or reject each attribution, set its source type, anonymity and stance, add a missing
attribution or move a span by selecting article text, and export the corrected article as one
annotation-format JSONL line or as a Label Studio task (:mod:`attribution.converters.labelstudio`).
The script and its CSS live in ``attribution/resources/review.js`` / ``review.css``. Each article
text segment carries its article offsets (``data-start``/``data-end``, code points, end exclusive)
so a DOM selection maps back to exact offsets; the exact article text and the model's attributions
ride along as JSON in a ``<script type="application/json" id="review-data">`` block.

An article is untrusted input: every article-derived string goes through :func:`html.escape`
(the JSON block escapes ``<``, ``>`` and ``&`` as ``\\u003c`` etc.), and a Content-Security-Policy
meta tag allows only the page's own inline script (pinned by its SHA-256 hash), so a ``<script>``
or ``onerror=`` smuggled into an article never runs.

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Attribution, Provenance, Sentence, Span
    >>> article = Article(id="a", text="Police said <b>calm</b>.")
    >>> said = Attribution(cue=(Span("CUE", 7, 11, "said", 0),), source=(Span("SOURCE", 0, 6, "Police", 0),),
    ...                    content=(Span("CONTENT", 12, 23, "<b>calm</b>", 0),), kind="indirect",
    ...                    sentence_index=0, score=0.9)
    >>> report = aggregate(article, [Sentence(0, 0, 24, article.text)], [said],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> page = render_html(report)
    >>> "&lt;b&gt;calm&lt;/b&gt;" in page and "<b>calm" not in page
    True

"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from attribution.annotations import SOURCE_TYPES, STANCES
from attribution.records import ArticleReport
from attribution.report.json_report import report_to_dict

ROLES: tuple[str, ...] = ("source", "cue", "content")

_CSS = """
:root { --source: #cfe3ff; --source-b: #2f6fd0; --cue: #ffd8a8; --cue-b: #d9480f;
  --content: #d3f9d8; --content-b: #2b8a3e; --muted: #868e96; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529;
  margin: 0; background: #f8f9fa; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
section.card { background: #fff; border: 1px solid #dee2e6; border-radius: 6px; padding: 1rem 1.25rem; }
.meta { color: var(--muted); font-size: .9rem; margin: 0 0 1rem; }
.meta span + span::before { content: " · "; }
.legend { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0 0 .75rem; font-size: .9rem; }
.legend span { padding: 0 .4rem; border-radius: 3px; }
#article-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.05rem; line-height: 1.8; }
.hl { border-radius: 2px; cursor: pointer; }
.hl-source { background: var(--source); border-bottom: 2px solid var(--source-b); }
.hl-cue { background: var(--cue); border-bottom: 2px solid var(--cue-b); font-weight: 600; }
.hl-content { background: var(--content); border-bottom: 2px solid var(--content-b); }
.hl-multi { outline: 1px dashed #495057; }
.excluded { color: #adb5bd; background: #f1f3f5; text-decoration: line-through #ced4da; }
.focus { box-shadow: 0 0 0 2px #212529; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .92rem; }
th, td { border: 1px solid #dee2e6; padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #e9ecef; } td.num, th.num { text-align: right; white-space: nowrap; }
tr.yes td:first-child { box-shadow: inset 4px 0 0 var(--cue-b); }
tr:target, tr.focus { background: #fff3bf; box-shadow: none; }
table.summary { width: auto; min-width: 20rem; }
.scroll { overflow-x: auto; }
.none { color: var(--muted); font-style: italic; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
"""


@cache
def _resource(name: str) -> str:
    return resources.files("attribution").joinpath(f"resources/{name}").read_text(encoding="utf-8")


def _script() -> str:
    """The page's one executable script (hover focus + review), checked to stay inside its element."""
    script = _resource("review.js")
    if "</script" in script.lower() or "<!--" in script:
        raise ValueError("attribution/resources/review.js must not contain '</script' or '<!--'")
    return script


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _json_block(value: Any) -> str:
    """JSON that is inert inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survive."""
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _review_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the review script needs: the exact text, the model's attributions and the label sets."""

    def fragments(pieces: list[dict[str, Any]]) -> list[list[int]]:
        return [[piece["start"], piece["end"]] for piece in pieces]

    article = data["article"]
    return {
        "id": article["id"],
        "text": article["text"],
        "meta": article["meta"],
        "provenance": data["provenance"],
        "sentences": [[s["start"], s["end"]] for s in data["sentences"]],
        "attributions": [
            {
                "index": a["index"],
                "sentence_index": a["sentence_index"],
                **{role: fragments(a[role]) for role in (*ROLES, "via")},
                **{key: a[key] for key in ("source_type", "anonymous", "resolved_source", "stance")},
            }
            for a in data["attributions"]
        ],
        "source_types": list(SOURCE_TYPES),
        "stances": list(STANCES),
    }


def _marks(data: Mapping[str, Any]) -> list[tuple[int, int, str, int, float]]:
    """Every highlightable piece as ``(start, end, role, attribution index, score)``."""
    marks = []
    for attribution in data["attributions"]:
        for role in ROLES:
            for piece in attribution[role]:
                marks.append((piece["start"], piece["end"], role, attribution["index"], piece["score"]))
    return marks


def segment_text(text: str, ranges: Iterable[tuple[int, int, Any]]) -> list[tuple[int, int, list[Any]]]:
    """Cut ``text`` at every range boundary; each segment carries the tags of all ranges covering it.

    Ranges may overlap; empty or out-of-bounds parts are clipped away.

    Example:
        >>> segment_text("abcdef", [(1, 4, "x"), (3, 5, "y")])
        [(0, 1, []), (1, 3, ['x']), (3, 4, ['x', 'y']), (4, 5, ['y']), (5, 6, [])]

    """
    clipped = [(max(0, s), min(len(text), e), tag) for s, e, tag in ranges]
    clipped = [r for r in clipped if r[0] < r[1]]
    cuts = sorted({0, len(text)} | {s for s, _, _ in clipped} | {e for _, e, _ in clipped})
    return [(a, b, [tag for s, e, tag in clipped if s <= a and b <= e]) for a, b in zip(cuts, cuts[1:], strict=False)]


def _text_html(piece: str) -> str:
    """Escaped text whose DOM text keeps every character, so offsets inside a segment hold.

    A CR is written as ``&#13;`` (the HTML parser turns a raw CR into LF) and a NUL, which the parser
    drops, is shown as U+FFFD.
    """
    return escape(piece).replace("\r", "&#13;").replace("\x00", "\ufffd")


def _segment_html(piece: str, tags: list[Any], start: int = 0) -> str:
    excluded = "excluded" in tags
    marks = sorted((t for t in tags if t != "excluded"), key=lambda m: (m[1], ROLES.index(m[0])))
    body = _text_html(piece)
    if excluded:
        body = f'<span class="excluded" title="boilerplate (not analysed)">{body}</span>'
    offsets = f'data-start="{start}" data-end="{start + len(piece)}"'
    if not marks:
        return f"<span {offsets}>{body}</span>"
    roles = sorted({role for role, _, _ in marks}, key=ROLES.index)
    ids = sorted({index for _, index, _ in marks})
    classes = ["hl", *(f"hl-{r}" for r in roles), *(f"a-{i}" for i in ids)]
    if len(marks) > 1:
        classes.append("hl-multi")
    tip = "\n".join(f"{role.upper()} of attribution #{index} (score {score:.2f})" for role, index, score in marks)
    return (
        f'<span class="{" ".join(classes)}" data-attributions="{" ".join(map(str, ids))}" {offsets} '
        f'title="{escape(tip)}">{body}</span>'
    )


def _article_html(data: Mapping[str, Any]) -> str:
    """Render the article text with highlighted pieces and greyed-out boilerplate, all escaped."""
    text = data["article"]["text"]
    ranges: list[tuple[int, int, Any]] = [(s, e, (role, i, score)) for s, e, role, i, score in _marks(data)]
    ranges += [(s, e, "excluded") for s, e in data["article"]["excluded"]]
    return "".join(_segment_html(text[a:b], tags, a) for a, b, tags in segment_text(text, ranges))


def _links(indices: Iterable[int], prefix: str) -> str:
    links = ", ".join(f'<a href="#{prefix}-{int(i)}">{int(i)}</a>' for i in indices)
    return links or '<span class="none">none</span>'


def _table(head: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    cells = "".join(f'<th class="num">{h[1:]}</th>' if h.startswith("#") else f"<th>{h}</th>" for h in head)
    body = f'<table class="{css}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="scroll">{body}</div>'


def _summary_html(data: Mapping[str, Any]) -> str:
    s = data["summary"]
    rows = [
        ("Sentences", str(s["n_sentences"])),
        ("Words", str(s["n_words"])),
        ("Attributed sentences", f"{len(s['attributed_sentences'])} ({s['attributed_share']:.1%})"),
        ("Attributions", str(s["n_attributions"])),
        ("Direct quotes", str(len(s["direct_quotes"]))),
        ("Attributions without source", str(len(s["attributions_without_source"]))),
    ]
    body = [f'<tr><th>{k}</th><td class="num">{v}</td></tr>' for k, v in rows]
    return f'<div class="scroll"><table class="summary" id="summary"><tbody>{"".join(body)}</tbody></table></div>'


def _sources_html(data: Mapping[str, Any]) -> str:
    sources = data["summary"]["sources"]
    if not sources:
        return '<p class="none">No attributed sources.</p>'
    rows = (
        f'<tr><td>{escape(c["source"])}</td><td class="num">{c["count"]}</td>'
        f"<td>{_links(c['attributions'], 'a')}</td><td>{_links(c['sentences'], 's')}</td></tr>"
        for c in sources
    )
    return _table(("Source", "#Count", "Attributions", "Sentences"), rows, "sources")


def _sentences_html(data: Mapping[str, Any]) -> str:
    rows = (
        f'<tr id="s-{s["index"]}" class="{"yes" if s["attributed"] else "no"}"><td class="num">{s["index"]}</td>'
        f"<td>{escape(s['text'])}</td><td>{'yes' if s['attributed'] else 'no'}</td>"
        f'<td class="num">{s["confidence"]:.2f}</td><td>{_links(s["attributions"], "a")}</td></tr>'
        for s in data["sentences"]
    )
    return _table(("#", "Sentence", "Attributed", "#Confidence", "Attributions"), rows, "sentences")


def _attributions_html(data: Mapping[str, Any]) -> str:
    """The attributions table (always present, hidden while empty, so the review can add rows to it)."""

    def cell(value: str | None, role: str) -> str:
        return f'<span class="hl-{role}">{escape(value)}</span>' if value else '<span class="none">none</span>'

    rows = (
        f'<tr class="attribution" id="a-{a["index"]}"><td class="num">{a["index"]}</td>'
        f'<td data-role="source">{cell(a["source_text"], "source")}</td>'
        f'<td data-role="cue">{cell(a["cue_text"], "cue")}</td>'
        f'<td data-role="content">{cell(a["content_text"], "content")}</td><td>{escape(a["kind"])}</td>'
        f'<td class="num">{a["score"]:.2f}</td><td>{_links([a["sentence_index"]], "s")}</td></tr>'
        for a in data["attributions"]
    )
    table = _table(("#", "Source", "Cue", "Content", "Kind", "#Score", "Sentence"), rows, "attributions")
    if data["attributions"]:
        return table
    return '<p class="none" id="no-attributions">No attributions found.</p>' + table.replace(
        '<div class="scroll">', '<div class="scroll" hidden>', 1
    )


def _review_bar_html() -> str:
    """The review bar; hidden until the review script runs (without it the page is a plain report)."""
    actions = (
        ("add-cue", "Add cue", "Start a new attribution whose cue is the selected article text"),
        ("set-cue", "Set cue", "Replace the cue of the attribution being edited with the selection"),
        ("set-source", "Set source", "Replace the source of the attribution being edited with the selection"),
        ("set-content", "Set content", "Replace the content of the attribution being edited with the selection"),
    )
    buttons = "".join(
        f'<button type="button" id="{i}" class="rv-span rv-{i.split("-")[1]}" title="{t}">{label}</button>'
        for i, label, t in actions
    )
    return (
        '<section id="review" class="card review-bar" aria-label="Review" hidden>'
        '<div class="rv-row"><strong>Review</strong><span id="review-counts" class="rv-counts"></span>'
        '<button type="button" id="export-jsonl" class="primary">Export annotation JSONL</button>'
        '<button type="button" id="export-labelstudio">Export Label Studio JSON</button></div>'
        '<div class="rv-row"><span class="rv-sel">Selection: <span id="review-selection" class="none">none'
        f"</span></span>{buttons}</div>"
        '<div id="review-panel" class="rv-panel"></div>'
        '<p id="review-message" role="status" aria-live="polite"></p></section>'
    )


def _header_html(data: Mapping[str, Any]) -> str:
    article = data["article"]
    heading = escape(article["title"] or article["id"])
    facts = [f"id: {escape(article['id'])}"]
    facts += [f"{escape(str(k))}: {escape(str(v))}" for k, v in article["meta"].items()]
    if article["origin"]:
        facts.append(f"origin: {escape(article['origin'])}")
    return f'<h1>{heading}</h1><p class="meta">{"".join(f"<span>{f}</span>" for f in facts)}</p>'


def _legend_html() -> str:
    swatches = "".join(f'<span class="hl-{role}">{role.upper()}</span>' for role in ROLES)
    return f'<p class="legend">{swatches}<span class="excluded">boilerplate (not analysed)</span></p>'


def _footer_html(data: Mapping[str, Any]) -> str:
    p = data["provenance"]
    return (
        f"<footer>attribution {escape(p['attribution_version'])} · tagger {escape(p['tagger'])}"
        f" · base model {escape(p['base_model'])} · schema v{escape(p['schema_version'])}</footer>"
    )


def render_html(report: ArticleReport) -> str:
    """Render one report as a self-contained, offline HTML page.

    Args:
        report: The report to render, as built by :func:`attribution.aggregate.aggregate`.

    Returns:
        A complete HTML document (UTF-8 text) with inline CSS and JS and no external references.

    Example:
        >>> from attribution.aggregate import aggregate
        >>> from attribution.records import Article, Provenance, Sentence
        >>> report = aggregate(Article(id="a", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [],
        ...                    Provenance("0.1.0", "none", "none", "1"))
        >>> page = render_html(report)
        >>> page.startswith("<!DOCTYPE html>") and 'id="s-0"' in page
        True

    """
    data = report_to_dict(report)
    title = escape(data["article"]["title"] or data["article"]["id"])
    script = _script()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_csp(script)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · attribution report</title>
<style>{_CSS}{_resource("review.css")}</style>
</head>
<body>
<main>
<header>{_header_html(data)}</header>
{_review_bar_html()}
<h2>Article</h2>
<section class="card">{_legend_html()}<div id="article-text">{_article_html(data)}</div></section>
<h2>Summary</h2>
{_summary_html(data)}
<h2>Sources</h2>
{_sources_html(data)}
<h2>Sentences</h2>
{_sentences_html(data)}
<h2>Attributions</h2>
{_attributions_html(data)}
{_footer_html(data)}
</main>
<script type="application/json" id="review-data">{_json_block(_review_data(data))}</script>
<script>{script}</script>
</body>
</html>
"""
