"""Distancing markers and their targets (annotation guidelines section 2), by rules.

Markers: "so-called", "self-proclaimed", "self-styled", "alleged", "allegedly", "purported",
"purportedly", "what it calls" (and "what they call", "what the army described as", ...) and scare
quotes: quotation marks around a short term that nobody in the text is reported to have said.

Each marker has a target: the name or noun phrase after an adjective marker ("so-called *Syrian
Observatory for Human Rights*"), the predicate after an adverb ("allegedly *fired at the crowd*"),
the term after "what it calls" (without its quotation marks), and for scare quotes the quoted term.

Not markers:

- "so-called" before a technical term ("so-called core prices", "so-called dark matter"): the target's
  words are checked against a list of technical nouns from economics, science, medicine and technology;
- quotation marks that report speech: inside an attribution's content, after a speech or naming verb
  ("said", "called it", "described as", "chanted", "known as", "goes by the name"), before a speech tag
  (``,” he said``), or longer than four words;
- nicknames, titles of works and other names in quotes ("the film “Homeland”", "nicknamed “the Butcher”",
  "Operation “Olive Branch”", "the word “jihad”");
- lexical markers inside a direct quotation (the source's words, not the writer's).

Example:
    >>> text = "The so-called Syrian Observatory for Human Rights counted the dead in the “liberated” villages."
    >>> [(m.kind, m.text, m.target_text) for m in find_distancing(text)]
    [('so-called', 'so-called', 'Syrian Observatory for Human Rights'), ('scare_quotes', '“liberated”', 'liberated')]
    >>> find_distancing("The so-called core prices rose 0.2 percent, the office said.")
    ()

"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attribution.records import Attribution, DistancingMarker, Sentence
from attribution.relays import quoted_regions
from attribution.stance import ReportingVerbLexicon, _cached

#: The word markers (also read by the actor table, which shows a name without them).
LEXICAL_MARKERS = re.compile(
    r"(?<![\w-])(?P<marker>so[-\s]called|self[-\s]proclaimed|self[-\s]styled|alleged(?:ly)?|purported(?:ly)?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_WHAT_CALLS = re.compile(
    r"\b(?P<marker>what\s+(?:it|they|he|she|we|the\s+[\w\-]+(?:\s+[\w\-]+)?|[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)\s+"
    r"(?:calls?|called|describes?\s+as|described\s+as|terms?|termed|dubs?|dubbed|refers?\s+to\s+as|"
    r"referred\s+to\s+as|labels?|labelled|labeled|brands?|branded))(?!\w)",
)
_QUOTES = (("“", "”"), ('"', '"'), ("‘", "’"), ("''", "''"), ("``", "''"))
#: Words right before a quote that make it speech, a name or a title rather than scare quotes.
_QUOTE_BLOCKERS = frozenset(
    """said say says saying told tell tells telling call calls called calling describe describes described
    describing as dubbed dub dubs named name nicknamed nickname codenamed code-named titled entitled headlined
    chanted chant shouted shout wrote write writes tweeted tweet posted post read reads reading word term
    phrase slogan hashtag song film movie book novel memoir album documentary series show programme program
    play poem article op-ed column report investigation study ship vessel boat operation campaign exhibition
    painting letter speech motto banner sign signs known by guerre alias handle label labelled labeled
    branded brand termed terms quote quoted quoting added asked replied answered insisted declared warned
    promised vowed claimed announced stated argued replied responded considers consider considered
    found finds""".split()
)
#: Nouns of technical vocabulary: "so-called" before them is a definition, not distancing.
TECHNICAL_WORDS = frozenset(
    """price prices inflation deflation rate rates index indices yield yields bond bonds spread spreads
    tax taxes tariff tariffs loophole ratio gap curve graph model effect effects matter energy particle
    particles wave waves gene genes cell cells protein proteins antibody antibodies vaccine vaccines virus
    viruses bacteria superbug superbugs drug drugs therapy therapies syndrome disorder disease diseases
    easing tightening stimulus bubble bubbles economy economies market markets derivative
    derivatives asset assets equity debt deficit surplus growth recession depression unemployment
    wage wages income incomes consumption spending investment productivity algorithm algorithms software
    protocol protocols chip chips data cloud code blockchain token tokens satellite
    satellites orbit planet planets star stars galaxy galaxies hole holes layer layers
    climate emissions gas gases carbon greenhouse ozone fuel fuels reactor reactors isotope isotopes
    molecule molecules compound compounds enzyme enzymes hormone hormones neuron neurons placebo
    dna rna strain strains variant variants mutation mutations ecosystem species fossil fossils interest
    exchange exchanges trust trusts account accounts credit credits deduction deductions option options""".split()
)
#: Neutral reporting verbs that introduce quoted words (other neutral entries such as "continue" do not).
_SPEECH_VERBS = frozenset(
    """say tell state announce note add report write declare comment remark mention describe reply respond
    answer ask quote cite tweet predict estimate believe think feel argue suggest warn promise pledge vow
    stress emphasize recall characterize testify deny reject dismiss criticize condemn praise hail call""".split()
) | {"according to"}
_NP_STOP = frozenset(
    """is are was were be been being has have had will would could should may might can must shall did does
    do that which who whom whose where when while as than after before since until because if though although
    to from by with in on at into onto over under about against between through during without within near
    and or but nor so yet not no also still only just even already now then there here it its they their
    them he his she her we our you your this these those said says say told""".split()
)
_WORD = re.compile(r"[\w][\w\-’']*|[^\w\s]")


def _sentence_index(sentences: Sequence[Sentence], offset: int) -> int:
    for sentence in sentences:
        if offset < sentence.end:
            return sentence.index
    return sentences[-1].index if sentences else 0


def _inside(span: tuple[int, int], regions: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in regions)


def _noun_phrase(text: str, pos: int, *, max_words: int = 6, quote_ahead: bool = False) -> tuple[int, int]:
    """The noun phrase starting at ``pos``: a capitalised name (with "of"/"for" inside) or up to a stop word."""
    words = [(m.start() + pos, m.end() + pos, m.group(0)) for m in _WORD.finditer(text[pos : pos + 300])]
    if len(words) > 1 and words[0][2].lower() in ("a", "an", "the") and words[1][2] in ("“", '"', "‘"):
        words = words[1:]  # "what it described as a “humanitarian corridor”"
    # an opening quote: the target is the quoted term
    if quote_ahead:  # "what he called Machado's “sex tape”": the quoted term
        for k, (_, _, w) in enumerate(words[:5]):
            if w in ("“", '"', "‘"):
                words = words[k:]
                break
    if words and words[0][2] in ("“", '"', "‘"):
        close = {"“": "”", '"': '"', "‘": "’"}[words[0][2]]
        end = text.find(close, words[0][1], words[0][1] + 120)
        if end > words[0][1]:
            inner = text[words[0][1] : end]
            return words[0][1], words[0][1] + len(inner.rstrip(" ,.;:"))
        words = words[1:]
    if not words or not words[0][2][0].isalnum():
        return pos, pos
    start = words[0][0]
    end = words[0][1]
    capitalised = words[0][2][0].isupper()
    count = 1
    for i in range(1, len(words)):
        s, e, w = words[i]
        if count >= max_words + (4 if capitalised else 0) or not w[0].isalnum():
            break
        if capitalised:
            if w[0].isupper():
                end = e
            elif w.lower() in ("of", "for", "and", "the", "al") and i + 1 < len(words) and words[i + 1][2][0].isupper():
                pass
            elif (
                words[i - 1][2][0].isupper()
                and w.lower() not in _NP_STOP
                and not w.endswith(("ed", "ing"))
                and not _looks_verb(w, words[i - 1][2])
                and w.isalpha()
            ):
                end = e  # a name used as a modifier: "Goldilocks economy"
                break
            elif w.lower() in ("of", "for", "and", "the", "al") and i + 1 < len(words) and words[i + 1][2][0].isupper():
                pass
            elif w.lower() in ("of", "the") and i + 1 < len(words) and words[i + 1][2][:1].islower():
                capitalised = False  # "defence minister of the breakaway region"
                continue
            else:
                break
        else:
            if w.lower() in _NP_STOP or w.lower() in ("of", "for") and count >= 3:
                if w.lower() in ("of", "for") and i + 1 < len(words):
                    continue
                break
            if w.lower() in ("of", "for"):
                continue
            if (w.endswith("ed") or w.endswith("ing")) and words[i - 1][2].lower() not in ("of", "for", "the"):
                break
            if words[i - 1][2].lower() not in ("of", "for", "the") and _looks_verb(w, words[i - 1][2]):
                break
            end = e
        count += 1
    return start, end


_VERBS = frozenset(
    """leave leaves remain remains continue continues control controls show shows say says claim claims
    withdrew fled rose fell went took met won lost ran began came gave held left led sent told wrote shot
    fought hit struck made got saw became kept brought stood sought spoke broke drove threw""".split()
)


def _looks_verb(word: str, previous: str) -> bool:
    """Whether ``word`` after a noun is more likely a verb ("the reforms leave", "the governor fled")."""
    return word.lower() in _VERBS


def _predicate(text: str, pos: int, *, max_words: int = 8) -> tuple[int, int]:
    """The words after an adverb marker, up to punctuation, a conjunction or ``max_words``."""
    words = [(m.start() + pos, m.end() + pos, m.group(0)) for m in _WORD.finditer(text[pos : pos + 300])]
    start = end = None
    for count, (s, e, w) in enumerate(words):
        if not w[0].isalnum() or (count and w.lower() in ("and", "but", "while", "which", "who", "although")):
            break
        if count >= max_words:
            break
        start = s if start is None else start
        end = e
    return (start, end) if start is not None and end is not None else (pos, pos)


def _quote_pairs(text: str) -> list[tuple[int, int, int, int]]:
    """``(open_start, inner_start, inner_end, close_end)`` of each quoted stretch, non-overlapping."""
    found: list[tuple[int, int, int, int]] = []
    taken: list[tuple[int, int]] = []
    for open_mark, close_mark in _QUOTES:
        pos = 0
        while True:
            start = text.find(open_mark, pos)
            if start < 0:
                break
            if open_mark == "‘" and start > 0 and text[start - 1].isalnum():
                pos = start + 1
                continue
            inner = start + len(open_mark)
            line_end = text.find("\n", inner)
            line_end = len(text) if line_end < 0 else line_end
            end = text.find(close_mark, inner, line_end)
            if close_mark == "’":  # skip apostrophes inside the quote ("the ‘people’s army’")
                while end > 0 and end + 1 < len(text) and text[end + 1].isalpha():
                    end = text.find(close_mark, end + 1, line_end)
            if end < 0:
                pos = inner
                continue
            span = (start, end + len(close_mark))
            if not any(s < span[1] and span[0] < e for s, e in taken):
                found.append((start, inner, end, end + len(close_mark)))
                taken.append(span)
            pos = end + len(close_mark)
    return sorted(found)


def _is_scare_quote(
    text: str, quote: tuple[int, int, int, int], contents: Sequence[tuple[int, int]], lexical_ends: set[int]
) -> bool:
    open_start, inner_start, inner_end, close_end = quote
    inner = text[inner_start:inner_end].strip(" ,.")
    words = inner.split()
    if not words or len(words) > 4 or len(inner) > 40 or inner.endswith(("?", "!")):
        return False
    if _inside((inner_start, inner_end), contents):
        return False
    before = text[max(0, open_start - 60) : open_start]
    before_words = re.findall(r"[\w\-’']+|[:,;=]", before.lower())
    if before_words and before_words[-1] in (":", "="):
        return False  # a quotation introduced by a colon; a markup attribute (author="...")
    # a nickname inside a name: Robert C. "Bobby" Scott
    after_word = re.match(r"\s*([\w’'.]+)", text[close_end : close_end + 30])
    before_word = re.search(r"([\w’'.]+)\s*$", before)
    if after_word and before_word and after_word.group(1)[0].isupper() and before_word.group(1)[0].isupper():
        return False
    # after "so-called" / "what it calls": part of that marker's target
    if any(0 <= open_start - end <= 2 for end in lexical_ends):
        return False
    # a speech or naming verb, a title noun or a name cue within the last words of the clause
    recent = []
    for w in reversed(before_words):
        if w in (",", ";") and len(recent) >= 2:
            break
        recent.append(w)
        if len(recent) >= 5:
            break
    if any(w.strip("’'") in _QUOTE_BLOCKERS for w in recent if w not in (",", ";")):
        return False
    clause = " ".join(reversed([w for w in recent if w not in (",", ";")]))
    if any(m.entry.stance != "neutral" or m.entry.verb in _SPEECH_VERBS for m in _reporting_verbs().find(clause)):
        return False  # a reporting verb in the clause: "found there had been “3,210 victims”"
    # a speech tag after the quote: ,” he said / ” said the minister
    after = text[close_end : close_end + 60]
    if re.match(r"\s*[,.]?\s*(?:[\w\-’']+\s+){0,4}?(?:said|says|told|added|asked|wrote|tweeted|insisted)\b", after):
        if re.match(r"\s*[,.]?\s*(?:he|she|they|it|we|i|the\s|a\s|an\s|one\s|[A-Z])", after):
            return False
    # a quoted sentence or a nickname: starts with a capital after "the" (a name) when quoted mid-phrase
    if words[0][0].isupper() and len(words) > 1 and text[max(0, open_start - 4) : open_start].strip().lower() != "the":
        return False
    if inner[:1].isupper() and open_start > 0 and before.rstrip().endswith((",", "the")) and "," in after[:3]:
        return False  # an apposition name: "the ship, the “Mavi Marmara,”"
    return True


def find_distancing(
    text: str,
    sentences: Sequence[Sentence] = (),
    attributions: Sequence[Attribution] = (),
) -> tuple[DistancingMarker, ...]:
    """The distancing markers of an article, with their targets, in text order.

    Args:
        text: The article text.
        sentences: Its sentences (for ``sentence_index``; may be empty).
        attributions: Its attributions; quotation marks inside their content are reported speech.

    Example:
        >>> [m.target_text for m in find_distancing("The army continued what it calls “mopping-up” operations.")]
        ['mopping-up']
        >>> find_distancing("A man who goes by the name “Shorty” runs the checkpoint.")
        ()

    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    contents = [(c.start, c.end) for a in attributions for c in a.content]
    direct = [r for r in quoted_regions(text) if len(text[r[0] : r[1]].split()) > 4]
    markers: list[DistancingMarker] = []

    def add(kind: str, start: int, end: int, target: tuple[int, int], score: float = 1.0) -> None:
        markers.append(
            DistancingMarker(
                kind=kind,
                start=start,
                end=end,
                text=text[start:end],
                sentence_index=_sentence_index(sentences, start),
                target_start=target[0],
                target_end=target[1],
                target_text=text[target[0] : target[1]],
                score=score,
            )
        )

    lexical_ends: set[int] = set()
    for m in LEXICAL_MARKERS.finditer(text):
        start, end = m.span("marker")
        if _inside((start, end), direct):
            continue
        word = re.sub(r"[\s-]+", "-", m.group("marker").lower())
        if word == "alleged" and _alleged_as_verb(text, start, end):  # "groups have long alleged that ..."
            continue
        if word.endswith("ly"):
            target = _predicate(text, end)
            kind = word[:-2]
        else:
            target = _noun_phrase(text, end)
            kind = word
            following = " ".join(text[target[1] : target[1] + 40].split()[:2])  # "so-called quantitative | easing"
            if kind == "so-called" and (
                _technical(f"{text[target[0] : target[1]]} {following}") or _defines_a_term(text, start, target)
            ):
                continue
        if target[0] == target[1]:
            continue
        lexical_ends.add(end)
        add(kind, start, end, target)
    for m in _WHAT_CALLS.finditer(text):
        start, end = m.span("marker")
        if _inside((start, end), direct):
            continue
        target = _noun_phrase(text, end, max_words=5, quote_ahead=True)
        if target[0] == target[1]:
            continue
        lexical_ends.add(end)
        add("what it calls", start, end, target)
    speech_end: int | None = None  # where the last quotation of speech ended
    for quote in _quote_pairs(text):
        # "was “overwhelmed” and “running out of everything”": a quote coordinated with speech is speech
        coordinated = speech_end is not None and re.fullmatch(r"[\s,]*(?:and|or)?\s*", text[speech_end : quote[0]])
        if coordinated or not _is_scare_quote(text, quote, contents, lexical_ends):
            speech_end = quote[3]
            continue
        open_start, inner_start, inner_end, close_end = quote
        inner = text[inner_start:inner_end]
        add("scare_quotes", open_start, close_end, (inner_start, inner_start + len(inner.rstrip(" ,."))), 0.8)
    markers.sort(key=lambda marker: (marker.start, marker.end))
    return tuple(markers)


