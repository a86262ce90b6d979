"""The loaded-term branch: decoding, training targets, save/load, the shared encoder pass, training smoke."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from model_helpers import TINY_ENCODER, nudge_trainable

from attribution.annotations import GoldLoadedTerm, GoldTechnique, LabeledArticle
from attribution.records import Article, LoadedTerm
from attribution.segmenter import RuleSegmenter
from attribution.tagging.term_tagger import (
    TERM_GROUPS,
    GroupSpan,
    TermTagger,
    TermTaggerConfig,
    apply_lexicon_prior,
    build_terms,
    decode_groups,
    lexicon_matches,
    without_trailing_function_words,
)
from attribution.tagging.windows import IGNORE_INDEX, TokenWindow
from attribution.term_training import group_spans, polarity_by_char, window_targets

TEXT = "ISIL terrorists shelled the town."
#           tokens:  isil  terror ##ists  shelled  the  town  .
OFFSETS = ((-1, -1), (0, 4), (5, 11), (11, 15), (16, 23), (24, 27), (28, 32), (32, 33), (-1, -1))


def _window(sentence_indices: tuple[int, ...] | None = None) -> TokenWindow:
    n = len(OFFSETS)
    return TokenWindow(tuple(range(n)), OFFSETS, sentence_indices or (-1, *([0] * (n - 2)), -1))


def _probs(marks: dict[tuple[int, str], str]) -> tuple[np.ndarray, np.ndarray]:
    """Span probabilities with token t of ``group`` set to B or I; everything else O."""
    spans = np.zeros((len(OFFSETS), len(TERM_GROUPS), 3))
    spans[:, :, 0] = 1.0
    for (t, group), tag in marks.items():
        spans[t, TERM_GROUPS.index(group)] = [0.1, 0.8, 0.1] if tag == "B" else [0.1, 0.1, 0.8]
    polarity = np.tile([0.8, 0.2], (len(OFFSETS), 1))
    return spans, polarity


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        pytest.param({}, [], id="nothing-above-threshold"),
        pytest.param(
            {(2, "Name_Calling,Labeling"): "B"}, [("Name_Calling,Labeling", "terrorists")], id="word-piece-extended"
        ),
        pytest.param(
            {(2, "Name_Calling,Labeling"): "B", (3, "Name_Calling,Labeling"): "I"},
            [("Name_Calling,Labeling", "terrorists")],
            id="b-i-one-span",
        ),
        pytest.param(
            {(3, "Loaded_Language"): "B"},
            [("Loaded_Language", "terrorists")],
            id="starts-mid-word-widened-to-word-start",
        ),
        pytest.param(
            {(1, "Name_Calling,Labeling"): "B", (2, "Name_Calling,Labeling"): "B"},
            [("Name_Calling,Labeling", "ISIL"), ("Name_Calling,Labeling", "terrorists")],
            id="b-after-b-splits",
        ),
        pytest.param(
            {(2, "Name_Calling,Labeling"): "B", (1, "Doubt"): "B", (2, "Doubt"): "I", (4, "Doubt"): "I"},
            [("Doubt", "ISIL terrorists"), ("Doubt", "shelled"), ("Name_Calling,Labeling", "terrorists")],
            id="overlapping-groups-and-gap",
        ),
    ],
)
def test_decode_groups(marks: dict[tuple[int, str], str], expected: list[tuple[str, str]]) -> None:
    spans, polarity = _probs(marks)
    found = decode_groups(_window(), spans, polarity, TEXT)
    assert sorted((s.group, TEXT[s.start : s.end]) for s in found) == sorted(expected)
    assert all(s.polarity == "negative" for s in found)


def _inside(probabilities: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """Loaded_Language probabilities P(B) + P(I) per token (as I); everything else O."""
    spans, polarity = _probs({})
    g = TERM_GROUPS.index("Loaded_Language")
    for t, p in probabilities.items():
        spans[t, g] = [1 - p, 0.0, p]
    return spans, polarity


@pytest.mark.parametrize(
    ("probabilities", "extend", "sentences", "expected"),
    [
        pytest.param({4: 0.9, 5: 0.2, 6: 0.8}, None, None, ["shelled", "town"], id="no-growing-two-spans"),
        pytest.param({4: 0.9, 5: 0.2, 6: 0.8}, 0.1, None, ["shelled the town"], id="grows-through-a-weak-word"),
        pytest.param({4: 0.9, 5: 0.05, 6: 0.8}, 0.1, None, ["shelled", "town"], id="too-weak-to-join"),
        pytest.param({4: 0.3, 5: 0.3}, 0.1, None, [], id="no-seed-no-span"),
        pytest.param({1: 0.2, 2: 0.2, 3: 0.9}, 0.1, None, ["ISIL terrorists"], id="grows-backwards"),
        pytest.param(
            {4: 0.9, 5: 0.2, 6: 0.2}, 0.1, (-1, 0, 0, 0, 0, 1, 1, 1, -1), ["shelled"], id="stops-at-a-sentence-end"
        ),
    ],
)
def test_decode_groups_hysteresis(
    probabilities: dict[int, float], extend: float | None, sentences: tuple[int, ...] | None, expected: list[str]
) -> None:
    spans, polarity = _inside(probabilities)
    found = decode_groups(_window(sentences), spans, polarity, TEXT, threshold=0.5, extend_threshold=extend)
    assert [TEXT[s.start : s.end] for s in found] == expected


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [
        pytest.param({4: 0.9, 5: 0.2, 6: 0.8}, ["shelled the town"], id="fills-a-gap-between-marked-words"),
        pytest.param({4: 0.9, 5: 0.05, 6: 0.8}, ["shelled", "town"], id="gap-too-weak-to-fill"),
        pytest.param({1: 0.2, 2: 0.2, 3: 0.9}, ["terrorists"], id="no-growing-backwards"),
        pytest.param({4: 0.9, 5: 0.2, 6: 0.2}, ["shelled"], id="no-growing-forwards"),
        pytest.param({4: 0.3, 5: 0.3}, [], id="no-seed-no-span"),
    ],
)
def test_decode_groups_grows_only_across_gaps(probabilities: dict[int, float], expected: list[str]) -> None:
    spans, polarity = _inside(probabilities)
    found = decode_groups(_window(), spans, polarity, TEXT, threshold=0.5, extend_threshold=0.1, gaps_only=True)
    assert [TEXT[s.start : s.end] for s in found] == expected


@pytest.mark.parametrize(
    ("term_growth", "extend", "term", "technique"),
    [
        pytest.param("gaps", 0.1, "terrorists", "ISIL terrorists", id="gaps-term-tight-technique-grown"),
        pytest.param("edges", 0.1, "ISIL terrorists", "ISIL terrorists", id="edges-both-grown"),
        pytest.param("gaps", None, "terrorists", "terrorists", id="no-growing-both-tight"),
    ],
)
def test_term_growth_moves_only_the_loaded_terms(
    term_growth: str, extend: float | None, term: str, technique: str
) -> None:
    spans, polarity = _probs({})
    g = TERM_GROUPS.index("Loaded_Language")
    spans[1, g], spans[2, g], spans[3, g] = [0.8, 0.0, 0.2], [0.1, 0.0, 0.9], [0.1, 0.0, 0.9]
    config = TermTaggerConfig(threshold=0.5, extend_threshold=extend, split_on_begin=False, term_growth=term_growth)
    raw = TermTagger(None, None, config).decode([_window()], [spans], [polarity], TEXT)
    assert [(t.category, t.text) for t in raw.loaded_terms] == [("loaded_language", term)]
    assert [(t.technique, t.text) for t in raw.techniques] == [("Loaded_Language", technique)]


CLITIC_TEXT = "Awan’s alleged swindling, she’s sure, isn’t news; he said 'sorry'."
#: Word pieces as the tokenizer splits them: 0 Awan, 1 ’, 2 s, 3 alleged, 4 swindling, 5 ",", 6 she, 7 ’, 8 s, 9 sure,
#: 10 ",", 11 isn, 12 ’, 13 t, 14 news, 15 ";", 16 he, 17 said, 18 ', 19 sorry, 20 ', 21 "."
CLITIC_OFFSETS = tuple(m.span() for m in re.finditer(r"\w+|[^\w\s]", CLITIC_TEXT))


@pytest.mark.parametrize(
    ("inside_tokens", "expected"),
    [
        pytest.param((2, 3, 4), ["alleged swindling"], id="possessive-s-dropped"),
        pytest.param((0, 1, 2, 3, 4), ["Awan’s alleged swindling"], id="whole-possessive-kept"),
        pytest.param((8, 9), ["sure"], id="contraction-s-dropped"),
        pytest.param((13, 14), ["news"], id="negation-t-dropped"),
        pytest.param((2,), [], id="clitic-alone-is-no-span"),
        pytest.param((6, 7, 8), ["she’s"], id="clitic-at-the-end-kept"),
        pytest.param((18, 19, 20), ["sorry"], id="quote-mark-is-no-apostrophe"),
    ],
)
def test_decode_groups_never_starts_on_a_clitic(inside_tokens: tuple[int, ...], expected: list[str]) -> None:
    offsets = ((-1, -1), *CLITIC_OFFSETS, (-1, -1))
    window = TokenWindow(tuple(range(len(offsets))), offsets, (-1, *([0] * len(CLITIC_OFFSETS)), -1))
    spans = np.zeros((len(offsets), len(TERM_GROUPS), 3))
    spans[:, :, 0] = 1.0
    for t in inside_tokens:
        spans[t + 1, TERM_GROUPS.index("Loaded_Language")] = [0.1, 0.1, 0.8]
    polarity = np.tile([0.8, 0.2], (len(offsets), 1))
    found = decode_groups(window, spans, polarity, CLITIC_TEXT, split_on_begin=False)
    assert [CLITIC_TEXT[s.start : s.end] for s in found] == expected


NAME_CALLING = "Name_Calling,Labeling"


@pytest.mark.parametrize(
    ("inside", "prior", "expected"),
    [
        (0.34, {"name_calling": 1.0}, ["terrorists"]),  # a hesitant tagger, tipped over by the lexicon
        (0.34, {}, []),  # no prior: the tagger alone, below the threshold
        (0.34, {"loaded_language": 3.0}, []),  # a prior for another category changes nothing here
        (0.02, {"name_calling": 1.0}, []),  # the tagger finds the context neutral: the lexicon cannot overrule it
        (0.0, {"name_calling": 1.0}, []),  # nothing at all from the tagger
    ],
)
def test_lexicon_prior_shifts_the_odds_but_the_tagger_decides(inside: float, prior: dict, expected: list) -> None:
    spans, polarity = _probs({})
    g = TERM_GROUPS.index(NAME_CALLING)
    for t in (2, 3):  # "terror" "##ists"
        spans[t, g] = [1 - inside, inside * 0.7, inside * 0.3]
    window = _window()
    (shifted,) = apply_lexicon_prior([window], [spans], lexicon_matches(TEXT), prior)
    assert np.allclose(shifted.sum(axis=-1), 1.0)
    found = decode_groups(window, shifted, polarity, TEXT, split_on_begin=False)
    assert [TEXT[s.start : s.end] for s in found if s.group == NAME_CALLING] == expected
    untouched = [t for t in range(len(OFFSETS)) if t not in (2, 3)]
    assert np.array_equal(shifted[untouched], spans[untouched])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ISIL terrorists shelled the town.", ["terrorists"]),
        ("Takfiri gangs and terrorists fled.", ["Takfiri", "terrorists"]),
        # legal designations: no prior (guidelines section 3), whatever the tagger makes of them
        ("Washington designated the militia a terrorist organization.", []),
        ("The group was added to the terrorist list in 2019.", []),
        ("He faces terrorist financing charges.", []),
    ],
)
def test_lexicon_matches_leave_out_legal_designations(text: str, words: list[str]) -> None:
    assert [text[start:end] for start, end, _ in lexicon_matches(text)] == words


def test_lexicon_prior_starts_a_span_where_the_tagger_gave_nothing() -> None:
    spans, _ = _probs({})
    (shifted,) = apply_lexicon_prior([_window()], [spans], [(5, 15, "name_calling")], {"name_calling": 30.0})
    g = TERM_GROUPS.index(NAME_CALLING)
    assert shifted[2, g].argmax() == 1 and shifted[3, g].argmax() == 2  # B then I, never a bare I


def test_decode_groups_splits_at_sentence_boundaries() -> None:
    spans, polarity = _probs({(t, "Doubt"): "I" for t in range(1, 8)})
    found = decode_groups(_window((-1, 0, 0, 0, 0, 1, 1, 1, -1)), spans, polarity, TEXT)
    assert [(TEXT[s.start : s.end], s.sentence_index) for s in found] == [
        ("ISIL terrorists shelled", 0),
        ("the town", 1),
    ]


def test_build_terms_prefers_delegitimizing_and_keeps_techniques() -> None:
    text = "the puppet regime and its heinous raids"
    found = [
        GroupSpan("Name_Calling,Labeling", 4, 17, 0, 0.9, "negative"),
        GroupSpan("delegitimizing", 4, 10, 0, 0.8, "negative"),
        GroupSpan("Loaded_Language", 26, 33, 0, 0.7, None),
        GroupSpan("Doubt", 0, 39, 0, 0.6, None),
    ]
    raw = build_terms(found, text)
    assert [(t.category, t.text) for t in raw.loaded_terms] == [
        ("delegitimizing", "puppet"),
        ("loaded_language", "heinous"),
    ]
    assert [t.technique for t in raw.techniques] == ["Doubt", "Name_Calling,Labeling", "Loaded_Language"]
    assert all(t.text == text[t.start : t.end] for t in raw.loaded_terms + raw.techniques)


@pytest.mark.parametrize(
    ("scores", "margin", "expected"),  # scores: (name_calling, delegitimizing) over the same words
    [
        pytest.param((0.95, 0.68), None, ["delegitimizing"], id="no-margin-delegitimizing-wins"),
        pytest.param((0.95, 0.68), 0.2, ["name_calling"], id="clearly-name-calling"),
        pytest.param((0.95, 0.84), 0.2, ["delegitimizing"], id="within-the-margin-delegitimizing-wins"),
        pytest.param((0.60, 0.90), 0.2, ["delegitimizing"], id="stronger-delegitimizing"),
        pytest.param((0.90, 0.80), 0.0, ["name_calling"], id="zero-margin-keeps-the-likelier"),
    ],
)
def test_name_calling_beats_delegitimizing_only_by_the_margin(
    scores: tuple[float, float], margin: float | None, expected: list[str]
) -> None:
    text = "the ISIL terrorists fled"
    found = [
        GroupSpan("Name_Calling,Labeling", 4, 19, 0, scores[0], "negative"),
        GroupSpan("delegitimizing", 4, 19, 0, scores[1], "negative"),
    ]
    raw = build_terms(found, text, category_margin=margin)
    assert [t.category for t in raw.loaded_terms] == expected
    assert len(raw.techniques) == 1  # the technique span is kept either way


@pytest.mark.parametrize(
    ("scores", "margin", "expected"),
    [
        pytest.param((0.9, 0.6), None, ["loaded_language", "name_calling"], id="no-margin-keeps-both"),
        pytest.param((0.9, 0.6), 0.2, ["name_calling"], id="clearly-name-calling"),
        pytest.param((0.6, 0.9), 0.2, ["loaded_language"], id="clearly-loaded-language"),
        pytest.param((0.8, 0.7), 0.2, ["loaded_language", "name_calling"], id="too-close-to-call-keeps-both"),
        pytest.param((0.9, 0.6), 0.0, ["name_calling"], id="zero-margin-keeps-the-likelier"),
    ],
)
def test_build_terms_category_margin(scores: tuple[float, float], margin: float | None, expected: list[str]) -> None:
    text = "the thugs attacked, a heinous raid"
    found = [
        GroupSpan("Name_Calling,Labeling", 4, 9, 0, scores[0], "negative"),
        GroupSpan("Loaded_Language", 4, 9, 0, scores[1], "negative"),
        GroupSpan("Loaded_Language", 22, 29, 0, 0.5, "negative"),  # overlaps nothing: always kept
        GroupSpan("Exaggeration,Minimisation", 4, 9, 0, 0.99, None),  # another category: neither drops nor is dropped
    ]
    raw = build_terms(found, text, category_margin=margin)
    on_thugs = sorted(t.category for t in raw.loaded_terms if t.text == "thugs")
    assert on_thugs == sorted([*expected, "exaggeration"])
    assert [t.text for t in raw.loaded_terms if t.text != "thugs"] == ["heinous"]
    assert len(raw.techniques) == 4  # the technique spans keep every group


@pytest.mark.parametrize(
    ("text", "term", "kept"),
    [
        ("It is a slaughter of people.", "slaughter of", "slaughter"),
        ("Death to the traitors!", "Death to the", "Death"),
        ("a campaign of lies orchestrated by", "campaign of lies orchestrated by", "campaign of lies orchestrated"),
        # a function word inside, at the start or alone stays
        ("a campaign of lies", "campaign of lies", "campaign of lies"),
        ("the swamp creatures", "the swamp", "the swamp"),
        ("It is a thug", "a", "a"),
        ("They killed her.", "killed her", "killed"),
        ("the butchers of Karsa", "butchers of Karsa", "butchers of Karsa"),
    ],
)
def test_a_loaded_term_does_not_end_in_a_function_word(text: str, term: str, kept: str) -> None:
    start = text.index(term)
    trimmed = without_trailing_function_words(
        LoadedTerm("loaded_language", start, start + len(term), term, 0, 0.9), text
    )
    assert (trimmed.text, trimmed.start, trimmed.end) == (kept, start, start + len(kept))


def test_group_spans_marks_unannotated_groups() -> None:
    record = LabeledArticle(
        "r",
        TEXT,
        ("techniques",),
        techniques=(GoldTechnique(((5, 15),), "Name_Calling,Labeling"),),
    )
    spans = group_spans(record)
    assert spans["Name_Calling,Labeling"] == [(5, 15)]
    assert spans["Doubt"] == []
    assert spans["delegitimizing"] is None  # techniques-only data says nothing about delegitimizing


def test_window_targets_bio_ignore_and_polarity() -> None:
    record = LabeledArticle(
        "r",
        TEXT,
        ("loaded_terms",),
        loaded_terms=(GoldLoadedTerm(((5, 15),), "name_calling", polarity="negative"),),
    )
    labels, polarity = window_targets(_window(), group_spans(record), polarity_by_char(record, None))
    column = TERM_GROUPS.index("Name_Calling,Labeling")
    assert [row[column] for row in labels] == [IGNORE_INDEX, 0, 1, 2, 0, 0, 0, 0, IGNORE_INDEX]
    assert labels[1][TERM_GROUPS.index("Doubt")] == IGNORE_INDEX  # loaded_terms-only: other techniques unknown
    assert polarity == [
        IGNORE_INDEX,
        IGNORE_INDEX,
        0,
        0,
        IGNORE_INDEX,
        IGNORE_INDEX,
        IGNORE_INDEX,
        IGNORE_INDEX,
        IGNORE_INDEX,
    ]


def test_polarity_from_lexicon_only_where_gold_is_missing() -> None:
    record = LabeledArticle(
        "r", "brave heroes", ("loaded_terms",), loaded_terms=(GoldLoadedTerm(((0, 12),), "name_calling"),)
    )
    chars = polarity_by_char(record, {"brave": "positive"})
    assert set(chars) == set(range(5)) and set(chars.values()) == {1}


@pytest.fixture(scope="module")
def tiny_terms(tiny_tagger):  # type: ignore[no-untyped-def]
    import torch

    torch.manual_seed(1)
    tagger = TermTagger.from_trunk(tiny_tagger, trunk_layer=1)
    with torch.no_grad():  # weights as float16 can hold them, so a save/load round trip is exact
        for parameter in tagger.branch.parameters():
            parameter.copy_(parameter.half().float())
    return tagger


def test_shared_pass_matches_the_attribution_tagger(tiny_terms: TermTagger, tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    article = Article("a", "The army said that ISIL terrorists fled. Officials told the source.")
    windows = tiny_tagger.windows(RuleSegmenter()(article))
    attribution, spans, polarity = tiny_terms.predict_windows(windows)
    alone = tiny_tagger.predict_windows(windows)
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(attribution, alone, strict=True))
    assert spans[0].shape == (len(windows[0].input_ids), len(TERM_GROUPS), 3)
    assert polarity[0].shape == (len(windows[0].input_ids), 2)


def test_save_load_round_trip_and_trunk_check(tiny_terms: TermTagger, tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tiny_terms.save_pretrained(tmp_path / "terms")
    loaded = TermTagger.from_pretrained(tmp_path / "terms", trunk=tiny_tagger)
    article = Article("a", "ISIL terrorists fled the town.")
    sentences = RuleSegmenter()(article)
    assert loaded.tag(article, sentences) == tiny_terms.tag(article, sentences)
    config = json.loads((tmp_path / "terms" / "term_tagger_config.json").read_text())
    config["trunk_weights_sha256"] = "0" * 64
    (tmp_path / "terms" / "term_tagger_config.json").write_text(json.dumps(config))
    saved_trunk = tmp_path / "trunk"
    tiny_tagger.save_pretrained(saved_trunk)
    from attribution.tagging.attribution_tagger import AttributionTagger

    with pytest.raises(ValueError, match="trained on another attribution tagger"):
        TermTagger.from_pretrained(tmp_path / "terms", trunk=AttributionTagger.from_pretrained(saved_trunk))


def test_save_keeps_every_decoding_setting(tiny_terms: TermTagger, tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    tagger = TermTagger(
        tiny_tagger,
        tiny_terms.branch,
        replace(
            tiny_terms.config,
            threshold=0.4,
            extend_threshold=0.1,
            split_on_begin=False,
            lexicon_prior={"name_calling": 1.5},
        ),
    )
    tagger.save_pretrained(tmp_path / "terms")
    loaded = TermTagger.from_pretrained(tmp_path / "terms", trunk=tiny_tagger).config
    assert (loaded.threshold, loaded.extend_threshold, loaded.split_on_begin, loaded.lexicon_prior) == (
        0.4,
        0.1,
        False,
        {"name_calling": 1.5},
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"surprise": 1}, "unknown key", id="unknown-key"),
        pytest.param({"groups": ["Doubt"]}, "differ from the supported", id="wrong-groups"),
        pytest.param({"category_margin": -0.1}, "category_margin", id="negative-margin"),
        pytest.param({"category_margin": "wide"}, "category_margin", id="margin-not-a-number"),
        pytest.param({"term_growth": "outwards"}, "term_growth must be one of", id="unknown-term-growth"),
    ],
)
def test_bad_config_is_rejected(change: dict, message: str, tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        config = TermTaggerConfig.from_dict(change)
        TermTagger(tiny_tagger, None, config)


def test_classify_spans_returns_a_distribution(tiny_terms: TermTagger) -> None:
    article = Article("a", "ISIL terrorists fled the town.")
    result = tiny_terms.classify_spans(article, RuleSegmenter()(article), [(5, 15), (16, 20)])
    assert len(result) == 2
    assert all(abs(sum(r.values()) - 1) < 1e-6 and len(r) == 14 for r in result)


def test_analyzer_reports_terms_from_one_pass(tiny_terms: TermTagger, tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    from attribution.pipeline import Analyzer

    analyzer = Analyzer(tiny_tagger, term_tagger=tiny_terms)
    report = analyzer.analyze(Article("a", "The army said ISIL terrorists fled. The heinous raid went on."))
    for item in report.loaded_terms + report.techniques:
        assert item.text == report.article.text[item.start : item.end]
    assert report.provenance.term_tagger == "unsaved"


def test_saved_analyzer_with_a_swapped_tagger_keeps_the_branch_trunk(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import torch

    from attribution.pipeline import ANALYZER_CONFIG, Analyzer
    from attribution.tagging.attribution_tagger import AttributionTagger

    tiny_tagger.save_pretrained(tmp_path / "trunk")
    trunk = AttributionTagger.from_pretrained(tmp_path / "trunk")  # saved: the branch records its weight hash
    terms = TermTagger.from_trunk(trunk, trunk_layer=1)
    other = AttributionTagger.from_pretrained(tmp_path / "trunk")
    with torch.no_grad():  # a fine-tuned tagger: other weights than the branch's trunk
        next(other.model.parameters()).add_(0.5)
    other.save_pretrained(tmp_path / "other")
    swapped = Analyzer(AttributionTagger.from_pretrained(tmp_path / "other"), term_tagger=terms)
    swapped.save_pretrained(tmp_path / "analyzer")
    assert json.loads((tmp_path / "analyzer" / ANALYZER_CONFIG).read_text())["term_tagger_trunk"] == "term-tagger-trunk"
    loaded = Analyzer.from_pretrained(tmp_path / "analyzer")
    assert loaded.term_tagger.trunk is not loaded.tagger
    assert Path(loaded.term_tagger.trunk.name).name == "term-tagger-trunk"
    assert Path(loaded.tagger.name).name == "attribution-tagger"
    same = Analyzer(trunk, term_tagger=terms)
    same.save_pretrained(tmp_path / "same")  # the branch runs on the analyzer's own tagger: no extra folder
    assert "term_tagger_trunk" not in json.loads((tmp_path / "same" / ANALYZER_CONFIG).read_text())


@pytest.fixture
def two_trunk_models(tiny_tagger, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A models folder as shipped: the analyzer's tagger with its branch, and a MiniLM-like tagger with its own."""
    import torch

    from attribution.pipeline import ANALYZER_CONFIG, MINILM_TAGGER
    from attribution.tagging.attribution_tagger import AttributionTagger

    models = tmp_path / "models"
    tiny_tagger.save_pretrained(models / "attribution-tagger")
    other = AttributionTagger.from_pretrained(models / "attribution-tagger")
    with torch.no_grad():  # other weights, so another hash
        next(other.model.parameters()).add_(0.5)
    other.save_pretrained(models / MINILM_TAGGER)
    for trunk_folder, branch_folder in (("attribution-tagger", "term-tagger"), (MINILM_TAGGER, "term-tagger-minilm")):
        trunk = AttributionTagger.from_pretrained(models / trunk_folder)
        TermTagger.from_trunk(trunk, trunk_layer=1).save_pretrained(models / branch_folder)
    settings = {"attribution_tagger": "attribution-tagger", "term_tagger": "term-tagger"}
    (models / ANALYZER_CONFIG).write_text(json.dumps(settings), encoding="utf-8")
    return models


