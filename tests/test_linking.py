from __future__ import annotations

import pytest

from attribution.linking import drop_anonymity_requests, link_attributions, with_antecedents
from attribution.records import Attribution, Span


def spans_for(text: str, marked: list[tuple[str, str, int]]) -> list[Span]:
    """Build spans from (label, substring, sentence_index); the substring's first occurrence is used."""
    out = []
    for label, piece, sentence in marked:
        start = text.index(piece)
        out.append(Span(label, start, start + len(piece), piece, sentence))  # type: ignore[arg-type]
    return out


CASES = [
    # (text, marked spans, expected [(source, cue, content, kind)])
    (
        "A military source told FNA that heavy clashes are underway.",
        [("SOURCE", "A military source", 0), ("CUE", "told", 0), ("CONTENT", "heavy clashes are underway", 0)],
        [("A military source", "told", "heavy clashes are underway", "indirect")],
    ),
    (
        '"We will win," the source said.',
        [("CONTENT", '"We will win,"', 0), ("SOURCE", "the source", 0), ("CUE", "said", 0)],
        [("the source", "said", '"We will win,"', "direct")],
    ),
    (
        "Clashes went on, said the minister.",
        [("CONTENT", "Clashes went on", 0), ("CUE", "said", 0), ("SOURCE", "the minister", 0)],
        [("the minister", "said", "Clashes went on", "indirect")],
    ),
    (
        "According to the ministry, 12 people died.",
        [("CUE", "According to", 0), ("SOURCE", "the ministry", 0), ("CONTENT", "12 people died", 0)],
        [("the ministry", "According to", "12 people died", "indirect")],
    ),
    (
        "It was reported that the town fell.",
        [("CUE", "was reported", 0), ("CONTENT", "the town fell", 0)],
        [(None, "was reported", "the town fell", "indirect")],
    ),
    (
        'The general said: "We hold the hills. The road is ours."',
        [
            ("SOURCE", "The general", 0),
            ("CUE", "said", 0),
            ("CONTENT", '"We hold the hills.', 0),
            ("CONTENT", 'The road is ours."', 1),
        ],
        [("The general", "said", '"We hold the hills. ... The road is ours."', "direct")],
    ),
    (
        "Amnesty said the camp was shelled, while the army claimed it hit only fighters.",
        [
            ("SOURCE", "Amnesty", 0),
            ("CUE", "said", 0),
            ("CONTENT", "the camp was shelled", 0),
            ("SOURCE", "the army", 0),
            ("CUE", "claimed", 0),
            ("CONTENT", "it hit only fighters", 0),
        ],
        [
            ("Amnesty", "said", "the camp was shelled", "indirect"),
            ("the army", "claimed", "it hit only fighters", "indirect"),
        ],
    ),
    # one source, two cues in its sentence: the second cue shares it
    (
        "Officials announced the deal and said talks would go on.",
        [
            ("SOURCE", "Officials", 0),
            ("CUE", "announced", 0),
            ("CONTENT", "the deal", 0),
            ("CUE", "said", 0),
            ("CONTENT", "talks would go on", 0),
        ],
        [("Officials", "announced", "the deal", "indirect"), ("Officials", "said", "talks would go on", "indirect")],
    ),
    # a second piece after the cue, past other words, belongs to a cue the tagger missed: dropped
    (
        "He said the review would start and warned against hackers from abroad.",
        [
            ("SOURCE", "He", 0),
            ("CUE", "said", 0),
            ("CONTENT", "the review would start", 0),
            ("CONTENT", "hackers from abroad", 0),
        ],
        [("He", "said", "the review would start", "indirect")],
    ),
    # ... but a piece that only punctuation separates is kept
    (
        'She said "the siege is over", "finally".',
        [("SOURCE", "She", 0), ("CUE", "said", 0), ("CONTENT", '"the siege is over"', 0), ("CONTENT", '"finally"', 0)],
        [("She", "said", '"the siege is over" ... "finally"', "direct")],
    ),
    # a quote running on into the next sentence is kept; an unquoted piece in the next sentence is not
    (
        '"We hold the hills," he said. "The road is ours."',
        [
            ("CONTENT", '"We hold the hills,"', 0),
            ("SOURCE", "he", 0),
            ("CUE", "said", 0),
            ("CONTENT", '"The road is ours."', 1),
        ],
        [("he", "said", '"We hold the hills," ... "The road is ours."', "direct")],
    ),
    (
        "He said the town fell. Aid convoys were turned back.",
        [
            ("SOURCE", "He", 0),
            ("CUE", "said", 0),
            ("CONTENT", "the town fell", 0),
            ("CONTENT", "Aid convoys were turned back", 1),
        ],
        [("He", "said", "the town fell", "indirect")],
    ),
    # a quote signed after a dash: the dash is the cue
    (
        "“We fled at night.” ― Sonya Herridge",
        [("CONTENT", "“We fled at night.”", 0), ("SOURCE", "Sonya Herridge", 0)],
        [("Sonya Herridge", "―", "“We fled at night.”", "direct")],
    ),
    (
        '"The shelling never stopped." -- Omar Haddad, a nurse',
        [("CONTENT", '"The shelling never stopped."', 0), ("SOURCE", "Omar Haddad, a nurse", 0)],
        [("Omar Haddad, a nurse", "--", '"The shelling never stopped."', "direct")],
    ),
    # a dash the tagger already marked is not doubled; a dash without a quote before it is no cue
    (
        "“We fled.” — Ana Ruiz",
        [("CONTENT", "“We fled.”", 0), ("CUE", "—", 0), ("SOURCE", "Ana Ruiz", 0)],
        [("Ana Ruiz", "—", "“We fled.”", "direct")],
    ),
    ("The convoy ― led by Ana Ruiz ― arrived.", [("SOURCE", "Ana Ruiz", 0)], []),
    # negative cases: nothing to link without a cue
    ("Critics of the plan were not convinced.", [], []),
    ('The book "War and Peace" sold well.', [("CONTENT", '"War and Peace"', 0)], []),
    ("The army set up checkpoints.", [("SOURCE", "The army", 0)], []),
    # the complementizer "that" is not part of the content (guidelines section 1), whoever tagged it
    (
        "A military source told FNA that heavy clashes are underway.",
        [("SOURCE", "A military source", 0), ("CUE", "told", 0), ("CONTENT", "that heavy clashes are underway", 0)],
        [("A military source", "told", "heavy clashes are underway", "indirect")],
    ),
    (
        "Officials said that the talks failed.",
        [("SOURCE", "Officials", 0), ("CUE", "said", 0), ("CONTENT", "that", 0), ("CONTENT", "the talks failed", 0)],
        [("Officials", "said", "the talks failed", "indirect")],
    ),
    # negatives: "That" opening a quote or sentence, and "that" with nothing after it, stay
    (
        'He said: "That is a lie."',
        [("SOURCE", "He", 0), ("CUE", "said", 0), ("CONTENT", '"That is a lie."', 0)],
        [("He", "said", '"That is a lie."', "direct")],
    ),
    (
        "That plan is dead, the minister said.",
        [("CONTENT", "That plan is dead", 0), ("SOURCE", "the minister", 0), ("CUE", "said", 0)],
        [("the minister", "said", "That plan is dead", "indirect")],
    ),
    (
        "The ministry said that.",
        [("SOURCE", "The ministry", 0), ("CUE", "said", 0), ("CONTENT", "that", 0)],
        [("The ministry", "said", "that", "indirect")],
    ),
    # a piece between two cues goes to the first when the second has its own piece after it
    (
        "The army said on Wednesday evening its soldiers had killed 20 militants, in what it called a major victory.",
        [
            ("SOURCE", "The army", 0),
            ("CUE", "said", 0),
            ("CONTENT", "its soldiers had killed 20 militants", 0),
            ("SOURCE", "it", 0),
            ("CUE", "called", 0),
            ("CONTENT", "a major victory", 0),
        ],
        [
            ("The army", "said", "its soldiers had killed 20 militants", "indirect"),
            ("it", "called", "a major victory", "indirect"),
        ],
    ),
    # but a quote around its cue stays whole, and a cue with content of its own keeps it
    (
        'He said on Monday: "We will win," the minister added, "and we will rebuild."',
        [
            ("SOURCE", "He", 0),
            ("CUE", "said", 0),
            ("CONTENT", '"We will win,"', 0),
            ("SOURCE", "the minister", 0),
            ("CUE", "added", 0),
            ("CONTENT", '"and we will rebuild."', 0),
        ],
        [("He", "said", '"We will win,"', "direct"), ("the minister", "added", '"and we will rebuild."', "direct")],
    ),
    (
        '"We will win," the minister said, "and we will rebuild."',
        [
            ("CONTENT", '"We will win,"', 0),
            ("SOURCE", "the minister", 0),
            ("CUE", "said", 0),
            ("CONTENT", '"and we will rebuild."', 0),
        ],
        [("the minister", "said", '"We will win," ... "and we will rebuild."', "direct")],
    ),
    # a cue left without content is not an attribution
    (
        "Takfiri groups have repeatedly targeted homes.",
        [("SOURCE", "Takfiri groups", 0), ("CUE", "have repeatedly targeted", 0)],
        [],
    ),
]


