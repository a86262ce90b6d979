"""The actor table: actor mentions clustered into actors, and the asymmetries between them (pure; no torch).

Mentions come from three places: attribution sources (``resolved_source`` when the profile gives one),
loaded-term targets and distancing-marker targets (:func:`report_mentions`). A name-calling or delegitimizing
term without a target whose words name a kind of actor ("the terrorists", "the regime") is a mention itself (and,
joined to a named actor, takes its name as target: :func:`targets_from_actors`), and a target right after its term
that names no actor of a known role alone is read with it ("Takfiri" + "groups"), as is a target that is the term's
own last words ("organizations" of "Takfiri terrorist organizations").
Each mention is parsed by a few rules (:func:`parse_mention`):

1. **Owner of a person.** "a spokesman for the army", "the Observatory's director Rami Abdel Rahman",
   "sources close to the army": the mention stands for the organisation the person speaks for.
2. **Alias table** (:data:`ALIASES`): a small hand-written table of common war-reporting actors ("ISIL",
   "ISIS", "Daesh", "Islamic State" -> ISIL; "SAA", "Syrian Arab Army" -> Syrian army; "IDF" -> Israeli army;
   "SOHR", "the Observatory" -> Syrian Observatory for Human Rights; ...), matched as whole words. A one-word
   alias after another name is another body ("the Varesh Observatory for Human Rights"), and a lone "the
   Observatory" in an article that names such a body is that body.
3. **Countries.** A bare country name ("Russia", "the United States", "the UK") stands for its government
   ("Russian government", with "Russian officials"); several-word names are read as one ("United States
   officials" -> US government, not a head noun "States").
4. **Normalisation.** Determiners, quantifiers and possessives are dropped, plurals made singular; label
   words ("terrorists", "Takfiri", "regime", "thugs") are not names. Capitalised words are *strong* names
   ("Amnesty", "Rahman"); demonyms ("Syrian", "U.S.", "Kurdish") are *weak* names.
5. **Role** from the head noun and its modifiers (:data:`HEAD_ROLES`, :data:`MODIFIER_ROLES`): ``army``
   (army, troops, soldiers, government/state forces, a General Staff, "a military source"), ``government`` (government,
   regime, ministry, officials), ``militant`` (militants, terrorists, jihadists, Takfiri groups), ``rebel``
   (rebels, the opposition), ``fighter``, ``militia``, ``police``, ``force``. An anonymous source with no
   telling words takes its role from its ``source_type`` (``military`` -> ``army``). A name with an insurgent word
   that ends in a group word ("the Tarsian Liberation Movement", "the Tolan Revolutionary Army"), or an "Army of" a
   cause ("the Army of Conquest"), is ``rebel``, not ``army``, unless its head noun says otherwise ("Kessar
   Liberation Front militants").
6. **People.** A title before a name marks one person ("Interior Minister Rachid Benmerah", "Brigadier General
   Yahya Saree"). A clause after a mention ("Residents interviewed by GNA", "a pensioner who reached Sagani"), or
   a place after local people ("a doctor at Hawzeni's hospital", "residents of Kessa"), names someone else: it is
   left out of the mention.

Clustering (:func:`cluster_mentions`): mentions with the same alias, or the same demonym and role
("Syrian troops", "the Syrian army" -> Syrian army), are one actor; mentions whose strong names are a
subset of one another (and whose roles agree) are one actor ("the Observatory" and "the Syrian
Observatory"), and so are two mentions of no known role whose names differ as a demonym and its place
("Kartenian" and "Kartenia", :func:`demonym_of`, for places no table knows); a generic mention ("the army",
"militants", "Takfiri groups") joins the one named actor of its role when there is exactly one (with two armies
in the article, "the army" stays an actor of its own), never a bare country ("the regime" in a report that
names "the United States" is seldom the US government), never one person other than a head of state ("the
authorities" are not the interior minister, "a military source" not the army's named spokesman), and never a name
the article only distances (a state agency's "military source" is not the "so-called 'Army of Conquest'"); other generic
mentions group by head noun ("residents", "a resident"). A person who speaks for a named group joins it ("CMT
spokesman Mohamed Ag Intalla" and "the CMT"), and the actor takes the group's name. A generic mention inside a
fuller one with the same head noun is the fuller one's actor ("experts", distanced by "so-called" in the source "the
so-called experts in Washington"). A mention that names no actor (pronouns, "reports", a scare-quoted word that is
no actor noun) is left out.

Asymmetries (:func:`find_asymmetries`) are stated only when the data shows them: one side called by
name-calling terms and the other not; positive terms for one side, negative for the other; one side's
claims mostly anonymous, the other's mostly named; a name for one side ("so-called", "what the ministry
called") or its claims distanced, the others' not.

Example:
    >>> cluster_mentions(["the army", "Syrian troops", "the Syrian army", "militants", "ISIL terrorists",
    ...                   "Takfiri groups", "residents"])
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> m = parse_mention("the Observatory's director Rami Abdel Rahman")
    >>> m.key, m.display
    ('alias:Syrian Observatory for Human Rights', 'Syrian Observatory for Human Rights')

"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from attribution.records import (
    Actor,
    ActorTerms,
    Asymmetry,
    Attribution,
    DistancingMarker,
    LoadedTerm,
)

__all__ = [
    "ALIASES",
    "HEAD_ROLES",
    "MODIFIER_ROLES",
    "Mention",
    "ParsedMention",
    "build_actors",
    "cluster_mentions",
    "find_asymmetries",
    "in_sentence",
    "parse_mention",
    "report_mentions",
    "same_actor",
    "singular_noun",
]

#: Canonical actor -> (role, aliases in lower case). Keep it small: actors that war reports name often.
ALIASES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "ISIL": (
        "militant",
        ("isil", "isis", "daesh", "daish", "islamic state", "islamic state group", "the islamic state"),
    ),
    "al-Nusra Front": (
        "militant",
        ("nusra", "al-nusra", "nusra front", "al-nusra front", "jabhat al-nusra", "jabhat fatah al-sham"),
    ),
    "Hayat Tahrir al-Sham": ("militant", ("hts", "hayat tahrir al-sham", "tahrir al-sham")),
    "al-Qaeda": ("militant", ("al-qaeda", "al qaeda", "al-qaida", "qaeda")),
    "Hamas": ("militant", ("hamas", "qassam brigades", "al-qassam brigades")),
    "Hezbollah": ("militant", ("hezbollah", "hizbollah", "hizbullah")),
    "Taliban": ("militant", ("taliban",)),
    "Free Syrian Army": ("rebel", ("fsa", "free syrian army")),
    "Kurdish forces": (
        "fighter",
        ("ypg", "sdf", "syrian democratic forces", "kurdish fighters", "kurdish forces", "people's protection units"),
    ),
    "Syrian army": ("army", ("saa", "syrian arab army")),
    "Israeli army": ("army", ("idf", "israel defense forces", "israeli defense forces", "israel defence forces")),
    "Ukrainian army": ("army", ("afu", "armed forces of ukraine")),
    "Syrian Observatory for Human Rights": (
        "ngo",
        ("sohr", "observatory", "syrian observatory", "syrian observatory for human rights"),
    ),
    "United Nations": ("international", ("un", "u.n.", "united nations")),
    "Amnesty International": ("ngo", ("amnesty", "amnesty international")),
    "Human Rights Watch": ("ngo", ("hrw", "human rights watch")),
    "Red Cross": ("ngo", ("icrc", "red cross", "international committee of the red cross")),
    "White Helmets": ("ngo", ("white helmets", "syria civil defence", "syrian civil defense")),
    "NATO": ("international", ("nato",)),
    "SANA": ("media", ("sana", "syrian arab news agency")),
    "FNA": ("media", ("fna", "fars news agency")),
}
#: Aliases that count only in capitals ("IS" is a name, "is" a verb).
_CASED_ALIASES = {"IS": "ISIL"}
#: One-word aliases that are also common nouns: a name only with a capital ("the Observatory", "Amnesty said"),
#: not in "a human rights observatory" or "an amnesty for fighters who surrender".
_CAPITALISED_ALIASES = frozenset({"observatory", "amnesty"})

#: Head noun (singular) -> role.
HEAD_ROLES: dict[str, str] = {
    **dict.fromkeys(
        "army military troop soldier navy marine commando artillery infantry battalion brigade division regiment "
        "battlegroup detachment squadron "
        "airforce warplane jet paratrooper conscript garrison general-staff".split(),
        "army",
    ),
    **dict.fromkeys(
        "government regime administration ministry minister cabinet presidency president authority junta state".split(),
        "government",
    ),
    **dict.fromkeys(
        "militant terrorist jihadist extremist insurgent gunman takfiri mercenary terror terrorism".split(),
        "militant",
    ),
    **dict.fromkeys("rebel opposition guerrilla separatist".split(), "rebel"),
    **dict.fromkeys("militia militiaman paramilitary".split(), "militia"),
    **dict.fromkeys("police policeman policewoman".split(), "police"),
    "fighter": "fighter",
    "force": "force",
    "monitor": "ngo",
    "observatory": "ngo",
    "watchdog": "ngo",
}
#: Modifier (singular, lower case) -> role it gives a generic head ("military source", "opposition fighters").
MODIFIER_ROLES: dict[str, str] = {
    **dict.fromkeys("military army security defence defense armed pro-government field".split(), "army"),
    **dict.fromkeys("government regime state ministry presidential official".split(), "government"),
    **dict.fromkeys("militant terrorist jihadist extremist takfiri insurgent terror".split(), "militant"),
    **dict.fromkeys("rebel opposition".split(), "rebel"),
    **dict.fromkeys("militia paramilitary".split(), "militia"),
    "police": "police",
}
#: Heads that take their role from a modifier ("government forces" -> army, "terrorist groups" -> militant).
_GENERIC_HEADS = frozenset(
    "force fighter group element unit source official officer spokesman spokeswoman spokesperson commander "
    "member cell gang faction organization organisation man personnel".split()
)
#: Heads whose role an army/government modifier turns into ``army`` ("government forces", "regime troops").
_ARMED_HEADS = frozenset("force troop soldier fighter unit personnel man".split())
#: Nouns for people who speak for an organisation: "the army's spokesman" stands for the army.
PERSON_ROLES = frozenset(
    "spokesman spokeswoman spokesperson spokesmen commander commanders head chief director leader leaders member "
    "members official officials representative representatives envoy minister source sources officer officers "
    "general colonel captain lieutenant major president founder chairman secretary-general".split()
)
#: Nouns of people and groups that make a mention an actor even without a name.
PERSON_NOUNS = frozenset(
    "resident witness eyewitness doctor nurse medic activist analyst expert journalist reporter correspondent "
    "official spokesman spokeswoman spokesperson commander diplomat civilian refugee villager farmer "
    "survivor relative family student teacher worker observer envoy minister leader people protester "
    "local inhabitant citizen volunteer rescuer engineer researcher professor lawyer judge agency group "
    "organization organisation charity observatory ngo committee council coalition alliance party movement "
    "tribe clan pensioner shopkeeper trader mother father woman supporter critic opponent backer detractor "
    "lawmaker legislator mp parliamentarian politician councillor".split()
)
_DOCUMENT_HEADS = frozenset(
    "report statement study data figure figures document video footage image photo communique bulletin dispatch "
    "account news information claim reports".split()
)
_PRONOUNS = frozenset("he she it they we i you him her them this that who which one someone".split())
_DETERMINERS = frozenset(
    "the a an its their his her our my your these those this that some several many all both other others numerous "
    "dozens hundreds thousands scores of any each every most few various two three four five six seven eight nine "
    "ten".split()
)
#: Words that label rather than name; never a name, and some hint at a role.
LABEL_WORDS: dict[str, str | None] = {
    "takfiri": "militant",
    "takfiris": "militant",
    "terrorist": "militant",
    "jihadist": "militant",
    "extremist": "militant",
    "zionist": None,
    "nazi": None,
    "foreign-backed": None,
    "western-backed": None,
    "mercenary": "militant",
    "so-called": None,
    "self-styled": None,
    "self-proclaimed": None,
    "puppet": None,
    "occupation": None,
    "criminal": None,
    "heroic": None,
    "brave": None,
    "valiant": None,
}
#: A capital or seat of government stands for its country's government, as news writes it ("Moscow denies", "the
#: Kremlin said", "the Kiev regime"); contested capitals are left out.
_CAPITALS: dict[str, str] = {
    "moscow": "russian",
    "kremlin": "russian",
    "kyiv": "ukrainian",
    "kiev": "ukrainian",
    "damascus": "syrian",
    "baghdad": "iraqi",
    "tehran": "iranian",
    "ankara": "turkish",
    "washington": "us",
    "beijing": "chinese",
    "riyadh": "saudi",
    "cairo": "egyptian",
    "beirut": "lebanese",
    "kabul": "afghan",
    "doha": "qatari",
    "london": "british",
    "paris": "french",
    "berlin": "german",
    "pentagon": "us",
    "elysee": "french",
    "élysée": "french",
}
#: Demonym or country -> the demonym used in keys; ethnic groups too (weak names).
DEMONYMS: dict[str, str] = {
    **{
        w: w
        for w in "syrian iraqi russian turkish iranian israeli ukrainian saudi lebanese jordanian egyptian "
        "yemeni afghan libyan british french german chinese kurdish palestinian qatari emirati".split()
    },
    "syria": "syrian",
    "iraq": "iraqi",
    "russia": "russian",
    "turkey": "turkish",
    "iran": "iranian",
    "israel": "israeli",
    "ukraine": "ukrainian",
    "u.s.": "us",
    "us": "us",
    "american": "us",
    "america": "us",
    "britain": "british",
    "uk": "british",
    "france": "french",
    "saudi-arabia": "saudi",
    "uae": "emirati",
    **_CAPITALS,
}
_DEMONYM_DISPLAY = {"us": "US"}
#: Country names written as several words -> one token that :data:`DEMONYMS` knows ("United States officials" ->
#: "U.S. officials"), so that "States" is not read as the head noun "state".
_MULTIWORD_COUNTRIES = {
    "united states of america": "U.S.",
    "united states": "U.S.",
    "united kingdom": "UK",
    "saudi arabia": "Saudi-Arabia",
    "united arab emirates": "UAE",
    "white house": "U.S.",  # seats of government, as "the Kremlin"
    "downing street": "UK",
}
_MULTIWORD_COUNTRY = re.compile(
    r"\b(?:" + "|".join(re.escape(n) for n in sorted(_MULTIWORD_COUNTRIES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
#: Country names that stand for the country's government when a country is a source or a target ("Russia said").
COUNTRY_NAMES: dict[str, str] = {
    **{c: d for c, d in DEMONYMS.items() if c != d and c != "us"},
    **{
        "lebanon": "lebanese",
        "egypt": "egyptian",
        "yemen": "yemeni",
        "afghanistan": "afghan",
        "libya": "libyan",
        "china": "chinese",
        "germany": "german",
        "qatar": "qatari",
    },
}
_ROLE_NOUN = {
    "army": "army",
    "government": "government",
    "police": "police",
    "militant": "militants",
    "rebel": "rebels",
    "fighter": "fighters",
    "militia": "militia",
    "force": "forces",
    "ngo": "monitoring group",
}
_NON_STATE = frozenset(("kurdish", "palestinian"))
_OFFICIAL_HEADS = frozenset("official spokesman spokeswoman spokesperson minister diplomat envoy source".split())
_NAME_PARTICLES = frozenset(("al", "el", "ad", "as", "bin", "ibn", "abu"))
_SOURCE_TYPE_ROLES = {"military": "army", "government": "government", "political": "government"}
#: Roles of the sides of a conflict: the asymmetry statements compare these (and any actor a loaded term targets).
COMBATANT_ROLES = frozenset(("army", "government", "militant", "rebel", "fighter", "militia", "police", "force"))
_TOKEN = re.compile(r"[\w][\w.'’-]*")
_OWNER = re.compile(
    r"\b(?:" + "|".join(sorted(PERSON_ROLES, key=len, reverse=True)) + r")\s+(?:of|for|from|with|close to|in)\s+(.+)$",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^(.+?)['’]s?\s+(.+)$")
_COMMON = (
    frozenset(HEAD_ROLES) | frozenset(MODIFIER_ROLES) | PERSON_NOUNS | _GENERIC_HEADS | PERSON_ROLES | _DOCUMENT_HEADS
) | frozenset(("media", "television", "agency", "news"))
_HEADS = frozenset(HEAD_ROLES) | _GENERIC_HEADS | PERSON_NOUNS | PERSON_ROLES | _DOCUMENT_HEADS
_IRREGULAR_PLURALS = {
    "men": "man",
    "militiamen": "militiaman",
    "gunmen": "gunman",
    "policemen": "policeman",
    "mps": "mp",
}
_KEEP_S = frozenset("isis news us u.s. hamas yes various previous serious analysis ministries".split())


def singular_noun(word: str) -> str:
    """A rough singular of a lower-case English noun.

    Example:
        >>> [singular_noun(w) for w in ("troops", "militias", "authorities", "forces", "gunmen", "isis", "witnesses")]
        ['troop', 'militia', 'authority', 'force', 'gunman', 'isis', 'witness']

    """
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word in _KEEP_S or len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "nesses")):
        return word[:-2]
    if word.endswith("ses") and not word.endswith(("uses", "ises")):
        return word[:-1]
    return word[:-1]


@dataclass(frozen=True, slots=True)
class ParsedMention:
    """What the rules read from one mention.

    Attributes:
        key: The clustering key: ``alias:<name>`` (alias table, or demonym + role), ``names:<...>``
            (strong names), ``role:<role>`` (generic with a role) or ``head:<noun>`` (generic).
        display: A name to show ("Syrian army", "Rami Abdel Rahman", "militants").
        role: The role, or ``None``.
        strong: Strong-name tokens (lower case).
        weak: Demonyms.
        head: Head noun (singular), or ``None`` for a bare name.
        country: A bare country name ("Russia", "the United States"): the country's government, which a generic
            "the government" or "the regime" does not join (a foreign government is often the only one named).
        initials: For a name of two or more capitalised words, their first letters in lower case ("Warsan Defence
            Force" -> "wdf"), which its acronym ("WDF") joins.
        person_names: When the mention names one person by a title and a name ("Interior Minister Rachid
            Benmerah", "Brigadier General Yahya Saree"), the name's words ("rachid", "benmerah"); else empty.

    """

    key: str
    display: str
    role: str | None
    strong: frozenset[str]
    weak: frozenset[str]
    head: str | None
    country: bool = False
    initials: str | None = None
    person_names: frozenset[str] = frozenset()

    @property
    def named(self) -> bool:
        """Whether the mention names one actor (a name or a known alias), not a kind of actor ("militants")."""
        return bool(self.strong) or self.key.startswith("alias:")


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,.:;!?\"'“”‘’()[]")


#: People tied to another person who do not speak for them: "Venn's deputy" is not Venn.
_SUBORDINATES = frozenset(
    "deputy deputies aide aides adviser advisers advisor advisors assistant wife husband son daughter brother "
    "sister lawyer lawyers attorney successor predecessor counterpart bodyguard bodyguards".split()
)
#: People of their own, not the possessor: "Grell's defenders", "its supporters", "his critics".
NOT_THE_POSSESSOR = frozenset(
    "supporter supporters critic critics opponent opponents defender defenders rival rivals detractor detractors "
    "backer backers enemy enemies victim victims ally allies neighbour neighbours neighbor neighbors".split()
)


def _owner(text: str) -> str:
    """The organisation a person mention speaks for, else the mention itself.

    >>> _owner("the army's spokesman"), _owner("a spokesman for the Harran Front"), _owner("Venn's deputy")
    ('the army', 'the Harran Front', 'deputy')
    """
    match = _OWNER.search(text)
    if match and match.start() <= 40:
        return _clean(match.group(1))
    match = _POSSESSIVE.match(text)
    if match:
        rest = [w.lower() for w in _TOKEN.findall(match.group(2))]
        if any(w in PERSON_ROLES for w in rest):
            return _clean(match.group(1))
        if rest and (rest[-1] in _SUBORDINATES or rest[-1] in NOT_THE_POSSESSOR):
            return _clean(match.group(2))
        return _clean(match.group(1) + " " + match.group(2))
    return text.removesuffix("'s").removesuffix("’s")


def _names_another(word: str) -> bool:
    """Whether a capitalised ``word`` before a one-word alias names another body ("Varesh" Observatory).

    A determiner or a demonym does not: "The Observatory", "the Britain-based Observatory".
    """
    lower = word.lower()
    return word[:1].isupper() and lower not in _DETERMINERS and lower not in DEMONYMS and not lower.endswith("-based")


def _alias(tokens: list[str]) -> str | None:
    """The canonical name of the longest alias found as whole words in ``tokens`` (original case)."""
    lower = [t.lower().rstrip(".") if t.lower() not in ("u.n.", "u.s.") else t.lower() for t in tokens]
    best: tuple[int, str] | None = None
    for canonical, (_, aliases) in ALIASES.items():
        for alias in aliases:
            words = alias.split()
            n = len(words)
            for i in range(len(lower) - n + 1):
                if lower[i : i + n] != words or (best is not None and n <= best[0]):
                    continue
                if (
                    n == 1
                    and alias in _CAPITALISED_ALIASES
                    and (not tokens[i][:1].isupper() or (i > 0 and _names_another(tokens[i - 1])))
                ):  # "a human rights observatory"; "the Varesh Observatory for Human Rights" is another one
                    continue
                best = (n, canonical)
    if best is None:
        for token in tokens:
            if token in _CASED_ALIASES:
                return _CASED_ALIASES[token]
    return best[1] if best else None


_GENERAL_STAFF = re.compile(r"\bGeneral\s+Staff\b")
#: Nouns of a body tied to another one, not that body: "an al Qaeda affiliate", "an ISIL offshoot".
_AFFILIATE_WORDS = frozenset(
    "affiliate affiliates affiliated offshoot offshoots splinter ally allies allied proxy proxies franchise".split()
)


def parse_mention(text: str, source_type: str | None = None) -> ParsedMention | None:
    """Parse one actor mention; ``None`` when it names no actor (a pronoun, "reports", an empty string).

    Args:
        text: The mention as written ("A military source", "ISIL terrorists", "the Syrian army's spokesman").
        source_type: The profile's source type when the mention is a source (a fallback for the role).

    Example:
        >>> parse_mention("Syrian troops").key, parse_mention("the Syrian army").key
        ('alias:Syrian army', 'alias:Syrian army')
        >>> parse_mention("A military source").key, parse_mention("sources", "military").key
        ('role:army', 'role:army')
        >>> parse_mention("Takfiri groups").key, parse_mention("They") is None, parse_mention("reports") is None
        ('role:militant', True, True)

    """
    text = _SINGLE_QUOTED.sub(r"\1", text)  # "the 'independent' council": quote marks, not a possessive
    cleaned = _clean(_GENERAL_STAFF.sub("general-staff", text))  # an army's command, not a general's name
    if not cleaned or _two_actors(cleaned):
        return None
    parts = [p for p in (_clean(_without_modifier(p)) for p in cleaned.split(",")) if p]
    candidates = [(_owner(p), p) for p in parts]
    # With an apposition ("Rami Abdel Rahman, the Observatory's director") prefer the part naming an alias; but
    # "JNIM, an al Qaeda affiliate" names another body than al-Qaeda (its kind of actor, though).
    affiliated_role = None
    for owner, original in candidates:
        alias = _alias(_TOKEN.findall(owner)) or _alias(_TOKEN.findall(original))
        if alias is not None and _AFFILIATE_WORDS.intersection(w.lower() for w in _TOKEN.findall(original)):
            affiliated_role = affiliated_role or ALIASES[alias][0]
            continue
        if alias is not None:
            tokens = _TOKEN.findall(owner)
            strong = frozenset(_name_token(t) for t in tokens if _is_name(t) and t.lower() not in DEMONYMS)
            return ParsedMention(f"alias:{alias}", alias, ALIASES[alias][0], strong, frozenset(), None)
    first = candidates[0][0]
    if _POSSESSIVE.match(parts[0]) and first.lower().split()[-1] in _SUBORDINATES:
        # "Venn's deputy, Colonel Irit Sadan": the deputy's own name, when the mention gives it
        first = next((p for p in parts[1:] if _person_name(_TOKEN.findall(p))), first)
    elif _person_without_name(parts[0]):
        # "The witness, Alma Fenwick", "A spokeswoman, Lena Ostrova": the person's name
        first = next((p for p in parts[1:] if _only_a_name(_TOKEN.findall(p))), first)
    chosen = _MULTIWORD_COUNTRY.sub(lambda m: _MULTIWORD_COUNTRIES[m.group(0).lower()], first)
    tokens = _TOKEN.findall(chosen)
    if not tokens or (len(tokens) == 1 and tokens[0].lower() in _PRONOUNS):
        return None
    country = _country(tokens)
    if country is not None:
        name = f"{_DEMONYM_DISPLAY.get(country, country.capitalize())} government"
        display = _display(candidates[0][0])
        return ParsedMention(f"alias:{name}", display, "government", frozenset(), frozenset({country}), None, True)
    strong: set[str] = set()
    weak: set[str] = set()
    labels: list[str] = []
    words: list[str] = []
    for token in tokens:
        lower = token.lower()
        singular = singular_noun(lower)
        if lower in _DETERMINERS or lower.isdigit():
            continue
        if lower in DEMONYMS:
            weak.add(DEMONYMS[lower])
        elif lower in LABEL_WORDS or singular in LABEL_WORDS:
            labels.append(singular if singular in LABEL_WORDS else lower)
        elif _is_name(token):
            strong.add(_name_token(token))
        else:
            words.append(singular)
    person = frozenset(_name_token(t) for t in _person_name(tokens) or ())
    head = next((w for w in reversed(words) if w in _HEADS), None)
    if head is None and labels and not strong:
        head = next((w for w in reversed(labels) if w in HEAD_ROLES), None)
    if head is None and words and (strong or weak):
        head = words[-1]
    if head in _DOCUMENT_HEADS and not strong:
        return None
    role = _role(head, words, labels, weak, source_type) or affiliated_role
    if strong and role in (None, "army", "force") and _insurgent_name(tokens):
        role = "rebel"  # "the Tarsian Liberation Movement", "the Tolan Revolutionary Army": not a state's army
    display = _display(first)  # as written: "White House spokeswoman", not "U.S. spokeswoman"
    if strong:
        return ParsedMention(
            "names:" + " ".join(sorted(strong)),
            display,
            role,
            frozenset(strong),
            frozenset(weak),
            head,
            initials=_initials(tokens),
            person_names=person,
        )
    if weak and role is not None:
        demonym = " ".join(_DEMONYM_DISPLAY.get(w, w.capitalize()) for w in sorted(weak))
        name = f"{demonym} {_ROLE_NOUN.get(role, role)}"
        return ParsedMention(f"alias:{name}", name, role, frozenset(), frozenset(weak), head)
    if weak and head is not None:
        return ParsedMention(f"head:{' '.join(sorted(weak))} {head}", display, None, frozenset(), frozenset(weak), head)
    if role is not None:
        return ParsedMention(f"role:{role}", display, role, frozenset(), frozenset(), head)
    if head in PERSON_NOUNS:
        return ParsedMention(f"head:{head}", display, None, frozenset(), frozenset(), head)
    return None


#: Words before a person's name: "Interior Minister Rachid Benmerah", "Brigadier General Yahya Saree", "Inspector
#: General of Police Arvind Kaul", "Emirate spokesman Mawlawi Hamdullah Nasrat".
_PERSON_TITLES = frozenset(
    "minister president colonel col general gen brigadier brig major maj captain capt lieutenant lt sergeant sgt "
    "spokesman spokeswoman spokesperson commander governor mayor inspector director chief secretary ambassador "
    "envoy sheikh mawlawi mullah imam dr mr mrs ms premier king emir prince senator marshal admiral officer "
    "commissioner superintendent administrator deputy chairman police resident doctor activist journalist "
    "secretary-general rep representative speaker".split()
)
#: The title words as :func:`parse_mention` keeps them among a mention's names ("col.", "secretary").
_TITLE_NAMES = _PERSON_TITLES | frozenset(t + "." for t in _PERSON_TITLES)
#: People who are not members of the place or institution named after them ("a doctor at Hawzeni's hospital").
_LOCAL_PEOPLE = frozenset(
    "resident witness eyewitness doctor nurse medic pensioner villager farmer civilian refugee survivor relative "
    "teacher worker student local inhabitant citizen shopkeeper trader mother father woman man people family "
    "journalist reporter activist supporter critic opponent backer detractor".split()
)
#: A clause after a person mention: its names are not the mention's ("Residents interviewed by GNA").
_CLAUSE = re.compile(
    r"\s+(?:who|whom|whose|which|that|interviewed|reached|contacted|quoted|cited|speaking|living|displaced"
    r"|appointed|installed|backed|funded|sponsored|supported)\b.*$",
    re.IGNORECASE,
)
#: A place after a mention of local people: "a doctor at Hawzeni's hospital", "residents of Kessa".
_PLACE_AFTER = re.compile(r"\s+(?:in|at|from|near|inside|outside|of)\s+.*$", re.IGNORECASE)


def _without_modifier(text: str) -> str:
    """The mention without a clause or place after it that names someone else.

    >>> _without_modifier("A pensioner who reached Sagani"), _without_modifier("Residents interviewed by GNA")
    ('A pensioner', 'Residents')
    >>> _without_modifier("A doctor at Hawzeni's referral hospital"), _without_modifier("fighters of the Harran Front")
    ('A doctor', 'fighters of the Harran Front')
    """
    text = _CLAUSE.sub("", text) or text
    match = _PLACE_AFTER.search(text)
    if match is None:
        return text
    before = _TOKEN.findall(text[: match.start()])
    names = [t for t in before if _is_name(t) and t.lower() not in _DETERMINERS]
    if before and singular_noun(before[-1].lower()) in _LOCAL_PEOPLE and not names:
        return text[: match.start()]
    return text


#: Words that make a group's name an insurgent one ("Liberation", "Revolutionary") and the words such names end in.
_INSURGENT_NAME_WORDS = frozenset("liberation revolutionary resistance independence deliverance freedom".split())
_INSURGENT_NAME_HEADS = frozenset("movement front army forces force units brigade brigades".split())


def _insurgent_name(tokens: Sequence[str]) -> bool:
    """Whether a mention holds a capitalised name with an insurgent word that ends in a group word.

    >>> _insurgent_name("the Tarsian Liberation Movement".split()), _insurgent_name("Tolan Revolutionary Army".split())
    (True, True)
    >>> _insurgent_name("the Meridian army".split()), _insurgent_name("the liberation front".split())
    (False, False)
    """
    capitals = [t.lower() for t in tokens if t[:1].isupper()]
    named = bool(_INSURGENT_NAME_WORDS.intersection(capitals)) and any(t in _INSURGENT_NAME_HEADS for t in capitals)
    return named or _army_of_a_cause(tokens)


#: Words after "Army of" that name a state, whose army it is ("the Army of the Republic of Vietnam")
_STATE_WORDS = frozenset("republic kingdom state states union federation emirate sultanate".split())


def _army_of_a_cause(tokens: Sequence[str]) -> bool:
    """Whether the mention is an "Army of" a cause, not of a state: "the Army of Conquest", "Army of Islam".

    >>> _army_of_a_cause("the so-called Army of Conquest".split()), _army_of_a_cause("Army of Islam".split())
    (True, True)
    >>> _army_of_a_cause("the Army of the Republic".split()), _army_of_a_cause("the army of Syria".split())
    (False, False)
    """
    for i, token in enumerate(tokens[:-2]):
        if token == "Army" and tokens[i + 1] == "of":
            rest = [t for t in tokens[i + 2 :] if t.lower() != "the"]
            return bool(rest) and all(
                t[:1].isupper()
                and t.lower() not in _STATE_WORDS
                and t.lower() not in DEMONYMS
                and _country([t]) is None
                for t in rest
            )
    return False


_COORDINATION = re.compile(r"^(?:neither\s+)?(?P<left>.+?)\s+(?:and|nor|&)\s+(?P<right>.+)$", re.IGNORECASE)


def _two_actors(text: str) -> bool:
    """Whether a mention joins two actors, so that it is a mention of neither alone.

    Two people's names ("Sen. Dale Harlan and Gov. Miriam Voss", "Harlan and Voss"), or anything with "nor". One
    body's name with "and" in it is one actor: "the Centre for Justice and Dignity".

    >>> [_two_actors(t) for t in ("Harlan and Voss", "Neither the government nor the Southern Shield")]
    [True, True]
    >>> [_two_actors(t) for t in ("the Centre for Justice and Dignity", "Harlan", "Bosnia's army and police")]
    [False, False, False]
    """
    match = _COORDINATION.match(text)
    if match is None:
        return False
    if re.search(r"\snor\s", text, re.IGNORECASE):
        return True
    return all(_only_a_name(_TOKEN.findall(match.group(side))) for side in ("left", "right"))


def _person_without_name(text: str) -> bool:
    """Whether a mention is a person named by no name: "The witness", "a former police dispatcher", "A spokesman".

    >>> [_person_without_name(m) for m in ("The witness", "A spokeswoman", "Its spokesman")]
    [True, True, False]
    >>> [_person_without_name(m) for m in ("The army's spokesman", "the Harran Front")]
    [False, False]
    """
    written = _TOKEN.findall(text)
    if written[:1] and written[0].lower() in ("its", "his", "her", "their"):
        return False  # the possessor's: "Its spokesman" speaks for it
    tokens = [t for t in written if t.lower() not in _DETERMINERS and t.lower() not in ("a", "an")]
    if not tokens or any(_is_name(t) or "'" in t or "’" in t for t in tokens):
        return False
    return singular_noun(tokens[-1].lower()) in PERSON_NOUNS | PERSON_ROLES | _SUBORDINATES


def _only_a_name(tokens: Sequence[str]) -> bool:
    """Whether ``tokens`` are a person's name and titles only ("Alma Fenwick", "Colonel Irit Sadan")."""
    names = [t for t in tokens if t.lower().rstrip(".") not in _PERSON_TITLES]
    return 1 <= len(names) <= 4 and all(_is_name(t) or t.lower() in _NAME_PARTICLES for t in names)


def _person_name(tokens: Sequence[str]) -> list[str] | None:
    """The name after a mention's last title, when the mention ends in it ("Colonel Arnel Bautista"), else ``None``.

    >>> _person_name(["Interior", "Minister", "Rachid", "Benmerah"]), _person_name(["A", "Rapid", "Guard", "commander"])
    (['Rachid', 'Benmerah'], None)
    >>> _person_name(["the", "Harran", "Front"]), _person_name(["Brigadier", "General", "Yahya", "Saree"])
    (None, ['Yahya', 'Saree'])
    """
    titles = [i for i, token in enumerate(tokens) if token.lower().rstrip(".") in _PERSON_TITLES]
    rest = list(tokens[titles[-1] + 1 :]) if titles else []
    return rest if 0 < len(rest) <= 4 and all(_is_name(t) for t in rest) else None


def _initials(tokens: Sequence[str]) -> str | None:
    """First letters of a name's capitalised words ("Government of National Concord" -> "gnc"), for 2 to 6 words.

    >>> _initials(["the", "Aravan", "Liberation", "Army"]), _initials(["Harran"]), _initials(["al-Nusra", "Front"])
    ('ala', None, 'nf')
    """

    def particle(token: str) -> bool:  # "al-Nusra": the name starts after the particle
        return "-" in token and token.partition("-")[0].lower() in _NAME_PARTICLES

    capitals = [t for t in tokens if t[:1].isupper() or particle(t)]
    letters = "".join((t.partition("-")[2] if particle(t) else t)[:1] for t in capitals)
    return letters.lower() if 2 <= len(capitals) <= 6 and letters.isalpha() else None


def _acronym(parsed: ParsedMention) -> str | None:
    """The lower-case acronym a mention's one name is written as ("WDF", "ALA fighters" -> "ala"), else ``None``."""
    if len(parsed.strong) != 1:
        return None
    (name,) = parsed.strong
    for word in _TOKEN.findall(parsed.display):
        if word.lower() == name and word.isalpha() and word.isupper() and 2 <= len(word) <= 6:
            return name
    return None


def _country(tokens: Sequence[str]) -> str | None:
    """The demonym key of a mention that is a bare country name ("the United States" as "the U.S."), else ``None``."""
    rest = [t for t in tokens if t.lower() not in _DETERMINERS]
    if len(rest) != 1:
        return None
    token = rest[0]
    if token.lower() in ("us", "u.s."):
        return "us" if token.isupper() or token == "U.S." else None  # not the pronoun "us"
    return COUNTRY_NAMES.get(token.lower()) if token[:1].isupper() else None


def _is_name(token: str) -> bool:
    """A capitalised word that is not a common actor word ("Amnesty", "ISIL", "al-Assad"; not "Residents").

    A language a group speaks is no name of it: "Russian-speaking fighters" are fighters of no named side.

    >>> _is_name("ISIL"), _is_name("al-Assad"), _is_name("Residents"), _is_name("Russian-speaking")
    (True, True, False, False)
    """
    first, _, rest = token.partition("-")
    capitalised = token[:1].isupper() or (first.lower() in _NAME_PARTICLES and rest[:1].isupper())
    return capitalised and singular_noun(token.lower()) not in _COMMON and rest.lower() != "speaking"


def _name_token(token: str) -> str:
    lower = token.lower().removesuffix("'s").removesuffix("’s")
    for prefix in ("al-", "el-", "ad-", "as-"):
        if lower.startswith(prefix) and len(lower) > len(prefix) + 2:
            return lower[len(prefix) :]
    return lower


#: Heads "armed" makes a state's ("armed forces"); other armed heads are not ("armed groups", "armed men").
_STATE_ARMED_HEADS = frozenset("force unit personnel soldier troop".split())


def _role(head: str | None, words: list[str], labels: list[str], weak: set[str], source_type: str | None) -> str | None:
    modifiers = [
        "militant" if w == "armed" and head not in _STATE_ARMED_HEADS else MODIFIER_ROLES[w]
        for w in words
        if w in MODIFIER_ROLES and w != head
    ]
    modifiers += [r for r in (LABEL_WORDS.get(label) for label in labels) if r]
    own = HEAD_ROLES.get(head or "")
    armed_opponents = {"rebel", "militant", "militia"} & set(modifiers)  # "Syrian opposition fighters"
    if head in _ARMED_HEADS and not armed_opponents and ({"army", "government"} & set(modifiers) or weak - _NON_STATE):
        return "army"
    if head in _GENERIC_HEADS and modifiers:
        return modifiers[-1]
    if own is not None:
        return own
    if head in _OFFICIAL_HEADS and weak - _NON_STATE:
        return "government"  # "U.S. officials", "a Russian diplomat"
    if head in PERSON_ROLES and source_type in _SOURCE_TYPE_ROLES:
        return _SOURCE_TYPE_ROLES[source_type]
    return None


#: Members named before their group's name: "Fighters of the Harran Front" is shown as the group.
_MEMBERS_OF = re.compile(
    r"^(?:fighters|members|militants|troops|soldiers|gunmen|supporters|units|forces)\s+of\s+(?:the\s+)?(?=[A-Z])",
    re.IGNORECASE,
)


#: A word or phrase in single quote marks ("the 'independent' council"; not the apostrophe of "Doctors' unions").
_SINGLE_QUOTED = re.compile(r"(?<!\w)['‘]([^'‘’]+)['’](?!\w)")


def _display(text: str) -> str:
    """The mention as an actor's name: no leading determiners, members before a group's name or unclosed bracket.

    The writer's distancing words and quote marks are no part of the name ("the so-called 'Army of Conquest'").

    >>> _display("the Syrian army"), _display("Fighters of the Tarsian Liberation Movement (TLM")
    ('Syrian army', 'Tarsian Liberation Movement (TLM)')
    >>> _display('the so-called "Army of Conquest')
    'Army of Conquest'
    """
    from attribution.distancing import LEXICAL_MARKERS  # here: distancing reads relays, which read this module

    unquoted = _SINGLE_QUOTED.sub(r"\1", re.sub(r"[\"“”]", " ", text))
    tokens = LEXICAL_MARKERS.sub(" ", unquoted).split()
    tokens = tokens or text.split()
    while len(tokens) > 1 and tokens[0].lower() in _DETERMINERS:
        tokens = tokens[1:]
    shown = _MEMBERS_OF.sub("", " ".join(tokens)).replace("general-staff", "General Staff")
    return shown + ")" if shown.count("(") > shown.count(")") else shown


def cluster_mentions(mentions: Sequence[str], source_types: Sequence[str | None] | None = None) -> list[list[int]]:
    """Group mention indices into actors (mentions that name no actor are left out).

    Clusters are ordered by their first mention; indices within a cluster ascend.

    Example:
        >>> cluster_mentions(["the Observatory", "Syrian Observatory for Human Rights", "Amnesty", "he"])
        [[0, 1], [2]]
        >>> cluster_mentions(["the army", "Syrian troops", "Russian troops"])  # two armies: "the army" stays apart
        [[0], [1], [2]]

    """
    parsed = [parse_mention(m, (source_types or [None] * len(mentions))[i]) for i, m in enumerate(mentions)]
    groups = _clusters(_bodies_named_here(mentions, parsed), texts=mentions)
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _names_another_before(text: str, word: str) -> bool:
    """Whether ``text`` names a body with ``word`` after a name of its own ("Varesh Observatory")."""
    match = re.search(rf"\b([A-Z][\w\-]*)\s+{word}\b", text)
    return match is not None and _names_another(match.group(1))


_LONE_COMMON_ALIAS = re.compile(r"^(?:[Tt]he\s+)?(Observatory|Amnesty)(?:['’]s)?\b")


def _bodies_named_here(texts: Sequence[str], parsed: Sequence[ParsedMention | None]) -> list[ParsedMention | None]:
    """``parsed``, a lone "the Observatory" read as the one other observatory the article names.

    When the article names one other than the alias table's ("the Varesh Observatory for Human Rights"), "the
    Observatory" is that one; so also "Amnesty".

    Example:
        >>> texts = ["The Varesh Observatory for Human Rights", "the Observatory"]
        >>> [p.display for p in _bodies_named_here(texts, [parse_mention(t) for t in texts])]
        ['Varesh Observatory for Human Rights', 'Varesh Observatory for Human Rights']
        >>> [p.display for p in _bodies_named_here(["the Observatory"], [parse_mention("the Observatory")])]
        ['Syrian Observatory for Human Rights']

    """
    out = list(parsed)
    for i, text in enumerate(texts):
        lone = _LONE_COMMON_ALIAS.match(text.strip())
        if lone is None or parsed[i] is None:
            continue
        word = lone.group(1)
        named = {
            q.key: q
            for j, (other, q) in enumerate(zip(texts, parsed, strict=True))
            if j != i and q is not None and not q.key.startswith("alias:") and _names_another_before(other, word)
        }
        if len(named) == 1:
            out[i] = next(iter(named.values()))
    return out


#: Endings that make a demonym of a place name: "Kartenian" (Kartenia), "Sudanese", "Kenyan", "Qamaristani".
_DEMONYM_ENDINGS = ("ian", "ese", "an", "n", "i")
_VOWELS = "aeiouy"


def demonym_of(word: str, place: str) -> bool:
    """Whether ``word`` is the demonym of ``place`` (lower case), also for places no table knows.

    >>> demonym_of("kartenian", "kartenia"), demonym_of("nyakirian", "nyakiri"), demonym_of("qamaristani", "qamaristan")
    (True, True, True)
    >>> demonym_of("sudanese", "sudan"), demonym_of("hassani", "hassan"), demonym_of("kartenia", "kartenian")
    (True, False, False)
    """
    bare = place.rstrip(_VOWELS)  # "kartenia" -> "karten", as "kartenian" less "ian"
    for ending in _DEMONYM_ENDINGS:
        stem = word.removesuffix(ending)
        if stem == word or len(stem) < 4 or (ending == "i" and not stem.endswith("stan")):
            continue
        if stem == place or (place[-1:] in _VOWELS and len(bare) >= 4 and stem.rstrip(_VOWELS) == bare):
            return True
    return False


def _portfolio(display: str) -> frozenset[str]:
    """The capitalised words right before "Minister" or "Secretary" ("Justice Minister Hanna Orlo": justice)."""
    tokens = display.split()
    return frozenset(
        _name_token(tokens[i - 1])
        for i in range(1, len(tokens))
        if tokens[i].lower() in ("minister", "secretary") and tokens[i - 1][:1].isupper()
    )


def _names_overlap(first: frozenset[str] | set[str], second: frozenset[str] | set[str]) -> bool:
    """Whether one set of strong names holds the other, a demonym standing for its place ("Kartenian", "Kartenia").

    Only for mentions of one role, or of no known role both: :func:`_clusters` keeps a country apart from its army,
    as "Russia" from "Russian troops".

    >>> _names_overlap({"harran", "front"}, {"harran"}), _names_overlap({"kartenian"}, {"kartenia"})
    (True, True)
    >>> _names_overlap({"kartenia"}, {"gorvania"}), _names_overlap({"harran"}, {"kessa"})
    (False, False)
    """
    if first <= second or second <= first:
        return True
    smaller, larger = sorted((first, second), key=len)

    def placed(name: str) -> str:
        return next((o for o in larger if demonym_of(name, o) or demonym_of(o, name)), name)

    return {placed(name) for name in smaller} <= larger


def _clusters(
    parsed: Sequence[ParsedMention | None], distanced: Sequence[bool] = (), texts: Sequence[str] = ()
) -> list[list[int]]:
    """Cluster parsed mentions (see the module docstring); returns lists of indices.

    ``distanced[i]``: mention ``i`` is only a name the writer distances ("the so-called 'Army of Conquest'"); a
    generic mention ("the army", "a military source") does not join a cluster of such names alone. ``texts``: the
    mentions as written, for the short forms of one named body or person (:func:`_head_twin`).
    """
    # each: {"strong": set, "role": str|None, "members": list, "joinable": bool, "initials": set, "acronyms": set}
    clusters: list[dict] = []
    by_key: dict[str, int] = {}

    def add(index: int, cluster: int) -> None:
        clusters[cluster]["members"].append(index)
        by_key.setdefault(parsed[index].key, cluster)  # type: ignore[union-attr]

    order = sorted(
        (i for i, p in enumerate(parsed) if p is not None and not p.key.startswith(("role:", "head:"))),
        key=lambda i: (not parsed[i].key.startswith("alias:"), -len(parsed[i].strong), i),  # type: ignore[union-attr]
    )
    for i in order:
        p = parsed[i]
        assert p is not None
        if p.key in by_key:
            target = by_key[p.key]
            clusters[target]["strong"] |= p.strong
            clusters[target]["joinable"] |= not p.country and not (distanced and distanced[i])
            if p.initials:
                clusters[target]["initials"].add(p.initials)
            add(i, target)
            continue
        target = None
        if p.strong:
            # a person who speaks for a named group joins it: "TLM spokesman Amir Haddou" and "the TLM"
            # (a title is no group: "Col. Hadi Rami" and "Col. Irit Sadan", "Defense Secretary" and "Health Secretary")
            group = p.strong - p.person_names - _TITLE_NAMES if p.person_names else frozenset()
            # a minister's portfolio names a ministry only: "Justice Minister Hanna Orlo" is no "Centre for Justice"
            portfolio = bool(group) and group <= _portfolio(p.display)
            for c, cluster in enumerate(clusters):
                plain = cluster["strong"] and (p.strong <= cluster["strong"] or cluster["strong"] <= p.strong)
                in_group = bool(group and group <= cluster["strong"])
                plain = plain or (in_group and (not portfolio or (p.role is not None and cluster["role"] == p.role)))
                if plain and (cluster["role"] is None or p.role is None or cluster["role"] == p.role):
                    target = c
                    break
                # "Kartenian" and "Kartenia" of one role ("Kartenian troops" and "Kartenia's General Staff"); with no
                # role both, a country's name, not its army ("Kartenian troops")
                if p.role == cluster["role"] and cluster["strong"] and _names_overlap(p.strong, cluster["strong"]):
                    target = c
                    break
        acronym = _acronym(p)
        if target is None and (acronym or p.initials):  # "WDF" and "the Warsan Defence Force", in either order
            target = next(
                (
                    c
                    for c, cluster in enumerate(clusters)
                    if (acronym and acronym in cluster.get("initials", ()))
                    or (p.initials and p.initials in cluster.get("acronyms", ()))
                ),
                None,
            )
        if target is None:
            clusters.append(
                {
                    "strong": set(p.strong),
                    "role": p.role,
                    "members": [],
                    "joinable": False,
                    "initials": set(),
                    "acronyms": set(),
                }
            )
            target = len(clusters) - 1
        elif clusters[target]["role"] is None:
            clusters[target]["role"] = p.role
        if acronym:
            clusters[target]["acronyms"].add(acronym)
        clusters[target]["strong"] |= p.strong
        clusters[target]["joinable"] |= not p.country and not (distanced and distanced[i])
        if p.initials:
            clusters[target]["initials"].add(p.initials)
        add(i, target)
    named_by_role: dict[str, list[int]] = defaultdict(list)
    for c, cluster in enumerate(clusters):
        if cluster["role"] is not None and cluster["joinable"] and not _one_person(parsed, cluster["members"]):
            named_by_role[cluster["role"]].append(c)
    for i, p in enumerate(parsed):
        if p is None or not p.key.startswith(("role:", "head:")):
            continue
        twin = _head_twin(p, texts[i] if texts else p.display, parsed, clusters)
        if twin is not None:  # "the movement" and "the Civic Renewal Movement"
            clusters[twin]["members"].append(i)
            if p.key.startswith("head:"):  # "the movement's spokesman" too; but "the minister" is no "government"
                by_key.setdefault(p.key, twin)
            continue
        if p.key in by_key:
            add(i, by_key[p.key])
            continue
        candidates = named_by_role.get(p.role or "", []) if p.key.startswith("role:") else []
        if len(candidates) == 1:
            add(i, candidates[0])
            continue
        clusters.append({"strong": set(), "role": p.role, "members": []})
        add(i, len(clusters) - 1)
    return [cluster["members"] for cluster in clusters]


#: Titles a generic "the ..." may stand for one named person by: "the interior minister" is "Minister Lena Korval".
_TWIN_TITLES = frozenset(
    "minister spokesman spokeswoman spokesperson president governor mayor ambassador envoy commander general colonel "
    "director chairman correspondent secretary-general".split()
)


def _head_twin(
    p: ParsedMention, text: str, parsed: Sequence[ParsedMention | None], clusters: Sequence[dict]
) -> int | None:
    """The one named cluster a generic singular mention is a short form of, by its head noun.

    "the movement" is the "Civic Renewal Movement" (a name ending in that noun) and "the interior minister" is
    "Minister Lena Korval" (a title before a name) when the article names one such body or person. None with two
    (two named movements, two ministers), another role ("the army" and "the Tolan Revolutionary Army"), for a
    plural ("the movements"), a mention with an apposition or a conjunction ("Its spokesman, Major General Kyaw
    Thiha Lwin", "officials and the group"), local people ("the residents"), or a person's short form that is
    neither definite nor a bare title ("a minister"; a headline's "Minister" is the minister).
    """
    words = p.display.lower().replace("’", "'").removesuffix("'s").split()
    if p.head is None or p.weak or not words or words[-1] != p.head or p.head in _LOCAL_PEOPLE:
        return None
    if " and " in text or "," in text.strip(" ,"):
        return None
    written = text.strip()
    definite = written.lower().startswith("the ") or (" " not in written and written[:1].isupper())  # "Minister"
    twins = set()
    for c, cluster in enumerate(clusters):
        if p.role is not None and cluster["role"] not in (None, p.role):  # "the army" is no "Liberation Army"
            continue
        for m in cluster["members"]:
            named = parsed[m]
            if named is None or not named.strong:
                continue
            if named.person_names:  # a title before the name: "army spokesman Colonel Idrissa Keita"
                titled = named.display.lower().split()
                # "the minister", a headline's "Minister" or "Defence minister" (its office as written)
                office = len(words) > 1 and set(words) <= set(titled)
                if (definite or office) and p.head in _TWIN_TITLES and p.head in titled:
                    twins.add(c)
            elif named.head == p.head and named.display.lower().split()[-1] in (p.head, p.head + "s"):
                twins.add(c)
    return twins.pop() if len(twins) == 1 else None


#: Titles of a head of state, who stands for the government ("President Bashar al-Assad" and "the government").
_HEAD_OF_STATE = frozenset("president king emir premier prime state".split())


def _one_person(parsed: Sequence[ParsedMention | None], members: Sequence[int]) -> bool:
    """Whether a cluster's names are all one person's (:func:`_of_people`).

    Generic mentions ("military officials", "the authorities") do not join such a cluster.
    """
    named = [p for p in (parsed[i] for i in members) if p is not None and p.strong]
    return bool(named) and all(_of_people(named))


def _of_people(named: Sequence[ParsedMention]) -> list[bool]:
    """For each named mention of one actor, whether it names a person who is not a head of state.

    "Colonel Arnel Bautista", or a part of his name or his title alone with no head noun ("Bautista", a headline's
    "Senator"); not "the Assad regime", not "the CMT", not "President Bashar al-Assad" (a head of state stands for
    the government).
    """
    people = {name for p in named for name in p.person_names}
    if any(w in _HEAD_OF_STATE for p in named if p.person_names for w in p.display.lower().split()):
        return [False] * len(named)
    return [
        bool(p.person_names) or (bool(people) and p.strong <= people | _PERSON_TITLES and p.head is None) for p in named
    ]


@dataclass(frozen=True, slots=True)
class Mention:
    """One actor mention in a report: its text and where it came from.

    ``kind`` is ``source``, ``term_target`` or ``distancing_target``; ``item`` indexes the attributions,
    loaded terms or distancing markers accordingly; ``span`` is its offsets when known (mentions with the
    same span are counted once).
    """

    text: str
    kind: str
    item: int
    sentence_index: int
    span: tuple[int, int] | None = None
    source_type: str | None = None


_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?:]\s+|\n\s*)[\"“‘']?$")


