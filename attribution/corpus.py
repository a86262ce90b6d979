"""Run the analyzer over many articles into one output folder, resumably.

:func:`analyze_corpus` reads every input (files, folders, JSONL), analyzes the articles in chunks
(so encoder windows are batched across articles), optionally in several worker processes, and
writes per article ``<name>.json|md|html`` and a line of ``annotations.jsonl``, then rebuilds
``index.html`` (one row per article, one per outlet).

Resuming. The output folder keeps a ledger, ``.done.jsonl``: one JSON line per finished article
(``id``, ``origin``, ``sha256`` of its text, title and metadata, the file ``name``, the ``formats``
written, and the index ``row``), flushed and fsync'd after the article's files. A re-run with the
same output folder skips every article whose id and hash are in the ledger with all requested
outputs present; ``force=True`` reanalyzes everything. A run killed at any point loses nothing
it had finished:

- report files are written atomically (a temporary file in the same folder, then ``os.replace``);
- an article enters the ledger only after its files and its annotation line are on disk;
- on start, a truncated last line of the ledger or of ``annotations.jsonl`` is dropped;
- ``annotations.jsonl`` never holds an id twice: the new line of an article that is already in it
  (``force``, or a changed text) goes to ``.annotations.pending.jsonl`` and replaces the old line
  at the end of the run (or at the start of the next one, if this one was killed).

The index is rebuilt from the ledger, so it covers the articles of earlier runs too, whatever
formats each run wrote. The folder itself (these files, the lock, the repairs) is kept by
:mod:`attribution.output_folder`.

Duplicate ids across inputs (``a/x.txt`` and ``b/x.txt`` are both ``x``): the later article is
written as ``x-2`` (then ``x-3`` ...), with a ``warning:`` line; nothing is overwritten. Ids are
compared by their file name, case-insensitively, so ``X`` and ``x`` do not share files either.

Example:
    >>> from attribution.corpus import CorpusOptions, analyze_corpus                  # doctest: +SKIP
    >>> options = CorpusOptions(formats=("json", "html"), workers=2)                  # doctest: +SKIP
    >>> run = analyze_corpus(["news/"], "reports/", options)                          # doctest: +SKIP
    >>> run.summary_line()                                                            # doctest: +SKIP
    'wrote 50 report(s) to reports in 41.2 s (1.21 articles/s, 15.3 sentences/s)'

"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from attribution.output_folder import ANNOTATIONS, INDEX, LEDGER, OutputFolder
from attribution.readers import InputError, input_files, read_inputs
from attribution.records import Article, ArticleReport
from attribution.report.index_page import IndexRow

if TYPE_CHECKING:
    from concurrent.futures import Future

    from attribution.pipeline import Analyzer

__all__ = [
    "ANNOTATIONS",
    "FORMATS",
    "INDEX",
    "LEDGER",
    "ArticleResult",
    "CorpusOptions",
    "CorpusRun",
    "analyze_corpus",
    "article_digest",
    "safe_name",
]

logger = logging.getLogger(__name__)

FORMATS = ("json", "md", "html", "jsonl")
_MAX_NAME = 150


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class CorpusOptions:
    """How to run a corpus.

    Attributes:
        formats: Outputs per article, from :data:`FORMATS` (``jsonl`` appends to ``annotations.jsonl``).
        model: Analyzer or tagger folder (``None``: the shipped ``models/``).
        attribution_tagger: Another tagger folder to swap in.
        batch_size: Encoder windows per forward pass.
        chunk_size: Articles sent together to ``Analyzer.analyze_many`` (and to a worker).
        workers: Worker processes; 1 analyzes in this process.
        force: Reanalyze articles that the ledger lists as done.
        progress: Show a progress bar on the message stream.

    Example:
        >>> CorpusOptions(formats=("json",), workers=2).chunk_size
        16

    """

    formats: tuple[str, ...] = ("json", "md", "html")
    model: str | Path | None = None
    attribution_tagger: str | Path | None = None
    batch_size: int = 32
    chunk_size: int = 16
    workers: int = 1
    force: bool = False
    progress: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown or not self.formats:
            raise ValueError(f"unknown format(s) {unknown}; choose from {','.join(FORMATS)}")
        for name in ("batch_size", "chunk_size", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What analyzing one article produced, rendered and ready to write (or why it failed).

    Attributes:
        id: Article id (after any duplicate suffix).
        origin: Where the article came from.
        name: File name stem of its outputs.
        files: ``(suffix, text)`` for each report file.
        annotation: Its ``annotations.jsonl`` line (no line break), or ``None`` when not requested.
        row: Its row of the index.
        n_sentences: Sentences analysed.
        error: ``"<origin>: <problem>"`` when the analysis failed (then nothing else is set).

    """

    id: str
    origin: str | None
    name: str
    files: tuple[tuple[str, str], ...] = ()
    annotation: str | None = None
    row: IndexRow | None = None
    n_sentences: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CorpusRun:
    """The outcome of :func:`analyze_corpus`.

    Attributes:
        out: The output folder.
        written: Articles analyzed and written in this run.
        skipped: Articles skipped because an earlier run finished them.
        failures: One ``"<input>: <problem>"`` line per input or article that failed.
        n_sentences: Sentences analyzed in this run.
        seconds: Wall time of the run.
        renamed: ``(origin, new id)`` for each article whose id was taken by an earlier input.

    """

    out: Path
    written: int
    skipped: int
    failures: tuple[str, ...]
    n_sentences: int
    seconds: float
    renamed: tuple[tuple[str, str], ...] = ()

    def summary_line(self) -> str:
        """The one-line summary the command line prints.

        Example:
            >>> CorpusRun(Path("out"), 4, 2, (), 40, 2.0).summary_line()
            'wrote 4 report(s) to out in 2.0 s (2.00 articles/s, 20.0 sentences/s), 2 skipped (already done)'
            >>> CorpusRun(Path("out"), 1, 0, ("a.txt: empty file",), 9, 1.0).summary_line()
            'wrote 1 report(s) to out in 1.0 s (1.00 articles/s, 9.0 sentences/s); 1 input(s) failed'

        """
        seconds = max(self.seconds, 1e-9)
        line = (
            f"wrote {self.written} report(s) to {self.out} in {self.seconds:.1f} s "
            f"({self.written / seconds:.2f} articles/s, {self.n_sentences / seconds:.1f} sentences/s)"
        )
        if self.skipped:
            line += f", {self.skipped} skipped (already done)"
        if self.failures:
            line += f"; {len(self.failures)} input(s) failed"
        return line


