"""The project's labeled-data format (annotation JSONL, version 1).

One article per line, as defined in ``annotation-guidelines.md`` section 5. A span is a list
of ``[start, end]`` fragments. This module reads, validates and writes that format; every
error names the file, the line and the field.

Example:
    >>> line = ('{"id": "a1", "text": "Officials said it rained.", "layers": ["attributions"],'
    ...         ' "attributions": [{"source": [[0, 9]], "cue": [[10, 14]], "content": [[15, 24]]}]}')
    >>> record = parse_record(line, where="inline:1")
    >>> record.attributions[0].cue
    ((10, 14),)

"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Fragments = tuple[tuple[int, int], ...]
KNOWN_LAYERS = ("attributions", "source_profile", "loaded_terms", "techniques", "distancing", "sentence_labels")
FORMAT_VERSION = 1
#: ``source_type`` values (annotation guidelines section 1.1).
SOURCE_TYPES = (
    "government",
    "military",
    "political",
    "armed_group",
    "ngo",
    "international",
    "media",
    "expert",
    "business",
    "citizen",
    "document",
    "unspecified",
)
#: ``stance`` values of the reporting verb (annotation guidelines section 1.3).
STANCES = ("neutral", "endorsing", "distancing", "conceding", "charged")


class AnnotationError(ValueError):
    """A labeled record that breaks the format; the message names the record and field."""


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """One labeled attribution: fragments for each role, plus optional profile labels."""

    cue: Fragments
    source: Fragments = ()
    content: Fragments = ()
    via: Fragments = ()
    source_type: str | None = None
    anonymous: bool | None = None
    resolved_source: str | None = None
    stance: str | None = None


@dataclass(frozen=True, slots=True)
class LabeledArticle:
    """One line of an annotation file."""

    id: str
    text: str
    layers: tuple[str, ...]
    attributions: tuple[GoldAttribution, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for this record, unknown keys kept."""
        out: dict[str, Any] = {"id": self.id, "text": self.text, "layers": list(self.layers)}
        out["attributions"] = [_attribution_to_dict(a) for a in self.attributions]
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


def _attribution_to_dict(a: GoldAttribution) -> dict[str, Any]:
    def spans(fragments: Fragments) -> list[list[int]] | None:
        return [list(f) for f in fragments] or None

    return {
        "source": spans(a.source),
        "cue": spans(a.cue),
        "content": spans(a.content),
        "source_type": a.source_type,
        "anonymous": a.anonymous,
        "via": spans(a.via),
        "resolved_source": a.resolved_source,
        "stance": a.stance,
    }


def _fragments(value: Any, text_length: int, where: str, name: str, *, required: bool) -> Fragments:
    if value is None:
        if required:
            raise AnnotationError(f"{where}: field '{name}' is required and missing")
        return ()
    if not isinstance(value, list) or not value:
        raise AnnotationError(f"{where}: field '{name}' must be a non-empty list of [start, end] pairs")
    out = []
    for fragment in value:
        if (
            not isinstance(fragment, list)
            or len(fragment) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in fragment)
        ):
            raise AnnotationError(
                f"{where}: field '{name}' has a fragment {fragment!r}; expected [start, end] integers"
            )
        start, end = fragment
        if not 0 <= start < end <= text_length:
            raise AnnotationError(
                f"{where}: field '{name}' fragment [{start}, {end}] is outside the text (length {text_length})"
            )
        out.append((start, end))
    return tuple(sorted(out))


def parse_record(line: str, *, where: str) -> LabeledArticle:
    """Parse and validate one JSONL line.

    Raises:
        AnnotationError: with ``where`` (``path:line``) and the offending field in the message.

    """
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise AnnotationError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    for key in ("id", "text"):
        if not isinstance(obj.get(key), str):
            raise AnnotationError(f"{where}: field '{key}' must be a string")
    text: str = obj["text"]
    layers = obj.get("layers", ["attributions"] if "attributions" in obj else [])
    if not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
        raise AnnotationError(f"{where}: field 'layers' must be a list of strings")
    unknown = sorted(set(layers) - set(KNOWN_LAYERS))
    if unknown:
        raise AnnotationError(f"{where}: field 'layers' has unknown layer(s) {unknown}; known: {list(KNOWN_LAYERS)}")
    raw_attributions = obj.get("attributions") or []
    if not isinstance(raw_attributions, list):
        raise AnnotationError(f"{where}: field 'attributions' must be a list")
    attributions = []
    for i, raw in enumerate(raw_attributions):
        at = f"{where}: attributions[{i}]"
        if not isinstance(raw, dict):
            raise AnnotationError(f"{at}: expected an object")
        anonymous = raw.get("anonymous")
        if anonymous is not None and not isinstance(anonymous, bool):
            raise AnnotationError(f"{at}: field 'anonymous' must be true, false or null")
        attributions.append(
            GoldAttribution(
                cue=_fragments(raw.get("cue"), len(text), at, "cue", required=True),
                source=_fragments(raw.get("source"), len(text), at, "source", required=False),
                content=_fragments(raw.get("content"), len(text), at, "content", required=False),
                via=_fragments(raw.get("via"), len(text), at, "via", required=False),
                source_type=raw.get("source_type"),
                anonymous=anonymous,
                resolved_source=raw.get("resolved_source"),
                stance=raw.get("stance"),
            )
        )
    extra = {k: v for k, v in obj.items() if k not in {"id", "text", "layers", "attributions"}}
    return LabeledArticle(id=obj["id"], text=text, layers=tuple(layers), attributions=tuple(attributions), extra=extra)


def read_annotations(path: str | Path) -> Iterator[LabeledArticle]:
    """Yield the records of an annotation JSONL file; blank lines are skipped.

    Raises:
        AnnotationError: for the first malformed line, naming ``path:line`` and the field.

    """
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield parse_record(line, where=f"{path}:{number}")


def write_annotations(records: Iterable[LabeledArticle], path: str | Path) -> int:
    """Write records as JSONL; returns how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count
