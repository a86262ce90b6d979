"""Relays (``via``) and the resolution of pronoun and nominal sources (annotation guidelines section 1).

Rules, measured against the hand labels (see ``resources/source_profile/README.md``):

- :func:`find_via`: the outlet that passed a claim on: "A military source *told FNA*", "*according to
  Reuters*, officials said", "said *in an interview with CNN*", "*state television* quoted X as
  saying", "X was quoted *by Reuters* as saying", "X said, *according to Politico*". Only media count as
  relays ("told reporters", "told a crowd", "told Trump" are not).
- :func:`resolve_source`: the named entity that a pronoun ("he", "she", "it", "they", "who", "I" in a
  quote) or a nominal source ("the senator", "the watchdog", "the observatory", "the report") refers
  to: the nearest earlier compatible name in the article (a person for "he"/"the senator", an
  organisation for "it"/"the watchdog", the author of a report for "the report"), returned in its
  fullest earlier form ("Rami Abdel Rahman" for a later "Abdel Rahman").

Example:
    >>> from attribution.records import Attribution, Sentence, Span
    >>> text = "A military source told FNA that clashes are underway."
    >>> sentence = Sentence(0, 0, len(text), text)
    >>> a = Attribution(cue=(Span("CUE", 18, 22, "told", 0),), source=(Span("SOURCE", 0, 17, "A military source", 0),),
    ...                 content=(), kind="indirect", sentence_index=0, score=1.0)
    >>> [s.text for s in find_via(a, text, sentence)]
    ['FNA']
    >>> text = "The Syrian Observatory for Human Rights reported 37 dead. It said the toll would rise."
    >>> sentences = [Sentence(0, 0, 57, text[:57]), Sentence(1, 58, len(text), text[58:])]
    >>> a = Attribution(cue=(Span("CUE", 61, 65, "said", 1),), source=(Span("SOURCE", 58, 60, "It", 1),),
    ...                 content=(), kind="indirect", sentence_index=1, score=1.0)
    >>> resolve_source(a, text, sentences, [])
    'Syrian Observatory for Human Rights'

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from attribution.records import Attribution, Sentence, Span

# --- media names --------------------------------------------------------------------------------

#: Outlets and agencies known by name (lower-case; matched as whole words at the start of a name).
MEDIA_NAMES = frozenset(
    {
        "reuters", "associated press", "ap", "afp", "agence france-presse", "agence france presse", "cnn",
        "fox", "fox news", "msnbc", "nbc", "abc", "cbs", "npr", "pbs", "bbc", "cnbc", "bloomberg", "politico",
        "the hill", "axios", "breitbart", "huffpost", "huffington post", "the huffington post", "daily beast",
        "the daily beast", "buzzfeed", "vox", "slate", "salon", "the atlantic", "the new yorker", "newsweek",
        "time", "time magazine", "usa today", "new york times", "the new york times", "the times", "the post",
        "washington post", "the washington post", "wall street journal", "the wall street journal", "the journal",
        "los angeles times", "chicago tribune", "boston globe", "the guardian", "guardian", "the telegraph",
        "the independent", "financial times", "the economist", "der spiegel", "spiegel", "le monde",
        "al jazeera", "al-jazeera", "al arabiya", "al-arabiya", "al mayadeen", "al-mayadeen", "al-manar",
        "press tv", "rt", "sputnik", "tass", "ria novosti", "interfax", "xinhua", "irna", "isna", "tasnim",
        "fars", "fna", "mehr", "sana", "anadolu", "yonhap", "kyodo", "wafa", "petra", "mena", "kuna", "qna",
        "wam", "dpa", "efe", "ansa", "haaretz", "the times of israel", "the jerusalem post", "ynet", "rudaw",
        "kurdistan 24", "hawar", "anha", "dawn", "the daily caller", "daily caller", "the blaze", "newsmax",
        "the intercept", "mother jones", "the nation", "national review", "the weekly standard", "yahoo news",
        "yahoo", "univision", "telemundo", "c-span", "wnyc", "wbur", "wsj", "nyt", "lat", "the star-ledger",
        "the post and courier", "the des moines register", "the boston herald", "the washington times",
        "the new york post", "new york post", "the daily mail", "daily mail", "the sun", "the mirror",
        "sky news", "itv", "channel 4", "france 24", "deutsche welle", "voice of america", "radio free europe",
        "rfe/rl", "the national", "gulf news", "arab news", "asharq al-awsat", "al-hayat", "tolo news",
        "pajhwok", "iraqi news", "shafaq news", "syrian arab news agency", "fars news agency",
        "islamic republic news agency", "tasnim news agency", "mehr news agency", "the sunday times",
        "meet the press", "face the nation", "this week", "state of the union", "the kelly file",
        "morning joe", "hardball", "fox & friends", "fox and friends", "good morning america", "today",
        "60 minutes", "the view", "the tonight show", "real time", "the daily show", "cnn's",
    }
)  # fmt: skip
_MEDIA_WORDS = (
    r"News|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Guardian|Daily|Radio|Television|TV|Channel|"
    r"Network|Agency|Magazine|Newspaper|Press|Wire|Chronicle|Observer|Examiner|Courier|Inquirer|Register|"
    r"Dispatch|Bulletin|Weekly|Media|Broadcasting|Broadcaster|Star-Ledger|Star|Sun|Mirror|Express"
)
_MEDIA_WORD = re.compile(rf"\b(?:{_MEDIA_WORDS})\b")
#: Lower-case generic relays: "state television", "the newspaper", "local media".
_GENERIC_MEDIA = re.compile(
    r"(?:(?:the\s+)?(?:state|state-run|official|local|pro-government|opposition|Iranian|Syrian|Russian|Iraqi|"
    r"Turkish|Kurdish|Israeli|Lebanese|Egyptian|Saudi|Chinese|Ukrainian|Arab|Western|foreign|national|public)"
    r"\s+(?:television|TV|tv|media|radio|news\s+agency|broadcaster|news\s+outlets?|newspapers?|daily|outlets?)"
    r"|the\s+(?:newspaper|paper|network|channel|broadcaster|outlet|news\s+agency|station|magazine|daily|"
    r"news\s+site|website|tabloid))\b",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w&.\-’']*|[0-9]+|al-[A-Z][\w\-]*)"
_NAME = re.compile(rf"(?:[Tt]he\s+)?{_NAME_WORD}(?:(?:\s+|\s*-\s*)(?:(?:of|and|for|de|el|al)\s+)?{_NAME_WORD})*")
_NOT_RELAY = re.compile(
    r"^(?:reporters?|journalists?|the\s+press|a\s+news\s+conference|a\s+press\s+conference|supporters|"
    r"the\s+crowd|a\s+crowd|an?\s+audience|the\s+audience)\b",
    re.IGNORECASE,
)


def is_media_name(name: str) -> bool:
    """Whether ``name`` names a news outlet, agency or programme.

    Example:
        >>> [is_media_name(n) for n in ("FNA", "The New York Times", "state television", "Rubio", "reporters")]
        [True, True, True, False, False]

    """
    name = " ".join(name.split()).strip(" ,.:;“”\"'")
    if not name:
        return False
    lowered = name.lower().replace("’", "'")
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    if lowered in MEDIA_NAMES or _GENERIC_MEDIA.fullmatch(name):
        return True
    words = lowered.split()
    for size in range(min(4, len(words)), 0, -1):
        if " ".join(words[:size]) in MEDIA_NAMES and (size == len(words) or name.split()[size][:1].isupper()):
            return True
    return (
        bool(_MEDIA_WORD.search(name))
        and name[:1].isupper()
        or name.startswith(("the ", "The "))
        and bool(_MEDIA_WORD.search(name))
    )


def _media_at(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """The span of a media name starting at ``pos`` (spaces skipped), or ``None``."""
    while pos < limit and text[pos] in " \t":
        pos += 1
    generic = _GENERIC_MEDIA.match(text, pos, limit)
    if generic:
        return generic.start(), generic.end()
    if _NOT_RELAY.match(text[pos:limit]):
        return None
    name = _NAME.match(text, pos, limit)
    if not name:
        return None
    start, end = name.start(), name.end()
    # "CNN's State of the Union" -> "CNN"; "The Post and Courier newspaper" keeps its name
    for possessive in ("'s", "’s"):
        cut = text.find(possessive, start, end)
        if cut > start:
            end = cut
    while end > start and text[end - 1] in ".,":
        end -= 1
    if text[start:end].lower() in ("the", ""):
        return None
    return (start, end) if is_media_name(text[start:end]) else None


# --- relays -----------------------------------------------------------------------------------

_TOLD = re.compile(r"\b(?:told|tells|tell|telling|speaking\s+to|spoke\s+to|speaking\s+with|spoke\s+with)\s+", re.I)
_INTERVIEW = re.compile(
    r"\b(?:in\s+(?:an?|the|a\s+\w+)\s+(?:\w+\s+)?(?:interview|interviews|comments?|statement|remarks?|op-ed|"
    r"column|appearance|conversation|email|e-mail|exchange)\s+(?:with|to|on|for)|in\s+comments\s+to|"
    r"(?:appearing|appeared|speaking|said|says|saying|told\s+\w+)\s+on|during\s+an?\s+(?:\w+\s+)?"
    r"(?:interview|appearance)\s+(?:with|on))\s+",
    re.I,
)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.I)
_QUOTED_AS = re.compile(r"\bquoted\s+(?P<object>.{1,120}?)\s+as\s+(?:saying|telling|stating)\b", re.I | re.S)
_QUOTED_BY = re.compile(r"\b(?:was|were|is|are|been|being)?\s*quoted\s+by\s+", re.I)
_REPORTED = re.compile(r"\b(?:reported|reports|cited|citing|quoting)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Region:
    start: int
    end: int


def _fragments(spans: Sequence[Span]) -> tuple[tuple[int, int], ...]:
    return tuple((s.start, s.end) for s in spans)


def _overlaps(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a[0] < end and start < a[1] for start, end in spans)


def find_via(attribution: Attribution, text: str, sentence: Sentence) -> tuple[Span, ...]:
    """The relay of ``attribution`` (a media name in its sentence), as ``SOURCE``-labelled spans.

    Args:
        attribution: The attribution (its cue and source locate the search).
        text: The article text.
        sentence: The sentence that holds the attribution's cue.

    Patterns: "told / speaking to MEDIA", "in an interview with MEDIA", "said on MEDIA", "according to
    MEDIA" elsewhere in the sentence than the source itself, "MEDIA quoted SOURCE as saying", "quoted
    by MEDIA", and "MEDIA reported (that) SOURCE said". A span that overlaps the source is never its
    own relay.

    Example:
        >>> from attribution.records import Sentence
        >>> text = "According to Reuters, officials said the talks had stalled."
        >>> s = Sentence(0, 0, len(text), text)
        >>> a = Attribution(cue=(Span("CUE", 32, 36, "said", 0),), source=(Span("SOURCE", 22, 31, "officials", 0),),
        ...                 content=(), kind="indirect", sentence_index=0, score=1.0)
        >>> [v.text for v in find_via(a, text, s)]
        ['Reuters']

    """
    if not attribution.cue:
        return ()
    source = _fragments(attribution.source)
    cue = _fragments(attribution.cue)
    lo, hi = sentence.start, sentence.end
    cue_start, cue_end = cue[0][0], cue[-1][1]
    found: list[tuple[int, int]] = []

    def add(span: tuple[int, int] | None) -> None:
        if span and not _overlaps(span, source) and span not in found:
            found.append(span)

    # after the cue (and inside a long cue such as "told Reuters in a rare interview"): told X, interview with X
    after = _Region(cue_start, min(hi, cue_end + 120))
    for pattern in (_TOLD, _INTERVIEW):
        for m in pattern.finditer(text, after.start, after.end):
            add(_media_at(text, m.end(), hi))
            if found:
                break
    # "according to X" where X is not this attribution's source
    for m in _ACCORDING.finditer(text, lo, hi):
        span = _media_at(text, m.end(), hi)
        if span and not _overlaps(span, source) and not _overlaps((m.start(), m.end()), cue):
            add(span)
    # "MEDIA quoted SOURCE as saying" / "SOURCE was quoted by MEDIA as saying"
    for m in _QUOTED_AS.finditer(text, lo, hi):
        if source and _overlaps((m.start("object"), m.end("object")), source):
            subject = _subject_before(text, lo, m.start())
            add(subject)
    for m in _QUOTED_BY.finditer(text, lo, hi):
        add(_media_at(text, m.end(), hi))
    # "MEDIA reported that SOURCE said": a media subject before the source
    if source and not found:
        for m in _REPORTED.finditer(text, lo, source[0][0]):
            add(_subject_before(text, lo, m.start()))
    return tuple(Span("SOURCE", s, e, text[s:e], attribution.sentence_index) for s, e in found)


def _subject_before(text: str, lo: int, verb_start: int) -> tuple[int, int] | None:
    """The media name that ends right before ``verb_start`` ("state television" in "state television quoted")."""
    clause_start = max(text.rfind(",", lo, verb_start), text.rfind(";", lo, verb_start), lo - 1) + 1
    region = text[clause_start:verb_start]
    for m in list(_GENERIC_MEDIA.finditer(region))[::-1]:
        if not region[m.end() :].strip():
            return clause_start + m.start(), clause_start + m.end()
    for m in _NAME.finditer(region):
        if not region[m.end() :].strip() and is_media_name(m.group(0)):
            return clause_start + m.start(), clause_start + m.end()
    return None


# --- mentions ---------------------------------------------------------------------------------

_ORG_WORDS = frozenset(
    """ministry department committee council party campaign observatory organization organisation agency
    army forces force police office house center centre institute university college foundation fund bank
    group company corp corporation inc llc news times post journal network association union coalition front
    brigade brigades movement court commission senate congress administration government pentagon kremlin
    watch international federation league alliance service services authority board bureau assembly
    parliament cabinet command corps guard guards navy airforce marines committee fbi cia nsa un nato eu
    isil isis hezbollah hamas taliban daesh ypg sdf fsa msf icrc unicef unhcr who wfp ocha amnesty
    observatory project initiative lab laboratory society club chamber industries airlines motors group
    fund trust partners consulting research poll survey report study times tribune""".split()
)
_TITLES = frozenset(
    """mr mrs ms dr sen senator rep representative gov governor president vice secretary gen general col
    colonel lt lieutenant maj major capt captain sgt sheikh prime minister chairman chairwoman spokesman
    spokeswoman spokesperson judge justice mayor ambassador commander chief director professor prof sir
    lord lady rev reverend father imam rabbi king queen prince princess emir ayatollah""".split()
)
_FEMALE_TITLES = frozenset({"mrs", "ms", "chairwoman", "spokeswoman", "lady", "queen", "princess"})
_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "prince", "emir", "father"})
#: Capitalised words that do not start a name (sentence starts, months, days, places often cited).
_NOT_NAMES = frozenset(
    """the a an and but or so if in on at for to from by with as of it its he she they we i you his her their
    our my your this that these those there here then when while after before since meanwhile however also
    yet still now today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december what who why how where
    which whose not no yes mr mrs ms dr one two three some many most all both each every other another
    according asked said says told but although though because despite during under over about into
    republican republicans democrat democrats democratic gop american americans u.s us america united states
    washington syria syrian iraq iraqi iran iranian russia russian israel israeli turkey turkish lebanon
    ukraine ukrainian china chinese europe european britain british france french germany german afghanistan
    yemen libya egypt gaza aleppo damascus baghdad mosul idlib raqqa homs kabul moscow tehran beijing
    london paris geneva new york york california texas florida ohio iowa virginia carolina hampshire nevada
    michigan pennsylvania wisconsin arizona colorado georgia indiana illinois minnesota missouri kentucky
    tennessee alabama mississippi louisiana oklahoma kansas nebraska dakota montana idaho utah oregon
    maryland massachusetts connecticut vermont maine jersey delaware islam islamic muslim muslims christian
    christians jewish arab arabs kurdish kurds sunni shia shiite god""".split()
)
_TOKEN = re.compile(r"[A-Z][\w.\-’']*|al-[A-Z][\w\-]*|[a-z][\w\-’']*|\S")
_CONNECTORS = frozenset({"of", "for", "and", "de", "al", "bin", "ibn", "van", "von", "la", "le", "du", "on"})


@dataclass(frozen=True, slots=True)
class Mention:
    """A capitalised name in the text: ``kind`` is ``person`` or ``org``; ``gender`` ``m``, ``f`` or ``""``."""

    start: int
    end: int
    text: str
    kind: str
    gender: str = ""
    titled: str = ""


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Capitalised names in ``text[start:end]``, classified as persons or organisations (rules).

    Titles ("Sen.", "President", "Mr.") are left out of the name and recorded in ``titled``;
    sentence-initial function words, months, days and common place names are not names.

    Example:
        >>> [(m.text, m.kind) for m in find_mentions("Sen. Bernie Sanders met the Syrian Observatory for Human Rights.")]
        [('Bernie Sanders', 'person'), ('Syrian Observatory for Human Rights', 'org')]

    """
    end = len(text) if end is None else end
    tokens = [(m.start() + start, m.end() + start, m.group(0)) for m in _TOKEN.finditer(text[start:end])]
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        s, e, word = tokens[i]
        bare = word.rstrip(".").lower()
        if not _capitalised(word) or (bare in _NOT_NAMES and bare not in _ORG_WORDS):
            i += 1
            continue
        # collect a run of capitalised words (with connectors inside), after a title
        titles: list[str] = []
        j = i
        while j < len(tokens) and _capitalised(tokens[j][2]) and tokens[j][2].rstrip(".").lower() in _TITLES:
            titles.append(tokens[j][2].rstrip(".").lower())
            j += 1
        k = j
        last = j - 1
        while k < len(tokens):
            w = tokens[k][2]
            if _capitalised(w) and (w.rstrip(".").lower() not in _NOT_NAMES or w.rstrip(".").lower() in _ORG_WORDS):
                last = k
                k += 1
            elif w.lower() in _CONNECTORS and k + 1 < len(tokens) and _capitalised(tokens[k + 1][2]) and k > j:
                k += 1
            elif w == "-" and k > j and k + 1 < len(tokens) and _capitalised(tokens[k + 1][2]):
                k += 1
            else:
                break
        if last < j:  # a title alone ("President said"): not a name
            i = max(k, i + 1)
            continue
        ms, me = tokens[j][0], tokens[last][1]
        name = text[ms:me].rstrip(".")
        me = ms + len(name)
        words = {w.strip(".").lower() for w in re.split(r"[\s\-]+", name)}
        is_org = bool(words & _ORG_WORDS) or (name.isupper() and len(name) >= 2)
        gender = ""
        if titles:
            gender = "f" if titles[0] in _FEMALE_TITLES else "m" if titles[0] in _MALE_TITLES else ""
        mentions.append(Mention(ms, me, name, "org" if is_org else "person", gender, " ".join(titles)))
        i = last + 1
    return mentions


