"""Self-contained HTML index of a corpus run: one row per article, and one per outlet.

The index compares articles on the aggregates of their reports: sentences, attributed share,
attributions, direct quotes, attributions without a source and the most cited sources, and, when
the reports carry them, unattributed factual claims, the anonymous-source share, relayed claims,
distancing markers, asymmetries of the actor table, loaded terms per 100 words, persuasion techniques
and the biased-sentence share (those columns appear only when some row has them). When any
article carries ``meta.outlet``, a second table groups the articles by outlet (articles, mean
attributed share, total attributions, and where known the unattributed claims, the mean
anonymous-source share and the mean loaded terms per 100 words).

The page works offline (inline CSS and one small inline script that sorts a table when a column
header is clicked, pinned by a Content-Security-Policy hash). Every article-derived string goes
through :func:`html.escape`: a title such as ``<script>`` is shown, never run.

Example:
    >>> row = IndexRow(id="a1", title="Clashes <near> Aleppo", outlet="FNA", origin="in/a1.txt", n_sentences=4,
    ...                n_words=60, attributed_share=0.5, n_attributions=2, n_direct_quotes=1, n_without_source=0,
    ...                top_sources=(("A military source", 2),))
    >>> page = render_index([row], hrefs={"a1": "a1.html"})
    >>> '<a href="a1.html">a1</a>' in page and "Clashes &lt;near&gt; Aleppo" in page
    True
    >>> outlet = outlet_rows([row])[0]
    >>> outlet.outlet, outlet.articles, outlet.mean_attributed_share, outlet.attributions
    ('FNA', 1, 0.5, 2)

"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from attribution.records import ArticleReport

__all__ = ["IndexRow", "OutletRow", "outlet_rows", "render_index"]

TOP_SOURCES = 3

_CSS = """
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529;
  margin: 0; background: #f8f9fa; }