def read_mid_sentence(mention: Mention, text: str) -> str:
    """The mention's words with a sentence's capitalised first word in lower case when it is a common word.

    A word counts as common when the article also writes it in lower case and the mention's next word is in lower
    case: "Leaked memo" and "Security sources" start their sentences, but "a leaked memo" and "security forces"
    show what the words are. A name keeps its capital ("Hamas said", "Security Council"), as does a mention that
    is not the text at its span (a resolved name).

    >>> text = "Security sources said so. The security forces left. Hamas said no."
    >>> [read_mid_sentence(Mention(w, "source", 0, 0, (text.index(w), text.index(w) + len(w))), text)
    ...  for w in ("Security sources", "Hamas")]
    ['security sources', 'Hamas']
    """
    if mention.span is None or text[mention.span[0] : mention.span[1]] != mention.text:
        return mention.text
    words = mention.text.split()
    if len(words) < 2 or not words[0][:1].isupper() or not words[1][:1].islower():
        return mention.text
    if not _SENTENCE_BEFORE.search(text[max(0, mention.span[0] - 3) : mention.span[0]]):
        return mention.text
    from attribution.relays import common_words  # here: relays reads this module

    first = words[0].lower()
    if first not in common_words(text):
        return mention.text
    return first + mention.text[len(words[0]) :]


