"""Self-contained HTML rendering of an :class:`~attribution.records.ArticleReport`.

The page works offline: CSS and JavaScript are inline, nothing is loaded from a URL. The
article text is shown with every SOURCE, CUE and CONTENT piece highlighted (three background
colours), every loaded term marked by category (a marker-pen underlay and an underline style of
its own, so a term inside a content span shows both), persuasion-technique spans overlined, and
boilerplate ranges greyed out; a legend with one toggle per layer, and a tooltip per piece
(category, polarity, voice, target and confidence for a loaded term). It is followed by a
summary, a sources table, loaded terms by category, voice and target (each linking to its
terms and sentences) and one row per term, the persuasion techniques, a per-sentence table
(attribution, bias label with confidence, terms), an attributions table, and a provenance footer.

It is also the review page: a sticky review bar (shown when the script runs) lets a reviewer
accept or reject each attribution, set its source type, anonymity and stance, add a missing
attribution or move a span by selecting article text; accept or reject each loaded term, change
its category, polarity or voice, and add a missing one from a selection; and export the corrected
article as one annotation-format JSONL line or as a Label Studio task
(:mod:`attribution.converters.labelstudio`). The export carries the ``attributions`` and
``loaded_terms`` layers the reviewer saw; techniques and sentence labels are not reviewed there.
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

from attribution.annotations import LOADED_TERM_CATEGORIES, POLARITIES, SOURCE_TYPES, STANCES, VOICES
from attribution.records import ArticleReport
from attribution.report.html_common import CATEGORY_STYLES, category_class, links, table
from attribution.report.html_profile import PROFILE_CSS, actors_html, distancing_html, profile_html, statements_html
from attribution.report.json_report import report_to_dict
from attribution.voice import sources_wording_only

_links, _table, _category_class = links, table, category_class

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
.lt { background: linear-gradient(transparent 52%, var(--lt-bg) 52%); text-decoration-line: underline;
  text-decoration-color: var(--lt-ink); text-decoration-style: var(--lt-style); text-decoration-thickness: 2px;
  text-underline-offset: 3px; text-decoration-skip-ink: none; color: inherit; cursor: help; }
.lt-swatch { background: var(--lt-bg); border-bottom: 2px var(--lt-style) var(--lt-ink); padding: 0 .35rem; }
.tq { text-decoration-line: overline; text-decoration-style: dashed; text-decoration-color: #495057;
  text-decoration-thickness: 1px; }
.tq-swatch { border-top: 1px dashed #495057; padding: 0 .35rem; }
.legend.layers label { display: inline-flex; gap: .25rem; align-items: center; cursor: pointer; }
main:has(#show-attributions:not(:checked)) #article-text .hl { background: none; border-bottom: none;
  font-weight: inherit; outline: none; }
main:has(#show-terms:not(:checked)) #article-text .lt { background: none; text-decoration: none; }
main:has(#show-techniques:not(:checked)) #article-text .tq { text-decoration: none; }
.lt.rv-off { background: none; text-decoration: line-through #adb5bd; color: #868e96; }
.bias-yes { color: #c92a2a; font-weight: 600; } .bias-no { color: #2b8a3e; }
.sources-wording { color: #5c5f66; font-style: italic; border-bottom: 1px dotted #868e96; cursor: help; }
.tables { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.tables > div { flex: 0 1 auto; } .tables table { width: auto; min-width: 14rem; }
.tables h3 { font-size: .95rem; margin: 0 0 .3rem; }
h3.list { font-size: .95rem; margin: 1rem 0 .3rem; }
"""


