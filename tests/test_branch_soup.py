"""Weight averaging of term-tagger branches (attribution.tagging.branch_soup) and the trainer's greedy soup."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch
from model_helpers import nudge_trainable

from attribution.annotations import GoldLoadedTerm, GoldTechnique, LabeledArticle, write_annotations
from attribution.tagging.branch_soup import average_states, check_ingredients, compress_branch, compress_lora, soup_of
from attribution.tagging.lora import LoraSettings
from attribution.tagging.term_tagger import TermTagger, read_branch


def _branch(trunk: Any, seed: int, *, rank: int | None = 4, trunk_layer: int = 1) -> TermTagger:
    """A branch whose adapters (or layers) and heads moved away from their start by seeded noise."""
    lora = LoraSettings(rank=rank, dropout=0.0) if rank else None
    tagger = TermTagger.from_trunk(trunk, trunk_layer=trunk_layer, lora=lora)
    nudge_trainable(tagger.branch, seed=seed)
    return tagger


def _saved(tagger: TermTagger, folder: Path) -> tuple[Any, dict[str, Any]]:
    tagger.save_pretrained(folder)
    return read_branch(folder)


def _merged_weights(tagger: TermTagger) -> dict[str, torch.Tensor]:
    """Every weight the branch runs with (adapters merged), float32."""
    return {name: p.detach().float().clone() for name, p in tagger.branch.state_dict().items()}


@pytest.mark.parametrize("rank", [4, None])
def test_a_soup_runs_with_the_mean_of_the_branches_weights(tiny_tagger, tmp_path: Path, rank: int | None) -> None:  # type: ignore[no-untyped-def]
    branches = [_saved(_branch(tiny_tagger, seed, rank=rank), tmp_path / str(seed)) for seed in (5, 6)]
    merged = [_merged_weights(TermTagger.from_pretrained(tmp_path / str(s), trunk=tiny_tagger)) for s in (5, 6)]
    soup = soup_of(branches, trunk=tiny_tagger)
    for name, weight in _merged_weights(soup).items():  # the mean of the changes to each layer, and of the heads
        torch.testing.assert_close(weight, (merged[0][name] + merged[1][name]) / 2, atol=2e-3, rtol=1e-3)
    assert soup.config.lora == ({"rank": 8, "alpha": 16, "dropout": 0.0} if rank else {})
    soup.save_pretrained(tmp_path / "soup")  # saved as adapters of twice the rank, loaded and merged as any branch
    again = TermTagger.from_pretrained(tmp_path / "soup", trunk=tiny_tagger)
    for name, weight in _merged_weights(again).items():
        torch.testing.assert_close(weight, _merged_weights(soup)[name], atol=2e-3, rtol=1e-3)


def test_a_soup_of_one_branch_is_that_branch(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    branch = _saved(_branch(tiny_tagger, 5), tmp_path / "one")
    alone = _merged_weights(TermTagger.from_pretrained(tmp_path / "one", trunk=tiny_tagger))
    for name, weight in _merged_weights(soup_of([branch], trunk=tiny_tagger)).items():
        torch.testing.assert_close(weight, alone[name])


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"trunk_layer": 0}, "trunk_layer"),
        ({"rank": 2}, "lora"),
        ({"rank": None}, "lora"),
    ],
)
def test_only_branches_of_the_same_shape_make_a_soup(tiny_tagger, tmp_path: Path, second: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    first = _saved(_branch(tiny_tagger, 5), tmp_path / "a")
    other = _saved(_branch(tiny_tagger, 6, **second), tmp_path / "b")
    with pytest.raises(ValueError, match=f"branch 2 differs from branch 1 in {message}"):
        soup_of([first, other], trunk=tiny_tagger)


def test_a_soup_of_another_trunk_is_refused(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = _saved(_branch(tiny_tagger, 5), tmp_path / "a")
    config, weights = _saved(_branch(tiny_tagger, 6), tmp_path / "b")
    with pytest.raises(ValueError, match="trunk_weights_sha256"):
        soup_of([first, (replace(config, trunk_weights_sha256="0" * 64), weights)], trunk=tiny_tagger)


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ([], "no branch weights"),
        ([{"span_head.bias": torch.zeros(2)}, {"polarity_head.bias": torch.zeros(2)}], "other weights"),
        ([{"span_head.bias": torch.zeros(2)}, {"span_head.bias": torch.zeros(3)}], "differs in shape"),
    ],
)
def test_average_states_refuses_weights_that_do_not_match(states: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        average_states(states)


@pytest.mark.parametrize(
    ("alpha", "rank"),  # of a rank-4 adapter; 5 at rank 2 would scale by 2.5 / 2: the scaling goes into B
    [(8, 3), (8, 2), (8, 1), (6, 2), (5, 2)],
)
def test_compressed_adapters_are_the_truncated_svd_of_the_change(alpha: int, rank: int) -> None:
    generator = torch.Generator().manual_seed(0)
    state = {"q.lora_A.default.weight": torch.randn(4, 6, generator=generator)}
    state["q.lora_B.default.weight"] = torch.randn(5, 4, generator=generator)
    state["span_head.bias"] = torch.ones(2)
    small, lora, error = compress_lora(state, {"rank": 4, "alpha": alpha, "dropout": 0.0}, rank)
    change = state["q.lora_B.default.weight"] @ state["q.lora_A.default.weight"]
    u, singular, vh = torch.linalg.svd(change)
    best = (u[:, :rank] * singular[:rank]) @ vh[:rank]  # Eckart-Young: the closest matrix of that rank
    scale_before, scale_after = alpha / 4, lora["alpha"] / lora["rank"]
    got = small["q.lora_B.default.weight"] @ small["q.lora_A.default.weight"] * scale_after
    torch.testing.assert_close(got, best * scale_before, atol=1e-4, rtol=1e-4)
    assert lora["rank"] == rank and small["q.lora_A.default.weight"].shape == (rank, 6)
    assert error == pytest.approx(float(torch.linalg.norm(change - best) / torch.linalg.norm(change)), abs=1e-5)
    assert small["span_head.bias"] is state["span_head.bias"]


@pytest.mark.parametrize(
    ("state", "rank", "message"),
    [
        ({"q.lora_A.default.weight": torch.ones(2, 3), "q.lora_B.default.weight": torch.ones(3, 2)}, 0, "at least 1"),
        ({"q.lora_A.default.weight": torch.ones(2, 3)}, 1, "has no q.lora_B"),
        ({"span_head.bias": torch.ones(2)}, 1, "no LoRA adapters"),
    ],
)
def test_compress_lora_refuses(state: dict, rank: int, message: str) -> None:
    lora = {"rank": 2, "alpha": 4, "dropout": 0.0} if any(".lora_" in key for key in state) else {}
    with pytest.raises(ValueError, match=message):
        compress_lora(state, lora, rank)


def test_a_soup_cut_back_to_one_branchs_rank_keeps_a_change_of_that_rank_exactly(tiny_tagger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    branch = _saved(_branch(tiny_tagger, 5), tmp_path / "a")
    soup = soup_of([branch, branch], trunk=tiny_tagger)  # rank 8, but the mean change is the branch's (rank 4)
    small, error = compress_branch(soup, 4)
    assert small.config.lora["rank"] == 4 and error == pytest.approx(0.0, abs=1e-3)
    small.save_pretrained(tmp_path / "small")
    again = TermTagger.from_pretrained(tmp_path / "small", trunk=tiny_tagger)
    alone = _merged_weights(TermTagger.from_pretrained(tmp_path / "a", trunk=tiny_tagger))
    for name, weight in _merged_weights(again).items():
        torch.testing.assert_close(weight, alone[name], atol=2e-3, rtol=1e-3)
    assert read_branch(tmp_path / "small")[1]["span_head.bias"].shape == branch[1]["span_head.bias"].shape


@pytest.mark.parametrize(
    ("ingredient", "error", "message"),
    [
        ({"seed": 6}, None, ""),  # another seed, same shape: fine
        ({"seed": 6, "rank": 2}, ValueError, "differs from the trained branch in lora"),
        ({"seed": 6, "trunk_layer": 0}, ValueError, "differs from the trained branch in trunk_layer"),
        (None, FileNotFoundError, "not a saved term tagger"),
    ],
)
def test_soup_ingredients_are_checked_before_training(
    tiny_tagger, tmp_path: Path, ingredient: dict | None, error: type | None, message: str
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ingredient"
    if ingredient is not None:
        _branch(tiny_tagger, **ingredient).save_pretrained(folder)
    trained = _branch(tiny_tagger, 5).config
    if error is None:
        check_ingredients(trained, [folder])
    else:
        with pytest.raises(error, match=f"ingredient: {message}"):
            check_ingredients(trained, [folder])


def test_missing_branch_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere: not a saved term tagger \(term_tagger_config.json"):
        read_branch(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("scores", "kept"),  # dev scores alone and of soups (by the candidate tried last); members, best first
    [
        pytest.param(
            {"run": 0.40, "a": 0.45, "b": 0.43, "soup with b": 0.44, "soup with run": 0.46},
            ["a", "run"],
            id="best-ingredient-starts-and-b-would-lower-it",
        ),
        pytest.param(
            {"run": 0.40, "a": 0.38, "b": 0.39, "soup with b": 0.41, "soup with a": 0.40},
            ["run", "b"],
            id="sorted-b-before-a-and-a-would-lower-it",
        ),
        pytest.param(
            {"run": 0.40, "a": 0.45, "b": 0.43, "soup with b": 0.46, "soup with run": 0.47},
            ["a", "b", "run"],
            id="all-join",
        ),
        pytest.param({"run": 0.40, "a": 0.40, "soup with a": 0.40}, ["run"], id="a-tie-does-not-join"),
        pytest.param({"run": 0.40, "a": 0.45, "soup with run": 0.44}, ["a"], id="an-ingredient-alone"),
    ],
)
def test_greedy_soup_sorts_and_keeps_only_what_raises_the_dev_score(
    tiny_tagger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scores: dict[str, float], kept: list[str]
) -> None:  # type: ignore[no-untyped-def]
    from attribution import term_training

    trained = _branch(tiny_tagger, 4)
    names = [name for name in ("a", "b") if name in scores]
    for seed, name in enumerate(names, start=5):
        _branch(tiny_tagger, seed).save_pretrained(tmp_path / name)
    scored: list[str] = []

    def scripted(tagger: TermTagger, *args: Any) -> tuple[float, float, dict]:
        key = "run" if tagger is trained else tagger.name.replace(f"{tmp_path}/", "")
        scored.append(key)
        return 0.5, scores[key], {}

    monkeypatch.setattr(term_training, "best_threshold_score", scripted)
    ingredients = [str(tmp_path / name) for name in names]
    soup, metrics = term_training.greedy_soup(trained, ingredients, None, [], [0.5])  # type: ignore[arg-type]
    assert metrics["soup_kept"] == [name if name == "run" else str(tmp_path / name) for name in kept]
    assert scored[: 1 + len(names)] == ["run", *names] and len(scored) == len(scores)  # each scored once
    assert metrics["dev_selection_alone"] == {
        name if name == "run" else str(tmp_path / name): scores[name] for name in ["run", *names]
    }
    if kept == ["run"]:
        assert soup is trained
    else:
        assert soup is not trained and soup.config.lora["rank"] == 4 * len(kept)


def test_training_config_checks_the_soup_and_untrained_runs() -> None:
    from attribution.term_training import TermTrainingConfig

    base = {"train_data": ["ptc"], "out": "m"}
    assert TermTrainingConfig.from_dict({**base, "epochs": 0, "init_branch": "b"}).epochs == 0
    for settings, message in [
        ({"epochs": 0}, "needs init_branch"),
        ({"epochs": -1}, "epochs must be >= 0"),
        ({"soup_with": ["b"], "dev_share": 0.0}, "soup_with needs dev articles"),
        ({"soup_with": ["b"], "soup_rank": 0}, "soup_rank must be at least 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            TermTrainingConfig.from_dict({**base, **settings})


@pytest.mark.parametrize("soup_rank", [None, 4])
def test_an_untrained_run_averages_and_decodes_a_saved_branch_again(
    tiny_tagger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, soup_rank: int | None
) -> None:  # type: ignore[no-untyped-def]
    from attribution import term_training
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.term_training import TermTrainingConfig, train_term_tagger

    scored = term_training.best_threshold_score

    def soups_score_higher(tagger: TermTagger, *args: Any) -> tuple[float, float, dict]:
        threshold, score, results = scored(tagger, *args)  # the real scoring, so that both branches join
        return threshold, score + tagger.name.startswith("soup with"), results

    monkeypatch.setattr(term_training, "best_threshold_score", soups_score_higher)

    trunk_dir = tmp_path / "trunk"
    tiny_tagger.save_pretrained(trunk_dir)
    trunk = AttributionTagger.from_pretrained(trunk_dir)
    for seed, name in ((5, "a"), (6, "b")):
        _branch(trunk, seed).save_pretrained(tmp_path / name)
    records = [
        LabeledArticle(
            f"r{i}",
            "The puppet regime shelled the town. Militants fled to the hills.",
            ("loaded_terms", "techniques"),
            loaded_terms=(GoldLoadedTerm(((4, 17),), "name_calling", polarity="negative"),),
            techniques=(GoldTechnique(((4, 17),), "Name_Calling,Labeling"),),
        )
        for i in range(3)
    ]
    data = tmp_path / "train.jsonl"
    write_annotations(records, data)
    config = TermTrainingConfig(
        train_data=[str(data)],
        data_format="jsonl",
        dev_data=[str(data)],
        validation_data=[str(data)],
        validation_format="jsonl",
        extra_train_data=[],
        attribution_tagger=str(trunk_dir),
        init_branch=str(tmp_path / "a"),
        soup_with=[str(tmp_path / "b")],
        epochs=0,
        out=str(tmp_path / "out"),
        checkpoint_dir=str(tmp_path / "ckpt"),
        feature_cache=None,
        lexicon_priors=[0.0],
        soup_rank=soup_rank,
    )
    metrics = train_term_tagger(config)
    assert metrics["epochs_run"] == 0 and metrics["train_loss"] is None and metrics["history"] == []
    assert set(metrics["dev_selection_alone"]) == set(metrics["soup_kept"]) == {"run", str(tmp_path / "b")}
    saved = json.loads((tmp_path / "out" / "term_tagger_config.json").read_text())
    assert saved["lora"]["rank"] == (soup_rank or 8)  # two rank-4 branches, exact or cut back
    assert ("soup_rank_error" in metrics) == bool(soup_rank)
    assert ("adapters cut to rank 4" in (tmp_path / "out" / "README.md").read_text()) == bool(soup_rank)
    assert saved["term_growth"] == metrics["term_growth"]  # decoded again on dev
    card = (tmp_path / "out" / "README.md").read_text()
    assert "- a greedy soup of: " in card and "scored alone on dev" in card
    assert "(not trained further)" in card and "fine-tuned further" not in card
    TermTagger.from_pretrained(tmp_path / "out", trunk=trunk)
