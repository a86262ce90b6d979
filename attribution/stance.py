"""Reporting-verb stance (annotation guidelines section 1.3) from a lexicon plus context.

The lexicon ``resources/lexicon/reporting_verbs.v1.tsv`` lists verbs and phrases with one of the five
stances (``neutral``, ``endorsing``, ``distancing``, ``conceding``, ``charged``). :func:`cue_stance`
finds the first lexicon phrase in an attribution's cue (inflected forms included: "said", "slammed",
"lashed out at"), lets a phrase run on past the cue into the sentence ("pointed" + "out") and turns a
negated cue ("did not confirm", "declined to confirm", "never admitted") into ``neutral``: the writer
reports that something was *not* confirmed, which signals nothing about the content. A cue the
lexicon does not know (":", "in", "sees") is ``neutral``.

Example:
    >>> cue_stance("told", "A military source told FNA that clashes are underway.")
    'neutral'
    >>> cue_stance("claimed", "The Interior Ministry claimed in a statement that the cell was dismantled.")
    'distancing'
    >>> cue_stance("did not confirm", "The army did not confirm the report.")
    'neutral'
    >>> cue_stance("pointed", "She pointed out that turnout fell.")
    'endorsing'
    >>> cue_stance("lashed out at", "He lashed out at the press.")
    'charged'

"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from attribution.annotations import STANCES

#: The packaged lexicon file (inside ``attribution/resources``).
DEFAULT_REPORTING_VERBS = "lexicon/reporting_verbs.v1.tsv"
#: The header row every reporting-verb file starts with.
COLUMNS = ("verb", "stance", "notes")
_VERSION = re.compile(r"\.(v\d+)\.tsv$")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_VOWELS = set("aeiou")
#: Irregular forms of verbs that occur as reporting verbs (base -> other forms).
IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "written", "writes", "writing"),
    "show": ("shown", "showed", "shows", "showing"),
    "find": ("found", "finds", "finding"),
    "speak": ("spoke", "spoken", "speaks", "speaking"),
    "think": ("thought", "thinks", "thinking"),
    "know": ("knew", "known", "knows", "knowing"),
    "swear": ("swore", "sworn", "swears", "swearing"),
    "feel": ("felt", "feels", "feeling"),
    "mean": ("meant", "means", "meaning"),
    "forecast": ("forecasts", "forecasting", "forecasted"),
    "hit": ("hits", "hitting"),
    "take": ("took", "taken", "takes", "taking"),
    "go": ("went", "gone", "goes", "going"),
    "come": ("came", "comes", "coming"),
    "make": ("made", "makes", "making"),
    "tear": ("tore", "torn", "tears", "tearing"),
    "learn": ("learnt", "learned", "learns", "learning"),
    "fight": ("fought", "fights", "fighting"),
    "hold": ("held", "holds", "holding"),
    "grant": ("granted", "grants", "granting"),
    "read": ("reads", "reading"),
    "rebut": ("rebutted", "rebuts", "rebutting"),
    "admit": ("admitted", "admits", "admitting"),
    "quip": ("quipped", "quips", "quipping"),
    "rip": ("ripped", "rips", "ripping"),
    "slam": ("slammed", "slams", "slamming"),
    "snap": ("snapped", "snaps", "snapping"),
    "scoff": ("scoffed", "scoffs", "scoffing"),
    "rebuke": ("rebuked", "rebukes", "rebuking"),
}
#: Words that negate a cue when they come just before its verb (within three words).
_NEGATORS = frozenset({"not", "never", "no", "neither", "nor", "cannot", "without"})
#: Verbs that negate the verb after them ("declined to confirm", "refused to acknowledge").
_NEGATING_VERBS = frozenset(
    {"decline", "declined", "declines", "declining", "refuse", "refused", "refuses", "refusing", "fail", "failed"}
    | {"fails", "failing", "stopped", "stop"}
)


class ReportingVerbError(ValueError):
    """A malformed reporting-verb file; the message names ``path:line`` and the problem."""


@dataclass(frozen=True, slots=True)
class ReportingVerb:
    """One lexicon row: a verb or phrase in its base form, its stance and notes."""

    verb: str
    stance: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class StanceMatch:
    """One lexicon phrase found in a text; ``start``/``end`` index that text."""

    start: int
    end: int
    text: str
    entry: ReportingVerb
    negated: bool = False

    @property
    def stance(self) -> str:
        """The entry's stance, or ``neutral`` when the phrase is negated."""
        return "neutral" if self.negated else self.entry.stance