def _capital_kept(parsed: ParsedMention | None, written: str) -> ParsedMention | None:
    """``parsed`` with its display starting as ``written`` does ("Chief prosecutor", read as "chief prosecutor")."""
    if parsed is None or not written[:1].isupper() or not parsed.display[:1].islower():
        return parsed
    if not written.lower().startswith(parsed.display.split()[0].lower()):
        return parsed
    return replace(parsed, display=parsed.display[:1].upper() + parsed.display[1:])


def _read_with_label(label: str, head: str) -> bool:
    """Whether a target right after its term is read with it: alone it names no actor, or none of a known role.

    >>> _read_with_label("foreign-backed terrorist", "gangs"), _read_with_label("Takfiri", "groups")
    (True, True)
    >>> _read_with_label("terrorist", "ISIL"), _read_with_label("brave", "residents")
    (False, False)
    """
    alone = parse_mention(head)
    if alone is None:
        return True
    together = parse_mention(f"{label} {head}")
    return alone.role is None and together is not None and together.role is not None


#: Loaded-term categories that name an actor: their words can stand for it when the term has no target.
ACTOR_LABELS = frozenset({"name_calling", "delegitimizing"})


def report_mentions(
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
    distancing: Sequence[DistancingMarker],
) -> list[Mention]:
    """The actor mentions of a report: sources (resolved when the profile resolved them), term and distancing targets.

    A name-calling or delegitimizing term without a target whose words name a kind of actor ("the terrorists",
    "the regime", "mercenaries") is a mention of that actor itself; other terms without a target ("liberated",
    "thugs", which names no role) are none, nor is a denied label ("They are not terrorists").

    Example:
        >>> from attribution.records import LoadedTerm
        >>> [m.text for m in report_mentions([], [LoadedTerm("name_calling", 5, 15, "terrorists", 0, 0.9,
        ...                                                 target="ISIL", target_span=(0, 4))], [])]
        ['ISIL']
        >>> labelled = LoadedTerm("delegitimizing", 0, 24, "foreign-backed terrorist", 0, 0.8, target="gangs",
        ...                       target_span=(25, 30))  # "gangs" alone names no actor: read with its label
        >>> [(m.text, m.span) for m in report_mentions([], [labelled], [])]
        [('foreign-backed terrorist gangs', (0, 30))]
        >>> own = LoadedTerm("name_calling", 0, 31, "Takfiri terrorist organizations", 0, 0.9, target="organizations",
        ...                  target_span=(18, 31))  # its own head noun, which alone names no actor: the whole term
        >>> [(m.text, m.span) for m in report_mentions([], [own], [])]
        [('Takfiri terrorist organizations', (0, 31))]
        >>> bare = LoadedTerm("name_calling", 4, 14, "terrorists", 0, 0.9)  # no target: the label names the actor
        >>> [(m.text, m.span) for m in report_mentions([], [bare], [])]
        [('terrorists', (4, 14))]

    """
    out: list[Mention] = []
    for i, a in enumerate(attributions):
        if not a.source:
            continue
        text = a.resolved_source or a.source_text or ""
        span = (a.source[0].start, a.source[-1].end)
        out.append(Mention(text, "source", i, a.sentence_index, span, a.source_type))
    for i, t in enumerate(loaded_terms):
        if t.denied:  # "They are not terrorists": the label is applied to no one
            continue
        if not t.target:
            if t.category in ACTOR_LABELS and (parsed := parse_mention(t.text)) is not None and parsed.role:
                # a label that is itself a kind of actor ("the terrorists", "the regime") stands for that actor
                out.append(Mention(t.text, "term_target", i, t.sentence_index, (t.start, t.end)))
            continue
        if _read_with_target(t):  # "Takfiri" + "groups"; "organizations" of "Takfiri terrorist organizations"
            span = (t.start, max(t.end, t.target_span[1]))  # type: ignore[index]
            out.append(Mention(_label_mention(t), "term_target", i, t.sentence_index, span))
        else:
            out.append(Mention(t.target, "term_target", i, t.sentence_index, t.target_span))
    for i, d in enumerate(distancing):
        out.append(Mention(d.target_text, "distancing_target", i, d.sentence_index, (d.target_start, d.target_end)))
    return out