@pytest.mark.parametrize(("text", "marked", "expected"), CASES)
def test_link_attributions(text: str, marked: list[tuple[str, str, int]], expected: list[tuple]) -> None:
    attributions = link_attributions(spans_for(text, marked), text)
    assert [(a.source_text, a.cue_text, a.content_text, a.kind) for a in attributions] == expected


def test_content_far_away_is_not_linked() -> None:
    text = "He said so. A. B. C. D. Much later text here."
    spans = [Span("CUE", 3, 7, "said", 0), Span("CONTENT", 24, 45, text[24:45], 6)]
    assert link_attributions(spans, text) == []
    assert link_attributions(spans, text, require_content=False)[0].content == ()


def test_score_is_mean_of_pieces() -> None:
    text = "Officials said no."
    spans = [
        Span("SOURCE", 0, 9, "Officials", 0, 0.5),
        Span("CUE", 10, 14, "said", 0, 1.0),
        Span("CONTENT", 15, 17, "no", 0, 0.75),
    ]
    assert link_attributions(spans, text)[0].score == 0.75


@pytest.mark.parametrize(
    ("scores", "has_source", "minimum", "kept"),
    [
        ((0.7, 0.64), False, 0.8, False),  # "Rebels suffer crushing defeat": no source, mean 0.67
        ((0.9, 0.8), False, 0.8, True),  # no source, but sure enough (mean 0.85)
        ((0.7, 0.64), True, 0.8, True),  # a source: the minimum does not apply
        ((0.7, 0.64), False, 0.0, True),  # 0 keeps every attribution
    ],
)
def test_an_unsure_attribution_without_a_source_is_dropped(
    scores: tuple[float, float], has_source: bool, minimum: float, kept: bool
) -> None:
    text = "Officials: Rebels suffer crushing defeat"
    cue_score, content_score = scores
    spans = [
        Span("CUE", 18, 24, "suffer", 0, cue_score),
        Span("CONTENT", 25, 40, text[25:40], 0, content_score),
        *([Span("SOURCE", 0, 9, "Officials", 0, (cue_score + content_score) / 2)] if has_source else []),
    ]
    assert bool(link_attributions(spans, text, min_sourceless_score=minimum)) is kept