main { max-width: 1300px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.meta { color: #868e96; font-size: .9rem; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .92rem; }
th, td { border: 1px solid #dee2e6; padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #e9ecef; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; white-space: nowrap; }
.scroll { overflow-x: auto; }
.none { color: #868e96; font-style: italic; }
"""

_JS = """
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, column) {
      th.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.classList.contains('num');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
          var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
"""


@dataclass(frozen=True, slots=True)
class IndexRow:
    """The aggregates of one article report that the index compares.

    Attributes:
        id: Article id.
        title: Article title, if any.
        outlet: ``meta["outlet"]`` of the article when it is a non-empty string.
        origin: Where the article came from.
        n_sentences: Sentences analysed.
        n_words: Words in those sentences.
        attributed_share: Share of sentences with at least one attribution (0..1, 4 decimals).
        n_attributions: Attributions found.
        n_direct_quotes: Attributions of kind ``direct``.
        n_without_source: Attributions without a source.
        top_sources: Up to three ``(source, count)`` pairs, most cited first.
        n_loaded_terms: Loaded terms found (``None``: the report has no loaded-term layer).
        loaded_terms_per_100_words: Loaded terms per 100 words (``None`` likewise).
        n_techniques: Persuasion-technique spans (``None``: no technique layer).
        biased_share: Share of sentences labelled biased (``None``: no sentence-bias layer).
        n_unattributed_claims: Sentences asserting events without a source (``None``: a row from before them).
        anonymous_source_share: Anonymous sources over attributions of known anonymity (``None``: unknown).
        n_relays: Attributions relayed through another outlet (``None``: no source profile).
        n_distancing: Distancing markers (``None``: no distancing layer).
        n_asymmetries: Asymmetries stated by the actor table (``None``: a row from before them).

    """

    id: str
    title: str | None
    outlet: str | None
    origin: str | None
    n_sentences: int
    n_words: int
    attributed_share: float
    n_attributions: int
    n_direct_quotes: int
    n_without_source: int
    top_sources: tuple[tuple[str, int], ...] = ()
    n_loaded_terms: int | None = None
    loaded_terms_per_100_words: float | None = None
    n_techniques: int | None = None
    biased_share: float | None = None
    n_unattributed_claims: int | None = None
    anonymous_source_share: float | None = None
    n_relays: int | None = None
    n_distancing: int | None = None
    n_asymmetries: int | None = None

    @classmethod
    def from_report(cls, report: ArticleReport) -> IndexRow:
        """The index row of one report.

        Example:
            >>> from attribution.aggregate import aggregate
            >>> from attribution.records import Article, Provenance, Sentence
            >>> article = Article(id="a", text="It rained.", meta={"outlet": "FNA"})
            >>> report = aggregate(article, [Sentence(0, 0, 10, "It rained.")], [], Provenance("0", "t", "b", "1"))
            >>> row = IndexRow.from_report(report)
            >>> row.outlet, row.n_sentences, row.attributed_share
            ('FNA', 1, 0.0)

        """
        article, summary = report.article, report.summary
        outlet = article.meta.get("outlet")
        share = len(summary.attributed_sentences) / summary.n_sentences if summary.n_sentences else 0.0
        return cls(
            id=article.id,
            title=article.title,
            outlet=outlet.strip() if isinstance(outlet, str) and outlet.strip() else None,
            origin=article.origin,
            n_sentences=summary.n_sentences,
            n_words=summary.n_words,
            attributed_share=round(share, 4),
            n_attributions=summary.n_attributions,
            n_direct_quotes=len(summary.direct_quotes),
            n_without_source=len(summary.attributions_without_source),
            top_sources=tuple((c.source, c.count) for c in summary.sources[:TOP_SOURCES]),
            n_loaded_terms=len(report.loaded_terms) if "loaded_terms" in summary.layers else None,
            loaded_terms_per_100_words=summary.loaded_terms_per_100_words,
            n_techniques=len(report.techniques) if "techniques" in summary.layers else None,
            biased_share=_share_of(summary.biased_sentences, summary.n_sentences),
            n_unattributed_claims=len(summary.unattributed_claims),
            anonymous_source_share=summary.anonymous_source_share,
            n_relays=sum(g.count for g in summary.relays) if "source_profile" in summary.layers else None,
            n_distancing=len(report.distancing) if "distancing" in summary.layers else None,
            n_asymmetries=len(summary.asymmetries),
        )

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data (``top_sources`` as a list of ``[source, count]`` pairs)."""
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "origin": self.origin,
            "n_sentences": self.n_sentences,
            "n_words": self.n_words,
            "attributed_share": self.attributed_share,
            "n_attributions": self.n_attributions,
            "n_direct_quotes": self.n_direct_quotes,
            "n_without_source": self.n_without_source,
            "top_sources": [[source, count] for source, count in self.top_sources],
            "n_loaded_terms": self.n_loaded_terms,
            "loaded_terms_per_100_words": self.loaded_terms_per_100_words,
            "n_techniques": self.n_techniques,
            "biased_share": self.biased_share,
            "n_unattributed_claims": self.n_unattributed_claims,
            "anonymous_source_share": self.anonymous_source_share,
            "n_relays": self.n_relays,
            "n_distancing": self.n_distancing,
            "n_asymmetries": self.n_asymmetries,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndexRow:
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``TypeError``/``ValueError`` on bad data.

        The loaded-term, technique, bias, claim, profile, distancing and asymmetry fields may be missing
        (rows written before them).

        Example:
            >>> row = IndexRow("a", None, None, None, 3, 30, 0.3333, 1, 0, 0, (("Police", 1),))
            >>> IndexRow.from_dict(row.to_dict()) == row
            True

        """
        return cls(
            id=str(data["id"]),
            title=None if data["title"] is None else str(data["title"]),
            outlet=None if data["outlet"] is None else str(data["outlet"]),
            origin=None if data["origin"] is None else str(data["origin"]),
            n_sentences=int(data["n_sentences"]),
            n_words=int(data["n_words"]),
            attributed_share=float(data["attributed_share"]),
            n_attributions=int(data["n_attributions"]),
            n_direct_quotes=int(data["n_direct_quotes"]),
            n_without_source=int(data["n_without_source"]),
            top_sources=tuple((str(source), int(count)) for source, count in data["top_sources"]),
            n_loaded_terms=_optional(data.get("n_loaded_terms"), int),
            loaded_terms_per_100_words=_optional(data.get("loaded_terms_per_100_words"), float),
            n_techniques=_optional(data.get("n_techniques"), int),
            biased_share=_optional(data.get("biased_share"), float),
            n_unattributed_claims=_optional(data.get("n_unattributed_claims"), int),
            anonymous_source_share=_optional(data.get("anonymous_source_share"), float),
            n_relays=_optional(data.get("n_relays"), int),
            n_distancing=_optional(data.get("n_distancing"), int),
            n_asymmetries=_optional(data.get("n_asymmetries"), int),
        )


def _share_of(part: tuple[int, ...] | None, whole: int) -> float | None:
    if part is None:
        return None
    return round(len(part) / whole, 4) if whole else 0.0


def _optional(value: Any, kind: type[int] | type[float]) -> Any:
    return None if value is None else kind(value)


@dataclass(frozen=True, slots=True)
class OutletRow:
    """Articles of one outlet: how many, their mean attributed share, and their attributions in total.

    The means over the optional aggregates (anonymous-source share, loaded terms per 100 words) cover the
    articles that have them (``None`` when none has); ``unattributed_claims`` is a total (likewise).
    """

    outlet: str | None
    articles: int
    mean_attributed_share: float
    attributions: int
    unattributed_claims: int | None = None
    mean_anonymous_source_share: float | None = None
    mean_loaded_terms_per_100_words: float | None = None


def outlet_rows(rows: Iterable[IndexRow]) -> list[OutletRow]:
    """Group rows by outlet, largest outlet first; articles without an outlet come last (``outlet=None``).

    Example:
        >>> rows = [IndexRow(str(i), None, o, None, 2, 20, s, n, 0, 0) for i, (o, s, n) in
        ...         enumerate([("FNA", 0.5, 1), ("FNA", 1.0, 3), (None, 0.0, 0)])]
        >>> [(r.outlet, r.articles, r.mean_attributed_share, r.attributions) for r in outlet_rows(rows)]
        [('FNA', 2, 0.75, 4), (None, 1, 0.0, 0)]
        >>> outlet_rows(rows)[0].mean_anonymous_source_share is None
        True

    """
    groups: dict[str | None, list[IndexRow]] = {}
    for row in rows:
        groups.setdefault(row.outlet, []).append(row)
    table = [
        OutletRow(
            outlet=outlet,
            articles=len(members),
            mean_attributed_share=round(sum(m.attributed_share for m in members) / len(members), 4),
            attributions=sum(m.n_attributions for m in members),
            unattributed_claims=_total(m.n_unattributed_claims for m in members),
            mean_anonymous_source_share=_mean(m.anonymous_source_share for m in members),
            mean_loaded_terms_per_100_words=_mean(m.loaded_terms_per_100_words for m in members),
        )
        for outlet, members in groups.items()
    ]
    return sorted(table, key=lambda r: (r.outlet is None, -r.articles, r.outlet or ""))


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def _total(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _none(text: str = "none") -> str:
    return f'<span class="none">{text}</span>'


def _num(value: int) -> str:
    return f'<td class="num">{value}</td>'


def _share(value: float) -> str:
    return f'<td class="num" data-sort="{value:.4f}">{value:.1%}</td>'


def _table(table_id: str, head: Sequence[str], rows: Iterable[str]) -> str:
    cells = "".join(f'<th class="num">{h[1:]}</th>' if h.startswith("#") else f"<th>{h}</th>" for h in head)
    body = f'<table class="sortable" id="{table_id}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody>'
    body += "</table>"
    return f'<div class="scroll">{body}</div>'


#: Optional per-article columns: (IndexRow field, header); shown when any row has the field.
OPTIONAL_COLUMNS = (
    ("n_unattributed_claims", "#Unattributed claims"),
    ("anonymous_source_share", "#Anonymous sources"),
    ("n_relays", "#Relayed"),
    ("n_distancing", "#Distancing markers"),
    ("n_asymmetries", "#Asymmetries"),
    ("loaded_terms_per_100_words", "#Loaded terms / 100 words"),
    ("n_techniques", "#Techniques"),
    ("biased_share", "#Biased share"),
)


def _optional_cell(row: IndexRow, name: str) -> str:
    value = getattr(row, name)
    if value is None:
        return '<td class="num" data-sort="-1"><span class="none">n/a</span></td>'
    if name in ("biased_share", "anonymous_source_share"):
        return _share(value)
    if name == "loaded_terms_per_100_words":
        return f'<td class="num" data-sort="{value:.4f}" title="{row.n_loaded_terms} terms">{value:.2f}</td>'
    return _num(value)


def _article_row(row: IndexRow, href: str | None, optional: Sequence[str] = ()) -> str:
    name = escape(row.id)
    link = f'<a href="{escape(href)}">{name}</a>' if href else name
    sources = "; ".join(f"{escape(source)} ({count})" for source, count in row.top_sources)
    return (
        f'<tr><td data-sort="{name}" title="{escape(row.origin or "")}">{link}</td>'
        f"<td>{escape(row.title) if row.title else _none()}</td>"
        f"<td>{escape(row.outlet) if row.outlet else _none()}</td>"
        f"{_num(row.n_sentences)}{_share(row.attributed_share)}{_num(row.n_attributions)}"
        f"{_num(row.n_direct_quotes)}{_num(row.n_without_source)}"
        f"{''.join(_optional_cell(row, field) for field in optional)}<td>{sources or _none()}</td></tr>"
    )


#: Optional outlet columns: (OutletRow field, header); shown when any outlet has the field.
OUTLET_COLUMNS = (
    ("unattributed_claims", "#Unattributed claims"),
    ("mean_anonymous_source_share", "#Mean anonymous-source share"),
    ("mean_loaded_terms_per_100_words", "#Mean loaded terms / 100 words"),
)


def _outlet_row(row: OutletRow, optional: Sequence[str] = ()) -> str:
    name = escape(row.outlet) if row.outlet is not None else _none("no outlet")
    cells = ""
    for field in optional:
        value = getattr(row, field)
        if value is None:
            cells += '<td class="num" data-sort="-1"><span class="none">n/a</span></td>'
        elif field == "mean_anonymous_source_share":
            cells += _share(value)
        elif field == "mean_loaded_terms_per_100_words":
            cells += f'<td class="num" data-sort="{value:.4f}">{value:.2f}</td>'
        else:
            cells += _num(value)
    return (
        f"<tr><td>{name}</td>{_num(row.articles)}{_share(row.mean_attributed_share)}{_num(row.attributions)}"
        f"{cells}</tr>"
    )


def render_index(
    rows: Sequence[IndexRow], *, hrefs: Mapping[str, str] | None = None, title: str = "Attribution reports"
) -> str:
    """Render the corpus index as one self-contained, offline HTML page.

    Args:
        rows: One row per article, in the order to show.
        hrefs: Article id -> link to its report page (relative); ids without one are shown unlinked.
        title: Page heading.

    Returns:
        A complete HTML document with a table ``#articles`` (one row per article) and, when any row has an
        outlet, a table ``#outlets``.

    Example:
        >>> page = render_index([IndexRow("x", "<script>alert(1)</script>", None, None, 1, 5, 0.0, 0, 0, 0)])
        >>> "<script>alert(1)" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page, 'id="outlets"' in page
        (False, True, False)

    """
    hrefs = hrefs or {}
    n_attributions = sum(r.n_attributions for r in rows)
    n_sentences = sum(r.n_sentences for r in rows)
    optional = [(f, h) for f, h in OPTIONAL_COLUMNS if any(getattr(r, f) is not None for r in rows)]
    articles = _table(
        "articles",
        (
            "Article",
            "Title",
            "Outlet",
            "#Sentences",
            "#Attributed share",
            "#Attributions",
            "#Direct quotes",
            "#Without source",
            *(h for _, h in optional),
            "Top sources",
        ),
        (_article_row(row, hrefs.get(row.id), [f for f, _ in optional]) for row in rows),
    )
    outlets = ""
    if any(row.outlet for row in rows):
        grouped = outlet_rows(rows)
        shown = [(f, h) for f, h in OUTLET_COLUMNS if any(getattr(r, f) is not None for r in grouped)]
        outlet_table = _table(
            "outlets",
            ("Outlet", "#Articles", "#Mean attributed share", "#Attributions", *(h for _, h in shown)),
            (_outlet_row(row, [f for f, _ in shown]) for row in grouped),
        )
        outlets = f"<h2>Outlets</h2>\n{outlet_table}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_csp()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p class="meta">{len(rows)} article(s) · {n_sentences} sentences · {n_attributions} attributions ·
click a column header to sort</p>
{outlets}
<h2>Articles</h2>
{articles}
</main>
<script>{_JS}</script>
</body>
</html>
"""
