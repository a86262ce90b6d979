"""Analyzer throughput on this machine: articles/s and sentences/s.

Usage::

    python benchmarks/analyze_throughput.py [--data ../shared/data/polnear/dev/text] [--limit 40] [--repeat 2]
        [--precision float32 bfloat16]

Uses the .txt articles in ``--data`` when that folder exists, else the bundled example repeated.
Prints one line per run and the median; the first (warm-up) run is not counted.
``--components`` times the same articles with the attribution tagger alone, then with the
loaded-term branch (the shipped branch starts from the tagger's embeddings and runs its own copy of the
12 mpnet layers; the MiniLM branch shares the MiniLM tagger's whole pass), then with the other classifiers too.
``--precision`` times each precision given (``auto`` resolves as ``analyze --precision auto`` would) and,
after the first, how many of the first's attributions (spans, type, anonymity), loaded terms and sentence labels
(attributed, biased) it does not find again, and how many new ones it finds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from attribution.pipeline import Analyzer
from attribution.readers import read_inputs
from attribution.records import ArticleReport
from attribution.tagging.precision import PRECISIONS

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Parse the arguments and time the analyzer."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"))
    parser.add_argument("--limit", type=int, default=40, help="number of articles")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs after one warm-up run")
    parser.add_argument("--model", default=None, help="analyzer folder (default: shipped models/)")
    parser.add_argument(
        "--components", action="store_true", help="time attribution only, + loaded terms, + sentence bias"
    )
    parser.add_argument("--precision", nargs="+", choices=PRECISIONS, default=["float32"], help="one run each")
    args = parser.parse_args()

    data = Path(args.data)
    paths = sorted(data.glob("*.txt"))[: args.limit] if data.is_dir() else [ROOT / "examples" / "frontline_report.txt"]
    articles = [a for a in read_inputs(paths) if not isinstance(a, Exception)]
    while len(articles) < args.limit and not data.is_dir():
        articles = articles + articles[: args.limit - len(articles)]
    full = Analyzer.from_pretrained(args.model)
    n_sentences = sum(len(full.segmenter(a)) for a in articles)
    print(f"{len(articles)} articles, {n_sentences} sentences from {data if data.is_dir() else 'the bundled example'}")
    parts = {
        "term_tagger": full.term_tagger,
        "sentence_bias": full.sentence_bias,
        "source_profiler": full.source_profiler,
    }
    configurations = [("as configured", parts)]
    if args.components:
        configurations = [
            ("attribution only", {}),
            ("+ loaded terms", {"term_tagger": full.term_tagger}),
            ("+ sentence bias and source profile", parts),
        ]
    for name, components in configurations:
        first: list[ArticleReport] | None = None
        for precision in args.precision:
            analyzer = Analyzer(full.tagger, full.segmenter, precision=precision, **components)
            print(f"== {name}, {analyzer.precision}")
            reports = _time(analyzer, articles, n_sentences, args.repeat)
            if first is None:
                first = reports
            else:
                print(_differences(first, reports))


def _differences(first: list[ArticleReport], other: list[ArticleReport]) -> str:
    """How many attributions, loaded terms and sentence labels of ``other`` differ from ``first``'s."""

    def attributions(report: ArticleReport) -> set[tuple]:
        return {
            tuple((s.start, s.end) for s in a.source + a.cue + a.content) + (a.source_type, a.anonymous)
            for a in report.attributions
        }

    def terms(report: ArticleReport) -> set[tuple]:
        return {(t.category, t.start, t.end) for t in report.loaded_terms}

    def sentences(report: ArticleReport) -> set[tuple]:
        return {(s.sentence_index, s.attributed, s.biased) for s in report.sentence_labels}

    parts = []
    for what, key in (("attributions", attributions), ("loaded terms", terms), ("sentence labels", sentences)):
        pairs = [(key(a), key(b)) for a, b in zip(first, other, strict=True)]
        lost, gained = sum(len(a - b) for a, b in pairs), sum(len(b - a) for a, b in pairs)
        parts.append(f"{what}: {sum(len(a) for a, _ in pairs)}, {lost} of them not found again, {gained} new")
    return "against the first precision's reports: " + "; ".join(parts)


def _time(analyzer: Analyzer, articles: list, n_sentences: int, repeat: int) -> list[ArticleReport]:
    rates = []
    reports: list[ArticleReport] = []
    for run in range(repeat + 1):
        started = time.perf_counter()
        reports = list(analyzer.analyze_many(articles))
        seconds = time.perf_counter() - started
        label = "warm-up" if run == 0 else f"run {run}"
        rate = f"{len(articles) / seconds:.2f} articles/s, {n_sentences / seconds:.1f} sentences/s"
        print(f"{label}: {seconds:.1f} s, {rate}")
        if run:
            rates.append((len(articles) / seconds, n_sentences / seconds))
    print(
        f"median: {statistics.median(r[0] for r in rates):.2f} articles/s, "
        f"{statistics.median(r[1] for r in rates):.1f} sentences/s"
    )
    return reports


if __name__ == "__main__":
    main()
