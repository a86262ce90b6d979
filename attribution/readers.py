r"""Read articles from ``.txt``, ``.html``/``.htm`` and ``.jsonl`` files and from directories.

:func:`read_inputs` yields one item per article: an :class:`~attribution.records.Article`, or an
:class:`InputError` for an input that cannot be read, so that a batch run can report the bad input
on one line and go on with the others.

Offsets: ``Article.text`` is the text that every offset indexes.

- ``.txt``: the file decoded as UTF-8, exactly as stored (a leading byte-order mark is dropped).
- ``.html``/``.htm``: the main text that trafilatura extracts from the page (the page's own markup
  is gone, so offsets index the extracted text, not the HTML source). Paragraphs are separated
  by a line break; trafilatura usually keeps the page's ``<h1>`` as the first line.
- ``.jsonl``: the ``text`` value of each line, exactly as given.

Boilerplate lines (share buttons, "Advertisement", photo credits, menus, copyright lines) stay in
the text; their ranges are listed in ``Article.excluded`` and the segmenter skips them.

Example:
    >>> article = read_text_article("Troops left, a source said.\nShare this article", id="a1")
    >>> article.excluded
    ((28, 46),)
    >>> article.text[28:46]
    'Share this article'

"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from attribution.records import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "InputError",
    "find_boilerplate",
    "input_files",
    "is_boilerplate_line",
    "read_inputs",
    "read_text_article",
]

DEFAULT_MAX_BYTES = 5_000_000
SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
_TITLE_MAX_CHARS = 200
_MAX_CONTROL_SHARE = 0.05  # more control characters than this share of the text -> binary
_BOM = "\ufeff"


class InputError(ValueError):
    """An input that cannot be read; the message is one line: ``<input>: <problem>``.

    Args:
        origin: The input: a path, or ``path:line`` for a JSONL line.
        problem: What is wrong with it.

    Example:
        >>> error = InputError("news/a.txt", "empty file")
        >>> str(error)
        'news/a.txt: empty file'
        >>> error.origin, error.problem
        ('news/a.txt', 'empty file')

    """

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = _one_line(origin)
        self.problem = " ".join(problem.splitlines())
        super().__init__(f"{self.origin}: {self.problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.origin, self.problem))


# --------------------------------------------------------------------------- boilerplate

_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|instagram|e-?mail|messenger|bluesky)"
_NETWORK = r"(?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|telegram|whatsapp|social media)"
_BUTTON = rf"(?:{_SOCIAL}|share|tweet|print|copy link|comments?)"
_PHOTO = r"(?:photo(?:graph)?s?|pictures?|pics?|images?)"
_NAME = r"[\w.'’-]+(?: [\w.'’-]+){0,4}"

# Whole-line patterns, matched (case-insensitively) against the stripped line.
_BOILERPLATE_ANY_CASE = (
    # share and navigation buttons
    rf"share(?: (?:this|the) (?:article|story|page|post|video))?(?: (?:on|via|to) {_SOCIAL})?:?",
    r"tweet(?: this)?|copy link|print(?: this (?:article|page|story))?|e-?mail(?: this (?:article|page|story))?",
    r"back to top|skip to (?:main )?content|continue reading|listen to (?:this )?article",
    rf"{_BUTTON}(?:(?:\s*[,|•·]\s*|\s+){_BUTTON})+",
    # link lists: bare, or followed by a colon and a headline
    r"(?:read more|related(?: (?:articles?|stories|content|coverage|topics|links))?|see also|also read|read also"
    r"|more on this (?:story|topic))(?:\s*:.{0,200})?",
    # advertising
    r"(?:advertisement|advert|ad|sponsored(?: content)?)(?:\s*[-–—:]\s*(?:scroll|continue)[\w ]{0,40})?",
    r"story continues (?:below|after) (?:this )?(?:advertisement|ad)",
    # subscriptions and calls to action
    r"(?:subscribe|sign up|sign in|log in|register)(?: (?:now|today|here))?[.!]?",
    r"(?:subscribe|sign up)\b.{0,80}\bnewsletters?\b.{0,40}",
    r"(?:click|tap) here\b.{0,150}",
    rf"follow (?:us|me|@[\w.]+|{_NAME}) on {_NETWORK}\b.{{0,100}}",
    # copyright
    r"(?:copyright\s*)?©.{0,200}",
    r"(?:copyright|\(c\))\s*(?:©\s*)?(?:19|20)\d\d\b.{0,200}",
    r"(?:.{0,150}[.,;]\s*)?all rights reserved\.?",
    # photo ids and credits
    rf"(?:{_PHOTO}(?: (?:credit|source))?|credits?)\s*:\s*\S.{{0,150}}",
    rf"\(\s*(?:file )?{_PHOTO}\b[^()]{{0,150}}\)\.?",
    rf"{_PHOTO} (?:by|courtesy(?: of)?)\s+[^/]{{1,80}}/[^/]{{1,40}}",
    r"image copyright\b.{0,100}",
    rf"\(?(?:{_PHOTO}(?: credit)?:?\s*)?(?:{_NAME}\s*(?:/|\bvia\b|,)\s*)?getty images(?:\s*/\s*[\w ]{{1,30}})?\)?\.?",
    r"\(?file (?:photo|picture|image|pic)\)?[.:]?",
)
# Patterns whose case carries the meaning (agency conventions in capitals).
_BOILERPLATE_EXACT_CASE = (
    r"(?:READ MORE|RELATED|SEE ALSO|ALSO READ)\b.{0,200}",
    r"FILE (?:PHOTO|PICTURE|IMAGE)\b.{0,300}",
    r"REUTERS/[\w .'’-]{1,60}(?:/File Photo)?",
    r"\(?AP Photo/[^()]{1,60}\)?",
    r"\((?:Reporting|Additional reporting|Writing|Editing) by [^()]{1,250}\)",
)
_BOILERPLATE = tuple(re.compile(p, re.IGNORECASE) for p in _BOILERPLATE_ANY_CASE) + tuple(
    re.compile(p) for p in _BOILERPLATE_EXACT_CASE
)
_MAX_BOILERPLATE_CHARS = 400
_MENU_SEPARATOR = re.compile(r"\s*[|•·]\s*")
_MENU_ITEM = re.compile(r"[\w&'’-]+(?: [\w&'’-]+){0,2}")
_LINE = re.compile(r"[^\n]+")


def _is_menu(line: str) -> bool:
    """Tell whether a short line is only menu items (one to three words) separated by ``|``, ``•`` or ``·``."""
    if len(line) > 150:
        return False
    items = _MENU_SEPARATOR.split(line.strip("|•· \t"))
    return len(items) >= 2 and all(len(item) <= 25 and _MENU_ITEM.fullmatch(item) for item in items)


def is_boilerplate_line(line: str) -> bool:
    """Whether one line (surrounding whitespace ignored) is boilerplate.

    Example:
        >>> is_boilerplate_line("  Photo: Jane Doe/AFP ")
        True
        >>> is_boilerplate_line("Officials said the photo showed troops.")
        False

    """
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_BOILERPLATE_CHARS:
        return False
    return _is_menu(stripped) or any(pattern.fullmatch(stripped) for pattern in _BOILERPLATE)


def find_boilerplate(text: str) -> tuple[tuple[int, int], ...]:
    r"""Character ranges of the whole lines of ``text`` that are boilerplate.

    A range covers one line without its line break (surrounding spaces or a trailing ``\r``
    included), so ``text[start:end].strip()`` is the boilerplate line. Lines are matched whole
    against anchored patterns: a news sentence that merely mentions a photo or sharing is kept.

    Example:
        >>> text = "Troops left the town, officials said.\nShare this article\nPhoto: AFP"
        >>> find_boilerplate(text)
        ((38, 56), (57, 67))
        >>> [text[start:end] for start, end in find_boilerplate(text)]
        ['Share this article', 'Photo: AFP']

    """
    return tuple((m.start(), m.end()) for m in _LINE.finditer(text) if is_boilerplate_line(m.group()))


def read_text_article(
    text: str,
    *,
    id: str,  # noqa: A002 - mirrors Article.id
    title: str | None = None,
    meta: dict[str, Any] | None = None,
    origin: str | None = None,
) -> Article:
    r"""Build an :class:`Article` from text in memory, with its boilerplate ranges found.

    Args:
        text: The article text; offsets will index it as given.
        id: The article id.
        title: Optional title.
        meta: Optional metadata (copied).
        origin: Optional description of where the text came from.

    Example:
        >>> article = read_text_article("Advertisement\nA source said so.", id="x", title="T")
        >>> article.id, article.title, article.excluded
        ('x', 'T', ((0, 13),))

    """
    return Article(id=id, text=text, title=title, meta=dict(meta or {}), excluded=find_boilerplate(text), origin=origin)


# --------------------------------------------------------------------------- reading files


def read_inputs(
    paths: Sequence[str | Path] | str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Sequence[str | Path] = (),
) -> Iterator[Article | InputError]:
    """Yield an :class:`Article` or an :class:`InputError` for every article in ``paths``.

    Directories are searched recursively in sorted order for ``.txt``, ``.html``, ``.htm`` and
    ``.jsonl`` files; other files and hidden entries (names starting with ``.``) are skipped. A
    file named explicitly must have one of those suffixes.

    Args:
        paths: Files and directories (a single path is accepted too).
        max_bytes: Largest accepted ``.txt``/``.html`` file, or JSONL line, in bytes.
        exclude: Folders whose files a directory search skips (an output folder that lies inside
            an input folder); files named explicitly are still read.

    Yields:
        Articles in input order; an ``InputError`` in place of each input (or JSONL line)
        that cannot be read.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = (Path(folder) / "a.txt").write_text("Troops left, a source said.", encoding="utf-8")
        ...     _ = (Path(folder) / "b.txt").write_text("   ", encoding="utf-8")
        ...     items = list(read_inputs([folder]))
        >>> items[0].id, items[0].text
        ('a', 'Troops left, a source said.')
        >>> items[1].problem
        'only whitespace'

    """
    for item in input_files(paths, exclude=exclude):
        if isinstance(item, InputError):
            yield item
        else:
            yield from _read_file(item, max_bytes)


def input_files(
    paths: Sequence[str | Path] | str | Path, *, exclude: Sequence[str | Path] = ()
) -> Iterator[Path | InputError]:
    """Yield the files that :func:`read_inputs` reads, in its order, or an :class:`InputError` per bad path.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = (Path(folder) / "b.txt").write_text("B.", encoding="utf-8")
        ...     _ = (Path(folder) / "a.jsonl").write_text("", encoding="utf-8")
        ...     _ = (Path(folder) / "notes.csv").write_text("x", encoding="utf-8")
        ...     [path.name for path in input_files(folder)]
        ['a.jsonl', 'b.txt']

    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    skipped = tuple(Path(folder).resolve() for folder in exclude)
    for path in paths:
        yield from _expand(Path(path), str(path), skipped)