@pytest.mark.parametrize(
    ("branch", "trunk"),
    [
        ("term-tagger", "attribution-tagger"),
        ("term-tagger-minilm", "attribution-tagger-minilm"),
        ("attribution-tagger", None),  # not a term branch
        ("missing", None),
    ],
)
def test_find_branch_trunk_matches_the_recorded_weight_hash(
    two_trunk_models: Path, branch: str, trunk: str | None
) -> None:
    from attribution.pipeline import find_branch_trunk

    found = find_branch_trunk(two_trunk_models / branch, two_trunk_models)
    assert (found.name if found else None) == trunk


@pytest.mark.parametrize(
    ("init_branch", "trunk"),
    [
        (None, "attribution-tagger-minilm"),  # a fresh branch: the CPU recipe's trunk
        ("term-tagger", "attribution-tagger"),  # fine-tuning a branch keeps its own trunk
        ("term-tagger-minilm", "attribution-tagger-minilm"),
    ],
)
def test_training_puts_the_branch_on_its_own_trunk(two_trunk_models: Path, init_branch: str | None, trunk: str) -> None:
    from attribution.pipeline import default_training_trunk

    branch = two_trunk_models / init_branch if init_branch else None
    assert default_training_trunk(branch, two_trunk_models).name == trunk


def test_analyzer_runs_a_swapped_in_branch_on_the_trunk_it_was_trained_on(two_trunk_models: Path) -> None:
    from attribution.pipeline import Analyzer

    shared = Analyzer.from_pretrained(two_trunk_models)
    assert shared.term_tagger.trunk is shared.tagger  # one encoder pass serves both
    swapped = Analyzer.from_pretrained(two_trunk_models, term_tagger=two_trunk_models / "term-tagger-minilm")
    assert Path(swapped.term_tagger.trunk.name).name == "attribution-tagger-minilm"
    fast = Analyzer.from_pretrained(
        two_trunk_models,
        attribution_tagger=two_trunk_models / "attribution-tagger-minilm",
        term_tagger=two_trunk_models / "term-tagger-minilm",
    )
    assert fast.term_tagger.trunk is fast.tagger


