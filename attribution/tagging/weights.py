"""Save and load the trained part of a model on a base encoder (safetensors only, no pickles).

The task models keep the base encoder's frozen weights out of their files: only parameters
that training changed are written, in a compact dtype, and loading lays them over a freshly
built base.

Example:
    >>> import torch
    >>> model = torch.nn.Linear(2, 1)
    >>> model.bias.requires_grad_(False)  # doctest: +ELLIPSIS
    Parameter containing:...
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> save_trained(model, path, "float32")
    ('bias',)
    >>> load_trained(torch.nn.Linear(2, 1), path, frozen=("bias",), base="a linear layer")

"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def trained_state(model: Any, dtype: str) -> dict[str, Any]:
    """``model``'s trainable parameters as CPU tensors in ``dtype``: what :func:`save_trained` writes."""
    import torch

    return {
        name: p.detach().to("cpu", getattr(torch, dtype)).contiguous()
        for name, p in model.named_parameters()
        if p.requires_grad
    }


def save_state(state: dict[str, Any], path: str | Path) -> None:
    """Write tensors to a safetensors file (no pickles)."""
    from safetensors.torch import save_file

    save_file(state, str(path), metadata={"format": "pt"})


def save_trained(model: Any, path: str | Path, dtype: str) -> tuple[str, ...]:
    """Write ``model``'s trainable parameters to ``path`` in ``dtype``; returns the frozen parameters' names."""
    save_state(trained_state(model, dtype), path)
    return tuple(name for name, p in model.named_parameters() if not p.requires_grad)


def load_trained(model: Any, path: str | Path, *, frozen: Sequence[str], base: str) -> None:
    """Lay the weights in ``path`` over ``model`` and freeze ``frozen`` again (a later save writes the same set).

    Raises:
        ValueError: naming the file when a weight does not exist in ``base`` or has another shape.

    """
    import torch
    from safetensors.torch import load_file

    state = load_file(str(path))
    params = dict(model.named_parameters())
    unknown = sorted(set(state) - set(params))
    if unknown:
        raise ValueError(f"{path}: weights {unknown[:3]} do not exist in base model {base!r}")
    with torch.no_grad():
        for key, tensor in state.items():
            if params[key].shape != tensor.shape:
                raise ValueError(
                    f"{path}: {key} has shape {tuple(tensor.shape)}, base expects {tuple(params[key].shape)}"
                )
            params[key].copy_(tensor.to(params[key].dtype))
    for key in frozen:
        if key in params:
            params[key].requires_grad_(False)


def warn_if_other_version(saved_version: str, what: str, path: str | Path) -> None:
    """Log a warning when a model folder was saved by another version of this package."""
    from attribution import __version__

    if saved_version and saved_version != __version__:
        logger.warning(
            "%s in %s was saved with attribution %s; this is attribution %s.", what, path, saved_version, __version__
        )


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load reports and progress bars (a replaced head makes them noise)."""
    from transformers.utils import logging as hf_logging

    previous = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(previous)
        if bars:
            hf_logging.enable_progress_bar()


def load_for_fine_tuning(cls: Any, path: str | Path, *, setting: str, base_model: str, max_length: int) -> Any:
    """``cls.from_pretrained(path)`` made trainable again, for a training run that starts from it.

    ``from_pretrained`` freezes a model for inference; here every parameter trains (the caller freezes
    what its settings say) and the training run's ``max_length`` applies. A model saved as LoRA adapters
    (``lora`` in its config) is loaded unmerged instead: its adapters and heads train on, its base stays
    frozen. ``setting`` names the option in errors (``init_profiler``, ``init_classifier``).

    Raises:
        FileNotFoundError: if ``path`` is not a saved model of ``cls``.
        ValueError: if it is built on another base model than ``base_model``.

    """
    from dataclasses import replace

    loaded = cls.from_pretrained(path)
    if loaded.config.base_model != base_model:
        raise ValueError(
            f"{setting} {path} is built on base model {loaded.config.base_model!r}, but base_model is "
            f"{base_model!r}; give the same base model (or leave base_model out)"
        )
    if getattr(loaded.config, "lora", None):  # adapters go on: reload them unmerged, the base stays frozen
        loaded = cls.from_pretrained(path, merge=False)
    else:
        for parameter in loaded.model.parameters():
            parameter.requires_grad_(True)
    loaded.model.train()
    loaded.config = replace(loaded.config, max_length=max_length, metrics={})
    return loaded
