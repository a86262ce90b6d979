"""The war and state-media vocabulary lexicon (``resources/lexicon/war_terms.v1.tsv``).

A lexicon lists words and phrases that are often loaded in conflict reporting ("terrorists" for armed
opponents, "Takfiri", "foreign-backed", "liberate" for capture, "martyrs"), each with a category from
annotation guidelines section 3, a default polarity and notes on when it is and is not loaded. The
lexicon only *finds* candidates: whether an occurrence is loaded in its context ("designated a
terrorist organization" is not) is for the tagger or an annotator to decide.

Matching is case-insensitive on word boundaries, with simple inflections of the last word (plural
``-s``/``-es``/``-ies``, ``-ed``, ``-ing``, ``-ion`` for ``-ate`` verbs) and hyphen/space variants
("foreign-backed" = "foreign backed"). Overlapping matches keep the leftmost, then the longest.

Example:
    >>> lexicon = load_lexicon()
    >>> lexicon.version
    'v1'
    >>> text = "Troops liberated Kessa from Takfiri terrorists backed by foreign-backed gangs."
    >>> [(m.text, m.entry.category, m.entry.polarity) for m in lexicon.find(text)]  # doctest: +NORMALIZE_WHITESPACE
    [('liberated', 'loaded_language', 'positive'), ('Takfiri', 'name_calling', 'negative'),
     ('terrorists', 'name_calling', 'negative'), ('foreign-backed', 'delegitimizing', 'negative')]
    >>> [m.text for m in lexicon.find("The liberal party condemned the regime's liberation of the town.")]
    ['regime', 'liberation']

"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from attribution.annotations import LOADED_TERM_CATEGORIES, POLARITIES

#: The packaged lexicon file (inside ``attribution/resources``).
DEFAULT_LEXICON = "lexicon/war_terms.v1.tsv"
#: The header row every lexicon file starts with.
COLUMNS = ("term", "category", "polarity", "notes")
_VERSION = re.compile(r"\.(v\d+)\.tsv$")
_JOINER = r"(?:\s+|\s*[-\u2010\u2011]\s*)"  # between words: spaces or a hyphen (also "foreign - backed")
_VOWELS = set("aeiou")


class LexiconError(ValueError):
    """A malformed lexicon file; the message names ``path:line`` and the problem."""


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One lexicon row.

    Attributes:
        term: The base form as written in the file ("terrorist", "foreign-backed", "liberate").
        category: One of ``LOADED_TERM_CATEGORIES``.
        polarity: ``negative`` or ``positive``: the usual polarity toward the term's target.
        notes: When the term is and is not loaded.

    """

    term: str
    category: str
    polarity: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LexiconMatch:
    """One occurrence of a lexicon entry in a text; ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    entry: LexiconEntry


def word_forms(word: str) -> tuple[str, ...]:
    """The inflected forms of one (lower-cased) word that the lexicon matches.

    Example:
        >>> word_forms("liberate")
        ('liberate', 'liberated', 'liberates', 'liberating', 'liberation', 'liberations')
        >>> word_forms("mercenary")
        ('mercenaries', 'mercenary')
        >>> word_forms("hero")
        ('hero', 'heroed', 'heroes', 'heroing', 'heros')

    """
    forms = {word}
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies"}
        return tuple(sorted(forms))
    if word.endswith("e"):
        forms |= {word + "s", word + "d", word[:-1] + "ing"}
        if word.endswith("ate"):
            forms |= {word[:-1] + "ion", word[:-1] + "ions"}
    else:
        forms |= {word + "s", word + "ed", word + "ing"}
        if word.endswith(("s", "x", "z", "ch", "sh", "o")):
            forms.add(word + "es")
    return tuple(sorted(forms))


def _pattern(term: str) -> re.Pattern[str]:
    words = [w for w in re.split(r"[\s\-\u2010\u2011]+", term.strip().lower()) if w]
    *head, last = words
    last_forms = "|".join(re.escape(f) for f in sorted(word_forms(last), key=len, reverse=True))
    body = "".join(re.escape(w) + _JOINER for w in head) + f"(?:{last_forms})"
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


class Lexicon:
    """A versioned list of :class:`LexiconEntry` with a matcher.

    Args:
        entries: The rows; terms must be unique (case-insensitive).
        version: The version label (``v1`` for ``war_terms.v1.tsv``).

    """

    def __init__(self, entries: Iterable[LexiconEntry], version: str) -> None:
        self.entries: tuple[LexiconEntry, ...] = tuple(entries)
        self.version = version
        self._patterns = [(_pattern(e.term), e) for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Lexicon(version={self.version!r}, entries={len(self.entries)})"

    def find(self, text: str) -> list[LexiconMatch]:
        """Every non-overlapping occurrence of an entry in ``text``, in text order.

        Where matches overlap, the one that starts first wins, then the longer one ("crushing
        defeat" over "crush").

        Example:
            >>> [m.text for m in load_lexicon().find("It was designated a terrorist organization in 2014.")]
            ['terrorist']

        """
        found = [
            LexiconMatch(m.start(), m.end(), m.group(0), entry)
            for pattern, entry in self._patterns
            for m in pattern.finditer(text)
        ]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[LexiconMatch] = []
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read a lexicon TSV (default: the packaged ``war_terms.v1.tsv``).

    The file has the header row ``term<TAB>category<TAB>polarity<TAB>notes``; blank lines are
    skipped. The version is read from the file name (``name.v1.tsv`` -> ``v1``; ``unversioned``
    when the name carries none).

    Raises:
        LexiconError: naming ``path:line`` for a wrong header, a missing column, an unknown
            category or polarity, an empty or duplicate term.

    Example:
        >>> lexicon = load_lexicon()
        >>> len(lexicon) >= 120, lexicon.entries[0].term
        (True, 'terrorist')

    """
    if path is None:
        resource = resources.files("attribution").joinpath("resources", *DEFAULT_LEXICON.split("/"))
        text, name = resource.read_text(encoding="utf-8"), str(resource)
    else:
        try:
            text, name = Path(path).read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise LexiconError(f"{path}: cannot read lexicon ({exc.strerror})") from None
    version_match = _VERSION.search(Path(name).name)
    return Lexicon(_parse(text, name), version_match.group(1) if version_match else "unversioned")


@functools.lru_cache(maxsize=1)
def packaged_lexicon() -> Lexicon:
    """The packaged lexicon, read once per process and shared (the analyzer and the term tagger's prior).

    Example:
        >>> packaged_lexicon() is packaged_lexicon()
        True

    """
    return load_lexicon()


def _parse(text: str, name: str) -> list[LexiconEntry]:
    lines = text.splitlines()
    if not lines or tuple(c.strip() for c in lines[0].split("\t")) != COLUMNS:
        got = lines[0] if lines else "an empty file"
        raise LexiconError(f"{name}:1: expected the header {'<TAB>'.join(COLUMNS)!r}, got {got!r}")
    entries: list[LexiconEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(COLUMNS):
            missing = f"missing column '{COLUMNS[len(cells)]}'" if len(cells) < len(COLUMNS) else "extra columns"
            raise LexiconError(f"{where}: {missing}; expected {len(COLUMNS)} tab-separated columns, got {len(cells)}")
        term, category, polarity, notes = cells
        if not term:
            raise LexiconError(f"{where}: empty term")
        if category not in LOADED_TERM_CATEGORIES:
            raise LexiconError(
                f"{where}: unknown category {category!r}; expected one of {list(LOADED_TERM_CATEGORIES)}"
            )
        if polarity not in POLARITIES:
            raise LexiconError(f"{where}: unknown polarity {polarity!r}; expected one of {list(POLARITIES)}")
        key = term.lower()
        if key in seen:
            raise LexiconError(f"{where}: duplicate term {term!r} (first on line {seen[key]})")
        seen[key] = number
        entries.append(LexiconEntry(term, category, polarity, notes))
    return entries


#: Neutral newsroom words for armed actors (annotation guidelines section 3): never a loaded term on their own.
NEUTRAL_TERMS = frozenset(
    {
        "militant",
        "rebel",
        "fighter",
        "force",
        "troop",
        "insurgent",
        "gunman",
        "gunmen",
        "soldier",
        "separatist",
        "militia",
        "armed group",
        "army",
    }
)


#: Words that leave a neutral armed-actor noun neutral when they stand before it: "government forces",
#: "the security forces", "armed opposition fighters". A word outside this set ("Zionist forces",
#: "rebel thugs") leaves the phrase to the tagger.
NEUTRAL_MODIFIERS = frozenset(
    {
        "the",
        "a",
        "an",
        "government",
        "pro-government",
        "security",
        "opposition",
        "armed",
        "rebel",
        "army",
        "military",
        "coalition",
        "allied",
        "state",
        "police",
        "local",
        "foreign",
    }
)


def is_neutral_term(text: str) -> bool:
    """Whether ``text`` is only a neutral newsroom phrase for armed actors, which is never loaded.

    That is a neutral noun (any case, singular or plural) with, at most, words of
    :data:`NEUTRAL_MODIFIERS` before it.

    Example:
        >>> [is_neutral_term(t) for t in ("Rebels", "militants", "armed groups", "terrorists", "rebel thugs")]
        [True, True, True, False, False]
        >>> [is_neutral_term(t) for t in ("Government forces", "the security forces", "Zionist forces")]
        [True, True, False]

    """
    words = text.lower().split()
    for start in range(len(words)):  # words[:start] are modifiers, the rest the noun
        noun = " ".join(words[start:])
        if noun in NEUTRAL_TERMS or noun.removesuffix("s") in NEUTRAL_TERMS:
            return all(word in NEUTRAL_MODIFIERS for word in words[:start])
    return False
