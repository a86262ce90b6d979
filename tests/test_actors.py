"""Actor clustering (merges and non-merges), mention parsing, the actor table and its asymmetries."""

from __future__ import annotations

import pytest

from attribution.actors import (
    _display,
    build_actors,
    cluster_mentions,
    find_asymmetries,
    in_sentence,
    parse_mention,
    targets_from_actors,
)
from attribution.records import Actor, Attribution, DistancingMarker, LoadedTerm, Span


@pytest.mark.parametrize(
    ("mentions", "clusters"),
    [
        # the brief's two examples
        (["the army", "Syrian troops", "the Syrian army"], [[0, 1, 2]]),
        (["militants", "ISIL terrorists", "Takfiri groups"], [[0, 1, 2]]),
        # aliases and spellings of one group
        (["ISIS", "Daesh", "the Islamic State", "IS fighters"], [[0, 1, 2, 3]]),
        (["the SAA", "Syrian Arab Army", "Syrian soldiers", "government forces"], [[0, 1, 2, 3]]),
        (["the IDF", "Israeli troops", "Israel Defense Forces"], [[0, 1, 2]]),
        # strong names: one is a subset of the other
        (["the Syrian Observatory for Human Rights", "the Observatory", "SOHR"], [[0, 1, 2]]),
        # a place and its demonym, one role: "Kartenia's General Staff" commands the Kartenian troops
        (["Kartenian troops", "Kartenia's General Staff", "the army"], [[0, 1, 2]]),
        # "the Observatory" in an article that names another observatory is that one, not the alias table's
        (["The Varesh Observatory for Human Rights", "the Observatory"], [[0, 1]]),
        (["Kessar Amnesty Committee", "Amnesty"], [[0, 1]]),
        # a lower-case "observatory" joins the one monitor the article names
        (["the Syrian Observatory for Human Rights", "the observatory"], [[0, 1]]),
        (["Rami Abdel Rahman", "Abdel Rahman"], [[0, 1]]),
        (["President Bashar al-Assad", "Assad", "the Assad regime"], [[0, 1, 2]]),
        # a person speaking for an organisation stands for it
        (["the Observatory's director, Rami Abdel Rahman", "the Syrian Observatory"], [[0, 1]]),
        (["a spokesman for the Syrian army", "Syrian troops"], [[0, 1]]),
        (["the army's spokesman", "the army"], [[0, 1]]),
        # anonymous military sources join the one army of the article
        (["A military source", "military sources", "a field commander", "the Syrian army"], [[0, 1, 2, 3]]),
        # plural and singular, determiners
        (["residents", "a resident", "the residents"], [[0, 1, 2]]),
        (["rebels", "the rebels", "opposition fighters", "the moderate opposition"], [[0, 1, 2, 3]]),
        # generic heads with a modifier that gives the role
        (["security forces", "the army"], [[0, 1]]),
        (["terrorist groups", "the terrorists", "extremists"], [[0, 1, 2]]),
        # a bare country is its government; several-word names are one name
        (["Russia", "the Russian government", "Russian officials"], [[0, 1, 2]]),
        (["the United States", "U.S. officials", "the US", "United States officials"], [[0, 1, 2, 3]]),
        (["Saudi Arabia", "Saudi officials"], [[0, 1]]),
        # a generic mention still joins the one government named by its head noun, beside a bare country
        (["Russia", "the Syrian government", "the regime"], [[0], [1, 2]]),
        # a capital or seat of government is its country's government
        (["Moscow", "the Kremlin", "Russia", "Russian officials"], [[0, 1, 2, 3]]),
        (["Kyiv", "Kiev", "the Kiev regime"], [[0, 1, 2]]),
        # an acronym joins the name of its initials, before or after it
        (["the Warsan Defence Force", "WDF"], [[0, 1]]),
        (["the GNC", "Government of National Concord"], [[0, 1]]),
        (["the Aravan Liberation Army", "ALA fighters", "an ALA commander"], [[0, 1, 2]]),
        # a demonym no table knows joins its place's name ("Kartenian saboteurs" are Kartenia's)
        (["Kartenia", "Kartenian"], [[0, 1]]),
        (["Qamaristani", "Qamaristan"], [[0, 1]]),
        (["Nyakiri", "the Nyakirian"], [[0, 1]]),
        # a named person speaking for a named group stands for it; a head of state for the government
        (["CMT spokesman Mohamed Ag Intalla", "Ag Intalla", "the CMT"], [[0, 1, 2]]),
        (["Fighters of the Tarsian Liberation Movement (TLM)", "TLM spokesman Amir Haddou", "Haddou"], [[0, 1, 2]]),
        (["Rebels", "the Tarsian Liberation Movement"], [[0, 1]]),  # the one insurgent group the article names
        (["President Bashar al-Assad", "the government"], [[0, 1]]),
        # a person of a group, or local people with no name of their own
        (["the Harran Front", "fighters of the Harran Front", "A Harran Front commander"], [[0, 1, 2]]),
        (["residents of Kessa", "Residents interviewed by FNA", "a resident"], [[0, 1, 2]]),
        # a definite short form of the one body or person the article names with that head noun
        (["the Civic Renewal Movement", "the movement", "The movement's spokesman, Aron Belic,"], [[0, 1, 2]]),
        (["Karrari militias", "the militia"], [[0, 1]]),
        (["Minister Lena Korval", "the interior minister"], [[0, 1]]),
        (["Minister", "Minister Lena Korval", "the government"], [[0, 1], [2]]),  # a headline's bare title
        (["army spokesman Colonel Idrissa Keita", "The spokesman"], [[0, 1]]),
        (["Defence Minister Ara Venn", "Defence minister"], [[0, 1]]),  # a headline's office as the body writes it
        # a seat of government is its country's government
        (["the Pentagon", "A Pentagon spokesman", "The White House", "US officials"], [[0, 1, 2, 3]]),
        (["Downing Street", "British officials"], [[0, 1]]),
        # a deputy named in apposition is the deputy, not the person whose deputy she is
        (["Defence Minister Ara Venn", "Venn's deputy, Colonel Irit Sadan", "Sadan", "Venn"], [[0, 3], [1, 2]]),
        # an unnamed person whose name follows in apposition is that person
        (["The witness, Alma Fenwick, who worked in the control room,", "Fenwick"], [[0, 1]]),
        (["A spokeswoman, Lena Ostrova,", "Ostrova"], [[0, 1]]),
    ],
)
def test_merges(mentions: list[str], clusters: list[list[int]]) -> None:
    assert cluster_mentions(mentions) == clusters


