"""Read and write Label Studio tasks (the JSON export format) as annotation records.

The review page's "Export Label Studio JSON" button and :func:`write_labelstudio` write a list of
tasks; :func:`read_labelstudio` reads them back, and also reads a project's JSON export after
reviewers edited it in Label Studio (set the project up with :data:`LABEL_CONFIG`)::

    [{"data": {"text": "...", "id": "a17", "meta": {...}},
      "annotations": [{"result": [
        {"id": "a0-cue0", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 18, "end": 22, "text": "told", "labels": ["Cue"]}},
        {"id": "a0-source0", ..., "value": {..., "labels": ["Source"]}},
        {"type": "relation", "from_id": "a0-cue0", "to_id": "a0-source0", "direction": "right"},
        {"id": "a0-cue0", "from_name": "source_type", "to_name": "text", "type": "choices",
         "value": {"start": 18, "end": 22, "text": "told", "choices": ["military"]}}]}]}]

Rules:

- Each ``labels`` result is one region: one contiguous piece. ``start``/``end`` index ``data.text``
  as a Python string, end exclusive; ``value.text``, when present, must equal that slice (offsets
  counted another way fail loudly instead of shifting spans). The region's ``from_name`` (its labels
  control) says which layer it belongs to: ``loaded_term``, ``technique``, ``distancing`` and
  ``sentence_bias`` are their layers' controls; any other name (``label`` in :data:`LABEL_CONFIG`)
  holds the attribution pieces ``Source``, ``Cue``, ``Content`` and ``Via``.
- An attribution is a Cue region with its relations: Cue -> Source, Cue -> Content and Cue -> Via
  (either direction is accepted). Cue -> Cue joins the pieces of a discontinuous cue; a discontinuous
  source, content or via is several regions related to the same cue. A Cue without relations is an
  attribution without source and content; a Source, Content or Via region related to no cue is an error.
- The profile fields ride on the first cue region as per-region ``choices`` results named
  ``source_type``, ``stance`` and ``anonymous`` (``"true"``/``"false"``) and a per-region ``textarea``
  ``resolved_source`` (``value.text`` a list with one string); ``via`` is its Via regions. Both are
  written only for a record with the ``source_profile`` layer.
- A loaded term is one region per fragment from the ``loaded_term`` labels control, labelled with its
  category (``name_calling``, ...); the fragments of a discontinuous term are related to its first one.
  ``polarity`` and ``voice`` ride on the first region as ``choices`` and ``target`` as a per-region
  ``textarea`` (``value.text`` a list with one string).
- A persuasion technique is one region per fragment from the ``technique`` control, labelled with one
  of the 14 SemEval-2020 names (``Loaded_Language``, ...); a sentence label is a region from the
  ``sentence_bias`` control labelled ``biased`` or ``not_biased``. Fragments of one span are related
  to its first region, as for loaded terms.
- A distancing marker (guidelines section 2) is a ``Marker`` region from the ``distancing`` control
  with a relation to each ``Target`` region of the name or claim it distances from; Marker -> Marker
  joins the pieces of one marker, a marker without a target has ``target`` null, and a Target related
  to no Marker is an error. The layer is read into ``extra["distancing"]`` as
  ``[{"span": [[s, e], ...], "target": [[s, e], ...] | null}]``, as the annotation reader keeps it.
- Relations only join regions of one control (one layer); a relation to a missing region or between
  two layers is an error. Unknown result types (document-level choices, ratings, ...) are ignored.
- Layers: ``data.layers``, when the task has it (the writer always puts it there), lists the layers the
  task was labelled for, so a layer with nothing in it still counts ("no loaded terms here") and a
  project that labels only sentence bias is not scored on attributions; a region of another layer adds
  that layer. Without ``data.layers`` a task gets a layer when it has any result of that layer's
  controls: ``attributions`` always (when annotated), ``source_profile`` for any profile choice,
  ``resolved_source`` or Via region, and ``loaded_terms``, ``techniques``, ``distancing``,
  ``sentence_labels`` for any region of their control. A record round-trips exactly
  (``labelstudio_record(labelstudio_task(r)) == r``) when ``extra`` holds only ``meta`` and
  ``distancing`` (in the form above).
- The first annotation that was not cancelled is read; a task without one is "not annotated"
  (no layers). ``data.id`` names the record (fallback: the task's ``id``).

Example:
    >>> from attribution.annotations import GoldAttribution, GoldSentenceLabel, LabeledArticle
    >>> record = LabeledArticle("a1", "Officials said it rained.", ("attributions", "sentence_labels"),
    ...                         (GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 24),)),),
    ...                         sentence_labels=(GoldSentenceLabel(((0, 25),), False),))
    >>> task = labelstudio_task(record)
    >>> [r["value"]["labels"][0] for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    ['Cue', 'Source', 'Content', 'not_biased']
    >>> labelstudio_record(task, where="inline") == record
    True

"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attribution.annotations import (
    KNOWN_LAYERS,
    LOADED_TERM_CATEGORIES,
    POLARITIES,
    SOURCE_TYPES,
    STANCES,
    TECHNIQUES,
    VOICES,
    AnnotationError,
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
)
from attribution.converters.relations import attributions_from_links
from attribution.profile_evaluation import gold_distancing

#: Label Studio region label -> annotation-format role, in writing order (Via only with ``source_profile``).
LABELS: dict[str, str] = {"Cue": "cue", "Source": "source", "Content": "content", "Via": "via"}
#: Per-region ``choices`` of the first cue region (the ``source_profile`` layer).
PROFILE_FIELDS = ("source_type", "anonymous", "stance")
#: Per-region ``textarea`` of the first cue region: the named entity a pronoun or nominal source refers to.
RESOLVED_FIELD = "resolved_source"
#: The labels control of loaded-term regions (its labels are the categories) and their per-region fields.
TERM_CONTROL = "loaded_term"
TERM_FIELDS: dict[str, tuple[str, ...]] = {"polarity": POLARITIES, "voice": VOICES}
#: The labels control of persuasion-technique regions; its labels are :data:`~attribution.annotations.TECHNIQUES`.
TECHNIQUE_CONTROL = "technique"
#: The labels control of sentence-label regions and its labels -> ``GoldSentenceLabel.biased``.
SENTENCE_CONTROL = "sentence_bias"
SENTENCE_LABELS: dict[str, bool] = {"biased": True, "not_biased": False}
#: The labels control of distancing markers and their targets (a Marker -> Target relation each).
DISTANCING_CONTROL = "distancing"
DISTANCING_LABELS = ("Marker", "Target")
_TERM_COLOURS = {
    "name_calling": "#c92a2a",
    "loaded_language": "#6741d9",
    "delegitimizing": "#0b7285",
    "exaggeration": "#a61e4d",
}
_TECHNIQUE_COLOURS = (
    "#1864ab #862e9c #5f3dc4 #364fc7 #0b7285 #087f5b #a61e4d #2b8a3e #6741d9 #c92a2a #5c940d #e67700 #d9480f #495057"
).split()


@dataclass(frozen=True, slots=True)
class _SpanControl:
    """A labels control whose regions are the fragments of one layer's spans (all but attributions)."""

    name: str  # the control's ``from_name``
    layer: str
    labels: tuple[str, ...]
    label_noun: str  # "loaded-term category": what one of its labels is, in errors
    plural: str  # "categories": its labels, in errors
    noun: str  # "loaded term": what one span is, in errors
    prefix: str  # region ids ``<prefix><k>-<j>`` when writing


