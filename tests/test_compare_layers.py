"""`attribution evaluate --compare` on every layer: paired rows, one analysis per article, component folders, plots."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from attribution.aggregate import aggregate
from attribution.annotations import (
    SOURCE_TYPES,
    TECHNIQUES,
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
    write_annotations,
)
from attribution.cli import main
from attribution.comparison import (
    COMPONENT_CONFIGS,
    compare_models,
    folder_kind,
    format_comparison,
    load_analyzer,
    model_role,
    profile_rows,
    profile_statistics,
)
from attribution.plots import PLOT_FILES, save_evaluation_plots
from attribution.profile_evaluation import ProfileEvaluator, evaluate_profile_layers, gold_attributions
from attribution.records import Article, Attribution, DistancingMarker, LoadedTerm, Provenance, TechniqueSpan
from attribution.segmenter import RuleSegmenter
from attribution.term_evaluation import TERM_METRICS, TermEvaluator, evaluate_layers

ROOT = Path(__file__).resolve().parent.parent


def at(text: str, phrase: str, after: int = 0) -> tuple[tuple[int, int], ...]:
    start = text.index(phrase, after)
    return ((start, start + len(phrase)),)


def _record(
    rid: str,
    text: str,
    layers: tuple[str, ...],
    *,
    attributions: Sequence[tuple[str, str, str, str, bool]] = (),
    terms: Sequence[tuple[str, str]] = (),
    techniques: Sequence[tuple[str, str]] = (),
    biased: Sequence[tuple[str, bool]] = (),
    distancing: Sequence[tuple[str, str]] = (),
) -> LabeledArticle:
    """A labeled article from phrases: (source, cue, content, type, anonymous), (phrase, category), ..."""
    return LabeledArticle(
        id=rid,
        text=text,
        layers=layers,
        attributions=tuple(
            GoldAttribution(
                cue=at(text, cue),
                source=at(text, source),
                content=at(text, content),
                source_type=kind,
                anonymous=anonymous,
                stance="neutral",
            )
            for source, cue, content, kind, anonymous in attributions
        ),
        loaded_terms=tuple(GoldLoadedTerm(at(text, p), c, "negative") for p, c in terms),
        techniques=tuple(GoldTechnique(at(text, p), t) for p, t in techniques),
        sentence_labels=tuple(GoldSentenceLabel(at(text, s), b) for s, b in biased),
        extra={
            "distancing": [{"span": [list(at(text, m)[0])], "target": [list(at(text, t)[0])]} for m, t in distancing]
        }
        if distancing
        else {},
    )


T1 = 'The army said "terrorists" shelled the entire region. The so-called council denied it.'
T2 = "A local doctor told reporters that the brutal raid killed four. Residents said they fled."
T3 = "Officials described the group as foreign-backed thugs. The self-proclaimed mayor spoke."
T4 = "Nothing else happened here. It was a heinous day."
RECORDS = [
    _record(
        "r1",
        T1,
        ("attributions", "source_profile", "loaded_terms", "techniques", "sentence_labels", "distancing"),
        attributions=[("The army", "said", '"terrorists" shelled the entire region', "military", False)],
        terms=[("terrorists", "name_calling"), ("entire region", "exaggeration")],
        techniques=[("terrorists", "Name_Calling,Labeling"), ("entire region", "Exaggeration,Minimisation")],
        biased=[
            ('The army said "terrorists" shelled the entire region.', True),
            ("The so-called council denied it.", False),
        ],
        distancing=[("so-called", "council")],
    ),
    _record(
        "r2",
        T2,
        ("attributions", "source_profile", "loaded_terms", "sentence_labels"),
        attributions=[
            ("A local doctor", "told", "the brutal raid killed four", "expert", False),
            ("Residents", "said", "they fled", "citizen", True),
        ],
        terms=[("brutal", "loaded_language")],
        biased=[
            ("A local doctor told reporters that the brutal raid killed four.", True),
            ("Residents said they fled.", False),
        ],
    ),
    _record(
        "r3",
        T3,
        ("loaded_terms", "techniques", "distancing"),
        terms=[("foreign-backed", "delegitimizing"), ("thugs", "name_calling")],
        techniques=[("thugs", "Name_Calling,Labeling"), ("foreign-backed thugs", "Loaded_Language")],
        distancing=[("self-proclaimed", "mayor")],
    ),
    _record(
        "r4", T4, ("sentence_labels",), biased=[("Nothing else happened here.", False), ("It was a heinous day.", True)]
    ),
]

FLAT_KEYS = [
    *(f"loaded_terms.{category}.{kind}.f1" for category, kind in TERM_METRICS),
    "term_attributes.polarity.accuracy",  # the records' gold terms give a polarity, no voice or target
    "term_attributes.polarity.end_to_end",
    "techniques.si_f1",
    "techniques.tc_micro_f1",
    "sentence_labels.macro_f1",
    "source_profile.type_accuracy",
    "source_profile.type_macro_f1",
    "source_profile.anonymous.f1",
    "source_profile.stance_accuracy",
    "distancing.f1",
]
ATTRIBUTION_KEYS = ["cue", "source", "content", "relation"]


# --- a fake analyzer: gold labels back ("oracle") or wrong everywhere ("blank") ------------------------------


class FakeAnalyzer:
    """Duck-typed Analyzer whose components read the gold labels of the records it was given."""

    def __init__(
        self,
        quality: str,
        records: Sequence[LabeledArticle] = RECORDS,
        *,
        terms: bool = True,
        bias: bool = True,
        profiler: bool = True,
    ) -> None:
        self.quality = quality
        self.gold = {r.text: r for r in records}
        self.segmenter = RuleSegmenter()
        self.tagger = SimpleNamespace(name=f"fake-{quality}")
        self.term_tagger = SimpleNamespace(classify_spans=self._classify_spans) if terms else None
        self.sentence_bias = SimpleNamespace(predict=self._predict_bias) if bias else None
        self.source_profiler = (
            SimpleNamespace(profile=self._profile, profile_many=self._profile_many) if profiler else None
        )
        self.analyzed: Counter[str] = Counter()

    @property
    def oracle(self) -> bool:
        return self.quality == "oracle"

    def analyze_many(self, articles: Iterable[Article], *, batch_size: int = 32) -> Iterator[Any]:
        for article in articles:
            self.analyzed[article.id] += 1
            yield self._report(article)

    def _report(self, article: Article) -> Any:
        record = self.gold[article.text]
        text = record.text
        sentences = self.segmenter(article)

        def sentence_of(offset: int) -> int:
            return next(s.index for s in sentences if offset < s.end)

        attributions = gold_attributions(text, sentences, record.attributions) if self.oracle else []
        terms = techniques = None
        if self.term_tagger is not None:
            terms = [
                LoadedTerm(t.category, s, e, text[s:e], sentence_of(s), 0.9, t.polarity)
                for t in record.loaded_terms
                for s, e in t.span
                if self.oracle
            ]
            techniques = [
                TechniqueSpan(t.technique, s, e, text[s:e], sentence_of(s), 0.9)
                for t in record.techniques
                for s, e in t.span
                if self.oracle
            ]
        markers = []
        for item in record.extra.get("distancing", []):
            (s, e), (ts, te) = item["span"][0], item["target"][0]
            if not self.oracle:  # the first word of the article instead
                s, e, ts, te = 0, text.index(" "), 0, text.index(" ")
            markers.append(DistancingMarker("fake", s, e, text[s:e], sentence_of(s), ts, te, text[ts:te]))
        provenance = Provenance("0", self.tagger.name, "fake", "1")
        return aggregate(
            article, sentences, attributions, provenance, loaded_terms=terms, techniques=techniques, distancing=markers
        )

    def _classify_spans(
        self, article: Article, sentences: Sequence[Any], spans: Sequence[tuple[int, int]]
    ) -> list[dict[str, float]]:
        record = self.gold[article.text]
        labels = {(span[0][0], span[-1][1]): names for span, names in TermEvaluator.gold_technique_spans(record)}
        out = []
        for span in spans:
            right = set(labels[span]) if self.oracle else set()
            wrong = [t for t in TECHNIQUES if t not in labels[span]]
            out.append({t: (0.9 if t in right else 0.5 if t in wrong[:2] else 0.01) for t in TECHNIQUES})
        return out

    def _predict_bias(self, texts: Sequence[str]) -> list[tuple[bool, float]]:
        gold = {
            r.text[s:e]: label.biased for r in self.gold.values() for label in r.sentence_labels for s, e in label.span
        }
        return [(gold[t] if self.oracle else not gold[t], 0.8) for t in texts]

    def _profile_many(self, articles: Sequence[Article], sentences: Any, attributions: Any, **_: Any) -> list[Any]:
        return [self._profile(a, s, atts) for a, s, atts in zip(articles, sentences, attributions, strict=True)]

    def _profile(self, article: Article, sentences: Any, attributions: Sequence[Attribution]) -> Any:
        record = self.gold[article.text]
        by_cue = {g.cue: g for g in record.attributions}
        out = []
        for a in attributions:
            g = by_cue[tuple((s.start, s.end) for s in a.cue)]
            if self.oracle:
                out.append(replace(a, source_type=g.source_type, anonymous=g.anonymous, stance=g.stance))
            else:
                out.append(replace(a, source_type="document", anonymous=not g.anonymous, stance="charged"))
        return tuple(out)


def _lookup(metrics: dict[str, Any], dotted: str) -> Any:
    value = metrics
    for part in dotted.split("."):
        value = value[part]
    return value


def _rows(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every comparison row by a flat name (attribution rows as cue.exact, relation, ...)."""
    rows = {key: row for key, row in metrics.items() if "." in key}
    for role in ("cue", "source", "content"):
        for kind in ("exact", "overlap"):
            rows[f"{role}.{kind}"] = metrics[role][kind]
    rows["relation"] = metrics["relation"]
    return rows