@pytest.mark.parametrize(
    ("mentions", "clusters"),
    [
        # two armies: "the army" cannot be told apart, so it stays on its own
        (["the army", "Syrian troops", "Russian troops"], [[0], [1], [2]]),
        # the sides of a war are different actors
        (["the army", "militants"], [[0], [1]]),
        (["rebels", "ISIL"], [[0], [1]]),
        (["Kurdish fighters", "ISIL terrorists"], [[0], [1]]),
        (["the government", "the army"], [[0], [1]]),
        # two militant groups: generic "militants" joins neither
        (["ISIL", "al-Nusra Front", "militants"], [[0], [1], [2]]),
        # names that do not contain one another
        (["Amnesty International", "Human Rights Watch"], [[0], [1]]),
        (["Amnesty International", "an amnesty committee"], [[0], [1]]),
        (["The Varesh Observatory", "The Kessar Observatory", "the Observatory"], [[0], [1], [2]]),
        (["Syrian troops", "the Syrian Observatory"], [[0], [1]]),
        # different kinds of people
        (["residents", "doctors", "witnesses"], [[0], [1], [2]]),
        # "the regime" is seldom the one foreign government the report names (a bare country)
        (["the United States", "Government", "regime"], [[0], [1, 2]]),
        (["Russia", "the government"], [[0], [1]]),
        # a country's government is not its army
        (["Russia", "Russian troops"], [[0], [1]]),
        (["Moscow", "Kyiv"], [[0], [1]]),
        # an acronym joins no name of other initials, and a one-word name has none
        (["the Warsan Defence Force", "TRA"], [[0], [1]]),
        (["Harran", "HR"], [[0], [1]]),
        # a demonym joins only its own place, and a place is not its army (as "Russia" and "Russian troops")
        (["Kartenia", "Gorvanian"], [[0], [1]]),
        (["Kartenian troops", "Gorvania's General Staff"], [[0], [1]]),  # one role, two places
        (["Kartenia", "Kartenian troops"], [[0], [1]]),
        (["Hassan", "Hassani"], [[0], [1]]),
        # a person is not the generic officials, authorities or sources of his side
        (["Interior Minister Rachid Benmerah", "the authorities"], [[0], [1]]),
        (["Colonel Arnel Bautista", "Bautista", "military officials"], [[0, 1], [2]]),
        (["Brigadier General Yahya Saree", "A military source"], [[0], [1]]),
        (["the 4th Marine Brigade", "Colonel Arnel Bautista"], [[0], [1]]),  # his group is not named with him
        # an insurgent group's army is not "the army"
        (["the army", "the Tolan Revolutionary Army"], [[0], [1]]),
        (["the army", "the Aravan Liberation Army", "ALA fighters"], [[0], [1, 2]]),
        # a place or agency named after local people is not theirs
        (["Sagani", "A pensioner who reached Sagani"], [[0], [1]]),
        (["GNA", "Residents interviewed by GNA"], [[0], [1]]),
        (["Hawzeni", "A doctor at Hawzeni's referral hospital"], [[0], [1]]),
        (["JNIM, an al Qaeda affiliate,", "ISIL"], [[0], [1]]),
        # a short form joins no body or person when two share its head, nor as a plural or with an apposition
        (["the Civic Renewal Movement", "the Popular Front Movement", "the movement"], [[0], [1], [2]]),
        (["Minister Lena Korval", "Minister Aron Dal", "the minister"], [[0], [1], [2]]),
        (["Minister Lena Korval", "ministers"], [[0], [1]]),
        (["MNA spokesman Nai Hkam Lu", "Its spokesman, Major General Kyaw Thiha Lwin,"], [[0], [1]]),
        (["Inspector General of Police Arvind Kaul", "the police"], [[0], [1]]),  # an institution, not its head
        (["Minister Lena Korval", "a minister", "the government"], [[0], [1, 2]]),  # any minister
        # supporters, critics and opponents of an actor are not that actor
        (["opponents of the government", "the government"], [[0], [1]]),
        (["Supporters of the rebels", "the rebels"], [[0], [1]]),
        (["critics of the army", "the army"], [[0], [1]]),
        # two people of one title or rank are two actors; an office of another minister is not his
        (["Defense Secretary Mark Holloway", "Health Secretary Joan Pike"], [[0], [1]]),
        (["Col. Hadi Rami", "Col. Irit Sadan"], [[0], [1]]),
        (["Defence Minister Ara Venn", "Foreign minister"], [[0], [1]]),
        (["Venn", "Venn's deputy"], [[0]]),  # a deputy with no name is no one the table can name
        # a minister's portfolio is no group's name
        (["the Centre for Justice and Dignity", "Justice Minister Hanna Orlo", "Orlo"], [[0], [1, 2]]),
    ],
)
def test_non_merges(mentions: list[str], clusters: list[list[int]]) -> None:
    assert cluster_mentions(mentions) == clusters


