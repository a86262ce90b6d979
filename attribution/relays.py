"""Relays (``via``) and the resolution of pronoun and nominal sources (annotation guidelines section 1).

Rules, measured against the hand labels (see ``resources/source_profile/README.md``):

- :func:`find_via`: the outlet that passed a claim on: "A military source *told FNA*", "*according to
  Reuters*, officials said", "said *in an interview with CNN*", "*state television* quoted X as
  saying", "X was quoted *by Reuters* as saying", "X said, *according to Politico*". Only media count as
  relays ("told reporters", "told a crowd", "told Trump" are not).
- :func:`merge_cited_sources`: "SANA, citing a military source, said ..." is the military source's claim relayed
  by SANA (the tagger, trained on PolNeAR, reads SANA as the source and "citing" as a claim of its own).
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
from dataclasses import dataclass, replace

from attribution.actors import NOT_THE_POSSESSOR, demonym_of, singular_noun
from attribution.headlines import bare_word as _bare
from attribution.headlines import dateline_words, headline_words
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
        "al-monitor", "al monitor", "middle east eye", "the new arab", "enab baladi", "syria direct",
        "north press", "north press agency", "daily sabah", "kcna", "ukrinform", "unian", "the kyiv independent",
        "kyiv independent", "meduza", "izvestia", "kommersant", "nhk", "cctv", "global times", "bernama", "antara",
    }
)  # fmt: skip
_MEDIA_WORDS = (
    r"News|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Guardian|Daily|Radio|Television|TV|Channel|"
    r"Network|Agency|Magazine|Newspaper|Press|Wire|Chronicle|Observer|Examiner|Courier|Inquirer|Register|"
    r"Dispatch|Bulletin|Weekly|Media|Broadcasting|Broadcaster|Star-Ledger|Star|Sun|Mirror|Express"
)
_MEDIA_WORD = re.compile(rf"\b(?:{_MEDIA_WORDS})\b")
#: A US station's call sign ("WTMJ", "KNX-AM"), taken as an outlet only before a quoted show title
_CALL_SIGN = re.compile(r"[WK][A-Z]{2,3}(?:-(?:AM|FM|TV))?")
#: Lower-case generic relays: "state television", "the newspaper", "local media".
_GENERIC_MEDIA = re.compile(
    r"(?:(?:the\s+)?(?:state|state-run|official|local|pro-government|opposition|Iranian|Syrian|Russian|Iraqi|"
    r"Turkish|Kurdish|Israeli|Lebanese|Egyptian|Saudi|Chinese|Ukrainian|Arab|Western|foreign|national|public)"
    r"\s+(?:television|TV|tv|media|radio|news\s+agency|broadcaster|news\s+outlets?|newspapers?|daily|outlets?)"
    r"|the\s+(?:(?:cable|news|television|TV|radio)\s+)?(?:network|channel|station)"
    r"|the\s+(?:newspaper|paper|broadcaster|outlet|news\s+agency|magazine|daily|"
    r"news\s+site|website|tabloid))\b",
    re.IGNORECASE,
)
#: "told the agency": a news agency taken up again, counted only where the article has named one before
_THE_AGENCY = re.compile(r"the\s+agency\b")
_NEWS_AGENCY_NAMED = re.compile(
    r"\bnews\s+agency\b|\b[A-Z][\w\-]*\s+(?:News\s+)?Agency\b|\b(?:Reuters|AFP|AP|Xinhua|TASS|Interfax|FNA|SANA|"
    r"IRNA|ISNA|Tasnim|Mehr|Anadolu|Yonhap|Kyodo|WAFA|Petra|MENA|KUNA|QNA|WAM|DPA|EFE|ANSA|KCNA|Bernama|Antara)\b"
)
_NAME_WORD = r"(?:[A-Z][\w&.\-’']*|[0-9]+|al-[A-Z][\w\-]*)"
_NAME = re.compile(rf"(?:[Tt]he\s+)?{_NAME_WORD}(?:(?:\s+|\s*-\s*)(?:(?:of|and|for|de|el|al)\s+)?{_NAME_WORD})*")
_GENERIC_THEN_NAME = re.compile(r"\s+([A-Z][\w\-]*(?:\s+(?:al-)?[A-Z][\w\-]*)*)")
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
    if lowered.startswith("the ") and lowered[4:] in MEDIA_NAMES:
        return True
    if lowered in MEDIA_NAMES or _GENERIC_MEDIA.fullmatch(name):
        return True
    words = lowered.split()
    for size in range(min(4, len(words)), 0, -1):
        following = name.split()[size][:1] if size < len(words) else ""
        if " ".join(words[:size]) in MEDIA_NAMES and (not following or following.isupper() or following.isdigit()):
            return True
    return bool(_MEDIA_WORD.search(name)) and (name[:1].isupper() or name.startswith("the "))


def _media_at(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """The span of a media name starting at ``pos`` (spaces skipped), or ``None``.

    Also a programme: the title of "the podcast “Here’s the Thing”", "Glenn Beck’s radio program", and a name
    with a lower-case media word, "Latina magazine".

    Example:
        >>> text = "said on the podcast “Here’s the Thing” and on Glenn Beck’s radio program to Latina magazine"
        >>> [text[slice(*_media_at(text, text.index(w), len(text)))] for w in ("the podcast", "Glenn", "Latina")]
        ['Here’s the Thing', 'Glenn Beck’s radio program', 'Latina magazine']

    """
    while pos < limit and text[pos].isspace():
        pos += 1
    quoted = _QUOTED.match(text, pos, limit)
    if quoted and is_media_name(quoted.group("title")):  # on “Meet the Press”: a programme known by name
        return quoted.start("title"), quoted.end("title")
    while pos < limit and text[pos] in '“"‘':
        pos += 1
    programme = _PROGRAMME.match(text, pos, limit)
    if programme:
        return programme.start("title"), programme.end("title")
    generic = _GENERIC_MEDIA.match(text, pos, limit)
    if generic:  # "the news site Nabd al-Shamal", "state news agency SANA": the name when one follows
        named = _GENERIC_THEN_NAME.match(text, generic.end(), limit)
        if named and named.group(1).split()[0].lower() not in _NOT_NAMES:  # not "state television Sunday"
            return named.start(1), named.end(1)
        return generic.start(), generic.end()
    agency = _THE_AGENCY.match(text, pos, limit)
    if agency and _NEWS_AGENCY_NAMED.search(text, 0, pos):
        return agency.start(), agency.end()
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
    show = _SHOW.match(text, end, limit)
    owner = text[start:end]
    if show and (is_media_name(owner) or _CALL_SIGN.fullmatch(owner) or is_media_name(show.group("title"))):
        return show.start("title"), show.end("title")  # the programme: "ABC's “Good Morning America”"
    hosts = _HOSTS_PROGRAMME.match(text, end, limit)
    if hosts:  # "Glenn Beck’s radio program": the host's programme, whoever the host is
        return start, hosts.end()
    media_word = _MEDIA_NOUN_AFTER.match(text, end, limit)
    if media_word and text[start:end].split()[-1].lower() not in _NOT_NAMES:  # "Latina magazine"
        return start, media_word.end()
    while end > start and text[end - 1] in ".,":
        end -= 1
    if text[start:end].lower() in ("the", ""):
        return None
    return (start, end) if is_media_name(text[start:end]) else None


# --- relays -----------------------------------------------------------------------------------

_QUOTED_TITLE = r"(?:[“\"‘]|'')(?P<title>[A-Z][^”\"\n]{0,60}?)[,.]?(?:[”\"’]|'')(?!\w)"
_QUOTED = re.compile(_QUOTED_TITLE)
#: "the podcast “Here’s the Thing”", "his radio show “X”": a programme named in quotes
_PROGRAMME = re.compile(
    r"(?:(?:the|his|her|their|its|a)\s+)?(?:(?:radio|TV|television|weekly|daily|online|cable)\s+)?"
    rf"(?:podcast|program|programme|show)\s+{_QUOTED_TITLE}"
)
_HOSTS_PROGRAMME = re.compile(
    r"['’]s\s+(?:(?:radio|TV|television|weekly|daily|online)\s+)?(?:program|programme|show|podcast)\b"
)
_MEDIA_NOUN_AFTER = re.compile(r"\s+(?:magazine|newspaper|weekly|website|radio|television|podcast)\b")

#: "CNN's “New Day”", "Sirius XM's "Breitbart News Daily"": an outlet's programme
_SHOW = re.compile(rf"['’]s\s+(?:(?:[A-Z][\w\-]*\s+)?(?:show|program|programme)\s+)?{_QUOTED_TITLE}")
_BY_PHONE = r"(?:\s+by\s+(?:tele)?phone)?"
_TOLD = re.compile(
    rf"\b(?:told|tells|tell|telling|(?:speaking|spoke){_BY_PHONE}\s+(?:to|with)|"
    r"(?:admit|acknowledg|confirm|conced|explain)(?:s|ted|ed|d|ting|ing|e|es)?\s+to)\s+",
    re.I,
)
_INTERVIEW = re.compile(
    r"\b(?:in\s+(?:an?|the|a\s+\w+)\s+(?:\w+\s+)?(?:interview|interviews|comments?|statement|remarks?|op-ed|"
    r"column|appearance|conversation|email|e-mail|exchange)\s+(?:with|to|on|for)|in\s+comments\s+to|"
    r"(?:appearing|appeared|speaking|spoke|said|says|saying|talked|told\s+\w+|wrote|writes|writing)"
    r"(?:\s+(?!on\b|in\b)[\w.]+){0,3}\s+(?:on|in)|\bon|"
    r"during\s+an?\s+(?:\w+\s+)?(?:interview|appearance)\s+(?:with|on)|\binterview\s+(?:\w+\s+)?with|"
    r"(?:opinion\s+piece|op-ed|column|essay)\s+(?:appearing\s+)?(?:in|for)|^(?:\w+\s+)?on|questions\s+from|"
    r"\b(?:broadcast|edition|episode)\s+of|\bper)\s+",
    re.I,
)
#: "told co-host Joe Scarborough": the journalist who took the claim down is the relay, when no outlet is named
_JOURNALIST = re.compile(
    r"(?:(?:the|his|her|their)\s+)?(?:co-?host|host|anchor|interviewer|correspondent|moderator|journalist|"
    r"reporter|columnist)\s+"
    r"(?P<name>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})"
)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.I)
_QUOTED_AS = re.compile(r"\bquoted\s+(?P<object>.{1,120}?)\s+as\s+(?:saying|telling|stating)\b", re.I | re.S)
_QUOTED_BY = re.compile(r"\b(?:was|were|is|are|been|being)?\s*quoted\s+by\s+", re.I)
_SPEAKING_TO = re.compile(rf"\bspeaking{_BY_PHONE}\s+(?:to|with)\s+", re.I)
#: "a statement carried by SANA", "a memo obtained by Kontrapunkt", "a draft seen by Al-Rased"
_CARRIED_BY = re.compile(r"\b(?:carried|published|broadcast|aired|seen|obtained|reviewed|reported)\s+by\s+", re.I)
_REPORTED = re.compile(r"\b(?:reported|reports|cited|citing|quoting)\b", re.I)
#: "Yuri Belkov, quoted by TASS, said": a relay in an apposition to the source, so inside a source span that has it
_APPOSITIVE_BY = re.compile(r"(?:,\s*|\s+)(?:quoted|interviewed|cited|contacted|reached)\s+by\s+", re.I)
#: An agency known by an acronym the name list lacks ("carried by KCNA"), taken only after "carried by", "quoted
#: by" and their kin and before a clause boundary (not "carried by UN officials")
_ACRONYM = re.compile(r"[A-Z]{2,6}(?=\s*(?:[,.;:]|$)|\s+(?:that|as|on|in|and)\b)")
#: "Tasnim news agency quoted ...": a name and the kind of outlet it is
_NAME_THEN_MEDIA_NOUN = re.compile(r"\s+(?:news\s+agency|news\s+website|newspaper|daily|magazine|television|radio)\s*$")


@dataclass(frozen=True, slots=True)
class _Region:
    start: int
    end: int


def _fragments(spans: Sequence[Span]) -> tuple[tuple[int, int], ...]:
    return tuple((s.start, s.end) for s in spans)


def _overlaps(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a[0] < end and start < a[1] for start, end in spans)


#: "citing a military source", "Quoting an informed source": the cue of an outlet's own source
_CITING_CUES = frozenset({"citing", "quoting"})
#: An outlet named by what it is, in lower case: "the state-run Xinhua news agency", "Al-Manar TV"
_OUTLET_NOUN = re.compile(r"\b(?:news\s+agency|agency|newspaper|television|TV|broadcaster|radio|channel|daily)\s*$")
_CITING_BEFORE = re.compile(r",\s*(?:citing|quoting)\s+$", re.I)
_CITING_OPENS = re.compile(r"\s*(?:citing|quoting)\s+$", re.I)
#: The words between an outlet's cue and the source it cites: "reported, quoting [a security official]"
_CITING_GAP = re.compile(r"\s*,\s*(?:citing|quoting)\s+", re.I)
#: "reported, quoting a security official." after an outlet's cue: the cited source, up to the clause's end
_CITED_AFTER = re.compile(_CITING_GAP.pattern + r"(?P<cited>[^,.;:!?\"“”()]+?)\s*(?=[,.;:!?]|$)", re.I)


def outlet_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The outlet that ``text[start:end]`` names ("VNA" in "State news agency VNA"), or ``None``.

    Example:
        >>> text = "State news agency VNA; The state-run Xinhua news agency; The company"
        >>> [outlet_span(text, s, e) for s, e in ((0, 21), (23, 55), (57, 68))]
        [(18, 21), (23, 55), None]

    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " ,":
        end -= 1
    span = _media_at(text, start, end)
    if span is not None and not text[span[1] : end].strip():
        return span
    if is_media_name(text[start:end]) or _OUTLET_NOUN.search(text, start, end):
        return start, end
    return None


def merge_cited_sources(attributions: Sequence[Attribution], text: str) -> tuple[Attribution, ...]:
    """Attributions with an outlet's cited source as the source and the outlet as a relay (guidelines 1).

    The tagger reads "SANA, citing a military source, said the army had taken the town" as two attributions
    of SANA: "citing" with the content "a military source", and "said" with the claim. The claim is the
    military source's, passed on by SANA (as in "A military source told SANA"), so the claim's source becomes
    the cited source and the "citing" attribution goes; :func:`find_via` then finds SANA as the relay. The
    same holds for "Citing a military source, SANA said ..." (a "citing" attribution without a source) and for
    "..., VNA reported, quoting a security official." (the cited source read from the text after the cue; any
    attribution the tagger made of "quoting ..." goes). Only an outlet's citing is read so: in "The company,
    citing market conditions, said" the company still speaks.

    Example:
        >>> text = "SANA, citing a military source, said the army had taken the town."
        >>> sana, cited = Span("SOURCE", 0, 4, "SANA", 0), Span("CONTENT", 13, 30, "a military source", 0)
        >>> citing = Attribution((Span("CUE", 6, 12, "citing", 0),), (sana,), (cited,), "indirect", 0, 1.0)
        >>> claim = Attribution((Span("CUE", 32, 36, "said", 0),), (sana,), (Span("CONTENT", 37, 64, text[37:64], 0),),
        ...                     "indirect", 0, 1.0)
        >>> [(a.source_text, a.cue_text) for a in merge_cited_sources([citing, claim], text)]
        [('a military source', 'said')]

    """
    dropped: set[int] = set()
    new_source: dict[int, tuple[Span, ...]] = {}
    replaced: dict[int, Attribution] = {}
    for i, citing in enumerate(attributions):
        if len(citing.cue) != 1 or citing.cue[0].text.lower() not in _CITING_CUES or len(citing.content) != 1:
            continue
        cited = citing.content[0]
        if len(cited.text.split()) > 12 or '"' in cited.text or "“" in cited.text:
            continue
        for j, claim in enumerate(attributions):
            if j == i or j in dropped or j in new_source or not claim.cue or not claim.source:
                continue
            if claim.sentence_index != citing.sentence_index or claim.cue[0].start < cited.end:
                continue
            outlet = claim.source
            shared = citing.source == outlet
            opening = not citing.source and cited.end <= outlet[0].start  # "Citing X, SANA said"
            if not (shared or opening) or outlet_span(text, outlet[0].start, outlet[-1].end) is None:
                continue
            new_source[j] = (replace(cited, label="SOURCE"),)
            dropped.add(i)
            break
    for j, claim in enumerate(attributions):  # the tagger's other readings of a cited source
        if j in new_source or j in dropped:
            continue
        according = _according_to_citing(claim, text) or _cited_in_content(claim, text) or _cited_in_cue(claim, text)
        if according is not None:
            replaced[j] = according
    for j, claim in enumerate(attributions):  # "..., VNA reported, quoting a security official."
        if j in new_source or j in dropped or j in replaced or not claim.cue or not claim.source:
            continue
        end = max(claim.cue[-1].end, claim.source[-1].end)
        cited_after = _CITED_AFTER.match(text, end)
        if cited_after is None or not _outlet_speaks(claim, text):
            continue
        start, stop = cited_after.span("cited")
        if len(text[start:stop].split()) > 12:
            continue
        new_source[j] = (Span("SOURCE", start, stop, text[start:stop], claim.sentence_index),)
        dropped |= {k for k, a in enumerate(attributions) if k != j and a.cue and end <= a.cue[0].start < stop}
    return tuple(
        replaced.get(k) or (replace(a, source=new_source[k]) if k in new_source else a)
        for k, a in enumerate(attributions)
        if k not in dropped
    )


#: "According to state television, which cited military sources, ...": the outlet and the relative pronoun before
#: a "cited" cue
_ACCORDING_WHICH = re.compile(r"\b(?P<cue>according\s+to)\s+(?P<outlet>[^,]{1,60}?)\s*,\s*$", re.I)


def _according_to_citing(attribution: Attribution, text: str) -> Attribution | None:
    """The claim of "According to OUTLET, which cited SOURCE, CLAIM" as SOURCE's, with the cue "According to".

    The tagger reads it as "which" citing two pieces, SOURCE and CLAIM (the "According to" cue, left without
    content, is dropped by the linking); the guidelines read the claim as SOURCE's, relayed by the outlet, which
    :func:`find_via` then finds after "according to".
    """
    if len(attribution.cue) != 1 or attribution.cue[0].text.lower() not in {"cited", "quoted"}:
        return None
    if attribution.source_text is None or attribution.source_text.lower() not in {"which", "that"}:
        return None
    if len(attribution.content) < 2 or attribution.content[0].start - attribution.cue[0].end > 2:
        return None
    cited, claim = attribution.content[0], attribution.content[1:]
    before = _ACCORDING_WHICH.search(text, 0, attribution.source[0].start)
    if before is None or len(cited.text.split()) > 12 or outlet_span(text, *before.span("outlet")) is None:
        return None
    start, end = before.span("cue")
    cue = Span("CUE", start, end, text[start:end], attribution.sentence_index)
    return replace(attribution, cue=(cue,), source=(replace(cited, label="SOURCE"),), content=claim)


def _outlet_speaks(attribution: Attribution, text: str) -> bool:
    """Whether an attribution's source is an outlet: a media name, or a name that "reported" ("VNA reported").

    >>> def a(src, cue):
    ...     return Attribution((Span("CUE", 0, len(cue), cue, 0),), (Span("SOURCE", 0, len(src), src, 0),), (),
    ...                        "indirect", 0, 1.0)
    >>> [_outlet_speaks(a(s, c), s) for s, c in [("VNA", "reported"), ("VNA", "said"), ("SANA", "said")]]
    [True, False, True]
    """
    source = attribution.source
    if outlet_span(text, source[0].start, source[-1].end) is not None:
        return True
    return attribution.cue[0].text.lower().startswith("report") and bool(find_mentions(attribution.source_text or ""))


#: The words before a cited source inside a content: "reported, quoting [a security official]", "which cited [...]"
_CITED_BEFORE = re.compile(r"(?:,\s*|\bwhich\s+|\bthat\s+)(?:cited|quoted|citing|quoting)\s+$", re.I)
#: A cue that took the citing word with it: "reported, quoting" (and the cited source: "reported, quoting a
#: security official")
_CUE_WITH_CITING = re.compile(r"^(?P<verb>\w+)\s*,?\s*(?:citing|quoting)(?:\s+(?P<cited>\S.*))?$", re.I)


def _cited_in_content(attribution: Attribution, text: str) -> Attribution | None:
    """An outlet's attribution whose content holds the source it cites, with that source as the source.

    Other readings of the tagger's for "VNA reported, quoting a security official" (the cue "reported, quoting",
    the official as content) and "According to state television, which cited military sources, CLAIM" (the
    outlet as source, the military sources as content): the cited piece becomes the source, the cue loses the
    citing word, and :func:`find_via` finds the outlet.
    """
    if len(attribution.content) < 2 or len(attribution.cue) != 1:
        return None
    if attribution.source and not _outlet_speaks(attribution, text):
        return None
    for k, piece in enumerate(attribution.content):
        if not _CITED_BEFORE.search(text, max(0, piece.start - 25), piece.start) or len(piece.text.split()) > 12:
            continue
        cue = attribution.cue[0]
        verb = _CUE_WITH_CITING.match(cue.text)
        rest = attribution.content[:k] + attribution.content[k + 1 :]
        cue = _verb_of(cue, verb) if verb is not None else cue
        return replace(attribution, cue=(cue,), source=(replace(piece, label="SOURCE"),), content=rest)
    return None


def _cited_in_cue(attribution: Attribution, text: str) -> Attribution | None:
    """An outlet's cue that took the source it cites ("reported, quoting a security official"), split in two."""
    if len(attribution.cue) != 1 or not attribution.source or not _outlet_speaks(attribution, text):
        return None
    cue = attribution.cue[0]
    match = _CUE_WITH_CITING.match(cue.text)
    if match is None or match.group("cited") is None or len(match.group("cited").split()) > 12:
        return None
    start = cue.start + match.start("cited")
    cited = Span("SOURCE", start, cue.end, text[start : cue.end], cue.sentence_index, cue.score)
    return replace(attribution, cue=(_verb_of(cue, match),), source=(cited,))


