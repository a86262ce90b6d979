"""The war-terms lexicon (matching, loading, errors) and the handwritten war-terms labeled set."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from attribution.annotations import LOADED_TERM_CATEGORIES, LabeledArticle, read_annotations
from attribution.lexicon import Lexicon, LexiconError, is_neutral_term, load_lexicon, word_forms
from attribution.records import Attribution, Span
from attribution.voice import assign_voice

TRAINING = resources.files("attribution").joinpath("resources", "training")
TECHNIQUE_OF = {
    "name_calling": "Name_Calling,Labeling",
    "delegitimizing": "Name_Calling,Labeling",
    "loaded_language": "Loaded_Language",
    "exaggeration": "Exaggeration,Minimisation",
}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_packaged_lexicon_is_versioned_and_covers_every_category(lexicon: Lexicon) -> None:
    assert lexicon.version == "v1"
    assert len(lexicon) >= 120
    assert {e.category for e in lexicon.entries} == set(LOADED_TERM_CATEGORIES)
    assert all(e.notes for e in lexicon.entries)


@pytest.mark.parametrize("neutral", ["militants", "rebels", "fighters", "forces", "troops", "insurgents", "jihadists"])
def test_neutral_newsroom_terms_are_not_entries(lexicon: Lexicon, neutral: str) -> None:
    assert lexicon.find(f"The {neutral} withdrew.") == []


@pytest.mark.parametrize(
    ("text", "neutral"),
    [
        ("Rebels", True),
        ("armed groups", True),
        ("Government forces", True),
        ("the security forces", True),
        ("armed opposition fighters", True),
        ("pro-government militia", True),
        ("foreign fighters", True),
        ("Zionist forces", False),  # a modifier outside the neutral set leaves the phrase to the tagger
        ("Zionist armed groups", False),
        ("rebel thugs", False),  # the noun is not neutral
        ("terrorists", False),
        ("forces of darkness", False),  # words after the noun
        ("government", False),  # a modifier alone
        ("foreign-backed militants", False),
        ("", False),
    ],
)
def test_neutral_armed_actor_phrases(text: str, neutral: bool) -> None:
    assert is_neutral_term(text) is neutral


def test_every_entry_finds_its_own_base_form(lexicon: Lexicon) -> None:
    for entry in lexicon.entries:
        found = lexicon.find(f"They said {entry.term} here.")
        assert [m.entry for m in found] == [entry], entry.term


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ISIL terrorists shelled the town.", [("terrorists", "terrorist")]),
        # the lexicon only finds; whether a designation is loaded is for the model to decide
        ("It was designated a terrorist organization in 2014.", [("terrorist", "terrorist")]),
        ("Parliament passed a counter-terrorism law.", []),
        ("Troops liberated the town.", [("liberated", "liberate")]),
        ("the liberation of Aleppo", [("liberation", "liberate")]),
        ("They were liberating villages.", [("liberating", "liberate")]),
        ("The liberal party won.", []),
        ("Foreign backed militias", [("Foreign backed", "foreign-backed")]),
        ("foreign\u2010backed militias", [("foreign\u2010backed", "foreign-backed")]),
        ("Saudi-backed mercenaries", [("Saudi-backed", "Saudi-backed"), ("mercenaries", "mercenary")]),
        ("our heroes", [("heroes", "hero")]),
        ("a heroic stand", [("heroic", "heroic")]),
        ("40 kilograms of heroin", []),
        ("a crushing defeat", [("crushing defeat", "crushing defeat")]),
        ("they crushed the revolt", [("crushed", "crush")]),
        ("The Assad regime's forces", [("regime", "regime")]),
        ("THE REGIME FELL", [("REGIME", "regime")]),
        ("two soldiers were martyred", [("martyred", "martyr")]),
        ("a martyrdom operation", [("martyrdom", "martyrdom")]),
        ("a mere handful of casualties", [("mere handful", "mere handful")]),
        ("the Zionist entity", [("Zionist entity", "Zionist entity")]),
        ("the Zionist  entity", [("Zionist  entity", "Zionist entity")]),
        ("cleansing the suburbs", [("cleansing", "cleanse")]),
        ("Martyrs' Square", [("Martyrs", "martyr")]),
        ("thugs and death squads", [("thugs", "thug"), ("death squads", "death squad")]),
        ("the atrocities", [("atrocities", "atrocity")]),
        ("heavy fighting", []),
        ("", []),
    ],
)
def test_find(lexicon: Lexicon, text: str, expected: list[tuple[str, str]]) -> None:
    found = lexicon.find(text)
    assert [(m.text, m.entry.term) for m in found] == expected
    assert all(text[m.start : m.end] == m.text for m in found)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("liberate", {"liberate", "liberates", "liberated", "liberating", "liberation", "liberations"}),
        ("terrorist", {"terrorist", "terrorists", "terroristed", "terroristing"}),
        ("mercenary", {"mercenary", "mercenaries"}),
        ("hero", {"hero", "heros", "heroes", "heroed", "heroing"}),
        ("massacre", {"massacre", "massacres", "massacred", "massacring"}),
    ],
)
def test_word_forms(word: str, forms: set[str]) -> None:
    assert set(word_forms(word)) == forms


HEADER = "term\tcategory\tpolarity\tnotes\n"


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("term,category,polarity,notes\n", 1, "expected the header"),
        ("", 1, "expected the header"),
        (HEADER + "thug\tname_calling\tnegative\n", 2, "missing column 'notes'"),
        (HEADER + "thug\tname_calling\n", 2, "missing column 'polarity'"),
        (HEADER + "thug\tname_calling\tnegative\tok\textra\n", 2, "extra columns"),
        (HEADER + "thug\tinsult\tnegative\tx\n", 2, "unknown category 'insult'"),
        (HEADER + "\nthug\tname_calling\tneutral\tx\n", 3, "unknown polarity 'neutral'"),
        (HEADER + "\tname_calling\tnegative\tx\n", 2, "empty term"),
        (HEADER + "thug\tname_calling\tnegative\tx\nThug\tname_calling\tnegative\ty\n", 3, "duplicate term 'Thug'"),
    ],
)
def test_bad_lexicon_files_name_file_and_line(tmp_path: Path, content: str, line: int, message: str) -> None:
    path = tmp_path / "bad.v1.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"{path}:{line}: .*{message}"):
        load_lexicon(path)


def test_missing_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="nope.tsv: cannot read lexicon"):
        load_lexicon(tmp_path / "nope.tsv")


@pytest.mark.parametrize(("name", "version"), [("custom.v2.tsv", "v2"), ("custom.tsv", "unversioned")])
def test_version_comes_from_the_file_name(tmp_path: Path, name: str, version: str) -> None:
    path = tmp_path / name
    path.write_text(HEADER + "goon\tname_calling\tnegative\tlabel\n", encoding="utf-8")
    lexicon = load_lexicon(path)
    assert (lexicon.version, [e.term for e in lexicon.entries]) == (version, ["goon"])


# --- the handwritten war-terms labeled set ---------------------------------------------------


def _records(split: str) -> list[LabeledArticle]:
    with resources.as_file(TRAINING.joinpath(f"war_terms.{split}.jsonl")) as path:
        return list(read_annotations(path))


@pytest.fixture(scope="module")
def war_terms() -> dict[str, list[LabeledArticle]]:
    return {split: _records(split) for split in ("train", "train.part2", "test")}


@pytest.mark.parametrize(("split", "minimum"), [("train", 300), ("train.part2", 100), ("test", 100)])
def test_war_terms_files_parse_with_enough_records(
    war_terms: dict[str, list[LabeledArticle]], split: str, minimum: int
) -> None:
    records = war_terms[split]
    assert len(records) >= minimum
    assert all(r.layers == ("loaded_terms", "techniques") for r in records)
    assert len({r.id for r in records}) == len(records)
    negatives = sum(not r.loaded_terms for r in records) / len(records)
    assert 0.30 <= negatives <= 0.42  # about 35% hard negatives


@pytest.mark.parametrize("split", ["train", "train.part2", "test"])
def test_war_terms_spans_targets_and_techniques_are_consistent(
    war_terms: dict[str, list[LabeledArticle]], split: str
) -> None:
    for record in war_terms[split]:
        techniques = {(t.span, t.technique) for t in record.techniques}
        assert len(techniques) == len(record.loaded_terms), record.id
        for term in record.loaded_terms:
            ((start, end),) = term.span
            surface = record.text[start:end]
            assert surface == surface.strip() and surface, record.id
            assert term.polarity is not None and term.voice is not None, record.id
            assert term.target is None or term.target in record.text, record.id
            assert (term.span, TECHNIQUE_OF[term.category]) in techniques, record.id


def _attribution(gold, text: str) -> Attribution:  # type: ignore[no-untyped-def]
    def spans(label: str, fragments: tuple[tuple[int, int], ...]) -> tuple[Span, ...]:
        return tuple(Span(label, s, e, text[s:e], 0) for s, e in fragments)  # type: ignore[arg-type]

    return Attribution(
        cue=spans("CUE", gold.cue),
        source=spans("SOURCE", gold.source),
        content=spans("CONTENT", gold.content),
        kind="indirect",
        sentence_index=0,
        score=1.0,
    )


@pytest.mark.parametrize("split", ["train", "train.part2", "test"])
def test_war_terms_voices_follow_the_marked_attributions(
    war_terms: dict[str, list[LabeledArticle]], split: str
) -> None:
    voices = Counter()
    for record in war_terms[split]:
        attributions = [_attribution(a, record.text) for a in record.attributions]
        for term in record.loaded_terms:
            ((start, end),) = term.span
            assert assign_voice(start, end, record.text, attributions)[0] == term.voice, record.id
            voices[term.voice] += 1
    assert set(voices) == {"narrator", "indirect", "quoted"}


def test_war_terms_train_and_test_are_separate(war_terms: dict[str, list[LabeledArticle]]) -> None:
    train, test = war_terms["train"] + war_terms["train.part2"], war_terms["test"]
    assert not {r.text for r in train} & {r.text for r in test}
    assert len({r.id for r in train}) == len(train)

    def surfaces(records: list[LabeledArticle]) -> set[str]:
        return {r.text[s:e].lower() for r in records for t in r.loaded_terms for s, e in t.span}

    assert len(surfaces(test) - surfaces(train)) >= 10  # terms and forms never seen in train


def test_war_terms_hard_negatives_contain_lexicon_words(
    war_terms: dict[str, list[LabeledArticle]], lexicon: Lexicon
) -> None:
    negatives = [r for r in war_terms["train"] if not r.loaded_terms]
    with_lexicon_words = [r for r in negatives if lexicon.find(r.text)]
    assert len(with_lexicon_words) >= 25  # "designated a terrorist organisation", "Martyrs' Square", ...
