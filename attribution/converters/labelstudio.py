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

- Each ``labels`` result is one region: a contiguous ``Source``, ``Cue`` or ``Content`` piece.
  ``start``/``end`` index ``data.text`` as a Python string, end exclusive; ``value.text``, when
  present, must equal that slice (offsets counted another way fail loudly instead of shifting spans).
- An attribution is a Cue region with its relations: Cue -> Source and Cue -> Content (either
  direction is accepted). Cue -> Cue joins the pieces of a discontinuous cue; a discontinuous source
  or content is several regions related to the same cue. A Cue without relations is an attribution
  without source and content; a Source or Content region related to no cue is an error.
- The profile fields ride on the first cue region as per-region ``choices`` results named
  ``source_type``, ``stance`` and ``anonymous`` (``"true"``/``"false"``); a task that has any of
  them gets the ``source_profile`` layer. ``via`` and ``resolved_source`` are not carried.
- A loaded term is one region per fragment from the ``loaded_term`` labels control, labelled with its
  category (``name_calling``, ...); the fragments of a discontinuous term are related to its first one.
  ``polarity`` and ``voice`` ride on the first region as ``choices`` and ``target`` as a per-region
  ``textarea`` (``value.text`` a list with one string). A task with any term region gets the
  ``loaded_terms`` layer (a task annotated for terms but with none in it cannot say so).
- The first annotation that was not cancelled is read; a task without one is "not annotated"
  (no layers). ``data.id`` names the record (fallback: the task's ``id``).

Example:
    >>> from attribution.annotations import GoldAttribution, LabeledArticle
    >>> record = LabeledArticle("a1", "Officials said it rained.", ("attributions",),
    ...                         (GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 24),)),))
    >>> task = labelstudio_task(record)
    >>> [r["value"]["labels"][0] for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    ['Cue', 'Source', 'Content']
    >>> labelstudio_record(task, where="inline") == record
    True

"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attribution.annotations import (
    LOADED_TERM_CATEGORIES,
    POLARITIES,
    SOURCE_TYPES,
    STANCES,
    VOICES,
    AnnotationError,
    GoldAttribution,
    GoldLoadedTerm,
    LabeledArticle,
)
from attribution.converters.relations import attributions_from_links

#: Label Studio region label -> annotation-format role, in writing order.
LABELS: dict[str, str] = {"Cue": "cue", "Source": "source", "Content": "content"}
PROFILE_FIELDS = ("source_type", "anonymous", "stance")
#: The labels control of loaded-term regions (its labels are the categories) and their per-region fields.
TERM_CONTROL = "loaded_term"
TERM_FIELDS: dict[str, tuple[str, ...]] = {"polarity": POLARITIES, "voice": VOICES}
_TERM_COLOURS = {
    "name_calling": "#c92a2a",
    "loaded_language": "#6741d9",
    "delegitimizing": "#0b7285",
    "exaggeration": "#a61e4d",
}


def _choices_xml(name: str, values: Iterable[str]) -> str:
    options = "".join(f'\n      <Choice value="{v}"/>' for v in values)
    return f'    <Choices name="{name}" toName="text" perRegion="true" choice="single">{options}\n    </Choices>'


#: A Label Studio labeling configuration that matches what this module reads and writes.
LABEL_CONFIG = f"""<View>
  <Labels name="label" toName="text">
    <Label value="Source" background="#2f6fd0"/>
    <Label value="Cue" background="#d9480f"/>
    <Label value="Content" background="#2b8a3e"/>
  </Labels>
  <Labels name="{TERM_CONTROL}" toName="text">
{chr(10).join(f'    <Label value="{c}" background="{_TERM_COLOURS[c]}"/>' for c in LOADED_TERM_CATEGORIES)}
  </Labels>
  <Relations>
    <Relation value="source-of"/>
    <Relation value="content-of"/>
  </Relations>
  <Text name="text" value="$text" granularity="symbol"/>
  <View visibleWhen="region-selected">
    <Header value="Source type, anonymity and stance (on the cue region)"/>
{_choices_xml("source_type", SOURCE_TYPES)}
{_choices_xml("anonymous", ("true", "false"))}
{_choices_xml("stance", STANCES)}
    <Header value="Loaded term: polarity, voice and target (on its first region)"/>
{_choices_xml("polarity", POLARITIES)}
{_choices_xml("voice", VOICES)}
    <TextArea name="target" toName="text" perRegion="true" editable="true" maxSubmissions="1"/>
  </View>
</View>
"""


