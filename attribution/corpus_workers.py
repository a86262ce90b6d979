"""Analysis of a corpus in chunks: in this process, or in worker processes.

:func:`attribution.corpus.analyze_corpus` hands each chunk of articles to a :class:`_ChunkWorker`, which
analyzes the chunk and renders each article's outputs into an :class:`~attribution.corpus.ArticleResult`
(or an error line, when the analysis of that article failed). With ``workers > 1``, :func:`_run_workers`
starts a pool of ``spawn`` processes; :func:`_init_worker` loads the analyzer once in each, and
:func:`_work` runs a chunk there. The results travel back pickled, as ``attribution.corpus.ArticleResult``.

This module imports :mod:`attribution.corpus` only inside functions (corpus imports this module), and
torch only inside a worker process.

Example:
    >>> from attribution.corpus_workers import _ChunkWorker                            # doctest: +SKIP
    >>> worker = _ChunkWorker(analyzer, formats=("json",), batch_size=32)              # doctest: +SKIP
    >>> [result.name for result in worker(articles)]                                   # doctest: +SKIP
    ['a', 'b']

"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from attribution.readers import InputError
from attribution.records import Article, ArticleReport
from attribution.report.index_page import IndexRow

if TYPE_CHECKING:
    from concurrent.futures import Future

    from attribution.corpus import ArticleResult, CorpusOptions, _Run
    from attribution.pipeline import Analyzer

__all__: list[str] = []

logger = logging.getLogger("attribution.corpus")  # the name users saw in these messages before the split


class _ChunkWorker:
    """Analyze a chunk of articles and render their outputs."""

    def __init__(self, analyzer: Analyzer, formats: Sequence[str], batch_size: int) -> None:
        self.analyzer = analyzer
        self.formats = tuple(formats)
        self.batch_size = batch_size

    def __call__(self, articles: Sequence[Article]) -> list[ArticleResult]:
        from attribution.corpus import ArticleResult, safe_name

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
        from attribution.corpus import ArticleResult, safe_name
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
    model: str | None,
    overrides: dict[str, str | None],
    formats: tuple[str, ...],
    batch_size: int,
    threads: int,
    log_level: int,
) -> None:
    """Worker process initializer: load the analyzer once (``overrides``: components to swap in, precision)."""
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

        _WORKER = _ChunkWorker(Analyzer.from_pretrained(model, **overrides), formats, batch_size)
    except Exception as error:  # noqa: BLE001 - raised again in the main process with the first chunk
        _WORKER = error


def _work(articles: Sequence[Article]) -> list[ArticleResult]:
    """Analyze a chunk in a worker process, with the analyzer that :func:`_init_worker` loaded.

    Example:
        >>> _work([])  # not in an initialised worker process
        Traceback (most recent call last):
        ...
        RuntimeError: worker process was not initialised

    """
    if isinstance(_WORKER, BaseException):
        raise _WORKER
    if _WORKER is None:
        raise RuntimeError("worker process was not initialised")
    return _WORKER(articles)


def _run_workers(chunks: Iterator[list[Article]], run: _Run, options: CorpusOptions) -> None:
    """Analyze chunks in worker processes, committing results in input order, a few chunks in flight."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // options.workers)
    initargs = (
        None if options.model is None else str(options.model),
        options.analyzer_options(),
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
