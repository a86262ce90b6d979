"""Read and write a token-level CoNLL (BIO) export, for users of sequence-labeling tools.

Layout (UTF-8): one token per line as ``token<TAB>tag``, a blank line after every sentence, and a
``# id = <article id>`` comment line before each article's first sentence::

    # id = a17
    Officials<TAB>B-SOURCE
    said<TAB>B-CUE
    it<TAB>B-CONTENT
    rained<TAB>I-CONTENT
    .<TAB>O
    <blank line>

Tags: ``O``, ``B-SOURCE``, ``I-SOURCE``, ``B-CUE``, ``I-CUE``, ``B-CONTENT``, ``I-CONTENT``.

Writing (lossy): sentences come from :class:`~attribution.segmenter.RuleSegmenter`, tokens from the
regular expression :data:`TOKEN` (words with inner hyphens/apostrophes, or single punctuation marks).
A token takes the role of its first labelled character; where spans overlap, ``CUE`` wins over
``SOURCE``, which wins over ``CONTENT``; span boundaries inside a token move to the token's edges.
Not carried: which source and content belong to which cue (the relations), the profile fields
(``source_type``, ``anonymous``, ``via``, ``resolved_source``, ``stance``), the other layers,
``layers`` (a record without the ``attributions`` layer is written all ``O``), ``meta`` and the
original whitespace.

Reading: the article text is rebuilt by joining its tokens with single spaces (sentences too), and
every offset of the record read indexes that rebuilt text, not the original. Each run of
``B-X I-X ...`` is one piece (an ``I-X`` that does not continue an ``X`` run starts one, as in
conlleval). Pieces become attributions with :func:`attribution.linking.link_attributions`: one per
``CUE`` piece, with the nearest ``SOURCE`` (same or neighbouring sentence) and the nearest
``CONTENT`` pieces (up to three sentences away); a cue without content is kept, and pieces that no
cue takes are left out with a warning. Also read: several columns per line (the first is the token,
the last the tag; tab- or space-separated), ``-DOCSTART-`` lines and ``# newdoc id = ...`` comments as
article boundaries, other ``#`` comments (ignored). An article without an id comment is named
``<file stem>-<n>``.

Example:
    >>> from attribution.annotations import GoldAttribution, LabeledArticle
    >>> record = LabeledArticle("a1", "Officials said it rained.", ("attributions",),
    ...                         (GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 24),)),))
    >>> conll_lines(record)
    ['# id = a1', 'Officials\\tB-SOURCE', 'said\\tB-CUE', 'it\\tB-CONTENT', 'rained\\tI-CONTENT', '.\\tO', '']
    >>> conll_record("a1", [[("Officials", "B-SOURCE"), ("said", "B-CUE"), ("it", "B-CONTENT"), ("rained", "I-CONTENT"),
    ...                      (".", "O")]]).attributions[0].content
    ((15, 24),)

"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

from attribution.annotations import AnnotationError, GoldAttribution, LabeledArticle
from attribution.linking import link_attributions
from attribution.records import Article, Span, SpanLabel
from attribution.segmenter import RuleSegmenter

logger = logging.getLogger(__name__)

#: The tokenizer used for writing: a word (with inner ``-``, ``'`` or ``’``) or one other non-space character.
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
#: Span roles in the order of precedence where spans overlap.
ROLES = ("CUE", "SOURCE", "CONTENT")
TAGS = ("O", *(f"{prefix}-{role}" for role in ("SOURCE", "CUE", "CONTENT") for prefix in ("B", "I")))
_ID_COMMENT = re.compile(r"#\s*(?:newdoc\s+)?id\s*=\s*(.*\S)\s*$")
_DOCSTART = "-DOCSTART-"


# --------------------------------------------------------------------------- writing


def _owners(record: LabeledArticle) -> list[tuple[str, int, int] | None]:
    """Per character: the (role, start, end) of the span fragment that claims it, or ``None``."""
    owners: list[tuple[str, int, int] | None] = [None] * len(record.text)
    if "attributions" not in record.layers:
        return owners
    for role in ROLES:
        for attribution in record.attributions:
            for start, end in getattr(attribution, role.lower()):
                for c in range(start, min(end, len(owners))):
                    if owners[c] is None:
                        owners[c] = (role, start, end)
    return owners


def conll_lines(record: LabeledArticle, segmenter: RuleSegmenter | None = None) -> list[str]:
    """The CoNLL lines for ``record``: the ``# id`` comment, then token lines, a blank line after each sentence."""
    segmenter = segmenter or RuleSegmenter()
    owners = _owners(record)
    lines = [f"# id = {' '.join(record.id.split())}"]
    for sentence in segmenter(Article(id=record.id, text=record.text)):
        previous = None
        for match in TOKEN.finditer(record.text, sentence.start, sentence.end):
            owner = next((o for o in owners[match.start() : match.end()] if o is not None), None)
            if owner is None:
                tag = "O"
            else:
                tag = f"{'I' if owner == previous else 'B'}-{owner[0]}"
            previous = owner
            lines.append(f"{match.group()}\t{tag}")
        lines.append("")
    return lines