# --------------------------------------------------------------------------- writing


def labelstudio_task(record: LabeledArticle) -> dict[str, Any]:
    """One Label Studio task (``data`` + one annotation) for ``record``.

    Region ids are ``a<k>-<role><j>`` (attribution ``k``, piece ``j``); the profile fields are
    written only when the record has the ``source_profile`` layer. Loaded terms (with the
    ``loaded_terms`` layer) follow as regions ``t<k>-<j>`` (term ``k``, fragment ``j``).
    """
    data: dict[str, Any] = {"text": record.text, "id": record.id}
    if record.extra.get("meta"):
        data["meta"] = record.extra["meta"]
    task: dict[str, Any] = {"data": data, "annotations": []}
    if "attributions" not in record.layers and "loaded_terms" not in record.layers:
        return task
    with_profile = "source_profile" in record.layers
    result: list[dict[str, Any]] = []
    for k, attribution in enumerate(record.attributions if "attributions" in record.layers else ()):
        head = f"a{k}-cue0"
        regions: list[str] = []
        for label, role in LABELS.items():
            for j, (start, end) in enumerate(getattr(attribution, role)):
                region_id = f"a{k}-{role}{j}"
                regions.append(region_id)
                value = {"start": start, "end": end, "text": record.text[start:end], "labels": [label]}
                result.append(
                    {"id": region_id, "from_name": "label", "to_name": "text", "type": "labels", "value": value}
                )
        for region_id in regions[1:]:
            result.append({"type": "relation", "from_id": head, "to_id": region_id, "direction": "right"})
        if with_profile:
            start, end = attribution.cue[0]
            for name in PROFILE_FIELDS:
                choice = getattr(attribution, name)
                if choice is None:
                    continue
                value = {
                    "start": start,
                    "end": end,
                    "text": record.text[start:end],
                    "choices": [str(choice).lower() if isinstance(choice, bool) else str(choice)],
                }
                result.append({"id": head, "from_name": name, "to_name": "text", "type": "choices", "value": value})
    if "loaded_terms" in record.layers:
        result += _term_results(record)
    task["annotations"] = [{"result": result}]
    return task


def _term_results(record: LabeledArticle) -> list[dict[str, Any]]:
    """The regions, relations and per-region fields of the record's loaded terms."""
    result: list[dict[str, Any]] = []
    text = record.text
    for k, term in enumerate(record.loaded_terms):
        head = f"t{k}-0"
        for j, (start, end) in enumerate(term.span):
            value = {"start": start, "end": end, "text": text[start:end], "labels": [term.category]}
            result.append(
                {"id": f"t{k}-{j}", "from_name": TERM_CONTROL, "to_name": "text", "type": "labels", "value": value}
            )
        for j in range(1, len(term.span)):
            result.append({"type": "relation", "from_id": head, "to_id": f"t{k}-{j}", "direction": "right"})
        start, end = term.span[0]
        for name in TERM_FIELDS:
            choice = getattr(term, name)
            if choice is not None:
                value = {"start": start, "end": end, "text": text[start:end], "choices": [choice]}
                result.append({"id": head, "from_name": name, "to_name": "text", "type": "choices", "value": value})
        if term.target is not None:
            value = {"start": start, "end": end, "text": [term.target]}
            result.append({"id": head, "from_name": "target", "to_name": "text", "type": "textarea", "value": value})
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