def _category_css() -> str:
    """One rule per loaded-term category; the class names come from the fixed category list, not from input."""
    return "".join(
        f".lt-{name} {{ --lt-ink: {ink}; --lt-bg: {bg}; --lt-style: {style}; }}\n"
        f"::highlight(rv-lt-{name}) {{ background-color: {bg}; text-decoration: underline {ink}; }}\n"
        for name, (ink, bg, style) in CATEGORY_STYLES.items()
    )


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
        "layers": data.get("layers", ["attributions"]),
        "loaded_terms": [
            {
                "index": t["index"],
                "span": [[t["start"], t["end"]]],
                "sentence_index": t["sentence_index"],
                **{key: t[key] for key in ("category", "polarity", "voice", "target", "score")},
            }
            for t in data.get("loaded_terms", [])
        ],
        "categories": list(LOADED_TERM_CATEGORIES),
        "polarities": list(POLARITIES),
        "voices": list(VOICES),
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


def _term_tip(t: Mapping[str, Any], data: Mapping[str, Any] | None = None) -> str:
    """One tooltip line for a loaded term: category, polarity, voice, target and confidence.

    A bare label whose target the article names elsewhere ("the terrorists" -> "Harran Front") says where; a label
    the text denies ("They are not terrorists") says so.
    """
    voice = t["voice"] if t["attribution_index"] is None else f"{t['voice']} (attribution #{t['attribution_index']})"
    named_in = _target_named_in(t, data) if data is not None else None
    where = f" (named in S{named_in})" if named_in is not None and named_in != t["sentence_index"] else ""
    target = "none (denied label)" if t.get("denied") else f"{t['target'] or 'unknown'}{where}"
    return (
        f"Loaded term T{t['index']}: {t['category']} · polarity {t['polarity'] or 'unknown'} · voice {voice}"
        f" · target {target} · confidence {t['score']:.2f}"
    )


def _target_cell(t: Mapping[str, Any]) -> str:
    """A term's target for the term table; "— (denied)" for a label the text denies."""
    if t.get("denied"):
        return "— (denied)"
    return escape(t["target"]) if t["target"] else "—"


def _target_named_in(t: Mapping[str, Any], data: Mapping[str, Any]) -> int | None:
    """The sentence naming a term's target.

    The sentence of its target span (the target ranker's choice may stand in any sentence); for a term that is
    itself the target's mention (its own target span: "the terrorists" for the group named before), the nearest
    place the target's words stand before the term, else the first after it. ``None`` without a target, or when
    its words stand nowhere (an alias: "ISIL" for "ISIS").

    Example:
        >>> text = "The Harran Front shelled Kessa. Residents said the terrorists fled."
        >>> data = {"article": {"text": text}, "sentences": [{"index": 0, "start": 0, "end": 31},
        ...                                                 {"index": 1, "start": 32, "end": 67}]}
        >>> term = {"target": "Harran Front", "target_span": [51, 61], "start": 51, "end": 61}
        >>> _target_named_in(term, data), _target_named_in({**term, "target_span": [4, 16]}, data)
        (0, 0)
        >>> _target_named_in({**term, "target": None}, data) is None
        True

    """
    if not t["target"]:
        return None
    span = list(t["target_span"] or ())
    text = data["article"]["text"]
    if span and span != [t["start"], t["end"]]:
        at = span[0]
    else:
        at = text.rfind(t["target"], 0, t["start"])
        at = at if at >= 0 else text.find(t["target"], t["end"])
    return next((s["index"] for s in data["sentences"] if s["start"] <= at < s["end"]), None) if at >= 0 else None


def _profile_tip(role: str, index: int, data: Mapping[str, Any] | None) -> str:
    """The source profile of an attribution, for the tooltip of its source pieces ("" when it has none)."""
    if data is None or role != "source":
        return ""
    a = data["attributions"][index]
    parts = [a["source_type"] or ""]
    parts.append("" if a["anonymous"] is None else "anonymous source" if a["anonymous"] else "named source")
    parts.append("via " + " ... ".join(p["text"] for p in a["via"]) if a["via"] else "")
    parts.append(f"= {a['resolved_source']}" if a["resolved_source"] else "")
    parts.append(f"stance {a['stance']}" if a["stance"] else "")
    shown = [part for part in parts if part]
    return " · " + ", ".join(shown) if shown else ""


def _technique_tip(t: Mapping[str, Any]) -> str:
    return f"Technique P{t['index']}: {t['technique']} · confidence {t['score']:.2f}"


