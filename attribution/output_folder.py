"""The resumable output folder of a corpus run: report files, annotations, the ledger, the index.

:class:`OutputFolder` holds, besides the per-article ``<name>.json|md|html`` files:

- ``.done.jsonl``, the ledger: one JSON line per finished article (``id``, ``origin``, ``sha256`` of
  its text, title and metadata, the file ``name``, the ``formats`` written, and the index ``row``);
- ``annotations.jsonl``: one annotation line per article id;
- ``.annotations.pending.jsonl``: new lines for ids already in ``annotations.jsonl``, folded in on close;
- ``index.html``: rebuilt from the ledger on close;
- ``.lock``: held while a run writes, so two runs never interleave their writes.

A run killed at any point loses nothing it had finished: report files are written atomically (a
temporary file in the same folder, then ``os.replace``), an article enters the ledger only after its
files and its annotation line are synced, and on opening the folder a truncated last line of the
ledger or of ``annotations.jsonl`` is dropped, leftover temporary files are removed, and pending
annotation lines are folded in.

Example:
    >>> import shutil, tempfile
    >>> output = OutputFolder(Path(tempfile.mkdtemp()), ("json",))
    >>> output.is_done("a", "0" * 64)
    False
    >>> output.close()
    >>> sorted(path.name for path in output.folder.iterdir())
    ['.done.jsonl', '.lock', 'index.html']
    >>> shutil.rmtree(output.folder)

"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from attribution.report.index_page import IndexRow, render_index

if TYPE_CHECKING:
    from attribution.corpus import ArticleResult

__all__ = [
    "ANNOTATIONS",
    "FILE_FORMATS",
    "INDEX",
    "LEDGER",
    "LOCK",
    "PENDING",
    "OutputFolder",
]

logger = logging.getLogger("attribution.corpus")  # the name users saw in these warnings before the split

FILE_FORMATS = ("json", "md", "html")
LEDGER = ".done.jsonl"
ANNOTATIONS = "annotations.jsonl"
PENDING = ".annotations.pending.jsonl"
INDEX = "index.html"
LOCK = ".lock"
_TEMPORARY = re.compile(r"\..+\.\d+\.tmp")


def _fsync_write(handle: IO[str], text: str) -> None:
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part."""
    _atomic_write_lines(path, [text.encode("utf-8")])


