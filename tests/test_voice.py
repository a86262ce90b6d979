"""Voice, target and polarity of loaded terms (attribution.voice)."""

from __future__ import annotations

import pytest

from attribution.lexicon import Lexicon, load_lexicon
from attribution.records import Attribution, AttributionKind, LoadedTerm, Sentence, Span


def _span(label: str, text: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span(label, start, start + len(piece), piece, 0)  # type: ignore[arg-type]


def attribution(
    text: str,
    *,
    cue: str,
    content: tuple[str, ...],
    source: str | None = None,
    kind: AttributionKind = "indirect",
    after: int = 0,
) -> Attribution:
    """An attribution located by its pieces' text (first occurrence of each from ``after``, content in order)."""
    pieces, start = [], after
    for piece in content:
        span = _span("CONTENT", text, piece, start)
        pieces.append(span)
        start = span.end
    return Attribution(
        cue=(_span("CUE", text, cue, after),),
        source=(_span("SOURCE", text, source, after),) if source else (),
        content=tuple(pieces),
        kind=kind,
        sentence_index=0,
        score=1.0,
    )


def _locate(text: str, term: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(term, start + 1)
    return start, start + len(term)


VOICE_CASES = [
    # (text, term, attributions as (cue, content pieces), expected voice, expected attribution index)
    ("The terrorists shelled the town.", "terrorists", [], "narrator", None),
    (
        "The army said terrorists shelled the town.",
        "terrorists",
        [("said", ("terrorists shelled the town",))],
        "indirect",
        0,
    ),
    (
        "“The terrorists will pay,” the general said.",
        "terrorists",
        [("said", ("“The terrorists will pay,”",))],
        "quoted",
        0,
    ),
    # tagger-style content that leaves the quotation marks out
    (
        "“The terrorists will pay,” the general said.",
        "terrorists",
        [("said", ("The terrorists will pay,",))],
        "quoted",
        0,
    ),
    (
        '"The terrorists will pay," the general said.',
        "terrorists",
        [("said", ('"The terrorists will pay,"',))],
        "quoted",
        0,
    ),
    (
        "The ministry said the “terrorists” had fled.",
        "terrorists",
        [("said", ("the “terrorists” had fled",))],
        "quoted",
        0,
    ),
    (
        "The ministry said the terrorists had “fled in panic”.",
        "terrorists",
        [("said", ("the terrorists had “fled in panic”",))],
        "indirect",
        0,
    ),
    (
        "The ministry said the ‘terrorists’ had fled.",
        "terrorists",
        [("said", ("the ‘terrorists’ had fled",))],
        "quoted",
        0,
    ),
    (
        "Le ministre a dit que les «terroristes» ont fui.",
        "terroristes",
        [("a dit", ("les «terroristes» ont fui",))],
        "quoted",
        0,
    ),
    # an apostrophe is not a quotation mark
    (
        "The ministry said the army’s thugs had fled.",
        "thugs",
        [("said", ("the army’s thugs had fled",))],
        "indirect",
        0,
    ),
    # scare quotes in the writer's own narration stay narrator
    (
        "Medics said 40 people died. The “liberators” left on Monday.",
        "liberators",
        [("said", ("40 people died",))],
        "narrator",
        None,
    ),
    ("The “liberation” of the town left 40 dead.", "liberation", [], "narrator", None),
    # a quote split around its cue: the second piece is still inside quotation marks
    (
        "“The mercenaries,” he said, “will be crushed.”",
        "crushed",
        [("said", ("“The mercenaries,”", "“will be crushed.”"))],
        "quoted",
        0,
    ),
    # a second content piece that starts mid-quote, without its own quotation mark
    (
        "“We liberated the town. The terrorists fled,” he said.",
        "terrorists",
        [("said", ("“We liberated the town.", "The terrorists fled,”"))],
        "quoted",
        0,
    ),
    # nested attributions: the innermost content wins
    (
        "The ministry said the general told troops that “the thugs must go”.",
        "thugs",
        [("said", ("the general told troops that “the thugs must go”",)), ("told", ("“the thugs must go”",))],
        "quoted",
        1,
    ),
    (
        "The ministry said the general told troops that the thugs must go.",
        "thugs",
        [("said", ("the general told troops that the thugs must go",)), ("told", ("the thugs must go",))],
        "indirect",
        1,
    ),
    # a term in the source span is the writer's description of the source
    (
        "Takfiri terrorists said in a statement that they had withdrawn.",
        "Takfiri",
        [("said", ("they had withdrawn",))],
        "narrator",
        None,
    ),
]


@pytest.mark.parametrize(("text", "term", "attrs", "voice", "index"), VOICE_CASES)
def test_assign_voice(text: str, term: str, attrs: list, voice: str, index: int | None) -> None:  # type: ignore[type-arg]
    from attribution.voice import assign_voice

    attributions = [attribution(text, cue=cue, content=content, kind="indirect") for cue, content, *_ in attrs]
    start, end = _locate(text, term)
    assert assign_voice(start, end, text, attributions) == (voice, index)


def test_direct_kind_without_visible_quotes_is_quoted() -> None:
    from attribution.voice import assign_voice

    text = "We will crush them, the general said."
    direct = attribution(text, cue="said", content=("We will crush them,",), kind="direct")
    assert assign_voice(8, 13, text, [direct]) == ("quoted", 0)


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (0, 999)])
def test_assign_voice_rejects_bad_offsets(start: int, end: int) -> None:
    from attribution.voice import assign_voice

    with pytest.raises(ValueError, match="outside the text"):
        assign_voice(start, end, "Some text here.", [])


