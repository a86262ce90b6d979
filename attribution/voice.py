"""Voice, target and polarity of loaded terms (annotation guidelines section 3); pure Python, no model.

- **Voice** (:func:`assign_voice`): ``narrator`` outside every attribution's content, ``indirect``
  inside paraphrased content, ``quoted`` inside quotation marks (straight, curly, guillemets) within
  an attribution's content. Scare quotes in the writer's own narration stay ``narrator``.
- **Target** (:func:`find_target`): the actor a term names or describes, found by a few
  conservative rules on the words next to it; ``None`` when unclear.
- **Polarity** (:func:`lexicon_polarity`): the lexicon's default, used only where the tagger gave none.

:func:`resolve_terms` applies all three to the tagger's raw terms.

Example:
    >>> from attribution.lexicon import load_lexicon
    >>> from attribution.records import Attribution, LoadedTerm, Sentence, Span
    >>> text = 'The army said ISIL terrorists fled. "We liberated Kessa," a colonel said.'
    >>> sentences = [Sentence(0, 0, 35, text[:35]), Sentence(1, 36, 73, text[36:])]
    >>> said = Attribution(cue=(Span("CUE", 9, 13, "said", 0),), source=(Span("SOURCE", 0, 8, "The army", 0),),
    ...                    content=(Span("CONTENT", 14, 34, text[14:34], 0),), kind="indirect", sentence_index=0,
    ...                    score=1.0)
    >>> quote = Attribution(cue=(Span("CUE", 68, 72, "said", 1),), source=(Span("SOURCE", 58, 67, "a colonel", 1),),
    ...                     content=(Span("CONTENT", 36, 56, text[36:56], 1),), kind="direct", sentence_index=1,
    ...                     score=1.0)
    >>> raw = [LoadedTerm("name_calling", 19, 29, "terrorists", 0, 0.9),
    ...        LoadedTerm("loaded_language", 40, 49, "liberated", 1, 0.8)]
    >>> for t in resolve_terms(raw, text, sentences, [said, quote], load_lexicon()):
    ...     print(t.text, t.voice, t.attribution_index, t.target, t.polarity)
    terrorists indirect 0 ISIL negative
    liberated quoted 1 None positive

"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from attribution.headlines import headline_words
from attribution.lexicon import Lexicon
from attribution.records import Attribution, LoadedTerm, Sentence

_DOUBLE_OPEN = "“«„"
_DOUBLE_CLOSE = "”»"
_ANY_QUOTE = "\"“”«»„‘’'"

#: Nouns that name an actor (lower case). A target noun phrase must end in one of these or be a name.
ACTOR_NOUNS = frozenset(
    """army armies force forces troops soldier soldiers battlegroup battlegroups detachment detachments squadron
    squadrons division divisions regiment regiments militant militants rebel rebels fighter fighters insurgent
    insurgents militia militias militiaman militiamen gunman gunmen group groups government governments authorities
    coalition unit units battalion battalions brigade brigades faction factions movement movements organization
    organizations organisation organisations party parties police policemen officer officers men jihadist jihadists
    guerrilla guerrillas paramilitary paramilitaries separatist separatists military junta juntas regime regimes
    administration leadership navy marines commandos squad squads gang gangs cell cells elements state states
    terrorist terrorists mercenary mercenaries thug thugs occupier occupiers invader invaders henchmen puppet puppets
    proxy proxies criminal criminals crusader crusaders bandit bandits outlaw outlaws extremist extremists traitor
    traitors collaborator collaborators hero heroes martyr martyrs liberator liberators defender defenders lackey
    lackeys stooge stooges mujahideen aggressor aggressors invaders goons hirelings generals commanders enemy
    enemies people protesters""".split()
)
#: Actor nouns that are themselves labels: dropped from a target that also has a name ("Assad regime" -> "Assad").
LABEL_NOUNS = frozenset(
    """terrorist terrorists mercenary mercenaries thug thugs occupier occupiers invader invaders henchmen puppet
    puppets proxy proxies criminal criminals crusader crusaders bandit bandits outlaw outlaws extremist extremists
    traitor traitors collaborator collaborators hero heroes martyr martyrs liberator liberators defender defenders
    lackey lackeys stooge stooges regime regimes junta juntas gang gangs goons hirelings aggressor aggressors""".split()
)
#: Capitalised words that are labels, not names ("Takfiri militants" -> "militants").
LABEL_ADJECTIVES = frozenset(
    "takfiri takfiris zionist nazi nazis safavid nusayri rafidi rafida rafidis banderite banderites occupation".split()
)
#: Capitalised words that start sentences but are not names.
_NOT_NAMES = frozenset(
    """the a an this these those that their its his her our my your some all many several dozens hundreds thousands
    on in at after before during meanwhile yesterday today tonight tomorrow earlier later overnight but and or so yet
    when while as it they he she we i you there here according since despite though although if then also however
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december mr mrs ms near inside outside across following amid one two three four
    five six seven eight nine ten eleven twelve twenty dozen""".split()
)
_SPONSOR_SUFFIXES = ("-backed", "-sponsored", "-funded", "-led", "-aligned", "-installed", "-based")
_DETERMINERS = frozenset("the a an its their his her our these those this that".split())
_AUXILIARIES = frozenset("has have had will would could may might must shall should did does do".split())
_PASSIVE = frozenset("was were been being is are be".split())
_ADVERBS = frozenset(
    "reportedly allegedly also then again later already recently finally now successfully fully completely".split()
    + ["so", "far"]  # "have so far liberated"
)
_SKIPPED_BEFORE_VERB = _AUXILIARIES | _PASSIVE | _ADVERBS
_PREPOSITIONS = frozenset(
    "in of from at near against on with for by to into across inside outside around over under".split()
    + "between among within".split()
)
#: Quantity words: the phrase after them counts victims or things, not the actor described.
_QUANTIFIERS = frozenset("countless innumerable untold unimaginable".split())
#: Labels whose "of X" is what they defend or free, not the group they belong to.
_NOT_MEMBERSHIP = frozenset("defender defenders liberator liberators butcher butchers".split())
#: Verb stems whose target is the agent (the subject, or "by X" in the passive): "the army liberated".
_AGENT_VERBS = ("liberat", "massacr", "slaughter", "butcher", "terroris", "terroriz", "rampag", "savag")
#: Verb stems whose target is the patient (the object, or "of X"): "neutralised 12 terrorists".
_PATIENT_VERBS = ("cleans", "purg", "exterminat", "neutralis", "neutraliz", "crush", "annihilat", "decimat", "martyr")
#: Nouns of an action: their "of" phrase is the patient; "by X" is the agent.
_ACTION_NOUNS = frozenset(
    """liberation liberations massacre massacres slaughter aggression atrocity atrocities carnage bloodbath genocide
    cleansing purge purges rampage brutality crimes crime attack attacks bombardment shelling campaign operation
    offensive destruction killing killings act acts""".split()
)
#: Labels of dependence: their "of X" or nationality premodifier names the patron, not the target.
PATRON_NOUNS = frozenset(
    """puppet puppets proxy proxies lackey lackeys stooge stooges pawn pawns vassal vassals hireling hirelings
    spy spies agent agents tool tools servant servants slave slaves instrument instruments""".split()
)
#: Labels that name the actor themselves: "regime forces" does not make "forces" the target.
_SELF_NAMING = frozenset("regime regimes junta juntas".split())
_AGENT_LINK = frozenset("committed carried perpetrated out launched waged unleashed".split())
_OF_LINKS = (("of",), ("belonging", "to"), ("affiliated", "with"), ("loyal", "to"))
#: Verbs by which a speaker gives an actor a label: "called Haftar a war criminal", "accused Belarus of acting as".
_LABELLING_VERBS = frozenset(
    """call calls called calling describe describes described describing brand brands branded branding label labels
    labelled labeled labelling labeling dub dubs dubbed term termed denounce denounces denounced accuse accuses
    accused accusing""".split()
)
#: Words that may stand between a labelled actor and its label ("as a", "of acting as a", "a militia of").
_LABEL_GAP = frozenset("as a an the of being acting to be nothing but little more than".split())
#: Action nouns whose "of" phrase is what is done to (the patient), not who does it: "the massacre of civilians".
_PATIENT_OF_NOUNS = frozenset(
    """liberation liberations massacre massacres slaughter genocide cleansing purge purges destruction killing
    killings bombardment shelling carnage bloodbath""".split()
)
#: Nouns of quantity: their "of" phrase is what is counted ("a mere handful of its soldiers"), not whose it is.
_QUANTITY_NOUNS = frozenset(
    "handful number numbers dozens hundreds thousands scores majority minority fraction".split()
)
#: Words after a term that do not start an owned noun phrase: "the massacre of", "a handful of", "the", "in".
_NOT_OWNED = _PATIENT_OF_NOUNS | _QUANTITY_NOUNS | _DETERMINERS | _PREPOSITIONS
_TOKEN = re.compile(r"\w+(?:[-\u2010\u2011'’]\w+)*")
_NAME_PARTICLE = re.compile(r"^(?:al|el|ad|ash|as|ar|an|at|az|bin|ibn|abu|bani)[-\u2010\u2011]\w", re.IGNORECASE)


def _scan_quoted(text: str, begin: int, pos: int) -> tuple[bool, bool]:
    """(inside a quotation at ``pos``, any quote mark seen) scanning ``text[begin:pos]``."""
    in_double = in_single = seen = False
    for i in range(begin, pos):
        ch = text[i]
        if ch not in _ANY_QUOTE:
            continue
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch == '"':
            in_double, seen = not in_double, True
        elif ch in _DOUBLE_OPEN:
            in_double, seen = True, True
        elif ch in _DOUBLE_CLOSE:
            in_double, seen = False, True
        elif ch in "‘'" and not in_single and not prev.isalnum() and (nxt.isalnum() or nxt in _DOUBLE_OPEN):
            in_single, seen = True, True
        elif ch in "’'" and in_single and not nxt.isalnum():
            in_single, seen = False, True
    return in_double or in_single, seen


def _content_pieces(attribution: Attribution) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in attribution.content]


def _attribution_at(start: int, end: int, attributions: Sequence[Attribution]) -> int | None:
    """Index of the attribution whose content holds ``[start, end)``: containment first, then overlap, innermost."""
    best: tuple[tuple[int, int, int], int] | None = None
    for index, attribution in enumerate(attributions):
        pieces = _content_pieces(attribution)
        overlap = sum(max(0, min(end, e) - max(start, s)) for s, e in pieces)
        if overlap <= 0:
            continue
        contained = any(s <= start and end <= e for s, e in pieces)
        extent = max(e for _, e in pieces) - min(s for s, _ in pieces)
        key = (-int(contained), -overlap, extent)
        if best is None or key < best[0]:
            best = (key, index)
    return None if best is None else best[1]


def assign_voice(start: int, end: int, text: str, attributions: Sequence[Attribution]) -> tuple[str, int | None]:
    """Whose words ``text[start:end]`` are: ``(voice, attribution index)``.

    ``narrator`` (index ``None``) when no attribution's content overlaps the term; otherwise the
    attribution whose content contains it (the innermost when contents nest), with ``quoted`` when
    the term lies inside quotation marks opened within that content (or right before it) and
    ``indirect`` when not. Quotation marks outside every content (scare quotes in narration) do not
    change the narrator's voice.

    Example:
        >>> from attribution.records import Attribution, Span
        >>> text = 'Officials said the “terrorists” fled. Critics called the raid a “liberation”.'
        >>> said = Attribution(cue=(Span("CUE", 10, 14, "said", 0),), source=(), kind="mixed", sentence_index=0,
        ...                    content=(Span("CONTENT", 15, 36, text[15:36], 0),), score=1.0)
        >>> assign_voice(20, 30, text, [said])
        ('quoted', 0)
        >>> assign_voice(65, 75, text, [said])
        ('narrator', None)

    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"term offsets [{start}, {end}) are outside the text (length {len(text)})")
    index = _attribution_at(start, end, attributions)
    if index is None:
        return "narrator", None
    attribution = attributions[index]
    first = min(s for s, _ in _content_pieces(attribution))
    begin = first
    lead = text[max(0, first - 2) : first]
    for offset, ch in enumerate(lead):
        if ch in '"“«„‘':
            begin = first - len(lead) + offset
            break
    inside, seen = _scan_quoted(text, begin, start)
    if inside or (not seen and attribution.kind == "direct"):
        return "quoted", index
    return "indirect", index


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()