@pytest.mark.parametrize(
    "mention",
    [
        *("he", "It", "They", "us", "reports", "The report", "a statement", "", "  ", "informed sources"),
        # two actors at once are neither alone
        *("Harlan and Voss", "Sen. Dale Harlan and Gov. Miriam Voss", "Neither the government nor the Shield"),
        *("ceasefire", "a Syrian"),
    ],
)
def test_mentions_that_name_no_actor(mention: str) -> None:
    assert parse_mention(mention) is None
    assert cluster_mentions([mention]) == []


@pytest.mark.parametrize(
    ("mention", "source_type", "key", "role"),
    [
        ("Syrian troops", None, "alias:Syrian army", "army"),
        ("the army", None, "role:army", "army"),
        ("a source", "military", "role:army", "army"),
        ("officials", "government", "role:government", "government"),
        ("U.S. officials", None, "alias:US government", "government"),
        ("Takfiri groups", None, "role:militant", "militant"),
        ("opposition fighters", None, "role:rebel", "rebel"),
        ("Syrian opposition fighters", None, "alias:Syrian rebels", "rebel"),  # not the Syrian army
        ("Syrian government forces", None, "alias:Syrian army", "army"),
        # the political opposition is not an armed one
        ("Opposition lawmakers", None, "head:lawmaker", None),
        ("opposition MPs", None, "head:mp", None),
        ("the armed opposition", None, "role:rebel", "rebel"),
        ("the Pentagon", None, "alias:US government", "government"),
        ("White House spokeswoman Ann Lee", None, "names:ann lee", "government"),
        # a General Staff is an army's command, not a general named Staff
        ("Ukraine's General Staff", None, "alias:Ukrainian army", "army"),
        ("the Ukrainian General Staff", None, "alias:Ukrainian army", "army"),
        ("General Stafford", None, "names:stafford", None),
        # an "Army of" a cause is an insurgent group; of a state, its army
        ("the so-called Army of Conquest", None, "names:conquest", "rebel"),
        ("the Army of the Republic of Vietnam", None, "names:republic vietnam", "army"),
        # "armed" makes a state's forces only: armed groups and armed men are not the army
        ("the armed forces", None, "role:army", "army"),
        ("a Russian battlegroup", None, "alias:Russian army", "army"),  # military units are the army
        ("the 12th Mountain Division", None, "names:mountain", "army"),
        ("armed units", None, "role:army", "army"),
        ("armed groups", None, "role:militant", "militant"),
        ("unidentified armed men", None, "role:militant", "militant"),
        ("the regime's forces", None, "role:army", "army"),
        ("Kurdish fighters", None, "alias:Kurdish forces", "fighter"),
        ("Amnesty", None, "alias:Amnesty International", "ngo"),
        ("the Observatory", None, "alias:Syrian Observatory for Human Rights", "ngo"),
        ("the Syrian observatory", None, "alias:Syrian Observatory for Human Rights", "ngo"),  # a longer alias
        # a common noun in lower case names no particular group
        ("the so-called human rights observatory", None, "role:ngo", "ngo"),
        ("a war monitoring observatory", None, "role:ngo", "ngo"),
        ("an amnesty committee", None, "head:committee", None),
        ("witnesses", None, "head:witness", None),
        ("Damascus", None, "alias:Syrian government", "government"),  # a capital stands for its government
        ("the Kremlin", None, "alias:Russian government", "government"),
        ("the regime in Kyiv", None, "alias:Ukrainian government", "government"),
        ("Hamidou", None, "names:hamidou", None),
        ("the United States", "government", "alias:US government", "government"),
        ("United States officials", None, "alias:US government", "government"),
        ("the UK", None, "alias:British government", "government"),
        ("Jordan", None, "names:jordan", None),  # also a first name: not read as a country
        # an affiliate of an aliased group is another body, of the same kind
        ("JNIM, an al Qaeda affiliate,", None, "names:jnim", "militant"),
        ("Supporters of the agreement, including several Western embassies,", None, "head:supporter", None),
        ("opponents of the government", None, "head:opponent", None),
        # a language spoken names no side
        ("Russian-speaking fighters", None, "role:fighter", "fighter"),
        ("Russian fighters", None, "alias:Russian army", "army"),
        ("the Harran Front, an ISIL offshoot", None, "names:front harran", "militant"),
        ("al Qaeda", None, "alias:al-Qaeda", "militant"),
        ("Rami Abdel Rahman, the Observatory's director", None, "alias:Syrian Observatory for Human Rights", "ngo"),
    ],
)
def test_parse_mention(mention: str, source_type: str | None, key: str, role: str | None) -> None:
    parsed = parse_mention(mention, source_type)
    assert parsed is not None and (parsed.key, parsed.role) == (key, role)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Syrian army", "the Syrian army"), ("rebels", "the rebels"), ("ISIL", "ISIL"), ("Hamas", "Hamas")],
)
def test_in_sentence(name: str, shown: str) -> None:
    assert in_sentence(name) == shown


