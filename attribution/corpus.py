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
:mod:`attribution.output_folder`; the analysis of a chunk, here or in a worker process, by
:mod:`attribution.corpus_workers`.

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
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from attribution.corpus_workers import _ChunkWorker, _run_workers
from attribution.output_folder import ANNOTATIONS, INDEX, LEDGER, OutputFolder
from attribution.readers import InputError, input_files, read_inputs
from attribution.records import Article
from attribution.report.index_page import IndexRow
from attribution.tagging.precision import PRECISIONS

if TYPE_CHECKING:
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
        attribution_tagger: Another attribution tagger folder to swap in.
        term_tagger: Another loaded-term tagger folder to swap in.
        sentence_bias: Another sentence-bias classifier folder to swap in.
        source_profile: Another source-profile classifier folder to swap in.
        target_ranker: Another loaded-term target ranker folder to swap in.
        batch_size: Encoder windows per forward pass.
        chunk_size: Articles sent together to ``Analyzer.analyze_many`` (and to a worker).
        workers: Worker processes; 1 analyzes in this process.
        force: Reanalyze articles that the ledger lists as done.
        progress: Show a progress bar on the message stream.
        precision: The encoders' numeric precision: ``float32``, ``bfloat16`` or ``auto``
            (:mod:`attribution.tagging.precision`).

    Example:
        >>> CorpusOptions(formats=("json",), workers=2).chunk_size
        16

    """

    formats: tuple[str, ...] = ("json", "md", "html")
    model: str | Path | None = None
    attribution_tagger: str | Path | None = None
    term_tagger: str | Path | None = None
    sentence_bias: str | Path | None = None
    source_profile: str | Path | None = None
    target_ranker: str | Path | None = None
    batch_size: int = 32
    chunk_size: int = 16
    workers: int = 1
    force: bool = False
    progress: bool = False
    precision: str = "float32"

    def component_overrides(self) -> dict[str, str | None]:
        """The component folders to swap in, as ``Analyzer.from_pretrained`` keyword arguments.

        Example:
            >>> CorpusOptions(term_tagger="my-terms").component_overrides()["term_tagger"]
            'my-terms'

        """
        return {
            key: None if value is None else str(value)
            for key, value in (
                ("attribution_tagger", self.attribution_tagger),
                ("term_tagger", self.term_tagger),
                ("sentence_bias", self.sentence_bias),
                ("source_profile", self.source_profile),
                ("target_ranker", self.target_ranker),
            )
        }

    def analyzer_options(self) -> dict[str, str | None]:
        """All ``Analyzer.from_pretrained`` keyword arguments: the component overrides and the precision.

        Example:
            >>> CorpusOptions(precision="auto").analyzer_options()["precision"]
            'auto'

        """
        return {**self.component_overrides(), "precision": self.precision}

    def __post_init__(self) -> None:
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown or not self.formats:
            raise ValueError(f"unknown format(s) {unknown}; choose from {','.join(FORMATS)}")
        for name in ("batch_size", "chunk_size", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)} (got {self.precision!r})")


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

        analyzer = Analyzer.from_pretrained(options.model, **options.analyzer_options())
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
