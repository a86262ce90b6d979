"""Targets of bare labels from the rest of the article (attribution.context_targets) and the actor phrases it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from attribution.actors import same_actor
from attribution.annotations import read_annotations
from attribution.context_targets import label_kind, targets_from_context
from attribution.records import Article, LoadedTerm, Sentence
from attribution.segmenter import RuleSegmenter
from attribution.voice import actor_phrases, find_target


@pytest.mark.parametrize(
    ("sentence", "phrases"),
    [
        ("Armed groups and Kurdish fighters clashed near Kessa.", ["Armed groups", "Kurdish fighters", "Kessa"]),
        ("The regime's thugs opened fire.", ["regime", "thugs"]),  # a possessive ends a run
        ("ISIL terrorists fled toward the border.", ["ISIL"]),  # a label after a name is dropped
        ("Jabhat al-Nasr claimed the attack.", ["Jabhat al-Nasr"]),  # a name particle goes on
        ("Opposition fighters said the town was calm.", ["Opposition fighters"]),
        ("The 47th Brigade said 3 soldiers died on the 9th.", ["47th Brigade", "soldiers"]),  # an ordinal
        ("Syrian state news agency SANA said the army advanced.", ["SANA", "army"]),  # "state" modifies "news"
        ("Army radio said rebels fled.", ["rebels"]),
        ("It rained all day in the north.", []),  # no actor
        ("The armed escort left early.", []),  # a modifier without an actor noun
    ],
)
def test_actor_phrases(sentence: str, phrases: list[str]) -> None:
    found = actor_phrases(sentence, Sentence(0, 0, len(sentence), sentence))
    assert [sentence[a:b] for a, b in found] == phrases


def _label_target(text: str, label: str, category: str = "name_calling", occurrence: int = 0) -> str | None:
    sentences = RuleSegmenter()(Article(id="t", text=text))
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(label, start + 1)
    sentence = next(s for s in sentences if s.start <= start < s.end)
    term = LoadedTerm(category, start, start + len(label), label, sentence.index, 0.9, "negative")
    (found,) = targets_from_context(text, sentences, [term])
    if found.target is not None:
        assert found.target_span == (term.start, term.end)  # the label itself is the mention
    return found.target


@pytest.mark.parametrize(
    ("text", "label", "target"),
    [
        # the nearest fitting actor before the label
        (
            "The Harran Front shelled Kessa on Monday. Residents said the terrorists fled at dawn.",
            "terrorists",
            "Harran Front",
        ),
        ("Jabhat al-Nasr claimed the attack. The army said the Takfiris lost 40 men.", "Takfiris", "Jabhat al-Nasr"),
        (
            "Armed groups attacked a checkpoint. A source said the terrorists were repelled.",
            "terrorists",
            "Armed groups",
        ),
        (
            "The Harran Front and the Sable Legion both lost ground. The mercenaries of the north retreated.",
            "mercenaries",
            "Sable Legion",
        ),
        # a name before a nearer kind of actor
        (
            "The Harran Front attacked at dawn. Its fighters took the hill. Officials said the terrorists fled.",
            "terrorists",
            "Harran Front",
        ),
        (
            "The 9th Giants Brigade held the road. A commander said the mercenaries ran.",
            "mercenaries",
            "9th Giants Brigade",
        ),
        (
            "The Aravan Liberation Army raided a post. The minister said the terrorist would pay.",
            "terrorist",
            "Aravan Liberation Army",
        ),
        (
            "The Tolan Revolutionary Army ambushed a convoy. The minister said the terrorists fled.",
            "terrorists",
            "Tolan Revolutionary Army",
        ),
        ("The Red Dawn Army burned a tower. Officers said the terrorists fled.", "terrorists", "Red Dawn Army"),
        # a label adjective whose sentence target is the kind of actor after it takes the name
        (
            "The Rapid Guard shelled the camp. The army said the terrorist militia had committed a massacre.",
            "terrorist",
            "Rapid Guard",
        ),
        ("The army shelled the camp. Officials said the terrorist militia fled.", "terrorist", None),  # no name fits
        # armed groups by their names' first words (Arabic, Urdu) or head ("Emirate")
        ("Lashkar-e-Sabr claimed the raid. Police said the terrorists fled.", "terrorists", "Lashkar-e-Sabr"),
        ("Wilayat al-Sahil took the port. The navy said the Takfiris fled.", "Takfiris", "Wilayat al-Sahil"),
        ("The Highland Emirate raided a post. Officials said the terrorists fled.", "terrorists", "Highland Emirate"),
        ("Imarat Street was quiet. Police said the terrorists fled.", "terrorists", None),  # a street, no group
        # a named army without an insurgent word is a state's: no militant label is said of it
        ("The Federal Army shelled Kessa. Residents said the terrorists fled.", "terrorists", None),
        # a generic mention gives way to the article's one named actor of its kind
        (
            "ISIL attacked the town. The militants were repelled. Officials said the terrorists fled.",
            "terrorists",
            "ISIL",
        ),
        # none before: the first after (a headline's label)
        (
            "Terrorists shell market\nThe Harran Front shelled the market in Kessa, officials said.",
            "Terrorists",
            "Harran Front",
        ),
        # "the regime" is said of a government
        (
            "The Syrian government denied the report. Activists said the regime bombed the market.",
            "regime",
            "Syrian government",
        ),
        # a regime its own sentence places takes no name from elsewhere; militants in a place still do
        ("The Kremlin spoke. It said the regime in Kyiv had lost.", "regime", None),
        (
            "The Harran Front fled. Dozens of terrorists in Army air strikes died.",
            "terrorists",
            "Harran Front",
        ),
        # no fitting actor: no target
        ("The army shelled Kessa. Residents said the terrorists fled.", "terrorists", None),  # the army is no militant
        ("Activists said the regime bombed the market in Kessa.", "regime", None),
        # a minister is not "the regime"
        ("Interior Minister Rachid Benmerah spoke. Rebels said the regime bombed Kessa.", "regime", None),
        ("Rain fell on Kessa. The thugs were gone.", "thugs", None),  # "thugs" names no kind of actor
        # a long name-calling phrase is not a bare label
        (
            "The Syrian government spoke. Critics saw a regime of thieves and liars.",
            "a regime of thieves and liars",
            None,
        ),
        ("Terrorist groups shelled Kessa. The army hit back at the terrorists.", "terrorists", None),  # a label
        ("The Harran Front took the hill. The liberation was brutal.", "brutal", None),  # loaded language
    ],
)
def test_a_bare_label_takes_the_actor_the_article_names(text: str, label: str, target: str | None) -> None:
    category = "loaded_language" if label == "brutal" else "name_calling"
    assert _label_target(text, label, category) == target


@pytest.mark.parametrize(
    ("text", "target_word", "target"),
    [
        # the term's own head noun gives way to a name
        ("Jund al-Tawhid claimed the raid. Officials said terrorist gangs fled.", "gangs", "Jund al-Tawhid"),
        # "occupation forces" is said of an army
        ("The Federal Army entered Kessa. Occupation forces shelled homes.", "forces", "Federal Army"),
        # but not to a kind of actor
        ("Armed groups claimed the raid. Officials said terrorist gangs fled.", "gangs", "gangs"),
    ],
)
def test_a_label_whose_target_is_its_own_head_takes_a_name(text: str, target_word: str, target: str) -> None:
    words = "Occupation forces" if "Occupation" in text else "terrorist gangs"
    start, head = text.index(words), text.index(target_word)
    term = LoadedTerm("name_calling", start, start + len(words), words, 1, 0.9, target=target_word,
                      target_span=(head, head + len(target_word)))  # fmt: skip
    (found,) = targets_from_context(text, RuleSegmenter()(Article(id="t", text=text)), [term])
    assert found.target == target


def test_a_label_with_a_target_keeps_it() -> None:
    text = "The Harran Front shelled Kessa. ISIL terrorists fled."
    start = text.index("terrorists")
    term = LoadedTerm("name_calling", start, start + 10, "terrorists", 1, 0.9, target="ISIL", target_span=(31, 35))
    assert targets_from_context(text, RuleSegmenter()(Article(id="t", text=text)), [term]) == (term,)


DEV_SET = Path(__file__).resolve().parents[1] / "attribution" / "resources" / "training" / "war_targets.dev.jsonl"


def test_the_dev_set_parses_and_its_bare_labels_mostly_get_their_gold_target() -> None:
    """The rules on the dev set's gold terms (targets taken away): bare labels of a kind, as the rules were written."""
    records = list(read_annotations(DEV_SET))
    assert len(records) == 12 and sum(len(r.loaded_terms) for r in records) >= 120
    right = asked = 0
    for record in records:
        sentences = RuleSegmenter()(Article(id=record.id, text=record.text))
        terms = []
        for gold in record.loaded_terms:
            (start, end), *_ = gold.span
            index = next(s.index for s in sentences if s.start <= start < s.end)
            terms.append(LoadedTerm(gold.category, start, end, record.text[start:end], index, 1.0))
        for gold, found in zip(record.loaded_terms, targets_from_context(record.text, sentences, terms), strict=True):
            if gold.target is None or label_kind(found) is None:
                continue  # not a bare label of a kind ("Khawarij", "thugs"): the rules leave it
            asked += 1
            right += found.target is not None and same_actor(gold.target, found.target)
    assert asked >= 30 and right / asked >= 0.8, (right, asked)  # 29 of 33 in session 23