# --------------------------------------------------------------------------- the actor table of a report

TEXT = "A military source told FNA that ISIL terrorists fled. The so-called Observatory said the army shelled homes."


def _span(label: str, part: str, sentence: int) -> Span:
    start = TEXT.index(part)
    return Span(label, start, start + len(part), part, sentence)  # type: ignore[arg-type]


def _attributions() -> list[Attribution]:
    return [
        Attribution(
            cue=(_span("CUE", "told", 0),),
            source=(_span("SOURCE", "A military source", 0),),
            content=(_span("CONTENT", "ISIL terrorists fled", 0),),
            kind="indirect",
            sentence_index=0,
            score=0.9,
            source_type="military",
            anonymous=True,
            via=(_span("SOURCE", "FNA", 0),),
        ),
        Attribution(
            cue=(_span("CUE", "said", 1),),
            source=(_span("SOURCE", "The so-called Observatory", 1),),
            content=(_span("CONTENT", "the army shelled homes", 1),),
            kind="indirect",
            sentence_index=1,
            score=0.9,
            source_type="ngo",
            anonymous=False,
            stance="neutral",
        ),
    ]


def _terms() -> list[LoadedTerm]:
    start = TEXT.index("terrorists")
    isil = TEXT.index("ISIL")
    return [
        LoadedTerm(
            "name_calling", start, start + 10, "terrorists", 0, 0.9, "negative", "indirect", "ISIL", (isil, isil + 4), 0
        )
    ]


def _markers() -> list[DistancingMarker]:
    start, target = TEXT.index("so-called"), TEXT.index("Observatory")
    return [DistancingMarker("so-called", start, start + 9, "so-called", 1, target, target + 11, "Observatory")]


def test_build_actors_links_every_number_to_its_items() -> None:
    actors = {a.name: a for a in build_actors(_attributions(), _terms(), _markers())}
    assert set(actors) == {"army", "Syrian Observatory for Human Rights", "ISIL"}
    army, observatory, isil = actors["army"], actors["Syrian Observatory for Human Rights"], actors["ISIL"]
    assert (army.claims, army.anonymous_claims, army.named_claims, army.mentions) == ((0,), (0,), (), 1)
    assert (observatory.claims, observatory.named_claims, observatory.distancing) == ((1,), (1,), (0,))
    # the source span and the distancing target overlap but are different spans: two mentions
    assert observatory.mentions == 2 and observatory.sentence_indices == (1,)
    assert isil.term_indices == (0,) and [(t.category, t.voice, t.count) for t in isil.terms] == [
        ("name_calling", "indirect", 1)
    ]


@pytest.mark.parametrize(
    ("targets", "name"),
    [
        (["Interior Minister Kemal Yenidogan", "the Interior Ministry"], "Interior Ministry"),
        (["TDF spokesman Brigadier General Noam Eldar", "the TDF"], "TDF"),
        (["Colonel Arnel Bautista", "Bautista"], "Colonel Arnel Bautista"),  # only the person: his name
        (["Senator", "Senator Ellen Marsh", "Marsh"], "Senator Ellen Marsh"),  # a headline's title is no group
        (["the Pentagon", "US officials"], "US government"),  # a government by its own name, not its seat's
        (["Damascus", "the Syrian foreign ministry"], "Syrian government"),
        (
            ["Fighters of the Tarsian Liberation Movement (TLM)", "TLM spokesman Amir Haddou"],
            "Tarsian Liberation Movement (TLM)",
        ),
    ],
)
def test_an_actor_is_named_by_its_organisation_before_its_people(targets: list[str], name: str) -> None:
    terms = [LoadedTerm("name_calling", 10 * i, 10 * i + 5, "thugs", i, 0.9, target=t) for i, t in enumerate(targets)]
    assert [a.name for a in build_actors([], terms)] == [name]