def _segment_html(piece: str, tags: list[Any], start: int = 0, data: Mapping[str, Any] | None = None) -> str:
    """One article segment: an element with its offsets and attribution highlight around nested layers.

    Inside it, from the outside in: the boilerplate marker, one overline element per technique span and one
    ``<mark>`` per loaded term that cover the segment; every level wraps the whole escaped text, so nested
    highlights never cut or repeat it.
    """
    excluded = "excluded" in tags
    marks = sorted((t for t in tags if isinstance(t, tuple) and t[0] in ROLES), key=lambda m: (m[1], ROLES.index(m[0])))
    term_ids = sorted(t[1] for t in tags if isinstance(t, tuple) and t[0] == "term")
    technique_ids = sorted(t[1] for t in tags if isinstance(t, tuple) and t[0] == "technique")
    marker_ids = sorted(t[1] for t in tags if isinstance(t, tuple) and t[0] == "dm")
    relay_ids = sorted(t[1] for t in tags if isinstance(t, tuple) and t[0] == "via")
    target_ids = sorted(t[1] for t in tags if isinstance(t, tuple) and t[0] == "dmt")
    attribution_tips = [
        f"{role.upper()} of attribution #{index} (score {score:.2f})" + _profile_tip(role, index, data)
        for role, index, score in marks
    ]
    anonymous = data is not None and any(
        role == "source" and data["attributions"][index]["anonymous"] is True for role, index, _ in marks
    )
    body = _text_html(piece)
    if data is not None:
        technique_tips = [_technique_tip(data["techniques"][i]) for i in technique_ids]
        for i in reversed(term_ids):
            term = data["loaded_terms"][i]
            tip = "\n".join([_term_tip(term, data), *technique_tips, *attribution_tips])
            body = (
                f'<mark class="lt {_category_class(term["category"])} t-{i}" data-terms="{i}" '
                f'title="{escape(tip)}">{body}</mark>'
            )
        for i in reversed(technique_ids):
            tip = "\n".join([*technique_tips, *attribution_tips])
            body = f'<span class="tq p-{i}" data-techniques="{i}" title="{escape(tip)}">{body}</span>'
        for i in reversed(target_ids):
            d = data["distancing"][i]
            tip = f"Distanced by marker D{i} ({d['kind'].replace('_', ' ')}): {d['target_text']}"
            body = f'<span class="dmt d-{i}" data-distancing="{i}" title="{escape(tip)}">{body}</span>'
        for i in reversed(relay_ids):
            tip = f"Relay: attribution #{i} reaches the reader via this outlet"
            body = f'<span class="via v-{i}" data-attributions="{i}" title="{escape(tip)}">{body}</span>'
        for i in reversed(marker_ids):
            d = data["distancing"][i]
            tip = f"Distancing marker D{i} ({d['kind'].replace('_', ' ')}) · target: {d['target_text']}"
            body = f'<span class="dm d-{i}" data-distancing="{i}" title="{escape(tip)}">{body}</span>'
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
    if anonymous:
        classes.append("anon")
    return (
        f'<span class="{" ".join(classes)}" data-attributions="{" ".join(map(str, ids))}" {offsets} '
        f'title="{escape(chr(10).join(attribution_tips))}">{body}</span>'
    )


