"""Convert the Propaganda Techniques Corpus (PTC, SemEval-2020 Task 11) to annotation records.

A PTC folder holds ``train-articles/article<ID>.txt`` and technique labels as TSV lines
``<ID>\\t<technique>\\t<start>\\t<end>`` (character offsets into the article file, end exclusive),
either in one ``train-task-flc-tc.labels`` file or per article in
``train-labels-task-flc-tc/article<ID>.task-flc-tc.labels``. Each article becomes one record
with id ``ptc-<ID>``, the file's text exactly as stored, and two layers:

- ``techniques``: one span per label line (exact duplicates dropped), the 14 SemEval-2020 names;
- ``loaded_terms``: the ``Name_Calling,Labeling``, ``Loaded_Language`` and ``Exaggeration,Minimisation``
  spans mapped to ``name_calling``, ``loaded_language`` and ``exaggeration`` (annotation guidelines
  section 3); polarity, target and voice are not in PTC and stay ``None``.

Articles without any label line are kept: both layers are listed and empty ("annotated, none present").
PTC has no public validation data besides the held-out dev set, so :func:`ptc_split` carves one
from train by article, deterministically.

Example:
    >>> text = "They are thugs and liars."
    >>> labels = [TechniqueLabel("1", "Name_Calling,Labeling", 9, 14, "x.labels:1"),
    ...           TechniqueLabel("1", "Loaded_Language", 9, 14, "x.labels:2")]
    >>> record = technique_record("ptc-1", text, labels)
    >>> [(text[slice(*t.span[0])], t.category) for t in record.loaded_terms]
    [('thugs', 'loaded_language'), ('thugs', 'name_calling')]
    >>> ptc_split("111111111"), ptc_split("ptc-111111111")
    ('train', 'train')

"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from attribution.annotations import (
    TECHNIQUE_TO_CATEGORY,
    TECHNIQUES,
    AnnotationError,
    GoldLoadedTerm,
    GoldTechnique,
    LabeledArticle,
)

Split = Literal["train", "validation"]
#: ``extra["meta"]["source"]`` of the records read here.
PTC_SOURCE = "ptc_semeval2020"
PTC_LAYERS = ("techniques", "loaded_terms")
_ID_PREFIXES = ("ptc-", "semeval2023-")


@dataclass(frozen=True, slots=True)
class TechniqueLabel:
    """One label line of a PTC-style TSV file; ``where`` is ``path:line`` for error messages."""

    article_id: str
    technique: str
    start: int
    end: int
    where: str


def article_number(article_id: str) -> str:
    """The numeric PTC article id of ``article_id``, which may carry a ``ptc-`` or ``semeval2023-`` prefix.

    >>> article_number("semeval2023-111111111")
    '111111111'

    Raises:
        ValueError: if what is left is not a number.

    """
    number = article_id
    for prefix in _ID_PREFIXES:
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    if not number.isdigit():
        raise ValueError(f"article id {article_id!r} is not a PTC article number (digits, optionally 'ptc-' first)")
    return number


def ptc_split(article_id: str, validation_share: float = 0.2) -> Split:
    """``"validation"`` for about ``validation_share`` of the articles, else ``"train"``; deterministic.

    The choice hashes the numeric article id (md5), so it does not depend on which articles are
    read, their order, or the Python process; ``ptc-<ID>`` and ``semeval2023-<ID>`` land on the same side.

    >>> [ptc_split(str(i)) for i in range(111111111, 111111116)]
    ['train', 'train', 'validation', 'train', 'train']

    Raises:
        ValueError: for a share outside [0, 1] or an id that is not a PTC article number.

    """
    if not 0.0 <= validation_share <= 1.0:
        raise ValueError(f"validation_share must be in [0, 1], got {validation_share}")
    digest = hashlib.md5(article_number(article_id).encode("ascii")).hexdigest()
    return "validation" if int(digest[:8], 16) / 0x1_0000_0000 < validation_share else "train"


def parse_label_lines(path: Path, allowed: Iterable[str]) -> list[TechniqueLabel]:
    """Read ``<ID>\\t<technique>\\t<start>\\t<end>`` lines; blank lines are skipped.

    Raises:
        AnnotationError: naming ``path:line`` for a line with the wrong number of fields, an unknown
            technique or offsets that are not integers with ``0 <= start < end``.

    """
    allowed = set(allowed)
    labels = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            where = f"{path}:{number}"
            fields = line.split("\t")
            if len(fields) != 4:
                raise AnnotationError(
                    f"{where}: expected 4 tab-separated fields (id, technique, start, end), got {len(fields)}: {line!r}"
                )
            article_id, technique, start, end = (f.strip() for f in fields)
            if technique not in allowed:
                raise AnnotationError(f"{where}: unknown technique {technique!r}; known: {sorted(allowed)}")
            try:
                start_i, end_i = int(start), int(end)
            except ValueError:
                raise AnnotationError(f"{where}: offsets {start!r}, {end!r} are not integers") from None
            if not 0 <= start_i < end_i:
                raise AnnotationError(f"{where}: offsets [{start_i}, {end_i}] are not 0 <= start < end")
            labels.append(TechniqueLabel(article_id, technique, start_i, end_i, where))
    return labels


def techniques_to_loaded_terms(techniques: Iterable[GoldTechnique]) -> tuple[GoldLoadedTerm, ...]:
    """Loaded terms for the technique spans in ``TECHNIQUE_TO_CATEGORY``; one per span and category.

    >>> techniques_to_loaded_terms([GoldTechnique(((0, 5),), "Doubt"), GoldTechnique(((0, 5),), "Loaded_Language")])
    (GoldLoadedTerm(span=((0, 5),), category='loaded_language', polarity=None, target=None, voice=None),)

    """
    seen: dict[tuple[Any, str], GoldLoadedTerm] = {}
    for technique in techniques:
        category = TECHNIQUE_TO_CATEGORY.get(technique.technique)
        if category is not None:
            seen.setdefault((technique.span, category), GoldLoadedTerm(span=technique.span, category=category))
    return tuple(sorted(seen.values(), key=lambda t: (t.span, t.category)))


def technique_record(
    record_id: str,
    text: str,
    labels: Sequence[TechniqueLabel],
    *,
    rename: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> LabeledArticle:
    """One record with ``techniques`` and ``loaded_terms`` from ``labels`` over ``text``.

    ``rename`` maps label names onto the 14 SemEval-2020 techniques (labels whose name it lacks are
    left out); without it the names must already be SemEval-2020 ones.

    Raises:
        AnnotationError: naming the label's ``path:line`` when its offsets run past the text.

    """
    techniques = set()
    for label in labels:
        if label.end > len(text):
            raise AnnotationError(
                f"{label.where}: offsets [{label.start}, {label.end}] are outside article {label.article_id} "
                f"(length {len(text)})"
            )
        name = label.technique if rename is None else rename.get(label.technique)
        if name is None:
            continue
        if name not in TECHNIQUES:
            raise AnnotationError(f"{label.where}: {name!r} is not a SemEval-2020 technique")
        techniques.add(GoldTechnique(span=((label.start, label.end),), technique=name))
    ordered = tuple(sorted(techniques, key=lambda t: (t.span, t.technique)))
    return LabeledArticle(
        id=record_id,
        text=text,
        layers=PTC_LAYERS,
        techniques=ordered,
        loaded_terms=techniques_to_loaded_terms(ordered),
        extra=dict(extra or {}),
    )


def _read_text(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:  # newline="": offsets count every stored character
        return handle.read()


def _labels_beside(article: Path) -> Path:
    candidates = [
        article.with_name(f"{article.stem}.task-flc-tc.labels"),
        article.with_name(f"{article.stem}.labels"),
        article.parent.parent / "train-labels-task-flc-tc" / f"{article.stem}.task-flc-tc.labels",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{article}: no labels file found; looked for {[str(c) for c in candidates]}")


def _article_files(path: Path) -> tuple[dict[str, Path], list[TechniqueLabel]]:
    """Article files by id and all label lines, for a PTC root folder or one article file."""
    if path.is_file():
        if not (path.name.startswith("article") and path.suffix == ".txt" and path.stem[7:].isdigit()):
            raise FileNotFoundError(f"{path}: not a PTC article file (expected article<ID>.txt)")
        article_id = path.stem[7:]
        labels = parse_label_lines(_labels_beside(path), TECHNIQUES)
        for label in labels:
            if label.article_id != article_id:
                raise AnnotationError(f"{label.where}: label for article {label.article_id}, expected {article_id}")
        return {article_id: path}, labels
    articles_dir = path / "train-articles"
    if not articles_dir.is_dir():
        raise FileNotFoundError(f"{path}: not a PTC folder (expected a 'train-articles/' folder inside)")
    articles = {p.stem[7:]: p for p in sorted(articles_dir.glob("article*.txt")) if p.stem[7:].isdigit()}
    combined = path / "train-task-flc-tc.labels"
    per_article = path / "train-labels-task-flc-tc"
    if combined.is_file():
        labels = parse_label_lines(combined, TECHNIQUES)
    elif per_article.is_dir():
        labels = [
            label
            for labels_path in sorted(per_article.glob("article*.task-flc-tc.labels"))
            for label in parse_label_lines(labels_path, TECHNIQUES)
        ]
    else:
        raise FileNotFoundError(
            f"{path}: no technique labels (expected 'train-task-flc-tc.labels' or 'train-labels-task-flc-tc/')"
        )
    for label in labels:
        if label.article_id not in articles:
            raise AnnotationError(f"{label.where}: article {label.article_id} has no file in {articles_dir}")
    return articles, labels


def read_ptc(path: str | Path, split: Split | None = None, *, validation_share: float = 0.2) -> list[LabeledArticle]:
    """Labeled articles from a PTC folder (the one holding ``train-articles/``) or one ``article<ID>.txt``.

    A single article file needs its labels beside it (``article<ID>.task-flc-tc.labels`` or
    ``article<ID>.labels``) or in the PTC layout's ``train-labels-task-flc-tc/``. ``split`` keeps only
    the articles :func:`ptc_split` puts on that side.

    Example:
        >>> records = read_ptc("../shared/data/ptc_semeval2020", split="validation")  # doctest: +SKIP
        >>> len(records), records[0].id                                                # doctest: +SKIP
        (64, 'ptc-111111113')

    Raises:
        FileNotFoundError: if ``path`` is neither a PTC folder nor an article file with labels.
        AnnotationError: for a bad label line (naming ``path:line``): wrong fields, unknown technique,
            offsets outside the text, or an article id without a text file.

    """
    path = Path(path)
    if split is not None and split not in get_args(Split):
        raise ValueError(f"split must be one of {get_args(Split)} or None, got {split!r}")
    articles, labels = _article_files(path)
    by_article: dict[str, list[TechniqueLabel]] = {article_id: [] for article_id in articles}
    for label in labels:
        by_article[label.article_id].append(label)
    records = []
    for article_id in sorted(articles, key=int):
        if split is not None and ptc_split(article_id, validation_share) != split:
            continue
        text = _read_text(articles[article_id])
        meta = {"source": PTC_SOURCE, "article_id": article_id}
        records.append(technique_record(f"ptc-{article_id}", text, by_article[article_id], extra={"meta": meta}))
    return records