def test_terms_with_one_target_span_count_one_mention() -> None:
    terms = _terms() * 2
    (isil,) = [a for a in build_actors([], terms) if a.name == "ISIL"]
    assert isil.mentions == 1 and isil.term_indices == (0, 1) and isil.terms[0].count == 2


@pytest.mark.parametrize(
    ("target", "target_span", "actor_terms"),
    [
        ("gangs", (25, 30), (0,)),  # right after the label: read together, the quoted phrase's actor
        ("gangs", (31, 36), ()),  # not right after it: "gangs" alone names no actor
        ("ISIL", (25, 29), None),  # a target naming an actor by itself stays as it is
    ],
)
def test_a_head_right_after_its_label_is_read_with_it(
    target: str, target_span: tuple[int, int], actor_terms: tuple[int, ...] | None
) -> None:
    term = LoadedTerm("delegitimizing", 0, 24, "foreign-backed terrorist", 0, 0.8, "negative", "quoted", target,
                      target_span)  # fmt: skip
    marker = DistancingMarker("scare_quotes", 0, 1, '"', 0, 0, 30, "foreign-backed terrorist gangs")
    actors = build_actors([], [term], [marker])
    militants = [a for a in actors if a.distancing == (0,)]
    if actor_terms is None:
        assert [a.term_indices for a in actors if a.name == "ISIL"] == [(0,)]
    else:
        assert len(militants) == 1 and militants[0].term_indices == actor_terms and militants[0].mentions == 1


@pytest.mark.parametrize(
    ("label", "target", "actor"),
    [
        ("Takfiri", "groups", "militants"),  # "groups" names no role; "Takfiri groups" does
        ("foreign-backed", "militias", "militia"),  # a target with a role alone stays as it is
        ("brave", "residents", "residents"),  # no role either way: the target alone
    ],
)
def test_a_target_without_a_role_is_read_with_the_label_that_gives_one(label: str, target: str, actor: str) -> None:
    start = len(label) + 1
    term = LoadedTerm("name_calling", 0, len(label), label, 0, 0.9, "negative", "narrator", target,
                      (start, start + len(target)))  # fmt: skip
    assert [(a.name, a.term_indices) for a in build_actors([], [term])] == [(actor, (0,))]


@pytest.mark.parametrize(
    ("category", "words", "actor"),
    [
        ("name_calling", "terrorists", "militants"),  # a label that is a kind of actor stands for it
        ("name_calling", "the regime", "government"),
        ("delegitimizing", "mercenaries", "militants"),
        ("name_calling", "thugs", None),  # names no role: no actor
        ("loaded_language", "terror", None),  # "a campaign of terror": loaded language names no one
        ("loaded_language", "liberated", None),
    ],
)
def test_a_label_without_a_target_is_a_mention_of_the_actor_it_names(
    category: str, words: str, actor: str | None
) -> None:
    term = LoadedTerm(category, 10, 10 + len(words), words, 0, 0.9, "negative", "indirect")
    named = [(a.name, a.term_indices) for a in build_actors([], [term])]
    assert named == ([(actor, (0,))] if actor else [])


def _source(text: str, source_type: str) -> Attribution:
    return Attribution(cue=(_span("CUE", "said", 0),), source=(Span("SOURCE", 100, 100 + len(text), text, 0),),
                       content=(), kind="indirect", sentence_index=0, score=0.9, source_type=source_type)  # fmt: skip


@pytest.mark.parametrize(
    ("label", "sources", "target"),
    [
        ("terrorists", [("Kessar Liberation Front militants", "armed_group")], "Kessar Liberation Front militants"),
        ("the regime", [("the Assad government", "government")], "Assad government"),
        ("terrorists", [("ISIS", "armed_group")], "ISIL"),  # an alias: the table's name for it
        ("mercenaries", [("Hamas", "armed_group")], "Hamas"),
        ("terrorists", [], None),  # nothing else in the article
        ("terrorists", [("the militants", "armed_group")], None),  # only a kind of actor: no name to give
        ("terrorists", [("Jabhat al-Nasr militants", "armed_group"), ("Hamas", "armed_group")], None),  # which?
        ("terrorists", [("the Syrian army", "military")], None),  # another side's name
        ("terrorists", [("the Kessar Liberation Front", "armed_group")], None),  # a name of no known kind
        ("thugs", [("Hamas", "armed_group")], None),  # names no kind of actor
    ],
)
def test_a_bare_label_gets_the_named_actor_it_joins_as_target(
    label: str, sources: list[tuple[str, str]], target: str | None
) -> None:
    term = LoadedTerm("name_calling", 10, 10 + len(label), label, 1, 0.9, "negative", "narrator")
    attributions = [_source(text, kind) for text, kind in sources]
    (filled,) = targets_from_actors(build_actors(attributions, [term]), [term])
    assert filled.target == target
    assert filled.target_span == ((term.start, term.end) if target else None)