def _capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word.startswith("al-"))


# --- resolution -------------------------------------------------------------------------------

_PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
_ORG_PRONOUNS = frozenset({"it", "its"})
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
#: Nominal heads that refer back to a person ("the senator") or an organisation ("the watchdog").
PERSON_NOUNS = frozenset(
    """senator candidate president governor nominee congressman congresswoman lawmaker spokesman spokeswoman
    spokesperson minister secretary mayor billionaire businessman businesswoman mogul tycoon frontrunner
    front-runner contender challenger republican democrat official commander general leader director chief
    ambassador envoy judge prosecutor attorney lawyer analyst professor scholar expert author writer reporter
    journalist host anchor chairman chairwoman pollster strategist adviser advisor aide founder ceo executive
    actor actress singer rapper star activist doctor witness resident man woman speaker pastor preacher
    cleric sheikh colonel monitor""".split()
)
ORG_NOUNS = frozenset(
    """watchdog observatory ministry agency organization organisation group campaign committee council
    government administration department army military company firm network newspaper paper outlet channel
    broadcaster station magazine institute center centre foundation fund party union coalition alliance
    movement court commission office bureau board authority charity monitor militia brigade
    website site""".split()
)
DOCUMENT_NOUNS = frozenset(
    """report study poll survey statement analysis document memo letter book article review audit data
    figures findings investigation probe assessment estimate paper filing filings release""".split()
)
_AUTHOR_OF = re.compile(r"\b(?:by|from|of)\s+$")


