"""LoRA adapters (peft) for a token classifier on a large base encoder.

A base such as all-mpnet-base-v2 (110M parameters) is too large to save whole in a model
folder (at most 25 MB a weight file). With LoRA, training changes only low-rank adapters on
every linear layer of the encoder plus the classification head; those are what the model
folder keeps. Loading rebuilds the adapters on a fresh base, lays the saved weights over them
and merges them into the base's matrices, so inference runs a plain model at full speed.

Example:
    >>> settings = LoraSettings(rank=16)
    >>> settings.to_dict()
    {'rank': 16, 'alpha': 32, 'dropout': 0.1}
    >>> LoraSettings.from_dict({"rank": 8, "alpha": 8, "dropout": 0.0}).alpha
    8

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LoraSettings:
    """Rank, scaling (``alpha``; default twice the rank) and dropout of the adapters."""

    rank: int
    alpha: int | None = None
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.rank <= 0:
            raise ValueError(f"LoRA rank must be positive, got {self.rank}")
        if self.alpha is None:
            object.__setattr__(self, "alpha", 2 * self.rank)
        if not 0 <= self.dropout < 1:
            raise ValueError(f"LoRA dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict[str, Any]:
        """The settings as saved in a model's config file."""
        return {"rank": self.rank, "alpha": self.alpha, "dropout": self.dropout}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoraSettings:
        """Settings read back from a config file."""
        return cls(rank=int(data["rank"]), alpha=int(data["alpha"]), dropout=float(data.get("dropout", 0.0)))


def add_lora(model: Any, settings: LoraSettings) -> Any:
    """``model`` (a token classifier) wrapped with adapters on every encoder linear layer.

    Only the adapters and the classification head train; every base weight is frozen.
    """
    import warnings

    import torch
    from peft import LoraConfig, TaskType, get_peft_model

    config = LoraConfig(
        task_type=TaskType.TOKEN_CLS,  # the classifier head trains whole (peft's modules_to_save)
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=encoder_linear_layers(model, torch.nn.Linear),
    )
    with warnings.catch_warnings():  # peft asks transformers a deprecated question; the warning is noise to users
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return get_peft_model(model, config)


def encoder_linear_layers(model: Any, linear: type) -> list[str]:
    """Names of the linear layers inside ``model``'s encoder blocks (attention and feed-forward).

    ``model`` may be a task model (``bert.encoder.layer.0...``) or a bare encoder (``encoder.layer.0...``).
    """
    return [name for name, module in model.named_modules() if isinstance(module, linear) and ".encoder." in f".{name}"]


def inject_lora(module: Any, settings: LoraSettings, target_modules: list[str]) -> None:
    """Put adapters on ``target_modules`` (linear layers of ``module``) in place and freeze their base weights.

    Unlike :func:`add_lora`, no wrapper is added: the module keeps its class and attributes, and every
    parameter outside the targets (a task head beside them) keeps training as before.
    """
    import warnings

    from peft import LoraConfig, inject_adapter_in_model

    config = LoraConfig(
        r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout, target_modules=target_modules
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        inject_adapter_in_model(config, module)


def has_injected_lora(module: Any) -> bool:
    """Whether :func:`inject_lora` put adapters in ``module`` that :func:`unload_injected_lora` has not merged."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    return any(isinstance(child, BaseTunerLayer) for child in module.modules())


def unload_injected_lora(module: Any) -> None:
    """Merge injected adapters into their base layers and put the plain layers back (no peft at inference)."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    wrapped = [(name, child) for name, child in module.named_modules() if isinstance(child, BaseTunerLayer)]
    for name, child in wrapped:
        child.merge()
        parent_name, _, attribute = name.rpartition(".")
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, attribute, child.get_base_layer())


def is_lora(model: Any) -> bool:
    """Whether ``model`` carries peft adapters that are not merged yet."""
    return hasattr(model, "merge_and_unload") and hasattr(model, "peft_config")


def merge_lora(model: Any) -> Any:
    """The plain model with the adapters merged into its weights (no peft at inference)."""
    return model.merge_and_unload()