# --- the comparison rows ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quality_a", "quality_b", "direction"),
    [("oracle", "oracle", 0), ("blank", "oracle", 1), ("oracle", "blank", -1), ("blank", "blank", 0)],
)
def test_every_layer_gets_a_paired_row(quality_a: str, quality_b: str, direction: int) -> None:
    a, b = FakeAnalyzer(quality_a), FakeAnalyzer(quality_b)
    result = compare_models(a, b, RECORDS, n_bootstrap=200, seed=1)
    compare = result["compare"]
    assert list(k for k in compare["metrics"] if "." in k) == FLAT_KEYS
    assert all(k in compare["metrics"] for k in ATTRIBUTION_KEYS)
    assert compare["layers"] == {
        "attributions": 2,
        "loaded_terms": 3,
        "term_attributes": 3,
        "techniques": 2,
        "sentence_labels": 3,
        "source_profile": 2,
        "distancing": 2,
    }
    assert compare["n_articles"] == 4 and compare["skipped"] == []
    assert (compare["a"], compare["b"]) == (f"fake-{quality_a}", f"fake-{quality_b}")
    for key, row in _rows(compare["metrics"]).items():
        assert set(row) == {"a", "b", "delta", "delta_ci", "b_better"}, key
        assert row["delta"] == pytest.approx(row["b"] - row["a"], abs=1e-4), key
        assert row["delta_ci"]["low"] <= row["delta"] + 1e-4 and row["delta"] - 1e-4 <= row["delta_ci"]["high"], key
        if direction == 0:
            assert row["delta"] == 0.0 and row["b_better"] == 0.0, key
            assert row["delta_ci"] == {"low": 0.0, "high": 0.0}, key
        else:
            assert direction * row["delta"] > 0, key  # the oracle is perfect and "blank" is wrong everywhere
            # a category (or anonymous sources) labeled in one article only: resamples without that article
            # score 0 for both, about (2/3)^3 of them for 3 articles
            assert row["b_better"] >= 0.6 if direction > 0 else row["b_better"] == 0.0, key
    oracle = result["a" if quality_a == "oracle" else "b"]
    if "oracle" in (quality_a, quality_b):
        assert oracle["loaded_terms"]["micro"]["overlap"]["f1"] == 1.0
        assert oracle["source_profile"]["type_accuracy"] == 1.0 and oracle["distancing"]["f1"] == 1.0


