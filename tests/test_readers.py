"""Tests for attribution.readers: txt / html / jsonl / directory inputs, bad inputs, boilerplate."""

from __future__ import annotations

import doctest
import json
import logging
import pickle
from pathlib import Path

import pytest

from attribution import readers
from attribution.readers import InputError, find_boilerplate, read_inputs, read_text_article, title_line
from attribution.records import Article

INPUTS = Path(__file__).parent / "data" / "inputs"
BODY = "Army units pulled back from the river crossing on Tuesday, a regional commander said."


def _write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _one(paths, **kwargs):
    items = list(read_inputs(paths, **kwargs))
    assert len(items) == 1, items
    return items[0]


def _assert_error(item, origin: str, problem: str) -> None:
    assert isinstance(item, InputError), item
    message = str(item)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"{origin}: "), message
    assert problem in message, message


# ----------------------------------------------------------------------------- txt


def test_txt_article_keeps_text_exactly(tmp_path: Path) -> None:
    text = 'Troops left\n\n  the town,\r\n"a source said.\n\n\n'
    path = _write(tmp_path / "news" / "story-1.txt", text)
    article = _one([path])
    assert isinstance(article, Article)
    assert article.id == "story-1"
    assert article.text == text
    assert article.origin == str(path)
    assert article.meta == {"format": "txt"}


def test_txt_drops_leading_bom_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.txt", "\ufeffHeadline\n\nBody text \ufeff here.")
    article = _one([path])
    assert article.text == "Headline\n\nBody text \ufeff here."
    assert article.title == "Headline"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Troops withdraw\n\n" + BODY, "Troops withdraw"),
        ("\n\n   Troops withdraw   \n\n" + BODY, "Troops withdraw"),
        ("Troops withdraw\r\n\r\n" + BODY, "Troops withdraw"),
        ("Troops withdraw\n   \n" + BODY, "Troops withdraw"),
        (BODY, None),  # a single line is the body, not a title
        ("Troops withdraw\n" + BODY + "\n\nMore text.", None),  # not followed by a blank line
        ("Troops withdraw\n", None),  # nothing after it
        ("Troops withdraw\n\n  \n", None),  # only blank lines after it
        ("x" * 200 + "\n\n" + BODY, None),  # too long for a title
        ("x" * 199 + "\n\n" + BODY, "x" * 199),
        ("Share this article\n\n" + BODY, None),  # boilerplate is never the title
    ],
)
def test_txt_title_detection(tmp_path: Path, text: str, title: str | None) -> None:
    article = _one([_write(tmp_path / "a.txt", text)])
    assert article.title == title
    assert article.text == text


def test_unpaired_quotes_are_fine(tmp_path: Path) -> None:
    text = 'The minister said "the bridge will reopen.\nA witness said it was \u201cunsafe.\nHe said \u2018no'
    article = _one([_write(tmp_path / "quotes.txt", text)])
    assert isinstance(article, Article)
    assert article.text == text
    assert article.excluded == ()


# ----------------------------------------------------------------------------- directories