TARGET_CASES = [
    # a name inside a multi-word term (the tagger's span covers it)
    ("ISIL terrorists shelled the village.", "ISIL terrorists", "ISIL"),
    ("They fled the brutal Assad regime last year.", "brutal Assad regime", "Assad"),
    # a term naming its actor itself: the owner inside it, else its head (the backer is not the target)
    ("Saudi-backed mercenaries shelled the port.", "Saudi-backed mercenaries", "mercenaries"),
    ("The puppet regime fell.", "puppet regime", "regime"),
    ("The regime's thugs beat the detainees.", "regime's thugs", "regime"),
    ("The prime minister declared victory over the terrorist gangs of Daesh.", "terrorist gangs of Daesh", "Daesh"),
    ("The brutal crackdown continued for weeks.", "brutal crackdown", None),  # the head names no actor
    # a label noun put on an actor noun inside the term: the actor noun
    ("The militia thugs attacked journalists.", "militia thugs", "militia"),
    ("The Rafida militias burned homes.", "Rafida militias", "militias"),  # "Rafida" is a slur, not a name
    ("Foreign-backed terrorist gangs shelled the town.", "Foreign-backed terrorist gangs", "gangs"),  # a label too
    # the subject of an agent verb may be a label ("the terrorists have terrorised") or own a label ("of Hamas")
    ("The terrorists have terrorised the whole province.", "terrorised", "terrorists"),
    ("The barbaric terrorists of Hamas butchered families.", "butchered", "Hamas"),
    ("Shelling in the village of Kessa massacred families.", "massacred", None),  # "of" after no actor noun
    # quotation marks around a term do not part it from its neighbours ("scare quotes" on a state-media verb)
    ('State radio said the army had "liberated" the town.', "liberated", "army"),
    ('The army had "liberated", it said, the town.', "liberated", "army"),
    ('"We are ready," the army said. Terrorists fled.', "Terrorists", None),  # a closing quote and a full stop
    # a participle phrase between commas parts an agent verb from its subject
    ("Units of the army, backed by the air force, liberated the town.", "liberated", "army"),
    ("Units of the Southern battlegroup liberated the settlement.", "liberated", "Southern battlegroup"),  # a unit
    ("Occupation forces shelled the town.", "Occupation forces", "forces"),  # "Occupation" is a label, not a name
    ("The army, which lost ten men, liberated the town.", "liberated", "army"),  # a relative clause is skipped
    ("The town, backed by the hills, was liberated on Monday.", "liberated", None),  # passive without "by"
    # a regime "in" a named place: the place, for the one-word term only
    ("“The regime in Tehran is the world's leading sponsor of terror,” he said.", "regime", "Tehran"),
    ("The regime in the north shelled the town.", "regime", None),  # no name after "in"
    ("The puppet regime in Kabul has collapsed.", "puppet regime", "regime"),  # the label is on "regime"
    # a loaded word that starts the sentence is capitalised, not a name; a name that starts it still is one
    ("Heroic defenders repel the assault near Avdeyevka.", "Heroic defenders", "defenders"),
    ("ISIL terrorists attacked the town.", "ISIL terrorists", "ISIL"),
    # name or actor noun before the term
    ("ISIL terrorists shelled the village.", "terrorists", "ISIL"),
    ("Assad's thugs beat the detainees.", "thugs", "Assad"),
    ("The army's liberation of Palmyra was celebrated.", "liberation", "army"),
    ("The militia thugs attacked journalists.", "thugs", "militia"),
    ("The Saudi-led aggression killed 20 people.", "aggression", "Saudi"),
    # the phrase the term premodifies
    ("Foreign-backed militants withdrew from the hills.", "Foreign-backed", "militants"),
    ("Saudi-backed mercenaries shelled the port.", "Saudi-backed", "mercenaries"),
    ("The valiant Syrian Arab Army foiled an attack.", "valiant", "Syrian Arab Army"),
    ("The brutal Assad regime jailed thousands.", "brutal", "Assad"),
    ("The Takfiri groups have turned the towns into prisons.", "Takfiri", "groups"),
    ("The fascist military's bloodthirsty generals terrorised the people.", "bloodthirsty", "generals"),
    ("The barbaric ISIS terrorists beheaded two shepherds.", "barbaric", "ISIS"),
    # verbs: agents, patients, passives
    ("The Syrian Arab Army liberated Kessa on Monday.", "liberated", "Syrian Arab Army"),
    ("Troops have liberated the town.", "liberated", "Troops"),
    ("The town was liberated by the Syrian Arab Army.", "liberated", "Syrian Arab Army"),
    ("Civilians were massacred by the militia.", "massacred", "militia"),
    ("Turkish forces neutralised 12 PKK terrorists.", "neutralised", "PKK"),
    ("The army cleansed the village of Zakat of militants.", "cleansed", "militants"),
    ("Three soldiers were martyred near Palmyra.", "martyred", "soldiers"),
    ("The Kyiv regime is terrorising the residents of Belgorod.", "terrorising", "Kyiv"),
    # copula, apposition, membership, "by"
    ("Russia is a terrorist state.", "terrorist", "Russia"),
    ("The government is a puppet of Riyadh.", "puppet", "government"),
    ("The neo-Nazis in Kyiv are a puppet regime.", "puppet", "regime"),
    ("Jaish al-Fatah, the Takfiri group, claimed the attack.", "Takfiri", "Jaish al-Fatah"),
    ("The terrorists of the Nusra Front attacked the base.", "terrorists", "Nusra Front"),
    ("They killed 12 terrorists of the People's Defence Force.", "terrorists", "People's Defence Force"),
    ("The barbaric terrorists of Hamas attacked.", "barbaric", "Hamas"),
    ("The heinous attack carried out by ISIL killed 12.", "heinous", "ISIL"),
    ("The massacre by the army left 60 dead.", "massacre", "army"),
    # None: unclear, a patron, a place, a count, or a label naming itself
    ("The terrorists shelled the village.", "terrorists", None),
    ("Saudi-backed mercenaries shelled the port.", "mercenaries", None),
    ("An Iranian proxy shelled the port.", "proxy", None),  # "Iranian" is the patron
    ("They are vermin.", "vermin", None),
    ("What happened in Bucha was a bloodbath.", "bloodbath", None),
    ("Countless Palestinian families lost everything.", "Countless", None),
    ("The regime forces advanced on the town.", "regime", None),
    ("The puppet regime collapsed.", "regime", None),
    ("The massacre shocked the world.", "massacre", None),
    ("We will liberate every town.", "liberate", None),
    ("Yesterday terrorists shelled the village.", "terrorists", None),
    ("The heroic defenders of Kerel surrendered.", "heroic", "defenders"),
    # the object of a labelling verb: "called X a TERM", "described X as TERM", "accused X of acting as a TERM"
    ("The Tripoli government called Haftar a war criminal.", "war criminal", "Haftar"),
    ("The coalition called the Houthis an Iranian proxy.", "proxy", "Houthis"),  # the labelled, not the patron
    ("The army described the RSF as a militia of mercenaries.", "mercenaries", "RSF"),
    ("Russian state media described the captured soldiers as Banderites.", "Banderites", "soldiers"),
    ("The ministry accused Belarus of acting as a client state of Moscow.", "client state", "Belarus"),
    ("Hezbollah accused the Israeli-backed militia of treacherous attacks.", "treacherous", "militia"),
    ("The Tripoli government called Haftar a war criminal and his forces mercenaries.", "mercenaries", "forces"),
    ("The minister called on the army to crush the terrorists.", "terrorists", None),  # "called on", no object
    ("The spokesman called for calm after the massacre.", "massacre", None),  # no object before the term
    # an agent verb's subject across adverbs and a relative clause (not the clause's own object)
    ("Kurdish fighters who battle ISIL terrorists have so far liberated 50 villages.", "liberated", "Kurdish fighters"),
    ("The army, which is backed by Russia, liberated the town.", "liberated", "army"),
    ("The town, which the army liberated, lies in ruins.", "liberated", "army"),
    ("Villagers who fled the town said the militia massacred them.", "massacred", "militia"),
    ("Residents who saw the town that was liberated wept.", "liberated", None),  # passive, no agent
    # the subject of the verb that commits the act a term names
    ("The army said the DSF had committed a genocide against an entire people.", "genocide", "DSF"),
    ("The militia carried out a heinous massacre.", "heinous", "militia"),  # "carried out" is one verb
    ("Villagers said a genocide was under way.", "genocide", None),  # no committing verb
    # the object named before a relative labelling clause: ", which it called TERM", ", whom he called TERM"
    ("The rebels accused the army of working with the AAT, which it called death squads.", "death squads", "AAT"),
    ("The rebels named the Autodefensas (AAT), which they called death squads.", "death squads", "AAT"),
    (
        "It accused Karovian instructors, whom the coalition calls the mercenaries of death.",
        "mercenaries",
        "Karovian instructors",
    ),
    (
        "The army lost two conscripts, whom he called the nation's pure martyrs.",
        "the nation's pure martyrs",
        "conscripts",
    ),
    ("Rebels took the town, which the army called a terrorist base.", "terrorist", None),  # a town is no actor
    # "spies of", "agents of", "a tool of": the "of" phrase is the patron, not the target
    ("The court called the Harran Front a tool of the Tavrisi regime.", "tool", "Harran Front"),
    ("The court called Harran Front fighters agents of the Tavrisi regime.", "agents", "Harran Front fighters"),
    ("The army killed ten Iranian agents.", "agents", None),
    # "the butcher of X": X is where the butchering was done
    ("The cell described Abu Talha as the butcher of Jalawi.", "butcher", "Abu Talha"),
    ("A rebel commander said the butcher of Damascus had fled.", "butcher", None),
    # whose: the "of" phrase after the term or after the noun it premodifies (not the patient of an action)
    ("The statement denounced the colonialist policies of France in the Sahel.", "colonialist", "France"),
    ("The brutality of this army knows no limits.", "brutality", "army"),
    ("The editorial spoke of the never-ending crimes of the West.", "never-ending", "West"),
    ("The massacre of civilians shocked the world.", "massacre", None),
    ("The brutal massacre of civilians shocked the world.", "brutal", None),
    ("Varnia said a mere handful of its soldiers had been wounded.", "mere handful", None),  # counted, not whose
    ("The heinous crimes of the Syrian army were condemned.", "heinous", "Syrian army"),
]


