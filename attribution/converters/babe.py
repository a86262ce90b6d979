"""Convert BABE / MBIC sentence-bias CSV files to annotation records.

BABE (Spinde et al., Findings of EMNLP 2021) labels single news sentences as ``Biased`` or
``Non-biased`` and lists the words annotators marked as biased. The release files
(``final_labels_SG2.csv``, ``final_labels_SG1.csv``, ``final_labels_MBIC.csv``) are
``;``-separated with RFC-4180 quoting and the columns ``text; news_link; outlet; topic; type;
label_bias; label_opinion; biased_words`` (MBIC adds ``group_id; num_sent; article``).

Each row becomes one :class:`~attribution.annotations.LabeledArticle` whose text is the
sentence (surrounding whitespace removed), with the ``sentence_labels`` layer and one label
over the whole text. Rows labelled ``No agreement`` are skipped; a sentence that occurs again in the same file
gets the id suffix ``-2``, ``-3``, ... The biased words are matched
case-insensitively as whole words; every occurrence goes to ``extra["biased_words"]`` as
``[start, end]`` pairs, and words that cannot be found (annotator typos such as "demoize")
are listed in ``extra["unlocated_biased_words"]``.

Example:
    >>> csv_text = ("text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words\\n"
    ...             "The radical plan failed.;https://x.org/a;X;economy;left;Biased;"
    ...             "Expresses writer’s opinion;['radical']\\n")
    >>> [record] = babe_records(csv_text, where="inline")
    >>> record.id, record.sentence_labels[0].biased, record.extra["biased_words"]
    ('babe-77bbbfb7f988', True, [[4, 11]])
    >>> babe_split(record)
    'train'

"""

from __future__ import annotations

import ast
import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from attribution.annotations import AnnotationError, GoldSentenceLabel, LabeledArticle

#: ``label_bias`` value -> biased? (``None``: no majority, the row is skipped).
LABELS: dict[str, bool | None] = {"Biased": True, "Non-biased": False, "No agreement": None}
REQUIRED_COLUMNS = ("text", "label_bias")
META_COLUMNS = ("news_link", "outlet", "topic", "type", "label_opinion")
#: Share of article keys that :func:`babe_split` puts in the validation split (1 in ``_VALIDATION_MODULUS``).
_VALIDATION_MODULUS = 5
_SPLIT_SALT = "attribution/babe-validation/v1:"

Split = Literal["train", "validation"]


def babe_id(text: str) -> str:
    """The stable record id of a sentence: ``babe-`` + the first 12 hex digits of its MD5.

    Example:
        >>> babe_id("The radical plan failed.")
        'babe-77bbbfb7f988'

    """
    return "babe-" + hashlib.md5(text.encode("utf-8")).hexdigest()[:12]


def locate_words(text: str, words: list[str]) -> tuple[list[list[int]], list[str]]:
    """Find ``words`` in ``text`` as whole words, ignoring case; returns (sorted spans, words not found).

    Straight and curly quotes around a word are dropped before matching (``'"held"'`` matches
    ``“held”``).

    Example:
        >>> locate_words("A bizarre, BIZARRE day.", ["bizarre", "weird"])
        ([[2, 9], [11, 18]], ['weird'])

    """
    spans: set[tuple[int, int]] = set()
    missing = []
    for word in words:
        needle = word.strip().strip("\"'“”‘’").strip()
        found = False
        if needle:
            pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
            for match in pattern.finditer(text):
                spans.add((match.start(), match.end()))
                found = True
        if not found:
            missing.append(word)
    return [list(span) for span in sorted(spans)], missing


def _parse_words(value: str, where: str) -> list[str]:
    value = value.strip()
    if not value:
        return []
    try:
        words = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise AnnotationError(
            f"{where}: column 'biased_words' is {value[:60]!r}; expected a Python list of strings such as ['a', 'b']"
        ) from None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise AnnotationError(f"{where}: column 'biased_words' must be a list of strings, got {value[:60]!r}")
    return words