@pytest.mark.parametrize("quality", ["oracle", "blank"])
def test_point_values_are_those_of_plain_evaluate(quality: str) -> None:
    result = compare_models(FakeAnalyzer(quality), FakeAnalyzer("oracle"), RECORDS, n_bootstrap=0)
    plain_analyzer = FakeAnalyzer(quality)
    plain = evaluate_layers(plain_analyzer, RECORDS)
    metrics = {"attributions": plain.attributions.results(), **plain.terms.results()}  # type: ignore[union-attr]
    metrics.update(evaluate_profile_layers(plain_analyzer, RECORDS, end_to_end=False).metrics)
    for key, row in _rows(result["compare"]["metrics"]).items():
        if key.split(".")[0] in ATTRIBUTION_KEYS:
            expected = _lookup(metrics["attributions"], key)["f1"]
        else:
            expected = _lookup(metrics, key)
        assert row["a"] == expected, key
        assert "delta_ci" not in row and "b_better" not in row
    metrics["source_profile"].pop("end_to_end", None)  # compare scores the profile given gold spans only
    assert result["a"]["source_profile"] == metrics["source_profile"]
    assert result["a"]["distancing"] == metrics["distancing"]
    assert result["a"]["loaded_terms"] == metrics["loaded_terms"]


def test_each_article_is_analyzed_once_per_model() -> None:
    a, b = FakeAnalyzer("blank"), FakeAnalyzer("oracle")
    compare_models(a, b, RECORDS, n_bootstrap=10)
    for fake in (a, b):  # r1-r3 need a report (attributions, terms, distancing); r4 only sentence labels
        assert fake.analyzed == Counter({"r1": 1, "r2": 1, "r3": 1})


