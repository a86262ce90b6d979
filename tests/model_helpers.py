"""Helpers for tests that build tiny models: one set of layer sizes, and adapters moved off their start."""

from __future__ import annotations

from typing import Any

#: Layer sizes of the tiny encoders the tests build (BERT in conftest, MPNet for the term branch).
TINY_ENCODER = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 37,
    "max_position_embeddings": 256,
}


def nudge_trainable(module: Any, seed: int) -> None:
    """Add noise to every trainable weight of ``module``, so fresh LoRA adapters (B = 0) change its outputs."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            if parameter.requires_grad:
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.5)