def targets_from_actors(actors: Sequence[Actor], loaded_terms: Sequence[LoadedTerm]) -> tuple[LoadedTerm, ...]:
    """The loaded terms, a bare label given the actor the table joined it to as its target.

    A name-calling or delegitimizing term with no target in its sentence whose words name a kind of actor ("the
    terrorists") is a mention of that actor (:func:`report_mentions`). When the table joins it to an actor that
    the article names (a source, another term's target or a distancing target gives a name, not only a kind of
    actor), the article makes clear whom the label is for: the term gets the actor's name as its target, and its
    own offsets as the target span (the label itself is the mention). A label joined to no name keeps no target.
    So does a term whose target is the kind right after it, read with it ("Takfiri" + "groups": the mention
    "Takfiri groups", which may join ISIL); its target span then covers both words.

    Example:
        >>> from attribution.records import LoadedTerm
        >>> terms = [LoadedTerm("name_calling", 0, 15, "ISIL terrorists", 0, 0.9, target="ISIL", target_span=(0, 4)),
        ...          LoadedTerm("name_calling", 40, 50, "terrorists", 2, 0.9)]
        >>> [(t.target, t.target_span) for t in targets_from_actors(build_actors([], terms), terms)]
        [('ISIL', (0, 4)), ('ISIL', (40, 50))]
        >>> alone = [LoadedTerm("name_calling", 40, 50, "terrorists", 2, 0.9)]  # nothing else names them
        >>> [t.target for t in targets_from_actors(build_actors([], alone), alone)]
        [None]

    """
    out = list(loaded_terms)
    for actor in actors:
        bare = [i for i in actor.term_indices if loaded_terms[i].target is None or _read_with_target(loaded_terms[i])]
        labels = {" ".join(_label_mention(loaded_terms[i]).split()) for i in bare}
        if not bare or not any(
            (parsed := parse_mention(form)) is not None and parsed.named for form in actor.forms if form not in labels
        ):
            continue
        for i in bare:
            term = loaded_terms[i]
            end = max(term.end, term.target_span[1] if term.target is not None and term.target_span else term.end)
            out[i] = replace(term, target=actor.name, target_span=(term.start, end))
    return tuple(out)


