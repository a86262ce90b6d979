"""Weight averaging ("model soup") of term-tagger branches trained from the same start.

Branches fine-tuned from one start with different seeds often score better averaged than alone
(Wortsman et al. 2022, "Model soups"), and a soup runs as fast as one branch. A LoRA branch keeps its
change to each layer as ``B @ A`` (rank ``r``); the mean of ``n`` such changes is exactly one adapter of
rank ``n * r``, with the ``A`` matrices stacked and the ``B`` matrices side by side, divided by ``n``
(``alpha`` grows with the rank, so the scaling ``alpha / rank`` stays). Heads and the weights of a
branch without adapters are averaged directly. The soup's weight file is ``n`` times the adapters'
size; loading merges the adapters as usual.

Example:
    >>> import torch
    >>> first = {"q.lora_A.default.weight": torch.ones(1, 2), "q.lora_B.default.weight": torch.full((2, 1), 2.0),
    ...          "span_head.bias": torch.tensor([1.0])}
    >>> second = {"q.lora_A.default.weight": torch.zeros(1, 2), "q.lora_B.default.weight": torch.ones(2, 1),
    ...           "span_head.bias": torch.tensor([3.0])}
    >>> soup = average_states([first, second])
    >>> tuple(soup["q.lora_A.default.weight"].shape), soup["span_head.bias"].tolist()
    ((2, 2), [2.0])
    >>> (soup["q.lora_B.default.weight"] @ soup["q.lora_A.default.weight"]).tolist()  # (2 * 1 + 1 * 0) / 2
    [[1.0, 1.0], [1.0, 1.0]]

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from attribution.tagging.lora import LoraSettings
from attribution.tagging.term_tagger import TermTagger, TermTaggerConfig, read_branch

#: Config fields that must agree for branches to be averaged (the same start and the same shape).
_SAME_SHAPE_FIELDS = ("trunk_layer", "trunk_weights_sha256", "base_model", "groups", "lora")


def average_states(states: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The weights of the branch whose layers change by the mean of ``states``' changes (see the module doc).

    Raises:
        ValueError: if the states hold different weights or shapes, or there are none.

    """
    import torch

    if not states:
        raise ValueError("no branch weights to average")
    keys = set(states[0])
    for index, state in enumerate(states[1:], start=2):
        if set(state) != keys:
            raise ValueError(f"branch {index} has other weights than branch 1: {sorted(set(state) ^ keys)[:3]}")
    n = len(states)
    soup: dict[str, Any] = {}
    for key in sorted(keys):
        tensors = [state[key].float() for state in states]
        if ".lora_A." in key:
            soup[key] = torch.cat(tensors, dim=0)
        elif ".lora_B." in key:
            soup[key] = torch.cat(tensors, dim=1) / n
        else:
            if any(t.shape != tensors[0].shape for t in tensors):
                raise ValueError(f"{key} differs in shape between the branches")
            soup[key] = torch.stack(tensors).mean(dim=0)
        soup[key] = soup[key].to(states[0][key].dtype).contiguous()
    return soup


def soup_lora(lora: Mapping[str, Any], n: int) -> dict[str, Any]:
    """The adapter settings of a soup of ``n`` branches with adapters ``lora`` (empty: no adapters).

    >>> soup_lora({"rank": 32, "alpha": 64, "dropout": 0.1}, 2)
    {'rank': 64, 'alpha': 128, 'dropout': 0.1}
    >>> soup_lora({}, 3)
    {}
    """
    if not lora:
        return {}
    settings = LoraSettings.from_dict(dict(lora))
    return LoraSettings(settings.rank * n, settings.alpha * n, settings.dropout).to_dict()


def shape_mismatch(first: TermTaggerConfig, other: TermTaggerConfig) -> str | None:
    """The first setting in which ``other`` differs from ``first`` so that the two cannot be averaged, or None.

    >>> shape_mismatch(TermTaggerConfig(trunk_layer=0), TermTaggerConfig(trunk_layer=0, threshold=0.7))  # decoding
    >>> shape_mismatch(TermTaggerConfig(trunk_layer=0), TermTaggerConfig(trunk_layer=3))
    'trunk_layer'
    """
    return next((f for f in _SAME_SHAPE_FIELDS if getattr(other, f) != getattr(first, f)), None)


def check_ingredients(config: TermTaggerConfig, paths: Sequence[str | Path]) -> None:
    """Refuse, before any training, saved branches that cannot be averaged with a branch of ``config``.

    Raises:
        FileNotFoundError: if a folder is not a saved term tagger.
        ValueError: naming the folder and the setting in which it differs.

    """
    for path in paths:
        other, _ = read_branch(path)
        mismatch = shape_mismatch(config, other)
        if mismatch:
            raise ValueError(
                f"{path}: differs from the trained branch in {mismatch}; only branches trained from the same "
                "start can be averaged (soup_with)"
            )


def soup_of(
    branches: Sequence[tuple[TermTaggerConfig, Mapping[str, Any]]], *, trunk: Any, name: str = "soup"
) -> TermTagger:
    """One branch on ``trunk`` from the average of ``branches`` (config and weights), merged for inference.

    The decoding settings are the first branch's; choose them again on dev for the soup.

    Raises:
        ValueError: if the branches differ in start or shape (trunk, layer, groups, adapters).

    """
    first = branches[0][0]
    for index, (config, _) in enumerate(branches[1:], start=2):
        mismatch = shape_mismatch(first, config)
        if mismatch:
            raise ValueError(
                f"{name}: branch {index} differs from branch 1 in {mismatch}; "
                "only branches trained from the same start can be averaged"
            )
    config = replace(first, lora=soup_lora(first.lora, len(branches)), metrics={})
    state = average_states([weights for _, weights in branches])
    return TermTagger.from_state(trunk, config, state, name=name)
