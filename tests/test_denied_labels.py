"""Denied labels keep their category but name no target (attribution.denied_labels)."""

from __future__ import annotations

import pytest

from attribution.denied_labels import is_denied, without_denied_targets
from attribution.records import LoadedTerm


@pytest.mark.parametrize(
    ("text", "label", "denied"),
    [
        ("They are not terrorists, the minister said.", "terrorists", True),
        ("These were herders, not jihadists.", "jihadists", True),
        ("We are teachers and nurses, not criminals.", "criminals", True),
        ("He is not a traitor.", "traitor", True),
        ("They aren't thugs.", "thugs", True),
        ("They are no longer rebels but a party.", "rebels", True),
        ("I will not call them terrorists.", "terrorists", True),
        ("The minister refused to label the movement as terrorists.", "terrorists", True),
        ("She stopped short of calling them traitors.", "traitors", True),
        ("Are they terrorists? They were children.", "terrorists", True),
        ('"Is he a traitor?" she asked.', "traitor", True),
        # the label is used, not denied
        ("Are they terrorists or freedom fighters? Nobody agrees.", "terrorists", False),
        ("Why are the terrorists attacking schools?", "terrorists", False),
        ("Where were the thugs hiding?", "thugs", False),
        ("The army said the terrorists fled.", "terrorists", False),
        ("They are not just thugs, they are murderers.", "thugs", False),
        ("They are not only thugs but murderers.", "thugs", False),
        ("Not only did the thugs burn the market, they looted it.", "thugs", False),
        ("He did not say whether the terrorists had fled.", "terrorists", False),
        ("The minister called them terrorists.", "terrorists", False),
        ("We did not flee. The terrorists did.", "terrorists", False),
        ("It was not clear, but the thugs left.", "thugs", False),
    ],
)
def test_is_denied(text: str, label: str, denied: bool) -> None:
    start = text.index(label)
    assert is_denied(text, start, start + len(label)) is denied


def test_only_denied_actor_labels_lose_their_target() -> None:
    text = "They are not terrorists. The regime's thugs are terrorists. It was not a massacre."
    terms = [
        LoadedTerm("name_calling", 13, 23, "terrorists", 0, 0.9, target="movement", target_span=(0, 4)),
        LoadedTerm("name_calling", 38, 43, "thugs", 1, 0.9, target="regime", target_span=(29, 35)),
        LoadedTerm("name_calling", 48, 58, "terrorists", 1, 0.9, target="thugs", target_span=(38, 43)),
        LoadedTerm("loaded_language", 73, 81, "massacre", 2, 0.9, target="army", target_span=(0, 4)),
    ]
    kept = without_denied_targets(text, terms)
    assert [t.target for t in kept] == [None, "regime", "thugs", "army"]
    assert [(t.category, t.text, t.voice) for t in kept] == [(t.category, t.text, t.voice) for t in terms]
