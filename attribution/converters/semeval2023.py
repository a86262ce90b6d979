"""Convert SemEval-2023 Task 3 subtask 3 (English persuasion-technique spans) to annotation records.

A folder holds ``train-articles-subtask-3/article<ID>.txt`` (one paragraph per line) and
``train-labels-subtask-3-spans/article<ID>-labels-subtask-3.txt`` with TSV lines
``<ID>\\t<technique>\\t<start>\\t<end>`` (character offsets into that article file, end exclusive;
an empty file is an article without spans). Each article becomes a record with id
``semeval2023-<ID>`` and the layers ``techniques`` and ``loaded_terms``, exactly as
:mod:`attribution.converters.ptc` builds them.

The 2023 taxonomy has 23 techniques; :data:`SEMEVAL2023_TO_2020` maps them onto the 14 SemEval-2020
names where they are the same technique or a renamed/split part of a merged 2020 class:

- renamed: ``Name_Calling-Labeling``, ``Exaggeration-Minimisation``, ``Appeal_to_Fear-Prejudice``,
  ``Flag_Waving``, ``Conversation_Killer`` (-> ``Thought-terminating_Cliches``),
  ``False_Dilemma-No_Choice`` (-> ``Black-and-White_Fallacy``);
- split from ``Whataboutism,Straw_Men,Red_Herring``: ``Whataboutism``, ``Red_Herring``, ``Straw_Man`` and
  ``Appeal_to_Hypocrisy`` (the 2020 Whataboutism definition covered charging an opponent with hypocrisy);
- split from ``Bandwagon,Reductio_ad_hitlerum``: ``Appeal_to_Popularity`` (bandwagon) and
  ``Guilt_by_Association`` (reductio ad hitlerum, generalised);
- unchanged: ``Loaded_Language``, ``Doubt``, ``Causal_Oversimplification``, ``Appeal_to_Authority``,
  ``Slogans``, ``Repetition``.

On the 371 English training articles these mappings agree with the PTC-2020 labels of the same
articles: 5,847 of the 6,120 mapped spans (95.5%) have a PTC span with the same text and technique.

Dropped (:data:`DROPPED_2023`; no 2020 counterpart): ``Obfuscation-Vagueness-Confusion`` (also removed
from the 2020 label set), and the techniques new in 2023 ``Appeal_to_Values``,
``Consequential_Oversimplification``, ``Questioning_the_Reputation`` and ``Appeal_to_Time`` (absent from
the English training spans). Every span, dropped ones included, is kept under its 2023 name in
``extra["techniques_2023"]``.

**Overlap with PTC.** The English 2023 training articles are the PTC-2020 articles (same ids), so
reading both double-counts them, and a PTC validation article read from here leaks into training.
Pass ``exclude_ids`` (or ``split``, which applies :func:`~attribution.converters.ptc.ptc_split`).

Example:
    >>> SEMEVAL2023_TO_2020["Conversation_Killer"], SEMEVAL2023_TO_2020["Guilt_by_Association"]
    ('Thought-terminating_Cliches', 'Bandwagon,Reductio_ad_hitlerum')
    >>> records = read_semeval2023("../shared/data/semeval2023_t3_en", split="train")  # doctest: +SKIP
    >>> len(records), records[0].id                                                      # doctest: +SKIP
    (307, 'semeval2023-111111111')

"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import get_args

from attribution.annotations import AnnotationError, LabeledArticle
from attribution.converters.ptc import (
    Split,
    TechniqueLabel,
    article_number,
    parse_label_lines,
    ptc_split,
    technique_record,
)

#: ``extra["meta"]["source"]`` of the records read here.
SEMEVAL2023_SOURCE = "semeval2023_t3_en"
#: SemEval-2023 subtask-3 technique -> SemEval-2020 technique (see the module docstring).
SEMEVAL2023_TO_2020 = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Appeal_to_Hypocrisy": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Popularity": "Bandwagon,Reductio_ad_hitlerum",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Doubt": "Doubt",
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Flag_Waving": "Flag-Waving",
    "Guilt_by_Association": "Bandwagon,Reductio_ad_hitlerum",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Straw_Man": "Whataboutism,Straw_Men,Red_Herring",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
}
#: SemEval-2023 techniques with no SemEval-2020 counterpart: left out of the ``techniques`` layer.
DROPPED_2023 = (
    "Appeal_to_Time",
    "Appeal_to_Values",
    "Consequential_Oversimplification",
    "Obfuscation-Vagueness-Confusion",
    "Questioning_the_Reputation",
)
#: The 23 SemEval-2023 subtask-3 technique names.
SEMEVAL2023_TECHNIQUES = tuple(sorted((*SEMEVAL2023_TO_2020, *DROPPED_2023)))


def _techniques_2023(labels: list[TechniqueLabel]) -> list[dict[str, object]]:
    unique = sorted({(label.start, label.end, label.technique) for label in labels})
    return [{"span": [[start, end]], "technique": technique} for start, end, technique in unique]


def read_semeval2023(
    path: str | Path,
    *,
    exclude_ids: Iterable[str] = (),
    split: Split | None = None,
    validation_share: float = 0.2,
) -> list[LabeledArticle]:
    """Labeled articles from a SemEval-2023 subtask-3 English folder, techniques mapped to SemEval-2020.

    ``exclude_ids`` drops articles by id (``"111111111"``, ``"ptc-111111111"`` or
    ``"semeval2023-111111111"``); ``split`` keeps the articles that :func:`ptc_split` puts on that
    side, so ``split="train"`` never holds a PTC validation article.

    Raises:
        FileNotFoundError: if ``path`` has no ``train-articles-subtask-3/`` or
            ``train-labels-subtask-3-spans/`` folder.
        AnnotationError: for a bad span line (naming ``path:line``): wrong fields, a name outside the 23
            techniques, offsets outside the text, or a label for another article.

    """
    path = Path(path)
    if split is not None and split not in get_args(Split):
        raise ValueError(f"split must be one of {get_args(Split)} or None, got {split!r}")
    articles_dir, spans_dir = path / "train-articles-subtask-3", path / "train-labels-subtask-3-spans"
    for folder in (articles_dir, spans_dir):
        if not folder.is_dir():
            raise FileNotFoundError(f"{path}: not a SemEval-2023 subtask-3 folder (expected '{folder.name}/' inside)")
    excluded = {article_number(i) for i in exclude_ids}
    records = []
    articles = {p.stem[7:]: p for p in articles_dir.glob("article*.txt") if p.stem[7:].isdigit()}
    for article_id in sorted(articles, key=int):
        if article_id in excluded or (split is not None and ptc_split(article_id, validation_share) != split):
            continue
        labels_path = spans_dir / f"article{article_id}-labels-subtask-3.txt"
        if not labels_path.is_file():
            continue  # no span file: not annotated (an empty file means "no spans")
        labels = parse_label_lines(labels_path, SEMEVAL2023_TECHNIQUES)
        for label in labels:
            if label.article_id != article_id:
                raise AnnotationError(f"{label.where}: label for article {label.article_id}, expected {article_id}")
        with articles[article_id].open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        extra = {
            "meta": {"source": SEMEVAL2023_SOURCE, "article_id": article_id},
            "techniques_2023": _techniques_2023(labels),
        }
        records.append(
            technique_record(f"semeval2023-{article_id}", text, labels, rename=SEMEVAL2023_TO_2020, extra=extra)
        )
    return records
