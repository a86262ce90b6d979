"""BABE converter, article-level split, sentence-bias classifier, its trainer and the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attribution.annotations import AnnotationError, GoldSentenceLabel, LabeledArticle
from attribution.cli import main
from attribution.converters.babe import article_key, babe_id, babe_split, locate_words, read_babe
from attribution.sentence_bias_training import (
    SentenceBiasConfig,
    evaluate_sentence_bias,
    labeled_sentences,
    sentence_scores,
    split_records,
)
from attribution.tagging.sentence_bias import ClassifierConfig, SentenceBiasClassifier
from attribution.training import load_labeled

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models" / "sentence-bias"
HEADER = "text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words\n"

# line 2: quoted text with "" escapes and a ';' inside; line 3: No agreement; lines 4-5: one row over two lines;
# line 6: empty link, biased word not in the text; line 7: the line-2 sentence again (same text)
FIXTURE = (
    HEADER + '"""We have one beautiful law,"" Trump said; his BIZARRE syntax.";https://news.example/1;Alternet;'
    "gun control;left;Biased;Somewhat factual but also opinionated;['bizarre', 'beautiful']\n"
    "The senate met on Tuesday.;https://news.example/1;Alternet;gun control;left;No agreement;No agreement;[]\n"
    '"The army said the\nroad reopened.";https://news.example/2;Reuters;war;center;Non-biased;Entirely factual;[]\n'
    "Radicals stormed the hall.;;Breitbart;protest;right;Biased;Expresses writer’s opinion;['radical', 'demoize']\n"
    '"""We have one beautiful law,"" Trump said; his BIZARRE syntax.";https://news.example/9;Alternet;'
    "gun control;left;Biased;Somewhat factual but also opinionated;['bizarre']\n"
)


@pytest.fixture
def babe_csv(tmp_path: Path) -> Path:
    path = tmp_path / "final_labels_SG2.csv"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def test_read_babe_fixture(babe_csv: Path) -> None:
    records = list(read_babe(babe_csv))
    assert len(records) == 4  # the No agreement row is skipped
    first, army, radicals, again = records
    assert first.text == '"We have one beautiful law," Trump said; his BIZARRE syntax.'
    assert first.id == babe_id(first.text) and first.id.startswith("babe-") and len(first.id) == 17
    assert again.id == first.id + "-2" and again.text == first.text
    assert first.layers == ("sentence_labels",)
    assert first.sentence_labels == (GoldSentenceLabel(span=((0, len(first.text)),), biased=True),)
    assert [first.text[s:e] for s, e in first.extra["biased_words"]] == ["beautiful", "BIZARRE"]
    assert first.extra["meta"] == {
        "news_link": "https://news.example/1",
        "outlet": "Alternet",
        "topic": "gun control",
        "type": "left",
        "label_opinion": "Somewhat factual but also opinionated",
    }
    assert army.text == "The army said the\nroad reopened." and army.sentence_labels[0].biased is False
    assert army.extra["biased_words"] == [] and "unlocated_biased_words" not in army.extra
    # "radical" is not a whole word in "Radicals"; "demoize" (an annotator typo) is not in the text
    assert radicals.extra["biased_words"] == []
    assert radicals.extra["unlocated_biased_words"] == ["radical", "demoize"]
    assert article_key(radicals) == radicals.text  # no link: the text is the article key


def test_load_labeled_reads_babe(babe_csv: Path) -> None:
    assert [r.id for r in load_labeled([babe_csv], "babe")] == [r.id for r in read_babe(babe_csv)]


@pytest.mark.parametrize(
    ("text", "words", "spans", "missing"),
    [
        ("A bizarre, BIZARRE day.", ["bizarre"], [[2, 9], [11, 18]], []),
        ("Muslim “refugees” arrived.", ['"refugees"'], [[8, 16]], []),
        ("so-called experts", ["so-called"], [[0, 9]], []),
        ("Radicals arrived.", ["radical"], [], ["radical"]),  # no partial-word match
        ("The plan failed.", ["", "  "], [], ["", "  "]),
        ("The plan failed.", [], [], []),
    ],
)
def test_locate_words(text: str, words: list[str], spans: list[list[int]], missing: list[str]) -> None:
    assert locate_words(text, words) == (spans, missing)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("Fine.;l;o;t;x;Maybe;f;[]\n", 2, "column 'label_bias' is 'Maybe'"),
        ("Fine.;l;o;t;x;Biased;f;[oops\n", 2, "column 'biased_words'"),
        ("Fine.;l;o;t;x;Biased;f;{'a': 1}\n", 2, "must be a list of strings"),
        ("Fine.;l;o;t;x;Biased\n", 2, "fewer fields than the header"),
        ("Fine.;l;o;t;x;Biased;f;[];extra\n", 2, "more fields than the header"),
        ("  ;l;o;t;x;Biased;f;[]\n", 2, "column 'text' is empty"),
        ('"two\nlines";l;o;t;x;Biased;f;[]\nOk.;l;o;t;x;biased;f;[]\n', 4, "column 'label_bias' is 'biased'"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path}:{line}: .*{message}"):
        list(read_babe(path))