@pytest.mark.parametrize(
    ("label", "kind", "source", "target"),
    [
        ("Takfiri", "groups", ("ISIL", "armed_group"), "ISIL"),  # "Takfiri groups" joins ISIL: the term's target
        ("Takfiri", "groups", ("the Syrian army", "military"), "groups"),  # joins no name: keeps its kind
        ("terrorist", "ISIL", ("ISIL", "armed_group"), "ISIL"),  # a name after the label is its own target
    ],
)
def test_a_label_read_with_the_kind_after_it_gets_the_named_actor_it_joins(
    label: str, kind: str, source: tuple[str, str], target: str
) -> None:
    start = len(label) + 1
    term = LoadedTerm("name_calling", 0, len(label), label, 1, 0.9, target=kind, target_span=(start, start + len(kind)))
    (filled,) = targets_from_actors(build_actors([_source(*source)], [term]), [term])
    span = (0, start + len(kind)) if target != kind else term.target_span  # the label and its kind: one mention
    assert (filled.target, filled.target_span) == (target, span)


def test_filled_targets_leave_the_actor_table_as_it_was() -> None:
    term = LoadedTerm("name_calling", 10, 20, "terrorists", 1, 0.9, "negative", "narrator")
    attributions = [_source("the Kessar Liberation Front", "armed_group")]
    before = build_actors(attributions, [term])
    assert build_actors(attributions, targets_from_actors(before, [term])) == before


def test_unresolved_pronoun_sources_are_left_out_and_resolved_ones_kept() -> None:
    he = Attribution(
        cue=(_span("CUE", "said", 1),), source=(Span("SOURCE", 0, 1, "A", 1),), content=(), kind="indirect",
        sentence_index=1, score=0.9,
    )  # fmt: skip
    assert build_actors([he], []) == ()
    pronoun = Span("SOURCE", 0, 1, "A", 1)
    resolved = Attribution(
        cue=he.cue, source=(pronoun,), content=(), kind="indirect", sentence_index=1, score=0.9,
        resolved_source="Amnesty International", anonymous=False,
    )  # fmt: skip
    (actor,) = build_actors([resolved], [])
    assert actor.name == "Amnesty International" and actor.named_claims == (0,)


# --------------------------------------------------------------------------- asymmetries


def _actor(name: str, role: str | None, **kw: object) -> Actor:
    return Actor(name, role, (name,), 1, kw.pop("sentences", (0,)), **kw)  # type: ignore[arg-type]


def _term(category: str, polarity: str | None, sentence: int, voice: str = "narrator") -> LoadedTerm:
    return LoadedTerm(category, 0, 1, "x", sentence, 0.9, polarity, voice)


def _claim(sentence: int, anonymous: bool | None, stance: str | None = None) -> Attribution:
    cue = Span("CUE", 0, 4, "said", sentence)
    return Attribution(
        cue=(cue,), source=(Span("SOURCE", 5, 9, "them", sentence),), content=(), kind="indirect",
        sentence_index=sentence, score=0.9, anonymous=anonymous, stance=stance,
    )  # fmt: skip


def test_name_calling_one_side_only() -> None:
    terms = [_term("name_calling", "negative", 1), _term("name_calling", "negative", 2, "quoted")]
    actors = [
        _actor("ISIL", "militant", term_indices=(0, 1), sentences=(1, 2)),
        _actor("Syrian army", "army", sentences=(0,)),
    ]
    (found,) = find_asymmetries(actors, terms, [])
    assert found.kind == "name_calling" and found.actors == (0, 1) and found.sentence_indices == (0, 1, 2)
    assert "applied to ISIL twice (1 in the writer's own voice; 1 in quotes)" in found.statement
    assert found.statement.endswith("no name-calling is applied to the Syrian army.")


def test_no_name_calling_asymmetry_when_both_sides_are_called_names() -> None:
    terms = [_term("name_calling", "negative", 1), _term("name_calling", "negative", 2)]
    actors = [_actor("ISIL", "militant", term_indices=(0,)), _actor("Syrian army", "army", term_indices=(1,))]
    assert [a.kind for a in find_asymmetries(actors, terms, [])] == []


def test_residents_are_no_side_for_name_calling() -> None:
    terms = [_term("name_calling", "negative", 1)]
    actors = [_actor("ISIL", "militant", term_indices=(0,)), _actor("residents", None)]
    assert find_asymmetries(actors, terms, []) == ()


@pytest.mark.parametrize(
    ("mention", "display"),
    [
        ("The Varesh Observatory for Human Rights", "Varesh Observatory for Human Rights"),
        ("the Observatory", "Syrian Observatory for Human Rights"),  # alone: the alias table's
        ("the Britain-based Observatory", "Syrian Observatory for Human Rights"),
        ("Kessar Amnesty Committee", "Kessar Amnesty Committee"),
        ("Amnesty", "Amnesty International"),
    ],
)
def test_a_one_word_alias_after_another_name_is_that_body(mention: str, display: str) -> None:
    parsed = parse_mention(mention)
    assert parsed is not None and parsed.display == display


