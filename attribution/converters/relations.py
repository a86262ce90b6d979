"""Build attributions from labeled pieces and the relations between them (shared by the converters).

doccano and Label Studio both store an attribution as Cue/Source/Content pieces joined by relations;
:func:`attributions_from_links` turns those pieces and relations into :class:`GoldAttribution` records.
Each converter keeps its own parsing and supplies its own error texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attribution.annotations import AnnotationError, GoldAttribution

#: piece id -> (role, start, end); role is "cue", "source", "content" or "via".
Pieces = Mapping[str, tuple[str, int, int]]


def attributions_from_links(
    pieces: Pieces,
    links: Iterable[tuple[str, str, str]],
    *,
    mislinked: Callable[[str, str, str], str],
    unlinked: Callable[[str], str],
    profiles: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[GoldAttribution, ...]:
    """Group cue pieces joined by cue-cue relations and attach their related sources and contents.

    Args:
        pieces: piece id -> ``(role, start, end)``.
        links: ``(from_id, to_id, at)`` per relation; both ids must be keys of ``pieces`` and ``at``
            only feeds ``mislinked``. Read lazily, one relation at a time, so a generator that
            validates its relations as it yields them reports errors in relation order.
        mislinked: the error text for a relation ``(from_id, to_id, at)`` that links no cue.
        unlinked: the error text for a Source, Content or Via piece id related to no cue.
        profiles: cue piece id -> profile fields of its attribution (``source_type``, ...); for each
            field the group's first cue piece (by offsets) that has it wins.

    Returns:
        One attribution per group of cue pieces, each role's fragments sorted, the attributions
        sorted by (cue, source, content).

    Raises:
        AnnotationError: with ``mislinked``'s or ``unlinked``'s text.

    Example:
        >>> pieces = {"c1": ("cue", 10, 14), "s": ("source", 0, 9), "c2": ("cue", 20, 22)}
        >>> [found] = attributions_from_links(pieces, [("c1", "s", "r1"), ("c2", "c1", "r2")],
        ...                                   mislinked=lambda a, b, at: at, unlinked=str)
        >>> found.cue, found.source, found.content
        (((10, 14), (20, 22)), ((0, 9),), ())
        >>> attributions_from_links(pieces, [("c1", "c2", "r1")], mislinked=lambda a, b, at: at,
        ...                         unlinked=lambda pid: f"{pid} has no cue")
        Traceback (most recent call last):
        attribution.annotations.AnnotationError: s has no cue

    """
    cues = sorted((pid for pid, (role, _, _) in pieces.items() if role == "cue"), key=pieces.__getitem__)
    parent = {pid: pid for pid in cues}

    def root(pid: str) -> str:
        while parent[pid] != pid:
            parent[pid] = parent[parent[pid]]
            pid = parent[pid]
        return pid

    attached: list[tuple[str, str]] = []  # (cue piece, source/content piece)
    for source, target, at in links:
        role_a, role_b = pieces[source][0], pieces[target][0]
        if role_a == role_b == "cue":
            parent[root(source)] = root(target)
        elif "cue" in (role_a, role_b):
            attached.append((source, target) if role_a == "cue" else (target, source))
        else:
            raise AnnotationError(mislinked(source, target, at))
    linked = {pid for _, pid in attached}
    for pid, (role, _, _) in pieces.items():
        if role != "cue" and pid not in linked:
            raise AnnotationError(unlinked(pid))
    groups: dict[str, dict[str, Any]] = {}
    for pid in cues:  # sorted by offsets, so each group's first cue piece comes first
        group = groups.setdefault(
            root(pid), {"cue": set(), "source": set(), "content": set(), "via": set(), "profile": {}}
        )
        group["cue"].add(pieces[pid][1:])
        for name, value in (profiles or {}).get(pid, {}).items():
            group["profile"].setdefault(name, value)
    for cue, pid in attached:
        role, start, end = pieces[pid]
        groups[root(cue)][role].add((start, end))
    out = [
        GoldAttribution(
            cue=tuple(sorted(g["cue"])),
            source=tuple(sorted(g["source"])),
            content=tuple(sorted(g["content"])),
            via=tuple(sorted(g["via"])),
            **g["profile"],
        )
        for g in groups.values()
    ]
    return tuple(sorted(out, key=lambda a: (a.cue, a.source, a.content)))