def _target_after(term: LoadedTerm) -> bool:
    return term.target_span is not None and 0 <= term.target_span[0] - term.end <= 1


def _own_head_noun(term: LoadedTerm) -> bool:
    """Whether a term's target is its own last, unnamed words ("organizations" of "Takfiri terrorist organizations").

    A name inside the term is no head noun: "Marawin" in "the genocidal Marawin army" is the target itself.
    """
    span = term.target_span
    if span is None or term.target is None or not term.start <= span[0] < span[1] == term.end:
        return False
    parsed = parse_mention(term.target)
    unnamed = parsed is None or not (parsed.strong or parsed.weak)
    return unnamed and term.text[span[0] - term.start :].lower() == term.target.lower()


def _read_with_target(term: LoadedTerm) -> bool:
    """Whether a term's target is read with it, as the mention of the actor the term names.

    So it is when the target is right after the term ("Takfiri" + "groups") or is the term's own head noun
    ("organizations" of "Takfiri terrorist organizations"), and alone names no actor of a role.
    """
    span = term.target_span
    return (
        term.target is not None
        and span is not None
        and (_target_after(term) or _own_head_noun(term))
        and _read_with_label(term.text, term.target)
    )


def _label_mention(term: LoadedTerm) -> str:
    return f"{term.text} {term.target}" if _read_with_target(term) and _target_after(term) else term.text