def test_directory_is_expanded_recursively_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "batch"
    _write(root / "b.txt", "Second " + BODY)
    _write(root / "a" / "z.txt", "First " + BODY)
    _write(root / "a" / "deeper" / "items.jsonl", json.dumps({"id": "j1", "text": BODY}) + "\n")
    _write(root / "c" / "page.HTML", (INPUTS / "article_page.html").read_bytes())
    _write(root / "notes.md", "# not an input")
    _write(root / "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    _write(root / ".hidden.txt", BODY)
    _write(root / ".cache" / "x.txt", BODY)

    items = list(read_inputs([root]))
    assert all(isinstance(item, Article) for item in items), items
    assert [item.origin for item in items] == [
        str(root / "a" / "deeper" / "items.jsonl") + ":1",
        str(root / "a" / "z.txt"),
        str(root / "b.txt"),
        str(root / "c" / "page.HTML"),
    ]
    assert [item.id for item in items] == ["j1", "z", "b", "page"]


def test_inputs_come_in_the_given_order_and_errors_do_not_stop_the_run(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", BODY)
    empty = _write(tmp_path / "empty.txt", b"")
    items = list(read_inputs([str(empty), tmp_path / "missing.txt", good]))
    _assert_error(items[0], str(empty), "empty file")
    _assert_error(items[1], str(tmp_path / "missing.txt"), "no such file or directory")
    assert isinstance(items[2], Article) and items[2].id == "good"


def test_a_single_path_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.txt", BODY)
    assert _one(str(path)).id == "one"
    assert _one(path).id == "one"


# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("name", "content", "max_bytes", "problem"),
    [
        ("empty.txt", b"", None, "empty file"),
        ("blank.txt", b"  \n\t\r\n  ", None, "only whitespace"),
        ("bom-only.txt", "\ufeff\n".encode(), None, "only whitespace"),
        ("nul.txt", b"Troops left\x00\x00\x01the town", None, "binary content (NUL byte at offset 11)"),
        ("control.txt", b"\x01\x02\x03\x04ab\x05\x06cd\x07\x08", None, "binary content"),
        ("latin1.txt", b"caf\xe9", None, "not UTF-8 text (invalid byte 0xe9 at offset 3)"),
        ("utf16.txt", "Troops left.".encode("utf-16"), None, "not UTF-8 text (starts with a UTF-16 byte-order mark)"),
        ("big.txt", BODY.encode(), 20, f"too large ({len(BODY)} bytes; the limit is 20)"),
        ("empty.html", b"", None, "empty file"),
        ("nul.html", b"<html><body>\x00\x00</body></html>", None, "binary content"),
        ("latin1.html", b"<html><body><p>caf\xe9</p></body></html>", None, "not UTF-8 text (invalid byte 0xe9"),
        ("big.htm", b"<p>" + BODY.encode() + b"</p>", 20, "too large"),
        ("notes.docx", b"PK\x03\x04", None, "unsupported file type '.docx'; expected .txt, .html, .htm or .jsonl"),
        ("README", BODY.encode(), None, "unsupported file type (no suffix)"),
        ("nul.jsonl", b'{"id": "a", "text": "b\x00"}\n', None, "binary content"),
    ],
)
def test_bad_file_gives_one_line_error(
    tmp_path: Path, name: str, content: bytes, max_bytes: int | None, problem: str
) -> None:
    path = _write(tmp_path / name, content)
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    _assert_error(_one([path], **kwargs), str(path), problem)


def test_size_limit_is_inclusive(tmp_path: Path) -> None:
    path = _write(tmp_path / "exact.txt", BODY)
    assert isinstance(_one([path], max_bytes=len(BODY)), Article)


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "a.txt"
    _assert_error(_one([missing]), str(missing), "no such file or directory")
    folder = tmp_path / "empty-dir"
    _write(folder / "notes.md", "not an input")
    _assert_error(_one([folder]), str(folder), "no .txt, .html, .htm or .jsonl files in this directory")


def test_bad_file_inside_directory_names_its_own_path(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", BODY)
    bad = _write(tmp_path / "b.txt", b"caf\xe9")
    items = list(read_inputs([tmp_path]))
    assert isinstance(items[0], Article)
    _assert_error(items[1], str(bad), "not UTF-8")


def test_unreadable_file_gives_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "locked.txt", BODY)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    _assert_error(_one([path]), str(path), "cannot read (Permission denied)")


def test_input_error_is_a_value_error_and_survives_pickling() -> None:
    error = InputError("news/a.txt", "empty file")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.origin, copy.problem) == ("news/a.txt: empty file", "news/a.txt", "empty file")


def test_input_error_message_stays_on_one_line() -> None:
    error = InputError("odd\nname.txt", "bad\nthing\u2028here")
    assert str(error) == "odd\\nname.txt: bad thing here"
    assert len(str(error).splitlines()) == 1


# ----------------------------------------------------------------------------- jsonl

GOOD_1 = {"id": "a1", "text": BODY}
GOOD_2 = {"id": "a2", "text": 'Residents said "the water rose.', "title": "Flood", "meta": {"outlet": "Ledger"}}
GOOD_3 = {"id": "a3", "text": "Advertisement\n" + BODY}
JSONL_LINES: list[bytes] = [
    json.dumps(GOOD_1).encode(),  # 1
    b"",  # 2 blank
    b"   \t",  # 3 blank
    b"{not json",  # 4
    b"[1, 2]",  # 5
    json.dumps({"text": BODY}).encode(),  # 6
    json.dumps({"id": 7, "text": BODY}).encode(),  # 7
    json.dumps({"id": "x", "text": ["no"]}).encode(),  # 8
    json.dumps({"id": "x", "text": "  \n"}).encode(),  # 9
    json.dumps({"id": "x", "text": BODY, "meta": [1]}).encode(),  # 10
    json.dumps(GOOD_2).encode(),  # 11
    json.dumps({"id": "a1", "text": "Again."}).encode(),  # 12 duplicate of line 1
    b'{"id": "x", "text": "caf\xe9"}',  # 13
    json.dumps({"id": "x", "text": BODY, "title": 3}).encode(),  # 14
    json.dumps({"id": "", "text": BODY}).encode(),  # 15
    b'"just a string"',  # 16
    json.dumps(GOOD_3).encode(),  # 17
]
JSONL_ERRORS = {
    4: "not JSON (Expecting property name enclosed in double quotes at column 2)",
    5: "not a JSON object (got an array)",
    6: "missing 'id'",
    7: "'id' must be a string (got a number)",
    8: "'text' must be a string (got an array)",
    9: "empty 'text'",
    10: "'meta' must be an object (got an array)",
    12: "duplicate id 'a1' (first on line 1)",
    13: "not UTF-8 text (invalid byte 0xe9 at column 25)",
    14: "'title' must be a string (got a number)",
    15: "empty 'id'",
    16: "not a JSON object (got a string)",
}


