"""Corpus-mode throughput: ``attribution analyze DIR --out TMP --workers N``, timed end to end.

Usage::

    python benchmarks/corpus_throughput.py [--corpus examples/corpus] [--workers 1,2] [--limit 50]
        [--format json,md,html] [--model models/]

Each run starts a fresh ``attribution analyze`` process into an empty output folder and measures the
wall time, model loading included (that is what a user waits for). A first run on one article measures
that start-up alone, so the line also gives the rate without it (approximate with several workers, which
load the model in parallel). Articles are counted from the run's ledger (``.done.jsonl``), not assumed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _subset(corpus: Path, limit: int | None, folder: Path) -> Path:
    """The corpus itself, or its first ``limit`` articles written to ``folder/input.jsonl``."""
    if limit is None:
        return corpus
    from attribution.readers import read_inputs

    articles = [a for a in read_inputs([corpus]) if not isinstance(a, Exception)][:limit]
    path = folder / "input.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            handle.write(json.dumps({"id": a.id, "title": a.title, "text": a.text, "meta": a.meta}) + "\n")
    return path


def run_once(inputs: Path, out: Path, workers: int, formats: str, model: str | None) -> tuple[float, int]:
    """Run ``attribution analyze`` once; returns (seconds, articles written)."""
    command = [sys.executable, "-m", "attribution", "analyze", str(inputs), "--out", str(out)]
    command += ["--workers", str(workers), "--format", formats, "--no-progress"]
    command += ["--model", model] if model else []
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"attribution analyze failed ({done.returncode}):\n{done.stderr[-2000:]}")
    ledger = out / ".done.jsonl"
    articles = sum(1 for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip())
    return seconds, articles


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the start-up probe and one timed run per worker count."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT / "examples" / "corpus"))
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts, one run each")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    parser.add_argument("--format", default="json,md,html", help="outputs per article")
    parser.add_argument("--model", default=None, help="analyzer folder (default: shipped models/)")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    with tempfile.TemporaryDirectory(prefix="corpus-throughput-") as tmp:
        folder = Path(tmp)
        inputs = _subset(Path(args.corpus), args.limit, folder)
        (folder / "probe").mkdir()
        probe = _subset(Path(args.corpus), 1, folder / "probe")
        startup, _ = run_once(probe, folder / "out-probe", 1, args.format, args.model)
        print(f"start-up (1 article, 1 worker): {startup:.1f} s")
        for n in workers:
            seconds, articles = run_once(inputs, folder / f"out-{n}", n, args.format, args.model)
            net = seconds - startup
            rate = f"{articles / seconds:.2f} articles/s"
            rate += f" ({articles / net:.2f} articles/s after start-up)" if net > 0 else ""
            print(f"workers={n}: {articles} articles in {seconds:.1f} s, {rate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