def _inside_a_fuller_mention(
    mentions: Sequence[Mention], parsed: Sequence[ParsedMention | None]
) -> list[ParsedMention | None]:
    """``parsed``, a generic mention inside a fuller one with the same head noun read as the fuller one.

    "experts", the target of "so-called" in the source "the so-called experts in Washington", is those experts,
    not experts in general. Only the same head noun counts: "the so-called ministry" inside "Residents
    interviewed by the so-called ministry" names someone else.

    Example:
        >>> outer, inner = Mention("the so-called experts in Washington", "source", 0, 0, (0, 35)), Mention(
        ...     "experts", "distancing_target", 0, 0, (14, 21))
        >>> [p.display for p in _inside_a_fuller_mention([outer, inner], [parse_mention(outer.text),
        ...                                                                parse_mention(inner.text)])]
        ['experts in Washington', 'experts in Washington']

    """
    out = list(parsed)
    for i, (mention, p) in enumerate(zip(mentions, parsed, strict=True)):
        if p is None or mention.span is None or not p.key.startswith(("head:", "role:")) or p.head is None:
            continue
        for other, q in zip(mentions, parsed, strict=True):
            if q is None or other.span is None or other is mention or q.head != p.head or q.key == p.key:
                continue
            if other.span[0] <= mention.span[0] and mention.span[1] <= other.span[1]:
                out[i] = q
                break
    return out


