"""The shipped analyzer (models/) on the bundled example and on PolNeAR dev (when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from attribution.pipeline import Analyzer, default_model_dir
from attribution.readers import read_inputs
from attribution.tagging.precision import resolve_precision

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "frontline_report.txt"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_pretrained(default_model_dir())


@pytest.fixture(scope="module")
def example_report(analyzer: Analyzer):  # type: ignore[no-untyped-def]
    [article] = list(read_inputs([EXAMPLE]))
    return analyzer.analyze(article)  # type: ignore[arg-type]


def by_cue(report, cue: str):  # type: ignore[no-untyped-def]
    matches = [a for a in report.attributions if a.cue_text.startswith(cue)]
    assert matches, f"no attribution with cue {cue!r}: {[a.cue_text for a in report.attributions]}"
    return matches[0]


@pytest.mark.parametrize(
    ("cue", "source", "content_start"),
    [
        ("told", "A military source", "heavy clashes are underway"),
        ("announced", "the so-called Syrian Observatory for Human Rights", "Kurdish fighters"),
        ("claimed", "The Interior Ministry", "the police had dismantled"),
    ],
)
def test_example_attributions(example_report, cue: str, source: str, content_start: str) -> None:  # type: ignore[no-untyped-def]
    attribution = by_cue(example_report, cue)
    assert source in (attribution.source_text or "") or (attribution.source_text or "") in source
    assert attribution.content_text.startswith(content_start)


def test_narrator_sentences_are_unattributed(example_report) -> None:  # type: ignore[no-untyped-def]
    unattributed = [example_report.sentences[i].text for i in example_report.summary.unattributed_sentences]
    assert any(s.startswith("The army set up checkpoints") for s in unattributed)
    assert not any(s.startswith("A military source told") for s in unattributed)


def test_every_span_matches_its_slice(example_report) -> None:  # type: ignore[no-untyped-def]
    text = example_report.article.text
    for a in example_report.attributions:
        for span in (*a.cue, *a.source, *a.content):
            assert text[span.start : span.end] == span.text


def test_shipped_term_branch_shares_the_mpnet_tagger_and_the_minilm_one_stays_the_fast_option(
    analyzer: Analyzer,
) -> None:
    """The analyzer tags attributions with LoRA adapters on all-mpnet-base-v2, and its term branch runs on them."""
    models = default_model_dir()
    assert analyzer.tagger.config.base_model == "sentence-transformers/all-mpnet-base-v2"
    assert analyzer.tagger.config.lora["rank"] == 32
    assert analyzer.term_tagger is not None
    assert analyzer.term_tagger.trunk is analyzer.tagger  # no second attribution tagger loaded
    assert analyzer.term_tagger.config.lora["rank"] == 32
    fast = Analyzer.from_pretrained(
        attribution_tagger=models / "attribution-tagger-minilm", term_tagger=models / "term-tagger-minilm"
    )
    assert fast.term_tagger is not None and fast.term_tagger.trunk is fast.tagger
    assert fast.tagger.config.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    for folder in ("attribution-tagger", "attribution-tagger-minilm", "term-tagger", "term-tagger-minilm"):
        assert (models / folder / "model.safetensors").stat().st_size <= 25 * 1024 * 1024


@pytest.mark.skipif(
    resolve_precision("auto") != "bfloat16", reason="this CPU has no fast bfloat16 (AVX-512 BF16 or AMX)"
)
def test_bfloat16_finds_the_same_attributions_and_terms_in_the_example(analyzer: Analyzer, example_report) -> None:  # type: ignore[no-untyped-def]
    """The shipped models under bfloat16 autocast mark the bundled example as float32 does."""
    fast = Analyzer(
        analyzer.tagger,
        analyzer.segmenter,
        term_tagger=analyzer.term_tagger,
        sentence_bias=analyzer.sentence_bias,
        source_profiler=analyzer.source_profiler,
        precision="bfloat16",
    )
    report = fast.analyze(example_report.article)
    assert report.provenance.precision == "bfloat16" and example_report.provenance.precision == "float32"

    def marked(r):  # type: ignore[no-untyped-def]
        attributions = [(a.cue_text, a.source_text, a.content_text, a.source_type, a.anonymous) for a in r.attributions]
        return attributions, [(t.category, t.text, t.voice) for t in r.loaded_terms]

    assert marked(report) == marked(example_report)


@pytest.mark.parametrize(
    ("name", "source", "apart"),
    [  # reports written for these tests
        # the army's anonymous source is not the rebel coalition the writer calls "so-called"
        ("state_media_report.txt", "A military source", "Army of Conquest"),
        # a group's spokesman speaks for it; the writer's "Liberation" in its name is no loaded term
        ("rebel_helicopter_report.txt", "TLM spokesman Amir Haddou", "Meridian army"),
    ],
)
def test_actors_of_reports_written_for_the_tests(analyzer: Analyzer, name: str, source: str, apart: str) -> None:
    [article] = list(read_inputs([Path(__file__).parent / "data" / "inputs" / name]))
    report = analyzer.analyze(article)  # type: ignore[arg-type]
    holding = [a for a in report.summary.actors if any(report.attributions[i].source_text == source for i in a.claims)]
    assert len(holding) == 1, [(a.name, a.forms) for a in report.summary.actors]
    assert apart not in holding[0].forms and apart not in holding[0].name
    if name == "rebel_helicopter_report.txt":
        assert holding[0].name == "Tarsian Liberation Movement (TLM)"


def test_a_wire_report_with_a_cited_source_and_a_quote_in_two_sentences(analyzer: Analyzer) -> None:
    [article] = list(read_inputs([Path(__file__).parent / "data" / "inputs" / "wire_relay_report.txt"]))
    report = analyzer.analyze(article)  # type: ignore[arg-type]
    # "State news agency VNA, citing a military source, said ...": the military source's claim, relayed via VNA
    liberated = [a for a in report.attributions if "liberated" in a.content_text]
    assert [(a.source_text, [v.text for v in a.via], a.anonymous) for a in liberated] == [
        ("a military source", ["VNA"], True)
    ]
    assert not any(a.cue_text == "citing" for a in report.attributions)
    # the monitor the article names, not the alias table's Syrian Observatory
    names = [a.name for a in report.summary.actors]
    assert "Varesh Observatory for Human Rights" in names and "Syrian Observatory for Human Rights" not in names
    # the quote's second sentence is Abu Khaled's, not the writer's
    nobody = next(s.index for s in report.sentences if s.text.startswith('"Nobody'))
    (continued,) = [a for s, a in report.summary.continued_sentences if s == nobody]
    assert report.attributions[continued].source_text == "Abu Khaled"
    assert nobody not in report.summary.unattributed_claims


def test_a_report_with_a_denied_label(analyzer: Analyzer) -> None:
    [article] = list(read_inputs([Path(__file__).parent / "data" / "inputs" / "denied_label_report.txt"]))
    report = analyzer.analyze(article)  # type: ignore[arg-type]
    # "They are not terrorists, and I will not call them terrorists": both denied, applied to no one
    quoted = [t for t in report.loaded_terms if t.text == "terrorists" and t.voice == "quoted"]
    assert quoted and all(t.denied and t.target is None for t in quoted)
    assert not any(any(report.loaded_terms[i].denied for i in a.term_indices) for a in report.summary.actors)
    # "said the allegations were ...": the source doubts the allegations; the writer reports it neutrally
    (allegations,) = [a for a in report.attributions if "allegations" in a.content_text]
    assert allegations.stance == "neutral"
    # "said X, in what it called Y": the army's claim keeps its content
    assert any(a.source_text == "The army" and "arrested 40 smugglers" in a.content_text for a in report.attributions)
    # an affiliate of al-Qaeda is its own group
    names = [a.name for a in report.summary.actors]
    assert "al-Qaeda" not in names and any("GSBT" in n for n in names), names
    # "the interior minister" is the minister the article names
    (korval,) = [a for a in report.summary.actors if "Lena Korval" in a.name]
    assert any("interior minister" in form for form in korval.forms)


def test_sources_an_outlet_cites_after_its_cue(analyzer: Analyzer) -> None:
    [article] = list(read_inputs([Path(__file__).parent / "data" / "inputs" / "cited_sources_report.txt"]))
    report = analyzer.analyze(article)  # type: ignore[arg-type]
    cited = [(a.source_text, [v.text for v in a.via]) for a in report.attributions if a.sentence_index > 0]
    # "VNA reported, quoting a security official" (twice) and "According to state television, which cited ..."
    assert cited.count(("a security official", ["VNA"])) == 2, cited
    assert ("military sources", ["state television"]) in cited, cited
    assert not any(a.cue_text.lower().startswith(("quoting", "cited")) for a in report.attributions)


def test_a_press_briefings_speakers(analyzer: Analyzer) -> None:
    [article] = list(read_inputs([Path(__file__).parent / "data" / "inputs" / "press_briefing_report.txt"]))
    report = analyzer.analyze(article)  # type: ignore[arg-type]
    resolved = {(a.sentence_index, a.source_text): a.resolved_source for a in report.attributions}
    # a "he" after a "He", and after "The minister", is the minister, not "Kestrani" named in passing
    assert resolved[(4, "he")] == resolved[(6, "He")] == "Defence Minister Ara Venn", resolved
    assert resolved[(5, "The minister")] == "Defence Minister Ara Venn", resolved
    # a "He" after "The source added": that unnamed source again, not the captain in its claim
    (after_source,) = [a for a in report.attributions if a.sentence_index == 11]
    assert after_source.resolved_source is None and after_source.anonymous, after_source
    # the deputy is her own actor; the headline's "Defence minister" is the minister; lawmakers are no rebels
    names = {a.name: a for a in report.summary.actors}
    assert "Irit Sadan" in names and not any("Sadan" in f for f in names["Defence Minister Ara Venn"].forms), names
    assert "Defence minister" in names["Defence Minister Ara Venn"].forms, names
    assert names["Opposition lawmakers"].role is None, names