def _expand(path: Path, given: str, exclude: tuple[Path, ...] = ()) -> Iterator[Path | InputError]:
    if path.is_dir():
        found = False
        for child in sorted(path.rglob("*"), key=lambda p: p.relative_to(path).parts):
            parts = child.relative_to(path).parts
            if child.is_file() and child.suffix.lower() in SUFFIXES and not any(p.startswith(".") for p in parts):
                if exclude and any(child.resolve().is_relative_to(folder) for folder in exclude):
                    continue
                found = True
                yield child
        if not found:
            yield InputError(given, f"no {_suffix_list()} files in this directory")
    elif not path.exists():
        yield InputError(given, "no such file or directory")
    elif not path.is_file():
        yield InputError(given, "not a regular file or directory")
    elif path.suffix.lower() not in SUFFIXES:
        kind = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        yield InputError(given, f"unsupported file type {kind}; expected {_suffix_list()}")
    else:
        yield path


def _suffix_list() -> str:
    return ", ".join(SUFFIXES[:-1]) + " or " + SUFFIXES[-1]


def _read_file(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    try:
        if path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(path, max_bytes)
        elif path.suffix.lower() == ".txt":
            yield _read_txt(path, max_bytes)
        else:
            yield _read_html(path, max_bytes)
    except InputError as error:
        yield error
    except OSError as error:
        yield InputError(str(path), f"cannot read ({error.strerror or error})")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(str(path), f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    data = path.read_bytes()
    if not data:
        raise InputError(str(path), "empty file")
    return data


def _check_binary(data: bytes, origin: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(origin, "not UTF-8 text (starts with a UTF-16 byte-order mark)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(origin, f"binary content (NUL byte at offset {nul})")


def _decode(data: bytes, origin: str, fallback: str | None = None) -> str:
    """Decode UTF-8 (or ``fallback``, an encoding the file declares) and drop a leading BOM."""
    _check_binary(data, origin)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = _decode_fallback(data, fallback)
        if text is None:
            bad = data[error.start]
            raise InputError(origin, f"not UTF-8 text (invalid byte 0x{bad:02x} at offset {error.start})") from None
    text = text.removeprefix(_BOM)
    if not text.strip():
        raise InputError(origin, "only whitespace")
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ord(ch) == 127)
    if control > _MAX_CONTROL_SHARE * len(text):
        raise InputError(origin, f"binary content ({control} of {len(text)} characters are control characters)")
    return text


def _decode_fallback(data: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def title_line(text: str) -> tuple[int, int] | None:
    """Offsets of a headline: the first non-empty line if it is short and followed by a blank line and more text.

    Example:
        >>> text = "Understated Perez raises political profile.\\n\\nLabor Secretary Tom Perez said ..."
        >>> start, end = title_line(text)
        >>> text[start:end]
        'Understated Perez raises political profile.'
        >>> title_line("Labor Secretary Tom Perez said on Sunday that talks had failed.\\nHe added ...") is None
        True

    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or first + 2 >= len(lines) or lines[first + 1].strip():
        return None
    if not any(line.strip() for line in lines[first + 2 :]):
        return None
    title = lines[first].strip()
    if len(title) >= _TITLE_MAX_CHARS or is_boilerplate_line(title):
        return None
    start = sum(len(line) + 1 for line in lines[:first]) + len(lines[first]) - len(lines[first].lstrip())
    return start, start + len(title)


def _txt_title(text: str) -> str | None:
    span = title_line(text)
    return text[span[0] : span[1]] if span else None


def _read_txt(path: Path, max_bytes: int) -> Article:
    text = _decode(_read_bytes(path, max_bytes), str(path))
    return read_text_article(text, id=path.stem, title=_txt_title(text), meta={"format": "txt"}, origin=str(path))


_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{1,40})""", re.IGNORECASE)


def _read_html(path: Path, max_bytes: int) -> Article:
    data = _read_bytes(path, max_bytes)
    declared = _CHARSET.search(data[:4096])
    html = _decode(data, str(path), fallback=declared.group(1).decode("ascii") if declared else None)
    try:
        text, meta = _extract_html(html)
    except Exception as error:  # noqa: BLE001 - a parser failure on one untrusted page must not stop a batch
        raise InputError(str(path), f"HTML could not be parsed ({type(error).__name__}: {error})") from None
    if text is None or not text.strip():
        raise InputError(str(path), "no article text found in the HTML")
    article = read_text_article(text, id=path.stem, title=meta.get("title"), meta=meta, origin=str(path))
    if not any(line.strip() and not is_boilerplate_line(line) for line in text.split("\n")):
        raise InputError(str(path), "no article text found in the HTML (only menus or boilerplate)")
    return article


def _extract_html(html: str) -> tuple[str | None, dict[str, Any]]:
    """Return the main text and metadata (``format``; ``title``/``date``/``url``/``sitename`` when found)."""
    import trafilatura

    with _quiet("trafilatura", "htmldate", "courlan"):
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
        document = trafilatura.extract_metadata(html) if text else None
    meta: dict[str, Any] = {"format": "html"}
    for key in ("title", "date", "url", "sitename"):
        value = getattr(document, key, None)
        if isinstance(value, str) and value.strip():
            meta[key] = value.strip()
    return text, meta


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Silence these loggers for a while: their 'discarding data' notices duplicate our InputError."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    with path.open("rb") as handle:
        _check_binary(handle.read(8192), str(path))
        handle.seek(0)
        first_line: dict[str, int] = {}
        for number, raw in enumerate(handle, start=1):
            origin = f"{path}:{number}"
            try:
                article = _jsonl_article(raw, number, origin, max_bytes)
                if article is None:
                    continue
                if article.id in first_line:
                    raise InputError(origin, f"duplicate id {article.id!r} (first on line {first_line[article.id]})")
                first_line[article.id] = number
                yield article
            except InputError as error:
                yield error


def _jsonl_article(raw: bytes, number: int, origin: str, max_bytes: int) -> Article | None:
    """Return the article on one JSONL line, or ``None`` for a blank line; raise :class:`InputError` if bad."""
    if len(raw) > max_bytes:
        raise InputError(origin, f"line too large ({len(raw):,} bytes; the limit is {max_bytes:,})")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text (invalid byte 0x{raw[error.start]:02x} at column {error.start + 1})"
        raise InputError(origin, problem) from None
    if number == 1:
        line = line.removeprefix(_BOM)
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(origin, f"not JSON ({error.msg} at column {error.colno})") from None
    return _record_article(record, origin)


def _record_article(record: Any, origin: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(origin, f"not a JSON object (got {_json_type(record)})")
    for key in ("id", "text"):
        if key not in record:
            raise InputError(origin, f"missing '{key}'")
        if not isinstance(record[key], str):
            raise InputError(origin, f"'{key}' must be a string (got {_json_type(record[key])})")
    if not record["id"].strip():
        raise InputError(origin, "empty 'id'")
    if not record["text"].strip():
        raise InputError(origin, "empty 'text'")
    title, meta = record.get("title"), record.get("meta")
    if title is not None and not isinstance(title, str):
        raise InputError(origin, f"'title' must be a string (got {_json_type(title)})")
    if meta is not None and not isinstance(meta, dict):
        raise InputError(origin, f"'meta' must be an object (got {_json_type(meta)})")
    return read_text_article(record["text"], id=record["id"], title=title, meta=meta, origin=origin)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _one_line(value: str) -> str:
    """``value`` with line breaks and other control characters escaped."""
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value)
