"""``attribution train --init-model DIR``: every task fine-tunes a saved model instead of starting from the base.

Each init model is a tiny model whose weights were moved away from the base (random noise), then saved. A run
from it at a vanishing learning rate must predict what the init predicts (the init was really loaded and every
weight it saved is saved again), and not what a fresh model on the base predicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attribution.annotations import (
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
    read_annotations,
    write_annotations,
)
from attribution.cli import main
from attribution.profile_training import ProfileTrainingConfig, default_war_sources_path, train_source_profiler
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.sentence_bias_training import SentenceBiasConfig, train_sentence_bias

TEXT = "The army said that the source told officials. According to the military, the puppet regime fled."
TINY_LR = 1e-12  # positive (the configs require it) but far below float16 resolution: the weights stay put


def _nudge(model: Any, seed: int) -> None:
    """Move every weight of ``model`` away from where the base put it."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.5)


# --- per task: build and save an init model, read its predictions, train from a folder -----------------------------


def _save_tagger(base: Path, folder: Path, **_: Any) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = AttributionTagger.from_base(str(base), max_length=32)
    _nudge(tagger.model, 1)
    tagger.model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    tagger.save_pretrained(folder)


def _tagger_predictions(folder: Path) -> np.ndarray:
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = AttributionTagger.from_pretrained(folder)
    return np.concatenate(tagger.predict_windows(tagger.windows(RuleSegmenter()(Article("a", TEXT)))))


def _train_tagger(base: Path, data: Path, tmp: Path, init: Path | None, precision: str = "float32", **_: Any) -> Path:
    from attribution.training import TrainingConfig, train_attribution_tagger

    config = TrainingConfig(
        train_data=[str(data)],
        out=str(tmp / "out"),
        base_model=str(base),
        init_tagger=str(init) if init else None,
        max_length=32,
        learning_rate=TINY_LR,
        max_steps=1,
        batch_size=2,
        checkpoint_dir=str(tmp / "ckpt"),
        precision=precision,
    )
    train_attribution_tagger(config)
    return tmp / "out"


def _trunk(base: Path, tmp: Path) -> Path:
    """The attribution tagger (trunk) the term branches run on, saved once per test."""
    from attribution.tagging.attribution_tagger import AttributionTagger

    trunk = tmp / "trunk"
    if not trunk.is_dir():
        AttributionTagger.from_base(str(base), max_length=32).save_pretrained(trunk)
    return trunk


def _save_terms(base: Path, folder: Path, **_: Any) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.term_tagger import TermTagger

    trunk = AttributionTagger.from_pretrained(_trunk(base, folder.parent))
    terms = TermTagger.from_trunk(trunk, trunk_layer=1)
    _nudge(terms.branch, 2)
    terms.save_pretrained(folder)


def _terms_predictions(folder: Path) -> np.ndarray:
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.term_tagger import TermTagger

    trunk = AttributionTagger.from_pretrained(folder.parent / "trunk")
    terms = TermTagger.from_pretrained(folder, trunk=trunk)
    _, spans, polarity = terms.predict_windows(trunk.windows(RuleSegmenter()(Article("a", TEXT))))
    return np.concatenate([np.concatenate(spans).ravel(), np.concatenate(polarity).ravel()])


def _train_terms(base: Path, data: Path, tmp: Path, init: Path | None, precision: str = "float32", **_: Any) -> Path:
    from attribution.term_training import TermTrainingConfig, train_term_tagger

    config = TermTrainingConfig(
        train_data=[str(data)],
        out=str(tmp / "out"),
        data_format="jsonl",
        dev_share=0.0,
        extra_train_data=[],
        init_branch=str(init) if init else None,
        attribution_tagger=str(_trunk(base, tmp)),
        trunk_layer=1,
        learning_rate=TINY_LR,
        max_steps=1,
        batch_size=2,
        checkpoint_dir=str(tmp / "ckpt"),
        feature_cache=None,
        precision=precision,
    )
    train_term_tagger(config)
    return tmp / "out"


def _save_classifier(base: Path, folder: Path, *, trained_embeddings: bool = False, **_: Any) -> None:
    from attribution.tagging.sentence_bias import SentenceBiasClassifier

    classifier = SentenceBiasClassifier.from_base(str(base), max_length=32)
    _nudge(classifier.model, 3)
    classifier.model.base_model.embeddings.word_embeddings.weight.requires_grad_(trained_embeddings)
    classifier.save_pretrained(folder)