# --------------------------------------------------------------------------- names and hashes


def safe_name(article_id: str) -> str:
    """A file name stem for an article id: ``[A-Za-z0-9._-]`` only, at most 150 characters.

    Ids longer than that keep a short hash of the whole id, so two long ids do not share files.

    Example:
        >>> safe_name("Reuters/2016 #12")
        'Reuters_2016_12'
        >>> len(safe_name("x" * 400)), safe_name("x" * 400) != safe_name("x" * 401)
        (150, True)

    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", article_id).strip("._") or "article"
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:10]
        name = f"{name[: _MAX_NAME - 11]}-{digest}"
    return name


def article_digest(article: Article) -> str:
    """SHA-256 of what the analysis reads from an article: its text, title and metadata.

    Example:
        >>> a = Article(id="a", text="Troops left.", origin="in/a.txt")
        >>> article_digest(a) == article_digest(dataclasses.replace(a, id="b", origin="elsewhere"))
        True
        >>> article_digest(a) == article_digest(dataclasses.replace(a, text="Troops stayed."))
        False

    """
    payload = json.dumps(
        {"text": article.text, "title": article.title, "meta": article.meta},
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _Names:
    """Give each article of a run its own file name; a later duplicate id gets ``-2``, ``-3`` ..."""

    def __init__(self) -> None:
        self._taken: dict[str, str] = {}  # casefolded name -> origin of the article that has it

    def assign(self, article: Article) -> tuple[Article, str | None]:
        """Return the article (renamed if needed) and, when renamed, the origin of the first holder."""
        name = safe_name(article.id).casefold()
        first = self._taken.get(name)
        if first is None:
            self._taken[name] = article.origin or article.id
            return article, None
        number = 2
        while safe_name(f"{article.id}-{number}").casefold() in self._taken:
            number += 1
        renamed = dataclasses.replace(article, id=f"{article.id}-{number}")
        self._taken[safe_name(renamed.id).casefold()] = article.origin or article.id
        return renamed, first


# --------------------------------------------------------------------------- analysis (in this process or a worker)


class _ChunkWorker:
    """Analyze a chunk of articles and render their outputs."""

    def __init__(self, analyzer: Analyzer, formats: Sequence[str], batch_size: int) -> None:
        self.analyzer = analyzer
        self.formats = tuple(formats)
        self.batch_size = batch_size

    def __call__(self, articles: Sequence[Article]) -> list[ArticleResult]:
        try:
            reports = list(
                self.analyzer.analyze_many(articles, batch_size=self.batch_size, articles_per_batch=len(articles))
            )
            return [self._render(report) for report in reports]
        except Exception as error:  # noqa: BLE001 - one failing article must not stop the corpus
            if len(articles) > 1:  # find which one: analyze them one by one
                return [result for article in articles for result in self([article])]
            logger.debug("analysis of %s failed", articles[0].origin, exc_info=True)
            article = articles[0]
            problem = f"analysis failed ({type(error).__name__}: {error})"
            return [
                ArticleResult(
                    id=article.id,
                    origin=article.origin,
                    name=safe_name(article.id),
                    error=str(InputError(article.origin or article.id, problem)),
                )
            ]

    def _render(self, report: ArticleReport) -> ArticleResult:
        from attribution.report.html_report import render_html
        from attribution.report.json_report import render_json, report_to_annotation
        from attribution.report.markdown_report import render_markdown

        renderers = {"json": render_json, "md": render_markdown, "html": render_html}
        annotation = None
        if "jsonl" in self.formats:
            annotation = json.dumps(report_to_annotation(report).to_dict(), ensure_ascii=False)
        return ArticleResult(
            id=report.article.id,
            origin=report.article.origin,
            name=safe_name(report.article.id),
            files=tuple((fmt, renderers[fmt](report)) for fmt in self.formats if fmt in renderers),
            annotation=annotation,
            row=IndexRow.from_report(report),
            n_sentences=len(report.sentences),
        )


_WORKER: _ChunkWorker | BaseException | None = None


def _init_worker(
    model: str | None, tagger: str | None, formats: tuple[str, ...], batch_size: int, threads: int, log_level: int
) -> None:
    """Worker process initializer: load the analyzer once, with ``threads`` torch threads."""
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops the workers
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import torch
        from transformers.utils import logging as hf_logging

        if log_level > logging.INFO:
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        torch.set_num_threads(threads)
        from attribution.pipeline import Analyzer

        _WORKER = _ChunkWorker(Analyzer.from_pretrained(model, attribution_tagger=tagger), formats, batch_size)
    except Exception as error:  # noqa: BLE001 - raised again in the main process with the first chunk
        _WORKER = error


def _work(articles: Sequence[Article]) -> list[ArticleResult]:
    if isinstance(_WORKER, BaseException):
        raise _WORKER
    if _WORKER is None:
        raise RuntimeError("worker process was not initialised")
    return _WORKER(articles)


# --------------------------------------------------------------------------- the run


def _count_articles(inputs: Sequence[str | Path], exclude: Sequence[Path]) -> int:
    """How many articles the inputs hold, roughly (a JSONL line counts as one): the progress bar's total."""
    total = 0
    for item in input_files(inputs, exclude=exclude):
        if isinstance(item, InputError):
            total += 1
        elif item.suffix.lower() == ".jsonl":
            try:
                with item.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


