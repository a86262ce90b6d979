"""Reporting-verb stance, relays (via) and the resolution of pronoun and nominal sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attribution.records import Article, Attribution, Sentence, Span
from attribution.relays import (
    earlier_same_source,
    find_mentions,
    find_via,
    is_bare_source,
    is_media_name,
    merge_cited_sources,
    named_only_by_place,
    resolve_source,
    source_kind,
)
from attribution.segmenter import RuleSegmenter
from attribution.stance import ReportingVerbError, cue_stance, load_reporting_verbs, verb_forms


def make(text: str, source: str | None, cue: str) -> tuple[Attribution, list]:
    """An attribution with the first occurrence of ``source`` and the first ``cue`` after it."""
    sentences = RuleSegmenter()(Article(id="t", text=text))

    def span(label: str, needle: str, after: int) -> Span:
        start = text.index(needle, after)
        index = next(s.index for s in sentences if s.start <= start < s.end)
        return Span(label, start, start + len(needle), needle, index)  # type: ignore[arg-type]

    source_spans = (span("SOURCE", source, 0),) if source else ()
    cue_span = span("CUE", cue, source_spans[0].start if source_spans else 0)
    attribution = Attribution((cue_span,), source_spans, (), "indirect", cue_span.sentence_index, 1.0)
    return attribution, sentences


# --- stance -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cue", "sentence", "stance"),
    [
        ("said", "Officials said the road was closed.", "neutral"),
        ("told", "A military source told FNA that clashes are underway.", "neutral"),
        ("according to", "According to the ministry, 12 people died.", "neutral"),
        ("claimed", "The ministry claimed the cell was dismantled.", "distancing"),
        ("insisted", "He insisted he had done nothing wrong.", "distancing"),
        ("confirmed", "The army confirmed the strike.", "endorsing"),
        ("revealed", "Documents revealed the plan.", "endorsing"),
        ("pointed", "She pointed out that turnout fell.", "endorsing"),
        ("admitted", "The minister admitted mistakes were made.", "conceding"),
        ("acknowledged", "He acknowledged that the data were incomplete.", "conceding"),
        ("slammed", "The senator slammed the deal.", "charged"),
        ("lashed out at", "He lashed out at the press.", "charged"),
        ("proudly declared", "It proudly declared that it had never failed.", "charged"),
        ("said", "He said without evidence that the vote was rigged.", "distancing"),
        ("said", "He said, falsely, that the vote was rigged.", "distancing"),
        # a doubt word the source speaks about is not the writer's doubt
        ("said", "A spokesman said the allegations were baseless.", "neutral"),
        ("said", "She said these claims were false.", "neutral"),
        # negation and unknown cues are neutral
        ("did not confirm", "The army did not confirm the report.", "neutral"),
        ("declined to confirm", "A spokesman declined to confirm the figures.", "neutral"),
        ("admitted", "He never admitted any wrongdoing.", "neutral"),
        (":", "The statement read: all is well.", "neutral"),
        ("sees", "She sees a path to victory.", "neutral"),
        ("", "", "neutral"),
    ],
)
def test_cue_stance(cue: str, sentence: str, stance: str) -> None:
    assert cue_stance(cue, sentence) == stance


def test_cue_stance_without_sentence_and_type_error() -> None:
    assert cue_stance("blasted") == "charged"
    with pytest.raises(TypeError, match="cue_text must be a string"):
        cue_stance(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("say", "said"),
        ("tell", "told"),
        ("admit", "admitted"),
        ("decry", "decried"),
        ("note", "noting"),
        ("agree", "agreed"),
    ],
)
def test_verb_forms(word: str, form: str) -> None:
    assert form in verb_forms(word)


def test_packaged_lexicon() -> None:
    lexicon = load_reporting_verbs()
    assert len(lexicon) >= 150
    assert lexicon.version == "v1"
    assert {e.stance for e in lexicon.entries} == {"neutral", "endorsing", "distancing", "conceding", "charged"}
    assert any(" " in e.verb for e in lexicon.entries)  # multiword phrases ("point out", "lash out at")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("term\tstance\tnotes\nsay\tneutral\t\n", "expected the header"),
        ("verb\tstance\tnotes\nsay\tangry\tx\n", ":2: unknown stance 'angry'"),
        ("verb\tstance\tnotes\nsay\tneutral\tx\nsay\tneutral\ty\n", ":3: duplicate verb 'say'"),
        ("verb\tstance\tnotes\nsay\tneutral\n", ":2: expected 3 tab-separated columns"),
        ("verb\tstance\tnotes\n\tneutral\tx\n", ":2: empty verb"),
    ],
)
def test_lexicon_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "verbs.v9.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportingVerbError, match=message):
        load_reporting_verbs(path)


def test_lexicon_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportingVerbError, match="cannot read"):
        load_reporting_verbs(tmp_path / "absent.tsv")


# --- relays ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "cue", "via"),
    [
        ("A military source told FNA that clashes are underway.", "A military source", "told", ["FNA"]),
        ("According to Reuters, officials said the talks had stalled.", "officials", "said", ["Reuters"]),
        ("The minister said in an interview with CNN that talks would resume.", "The minister", "said", ["CNN"]),
        (
            "State television quoted a military official as saying the airport was safe.",
            "a military official",
            "as saying",
            ["State television"],
        ),
        ("The envoy was quoted by Reuters as saying the deal was close.", "The envoy", "quoted", ["Reuters"]),
        ("Sanders told the AP that he would not seek a recount.", "Sanders", "told", ["the AP"]),
        (
            "She told ABC’s “Good Morning America” on Monday the tone was cordial.",
            "She",
            "told",
            ["Good Morning America"],
        ),
        ("Sanders told co-host Joe Scarborough that he would stay in.", "Sanders", "told", ["Joe Scarborough"]),
        ("He told host Hugh Hewitt on Monday the plan was dead.", "He", "told", ["Hugh Hewitt"]),
        (
            "Caddell told Breitbart News Daily host Alex Marlow he was surprised.",
            "Caddell",
            "told",
            ["Breitbart News Daily"],
        ),
        # not relays: audiences, addressees, people
        ("The minister told the host country that aid would come.", "The minister", "told", []),
        # "carried by" and its kin; a generic outlet with its name; "speaking by telephone to"
        ("The governor said in a statement carried by SANA that roads were open.", "The governor", "said", ["SANA"]),
        (
            "The group said in a statement carried by the news site Nabd al-Shamal that it had withdrawn.",
            "The group",
            "said",
            ["Nabd al-Shamal"],
        ),
        (
            "The army said in a statement carried by state news agency SANA that it advanced.",
            "The army",
            "said",
            ["SANA"],
        ),
        ("A resident, speaking by telephone to IRNA, said the gunfire stopped.", "A resident", "said", ["IRNA"]),
        (
            "The minister told state television Sunday that aid would come.",
            "The minister",
            "told",
            ["state television"],
        ),
        # negative: "carried by" a person or a crowd is no relay
        ("The coffin, carried by his brothers, was buried, the imam said.", "the imam", "said", []),
        ("She told her host, a farmer, that she was tired.", "She", "told", []),
        ("One resident told reporters that water was running low.", "One resident", "told", []),
        ("Rubio told a crowd in Miami that he would win.", "Rubio", "told", []),
        ("Pence told Trump that the plan was risky.", "Pence", "told", []),
        ("Politico reported that the deal was close.", "Politico", "reported", []),
        # programmes: a show in quotes, a host's programme, a show on a station known by its call sign
        (
            "Weiner said in May on the podcast “Here’s the Thing” that he was a dad.",
            "Weiner",
            "said",
            ["Here’s the Thing"],
        ),
        (
            "As Cruz said on Glenn Beck’s radio program, the race is close.",
            "Cruz",
            "said",
            ["Glenn Beck’s radio program"],
        ),
        ("He said on “Meet the Press” that he expected to be vetted.", "He", "said", ["Meet the Press"]),
        (
            "Tuesday on WTMJ’s “Midday with Charlie Sykes,” Ryan said the tweet was wrong.",
            "Ryan",
            "said",
            ["Midday with Charlie Sykes"],
        ),
        (
            "Blumenthal said he had no idea on Wednesday’s broadcast of CNN’s “New Day.”",
            "Blumenthal",
            "said",
            ["New Day"],
        ),
        # an outlet named in the sentence comes before the host it has ("told host Chris Cuomo")
        (
            "Friday on CNN’s “New Day,” Gillibrand told host Chris Cuomo she was sure.",
            "Gillibrand",
            "told",
            ["New Day"],
        ),
        # more verbs that take the outlet as their addressee; a generic outlet with a name; a channel number
        ("Weiner admitted to the newspaper that they were friends.", "Weiner", "admitted", ["the newspaper"]),
        (
            "He slipped after errors, including an adviser acknowledging to the New York Times that he erred.",
            "an adviser",
            "acknowledging",
            ["the New York Times"],
        ),
        ("Speaking on the cable channel CNBC, Ubben said things were resolved.", "Ubben", "said", ["CNBC"]),
        (
            "The foundation declined, telling Fox 35 that it was focused on ending violence.",
            "The foundation",
            "telling",
            ["Fox 35"],
        ),
        (
            "Saldana said in an interview with Latina magazine that she supports them.",
            "Saldana",
            "said",
            ["Latina magazine"],
        ),
        (
            "Lazar said in an interview with journalist Matei Rosca that he would plead guilty.",
            "Lazar",
            "said",
            ["Matei Rosca"],
        ),
        # outlets in wire copy: named before the source, in an apposition inside the source phrase, by an acronym
        # after "carried by", by a name and its kind, by "the agency" once the article has named a news agency
        (
            "Speaking to Al Jazeera, rebel commander Abu Yasser said his fighters had withdrawn.",
            "rebel commander Abu Yasser",
            "said",
            ["Al Jazeera"],
        ),
        (
            "Deputy Minister Yuri Belkov, quoted by TASS, said units would be deployed.",
            "Deputy Minister Yuri Belkov, quoted by TASS,",
            "said",
            ["TASS"],
        ),
        (
            "A cartel lieutenant, interviewed by the newspaper El Vigía, denied the killings.",
            "A cartel lieutenant, interviewed by the newspaper El Vigía,",
            "denied",
            ["El Vigía"],
        ),
        (
            "The ministry said in a statement carried by KCNA that the drills were a rehearsal.",
            "The ministry",
            "said",
            ["KCNA"],
        ),
        (
            "Tasnim news agency quoted a senior commander as saying the drills would continue.",
            "a senior commander",
            "as saying",
            ["Tasnim news agency"],
        ),
        (
            "A local journalist told Al-Monitor that boys were being recruited.",
            "A local journalist",
            "told",
            ["Al-Monitor"],
        ),
        (
            "Anadolu Agency reported the strike. A security official told the agency that 11 militants were killed.",
            "A security official",
            "told",
            ["the agency"],
        ),
        # a relay inside the source span without a comma
        (
            "Security sources quoted by Al Arabiya said the convoy was ambushed.",
            "Security sources quoted by Al Arabiya",
            "said",
            ["Al Arabiya"],
        ),
        (
            "Residents interviewed by the committee said the well was dry.",
            "Residents interviewed by the committee",
            "said",
            [],
        ),  # fmt: skip
        # an outlet's cited source (merge_cited_sources made it the claim's source), either order
        ("SANA, citing a military source, said the army took the town.", "a military source", "said", ["SANA"]),
        (
            "State news agency VNA, citing a military source, said the army took the town.",
            "a military source",
            "said",
            ["VNA"],
        ),
        (
            "On Monday, the state-run Xinhua news agency, citing local officials, reported 12 dead.",
            "local officials",
            "reported",
            ["the state-run Xinhua news agency"],
        ),
        ("Citing a military source, SANA said the army took the town.", "a military source", "said", ["SANA"]),
        # negative: a company citing a reason; a minister citing a source is no outlet
        ("The company, citing analysts, said sales would fall.", "analysts", "said", []),
        ("The minister, citing a military source, said the town fell.", "a military source", "said", []),
        # negative: "the agency" with no news agency named before it; an acronym that modifies a noun
        ("A security official told the agency that the audit was late.", "A security official", "told", []),
        ("The supplies were carried by NATO troops, the officer said.", "the officer", "said", []),
        ("The envoy, flanked by UN monitors, said the truce held.", "The envoy, flanked by UN monitors,", "said", []),
        # negative: a quoted title that is no programme, a bill on a vote, a show word without a title
        ("He voted on “Medicare for All” and said it would pass.", "He", "said", []),
        ("She said on the show that she was tired.", "She", "said", []),
        ("He admitted to the committee that he had lied.", "He", "admitted", []),
    ],
)
def test_find_via(text: str, source: str, cue: str, via: list[str]) -> None:
    attribution, sentences = make(text, source, cue)
    sentence = sentences[attribution.sentence_index]
    found = find_via(attribution, text, sentence)
    assert [v.text for v in found] == via
    assert all(text[v.start : v.end] == v.text for v in found)


def _tagged_citing(text: str, outlet: str | None, cited: str, cue: str) -> list[Attribution]:
    """The tagger's reading of "OUTLET, citing X, said Y": a "citing" attribution and the claim, same source.

    Without ``outlet`` ("Citing X, SANA said Y") the "citing" attribution has no source and the claim's source is
    what stands between the first comma and the cue.
    """

    def span(label: str, start: int, end: int) -> Span:
        return Span(label, start, end, text[start:end], 0)  # type: ignore[arg-type]

    citing_at = re.search(r"(?i)citing|quoting", text).start()  # type: ignore[union-attr]
    cue_at = text.index(f" {cue} ") + 1
    at = text.index(outlet) if outlet else 0
    source = (span("SOURCE", at, at + len(outlet)),) if outlet else ()
    claim_source = source or (span("SOURCE", text.index(",") + 2, cue_at - 1),)
    citing = Attribution(
        (span("CUE", citing_at, text.index(" ", citing_at)),),
        source,
        (span("CONTENT", text.index(cited), text.index(cited) + len(cited)),),
        "indirect",
        0,
        1.0,
    )
    claim = Attribution(
        (span("CUE", cue_at, cue_at + len(cue)),),
        claim_source,
        (span("CONTENT", cue_at + len(cue) + 1, len(text) - 1),),
        "indirect",
        0,
        1.0,
    )
    return [citing, claim]


@pytest.mark.parametrize(
    ("text", "outlet", "cited", "cue", "sources"),
    [
        (
            "SANA, citing a military source, said the army took the town.",
            "SANA",
            "a military source",
            "said",
            ["a military source"],
        ),
        (
            "Tasnim news agency, quoting an informed source, said talks would resume.",
            "Tasnim news agency",
            "an informed source",
            "said",
            ["an informed source"],
        ),
        (
            "Al-Manar TV, citing sources close to the group, said the attack failed.",
            "Al-Manar TV",
            "sources close to the group",
            "said",
            ["sources close to the group"],
        ),
        (
            "Citing a military source, SANA said the army took the town.",
            None,
            "a military source",
            "said",
            ["a military source"],
        ),
        # negative: no outlet cites ("The company, citing market conditions" gives its reason); a long quote
        (
            "The company, citing market conditions, said it would cut jobs.",
            "The company",
            "market conditions",
            "said",
            ["The company", "The company"],
        ),
        (
            "The minister, citing a military source, said the town fell.",
            "The minister",
            "a military source",
            "said",
            ["The minister", "The minister"],
        ),
    ],
)
def test_merge_cited_sources(text: str, outlet: str | None, cited: str, cue: str, sources: list[str | None]) -> None:
    merged = merge_cited_sources(_tagged_citing(text, outlet, cited, cue), text)
    assert [a.source_text for a in merged] == sources
    assert all(p.label == "SOURCE" and text[p.start : p.end] == p.text for a in merged for p in a.source)


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("FNA", True),
        ("The New York Times", True),
        ("state television", True),
        ("Fox News", True),
        ("Rubio", False),
        ("reporters", False),
        ("Fox 35", True),  # a channel number after a known name
        ("WHO", False),  # a call sign only counts before a quoted show title (find_via)
        ("Al-Monitor", True),
        ("Middle East Eye", True),
        ("KCNA", True),
        ("Middle East", False),
        ("", False),
    ],
)
def test_is_media_name(name: str, media: bool) -> None:
    assert is_media_name(name) is media


# --- resolution -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "cue", "resolved"),
    [
        (
            "The Syrian Observatory for Human Rights counted 37 dead. It said the toll would rise.",
            "It",
            "said",
            "Syrian Observatory for Human Rights",
        ),
        (
            "Sen. Bernie Sanders spoke in Iowa. The senator said he would stay in the race.",
            "The senator",
            "said",
            "Bernie Sanders",
        ),
        (
            "Amnesty International published a report. The watchdog said 40 strikes were unlawful.",
            "The watchdog",
            "said",
            "Amnesty International",
        ),
        (
            "Rami Abdel Rahman runs the monitor. Abdel Rahman spoke on Monday. He said more had died.",
            "He",
            "said",
            "Rami Abdel Rahman",
        ),
        ("Clinton met voters. Later, Sanders, who said he would stay, left Iowa.", "who", "said", "Sanders"),
        (
            "Amnesty released a report on Monday. The report said 40 strikes were unlawful.",
            "The report",
            "said",
            "Amnesty",
        ),
        ("“I will stay,” Trump said in Ohio.", "I", "will", None),  # no enclosing attribution given
        # named and generic sources need no resolution
        ("Officials said the road was closed.", "Officials", "said", None),
        ("Rami Abdel Rahman said more had died.", "Rami Abdel Rahman", "said", None),
        ("Does he know what he does? He said nothing.", "He", "said", None),  # "does" is written in lower case too
        # a kind of actor resolves only to a name that holds its noun
        (
            "The Arab Coalition struck Sanaa. The coalition said the strike was lawful.",
            "The coalition",
            "said",
            "Arab Coalition",
        ),
        ("Amnesty published a report. The coalition said the strike was lawful.", "The coalition", "said", None),
        # "the newspaper" is the outlet named before, not the last name in passing; none if no outlet is named
        (
            "The Morning Courier reported that the Ministry of Transport had a deal. The newspaper cited an email.",
            "The newspaper",
            "cited",
            "Morning Courier",
        ),
        (
            "Amnesty said the Ministry of Transport had a deal. The newspaper cited an email.",
            "The newspaper",
            "cited",
            None,
        ),
        # a lower-case title before a name is a title: "the same spokesman" is the spokesman
        (
            "Government spokesman Piet Halvorsen dismissed it. Last year, the same spokesman called it a smear.",
            "the same spokesman",
            "called",
            "Piet Halvorsen",
        ),
        # "the governor" is the governor of two people named together
        (
            "Sen. Dale Harlan and Gov. Miriam Voss traded accusations. The governor said the claim was false.",
            "The governor",
            "said",
            "Miriam Voss",
        ),
        # a title-case headline is not one long name: "The army" is the headline's "Army"
        (
            "Army Liberates Kessa As Harran Front Terrorists Flee\n\nThe army said the town was free.",
            "The army",
            "said",
            "Army",
        ),
    ],
)
def test_resolve_source(text: str, source: str, cue: str, resolved: str | None) -> None:
    attribution, sentences = make(text, source, cue)
    assert resolve_source(attribution, text, sentences, []) == resolved


def test_resolve_first_person_to_the_enclosing_speaker() -> None:
    text = "“I will stay in the race,” Trump said in Ohio."
    inner, sentences = make(text, "I", "will")
    outer, _ = make(text, "Trump", "said")
    content = Span("CONTENT", 1, 24, text[1:24], 0)
    outer = Attribution(outer.cue, outer.source, (content,), "direct", 0, 1.0)
    assert resolve_source(inner, text, sentences, [outer]) == "Trump"


def test_resolve_prefers_an_earlier_speaker() -> None:
    text = "McConnell said the remark was wrong, a rebuke of Trump. He said judges must stay neutral."
    earlier, sentences = make(text, "McConnell", "said")
    pronoun, _ = make(text, "He", "said")
    assert resolve_source(pronoun, text, sentences, [earlier]) == "McConnell"


@pytest.mark.parametrize(
    ("text", "speaker", "resolved"),
    [
        # the head of the earlier source phrase, not a place or body named inside it
        (
            "Hamidou Sawadogo, a trader from Tiabongou, said the road was cut. He said the gunmen left at dawn.",
            "Hamidou Sawadogo, a trader from Tiabongou,",
            "Hamidou Sawadogo",
        ),
        (
            "Irina Balash, an opposition MP from Vessa, said the figures were false. She said ministers had lied.",
            "Irina Balash, an opposition MP from Vessa,",
            "Irina Balash",
        ),
        # negative: a single earlier speaker with nothing else in the phrase stays the answer
        ("McConnell said the remark was wrong. He said judges must stay neutral.", "McConnell", "McConnell"),
    ],
)
def test_resolve_to_the_head_of_an_earlier_source(text: str, speaker: str, resolved: str) -> None:
    earlier, sentences = make(text, speaker, "said")
    pronoun, _ = make(text, "She" if " She " in text else "He", "said")
    assert resolve_source(pronoun, text, sentences, [earlier]) == resolved


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        # a name after a locative preposition is a place: never a "he"
        ("Oleg Marin fled to the village of Oskal on Monday. He said the shelling went on all night.", "Oleg Marin"),
        ("Oleg Marin returned to his house near Vessa. He said the shelling went on all night.", "Oleg Marin"),
        # negative: only a place is named, so nothing is resolved
        ("On Monday shells fell on the town of Oskal. He said the shelling went on all night.", None),
    ],
)
def test_resolve_skips_places_for_personal_pronouns(text: str, resolved: str | None) -> None:
    pronoun, sentences = make(text, "He", "said")
    assert resolve_source(pronoun, text, sentences, []) == resolved


def _chain(text: str, sources: list[tuple[str, str]]) -> tuple[list[Attribution], list]:
    """Attributions for ``(source, cue)`` pairs found one after the other in ``text``."""
    sentences = RuleSegmenter()(Article(id="t", text=text))
    attributions, at = [], 0
    for source, cue in sources:
        s = text.index(source, at)
        c = text.index(cue, s + len(source))
        at = c + len(cue)
        index = next(x.index for x in sentences if x.start <= s < x.end)
        attributions.append(
            Attribution(
                (Span("CUE", c, c + len(cue), cue, index),),
                (Span("SOURCE", s, s + len(source), source, index),),
                (),
                "indirect",
                index,
                1.0,
            )
        )
    return attributions, sentences


@pytest.mark.parametrize(
    ("text", "sources", "resolved"),
    [
        # a "he" after a "He" takes its antecedent, not the last name in passing ("Kestrani")
        (
            'Venn said troops were massing on the Kestrani side. He declined to give details. "We are ready," he said.',
            [("Venn", "said"), ("He", "declined"), ("he", "said")],
            "Venn",
        ),
        # and after "The minister", the minister
        (
            "Defence Minister Ara Venn spoke in Sarn. The minister announced an inquiry near Dorrin. He said it "
            "would report soon.",
            [("Defence Minister Ara Venn", "spoke"), ("The minister", "announced"), ("He", "said")],
            "Defence Minister Ara Venn",
        ),
        # the unnamed source again: no name in passing ("Ahmed Rami", "Takfiri")
        (
            "A military source said Kessa had fallen. The source added that Colonel Ahmed Rami led the assault. "
            "He said the Takfiri gangs fled.",
            [("A military source", "said"), ("The source", "added"), ("He", "said")],
            None,
        ),
        (
            "A woman who fled to the village of Ain Sadra said the planes came every night. She asked not to be named.",
            [("A woman who fled to the village of Ain Sadra", "said"), ("She", "asked")],
            None,
        ),
        # negative: a speaker of the other gender, or a plural one, does not stop the search for a name
        (
            "Oleg Marin fled to the village of Oskal. Officials said the road was closed. "
            "He said the shelling went on.",
            [("Officials", "said"), ("He", "said")],
            "Oleg Marin",
        ),
        (
            "Oleg Marin fled to the village of Oskal. She said the road was closed. He said the shelling went on.",
            [("She", "said"), ("He", "said")],
            "Oleg Marin",
        ),
        # the speaker two sentences back, when no woman was named since (not "Farms" opening the sentence between)
        (
            'Varga said the ground was sinking. Farms and factories pump water. "We sink," she said.',
            [("Varga", "said"), ("she", "said")],
            "Varga",
        ),
        # negative: a woman named since is the "she"
        (
            'Varga said the ground was sinking. Mrs. Ruiz disagreed at once. "We do not," she said.',
            [("Varga", "said"), ("she", "said")],
            "Ruiz",
        ),
        # "The official" after "A senior Ostrian official": the same unnamed official, not the land named before
        (
            "Venn met Dral in Ostria. A senior Ostrian official said the men were raised. The official said so.",
            [("A senior Ostrian official", "said"), ("The official", "said")],
            None,
        ),
    ],
)
def test_a_pronoun_takes_up_the_speaker_before_it(
    text: str, sources: list[tuple[str, str]], resolved: str | None
) -> None:
    attributions, sentences = _chain(text, sources)
    assert resolve_source(attributions[-1], text, sentences, attributions[:-1]) == resolved


def test_the_minister_is_the_last_minister_named_however_far_back() -> None:
    text = (
        "Finance Minister Oskar Grell unveiled the plan. It was late. Prices rose. Rents rose. Critics howled. "
        "It was not believed. The minister says the plan will create new homes."
    )
    attributions, sentences = _chain(text, [("The minister", "says")])
    assert resolve_source(attributions[0], text, sentences, []) == "Finance Minister Oskar Grell"


@pytest.mark.parametrize(
    ("text", "names", "titled"),
    [
        ("Defence Minister Ara Venn spoke.", ["Defence Minister Ara Venn"], ["defence minister"]),
        ("Deputy Prime Minister Ana Ruiz spoke.", ["Deputy Prime Minister Ana Ruiz"], ["deputy prime minister"]),
        # an organisation's name before a title stays a name of its own
        ("Human Rights Watch Director Ken Roth spoke.", ["Human Rights Watch Director Ken Roth"], [""]),
        ("Ara Venn spoke.", ["Ara Venn"], [""]),
    ],
)
def test_find_mentions_reads_an_office_as_a_title(text: str, names: list[str], titled: list[str]) -> None:
    mentions = find_mentions(text)
    assert [m.text for m in mentions] == names and [m.titled for m in mentions] == titled


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("he", "person"),
        ("His campaign", "person"),
        ("they", "plural"),
        ("It", "org"),
        ("I", "first"),
        ("who", "relative"),
        ("the senator", "nominal_person"),
        ("The watchdog", "nominal_org"),
        ("the report", "nominal_document"),
        ("Rami Abdel Rahman", "named"),
        ("the Clinton campaign", "named"),
        ("officials", "other"),
        # people of their own, not the possessor
        ("its supporters", "other"),
        ("his critics", "other"),
        ("their opponents", "other"),
        ("its spokesman", "org"),
        ("His lawyer, Marcus Fenn,", "named"),  # the lawyer, named: not the possessor
        ("its director, Lina Haddad", "org"),  # a body's director speaks for it
    ],
)
def test_source_kind(source: str, kind: str) -> None:
    attribution = Attribution((), (Span("SOURCE", 0, len(source), source, 0),), (), "indirect", 0, 1.0)
    assert source_kind(attribution) == kind


def test_source_kind_without_source() -> None:
    assert source_kind(Attribution((), (), (), "indirect", 0, 1.0)) == "none"


def test_find_mentions_titles_and_kinds() -> None:
    mentions = find_mentions("Mrs. Clinton met UN envoy Staffan de Mistura and the Interior Ministry.")
    assert [(m.text, m.kind) for m in mentions] == [
        ("Clinton", "person"),
        ("UN", "org"),
        ("Staffan de Mistura", "person"),
        ("Interior Ministry", "org"),
    ]
    assert mentions[0].gender == "f"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Sen. Bernie Sanders (I-Vt.) spoke in Iowa.", ["Bernie Sanders"]),  # a party and state is no name
        ("Rep. Hal Rogers (R-Ky) and Jan Brewer met.", ["Hal Rogers", "Jan Brewer"]),
        ("Feb. 3 was cold, Ryan said.", ["Ryan"]),  # a month's abbreviation is no name
        ("Later, Ryan said no. Such talk, Cruz said, is cheap.", ["Ryan", "Cruz"]),
        # a title-case headline's words are names only where the body writes them so ("Army" may start one)
        (
            "Army Liberates Kessa As Harran Front Terrorists Flee\n\nThe army entered Kessa after the Front fled.",
            ["Army", "Kessa", "Front", "Kessa", "Front"],
        ),
        (
            "Stealth Over Health: Clinton Was Headed To Hospital\n\nHer aides said Clinton was fine.",
            ["Clinton", "Clinton"],
        ),
        # a headline without a full stop ends at its line; a name written across a line break is two
        ("A doctor's account from Sarn\n\nDr. Amal Hadid has worked there.", ["Sarn", "Amal Hadid"]),
        ("We met the Harran\nFront.", ["Harran", "Front"]),
        ("We met the Harran Front.", ["Harran Front"]),
        # an outlet's "Today" is part of its name; "Today" alone is none
        ("The website Amran Today quoted officials.", ["Amran Today"]),
        ("Today, Obama said so.", ["Obama"]),
        # a plural noun for people, or a participle, that opens a sentence is no name
        ("Officials said Venn left. Witnesses told Sadan.", ["Venn", "Sadan"]),
        ("Speaking at a news conference, Venn said so.", ["Venn"]),
        ("Government officials accused the Front. The government denied it.", ["Front"]),
        # two people joined by "and" are two names; one body's name with "and" in it is one
        ("Sen. Dale Harlan and Gov. Miriam Voss met.", ["Dale Harlan", "Miriam Voss"]),
        ("Harlan and Voss met. Harlan spoke, then Voss.", ["Harlan", "Voss", "Harlan", "Voss"]),
        ("The Centre for Justice and Dignity said so. Justice was done.", ["The Centre for Justice and Dignity"]),
        # a rank's abbreviation is a title, not a sentence's end
        ("Brig. Gen. Aram Sayer said so.", ["Aram Sayer"]),
        # a people's name where the article names their land; a sentence's "Last"
        ("Venn was in Ostria. An Ostrian official spoke.", ["Venn", "Ostria"]),
        ("Last year, Venn spoke.", ["Venn"]),
    ],
)
def test_find_mentions_skips_words_that_are_no_names(text: str, names: list[str]) -> None:
    assert [m.text for m in find_mentions(text)] == names


def _sourced(source: str, sentence: int) -> Attribution:
    at = sentence * 100
    return Attribution((), (Span("SOURCE", at, at + len(source), source, sentence),), (), "indirect", sentence, 1.0)


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        pytest.param([("A military source", 0), ("the source", 1)], 0, id="the-source-takes-up-a-military-source"),
        pytest.param([("informed sources", 0), ("the sources", 2)], 0, id="plural-head"),
        pytest.param([("a ministry spokesman", 0), ("Residents", 1), ("the spokesman", 2)], 0, id="skips-others"),
        pytest.param([("a police officer", 0), ("an army officer", 1), ("the officer", 2)], 1, id="nearest-wins"),
        pytest.param([("A military source", 0), ("the army", 1)], None, id="other-head-noun"),
        pytest.param([("A military source", 0), ("the source", 6)], None, id="too-far-back"),
        pytest.param([("the source", 0)], None, id="nothing-before"),
        pytest.param([("A military source", 0), ("a source", 1)], None, id="indefinite-is-a-new-speaker"),
        pytest.param([("A military source", 0), ("He", 1)], 0, id="he-after-an-unnamed-source"),
        pytest.param([("A military source", 0), ("He", 1), ("he", 2)], 1, id="he-after-he"),
        pytest.param([("A military source", 0), ("He", 3)], None, id="he-too-far-back"),
        pytest.param([("Officials", 0), ("He", 1)], None, id="he-after-a-plural"),
        pytest.param([("She", 0), ("He", 1)], None, id="he-after-she"),
    ],
)
def test_earlier_same_source(sources: list[tuple[str, int]], expected: int | None) -> None:
    attributions = [_sourced(text, sentence) for text, sentence in sources]
    sentences = [Sentence(i, i * 100, i * 100 + 99, "") for i in range(8)]
    assert earlier_same_source(len(attributions) - 1, attributions, sentences) == expected


@pytest.mark.parametrize(
    ("text", "sources", "expected"),
    [
        pytest.param(
            'A military source told FNA that clashes went on. "We hold the hills," the source said.',
            [("A military source", "told"), ("the source", "said")],
            [("FNA",), ("FNA",)],
            id="the-source-keeps-its-relay",
        ),
        pytest.param(
            'Residents said that clashes went on. "We hold the hills," the source said.',
            [("Residents", "said"), ("the source", "said")],
            [(), ()],
            id="no-earlier-relay",
        ),
        pytest.param(
            'A military source told FNA that clashes went on. "We hold the hills," an officer said.',
            [("A military source", "told"), ("an officer", "said")],
            [("FNA",), ()],
            id="another-speaker-is-not-relayed",
        ),
    ],
)
def test_relay_carries_to_the_same_unnamed_source(
    text: str, sources: list[tuple[str, str]], expected: list[tuple[str, ...]]
) -> None:
    from attribution.tagging.source_profiler import profile_rules

    attributions, sentences = _chain(text, sources)
    found = profile_rules(text, sentences, attributions)
    assert [tuple(v.text for v in via) for via, _, _ in found] == expected


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("Residents of Tal Sahwa said the bakery had closed.", "Residents of Tal Sahwa", True),
        ("A shopkeeper in Taiz said prices had doubled.", "A shopkeeper in Taiz", True),
        ("Villagers from Oskal told reporters the bridge was gone.", "Villagers from Oskal", True),
        ("A police spokesman in Kano said two men were held.", "A police spokesman in Kano", True),
        # negatives: a person or body is named, the speaker is a body, or there is no name at all
        (
            "Hamadou Diallo, a farmer in Ouro Sakal, said the crop had failed.",
            "Hamadou Diallo, a farmer in Ouro Sakal",
            False,
        ),
        ("The rival government in Tripoli said talks had failed.", "The rival government in Tripoli", False),
        ("A spokesman for the army in Goma said the road was open.", "A spokesman for the army in Goma", False),
        ("A resident, speaking to IRNA, said shelling had stopped.", "A resident, speaking to IRNA", False),
        ("Residents said the water was off.", "Residents", False),
    ],
)
def test_named_only_by_place(text: str, source: str, expected: bool) -> None:
    attribution, _ = make(text, source, "said" if "said" in text else "told")
    assert named_only_by_place(attribution) is expected


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("Sources said the talks had stalled.", "Sources", True),
        ("Another source said the convoy had left.", "Another source", True),
        ("Two other sources told the paper the deal was off.", "Two other sources", True),
        ("The sources said nothing more.", "The sources", True),
        # negatives: the source says who speaks, or is not the word "source"
        ("A military source told FNA that clashes were underway.", "A military source", False),
        ("Sources close to the army said the road was open.", "Sources close to the army", False),
        ("Diplomatic sources said the vote was delayed.", "Diplomatic sources", False),
        ("Officials said the road was open.", "Officials", False),
        ("Resource managers said water was short.", "Resource managers", False),
    ],
)
def test_is_bare_source(text: str, source: str, expected: bool) -> None:
    attribution, _ = make(text, source, "said" if "said" in text else "told")
    assert is_bare_source(attribution) is expected


@pytest.mark.parametrize(
    ("text", "subject", "resolved"),
    [
        # "it" right after an unnamed source of its sentence is that source, not the organisation named before
        (
            "Human Rights Watch criticised the raid. The army said it had won, in what it called a victory.",
            "The army",
            None,
        ),
        # a named source before it is still the answer
        (
            "Amnesty criticised the raid. Human Rights Watch said it was unlawful, in what it called a crime.",
            "Human Rights Watch",
            "Human Rights Watch",
        ),
        # no source before it in its sentence: the nearest organisation, as before
        (
            "Human Rights Watch criticised the raid. In what it called a crime, it said many died.",
            None,
            "Human Rights Watch",
        ),
    ],
)
def test_an_it_after_an_unnamed_subject_is_not_resolved_to_an_earlier_name(
    text: str, subject: str | None, resolved: str | None
) -> None:
    earlier, sentences = make(text, subject or "criticised", "said" if subject else "criticised")
    start = text.index(" it called") + 1
    index = next(s.index for s in sentences if s.start <= start < s.end)
    cue = Span("CUE", start + 3, start + 9, "called", index)
    pronoun = Attribution((cue,), (Span("SOURCE", start, start + 2, "it", index),), (), "indirect", index, 1.0)
    assert resolve_source(pronoun, text, sentences, [earlier] if subject else []) == resolved


def _span(text: str, label: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span(label, start, start + len(piece), piece, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "outlet", "cue", "sources", "via"),
    [
        (
            "The town fell on Friday, state news agency VNA reported, quoting a security official.",
            "state news agency VNA",
            "reported",
            ["a security official"],
            ["VNA"],
        ),
        ("The town fell, SANA said, citing military sources.", "SANA", "said", ["military sources"], ["SANA"]),
        # negative: no outlet cites; nothing cited after the cue
        (
            "Sales fell, the company said, citing market conditions.",
            "the company",
            "said",
            ["the company"],
            [],
        ),
        ("The town fell on Friday, SANA reported.", "SANA", "reported", ["SANA"], []),
    ],
)
def test_a_source_cited_after_an_outlets_cue(
    text: str, outlet: str, cue: str, sources: list[str], via: list[str]
) -> None:
    claim = Attribution(
        (_span(text, "CUE", cue),),
        (_span(text, "SOURCE", outlet),),
        (_span(text, "CONTENT", text.split(",")[0]),),
        "indirect",
        0,
        1.0,
    )
    tagged = [claim]
    if "quoting" in text:  # the tagger's stray reading of "quoting a" as an attribution of its own
        tagged.append(
            Attribution(
                (_span(text, "CUE", "quoting"),),
                (),
                (_span(text, "CONTENT", "a", text.index("quoting")),),
                "indirect",
                0,
                0.6,
            )
        )
    merged = merge_cited_sources(tagged, text)
    assert [a.source_text for a in merged] == sources
    sentence = Sentence(0, 0, len(text), text)
    assert [v.text for v in find_via(merged[0], text, sentence)] == via


@pytest.mark.parametrize(
    ("text", "expected", "via"),
    [
        (
            "According to state television, which cited military sources, the convoy was hit.",
            ("military sources", "According to", "the convoy was hit"),
            ["state television"],
        ),
        (
            "According to SANA, which quoted a police officer, three people died.",
            ("a police officer", "According to", "three people died"),
            ["SANA"],
        ),
        # negative: no outlet before "which"
        (
            "According to the mayor, which cited police figures, three people died.",
            ("which", "cited", "police figures ... three people died"),
            [],
        ),
    ],
)
def test_according_to_an_outlet_which_cited_a_source(text: str, expected: tuple[str, str, str], via: list[str]) -> None:
    cited = text.split("cited " if "cited" in text else "quoted ")[1].split(",")[0]
    tagged = Attribution(
        (_span(text, "CUE", "cited" if "cited" in text else "quoted"),),
        (_span(text, "SOURCE", "which"),),
        (_span(text, "CONTENT", cited), _span(text, "CONTENT", text.rsplit(", ", 1)[1].rstrip("."))),
        "indirect",
        0,
        0.8,
    )
    (merged,) = merge_cited_sources([tagged], text)
    assert (merged.source_text, merged.cue_text, merged.content_text) == expected
    assert [v.text for v in find_via(merged, text, Sentence(0, 0, len(text), text))] == via


@pytest.mark.parametrize(
    ("text", "source", "cue", "contents", "expected"),
    [
        # the cue took the citing word: "reported, quoting"; the cited source is a content piece
        (
            "A strike hit a convoy on Wednesday, VNA reported, quoting a security official.",
            "VNA",
            "reported, quoting",
            ["A strike hit a convoy on Wednesday", "a security official"],
            ("a security official", "reported", "A strike hit a convoy on Wednesday", ["VNA"]),
        ),
        # the cue took the cited source too
        (
            "A strike hit a convoy on Wednesday, VNA reported, quoting a security official.",
            "VNA",
            "reported, quoting a security official",
            ["A strike hit a convoy on Wednesday"],
            ("a security official", "reported", "A strike hit a convoy on Wednesday", ["VNA"]),
        ),
        # the outlet as source and the cited source as the first content piece
        (
            "According to state television, which cited military sources, the convoy carried weapons.",
            "state television",
            "According to",
            ["military sources", "the convoy carried weapons"],
            ("military sources", "According to", "the convoy carried weapons", ["state television"]),
        ),
        # negative: no outlet speaks ("the mayor said, quoting police"), so the reading stays
        (
            "Three people died, the mayor said, quoting police figures.",
            "the mayor",
            "said",
            ["Three people died", "police figures"],
            ("the mayor", "said", "Three people died ... police figures", []),
        ),
    ],
)
def test_other_readings_of_a_cited_source(
    text: str, source: str, cue: str, contents: list[str], expected: tuple[str, str, str, list[str]]
) -> None:
    tagged = Attribution(
        (_span(text, "CUE", cue),),
        (_span(text, "SOURCE", source),),
        tuple(_span(text, "CONTENT", c) for c in contents),
        "indirect",
        0,
        0.9,
    )
    (merged,) = merge_cited_sources([tagged], text)
    via = [v.text for v in find_via(merged, text, Sentence(0, 0, len(text), text))]
    assert (merged.source_text, merged.cue_text, merged.content_text, via) == expected
