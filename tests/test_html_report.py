from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser_helpers import chromium_page

from attribution.aggregate import aggregate
from attribution.records import Article, ArticleReport, Attribution, Provenance, Sentence, Span
from attribution.report.html_report import render_html, segment_text

TEXT = (
    'A military source told FNA that heavy clashes are underway. "We will win," he said. The army set up checkpoints.'
)
PROVENANCE = Provenance("0.1.0", "test-tagger", "test-base-model", "1")


def span(text: str, label: str, piece: str, sentence_index: int, score: float = 0.9, occurrence: int = 0) -> Span:
    """The ``occurrence``-th whole-word match of ``piece`` in ``text`` as a Span."""
    pattern = (r"\b" if piece[0].isalnum() else "") + re.escape(piece) + (r"\b" if piece[-1].isalnum() else "")
    start = [m.start() for m in re.finditer(pattern, text)][occurrence]
    return Span(label, start, start + len(piece), piece, sentence_index, score)  # type: ignore[arg-type]


def sentences_of(text: str) -> list[Sentence]:
    out, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+|$", text):
        if match.start() > start:
            out.append(Sentence(len(out), start, match.start(), text[start : match.start()]))
        start = match.end()
    return out


def make_report(text: str = TEXT, title: str | None = "Clashes near the city", **article_kw) -> ArticleReport:
    sentences = sentences_of(text)
    attributions = []
    if "A military source told" in text:
        attributions.append(
            Attribution(
                cue=(span(text, "CUE", "told", 0, 0.97),),
                source=(span(text, "SOURCE", "A military source", 0, 0.95),),
                content=(span(text, "CONTENT", "heavy clashes are underway", 0, 0.88),),
                kind="indirect",
                sentence_index=0,
                score=0.93,
            )
        )
    if '"We will win," he said.' in text:
        attributions.append(
            Attribution(
                cue=(span(text, "CUE", "said", 1, 0.99),),
                source=(span(text, "SOURCE", "he", 1, 0.91),),
                content=(span(text, "CONTENT", '"We will win,"', 1, 0.96),),
                kind="direct",
                sentence_index=1,
                score=0.95,
            )
        )
    article = Article(id="fna-1", text=text, title=title, **article_kw)
    for s in sentences:
        assert text[s.start : s.end] == s.text
    for a in attributions:
        for piece in (*a.source, *a.cue, *a.content):
            assert text[piece.start : piece.end] == piece.text
    return aggregate(article, sentences, attributions, PROVENANCE)


XSS_TEXT = 'Officials said <script>alert(1)</script> and <img src=x onerror=alert(1)> were "fine". Then it ended.'


# --------------------------------------------------------------------------- fast tests (no browser)


def test_page_is_complete_and_highlights_all_roles() -> None:
    page = render_html(make_report())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for role in ("source", "cue", "content"):
        assert f"hl-{role}" in page
    assert len(re.findall(r'<span class="hl hl-cue[ "]', page)) == 2
    assert 'title="CUE of attribution #0 (score 0.97)"' in page
    assert "&quot;We will win,&quot;" in page  # escaped article text
    assert "Clashes near the city" in page
    assert "test-tagger" in page and "test-base-model" in page and "schema v1" in page


def test_tables_sentences_summary_sources_attributions() -> None:
    page = render_html(make_report())
    for i in range(3):
        assert f'id="s-{i}"' in page
    assert 'id="a-0"' in page and 'id="a-1"' in page
    assert '<a href="#s-1">1</a>' in page
    assert "0.97" in page and "1.00" in page  # sentence confidences, two decimals
    assert "2 (66.7%)" in page  # attributed sentences and share
    assert "Direct quotes" in page and "Attributions without source" in page
    assert "A military source" in page and ">direct<" in page and ">indirect<" in page


def test_excluded_ranges_are_greyed_out() -> None:
    text = TEXT + " Share on Facebook"
    report = make_report(text, excluded=((len(TEXT) + 1, len(text)),))
    page = render_html(report)
    assert re.search(r'<span class="excluded"[^>]*>Share on Facebook</span>', page)


