"""Title-case headlines and datelines: which of their capitalised words are names.

A headline written in title case ("Army Liberates Kessa As Harran Front Terrorists Flee") capitalises every word but
the small ones, so its capitals say nothing about names, and rules that read a capitalised run as a name would find
"Army Liberates Kessa". :func:`headline_words` gives the offsets of the words such rules should read as lower case:
those the rest of the article never writes capitalised after a sentence's first word. "Kessa" and "Harran Front",
written so in the body, stay names; so do acronyms ("ISIL"). :func:`dateline_words` gives the place words of a
dateline ("SANAA (Saba) -"), which are no names either.

Example:
    >>> head = "Army Liberates Kessa As Harran Front Terrorists Flee"
    >>> text = head + chr(10) + chr(10) + "The army entered Kessa after the Harran Front fled."
    >>> sorted(text[i:].split()[0] for i in headline_words(text))
    ['Army', 'As', 'Flee', 'Liberates', 'Terrorists']
    >>> sorted(text[i:].split()[0] for i in headline_words(text, keep=frozenset({"army"})))
    ['As', 'Flee', 'Liberates', 'Terrorists']

"""

from __future__ import annotations

import re

#: Short words a title-case headline may leave in lower case ("Army Retakes Town in the North").
SMALL_WORDS = frozenset("a an the and or but of in on at to for by with from as vs via per".split())
#: Fewest capitalised words (of three letters or more, small words aside) that make a line title case.
MIN_TITLE_WORDS = 4

_WORD = re.compile(r"[\w][\w'’.-]*")
_CACHE: dict[int, tuple[str, tuple[tuple[int, str], ...]]] = {}


def bare_word(word: str) -> str:
    """A word without a full stop or possessive ending, in lower case: "Front's" -> "front", "Corp." -> "corp".

    >>> bare_word("Front’s"), bare_word("Corp.")
    ('front', 'corp')
    """
    return word.rstrip(".").replace("’", "'").removesuffix("'s").lower()


def is_title_case(line: str) -> bool:
    """Whether a line is written in title case: at least four longer words, all capitalised, no full stop inside.

    >>> is_title_case("Army Liberates Kessa As Harran Front Terrorists Flee"), is_title_case("Army retakes Kessa")
    (True, False)
    >>> is_title_case("The Army Said. Then It Left Kessa Again"), is_title_case("UN Envoy Meets 300 Displaced Families")
    (False, True)
    """
    words = [w for w in _WORD.findall(line) if len(w) >= 3 and w.lower() not in SMALL_WORDS]
    capitalised = all(w[:1].isupper() or w[:1].isdigit() for w in words)
    return len(words) >= MIN_TITLE_WORDS and capitalised and ". " not in line.strip()


def _unconfirmed(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, bare word) of each capitalised title-case word that no other line writes capitalised mid-sentence."""
    cached = _CACHE.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    headlines: list[list[tuple[int, str]]] = []
    confirmed: set[str] = set()
    offset = 0
    for line in text.split("\n"):
        words = [(m.start() + offset, m.group(0)) for m in _WORD.finditer(line)]
        if is_title_case(line):
            headlines.append(words)
        else:
            for position, (start, word) in enumerate(words):
                before = text[offset:start].rstrip()
                sentence_start = position == 0 or before.endswith((".", "!", "?", ":", '"', "“"))
                if word[:1].isupper() and not sentence_start:
                    confirmed.add(bare_word(word))
        offset += len(line) + 1
    found = tuple(
        (start, bare_word(word))
        for words in headlines
        for start, word in words
        if word[:1].isupper() and bare_word(word) not in confirmed and not (word.isupper() and len(word) >= 2)
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(text)] = (text, found)
    return found


#: A dateline: capitalised place words opening a line, then a comma, an agency in brackets or a dash.
_DATELINE = re.compile(r"^([A-Z][A-Z'’.-]{2,}(?: [A-Z][A-Z'’.-]+)*)(?=,| \(| [-–—])", re.MULTILINE)


def dateline_words(text: str) -> frozenset[int]:
    """Start offsets of the words of each dateline: "SANAA (Saba) -", "DONETSK, March 3 (TASS) -" (places, no names).

    >>> text = chr(10).join(["SANAA (Saba) - Jets struck the capital.", "KYIV, Ukraine - Drones hit.", "UN said."])
    >>> sorted(text[i:].split()[0].rstrip(",") for i in dateline_words(text))
    ['KYIV', 'SANAA']
    """
    return frozenset(
        match.start(1) + word.start()
        for match in _DATELINE.finditer(text)
        for word in re.finditer(r"\S+", match.group(1))
    )


def headline_words(text: str, keep: frozenset[str] = frozenset()) -> frozenset[int]:
    """Start offsets of the capitalised words of ``text``'s title-case lines that are no names (module docstring).

    ``keep``: lower-case words left out all the same (the words of organisation names, "army", "ministry", which may
    start a name as at a sentence's start).
    """
    return frozenset(start for start, bare in _unconfirmed(text) if bare not in keep)
