"""Precision and recall of the loaded-term branch at each decision threshold (its operating points).

Usage::

    python benchmarks/term_operating_points.py [--data ../shared/data/ptc_semeval2020] [--format ptc]
        [--split validation|dev|all] [--model models] [--thresholds 0.3 0.5 0.7] [--extend 0.1 | --no-extend]

The branch runs once over the articles; each threshold is then decoded from its stored probabilities
(with the growing threshold ``--extend``, by default the shipped one, and the shipped lexicon prior).
Prints SemEval-2020 SI precision/recall/F1 and the overlap precision/recall/F1 of ``name_calling`` and
``loaded_language`` per threshold; the row marked ``*`` is the model's own threshold (the shipped one was
chosen on the dev articles). For PTC, ``--split validation`` is the held-out part (``ptc_split``), ``dev`` the training
articles that chose the decoding, ``all`` every article.

A reviewer who wants fewer false highlights can read off the precision a higher threshold buys, and set
``threshold`` in the term tagger's ``term_tagger_config.json``. The best row on validation says how far
decoding alone can go; it is not a held-out score, since it was picked by looking at validation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attribution.pipeline import default_model_dir, default_term_trunk_dir
from attribution.term_training import (
    branch_outputs,
    build_term_features,
    dev_split,
    evaluate_decoded,
    load_term_records,
)

CATEGORIES = ("name_calling", "loaded_language")
DEV_SHARE = 0.1  # TermTrainingConfig's default dev_share: the training articles that chose the decoding


def parse_args() -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", nargs="+", default=["../shared/data/ptc_semeval2020"])
    parser.add_argument("--format", default="ptc")
    parser.add_argument("--split", choices=("validation", "dev", "all"), default="validation")
    parser.add_argument("--model", type=Path, default=None, help="analyzer folder (default: the shipped models/)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    growing = parser.add_mutually_exclusive_group()
    growing.add_argument("--extend", type=float, default=None, help="growing threshold (default: the shipped one)")
    growing.add_argument("--no-extend", action="store_true", help="decode without growing")
    return parser.parse_args()


def load_records(paths: list[str], data_format: str, split: str) -> list:
    """The labeled articles of ``split`` (PTC: by article id, as training splits them)."""
    if data_format != "ptc" or split == "all":
        return load_term_records(paths, data_format)
    if split == "validation":
        return load_term_records(paths, data_format, split="validation")
    return [r for r in load_term_records(paths, data_format, split="train") if dev_split(r.id, DEV_SHARE)]


def main() -> None:
    """Run the branch once, then print one row of scores per threshold."""
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.term_tagger import TermTagger

    args = parse_args()
    root = args.model or default_model_dir()
    trunk = AttributionTagger.from_pretrained(str(default_term_trunk_dir(root)))
    tagger = TermTagger.from_pretrained(root / "term-tagger", trunk=trunk)
    records = load_records(args.data, args.format, args.split)
    if not records:
        raise SystemExit(f"{args.data}: no labeled articles in split {args.split!r}")
    features = build_term_features(records, tagger)
    outputs = branch_outputs(tagger, features)
    extend = None if args.no_extend else (args.extend if args.extend is not None else tagger.config.extend_threshold)
    print(f"{len(records)} articles ({args.split}), growing threshold {extend}, model {root}")
    header = f"{'threshold':>9}  {'SI P':>6} {'R':>6} {'F1':>6}"
    for category in CATEGORIES:
        header += f"  {category + ' P':>18} {'R':>6} {'F1':>6}"
    print(header)
    for threshold in sorted(args.thresholds):
        results = evaluate_decoded(tagger, features, records, outputs, threshold=threshold, extend_threshold=extend)
        si = results["techniques"]
        mark = "*" if threshold == tagger.config.threshold else " "
        line = f"{threshold:>8.2f}{mark}  {si['si_precision']:>6.3f} {si['si_recall']:>6.3f} {si['si_f1']:>6.3f}"
        for category in CATEGORIES:
            overlap = results["loaded_terms"][category]["overlap"]
            line += f"  {overlap['precision']:>18.3f} {overlap['recall']:>6.3f} {overlap['f1']:>6.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
