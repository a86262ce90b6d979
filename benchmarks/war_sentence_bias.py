"""How the sentence-bias classifier reads war reporting, on two hand-written sets it never trained on.

Usage::

    python benchmarks/war_sentence_bias.py [--model models/sentence-bias] [--model other-classifier ...]

1. ``attribution/resources/evaluation/war_sentences.test.jsonl``: single sentences labeled biased / not
   biased (the writer's own words judge a side, or not). Prints macro-F1 with a 95% bootstrap interval.
2. The sentences of the hand-written war-terms records (``attribution/resources/training/war_terms.*.jsonl``,
   written for the loaded-term tagger and never used by the sentence-bias trainer), labeled from their
   loaded terms: a sentence holding a loaded term in the writer's own voice (``narrator``) counts as
   biased, a sentence with no loaded term as not biased. Prints macro-F1 over those two groups, and
   the share flagged among sentences whose loaded terms are all relayed (``indirect`` or ``quoted``),
   which has no gold label: the share only says how often the classifier counts a source's wording
   against the sentence.

A model that flags grim but neutral wire sentences, or misses "Takfiri gangs" in the writer's voice,
shows up here; BABE's own validation split, from US political news, does not measure either.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from attribution.annotations import LabeledArticle, read_annotations
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.sentence_bias_training import evaluate_sentence_bias, sentence_scores

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "attribution" / "resources"
TEST_SET = RESOURCES / "evaluation" / "war_sentences.test.jsonl"
TERM_SETS = sorted((RESOURCES / "training").glob("war_terms.*.jsonl"))


def term_sentences(records: Sequence[LabeledArticle]) -> list[tuple[str, str]]:
    """``(sentence, group)`` for each sentence of ``records``; group ``narrator``, ``relayed`` or ``none``.

    Example:
        >>> from attribution.annotations import GoldLoadedTerm
        >>> text = "Takfiri gangs fled. Rebels left."
        >>> term = GoldLoadedTerm(((0, 7),), "name_calling", "negative", None, "narrator")
        >>> term_sentences([LabeledArticle("a", text, ("loaded_terms",), loaded_terms=(term,))])
        [('Takfiri gangs fled.', 'narrator'), ('Rebels left.', 'none')]

    """
    segmenter = RuleSegmenter()
    rows = []
    for record in records:
        for sentence in segmenter(Article(id=record.id, text=record.text)):
            voices = {
                term.voice
                for term in record.loaded_terms
                if any(sentence.start <= start < sentence.end for start, _ in term.span)
            }
            group = "narrator" if "narrator" in voices else "relayed" if voices else "none"
            rows.append((sentence.text, group))
    return rows


def report(model: str) -> None:
    """Print the two measurements for the classifier saved in ``model``."""
    from attribution.tagging.sentence_bias import SentenceBiasClassifier

    classifier = SentenceBiasClassifier.from_pretrained(model)
    print(f"# {model}")
    if TEST_SET.is_file():
        scores = evaluate_sentence_bias(classifier, list(read_annotations(TEST_SET)))
        ci = scores["macro_f1_ci"]
        recall = {label: scores["per_class"][label]["recall"] for label in scores["per_class"]}
        print(
            f"{TEST_SET.name}: macro-F1 {scores['macro_f1']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}], "
            f"recall biased {recall['biased']:.3f}, not biased {recall['not_biased']:.3f} "
            f"({scores['support']} sentences)"
        )
    rows = term_sentences([r for path in TERM_SETS for r in read_annotations(path)])
    flagged = [biased for biased, _ in classifier.predict([text for text, _ in rows])]
    scored = [(group == "narrator", flag) for (_, group), flag in zip(rows, flagged, strict=True) if group != "relayed"]
    scores = sentence_scores([gold for gold, _ in scored], [flag for _, flag in scored])
    for group in ("narrator", "none", "relayed"):
        marks = [flag for (_, g), flag in zip(rows, flagged, strict=True) if g == group]
        print(f"war-terms sentences, {group}: {sum(marks)} of {len(marks)} flagged biased")
    print(f"war-terms sentences, narrator vs none: macro-F1 {scores['macro_f1']:.3f} ({len(scored)} sentences)")


def main() -> None:
    """Parse the command line and print a report per model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", nargs="+", default=[str(ROOT / "models" / "sentence-bias")])
    for model in parser.parse_args().model:
        report(model)


if __name__ == "__main__":
    main()
