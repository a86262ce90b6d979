"""Weight averaging ("model soup") of term-tagger branches trained from the same start.

Branches fine-tuned from one start with different seeds often score better averaged than alone
(Wortsman et al. 2022, "Model soups"), and a soup loads merged into layers of one branch's size, so
it costs one branch's pass (by construction; not timed). A LoRA branch keeps its
change to each layer as ``B @ A`` (rank ``r``); the mean of ``n`` such changes is exactly one adapter of
rank ``n * r``, with the ``A`` matrices stacked and the ``B`` matrices side by side, divided by ``n``
(``alpha`` grows with the rank, so the scaling ``alpha / rank`` stays). Heads and the weights of a
branch without adapters are averaged directly. The soup's weight file is ``n`` times the adapters'
size; loading merges the adapters as usual. :func:`compress_lora` cuts a soup back to one branch's rank,
each averaged change replaced by its closest matrix of that rank (truncated SVD).

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


def compress_lora(
    state: Mapping[str, Any], lora: Mapping[str, Any], rank: int
) -> tuple[dict[str, Any], dict[str, Any], float]:
    """Adapters of ``rank``: each layer's change ``B @ A`` replaced by its best approximation of that rank.

    A soup of ``n`` branches has ``n`` times the rank (:func:`average_states`) and so ``n`` times the file
    size; the truncated SVD of each averaged change (Eckart-Young: the closest matrix of that rank) brings it
    back to one branch's size. Returns the weights, the adapter settings, and the relative error: the
    Frobenius norm of what was cut over that of the changes, all layers together (0.0 when nothing was cut).
    The scaling ``alpha / rank`` is folded into ``B`` where the new ``alpha`` would not be a whole number.
    Weights other than adapters are returned as they are.

    Example:
        >>> import torch
        >>> a = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # rank 2, alpha 4: scaling 2
        >>> b = torch.tensor([[3.0, 0.0], [0.0, 0.1], [0.0, 0.0]])
        >>> state = {"q.lora_A.default.weight": a, "q.lora_B.default.weight": b, "head.bias": torch.ones(1)}
        >>> small, settings, error = compress_lora(state, {"rank": 2, "alpha": 4, "dropout": 0.1}, 1)
        >>> settings, round(error, 4), tuple(small["q.lora_A.default.weight"].shape)  # 0.1 / sqrt(9.01)
        ({'rank': 1, 'alpha': 2, 'dropout': 0.1}, 0.0333, (1, 3))
        >>> (small["q.lora_B.default.weight"] @ small["q.lora_A.default.weight"]).round(decimals=4).tolist()
        [[3.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]

    Raises:
        ValueError: for a rank below 1, a branch without adapters, or adapters without their other half.

    """
    import torch

    if rank < 1:
        raise ValueError(f"the compressed rank must be at least 1, got {rank}")
    if not lora:
        raise ValueError("the branch has no LoRA adapters to cut back")
    settings = LoraSettings.from_dict(dict(lora))
    if rank >= settings.rank:
        return dict(state), settings.to_dict(), 0.0
    scale = settings.alpha / settings.rank
    alpha = max(1, round(scale * rank))
    fold = scale / (alpha / rank)  # 1.0 unless alpha had to be rounded
    out = dict(state)
    cut_energy = total_energy = 0.0
    for key_a in sorted(k for k in state if ".lora_A." in k):
        key_b = key_a.replace(".lora_A.", ".lora_B.")
        if key_b not in state:
            raise ValueError(f"{key_a} has no {key_b}")
        a, b = state[key_a].double(), state[key_b].double()
        q_b, r_b = torch.linalg.qr(b)  # B @ A = Q_b (R_b R_a^T) Q_a^T: the SVD of a small square matrix
        q_a, r_a = torch.linalg.qr(a.T)
        u, singular, vh = torch.linalg.svd(r_b @ r_a.T)
        root = singular[:rank].sqrt()
        out[key_b] = ((q_b @ u[:, :rank]) * root * fold).to(state[key_b].dtype).contiguous()
        out[key_a] = ((root[:, None] * vh[:rank]) @ q_a.T).to(state[key_a].dtype).contiguous()
        cut_energy += float((singular[rank:] ** 2).sum())
        total_energy += float((singular**2).sum())
    error = (cut_energy / total_energy) ** 0.5 if total_energy else 0.0
    return out, LoraSettings(rank, alpha, settings.dropout).to_dict(), error


def compress_branch(tagger: TermTagger, rank: int) -> tuple[TermTagger, float]:
    """``tagger`` with its adapters cut to ``rank`` (:func:`compress_lora`) and the relative error of the cut."""
    state, lora, error = compress_lora(tagger.trained_weights(), tagger.config.lora or {}, rank)
    config = replace(tagger.config, lora=lora)
    return TermTagger.from_state(tagger.trunk, config, state, name=f"{tagger.name} at rank {rank}"), error


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