def test_header_without_label_column(tmp_path: Path) -> None:
    path = tmp_path / "comma.csv"
    path.write_text("text,label_bias\nA,Biased\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path}:1: header lacks column\(s\) \['text', 'label_bias'\]"):
        list(read_babe(path))


def _record(text: str, link: str) -> LabeledArticle:
    return LabeledArticle(
        id=babe_id(text),
        text=text,
        layers=("sentence_labels",),
        extra={"meta": {"news_link": link}},
        sentence_labels=(GoldSentenceLabel(((0, len(text)),), True),),
    )


def test_split_is_deterministic_and_by_article() -> None:
    splits = [babe_split(_record(f"Sentence {i}.", f"https://news.example/{i}")) for i in range(2000)]
    assert splits == [babe_split(_record(f"Sentence {i}.", f"https://news.example/{i}")) for i in range(2000)]
    assert 0.17 < splits.count("validation") / len(splits) < 0.23
    # every sentence of one article lands on the same side, whatever its text
    assert {babe_split(_record(f"Other {i}.", "https://news.example/2")) for i in range(50)} == {"validation"}
    assert {babe_split(_record(f"Other {i}.", "https://news.example/0")) for i in range(50)} == {"train"}
    # an empty link falls back to the text
    assert babe_split(_record("https://news.example/2", "")) == "validation"


def _babe_rows(path: Path, rows: list[tuple[str, int, str]]) -> Path:
    """A BABE CSV of ``(text, article number, label)`` rows."""
    body = "".join(f"{text};https://news.example/{article};O;t;x;{label};f;[]\n" for text, article, label in rows)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_split_records_keeps_validation_texts_out_of_extra_training(tmp_path: Path) -> None:
    sg2 = _babe_rows(tmp_path / "sg2.csv", [("In validation.", 2, "Biased"), ("In training.", 0, "Non-biased")])
    extra = tmp_path / "mbic.csv"
    extra.write_text(
        HEADER
        + "in validation. ;https://other.example/a;O;t;x;Non-biased;f;[]\n"  # same text, other link
        + "Same article.;https://news.example/2;O;t;x;Biased;f;[]\n"  # same article as a validation row
        + "New sentence.;https://news.example/0;O;t;x;Biased;f;[]\n",
        encoding="utf-8",
    )
    config = SentenceBiasConfig(train_data=[str(sg2)], extra_train_data=[str(extra)], out=str(tmp_path / "m"))
    train, dev, counts = split_records(config)
    assert [r.text for r in dev] == ["In validation."]
    assert [r.text for r in train] == ["In training.", "New sentence."]
    assert counts["extra_dropped_overlapping_validation"] == 2
    # with dev data given, nothing is held out by hash, but rows sharing a text or article with it still go
    config = SentenceBiasConfig(train_data=[str(sg2)], dev_data=[str(extra)], out=str(tmp_path / "m"))
    assert config.effective_holdout == "none"
    train, dev, counts = split_records(config)
    assert len(dev) == 3 and train == [] and counts["train_dropped_overlapping_validation"] == 2
    config = SentenceBiasConfig(train_data=[str(sg2)], dev_data=[str(tmp_path / "m.csv")], out="m")
    (tmp_path / "m.csv").write_text(HEADER + "Unrelated.;https://x.example/;O;t;x;Biased;f;[]\n", encoding="utf-8")
    train, dev, _ = split_records(config)
    assert [r.text for r in train] == ["In validation.", "In training."] and len(dev) == 1