def _tokens(text: str, begin: int, end: int) -> list[_Token]:
    """The words of ``text[begin:end]``; a title-case headline's words that are no names in lower case.

    >>> text = "Army Liberates Kessa As Harran Front Terrorists Flee" + chr(10) + "The Harran Front left Kessa."
    >>> [t.text for t in _tokens(text, 0, 52)]
    ['army', 'liberates', 'Kessa', 'as', 'Harran', 'Front', 'terrorists', 'flee']
    """
    unconfirmed = headline_words(text)
    return [
        _Token(
            m.start() + begin, m.end() + begin, m.group(0).lower() if m.start() + begin in unconfirmed else m.group(0)
        )
        for m in _TOKEN.finditer(text[begin:end])
    ]


def _strip_possessive(token: _Token) -> _Token:
    for suffix in ("'s", "’s"):
        if token.text.endswith(suffix):
            return _Token(token.start, token.end - 2, token.text[:-2])
    return token


def _is_name(token: _Token, sentence_start: int) -> bool:
    word = _strip_possessive(token).text
    lower = word.lower()
    if lower.endswith(_SPONSOR_SUFFIXES) or lower.startswith(("pro-", "anti-")):
        return False  # "Saudi-backed", "pro-government": modifiers, not names
    if _NAME_PARTICLE.match(word):
        return True
    if not word[:1].isupper() or word.lower() in _NOT_NAMES or word.lower() in LABEL_ADJECTIVES or word == "I":
        return False
    return not (token.start == sentence_start and word.lower() in ACTOR_NOUNS)