@pytest.mark.parametrize(("text", "term", "expected"), TARGET_CASES)
def test_find_target(text: str, term: str, expected: str | None) -> None:
    from attribution.voice import find_target

    start, end = _locate(text, term)
    found = find_target(start, end, text, Sentence(0, 0, len(text), text))
    if expected is None:
        assert found is None
    else:
        assert found is not None
        target, (t_start, t_end) = found
        assert (target, text[t_start:t_end]) == (expected, expected)


def test_find_target_stays_in_the_terms_region() -> None:
    """A target outside the attribution content that holds the term (a tagger boundary error) is dropped."""
    from attribution.voice import find_target

    text = "He said ISIL terrorists fled."
    start, end = _locate(text, "terrorists")
    sentence = Sentence(0, 0, len(text), text)
    assert find_target(start, end, text, sentence)[0] == "ISIL"  # type: ignore[index]
    narrow = attribution(text, cue="said", content=("terrorists fled",))
    assert find_target(start, end, text, sentence, [narrow]) is None
    wide = attribution(text, cue="said", content=("ISIL terrorists fled",))
    assert find_target(start, end, text, sentence, [wide]) == ("ISIL", (8, 12))


def test_find_target_stays_in_the_sentence() -> None:
    from attribution.voice import find_target

    text = "ISIL attacked. Terrorists fled."
    start, end = _locate(text, "Terrorists")
    assert find_target(start, end, text, Sentence(1, 15, len(text), text[15:])) is None
    with pytest.raises(ValueError, match="outside sentence 0"):
        find_target(start, end, text, Sentence(0, 0, 14, text[:14]))


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.mark.parametrize(
    ("term", "polarity"),
    [
        ("Takfiri terrorists", "negative"),
        ("liberation", "positive"),
        ("Liberated", "positive"),
        ("heroes", "positive"),
        ("militants", None),
        ("heroic terrorists", None),  # the entries disagree
        ("", None),
    ],
)
def test_lexicon_polarity(lexicon: Lexicon, term: str, polarity: str | None) -> None:
    from attribution.voice import lexicon_polarity

    assert lexicon_polarity(term, lexicon) == polarity