def _puppet_regime_records(count: int, category: str = "name_calling") -> list[LabeledArticle]:
    """``count`` copies of one two-sentence article whose "puppet regime" is a loaded term of ``category``."""
    return [
        LabeledArticle(
            f"r{i}",
            "The puppet regime shelled the town. Militants fled to the hills.",
            ("loaded_terms", "techniques"),
            loaded_terms=(GoldLoadedTerm(((4, 17),), category, polarity="negative"),),
            techniques=(GoldTechnique(((4, 17),), "Name_Calling,Labeling"),),
        )
        for i in range(count)
    ]


def test_each_epoch_is_scored_at_its_best_threshold(tiny_terms: TermTagger) -> None:
    from dataclasses import replace

    from attribution.term_training import best_threshold_score, build_term_features, evaluate_features, selection_score

    records = _puppet_regime_records(2)
    features = build_term_features(records, tiny_terms)
    original = tiny_terms.config
    by_threshold = {}
    for threshold in (0.05, 0.5, 0.95):
        tiny_terms.config = replace(original, threshold=threshold)
        by_threshold[threshold] = selection_score(evaluate_features(tiny_terms, features, records))
    tiny_terms.config = original
    assert len(set(by_threshold.values())) > 1  # the thresholds decode differently, so the choice matters

    threshold, score, results = best_threshold_score(tiny_terms, features, records, list(by_threshold))
    assert score == max(by_threshold.values()) == by_threshold[threshold]
    assert selection_score(results) == score
    assert tiny_terms.config == original  # the tagger's own decoding is left as it was