class _Regions:
    """The regions, per-region choices and relations of one annotation result list."""

    def __init__(self, text: str, result: list[Any], where: str, field: str) -> None:
        self.regions: dict[str, tuple[str, int, int]] = {}  # id -> (role, start, end)
        self.choices: dict[str, dict[str, Any]] = {}  # region id -> profile field -> value
        self.relations: list[tuple[str, str, str]] = []  # (from, to, field)
        self.terms: dict[str, tuple[str, int, int]] = {}  # loaded-term region id -> (category, start, end)
        self.term_fields: dict[str, dict[str, str]] = {}  # term region id -> polarity / voice / target
        self.term_relations: list[tuple[str, str, str]] = []
        pending_choices: list[tuple[str, str, Any, str]] = []
        pending_term_fields: list[tuple[str, str, str, str]] = []
        for j, item in enumerate(result):
            at = f"{field}[{j}]"
            if not isinstance(item, dict):
                raise AnnotationError(f"{where}: field '{at}' must be an object")
            kind = item.get("type")
            if kind == "labels":
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                if region_id in self.regions or region_id in self.terms:
                    raise AnnotationError(f"{where}: field '{at}.id': region id {region_id!r} is used twice")
                if item.get("from_name") == TERM_CONTROL:
                    self.terms[region_id] = self._term_region(text, item.get("value"), where, at)
                else:
                    self.regions[region_id] = self._region(text, item.get("value"), where, at)
            elif kind == "relation":
                source = _region_id(item.get("from_id"), where, f"{at}.from_id")
                target = _region_id(item.get("to_id"), where, f"{at}.to_id")
                self.relations.append((source, target, at))
            elif kind == "choices" and item.get("from_name") in PROFILE_FIELDS:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                chosen = value.get("choices") if isinstance(value, dict) else None
                if not isinstance(chosen, list) or len(chosen) != 1 or not isinstance(chosen[0], str):
                    raise AnnotationError(f"{where}: field '{at}.value.choices' must be a list with one string")
                pending_choices.append((region_id, item["from_name"], chosen[0], at))
            elif kind == "choices" and item.get("from_name") in TERM_FIELDS:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                chosen = value.get("choices") if isinstance(value, dict) else None
                allowed = TERM_FIELDS[item["from_name"]]
                if not isinstance(chosen, list) or len(chosen) != 1 or chosen[0] not in allowed:
                    raise AnnotationError(
                        f"{where}: field '{at}.value.choices' must be one of {list(allowed)} for {item['from_name']}"
                    )
                pending_term_fields.append((region_id, item["from_name"], chosen[0], at))
            elif kind == "textarea" and item.get("from_name") == "target" and "id" in item:
                region_id = _region_id(item.get("id"), where, f"{at}.id")
                value = item.get("value")
                typed = value.get("text") if isinstance(value, dict) else None
                if not isinstance(typed, list) or len(typed) != 1 or not isinstance(typed[0], str):
                    raise AnnotationError(f"{where}: field '{at}.value.text' must be a list with one string")
                pending_term_fields.append((region_id, "target", typed[0], at))
            # Other result types (document-level choices, ratings, text areas) are not part of the format.
        for region_id, name, chosen, at in pending_term_fields:
            if region_id not in self.terms:
                raise AnnotationError(f"{where}: field '{at}.id': no loaded-term region has id {region_id!r}")
            self.term_fields.setdefault(region_id, {})[name] = chosen
        linked = [r for r in self.relations if r[0] in self.terms or r[1] in self.terms]
        for source, target, at in linked:
            if source not in self.terms or target not in self.terms:
                raise AnnotationError(
                    f"{where}: field '{at}': relation {source!r} -> {target!r} links a loaded term to another"
                    " kind of region; relations between term regions only join the pieces of one term"
                )
        self.term_relations = linked
        self.relations = [r for r in self.relations if r not in linked]
        for region_id, name, chosen, at in pending_choices:
            if region_id not in self.regions:
                raise AnnotationError(f"{where}: field '{at}.id': no Source/Cue/Content region has id {region_id!r}")
            setting: str | bool = chosen
            if name == "anonymous":
                if chosen.lower() not in ("true", "false"):
                    raise AnnotationError(
                        f"{where}: field '{at}.value.choices' must be 'true' or 'false' for anonymous"
                    )
                setting = chosen.lower() == "true"
            self.choices.setdefault(region_id, {})[name] = setting

    @staticmethod
    def _region(text: str, value: Any, where: str, at: str) -> tuple[str, int, int]:
        if not isinstance(value, dict):
            raise AnnotationError(f"{where}: field '{at}.value' must be an object")
        labels = value.get("labels")
        by_name = {name.lower(): role for name, role in LABELS.items()}
        if not isinstance(labels, list) or len(labels) != 1 or str(labels[0]).lower() not in by_name:
            raise AnnotationError(
                f"{where}: field '{at}.value.labels' must be one of {list(LABELS)} (one label), got {labels!r}"
            )
        start, end = _offset(value, "start", where, at), _offset(value, "end", where, at)
        if not 0 <= start < end <= len(text):
            raise AnnotationError(
                f"{where}: field '{at}.value': [{start}, {end}] is outside the text (length {len(text)})"
            )
        shown = value.get("text")
        if shown is not None and shown != text[start:end]:
            raise AnnotationError(
                f"{where}: field '{at}.value.text' is {shown!r} but text[{start}:{end}] is {text[start:end]!r}"
            )
        return by_name[str(labels[0]).lower()], start, end

    @staticmethod
    def _term_region(text: str, value: Any, where: str, at: str) -> tuple[str, int, int]:
        if not isinstance(value, dict):
            raise AnnotationError(f"{where}: field '{at}.value' must be an object")
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in LOADED_TERM_CATEGORIES:
            raise AnnotationError(
                f"{where}: field '{at}.value.labels' must be one loaded-term category of "
                f"{list(LOADED_TERM_CATEGORIES)}, got {labels!r}"
            )
        start, end = _offset(value, "start", where, at), _offset(value, "end", where, at)
        if not 0 <= start < end <= len(text):
            raise AnnotationError(
                f"{where}: field '{at}.value': [{start}, {end}] is outside the text (length {len(text)})"
            )
        shown = value.get("text")
        if shown is not None and shown != text[start:end]:
            raise AnnotationError(
                f"{where}: field '{at}.value.text' is {shown!r} but text[{start}:{end}] is {text[start:end]!r}"
            )
        return labels[0], start, end


