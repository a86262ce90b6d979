"""Command line: ``attribution analyze | evaluate | train | convert``.

The only place where logging is configured.

Examples::

    attribution analyze examples/frontline_report.txt --out reports/ --format json,md,html,jsonl
    attribution analyze examples/corpus --out corpus-reports/ --workers 2
    attribution evaluate --data ../shared/data/polnear/dev --format polnear --json metrics.json
    attribution evaluate --data dev.jsonl --compare models/ my-tagger/ --bootstrap 1000
    attribution evaluate --data ptc-dev.jsonl babe-dev.jsonl --json metrics.json --plots plots/
    attribution train --task attribution --data ../shared/data/polnear/train --dev ../shared/data/polnear/dev \\
        --format polnear --out models/attribution-tagger-minilm
    attribution train --task attribution --data ../shared/data/polnear/train --dev ../shared/data/polnear/dev \\
        --format polnear --base-model sentence-transformers/all-mpnet-base-v2 --config lora.json \\
        --out models/attribution-tagger    # lora.json: {"lora_rank": 32, ...}; a GPU run (model card)
    attribution train --task loaded-terms --data ../shared/data/ptc_semeval2020 --format ptc --out models/term-tagger
    attribution train --task sentence-bias --data ../shared/data/babe/final_labels_SG2.csv --format babe \\
        --out models/sentence-bias
    attribution train --task source-profile --format polnear-profile \\
        --data attribution/resources/source_profile/polnear_labels.part*.jsonl --out models/source-profile
    attribution train --task source-profile --format labelstudio --data export.json --dev held-out.json \\
        --init-model models/source-profile --out my-profile
    attribution evaluate --format polnear-profile --split dev \\
        --data attribution/resources/source_profile/polnear_labels.part*.jsonl --json profile.json
    attribution evaluate --data attribution/resources/source_profile/distancing.test.jsonl
    attribution convert --from polnear --to jsonl ../shared/data/polnear/dev dev.jsonl
    attribution convert --from jsonl --to doccano dev.jsonl dev.doccano.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from attribution.tagging.precision import PRECISIONS

logger = logging.getLogger("attribution.cli")

FORMATS = ("json", "md", "html", "jsonl")  # as attribution.corpus.FORMATS
LABELED_FORMATS = (  # as attribution.training.DataFormat
    "jsonl",
    "polnear",
    "labelstudio",
    "doccano",
    "conll",
    "ptc",
    "semeval2023",
    "basil",
    "babe",
    "polnear-profile",
)
WRITABLE_FORMATS = ("jsonl", "labelstudio", "doccano", "conll")  # what `convert --to` writes


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


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0 (got {number})")
    return number


def _confidence(value: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {number})")
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
    analyze.add_argument("--term-tagger", default=None, help="swap in another loaded-term tagger folder")
    analyze.add_argument("--sentence-bias", default=None, help="swap in another sentence-bias classifier folder")
    analyze.add_argument("--source-profile", default=None, help="swap in another source-profile classifier folder")
    analyze.add_argument("--target-ranker", default=None, help="swap in another loaded-term target ranker folder")
    analyze.add_argument("--batch-size", type=_positive, default=32, help="encoder windows per forward pass")
    analyze.add_argument(
        "--workers", type=_positive, default=1, help="worker processes, each loading the model once (1: in-process)"
    )
    analyze.add_argument("--force", action="store_true", help="reanalyze articles an earlier run finished")
    analyze.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="encoder arithmetic: bfloat16 autocast is about twice as fast where the CPU has AVX-512 BF16 or AMX "
        "(auto takes it only there); reports record the one used",
    )
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
    evaluate.add_argument("--format", choices=LABELED_FORMATS, default="jsonl")
    which = evaluate.add_mutually_exclusive_group()
    which.add_argument("--model", default=None, help="analyzer or tagger folder (default: shipped models/)")
    which.add_argument(
        "--compare",
        nargs=2,
        metavar=("MODEL_A", "MODEL_B"),
        default=None,
        help="evaluate two models on the same data, every layer, and compare them (paired bootstrap); each is an"
        " analyzer folder or one component folder (attribution/term tagger, sentence bias, source profile) that"
        " replaces that component of the default analyzer",
    )
    evaluate.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="encoder arithmetic (see analyze --precision); float32 gives the numbers the model cards report",
    )
    evaluate.add_argument("--json", default=None, help="also write the metrics to this JSON file")
    evaluate.add_argument(
        "--plots",
        default=None,
        metavar="DIR",
        help="write confusion-matrix PNGs here (technique classification, sentence bias, source type); with "
        "--compare also comparison.png (B - A per score with its interval) and each model's matrices in a/ and b/",
    )
    evaluate.add_argument(
        "--bootstrap",
        type=_non_negative,
        default=1000,
        metavar="N",
        help="article resamples for F1 confidence intervals and the comparison (0: none)",
    )
    evaluate.add_argument("--confidence", type=_confidence, default=0.95, help="level of the bootstrap intervals")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resampling")
    evaluate.add_argument(
        "--split",
        default=None,
        help="score only records whose meta.split is this (e.g. dev: the validation part of --format polnear-profile)",
    )

    segment = sub.add_parser(
        "evaluate-segmenter",
        help="sentence-boundary F1 on one-sentence-per-line articles",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    segment.add_argument("folder", help="folder of .txt articles: title line, blank line, one sentence per line")
    segment.add_argument("--json", default=None, help="also write the scores to this JSON file")

    train = sub.add_parser("train", help="fine-tune a model", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    train.add_argument(
        "--task",
        choices=["attribution", "loaded-terms", "sentence-bias", "source-profile", "targets"],
        default="attribution",
        help="attribution: the SOURCE/CUE/CONTENT tagger; loaded-terms: the loaded-term and technique branch on "
        "the attribution tagger (PTC + the packaged war-vocabulary set); sentence-bias: the biased-sentence "
        "classifier (BABE); source-profile: the source type and anonymity classifier (--format polnear-profile: "
        "the packaged PolNeAR profile label files, whose dev-split labels are the validation part; the "
        "packaged war-reporting records are added); targets: the ranker that gives loaded terms the rules leave "
        "open a target (articles with gold loaded-term targets; --dev chooses its threshold; --model: the "
        "analyzer whose reports it extends)",
    )
    train.add_argument("--data", required=True, nargs="+", help="training data: JSONL file(s) or PolNeAR folder(s)")
    train.add_argument("--dev", nargs="*", default=[], help="validation data for model selection")
    train.add_argument("--format", choices=LABELED_FORMATS, default="jsonl")
    train.add_argument("--base-model", default=None, help="hub id (resolved offline) or local path")
    train.add_argument("--out", required=True, help="output folder for the trained tagger")
    train.add_argument("--config", default=None, help="JSON file of TrainingConfig settings (flags override it)")
    train.add_argument("--epochs", type=float, default=None)
    train.add_argument("--learning-rate", type=float, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--max-train-articles", type=int, default=None, help="use only the first N articles")
    train.add_argument("--max-steps", type=int, default=None, help="stop after N optimiser steps (smoke tests)")
    train.add_argument(
        "--init-model",
        "--init-tagger",
        dest="init_model",
        default=None,
        metavar="DIR",
        help="fine-tune this saved model (e.g. the shipped one in models/) instead of starting from the base "
        "encoder: attribution: an attribution tagger folder; loaded-terms: a term tagger folder (on the tagger in "
        "models/ its weight hash names, or --attribution-tagger); sentence-bias: a sentence-bias classifier "
        "folder; source-profile: a source profiler folder, or an attribution tagger folder whose encoder starts a "
        "new profiler. --base-model defaults to the folder's own base",
    )
    train.add_argument(
        "--attribution-tagger",
        default=None,
        help="loaded-terms: the attribution tagger whose encoder pass the branch reuses (default: with --init-model, "
        "the one that branch was trained on; else the MiniLM tagger, whose branch trains on a CPU)",
    )
    train.add_argument("--trunk-layer", type=int, default=None, help="loaded-terms: branch after this encoder layer")
    train.add_argument(
        "--model", default=None, help="targets: the analyzer folder whose reports the ranker extends (default: models/)"
    )
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="training arithmetic (default: the config's, float32): bfloat16 autocast, or auto for bfloat16 where "
        "the CPU has AVX-512 BF16 or AMX or on a GPU that supports it",
    )

    convert = sub.add_parser(
        "convert",
        help="convert labeled data between the annotation JSONL format and other formats",
        description="Convert labeled data. doccano: relation-labeling JSONL (spans and relations; the profile"
        " fields and other layers are not carried). conll: token<TAB>BIO-tag lines, lossy: relations, profile"
        " fields, other layers and the original whitespace are lost; reading rebuilds the text from the tokens"
        " and links each CUE to the nearest SOURCE and CONTENT.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    convert.add_argument("--from", dest="source_format", choices=LABELED_FORMATS, required=True)
    convert.add_argument(
        "--to",
        dest="target_format",
        choices=WRITABLE_FORMATS,
        default="jsonl",
        help="output format (conll is lossy: no relations or profile fields)",
    )
    convert.add_argument("input")
    convert.add_argument("output")
    return parser


def _run_analyze(args: argparse.Namespace) -> int:
    from attribution.corpus import CorpusOptions, analyze_corpus

    options = CorpusOptions(
        formats=tuple(args.format),
        model=args.model,
        attribution_tagger=args.attribution_tagger,
        term_tagger=args.term_tagger,
        sentence_bias=args.sentence_bias,
        source_profile=args.source_profile,
        target_ranker=args.target_ranker,
        batch_size=args.batch_size,
        workers=args.workers,
        force=args.force,
        progress=sys.stderr.isatty() if args.progress == "auto" else args.progress,
        precision=args.precision,
    )
    run = analyze_corpus(args.inputs, args.out, options, stream=sys.stderr)
    print(run.summary_line(), file=sys.stderr)
    return 1 if run.failures else 0


def _print_metrics(results: dict[str, Any]) -> None:
    from attribution.evaluation import format_metrics

    print(format_metrics(results))


def _run_evaluate(args: argparse.Namespace) -> int:
    from attribution.comparison import compare_models, format_comparison, model_name, scoreable_records
    from attribution.pipeline import Analyzer
    from attribution.term_evaluation import evaluate_layers, format_term_metrics
    from attribution.training import load_labeled

    try:
        records = list(load_labeled(args.data, args.format))
        if args.split:
            records = [r for r in records if (r.extra.get("meta") or {}).get("split") == args.split]
        if args.compare:
            records = scoreable_records(records)
    except ValueError as exc:
        raise ValueError(f"{', '.join(args.data)}: {exc}") from None
    bootstrap = {"n_bootstrap": args.bootstrap, "seed": args.seed, "confidence": args.confidence}
    if args.compare:
        result = compare_models(*args.compare, records, precision=args.precision, **bootstrap)
        print(format_comparison(result))
        if args.plots:
            from attribution.plots import save_comparison_plot, save_evaluation_plots

            written = [save_comparison_plot(result, Path(args.plots) / "comparison.png")]
            for side in ("a", "b"):  # each model's confusion matrices in its own subfolder
                written += save_evaluation_plots(result[side], Path(args.plots) / side)
            for path in written:
                print(f"wrote {path}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0
    scoreable = ("attributions", "loaded_terms", "techniques", "sentence_labels", "source_profile", "distancing")
    if not any(layer in r.layers for r in records for layer in scoreable):
        raise ValueError(f"{', '.join(args.data)}: no records with a layer to score ({', '.join(scoreable)})")
    analyzer = Analyzer.from_pretrained(args.model, precision=args.precision)
    precision_context = getattr(analyzer, "precision_context", contextlib.nullcontext)  # any analyzer-like object
    with precision_context():
        evaluation = evaluate_layers(analyzer, records)
    print(f"{len(records)} articles, model {model_name(analyzer)}")
    metrics: dict[str, Any] = {}
    if evaluation.attributions is not None:
        metrics["attributions"] = evaluation.attributions.results_with_intervals(
            args.bootstrap, args.seed, args.confidence
        )
        print(f"\nattributions ({evaluation.attributions.n_articles} articles)")
        _print_metrics(metrics["attributions"])
    metrics.update(evaluation.terms.results_with_intervals(args.bootstrap, args.seed, args.confidence))
    if any(layer in metrics for layer in ("loaded_terms", "techniques", "sentence_labels")):
        counts = ", ".join(f"{layer} {n}" for layer, n in evaluation.terms.n_articles.items() if n)
        print(f"\narticles scored: {counts}")
        print(format_term_metrics(metrics))
    skipped = list(evaluation.skipped)
    if any(layer in r.layers for r in records for layer in ("source_profile", "distancing")):
        from attribution.profile_evaluation import evaluate_profile_layers, format_profile_metrics

        with precision_context():
            profile = evaluate_profile_layers(analyzer, records)
        metrics.update(profile.metrics)
        skipped += profile.skipped
        if profile.metrics:
            counts = ", ".join(f"{layer} {n}" for layer, n in profile.n_articles.items() if n)
            print(f"\narticles scored: {counts}")
            print(format_profile_metrics(profile.metrics))
    if not metrics:
        raise ValueError(f"nothing was scored: {'; '.join(skipped)}")
    for line in skipped:
        print(line)
    if args.bootstrap:
        print(f"[low, high]: {args.confidence:.0%} percentile interval over {args.bootstrap} resamples of the articles")
    if args.plots:
        from attribution.plots import save_evaluation_plots

        for path in save_evaluation_plots(metrics, args.plots):
            print(f"wrote {path}")
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
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


#: ``train --init-model DIR`` per task: (the config file DIR must hold, the training setting DIR fills, what it is);
#: the first file DIR holds wins.
INIT_MODEL_SETTINGS = {
    "attribution": (("tagger_config.json", "init_tagger", "attribution tagger"),),
    "loaded-terms": (("term_tagger_config.json", "init_branch", "term tagger"),),
    "sentence-bias": (("sentence_bias_config.json", "init_classifier", "sentence-bias classifier"),),
    "source-profile": (
        ("source_profile_config.json", "init_profiler", "source profiler"),
        ("tagger_config.json", "init_encoder", "attribution tagger"),
    ),
}


def _init_model_settings(task: str, init_model: str | None, settings: dict[str, Any]) -> None:
    """Set the training setting that ``--init-model DIR`` stands for in ``settings``.

    Also ``base_model``, to DIR's own base, when neither a flag nor the config file gave one (not for
    loaded-terms, whose base is its trunk's).

    Raises:
        ValueError: naming DIR and the config file it lacks for ``task``.

    """
    if init_model is None:
        return
    folder = Path(init_model)
    if not folder.is_dir():
        raise ValueError(f"--init-model {init_model}: no such folder")
    choices = INIT_MODEL_SETTINGS[task]
    for config_name, key, _ in choices:
        config_path = folder / config_name
        if config_path.is_file():
            settings[key] = init_model
            base = json.loads(config_path.read_text(encoding="utf-8")).get("base_model")
            if base and task != "loaded-terms" and "base_model" not in settings:
                settings["base_model"] = base
            return
    wanted = " or ".join(f"a saved {what} ({name})" for name, _, what in choices)
    inside = sorted(str(p) for p in folder.iterdir() if p.is_dir() and any((p / c).is_file() for c, _, _ in choices))
    hint = f"; the folder(s) inside it that fit: {', '.join(inside)}" if inside else ""
    raise ValueError(
        f"--init-model {init_model}: --task {task} starts from {wanted}, "
        f"but the folder holds no {' or '.join(name for name, _, _ in choices)}{hint}"
    )


def _run_train(args: argparse.Namespace) -> int:
    from attribution.training import TrainingConfig, train_attribution_tagger

    if args.task == "sentence-bias":
        return _run_train_sentence_bias(args)
    if args.task == "loaded-terms":
        return _run_train_loaded_terms(args)
    if args.task == "source-profile":
        return _run_train_source_profile(args)
    if args.task == "targets":
        return _run_train_targets(args)
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
        ("precision", "precision"),
    ):
        if getattr(args, flag) is not None:
            settings[key] = getattr(args, flag)
    _init_model_settings(args.task, args.init_model, settings)
    metrics = train_attribution_tagger(TrainingConfig.from_dict(settings))
    if "dev" in metrics:
        _print_metrics(metrics["dev"])
    print(f"saved the tagger to {args.out} ({metrics['train_seconds']} s of training)")
    return 0


#: ``train`` flags the target ranker has no use for.
_NOT_FOR_TARGETS = tuple(
    "config base_model epochs learning_rate batch_size max_train_articles max_steps init_model attribution_tagger "
    "trunk_layer".split()
)


def _run_train_targets(args: argparse.Namespace) -> int:
    from attribution.target_ranking_training import train_target_ranker

    for flag in _NOT_FOR_TARGETS:
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag.replace('_', '-')} does not apply to --task targets")
    metrics = train_target_ranker(
        args.data, args.dev, args.out, model=args.model, precision=args.precision or "float32", data_format=args.format
    )
    before, after = metrics["dev_without_ranker"], metrics["dev_by_threshold"][str(metrics["threshold"])]
    print(
        f"dev ({metrics['dev_articles']} articles): target accuracy {before.get('accuracy', 0.0):.4f} without the "
        f"ranker, {after.get('accuracy', 0.0):.4f} with it (threshold {metrics['threshold']}; precision when given "
        f"{before.get('precision_when_given', 0.0):.4f} -> {after.get('precision_when_given', 0.0):.4f})"
    )
    print(f"saved the target ranker to {args.out} ({metrics['train_seconds']} s)")
    return 0


def _run_train_loaded_terms(args: argparse.Namespace) -> int:
    from attribution.term_training import TermTrainingConfig, train_term_tagger

    if args.base_model is not None:
        raise ValueError("--base-model does not apply to --task loaded-terms (use --attribution-tagger)")
    settings: dict[str, Any] = {}
    if args.config:
        settings = json.loads(Path(args.config).read_text(encoding="utf-8"))
    settings.update({"train_data": args.data, "data_format": args.format, "out": args.out})
    if args.dev:
        settings.update({"validation_data": args.dev, "validation_format": args.format})
    for flag, key in (
        ("epochs", "epochs"),
        ("learning_rate", "learning_rate"),
        ("batch_size", "batch_size"),
        ("max_train_articles", "max_train_articles"),
        ("max_steps", "max_steps"),
        ("precision", "precision"),
        ("attribution_tagger", "attribution_tagger"),
        ("trunk_layer", "trunk_layer"),
    ):
        if getattr(args, flag) is not None:
            settings[key] = getattr(args, flag)
    _init_model_settings(args.task, args.init_model, settings)
    metrics = train_term_tagger(TermTrainingConfig.from_dict(settings))
    if "validation" in metrics:
        from attribution.term_evaluation import format_term_metrics

        print(format_term_metrics(metrics["validation"]))
    print(f"saved the loaded-term tagger to {args.out} ({metrics['train_seconds']} s of training)")
    return 0


def _run_train_source_profile(args: argparse.Namespace) -> int:
    from attribution.profile_training import ProfileTrainingConfig, train_source_profiler

    for flag in ("attribution_tagger", "trunk_layer"):
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag.replace('_', '-')} does not apply to --task source-profile")
    if args.format not in ("polnear-profile", "jsonl", "labelstudio", "doccano", "conll"):
        raise ValueError(
            "--task source-profile reads --format polnear-profile (label files) or records with the source_profile "
            "layer (jsonl, labelstudio, doccano, conll)"
        )
    settings: dict[str, Any] = {}
    if args.config:
        settings = json.loads(Path(args.config).read_text(encoding="utf-8"))
    settings["out"] = args.out
    if args.format == "polnear-profile":
        settings["label_data"] = args.data
    else:  # records with the source_profile layer: training records; --dev: validation records
        settings["label_data"] = []
        settings["extra_train_data"] = args.data
        settings["data_format"] = args.format
    if args.dev:
        settings["validation_data"] = args.dev
    for flag, key in (
        ("base_model", "base_model"),
        ("epochs", "epochs"),
        ("learning_rate", "learning_rate"),
        ("batch_size", "batch_size"),
        ("max_train_articles", "max_train_examples"),
        ("max_steps", "max_steps"),
        ("precision", "precision"),
    ):
        if getattr(args, flag) is not None:
            settings[key] = getattr(args, flag)
    _init_model_settings(args.task, args.init_model, settings)  # a profiler, or a tagger's encoder
    metrics = train_source_profiler(ProfileTrainingConfig.from_dict(settings))
    if "validation" in metrics:
        from attribution.profile_evaluation import format_profile_metrics

        print(format_profile_metrics({"source_profile": metrics["validation"]}))
    print(f"saved the source profiler to {args.out} ({metrics['train_seconds']} s of training)")
    return 0


def _run_train_sentence_bias(args: argparse.Namespace) -> int:
    from attribution.sentence_bias_training import SentenceBiasConfig, train_sentence_bias

    settings: dict[str, Any] = {}
    if args.config:
        settings = json.loads(Path(args.config).read_text(encoding="utf-8"))
    settings.update({"train_data": args.data, "dev_data": args.dev, "data_format": args.format, "out": args.out})
    for flag, key in (
        ("base_model", "base_model"),
        ("epochs", "epochs"),
        ("learning_rate", "learning_rate"),
        ("batch_size", "batch_size"),
        ("max_train_articles", "max_train_records"),
        ("max_steps", "max_steps"),
        ("precision", "precision"),
    ):
        if getattr(args, flag) is not None:
            settings[key] = getattr(args, flag)
    _init_model_settings(args.task, args.init_model, settings)
    metrics = train_sentence_bias(SentenceBiasConfig.from_dict(settings))
    if "validation" in metrics:
        scores = metrics["validation"]
        print(
            f"validation ({scores['support']} sentences): macro-F1 {scores['macro_f1']:.4f}, "
            f"accuracy {scores['accuracy']:.4f}"
        )
    print(f"saved the sentence-bias classifier to {args.out} ({metrics['train_seconds']} s of training)")
    return 0


def _run_convert(args: argparse.Namespace) -> int:
    from attribution.annotations import write_annotations
    from attribution.converters.conll import write_conll
    from attribution.converters.doccano import write_doccano
    from attribution.converters.labelstudio import write_labelstudio
    from attribution.training import load_labeled

    writers = {
        "jsonl": write_annotations,
        "labelstudio": write_labelstudio,
        "doccano": write_doccano,
        "conll": write_conll,
    }
    count = writers[args.target_format](load_labeled([args.input], args.source_format), args.output)
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