def _targets_of_labels(text: str, labels: list[str]) -> list[str | None]:
    """Each label's target (the first occurrence of each, in order): the sentence rules, then the article's."""
    sentences = RuleSegmenter()(Article(id="t", text=text))
    terms = []
    for label in labels:
        start = text.index(label)
        sentence = next(s for s in sentences if s.start <= start < s.end)
        found = find_target(start, start + len(label), text, sentence)
        terms.append(
            LoadedTerm("name_calling", start, start + len(label), label, sentence.index, 0.9, "negative",
                       target=found[0] if found else None, target_span=found[1] if found else None)
        )  # fmt: skip
    terms.sort(key=lambda t: t.start)
    by_label = {t.text: t.target for t in targets_from_context(text, sentences, terms)}
    return [by_label[label] for label in labels]


@pytest.mark.parametrize(
    ("text", "labels", "targets"),
    [
        # the earlier "regime" was given Assad in its sentence; no government is named nearer
        (
            "Assad regime jets bombed Kafr Nabl. A commander said the criminal regime would fall.",
            ["regime", "criminal regime"],
            ["Assad", "Assad"],
        ),
        # a government named after the earlier use is nearer
        (
            "Assad regime jets struck. Rebels said the Syrian government lied. They said the criminal regime fell.",
            ["regime", "criminal regime"],
            ["Assad", "Syrian government"],
        ),
        # a headline's label with no name before it takes the name the body's use of it was given
        (
            "Regime bombs Kafr Nabl\nRebels said the Assad regime bombed the town.",
            ["Regime", "Assad regime"],
            ["Assad", "Assad"],
        ),
        # an earlier use given only a kind of actor does not count
        (
            "The militia regime collapsed. Rebels said the criminal regime would fall.",
            ["militia regime", "criminal regime"],
            ["militia", "regime"],  # its own head noun, as the sentence rules give it
        ),
    ],
)
def test_a_repeated_label_takes_the_name_another_use_was_given(
    text: str, labels: list[str], targets: list[str | None]
) -> None:
    assert _targets_of_labels(text, labels) == targets


def test_a_term_about_a_label_takes_the_actor_named_for_the_label() -> None:
    text = (
        "The Rapid Guard shelled the camp on Monday. "
        'The army said the "terrorist militia" had committed a "horrific massacre" against the displaced.'
    )
    labels = _targets_of_labels(text, ["terrorist", "horrific massacre"])
    assert labels == ["Rapid Guard", "Rapid Guard"]
    # without a name for the label, the act keeps its sentence target
    alone = 'The army said the "terrorist militia" had committed a "horrific massacre" against the displaced.'
    assert _targets_of_labels(alone, ["terrorist", "horrific massacre"]) == ["militia", "terrorist militia"]