def _article_html(data: Mapping[str, Any]) -> str:
    """Render the article text with highlighted pieces, loaded terms, techniques and boilerplate, all escaped."""
    text = data["article"]["text"]
    ranges: list[tuple[int, int, Any]] = [(s, e, (role, i, score)) for s, e, role, i, score in _marks(data)]
    ranges += [(s, e, "excluded") for s, e in data["article"]["excluded"]]
    ranges += [(t["start"], t["end"], ("term", t["index"])) for t in data.get("loaded_terms", [])]
    ranges += [(t["start"], t["end"], ("technique", t["index"])) for t in data.get("techniques", [])]
    ranges += [(v["start"], v["end"], ("via", a["index"])) for a in data["attributions"] for v in a["via"]]
    ranges += [(d["start"], d["end"], ("dm", d["index"])) for d in data.get("distancing", [])]
    ranges += [(d["target_start"], d["target_end"], ("dmt", d["index"])) for d in data.get("distancing", [])]
    return "".join(_segment_html(text[a:b], tags, a, data) for a, b, tags in segment_text(text, ranges))


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
    layers = data.get("layers", ["attributions"])
    if "loaded_terms" in layers:
        rows.append(("Loaded terms", f"{s['n_loaded_terms']} ({s['loaded_terms_per_100_words']:.2f} per 100 words)"))
    if "techniques" in layers:
        rows.append(("Persuasion techniques", str(s["n_techniques"])))
    if "sentence_labels" in layers:
        biased = set(s["biased_sentences"])
        by_source = [x["index"] for x in data["sentences"] if x["index"] in biased and _sources_wording(x, data)]
        qualifier = ""
        if by_source:
            qualifier = f"; {len(by_source)} with only sources' loaded wording: {_links(by_source, 's')}"
        rows.append(("Biased sentences", f"{len(biased)} ({s['biased_share']:.1%}){qualifier}"))
    claims = s.get("unattributed_claims", [])
    rows.insert(3, ("Unattributed factual claims", f"{len(claims)}: {_links(claims, 's')}" if claims else "0"))
    if s.get("anonymous_source_share") is not None:
        rows.append(("Anonymous-source share", f"{s['anonymous_source_share']:.0%}"))
    if s.get("relays"):
        rows.append(("Relayed claims", str(sum(g["count"] for g in s["relays"]))))
    if "distancing" in layers:
        rows.append(("Distancing markers", str(len(data.get("distancing", [])))))
    if s.get("actors"):
        rows.append(("Actors", str(len(s["actors"]))))
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


_SOURCES_WORDING_TITLE = (
    "every loaded term in this sentence is inside attributed speech (quoted or indirect) and the writer adds no "
    "distancing marker: the flag may reflect the source's wording rather than the writer's"
)