def verb_forms(word: str) -> tuple[str, ...]:
    """The inflected forms of one lower-cased word that the lexicon matches.

    Regular ``-s``/``-es``, ``-ed``/``-d``, ``-ing``, ``-ies``/``-ied`` for consonant + y, a doubled
    final consonant ("admitted") and the irregular forms in :data:`IRREGULAR`.

    Example:
        >>> verb_forms("say")
        ('said', 'say', 'sayed', 'saying', 'says')
        >>> verb_forms("note")
        ('note', 'noted', 'notes', 'noting')
        >>> verb_forms("decry")
        ('decried', 'decries', 'decry', 'decrying')

    """
    forms = {word, *IRREGULAR.get(word, ())}
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    elif word.endswith("ee"):
        forms |= {word + "s", word + "d", word + "ing"}
    elif word.endswith("e"):
        forms |= {word + "s", word + "d", word[:-1] + "ing"}
    else:
        forms |= {word + "ed", word + "ing"}
        forms.add(word + "es" if word.endswith(("s", "x", "z", "ch", "sh")) else word + "s")
        if len(word) >= 3 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS:
            if word[-3] not in _VOWELS:
                forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return tuple(sorted(forms))


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Lower-cased word tokens with offsets; "didn't" -> "didn" + "not"."""
    out = []
    for m in _WORD.finditer(text.lower()):
        word = m.group(0).replace("’", "'")
        if word.endswith("n't"):
            out.append((m.start(), m.end() - 3, word[:-3]))
            out.append((m.end() - 3, m.end(), "not"))
        else:
            out.append((m.start(), m.end(), word))
    return out


class ReportingVerbLexicon:
    """Reporting verbs and phrases with their stance, and a matcher.

    Args:
        entries: The rows; verbs must be unique (case-insensitive).
        version: The version label (``v1`` for ``reporting_verbs.v1.tsv``).

    """

    def __init__(self, entries: Iterable[ReportingVerb], version: str) -> None:
        self.entries: tuple[ReportingVerb, ...] = tuple(entries)
        self.version = version
        # first word form -> [(remaining words, entry)], longest phrases first
        self._index: dict[str, list[tuple[tuple[str, ...], ReportingVerb]]] = {}
        for entry in self.entries:
            first, *rest = entry.verb.lower().split()
            for form in verb_forms(first):
                self._index.setdefault(form, []).append((tuple(rest), entry))
        for candidates in self._index.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"ReportingVerbLexicon(version={self.version!r}, entries={len(self.entries)})"

    def find(self, text: str) -> list[StanceMatch]:
        """Every non-overlapping lexicon phrase in ``text``, in text order (longest at each position).

        Example:
            >>> [(m.text, m.stance) for m in load_reporting_verbs().find("He never admitted it, she said.")]
            [('admitted', 'neutral'), ('said', 'neutral')]

        """
        tokens = _tokens(text)
        found: list[StanceMatch] = []
        i = 0
        while i < len(tokens):
            match = self._match_at(tokens, i)
            if match is None:
                i += 1
                continue
            length, entry = match
            start, end = tokens[i][0], tokens[i + length - 1][1]
            found.append(StanceMatch(start, end, text[start:end], entry, _negated(tokens, i)))
            i += length
        return found

    def _match_at(self, tokens: list[tuple[int, int, str]], i: int) -> tuple[int, ReportingVerb] | None:
        for rest, entry in self._index.get(tokens[i][2], ()):
            following = tuple(t[2] for t in tokens[i + 1 : i + 1 + len(rest)])
            if following == rest:
                return 1 + len(rest), entry
        return None


def _negated(tokens: list[tuple[int, int, str]], i: int) -> bool:
    before = [t[2] for t in tokens[max(0, i - 3) : i]]
    return any(w in _NEGATORS for w in before) or any(w in _NEGATING_VERBS for w in before[-2:])


@lru_cache(maxsize=8)
def _cached(path: str | None) -> ReportingVerbLexicon:
    return load_reporting_verbs(path)


def load_reporting_verbs(path: str | Path | None = None) -> ReportingVerbLexicon:
    """Read a reporting-verb TSV (default: the packaged ``reporting_verbs.v1.tsv``).

    The file has the header row ``verb<TAB>stance<TAB>notes``; blank lines are skipped.

    Raises:
        ReportingVerbError: naming ``path:line`` for a wrong header, a missing column, an unknown
            stance, an empty or duplicate verb.

    Example:
        >>> lexicon = load_reporting_verbs()
        >>> len(lexicon) >= 150, lexicon.version, lexicon.entries[0]
        (True, 'v1', ReportingVerb(verb='say', stance='neutral', notes='the default reporting verb'))

    """
    if path is None:
        resource = resources.files("attribution").joinpath("resources", *DEFAULT_REPORTING_VERBS.split("/"))
        text, name = resource.read_text(encoding="utf-8"), str(resource)
    else:
        try:
            text, name = Path(path).read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise ReportingVerbError(f"{path}: cannot read the reporting-verb lexicon ({exc.strerror})") from None
    version = _VERSION.search(Path(name).name)
    return ReportingVerbLexicon(_parse(text, name), version.group(1) if version else "unversioned")


def _parse(text: str, name: str) -> list[ReportingVerb]:
    lines = text.splitlines()
    if not lines or tuple(c.strip() for c in lines[0].split("\t")) != COLUMNS:
        got = lines[0] if lines else "an empty file"
        raise ReportingVerbError(f"{name}:1: expected the header {'<TAB>'.join(COLUMNS)!r}, got {got!r}")
    entries: list[ReportingVerb] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(COLUMNS):
            raise ReportingVerbError(f"{where}: expected {len(COLUMNS)} tab-separated columns, got {len(cells)}")
        verb, stance, notes = cells
        if not verb or not _WORD.search(verb.lower()):
            raise ReportingVerbError(f"{where}: empty verb")
        if stance not in STANCES:
            raise ReportingVerbError(f"{where}: unknown stance {stance!r}; expected one of {list(STANCES)}")
        key = " ".join(verb.lower().split())
        if key in seen:
            raise ReportingVerbError(f"{where}: duplicate verb {verb!r} (first on line {seen[key]})")
        seen[key] = number
        entries.append(ReportingVerb(key, stance, notes))
    return entries


def cue_stance(
    cue_text: str,
    sentence_text: str = "",
    *,
    cue_offset: int | None = None,
    lexicon: ReportingVerbLexicon | None = None,
) -> str:
    """The stance of an attribution cue in its sentence (one of ``STANCES``).

    Args:
        cue_text: The cue as written ("told", "did not confirm", "according to"); a discontinuous
            cue joined with spaces.
        sentence_text: The sentence holding the cue (for phrases that run on past the cue and for
            negation just before it); may be empty.
        cue_offset: Where the cue starts in ``sentence_text``; default: its first occurrence.
        lexicon: Default: the packaged ``reporting_verbs.v1.tsv``.

    The first lexicon phrase that starts inside the cue decides (the longest one at that position,
    so "pointed out" beats "point to" and "lashed out at" beats "lash"); a phrase negated by
    "not", "never", "declined to", ... within three words before it gives ``neutral``. "said
    falsely" / "claimed without evidence" take the distancing phrase that follows the verb.

    Raises:
        TypeError: if ``cue_text`` is not a string.

    Example:
        >>> cue_stance("admitted", "The minister admitted that mistakes were made.")
        'conceding'
        >>> cue_stance("declined to confirm", "")
        'neutral'
        >>> cue_stance(":", "The statement read: ...")
        'neutral'

    """
    if not isinstance(cue_text, str):
        raise TypeError(f"cue_text must be a string, got {type(cue_text).__name__}")
    lexicon = lexicon or _cached(None)
    cue = " ".join(cue_text.split())
    if not cue:
        return "neutral"
    if cue_offset is None and sentence_text:
        found = sentence_text.find(cue_text)
        cue_offset = found if found >= 0 else None
    if cue_offset is not None and sentence_text:
        # the cue in its sentence: phrases may run on past the cue, negators sit before it
        window_start = max(0, cue_offset - 40)
        window = sentence_text[window_start : cue_offset + len(cue_text) + 40]
        cue_start, cue_end = cue_offset - window_start, cue_offset - window_start + len(cue_text)
        matches = lexicon.find(window)
        inside = [m for m in matches if cue_start <= m.start < cue_end]
        after = [m for m in matches if cue_end <= m.start and m.entry.stance == "distancing"]
        if inside and after and inside[0].stance == "neutral" and _right_after(window, cue_end, after[0].start):
            return after[0].stance  # "said without evidence", "said falsely"
        if inside:
            return inside[0].stance
        return "neutral"
    matches = lexicon.find(cue)
    return matches[0].stance if matches else "neutral"


#: Words that open a noun phrase: after one of them the phrase is the verb's object, not its manner.
_DETERMINERS = frozenset("the a an these those this that such its their his her our any all".split())


def _right_after(text: str, end: int, start: int) -> bool:
    """Whether at most one word, not a determiner, separates ``end`` from ``start``.

    "said, without evidence," and "said again falsely" read the phrase as the manner of saying; "said the
    allegations were baseless" does not: "allegations" is what the source spoke about.

    >>> text = "said the allegations were baseless"
    >>> _right_after(text, 4, text.index("allegations")), _right_after("said, falsely", 4, 6)
    (False, True)
    """
    between = _WORD.findall(text[end:start].lower())
    return len(between) <= 1 and not _DETERMINERS.intersection(between)
