"""The HTML review page (accept / reject / relabel / add / export) and the Label Studio converter."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import chromium_page, require_browser
from test_html_report import TEXT, make_report

from attribution.annotations import AnnotationError, GoldAttribution, LabeledArticle, parse_record
from attribution.converters.labelstudio import (
    LABEL_CONFIG,
    labelstudio_record,
    labelstudio_task,
    read_labelstudio,
    write_labelstudio,
)
from attribution.records import ArticleReport
from attribution.report.html_report import render_html
from attribution.report.json_report import report_to_annotation
from attribution.training import TrainingConfig, load_labeled

# A CR LF and an astral character (two UTF-16 units, one Python character) before the unlabeled attribution,
# so a DOM-offset or UTF-16 slip shows up as shifted offsets.
REVIEW_TEXT = TEXT + "\r\n\U0001f4f7 Residents said the road was closed."


def _write(tmp_path: Path, report: ArticleReport) -> str:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path.resolve().as_uri()


def _data_block(page_html: str) -> str:
    match = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page_html, re.S)
    assert match is not None
    return match.group(1)


# --------------------------------------------------------------------------- fast tests: the rendered page


class _Segments(HTMLParser):
    """Collects the text inside every element with ``data-start`` (nested elements included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict[str, Any] | None] = []
        self.segments: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-start" in found:
            segment = {"start": int(found["data-start"] or 0), "end": int(found["data-end"] or 0), "text": ""}
            self.segments.append(segment)
            self.stack.append(segment)
        else:
            self.stack.append(None)

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for segment in self.stack:
            if segment is not None:
                segment["text"] += data


def test_segments_carry_exact_offsets() -> None:
    text = REVIEW_TEXT + " <b>a & b</b>\x00 end"
    page = render_html(make_report(text))
    shown = re.search(r'<div id="article-text">(.*?)</div>', page, re.S).group(1)
    parser = _Segments()
    parser.feed(shown)
    segments = parser.segments
    assert segments[0]["start"] == 0 and segments[-1]["end"] == len(text)
    outer = [s for s in segments if s["end"] > s["start"]]
    for before, after in zip(outer, outer[1:], strict=False):
        assert before["end"] == after["start"]  # contiguous, no gaps or overlaps
    for segment in outer:
        # The DOM keeps every character (CR as &#13;); NUL, which HTML drops, is shown as U+FFFD.
        assert segment["text"] == text[segment["start"] : segment["end"]].replace("\x00", "\ufffd")
    assert "&#13;" in shown and "\r" not in shown


def test_data_block_is_inert_and_exact() -> None:
    text = TEXT + ' </script><script>window.__pwned=1</script> and <!-- x --> & "fine".'
    page = render_html(make_report(text, meta={"outlet": "</script>"}))
    block = _data_block(page)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert data["text"] == text and data["meta"] == {"outlet": "</script>"}
    told = text.index("told")
    assert data["attributions"][0]["cue"] == [[told, told + 4]] and len(data["attributions"]) == 2
    assert len(data["source_types"]) == 12 and len(data["stances"]) == 5


def test_csp_pins_the_inline_script() -> None:
    page = render_html(make_report())
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode("ascii")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert f"script-src 'sha256-{digest}';" in csp
    assert re.search(r'<section id="review" class="card review-bar" aria-label="Review" hidden>', page)


# --------------------------------------------------------------------------- browser tests

# Selects article (or other) text by needles: each end is (root selector, needle, characters past the match
# start); the anchor is the first end, so a backwards selection just swaps them. The text nodes are found by
# searching the DOM, independently of the page's own data-start mapping.
SELECT_JS = """([anchor, focus]) => {
  function point([rootSelector, needle, delta]) {
    const walker = document.createTreeWalker(document.querySelector(rootSelector), NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.data.indexOf(needle);
      if (at >= 0) { return [node, at + delta]; }
    }
    throw new Error('not found: ' + needle);
  }
  const a = point(anchor), f = point(focus);
  window.getSelection().setBaseAndExtent(a[0], a[1], f[0], f[1]);
  return window.getSelection().toString();
}"""


def _select(page: Any, anchor: tuple[str, str, int], focus: tuple[str, str, int]) -> str:
    return str(page.evaluate(SELECT_JS, [list(anchor), list(focus)]))


