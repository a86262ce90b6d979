"""One person, one source type (attribution.source_consistency)."""

from __future__ import annotations

import pytest

from attribution.records import Attribution, Span
from attribution.source_consistency import one_type_per_person, person_groups


def said(source: str, source_type: str | None = None, resolved: str | None = None) -> Attribution:
    return Attribution(
        (), (Span("SOURCE", 0, len(source), source, 0),), (), "indirect", 0, 1.0, source_type, resolved_source=resolved
    )


@pytest.mark.parametrize(
    ("sources", "groups"),
    [
        (["Dr. Amal Hadid", "Hadid", "she"], [[0, 1]]),
        (["Bill Clinton", "Hillary Clinton", "Clinton", "Bill Clinton"], [[0, 3]]),  # "Clinton": which one?
        (["The movement's spokesman, Aron Belic,", "Belic"], [[0, 1]]),
        # organisations and unnamed sources may be several speakers
        (["Human Rights Watch", "Human Rights Watch"], []),
        (["officials", "officials"], []),
        (["Ana Ribas", "Petra Hollis"], []),
        (["Security sources", "Security"], []),  # a capitalised first word is no person's name
        (["Ribas", "Ribas"], []),
    ],
)
def test_person_groups(sources: list[str], groups: list[list[int]]) -> None:
    assert person_groups([said(s) for s in sources]) == groups


def test_a_pronoun_counts_by_the_name_it_resolves_to() -> None:
    found = [said("Dr. Amal Hadid", "citizen"), said("she", "ngo", "Amal Hadid"), said("she", "expert", "Amal Hadid")]
    assert [a.source_type for a in one_type_per_person(found, [0.5, 0.4, 0.3])] == ["citizen"] * 3
    assert [a.source_type for a in one_type_per_person(found, [0.3, 0.4, 0.5])] == ["expert"] * 3
    assert [a.source_type for a in one_type_per_person(found, [0.3, 0.5, 0.4])] == ["ngo"] * 3


def test_everything_else_stays_as_it_was() -> None:
    found = [said("Ana Ribas", "citizen"), said("officials", "government"), said("she", "expert")]
    kept = one_type_per_person(found, [0.9, 0.9, 0.9])
    assert kept == tuple(found)
