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
#: Loaded-term ``category`` values (annotation guidelines section 3).
LOADED_TERM_CATEGORIES = ("name_calling", "loaded_language", "delegitimizing", "exaggeration")
#: Loaded-term ``polarity`` toward its target.
POLARITIES = ("negative", "positive")
#: Whose words a loaded term is: the writer's, a paraphrased source's, or a quoted source's.
VOICES = ("narrator", "indirect", "quoted")
#: The 14 SemEval-2020 Task 11 persuasion techniques (the ``techniques`` layer).
TECHNIQUES = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)
#: SemEval-2020 technique -> loaded-term category (annotation guidelines section 3).
TECHNIQUE_TO_CATEGORY = {
    "Name_Calling,Labeling": "name_calling",
    "Loaded_Language": "loaded_language",
    "Exaggeration,Minimisation": "exaggeration",
}


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
class GoldLoadedTerm:
    """One labeled loaded term (annotation guidelines section 3)."""

    span: Fragments
    category: str
    polarity: str | None = None
    target: str | None = None
    voice: str | None = None


@dataclass(frozen=True, slots=True)
class GoldTechnique:
    """One labeled persuasion-technique span (SemEval-2020 Task 11 label set)."""

    span: Fragments
    technique: str


@dataclass(frozen=True, slots=True)
class GoldSentenceLabel:
    """A sentence-level bias label."""

    span: Fragments
    biased: bool


@dataclass(frozen=True, slots=True)
class LabeledArticle:
    """One line of an annotation file."""

    id: str
    text: str
    layers: tuple[str, ...]
    attributions: tuple[GoldAttribution, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    loaded_terms: tuple[GoldLoadedTerm, ...] = ()
    techniques: tuple[GoldTechnique, ...] = ()
    sentence_labels: tuple[GoldSentenceLabel, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object for this record, unknown keys kept; term layers written when present or listed."""
        out: dict[str, Any] = {"id": self.id, "text": self.text, "layers": list(self.layers)}
        out["attributions"] = [_attribution_to_dict(a) for a in self.attributions]
        if self.loaded_terms or "loaded_terms" in self.layers:
            out["loaded_terms"] = [
                {
                    "span": [list(f) for f in t.span],
                    "category": t.category,
                    "polarity": t.polarity,
                    "target": t.target,
                    "voice": t.voice,
                }
                for t in self.loaded_terms
            ]
        if self.techniques or "techniques" in self.layers:
            out["techniques"] = [{"span": [list(f) for f in t.span], "technique": t.technique} for t in self.techniques]
        if self.sentence_labels or "sentence_labels" in self.layers:
            out["sentence_labels"] = [
                {"span": [list(f) for f in s.span], "biased": s.biased} for s in self.sentence_labels
            ]
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
    extra = {k: v for k, v in obj.items() if k not in _TYPED_KEYS}
    return LabeledArticle(
        id=obj["id"],
        text=text,
        layers=tuple(layers),
        attributions=tuple(attributions),
        extra=extra,
        loaded_terms=_loaded_terms(obj.get("loaded_terms"), text, where),
        techniques=_techniques(obj.get("techniques"), text, where),
        sentence_labels=_sentence_labels(obj.get("sentence_labels"), text, where),
    )


_TYPED_KEYS = {"id", "text", "layers", "attributions", "loaded_terms", "techniques", "sentence_labels"}


def _items(value: Any, where: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AnnotationError(f"{where}: field '{name}' must be a list")
    out = []
    for i, raw in enumerate(value):
        at = f"{where}: {name}[{i}]"
        if not isinstance(raw, dict):
            raise AnnotationError(f"{at}: expected an object")
        out.append((at, raw))
    return out


def _choice(raw: dict[str, Any], key: str, allowed: tuple[str, ...], at: str, *, required: bool) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if value not in allowed:
        raise AnnotationError(f"{at}: field '{key}' is {value!r}; expected one of {list(allowed)}")
    return value


def _loaded_terms(value: Any, text: str, where: str) -> tuple[GoldLoadedTerm, ...]:
    terms = []
    for at, raw in _items(value, where, "loaded_terms"):
        target = raw.get("target")
        if target is not None and not isinstance(target, str):
            raise AnnotationError(f"{at}: field 'target' must be a string or null")
        terms.append(
            GoldLoadedTerm(
                span=_fragments(raw.get("span"), len(text), at, "span", required=True),
                category=_choice(raw, "category", LOADED_TERM_CATEGORIES, at, required=True),
                polarity=_choice(raw, "polarity", POLARITIES, at, required=False),
                target=target,
                voice=_choice(raw, "voice", VOICES, at, required=False),
            )
        )
    return tuple(terms)


def _techniques(value: Any, text: str, where: str) -> tuple[GoldTechnique, ...]:
    return tuple(
        GoldTechnique(
            span=_fragments(raw.get("span"), len(text), at, "span", required=True),
            technique=_choice(raw, "technique", TECHNIQUES, at, required=True),
        )
        for at, raw in _items(value, where, "techniques")
    )


def _sentence_labels(value: Any, text: str, where: str) -> tuple[GoldSentenceLabel, ...]:
    labels = []
    for at, raw in _items(value, where, "sentence_labels"):
        if not isinstance(raw.get("biased"), bool):
            raise AnnotationError(f"{at}: field 'biased' must be true or false")
        labels.append(
            GoldSentenceLabel(
                span=_fragments(raw.get("span"), len(text), at, "span", required=True), biased=raw["biased"]
            )
        )
    return tuple(labels)


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