@pytest.mark.parametrize(
    ("outer", "inner", "joined"),
    [
        ("the so-called experts in Washington", "experts", True),  # the distanced words are the source's
        ("ISIL terrorists", "terrorists", True),
        ("Residents interviewed by the so-called ministry", "ministry", False),  # another head noun: someone else
    ],
)
def test_a_generic_mention_inside_a_fuller_one_with_its_head_is_that_actor(
    outer: str, inner: str, joined: bool
) -> None:
    start = outer.index(inner)
    marker = DistancingMarker("so-called", 0, 9, "so-called", 0, 100 + start, 100 + start + len(inner), inner)
    actors = build_actors([_source(outer, "expert")], [], [marker])
    holding = [a for a in actors if 0 in a.claims]
    assert len(holding) == 1 and (holding[0].distancing == (0,)) is joined


@pytest.mark.parametrize(
    ("term", "target", "actor_forms"),
    [
        # its own head noun, which alone names no role: the whole term is the mention, and joins the militants
        ("Takfiri terrorist organizations", "organizations", ("Takfiri terrorist organizations", "terrorists")),
        # negative: a head noun with a role of its own, or with none either way, stays the target alone
        ("Takfiri terrorists", "terrorists", ("terrorists",)),
        ("the genocidal Marawin army", "Marawin", ("Marawin",)),  # a name inside the term is the target itself
        ("brave residents", "residents", ("residents",)),
    ],
)
def test_a_terms_own_head_noun_is_read_with_the_term(term: str, target: str, actor_forms: tuple[str, ...]) -> None:
    own = LoadedTerm("name_calling", 0, len(term), term, 0, 0.9, "negative", "narrator", target,
                     (term.index(target), term.index(target) + len(target)))  # fmt: skip
    other = LoadedTerm("name_calling", 60, 70, "terrorists", 1, 0.9, "negative")
    actors = build_actors([], [own, other])
    (holding,) = [a for a in actors if 0 in a.term_indices]
    assert set(holding.forms) == set(actor_forms)


def test_a_span_under_two_categories_counts_once_for_polarity() -> None:
    martyred = [LoadedTerm(c, 10, 18, "martyred", 0, 0.9, "positive") for c in ("loaded_language", "name_calling")]
    terms = [*martyred, LoadedTerm("name_calling", 30, 40, "terrorists", 1, 0.9, "negative")]
    actors = [_actor("army", "army", term_indices=(0, 1)), _actor("militants", "militant", term_indices=(2,))]
    (found,) = [a for a in find_asymmetries(actors, terms, []) if a.kind == "polarity"]
    assert "“martyred”)" in found.statement and "×2" not in found.statement


def test_polarity_asymmetry() -> None:
    terms = [_term("loaded_language", "positive", 0), _term("loaded_language", "negative", 1)]
    actors = [_actor("Syrian army", "army", term_indices=(0,)), _actor("rebels", "rebel", term_indices=(1,))]
    (found,) = find_asymmetries(actors, terms, [])
    assert found.kind == "polarity" and found.actors == (0, 1) and found.sentence_indices == (0, 1)


@pytest.mark.parametrize(
    ("army", "observatory", "expected"),
    [
        ((True, True), (False, False), ["anonymity"]),  # all anonymous vs all named
        ((True, True, False), (False,), ["anonymity"]),  # mostly anonymous
        ((True, False), (False,), []),  # half and half is no majority
        ((False,), (False, False), []),  # everybody named
        ((None,), (False,), []),  # unknown anonymity says nothing
    ],
)
def test_anonymity_asymmetry(army: tuple, observatory: tuple, expected: list[str]) -> None:
    claims = [_claim(i, anonymous) for i, anonymous in enumerate((*army, *observatory))]
    n = len(army)
    actors = [
        _actor("Syrian army", "army", claims=tuple(range(n)), anonymous_claims=tuple(i for i in range(n) if army[i]),
               named_claims=tuple(i for i in range(n) if army[i] is False)),
        _actor("Syrian Observatory for Human Rights", "ngo", claims=tuple(range(n, len(claims))),
               named_claims=tuple(range(n, len(claims)))),
    ]  # fmt: skip
    found = find_asymmetries(actors, [], claims)
    assert [a.kind for a in found] == expected
    if expected:
        assert found[0].actors == (0, 1) and found[0].sentence_indices == tuple(range(len(claims)))
        assert "the Syrian Observatory for Human Rights" in found[0].statement


@pytest.mark.parametrize(
    ("named", "as_source", "joined"),
    [
        ("Army of Conquest", False, False),  # only a name the writer distances: the army's sources are not its
        ("Syrian army", True, True),  # a source too: the article's one named army
    ],
)
def test_generic_sources_join_no_name_the_writer_only_distances(named: str, as_source: bool, joined: bool) -> None:
    marker = DistancingMarker("so-called", 0, 9, "so-called", 0, 10, 10 + len(named), named)
    sources = [_source("A military source", "military")] + ([_source(f"the {named}", "military")] if as_source else [])
    actors = build_actors(sources, [], [marker])
    holding = [a for a in actors if 0 in a.claims]
    assert len(holding) == 1 and (named in holding[0].forms) is joined