def test_one_article_interval_is_the_point_delta() -> None:
    """With one article every resample is that article: the vectorised scores must equal the point scores."""
    result = compare_models(FakeAnalyzer("blank"), FakeAnalyzer("oracle"), RECORDS[:1], n_bootstrap=20)
    for key, row in _rows(result["compare"]["metrics"]).items():
        assert row["delta_ci"]["low"] == pytest.approx(row["delta"], abs=2e-4), key
        assert row["delta_ci"]["high"] == pytest.approx(row["delta"], abs=2e-4), key


@pytest.mark.parametrize(
    ("missing", "prefixes", "skipped"),  # skipped: the record layers named as skipped
    [
        ("terms", ("loaded_terms.", "term_attributes.", "techniques."), {"loaded_terms", "techniques"}),
        ("bias", ("sentence_labels.",), {"sentence_labels"}),
        ("profiler", ("source_profile.",), {"source_profile"}),
    ],
)
def test_a_layer_one_model_cannot_score_is_left_out(
    missing: str, prefixes: tuple[str, ...], skipped: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTRIBUTION_MODEL_DIR", str(tmp_path))  # no shipped source profiler to fall back on
    a = FakeAnalyzer("oracle", **{missing: False})
    result = compare_models(a, FakeAnalyzer("oracle"), RECORDS, n_bootstrap=10)
    compare = result["compare"]
    keys = [k for k in compare["metrics"] if "." in k]
    assert keys == [k for k in FLAT_KEYS if not k.startswith(prefixes)]
    assert {prefix.rstrip(".") for prefix in prefixes}.isdisjoint(compare["layers"])
    assert {line.split(":")[1].strip() for line in compare["skipped"]} == skipped
    assert all(line.startswith("A: ") and "skipped" in line for line in compare["skipped"])
    table = format_comparison(result)
    assert all(line in table for line in compare["skipped"])


def test_records_without_a_scored_layer_are_an_error() -> None:
    record = LabeledArticle(id="x", text="No labels.", layers=())
    with pytest.raises(ValueError, match="no records with a layer to score"):
        compare_models(FakeAnalyzer("oracle", [record]), FakeAnalyzer("oracle", [record]), [record])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_profile_statistics_match_the_profile_evaluator(seed: int) -> None:
    rng = np.random.default_rng(seed)
    types = ["military", "ngo", "citizen", "unspecified"]
    stances = ["neutral", "charged", None]
    articles = []
    for _ in range(5):
        pairs = []
        for _ in range(int(rng.integers(0, 6))):
            gold = GoldAttribution(
                cue=((0, 1),),
                source_type=str(rng.choice(types)),
                anonymous=bool(rng.integers(2)),
                stance=stances[int(rng.integers(3))],
            )
            predicted = Attribution(
                (), (), (), "indirect", 0, 1.0, str(rng.choice(types)), bool(rng.integers(2)), stance=None
            )
            pairs.append((gold, predicted))
        articles.append(pairs)
    evaluator = ProfileEvaluator()
    for pairs in articles:
        for gold, predicted in pairs:
            evaluator.add(gold, predicted)
    expected = evaluator.results()
    rows = profile_rows(articles, SOURCE_TYPES)
    scores = profile_statistics(rows.sum(axis=0, keepdims=True), len(SOURCE_TYPES))
    for key, values in scores.items():
        assert float(values[0]) == pytest.approx(_lookup(expected, key), abs=1e-4), key


def test_profile_rows_reject_an_unknown_type() -> None:
    gold = GoldAttribution(cue=((0, 1),), source_type="military")
    predicted = Attribution((), (), (), "indirect", 0, 1.0, source_type="alien")
    with pytest.raises(ValueError, match="'alien' is not one of"):
        profile_rows([[(gold, predicted)]], ["military"])


def test_the_table_groups_rows_by_layer() -> None:
    result = compare_models(FakeAnalyzer("blank"), FakeAnalyzer("oracle"), RECORDS, n_bootstrap=50)
    lines = format_comparison(result).splitlines()
    assert lines[3].split() == ["score", "A", "B", "B-A", "95%", "CI", "of", "B-A", "P(B>A)"]
    headers, placed, layer = [], set(), None
    for line in lines[4:]:
        if line.startswith("  "):
            placed.add((layer, line[2:30].strip()))
        else:
            layer = line.split(" (")[0]
            headers.append(layer)
    assert headers == [
        *("attributions", "loaded_terms", "term_attributes", "techniques", "sentence_labels", "source_profile"),
        "distancing",
    ]
    assert lines[4] == "attributions (2 articles)" and lines[5].startswith("  cue exact ")
    for key in FLAT_KEYS:
        layer, rest = key.split(".", 1)
        assert (layer, rest.replace(".", " ")) in placed, key
    assert ("source_profile", "anonymous f1") in placed and ("distancing", "f1") in placed


# --- model folders: an analyzer or one component ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "kind"),
    [
        (["analyzer_config.json"], "analyzer"),
        (["analyzer_config.json", "tagger_config.json"], "analyzer"),
        (["tagger_config.json"], "attribution_tagger"),
        (["term_tagger_config.json"], "term_tagger"),
        (["sentence_bias_config.json"], "sentence_bias"),
        (["source_profile_config.json"], "source_profile"),
        ([], None),
        (["config.json"], None),
    ],
)
def test_folder_kind(files: list[str], kind: str | None, tmp_path: Path) -> None:
    for name in files:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    if kind is None:
        with pytest.raises(FileNotFoundError, match=f"{tmp_path}: not a model folder"):
            folder_kind(tmp_path)
    else:
        assert folder_kind(tmp_path) == kind


