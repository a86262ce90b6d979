"""Command line: ``attribution analyze | evaluate | train | convert``.

The only place where logging is configured.

Examples::

    attribution analyze examples/ --out reports/ --format json,md,html,jsonl
    attribution evaluate --data ../shared/data/polnear/dev --format polnear --json metrics.json
    attribution train --task attribution --data ../shared/data/polnear/train --dev ../shared/data/polnear/dev \\
        --format polnear --out models/attribution-tagger
    attribution convert --from polnear --to jsonl ../shared/data/polnear/dev dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger("attribution.cli")

FORMATS = ("json", "md", "html", "jsonl")


def _formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format(s) {unknown}; choose from {','.join(FORMATS)}")
    return chosen


def _safe_name(article_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", article_id).strip("._") or "article"
    return name[:150]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="attribution",
        description="Who each claim in a news article is attributed to.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    analyze = sub.add_parser(
        "analyze", help="analyze articles and write reports", formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    analyze.add_argument("inputs", nargs="+", help=".txt, .html, .jsonl files or folders (recursive)")
    analyze.add_argument("--out", required=True, help="output folder")
    analyze.add_argument(
        "--format", type=_formats, default=["json", "md", "html"], help=f"comma-separated, from {','.join(FORMATS)}"
    )
    analyze.add_argument("--model", default=None, help="analyzer or tagger folder (default: shipped models/)")
    analyze.add_argument("--attribution-tagger", default=None, help="swap in another attribution tagger folder")
    analyze.add_argument("--batch-size", type=int, default=32)
    analyze.add_argument("--progress", action="store_true", help="show a progress bar")

    evaluate = sub.add_parser(
        "evaluate", help="score the analyzer on labeled data", formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    evaluate.add_argument(
        "--data", required=True, nargs="+", help="annotation JSONL file(s) or PolNeAR split folder(s)"
    )
    evaluate.add_argument("--format", choices=["jsonl", "polnear"], default="jsonl")
    evaluate.add_argument("--model", default=None, help="analyzer or tagger folder (default: shipped models/)")
    evaluate.add_argument("--json", default=None, help="also write the metrics to this JSON file")

    segment = sub.add_parser(
        "evaluate-segmenter",
        help="sentence-boundary F1 on one-sentence-per-line articles",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    segment.add_argument("folder", help="folder of .txt articles: title line, blank line, one sentence per line")
    segment.add_argument("--json", default=None, help="also write the scores to this JSON file")

    train = sub.add_parser("train", help="fine-tune a model", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    train.add_argument("--task", choices=["attribution"], default="attribution")
    train.add_argument("--data", required=True, nargs="+", help="training data: JSONL file(s) or PolNeAR folder(s)")
    train.add_argument("--dev", nargs="*", default=[], help="validation data for model selection")
    train.add_argument("--format", choices=["jsonl", "polnear"], default="jsonl")
    train.add_argument("--base-model", default=None, help="hub id (resolved offline) or local path")
    train.add_argument("--out", required=True, help="output folder for the trained tagger")
    train.add_argument("--config", default=None, help="JSON file of TrainingConfig settings (flags override it)")
    train.add_argument("--epochs", type=float, default=None)
    train.add_argument("--learning-rate", type=float, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--max-train-articles", type=int, default=None, help="use only the first N articles")
    train.add_argument("--max-steps", type=int, default=None, help="stop after N optimiser steps (smoke tests)")

    convert = sub.add_parser(
        "convert",
        help="convert labeled data to the annotation JSONL format",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    convert.add_argument("--from", dest="source_format", choices=["polnear", "jsonl"], required=True)
    convert.add_argument("--to", dest="target_format", choices=["jsonl"], default="jsonl")
    convert.add_argument("input")
    convert.add_argument("output")
    return parser


def _articles(inputs: Sequence[str], failures: list[str]) -> Iterator[Any]:
    from attribution.readers import InputError, read_inputs

    for item in read_inputs(inputs):
        if isinstance(item, InputError):
            failures.append(str(item))
            print(f"error: {item}", file=sys.stderr)
        else:
            yield item


def _run_analyze(args: argparse.Namespace) -> int:
    from attribution.annotations import LabeledArticle
    from attribution.pipeline import Analyzer
    from attribution.report.html_report import render_html
    from attribution.report.json_report import render_json, report_to_annotation
    from attribution.report.markdown_report import render_markdown

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    analyzer = Analyzer.from_pretrained(args.model, attribution_tagger=args.attribution_tagger)
    failures: list[str] = []
    renderers = {"json": render_json, "md": render_markdown, "html": render_html}
    jsonl = (out / "annotations.jsonl").open("a", encoding="utf-8") if "jsonl" in args.format else None
    started, n_articles, n_sentences = time.perf_counter(), 0, 0
    articles = _articles(args.inputs, failures)
    if args.progress:
        from tqdm import tqdm

        articles = tqdm(articles, unit="article", file=sys.stderr)
    try:
        for report in analyzer.analyze_many(articles, batch_size=args.batch_size):
            name = _safe_name(report.article.id)
            for fmt in args.format:
                if fmt in renderers:
                    (out / f"{name}.{fmt}").write_text(renderers[fmt](report), encoding="utf-8")
            if jsonl is not None:
                record: LabeledArticle = report_to_annotation(report)
                jsonl.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                jsonl.flush()
            n_articles += 1
            n_sentences += len(report.sentences)
    finally:
        if jsonl is not None:
            jsonl.close()
    seconds = max(time.perf_counter() - started, 1e-9)
    print(
        f"wrote {n_articles} report(s) to {out} in {seconds:.1f} s ({n_articles / seconds:.2f} articles/s, "
        f"{n_sentences / seconds:.1f} sentences/s)" + (f"; {len(failures)} input(s) failed" if failures else ""),
        file=sys.stderr,
    )
    return 1 if failures else 0


def _print_metrics(results: dict[str, Any]) -> None:
    print(f"{'span':<10}{'exact P':>9}{'exact R':>9}{'exact F1':>10}{'ovl P':>8}{'ovl R':>8}{'ovl F1':>8}{'gold':>7}")
    for role in ("source", "cue", "content"):
        e, o = results[role]["exact"], results[role]["overlap"]
        print(
            f"{role:<10}{e['precision']:>9.3f}{e['recall']:>9.3f}{e['f1']:>10.3f}"
            f"{o['precision']:>8.3f}{o['recall']:>8.3f}{o['f1']:>8.3f}{results[role]['support']:>7}"
        )
    r = results["relation"]
    print(f"{'relation':<10}{r['precision']:>9.3f}{r['recall']:>9.3f}{r['f1']:>10.3f}{'':>24}{r['support']:>7}")


def _run_evaluate(args: argparse.Namespace) -> int:
    from attribution.evaluation import AttributionEvaluator
    from attribution.pipeline import Analyzer
    from attribution.records import Article
    from attribution.training import load_labeled

    records = [r for r in load_labeled(args.data, args.format) if "attributions" in r.layers]
    if not records:
        raise ValueError(f"{', '.join(args.data)}: no records with the 'attributions' layer")
    analyzer = Analyzer.from_pretrained(args.model)
    evaluator = AttributionEvaluator()
    articles = (Article(id=r.id, text=r.text) for r in records)
    for record, report in zip(records, analyzer.analyze_many(articles), strict=True):
        evaluator.add(record.text, record.attributions, report.attributions)
    results = evaluator.results()
    print(f"{evaluator.n_articles} articles, model {analyzer.tagger.name}")
    _print_metrics(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"attributions": results}, indent=2) + "\n", encoding="utf-8")
    return 0


def _run_evaluate_segmenter(args: argparse.Namespace) -> int:
    from attribution.segmenter import RuleSegmenter, boundary_scores

    scores = boundary_scores(sorted(Path(args.folder).glob("*.txt")), RuleSegmenter())
    print(
        f"{scores['articles']} articles, {scores['gold_boundaries']} gold boundaries: "
        f"P {scores['precision']:.4f} R {scores['recall']:.4f} F1 {scores['f1']:.4f}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return 0


def _run_train(args: argparse.Namespace) -> int:
    from attribution.training import TrainingConfig, train_attribution_tagger

    settings: dict[str, Any] = {}
    if args.config:
        settings = json.loads(Path(args.config).read_text(encoding="utf-8"))
    settings.update({"train_data": args.data, "dev_data": args.dev, "data_format": args.format, "out": args.out})
    for flag, key in (
        ("base_model", "base_model"),
        ("epochs", "epochs"),
        ("learning_rate", "learning_rate"),
        ("batch_size", "batch_size"),
        ("max_train_articles", "max_train_articles"),
        ("max_steps", "max_steps"),
    ):
        if getattr(args, flag) is not None:
            settings[key] = getattr(args, flag)
    metrics = train_attribution_tagger(TrainingConfig.from_dict(settings))
    if "dev" in metrics:
        _print_metrics(metrics["dev"])
    print(f"saved the tagger to {args.out} ({metrics['train_seconds']} s of training)")
    return 0


def _run_convert(args: argparse.Namespace) -> int:
    from attribution.annotations import write_annotations
    from attribution.training import load_labeled

    count = write_annotations(load_labeled([args.input], args.source_format), args.output)
    print(f"wrote {count} record(s) to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (non-zero when any input failed)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for noisy in ("transformers", "httpx", "huggingface_hub"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    runners = {
        "analyze": _run_analyze,
        "evaluate": _run_evaluate,
        "train": _run_train,
        "evaluate-segmenter": _run_evaluate_segmenter,
        "convert": _run_convert,
    }
    try:
        return runners[args.command](args)
    except KeyboardInterrupt:
        print("attribution: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, ImportError) as exc:
        if args.verbose:
            raise
        print(f"attribution: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