def _is_actor_noun(token: _Token) -> bool:
    return _strip_possessive(token).lower in ACTOR_NOUNS


def _adjacent(text: str, left: _Token | int, right: _Token | int) -> bool:
    """Only spaces (and quotation marks: 'had "liberated"') between two tokens (or offsets)."""
    a = left.end if isinstance(left, _Token) else left
    b = right.start if isinstance(right, _Token) else right
    return a <= b and not text[a:b].strip().strip(_ANY_QUOTE)


def _phrase(tokens: list[_Token], sentence_start: int) -> tuple[int, int] | None:
    """The target span of a run of name / actor-noun tokens: labels dropped when a name is present."""
    tokens = [t for t in tokens if t.lower not in LABEL_ADJECTIVES and t.lower not in _DETERMINERS]
    if not tokens:
        return None
    named = [i for i, t in enumerate(tokens) if _is_name(t, sentence_start)]
    if named:
        cut = next(
            (i for i in range(named[0] + 1, len(tokens)) if _strip_possessive(tokens[i]).lower in LABEL_NOUNS), None
        )
        tokens = tokens[:cut]
    elif all(_strip_possessive(t).lower in LABEL_NOUNS for t in tokens) and len(tokens) > 1:
        return None
    if not tokens:
        return None
    last = _strip_possessive(tokens[-1])
    return tokens[0].start, last.end


def _left_run(
    text: str, tokens: list[_Token], before: int, sentence_start: int, *, verb: bool
) -> tuple[int, int] | None:
    """Name / actor-noun run ending right before ``tokens[before]`` (the term), skipping auxiliaries for verbs."""
    i = before - 1
    anchor: _Token | int = tokens[before] if before < len(tokens) else len(text)
    if verb:
        while i >= 0 and tokens[i].lower in _SKIPPED_BEFORE_VERB and _adjacent(text, tokens[i], anchor):
            anchor, i = tokens[i], i - 1
    run: list[_Token] = []
    while i >= 0 and _adjacent(text, tokens[i], anchor):
        token = tokens[i]
        lower = token.lower
        if lower.endswith(("-backed", "-sponsored", "-funded", "-aligned", "-installed")):
            if run:
                break
            return None  # the backer is not the target
        if lower.endswith("-led"):
            if run:
                break
            return token.start, token.end - 4
        if not (_is_name(token, sentence_start) or _is_actor_noun(token)):
            break
        if run and (token.text.endswith("'s") or token.text.endswith("’s")):
            break  # "the army's Assad regime" is two phrases
        run.insert(0, token)
        anchor, i = token, i - 1
    owner = bool(run) and run[-1].text.endswith(("'s", "’s"))
    labels_only = all(t.lower in LABEL_NOUNS and not _is_name(t, sentence_start) for t in run)
    if not run or (not owner and not verb and labels_only):
        return None  # "puppet regime": a label is not the target of the next label ("the regime's thugs" is)
    return _phrase(run, sentence_start)


def _right_run(
    text: str, tokens: list[_Token], after: int, sentence_start: int, *, need_name: bool = False
) -> tuple[int, int] | None:
    """Name / actor-noun phrase starting right after ``tokens[after - 1]`` (determiners, numbers, labels skipped)."""
    i, anchor = after, tokens[after - 1] if after > 0 else None
    skipped = 0
    while (
        i < len(tokens)
        and (tokens[i].lower in _DETERMINERS or tokens[i].text.isdigit() or tokens[i].lower in LABEL_ADJECTIVES)
        and skipped < 3
    ):
        if anchor is not None and not _adjacent(text, anchor, tokens[i]):
            return None
        anchor, i, skipped = tokens[i], i + 1, skipped + 1
    run: list[_Token] = []
    while i < len(tokens) and (anchor is None or _adjacent(text, anchor, tokens[i])):
        token = tokens[i]
        if not (_is_name(token, sentence_start) or _is_actor_noun(token) or (run and _NAME_PARTICLE.match(token.text))):
            break
        run.append(token)
        anchor, i = token, i + 1
        if token.text.endswith(("'s", "’s")) and not (
            i < len(tokens) and _adjacent(text, token, tokens[i]) and _is_name(tokens[i], sentence_start)
        ):
            break  # "People's Defence Force" goes on; "the army's soldiers" stops
    if not run:
        return None
    has_name = any(_is_name(t, sentence_start) for t in run)
    last_word = _strip_possessive(run[-1]).lower
    if not has_name and last_word in LABEL_NOUNS and last_word not in _NOT_MEMBERSHIP:
        member_of = _after_link(text, tokens, i, _OF_LINKS, sentence_start)
        if member_of is not None:
            return member_of  # "foreign-backed terrorists of ISIL" -> "ISIL"
    if not (has_name or _is_actor_noun(run[-1])) or (need_name and not has_name):
        return None
    return _phrase(run, sentence_start)


def _after_link(
    text: str, tokens: list[_Token], i: int, links: Sequence[tuple[str, ...]], sentence_start: int, *, skip: int = 0
) -> tuple[int, int] | None:
    """``[link words] NP`` starting at ``tokens[i]``, with up to ``skip`` head / linking words skipped first."""
    for _ in range(skip + 1):
        for link in links:
            words = tuple(t.lower for t in tokens[i : i + len(link)])
            if words == link:
                return _right_run(text, tokens, i + len(link), sentence_start)
        if i >= len(tokens) or not (tokens[i].lower in _AGENT_LINK or tokens[i].lower in _ACTION_NOUNS):
            return None
        i += 1
    return None


