"""Analyzer throughput on this machine: articles/s and sentences/s.

Usage::

    python benchmarks/analyze_throughput.py [--data ../shared/data/polnear/dev/text] [--limit 40] [--repeat 2]

Uses the .txt articles in ``--data`` when that folder exists, else the bundled example repeated.
Prints one line per run and the median; the first (warm-up) run is not counted.
``--components`` times the same articles with the attribution tagger alone, then with the
loaded-term branch (sharing its encoder pass when the branch runs on that tagger; the shipped
analyzer runs it on the MiniLM tagger, an extra pass), then with the other classifiers too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from attribution.pipeline import Analyzer
from attribution.readers import read_inputs

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
    args = parser.parse_args()

    data = Path(args.data)
    paths = sorted(data.glob("*.txt"))[: args.limit] if data.is_dir() else [ROOT / "examples" / "frontline_report.txt"]
    articles = [a for a in read_inputs(paths) if not isinstance(a, Exception)]
    while len(articles) < args.limit and not data.is_dir():
        articles = articles + articles[: args.limit - len(articles)]
    full = Analyzer.from_pretrained(args.model)
    n_sentences = sum(len(full.segmenter(a)) for a in articles)
    print(f"{len(articles)} articles, {n_sentences} sentences from {data if data.is_dir() else 'the bundled example'}")
    configurations = [("as configured", full)]
    if args.components:
        configurations = [
            ("attribution only", Analyzer(full.tagger, full.segmenter)),
            ("+ loaded terms", Analyzer(full.tagger, full.segmenter, term_tagger=full.term_tagger)),
            ("+ sentence bias", full),
        ]
    for name, analyzer in configurations:
        print(f"== {name}")
        _time(analyzer, articles, n_sentences, args.repeat)


def _time(analyzer: Analyzer, articles: list, n_sentences: int, repeat: int) -> None:
    rates = []
    for run in range(repeat + 1):
        started = time.perf_counter()
        for _ in analyzer.analyze_many(articles):
            pass
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


if __name__ == "__main__":
    main()