def build_actors(
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
    distancing: Sequence[DistancingMarker] = (),
    text: str | None = None,
) -> tuple[Actor, ...]:
    """The actor table of a report, most mentioned actor first.

    Args:
        attributions: The report's attributions (their sources, with profile fields when present).
        loaded_terms: Its loaded terms (their targets).
        distancing: Its distancing markers (their targets).
        text: The article, when known: a sentence's capitalised first word that the article also writes in lower
            case is no name ("Leaked memo", "Security sources"; :func:`read_mid_sentence`).

    Example:
        >>> from attribution.records import Attribution, LoadedTerm, Span
        >>> src = Attribution(cue=(Span("CUE", 18, 22, "said", 0),),
        ...                   source=(Span("SOURCE", 0, 17, "A military source", 0),), content=(), kind="indirect",
        ...                   sentence_index=0, score=1.0, source_type="military", anonymous=True)
        >>> terms = [LoadedTerm("name_calling", 40, 50, "terrorists", 1, 0.9, target="ISIL"),
        ...          LoadedTerm("loaded_language", 60, 69, "liberated", 1, 0.9, "positive", target="the Syrian army")]
        >>> for actor in build_actors([src], terms):
        ...     print(actor.name, actor.mentions, actor.claims, actor.anonymous_claims, actor.term_indices)
        Syrian army 2 (0,) (0,) (1,)
        ISIL 1 () () (0,)

    """
    mentions = report_mentions(attributions, loaded_terms, distancing)
    # Mentions with the same span (several terms aimed at one target) count once, but keep all their items.
    unique: list[Mention] = []
    items_of: list[list[Mention]] = []
    seen: dict[tuple[str, tuple[int, int]], int] = {}
    for m in mentions:
        dedupe = ("span", m.span) if m.span is not None else None
        if dedupe is not None and dedupe in seen:
            items_of[seen[dedupe]].append(m)
            continue
        if dedupe is not None:
            seen[dedupe] = len(unique)
        unique.append(m)
        items_of.append([m])
    read = [read_mid_sentence(m, text) if text is not None else m.text for m in unique]
    parsed = [_capital_kept(parse_mention(r, m.source_type), m.text) for r, m in zip(read, unique, strict=True)]
    parsed = _inside_a_fuller_mention(unique, _bodies_named_here(read, parsed))
    actors = []
    for members in _clusters(parsed, [m.kind == "distancing_target" for m in unique], read):
        everything = [item for i in members for item in items_of[i]]
        actors.append(_actor(members, unique, parsed, everything, attributions, loaded_terms))
    actors.sort(key=lambda a: (-a.mentions, -len(a.term_indices) - len(a.claims), a.sentence_indices[:1]))
    return tuple(actors)


def _actor(
    members: list[int],
    unique: Sequence[Mention],
    parsed: Sequence[ParsedMention | None],
    items: list[Mention],
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
) -> Actor:
    forms = Counter(" ".join(unique[i].text.split()) for i in members)
    keyed = [p for p in (parsed[i] for i in members) if p is not None]
    role = next((p.role for p in keyed if p.role), None)
    aliases = [p for p in keyed if p.key.startswith("alias:")]
    # the alias's own name first: "US government" rather than "Pentagon" or "Kremlin"
    alias = next((p for p in aliases if p.key == f"alias:{p.display}"), aliases[0] if aliases else None)
    named = sorted((p for p in keyed if p.strong), key=lambda p: (-len(p.strong), -forms[p.display], -len(p.display)))
    # "Interior Ministry" before its minister
    organisations = [p for p, person in zip(named, _of_people(named), strict=True) if not person]
    if alias is not None:
        name = alias.display
    elif organisations:
        name = organisations[0].display
    elif named:
        name = named[0].display
    else:
        # A cluster of generic mentions is named by its role ("rebels"), not by one wording of it.
        common = sorted(Counter(p.display for p in keyed).items(), key=lambda kv: (-kv[1], len(kv[0])))
        name = _ROLE_NOUN.get(role or "") or common[0][0]
    claims = sorted({m.item for m in items if m.kind == "source"})
    term_ids = sorted({m.item for m in items if m.kind == "term_target"})
    by_kind: dict[tuple[str, str], list[int]] = defaultdict(list)
    for t in term_ids:
        by_kind[(loaded_terms[t].category, loaded_terms[t].voice)].append(t)
    terms = tuple(
        ActorTerms(
            category,
            voice,
            len(ids),
            tuple(ids),
            tuple(sorted({loaded_terms[t].sentence_index for t in ids})),
        )
        for (category, voice), ids in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    )
    return Actor(
        name=name,
        role=role,
        forms=tuple(form for form, _ in forms.most_common()),
        mentions=len(members),
        sentence_indices=tuple(sorted({m.sentence_index for m in items})),
        terms=terms,
        term_indices=tuple(term_ids),
        claims=tuple(claims),
        anonymous_claims=tuple(i for i in claims if attributions[i].anonymous is True),
        named_claims=tuple(i for i in claims if attributions[i].anonymous is False),
        distancing=tuple(sorted({m.item for m in items if m.kind == "distancing_target"})),
        distanced_claims=tuple(i for i in claims if attributions[i].stance == "distancing"),
    )


# --------------------------------------------------------------------------- asymmetries