@pytest.fixture
def mixed_jsonl(tmp_path: Path) -> Path:
    return _write(tmp_path / "batch.jsonl", b"\n".join(JSONL_LINES) + b"\n")


def test_jsonl_good_lines_come_through_in_order(mixed_jsonl: Path) -> None:
    items = list(read_inputs([mixed_jsonl]))
    articles = [item for item in items if isinstance(item, Article)]
    assert [(a.id, a.origin) for a in articles] == [
        ("a1", f"{mixed_jsonl}:1"),
        ("a2", f"{mixed_jsonl}:11"),
        ("a3", f"{mixed_jsonl}:17"),
    ]
    assert articles[1].text == GOOD_2["text"]
    assert articles[1].title == "Flood"
    assert articles[1].meta == {"outlet": "Ledger"}
    assert articles[2].excluded == ((0, len("Advertisement")),)
    # errors and articles interleave in line order
    lines = [int(str(item.origin if isinstance(item, Article) else item.origin).rsplit(":", 1)[1]) for item in items]
    assert lines == sorted(lines) == [1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]


@pytest.mark.parametrize(("line", "problem"), sorted(JSONL_ERRORS.items()))
def test_jsonl_bad_line_names_path_and_line(mixed_jsonl: Path, line: int, problem: str) -> None:
    errors = {int(e.origin.rsplit(":", 1)[1]): e for e in read_inputs([mixed_jsonl]) if isinstance(e, InputError)}
    assert sorted(errors) == sorted(JSONL_ERRORS)
    _assert_error(errors[line], f"{mixed_jsonl}:{line}", problem)
    assert errors[line].problem == problem


def test_jsonl_bom_crlf_and_line_limit(tmp_path: Path) -> None:
    long = {"id": "long", "text": "x" * 500}
    content = (
        "\ufeff" + json.dumps(GOOD_1) + "\r\n" + json.dumps(long) + "\r\n" + json.dumps({"id": "b", "text": "Ok."})
    )
    path = _write(tmp_path / "crlf.jsonl", content)
    items = list(read_inputs([path], max_bytes=200))
    assert isinstance(items[0], Article) and items[0].text == BODY
    _assert_error(items[1], f"{path}:2", "line too large")
    assert isinstance(items[2], Article) and items[2].id == "b"


def test_jsonl_meta_is_copied_not_shared(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.jsonl", json.dumps({"id": "m", "text": BODY, "meta": {"k": [1]}}))
    article = _one([path])
    assert article.meta == {"k": [1]}
    assert article.title is None


# ----------------------------------------------------------------------------- html

NAV_WORDS = ["Home", "Markets", "Weather", "Subscribe", "Log in", "Privacy policy", "Contact us", "Most read", "©"]


def test_html_page_keeps_article_and_drops_navigation() -> None:
    path = INPUTS / "article_page.html"
    article = _one([path])
    assert isinstance(article, Article)
    assert article.id == "article_page"
    assert article.origin == str(path)
    assert "Army units pulled back from the river crossing on Tuesday" in article.text
    assert '"The bridge is no longer safe for heavy vehicles," the commander said' in article.text
    assert "Farmers on the eastern bank said" in article.text
    for word in NAV_WORDS:
        assert word not in article.text, word
    assert article.title == "Troops pull back from river crossing"
    assert article.meta["format"] == "html"
    assert article.meta["title"] == article.title
    assert article.meta["date"] == "2024-03-05"
    assert article.meta["url"] == "https://ledger.example.org/world/river-crossing"
    # boilerplate that trafilatura kept inside the <article> is excluded, offsets index the extracted text
    assert [article.text[s:e] for s, e in article.excluded] == ["Share this article"]


PARAS = [
    "Government troops withdrew from the border town on Tuesday, a military source told reporters.",
    "Residents said the streets were quiet for the first time in weeks, and shops began to reopen.",
    'The ministry said in a statement that the redeployment was "complete',
]


@pytest.mark.parametrize(
    "html",
    [
        # unclosed <p>, <b>, <i> and no closing </body></html>
        "<html><body><article><h1>Border town<p>{0}<p><b>{1}<p><i>{2}</article>",
        # stray closing tags and an unterminated attribute quote at the end
        "<html><head><title>Border town</title><body><div><p>{0}</p></span><p>{1}</p></em><p>{2}</p></div><a href='x",
    ],
)
def test_broken_html_is_still_read(tmp_path: Path, html: str) -> None:
    path = _write(tmp_path / "broken.html", html.format(*PARAS))
    article = _one([path])
    assert isinstance(article, Article), article
    for para in PARAS:
        assert para in article.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Nothing here</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> | <a href='/w'>World</a></nav></body></html>",
        "<html><body>   </body></html>",
        "<!-- just a comment -->",
    ],
)
def test_html_without_article_text_is_an_error(tmp_path: Path, html: str, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path / "page.html", html)
    with caplog.at_level(logging.DEBUG):
        item = _one([path])
    _assert_error(item, str(path), "no article text found in the HTML")
    assert not [r for r in caplog.records if r.name.startswith(("trafilatura", "htmldate", "courlan"))]