def _reporting_verbs() -> ReportingVerbLexicon:
    """The packaged reporting-verb lexicon (cached)."""
    return _cached(None)


_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|such)\s+$", re.IGNORECASE)
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:has|have|had|having|is|are|was|were|been|long|also|repeatedly|previously|it|they|he|she|we|who)\s+$",
    re.IGNORECASE,
)


def _defines_a_term(text: str, start: int, target: tuple[int, int]) -> bool:
    """Whether an indefinite "so-called" introduces a term: "a so-called MUAC band", "such so-called strikes".

    Only for a plain common-noun target (its first word in lower case or an acronym, no quotation marks):
    "a so-called Islamic emirate" and "a so-called “humanitarian corridor”" stay distancing.

    Example:
        >>> text = "Nurses use a so-called MUAC band. Fighters of a so-called Islamic emirate fled."
        >>> [_defines_a_term(text, m.start(), (m.end() + 1, m.end() + 10)) for m in re.finditer("so-called", text)]
        [True, False]

    """
    if not _INDEFINITE_BEFORE.search(text[max(0, start - 8) : start]):
        return False
    words = text[target[0] : target[1]].split()
    if not words or any(q in text[max(0, target[0] - 1) : target[1] + 1] for q in '“”"‘’'):
        return False
    first = words[0]
    return first[:1].islower() or (first.isupper() and len(first) >= 2)


def _alleged_as_verb(text: str, start: int, end: int) -> bool:
    """Whether "alleged" is a reporting verb ("groups have long alleged that"), not the distancing adjective.

    Example:
        >>> text = "Rights groups have long alleged that detainees are beaten. The alleged gunman fled."
        >>> [_alleged_as_verb(text, m.start(), m.end()) for m in re.finditer("alleged", text)]
        [True, False]

    """
    after = text[end : end + 6].lstrip()
    return after.lower().startswith("that") or bool(_AUXILIARY_BEFORE.search(text[max(0, start - 20) : start]))


def _technical(target: str) -> bool:
    words = [w.lower().strip("“”\"'’‘") for w in re.split(r"[\s\-]+", target) if w]
    return any(w in TECHNICAL_WORDS for w in words)