#: Verbs whose subject does an act named by their object: "the DSF committed a genocide".
_COMMITTING_VERBS = frozenset("committed commits commit perpetrated launched waged unleashed staged carried".split())


def _committer(text: str, tokens: list[_Token], first: int, sentence_start: int) -> tuple[int, int] | None:
    """The subject of the verb that commits the act a term names or describes: "ISIL committed a heinous massacre".

    The verb stands right before the term, with at most three lower-case words between ("a new heinous"; "carried
    out" counts as one verb), and its subject right before it (auxiliaries skipped).

    >>> text = "The DSF had committed a genocide against an entire people."
    >>> tokens = _tokens(text, 0, len(text))
    >>> span = _committer(text, tokens, 5, 0)
    >>> text[span[0] : span[1]]
    'DSF'
    >>> text = "Villagers said a genocide was under way."
    >>> _committer(text, _tokens(text, 0, len(text)), 3, 0) is None
    True
    """
    i = first - 1
    while i >= 0 and first - i <= 4 and tokens[i].lower not in _COMMITTING_VERBS and tokens[i].lower != "out":
        if not tokens[i].text[:1].islower() or not _adjacent(text, tokens[i], tokens[i + 1]):
            return None
        i -= 1
    if i < 0 or first - i > 4:
        return None
    if tokens[i].lower == "out":  # "carried out"
        if i == 0 or tokens[i - 1].lower != "carried":
            return None
        i -= 1
    elif tokens[i].lower == "carried":
        return None
    return _subject(tokens, _left_run(text, tokens, i, sentence_start, verb=True))


def _apposition(text: str, tokens: list[_Token], before: int, sentence_start: int) -> tuple[int, int] | None:
    """``NAME, the/a [adj] TERM``: the name before the comma."""
    i = before - 1
    anchor: _Token = tokens[before]
    skipped = 0
    while i >= 0 and skipped < 3 and _adjacent(text, tokens[i], anchor) and tokens[i].text[:1].islower():
        anchor, i, skipped = tokens[i], i - 1, skipped + 1
    if i < 0 or text[tokens[i].end : anchor.start].strip() != ",":
        return None
    run: list[_Token] = []
    j = i
    while j >= 0 and _is_name(tokens[j], sentence_start):
        if run and not _adjacent(text, tokens[j], run[0]):
            break
        run.insert(0, tokens[j])
        j -= 1
    return _phrase(run, sentence_start) if run else None


def _verb_kind(word: str) -> str | None:
    """``agent`` / ``patient`` / ``martyred`` for an inflected verb form (-ed, -ing) of a known stem, else ``None``."""
    word = word.lower()
    if not word.endswith(("ed", "ing")):
        return None
    if word.startswith("martyr") and word.endswith("ed"):
        return "martyred"
    if word.startswith(_PATIENT_VERBS):
        return "patient"
    if word.startswith(_AGENT_VERBS):
        return "agent"
    return None


#: Lower-case words that make a generic actor noun after them a kind of actor: "armed groups", "opposition fighters".
_ACTOR_MODIFIERS = frozenset(
    """armed opposition rebel government pro-government militant jihadist extremist insurgent militia
    paramilitary""".split()
)
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


#: Nouns after which an actor noun is a modifier, not an actor: "state media", "army radio", "rebel television".
_MEDIA_NOUNS = frozenset(
    "news media television tv agency radio broadcaster channel newspaper outlet website press".split()
)


