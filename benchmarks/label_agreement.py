"""Agreement between two labellers of the PolNeAR validation sources, and between them and the source profiler.

Usage::

    python benchmarks/label_agreement.py [--second FILE] [--model models/source-profile | --no-model]

``--second`` (default: the packaged ``second_labels.dev.jsonl``) holds ``case``, ``source_type`` and
``anonymous`` for a sample of the validation cases, labelled blind by a second labeller
(``resources/source_profile/LABELING.md``, "Agreement"). Prints, on the cases both labelled: the
labellers' type agreement and Cohen's kappa, anonymity agreement, kappa and F1 (second scored
against first), and the profiler's scores against each labeller, given the gold spans. The
profiler part needs the PolNeAR texts (``../shared/data/polnear`` or ``$ATTRIBUTION_POLNEAR_ROOT``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from attribution.profile_evaluation import (
    default_label_paths,
    gold_attributions,
    label_agreement,
    read_label_rows,
    read_profile_labels,
)

ROOT = Path(__file__).resolve().parent.parent
SECOND = ROOT / "attribution" / "resources" / "source_profile" / "second_labels.dev.jsonl"


def model_labels(model: str) -> dict[str, tuple[str, bool]]:
    """``case -> (source_type, anonymous)`` from the profiler at ``model`` on the validation cases (gold spans)."""
    from attribution.records import Article
    from attribution.segmenter import RuleSegmenter
    from attribution.tagging.source_profiler import SourceProfiler

    profiler = SourceProfiler.from_pretrained(model)
    segmenter = RuleSegmenter()
    out: dict[str, tuple[str, bool]] = {}
    for record in read_profile_labels(splits=["dev"]):
        article = Article(id=record.id, text=record.text)
        sentences = segmenter(article)
        profiled = profiler.profile(article, sentences, gold_attributions(record.text, sentences, record.attributions))
        for case in record.extra["meta"]["cases"]:
            predicted = profiled[case["attribution_index"]]
            out[case["case"]] = (str(predicted.source_type), bool(predicted.anonymous))
    return out


def _line(name: str, result: dict) -> str:
    kind, anonymous = result["type"], result["anonymous"]
    return (
        f"{name:<28} n {result['n']:>4}  type agreement {kind['agreement']:.3f} (kappa {kind['kappa']:.3f})  "
        f"anonymous agreement {anonymous['agreement']:.3f} (kappa {anonymous['kappa']:.3f}, F1 {anonymous['f1']:.3f})"
    )


def main() -> None:
    """Parse the arguments and print the agreement table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--second", default=str(SECOND), help="the second labeller's JSONL")
    parser.add_argument("--model", default=str(ROOT / "models" / "source-profile"), help="source-profile folder")
    parser.add_argument("--no-model", action="store_true", help="compare the labellers only")
    args = parser.parse_args()

    first = {row["case"]: (row["source_type"], row["anonymous"]) for _, row in read_label_rows(default_label_paths())}
    second: dict[str, tuple[str, bool]] = {}
    for line in Path(args.second).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            second[row["case"]] = (row["source_type"], row["anonymous"])
    missing = sorted(set(second) - set(first))
    if missing:
        raise SystemExit(f"{args.second}: cases not in the packaged labels: {missing[:5]}")
    cases = sorted(second)
    print(_line("second vs first labeller", label_agreement([first[c] for c in cases], [second[c] for c in cases])))
    if not args.no_model:
        predicted = model_labels(args.model)
        for name, reference in (("model vs first labeller", first), ("model vs second labeller", second)):
            print(_line(name, label_agreement([reference[c] for c in cases], [predicted[c] for c in cases])))
        every = sorted(c for c in predicted if c in first)
        scores = label_agreement([first[c] for c in every], [predicted[c] for c in every])
        print(_line("model vs first, all cases", scores))


if __name__ == "__main__":
    main()