_SPAN_CONTROLS: dict[str, _SpanControl] = {
    c.name: c
    for c in (
        _SpanControl(
            TERM_CONTROL,
            "loaded_terms",
            LOADED_TERM_CATEGORIES,
            "loaded-term category",
            "categories",
            "loaded term",
            "t",
        ),
        _SpanControl(TECHNIQUE_CONTROL, "techniques", TECHNIQUES, "technique", "techniques", "technique span", "p"),
        _SpanControl(
            SENTENCE_CONTROL, "sentence_labels", tuple(SENTENCE_LABELS), "sentence label", "labels", "sentence", "s"
        ),
        _SpanControl(
            DISTANCING_CONTROL, "distancing", DISTANCING_LABELS, "distancing label", "labels", "distancing region", "d"
        ),
    )
}
_ATTRIBUTION = "label"  # the attribution pieces' control in LABEL_CONFIG (any name not in _SPAN_CONTROLS)


def _choices_xml(name: str, values: Iterable[str]) -> str:
    options = "".join(f'\n      <Choice value="{v}"/>' for v in values)
    return f'    <Choices name="{name}" toName="text" perRegion="true" choice="single">{options}\n    </Choices>'


def _labels_xml(name: str, colours: dict[str, str]) -> str:
    labels = "\n".join(f'    <Label value="{label}" background="{colour}"/>' for label, colour in colours.items())
    return f'  <Labels name="{name}" toName="text">\n{labels}\n  </Labels>'


