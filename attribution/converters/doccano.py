"""Read and write doccano's sequence-labeling-with-relations JSONL export as annotation records.

A doccano project of type "Sequence Labeling" with "Use relation labeling" exports one JSON object
per line; :func:`write_doccano` writes the same layout, ready for doccano's JSONL import::

    {"id": 1, "text": "...", "article_id": "a17", "meta": {...},
     "entities": [{"id": 1, "label": "Cue", "start_offset": 18, "end_offset": 22},
                  {"id": 2, "label": "Source", "start_offset": 0, "end_offset": 17}],
     "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "source"}]}

Rules:

- Each entity is one contiguous ``Source``, ``Cue`` or ``Content`` piece (labels match without
  regard to case); ``start_offset``/``end_offset`` index ``text`` as a Python string, end exclusive.
- An attribution is a Cue entity with its relations: Cue -> Source (type ``source``) and
  Cue -> Content (type ``content``); the entity labels decide the roles, so the relation type and
  direction are not checked on reading. Cue -> Cue (type ``cue``) joins the pieces of a discontinuous
  cue; a discontinuous source or content is several entities related to the same cue. A Cue without
  relations is an attribution without source and content; a Source or Content entity related to no
  Cue is an error. The writer writes a Source/Content piece shared by several attributions once,
  related to each of their cues.
- The record id: doccano keeps the keys of an imported line other than ``text`` and the labels as the
  example's metadata and writes them back at the top level of its export, next to its own integer
  ``id``. The writer therefore puts the annotation record's id in ``article_id`` (and its ``meta``, when
  it has one, in ``meta``); the reader takes ``article_id`` and falls back to doccano's ``id``.
- Not carried (lossy): the profile fields (``source_type``, ``anonymous``, ``via``,
  ``resolved_source``, ``stance``), the other layers (``loaded_terms``, ``distancing``, ...) and
  ``layers`` itself: every record read has the ``attributions`` layer only.

Example:
    >>> from attribution.annotations import GoldAttribution, LabeledArticle
    >>> record = LabeledArticle("a1", "Officials said it rained.", ("attributions",),
    ...                         (GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 24),)),))
    >>> line = doccano_line(record, line_id=1)
    >>> [(e["label"], e["start_offset"]) for e in line["entities"]]
    [('Cue', 10), ('Source', 0), ('Content', 15)]
    >>> doccano_record(line, where="inline:1") == record
    True

"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attribution.annotations import AnnotationError, GoldAttribution, LabeledArticle
from attribution.converters.relations import attributions_from_links

#: doccano entity label -> annotation-format role, in writing order.
LABELS: dict[str, str] = {"Cue": "cue", "Source": "source", "Content": "content"}
_ROLE_BY_LABEL = {label.lower(): role for label, role in LABELS.items()}


# --------------------------------------------------------------------------- writing


def doccano_line(
    record: LabeledArticle,
    *,
    line_id: int,
    entity_ids: Iterator[int] | None = None,
    relation_ids: Iterator[int] | None = None,
) -> dict[str, Any]:
    """The doccano JSON object for ``record``; ``line_id`` becomes doccano's ``id``.

    ``entity_ids`` and ``relation_ids`` hand out ids (default: from 1 within the line); pass shared
    counters to keep ids unique across a file, as doccano's own exports do.
    """
    entity_ids = entity_ids if entity_ids is not None else itertools.count(1)
    relation_ids = relation_ids if relation_ids is not None else itertools.count(1)
    line: dict[str, Any] = {"id": line_id, "text": record.text, "article_id": record.id}
    if record.extra.get("meta"):
        line["meta"] = record.extra["meta"]
    entities: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    shared: dict[tuple[str, int, int], int] = {}  # (label, start, end) -> entity id, Source/Content only

    def entity(label: str, start: int, end: int) -> int:
        key = (label, start, end)
        if label != "Cue" and key in shared:
            return shared[key]
        entity_id = next(entity_ids)
        entities.append({"id": entity_id, "label": label, "start_offset": start, "end_offset": end})
        if label != "Cue":
            shared[key] = entity_id
        return entity_id

    for attribution in record.attributions:
        head: int | None = None
        for label, role in LABELS.items():
            for start, end in getattr(attribution, role):
                entity_id = entity(label, start, end)
                if head is None:
                    head = entity_id
                else:
                    relations.append({"id": next(relation_ids), "from_id": head, "to_id": entity_id, "type": role})
    line["entities"] = entities
    line["relations"] = relations
    return line


def write_doccano(records: Iterable[LabeledArticle], path: str | Path) -> int:
    """Write ``records`` as doccano relation JSONL; returns how many were written.

    Entity and relation ids are unique across the file; doccano's ``id`` is the line number.
    """
    entity_ids, relation_ids = itertools.count(1), itertools.count(1)
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for count, record in enumerate(records, start=1):
            line = doccano_line(record, line_id=count, entity_ids=entity_ids, relation_ids=relation_ids)
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return count


# --------------------------------------------------------------------------- reading


def _item_id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entities(raw: Any, text: str, where: str) -> dict[str, tuple[str, int, int]]:
    if not isinstance(raw, list):
        raise AnnotationError(f"{where}: field 'entities' must be a list of doccano entities")
    entities: dict[str, tuple[str, int, int]] = {}  # id -> (role, start, end)
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise AnnotationError(f"{where}: entities[{index}] must be an object")
        entity_id = _item_id(item.get("id"))
        if entity_id is None:
            raise AnnotationError(f"{where}: entities[{index}] has no usable 'id' (got {item.get('id')!r})")
        at = f"{where}: entity {entity_id}"
        if entity_id in entities:
            raise AnnotationError(f"{at}: the id is used by two entities")
        label = item.get("label")
        if not isinstance(label, str) or label.lower() not in _ROLE_BY_LABEL:
            raise AnnotationError(f"{at}: unknown label {label!r}; expected one of {list(LABELS)}")
        start, end = item.get("start_offset"), item.get("end_offset")
        if not (_integer(start) and _integer(end)):
            raise AnnotationError(f"{at}: 'start_offset' and 'end_offset' must be integers, got {start!r}, {end!r}")
        if not 0 <= start < end <= len(text):
            raise AnnotationError(f"{at}: offsets [{start}, {end}] are outside the text (length {len(text)})")
        entities[entity_id] = (_ROLE_BY_LABEL[label.lower()], start, end)
    return entities


def _attributions(
    entities: dict[str, tuple[str, int, int]], raw_relations: Any, where: str
) -> tuple[GoldAttribution, ...]:
    if not isinstance(raw_relations, list):
        raise AnnotationError(f"{where}: field 'relations' must be a list of doccano relations")

    def mislinked(source: str, target: str, at: str) -> str:
        return (
            f"{at}: links entity {source} ({entities[source][0]}) to entity {target} ({entities[target][0]});"
            " a relation must link a Cue to its Source or Content (or to another piece of the cue)"
        )

    def unlinked(entity_id: str) -> str:
        role, start, end = entities[entity_id]
        return f"{where}: entity {entity_id} ({role.capitalize()} [{start}, {end}]) is not related to any Cue"

    return attributions_from_links(
        entities, _relation_ends(entities, raw_relations, where), mislinked=mislinked, unlinked=unlinked
    )


def _relation_ends(
    entities: dict[str, tuple[str, int, int]], raw_relations: list[Any], where: str
) -> Iterator[tuple[str, str, str]]:
    """Yield ``(from entity, to entity, error prefix)`` per relation, checking each as it is reached."""
    for index, item in enumerate(raw_relations):
        if not isinstance(item, dict):
            raise AnnotationError(f"{where}: relations[{index}] must be an object")
        name = _item_id(item.get("id"))
        at = f"{where}: relation {name}" if name is not None else f"{where}: relations[{index}]"
        ends = []
        for key in ("from_id", "to_id"):
            entity_id = _item_id(item.get(key))
            if entity_id is None or entity_id not in entities:
                raise AnnotationError(f"{at}: {key} {item.get(key)!r} is not the id of an entity of this line")
            ends.append(entity_id)
        yield ends[0], ends[1], at


def doccano_record(obj: Any, *, where: str) -> LabeledArticle:
    """Build one annotation record from one doccano export line (parsed); errors start with ``where``.

    Raises:
        AnnotationError: naming ``where``, the record id, the entity or relation id and the problem.

    """
    if not isinstance(obj, dict):
        raise AnnotationError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise AnnotationError(f"{where}: field 'text' must be a string")
    record_id = _item_id(obj.get("article_id")) or _item_id(obj.get("id"))
    if record_id is None:
        raise AnnotationError(f"{where}: field 'article_id' (or doccano's 'id') must be a string or integer")
    where = f"{where} (id {record_id!r})"
    if "entities" not in obj and "label" in obj:
        raise AnnotationError(
            f"{where}: no field 'entities' (this looks like a sequence-labeling export without relations;"
            " export the project with relation labeling)"
        )
    entities = _entities(obj.get("entities"), text, where)
    attributions = _attributions(entities, obj.get("relations", []), where)
    extra: dict[str, Any] = {"meta": obj["meta"]} if isinstance(obj.get("meta"), dict) else {}
    return LabeledArticle(id=record_id, text=text, layers=("attributions",), attributions=attributions, extra=extra)


def read_doccano(path: str | Path) -> Iterator[LabeledArticle]:
    """Yield one record per line of a doccano relation JSONL export; blank lines are skipped.

    A folder yields the lines of every ``*.jsonl`` file in it (doccano's export zip holds one per
    user, or ``all.jsonl``), in name order.

    Raises:
        AnnotationError: for the first malformed line: ``<path>:<line> (id ...): entity <id>: ...``.

    """
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.glob("*.jsonl")):
            yield from read_doccano(child)
        return
    with path.open(encoding="utf-8") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AnnotationError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
                yield doccano_record(obj, where=where)
        except UnicodeDecodeError:
            raise AnnotationError(f"{path}: not UTF-8 text") from None