def _classifier_predictions(folder: Path) -> np.ndarray:
    from attribution.tagging.sentence_bias import SentenceBiasClassifier

    return np.array(SentenceBiasClassifier.from_pretrained(folder).predict_proba(TEXT.split(". ")))


def _train_classifier(
    base: Path, data: Path, tmp: Path, init: Path | None, precision: str = "float32", **_: Any
) -> Path:
    config = SentenceBiasConfig(
        train_data=[str(data)],
        out=str(tmp / "out"),
        data_format="jsonl",
        holdout="none",
        base_model=str(base),
        init_classifier=str(init) if init else None,
        max_length=32,
        learning_rate=TINY_LR,
        max_steps=1,
        batch_size=2,
        checkpoint_dir=str(tmp / "ckpt"),
        precision=precision,
    )
    train_sentence_bias(config)
    return tmp / "out"


def _save_profiler(base: Path, folder: Path, *, trained_embeddings: bool = False, **_: Any) -> None:
    from attribution.tagging.source_profiler import SourceProfiler

    profiler = SourceProfiler.from_base(str(base), max_length=48)
    _nudge(profiler.model, 4)
    profiler.model.encoder.embeddings.word_embeddings.weight.requires_grad_(trained_embeddings)
    profiler.save_pretrained(folder)


def _profile_items() -> list[Any]:
    from attribution.profile_training import profile_examples

    records = list(read_annotations(default_war_sources_path()))[:3]
    return [item for item, _, _ in profile_examples(records)]


def _profiler_predictions(folder: Path) -> np.ndarray:
    from attribution.tagging.source_profiler import SourceProfiler

    return np.array(
        [(p, anonymous) for _, p, anonymous in SourceProfiler.from_pretrained(folder).predict(_profile_items())]
    )


def _profile_config(base: Path, tmp: Path, **settings: Any) -> ProfileTrainingConfig:
    return ProfileTrainingConfig(
        out=str(tmp / "out"),
        label_data=[],
        extra_train_data=[str(default_war_sources_path())],
        base_model=str(base),
        dev_share=0.0,
        max_length=48,
        max_train_examples=8,
        learning_rate=TINY_LR,
        head_learning_rate=None,
        max_steps=1,
        batch_size=4,
        checkpoint_dir=str(tmp / "ckpt"),
        **settings,
    )


def _train_profiler(
    base: Path, data: Path, tmp: Path, init: Path | None, freeze_layers: int = 0, precision: str = "float32", **_: Any
) -> Path:
    init_profiler = str(init) if init else None
    train_source_profiler(
        _profile_config(base, tmp, init_profiler=init_profiler, freeze_layers=freeze_layers, precision=precision)
    )
    return tmp / "out"


def _data(tmp: Path) -> Path:
    """Two labeled articles with every layer the tasks read (attributions, loaded terms, sentence labels)."""

    def at(words: str) -> tuple[tuple[int, int]]:
        return ((TEXT.index(words), TEXT.index(words) + len(words)),)

    first, second = TEXT.split(". ")
    records = [
        LabeledArticle(
            f"a{i}",
            TEXT,
            ("attributions", "loaded_terms", "techniques", "sentence_labels"),
            attributions=(GoldAttribution(at("said"), at("The army"), at("that the source told officials")),),
            loaded_terms=(GoldLoadedTerm(at("puppet regime"), "delegitimizing", polarity="negative"),),
            techniques=(GoldTechnique(at("puppet regime"), "Name_Calling,Labeling"),),
            sentence_labels=(GoldSentenceLabel(at(first + "."), False), GoldSentenceLabel(at(second), True)),
        )
        for i in range(2)
    ]
    path = tmp / "data.jsonl"
    write_annotations(records, path)
    return path


Task = tuple[Callable[..., None], Callable[[Path], np.ndarray], Callable[..., Path], str]
TASKS: dict[str, Task] = {
    "attribution": (_save_tagger, _tagger_predictions, _train_tagger, "attribution tagger"),
    "loaded-terms": (_save_terms, _terms_predictions, _train_terms, "term tagger"),
    "sentence-bias": (_save_classifier, _classifier_predictions, _train_classifier, "sentence-bias classifier"),
    "source-profile": (_save_profiler, _profiler_predictions, _train_profiler, "source profiler"),
}