#: A Label Studio labeling configuration that matches what this module reads and writes.
LABEL_CONFIG = f"""<View>
{_labels_xml(_ATTRIBUTION, {"Source": "#2f6fd0", "Cue": "#d9480f", "Content": "#2b8a3e", "Via": "#f59f00"})}
{_labels_xml(TERM_CONTROL, _TERM_COLOURS)}
{_labels_xml(TECHNIQUE_CONTROL, dict(zip(TECHNIQUES, _TECHNIQUE_COLOURS, strict=True)))}
{_labels_xml(DISTANCING_CONTROL, {"Marker": "#e8590c", "Target": "#74b816"})}
{_labels_xml(SENTENCE_CONTROL, {"biased": "#f03e3e", "not_biased": "#adb5bd"})}
  <Relations>
    <Relation value="source-of"/>
    <Relation value="content-of"/>
    <Relation value="via"/>
    <Relation value="target-of"/>
    <Relation value="same-span"/>
  </Relations>
  <Text name="text" value="$text" granularity="symbol"/>
  <View visibleWhen="region-selected">
    <Header value="Source type, anonymity, stance and resolved source (on the cue region)"/>
{_choices_xml("source_type", SOURCE_TYPES)}
{_choices_xml("anonymous", ("true", "false"))}
{_choices_xml("stance", STANCES)}
    <TextArea name="{RESOLVED_FIELD}" toName="text" perRegion="true" editable="true" maxSubmissions="1"/>
    <Header value="Loaded term: polarity, voice and target (on its first region)"/>
{_choices_xml("polarity", POLARITIES)}
{_choices_xml("voice", VOICES)}
    <TextArea name="target" toName="text" perRegion="true" editable="true" maxSubmissions="1"/>
  </View>
</View>
"""


# --------------------------------------------------------------------------- writing


def _labels(region_id: str, control: str, text: str, start: int, end: int, label: str) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"id": region_id, "from_name": control, "to_name": "text", "type": "labels", "value": value}