def _sentence_jsonl(path: Path, rows: list[tuple[str, bool]]) -> Path:
    lines = [
        json.dumps(
            {
                "id": f"s{i}",
                "text": text,
                "layers": ["sentence_labels"],
                "sentence_labels": [{"span": [[0, len(text)]], "biased": biased}],
            }
        )
        for i, (text, biased) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_split_records_reads_extra_jsonl_and_keeps_test_texts_out(tmp_path: Path) -> None:
    rows = [("The army took the town.", 0, "Non-biased"), ("In validation.", 2, "Biased")]
    sg2 = _babe_rows(tmp_path / "sg2.csv", rows)
    extra = _sentence_jsonl(
        tmp_path / "war.jsonl",
        [("The heroic army liberated the town.", True), ("Rebels shelled the road.", False), ("In validation.", True)],
    )
    test = _sentence_jsonl(tmp_path / "test.jsonl", [("the army took the town. ", False), ("Rebels left.", False)])
    settings = {"train_data": [str(sg2)], "extra_train_data": [str(extra)], "out": "m"}
    config = SentenceBiasConfig(**settings, extra_format="jsonl", test_data=[str(test)])
    train, dev, counts = split_records(config)
    assert [r.text for r in dev] == ["In validation."]
    # the BABE row equal to a test sentence and the extra row equal to a validation sentence are dropped
    assert [r.text for r in train] == ["The heroic army liberated the town.", "Rebels shelled the road."]
    assert counts["train_dropped_overlapping_validation"] == 1 and counts["extra_dropped_overlapping_validation"] == 1
    # one format per extra file: a BABE CSV and the JSONL file in one run
    sg1 = _babe_rows(tmp_path / "sg1.csv", [("An expert-labelled row.", 5, "Biased")])
    mixed = {**settings, "extra_train_data": [str(sg1), str(extra)], "extra_format": ["babe", "jsonl"]}
    train, _, counts = split_records(SentenceBiasConfig(**mixed))
    texts = ["The army took the town.", "An expert-labelled row.", "The heroic army liberated the town."]
    assert [r.text for r in train] == [*texts, "Rebels shelled the road."]
    assert counts["extra_records"] == 3 and counts["extra_dropped_overlapping_validation"] == 1
    # without extra_format the extra file is read as data_format (BABE CSV) and fails
    with pytest.raises(ValueError, match=r"war\.jsonl"):
        split_records(SentenceBiasConfig(**settings))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epoch": 3}, r"unknown sentence-bias training setting\(s\) \['epoch'\]"),
        ({"train_data": []}, "train_data must name at least one file"),
        ({"data_format": "csv"}, "data_format must be one of"),
        ({"extra_format": "tsv"}, "extra_format must be one of"),
        ({"extra_format": ["babe", "tsv"], "extra_train_data": ["a.csv", "b"]}, "extra_format must be one of"),
        (
            {"extra_format": ["babe"], "extra_train_data": ["a.csv", "b.jsonl"]},
            "lists 1 formats for 2 extra_train_data",
        ),
        ({"test_format": "txt"}, "test_format must be one of"),
        ({"holdout": "random"}, "holdout must be one of"),
        ({"learning_rate": 0}, "must be positive"),
        ({"warmup_ratio": 1.0}, r"warmup_ratio must be in \[0, 1\)"),
        ({"num_threads": 0}, "num_threads must be at least 1"),
        ({"max_length": 4}, "max_length must be at least 8"),
    ],
)
def test_training_config_rejects_bad_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SentenceBiasConfig.from_dict({"train_data": ["sg2.csv"], "out": "m", **settings})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_len": 64}, r"unknown key\(s\) \['max_len'\]"),
        ({"labels": ["a", "b"]}, "differ from the supported"),
        ({"weights_dtype": "int8"}, "weights_dtype must be"),
    ],
)
def test_classifier_config_rejects_bad_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClassifierConfig.from_dict(settings)


@pytest.mark.parametrize(
    ("gold", "predicted", "macro_f1", "matrix"),
    [
        ([True, False], [True, False], 1.0, [[1, 0], [0, 1]]),
        ([True, False], [False, True], 0.0, [[0, 1], [1, 0]]),
        ([True, True, False, False], [True, True, True, True], 0.3333, [[0, 2], [0, 2]]),
    ],
)
def test_sentence_scores(gold: list[bool], predicted: list[bool], macro_f1: float, matrix: list[list[int]]) -> None:
    scores = sentence_scores(gold, predicted)
    assert scores["macro_f1"] == macro_f1
    assert scores["confusion_matrix"] == {"labels": ["not_biased", "biased"], "matrix": matrix}
    assert set(scores["per_class"]["biased"]) == {"precision", "recall", "f1", "support"}