def test_component_configs_are_the_loaders_config_names() -> None:
    from attribution import target_ranking
    from attribution.tagging import attribution_tagger, sentence_bias, source_profiler, term_tagger

    modules = {
        "attribution_tagger": attribution_tagger,
        "term_tagger": term_tagger,
        "sentence_bias": sentence_bias,
        "source_profile": source_profiler,
        "target_ranker": target_ranking,
    }
    assert {kind: module.CONFIG_NAME for kind, module in modules.items()} == COMPONENT_CONFIGS


@pytest.mark.parametrize("kind", ["analyzer", *COMPONENT_CONFIGS])
def test_a_component_folder_replaces_that_component_of_the_default_analyzer(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attribution.pipeline import Analyzer

    calls = []
    monkeypatch.setattr(Analyzer, "from_pretrained", lambda *args, **kwargs: calls.append((args, kwargs)) or "loaded")
    monkeypatch.setenv("ATTRIBUTION_MODEL_DIR", "/shipped")
    config = "analyzer_config.json" if kind == "analyzer" else COMPONENT_CONFIGS[kind]
    (tmp_path / config).write_text("{}", encoding="utf-8")
    assert load_analyzer(tmp_path) == "loaded"
    assert load_analyzer(tmp_path, precision="bfloat16") == "loaded"
    if kind == "analyzer":
        assert calls == [((tmp_path,), {"precision": p}) for p in ("float32", "bfloat16")]
        assert model_role(tmp_path) == "analyzer"
    else:
        assert calls == [((None,), {"precision": p, kind: tmp_path}) for p in ("float32", "bfloat16")]
        assert model_role(tmp_path) == f"{kind} in /shipped"


def test_cli_compare_an_analyzer_with_its_own_tagger_folder(
    tmp_path: Path, tiny_analyzer_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ATTRIBUTION_MODEL_DIR", str(tiny_analyzer_dir))  # the "default analyzer" is the tiny one
    data = tmp_path / "labeled.jsonl"
    write_annotations([RECORDS[0], RECORDS[2]], data)
    out = tmp_path / "compare.json"
    tagger = tiny_analyzer_dir / "attribution-tagger"
    argv = ["evaluate", "--data", str(data), "--compare", str(tiny_analyzer_dir), str(tagger)]
    assert main([*argv, "--bootstrap", "20", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"B: {tagger} (attribution_tagger in {tiny_analyzer_dir})" in printed
    assert "attributions (1 article)" in printed and "distancing (2 articles)" in printed
    assert "A: loaded_terms: skipped, the analyzer has no term tagger" in printed
    compare = json.loads(out.read_text())["compare"]
    assert compare["roles"] == {"a": "analyzer", "b": f"attribution_tagger in {tiny_analyzer_dir}"}
    assert compare["metrics"]["distancing.f1"]["delta"] == 0.0 and compare["metrics"]["relation"]["delta"] == 0.0


def test_cli_compare_without_a_scored_layer_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bare.jsonl"
    write_annotations([LabeledArticle(id="x", text="No labels.", layers=())], data)
    assert main(["evaluate", "--data", str(data), "--compare", "a", "b"]) == 2
    assert f"{data}: no records with a layer to score" in capsys.readouterr().err


# --- plots ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confusion", "written"),
    [
        ({"labels": ["military", "ngo"], "matrix": [[3, 1], [0, 2]]}, True),
        ({"labels": [], "matrix": []}, False),  # no labeled attribution: nothing to draw
        (None, False),
    ],
)
def test_source_type_confusion_png(confusion: dict | None, written: bool, tmp_path: Path) -> None:
    metrics = {"source_profile": {"type_accuracy": 0.8333, "type_macro_f1": 0.8, "confusion": confusion}}
    paths = save_evaluation_plots(metrics, tmp_path)
    target = tmp_path / "source-type-confusion.png"
    assert PLOT_FILES["source_profile"] == "source-type-confusion.png"
    assert paths == ([target] if written else [])
    assert target.is_file() == written
    if written:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_plots_the_source_type_confusion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from attribution.pipeline import Analyzer

    monkeypatch.setattr(Analyzer, "from_pretrained", lambda *args, **kwargs: FakeAnalyzer("blank"))
    data = tmp_path / "labeled.jsonl"
    write_annotations(RECORDS, data)
    plots = tmp_path / "plots"
    assert main(["evaluate", "--data", str(data), "--bootstrap", "0", "--plots", str(plots)]) == 0
    assert f"wrote {plots / 'source-type-confusion.png'}" in capsys.readouterr().out
    assert sorted(p.name for p in plots.iterdir()) == sorted(PLOT_FILES.values())


@pytest.mark.parametrize("bootstrap", ["20", "0"])  # with and without intervals of B - A
def test_cli_compare_plots_the_difference_and_each_models_matrices(
    bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import attribution.comparison as comparison

    folders = {}
    for side in ("model-a", "model-b"):
        folders[side] = tmp_path / side
        folders[side].mkdir()
        (folders[side] / "tagger_config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(
        comparison,
        "load_analyzer",
        lambda model, precision: FakeAnalyzer("oracle" if Path(model).name == "model-a" else "blank"),
    )
    data = tmp_path / "labeled.jsonl"
    write_annotations(RECORDS, data)
    plots = tmp_path / "plots"
    argv = ["evaluate", "--data", str(data), "--compare", str(folders["model-a"]), str(folders["model-b"])]
    assert main([*argv, "--bootstrap", bootstrap, "--plots", str(plots)]) == 0
    printed = capsys.readouterr().out
    expected = [plots / "comparison.png", *(plots / side / PLOT_FILES["source_profile"] for side in ("a", "b"))]
    for path in expected:
        assert f"wrote {path}" in printed
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_comparison_plot_needs_rows(tmp_path: Path) -> None:
    from attribution.plots import save_comparison_plot

    with pytest.raises(ValueError, match="the comparison has no rows"):
        save_comparison_plot({"compare": {"a": "x", "b": "y", "metrics": {}}}, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


# --- the shipped models against themselves ----------------------------------------------------------------------

SHIPPED = ROOT / "models"
WAR = [
    _record(
        "w1",
        "A military source told FNA that the terrorists fled. The army said its troops liberated the town.",
        ("loaded_terms", "source_profile"),
        attributions=[
            ("A military source", "told", "the terrorists fled", "military", True),
            ("The army", "said", "its troops liberated the town", "military", False),
        ],
        terms=[("terrorists", "name_calling"), ("liberated", "loaded_language")],
    ),
    _record(
        "w2",
        "Residents said the heinous shelling went on all night. A UN official told reporters aid was blocked.",
        ("loaded_terms", "source_profile"),
        attributions=[
            ("Residents", "said", "the heinous shelling went on all night", "citizen", True),
            ("A UN official", "told", "aid was blocked", "international", True),
        ],
        terms=[("heinous", "loaded_language")],
    ),
]


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED / "analyzer_config.json").is_file(), reason="no shipped models/")
def test_shipped_models_against_their_own_term_tagger_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTRIBUTION_MODEL_DIR", raising=False)
    result = compare_models(SHIPPED, SHIPPED / "term-tagger", WAR, n_bootstrap=50)
    compare = result["compare"]
    assert compare["roles"]["b"] == f"term_tagger in {SHIPPED}"
    assert compare["layers"] == {"loaded_terms": 2, "term_attributes": 2, "source_profile": 2}
    keys = [k for k in compare["metrics"]]
    assert keys == [k for k in FLAT_KEYS if k.startswith(("loaded_terms.", "term_attributes.", "source_profile."))]
    for key, row in compare["metrics"].items():
        assert row["a"] == row["b"] and row["delta"] == 0.0 and row["b_better"] == 0.0, key
    assert result["a"] == result["b"]
    print(format_comparison(result))