def _download(page: Any, button: str) -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def _watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.mark.browser
def test_review_and_export(tmp_path: Path) -> None:
    text = REVIEW_TEXT
    report = make_report(text)
    url = _write(tmp_path, report)
    art = "#article-text"
    with chromium_page(viewport={"width": 1200, "height": 900}) as page:
        errors = _watch_errors(page)
        page.goto(url)
        assert page.locator("#review").is_visible()

        # Reject the second attribution ("he said") in its table row.
        page.locator("#a-1 button.reject").click()
        assert page.locator("#a-1 button.reject").get_attribute("aria-pressed") == "true"
        assert "rv-off" in (page.locator("#article-text .a-1").first.get_attribute("class") or "")

        # Pick the first one by clicking its highlighted source; relabel it in the review bar and in its row.
        page.locator("#article-text .hl-source.a-0").click()
        assert "Editing attribution #0" in page.locator("#review-panel").inner_text()
        page.locator("#review-panel select.source-type").select_option("military")
        assert page.locator("#a-0 select.source-type").input_value() == "military"  # row and bar stay in sync
        page.locator("#a-0 select.stance").select_option("neutral")
        page.locator("#a-0 select.anonymous").select_option("true")

        # Move its content with a backwards selection that starts in plain text and ends inside a highlight.
        chosen = _select(page, (art, "heavy clashes", len("heavy clashes")), (art, "FNA that", 0))
        assert chosen == "FNA that heavy clashes"
        page.locator("#set-content").click()
        assert page.locator("#review-message").inner_text().startswith("Set the content of attribution #0")

        # Add the missing attribution after the CR LF and the emoji: cue, then source, then content.
        assert _select(page, (art, "said the road", 0), (art, "said the road", 4)) == "said"
        page.locator("#add-cue").click()
        assert page.locator("tr.added").count() == 1
        assert "Editing attribution new 1" in page.locator("#review-panel").inner_text()
        _select(page, (art, "Residents", 0), (art, "Residents", len("Residents ")))  # trailing space is trimmed
        page.locator("#set-source").click()
        _select(page, (art, "the road was closed", 19), (art, "the road was closed", 0))
        page.locator("#set-content").click()
        assert "the road was closed" in page.locator("tr.added td[data-role=content]").inner_text()

        jsonl = _download(page, "#export-jsonl")
        assert "Exported 2 attribution(s)" in page.locator("#review-message").inner_text()
        labelstudio = _download(page, "#export-labelstudio")
        page.screenshot(path=str(tmp_path / "review.png"))
        assert errors == []

    assert jsonl.endswith("\n") and jsonl.count("\n") == 1
    record = parse_record(jsonl, where="export:1")
    assert record.id == "fna-1" and record.text == text
    assert record.layers == ("attributions", "source_profile")
    assert record.extra["review"]["rejected"] == 1 and record.extra["review"]["added"] == 1
    first, added = record.attributions
    said = [m.start() for m in re.finditer("said", text)]
    assert all(a.cue != ((said[0], said[0] + 4),) for a in record.attributions)  # "he said" was rejected
    assert first.cue == ((text.index("told"), text.index("told") + 4),)
    assert (first.source_type, first.stance, first.anonymous) == ("military", "neutral", True)
    ((start, end),) = first.content
    assert text[start:end] == "FNA that heavy clashes" and start == text.index("FNA that")

    def sliced(fragments: tuple[tuple[int, int], ...]) -> list[str]:
        return [text[s:e] for s, e in fragments]

    assert added.cue == ((said[1], said[1] + 4),) and sliced(added.cue) == ["said"]
    assert added.source == ((text.index("Residents"), text.index("Residents") + 9),)
    assert sliced(added.source) == ["Residents"] and sliced(added.content) == ["the road was closed"]
    assert (added.source_type, added.anonymous, added.stance) == (None, None, None)

    # The Label Studio export reads back to the same attributions, and matches the Python writer exactly.
    (path := tmp_path / "export.json").write_text(labelstudio, encoding="utf-8")
    (back,) = read_labelstudio(path)
    assert back.id == record.id and back.text == text and back.layers == record.layers
    assert set(back.attributions) == set(record.attributions)
    assert json.loads(labelstudio) == [labelstudio_task(record)]


