"""Convert PolNeAR brat standoff (``text/*.txt`` + ``attributions/*_<annotator>.ann``) to annotation records.

PolNeAR marks each attribution as an ``E`` line linking an ``Attribution`` (or
``Attribution-no-source``) anchor to ``Source``, ``Cue`` and ``Content`` text-bound ``T``
annotations. Discontinuous spans use ``;``-separated ranges. Where an article has several
annotators' files, the first in sorted order is used. A content span's leading complementizer
"that" is left out, as the annotation guidelines mark content (PolNeAR includes it).

Example:
    >>> ann = "T1\\tSource 0 2\\tHe\\nT2\\tCue 3 7\\tsaid\\nT3\\tContent 8 10\\tno\\n" \\
    ...       "T4\\tAttribution 3 7\\tsaid\\nE1\\tAttribution:T4 Content:T3 Cue:T2 Source:T1\\n"
    >>> record = polnear_record("x", "He said no", ann)
    >>> record.attributions[0].source, record.attributions[0].content
    (((0, 2),), ((8, 10),))
    >>> ann = ann.replace("Content 8 10\\tno", "Content 8 15\\tthat no")
    >>> polnear_record("x", "He said that no", ann).attributions[0].content
    ((13, 15),)

"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from attribution.annotations import AnnotationError, GoldAttribution, LabeledArticle
from attribution.linking import fragments_without_complementizer

_ROLE_BY_BRAT = {"Source": "source", "Cue": "cue", "Content": "content", "Content2": "content"}


def _parse_ranges(spec: str, where: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in spec.split(";"):
        try:
            start, end = (int(x) for x in part.split())
        except ValueError:
            raise AnnotationError(f"{where}: cannot read offsets {spec!r}") from None
        ranges.append((start, end))
    return tuple(ranges)


def polnear_record(article_id: str, text: str, ann: str, *, where: str | None = None) -> LabeledArticle:
    """Build one labeled article from a PolNeAR text and its ``.ann`` content."""
    where = where or article_id
    textbound: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {}
    events: list[list[str]] = []
    for number, line in enumerate(ann.splitlines(), start=1):
        if line.startswith("T"):
            fields = line.split("\t")
            if len(fields) < 2:
                continue
            label, _, spec = fields[1].partition(" ")
            textbound[fields[0]] = (label, _parse_ranges(spec, f"{where}:{number}"))
        elif line.startswith("E"):
            fields = line.split("\t")
            if len(fields) >= 2:
                events.append(fields[1].split())
    attributions = []
    for roles in events:
        fragments: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
        for role in roles:
            name, _, tid = role.partition(":")
            name = name.rstrip("0123456789") if name.startswith("Content") else name
            target = _ROLE_BY_BRAT.get(name)
            if target is None or tid not in textbound:
                continue
            fragments[target].extend(textbound[tid][1])
        if not fragments["cue"]:
            continue
        attributions.append(
            GoldAttribution(
                cue=tuple(sorted(fragments["cue"])),
                source=tuple(sorted(fragments["source"])),
                content=fragments_without_complementizer(sorted(fragments["content"]), text),
            )
        )
    attributions.sort(key=lambda a: a.cue[0])
    return LabeledArticle(
        id=article_id, text=text, layers=("attributions",), attributions=tuple(attributions), extra={}
    )


def read_polnear(directory: str | Path) -> Iterator[LabeledArticle]:
    """Yield labeled articles from a PolNeAR split directory (the one holding ``text/`` and ``attributions/``).

    Raises:
        FileNotFoundError: if ``directory`` has no ``text/`` folder.

    """
    directory = Path(directory)
    text_dir, ann_dir = directory / "text", directory / "attributions"
    if not text_dir.is_dir():
        raise FileNotFoundError(f"{directory}: not a PolNeAR split (expected a 'text/' folder inside)")
    for text_path in sorted(text_dir.glob("*.txt")):
        candidates = sorted(ann_dir.glob(f"{text_path.stem}_*.ann"))
        if not candidates:
            continue
        text = text_path.read_text(encoding="utf-8")
        ann = candidates[0].read_text(encoding="utf-8")
        yield polnear_record(text_path.stem, text, ann, where=str(candidates[0]))