def test_sentence_scores_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        sentence_scores([True, False], [True])


def test_evaluate_needs_sentence_labels() -> None:
    record = LabeledArticle(id="a", text="x", layers=("attributions",))
    assert labeled_sentences([record]) == []
    with pytest.raises(ValueError, match="no record has the 'sentence_labels' layer"):
        evaluate_sentence_bias(object(), [record])


@pytest.fixture(scope="module")
def tiny_classifier(tiny_base_dir: Path) -> SentenceBiasClassifier:
    return SentenceBiasClassifier.from_base(str(tiny_base_dir), max_length=32)


def test_predict_shapes_and_order(tiny_classifier: SentenceBiasClassifier) -> None:
    texts = ["the army said", "officials told the source that the military said so", "x"]
    results = tiny_classifier.predict(texts, batch_size=2)
    assert len(results) == 3
    for biased, probability in results:
        assert isinstance(biased, bool) and 0.0 <= probability <= 1.0 and biased == (probability >= 0.5)
    # length-sorted batching does not change per-text results
    singles = [tiny_classifier.predict([t])[0][1] for t in texts]
    assert [p for _, p in results] == pytest.approx(singles, abs=1e-5)
    assert tiny_classifier.predict([]) == []
    with pytest.raises(TypeError, match="wrap a single sentence in a list"):
        tiny_classifier.predict("the army said")


def test_save_load_round_trip(tiny_classifier: SentenceBiasClassifier, tmp_path: Path) -> None:
    tiny_classifier.model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    tiny_classifier.save_pretrained(tmp_path, metrics={"macro_f1": 0.5})
    config = json.loads((tmp_path / "sentence_bias_config.json").read_text())
    assert config["frozen_parameters"] == ["bert.embeddings.word_embeddings.weight"]
    assert config["metrics"] == {"macro_f1": 0.5} and config["labels"] == ["not_biased", "biased"]
    loaded = SentenceBiasClassifier.from_pretrained(tmp_path)
    texts = ["the army said", "according to officials"]
    assert [p for _, p in loaded.predict(texts)] == pytest.approx(
        [p for _, p in tiny_classifier.predict(texts)], abs=2e-3
    )
    assert loaded.name == str(tmp_path)
    # the frozen embeddings stay frozen after loading, so saving again writes the same weights
    again = tmp_path / "again"
    loaded.save_pretrained(again)
    assert (again / "model.safetensors").read_bytes() == (tmp_path / "model.safetensors").read_bytes()


def test_from_pretrained_errors(tiny_classifier: SentenceBiasClassifier, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="sentence_bias_config.json is missing"):
        SentenceBiasClassifier.from_pretrained(tmp_path)
    tiny_classifier.save_pretrained(tmp_path)
    config_path = tmp_path / "sentence_bias_config.json"
    config_path.write_text(json.dumps({**json.loads(config_path.read_text()), "threshold": 0.3}))
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['threshold'\]"):
        SentenceBiasClassifier.from_pretrained(tmp_path)