class _Run:
    """The bookkeeping of one run: messages, counters, the progress bar and the writes."""

    def __init__(self, output: OutputFolder, stream: IO[str], progress: bool, total: int | None) -> None:
        from tqdm import tqdm

        self.output = output
        self.stream = stream
        self.bar = tqdm(total=total, unit="article", file=stream, disable=not progress, dynamic_ncols=True)
        self.tqdm = tqdm
        self.failures: list[str] = []
        self.renamed: list[tuple[str, str]] = []
        self.digests: dict[str, str] = {}
        self.written = self.skipped = self.n_sentences = 0

    def say(self, line: str) -> None:
        self.tqdm.write(line, file=self.stream)

    def fail(self, problem: str) -> None:
        self.failures.append(problem)
        self.say(f"error: {problem}")
        self.bar.update(1)

    def commit(self, result: ArticleResult) -> None:
        digest = self.digests.pop(result.id)
        if result.error is not None:
            self.fail(result.error)
            return
        self.output.write(result, digest)
        self.written += 1
        self.n_sentences += result.n_sentences
        self.bar.update(1)
        self.bar.set_postfix(skipped=self.skipped, failed=len(self.failures), refresh=False)

    def chunks(
        self, inputs: Sequence[str | Path], size: int, force: bool, exclude: Sequence[Path]
    ) -> Iterator[list[Article]]:
        names = _Names()
        chunk: list[Article] = []
        for item in read_inputs(inputs, exclude=exclude):
            if isinstance(item, InputError):
                self.fail(str(item))
                continue
            article, first = names.assign(item)
            if first is not None:
                self.renamed.append((article.origin or item.id, article.id))
                self.say(
                    f"warning: {article.origin}: duplicate id {item.id!r} (already used by {first}); "
                    f"written as {article.id!r}"
                )
            digest = article_digest(article)
            if not force and self.output.is_done(article.id, digest):
                self.skipped += 1
                self.bar.update(1)
                continue
            self.digests[article.id] = digest
            chunk.append(article)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def analyze_corpus(
    inputs: Sequence[str | Path] | str | Path,
    out: str | Path,
    options: CorpusOptions | None = None,
    *,
    analyzer: Analyzer | None = None,
    stream: IO[str] | None = None,
) -> CorpusRun:
    """Analyze every article of ``inputs`` into the folder ``out``, skipping those finished before.

    Bad inputs get an ``error: <input>: <problem>`` line on ``stream`` and the run goes on.

    Args:
        inputs: Files and folders (``.txt``, ``.html``, ``.jsonl``); folders are searched recursively,
            leaving out ``out`` itself when it lies inside one.
        out: Output folder (created if needed).
        options: Formats, model, workers, ... (default :class:`CorpusOptions`).
        analyzer: A loaded analyzer to use in this process (only with ``workers=1``); default: loaded
            from ``options.model``.
        stream: Where messages and the progress bar go (default ``sys.stderr``).

    Returns:
        The counts of the run; see :meth:`CorpusRun.summary_line`.

    Raises:
        OSError: if the output folder cannot be written, or another run holds it.
        ValueError: if the model folder is bad.

    Example:
        >>> from attribution.pipeline import Analyzer                                     # doctest: +SKIP
        >>> run = analyze_corpus("news/", "reports/", analyzer=Analyzer.from_pretrained())  # doctest: +SKIP
        >>> run.written, run.skipped, run.failures                                         # doctest: +SKIP
        (48, 0, ('news/empty.txt: empty file', 'news/feed.jsonl:7: not JSON (Expecting value at column 1)'))

    """
    options = options or CorpusOptions()
    if analyzer is not None and options.workers > 1:
        raise ValueError("pass a loaded analyzer only with workers=1; worker processes load their own")
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    stream = stream or sys.stderr
    folder = Path(out)
    if options.workers == 1 and analyzer is None:
        from attribution.pipeline import Analyzer

        analyzer = Analyzer.from_pretrained(options.model, attribution_tagger=options.attribution_tagger)
    output = OutputFolder(folder, options.formats)
    started = time.perf_counter()
    exclude = [folder]
    total = _count_articles(inputs, exclude) if options.progress else None
    run = _Run(output, stream, options.progress, total)
    try:
        chunks = run.chunks(inputs, options.chunk_size, options.force, exclude)
        if analyzer is not None:
            worker = _ChunkWorker(analyzer, options.formats, options.batch_size)
            for chunk in chunks:
                for result in worker(chunk):
                    run.commit(result)
        else:
            _run_workers(chunks, run, options)
    except BaseException:
        run.bar.close()
        try:
            output.close()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            logger.debug("could not finish %s after an error", folder, exc_info=True)
        raise
    run.bar.close()
    output.close()
    return CorpusRun(
        out=folder,
        written=run.written,
        skipped=run.skipped,
        failures=tuple(run.failures),
        n_sentences=run.n_sentences,
        seconds=time.perf_counter() - started,
        renamed=tuple(run.renamed),
    )


def _run_workers(chunks: Iterator[list[Article]], run: _Run, options: CorpusOptions) -> None:
    """Analyze chunks in worker processes, committing results in input order, a few chunks in flight."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // options.workers)
    initargs = (
        None if options.model is None else str(options.model),
        None if options.attribution_tagger is None else str(options.attribution_tagger),
        options.formats,
        options.batch_size,
        threads,
        logging.getLogger("attribution").getEffectiveLevel(),
    )
    # spawn, not fork: the parent may hold torch's thread pools, which a forked child can deadlock on
    pool = ProcessPoolExecutor(
        options.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker, initargs=initargs
    )
    in_flight: deque[Future[list[ArticleResult]]] = deque()
    try:
        for chunk in chunks:
            in_flight.append(pool.submit(_work, chunk))
            while len(in_flight) >= 2 * options.workers:
                for result in in_flight.popleft().result():
                    run.commit(result)
        while in_flight:
            for result in in_flight.popleft().result():
                run.commit(result)
    except BaseException:
        # stop at once: cancel queued chunks and end the workers (their finished chunks are written already)
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
        else:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
        raise
    pool.shutdown(wait=True)