@pytest.mark.parametrize(
    ("epoch", "best_epoch", "best_score", "patience", "stops"),
    [
        (4, 1, 0.0, 3, False),  # the head has not fired yet (dev score 0 since epoch 1): train on
        (9, 1, 0.0, 3, False),  # still silent: only the epoch count ends such a run
        (4, 3, 0.24, 3, False),  # fired at epoch 3, one epoch without gain
        (5, 3, 0.24, 3, False),
        (6, 3, 0.24, 3, True),  # three epochs without gain
        (4, 2, 0.31, 2, True),
        (2, 2, 0.31, 2, False),  # this epoch was the best
    ],
)
def test_early_stopping_waits_for_the_first_spans(
    epoch: float, best_epoch: float, best_score: float, patience: int, stops: bool
) -> None:
    from attribution.term_training import patience_spent

    assert patience_spent(epoch, best_epoch, best_score, patience) is stops


@pytest.mark.parametrize(
    ("epoch", "best_score", "limit", "stops"),
    [
        (1, 0.0, 6, False),  # a branch on mpnet fires after 2-4 epochs
        (5, 0.0, 6, False),
        (6, 0.0, 6, True),  # six silent epochs: another seed, not more hours
        (16, 0.0, 6, True),
        (6, 0.24, 6, False),  # fired: early stopping decides
        (2, 0.31, 1, False),
        (16, 0.0, None, False),  # no limit: trains to the last epoch
    ],
)
def test_a_head_that_never_fires_stops_the_run(epoch: float, best_score: float, limit: int | None, stops: bool) -> None:
    from attribution.term_training import head_silent_too_long

    assert head_silent_too_long(epoch, best_score, limit) is stops