@pytest.mark.browser
def test_review_rejects_bad_selections(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect

    url = _write(tmp_path, make_report(REVIEW_TEXT))
    message = "#review-message"
    with chromium_page() as page:
        errors = _watch_errors(page)
        page.goto(url)
        page.locator("#add-cue").click()  # nothing selected
        assert page.locator(message).inner_text() == "Select some article text first."
        assert "error" in (page.locator(message).get_attribute("class") or "")

        # A selection from the article into the page header crosses outside the article text.
        _select(page, ("#article-text", "Residents", 0), ("header h1", "Clashes", 3))
        expect(page.locator("#review-selection")).to_have_text("outside the article")
        page.locator("#add-cue").click()
        assert page.locator(message).is_visible()
        assert "runs outside the article text" in page.locator(message).inner_text()
        assert page.locator("tr.added").count() == 0

        # Set source needs an attribution being edited; white space alone is no selection.
        _select(page, ("#article-text", "Residents", 0), ("#article-text", "Residents", 9))
        page.locator("#set-source").click()
        assert "Pick the attribution to change first" in page.locator(message).inner_text()
        _select(page, ("#article-text", " Residents", 0), ("#article-text", " Residents", 1))
        page.locator("#add-cue").click()
        assert "only white space" in page.locator(message).inner_text()
        assert page.locator("tr.added").count() == 0
        # Unedited, the export holds the model's attributions as they were, without the profile layer.
        record = parse_record(_download(page, "#export-jsonl"), where="export:1")
        assert errors == []
    assert record.layers == ("attributions",)
    assert record.attributions == report_to_annotation(make_report(REVIEW_TEXT)).attributions


@pytest.mark.browser
def test_review_page_xss_does_not_run_and_text_survives(tmp_path: Path) -> None:
    text = 'Police said </script><script>window.__pwned=1</script> calm <img src=x onerror="window.__pwned=2"> & ok.'
    report = make_report(text, title="</script><script>window.__pwned=3</script>", meta={"x": "</script>"})
    url = _write(tmp_path, report)
    with chromium_page() as page:
        errors = _watch_errors(page)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("#review").is_visible()  # the page's own script ran under the CSP
        assert (
            page.locator("script").count() == 2 and page.locator("#article-text script, #article-text img").count() == 0
        )
        # No model attributions: the table is hidden until the reviewer adds one.
        assert page.locator("table.attributions").is_hidden() and page.locator("#no-attributions").is_visible()
        _select(page, ("#article-text", "said", 0), ("#article-text", "said", 4))
        page.locator("#add-cue").click()
        assert page.locator("table.attributions").is_visible() and page.locator("#no-attributions").is_hidden()
        record = parse_record(_download(page, "#export-jsonl"), where="export:1")
        assert errors == [] and dialogs == []
    assert record.text == text and record.extra["meta"] == {"x": "</script>"}
    assert record.attributions == (GoldAttribution(cue=((7, 11),)),)


# --------------------------------------------------------------------------- Label Studio converter


def _record() -> LabeledArticle:
    text = 'Officials said, "We will win," adding that "the road is closed." It was reported that it rained.'
    said, adding, reported = text.index("said"), text.index("adding"), text.index("reported")
    officials = (0, 9)
    return LabeledArticle(
        id="ls-1",
        text=text,
        layers=("attributions", "source_profile"),
        attributions=(
            GoldAttribution(
                cue=((said, said + 4),),
                source=(officials,),
                content=((16, 29),),
                source_type="government",
                anonymous=True,
                stance="neutral",
            ),
            # A discontinuous cue and content, and the same source as the first one.
            GoldAttribution(
                cue=((adding, adding + 6), (adding + 7, adding + 11)),
                source=(officials,),
                content=((43, 52), (53, 64)),
                source_type="government",
            ),
            GoldAttribution(cue=((reported, reported + 8),), content=((text.index("that it"), len(text) - 1),)),
        ),
        extra={"meta": {"outlet": "X"}},
    )


def test_labelstudio_round_trip(tmp_path: Path) -> None:
    record = _record()
    path = tmp_path / "tasks.json"
    assert write_labelstudio([record, LabeledArticle("empty", "Nothing.", ())], path) == 2
    tasks = json.loads(path.read_text(encoding="utf-8"))
    result = tasks[0]["annotations"][0]["result"]
    for item in result:
        if item["type"] == "labels":
            value = item["value"]
            assert record.text[value["start"] : value["end"]] == value["text"]
            assert item["from_name"] == "label" and item["to_name"] == "text" and len(value["labels"]) == 1
    relations = [item for item in result if item["type"] == "relation"]
    assert {"type": "relation", "from_id": "a1-cue0", "to_id": "a1-cue1", "direction": "right"} in relations
    assert all(r["from_id"].endswith("-cue0") and r["direction"] == "right" for r in relations)
    assert tasks[1] == {"data": {"text": "Nothing.", "id": "empty"}, "annotations": []}
    back, empty = read_labelstudio(path)
    assert back == record
    assert empty.layers == () and empty.attributions == ()
    assert load_labeled([path], "labelstudio")[0] == record
    assert TrainingConfig(train_data=[str(path)], out="x", data_format="labelstudio").data_format == "labelstudio"
    assert 'name="source_type"' in LABEL_CONFIG and '<Label value="Cue"' in LABEL_CONFIG


def test_labelstudio_reads_label_studio_style_exports() -> None:
    text = "Police said roads were closed."
    region = {"from_name": "label", "to_name": "text", "type": "labels"}
    task = {
        "id": 41,
        "data": {"text": text},
        "annotations": [
            {"was_cancelled": True, "result": []},
            {
                "result": [
                    {**region, "id": "X1", "value": {"start": 7, "end": 11, "text": "said", "labels": ["Cue"]}},
                    {**region, "id": "X2", "value": {"start": 0, "end": 6, "labels": ["source"]}},
                    {**region, "id": "X3", "value": {"start": 12, "end": 29, "labels": ["Content"]}},
                    {**region, "id": "X4", "value": {"start": 0, "end": 6, "labels": ["Cue"]}},  # cue alone
                    {"type": "relation", "from_id": "X2", "to_id": "X1", "direction": "left"},
                    {"type": "relation", "from_id": "X1", "to_id": "X3", "direction": "bi", "labels": []},
                    {"type": "choices", "from_name": "sentiment", "to_name": "text", "value": {"choices": ["x"]}},
                ]
            },
        ],
    }
    record = labelstudio_record(task, where="inline: task 0")
    assert record.id == "41" and record.layers == ("attributions",)
    assert record.attributions == (
        GoldAttribution(cue=((0, 6),)),
        GoldAttribution(cue=((7, 11),), source=((0, 6),), content=((12, 29),)),
    )


def _task(*result: dict[str, Any], text: str = "Police said roads were closed.") -> dict[str, Any]:
    return {"data": {"text": text, "id": "t1"}, "annotations": [{"result": list(result)}]}


def _region(region_id: str, label: str, start: int, end: int, **value: Any) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "labels": [label], **value},
    }