def actor_phrases(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Offsets of the actor noun phrases of a sentence: runs of names and actor nouns, as target spans are cut.

    A run may start with modifiers that make a kind of actor ("armed groups") and with an ordinal ("the 9th
    Brigade"); determiners are left out, a possessive ends a run ("the army's soldiers" gives "army" and
    "soldiers"), a label noun after a name is dropped ("ISIL terrorists" gives "ISIL"), and a run before a media noun
    is no actor ("state media", "Syrian state news agency SANA" gives "SANA").

    Example:
        >>> from attribution.records import Sentence
        >>> text = "Fighters of the Harran Front and armed groups shelled the army's positions near Kessa."
        >>> [text[a:b] for a, b in actor_phrases(text, Sentence(0, 0, len(text), text))]
        ['Fighters', 'Harran Front', 'armed groups', 'army', 'Kessa']

    """
    tokens = _tokens(text, sentence.start, sentence.end)
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        first = i
        while (
            i < len(tokens)
            and (tokens[i].lower in _ACTOR_MODIFIERS or _ORDINAL.fullmatch(tokens[i].text))
            and (i == first or _adjacent(text, tokens[i - 1], tokens[i]))
        ):
            i += 1
        run: list[_Token] = list(tokens[first:i])
        while i < len(tokens) and (not run or _adjacent(text, run[-1], tokens[i])):
            token = tokens[i]
            if not (
                _is_name(token, sentence.start) or _is_actor_noun(token) or (run and _NAME_PARTICLE.match(token.text))
            ):
                break
            run.append(token)
            i += 1
            if token.text.endswith(("'s", "’s")):
                break
        heads = [t for t in run if t.lower not in _ACTOR_MODIFIERS and not _ORDINAL.fullmatch(t.text)]
        media = (
            bool(run) and i < len(tokens) and tokens[i].lower in _MEDIA_NOUNS and _adjacent(text, run[-1], tokens[i])
        )
        if heads and not media:  # "state media", "Syrian state news agency": no actor "state"
            phrase = _phrase(run, sentence.start) if any(_is_name(t, sentence.start) for t in heads) else None
            out.append(phrase or (run[0].start, _strip_possessive(run[-1]).end))
        if i == first:
            i += 1
    return out


def find_target(
    start: int, end: int, text: str, sentence: Sentence, attributions: Sequence[Attribution] = ()
) -> tuple[str, tuple[int, int]] | None:
    """The actor ``text[start:end]`` names or describes, with its offsets; ``None`` when unclear.

    Rules, tried in order; a target never leaves the sentence, never crosses punctuation other than
    an apposition comma (quotation marks do not part words: 'the army had "liberated"'), never overlaps
    a cue, and stays in the term's region (the same attribution content, or narration):

    1. Verb forms (-ed, -ing) of known stems. Agent verbs ("liberated", "massacred") take the subject
       right before them ("the Syrian Arab Army liberated" -> "Syrian Arab Army"; auxiliaries skipped; a
       label may be the subject, "the terrorists have terrorised"; not the object of a preposition other than
       the "of" of an actor noun, "the terrorists of Hamas butchered" -> "Hamas") or, in the passive, the
       ``by`` agent ("were slaughtered by ISIL" -> "ISIL"); a participle phrase between commas is skipped ("the
       army, backed by the air force, liberated" -> "army"), and so are a relative clause and adverbs ("Kurdish
       fighters who battle ISIL have so far liberated" -> "Kurdish fighters", not "ISIL"). Patient verbs
       ("neutralised", "cleansed", "crushed") take the ``of`` phrase or the object ("cleansed the town of
       militants" -> "militants"; "neutralised 12 PKK terrorists" -> "PKK"); "were martyred" takes the subject
       (the martyrs).
    2. A name inside a multi-word term, before its head ("ISIL terrorists" tagged as one term ->
       "ISIL"), else a name or actor noun right before the term: "ISIL terrorists" -> "ISIL", "Assad's thugs" ->
       "Assad", "the army's liberation" -> "army". ``X-led`` gives X (the leader is the actor: "the
       Saudi-led aggression" -> "Saudi"); ``X-backed`` gives nothing (the backer is not the target),
       nor does a label before a label ("puppet regime").
    3. Copula: "Russia is a terrorist state" -> "Russia".
    4. The phrase the term premodifies, when it has a name: "the valiant Syrian Arab Army" -> "Syrian
       Arab Army", "the brutal Assad regime" -> "Assad" (label nouns such as "regime" or "terrorists"
       end the phrase after a name; "Takfiri" and other label adjectives are skipped).
    5. Apposition: "Jaish al-Fatah, the Takfiri group," -> "Jaish al-Fatah" for "Takfiri".
    6. The phrase the term premodifies, without a name: "foreign-backed militants" -> "militants"
       ("foreign-backed terrorists of ISIL" -> "ISIL"). Not after "regime"/"junta" (they name the
       actor themselves: "regime forces"), quantities ("countless civilians") or a possessive term.
    7. Label nouns: "terrorists of the Nusra Front" / "belonging to" / "affiliated with" / "loyal to"
       -> the name; not for "defenders of X" or "the butcher of X", nor for labels of dependence ("a puppet
       of Riyadh", "an Iranian proxy", "spies of the regime": the patron is not the target). Action nouns and
       event adjectives: the ``by`` agent ("the heinous attack carried out by ISIL" -> "ISIL"), or the subject of the
       verb that commits the act ("the DSF had committed a genocide" -> "DSF").
    8. The object of a labelling verb (tried with the copula): "called Haftar a war criminal" -> "Haftar",
       "described the RSF as a militia of mercenaries" -> "RSF", "accused Belarus of acting as a client
       state" -> "Belarus" (here the labelled actor is the target, not the patron); in a relative clause,
       the object named before it: "the AAT, which it called death squads" -> "AAT".
    9. Whose: the ``of`` phrase after the term or after the noun it premodifies ("the colonialist policies
       of France" -> "France", "the brutality of this army" -> "army"); not the patient of an action ("the
       massacre of civilians") nor what a quantity counts ("a mere handful of its soldiers").
    10. A regime or junta "in" a named place: "the regime in Tehran" -> "Tehran" (a one-word term only: the label
        of "puppet regime in Kabul" is on "regime").
    11. A term of several words that names its actor itself: the owner inside it ("the regime's thugs" ->
        "regime"), else an actor noun its label noun is put on ("militia thugs" -> "militia"), else its head noun
        ("foreign-backed gangs" -> "gangs", "puppet regime" -> "regime").

    Targets carry no determiner ("militants", not "the militants").

    Example:
        >>> from attribution.records import Sentence
        >>> def target(text, term):
        ...     start = text.index(term)
        ...     found = find_target(start, start + len(term), text, Sentence(0, 0, len(text), text))
        ...     return found and found[0]
        >>> target("ISIL terrorists shelled the village.", "terrorists")
        'ISIL'
        >>> target("ISIL terrorists shelled the village.", "ISIL terrorists")
        'ISIL'
        >>> target("Foreign-backed militants withdrew from the hills.", "Foreign-backed")
        'militants'
        >>> target("Houthi media blamed the Saudi-led aggression for the strike.", "aggression")
        'Saudi'
        >>> target("The Syrian Arab Army liberated Kessa on Monday.", "liberated")
        'Syrian Arab Army'
        >>> target("Saudi-backed mercenaries shelled the port.", "mercenaries") is None
        True
        >>> target("The terrorists shelled the village.", "terrorists") is None
        True

    """
    if not (sentence.start <= start < end <= sentence.end):
        raise ValueError(
            f"term offsets [{start}, {end}) lie outside sentence {sentence.index} [{sentence.start}, {sentence.end})"
        )
    tokens = _tokens(text, sentence.start, sentence.end)
    first = next((i for i, t in enumerate(tokens) if t.end > start), None)
    last = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i].start < end), None)
    if first is None or last is None:
        return None
    after = last + 1
    term_words = _TOKEN.findall(text[start:end])
    verb = _verb_kind(term_words[-1]) if term_words else None
    passive = (
        first > 0
        and tokens[first - 1].lower in _PASSIVE
        and _adjacent(text, tokens[first - 1], tokens[first])
        and bool(term_words)
        and term_words[-1].lower().endswith("ed")
    )
    subject_at = first - 1 if passive else first  # the passive auxiliary sits between subject and verb
    s0 = sentence.start
    span: tuple[int, int] | None = None
    if verb == "martyred" or (verb == "patient" and passive):
        span = _left_run(text, tokens, subject_at, s0, verb=True)
    elif verb == "agent":
        span = (
            _after_link(text, tokens, after, [("by",)], s0)
            if passive
            else _subject(tokens, _left_run(text, tokens, first, s0, verb=True))
        )
        if span is None and not passive and (skipped := _without_parenthetical(text, tokens, first)) is not None:
            plain, plain_tokens, plain_first = skipped  # "the army, backed by the air force, liberated"
            span = _subject(plain_tokens, _left_run(plain, plain_tokens, plain_first, s0, verb=True))
        if not passive:  # "Kurdish fighters who battle ISIL have liberated": the fighters, not ISIL
            span = _relative_subject(text, tokens, first, span, s0)
    elif verb == "patient":
        span = (
            _after_link(text, tokens, after, [("of",)], s0)
            or _object_of(text, tokens, after, s0)
            or _right_run(text, tokens, after, s0)
        )
    else:
        head = _strip_possessive(tokens[last]).lower
        owner = tokens[last].text.endswith(("'s", "’s"))  # "the regime's thugs": the term owns, it does not modify
        patron = head in PATRON_NOUNS  # "a puppet of Riyadh", "an Iranian proxy": the patron is not the target
        right = None
        if head not in _SELF_NAMING and head not in _QUANTIFIERS and not owner:
            right = _right_run(text, tokens, after, s0, need_name=head in LABEL_NOUNS and head.endswith("s"))
        possessor = first > 0 and tokens[first - 1].text.endswith(("'s", "’s"))
        inner = _left_run(text, tokens, last, s0, verb=False) if last > first and not patron else None
        # a loaded word starting the sentence is capitalised, not a name: "Heroic defenders repel ..." (not "ISIL")
        opening_word = start == s0 and _strip_possessive(tokens[first]).lower in _lexicon_words()
        named_inside = inner is not None and _has_name(text, tokens, inner, s0, skip=start if opening_word else None)
        if inner is not None and inner[0] >= start and named_inside:
            span = inner  # the name inside a multi-word term: "ISIL terrorists" -> "ISIL"
        else:
            span = None if patron or (possessor and right) else _left_run(text, tokens, first, s0, verb=False)
        span = span or _copula_subject(text, tokens, first, s0) or _labelled_object(text, tokens, first, s0)
        if span is None and right is not None and _has_name(text, tokens, right, s0):
            span = right
        if span is None and first > 0:
            span = _apposition(text, tokens, first, s0)  # "Jaish al-Fatah, the Takfiri group": the name, not "group"
        span = span or right
        if span is None and head in LABEL_NOUNS and not patron and head not in _NOT_MEMBERSHIP:
            span = _after_link(text, tokens, after, _OF_LINKS, s0)
        if span is None:
            span = _after_link(text, tokens, after, [("by",)], s0, skip=3)
        event = head in _ACTION_NOUNS or (after < len(tokens) and tokens[after].lower in _ACTION_NOUNS)
        if span is None and event:  # "the DSF had committed a genocide", "warplanes committed a heinous crime"
            span = _committer(text, tokens, first, s0)
        if span is None and not patron and head not in _NOT_MEMBERSHIP:
            span = _owner_after_of(text, tokens, after, head, s0)
        if span is None and head in _SELF_NAMING and last == first:  # rule 10: "the regime in Tehran"
            place = _after_link(text, tokens, after, [("in",)], s0)
            span = place if place is not None and _has_name(text, tokens, place, s0) else None
        if span is None and last > first:
            span = _inside_the_term(tokens, first, last, s0)
    if span is None:
        return None
    if not _same_region(span, (start, end), sentence, attributions):
        return None
    return text[span[0] : span[1]], span


#: Participles that open a parenthetical between a subject and its verb: "the army, backed by the air force,".
_PARENTHETICAL_OPENERS = frozenset("backed supported aided assisted helped joined led reinforced accompanied".split())


def _relative_subject(
    text: str, tokens: list[_Token], verb: int, span: tuple[int, int] | None, sentence_start: int
) -> tuple[int, int] | None:
    """The subject of an agent verb across a relative clause before it; else ``span`` (the phrase found before it).

    When "who" or "which" stands within eight words before the verb (or before ``span``) with a word other than a
    determiner after it, ``span`` is inside the clause ("who battle ISIL terrorists have liberated": ISIL is what
    they battle), and the subject is the phrase before the pronoun (a comma between allowed); ``None`` when there is
    none. "the town, which the army liberated" keeps "army" (only a determiner between).

    >>> def subject(text, verb):
    ...     tokens = _tokens(text, 0, len(text))
    ...     i = next(k for k, t in enumerate(tokens) if t.text == verb)
    ...     found = _relative_subject(text, tokens, i, _left_run(text, tokens, i, 0, verb=True), 0)
    ...     return found and text[found[0] : found[1]]
    >>> subject("Kurdish fighters who battle ISIL terrorists have so far liberated 50 villages.", "liberated")
    'Kurdish fighters'
    >>> subject("Soldiers who had advanced from the south liberated the town.", "liberated")
    'Soldiers'
    >>> subject("The town, which the army liberated, lies in ruins.", "liberated")
    'army'
    >>> subject("Villagers who fled the town said the militia massacred them.", "massacred")
    'militia'
    """
    limit = verb
    if span is not None:
        limit = next((k for k, t in enumerate(tokens) if t.start >= span[0]), verb)
    for r in range(limit - 1, max(-1, limit - 9), -1):
        if tokens[r].lower in _CLAUSE_BREAKS or text[tokens[r].end : tokens[r + 1].start].strip(" ,\"“”'’"):
            return span  # another clause ("said", "that") or punctuation other than a comma: not a relative
        if tokens[r].lower not in ("who", "which"):  # a subject relative pronoun ("whom" is an object)
            continue
        if all(t.lower in _DETERMINERS for t in tokens[r + 1 : limit]):
            return span  # "which the army liberated": the phrase is the clause's own subject
        if r == 0:
            return None
        plain = text[: tokens[r - 1].end] + " " * (tokens[r].start - tokens[r - 1].end) + text[tokens[r].start :]
        return _subject(tokens, _left_run(plain, tokens, r, sentence_start, verb=False))
    return span


#: Words that end the search for a relative pronoun before a verb: another clause starts there.
_CLAUSE_BREAKS = frozenset("said says told that and but while when after before because as".split())


def _without_parenthetical(text: str, tokens: list[_Token], first: int) -> tuple[str, list[_Token], int] | None:
    """The text with the participle phrase between commas right before ``tokens[first]`` blanked out.

    Offsets are kept (the phrase becomes spaces), so a subject found in the returned text is a span of ``text``.

    >>> text = "The army, backed by the air force, liberated Kessa."
    >>> plain, tokens, first = _without_parenthetical(text, _tokens(text, 0, len(text)), 7)
    >>> plain.split(), tokens[first].text
    (['The', 'army', 'liberated', 'Kessa.'], 'liberated')
    >>> text = "In Kessa, the army liberated the town."  # no parenthetical before the verb
    >>> _without_parenthetical(text, _tokens(text, 0, len(text)), 4) is None
    True
    """
    if first < 2 or text[tokens[first - 1].end : tokens[first].start].strip() != ",":
        return None
    opener = next(
        (i for i in range(first - 1, 0, -1) if text[tokens[i - 1].end : tokens[i].start].strip() == ","), None
    )
    if opener is None or tokens[opener].lower not in _PARENTHETICAL_OPENERS:
        return None
    begin, stop = tokens[opener - 1].end, tokens[first].start
    plain = text[:begin] + " " * (stop - begin) + text[stop:]
    plain_tokens = [t for t in tokens if t.end <= begin or t.start >= stop]
    return plain, plain_tokens, plain_tokens.index(tokens[first])


@functools.lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """The one-word entries of the packaged war-vocabulary lexicon, in every listed form ("heroic", "martyrs")."""
    from attribution.lexicon import packaged_lexicon, word_forms

    return frozenset(
        form.lower() for e in packaged_lexicon().entries if " " not in e.term for form in word_forms(e.term)
    )


def _has_name(
    text: str, tokens: list[_Token], span: tuple[int, int], sentence_start: int, *, skip: int | None = None
) -> bool:
    """Whether a name lies in ``span`` (the token starting at ``skip`` left out)."""
    return any(
        span[0] <= t.start and t.end <= span[1] + 2 and t.start != skip and _is_name(t, sentence_start) for t in tokens
    )


def _object_of(text: str, tokens: list[_Token], after: int, sentence_start: int) -> tuple[int, int] | None:
    """``cleansed the town of militants``: an ``of`` phrase after a short object, actor nouns before bare names."""
    found = [
        (i, _right_run(text, tokens, i + 1, sentence_start))
        for i in range(after, min(after + 6, len(tokens)))
        if tokens[i].lower == "of"
    ]
    spans = [span for _, span in found if span is not None]
    for span in spans:
        if text[span[0] : span[1]].split()[-1].lower() in ACTOR_NOUNS:
            return span
    return spans[0] if spans else None


def _inside_the_term(tokens: list[_Token], first: int, last: int, sentence_start: int) -> tuple[int, int] | None:
    """A term of several words that names its actor itself: the owner inside it, else its head.

    The owner: "the regime's thugs" -> "regime". An actor noun that a label noun is put on: "militia thugs" ->
    "militia". The head, when it is a name or an actor noun: "foreign-backed gangs" -> "gangs", "terrorist gangs of
    Daesh" -> "Daesh" (the backer of "Saudi-backed mercenaries" is not the target).
    """
    for token in tokens[first:last]:
        if token.text.endswith(("'s", "’s")) and (_is_name(token, sentence_start) or _is_actor_noun(token)):
            return token.start, token.end - 2
    head = tokens[last]
    if head.lower in LABEL_NOUNS:  # "militia thugs": the actor noun the label is put on
        actor = next((t for t in tokens[first:last] if _is_actor_noun(t) and t.lower not in LABEL_NOUNS), None)
        if actor is not None:
            return _phrase([actor], sentence_start)
    if _is_name(head, sentence_start) or _is_actor_noun(head):
        return _phrase([head], sentence_start)
    return None


def _labelled_object(text: str, tokens: list[_Token], first: int, sentence_start: int) -> tuple[int, int] | None:
    """``called Haftar a war criminal``, ``described the RSF as a militia of mercenaries``: the labelled object.

    The nearest labelling verb (:data:`_LABELLING_VERBS`) within ten words before the term; its object (a name or
    actor-noun phrase right after it, ending before the term), when only :data:`_LABEL_GAP` words, actor nouns and
    up to two premodifiers of the label ("an Iranian proxy") stand between the object and the term.
    """
    verb = next((v for v in range(first - 1, max(-1, first - 11), -1) if tokens[v].lower in _LABELLING_VERBS), None)
    if verb is None:
        return None
    if all(t.lower in _LABEL_GAP for t in tokens[verb + 1 : first]):  # ", which it called 'death squads'"
        antecedent = _relative_antecedent(text, tokens, verb, sentence_start)
        if antecedent is not None or verb + 1 >= first:
            return antecedent
    span = None
    for start in range(verb + 1, min(verb + 4, first)):  # up to two modifiers skipped: "the captured soldiers"
        span = _right_run(text, tokens, start, sentence_start)
        skipped = tokens[start]
        backer = skipped.lower.endswith(_SPONSOR_SUFFIXES)  # "the Israeli-backed militia": skip to "militia"
        if span is not None or skipped.lower in _PREPOSITIONS or (skipped.text[:1].isupper() and not backer):
            break
        if skipped.lower in _LABEL_GAP and skipped.lower not in _DETERMINERS:
            break
    if span is None or span[1] > tokens[first].start:
        return None
    gap = [t for t in tokens[verb + 1 : first] if t.start >= span[1]]
    anchor: _Token = tokens[first]
    for _ in range(2):  # up to two premodifiers of the label: "an Iranian proxy", "a brutal war criminal"
        if gap and gap[-1].lower not in _LABEL_GAP and _adjacent(text, gap[-1], anchor):
            anchor = gap.pop()
    if any(t.lower not in _LABEL_GAP and not _is_actor_noun(t) for t in gap):
        return None
    return span


#: Relative pronouns that open a labelling clause after its object: "the AAT, which it called death squads".
_RELATIVE_PRONOUNS = frozenset(("which", "whom", "who"))


def _relative_antecedent(text: str, tokens: list[_Token], verb: int, sentence_start: int) -> tuple[int, int] | None:
    """The object of a labelling verb in a relative clause, named before it: the noun phrase before ", which".

    The pronoun stands at most four words before the verb (its subject between: "whom the coalition calls"), right
    after a comma; the antecedent is the word before the comma (a name, an actor noun or a plural noun; an acronym
    in parentheses counts) with the names and actor nouns right before it.

    >>> text = "It accused Karovian instructors, whom the coalition calls the mercenaries of death."
    >>> tokens = _tokens(text, 0, len(text))
    >>> span = _relative_antecedent(text, tokens, 7, 0)
    >>> text[span[0] : span[1]]
    'Karovian instructors'
    >>> text = "The AAT shelled the town, which it called a crime."  # "the town" is not an actor
    >>> _relative_antecedent(text, _tokens(text, 0, len(text)), 8, 0) is None
    True
    """
    pronoun = next((r for r in range(verb - 1, max(0, verb - 5), -1) if tokens[r].lower in _RELATIVE_PRONOUNS), None)
    if pronoun is None or pronoun == 0 or any(t.lower in _RELATIVE_PRONOUNS for t in tokens[pronoun + 1 : verb]):
        return None
    head = tokens[pronoun - 1]
    if text[head.end : tokens[pronoun].start].replace(")", "").strip() != ",":
        return None
    plural_noun = head.lower.endswith("s") and head.lower not in ("was", "has", "is", "its", "this", "us")
    if not (_is_name(head, sentence_start) or _is_actor_noun(head) or plural_noun):
        return None
    if text[head.end : head.end + 1] == ")":  # "the Autodefensas del Alto Tunuri (AAT), which": the acronym
        return head.start, head.end
    start = pronoun - 1
    while start > 0 and _adjacent(text, tokens[start - 1], tokens[start]):
        previous = tokens[start - 1]
        if not (_is_name(previous, sentence_start) or _is_actor_noun(previous)):
            break
        start -= 1
    return tokens[start].start, head.end


def _owner_after_of(
    text: str, tokens: list[_Token], after: int, head: str, sentence_start: int
) -> tuple[int, int] | None:
    """``the colonialist policies of France``, ``the brutality of this army``: whose the term's noun phrase is.

    The ``of`` phrase right after the term, or after one noun the term premodifies, when it is a name or actor-noun
    phrase; not after an action noun whose ``of`` names the patient ("the massacre of civilians").
    """
    i = after
    if i < len(tokens) and tokens[i].lower != "of":
        noun = tokens[i].lower
        if noun in _NOT_OWNED or not _adjacent(text, tokens[i - 1], tokens[i]):
            return None
        i += 1
    elif head in _PATIENT_OF_NOUNS or head in _QUANTITY_NOUNS:
        return None
    if i >= len(tokens) or tokens[i].lower != "of" or not _adjacent(text, tokens[i - 1], tokens[i]):
        return None
    return _right_run(text, tokens, i + 1, sentence_start)


def _copula_subject(text: str, tokens: list[_Token], first: int, sentence_start: int) -> tuple[int, int] | None:
    """``Russia is a terrorist state``: the subject of is/are/was/were before ``a/an/the TERM``."""
    i = first - 1
    if i >= 0 and tokens[i].lower in ("a", "an", "the"):
        i -= 1
    if i < 1 or tokens[i].lower not in ("is", "are", "was", "were") or not _adjacent(text, tokens[i], tokens[i + 1]):
        return None
    return _subject(tokens, _left_run(text, tokens, i, sentence_start, verb=False))


def _subject(tokens: list[_Token], span: tuple[int, int] | None) -> tuple[int, int] | None:
    """``span`` unless it is the object of a preposition ("the neo-Nazis in Kyiv are ..." is not about Kyiv)."""
    if span is None:
        return None
    j = next((k for k in range(len(tokens) - 1, -1, -1) if tokens[k].end <= span[0]), None)
    while j is not None and j >= 0 and tokens[j].lower in _DETERMINERS:
        j -= 1
    if j is not None and j >= 1 and tokens[j].lower == "of" and _is_actor_noun(tokens[j - 1]):
        return span  # "the terrorists of Hamas butchered": whose the subject is
    return None if j is not None and j >= 0 and tokens[j].lower in _PREPOSITIONS else span


def _same_region(
    span: tuple[int, int], term: tuple[int, int], sentence: Sentence, attributions: Sequence[Attribution]
) -> bool:
    if not (sentence.start <= span[0] < span[1] <= sentence.end):
        return False
    for attribution in attributions:
        if any(s.start < span[1] and span[0] < s.end for s in attribution.cue):
            return False
    return _attribution_at(*span, attributions) == _attribution_at(*term, attributions)


def lexicon_polarity(term_text: str, lexicon: Lexicon) -> str | None:
    """The polarity the lexicon gives ``term_text``; ``None`` when no entry matches or matches disagree.

    Example:
        >>> from attribution.lexicon import load_lexicon
        >>> lexicon = load_lexicon()
        >>> lexicon_polarity("Takfiri terrorists", lexicon), lexicon_polarity("liberation", lexicon)
        ('negative', 'positive')
        >>> lexicon_polarity("militants", lexicon) is None
        True

    """
    polarities = {m.entry.polarity for m in lexicon.find(term_text)}
    return polarities.pop() if len(polarities) == 1 else None


def _sentence_for(term: LoadedTerm, sentences: Sequence[Sentence]) -> Sentence | None:
    if 0 <= term.sentence_index < len(sentences):
        sentence = sentences[term.sentence_index]
        if sentence.start <= term.start and term.end <= sentence.end:
            return sentence
    return next((s for s in sentences if s.start <= term.start and term.end <= s.end), None)


def resolve_terms(
    raw_terms: Sequence[LoadedTerm],
    text: str,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    lexicon: Lexicon,
) -> tuple[LoadedTerm, ...]:
    """New :class:`LoadedTerm` records with voice, attribution index, target and polarity filled.

    Voice and attribution index always come from :func:`assign_voice`; target and target span from
    :func:`find_target` where the raw term has no target (a term that crosses a sentence boundary
    gets none); polarity from :func:`lexicon_polarity` only where the raw term's is ``None``.
    See the module docstring for an example.
    """
    resolved = []
    for term in raw_terms:
        voice, index = assign_voice(term.start, term.end, text, attributions)
        target, target_span = term.target, term.target_span
        if target is None:
            sentence = _sentence_for(term, sentences)
            found = find_target(term.start, term.end, text, sentence, attributions) if sentence else None
            if found is not None:
                target, target_span = found
        polarity = term.polarity if term.polarity is not None else lexicon_polarity(term.text, lexicon)
        resolved.append(
            dataclasses.replace(
                term, voice=voice, attribution_index=index, target=target, target_span=target_span, polarity=polarity
            )
        )
    return tuple(resolved)


def sources_wording_only(voices: Iterable[str | None], *, distancing: bool = False) -> bool:
    """Whether a sentence's loaded wording is all the sources'.

    That is: its terms (given by their voices) are inside attributed speech, and it has no distancing marker
    ("so-called", scare quotes), which is always the writer's. A sentence-bias flag on such a sentence may
    reflect a source's wording rather than the writer's, so the reports say so beside the flag. No terms, any
    term in the narrator's voice (or of unknown voice), or a distancing marker in the sentence: False.

    Example:
        >>> sources_wording_only(["quoted", "indirect"]), sources_wording_only(["quoted", "narrator"])
        (True, False)
        >>> sources_wording_only(["indirect"], distancing=True)  # "the so-called Observatory said ... terrorists"
        False
        >>> sources_wording_only([]), sources_wording_only([None])
        (False, False)

    """
    found = list(voices)
    return bool(found) and not distancing and all(v in ("quoted", "indirect") for v in found)
