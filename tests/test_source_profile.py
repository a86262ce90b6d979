"""Source profiler (type + anonymity), its training, the profile label reader and the profile metrics."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from model_helpers import nudge_trainable

from attribution.annotations import SOURCE_TYPES, AnnotationError, GoldAttribution, LabeledArticle, read_annotations
from attribution.profile_evaluation import (
    ProfileEvaluator,
    binary_scores,
    evaluate_profile_layers,
    format_profile_metrics,
    gold_attributions,
    label_agreement,
    match_by_source,
    names_match,
    profile_gold,
    read_label_rows,
    read_profile_labels,
    type_scores,
)
from attribution.profile_training import (
    ProfileTrainingConfig,
    in_dev_part,
    load_init_profiler,
    profile_examples,
    shortest_as_good,
    train_source_profiler,
)
from attribution.records import Article, Attribution, Sentence, Span
from attribution.segmenter import RuleSegmenter
from attribution.tagging.source_profiler import (
    CONFIG_NAME,
    WEIGHTS_NAME,
    ProfilerConfig,
    SourceProfiler,
    build_input,
    says_anonymous,
)

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "attribution" / "resources" / "source_profile"
SHIPPED = ROOT / "models" / "source-profile"
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
TEXT = (
    "The Syrian Observatory for Human Rights counted 37 dead. It said the toll would rise. "
    "A military source told FNA that clashes were underway. It was reported that the road was closed."
)


def _span_in(text: str, sentences: list[Sentence], label: str, needle: str, after: int = 0) -> Span:
    """A span over the first ``needle`` in ``text`` at or after ``after``, with its sentence index."""
    start = text.index(needle, after)
    index = next(s.index for s in sentences if s.start <= start < s.end)
    return Span(label, start, start + len(needle), needle, index)  # type: ignore[arg-type]


def _attributions(text: str = TEXT) -> tuple[list[Sentence], list[Attribution]]:
    sentences = RuleSegmenter()(Article(id="a", text=text))

    def span(label: str, needle: str, after: int = 0) -> Span:
        return _span_in(text, sentences, label, needle, after)

    it, said = span("SOURCE", "It said"), span("CUE", "said")
    it = replace(it, end=it.start + 2, text="It")
    source, told = span("SOURCE", "A military source"), span("CUE", "told")
    reported = span("CUE", "was reported")
    return sentences, [
        Attribution((said,), (it,), (), "indirect", said.sentence_index, 1.0),
        Attribution((told,), (source,), (), "indirect", told.sentence_index, 1.0),
        Attribution((reported,), (), (), "indirect", reported.sentence_index, 1.0),
    ]


@pytest.fixture(scope="module")
def tiny_profiler(tiny_base_dir: Path) -> SourceProfiler:
    profiler = SourceProfiler.from_base(str(tiny_base_dir), max_length=48)
    profiler.model.eval()
    return profiler


# --- config and input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_len": 3}, "unknown key"),
        ({"anonymous_threshold": 1.5}, "anonymous_threshold must be in"),
        ({"max_length": 4}, "max_length must be at least 16"),
        ({"input_format": "v0"}, "input_format 'v0' is not supported"),
        ({"source_types": ["a", "b"]}, "differ from the supported"),
        ({"weights_dtype": "int8"}, "weights_dtype must be"),
    ],
)
def test_config_rejects_bad_values(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProfilerConfig.from_dict(settings)


def test_build_input_marks_source_and_cue_and_adds_the_antecedent() -> None:
    sentences, attributions = _attributions()
    from attribution.relays import resolve_source_mention

    resolution = resolve_source_mention(attributions[0], TEXT, sentences, [])
    item = build_input(TEXT, sentences, attributions[0], resolution)
    assert item.first == "[S] It [/S] [C] said [/C] the toll would rise."
    assert item.first[item.source_spans[0][0] : item.source_spans[0][1]] == "It"
    assert item.second.startswith("org ; refers to Syrian Observatory for Human Rights ; The [R] Syrian Observatory")
    with pytest.raises(ValueError, match="needs an attribution with a source"):
        build_input(TEXT, sentences, attributions[2])


def test_v3_input_introduces_a_name_from_the_body_not_the_headline() -> None:
    text = (
        "Understated Perez raises political profile.\n\n"
        "Labor Secretary Tom Perez spoke in Ohio on Friday. The crowd was small. It rained. Buses were late.\n\n"
        "Perez said the economy had grown."
    )
    sentences = RuleSegmenter()(Article(id="p", text=text))
    said = text.rindex("said")
    source = Span("SOURCE", said - 6, said - 1, "Perez", 0)
    attribution = Attribution((Span("CUE", said, said + 4, "said", 0),), (source,), (), "indirect", 0, 1.0)
    v3 = build_input(text, sentences, attribution)
    v2 = build_input(text, sentences, attribution, input_format="v2")
    assert "first named: [R] Labor Secretary Tom Perez [/R]" in v3.second
    assert "first named: [R] Understated Perez [/R]" in v2.second
    assert v3.first == v2.first


# --- the profiler -------------------------------------------------------------------------------------


def test_profile_fills_every_field(tiny_profiler: SourceProfiler) -> None:
    sentences, attributions = _attributions()
    profiled = tiny_profiler.profile(Article(id="a", text=TEXT), sentences, attributions)
    assert len(profiled) == 3
    assert all(p.source_type in ProfilerConfig().source_types and isinstance(p.anonymous, bool) for p in profiled)
    assert profiled[0].resolved_source == "Syrian Observatory for Human Rights"
    assert [v.text for v in profiled[1].via] == ["FNA"]
    assert (profiled[2].source_type, profiled[2].anonymous, profiled[2].stance) == ("unspecified", True, "neutral")
    assert [p.stance for p in profiled] == ["neutral", "neutral", "neutral"]
    # copies: the input records are unchanged
    assert attributions[0].source_type is None and profiled[0].cue == attributions[0].cue


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("Sources said the talks had stalled.", "Sources", ("unspecified", True)),
        ("Two other sources said the talks had stalled.", "Two other sources", ("unspecified", True)),
        # the same words after a described source take that source's profile (here the stub's)
        (
            "A military source told FNA that clashes were underway. The source said more troops came.",
            "The source",
            ("military", False),
        ),
        # negatives: a described source is the classifier's to type
        ("Diplomatic sources said the talks had stalled.", "Diplomatic sources", ("military", False)),
    ],
)
def test_bare_sources_are_unspecified(
    tiny_profiler: SourceProfiler, monkeypatch: pytest.MonkeyPatch, text: str, source: str, expected: tuple
) -> None:
    # the classifier says "military, named" for every source, so only the rules can say otherwise
    monkeypatch.setattr(tiny_profiler, "predict", lambda items, batch_size=32: [("military", 0.9, 0.1)] * len(items))
    sentences = RuleSegmenter()(Article(id="b", text=text))
    attributions = []
    for src, cue in (("A military source", "told"), (source, "said")):
        if src in text:
            s_span = _span_in(text, sentences, "SOURCE", src)
            c_span = _span_in(text, sentences, "CUE", cue, s_span.end)
            attributions.append(Attribution((c_span,), (s_span,), (), "indirect", c_span.sentence_index, 1.0))
    profiled = tiny_profiler.profile(Article(id="b", text=text), sentences, attributions)
    assert (profiled[-1].source_type, profiled[-1].anonymous) == expected


def test_profile_rejects_a_single_attribution(tiny_profiler: SourceProfiler) -> None:
    sentences, attributions = _attributions()
    with pytest.raises(TypeError, match="sequence of attributions"):
        tiny_profiler.profile(Article(id="a", text=TEXT), sentences, attributions[0])  # type: ignore[arg-type]
    assert tiny_profiler.profile(Article(id="a", text=TEXT), sentences, []) == ()


def test_profile_many_equals_profile_one_article_at_a_time(
    tiny_profiler: SourceProfiler, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences, attributions = _attributions()
    quiet = "It rained all day in the north."
    articles = [Article(id="a", text=TEXT), Article(id="q", text=quiet), Article(id="a2", text=TEXT)]
    segmented = [sentences, RuleSegmenter()(articles[1]), sentences]
    linked = [attributions, [], attributions[1:]]  # no attributions at all; an article's later ones only
    one_by_one = [tiny_profiler.profile(*args) for args in zip(articles, segmented, linked, strict=True)]
    calls = []
    predict = tiny_profiler.predict
    monkeypatch.setattr(
        tiny_profiler, "predict", lambda items, batch_size=32: calls.append(len(items)) or predict(items)
    )
    assert tiny_profiler.profile_many(articles, segmented, linked) == one_by_one
    assert calls == [sum(1 for atts in linked for a in atts if a.source)]  # one classifier run for all the articles
    with pytest.raises(ValueError, match="3 articles, 3 sentence lists and 2 attribution lists"):
        tiny_profiler.profile_many(articles, segmented, linked[:2])


def test_profile_gold_profiles_chunks_of_records_as_one_at_a_time_would(
    tiny_profiler: SourceProfiler, monkeypatch: pytest.MonkeyPatch
) -> None:
    def at(needle: str) -> tuple[tuple[int, int]]:
        return ((TEXT.index(needle), TEXT.index(needle) + len(needle)),)

    said = GoldAttribution(at("said"), ((TEXT.index("It said"), TEXT.index("It said") + 2),))
    told = GoldAttribution(at("told"), at("A military source"), at("that clashes were underway"))
    unsourced = GoldAttribution(at("was reported"), ())
    records = [
        LabeledArticle("r1", TEXT, ("source_profile",), (said, told)),
        LabeledArticle("r2", TEXT, ("source_profile",), (unsourced,)),  # no source: nothing to classify
        LabeledArticle("r3", TEXT, ("source_profile",), (told, unsourced, said)),
    ]
    segmenter = RuleSegmenter()
    one_by_one = []
    for record in records:
        sentences = segmenter(Article(id=record.id, text=record.text))
        one_by_one.append(
            tiny_profiler.profile(
                Article(record.id, record.text), sentences, gold_attributions(TEXT, sentences, record.attributions)
            )
        )
    calls = []
    predict = tiny_profiler.predict
    monkeypatch.setattr(
        tiny_profiler, "predict", lambda items, batch_size=32: calls.append(len(items)) or predict(items)
    )
    profiled = list(profile_gold(tiny_profiler, records, segmenter, chunk_size=2))
    assert [article.id for article, _, _ in profiled] == ["r1", "r2", "r3"]
    assert [attributions for _, _, attributions in profiled] == one_by_one
    assert [a.source_type is not None for _, _, attributions in profiled for a in attributions] == [True] * 6
    assert calls == [2, 2]  # one classifier run per chunk of two records: r1 + r2, then r3


def test_save_and_load_round_trip(tiny_profiler: SourceProfiler, tmp_path: Path) -> None:
    tiny_profiler.model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    tiny_profiler.save_pretrained(tmp_path / "p", metrics={"note": 1})
    config = json.loads((tmp_path / "p" / CONFIG_NAME).read_text(encoding="utf-8"))
    assert "encoder.embeddings.word_embeddings.weight" in config["frozen_parameters"]
    assert config["metrics"] == {"note": 1}
    loaded = SourceProfiler.from_pretrained(tmp_path / "p")
    sentences, attributions = _attributions()
    items = [build_input(TEXT, sentences, a) for a in attributions[:2]]
    for (t1, p1, a1), (t2, p2, a2) in zip(tiny_profiler.predict(items), loaded.predict(items), strict=True):
        assert t1 == t2 and abs(p1 - p2) < 1e-2 and abs(a1 - a2) < 1e-2
    config["surprise"] = True
    (tmp_path / "p" / CONFIG_NAME).write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['surprise'\]"):
        SourceProfiler.from_pretrained(tmp_path / "p")
    with pytest.raises(FileNotFoundError, match="not a saved source profiler"):
        SourceProfiler.from_pretrained(tmp_path)


def test_lora_profiler_saves_adapters_and_heads_and_loads_merged(tiny_base_dir: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from attribution.tagging.lora import LoraSettings, has_injected_lora

    profiler = SourceProfiler.from_base(str(tiny_base_dir), max_length=48)
    profiler.add_lora(LoraSettings(rank=4, dropout=0.0))
    nudge_trainable(profiler.model, seed=2)  # adapters away from their zero start: merging changes the encoder
    profiler.model.eval()
    sentences, attributions = _attributions()
    items = [build_input(TEXT, sentences, a) for a in attributions[:2]]
    before = profiler.predict(items)
    profiler.save_pretrained(tmp_path / "first")
    names = set(load_file(str(tmp_path / "first" / WEIGHTS_NAME)))
    assert names and all("lora_" in name or name.split(".")[0] in ("type_head", "anonymous_head") for name in names)
    config = json.loads((tmp_path / "first" / CONFIG_NAME).read_text(encoding="utf-8"))
    assert config["lora"] == {"rank": 4, "alpha": 8, "dropout": 0.0} and config["frozen_parameters"] == []

    loaded = SourceProfiler.from_pretrained(tmp_path / "first")
    assert not has_injected_lora(loaded.model)
    for (t1, p1, a1), (t2, p2, a2) in zip(before, loaded.predict(items), strict=True):
        assert t1 == t2 and abs(p1 - p2) < 1e-2 and abs(a1 - a2) < 1e-2
    base_weights = SourceProfiler.from_base(str(tiny_base_dir)).model.encoder.state_dict()
    merged_weights = loaded.model.encoder.state_dict()
    assert set(merged_weights) == set(base_weights)  # the plain encoder again ...
    assert any(not torch.equal(base_weights[k], merged_weights[k]) for k in base_weights)  # ... with adapters merged
    loaded.save_pretrained(tmp_path / "second")
    assert (tmp_path / "first" / WEIGHTS_NAME).read_bytes() == (tmp_path / "second" / WEIGHTS_NAME).read_bytes()
    assert has_injected_lora(SourceProfiler.from_pretrained(tmp_path / "first", merge=False).model)


# --- training -------------------------------------------------------------------------------------


def test_training_config() -> None:
    with pytest.raises(ValueError, match="unknown source-profile training setting"):
        ProfileTrainingConfig.from_dict({"out": "m", "epoch": 1})
    with pytest.raises(ValueError, match="resolution must be one of"):
        ProfileTrainingConfig(out="m", resolution="oracle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dev_share"):
        ProfileTrainingConfig(out="m", dev_share=1.0)
    assert ProfileTrainingConfig(out="m").extra_train_data[0].endswith("war_sources.jsonl")
    with pytest.raises(ValueError, match="lora_rank must be >= 0"):
        ProfileTrainingConfig(out="m", lora_rank=-1)
    with pytest.raises(ValueError, match="lora_rank and init_encoder"):
        ProfileTrainingConfig(out="m", lora_rank=8, init_encoder="models/attribution-tagger")
    with pytest.raises(ValueError, match="inference_max_lengths must be at least 16"):
        ProfileTrainingConfig(out="m", inference_max_lengths=[128, 8])


@pytest.mark.parametrize(
    ("scores", "chosen"),
    [
        ({160: 1.79, 128: 1.79, 112: 1.78, 96: 1.78}, 128),  # the shortest that loses nothing
        ({160: 1.79, 128: 1.78, 96: 1.80}, 96),  # a gap is fine: any length as good counts
        ({160: 1.79, 128: 1.78, 96: 1.77}, 160),  # every shorter input scores lower: keep the trained length
        ({160: 1.79}, 160),
    ],
)
def test_inference_length_is_the_shortest_as_good_on_dev(scores: dict[int, float], chosen: int) -> None:
    assert shortest_as_good(scores, 160) == chosen


def test_dev_part_is_stable_and_about_the_share() -> None:
    ids = [f"article-{i}" for i in range(1000)]
    share = sum(in_dev_part(i, 0.15) for i in ids) / len(ids)
    assert 0.1 < share < 0.2
    assert [in_dev_part(i, 0.15) for i in ids[:20]] == [in_dev_part(i, 0.15) for i in ids[:20]]


def test_war_sources_file() -> None:
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))
    sentences = sum(len(RuleSegmenter()(Article(id=r.id, text=r.text))) for r in records)
    assert sentences >= 150
    types = {a.source_type for r in records for a in r.attributions}
    assert {"military", "armed_group", "international", "ngo", "citizen", "media", "unspecified"} <= types
    assert any(a.anonymous for r in records for a in r.attributions)
    assert any(a.via for r in records for a in r.attributions)
    assert any(a.resolved_source for r in records for a in r.attributions)
    for record in records:
        assert set(record.layers) == {"attributions", "source_profile"}
        for a in record.attributions:
            assert a.stance is not None and a.anonymous is not None and a.cue


def test_profile_examples_from_war_sources() -> None:
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))[:3]
    examples = profile_examples(records)
    assert examples[0][0].first.startswith("[S] A military source [/S] [C] told [/C] FNA")
    assert examples[0][1:] == (1, 1)  # military, anonymous


@pytest.mark.parametrize(
    ("dev_share", "lora_rank"),
    [(0.3, 0), (0.0, 0), (0.3, 4)],  # dev_share 0.0: no dev part, nothing is chosen, the last step is saved
)
def test_train_on_tiny_base(tiny_base_dir: Path, tmp_path: Path, dev_share: float, lora_rank: int) -> None:
    validation = tmp_path / "validation.jsonl"
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))
    validation.write_text("\n".join(json.dumps(r.to_dict()) for r in records[:4]) + "\n", encoding="utf-8")
    config = ProfileTrainingConfig(
        out=str(tmp_path / "model"),
        label_data=[],
        validation_data=[str(validation)],
        base_model=str(tiny_base_dir),
        epochs=1,
        max_steps=2,
        max_length=48,
        inference_max_lengths=[32, 128],  # 128 is not shorter than max_length: not tried
        max_train_examples=24,
        dev_share=dev_share,
        lora_rank=lora_rank,
        checkpoint_dir=str(tmp_path / "ckpt"),
    )
    metrics = train_source_profiler(config)
    chosen = {"dev", "anonymous_threshold", "inference_max_length"}
    assert {"train_seconds", "validation"} | (chosen if dev_share else set()) <= set(metrics)
    assert dev_share or not chosen & set(metrics)
    if dev_share:
        assert set(metrics["dev_score_by_max_length"]) == {"48", "32"}
        assert SourceProfiler.from_pretrained(tmp_path / "model").config.max_length == metrics["inference_max_length"]
    assert 0.0 <= metrics["validation"]["type_accuracy"] <= 1.0
    for name in (CONFIG_NAME, WEIGHTS_NAME, "README.md", "training_metrics.json"):
        assert (tmp_path / "model" / name).is_file()
    card = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert "PolNeAR" in card
    assert ("LoRA adapters (rank 4)" in card) == bool(lora_rank)
    saved = SourceProfiler.from_pretrained(tmp_path / "model")
    assert saved.config.lora == ({"rank": 4, "alpha": 8, "dropout": 0.1} if lora_rank else {})
    if lora_rank:  # continuing a LoRA profiler trains its adapters and heads, nothing else
        profiler = load_init_profiler(replace(config, init_profiler=str(tmp_path / "model"), lora_rank=0))
        trainable = [n for n, p in profiler.model.named_parameters() if p.requires_grad]
        assert trainable and all("lora_" in n or not n.startswith("encoder.") for n in trainable)


# --- label files and metrics --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"case": "x", "split": "train", "source_type": "alien", "stance": "neutral", "anonymous": False},
            "source_type",
        ),
        ({"case": "x", "split": "train", "source_type": "ngo", "stance": "angry", "anonymous": False}, "stance"),
        ({"case": "x", "split": "train", "source_type": "ngo", "stance": "neutral", "anonymous": "no"}, "anonymous"),
        ({"case": "x", "split": "test", "source_type": "ngo", "stance": "neutral", "anonymous": False}, "split"),
        (
            {"case": "x", "split": "dev", "source_type": "ngo", "stance": "neutral", "anonymous": False, "text": "t"},
            "unknown key",
        ),
    ],
)
def test_label_rows_are_validated(tmp_path: Path, row: dict, message: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=message):
        read_label_rows([path])


def test_duplicate_cases_are_rejected(tmp_path: Path) -> None:
    row = {"case": "x", "split": "dev", "source_type": "ngo", "stance": "neutral", "anonymous": False}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"labels.jsonl:2: duplicate case 'x'"):
        read_label_rows([path])


def test_packaged_label_files_are_offsets_only() -> None:
    rows = read_label_rows(sorted(RESOURCES.glob("polnear_labels.*.jsonl")))
    assert len(rows) >= 1000
    assert {row["split"] for _, row in rows} == {"train", "dev"}
    assert all(
        set(row)
        <= {
            "case",
            "split",
            "article",
            "attribution_index",
            "source",
            "cue",
            "source_type",
            "anonymous",
            "via",
            "resolved_source",
            "stance",
            "note",
        }
        for _, row in rows
    )


def test_second_labels_cover_validation_cases_only() -> None:
    """The blind second labelling (LABELING.md, "Agreement") names existing validation cases, labels only."""
    dev_cases = {row["case"] for _, row in read_label_rows(sorted(RESOURCES.glob("polnear_labels.*.jsonl")))
                 if row["split"] == "dev"}  # fmt: skip
    lines = (RESOURCES / "second_labels.dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == len({row["case"] for row in rows}) >= 150
    for row in rows:
        assert set(row) == {"case", "source_type", "anonymous", "note"}
        assert row["case"] in dev_cases
        assert row["source_type"] in SOURCE_TYPES and isinstance(row["anonymous"], bool)


@pytest.mark.data
@pytest.mark.skipif(not POLNEAR.is_dir(), reason=f"{POLNEAR} is absent")
def test_read_profile_labels_with_polnear_texts() -> None:
    records = read_profile_labels(splits=["dev"])
    labelled = [a for r in records for a in r.attributions if a.source_type is not None]
    assert len(labelled) >= 300
    assert all(r.extra["meta"]["split"] == "dev" and r.layers == ("source_profile",) for r in records)
    resolved = [a for a in labelled if a.resolved_source]
    assert resolved and all(isinstance(a.resolved_source, str) for a in resolved)


@pytest.mark.parametrize(
    ("gold", "predicted", "match"),
    [
        ("Donald Trump", "Trump", True),
        ("the Observatory", "Syrian Observatory", True),
        ("Mr. Obama", "Barack Obama", True),
        ("Clinton", "Sanders", False),
        (None, None, True),
        ("Clinton", None, False),
        (None, "Clinton", False),
    ],
)
def test_names_match(gold: str | None, predicted: str | None, match: bool) -> None:
    assert names_match(gold, predicted) is match


def test_type_and_binary_scores() -> None:
    scores = type_scores(["ngo", "media", "ngo", "military"], ["ngo", "ngo", "ngo", "military"])
    assert scores["accuracy"] == 0.75
    assert scores["per_type"]["media"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "n_gold": 1}
    assert scores["confusion"]["labels"] == ["military", "ngo", "media"]
    assert binary_scores([True, False], [False, False])["f1"] == 0.0
    with pytest.raises(ValueError, match="2 gold and 1 predicted"):
        type_scores(["a", "b"], ["a"])


def test_profile_evaluator_and_matching() -> None:
    text = "He said no. Officials told FNA."
    gold = [
        GoldAttribution(((3, 7),), ((0, 2),), source_type="political", anonymous=False, stance="neutral"),
        GoldAttribution(
            ((22, 26),), ((12, 21),), via=((27, 30),), source_type="government", anonymous=True, stance="neutral"
        ),
    ]
    predicted = [
        Attribution(
            (),
            (Span("SOURCE", 12, 21, "Officials", 1),),
            (),
            "indirect",
            1,
            1.0,
            "government",
            True,
            (Span("SOURCE", 27, 30, "FNA", 1),),
            None,
            "neutral",
        ),
    ]
    matched = match_by_source(text, gold, predicted)
    assert matched == [None, predicted[0]]
    evaluator = ProfileEvaluator()
    for g, p in zip(gold, matched, strict=True):
        evaluator.add(g, p)
    results = evaluator.results()
    assert (results["n_gold"], results["n_attributions"], results["coverage"]) == (2, 1, 0.5)
    assert (results["type_accuracy"], results["type_accuracy_all"]) == (1.0, 0.5)
    assert results["via"]["accuracy"] == 1.0 and results["anonymous"]["f1"] == 1.0
    assert "end to end" not in format_profile_metrics({"source_profile": results})


class _Analyzer:
    """The analyzer surface :func:`evaluate_profile_layers` uses: gold attributions as its output."""

    def __init__(self, profiler: SourceProfiler, records: list[LabeledArticle]) -> None:
        self.source_profiler = profiler
        self.segmenter = RuleSegmenter()
        self._records = {r.id: r for r in records}

    def analyze_many(self, articles, batch_size: int = 32):  # type: ignore[no-untyped-def]
        from types import SimpleNamespace

        for article in articles:
            record = self._records[article.id]
            sentences = self.segmenter(article)
            yield SimpleNamespace(
                sentences=sentences,
                attributions=tuple(gold_attributions(record.text, sentences, record.attributions)),
                distancing=(),
            )


def test_evaluate_profile_layers(tiny_profiler: SourceProfiler) -> None:
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))[:5]
    records += list(read_annotations(RESOURCES / "distancing.test.jsonl"))[:10]
    evaluation = evaluate_profile_layers(_Analyzer(tiny_profiler, records), records)
    profile, distancing = evaluation.metrics["source_profile"], evaluation.metrics["distancing"]
    assert profile["n_attributions"] == sum(len(r.attributions) for r in records)
    assert profile["end_to_end"]["coverage"] == 1.0
    for key in ("type_accuracy", "anonymous", "stance_accuracy", "via", "resolution"):  # the analyzer found the gold
        assert profile["end_to_end"][key] == profile[key], key
    assert profile["via"]["accuracy"] > 0.5 and profile["stance_accuracy"] > 0.5
    assert distancing["n_gold"] == 10 and distancing["f1"] == 1.0
    text = format_profile_metrics(evaluation.metrics)
    assert "type accuracy" in text and "distancing markers" in text
    assert text.count("via accuracy") == 2 and text.count("resolution accuracy") == 2  # given gold spans, end to end
    assert evaluation.n_articles == {"source_profile": 5, "distancing": 10}


def test_evaluate_without_profiler_skips(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ATTRIBUTION_MODEL_DIR", str(tmp_path))
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))[:1]
    evaluation = evaluate_profile_layers(object(), records, end_to_end=False)
    assert evaluation.metrics == {}
    assert evaluation.skipped[0].startswith("source_profile: skipped, no source profiler")


def test_cli_evaluate_and_train(
    tiny_analyzer_dir: Path,
    tiny_profiler: SourceProfiler,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_base_dir: Path,
) -> None:
    from attribution.cli import main

    models = tmp_path / "models"
    tiny_profiler.save_pretrained(models / "source-profile")
    monkeypatch.setenv("ATTRIBUTION_MODEL_DIR", str(models))
    data = tmp_path / "data.jsonl"
    records = list(read_annotations(RESOURCES / "war_sources.jsonl"))[:3]
    records += list(read_annotations(RESOURCES / "distancing.test.jsonl"))[:3]
    data.write_text("\n".join(json.dumps(r.to_dict()) for r in records) + "\n", encoding="utf-8")
    out = tmp_path / "metrics.json"
    code = main(
        ["evaluate", "--data", str(data), "--model", str(tiny_analyzer_dir), "--json", str(out), "--bootstrap", "0"]
    )
    assert code == 0
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert {"type_accuracy", "type_macro_f1", "anonymous", "stance_accuracy", "end_to_end"} <= set(
        metrics["source_profile"]
    )
    assert "f1" in metrics["distancing"] and "f1" in metrics["source_profile"]["anonymous"]
    code = main(
        [
            "train",
            "--task",
            "source-profile",
            "--format",
            "jsonl",
            "--data",
            str(data),
            "--dev",
            str(data),
            "--base-model",
            str(tiny_base_dir),
            "--epochs",
            "1",
            "--max-steps",
            "1",
            "--out",
            str(tmp_path / "trained"),
        ]
    )
    assert code == 0 and (tmp_path / "trained" / CONFIG_NAME).is_file()
    assert main(["train", "--task", "source-profile", "--format", "ptc", "--data", str(data), "--out", "x"]) == 2


@pytest.mark.skipif(not (SHIPPED / CONFIG_NAME).is_file(), reason="models/source-profile is absent")
@pytest.mark.parametrize(
    ("folder", "base", "lora"),
    [
        (SHIPPED, "sentence-transformers/all-mpnet-base-v2", True),  # the default: adapters, merged on load
        (SHIPPED.parent / "source-profile-minilm", "sentence-transformers/all-MiniLM-L6-v2", False),  # the fast one
    ],
    ids=["default", "minilm"],
)
def test_shipped_profiler(folder: Path, base: str, lora: bool) -> None:
    assert (folder / WEIGHTS_NAME).stat().st_size <= 25 * 1024 * 1024
    assert (folder / "README.md").is_file()
    profiler = SourceProfiler.from_pretrained(folder)
    assert profiler.config.base_model == base and bool(profiler.config.lora) == lora
    sentences, attributions = _attributions()
    profiled = profiler.profile(Article(id="a", text=TEXT), sentences, attributions)
    assert profiled[1].source_type == "military" and profiled[1].anonymous is True
    assert profiled[0].source_type == "ngo" and profiled[0].anonymous is False


def test_train_from_a_label_studio_export(tiny_base_dir: Path, tmp_path: Path) -> None:
    from attribution.converters.labelstudio import write_labelstudio

    export = tmp_path / "export.json"
    write_labelstudio(list(read_annotations(RESOURCES / "war_sources.jsonl"))[:12], export)
    config = ProfileTrainingConfig(
        out=str(tmp_path / "model"),
        label_data=[],
        extra_train_data=[str(export)],
        data_format="labelstudio",
        base_model=str(tiny_base_dir),
        max_steps=1,
        max_length=48,
        dev_share=0.0,
        checkpoint_dir=str(tmp_path / "ckpt"),
    )
    metrics = train_source_profiler(config)
    assert metrics["train_examples"] > 0
    SourceProfiler.from_pretrained(tmp_path / "model")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({"data_format": "ptc", "extra_train_data": ["x"]}, "data_format must be one of", id="format"),
        pytest.param({"data_format": "labelstudio"}, "still lists the packaged", id="default-records-are-jsonl"),
    ],
)
def test_bad_record_format(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProfileTrainingConfig(out="m", label_data=[], **settings)


def _attribution_at(text: str, source: str, cue: str) -> Attribution:
    start = text.index(source)
    cue_start = text.index(cue, start + len(source))
    return Attribution(
        (Span("CUE", cue_start, cue_start + len(cue), cue, 0),),
        (Span("SOURCE", start, start + len(source), source, 0),),
        (),
        "indirect",
        0,
        1.0,
    )


@pytest.mark.parametrize(
    ("text", "source", "cue", "anonymous"),
    [
        (
            "A spokesman for the militia, who asked not to be named, said the town fell.",
            "A spokesman for the militia",
            "said",
            True,
        ),
        # the tagger read ", who | asked | not to be named" as an attribution: the phrase is still seen
        (
            "A spokesman for the rebels, who asked not to be named, insisted they would hold.",
            "A spokesman for the rebels, who",
            "asked",
            True,
        ),
        ("Two officials, speaking on condition of anonymity, said talks had stalled.", "Two officials", "said", True),
        (
            "A shepherd, who asked that his name not be used, said the jets came at night.",
            "A shepherd, who asked that his name not be used,",
            "said",
            True,
        ),
        ("The officer, who was not authorized to speak to the media, said ten men died.", "The officer", "said", True),
        # negatives: declining to comment is not anonymity; a phrase about someone in the content; a plain name
        ("Smith, who declined to comment further, said the plan was sound.", "Smith", "said", False),
        ("Officials said a soldier, who asked not to be named, was wounded.", "Officials", "said", False),
        ("Rami Abdel Rahman said the toll was rising.", "Rami Abdel Rahman", "said", False),
    ],
)
def test_says_anonymous(text: str, source: str, cue: str, anonymous: bool) -> None:
    assert says_anonymous(text, _attribution_at(text, source, cue)) is anonymous


@pytest.mark.parametrize(
    ("first", "second", "type_kappa", "anonymous_f1"),
    [
        ([("ngo", True), ("media", False)], [("ngo", True), ("media", False)], 1.0, 1.0),  # full agreement
        ([("ngo", True), ("media", False)], [("media", False), ("ngo", True)], -1.0, 0.0),  # crossed: below chance
        ([("ngo", False), ("ngo", False)], [("ngo", False), ("ngo", False)], 1.0, 0.0),  # one label, no positives
    ],
)
def test_label_agreement(first: list, second: list, type_kappa: float, anonymous_f1: float) -> None:
    result = label_agreement(first, second)
    assert (result["type"]["kappa"], result["anonymous"]["f1"]) == (type_kappa, anonymous_f1)


@pytest.mark.parametrize(("first", "second"), [([], []), ([("ngo", True)], [])])
def test_label_agreement_rejects_empty_or_unpaired_labels(first: list, second: list) -> None:
    with pytest.raises(ValueError, match="label_agreement"):
        label_agreement(first, second)
