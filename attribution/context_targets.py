"""Targets of bare labels from the rest of the article: "the terrorists" -> the armed group named before.

A name-calling or delegitimizing term such as "the terrorists" or "the regime" often stands alone in its
sentence, so the sentence rules of :func:`attribution.voice.find_target` give it no target, while the article
makes clear whom it means: the group or government named a sentence or two before. :func:`targets_from_context`
gives such a label, when its words name a kind of actor, an actor mention of the article
(:func:`attribution.voice.actor_phrases`) of a kind the label can be said of:

- a name first: the nearest named actor before the label, else the first one after it (a headline's label,
  named in the body); but an earlier use of the same label given a name, when nearer, gives that name ("the
  criminal regime" after "the Assad regime" -> Assad), and with no name before, a later use does (a headline's
  "Regime", the body's "Assad regime");
- only when no name fits, a kind of actor the same way ("armed groups", "the militants");
- never another label ("the terrorists", "terrorist groups");
- never for a regime its own sentence places ("the neo-Nazi regime in Kyiv": not the Kremlin named before).

A term whose sentence target is such a label then takes the label's actor too ("the terrorist militia had committed
a horrific massacre": the massacre is the named group's).

A term whose sentence target is only its own head noun ("terrorist gangs" -> "gangs", "criminal regime" ->
"regime") or the kind of actor right after it ("terrorist" in "the terrorist militia" -> "militia") takes a fitting
name the same way, but not a kind.

Kinds: a label for armed opponents ("terrorists", "mercenaries", "Takfiri groups") is said of militants,
rebels, fighters, militias and named armed groups (a name ending in "Front", "Brigade", "Legion", "Movement",
"Emirate", ..., starting with "Jabhat", "Jaish", "Jund", "Lashkar", "Wilayat", ... (not a place: "Imarat Street"),
or an army named "Liberation", "Revolutionary", "Red", ...);
"the regime" of a government; "occupation forces" of an army.

The label keeps its own offsets as ``target_span`` (it is itself the mention of its target), so the actor table
counts it under that actor.

Example:
    >>> from attribution.records import LoadedTerm, Sentence
    >>> text = "Fighters of the Harran Front shelled Kessa. Residents said the terrorists fled at dawn."
    >>> sentences = [Sentence(0, 0, 43, text[:43]), Sentence(1, 44, 87, text[44:])]
    >>> start = text.index("terrorists")
    >>> label = LoadedTerm("name_calling", start, start + 10, "terrorists", 1, 0.9)
    >>> [(t.target, t.target_span) for t in targets_from_context(text, sentences, [label])]
    [('Harran Front', (63, 73))]

"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from attribution.actors import ACTOR_LABELS, parse_mention, singular_noun
from attribution.records import LoadedTerm, Sentence
from attribution.voice import ACTOR_NOUNS, LABEL_ADJECTIVES, LABEL_NOUNS, actor_phrases

#: The longest term read as a bare label ("the foreign-backed terrorist gangs").
MAX_LABEL_WORDS = 4
#: The kind a named armed group of no known role gets (by its name's head or first word).
GROUP = "group"
#: Kinds of actor a label of each kind can be said of.
SAID_OF: dict[str, frozenset[str]] = {
    "militant": frozenset({"militant", "rebel", "fighter", "militia", GROUP}),
    "rebel": frozenset({"rebel", "militant", "fighter", "militia", GROUP}),
    "militia": frozenset({"militia", "militant", "fighter", GROUP}),
    "government": frozenset({"government"}),
    "force": frozenset({"force", "army"}),  # "occupation forces": an army
}
#: Last words of a name that make it an armed group: "the Harran Front", "the Sable Legion", "the 9th Brigade"
#: (a named brigade or battalion is a formation a label can be said of; "the army" is not).
_GROUP_HEADS = frozenset(
    "front legion movement movements group guard guards corps militia militias brigade brigades battalion battalions "
    "emirate".split()
)
#: A regime placed by its own sentence ("the neo-Nazi regime in Kyiv"): no name from elsewhere in the article.
_PLACED = re.compile(r"\s+in\s+[A-Z]")
#: Words that make a phrase a label, not an antecedent ("the terrorists", "terrorist groups").
_LABEL_WORDS = LABEL_NOUNS | LABEL_ADJECTIVES
#: Last words of a bare label: an actor noun or a label word ("the regime", "Takfiri groups", "Takfiris").
_LABEL_HEADS = ACTOR_NOUNS | _LABEL_WORDS
#: Last words of places, which a group's first word does not make a group: "Imarat Street", "Ansar Square".
_PLACE_HEADS = frozenset(
    "street road square district province city town village mosque hospital camp bridge market quarter".split()
)
#: Words that make a named army an insurgent one ("the Aravan Liberation Army", "the Red Dawn Army").
_INSURGENT_WORDS = frozenset(
    "liberation revolutionary deliverance resistance independence salvation freedom red".split()
)
#: First words of Arabic and Urdu group names: "Jabhat" (front), "Harakat" (movement), "Liwa" (brigade), "Jaish"
#: (army), "Jund" (soldiers), "Katiba" (battalion), "Saraya" (companies), "Jama'at" (group), "Wilayat" (province),
#: "Imarat" (emirate), "Tanzim" (organisation), "Lashkar" (army), "Tehreek" (movement).
_GROUP_FIRST_WORDS = frozenset(
    "jabhat harakat liwa jaish jaysh jund katiba kataib kata'ib saraya ansar hayat hay'at jama'at jama'atu jamaat "
    "wilayat imarat tanzim lashkar tehreek tehrik".split()
)


@dataclass(frozen=True, slots=True)
class ActorCandidate:
    """An actor mention a term may take as its target.

    Its offsets and text, its kind of actor (``None``: not known), whether it names one actor, its sentence, and
    whether it opens its sentence (starts within its first three words).
    """

    start: int
    end: int
    text: str
    kind: str | None
    named: bool
    sentence_index: int
    subject: bool


def _kind(text: str) -> tuple[str | None, bool] | None:
    """The kind of actor a mention names (``None``: not known) and whether it names one actor (not a kind).

    ``None`` when the words name no actor at all.

    >>> _kind("the Harran Front"), _kind("Jabhat al-Nasr"), _kind("the militants"), _kind("Idlib")
    (('group', True), ('group', True), ('militant', False), (None, True))
    """
    parsed = parse_mention(text)
    if parsed is None:
        return None
    if parsed.person_names:  # "Interior Minister Rachid Benmerah" is not "the regime"
        return None, True
    words = text.lower().split()
    first = words[0].split("-")[0] if words else ""  # "Lashkar-e-Sabr"; "Imarat Street" is a place
    by_first_word = first in _GROUP_FIRST_WORDS and words[-1] not in _PLACE_HEADS
    if parsed.named and words and (words[-1] in _GROUP_HEADS or by_first_word):
        return GROUP, True
    if parsed.named and words[-1] == "army" and _INSURGENT_WORDS.intersection(words[:-1]):
        return GROUP, True  # "the Aravan Liberation Army", "the Tolan Revolutionary Army": an insurgent army
    return parsed.role, parsed.named


def _words(text: str) -> list[str]:
    """Lower-case words without a possessive ending.

    >>> _words("the Regime’s thugs")
    ['the', 'regime', 'thugs']
    """
    return [w.removesuffix("'s") for w in text.lower().replace("’", "'").split()]


def actor_candidates(text: str, sentences: Sequence[Sentence]) -> list[ActorCandidate]:
    """The article's actor mentions (:func:`~attribution.voice.actor_phrases`) that name an actor, labels left out.

    A label ("the terrorists", "terrorist groups") is never an antecedent; a mention whose kind is not known
    ("Idlib", "the residents") is kept with kind ``None``.

    >>> from attribution.records import Sentence
    >>> text = "Fighters of the Harran Front shelled Kessa. The terrorists fled."
    >>> sentences = [Sentence(0, 0, 43, text[:43]), Sentence(1, 44, len(text), text[44:])]
    >>> [(c.text, c.kind, c.named, c.subject) for c in actor_candidates(text, sentences)]
    [('Fighters', 'fighter', False, True), ('Harran Front', 'group', True, False), ('Kessa', None, True, False)]
    """
    out = []
    for sentence in sentences:
        for start, end in actor_phrases(text, sentence):
            labelled = any(w in _LABEL_WORDS for w in _words(text[start:end]))
            read = _kind(text[start:end])
            if read is None or (labelled and not read[1]):  # "the terrorists", "terrorist groups": labels
                continue
            subject = len(text[sentence.start : start].split()) <= 2
            out.append(ActorCandidate(start, end, text[start:end], read[0], read[1], sentence.index, subject))
    return out


def _open_target(term: LoadedTerm) -> bool:
    """No target, or only a kind of actor the label is put on: a name may replace it.

    The kind is the term's own head noun ("terrorist gangs" -> "gangs") or the noun right after it ("terrorist" in
    "terrorist militia" -> "militia"). A label given an actor named elsewhere ("the terrorists" -> Harran Front,
    its ``target_span`` the label's own offsets) is not open, nor is a name right after it ("Takfiri" in "Takfiri
    Harran Front").

    >>> from attribution.records import LoadedTerm
    >>> gangs = LoadedTerm("name_calling", 0, 15, "terrorist gangs", 0, 0.9, target="gangs", target_span=(10, 15))
    >>> named = LoadedTerm("name_calling", 0, 10, "terrorists", 0, 0.9, target="Harran Front", target_span=(0, 10))
    >>> _open_target(gangs), _open_target(named), _open_target(LoadedTerm("name_calling", 0, 6, "thugs", 0, 0.9))
    (True, False, True)
    >>> militia = LoadedTerm("name_calling", 0, 9, "terrorist", 0, 0.9, target="militia", target_span=(10, 17))
    >>> front = LoadedTerm("name_calling", 0, 7, "Takfiri", 0, 0.9, target="Harran Front", target_span=(8, 20))
    >>> _open_target(militia), _open_target(front)
    (True, False)
    """
    span = term.target_span
    if term.target is None:
        return True
    if span is None:
        return False
    own_words = term.target.lower() in term.text.lower()
    if own_words and term.start <= span[0] and span[1] <= term.end:
        return True
    if 0 <= span[0] - term.end <= 2:  # the kind right after the label: "terrorist militia", "Takfiri militants"
        read = _kind(term.target)
        return read is not None and read[0] is not None and not read[1]
    return False


def label_kind(term: LoadedTerm) -> str | None:
    """The kind of actor a bare label names ("the terrorists" -> militant); ``None`` for other terms.

    A bare label is a short phrase (at most :data:`MAX_LABEL_WORDS` words) ending in an actor noun or a label word
    ("the regime", "Takfiri groups", "Takfiris"), so a longer name-calling phrase is not read as one: "a President
    who cares about nothing", "vassal state of the largest state sponsor".

    >>> from attribution.records import LoadedTerm
    >>> [label_kind(LoadedTerm(c, 0, len(w), w, 0, 0.9)) for c, w in [("name_calling", "the regime"),
    ...     ("name_calling", "ISIL terrorists"), ("name_calling", "thugs"), ("loaded_language", "terrorists"),
    ...     ("name_calling", "a President who cares about nothing")]]
    ['government', None, None, None, None]
    """
    words = _words(term.text)
    if term.category not in ACTOR_LABELS or not 0 < len(words) <= MAX_LABEL_WORDS or words[-1] not in _LABEL_HEADS:
        return None
    parsed = parse_mention(term.text)
    return parsed.role if parsed is not None and not parsed.strong else None


def _last_same_label(terms: Sequence[LoadedTerm], term: LoadedTerm) -> LoadedTerm | None:
    """The last of ``terms`` that ends in the same label word as ``term`` and has a name as target.

    >>> from attribution.records import LoadedTerm
    >>> assad = LoadedTerm("name_calling", 0, 6, "regime", 0, 0.9, target="Assad", target_span=(0, 5))
    >>> kind = LoadedTerm("name_calling", 7, 17, "terrorists", 0, 0.9, target="militants", target_span=(0, 9))
    >>> later = LoadedTerm("name_calling", 40, 55, "criminal regime", 2, 0.9)
    >>> _last_same_label([assad, kind], later).target, _last_same_label([kind], later)
    ('Assad', None)
    """
    head = singular_noun(_words(term.text)[-1])
    for other in reversed(terms):
        words = _words(other.text)
        if other.target is None or not words or singular_noun(words[-1]) != head:
            continue
        read = _kind(other.target)
        if read is not None and read[1]:
            return other
    return None


def targets_from_context(
    text: str, sentences: Sequence[Sentence], loaded_terms: Sequence[LoadedTerm]
) -> tuple[LoadedTerm, ...]:
    """The terms, each bare label without a target given the actor the article names for it (module docstring)."""
    labels = {
        i: kind
        for i, t in enumerate(loaded_terms)
        if _open_target(t) and (kind := label_kind(t)) and not (kind == "government" and _PLACED.match(text, t.end))
    }
    if not labels:
        return tuple(loaded_terms)
    candidates = actor_candidates(text, sentences)
    out = list(loaded_terms)
    for i, kind in labels.items():
        term = loaded_terms[i]
        fitting = [
            c
            for c in candidates
            if c.kind in SAID_OF.get(kind, {kind}) and (c.end <= term.start or c.start >= term.end)
        ]
        pool = [c for c in fitting if c.named]
        if term.target is None:
            pool = pool or fitting  # a name before a kind of actor ("the militants"); a kind when no name
        before = [c for c in pool if c.end <= term.start]
        chosen = before[-1] if before else (pool[0] if pool else None)
        same = _last_same_label(out[:i], term)  # "the criminal regime" after "the Assad regime" -> Assad
        if same is None and chosen is None:  # a headline's "Regime", named with the label in the body: the first after
            same = _last_same_label(out[:i:-1], term)
        if same is not None and (not before or same.start > before[-1].end):
            out[i] = dataclasses.replace(term, target=same.target, target_span=(term.start, term.end))
            continue
        if chosen is not None:
            out[i] = dataclasses.replace(term, target=chosen.text, target_span=(term.start, term.end))
    return tuple(_through_labels(out))


def _through_labels(terms: list[LoadedTerm]) -> list[LoadedTerm]:
    """Each term whose target is a label the article names for an actor gets that actor.

    "The terrorist militia had committed a horrific massacre": "horrific massacre" has the target "terrorist militia"
    in its sentence, and "terrorist" was given the Rapid Guard named earlier, so the massacre is the Rapid Guard's.
    The label's own offsets stay the target span (the label is the mention of its actor).

    >>> from attribution.records import LoadedTerm
    >>> label = LoadedTerm("name_calling", 4, 13, "terrorist", 1, 0.9, target="Rapid Guard", target_span=(4, 13))
    >>> act = LoadedTerm("loaded_language", 36, 53, "horrific massacre", 1, 0.9, target="terrorist militia",
    ...                  target_span=(4, 21))
    >>> [(t.target, t.target_span) for t in _through_labels([label, act])]
    [('Rapid Guard', (4, 13)), ('Rapid Guard', (4, 13))]
    """
    named = [
        t for t in terms if t.category in ACTOR_LABELS and t.target is not None and t.target_span == (t.start, t.end)
    ]
    out = list(terms)
    for i, term in enumerate(terms):
        span = term.target_span
        if span is None or span == (term.start, term.end):
            continue
        label = next((t for t in named if t is not term and t.start < span[1] and span[0] < t.end), None)
        if label is not None:
            out[i] = dataclasses.replace(term, target=label.target, target_span=label.target_span)
    return out