def test_overlapping_spans_of_different_attributions() -> None:
    assert segment_text("abcdef", [(1, 4, "x"), (3, 5, "y"), (9, 12, "z"), (2, 2, "e")]) == [
        (0, 1, []),
        (1, 3, ["x"]),
        (3, 4, ["x", "y"]),
        (4, 5, ["y"]),
        (5, 6, []),
    ]
    report = make_report()
    extra = Attribution(
        cue=(span(TEXT, "CUE", "told", 0),),
        source=(span(TEXT, "SOURCE", "FNA", 0),),
        content=(span(TEXT, "CONTENT", "clashes are underway", 0),),
        kind="indirect",
        sentence_index=0,
        score=0.5,
    )
    report = aggregate(report.article, report.sentences, (*report.attributions, extra), PROVENANCE)
    page = render_html(report)
    assert re.search(r'class="hl hl-content a-0 a-2 hl-multi"[^>]*>clashes are underway<', page)
    assert re.search(r'class="hl hl-cue a-0 a-2 hl-multi"[^>]*>told<', page)
    # The article text survives the segmentation unchanged.
    shown = re.search(r'<div id="article-text">(.*?)</div>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", shown).replace("&quot;", '"') == TEXT


def test_article_content_is_escaped() -> None:
    report = make_report(
        XSS_TEXT,
        title="<script>alert('t')</script>",
        meta={"<b>outlet</b>": "<img src=x onerror=alert(2)>"},
        origin="<svg onload=alert(3)>",
    )
    quote = Attribution(
        cue=(span(XSS_TEXT, "CUE", "said", 0),),
        source=(span(XSS_TEXT, "SOURCE", "Officials", 0),),
        content=(span(XSS_TEXT, "CONTENT", "<script>alert(1)</script>", 0),),
        kind="indirect",
        sentence_index=0,
        score=0.8,
    )
    report = aggregate(report.article, report.sentences, [quote], PROVENANCE)
    page = render_html(report)
    lowered = page.lower()
    assert "<script>alert" not in lowered
    assert "<img" not in lowered and "<svg" not in lowered and "<b>outlet" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # Only the page's own script, plus the inert JSON data block of the review page.
    assert lowered.count("<script") == 2
    assert lowered.count("<script>") == 1 and lowered.count('<script type="application/json" id="review-data">') == 1


def test_no_external_resources_and_restrictive_csp() -> None:
    page = render_html(make_report(meta={"url": "https://example.com/a"}))
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page, re.I)
    assert "@import" not in page
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_report_without_attributions() -> None:
    report = aggregate(Article(id="empty", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [], PROVENANCE)
    page = render_html(report)
    assert "No attributions found." in page and "No attributed sources." in page
    assert "hl-cue a-" not in page


# --------------------------------------------------------------------------- browser tests


def _write(tmp_path: Path, report: ArticleReport) -> str:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path.resolve().as_uri()


@pytest.mark.browser
def test_browser_highlights_visible(tmp_path: Path) -> None:
    report = make_report()
    url = _write(tmp_path, report)
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(url)
        for role in ("source", "cue", "content"):
            assert page.locator(f"#article-text .hl-{role}").first.is_visible()
        n_cues = sum(len(a.cue) for a in report.attributions)
        assert page.locator("#article-text .hl-cue").count() == n_cues == 2
        # The page's own script runs under the CSP: hovering a cue focuses its attribution row.
        page.locator("#article-text .hl-cue").first.hover()
        assert "focus" in (page.locator("#a-0").get_attribute("class") or "")
        assert errors == []


@pytest.mark.browser
def test_browser_xss_does_not_run(tmp_path: Path) -> None:
    text = 'Police said <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned=2"> calm.'
    report = make_report(
        text, title="<script>window.__pwned = 3</script>", meta={"x": '<img src=x onerror="alert(4)">'}
    )
    url = _write(tmp_path, report)
    with chromium_page() as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("#article-text img, #article-text script, header img, header script").count() == 0
        assert "<script>window.__pwned = 1</script>" in page.locator("#article-text").inner_text()
        assert dialogs == []


@pytest.mark.browser
def test_browser_screenshot(tmp_path: Path) -> None:
    url = _write(tmp_path, make_report(excluded=((0, 0),)))
    shot = tmp_path / "report.png"
    started = time.perf_counter()
    with chromium_page(viewport={"width": 1200, "height": 900}) as page:
        page.goto(url)
        page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert time.perf_counter() - started < 60
