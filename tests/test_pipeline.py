from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from attribution.pipeline import ANALYZER_CONFIG, Analyzer, default_term_trunk_dir
from attribution.records import Article
from attribution.report.json_report import report_schema, report_to_dict
from attribution.report.markdown_report import render_markdown
from attribution.tagging.attribution_tagger import AttributionTagger

TEXT = (
    "Clashes in the north\n\nA military source told FNA that heavy clashes are underway. "
    '"We will win," the general said.\nShare this article\nThe army set up checkpoints.'
)


def assert_offsets_hold(report) -> None:  # type: ignore[no-untyped-def]
    text = report.article.text
    for s in report.sentences:
        assert text[s.start : s.end] == s.text
    for a in report.attributions:
        for span in (*a.cue, *a.source, *a.content):
            assert text[span.start : span.end] == span.text


def test_tagger_save_and_load_round_trip(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tiny_tagger.save_pretrained(tmp_path)
    loaded = AttributionTagger.from_pretrained(tmp_path)
    article = Article(id="a", text=TEXT)
    sentences = Analyzer(tiny_tagger).segmenter(article)
    assert loaded.tag(article, sentences) == tiny_tagger.tag(article, sentences)
    assert json.loads((tmp_path / "tagger_config.json").read_text())["labels"][0] == "O"


def test_loading_a_folder_without_a_tagger_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no analyzer_config.json or tagger_config.json"):
        Analyzer.from_pretrained(tmp_path)


def test_unknown_analyzer_setting_is_rejected(tiny_analyzer_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "analyzer"
    shutil.copytree(tiny_analyzer_dir, copy)
    settings = json.loads((copy / ANALYZER_CONFIG).read_text())
    (copy / ANALYZER_CONFIG).write_text(json.dumps({**settings, "colour": "red"}))
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['colour'\]"):
        Analyzer.from_pretrained(copy)


def test_analyzer_round_trip_gives_equal_reports(tiny_analyzer_dir: Path) -> None:
    article = Article(id="a", text=TEXT, excluded=((TEXT.index("Share"), TEXT.index("Share") + 18),))
    first = Analyzer.from_pretrained(tiny_analyzer_dir).analyze(article)
    second = Analyzer.from_pretrained(tiny_analyzer_dir).analyze(article)
    assert first == second
    assert all("Share this" not in s.text for s in first.sentences)
    assert_offsets_hold(first)


def test_analyze_many_equals_analyze_one_by_one(tiny_analyzer_dir: Path) -> None:
    analyzer = Analyzer.from_pretrained(tiny_analyzer_dir)
    articles = [Article(id=str(i), text=TEXT + " Extra." * i) for i in range(5)]
    batched = list(analyzer.analyze_many(articles, articles_per_batch=2))
    assert [r.article.id for r in batched] == ["0", "1", "2", "3", "4"]
    assert batched == [analyzer.analyze(a) for a in articles]


def test_report_json_validates_against_the_shipped_schema(tiny_analyzer_dir: Path) -> None:
    report = Analyzer.from_pretrained(tiny_analyzer_dir).analyze(Article(id="a", text=TEXT))
    data = report_to_dict(report)
    jsonschema.validate(data, report_schema())
    assert data["schema_version"] == "1"
    bad = {**data, "schema_version": "2"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema())


def test_markdown_lists_every_sentence(tiny_analyzer_dir: Path) -> None:
    report = Analyzer.from_pretrained(tiny_analyzer_dir).analyze(Article(id="a", text=TEXT))
    md = render_markdown(report)
    assert md.startswith("# Attribution report: a")
    assert md.count("\n| S") == len(report.sentences)


def test_empty_article_gives_empty_report(tiny_analyzer_dir: Path) -> None:
    report = Analyzer.from_pretrained(tiny_analyzer_dir).analyze(Article(id="e", text="   "))
    assert report.sentences == () and report.attributions == ()


class _FixedBias:
    """A stand-in sentence-bias classifier: P(biased) per sentence, in order."""

    name = "fixed-bias"

    def __init__(self, probabilities: list[float]) -> None:
        self.probabilities = probabilities

    def predict(self, texts, *, batch_size: int = 32):  # type: ignore[no-untyped-def]
        return [(p >= 0.5, p) for p in self.probabilities[: len(texts)]]


@pytest.mark.parametrize(
    ("p_biased", "biased", "confidence"),
    [
        pytest.param(0.84, True, 0.84, id="biased-shows-p-biased"),
        pytest.param(0.05, False, 0.95, id="not-biased-shows-p-not-biased"),
        pytest.param(0.5, True, 0.5, id="tie-is-biased"),
    ],
)
def test_sentence_bias_confidence_is_that_of_the_label(tiny_tagger, p_biased, biased, confidence) -> None:  # type: ignore[no-untyped-def]
    text = "The council met on Monday."
    analyzer = Analyzer(tiny_tagger, sentence_bias=_FixedBias([p_biased]))
    (label,) = analyzer.analyze(Article(id="a", text=text)).sentence_labels
    assert (label.biased, label.bias_confidence) == (biased, confidence)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"attribution_tagger": "mpnet", "term_tagger_trunk": "minilm"}, "minilm"),  # the branch has its own trunk
        ({"attribution_tagger": "mpnet"}, "mpnet"),  # the branch runs on the analyzer's tagger
        ({}, "attribution-tagger"),
        (None, "attribution-tagger"),  # no analyzer config at all
    ],
)
def test_term_trunk_of_an_analyzer_folder(settings: dict[str, str] | None, expected: str, tmp_path: Path) -> None:
    if settings is not None:
        (tmp_path / ANALYZER_CONFIG).write_text(json.dumps(settings), encoding="utf-8")
    assert default_term_trunk_dir(tmp_path) == tmp_path / expected