def _loaded_terms(found: _Regions, where: str) -> tuple[GoldLoadedTerm, ...]:
    """One term per group of related term regions, in the order of each group's first region."""
    parent = {region_id: region_id for region_id in found.terms}

    def root(region_id: str) -> str:
        while parent[region_id] != region_id:
            region_id = parent[region_id]
        return region_id

    for source, target, _ in found.term_relations:
        a, b = root(source), root(target)
        if a != b:
            parent[b] = a
    groups: dict[str, list[str]] = {}
    for region_id in found.terms:
        groups.setdefault(root(region_id), []).append(region_id)
    terms = []
    for members in groups.values():
        categories = {found.terms[m][0] for m in members}
        if len(categories) > 1:
            raise AnnotationError(f"{where}: the pieces {members} of one loaded term have different categories")
        fields: dict[str, str] = {}
        for member in sorted(members, key=lambda m: found.terms[m][1:]):
            for name, value in found.term_fields.get(member, {}).items():
                fields.setdefault(name, value)
        terms.append(
            GoldLoadedTerm(
                span=tuple(sorted(found.terms[m][1:] for m in members)),
                category=categories.pop(),
                polarity=fields.get("polarity"),
                target=fields.get("target"),
                voice=fields.get("voice"),
            )
        )
    return tuple(terms)


def _attributions(found: _Regions, where: str) -> tuple[GoldAttribution, ...]:
    regions = found.regions

    def checked_relations() -> Iterator[tuple[str, str, str]]:
        for source, target, at in found.relations:
            for end, region_id in (("from_id", source), ("to_id", target)):
                if region_id not in regions:
                    raise AnnotationError(
                        f"{where}: field '{at}.{end}': no Source/Cue/Content region has id {region_id!r}"
                    )
            yield source, target, at

    def mislinked(source: str, target: str, at: str) -> str:
        return (
            f"{where}: field '{at}': relation {source!r} -> {target!r}"
            f" links a {regions[source][0]} to a {regions[target][0]};"
            " relations must link a Cue to its Source or Content (or to another piece of the cue)"
        )

    def unlinked(region_id: str) -> str:
        role, start, end = regions[region_id]
        return f"{where}: region {region_id!r} ({role} [{start}, {end}]) is not related to any Cue region"

    return attributions_from_links(
        regions, checked_relations(), mislinked=mislinked, unlinked=unlinked, profiles=found.choices
    )


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
    layers = ("attributions", "source_profile") if found.choices else ("attributions",)
    layers += ("loaded_terms",) if found.terms else ()
    return LabeledArticle(
        id=record_id,
        text=text,
        layers=layers,
        attributions=_attributions(found, where),
        extra=extra,
        loaded_terms=_loaded_terms(found, where),
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