def test_resolve_terms_fills_voice_target_and_missing_polarity(lexicon: Lexicon) -> None:
    from attribution.voice import resolve_terms

    text = "The army said ISIL terrorists fled. “We liberated Kessa,” a colonel said. The heroes returned."
    sentences = [Sentence(0, 0, 35, text[:35]), Sentence(1, 36, 73, text[36:73]), Sentence(2, 74, 94, text[74:])]
    said = attribution(text, cue="said", content=("ISIL terrorists fled",), source="The army")
    quote = attribution(
        text, cue="said", content=("“We liberated Kessa,”",), source="a colonel", kind="direct", after=36
    )

    def raw(term: str, sentence_index: int, **kwargs: object) -> LoadedTerm:
        start, end = _locate(text, term)
        return LoadedTerm("name_calling", start, end, term, sentence_index, 0.9, **kwargs)  # type: ignore[arg-type]

    terms = [
        raw("terrorists", 0),
        raw("liberated", 1, polarity="negative"),  # the model's polarity is kept
        raw("heroes", 0, target="the army", target_span=(0, 8)),  # wrong sentence index; a given target is kept
    ]
    out = resolve_terms(terms, text, sentences, [said, quote], lexicon)
    got = [(t.text, t.voice, t.attribution_index, t.target, t.target_span, t.polarity) for t in out]
    assert got == [
        ("terrorists", "indirect", 0, "ISIL", (14, 18), "negative"),
        ("liberated", "quoted", 1, None, None, "negative"),
        ("heroes", "narrator", None, "the army", (0, 8), "positive"),
    ]
    assert all(t.score == 0.9 and t.category == "name_calling" for t in out)
    assert resolve_terms([], text, sentences, [], lexicon) == ()