def _source_words(attribution: Attribution) -> list[str]:
    return [w.lower().strip(".,“”\"'’") for w in " ".join(s.text for s in attribution.source).split()]


def source_kind(attribution: Attribution) -> str:
    """How a source refers: ``person``/``plural``/``org``/``first``/``relative`` pronoun, ``nominal_*``, or ``named``.

    Example:
        >>> from attribution.records import Span
        >>> def a(src): return Attribution((), (Span("SOURCE", 0, len(src), src, 0),), (), "indirect", 0, 1.0)
        >>> [source_kind(a(s)) for s in ("He", "the watchdog", "The report", "Rami Abdel Rahman", "officials")]
        ['person', 'nominal_org', 'nominal_document', 'named', 'other']

    """
    words = _source_words(attribution)
    if not words:
        return "none"
    text = " ".join(s.text for s in attribution.source)
    if len(words) == 1:
        w = words[0]
        if w in _PERSON_PRONOUNS:
            return "person"
        if w in _PLURAL_PRONOUNS:
            return "plural"
        if w in _ORG_PRONOUNS:
            return "org"
        if w in _FIRST_PERSON:
            return "first"
        if w in _RELATIVE:
            return "relative"
    if any(m for m in find_mentions(text) if m.start > 0 or not _determiner_start(text)):
        return "named"
    if words[0] in {"the", "this", "that", "these", "those"}:
        head = words[-1]
        if head in DOCUMENT_NOUNS:
            return "nominal_document"
        if head in ORG_NOUNS:
            return "nominal_org"
        if head in PERSON_NOUNS or head.rstrip("s") in PERSON_NOUNS:
            return "nominal_person"
    return "other"