@pytest.mark.parametrize(
    ("task", "init_settings", "train_settings"),
    [
        ("attribution", {}, {}),
        ("loaded-terms", {}, {}),
        ("sentence-bias", {}, {}),
        ("sentence-bias", {"trained_embeddings": True}, {}),  # frozen now, but the init saved them: saved again
        ("source-profile", {}, {}),
        ("source-profile", {}, {"freeze_layers": 1}),  # layer 0 comes from the init, frozen: saved again
        ("source-profile", {"trained_embeddings": True}, {}),
    ],
)
def test_training_starts_from_the_saved_model(
    task: str, init_settings: dict[str, Any], train_settings: dict[str, Any], tiny_base_dir: Path, tmp_path: Path
) -> None:
    save, predictions, train, what = TASKS[task]
    init = tmp_path / "init"
    save(tiny_base_dir, init, **init_settings)
    out = train(tiny_base_dir, _data(tmp_path), tmp_path, init, **train_settings)
    expected, got = predictions(init), predictions(out)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"started from: the saved {what} `{init}`" in card


@pytest.mark.parametrize("task", ["sentence-bias", "source-profile"])
def test_without_init_the_run_starts_from_the_base(task: str, tiny_base_dir: Path, tmp_path: Path) -> None:
    save, predictions, train, _ = TASKS[task]
    save(tiny_base_dir, tmp_path / "init")
    out = train(tiny_base_dir, _data(tmp_path), tmp_path, None)
    assert not np.allclose(predictions(out), predictions(tmp_path / "init"), atol=1e-3)
    assert f"started from: the base encoder `{tiny_base_dir}`" in (out / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("task", "precision", "flags", "bf16"),
    [
        *((task, "float32", {"amx_bf16"}, False) for task in TASKS),
        *((task, "bfloat16", set(), True) for task in TASKS),
        ("loaded-terms", "auto", {"avx2", "amx_bf16"}, True),
        ("loaded-terms", "auto", {"avx2", "avx512f"}, False),  # emulated bfloat16 would be many times slower
    ],
)
def test_training_precision_reaches_the_trainer(
    task: str,
    precision: str,
    flags: set[str],
    bf16: bool,
    tiny_base_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each trainer asks the HF ``Trainer`` for bfloat16 autocast exactly when the setting resolves to it."""
    import torch
    import transformers

    from attribution.tagging import precision as precision_module

    asked: list[bool] = []

    class RecordingArguments(transformers.TrainingArguments):
        def __post_init__(self) -> None:
            asked.append(self.bf16)
            super().__post_init__()

    monkeypatch.setattr(transformers, "TrainingArguments", RecordingArguments)
    monkeypatch.setattr(precision_module, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    TASKS[task][2](tiny_base_dir, _data(tmp_path), tmp_path, None, precision=precision)
    assert asked == [bf16]


# --- negative cases ---------------------------------------------------------------------------------------------------


def test_init_profiler_and_init_encoder_exclude_each_other() -> None:
    with pytest.raises(ValueError, match=r"init_profiler \(p\) and init_encoder \(t\) exclude each other"):
        ProfileTrainingConfig(out="m", init_profiler="p", init_encoder="t")


@pytest.mark.parametrize(
    ("task", "saved_as", "error", "message"),
    [
        ("sentence-bias", "source-profile", FileNotFoundError, "not a saved sentence-bias classifier"),
        ("source-profile", "sentence-bias", FileNotFoundError, "not a saved source profiler"),
        ("sentence-bias", "sentence-bias", ValueError, "init_classifier .* is built on base model .* but base_model"),
        ("source-profile", "source-profile", ValueError, "init_profiler .* is built on base model .* but base_model"),
    ],
)
def test_wrong_init_folder_or_base_is_rejected(
    task: str, saved_as: str, error: type[Exception], message: str, tiny_base_dir: Path, tmp_path: Path
) -> None:
    init = tmp_path / "init"
    TASKS[saved_as][0](tiny_base_dir, init)
    other_base = tiny_base_dir if saved_as != task else tmp_path / "other-base"
    if saved_as == task:  # the same tiny base under another name
        other_base.symlink_to(tiny_base_dir, target_is_directory=True)
    with pytest.raises(error, match=message):
        TASKS[task][2](other_base, _data(tmp_path), tmp_path, init)
    assert not (tmp_path / "out").exists()


# --- the command line: one flag, the setting per task --------------------------------------------------------------

CONFIG_FILES = {
    "tagger": "tagger_config.json",
    "terms": "term_tagger_config.json",
    "classifier": "sentence_bias_config.json",
    "profiler": "source_profile_config.json",
}
TRAINERS = {
    "attribution": ("attribution.training", "train_attribution_tagger"),
    "loaded-terms": ("attribution.term_training", "train_term_tagger"),
    "sentence-bias": ("attribution.sentence_bias_training", "train_sentence_bias"),
    "source-profile": ("attribution.profile_training", "train_source_profiler"),
}


def _fake_folder(path: Path, kind: str) -> Path:
    """A folder that looks like a saved model of ``kind`` (only its config file: training is replaced)."""
    path.mkdir(parents=True)
    (path / CONFIG_FILES[kind]).write_text(json.dumps({"base_model": "tiny-base"}), encoding="utf-8")
    return path


def _run_train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, task: str, extra: list[str]) -> tuple[int, list[Any]]:
    import importlib

    seen: list[Any] = []

    def fake_train(config: Any) -> dict[str, Any]:
        seen.append(config)
        return {"train_seconds": 0.0}

    module, name = TRAINERS[task]
    monkeypatch.setattr(importlib.import_module(module), name, fake_train)
    argv = ["train", "--task", task, "--format", "jsonl", "--data", str(tmp_path / "d.jsonl"), "--out", "m", *extra]
    return main(argv), seen


@pytest.mark.parametrize(
    ("task", "kind", "flag", "setting", "base"),
    [
        ("attribution", "tagger", "--init-model", "init_tagger", "tiny-base"),
        ("attribution", "tagger", "--init-tagger", "init_tagger", "tiny-base"),  # the old name still works
        ("loaded-terms", "terms", "--init-model", "init_branch", None),
        ("sentence-bias", "classifier", "--init-model", "init_classifier", "tiny-base"),
        ("sentence-bias", "classifier", "--init-tagger", "init_classifier", "tiny-base"),
        ("source-profile", "profiler", "--init-model", "init_profiler", "tiny-base"),
        ("source-profile", "tagger", "--init-model", "init_encoder", "tiny-base"),
    ],
)
def test_cli_init_model_fills_the_setting_of_each_task(
    task: str, kind: str, flag: str, setting: str, base: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = _fake_folder(tmp_path / "saved", kind)
    status, seen = _run_train(monkeypatch, tmp_path, task, [flag, str(folder)])
    assert status == 0
    [config] = seen
    assert getattr(config, setting) == str(folder)
    if base is not None:  # --base-model defaults to the folder's own base
        assert config.base_model == base


@pytest.mark.parametrize("task", TRAINERS)
@pytest.mark.parametrize(("flags", "expected"), [([], "float32"), (["--precision", "bfloat16"], "bfloat16")])
def test_cli_precision_reaches_every_task(
    task: str, flags: list[str], expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    status, [config] = _run_train(monkeypatch, tmp_path, task, flags)
    assert status == 0
    assert config.precision == expected


def test_cli_rejects_an_unknown_training_precision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _run_train(monkeypatch, tmp_path, "loaded-terms", ["--precision", "fp16"])
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


def test_cli_base_model_flag_wins_over_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "saved", "profiler")
    status, [config] = _run_train(
        monkeypatch, tmp_path, "source-profile", ["--init-model", str(folder), "--base-model", "mine"]
    )
    assert status == 0 and config.base_model == "mine" and config.init_profiler == str(folder)


@pytest.mark.parametrize(
    ("task", "kind", "message"),
    [
        ("sentence-bias", "profiler", "--task sentence-bias starts from a saved sentence-bias classifier "
         r"\(sentence_bias_config.json\), but the folder holds no sentence_bias_config.json"),
        ("source-profile", "classifier", r"a saved source profiler \(source_profile_config.json\) or a saved "
         r"attribution tagger \(tagger_config.json\), but the folder holds no source_profile_config.json or "
         "tagger_config.json"),
        ("attribution", "terms", "holds no tagger_config.json"),
        ("loaded-terms", "tagger", "holds no term_tagger_config.json"),
        ("attribution", None, "no such folder"),
    ],
)  # fmt: skip
def test_cli_rejects_a_folder_of_the_wrong_kind(
    task: str,
    kind: str | None,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _fake_folder(tmp_path / "saved", kind) if kind else tmp_path / "missing"
    status, seen = _run_train(monkeypatch, tmp_path, task, ["--init-model", str(folder)])
    err = capsys.readouterr().err
    assert status == 2 and not seen
    assert f"--init-model {folder}:" in err
    assert re.search(message, err), err


def test_cli_points_into_an_analyzer_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analyzer = tmp_path / "models"
    _fake_folder(analyzer / "source-profile", "profiler")
    (analyzer / "analyzer_config.json").write_text("{}", encoding="utf-8")
    status, _ = _run_train(monkeypatch, tmp_path, "source-profile", ["--init-model", str(analyzer)])
    assert status == 2
    assert f"the folder(s) inside it that fit: {analyzer / 'source-profile'}" in capsys.readouterr().err