def babe_row(row: dict[str, Any], *, where: str) -> LabeledArticle | None:
    """One labeled sentence from a CSV row (a dict by column name); ``None`` for a ``No agreement`` row.

    Raises:
        AnnotationError: for an empty text, an unknown ``label_bias`` or an unreadable ``biased_words``,
            naming ``where`` and the column.

    """
    if None in row:
        raise AnnotationError(f"{where}: the row has more fields than the header; check the ';' separators and quoting")
    if any(value is None for value in row.values()):
        raise AnnotationError(
            f"{where}: the row has fewer fields than the header; check the ';' separators and quoting"
        )
    label = row["label_bias"].strip()
    if label not in LABELS:
        raise AnnotationError(f"{where}: column 'label_bias' is {label!r}; expected one of {list(LABELS)}")
    text = row["text"].strip()
    if not text:
        raise AnnotationError(f"{where}: column 'text' is empty")
    words = _parse_words(row.get("biased_words") or "", where)
    biased = LABELS[label]
    if biased is None:
        return None
    spans, missing = locate_words(text, words)
    meta = {key: (row.get(key) or "").strip() for key in META_COLUMNS if key in row}
    extra: dict[str, Any] = {"meta": meta, "biased_words": spans}
    if missing:
        extra["unlocated_biased_words"] = missing
    return LabeledArticle(
        id=babe_id(text),
        text=text,
        layers=("sentence_labels",),
        extra=extra,
        sentence_labels=(GoldSentenceLabel(span=((0, len(text)),), biased=biased),),
    )


def babe_records(csv_text: str, *, where: str) -> Iterator[LabeledArticle]:
    """Yield the labeled sentences of a BABE CSV given as a string; ``where`` names it in errors.

    Raises:
        AnnotationError: for a missing column or a bad row, naming ``where:line`` (the row's first line).

    """
    reader = csv.DictReader(io.StringIO(csv_text, newline=""), delimiter=";")
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AnnotationError(f"{where}:1: header lacks column(s) {missing}; found {columns} (is it ';'-separated?)")
    start = reader.line_num + 1
    seen: dict[str, int] = {}
    for row in reader:
        record = babe_row(row, where=f"{where}:{start}")
        start = reader.line_num + 1
        if record is None:
            continue
        seen[record.id] = seen.get(record.id, 0) + 1
        if seen[record.id] > 1:  # the same sentence twice in one file: keep both rows, ids stay unique
            record = dataclasses.replace(record, id=f"{record.id}-{seen[record.id]}")
        yield record


def read_babe(path: str | Path) -> Iterator[LabeledArticle]:
    """Yield the labeled sentences of a BABE / MBIC CSV file (``final_labels_SG2.csv`` and its siblings).

    Raises:
        AnnotationError: for a missing column or a bad row, naming ``path:line``.
        FileNotFoundError: if ``path`` does not exist.

    """
    path = Path(path)
    yield from babe_records(path.read_text(encoding="utf-8-sig"), where=str(path))


def article_key(record: LabeledArticle) -> str:
    """The article a BABE sentence comes from: its ``news_link``, or its text when the link is empty."""
    meta = record.extra.get("meta") or {}
    return (meta.get("news_link") or "").strip() or record.text


def babe_split(record: LabeledArticle) -> Split:
    """``"validation"`` for about 1 in 5 articles (hashed :func:`article_key`), else ``"train"``.

    All sentences of one article land in the same split, and the choice is independent of the
    hold-out rule the data's README used (a salted SHA-256 instead of a plain MD5).

    Example:
        >>> rec = LabeledArticle(id="x", text="Some text.", layers=("sentence_labels",),
        ...                      extra={"meta": {"news_link": "https://example.org/a"}})
        >>> babe_split(rec)
        'validation'

    """
    digest = hashlib.sha256((_SPLIT_SALT + article_key(record)).encode("utf-8")).hexdigest()
    return "validation" if int(digest, 16) % _VALIDATION_MODULUS == 0 else "train"