def _verb_of(cue: Span, match: re.Match[str]) -> Span:
    """The cue cut back to its reporting verb ("reported" of "reported, quoting ...")."""
    return replace(cue, end=cue.start + match.end("verb"), text=match.group("verb"))


def find_via(attribution: Attribution, text: str, sentence: Sentence) -> tuple[Span, ...]:
    """The relay of ``attribution`` (a media name in its sentence), as ``SOURCE``-labelled spans.

    Args:
        attribution: The attribution (its cue and source locate the search).
        text: The article text.
        sentence: The sentence that holds the attribution's cue.

    Patterns: "told / speaking to MEDIA" (also admitted, acknowledged, confirmed, conceded, explained to),
    "told co-host NAME" (a host, anchor, interviewer, correspondent, moderator, journalist, reporter or columnist,
    only when no outlet or show is named in the sentence), "in an interview with MEDIA", "said on MEDIA", a
    programme ("on the podcast “TITLE”", "on HOST’s radio program", "on WTMJ’s “TITLE”", "on Monday’s broadcast
    of “TITLE”"), "according to MEDIA" elsewhere in the sentence than the source itself, "MEDIA quoted
    SOURCE as saying", "quoted by MEDIA", "a statement carried by MEDIA" (also published, broadcast, aired,
    seen, obtained, reviewed, reported by; there also an agency's acronym the name list lacks, "carried by
    KCNA that"), "MEDIA reported, quoting SOURCE", "MEDIA reported (that) SOURCE said" (also "Tasnim news
    agency quoted"), "Speaking to MEDIA," before the source, and "the agency" once the article has named a news
    agency. A span that overlaps the source is never its own relay, except an apposition inside it ("Yuri
    Belkov, quoted by TASS, said").

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
    journalists: list[tuple[int, int]] = []  # the relay only when no outlet or programme is named
    for m in _TOLD.finditer(text, after.start, after.end):
        add(_media_at(text, m.end(), hi))
        journalist = _JOURNALIST.match(text, m.end(), hi)
        if journalist:
            journalists.append((journalist.start("name"), journalist.end("name")))
        if found:
            break
    if not found and source:  # "A resident, speaking by telephone to IRNA, said", "Speaking to Al Jazeera, X said"
        for m in _SPEAKING_TO.finditer(text, lo, cue_start):
            span = _media_at(text, m.end(), cue_start)
            if span:
                found.append(span)
                break
    if not found:
        for m in _INTERVIEW.finditer(text[lo:hi]):
            add(_media_at(text, lo + m.end(), hi))
            journalist = _JOURNALIST.match(text, lo + m.end(), hi)
            if journalist:
                journalists.append((journalist.start("name"), journalist.end("name")))
            if found:
                break
    if not found:  # "in an ABC News interview", "a Fox interview"
        for m in re.finditer(r"\b(?:an?|the|his|her)\s+", text[lo:hi]):
            span = _media_at(text, lo + m.end(), hi)
            if span and re.match(r"\s*(?:TV\s+|radio\s+|television\s+)?interview", text[span[1] : span[1] + 30]):
                add(span)
                break
    if not found and journalists:  # "told co-host Joe Scarborough" with no outlet named in the sentence
        add(journalists[0])
    # "according to X" where X is not this attribution's source
    for m in _ACCORDING.finditer(text, lo, hi):
        span = _media_at(text, m.end(), hi)
        cited_after = bool(source) and span is not None and span[1] <= source[0][0]  # "according to X, which cited Y"
        if span and not _overlaps(span, source) and (cited_after or not _overlaps((m.start(), m.end()), cue)):
            add(span)
    # "MEDIA quoted SOURCE as saying" / "SOURCE was quoted by MEDIA as saying"
    for m in _QUOTED_AS.finditer(text, lo, hi):
        if source and _overlaps((m.start("object"), m.end("object")), source):
            subject = _subject_before(text, lo, m.start())
            add(subject)
    for pattern in (_QUOTED_BY, _CARRIED_BY):
        for m in pattern.finditer(text, lo, hi):
            add(_media_at(text, m.end(), hi) or _acronym_at(text, m.end(), hi))
    for m in _APPOSITIVE_BY.finditer(text, lo, cue_start):  # may lie inside the source span: still its relay
        span = _media_at(text, m.end(), hi) or _acronym_at(text, m.end(), hi)
        if span and span not in found:
            found.append(span)
    # "SANA, citing SOURCE, said" and "Citing SOURCE, SANA said" (merge_cited_sources made the cited one the source)
    if source and not found and _CITING_BEFORE.search(text, lo, source[0][0]):
        comma = text.rfind(",", lo, source[0][0])  # the one before "citing"; the outlet's clause ends there
        clause_start = max(text.rfind(",", lo, comma), text.rfind(";", lo, comma), lo - 1) + 1
        add(outlet_span(text, clause_start, comma))
    elif source and not found and _CITING_OPENS.match(text, lo, source[0][0]):
        comma = text.find(",", source[-1][1], cue_start)
        if comma >= 0:
            add(outlet_span(text, comma + 1, cue_start))
    # "..., VNA reported, quoting SOURCE.": the outlet is the subject of the cue (merge_cited_sources)
    if source and not found and _CITING_GAP.fullmatch(text, cue_end, source[0][0]):
        clause_start = max(text.rfind(",", lo, cue_start), text.rfind(";", lo, cue_start), lo - 1) + 1
        names = [m for m in find_mentions(text, clause_start, cue_start) if not text[m.end : cue_start].strip()]
        add(outlet_span(text, clause_start, cue_start) or ((names[-1].start, names[-1].end) if names else None))
    # "MEDIA reported that SOURCE said": a media subject before the source
    if source and not found:
        for m in _REPORTED.finditer(text, lo, source[0][0]):
            add(_subject_before(text, lo, m.start()))
    return tuple(Span("SOURCE", s, e, text[s:e], attribution.sentence_index) for s, e in found)


def _acronym_at(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """An outlet's acronym at ``pos`` (spaces skipped) before a clause boundary, "KCNA" in "carried by KCNA that"."""
    while pos < limit and text[pos].isspace():
        pos += 1
    m = _ACRONYM.match(text, pos, limit)
    return (m.start(), m.end()) if m else None


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
        if _NAME_THEN_MEDIA_NOUN.match(region, m.end()):  # "Tasnim news agency", "the Kayhan newspaper"
            return clause_start + m.start(), clause_start + len(region.rstrip())
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
    fund trust partners consulting research poll survey report study times tribune markets capital holdings
    llc ltd plc pac""".split()
)
_TITLES = frozenset(
    """mr mrs ms dr sen senator rep representative gov governor president vice secretary gen general col
    colonel lt lieutenant maj major capt captain sgt brig brigadier adm admiral cmdr sheikh prime minister
    chairman chairwoman spokesman spokeswoman spokesperson judge justice mayor ambassador commander chief
    director professor prof sir
    lord lady rev reverend father imam rabbi king queen prince princess emir ayatollah""".split()
)
_FEMALE_TITLES = frozenset({"mrs", "ms", "chairwoman", "spokeswoman", "lady", "queen", "princess"})
_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "prince", "emir", "father"})
#: Capitalised words that do not start a name (sentence starts, months, days, places often cited).
_NOT_NAMES = frozenset(
    """the a an and but or so if in on at for to from by with as of it its he she they we i you his her their
    our my your this that these those there here then when while after before since meanwhile however also
    yet still now today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december feb mar apr jun jul aug
    sep sept oct nov dec later last next earlier such citing what who why how where
    which whose not no yes mr mrs ms dr one two three some many most all both each every other another
    according asked said says told but although though because despite during under over about into
    republican republicans democrat democrats democratic gop american americans u.s us america united states
    washington syria syrian iraq iraqi iran iranian russia russian israel israeli turkey turkish lebanon
    ukraine ukrainian china chinese europe european britain british france french germany german afghanistan
    yemen libya egypt gaza aleppo damascus baghdad mosul idlib raqqa homs kabul moscow tehran beijing
    london paris geneva california texas florida ohio iowa virginia carolina hampshire nevada
    michigan pennsylvania wisconsin arizona colorado georgia indiana illinois minnesota missouri kentucky
    tennessee alabama mississippi louisiana oklahoma kansas nebraska dakota montana idaho utah oregon
    maryland massachusetts connecticut vermont maine jersey delaware islam islamic muslim muslims christian
    christians jewish arab arabs kurdish kurds sunni shia shiite god""".split()
)
#: Given names whose gender is clear enough to check "he"/"she" agreement (a short, news-oriented list).
_FEMALE_NAMES = frozenset(
    """hillary carly elizabeth nancy sarah megyn michelle kellyanne melania ivanka chelsea condoleezza
    madeleine samantha susan nikki marsha kirsten amy tammy dianne barbara laura maria mary anne ann
    angela theresa marine christine jill debbie donna huma cheryl katie kate jennifer jessica julia
    rachel rebecca emily hannah claire catherine karen lisa linda patricia heather kelly kristen kamala
    tulsi loretta janet valerie jane joan diane helen ruth sonia elena gina kathleen margaret alice""".split()
)
_MALE_NAMES = frozenset(
    """donald bernie bernard ted marco jeb ben john barack joe mike michael chris christopher paul bill
    william rand rick scott mitt newt rudy reince corey paul jim james tim timothy martin lindsey george
    harry mitch jeff kevin steve stephen david dan daniel robert bob tom thomas richard dick charles
    vladimir bashar recep benjamin hassan ali abu mohammed mohammad ahmed omar sergei viktor emmanuel
    francois justin boris nigel xi kim shinzo narendra matteo jean frank peter mark eric andrew anthony
    roger sean glenn rush bret jake wolf chuck eliot jason brian lee larry ron gary greg joshua""".split()
)
#: Multiword place names (single-word ones are in ``_NOT_NAMES``).
_PLACES = frozenset(
    """new york|new york city|new hampshire|new jersey|new mexico|new orleans|new delhi|new zealand|north carolina|
    south carolina|north dakota|south dakota|west virginia|united states|united kingdom|los angeles|las vegas|
    san francisco|san diego|san antonio|saudi arabia|south africa|north korea|south korea|east jerusalem|west bank|
    gaza strip|middle east|capitol hill|wall street|silicon valley|rhode island|puerto rico|sri lanka|
    hong kong|tel aviv|el paso|des moines|salt lake city|st. louis""".split("|")
)
_PLACES = frozenset(" ".join(place.split()) for place in _PLACES)
_DEMONYMS = frozenset(
    """mexican canadian british english french german italian spanish russian chinese japanese korean
    indian pakistani afghan iranian iraqi syrian lebanese israeli palestinian jordanian egyptian saudi
    yemeni libyan turkish kurdish ukrainian polish european asian african latino latina hispanic
    western eastern northern southern arab arabic persian sunni shiite shia christian catholic evangelical
    protestant jewish muslim""".split()
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


def find_mentions(
    text: str, start: int = 0, end: int | None = None, *, common_words: frozenset[str] = frozenset()
) -> list[Mention]:
    """Capitalised names in ``text[start:end]``, classified as persons or organisations (rules).

    Titles ("Sen.", "President", "Mr.") are left out of the name and recorded in ``titled``;
    sentence-initial function words, months, days, demonyms, common place names, all-capital
    headings and words in ``common_words`` (the words an article also writes in lower case: "Does",
    "Indeed") are not names, nor are the words of a title-case headline that the rest of the article does not
    write capitalised (:func:`attribution.headlines.headline_words`; words of organisation names stay), nor a
    dateline's place ("SANAA (Saba) -").

    Example:
        >>> text = "Sen. Bernie Sanders met the Syrian Observatory for Human Rights."
        >>> [(m.text, m.kind) for m in find_mentions(text)]
        [('Bernie Sanders', 'person'), ('Syrian Observatory for Human Rights', 'org')]

    """
    end = len(text) if end is None else end
    # "Army Liberates Kessa As ...": "Liberates" is no name; nor is a dateline's "SANAA (Saba) -"
    unconfirmed = headline_words(text, keep=_ORG_WORDS) | dateline_words(text)
    tokens = [
        (m.start() + start, m.end() + start, m.group(0).lower() if m.start() + start in unconfirmed else m.group(0))
        for m in _TOKEN.finditer(text[start:end])
    ]
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][2]
        place = next(
            (n for n in (3, 2) if " ".join(t[2].lower().rstrip(".,") for t in tokens[i : i + n]) in _PLACES), 0
        )
        followed = place and i + place < len(tokens) and _capitalised(tokens[i + place][2])
        if place and _capitalised(word) and not (followed and not _ends_sentence(tokens[i + place - 1][2])):
            i += place  # "South Carolina", "New York City" are no sources ("New York Post" is)
            continue
        bare = _bare(word)
        next_org = i + 1 < len(tokens) and _capitalised(tokens[i + 1][2]) and _bare(tokens[i + 1][2]) in _ORG_WORDS
        starts = _name_word(word, common_words) or (_capitalised(word) and bare in _TITLES)
        if starts and i + 1 < len(tokens) and _common_noun_alone(bare, tokens[i + 1][2]):
            starts = False  # "Officials said", "Witnesses told", "Speaking at": no name
        if not starts and not (_capitalised(word) and (bare in _DEMONYMS or bare in _NOT_NAMES) and next_org):
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
            if k > j and _ends_sentence(tokens[k - 1][2]):
                break
            if k > i and "\n" in text[tokens[k - 1][1] : tokens[k][0]]:
                break  # a headline without a full stop ends at its line: "... from Sarn" / "Dr. Amal Hadid has"
            within = k > j and _capitalised(w) and (w.lower() not in _NOT_NAMES or w == "Today")  # "USA Today"
            if k == i or _name_word(w, common_words) or within:
                last = k
                k += 1
            elif w.lower() in _CONNECTORS and k + 1 < len(tokens) and _capitalised(tokens[k + 1][2]) and k > j:
                if w.lower() == "and" and _two_names(text, tokens, j, k):
                    break  # "Sen. Dale Harlan and Gov. Miriam Voss", "Harlan and Voss": two people
                k += 1
            elif w == "-" and k > j and k + 1 < len(tokens) and _capitalised(tokens[k + 1][2]):
                k += 1
            else:
                break
        if last < j:  # a title alone ("President said"): not a name
            i = max(k, i + 1)
            continue
        if not titles and i > 0 and tokens[i - 1][2].islower() and tokens[i - 1][2].rstrip(".") in _TITLES:
            titles.append(tokens[i - 1][2].rstrip("."))  # "army spokesman Piet Halvorsen"
        office = _office_title(tokens[j : last + 1])
        # "Defence Minister Ara Venn": the office is a title too (the name keeps it, as the source profiler reads it)
        titles.extend(t[2].rstrip(".").lower() for t in tokens[j : j + office])
        ms, me = tokens[j][0], tokens[last][1]
        name = re.sub(r"['’]s$", "", text[ms:me]).rstrip(".")
        me = ms + len(name)
        words = {w.strip(".").lower() for w in re.split(r"[\s\-]+", name)}
        is_org = bool(words & _ORG_WORDS) or (name.isupper() and len(name) >= 2)
        if name.lower() in _PLACES and not titles:
            i = last + 1
            continue  # "New York", "South Carolina": places are no sources
        gender = ""
        if titles:
            gender = "f" if titles[0] in _FEMALE_TITLES else "m" if titles[0] in _MALE_TITLES else ""
        first = name.split()[0].lower()
        if not gender and len(name.split()) > 1:
            gender = "f" if first in _FEMALE_NAMES else "m" if first in _MALE_NAMES else ""
        if not (titles or is_org or " " in name) and _demonym_here(name, text):
            i = last + 1
            continue  # "A senior Ostrian official": a people's name, where the article names their land
        mentions.append(Mention(ms, me, name, "org" if is_org else "person", gender, " ".join(titles)))
        i = last + 1
    return mentions


def _demonym_here(word: str, text: str) -> bool:
    """Whether ``word`` is the demonym of a place the text names ("Ostrian" where "Ostria" is written).

    >>> _demonym_here("Ostrian", "Talks in Ostria. An Ostrian official spoke."), _demonym_here("Venn", "Venn spoke.")
    (True, False)
    """
    lower = word.lower()
    if not lower.endswith(("an", "i", "ese", "ish")):
        return False
    return any(demonym_of(lower, place) for place in _capitalised_words(text) if place != lower)


_CAPITALISED_CACHE: dict[int, tuple[str, frozenset[str]]] = {}


def _capitalised_words(text: str) -> frozenset[str]:
    """The capitalised words of ``text``, in lower case (cached per text, as :func:`common_words`)."""
    cached = _CAPITALISED_CACHE.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    words = frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text))
    if len(_CAPITALISED_CACHE) > 64:
        _CAPITALISED_CACHE.clear()
    _CAPITALISED_CACHE[id(text)] = (text, words)
    return words


def _two_names(text: str, tokens: Sequence[tuple[int, int, str]], start: int, at: int) -> bool:
    """Whether the "and" at ``tokens[at]`` joins two names, not one name's words ("Centre for Justice and Dignity").

    Two names: a title follows the "and" ("... Harlan and Gov. Miriam Voss"), or the capitalised words on each side
    ("Harlan", "Voss") also stand alone elsewhere in the article.

    >>> text = "Harlan and Voss met. Harlan spoke; Voss left. The Centre for Justice and Dignity said so."
    >>> [m.text for m in find_mentions(text)]
    ['Harlan', 'Voss', 'Harlan', 'Voss', 'The Centre for Justice and Dignity']
    """
    after = tokens[at + 1][2].rstrip(".").lower()
    if after in _TITLES:
        return True
    left = tokens[start:at]
    right = []
    for token in tokens[at + 1 :]:
        if not _capitalised(token[2]) or token[2].lower() in _CONNECTORS:
            break
        right.append(token)
    if not left or not right or any(t[2].lower() in _CONNECTORS for t in left):
        return False
    elsewhere = text[: left[0][0]] + " " * (right[-1][1] - left[0][0]) + text[right[-1][1] :]
    return all(
        re.search(rf"(?<![\w-]){re.escape(text[side[0][0] : side[-1][1]])}(?![\w-])", elsewhere)
        for side in (left, right)
    )


def _office_title(run: Sequence[tuple[int, int, str]]) -> int:
    """How many words of a capitalised run name an office before a person's name ("Defence Minister Ara Venn": 2).

    At most two words before the title word, none of them an organisation's word, and a name after it.

    >>> [_office_title([(0, 0, w) for w in name.split()]) for name in ("Defence Minister Ara Venn",
    ...  "Deputy Prime Minister Ana Ruiz", "Attorney General Rob Lane", "Ara Venn", "Human Rights Watch Director Ken")]
    [2, 3, 2, 0, 0]
    """
    words = [t[2].rstrip(".") for t in run]
    for at in range(min(3, len(words) - 1), 0, -1):
        rest = words[at + 1 :]
        if (
            words[at].lower() in _TITLES
            and rest
            and not any(w.lower() in _TITLES for w in rest)
            and not any(_bare(w) in _ORG_WORDS for w in words[:at])
        ):
            return at + 1
    return 0


#: Members of a body named before them in lower case: "Government officials", "Army units".
_GENERIC_MEMBERS = frozenset("official source unit soldier troop force spokesman spokeswoman officer".split())
#: Words that follow a sentence's opening participle: "Speaking at", "Responding to", "Asked about".
_AFTER_PARTICIPLE = frozenset("at to on in about with from after before during for by the a an".split())


def _common_noun_alone(bare: str, following: str) -> bool:
    """Whether a capitalised word followed by a lower-case one is a common noun or participle, not a name.

    A plural or singular noun for people, bodies or documents ("Officials", "Witnesses", "Residents") or a
    participle before a preposition ("Speaking at", "Responding to"); "Hamas said", "Beijing said" stay names.

    >>> [_common_noun_alone(w, n) for w, n in (("officials", "said"), ("speaking", "at"), ("hamas", "said"))]
    [True, True, False]
    >>> [_common_noun_alone(w, n) for w, n in (("beijing", "said"), ("officials", "Say"), ("army", "said"))]
    [False, False, False]
    >>> _common_noun_alone("government", "officials")
    True
    """
    if _capitalised(following):
        return False
    if bare in _ORG_WORDS:  # "Army said" names the army; "Government officials" name no one
        return singular_noun(following.lower()) in _GENERIC_MEMBERS
    if bare.endswith(("ing", "ed")) and following.lower() in _AFTER_PARTICIPLE:
        return True
    noun = singular_noun(bare)
    return noun in PERSON_NOUNS or noun in ORG_NOUNS or noun in DOCUMENT_NOUNS or bare in _COLLECTIVE_PEOPLE


def _ends_sentence(word: str) -> bool:
    """Whether a token ends with a full stop that is not an initial or abbreviation ("York." vs "J.", "U.S.")."""
    if not word.endswith("."):
        return False
    bare = word.rstrip(".")
    return len(bare) > 2 and "." not in bare and bare.lower() not in {"jr", "sr", "st", "mt", "ft", "corp", "inc"}


def _capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word.startswith("al-"))


#: A party and state after a politician's name: "(I-Vt.)", "(R-Ky)"
_PARTY_STATE = re.compile(r"[DRI]-[A-Z][A-Za-z]{0,3}\.?")


def _name_word(word: str, common_words: frozenset[str]) -> bool:
    """Whether ``word`` can start or continue a name."""
    if not _capitalised(word) or _PARTY_STATE.fullmatch(word):
        return False
    bare = _bare(word)
    if bare in _ORG_WORDS:
        return True
    if bare in _NOT_NAMES or bare in _DEMONYMS or bare in common_words:
        return False
    return not (word.isupper() and len(word) > 5)


# --- resolution -------------------------------------------------------------------------------

_PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
_ORG_PRONOUNS = frozenset({"it", "its"})
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
#: Nominal heads that refer back to a person ("the senator", "the retired neurosurgeon").
PERSON_NOUNS = frozenset(
    """senator candidate president governor nominee congressman congresswoman lawmaker spokesman spokeswoman
    spokesperson minister secretary mayor billionaire businessman businesswoman mogul tycoon frontrunner
    front-runner contender challenger republican democrat official commander general leader director chief
    ambassador envoy judge prosecutor attorney lawyer analyst professor scholar expert author writer reporter
    journalist host anchor chairman chairwoman pollster strategist adviser advisor aide founder ceo executive
    actor actress singer rapper star activist doctor witness resident man woman speaker pastor preacher
    cleric sheikh colonel neurosurgeon surgeon socialist populist outsider businessman developer mogul
    celebrity comedian talker commentator columnist economist historian scientist officer spokesman pope
    chancellor premier king queen prince emir monarch cardinal bishop rabbi imam father mother son daughter
    wife husband veteran congressman lawmaker incumbent rival opponent politician hopeful""".split()
)
#: Nominal heads that refer back to an organisation ("the watchdog", "the observatory").
ORG_NOUNS = frozenset(
    """watchdog observatory ministry agency organization organisation group campaign committee council
    government administration department army military company firm network newspaper paper outlet channel
    broadcaster station magazine institute center centre foundation fund party union coalition alliance
    movement court commission office bureau board authority charity monitor militia brigade website site
    bank university college school club team league federation association kingdom regime state senate
    house chamber panel pac""".split()
)
#: Nominal heads of documents; they resolve to the author named with them ("a report by Amnesty").
DOCUMENT_NOUNS = frozenset(
    """report study poll survey statement analysis document memo letter book article review audit data
    figures findings investigation probe assessment estimate paper filing filings release ad ads video
    order ruling decision brief lawsuit complaint email tweet post""".split()
)
_AUTHOR_OF = re.compile(r"\b(?:by|from|of)\s+$")
#: What comes right before a place name: "in Kafr Nasr", "near Hrusk", "the village of Oskal".
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|inside|around|towards?|into|across|through|at)|"
    r"\b(?:village|town|city|province|district|region|area|outskirts|suburbs?|countryside|governorate|camp)s?\s+of)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _after_locative(text: str, mention: Mention) -> bool:
    """Whether ``mention`` follows a locative preposition, so it names a place, not a person.

    Example:
        >>> text = "Oleg Marin fled from Hrusk to the village of Oskal, near Vessa."
        >>> [(m.text, _after_locative(text, m)) for m in find_mentions(text)]
        [('Oleg Marin', False), ('Hrusk', False), ('Oskal', True), ('Vessa', True)]

    """
    return bool(_LOCATIVE_BEFORE.search(text[max(0, mention.start - 40) : mention.start]))


#: People named by where they live or work: "residents of Tal Sahwa", "villagers from Oskal".
_PEOPLE_OF = re.compile(
    r"\b(?:residents?|inhabitants?|villagers?|people|citizens|civilians|families|farmers|traders|elders)\s+"
    r"(?:of|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_COLLECTIVE_PEOPLE = frozenset(
    "residents inhabitants villagers people citizens civilians families farmers traders elders witnesses "
    "shopkeeper trader farmer nurse worker workers officer officers diplomat diplomats delegates".split()
)


#: A source that is only the word "source(s)" with a determiner or quantifier: nothing says who speaks.
_BARE_SOURCE = re.compile(
    r"^(?:(?:a|an|the|another|other|some|several|many|multiple|numerous|two|three|four|these|those)\s+)?"
    r"(?:other\s+)?sources?$"
)


def is_bare_source(attribution: Attribution) -> bool:
    """Whether the source is just "sources", "a source", "another source": no identifiable source (guidelines 1.1).

    Such a source is ``unspecified`` and anonymous, unless it takes up an earlier described one ("the source"
    after "A military source"), which :func:`earlier_same_source` finds first.

    Example:
        >>> from attribution.records import Span
        >>> def a(src): return Attribution((), (Span("SOURCE", 0, len(src), src, 0),), (), "indirect", 0, 1.0)
        >>> [is_bare_source(a(s)) for s in ("sources", "Another source", "the sources", "Two other sources")]
        [True, True, True, True]
        >>> [is_bare_source(a(s)) for s in ("A military source", "sources close to the army", "officials")]
        [False, False, False]

    """
    return bool(_BARE_SOURCE.match(" ".join(_source_words(attribution))))


def named_only_by_place(attribution: Attribution) -> bool:
    """Whether the only names in a source are places, so no person or organisation is named (guidelines 1.2).

    "A shopkeeper in Taiz", "Residents of Tal Sahwa", "A police spokesman in Kano" name where the
    speaker is, not who: such a source is anonymous. A source with any other name ("Hamadou Diallo, a
    farmer in Ouro Sakal"), or whose speaker belongs to a body ("The rival government in Tripoli", "a
    spokesman for the army in Goma"), is not covered.

    Example:
        >>> from attribution.records import Span
        >>> def a(src): return Attribution((), (Span("SOURCE", 0, len(src), src, 0),), (), "indirect", 0, 1.0)
        >>> [named_only_by_place(a(s)) for s in ("A shopkeeper in Taiz", "Residents of Tal Sahwa")]
        [True, True]
        >>> named = ("Hamadou Diallo, a farmer in Ouro Sakal", "The rival government in Tripoli",
        ...          "A spokesman for the army in Goma", "officials")
        >>> [named_only_by_place(a(s)) for s in named]
        [False, False, False, False]

    """
    text = " ".join(s.text for s in attribution.source)
    first, _, rest = text.partition(" ")
    if first.lower() in _COLLECTIVE_PEOPLE or first.lower() in PERSON_NOUNS:  # "Residents of X" is not one name
        text = f"{first.lower()} {rest}"
    mentions = find_mentions(text)
    if not mentions or not all(
        _after_locative(text, m) or _PEOPLE_OF.search(text[max(0, m.start - 40) : m.start]) for m in mentions
    ):
        return False
    head = [w.lower().strip(".,“”\"'’") for w in text[: mentions[0].start].split()]
    if any(w in ORG_NOUNS for w in head):
        return False
    return any(w in _COLLECTIVE_PEOPLE or w in PERSON_NOUNS or w.rstrip("s") in PERSON_NOUNS for w in head)


def _source_words(attribution: Attribution) -> list[str]:
    return [w.lower().strip(".,“”\"'’") for w in " ".join(s.text for s in attribution.source).split()]


def source_kind(attribution: Attribution) -> str:
    """How a source refers to its speaker.

    ``person`` ("he", "his campaign"), ``plural`` ("they"), ``org`` ("it"), ``first`` ("I", "we"),
    ``relative`` ("who"), ``nominal_person`` ("the senator"), ``nominal_org`` ("the watchdog"),
    ``nominal_document`` ("the report"), ``named`` (a name in the span), ``other`` ("officials") or
    ``none`` (no source).

    Example:
        >>> from attribution.records import Span
        >>> def a(src): return Attribution((), (Span("SOURCE", 0, len(src), src, 0),), (), "indirect", 0, 1.0)
        >>> [source_kind(a(s)) for s in ("He", "the watchdog", "The report", "Rami Abdel Rahman", "officials")]
        ['person', 'nominal_org', 'nominal_document', 'named', 'other']
        >>> [source_kind(a(s)) for s in ("His campaign", "The retired neurosurgeon", "the Clinton campaign")]
        ['person', 'nominal_person', 'named']
        >>> [source_kind(a(s)) for s in ("its supporters", "his critics", "its spokesman", "His lawyer, Marcus Fenn,")]
        ['other', 'other', 'org', 'named']

    """
    words = _source_words(attribution)
    if not words:
        return "none"
    text = " ".join(s.text for s in attribution.source)
    first = words[0]
    if len(words) == 1 or (len(words) == 2 and first in ("we", "they") and words[1] in ("both", "all")):
        if first in _PERSON_PRONOUNS:
            return "person"
        if first in _PLURAL_PRONOUNS:
            return "plural"
        if first in _ORG_PRONOUNS:
            return "org"
        if first in _FIRST_PERSON:
            return "first"
        if first in _RELATIVE:
            return "relative"
    if first in {"his", "her", "its", "their"} and words[-1] in NOT_THE_POSSESSOR:
        return "other"  # "its supporters", "his critics": people of their own, not the possessor
    possessive = first in {"his", "her", "its"} and len(words) <= 4
    if first in {"his", "her"} and possessive and "," in text and find_mentions(text.split(",", 1)[1]):
        return "named"  # "His lawyer, Marcus Fenn,": the lawyer, named ("its director, X" speaks for it)
    if possessive:
        return "person" if first in {"his", "her"} else "org"  # "his campaign", "her spokesman": the possessor
    rest = text.split(maxsplit=1)[1] if first in _DETERMINERS and len(words) > 1 else text
    if find_mentions(rest if first in _DETERMINERS else text) and not (
        first in _DETERMINERS and all(w in _DEMONYMS or w in PERSON_NOUNS for w in words[1:])
    ):
        return "named"
    if first in _DETERMINERS and len(words) <= 6:
        head = words[-1]
        if head in DOCUMENT_NOUNS:
            return "nominal_document"
        if head in ORG_NOUNS:
            return "nominal_org"
        if head in PERSON_NOUNS or head.rstrip("s") in PERSON_NOUNS:
            return "nominal_person"
    return "other"


_COMMON_CACHE: dict[int, tuple[str, frozenset[str]]] = {}


def common_words(text: str) -> frozenset[str]:
    """The words ``text`` writes in lower case somewhere ("does", "indeed"): capitalised, they are not names.

    Example:
        >>> sorted(common_words("Indeed he said so. He indeed did."))
        ['did', 'he', 'indeed', 'said', 'so']

    """
    key = id(text)
    cached = _COMMON_CACHE.get(key)
    if cached is not None and cached[0] is text:
        return cached[1]
    words = frozenset(re.findall(r"(?<![\w’'])[a-z]+(?![\w’'])", text))
    if len(_COMMON_CACHE) > 64:
        _COMMON_CACHE.clear()
    _COMMON_CACHE[key] = (text, words)
    return words


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a pronoun or nominal source resolves to.

    ``name`` is the name in its fullest earlier form; ``start``/``end`` are the offsets of the mention it
    was resolved to in the article text.
    """

    name: str
    start: int
    end: int


def _full_form(mention: Mention, earlier: Sequence[Mention]) -> Resolution:
    """The longest earlier mention that ends with the same word ("Rami Abdel Rahman" for "Abdel Rahman")."""
    last = mention.text.split()[-1].lower()
    best = mention.text
    for other in earlier:
        if other.kind == mention.kind and other.text.split()[-1].lower() == last and len(other.text) > len(best):
            best = other.text
    return Resolution(best, mention.start, mention.end)


def _gender(mention: Mention, earlier: Sequence[Mention]) -> str:
    """The mention's gender, or that of an earlier fuller mention with the same last word."""
    if mention.gender:
        return mention.gender
    last = mention.text.split()[-1].lower()
    for other in reversed(earlier):
        if other.gender and other.text.split()[-1].lower() == last:
            return other.gender
    return ""


def resolve_source(
    attribution: Attribution,
    text: str,
    sentences: Sequence[Sentence],
    earlier_attributions: Sequence[Attribution],
) -> str | None:
    """The named entity a pronoun or nominal source refers to, or ``None`` (named source, nothing found).

    A thin wrapper over :func:`resolve_source_mention` (which also gives the mention's offsets).

    Example:
        >>> from attribution.records import Span
        >>> text = "Sen. Bernie Sanders spoke in Iowa. The senator said he would stay in the race."
        >>> sentences = [Sentence(0, 0, 34, text[:34]), Sentence(1, 35, len(text), text[35:])]
        >>> a = Attribution((Span("CUE", 47, 51, "said", 1),), (Span("SOURCE", 35, 46, "The senator", 1),), (),
        ...                 "indirect", 1, 1.0)
        >>> resolve_source(a, text, sentences, [])
        'Bernie Sanders'

    """
    resolution = resolve_source_mention(attribution, text, sentences, earlier_attributions)
    return resolution.name if resolution is not None else None


def resolve_source_mention(
    attribution: Attribution,
    text: str,
    sentences: Sequence[Sentence],
    earlier_attributions: Sequence[Attribution],
) -> Resolution | None:
    """The named entity a pronoun or nominal source refers to, or ``None`` (named source, nothing found).

    Args:
        attribution: The attribution whose source is resolved.
        text: The article text.
        sentences: The article's sentences (the search looks back up to four sentences).
        earlier_attributions: Other attributions of the article: earlier ones (whose named sources are
            preferred antecedents) and any whose content encloses this source (the speaker of a quote
            for "I"/"we").

    Rules: "who"/"which" -> the name right before it in the sentence; "I"/"we" -> the source of the
    attribution whose content holds it; "he"/"she"/"his campaign"/"the senator" -> the nearest earlier
    person name (gender from titles and given names when known; a name that is an earlier source in
    this or the previous sentence first); "it"/"the watchdog"/"the observatory" -> the nearest earlier
    organisation (one whose name holds the noun first; for "the army", "the coalition", "the ministry" and other
    kinds of actor only such a one); "the report"/"the poll" -> the author named with
    it ("a report by Amnesty", "Amnesty's report"); "they" -> the nearest organisation in this or the
    previous sentence, else ``None``.

    Example:
        >>> from attribution.records import Span
        >>> text = "Sen. Bernie Sanders spoke in Iowa. The senator said he would stay in the race."
        >>> sentences = [Sentence(0, 0, 34, text[:34]), Sentence(1, 35, len(text), text[35:])]
        >>> a = Attribution((Span("CUE", 47, 51, "said", 1),), (Span("SOURCE", 35, 46, "The senator", 1),), (),
        ...                 "indirect", 1, 1.0)
        >>> resolve_source_mention(a, text, sentences, [])
        Resolution(name='Bernie Sanders', start=5, end=19)

    """
    if not attribution.source:
        return None
    kind = source_kind(attribution)
    if kind in ("named", "other", "none"):
        return None
    if kind == "first":
        return _enclosing_speaker(attribution, text, sentences, earlier_attributions)
    src_start = attribution.source[0].start
    sentence = _sentence_at(sentences, src_start)
    common = common_words(text)
    earlier_all = find_mentions(text, 0, src_start, common_words=common)
    if kind == "relative":
        lo = sentence.start if sentence else max(0, src_start - 200)
        before = [m for m in earlier_all if m.start >= lo]
        if before and len(text[before[-1].end : src_start].split()) <= 8:
            return _full_form(before[-1], earlier_all)
        return None
    window_start = _window_start(sentences, sentence, 4) if sentence else max(0, src_start - 800)
    mentions = [m for m in earlier_all if m.start >= window_start]
    words = _source_words(attribution)
    if kind == "nominal_document":
        return _document_author(text, window_start, src_start, words[-1], common)
    recent_lo = _window_start(sentences, sentence, 1) if sentence else window_start
    if kind == "plural":
        orgs = [m for m in mentions if m.kind == "org" and m.start >= recent_lo]
        return _full_form(orgs[-1], earlier_all) if orgs else None
    if kind == "org" and _unnamed_subject_before(attribution, earlier_attributions):
        return None  # "The army said X, in what it called Y": "it" is the army, which has no name to give
    target = "person" if kind in ("person", "nominal_person") else "org"
    gender = _PERSON_PRONOUNS.get(words[0], "") if kind == "person" else ""
    quoted = quoted_regions(text)
    candidates = [
        m
        for m in mentions
        if m.kind == target
        and (not gender or _gender(m, earlier_all) in ("", gender))
        and not _overlaps((m.start, m.end), quoted)
        and not (target == "person" and _after_locative(text, m))  # "near Hrusk": a place, not a "he"
    ]
    here = sentence.start if sentence else src_start
    named_here = any(m.start >= here for m in candidates)  # "Federal Judge Gave Hillary News - She's ..."
    if _pronoun_gender(attribution) is not None and not named_here:
        previous = _previous_speaker(attribution, earlier_attributions, recent_lo)
        if previous is not None and (
            _pronoun_gender(previous) in ("", gender) or source_kind(previous) == "nominal_person"
        ):
            # "Venn said ... He declined ... 'We are not,' he said": the same speaker as the "He" or "The minister"
            return _resolved_as(previous, text, sentences, earlier_attributions)
        if previous is not None and _unnamed_person(previous, candidates):
            return None  # "The source added ... He said": the unnamed source again, not a name in passing
    if kind == "nominal_org" and words[-1] in _MEDIA_NOUNS:  # "the newspaper": the outlet named before
        outlets = [m for m in mentions if is_media_name(m.text) and not _overlaps((m.start, m.end), quoted)]
        return _full_form(outlets[-1], earlier_all) if outlets else None
    if kind == "nominal_org":
        named_like = [m for m in candidates if words[-1] in m.text.lower()]
        if named_like:
            return _full_form(named_like[-1], earlier_all)
        if words[-1] in _KIND_NOUNS:
            return None  # "the coalition said": not the nearest organisation of another kind ("Saba", "Amnesty")
    if kind == "nominal_person" and _same_unnamed_before(attribution, earlier_attributions, window_start, candidates):
        return None  # "A senior Ostrian official said ... The official said": the same unnamed official
    starts = {s.start for s in sentences}
    subjects = [m for m in candidates if m.start >= recent_lo and _sentence_initial(text, m, starts)]
    if kind == "nominal_person":  # "the minister": the last person so titled; further back when no one is named
        titled = [
            m
            for m in earlier_all
            if m.kind == "person"
            and m.titled
            and (words[-1] in m.titled.split() or m.titled.startswith(words[-1][:3]))
            and not _overlaps((m.start, m.end), quoted)
        ]
        if titled and (titled[-1].start >= window_start or not subjects):
            return _full_form(titled[-1], earlier_all)
    if not candidates:
        return None
    sources = _earlier_source_spans(earlier_attributions, src_start)
    heads = [_source_head([m for m in candidates if _overlaps((m.start, m.end), [span])]) for span in sources]
    recent_speakers = sorted({m for m in heads if m is not None and m.start >= recent_lo}, key=lambda m: m.start)
    if recent_speakers:
        return _full_form(recent_speakers[-1], earlier_all)
    # a subject (the first name of a sentence) in this or the previous sentence beats a name in passing
    named_since = [m for m in subjects if _gender(m, earlier_all) == gender or " " in m.text]
    if _pronoun_gender(attribution) is not None and not named_since and not named_here:
        # "Varga said X. Farms pump water. 'Y,' she said": the speaker before, when no person of the pronoun's
        # gender, no full name, opened a sentence since, and no name stands before it in its own sentence
        earlier_speaker = _earlier_speaker(
            attribution, text, sentences, earlier_attributions, window_start, candidates, gender
        )
        if earlier_speaker is not None:
            return earlier_speaker
    chosen = subjects[-1] if subjects else candidates[-1]
    return _full_form(chosen, earlier_all)


def _earlier_speaker(
    attribution: Attribution,
    text: str,
    sentences: Sequence[Sentence],
    others: Sequence[Attribution],
    lo: int,
    candidates: Sequence[Mention],
    gender: str,
) -> Resolution | None:
    """The person who spoke last before ``attribution`` from ``lo`` on: a name, or a pronoun of ``gender`` resolved.

    Only past names that opened a sentence once ("Farms and factories pump water"), not past a name the text
    repeats or names inside a sentence.
    """
    previous = _previous_speaker(attribution, others, lo)
    if previous is None:
        return None
    between = [m for m in candidates if previous.source[-1].end <= m.start < attribution.source[0].start]
    starts = {s.start for s in sentences}
    if any(text.count(m.text) > 1 or not _sentence_initial(text, m, starts) for m in between):
        return None
    if _pronoun_gender(previous) is not None:
        if _pronoun_gender(previous) != gender:
            return None  # "she" spoke last: not this "he"
        return _resolved_as(previous, text, sentences, others)
    spans = [(s.start, s.end) for s in previous.source]
    head = _source_head([m for m in candidates if _overlaps((m.start, m.end), spans) and not is_media_name(m.text)])
    return _full_form(head, candidates) if head is not None else None


def _resolved_as(
    previous: Attribution, text: str, sentences: Sequence[Sentence], others: Sequence[Attribution]
) -> Resolution | None:
    """What an earlier source resolves to, seeing only the attributions before it."""
    before = [o for o in others if o.source and o.source[0].start < previous.source[0].start]
    return resolve_source_mention(previous, text, sentences, before)


def _previous_speaker(attribution: Attribution, others: Sequence[Attribution], lo: int) -> Attribution | None:
    """The attribution whose source ends last before ``attribution``'s, if it starts at ``lo`` or later."""
    start = attribution.source[0].start
    before = [a for a in others if a is not attribution and a.source and lo <= a.source[0].start < start]
    before = [a for a in before if a.source[-1].end <= start]
    return max(before, key=lambda a: a.source[-1].end, default=None)


def _pronoun_gender(attribution: Attribution) -> str | None:
    """``m`` or ``f`` for a source that is only "he" or "she", else ``None``."""
    words = _source_words(attribution)
    return _PERSON_PRONOUNS.get(words[0]) if len(words) == 1 and words[0] in ("he", "she") else None


#: Heads of an unnamed source that is one person: "A military source", "a woman who fled", "One man".
_ONE_PERSON_HEADS = (
    PERSON_NOUNS
    | frozenset(
        "source farmer villager nurse medic shopkeeper trader survivor refugee student teacher worker driver "
        "soldier fighter guard deputy officer".split()
    )
) - frozenset(("republican", "democrat"))
#: Words that end the head part of a source: "a woman | who fled", "a farmer | in Oskal", "a source | close to".
_AFTER_HEAD = frozenset("who whom whose which that in at from of for with close familiar near on".split())


def _same_unnamed_before(
    attribution: Attribution, others: Sequence[Attribution], lo: int, candidates: Sequence[Mention]
) -> bool:
    """Whether an unnamed person with the same head noun was introduced from ``lo`` on ("A senior official")."""
    head = singular_noun(_source_words(attribution)[-1])
    start = attribution.source[0].start
    for other in others:
        if other is attribution or not other.source or not lo <= other.source[0].start < start:
            continue
        words = _source_words(other)
        cut = next((i for i, w in enumerate(words) if i and w in _AFTER_HEAD), len(words))
        introduced = words[0] in ("a", "an")  # "the official" before is another nominal, resolved its own way
        if introduced and singular_noun(words[cut - 1]) == head and _unnamed_person(other, candidates):
            return True
    return False


def _unnamed_person(attribution: Attribution, candidates: Sequence[Mention]) -> bool:
    """Whether a source is one person it does not name: "The source", "a woman who fled to the village of Ain Sadra".

    >>> def a(src): return Attribution((), (Span("SOURCE", 0, len(src), src, 0),), (), "indirect", 0, 1.0)
    >>> [_unnamed_person(a(s), []) for s in ("The source", "a woman who fled to Ain Sadra", "One man")]
    [True, True, True]
    >>> [_unnamed_person(a(s), []) for s in ("officials", "The ministry", "Residents of Tel Haroun", "He")]
    [False, False, False, False]
    """
    words = _source_words(attribution)
    if len(words) < 2:
        return False  # a pronoun, or one bare word ("One said": one of whom?)
    span = [(s.start, s.end) for s in attribution.source]
    if any(_overlaps((m.start, m.end), span) for m in candidates):
        return False
    head = next((i for i, w in enumerate(words) if i and w in _AFTER_HEAD), len(words))
    return words[head - 1] in _ONE_PERSON_HEADS


def _unnamed_subject_before(attribution: Attribution, others: Sequence[Attribution]) -> bool:
    """Whether the nearest source before ``attribution``'s in its sentence is an unnamed one ("The army").

    An "it" right after such a source is that source ("The army said X, in what it called Y"), not the nearest
    organisation named in an earlier sentence.

    >>> from attribution.records import Span
    >>> def a(src, at): return Attribution((), (Span("SOURCE", at, at + len(src), src, 0),), (), "indirect", 0, 1.0)
    >>> it = a("it", 60)
    >>> _unnamed_subject_before(it, [a("The army", 0)]), _unnamed_subject_before(it, [a("Human Rights Watch", 0)])
    (True, False)
    """
    start = attribution.source[0].start
    before = [
        a
        for a in others
        if a is not attribution
        and a.source
        and a.sentence_index == attribution.sentence_index
        and a.source[-1].end <= start
    ]
    if not before:
        return False
    nearest = max(before, key=lambda a: a.source[-1].end)
    return source_kind(nearest) in ("other", "nominal_org")


#: Nouns of a nominal source that name a news outlet: it resolves only to an outlet's name ("the newspaper").
_MEDIA_NOUNS = frozenset("newspaper paper daily tabloid broadcaster channel station outlet website".split())
#: Nouns of a nominal source that name a kind of actor: it resolves only to a name that holds the noun ("the army"
#: to "the Syrian Arab Army"), never to the nearest organisation of another kind.
_KIND_NOUNS = frozenset("army military coalition government ministry police forces regime authorities".split())


def _source_head(mentions: Sequence[Mention]) -> Mention | None:
    """The name a source phrase is about: its first full name, else its first name.

    "Hamidou Sawadogo", not "Tiabongou", in "Hamidou Sawadogo, a trader from Tiabongou"; "Irina Balash", not
    "Opposition", in "Opposition MP Irina Balash".
    """
    full = [m for m in mentions if len(m.text.split()) > 1]
    return (full or list(mentions) or [None])[0]


def _sentence_initial(text: str, mention: Mention, sentence_starts: set[int]) -> bool:
    """Whether only a title, a determiner or a few capitalised words precede ``mention`` in its sentence."""
    lo = max((s for s in sentence_starts if s <= mention.start), default=0)
    before = text[lo : mention.start].split()
    return len(before) <= 2 and all(w[:1].isupper() or w.lower() in ("the", "former") for w in before)


_QUOTE_PAIRS = (("“", "”"), ("‘‘", "’’"), ("``", "''"))


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` inside double quotation marks (curly, straight or doubled single quotes).

    Straight quotes pair up within a paragraph; an unclosed curly quote runs to the end of its paragraph.

    Example:
        >>> text = 'He said "we will win" and left. “Not now,” she said.'
        >>> [text[s:e] for s, e in quoted_regions(text)]
        ['we will win', 'Not now,']

    """
    regions: list[tuple[int, int]] = []
    for open_mark, close_mark in _QUOTE_PAIRS:
        pos = 0
        while True:
            start = text.find(open_mark, pos)
            if start < 0:
                break
            paragraph_end = text.find("\n\n", start)
            paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
            end = text.find(close_mark, start + len(open_mark), paragraph_end)
            end = paragraph_end if end < 0 else end
            regions.append((start + len(open_mark), end))
            pos = end + len(close_mark)
    for paragraph in re.finditer(r"[^\n]+", text):
        line = paragraph.group(0)
        marks = [m.start() for m in re.finditer(r"(?<!')\"|''(?!')", line)]
        for a, b in zip(marks[::2], marks[1::2], strict=False):
            width = 2 if line[a : a + 2] == "''" else 1
            regions.append((paragraph.start() + a + width, paragraph.start() + b))
    return sorted(regions)


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
) -> Resolution | None:
    start = attribution.source[0].start
    for other in others:
        if other is attribution or not other.source:
            continue
        if any(c.start <= start < c.end for c in other.content):
            if source_kind(other) == "named":
                lo, hi = other.source[0].start, other.source[-1].end
                mentions = find_mentions(text, lo, hi)
                if mentions:
                    return Resolution(mentions[-1].text, mentions[-1].start, mentions[-1].end)
                return Resolution(text[lo:hi], lo, hi)
            return resolve_source_mention(other, text, sentences, [o for o in others if o is not other])
    return None


def _document_author(text: str, lo: int, hi: int, head: str, common: frozenset[str]) -> Resolution | None:
    """The author named with the nearest earlier mention of ``head`` ("a report by X", "X's report", "X released")."""
    best: Resolution | None = None
    for m in re.finditer(rf"\b{re.escape(head)}s?\b", text[lo:hi], re.IGNORECASE):
        head_start, head_end = lo + m.start(), lo + m.end()
        after = find_mentions(text, head_end, min(hi, head_end + 60), common_words=common)
        if after and after[0].start - head_end < 25 and _AUTHOR_OF.search(text[head_end : after[0].start]):
            best = Resolution(after[0].text, after[0].start, after[0].end)
            continue
        before = find_mentions(text, max(lo, head_start - 80), head_start, common_words=common)
        if before:
            gap = text[before[-1].end : head_start]
            adjacent = re.fullmatch(r"(?:['’]s)?(?:\s+[a-z\-]+){0,2}\s*", gap)
            released = re.search(
                r"\b(?:released|published|issued|conducted|put out|compiled)\s+(?:an?|its|their|the)\s+(?:\w+\s+)?$",
                gap,
            )
            if adjacent or released:
                best = Resolution(before[-1].text, before[-1].start, before[-1].end)
    return best


_ANAPHORIC_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})


def earlier_same_source(
    index: int, attributions: Sequence[Attribution], sentences: Sequence[Sentence], *, max_sentences: int = 4
) -> int | None:
    """The earlier attribution whose source a definite nominal source takes up again, if any.

    "A military source told FNA ... " then "..., the source said": "the source" is the same speaker, so it
    takes that attribution's type and anonymity (guidelines 1.1: a nominal source takes the type of what
    it resolves to, even when that is not a named entity). Matched on the head noun (the last word,
    plural or singular) within ``max_sentences`` sentences before; the nearest match wins. A "he" or "she" that
    nothing resolves takes up the source just before it, in its sentence or the one before, when that is one
    unnamed person or the same pronoun ("The source added ... He said").

    Example:
        >>> from attribution.records import Span
        >>> def a(src, at, sent): return Attribution((), (Span("SOURCE", at, at + len(src), src, sent),), (),
        ...                                           "indirect", sent, 1.0)
        >>> sentences = [Sentence(i, i * 100, i * 100 + 99, "") for i in range(8)]
        >>> found = [a("A military source", 0, 0), a("Residents", 100, 1), a("the source", 200, 2)]
        >>> earlier_same_source(2, found, sentences)
        0
        >>> earlier_same_source(1, found, sentences) is None  # "Residents" is not definite
        True
        >>> earlier_same_source(1, [a("military sources", 0, 0), a("the sources", 700, 7)], sentences) is None
        True

    """
    if not attributions[index].source:
        return None
    here = attributions[index].source[0].sentence_index
    if _pronoun_gender(attributions[index]) is not None:  # "He said" right after "The source added"
        previous = _previous_speaker(attributions[index], attributions[:index], 0)
        if previous is None or here - previous.source[0].sentence_index > 1:
            return None
        same_gender = _pronoun_gender(previous) == _pronoun_gender(attributions[index])
        if not (same_gender or _unnamed_person(previous, ())):
            return None
        return next(j for j in range(index) if attributions[j] is previous)
    words = _source_words(attributions[index])
    if len(words) < 2 or words[0] not in _ANAPHORIC_DETERMINERS:
        return None
    head = singular_noun(words[-1])
    for j in range(index - 1, -1, -1):
        other = attributions[j]
        if not other.source or other.source[0].start >= attributions[index].source[0].start:
            continue
        if here - other.source[0].sentence_index > max_sentences:
            break
        other_words = _source_words(other)
        if other_words and singular_noun(other_words[-1]) == head:
            return j
    return None