@pytest.mark.parametrize(
    ("source", "cue", "content", "dropped"),
    [
        ("who", "asked", "not to be named", True),
        ("who", "asked", "not to", True),  # the tagger's shorter reading
        ("who", "requested", "anonymity to speak freely", True),
        ("who", "declined", "to be identified", True),
        ("", "asked", "not to be identified by name because he was not authorised to speak", True),
        # negative: a request that is a claim, a named requester, another cue
        ("who", "asked", "not to stage protests inside the hall", False),
        ("The minister", "asked", "not to be named", False),
        ("who", "said", "not to be named", False),
    ],
)
def test_drop_anonymity_requests(source: str, cue: str, content: str, dropped: bool) -> None:
    text = f"An officer, {source} {cue} {content}, told AFP the line held."
    start = text.index(cue, 12)
    request = Attribution(
        (Span("CUE", start, start + len(cue), cue, 0),),
        (Span("SOURCE", 12, 12 + len(source), source, 0),) if source else (),
        (Span("CONTENT", start + len(cue) + 1, start + len(cue) + 1 + len(content), content, 0),),
        "indirect",
        0,
        0.6,
    )
    kept = drop_anonymity_requests([request])
    assert (kept == []) is dropped


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("A Western diplomat, who asked not to be named, said talks had stalled.",
         "A Western diplomat, who asked not to be named,"),
        ("On Monday, a senior officer, who requested anonymity, said the unit withdrew.",
         "a senior officer, who requested anonymity,"),
        ("Talks stalled. The source, who asked not to be named, said so.", "The source, who asked not to be named,"),
        # negative: the claim is made inside the clause; no noun phrase before "who"; too long a phrase
        ("Reddick, who said the bill was dead, left early.", "who"),
        ("They met, and then, who asked not to be named, said no.", "who"),
        ("After the long and bitter talks in the capital that ran into the night, who asked not to be named, said no.",
         "who"),
    ],
)  # fmt: skip
def test_a_who_source_grows_to_its_noun_phrase(text: str, source: str) -> None:
    who = text.index("who")
    cue = text.index("said", who) if "said" in text[who:] else text.index("left")
    a = Attribution((Span("CUE", cue, cue + 4, text[cue : cue + 4], 0),), (Span("SOURCE", who, who + 3, "who", 0),),
                    (), "indirect", 0, 1.0)  # fmt: skip
    (widened,) = with_antecedents([a], text)
    assert [s.text for s in widened.source] == [source]
    assert all(text[s.start : s.end] == s.text for s in widened.source)
