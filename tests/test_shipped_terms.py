"""The shipped loaded-term branch and sentence-bias classifier on sentences written for these tests.

Slow: they load the real models from ``models/``. Positive and negative cases from war reporting
(guidelines section 3: "terrorists" for armed opponents is loaded, a legal designation is not;
"militants", "rebels", "troops" are neutral).
"""

from __future__ import annotations

import pytest

from attribution.pipeline import default_model_dir
from attribution.records import Article

pytestmark = pytest.mark.slow
MODELS = default_model_dir()


@pytest.fixture(scope="module")
def analyzer():  # type: ignore[no-untyped-def]
    from attribution.pipeline import Analyzer

    if not (MODELS / "term-tagger").is_dir():
        pytest.skip("no shipped term tagger")
    return Analyzer.from_pretrained(MODELS)


def _terms(analyzer, text: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    report = analyzer.analyze(Article("t", text))
    return [(t.text.lower(), t.category, t.voice) for t in report.loaded_terms]


def _overlaps(term: str, phrase: str) -> bool:
    """A found term lies in the loaded phrase or holds it ("gangs" in "takfiri gangs", "terrorists")."""
    return term in phrase or phrase in term


@pytest.mark.parametrize(
    ("text", "word", "categories"),  # word: the loaded word or phrase a found term must overlap
    [
        pytest.param(
            "The army pushed the ISIL terrorists out of three villages near the river on Sunday.",
            "terrorists",
            {"name_calling"},
            id="terrorists-narrator",
        ),
        pytest.param(
            "Takfiri gangs shelled the market again, killing four shoppers.",
            "takfiri gangs",
            {"name_calling", "delegitimizing"},
            id="takfiri",
        ),
        pytest.param(
            "The heroic soldiers liberated the town after a brutal siege by the foreign-backed mercenaries.",
            "mercenaries",
            {"name_calling", "delegitimizing"},
            id="mercenaries",
        ),
        pytest.param(
            "The army said the terrorists suffered heavy losses.",
            "terrorists",
            {"name_calling"},
            id="terrorists-indirect",
        ),
        pytest.param(  # the MiniLM branch found it; the mpnet branch misses it (stage 1 gave about 0.19 with the prior)
            "A field commander told the agency that the terrorists suffered heavy losses before fleeing.",
            "terrorists",
            {"name_calling"},
            id="terrorists-indirect-after-told-the-agency",
            marks=pytest.mark.xfail(strict=True, reason="known miss of the shipped branch (its model card)"),
        ),
    ],
)
def test_loaded_terms_found(analyzer, text: str, word: str, categories: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = _terms(analyzer, text)
    assert any(_overlaps(term, word) and category in categories for term, category, _ in found), found


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "The State Department designated the group a terrorist organization in 2004.", id="legal-designation"
        ),
        pytest.param("Rebels and government troops exchanged fire near the border crossing on Monday.", id="neutral"),
        pytest.param("The ministry said 12 militants were detained at a checkpoint north of the city.", id="militants"),
        pytest.param(  # the tagger gives "terrorist" 0.18 here; a legal designation gets no lexicon prior
            "The United States designated the militia a terrorist organization in 2019.",
            id="designation-gets-no-lexicon-prior",
        ),
        pytest.param(  # unmarked here; beside "terrorists", see test_neutral_actor_beside_a_loaded_one
            "Government forces killed dozens of fighters in the eastern countryside, the ministry said.",
            id="government-forces",
        ),
        pytest.param(  # the branch marks "Stoppers" (name_calling); the verifier drops it (its card, session 20)
            "Crime Stoppers asked residents to call the tip line.",
            id="organisation-name-dropped-by-the-verifier",
        ),
    ],
)
def test_neutral_wording_has_no_name_calling(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    found = _terms(analyzer, text)
    assert not [t for t in found if t[1] == "name_calling"], found


@pytest.mark.parametrize(
    ("text", "loaded", "neutral"),
    [
        (  # the branch alone marks "Government forces" too (0.53, session 14); the neutral-phrase rule drops it
            "Government forces killed dozens of terrorists in the eastern countryside, the ministry said.",
            "terrorists",
            "government forces",
        ),
        ("Zionist forces shelled the camp, the agency said, and the security forces withdrew.", "zionist", "security"),
    ],
)
def test_neutral_actor_beside_a_loaded_one(analyzer, text: str, loaded: str, neutral: str) -> None:  # type: ignore[no-untyped-def]
    found = _terms(analyzer, text)
    assert any(loaded in term for term, _, _ in found), found
    assert not any(neutral in term or term in neutral for term, _, _ in found), found


@pytest.mark.parametrize(
    ("text", "loaded", "beyond"),  # a term holding ``loaded`` must not reach ``beyond``
    [
        pytest.param(  # with term_growth "edges": "a brutal siege by the foreign-backed mercenaries" (session 16)
            "The heroic soldiers liberated the town after a brutal siege by the foreign-backed mercenaries.",
            "brutal",
            "mercenaries",
            id="brutal-siege-stops-before-the-actor",
        ),
        pytest.param(
            "Takfiri gangs backed by foreign states shelled the market again, killing four shoppers.",
            "takfiri",
            "shelled",
            id="takfiri-gangs-stops-before-the-verb",
        ),
    ],
)
def test_loaded_terms_stay_words(analyzer, text: str, loaded: str, beyond: str) -> None:  # type: ignore[no-untyped-def]
    holding = [term for term, _, _ in _terms(analyzer, text) if loaded in term]
    assert holding, holding
    assert not any(beyond in term for term in holding), holding


def test_voice_follows_the_attribution(analyzer) -> None:  # type: ignore[no-untyped-def]
    text = 'A military source told FNA that the army "crushed the terrorists" in the eastern suburbs.'
    report = analyzer.analyze(Article("v", text))
    voices = {t.voice for t in report.loaded_terms if "terrorist" in t.text.lower()}
    assert voices <= {"quoted", "indirect"} and voices, report.loaded_terms


def test_sentence_bias_marks_opinionated_sentences(analyzer) -> None:  # type: ignore[no-untyped-def]
    if analyzer.sentence_bias is None:
        pytest.skip("no shipped sentence-bias classifier")
    texts = [
        "The senator's disgraceful, cowardly stunt proved once again that he despises ordinary voters.",
        "The committee will meet on Tuesday to discuss the budget.",
    ]
    (biased, p_biased), (neutral, p_neutral) = analyzer.sentence_bias.predict(texts)
    assert biased and not neutral and p_biased > p_neutral


def test_the_verifier_drops_a_name_the_branch_marks_and_keeps_the_war_vocabulary() -> None:
    """The shipped verifier at work: the same branch with and without it, on sentences written for this test."""
    from dataclasses import replace

    from attribution.segmenter import RuleSegmenter
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.term_tagger import TermTagger

    trunk = AttributionTagger.from_pretrained(str(MODELS / "attribution-tagger"))
    tagger = TermTagger.from_pretrained(MODELS / "term-tagger", trunk=trunk)
    verifier = tagger.verifier()
    assert verifier is not None and verifier.keeps_lexicon_terms
    assert set(verifier.categories) == {"name_calling", "loaded_language"}

    def names(text: str, *, verified: bool) -> list[str]:
        article = Article("t", text)
        tagger.config = replace(tagger.config, verifier=stored if verified else {})
        terms = tagger.tag(article, RuleSegmenter()(article)).loaded_terms
        return [t.text for t in terms if t.category == "name_calling"]

    stored = tagger.config.verifier
    dropped = "Crime Stoppers asked residents to call the tip line."
    assert names(dropped, verified=False) == ["Stoppers"] and names(dropped, verified=True) == []
    for kept in (
        "ISIL terrorists shelled the town, the army said.",  # a war-lexicon term: never the verifier's to drop
        "The radical left mob tore down the statue while officials watched.",
    ):
        assert names(kept, verified=True) == names(kept, verified=False) != []


def test_a_word_of_a_group_name_is_no_loaded_term(analyzer) -> None:  # type: ignore[no-untyped-def]
    # written for this test; the branch marks "Liberation" in the group's name here (loaded_language, 0.76)
    from pathlib import Path

    text = (Path(__file__).parent / "data" / "inputs" / "rebel_helicopter_report.txt").read_text(encoding="utf-8")
    raw = analyzer.term_tagger.tag(Article("t", text), analyzer.segmenter(Article("t", text)))
    assert "Liberation" in [t.text for t in raw.loaded_terms]
    report = analyzer.analyze(Article("t", text))
    assert "Liberation" not in [t.text for t in report.loaded_terms]
    assert "Liberation" not in [s.text for s in report.techniques]
    assert {"heroic", "occupiers", "terrorist gangs"} <= {t.text for t in report.loaded_terms}