def _bias_cell(s: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    if s.get("biased") is None:
        return '<td><span class="none">unknown</span></td>'
    label, css = ("biased", "bias-yes") if s["biased"] else ("not biased", "bias-no")
    confidence = f" ({s['bias_confidence']:.2f})" if s.get("bias_confidence") is not None else ""
    qualifier = ""
    if s["biased"] and _sources_wording(s, data):
        title = escape(_SOURCES_WORDING_TITLE)
        qualifier = f' · <span class="sources-wording" title="{title}">source\'s wording</span>'
    return f'<td class="bias"><span class="{css}">{label}</span>{confidence}{qualifier}</td>'


def _sources_wording(s: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether the sentence's loaded wording is all the sources' (:func:`sources_wording_only`)."""
    terms = data.get("loaded_terms", [])
    voices = (terms[i].get("voice") for i in s.get("loaded_terms", []))
    return sources_wording_only(voices, distancing=bool(s.get("distancing")))


def _attributed_cell(s: Mapping[str, Any]) -> str:
    if s["attributed"]:
        return "yes"
    if s.get("continues_attribution") is not None:
        a = int(s["continues_attribution"])
        title = f"no cue of its own; inside the content of A{a}"
        return f'no · <a class="continued" href="#a-{a}" title="{title}">inside A{a}</a>'
    if s.get("unattributed_claim"):
        return 'no · <span class="claim" title="asserts an event in the writer\'s own voice">unattributed claim</span>'
    return "no"


def _sentences_html(data: Mapping[str, Any]) -> str:
    layers = data.get("layers", ["attributions"])
    with_bias, with_terms = "sentence_labels" in layers, "loaded_terms" in layers

    def row(s: Mapping[str, Any]) -> str:
        css = ("yes" if s["attributed"] else "no") + (" biased" if s.get("biased") else "")
        cells = (
            f'<tr id="s-{s["index"]}" class="{css}"><td class="num">{s["index"]}</td>'
            f"<td>{escape(s['text'])}</td><td>{_attributed_cell(s)}</td>"
            f'<td class="num">{s["confidence"]:.2f}</td><td>{_links(s["attributions"], "a")}</td>'
        )
        if with_bias:
            cells += _bias_cell(s, data)
        if with_terms:
            cells += f"<td>{_term_links(s.get('loaded_terms', []), data)}</td>"
        return cells + "</tr>"

    head = ["#", "Sentence", "Attributed", "#Confidence", "Attributions"]
    head += ["Bias (confidence)"] if with_bias else []
    head += ["Loaded terms"] if with_terms else []
    return _table(head, (row(s) for s in data["sentences"]), "sentences")


def _term_links(indices: Iterable[int], data: Mapping[str, Any]) -> str:
    """Links to the loaded-term rows, each shown as its text in its category's colours."""
    terms = data.get("loaded_terms", [])
    links = ", ".join(
        f'<a href="#t-{int(i)}" class="lt-swatch {_category_class(terms[i]["category"])}">'
        f"{escape(terms[i]['text'])}</a>"
        for i in indices
    )
    return links or '<span class="none">none</span>'


def _count_table(
    title: str, counts: list[dict[str, Any]], key: str, data: Mapping[str, Any], table_id: str, voices: bool = False
) -> str:
    """A small table of label counts whose numbers link to the terms and sentences behind them."""

    def label(value: str) -> str:
        if key == "category":
            return f'<span class="lt-swatch {_category_class(value)}">{escape(value)}</span>'
        return escape(value)

    def voice_mix(indices: list[int]) -> str:
        found: dict[str, int] = {}
        for i in indices:
            found[data["loaded_terms"][i]["voice"]] = found.get(data["loaded_terms"][i]["voice"], 0) + 1
        return escape(", ".join(f"{v} {n}" for v, n in found.items()))

    rows = (
        f'<tr><td>{label(c[key])}</td><td class="num">{c["count"]}</td>'
        f"<td>{_term_links(c['terms'], data)}</td>"
        + (f"<td>{voice_mix(c['terms'])}</td>" if voices else "")
        + f"<td>{_links(c['sentences'], 's')}</td></tr>"
        for c in counts
    )
    head = (key.capitalize(), "#Terms", "Which", *(("Voices",) if voices else ()), "Sentences")
    return f"<div><h3>{title}</h3>{_table(head, rows, table_id)}</div>"


def _loaded_terms_html(data: Mapping[str, Any]) -> str:
    """Counts by category, voice and target (the actor table), then one row per term (a review target).

    The term table is always present (hidden while empty) so the review can add rows to it.
    """
    terms, s = data.get("loaded_terms", []), data["summary"]
    parts = []
    if "loaded_terms" not in data.get("layers", ["attributions"]):
        parts.append('<p class="none" id="no-terms">Not analysed: the analyzer has no loaded-term tagger.</p>')
    elif not terms:
        parts.append('<p class="none" id="no-terms">No loaded terms found.</p>')
    else:
        parts.append(
            f"<p>{len(terms)} loaded term(s), {s['loaded_terms_per_100_words']:.2f} per 100 words. Numbers link to "
            "the terms and sentences behind them.</p>"
        )
        tables = [
            _count_table("By category", s["loaded_terms_by_category"], "category", data, "terms-by-category"),
            _count_table("By voice", s["loaded_terms_by_voice"], "voice", data, "terms-by-voice"),
        ]
        if s["loaded_terms_by_target"]:
            tables.append(
                _count_table("By target", s["loaded_terms_by_target"], "target", data, "terms-by-target", True)
            )
        parts.append(f'<div class="tables">{"".join(tables)}</div>')

    def row(t: Mapping[str, Any]) -> str:
        voice = escape(t["voice"])
        if t["attribution_index"] is not None:
            voice += f' (<a href="#a-{int(t["attribution_index"])}">#{int(t["attribution_index"])}</a>)'
        return (
            f'<tr class="term" id="t-{t["index"]}"><td class="num">{t["index"]}</td>'
            f'<td data-role="term"><mark class="lt {_category_class(t["category"])}">{escape(t["text"])}</mark></td>'
            f'<td data-role="category"><span class="lt-swatch {_category_class(t["category"])}">'
            f"{escape(t['category'])}</span></td>"
            f'<td data-role="polarity">{escape(t["polarity"] or "—")}</td><td data-role="voice">{voice}</td>'
            f'<td data-role="target">{_target_cell(t)}</td>'
            f'<td>{_links([t["sentence_index"]], "s")}</td><td class="num">{t["score"]:.2f}</td></tr>'
        )

    head = ("#", "Term", "Category", "Polarity", "Voice", "Target", "Sentence", "#Confidence")
    table = '<h3 class="list">All loaded terms</h3>' + _table(head, (row(t) for t in terms), "loaded-terms")
    if not terms:
        table = table.replace('<h3 class="list">', '<h3 class="list" hidden>', 1)
        table = table.replace('<div class="scroll">', '<div class="scroll" hidden>', 1)
    return "".join(parts) + table


def _techniques_html(data: Mapping[str, Any]) -> str:
    """Counts per persuasion technique (linked to the spans and sentences) and one row per span."""
    spans = data.get("techniques", [])
    if "techniques" not in data.get("layers", ["attributions"]):
        return '<p class="none">Not analysed: the analyzer has no persuasion-technique tagger.</p>'
    if not spans:
        return '<p class="none">No persuasion techniques found.</p>'
    counts = (
        f'<tr><td>{escape(c["technique"])}</td><td class="num">{c["count"]}</td>'
        f"<td>{_links(c['spans'], 'p')}</td><td>{_links(c['sentences'], 's')}</td></tr>"
        for c in data["summary"]["techniques"]
    )
    rows = (
        f'<tr id="p-{t["index"]}"><td class="num">{t["index"]}</td><td>{escape(t["technique"])}</td>'
        f'<td><span class="tq">{escape(t["text"])}</span></td><td>{_links([t["sentence_index"]], "s")}</td>'
        f'<td class="num">{t["score"]:.2f}</td></tr>'
        for t in spans
    )
    return (
        f'<div class="tables"><div>{_table(("Technique", "#Spans", "Which", "Sentences"), counts, "technique-counts")}'
        f'</div></div><h3 class="list">All technique spans</h3>'
        + _table(("#", "Technique", "Text", "Sentence", "#Confidence"), rows, "techniques")
    )


def _profile_cell(a: Mapping[str, Any]) -> str:
    """Source type, anonymity, relay, resolved source and stance of an attribution, or "none"."""
    parts = []
    if a["source_type"]:
        parts.append(escape(a["source_type"]))
    if a["anonymous"] is not None:
        parts.append('<span class="anon-swatch">anonymous</span>' if a["anonymous"] else "named")
    if a["via"]:
        parts.append("via " + escape(" ... ".join(p["text"] for p in a["via"])))
    if a["resolved_source"]:
        parts.append("= " + escape(a["resolved_source"]))
    if a["stance"]:
        parts.append(f"stance {escape(a['stance'])}")
    return " · ".join(parts) or '<span class="none">none</span>'


def _attributions_html(data: Mapping[str, Any]) -> str:
    """The attributions table (always present, hidden while empty, so the review can add rows to it)."""

    def cell(value: str | None, role: str) -> str:
        return f'<span class="hl-{role}">{escape(value)}</span>' if value else '<span class="none">none</span>'

    rows = (
        f'<tr class="attribution" id="a-{a["index"]}"><td class="num">{a["index"]}</td>'
        f'<td data-role="source">{cell(a["source_text"], "source")}</td>'
        f'<td data-role="cue">{cell(a["cue_text"], "cue")}</td>'
        f'<td data-role="content">{cell(a["content_text"], "content")}</td><td>{escape(a["kind"])}</td>'
        f'<td data-role="profile">{_profile_cell(a)}</td><td class="num">{a["score"]:.2f}</td>'
        f"<td>{_links([a['sentence_index']], 's')}</td></tr>"
        for a in data["attributions"]
    )
    table = _table(("#", "Source", "Cue", "Content", "Kind", "Profile", "#Score", "Sentence"), rows, "attributions")
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
    options = "".join(f'<option value="{c}">{c}</option>' for c in LOADED_TERM_CATEGORIES)
    buttons += (
        '<span class="rv-term-add"><button type="button" id="add-term" class="rv-span rv-term" '
        'title="Add the selected article text as a loaded term of the chosen category">Add loaded term</button>'
        f'<select id="add-term-category" aria-label="Category of the loaded term to add">{options}</select></span>'
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


def _legend_html(data: Mapping[str, Any]) -> str:
    """Colour keys for attribution roles, loaded-term categories and techniques, and one toggle per layer."""
    swatches = "".join(f'<span class="hl-{role}">{role.upper()}</span>' for role in ROLES)
    legend = f'<p class="legend">{swatches}<span class="excluded">boilerplate (not analysed)</span></p>'
    layers = data.get("layers", ["attributions"])
    keys = ""
    if "loaded_terms" in layers:
        keys += "".join(
            f'<span class="lt-swatch {_category_class(c)}" title="loaded term: {c}">{c.replace("_", " ")}</span>'
            for c in LOADED_TERM_CATEGORIES
        )
    if "techniques" in layers:
        keys += '<span class="tq-swatch" title="a persuasion technique span">persuasion technique</span>'
    if "source_profile" in layers:
        keys += '<span class="anon-swatch" title="a source not identified by name">anonymous source</span>'
        keys += '<span class="via-swatch" title="the outlet a claim was relayed through (told FNA)">relay (via)</span>'
    if "distancing" in layers:
        keys += (
            '<span class="dm-swatch" title="so-called, alleged, scare quotes ...">distancing marker</span>'
            '<span class="dmt-swatch" title="the name or claim the writer distances itself from">'
            "distanced target</span>"
        )
    if keys:
        legend += f'<p class="legend">{keys}</p>'
    toggles = [("show-attributions", "attribution spans")]
    toggles += [("show-terms", "loaded terms")] if "loaded_terms" in layers else []
    toggles += [("show-techniques", "techniques")] if "techniques" in layers else []
    toggles += [("show-anonymous", "anonymous sources and relays")] if "source_profile" in layers else []
    toggles += [("show-distancing", "distancing")] if "distancing" in layers else []
    boxes = "".join(f'<label><input type="checkbox" id="{i}" checked> {label}</label>' for i, label in toggles)
    return legend + f'<p class="legend layers" aria-label="Layers shown in the article">Show: {boxes}</p>'


def _footer_html(data: Mapping[str, Any]) -> str:
    p = data["provenance"]
    precision = p.get("precision", "float32")  # float32, the default, goes unsaid
    return (
        f"<footer>attribution {escape(p['attribution_version'])} · tagger {escape(p['tagger'])}"
        f" · base model {escape(p['base_model'])} · schema v{escape(p['schema_version'])}"
        f"{'' if precision == 'float32' else ' · encoders in ' + escape(precision)}</footer>"
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
<style>{_CSS}{_category_css()}{PROFILE_CSS}{_resource("review.css")}</style>
</head>
<body>
<main>
<header>{_header_html(data)}</header>
{_review_bar_html()}
<h2 id="in-plain-words">In plain words</h2>
<section class="card">{statements_html(data)}</section>
<h2>Article</h2>
<section class="card">{_legend_html(data)}<div id="article-text">{_article_html(data)}</div></section>
<h2>Summary</h2>
{_summary_html(data)}
<h2>Sources</h2>
{_sources_html(data)}
<h2 id="source-profile">Source profile</h2>
{profile_html(data)}
<h2 id="distancing">Distancing markers</h2>
{distancing_html(data)}
<h2 id="actors">Actors</h2>
{actors_html(data)}
<h2 id="loaded-terms">Loaded terms</h2>
{_loaded_terms_html(data)}
<h2 id="persuasion-techniques">Persuasion techniques</h2>
{_techniques_html(data)}
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