def _atomic_write_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Write byte lines to a temporary file beside ``path``, sync it, then rename it over ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _repair_tail(path: Path) -> None:
    """Make a JSONL file end with a line break: drop a truncated last line, or finish a complete one."""
    if not path.is_file():
        return
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return
        start = size
        while start > 0:  # find the start of the last line
            step = min(65536, start)
            handle.seek(start - step)
            block = handle.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                start = start - step + newline + 1
                break
            start -= step
        handle.seek(start)
        last = handle.read()
        try:
            json.loads(last)
        except ValueError:
            logger.warning("%s: dropped a truncated last line (%d bytes) left by an interrupted run", path, len(last))
            handle.truncate(start)
        else:
            handle.write(b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def _jsonl_ids(path: Path) -> Iterator[tuple[str | None, bytes]]:
    """``(id, line)`` for each non-blank line of a JSONL file; ``id`` is ``None`` when the line has none."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            article_id = record.get("id") if isinstance(record, dict) else None
            yield (article_id if isinstance(article_id, str) else None), line


def _merge_annotations(folder: Path) -> set[str]:
    """Fold pending replacement lines into ``annotations.jsonl``, keeping one line per id; return its ids.

    A replaced or duplicated id keeps its newest line (pending lines come last).
    """
    annotations, pending = folder / ANNOTATIONS, folder / PENDING
    _repair_tail(annotations)
    _repair_tail(pending)
    last: dict[str, int] = {}
    n_with_id = 0
    for number, (article_id, _) in enumerate(_jsonl_ids(annotations)):
        if article_id is not None:
            last[article_id] = number
            n_with_id += 1
    replaced: dict[str, int] = {}
    for number, (article_id, _) in enumerate(_jsonl_ids(pending)):
        if article_id is not None:
            replaced[article_id] = number
    duplicates = n_with_id - len(last)
    if replaced or duplicates:

        def kept() -> Iterator[bytes]:
            for number, (article_id, line) in enumerate(_jsonl_ids(annotations)):
                if article_id is None or (article_id not in replaced and last[article_id] == number):
                    yield line
            for number, (article_id, line) in enumerate(_jsonl_ids(pending)):
                if article_id is not None and replaced[article_id] == number:
                    yield line

        _atomic_write_lines(annotations, kept())
        logger.info("%s: replaced %d line(s), dropped %d duplicate(s)", annotations, len(replaced), duplicates)
    pending.unlink(missing_ok=True)
    return set(last) | set(replaced)


_LEDGER_KEYS = {"id": str, "origin": (str, type(None)), "sha256": str, "name": str, "formats": list, "row": dict}


def _read_ledger(path: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """The ledger's last entry per id, and its number of lines (a truncated last line is dropped first)."""
    _repair_tail(path)
    entries: dict[str, dict[str, Any]] = {}
    n_lines = 0
    if not path.is_file():
        return entries, n_lines
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            n_lines += 1
            try:
                entry = json.loads(line)
                if not all(isinstance(entry.get(key), kinds) for key, kinds in _LEDGER_KEYS.items()):
                    raise ValueError("missing or mistyped keys")
                IndexRow.from_dict(entry["row"])
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                logger.warning("%s:%d: ignored a bad ledger line (%s)", path, number, error)
                continue
            entries[entry["id"]] = entry
    return entries, n_lines


class OutputFolder:
    """The output folder of a corpus run: report files, ``annotations.jsonl``, the ledger and the index.

    Opening it creates the folder if needed, takes its lock, and repairs what a killed run left;
    :meth:`close` must be called to fold pending annotation lines in, rebuild the index and release the lock.

    Attributes:
        folder: The output folder.
        formats: Outputs requested in this run (``jsonl`` appends to ``annotations.jsonl``).
        entries: The ledger's last entry per article id.
        annotation_ids: The article ids that have a line in ``annotations.jsonl``.

    """

    def __init__(self, folder: Path, formats: Sequence[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.formats = tuple(formats)
        self._lock = _lock(folder)
        try:
            for leftover in folder.iterdir():
                if _TEMPORARY.fullmatch(leftover.name) and leftover.is_file():
                    leftover.unlink()  # a temporary file of a killed run; its article is not in the ledger
            self.entries, self._ledger_lines = _read_ledger(folder / LEDGER)
            self.annotation_ids = _merge_annotations(folder)
            self._ledger = (folder / LEDGER).open("a", encoding="utf-8")
        except BaseException:
            self._lock.close()
            raise
        self._annotations: IO[str] | None = None
        self._pending: IO[str] | None = None

    def is_done(self, article_id: str, digest: str) -> bool:
        """Whether an earlier run finished this article (same id and hash) with every requested output."""
        entry = self.entries.get(article_id)
        if entry is None or entry["sha256"] != digest or not set(self.formats) <= set(entry["formats"]):
            return False
        if "jsonl" in self.formats and article_id not in self.annotation_ids:
            return False
        return all((self.folder / f"{entry['name']}.{fmt}").is_file() for fmt in self.formats if fmt in FILE_FORMATS)

    def write(self, result: ArticleResult, digest: str) -> None:
        """Write one article's files, then its annotation line, then its ledger entry (each synced)."""
        if result.row is None:
            raise ValueError(f"{result.id}: no report to write")
        for suffix, text in result.files:
            _atomic_write(self.folder / f"{result.name}.{suffix}", text)
        if result.annotation is not None:
            if result.id in self.annotation_ids:  # replaced at the end of the run: never two lines per id
                if self._pending is None:
                    self._pending = (self.folder / PENDING).open("a", encoding="utf-8")
                _fsync_write(self._pending, result.annotation + "\n")
            else:
                if self._annotations is None:
                    self._annotations = (self.folder / ANNOTATIONS).open("a", encoding="utf-8")
                _fsync_write(self._annotations, result.annotation + "\n")
                self.annotation_ids.add(result.id)
        old = self.entries.get(result.id)
        formats = set(self.formats)
        if old is not None and old["sha256"] == digest:
            formats |= set(old["formats"])
        elif old is not None and old["origin"] != result.origin:
            logger.warning(
                "%s: replaces the reports of id %r analyzed earlier from %s", result.origin, result.id, old["origin"]
            )
        entry = {
            "id": result.id,
            "origin": result.origin,
            "sha256": digest,
            "name": result.name,
            "formats": sorted(formats),
            "row": result.row.to_dict(),
        }
        _fsync_write(self._ledger, json.dumps(entry, ensure_ascii=False) + "\n")
        self._ledger_lines += 1
        self.entries[result.id] = entry

    def close(self) -> None:
        """Fold pending annotation lines in, compact the ledger, rebuild the index, release the folder."""
        try:
            for handle in (self._ledger, self._annotations, self._pending):
                if handle is not None:
                    handle.close()
            self._pending = self._annotations = None
            self.annotation_ids = _merge_annotations(self.folder)
            if self._ledger_lines > len(self.entries):
                text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in self.entries.values())
                _atomic_write(self.folder / LEDGER, text)
                self._ledger_lines = len(self.entries)
            self.write_index()
        finally:
            self._lock.close()

    def write_index(self) -> None:
        """Rebuild ``index.html`` from the ledger: every article finished in this folder, by any run."""
        rows, hrefs = [], {}
        for entry in self.entries.values():
            rows.append(IndexRow.from_dict(entry["row"]))
            if (self.folder / f"{entry['name']}.html").is_file():
                hrefs[entry["id"]] = f"{entry['name']}.html"
        page, path = render_index(rows, hrefs=hrefs), self.folder / INDEX
        if not path.is_file() or path.read_text(encoding="utf-8") != page:
            _atomic_write(path, page)


def _lock(folder: Path) -> IO[str]:
    """Hold an exclusive lock on the folder for the run, so two runs never interleave their writes."""
    handle = (folder / LOCK).open("a", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise OSError(f"{folder}: another attribution run is writing to this folder") from None
    return handle
