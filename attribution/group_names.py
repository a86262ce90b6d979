"""Words inside a group's name are no loaded terms: "Liberation" in "the Tarsian Liberation Movement".

A loaded term is a choice of words where a neutral one exists (annotation guidelines, section 3); a group's name is
not the writer's choice. :func:`group_name_spans` finds the names that end in a group word ("Movement", "Front",
"Brigade", "Army", ...) written in capitals mid-sentence somewhere in the article, and :func:`inside_group_name`
tells whether a term lies within one. A title-case headline's capitals say nothing, so names are read from the
body (a headline's "Liberation Front" counts when the body writes it so); a word at a sentence's start counts as
part of a name only when the same words stand capitalised mid-sentence elsewhere ("Terrorist Harran Front fighters
attacked" does not make "Terrorist" part of a name).

Example:
    >>> text = "Fighters of the Tarsian Liberation Movement took Kessin. Liberation Movement fighters held it."
    >>> spans = group_name_spans(text)
    >>> [text[a:b] for a, b in spans]
    ['Tarsian Liberation Movement', 'Liberation Movement']
    >>> start = text.index("Liberation")
    >>> inside_group_name(spans, start, start + 10), inside_group_name(spans, 0, 8)
    (True, False)

"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attribution.headlines import bare_word, is_title_case

#: Last words of a group's name: "the Tarsian Liberation Movement", "the Martyrs Brigade", "the Red Dawn Army".
GROUP_NAME_HEADS = frozenset(
    "movement movements front army armies brigade brigades battalion battalions forces force units unit council "
    "party corps legion guard guards militia organisation organization committee committees alliance union "
    "coalition league association society foundation network emirate group groups division regiment".split()
)
_NAME_WORD = r"[A-Z][\w'’-]*(?:\.[\w'’-]+)*"  # "U.N.-backed" keeps its full stops, "Kessin." ends a run
_RUN = re.compile(rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD})+")
_SENTENCE_END = (".", "!", "?", ":", '"', "“", "\n")


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before.endswith(_SENTENCE_END)


def group_name_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the group names in ``text`` (module docstring): capitalised runs ending in a group word."""
    lines, offset, body = [], 0, []
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    title_lines = [(o, o + len(line)) for o, line in lines if is_title_case(line)]

    def in_title(position: int) -> bool:
        return any(a <= position < b for a, b in title_lines)

    for match in _RUN.finditer(text):
        if not in_title(match.start()):
            body.append(match)
    mid_sentence = set()
    for match in body:  # names as written mid-sentence: the run, and each tail of it ("Liberation Movement")
        words = match.group(0).split()
        first = 1 if _sentence_start(text, match.start()) else 0
        for i in range(first, len(words)):
            mid_sentence.add(" ".join(bare_word(w) for w in words[i:]))
    spans = []
    for match in _RUN.finditer(text):
        words = [(match.start() + m.start(), m.group(0)) for m in re.finditer(r"\S+", match.group(0))]
        for last in range(1, len(words)):  # each group word ends a name ("... As Liberation Front Flees")
            if bare_word(words[last][1]) not in GROUP_NAME_HEADS:
                continue
            # the longest run of words up to it that the article writes as a name mid-sentence
            for first in range(last):
                if " ".join(bare_word(w) for _, w in words[first : last + 1]) in mid_sentence:
                    spans.append((words[first][0], words[last][0] + len(words[last][1])))
                    break
    return spans


def inside_group_name(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of the group-name ``spans``."""
    return any(a <= start and end <= b for a, b in spans)