def _determiner_start(text: str) -> bool:
    return text.split()[0].lower() in {"the", "this", "that", "a", "an"} if text.split() else False


def _full_form(mention: Mention, earlier: Sequence[Mention]) -> str:
    """The longest earlier mention that ends with the same word ("Rami Abdel Rahman" for "Abdel Rahman")."""
    last = mention.text.split()[-1].lower()
    best = mention.text
    for other in earlier:
        if other.kind == mention.kind and other.text.split()[-1].lower() == last and len(other.text) > len(best):
            best = other.text
    return best


def _compatible(mention: Mention, kind: str, gender: str) -> bool:
    if kind == "person":
        return mention.kind == "person" and (not gender or not mention.gender or mention.gender == gender)
    if kind == "org":
        return mention.kind == "org"
    return True


def resolve_source(
    attribution: Attribution,
    text: str,
    sentences: Sequence[Sentence],
    earlier_attributions: Sequence[Attribution],
) -> str | None:
    """The named entity a pronoun or nominal source refers to, or ``None`` (named source, nothing found).

    Args:
        attribution: The attribution whose source is resolved.
        text: The article text.
        sentences: The article's sentences (the search looks back up to four sentences).
        earlier_attributions: Other attributions of the article: earlier ones (whose named sources are
            preferred antecedents) and any whose content encloses this source (the speaker of a quote
            for "I"/"we").

    Rules: "who"/"which" -> the name right before it in the sentence; "I"/"we" -> the source of the
    attribution whose content holds it; "he"/"she"/"the senator" -> the nearest earlier person name
    (gender from titles when known, names that are earlier sources first); "it"/"the watchdog"/"the
    observatory" -> the nearest earlier organisation (one whose name holds the noun first); "the
    report"/"the poll" -> the author named with it ("a report by Amnesty", "Amnesty's report");
    "they" -> the nearest earlier organisation in the previous sentence, else ``None``.

    Example:
        >>> from attribution.records import Span
        >>> text = "Sen. Bernie Sanders spoke in Iowa. The senator said he would stay in the race."
        >>> sentences = [Sentence(0, 0, 34, text[:34]), Sentence(1, 35, len(text), text[35:])]
        >>> a = Attribution((Span("CUE", 47, 51, "said", 1),), (Span("SOURCE", 35, 46, "The senator", 1),), (),
        ...                 "indirect", 1, 1.0)
        >>> resolve_source(a, text, sentences, [])
        'Bernie Sanders'

    """
    if not attribution.source:
        return None
    kind = source_kind(attribution)
    if kind in ("named", "other", "none"):
        return None
    src_start, src_end = attribution.source[0].start, attribution.source[-1].end
    sentence = _sentence_at(sentences, src_start)
    if kind == "first":
        return _enclosing_speaker(attribution, text, sentences, earlier_attributions)
    if kind == "relative":
        lo = sentence.start if sentence else max(0, src_start - 200)
        before = [m for m in find_mentions(text, lo, src_start) if not text[m.end : src_start].strip(" ,") or True]
        if before and len(text[before[-1].end : src_start].split()) <= 8:
            return _full_form(before[-1], find_mentions(text, 0, before[-1].start))
        return None
    window_start = _window_start(sentences, sentence, 4) if sentence else max(0, src_start - 800)
    mentions = [m for m in find_mentions(text, window_start, src_start) if m.end <= src_start]
    earlier_all = find_mentions(text, 0, src_start)
    words = _source_words(attribution)
    if kind == "nominal_document":
        return _document_author(text, window_start, src_start, words[-1])
    gender = _PERSON_PRONOUNS.get(words[0], "") if kind == "person" else ""
    target = {"person": "person", "nominal_person": "person", "org": "org", "nominal_org": "org"}.get(kind, "any")
    if kind == "plural":
        prev_lo = _window_start(sentences, sentence, 1) if sentence else window_start
        orgs = [m for m in mentions if m.kind == "org" and m.start >= prev_lo]
        return _full_form(orgs[-1], earlier_all) if orgs else None
    candidates = [m for m in mentions if _compatible(m, target, gender)]
    if kind == "nominal_org":
        head = words[-1]
        named_like = [m for m in candidates if head in m.text.lower()]
        if named_like:
            return _full_form(named_like[-1], earlier_all)
    if kind == "nominal_person":
        head = words[-1]
        titled = [m for m in candidates if head.startswith(m.titled.split(" ")[0] or "\0") or head in m.titled]
        if titled:
            return _full_form(titled[-1], earlier_all)
    if not candidates:
        return None
    sources = _earlier_source_spans(earlier_attributions, src_start)
    speakers = [m for m in candidates if _overlaps((m.start, m.end), sources)]
    # a speaker named in this or the previous sentence beats a name merely mentioned
    recent_lo = _window_start(sentences, sentence, 1) if sentence else window_start
    recent_speakers = [m for m in speakers if m.start >= recent_lo]
    chosen = recent_speakers[-1] if recent_speakers else candidates[-1]
    return _full_form(chosen, earlier_all)