def test_train_smoke_via_cli(tmp_path: Path, tiny_base_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ("the army said that the source told officials.", "Non-biased"),
        ("the military said so.", "Non-biased"),
        ("officials told the army.", "Biased"),
        ("according to the source, the army said.", "Biased"),
    ]
    body = "".join(f"{text};https://news.example/{i};O;t;x;{label};f;[]\n" for i, (text, label) in enumerate(rows))
    train, dev = tmp_path / "train.csv", tmp_path / "dev.csv"
    train.write_text(HEADER + body, encoding="utf-8")
    dev.write_text(HEADER + body.replace("news.example/", "dev.example/").replace(".;", "!;"), encoding="utf-8")
    out, settings = tmp_path / "model", tmp_path / "settings.json"
    test = _sentence_jsonl(tmp_path / "war_test.jsonl", [("The terrorists fled.", True), ("The rebels left.", False)])
    settings.write_text(
        json.dumps({"checkpoint_dir": str(tmp_path / "checkpoints"), "num_threads": 1, "test_data": [str(test)]})
    )
    argv = ["train", "--task", "sentence-bias", "--data", str(train), "--dev", str(dev), "--format", "babe"]
    argv += ["--config", str(settings), "--base-model", str(tiny_base_dir), "--out", str(out)]
    argv += ["--epochs", "1", "--max-steps", "2"]
    import torch

    threads = torch.get_num_threads()
    assert main(argv) == 0
    assert torch.get_num_threads() == threads  # num_threads applies to the training run only
    assert "validation (4 sentences): macro-F1" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {
        "model.safetensors",
        "sentence_bias_config.json",
        "README.md",
        "training_metrics.json",
    }
    metrics = json.loads((out / "training_metrics.json").read_text())
    assert metrics["validation"]["support"] == 4 and metrics["train_sentences"] == 4
    assert set(metrics["validation"]) >= {"macro_f1", "accuracy", "per_class", "confusion_matrix"}
    card = (out / "README.md").read_text()
    for heading in ("## Training data and licence", "## Metrics (validation split)", "## Limitations and biases"):
        assert heading in card
    assert "AGPL-3.0" in card and "CC-BY-NC-4.0" in card
    assert metrics["test"][str(test)]["support"] == 2  # scored after training, choosing nothing
    assert "## Metrics (test set `war_test.jsonl`)" in card and "This set chose nothing" in card
    assert "test_data" not in card.split("## Hyperparameters")[1]
    classifier = SentenceBiasClassifier.from_pretrained(out)
    assert len(classifier.predict(["the army said."])) == 1
    assert main([*argv[:-4], "--init-model", str(tmp_path)]) == 2  # not a saved classifier folder


@pytest.mark.data
def test_real_sg2_file_and_split() -> None:
    records = list(read_babe(ROOT.parent / "shared" / "data" / "babe" / "final_labels_SG2.csv"))
    assert len(records) == 2934 and len({r.id for r in records}) == 2934  # 2935 rows, 1 "No agreement"
    validation = [r for r in records if babe_split(r) == "validation"]
    assert len(validation) == 558
    held = {r.id for r in validation}
    assert {article_key(r) for r in validation}.isdisjoint(article_key(r) for r in records if r.id not in held)
    for record in records:
        for start, end in record.extra["biased_words"]:
            assert 0 <= start < end <= len(record.text)


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED / "sentence_bias_config.json").is_file(), reason="models/sentence-bias is absent")
def test_shipped_model_on_written_sentences() -> None:
    classifier = SentenceBiasClassifier.from_pretrained(SHIPPED)
    sentences = [
        "The city council approved the new budget on Tuesday by a vote of seven to two.",
        "The company reported quarterly revenue of $4.2 billion, up 3 percent from a year earlier.",
        "The radical left's insane crusade to destroy our country will stop at nothing, as usual.",
        "The cowardly senator once again betrayed hardworking Americans with his disgraceful lies.",
    ]
    results = classifier.predict(sentences)
    assert [biased for biased, _ in results] == [False, False, True, True]
    config = json.loads((SHIPPED / "sentence_bias_config.json").read_text())
    assert config["metrics"]["validation"]["macro_f1"] >= 0.78
    assert config["metrics"]["test"]["attribution/resources/evaluation/war_sentences.test.jsonl"]["macro_f1"] >= 0.85


# written for this test, in none of the data files; the BABE-only model missed the first (p 0.07)
WAR_SENTENCES = [
    ("The heroic army liberated the last villages held by the Takfiri gangs near the border.", True),
    ("Kyiv regime thugs shelled a kindergarten in Donetsk again, in yet another cowardly crime.", True),
    ("The so-called monitoring group once again parroted the lies of its Western paymasters.", True),
    ("The United Nations designated the group a terrorist organisation in 2014.", False),
    ("Rebels and government troops exchanged artillery fire near the town on Monday, killing four civilians.", False),
    (
        "Mourners gathered in Martyrs' Square on Friday for the funerals of the eleven people killed in the blast.",
        False,
    ),
]


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED / "sentence_bias_config.json").is_file(), reason="models/sentence-bias is absent")
def test_shipped_model_on_written_war_sentences() -> None:
    classifier = SentenceBiasClassifier.from_pretrained(SHIPPED)
    predicted = classifier.predict([text for text, _ in WAR_SENTENCES])
    assert [(text, biased) for (text, _), (biased, _) in zip(WAR_SENTENCES, predicted, strict=True)] == WAR_SENTENCES
    assert (SHIPPED / "model.safetensors").stat().st_size <= 25 * 1024 * 1024