def write_conll(records: Iterable[LabeledArticle], path: str | Path) -> int:
    """Write ``records`` as CoNLL BIO (lossy: see the module docstring); returns how many were written."""
    segmenter = RuleSegmenter()
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write("\n".join(conll_lines(record, segmenter)) + "\n")
            count += 1
    return count


# --------------------------------------------------------------------------- reading


def _tag(tag: str, where: str) -> tuple[str, str | None]:
    """``(prefix, role)`` of a BIO tag: ``("O", None)``, ``("B", "CUE")``, ..."""
    upper = tag.upper()
    if upper in TAGS:
        prefix, _, role = upper.partition("-")
        return prefix, role or None
    raise AnnotationError(f"{where}: unknown tag {tag!r}; expected one of {list(TAGS)}")


def conll_record(
    article_id: str, sentences: Sequence[Sequence[tuple[str, str]]], *, where: str | None = None
) -> LabeledArticle:
    """Build one annotation record from sentences of ``(token, tag)`` pairs (text rebuilt with single spaces).

    Raises:
        AnnotationError: for an unknown tag, naming ``where`` (default: the article id).

    """
    where = where or article_id
    parts: list[str] = []
    runs: list[tuple[str, int, int, int]] = []  # (role, start, end, sentence index)
    cursor = 0
    for index, sentence in enumerate(sentences):
        open_role: str | None = None
        for token, tag in sentence:
            start = cursor + (1 if parts else 0)
            parts.append(token)
            cursor = start + len(token)
            prefix, role = _tag(tag, where)
            if role is not None and prefix == "I" and open_role == role:
                runs[-1] = (role, runs[-1][1], cursor, index)
            elif role is not None:
                runs.append((role, start, cursor, index))
            open_role = role
    text = " ".join(parts)
    spans = [Span(cast(SpanLabel, role), start, end, text[start:end], index) for role, start, end, index in runs]
    linked = link_attributions(spans, text, require_content=False)
    attributions = [
        GoldAttribution(
            cue=tuple((s.start, s.end) for s in a.cue),
            source=tuple((s.start, s.end) for s in a.source),
            content=tuple((s.start, s.end) for s in a.content),
        )
        for a in linked
    ]
    used = {(s.label, s.start, s.end) for a in linked for s in (*a.cue, *a.source, *a.content)}
    left_out = [s for s in spans if (s.label, s.start, s.end) not in used]
    if left_out:
        logger.warning(
            "%s: %d tagged piece(s) not linked to any cue were left out: %s",
            where,
            len(left_out),
            ", ".join(f"{s.label} {s.text!r}" for s in left_out[:5]),
        )
    return LabeledArticle(id=article_id, text=text, layers=("attributions",), attributions=tuple(attributions))


def _fields(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


def read_conll(path: str | Path) -> Iterator[LabeledArticle]:
    """Yield one record per article of a CoNLL BIO file (see the module docstring for the rules).

    A folder yields the articles of every ``*.conll`` file in it, in name order.

    Raises:
        AnnotationError: for the first malformed line: ``<path>:<line>: ...``.

    """
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.glob("*.conll")):
            yield from read_conll(child)
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise AnnotationError(f"{path}: not UTF-8 text") from None

    count = 0
    article_id: str | None = None
    first_line = 1
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []

    def flush() -> Iterator[LabeledArticle]:
        nonlocal count, article_id, sentences, sentence
        if sentence:
            sentences.append(sentence)
        if article_id is not None or sentences:
            count += 1
            name = article_id if article_id is not None else f"{path.stem}-{count}"
            yield conll_record(name, sentences, where=f"{path}:{first_line} (id {name!r})")
        article_id, sentences, sentence = None, [], []

    for number, line in enumerate(lines, start=1):
        fields = _fields(line.strip())
        if not fields:
            if sentence:
                sentences.append(sentence)
                sentence = []
            continue
        if fields[0] == _DOCSTART:
            if sentence or sentences:
                yield from flush()
                first_line = number
            continue
        is_token = len(fields) >= 2 and fields[-1].upper() in TAGS
        if line.startswith("#") and "\t" not in line and not (len(fields) == 2 and is_token):
            match = _ID_COMMENT.match(line)
            if match:
                if sentence or sentences or article_id is not None:
                    yield from flush()
                article_id, first_line = match.group(1), number
            continue
        if len(fields) < 2:
            raise AnnotationError(f"{path}:{number}: expected 'token<TAB>tag', got {line.strip()!r}")
        _tag(fields[-1], f"{path}:{number}")
        sentence.append((fields[0], fields[-1]))
    yield from flush()
