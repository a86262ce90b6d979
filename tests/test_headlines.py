"""Title-case headlines: which capitalised words are names (``attribution.headlines``)."""

from __future__ import annotations

import pytest

from attribution.headlines import dateline_words, headline_words, is_title_case


@pytest.mark.parametrize(
    ("line", "title_case"),
    [
        ("Army Liberates Kessa As Harran Front Terrorists Flee", True),
        ("Stealth Over Health: Hillary Clinton Was Headed to ER", True),  # small words may stay lower case
        ("UN Envoy Meets 300 Displaced Families", True),  # numbers and acronyms
        # negative cases: sentence case, too short, a full stop inside, the body of an article
        ("Army pushes into northern countryside as monitor reports heavy losses", False),
        ("Army Retakes Kessa", False),
        ("The Army Said. Then It Left Kessa Again", False),
        ("The army said on Monday that its units had entered Kessa.", False),
        ("", False),
    ],
)
def test_is_title_case(line: str, title_case: bool) -> None:
    assert is_title_case(line) is title_case


HEADLINE = "Army Liberates Kessa As Harran Front Terrorists Flee\n\nThe army entered Kessa after the Harran Front fled."


@pytest.mark.parametrize(
    ("text", "keep", "not_names"),
    [
        (HEADLINE, frozenset(), ["Army", "As", "Flee", "Liberates", "Terrorists"]),
        (
            HEADLINE,
            frozenset({"army", "front"}),
            ["As", "Flee", "Liberates", "Terrorists"],
        ),
        # an acronym stays a name; a word the body writes capitalised only at a sentence's start does not
        (
            "ISIL Fighters Shell Kessa Market\n\nFighters fired rockets. The mayor of Kessa said ISIL did it.",
            frozenset(),
            ["Fighters", "Market", "Shell"],
        ),
        # no title-case line: nothing
        ("Army retakes Kessa as rebels flee\n\nThe army entered Kessa.", frozenset(), []),
    ],
)
def test_headline_words(text: str, keep: frozenset[str], not_names: list[str]) -> None:
    assert sorted(text[i:].split()[0] for i in headline_words(text, keep)) == not_names


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("SANAA (Saba) - Aircraft struck the capital overnight.", ["SANAA"]),
        ("DONETSK, March 3 (TASS) - Shells hit a market.", ["DONETSK"]),
        ("NEW YORK — The council met.", ["NEW", "YORK"]),
        ("Headline here\nKHARTOUM, Sudan - Fighting resumed.", ["KHARTOUM"]),
        # negative cases: an acronym that speaks, a dateline not at a line's start, a sentence in capitals
        ("UN officials said the road was closed.", []),
        ("The town of SANAA (Yemen) was hit.", []),
        ("ISIL said it struck the base.", []),
    ],
)
def test_dateline_words(text: str, places: list[str]) -> None:
    assert sorted(text[i:].split()[0].rstrip(",") for i in dateline_words(text)) == sorted(places)
