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


def _words(match: re.Match[str]) -> list[tuple[int, str]]:
    return [(match.start() + m.start(), m.group(0)) for m in re.finditer(r"\S+", match.group(0))]


def _key(words: Sequence[tuple[int, str]]) -> str:
    return " ".join(bare_word(word) for _, word in words)


def _names(words: Sequence[tuple[int, str]], first: int = 0) -> list[tuple[int, int]]:
    """(first, last) word indices of each run of at least two words from ``first`` on that ends in a group word."""
    ends = [last for last in range(1, len(words)) if bare_word(words[last][1]) in GROUP_NAME_HEADS]
    return [(i, last) for last in ends for i in range(first, last)]


def group_name_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the group names in ``text`` (module docstring): capitalised runs ending in a group word."""
    titles, offset = [], 0
    for line in text.split("\n"):
        if is_title_case(line):
            titles.append((offset, offset + len(line)))
        offset += len(line) + 1
    runs = [_words(match) for match in _RUN.finditer(text)]
    written = {  # names as the body writes them mid-sentence
        _key(words[i : last + 1])
        for words in runs
        if not any(a <= words[0][0] < b for a, b in titles)
        for i, last in _names(words, 1 if _sentence_start(text, words[0][0]) else 0)
    }
    spans = []
    for words in runs:
        ended: set[int] = set()
        for i, last in _names(words):  # the longest name the body writes, for each group word that ends one
            if last not in ended and _key(words[i : last + 1]) in written:
                ended.add(last)
                spans.append((words[i][0], words[last][0] + len(words[last][1])))
    return spans


def inside_group_name(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of the group-name ``spans``."""
    return any(a <= start and end <= b for a, b in spans)