CUE = _region("c", "Cue", 7, 11)


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        (
            [_task(CUE, _region("s", "Source", 0, 6))],
            r"task 0 \(id 't1'\): region 's' \(source \[0, 6\]\) is not related",
        ),
        (
            [_task(), _task(_region("c", "Cue", 7, 99))],
            r"task 1 \(id 't1'\): field 'annotations\[0\]\.result\[0\]\.value': \[7, 99\] is outside the text",
        ),
        (
            [_task(_region("c", "Cue", 7, 11, text="sai"))],
            r"field 'annotations\[0\]\.result\[0\]\.value\.text' is 'sai' but text\[7:11\] is 'said'",
        ),
        ([_task(_region("c", "Person", 0, 6))], r"field 'annotations\[0\]\.result\[0\]\.value\.labels' must be one of"),
        (
            [
                _task(
                    _region("s", "Source", 0, 6),
                    _region("t", "Content", 12, 29),
                    {"type": "relation", "from_id": "s", "to_id": "t"},
                )
            ],
            r"relation 's' -> 't' links a source to a content",
        ),
        (
            [_task(CUE, {"type": "relation", "from_id": "c", "to_id": "zz"})],
            r"'annotations\[0\]\.result\[1\]\.to_id': no .* id 'zz'",
        ),
        ([_task(CUE, CUE)], r"region id 'c' is used twice"),
        (
            [_task(CUE, {"id": "c", "type": "choices", "from_name": "anonymous", "value": {"choices": ["maybe"]}})],
            r"must be 'true' or 'false' for anonymous",
        ),
        ([{"data": {"id": "t1"}}], r"task 0: field 'data.text' must be a string"),
        ([{"data": {"text": "x"}}], r"task 0: field 'data.id' \(or the task's 'id'\)"),
        (
            [{"data": {"text": "x", "id": "t"}, "annotations": [{"result": {}}]}],
            r"field 'annotations\[0\]\.result' must be a list",
        ),
        ({"not": "a task"}, r"task 0: field 'data' must be an object"),
        ("just a string", r"expected a list of Label Studio tasks, got str"),
    ],
)
def test_labelstudio_errors_name_file_task_and_field(tmp_path: Path, tasks: Any, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        list(read_labelstudio(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert re.search(expected, message), message


def test_labelstudio_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"data": ', encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"broken\.json: not valid JSON \(Expecting value at line 1"):
        list(read_labelstudio(path))