def _relation(head: str, region_id: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": head, "to_id": region_id, "direction": "right"}


def _textarea(region_id: str, name: str, start: int, end: int, typed: str) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": [typed]}
    return {"id": region_id, "from_name": name, "to_name": "text", "type": "textarea", "value": value}


def labelstudio_task(record: LabeledArticle) -> dict[str, Any]:
    """One Label Studio task (``data`` + one annotation) for ``record``.

    Region ids are ``a<k>-<role><j>`` (attribution ``k``, piece ``j``); the profile fields, Via
    regions and ``resolved_source`` are written only when the record has the ``source_profile``
    layer. Loaded terms, techniques, sentence labels and distancing markers (each with its layer)
    follow as regions ``t<k>-<j>``, ``p<k>-<j>``, ``s<k>-<j>`` and ``d<k>-<j>`` / ``d<k>-target<j>``
    (item ``k``, fragment ``j``).

    Raises:
        AnnotationError: when the record's ``extra["distancing"]`` is malformed (with that layer).

    """
    data: dict[str, Any] = {"text": record.text, "id": record.id}
    if record.extra.get("meta"):
        data["meta"] = record.extra["meta"]
    if record.layers:
        data["layers"] = list(record.layers)
    task: dict[str, Any] = {"data": data, "annotations": []}
    if not any(layer in record.layers for layer in KNOWN_LAYERS if layer != "source_profile"):
        return task
    result: list[dict[str, Any]] = []
    if "attributions" in record.layers:
        result += _attribution_results(record, with_profile="source_profile" in record.layers)
    if "loaded_terms" in record.layers:
        result += _term_results(record)
    if "techniques" in record.layers:
        result += _span_results(record.text, TECHNIQUE_CONTROL, [(t.span, t.technique) for t in record.techniques])
    if "distancing" in record.layers:
        result += _distancing_results(record)
    if "sentence_labels" in record.layers:
        labels = [(s.span, "biased" if s.biased else "not_biased") for s in record.sentence_labels]
        result += _span_results(record.text, SENTENCE_CONTROL, labels)
    task["annotations"] = [{"result": result}]
    return task


def _attribution_results(record: LabeledArticle, *, with_profile: bool) -> list[dict[str, Any]]:
    """The regions, relations and (with the profile) per-region fields of the record's attributions."""
    result: list[dict[str, Any]] = []
    text = record.text
    for k, attribution in enumerate(record.attributions):
        head = f"a{k}-cue0"
        regions: list[str] = []
        for label, role in LABELS.items():
            if role == "via" and not with_profile:
                continue
            for j, (start, end) in enumerate(getattr(attribution, role)):
                regions.append(f"a{k}-{role}{j}")
                result.append(_labels(regions[-1], _ATTRIBUTION, text, start, end, label))
        result += [_relation(head, region_id) for region_id in regions[1:]]
        if not with_profile:
            continue
        start, end = attribution.cue[0]
        for name in PROFILE_FIELDS:
            choice = getattr(attribution, name)
            if choice is None:
                continue
            value = {
                "start": start,
                "end": end,
                "text": text[start:end],
                "choices": [str(choice).lower() if isinstance(choice, bool) else str(choice)],
            }
            result.append({"id": head, "from_name": name, "to_name": "text", "type": "choices", "value": value})
        if attribution.resolved_source is not None:
            result.append(_textarea(head, RESOLVED_FIELD, start, end, attribution.resolved_source))
    return result


def _span_regions(text: str, control: str, k: int, span: tuple[tuple[int, int], ...], label: str) -> list[Any]:
    """Item ``k``'s regions ``<prefix><k>-<j>``, one per fragment, and the relations of the later ones to the first."""
    prefix = _SPAN_CONTROLS[control].prefix
    result = [_labels(f"{prefix}{k}-{j}", control, text, start, end, label) for j, (start, end) in enumerate(span)]
    return result + [_relation(f"{prefix}{k}-0", f"{prefix}{k}-{j}") for j in range(1, len(span))]


def _span_results(text: str, control: str, spans: list[tuple[tuple[tuple[int, int], ...], str]]) -> list[Any]:
    """The regions and relations of each ``(span, label)`` of one control."""
    return [item for k, (span, label) in enumerate(spans) for item in _span_regions(text, control, k, span, label)]


def _term_results(record: LabeledArticle) -> list[dict[str, Any]]:
    """The regions, relations and per-region fields of the record's loaded terms."""
    result: list[dict[str, Any]] = []
    text = record.text
    for k, term in enumerate(record.loaded_terms):
        head = f"t{k}-0"
        result += _span_regions(text, TERM_CONTROL, k, term.span, term.category)
        start, end = term.span[0]
        for name in TERM_FIELDS:
            choice = getattr(term, name)
            if choice is not None:
                value = {"start": start, "end": end, "text": text[start:end], "choices": [choice]}
                result.append({"id": head, "from_name": name, "to_name": "text", "type": "choices", "value": value})
        if term.target is not None:
            result.append(_textarea(head, "target", start, end, term.target))
    return result


def _distancing_results(record: LabeledArticle) -> list[dict[str, Any]]:
    """Marker regions ``d<k>-<j>`` and target regions ``d<k>-target<j>``, all related to ``d<k>-0``."""
    result: list[dict[str, Any]] = []
    for k, marker in enumerate(gold_distancing(record)):
        regions = [f"d{k}-{j}" for j in range(len(marker.span))]
        result += [
            _labels(region_id, DISTANCING_CONTROL, record.text, start, end, "Marker")
            for region_id, (start, end) in zip(regions, marker.span, strict=True)
        ]
        for j, (start, end) in enumerate(marker.target):
            regions.append(f"d{k}-target{j}")
            result.append(_labels(regions[-1], DISTANCING_CONTROL, record.text, start, end, "Target"))
        result += [_relation(regions[0], region_id) for region_id in regions[1:]]
    return result


def write_labelstudio(records: Iterable[LabeledArticle], path: str | Path) -> int:
    """Write ``records`` as a Label Studio task list (JSON); returns how many were written."""
    tasks = [labelstudio_task(record) for record in records]
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(tasks)


# --------------------------------------------------------------------------- reading


def _region_id(value: Any, where: str, field: str) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise AnnotationError(f"{where}: field '{field}' must be a region id (string), got {value!r}")


def _offset(value: dict[str, Any], key: str, where: str, field: str) -> int:
    number = value.get(key)
    if not isinstance(number, int) or isinstance(number, bool):
        raise AnnotationError(f"{where}: field '{field}.value.{key}' must be an integer, got {number!r}")
    return number


def _offsets(text: str, value: dict[str, Any], where: str, at: str) -> tuple[int, int]:
    """A region's ``(start, end)``, checked against the text and ``value.text``."""
    start, end = _offset(value, "start", where, at), _offset(value, "end", where, at)
    if not 0 <= start < end <= len(text):
        raise AnnotationError(f"{where}: field '{at}.value': [{start}, {end}] is outside the text (length {len(text)})")
    shown = value.get("text")
    if shown is not None and shown != text[start:end]:
        raise AnnotationError(
            f"{where}: field '{at}.value.text' is {shown!r} but text[{start}:{end}] is {text[start:end]!r}"
        )
    return start, end


class _Regions:
    """The regions, per-region fields and relations of one annotation result list, by control."""

    def __init__(self, text: str, result: list[Any], where: str, field: str) -> None:
        self.regions: dict[str, tuple[str, int, int]] = {}  # attribution piece id -> (role, start, end)
        self.choices: dict[str, dict[str, Any]] = {}  # region id -> profile field -> value
        self.relations: list[tuple[str, str, str]] = []  # between attribution pieces: (from, to, field)
        self.spans: dict[str, dict[str, tuple[str, int, int]]] = {c: {} for c in _SPAN_CONTROLS}  # id -> label, ...
        self.span_relations: dict[str, list[tuple[str, str, str]]] = {c: [] for c in _SPAN_CONTROLS}
        self.term_fields: dict[str, dict[str, str]] = {}  # term region id -> polarity / voice / target
        control_of: dict[str, str] = {}  # every region id -> its control
        relations: list[tuple[str, str, str]] = []
        pending_choices: list[tuple[str, str, Any, str]] = []
        pending_term_fields: list[tuple[str, str, str, str]] = []
        for j, item in enumerate(result):
            at = f"{field}[{j}]"
            if not isinstance(item, dict):
                raise AnnotationError(f"{where}: field '{at}' must be an object")
            kind, name = item.get("type"), item.get("from_name")
            if kind == "labels":
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                if region_id in control_of:
                    raise AnnotationError(f"{where}: field '{at}.id': region id {region_id!r} is used twice")
                value = item.get("value")
                if not isinstance(value, dict):
                    raise AnnotationError(f"{where}: field '{at}.value' must be an object")
                if name in _SPAN_CONTROLS:
                    control_of[region_id] = name
                    self.spans[name][region_id] = self._span_region(text, value, _SPAN_CONTROLS[name], where, at)
                else:
                    control_of[region_id] = _ATTRIBUTION
                    self.regions[region_id] = self._region(text, value, where, at)
            elif kind == "relation":
                source = _region_id(item.get("from_id"), where, f"{at}.from_id")
                target = _region_id(item.get("to_id"), where, f"{at}.to_id")
                relations.append((source, target, at))
            elif kind == "choices" and name in PROFILE_FIELDS:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                chosen = value.get("choices") if isinstance(value, dict) else None
                if not isinstance(chosen, list) or len(chosen) != 1 or not isinstance(chosen[0], str):
                    raise AnnotationError(f"{where}: field '{at}.value.choices' must be a list with one string")
                pending_choices.append((region_id, name, chosen[0], at))
            elif kind == "choices" and name in TERM_FIELDS:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                chosen = value.get("choices") if isinstance(value, dict) else None
                allowed = TERM_FIELDS[name]
                if not isinstance(chosen, list) or len(chosen) != 1 or chosen[0] not in allowed:
                    raise AnnotationError(
                        f"{where}: field '{at}.value.choices' must be one of {list(allowed)} for {name}"
                    )
                pending_term_fields.append((region_id, name, chosen[0], at))
            elif kind == "textarea" and name in ("target", RESOLVED_FIELD) and "id" in item:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                typed = value.get("text") if isinstance(value, dict) else None
                if not isinstance(typed, list) or len(typed) != 1 or not isinstance(typed[0], str):
                    raise AnnotationError(f"{where}: field '{at}.value.text' must be a list with one string")
                pending = pending_term_fields if name == "target" else pending_choices
                pending.append((region_id, name, typed[0], at))
            # Other result types (document-level choices, ratings, text areas) are not part of the format.
        terms = self.spans[TERM_CONTROL]
        for region_id, name, chosen, at in pending_term_fields:
            if region_id not in terms:
                raise AnnotationError(f"{where}: field '{at}.id': no loaded-term region has id {region_id!r}")
            self.term_fields.setdefault(region_id, {})[name] = chosen
        for source, target, at in relations:
            for end, region_id in (("from_id", source), ("to_id", target)):
                if region_id not in control_of:
                    raise AnnotationError(f"{where}: field '{at}.{end}': no region has id {region_id!r}")
            control = control_of[source]
            if control_of[target] != control:
                layer = control if control != _ATTRIBUTION else control_of[target]
                raise AnnotationError(
                    f"{where}: field '{at}': relation {source!r} -> {target!r} links a {_SPAN_CONTROLS[layer].noun}"
                    f" to another kind of region; a relation joins regions of one labels control"
                    f" ({', '.join(_SPAN_CONTROLS)} or the attribution labels) only"
                )
            (self.relations if control == _ATTRIBUTION else self.span_relations[control]).append((source, target, at))
        for region_id, name, chosen, at in pending_choices:
            if region_id not in self.regions:
                raise AnnotationError(
                    f"{where}: field '{at}.id': no Source/Cue/Content/Via region has id {region_id!r}"
                )
            setting: str | bool = chosen
            if name == "anonymous":
                if chosen.lower() not in ("true", "false"):
                    raise AnnotationError(
                        f"{where}: field '{at}.value.choices' must be 'true' or 'false' for anonymous"
                    )
                setting = chosen.lower() == "true"
            self.choices.setdefault(region_id, {})[name] = setting

    @staticmethod
    def _region(text: str, value: dict[str, Any], where: str, at: str) -> tuple[str, int, int]:
        labels = value.get("labels")
        by_name = {name.lower(): role for name, role in LABELS.items()}
        if not isinstance(labels, list) or len(labels) != 1 or str(labels[0]).lower() not in by_name:
            raise AnnotationError(
                f"{where}: field '{at}.value.labels' must be one of {list(LABELS)} (one label), got {labels!r}"
            )
        return (by_name[str(labels[0]).lower()], *_offsets(text, value, where, at))

    @staticmethod
    def _span_region(
        text: str, value: dict[str, Any], control: _SpanControl, where: str, at: str
    ) -> tuple[str, int, int]:
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in control.labels:
            raise AnnotationError(
                f"{where}: field '{at}.value.labels' must be one {control.label_noun} of {list(control.labels)}"
                f" for the '{control.name}' control, got {labels!r}"
            )
        return (labels[0], *_offsets(text, value, where, at))


def _grouped(found: _Regions, control: str, where: str) -> list[tuple[tuple[tuple[int, int], ...], str, list[str]]]:
    """``(span, label, region ids)`` per group of related regions of ``control``, in order of first region."""
    regions = found.spans[control]
    parent = {region_id: region_id for region_id in regions}

    def root(region_id: str) -> str:
        while parent[region_id] != region_id:
            region_id = parent[region_id]
        return region_id

    for source, target, _ in found.span_relations[control]:
        a, b = root(source), root(target)
        if a != b:
            parent[b] = a
    groups: dict[str, list[str]] = {}
    for region_id in regions:
        groups.setdefault(root(region_id), []).append(region_id)
    out = []
    spec = _SPAN_CONTROLS[control]
    for members in groups.values():
        labels = {regions[m][0] for m in members}
        if len(labels) > 1:
            raise AnnotationError(f"{where}: the pieces {members} of one {spec.noun} have different {spec.plural}")
        members.sort(key=lambda m: regions[m][1:])
        out.append((tuple(regions[m][1:] for m in members), labels.pop(), members))
    return out


def _loaded_terms(found: _Regions, where: str) -> tuple[GoldLoadedTerm, ...]:
    """One term per group of related term regions, in the order of each group's first region."""
    terms = []
    for span, category, members in _grouped(found, TERM_CONTROL, where):
        fields: dict[str, str] = {}
        for member in members:
            for name, value in found.term_fields.get(member, {}).items():
                fields.setdefault(name, value)
        terms.append(GoldLoadedTerm(span, category, fields.get("polarity"), fields.get("target"), fields.get("voice")))
    return tuple(terms)


def _distancing(found: _Regions, where: str) -> list[dict[str, Any]]:
    """One ``{"span", "target"}`` item per group of related Marker regions, in order of first region."""
    regions = found.spans[DISTANCING_CONTROL]
    parent = {region_id: region_id for region_id, (label, _, _) in regions.items() if label == "Marker"}

    def root(region_id: str) -> str:
        while parent[region_id] != region_id:
            region_id = parent[region_id]
        return region_id

    attached: list[tuple[str, str]] = []  # (marker region, target region)
    for source, target, at in found.span_relations[DISTANCING_CONTROL]:
        kinds = (regions[source][0], regions[target][0])
        if kinds == ("Marker", "Marker"):
            a, b = root(source), root(target)
            if a != b:
                parent[b] = a
        elif kinds == ("Target", "Target"):
            raise AnnotationError(
                f"{where}: field '{at}': relation {source!r} -> {target!r} links a Target to a Target;"
                " distancing relations link a Marker to its Target (or to another piece of the marker)"
            )
        else:
            attached.append((source, target) if kinds[0] == "Marker" else (target, source))
    linked = {target for _, target in attached}
    for region_id, (label, start, end) in regions.items():
        if label == "Target" and region_id not in linked:
            raise AnnotationError(
                f"{where}: region {region_id!r} (distancing Target [{start}, {end}])"
                " is not related to any Marker region"
            )
    groups: dict[str, tuple[list[tuple[int, int]], set[tuple[int, int]]]] = {}
    for region_id in parent:
        groups.setdefault(root(region_id), ([], set()))[0].append(regions[region_id][1:])
    for marker, target in attached:
        groups[root(marker)][1].add(regions[target][1:])
    return [
        {"span": [list(f) for f in sorted(span)], "target": [list(f) for f in sorted(target)] or None}
        for span, target in groups.values()
    ]


def _attributions(found: _Regions, where: str) -> tuple[GoldAttribution, ...]:
    regions = found.regions

    def mislinked(source: str, target: str, at: str) -> str:
        return (
            f"{where}: field '{at}': relation {source!r} -> {target!r}"
            f" links a {regions[source][0]} to a {regions[target][0]};"
            " relations must link a Cue to its Source, Content or Via (or to another piece of the cue)"
        )

    def unlinked(region_id: str) -> str:
        role, start, end = regions[region_id]
        return f"{where}: region {region_id!r} ({role} [{start}, {end}]) is not related to any Cue region"

    return attributions_from_links(
        regions, found.relations, mislinked=mislinked, unlinked=unlinked, profiles=found.choices
    )


def _declared_layers(data: dict[str, Any], where: str) -> list[str] | None:
    """``data.layers``: the layers the task was labelled for (so an empty layer still counts), if given."""
    declared = data.get("layers")
    if declared is None:
        return None
    if not isinstance(declared, list) or not all(isinstance(layer, str) for layer in declared):
        raise AnnotationError(f"{where}: field 'data.layers' must be a list of layer names")
    unknown = [layer for layer in declared if layer not in KNOWN_LAYERS]
    if unknown:
        raise AnnotationError(
            f"{where}: field 'data.layers' names unknown layer {unknown[0]!r} (known: {', '.join(KNOWN_LAYERS)})"
        )
    return declared


def labelstudio_record(task: Any, *, where: str) -> LabeledArticle:
    """Build one annotation record from one Label Studio task; errors start with ``where``.

    Raises:
        AnnotationError: naming ``where``, the task's id when known, and the offending field.

    """
    if not isinstance(task, dict):
        raise AnnotationError(f"{where}: expected a task object, got {type(task).__name__}")
    data = task.get("data")
    if not isinstance(data, dict):
        raise AnnotationError(f"{where}: field 'data' must be an object")
    text = data.get("text")
    if not isinstance(text, str):
        raise AnnotationError(f"{where}: field 'data.text' must be a string")
    raw_id = data.get("id", task.get("id"))
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or raw_id == "":
        raise AnnotationError(f"{where}: field 'data.id' (or the task's 'id') must be a string or integer")
    record_id = str(raw_id)
    where = f"{where} (id {record_id!r})"
    extra: dict[str, Any] = {"meta": data["meta"]} if isinstance(data.get("meta"), dict) else {}
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise AnnotationError(f"{where}: field 'annotations' must be a list")
    chosen = next(
        ((k, a) for k, a in enumerate(annotations) if not (isinstance(a, dict) and a.get("was_cancelled"))),
        None,
    )
    if chosen is None:
        return LabeledArticle(id=record_id, text=text, layers=(), extra=extra)
    k, annotation = chosen
    if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
        raise AnnotationError(f"{where}: field 'annotations[{k}].result' must be a list")
    found = _Regions(text, annotation["result"], where, f"annotations[{k}].result")
    present = {c.layer for c in _SPAN_CONTROLS.values() if found.spans[c.name]}
    if found.choices or any(role == "via" for role, _, _ in found.regions.values()):
        present.add("source_profile")
    declared = _declared_layers(data, where)
    if declared is None:
        present.add("attributions")  # no declaration: an annotated task is always labelled for attributions
    else:
        present = (present - {"attributions"}) | set(declared) | ({"attributions"} if found.regions else set())
    attributions = _attributions(found, where)
    loaded_terms = _loaded_terms(found, where)
    techniques = tuple(GoldTechnique(span, name) for span, name, _ in _grouped(found, TECHNIQUE_CONTROL, where))
    sentence_labels = tuple(
        GoldSentenceLabel(span, SENTENCE_LABELS[label]) for span, label, _ in _grouped(found, SENTENCE_CONTROL, where)
    )
    if found.spans[DISTANCING_CONTROL]:
        extra["distancing"] = _distancing(found, where)
    return LabeledArticle(
        id=record_id,
        text=text,
        layers=tuple(layer for layer in KNOWN_LAYERS if layer in present),
        attributions=attributions,
        extra=extra,
        loaded_terms=loaded_terms,
        techniques=techniques,
        sentence_labels=sentence_labels,
    )


def read_labelstudio(path: str | Path) -> Iterator[LabeledArticle]:
    """Yield one record per task of a Label Studio JSON export (a list of tasks, or one task).

    A folder yields the tasks of every ``*.json`` file in it, in name order.

    Raises:
        AnnotationError: for the first malformed task: ``<path>: task <index> (id ...): field ...``.

    """
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.glob("*.json")):
            yield from read_labelstudio(child)
        return
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AnnotationError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise AnnotationError(f"{path}: expected a list of Label Studio tasks, got {type(tasks).__name__}")
    for index, task in enumerate(tasks):
        yield labelstudio_record(task, where=f"{path}: task {index}")