def test_a_run_whose_head_never_fires_saves_nothing(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from attribution.annotations import write_annotations
    from attribution.term_training import TermTrainingConfig, train_term_tagger

    write_annotations(_puppet_regime_records(4), tmp_path / "train.jsonl")
    unmarked = [replace(record, loaded_terms=(), techniques=()) for record in _puppet_regime_records(2)]
    write_annotations(unmarked, tmp_path / "dev.jsonl")  # no gold span: every epoch scores 0 on dev
    tiny_tagger.save_pretrained(tmp_path / "trunk")
    config = TermTrainingConfig(
        train_data=[str(tmp_path / "train.jsonl")],
        data_format="jsonl",
        dev_data=[str(tmp_path / "dev.jsonl")],
        extra_train_data=[],
        attribution_tagger=str(tmp_path / "trunk"),
        trunk_layer=1,
        epochs=3,
        batch_size=2,
        max_silent_epochs=2,
        out=str(tmp_path / "out"),
        checkpoint_dir=str(tmp_path / "ckpt"),
        feature_cache=None,
    )
    with pytest.raises(
        ValueError, match=r"head never fired: dev score 0 at every threshold in 2 epochs.*seed \(this one: 13\)"
    ):
        train_term_tagger(config)
    assert not (tmp_path / "out" / "model.safetensors").exists()


@pytest.mark.parametrize(
    ("key", "choices", "error"),
    [
        ("split_on_begin_choices", [True, False], None),
        ("split_on_begin_choices", [False], None),
        ("split_on_begin_choices", [], "split_on_begin_choices"),
        ("split_on_begin_choices", ["yes"], "split_on_begin_choices"),
        ("split_on_begin_choices", [1, 0], "split_on_begin_choices"),  # JSON numbers are not booleans here
        ("term_growth_choices", ["edges", "gaps"], None),
        ("term_growth_choices", ["gaps"], None),
        ("term_growth_choices", [], "term_growth_choices"),
        ("term_growth_choices", ["outwards"], "term_growth_choices"),
        ("verifier_categories", [], None),  # no verifier
        ("verifier_categories", ["name_calling", "exaggeration"], None),
        ("verifier_categories", ["insults"], "verifier_categories"),
        ("verifier_cs", [0.01, 1.0], None),
        ("verifier_cs", [], "verifier_cs"),
        ("verifier_cs", [0.0], "verifier_cs"),
        ("verifier_thresholds", [0.0, 0.3], None),
        ("verifier_thresholds", [1.0], "verifier_thresholds"),
        ("verifier_thresholds", [-0.1], "verifier_thresholds"),
        ("keep_decoding", False, None),
        ("keep_decoding", True, "keep_decoding needs init_branch"),
    ],
)
def test_training_config_checks_the_decoding_choices(key: str, choices: list | bool, error: str | None) -> None:
    from attribution.term_training import TermTrainingConfig

    settings = {"train_data": ["ptc"], "out": "m", key: choices}
    if error is None:
        assert getattr(TermTrainingConfig.from_dict(settings), key) == choices
    else:
        with pytest.raises(ValueError, match=error):
            TermTrainingConfig.from_dict(settings)


def test_span_splitting_is_chosen_on_dev_and_a_tie_keeps_the_first(tiny_terms: TermTagger) -> None:
    from attribution.term_training import branch_outputs, build_term_features, choose_span_splitting

    records = _puppet_regime_records(2)
    features = build_term_features(records, tiny_terms)
    outputs = branch_outputs(tiny_terms, features)
    original = tiny_terms.config
    chosen, scores = choose_span_splitting(tiny_terms, features, records, (True, False), outputs=outputs)
    assert set(scores) == {"True", "False"}
    assert scores[str(chosen)] == max(scores.values())
    if scores["True"] == scores["False"]:
        assert chosen is True
    only, _ = choose_span_splitting(tiny_terms, features, records, (False,), outputs=outputs)
    assert only is False
    assert tiny_terms.config == original  # choosing leaves the tagger's own decoding as it was


@pytest.mark.parametrize("extend", [None, 0.05])
def test_term_growth_is_chosen_on_the_sets_and_a_tie_keeps_the_first(tiny_terms: TermTagger, extend) -> None:  # type: ignore[no-untyped-def]
    from attribution.term_training import (
        branch_outputs,
        build_term_features,
        choose_term_growth,
        evaluate_decoded,
        term_extent_score,
    )

    records = _puppet_regime_records(3)
    sets = [(build_term_features(part, tiny_terms), part) for part in (records[:2], records[2:])]
    outputs = [branch_outputs(tiny_terms, features) for features, _ in sets]
    original = tiny_terms.config
    tiny_terms.config = replace(original, threshold=0.5, extend_threshold=extend)
    try:
        grown = tiny_terms.config
        chosen, scores = choose_term_growth(tiny_terms, sets, ("edges", "gaps"), outputs=outputs)
        assert set(scores) == {"edges", "gaps"} and scores[chosen] == max(scores.values())
        if extend is None:  # nothing grows: both decode alike, and the first wins
            assert scores["edges"] == scores["gaps"] and chosen == "edges"
        assert tiny_terms.config == grown  # choosing leaves the tagger's own decoding as it was
        for choice in ("edges", "gaps"):  # the mean over the sets of the loaded terms' exact and overlap F1
            per_set = [
                term_extent_score(evaluate_decoded(tiny_terms, features, part, out, term_growth=choice))
                for (features, part), out in zip(sets, outputs, strict=True)
            ]
            assert scores[choice] == round(float(np.mean(per_set)), 4)
    finally:
        tiny_terms.config = original


def test_decoding_stored_branch_outputs_equals_running_the_branch(tiny_terms: TermTagger) -> None:
    from attribution.term_training import branch_outputs, build_term_features, predict_features

    records = _puppet_regime_records(2)
    features = build_term_features(records, tiny_terms)
    texts = [r.text for r in records]
    outputs = branch_outputs(tiny_terms, features)
    assert len(outputs.spans) == len(outputs.polarity) == len(features.windows)
    assert predict_features(tiny_terms, features, texts, outputs=outputs) == predict_features(
        tiny_terms, features, texts
    )


@pytest.mark.parametrize("lora_rank", [0, 4])
def test_train_smoke(tiny_tagger, tmp_path: Path, lora_rank: int) -> None:  # type: ignore[no-untyped-def]
    from attribution.annotations import write_annotations
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.term_training import TermTrainingConfig, train_term_tagger

    records = _puppet_regime_records(4, "delegitimizing")
    data = tmp_path / "train.jsonl"
    write_annotations(records, data)
    trunk_dir = tmp_path / "trunk"
    tiny_tagger.save_pretrained(trunk_dir)
    config = TermTrainingConfig(
        train_data=[str(data)],
        data_format="jsonl",
        validation_data=[str(data)],
        validation_format="jsonl",
        extra_train_data=[],
        attribution_tagger=str(trunk_dir),
        trunk_layer=1,
        epochs=1,
        batch_size=2,
        out=str(tmp_path / "out"),
        checkpoint_dir=str(tmp_path / "ckpt"),
        feature_cache=str(tmp_path / "cache"),
        dev_data=[str(data)],
        lexicon_priors=[0.0, 1.0],
        lora_rank=lora_rank,
    )
    metrics = train_term_tagger(config)
    assert metrics["train_windows"] == metrics["train_windows_per_epoch"] == 4  # no hand-written set to repeat
    assert "si_f1" in metrics["validation"]["techniques"]
    assert set(metrics["dev_selection_by_lexicon_prior"]) == {"0.0", "1.0"}  # each weight tried on dev
    assert set(metrics["dev_selection_by_category_margin"]) == {"None", "0.1", "0.2", "0.3"}
    assert set(metrics["dev_selection_by_split_on_begin"]) == {"True", "False"}
    assert set(metrics["dev_term_extent_by_term_growth"]) == {"edges", "gaps"}
    assert all(epoch["threshold"] in config.thresholds for epoch in metrics["history"])  # scored at its best
    saved = json.loads((tmp_path / "out" / "term_tagger_config.json").read_text())
    assert saved["lexicon_prior"] == metrics["lexicon_prior"]  # the chosen prior ships with the weights
    assert saved["category_margin"] == metrics["category_margin"]
    assert saved["split_on_begin"] is metrics["split_on_begin"]
    assert saved["term_growth"] == metrics["term_growth"]
    assert set(metrics["verifier"]["categories"]) == {"name_calling", "loaded_language"}  # fitted or skipped
    assert (tmp_path / "out" / "model.safetensors").is_file()
    card = (tmp_path / "out" / "README.md").read_text()
    assert "## Verifier" in card
    assert card.startswith("# ")
    assert ("LoRA adapters (rank 4)" in card) is bool(lora_rank)
    assert ("copied and fine-tuned" in card) is not bool(lora_rank)
    assert "one encoder pass serves both models" in card  # trunk_layer 1: the trunk's first layer is shared
    assert saved["lora"] == ({"rank": 4, "alpha": 8, "dropout": 0.1} if lora_rank else {})
    TermTagger.from_pretrained(tmp_path / "out", trunk=AttributionTagger.from_pretrained(trunk_dir))
    from attribution.tagging.term_verifier import CategoryVerifier, TermVerifier, feature_names

    names = feature_names(TERM_GROUPS)  # a stale verifier on the saved branch: the continued run must not keep it
    stale = CategoryVerifier((0.0,) * len(names), 0.0, (0.0,) * len(names), (1.0,) * len(names), 0.5)
    (tmp_path / "out" / "term_tagger_config.json").write_text(
        json.dumps({**saved, "verifier": TermVerifier(names, {"name_calling": stale}).to_dict()})
    )
    # continued from the saved branch, the config's own layer and adapter settings (defaults here) are unused:
    # the card lists the branch's
    continued = replace(  # with the records again as the hand-written set, seen twice an epoch
        config,
        init_branch=str(tmp_path / "out"),
        trunk_layer=0,
        lora_rank=0,
        out=str(tmp_path / "2"),
        extra_train_data=[str(data)],
        extra_repeats=2,
        keep_decoding=True,
        verifier_categories=[],
    )
    continued_metrics = train_term_tagger(continued)
    assert "dev_selection_by_lexicon_prior" not in continued_metrics  # the saved branch's decoding is kept
    again = json.loads((tmp_path / "2" / "term_tagger_config.json").read_text())
    assert again["verifier"] == {} and "verifier" not in continued_metrics  # none asked for, the stale one gone
    assert {k: again[k] for k in ("threshold", "lexicon_prior", "term_growth")} == {
        k: saved[k] for k in ("threshold", "lexicon_prior", "term_growth")
    }
    extra_windows = continued_metrics["train_windows"] - 4
    assert extra_windows > 0 and continued_metrics["train_windows_per_epoch"] == 4 + 2 * extra_windows
    card = (tmp_path / "2" / "README.md").read_text()
    assert f"{4 + extra_windows} distinct windows incl. the hand-written set, {4 + 2 * extra_windows} per epoch" in card
    assert "Encoder layers after layer 1" in card and "- trunk_layer: 1" in card
    assert "(its branch, fine-tuned further)" in card
    assert ("LoRA adapters (rank 4)" in card) is bool(lora_rank) and f"- lora_rank: {lora_rank}" in card


def test_branch_continues_the_trunk_and_trains_even_on_a_frozen_trunk(tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    import torch

    from attribution.tagging.term_tagger import build_branch

    for parameter in tiny_tagger.model.parameters():
        parameter.requires_grad_(False)
    try:
        branch = build_branch(tiny_tagger, trunk_layer=1).eval()
        assert all(p.requires_grad for p in branch.parameters())
        ids = torch.tensor([tiny_tagger.tokenizer("the army said")["input_ids"]])
        with torch.inference_mode():
            states = tiny_tagger.model(input_ids=ids, output_hidden_states=True).hidden_states
            continued = branch.layers[0](states[1], None)
        assert torch.allclose(continued, states[2], atol=1e-5)  # the copied layer 2 computes what the trunk's does
    finally:
        for name, parameter in tiny_tagger.model.named_parameters():
            parameter.requires_grad_("word_embeddings" not in name)


def _lora_terms(trunk):  # type: ignore[no-untyped-def]
    """A LoRA branch whose adapters and heads moved away from their start, so merging them changes the layers."""
    from attribution.tagging.lora import LoraSettings

    tagger = TermTagger.from_trunk(trunk, trunk_layer=1, lora=LoraSettings(rank=4, dropout=0.0))
    nudge_trainable(tagger.branch, seed=5)
    return tagger


def _branch_probabilities(terms: TermTagger, trunk) -> np.ndarray:  # type: ignore[no-untyped-def]
    windows = trunk.windows(RuleSegmenter()(Article("a", "ISIL terrorists fled. The puppet regime said so.")))
    return np.concatenate(terms.predict_windows(windows)[1])


def test_lora_branch_saves_adapters_and_heads_and_loads_merged(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from safetensors.torch import load_file

    from attribution.tagging.lora import has_injected_lora

    terms = _lora_terms(tiny_tagger)
    before = _branch_probabilities(terms, tiny_tagger)
    terms.save_pretrained(tmp_path / "first")
    names = set(load_file(str(tmp_path / "first" / "model.safetensors")))
    assert names and all("lora_" in name or name.split(".")[0] in ("span_head", "polarity_head") for name in names)
    config = json.loads((tmp_path / "first" / "term_tagger_config.json").read_text())
    assert config["lora"] == {"rank": 4, "alpha": 8, "dropout": 0.0}

    loaded = TermTagger.from_pretrained(tmp_path / "first", trunk=tiny_tagger)
    assert not has_injected_lora(loaded.branch)  # merged: inference runs plain layers
    np.testing.assert_allclose(_branch_probabilities(loaded, tiny_tagger), before, atol=1e-2)  # float16 adapters
    fresh = TermTagger.from_trunk(tiny_tagger, trunk_layer=1)
    assert np.abs(_branch_probabilities(fresh, tiny_tagger) - before).max() > 0.05  # the adapters mattered
    loaded.save_pretrained(tmp_path / "second")
    first, second = (tmp_path / name / "model.safetensors" for name in ("first", "second"))
    assert first.read_bytes() == second.read_bytes()
    unmerged = TermTagger.from_pretrained(tmp_path / "first", trunk=tiny_tagger, merge=False)
    assert has_injected_lora(unmerged.branch)
    assert {n for n, p in unmerged.branch.named_parameters() if p.requires_grad} == names  # it trains on


def test_lora_branch_trains_only_adapters_and_heads(tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    from attribution.tagging.lora import LoraSettings
    from attribution.tagging.term_tagger import build_branch

    branch = build_branch(tiny_tagger, trunk_layer=1, lora=LoraSettings(rank=2))
    trainable = [name for name, p in branch.named_parameters() if p.requires_grad]
    frozen = [name for name, p in branch.named_parameters() if not p.requires_grad]
    assert trainable and all("lora_" in name or "_head." in name for name in trainable)
    assert any("LayerNorm" in name for name in frozen) and any("base_layer" in name for name in frozen)


@pytest.fixture(scope="module")
def tiny_mpnet_tagger(tiny_base_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A two-layer MPNet tagger (the tiny BERT's vocabulary): MPNet layers need the relative position bias."""
    import torch
    from transformers import BertTokenizerFast, MPNetConfig, MPNetForTokenClassification

    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.windows import LABEL2ID, LABELS

    folder = tmp_path_factory.mktemp("tiny-mpnet")
    tokenizer = BertTokenizerFast.from_pretrained(tiny_base_dir)
    tokenizer.save_pretrained(folder)
    config = MPNetConfig(
        vocab_size=tokenizer.vocab_size,
        **TINY_ENCODER,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=LABEL2ID,
    )
    torch.manual_seed(0)
    model = MPNetForTokenClassification(config)
    with torch.no_grad():  # a position bias far from zero, so leaving it out changes the layer's output
        model.mpnet.encoder.relative_attention_bias.weight.normal_(0.0, 3.0)
    model.save_pretrained(folder)
    tagger = AttributionTagger.from_base(str(folder), max_length=32)
    tagger.model.eval()
    return tagger


@pytest.mark.parametrize("lora", [False, True])
def test_branch_on_an_mpnet_trunk_continues_it(tiny_mpnet_tagger, lora: bool) -> None:  # type: ignore[no-untyped-def]
    import torch

    from attribution.tagging.lora import LoraSettings
    from attribution.tagging.term_tagger import build_branch

    branch = build_branch(tiny_mpnet_tagger, trunk_layer=1, lora=LoraSettings(rank=2) if lora else None).eval()
    ids = torch.tensor([tiny_mpnet_tagger.tokenizer("the army said the town fell")["input_ids"]])
    with torch.inference_mode():
        states = tiny_mpnet_tagger.model(input_ids=ids, output_hidden_states=True).hidden_states
        bias = type(tiny_mpnet_tagger.model.mpnet.encoder).compute_position_bias(branch, states[1])
        continued = branch.layers[0](states[1], None, position_bias=bias)[0]
        without_bias = branch.layers[0](states[1], None)[0]
    assert torch.allclose(continued, states[2], atol=1e-5)  # with the copied bias: the trunk's own layer 2
    assert not torch.allclose(without_bias, states[2], atol=1e-3)  # the bias is not optional
    assert not any(p.requires_grad for p in branch.relative_attention_bias.parameters())


def test_mpnet_branch_predicts_the_same_after_save_and_load(tiny_mpnet_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    terms = _lora_terms(tiny_mpnet_tagger)
    before = _branch_probabilities(terms, tiny_mpnet_tagger)
    terms.save_pretrained(tmp_path / "terms")
    loaded = TermTagger.from_pretrained(tmp_path / "terms", trunk=tiny_mpnet_tagger)
    np.testing.assert_allclose(_branch_probabilities(loaded, tiny_mpnet_tagger), before, atol=1e-2)


@pytest.mark.parametrize("trunk_name", ["tiny_tagger", "tiny_mpnet_tagger"])
@pytest.mark.parametrize("layer", [0, 1, 2])
def test_a_pass_that_stops_at_the_branch_layer_gives_the_full_pass_states(
    request: pytest.FixtureRequest, trunk_name: str, layer: int
) -> None:
    trunk = request.getfixturevalue(trunk_name)
    windows = trunk.windows(RuleSegmenter()(Article("a", "The army said that ISIL terrorists fled. Troops left.")))
    full = list(trunk.encode(windows, batch_size=1, hidden_layer=layer))
    cut = list(trunk.encode(windows, batch_size=1, hidden_layer=layer, labels=False))
    assert [b.indices for b in cut] == [b.indices for b in full]
    assert all(b.probabilities is None for b in cut) and all(b.probabilities is not None for b in full)
    assert all(np.allclose(c.hidden, f.hidden, atol=1e-6) for c, f in zip(cut, full, strict=True))
    assert len(trunk.model.base_model.encoder.layer) == 2  # the layer list is put back


def test_a_trunk_with_unmerged_adapters_gives_the_same_states_by_a_full_pass(tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.lora import LoraSettings, add_lora

    model = add_lora(copy.deepcopy(tiny_tagger.model), LoraSettings(rank=2))
    wrapped = AttributionTagger(model, tiny_tagger.tokenizer, tiny_tagger.config)
    windows = tiny_tagger.windows(RuleSegmenter()(Article("a", "The army said that ISIL terrorists fled.")))
    full = list(tiny_tagger.encode(windows, hidden_layer=1))
    cut = list(wrapped.encode(windows, hidden_layer=1, labels=False))  # B = 0: the adapters change nothing yet
    assert all(np.allclose(c.hidden, f.hidden, atol=1e-5) for c, f in zip(cut, full, strict=True))


@pytest.mark.parametrize(
    ("layer", "labels", "message"),
    [(None, False, "needs a hidden_layer"), (3, False, "must be in 0..2"), (-1, False, "must be in 0..2")],
)
def test_a_stopped_pass_needs_a_layer_the_trunk_has(tiny_tagger, layer: int | None, labels: bool, message: str) -> None:  # type: ignore[no-untyped-def]
    windows = tiny_tagger.windows(RuleSegmenter()(Article("a", "Troops left.")))
    with pytest.raises(ValueError, match=message):
        list(tiny_tagger.encode(windows, hidden_layer=layer, labels=labels))
    assert len(tiny_tagger.model.base_model.encoder.layer) == 2


def test_a_branch_alone_skips_the_attribution_labels(tiny_terms: TermTagger, tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    windows = tiny_tagger.windows(RuleSegmenter()(Article("a", "The army said that ISIL terrorists fled.")))
    _, spans, polarity = tiny_terms.predict_windows(windows)
    attribution, spans_alone, polarity_alone = tiny_terms.predict_windows(windows, attribution_labels=False)
    assert all(a.size == 0 for a in attribution)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(spans, spans_alone, strict=True))
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(polarity, polarity_alone, strict=True))
