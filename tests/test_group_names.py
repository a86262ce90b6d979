"""Words inside a group's name are no loaded terms (attribution.group_names)."""

from __future__ import annotations

import pytest

from attribution.group_names import group_name_spans, inside_group_name


@pytest.mark.parametrize(
    ("text", "term", "inside"),
    [
        # a word of a group's name, mid-sentence or at the start of a sentence the body confirms
        ("Fighters of the Tarsian Liberation Movement took Kessin.", "Liberation", True),
        ("The Yarmouk Martyrs Brigade shelled Kessa.", "Martyrs", True),
        ("Liberation Movement fighters held Kessin. Kessin fell to the Liberation Movement.", "Liberation", True),
        ("Army Liberates Kessa As Liberation Front Flees\n\nThe Liberation Front lost the town.", "Liberation", True),
        # a label before a name at a sentence's start is not part of it
        ("Terrorist Harran Front fighters attacked Kessa. The Harran Front denied it.", "Terrorist", False),
        # a title-case headline's capitals name nothing
        ("Army Liberates Kessa As Liberation Front Flees\n\nThe Liberation Front lost the town.", "Liberates", False),
        # no group word at the end: a capitalised label, not a name
        ("State media blamed the Zionist Regime for the strike.", "Zionist", False),
        # lower case: no name
        ("The army completed the liberation of Kessa.", "liberation", False),
        ("Rebels said the heroic fighters of the front held Kessa.", "heroic", False),
    ],
)
def test_inside_group_name(text: str, term: str, inside: bool) -> None:
    start = text.index(term)
    assert inside_group_name(group_name_spans(text), start, start + len(term)) is inside


def test_names_do_not_cross_sentences_or_lines() -> None:
    text = "Rebels shelled Kessin. Liberation Movement fighters denied it, said the Liberation Movement.\nHarran Front"
    assert [text[a:b] for a, b in group_name_spans(text)] == ["Liberation Movement", "Liberation Movement"]