def _sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence | None:
    for sentence in sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None


def _window_start(sentences: Sequence[Sentence], sentence: Sentence | None, back: int) -> int:
    if sentence is None:
        return 0
    index = next((i for i, s in enumerate(sentences) if s.start == sentence.start), 0)
    return sentences[max(0, index - back)].start


def _earlier_source_spans(attributions: Sequence[Attribution], before: int) -> list[tuple[int, int]]:
    return [(s.start, s.end) for a in attributions for s in a.source if s.end <= before]


def _enclosing_speaker(
    attribution: Attribution, text: str, sentences: Sequence[Sentence], others: Sequence[Attribution]
) -> str | None:
    start = attribution.source[0].start
    for other in others:
        if other is attribution or not other.source:
            continue
        if any(c.start <= start < c.end for c in other.content):
            name = " ".join(s.text for s in other.source)
            if source_kind(other) == "named":
                mentions = find_mentions(name)
                return mentions[-1].text if mentions else name
            return resolve_source(other, text, sentences, [o for o in others if o is not other])
    return None


def _document_author(text: str, lo: int, hi: int, head: str) -> str | None:
    """The author named with the nearest earlier mention of ``head`` ("a report by X", "X's report", "X released")."""
    region = text[lo:hi]
    best: str | None = None
    for m in re.finditer(rf"\b{re.escape(head)}s?\b", region, re.IGNORECASE):
        after = find_mentions(text, lo + m.end(), min(hi, lo + m.end() + 60))
        if (
            after
            and _AUTHOR_OF.search(text[lo + m.end() : after[0].start] + " ")
            and after[0].start - (lo + m.end()) < 25
        ):
            best = after[0].text
            continue
        before = find_mentions(text, max(lo, lo + m.start() - 80), lo + m.start())
        if before:
            gap = text[before[-1].end : lo + m.start()]
            if re.fullmatch(r"(?:['’]s|\s)*(?:\s+(?:new|latest|annual|own|recent|\w+ly)\s*)*\s*", gap) or re.search(
                r"\b(?:released|published|issued|conducted|put out|compiled)\s+(?:an?|its|their|the)\s+(?:\w+\s+)?$",
                gap,
            ):
                best = before[-1].text
    return best