_VOICE_WORDS = {"narrator": "in the writer's own voice", "indirect": "in paraphrase of a source", "quoted": "in quotes"}


def _quoted(texts: Sequence[str], limit: int = 3) -> str:
    """Distinct texts in quotation marks, each with ``×n`` when repeated, at most ``limit`` of them.

    Example:
        >>> _quoted(["terrorists", "Takfiri", "terrorists"])
        '“terrorists” ×2, “Takfiri”'

    """
    counts = Counter(" ".join(t.split()) for t in texts)
    shown = [f"“{t}”" + (f" ×{n}" if n > 1 else "") for t, n in counts.most_common()]
    return ", ".join(shown[:limit]) + (", …" if len(shown) > limit else "")


#: Aliases that read with "the" in a sentence.
_THE_ALIASES = frozenset(
    (
        "Syrian Observatory for Human Rights",
        "United Nations",
        "Red Cross",
        "White Helmets",
        "Free Syrian Army",
        "Taliban",
        "United States",
        "United Kingdom",
        "United Arab Emirates",
        "US",
        "UK",
        "UAE",
    )
)


def same_actor(first: str, second: str) -> bool:
    """Whether two mentions name one actor: the same words, one of them with modifiers, or one cluster by the rules.

    What the loaded-term evaluation asks of a predicted target against a gold one. Determiners and case are
    ignored; "men" and "young men" share the head word; a generic mention matches the named actor of its role
    ("the army" and "Syrian army"), as it would join it in one article.

    Example:
        >>> same_actor("the Syrian Arab Army", "Syrian troops"), same_actor("Islamic State", "ISIL")
        (True, True)
        >>> same_actor("defenders", "our defenders"), same_actor("young men", "men")
        (True, True)
        >>> same_actor("ISIL", "the Syrian army"), same_actor("Russia", "the regime"), same_actor("men", "women")
        (False, False, False)

    """
    words = [
        [_name_token(t) for t in _TOKEN.findall(text) if t.lower() not in _DETERMINERS] for text in (first, second)
    ]
    shorter, longer = sorted(words, key=len)
    if not shorter:
        return False
    if shorter == longer or (set(shorter) <= set(longer) and shorter[-1] == longer[-1]):
        return True
    return cluster_mentions([first, second]) == [[0, 1]]


def in_sentence(name: str) -> str:
    """An actor name as it reads inside a sentence: "the" before a common-noun name.

    Example:
        >>> [in_sentence(name) for name in ("Syrian army", "militants", "ISIL", "United States", "Russia")]
        ['the Syrian army', 'the militants', 'ISIL', 'the United States', 'Russia']

    """
    last = name.split()[-1] if name.split() else name
    if name in _THE_ALIASES or (last[:1].islower() and not name.lower().startswith(("the ", "a ", "an "))):
        return f"the {name}"
    return name


def _names(actors: Sequence[Actor]) -> str:
    names = [in_sentence(a.name) for a in actors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _voices(ids: Sequence[int], terms: Sequence[LoadedTerm]) -> str:
    counts = Counter(terms[i].voice for i in ids)
    parts = [f"{n} {_VOICE_WORDS.get(v, v)}" for v, n in counts.most_common()]
    return "; ".join(parts)


def find_asymmetries(
    actors: Sequence[Actor],
    loaded_terms: Sequence[LoadedTerm],
    attributions: Sequence[Attribution],
    distancing: Sequence[DistancingMarker] = (),
) -> tuple[Asymmetry, ...]:
    """The asymmetries the actor table shows, each stated plainly with its evidence sentences.

    The sides compared are actors with a combatant role (:data:`COMBATANT_ROLES`) or that some loaded term
    targets; for claims, every actor with a claim of known anonymity.

    Example:
        >>> import textwrap
        >>> from attribution.records import Actor
        >>> isil = Actor("ISIL", "militant", ("ISIL",), 2, (1, 2), term_indices=(0,))
        >>> army = Actor("Syrian army", "army", ("the army",), 2, (0, 2))
        >>> terms = [LoadedTerm("name_calling", 0, 10, "terrorists", 1, 0.9, "negative", target="ISIL")]
        >>> for asymmetry in find_asymmetries([isil, army], terms, []):
        ...     print(asymmetry.kind, asymmetry.actors, asymmetry.sentence_indices)
        ...     print(textwrap.fill(asymmetry.statement, 100))
        name_calling (0, 1) (0, 1, 2)
        Name-calling (“terrorists”) is applied to ISIL once (1 in the writer's own voice); no name-calling
        is applied to the Syrian army.

    """
    out: list[Asymmetry] = []
    sides = [i for i, a in enumerate(actors) if a.role in COMBATANT_ROLES or a.term_indices]

    def calling(i: int) -> list[int]:
        return [
            t
            for t in actors[i].term_indices
            if loaded_terms[t].category == "name_calling" and loaded_terms[t].polarity != "positive"
        ]

    called = [i for i in sides if calling(i)]
    spared = [i for i in sides if not calling(i)]
    if called and spared:
        for i in sorted(called, key=lambda i: -len(calling(i)))[:3]:
            ids = calling(i)
            others = [actors[j] for j in spared]
            out.append(
                Asymmetry(
                    "name_calling",
                    f"Name-calling ({_quoted([loaded_terms[t].text for t in ids])}) is applied to "
                    f"{in_sentence(actors[i].name)} {_times(len(ids))} ({_voices(ids, loaded_terms)}); "
                    "no name-calling is applied to "
                    f"{_names(others)}.",
                    (i, *spared),
                    _sentences([loaded_terms[t].sentence_index for t in ids], *(a.sentence_indices for a in others)),
                )
            )

    def polar(i: int, polarity: str) -> list[int]:
        spans = {  # a span under two categories ("martyred" as loaded language and name-calling) counts once
            (loaded_terms[t].start, loaded_terms[t].end): t
            for t in reversed(actors[i].term_indices)
            if loaded_terms[t].polarity == polarity
        }
        return sorted(spans.values())

    praised = [i for i in sides if polar(i, "positive") and not polar(i, "negative")]
    blamed = [i for i in sides if polar(i, "negative") and not polar(i, "positive")]
    if praised and blamed:
        pos = [t for i in praised for t in polar(i, "positive")]
        neg = [t for i in blamed for t in polar(i, "negative")]
        out.append(
            Asymmetry(
                "polarity",
                f"Positive terms ({_quoted([loaded_terms[t].text for t in pos])}) are applied only to "
                f"{_names([actors[i] for i in praised])}; negative ones "
                f"({_quoted([loaded_terms[t].text for t in neg])}) only to {_names([actors[i] for i in blamed])}.",
                (*praised, *blamed),
                _sentences([loaded_terms[t].sentence_index for t in (*pos, *neg)]),
            )
        )

    # Sides with a role (not "residents" or "witnesses", whose claims are anonymous by nature).
    known = [i for i, a in enumerate(actors) if a.role is not None and (a.anonymous_claims or a.named_claims)]
    known.sort(key=lambda i: -len(actors[i].claims))

    def anonymous_share(i: int) -> float:
        a = actors[i]
        return len(a.anonymous_claims) / (len(a.anonymous_claims) + len(a.named_claims))

    hidden = [i for i in known if anonymous_share(i) > 0.5]
    named = [i for i in known if anonymous_share(i) < 0.5]
    if hidden and named:
        for i in hidden[:2]:
            a = actors[i]
            n_known = len(a.anonymous_claims) + len(a.named_claims)
            if n_known == 1:
                share = "The only claim"
            elif len(a.anonymous_claims) == n_known:
                share = "Both claims" if n_known == 2 else f"All {n_known} claims"
            else:
                share = f"{len(a.anonymous_claims)} of {n_known} claims"
            sources = _quoted([attributions[c].source_text or "" for c in a.anonymous_claims])
            others = ", ".join(
                f"{in_sentence(actors[j].name)} ({len(actors[j].named_claims)} of "
                f"{len(actors[j].named_claims) + len(actors[j].anonymous_claims)})"
                for j in named
            )
            out.append(
                Asymmetry(
                    "anonymity",
                    f"{share} of {in_sentence(a.name)} {'comes' if n_known == 1 else 'come'} from "
                    f"{'an anonymous source' if n_known == 1 else 'anonymous sources'} ({sources}); "
                    f"the claims of {others} name their source.",
                    (i, *named),
                    _sentences(
                        [attributions[c].sentence_index for c in a.claims],
                        *([attributions[c].sentence_index for c in actors[j].claims] for j in named),
                    ),
                )
            )

    parties = sorted(set(sides) | {i for i, a in enumerate(actors) if a.claims and a.role is not None})
    distanced = [i for i, a in enumerate(actors) if a.distancing or a.distanced_claims]
    plain = [i for i in parties if not (actors[i].distancing or actors[i].distanced_claims)]
    if distanced and plain:
        for i in distanced[:2]:
            a = actors[i]
            what = []  # a marker questions a name for the actor ("so-called", "what X called"), not the actor
            if a.distancing:
                kinds = [distancing[d] for d in a.distancing]
                how = [_quoted([d.text for d in kinds if d.kind != "scare_quotes"])]
                how += ["scare quotes"] if any(d.kind == "scare_quotes" for d in kinds) else []
                what.append(f"a name for {in_sentence(a.name)} ({'; '.join(h for h in how if h)})")
            if a.distanced_claims:
                cues = _quoted([attributions[c].cue_text for c in a.distanced_claims])
                whose = "its claims" if what else f"the claims of {in_sentence(a.name)}"
                what.append(f"{whose} (reported with {cues})")
            evidence = [distancing[d].sentence_index for d in a.distancing]
            evidence += [attributions[c].sentence_index for c in a.distanced_claims]
            out.append(
                Asymmetry(
                    "distancing",
                    f"The writer distances itself from {' and from '.join(what)}; "
                    f"from no name or claim of {_names([actors[j] for j in plain])}.",
                    (i, *plain),
                    _sentences(evidence),
                )
            )
    return tuple(out)


def _sentences(*groups: Sequence[int]) -> tuple[int, ...]:
    return tuple(sorted({i for group in groups for i in group}))