def test_html_parser_failure_becomes_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def explode(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bad\ntree")

    monkeypatch.setattr(trafilatura, "extract", explode)
    path = _write(tmp_path / "x.html", f"<p>{BODY}</p>")
    _assert_error(_one([path]), str(path), "HTML could not be parsed (RuntimeError: bad tree)")


def test_html_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="windows-1252"></head><body><article><p>{PARAS[0]} Caf\xe9 owners said so.</p>'
    path = _write(tmp_path / "legacy.htm", html.encode("cp1252"))
    article = _one([path])
    assert isinstance(article, Article), article
    assert "Caf\u00e9 owners said so." in article.text


# ----------------------------------------------------------------------------- boilerplate

BOILERPLATE_LINES = [
    "Share this article",
    "Share",
    "Share on Facebook",
    "Share this story on WhatsApp",
    "Tweet",
    "Facebook Twitter WhatsApp Email",
    "Facebook | Twitter | Copy link",
    "Share on X",
    "Facebook, X, Email",
    "Back to top",
    "Skip to main content",
    "Read more",
    "Read more: Troops pull back from river crossing",
    "READ MORE: Farmers count the cost of the floods",
    "Related:",
    "RELATED",
    "RELATED Harbour fees rise again",
    "Related stories",
    "See also: Harbour fees rise again",
    "Advertisement",
    "ADVERTISEMENT",
    "Advertisement - Scroll to continue",
    "Story continues below advertisement",
    "Subscribe",
    "Subscribe now",
    "Sign up for our newsletter",
    "Sign up to our free Morning Briefing newsletter here.",
    "Click here to read the full report",
    "Click here",
    "Follow us on Twitter",
    "Follow us on social media for the latest updates",
    "Follow Mara Lind on X @maralind",
    "All rights reserved",
    "The Example Ledger. All rights reserved.",
    "© 2024 The Example Ledger",
    "© 2024 Example News. All rights reserved.",
    "Copyright © 2024 The Associated Press.",
    "Copyright 2023 Reuters",
    "Photo: AFP",
    "Photo: Mara Lind/Reuters",
    "PHOTO: Handout",
    "Photograph: Sean Smith/The Guardian",
    "Photo credit: Jane Doe",
    "Image: Getty",
    "(Photo by John Smith/AFP)",
    "(Photo: Reuters)",
    "(File photo)",
    "Photo by Jane Doe/AFP",
    "Image copyright Getty Images",
    "Getty Images",
    "Chip Somodevilla/Getty Images",
    "AFP via Getty Images",
    "(Getty Images)",
    "File photo",
    "FILE PHOTO: A view shows the river crossing near the town, March 5, 2024. REUTERS/Mara Lind/File Photo",
    "REUTERS/Mara Lind",
    "(AP Photo/Mara Lind)",
    "(Reporting by Mara Lind; Editing by Tom Hale)",
    "Home | World | Business | Sport",
    "News • Sport • Weather",
    "| Home | Local news | Contact us |",
]

NEWS_LINES = [
    "Officials said the photo showed troops.",
    "He told reporters to read more about it later.",
    "Read more about the plan, the minister urged voters.",
    "Share prices fell 3 percent on Monday, traders said.",
    "Shares in the company rose.",
    "Related talks are expected next week, a diplomat said.",
    "Subscribers to the service rose by a third, the company said.",
    "Copyright law will change next year, the minister said.",
    "(c) the minister shall publish the figures each year.",
    "Photos by the agency showed troops near the border.",
    "Photographs released by the army showed damaged tanks.",
    "The photo: a soldier in the rubble, was widely shared.",
    "Follow-up talks were held on Monday.",
    "Advertising revenue fell, the company said.",
    "Ad hoc committees met on Monday.",
    "Tweets by the minister were deleted, officials said.",
    "Email records show the official was warned, the report said.",
    "Getty Images said it would cut 100 jobs.",
    "Image is everything in politics, the analyst said.",
    'He said: "Share this with everyone."',
    "Back to the negotiating table, officials said.",
    "File photos were released by the ministry on Monday.",
    "Print media was banned, a source said.",
    "Sign up rates were low, officials said.",
    "The army | not the police | was in charge, a witness said.",
    "Residents said they would follow the army's advice.",
    "All rights to the land were reserved for the state, the court said.",
    "A military source told FNA that heavy clashes are underway.",
    "Home",
    "Troops withdraw",
    "X",
    "Xxx xx",
    "X-ray images showed the damage, doctors said.",
]

CONTEXT_BEFORE = "Troops left the town, officials said.\n"
CONTEXT_AFTER = "\nThe army said it was ready."


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_boilerplate_line_is_excluded_exactly(line: str) -> None:
    text = CONTEXT_BEFORE + line + CONTEXT_AFTER
    ranges = find_boilerplate(text)
    assert len(ranges) == 1, ranges
    start, end = ranges[0]
    assert text[start:end] == line
    assert start == len(CONTEXT_BEFORE)


@pytest.mark.parametrize("line", NEWS_LINES)
def test_news_sentence_is_never_boilerplate(line: str) -> None:
    assert find_boilerplate(CONTEXT_BEFORE + line + CONTEXT_AFTER) == ()
    assert find_boilerplate(line) == ()


def test_boilerplate_range_covers_the_whole_line_without_its_break() -> None:
    text = "Body, a source said.\r\n   Share this article  \r\n\n\tAdvertisement\nEnd, he said."
    ranges = find_boilerplate(text)
    assert [text[s:e] for s, e in ranges] == ["   Share this article  \r", "\tAdvertisement"]
    assert all("\n" not in text[s:e] for s, e in ranges)


def test_segmenter_skips_the_excluded_lines(tmp_path: Path) -> None:
    from attribution.segmenter import RuleSegmenter

    text = "Headline\r\n\r\n  Share this article \r\nA source said so.\r\nPhoto: AFP\r\nHe said no.\n"
    article = _one([_write(tmp_path / "crlf.txt", text)])
    assert [s.text for s in RuleSegmenter()(article)] == ["Headline", "A source said so.", "He said no."]


def test_boilerplate_at_start_and_end_of_text() -> None:
    text = "Advertisement\n" + BODY + "\nBack to top"
    assert [text[s:e] for s, e in find_boilerplate(text)] == ["Advertisement", "Back to top"]


def test_txt_articles_get_excluded_ranges(tmp_path: Path) -> None:
    text = "Headline\n\nHome | World | Sport\n" + BODY + "\nPhoto: Mara Lind/AFP\n"
    article = _one([_write(tmp_path / "a.txt", text)])
    assert [article.text[s:e] for s, e in article.excluded] == ["Home | World | Sport", "Photo: Mara Lind/AFP"]


def test_read_text_article_applies_boilerplate_detection() -> None:
    meta = {"outlet": "Ledger"}
    article = read_text_article("Tweet\n" + BODY, id="x", title="T", meta=meta)
    assert (article.id, article.title, article.meta, article.origin) == ("x", "T", meta, None)
    assert article.meta is not meta
    assert article.excluded == ((0, 5),)


def test_docstring_examples_are_correct() -> None:
    result = doctest.testmod(readers, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Understated Perez raises political profile.\n\nLabor Secretary Tom Perez said ...", (0, 43)),
        ("\n  Clashes in the north\n\nA military source told FNA ...", (3, 23)),
        # negatives: no blank line after the first line, nothing after it, an over-long or boilerplate line
        ("Labor Secretary Tom Perez said on Sunday that talks had failed.\nHe added ...", None),
        ("Only a title\n\n", None),
        ("x" * 201 + "\n\nbody", None),
        ("Advertisement\n\nA source said so.", None),
    ],
)
def test_title_line(text: str, expected: tuple[int, int] | None) -> None:
    assert title_line(text) == expected
