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
import sys
from pathlib import Path
from typing import Any

logger = logging.getLogger("attribution.cli")

FORMATS = ("json", "md", "html", "jsonl")  # as attribution.corpus.FORMATS


def _formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format(s) {unknown}; choose from {','.join(FORMATS)}")
    return chosen


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {number})")
    return number


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
    analyze.add_argument(
        "--out",
        required=True,
        help="output folder: <id>.<format> per article, annotations.jsonl, index.html (all articles, per outlet) "
        "and the ledger .done.jsonl; re-running with the same folder skips the articles already done",
    )
    analyze.add_argument(
        "--format", type=_formats, default=["json", "md", "html"], help=f"comma-separated, from {','.join(FORMATS)}"
    )
    analyze.add_argument("--model", default=None, help="analyzer or tagger folder (default: shipped models/)")
    analyze.add_argument("--attribution-tagger", default=None, help="swap in another attribution tagger folder")
    analyze.add_argument("--batch-size", type=_positive, default=32, help="encoder windows per forward pass")
    analyze.add_argument(
        "--workers", type=_positive, default=1, help="worker processes, each loading the model once (1: in-process)"
    )
    analyze.add_argument("--force", action="store_true", help="reanalyze articles an earlier run finished")
    analyze.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default="auto",
        help="show a progress bar on stderr (auto: when stderr is a terminal)",
    )

    evaluate = sub.add_parser(
        "evaluate", help="score the analyzer on labeled data", formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    evaluate.add_argument(
        "--data", required=True, nargs="+", help="annotation JSONL file(s) or PolNeAR split folder(s)"
    )
    evaluate.add_argument("--format", choices=["jsonl", "polnear", "labelstudio"], default="jsonl")
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
    train.add_argument("--format", choices=["jsonl", "polnear", "labelstudio"], default="jsonl")
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
    convert.add_argument("--from", dest="source_format", choices=["polnear", "jsonl", "labelstudio"], required=True)
    convert.add_argument("--to", dest="target_format", choices=["jsonl", "labelstudio"], default="jsonl")
    convert.add_argument("input")
    convert.add_argument("output")
    return parser


def _run_analyze(args: argparse.Namespace) -> int:
    from attribution.corpus import CorpusOptions, analyze_corpus

    options = CorpusOptions(
        formats=tuple(args.format),
        model=args.model,
        attribution_tagger=args.attribution_tagger,
        batch_size=args.batch_size,
        workers=args.workers,
        force=args.force,
        progress=sys.stderr.isatty() if args.progress == "auto" else args.progress,
    )
    run = analyze_corpus(args.inputs, args.out, options, stream=sys.stderr)
    print(run.summary_line(), file=sys.stderr)
    return 1 if run.failures else 0


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
    from attribution.converters.labelstudio import write_labelstudio
    from attribution.training import load_labeled

    writer = write_labelstudio if args.target_format == "labelstudio" else write_annotations
    count = writer(load_labeled([args.input], args.source_format), args.output)
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