def test_distancing_asymmetry_needs_an_undistanced_side() -> None:
    markers = [DistancingMarker("so-called", 0, 9, "so-called", 3, 10, 21, "Observatory")]
    claims = [_claim(3, False, "distancing"), _claim(4, True)]
    observatory = _actor("Observatory", "ngo", claims=(0,), named_claims=(0,), distancing=(0,), distanced_claims=(0,))
    army = _actor("army", "army", claims=(1,), anonymous_claims=(1,))
    found = [a for a in find_asymmetries([observatory, army], [], claims, markers) if a.kind == "distancing"]
    assert len(found) == 1 and found[0].sentence_indices == (3,)
    assert "“so-called”" in found[0].statement and "“said”" in found[0].statement
    assert [a for a in find_asymmetries([observatory], [], claims, markers) if a.kind == "distancing"] == []


@pytest.mark.parametrize(
    ("marked", "claimed", "statement"),
    [
        (  # a marker questions a name for the actor ("what the ministry called"), not the actor itself
            True,
            False,
            "The writer distances itself from a name for the militants (“what the ministry called”); "
            "from no name or claim of the army.",
        ),
        (
            False,
            True,
            "The writer distances itself from the claims of the militants (reported with “said”); "
            "from no name or claim of the army.",
        ),
        (
            True,
            True,
            "The writer distances itself from a name for the militants (“what the ministry called”) and from its "
            "claims (reported with “said”); from no name or claim of the army.",
        ),
        (False, False, None),  # nothing distanced: no statement
    ],
)
def test_distancing_statement_names_what_is_distanced(marked: bool, claimed: bool, statement: str | None) -> None:
    markers = [DistancingMarker("what it calls", 0, 23, "what the ministry called", 2, 24, 45, "foreign-backed gangs")]
    claims = [_claim(2, False, "distancing"), _claim(4, True)]
    militants = _actor(
        "militants",
        "militant",
        claims=(0,),
        named_claims=(0,),
        distancing=(0,) if marked else (),
        distanced_claims=(0,) if claimed else (),
    )
    army = _actor("army", "army", claims=(1,), anonymous_claims=(1,))
    found = [a.statement for a in find_asymmetries([militants, army], [], claims, markers) if a.kind == "distancing"]
    assert found == ([statement] if statement else [])


@pytest.mark.parametrize(
    ("mention", "display"),
    [
        ('the so-called "Army of Conquest"', "Army of Conquest"),
        ("the self-proclaimed 'independent' media council appointed by the ruling party", "independent media council"),
        ("forces backed by Iran", "forces"),  # the backer is another actor
        ("the Syrian army", "Syrian army"),
        ("the Observatory's director", "Syrian Observatory for Human Rights"),
    ],
)
def test_an_actor_is_shown_without_the_writers_distancing(mention: str, display: str) -> None:
    parsed = parse_mention(mention)
    assert parsed is not None and parsed.display == display


def test_a_possessive_apostrophe_is_no_quote_mark() -> None:
    assert _display("Doctors' unions") == "Doctors' unions"
    assert _display("the 'independent' council") == "independent council"


def _said_by(text: str, source: str) -> Attribution:
    start = text.index(source)
    said = text.index("said", start)
    return Attribution(
        (Span("CUE", said, said + 4, "said", 0),),
        (Span("SOURCE", start, start + len(source), source, 0),),
        (),
        "indirect",
        0,
        1.0,
    )


@pytest.mark.parametrize(
    ("text", "source", "actors"),
    [
        # a sentence's first word that the article also writes in lower case is no name
        ("Leaked memo said the camp is full. A leaked memo was seen.", "Leaked memo", []),
        ("Security sources said the camp is full. The security forces left.", "Security sources", ["army"]),
        # negative: a name never written in lower case, two capitalised words, or a word inside a sentence
        ("Hamas officials said the camp is full. The officials left.", "Hamas officials", ["Hamas"]),
        ("Nordvik Bank said the camp is full. A bank said so.", "Nordvik Bank", ["Nordvik Bank"]),
        ("Officials of Leaked County said the camp is full. A leaked memo.", "Leaked County", ["Leaked County"]),
    ],
)
def test_a_sentences_capitalised_common_word_is_no_name(text: str, source: str, actors: list[str]) -> None:
    assert [a.name for a in build_actors([_said_by(text, source)], [], text=text)] == actors


def test_without_the_article_a_capitalised_first_word_stays_a_name() -> None:
    text = "Leaked memo said the camp is full. A leaked memo was seen."
    assert [a.name for a in build_actors([_said_by(text, "Leaked memo")], [])] == ["Leaked memo"]


@pytest.mark.parametrize("mention", ["Grell's defenders", "the group's critics", "ISIL's allies"])
def test_people_of_their_own_are_not_the_possessor(mention: str) -> None:
    owner = mention.split("'")[0].removeprefix("the ")
    assert cluster_mentions([owner, mention]) in ([[0]], [[0], [1]])
