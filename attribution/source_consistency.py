"""One person, one source type: the sources of an article that name the same person get one ``source_type``.

The source-profile classifier types each attribution in its own context, so one speaker can come out as three
types: in an interview with a doctor, "she said" (`ngo`), "Hadid said" (`citizen`) and "she rejected" (`expert`).
The guidelines type the source, who speaks, not the claim (section 1.1: a pronoun "takes the type of what it
resolves to"), so :func:`one_type_per_person` gives all of them the type the classifier is most sure of over
the group: each type's probabilities summed over the group's attributions, the highest sum wins.

A group is the attributions whose source (its resolved name for a pronoun) names a person with the same name
words, or with a part of them that only one person of the article has ("Hadid" after "Dr. Amal Hadid"; not
"Clinton" in an article with Bill and Hillary Clinton). A one-word name with no fuller form is left alone: the
name rules read a sentence's capitalised first word ("Security sources") as one. Organisations and unnamed sources are left as they are:
"officials" or "a source" may be several speakers.

Example:
    >>> from attribution.records import Attribution, Span
    >>> def said(source, type_):
    ...     return Attribution((), (Span("SOURCE", 0, len(source), source, 0),), (), "indirect", 0, 1.0, type_)
    >>> found = [said("Dr. Amal Hadid", "citizen"), said("Hadid", "expert"), said("officials", "government")]
    >>> [a.source_type for a in one_type_per_person(found, [0.55, 0.9, 0.8])]
    ['expert', 'expert', 'government']

"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from attribution.records import Attribution
from attribution.relays import find_mentions


def _person_names(attribution: Attribution) -> frozenset[str]:
    """The name words of the one person a source names (empty for organisations, unnamed sources, two people)."""
    text = attribution.resolved_source or attribution.source_text or ""
    people = [m for m in find_mentions(text) if m.kind == "person"]
    return frozenset(people[0].text.lower().split()) if len(people) == 1 else frozenset()


def person_groups(attributions: Sequence[Attribution]) -> list[list[int]]:
    """Indices of attributions whose sources name one person, groups of two or more (module docstring).

    >>> from attribution.records import Attribution, Span
    >>> def said(source):
    ...     return Attribution((), (Span("SOURCE", 0, len(source), source, 0),), (), "indirect", 0, 1.0)
    >>> person_groups([said(s) for s in ("Bill Clinton", "Hillary Clinton", "Clinton", "Bill Clinton")])
    [[0, 3]]
    """
    names = [_person_names(a) for a in attributions]
    full = sorted({n for n in names if n}, key=len, reverse=True)
    owner: dict[frozenset[str], frozenset[str]] = {}
    for n in full:
        longer = [m for m in full if len(m) > len(n) and n < m and owner.get(m, m) == m]
        if len(longer) == 1:
            owner[n] = longer[0]
        elif not longer and len(n) > 1:  # a lone one-word name may be no person at all ("Security sources")
            owner[n] = n
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, n in enumerate(names):
        if n and n in owner:
            groups[owner[n]].append(i)
    return [g for g in groups.values() if len(g) > 1]


def one_type_per_person(attributions: Sequence[Attribution], confidences: Sequence[float]) -> tuple[Attribution, ...]:
    """The attributions, each group naming one person given the type with the highest summed confidence.

    Args:
        attributions: One article's profiled attributions.
        confidences: The classifier's probability of each attribution's type (0 where a rule set it).

    """
    out = list(attributions)
    for group in person_groups(attributions):
        totals: dict[str, float] = defaultdict(float)
        for i in group:
            if attributions[i].source_type is not None:
                totals[attributions[i].source_type] += confidences[i]
        if len(totals) < 2:
            continue
        best = max(totals, key=lambda t: totals[t])  # the first of a tie, in the group's order
        for i in group:
            out[i] = dataclasses.replace(out[i], source_type=best)
    return tuple(out)
