"""SentenceBiasClassifier: whether a news sentence is worded with bias, in the BABE sense.

A standard ``AutoModelForSequenceClassification`` with two labels (``not_biased``, ``biased``)
on the base encoder. As with the attribution tagger, only the weights that training changed
(encoder layers, pooler and head; the word-embedding matrix stays frozen) are saved, in
float16 safetensors, next to ``sentence_bias_config.json``; loading rebuilds the base from
its package and lays the saved weights over it.

Example:
    >>> classifier = SentenceBiasClassifier.from_pretrained("models/sentence-bias")   # doctest: +SKIP
    >>> classifier.predict(["The regime's thugs terrorized the city.", "The council met on Monday."])  # doctest: +SKIP
    [(True, 0.93), (False, 0.08)]

"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from attribution.tagging.base_model import DEFAULT_BASE_MODEL, resolve_base_model
from attribution.tagging.weights import load_trained, quiet_transformers, save_trained, warn_if_other_version

logger = logging.getLogger(__name__)

CONFIG_NAME = "sentence_bias_config.json"
WEIGHTS_NAME = "model.safetensors"
#: Class names in label-id order; id 1 is "biased".
LABELS = ("not_biased", "biased")
LABEL2ID = {label: i for i, label in enumerate(LABELS)}


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    """What ``sentence_bias_config.json`` holds; unknown keys are rejected on load.

    Example:
        >>> ClassifierConfig.from_dict({"max_length": 64}).max_length
        64
        >>> ClassifierConfig.from_dict({"max_len": 64})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: sentence-bias config: unknown key(s) ['max_len']; known: [...]

    """

    base_model: str = DEFAULT_BASE_MODEL
    labels: tuple[str, ...] = LABELS
    max_length: int = 128
    weights_dtype: str = "float16"
    frozen_parameters: tuple[str, ...] = ()
    attribution_version: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.labels) != LABELS:
            raise ValueError(f"sentence-bias labels {list(self.labels)} differ from the supported {list(LABELS)}")
        if self.max_length < 8:
            raise ValueError(f"max_length must be at least 8, got {self.max_length}")
        if self.weights_dtype not in ("float16", "bfloat16", "float32"):
            raise ValueError(f"weights_dtype must be float16, bfloat16 or float32, got {self.weights_dtype!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "sentence-bias config") -> ClassifierConfig:
        """Build from a dict, naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        values = dict(data)
        for key in ("labels", "frozen_parameters"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


class SentenceBiasClassifier:
    """Binary sentence classifier: biased / not biased.

    Args:
        model: A ``PreTrainedModel`` for sequence classification with ``LABELS`` as its labels.
        tokenizer: The base encoder's fast tokenizer.
        config: The classifier settings.
        name: Where it was loaded from (used in report provenance).

    """

    def __init__(self, model: Any, tokenizer: Any, config: ClassifierConfig, *, name: str = "unsaved") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.name = name

    @classmethod
    def from_base(cls, base_model: str = DEFAULT_BASE_MODEL, *, max_length: int = 128) -> Self:
        """A fresh, untrained classifier on ``base_model`` (a hub id resolved offline, or a path)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = resolve_base_model(base_model)
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(
            path,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id=LABEL2ID,
            ignore_mismatched_sizes=True,  # a base saved with another head (e.g. a token classifier) gets a new one
        )
        return cls(model, tokenizer, ClassifierConfig(base_model=base_model, max_length=max_length))

    @classmethod
    def from_pretrained(cls, path: str | Path, *, device: str | None = None) -> Self:
        """Load a saved classifier folder (``sentence_bias_config.json`` + ``model.safetensors``).

        Raises:
            FileNotFoundError: if the folder lacks either file.
            ValueError: if the config has unknown keys or the weights do not fit the base model.

        """
        path = Path(path)
        config_path, weights_path = path / CONFIG_NAME, path / WEIGHTS_NAME
        for required in (config_path, weights_path):
            if not required.is_file():
                raise FileNotFoundError(f"{path}: not a saved sentence-bias classifier ({required.name} is missing)")
        config = ClassifierConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")), where=str(config_path))
        with quiet_transformers():  # the base has no classification head: its load report is noise here
            classifier = cls.from_base(config.base_model, max_length=config.max_length)
        load_trained(classifier.model, weights_path, frozen=config.frozen_parameters, base=config.base_model)
        warn_if_other_version(config.attribution_version, "The sentence-bias classifier", path)
        classifier.config = config
        classifier.name = str(path)
        classifier.model.eval()
        if device:
            classifier.model.to(device)
        return classifier

    def save_pretrained(self, path: str | Path, *, metrics: dict[str, Any] | None = None) -> None:
        """Save the trained (non-frozen) weights as safetensors plus ``sentence_bias_config.json``."""
        from attribution import __version__

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        frozen = save_trained(self.model, path / WEIGHTS_NAME, self.config.weights_dtype)
        config = ClassifierConfig(
            base_model=self.config.base_model,
            labels=LABELS,
            max_length=self.config.max_length,
            weights_dtype=self.config.weights_dtype,
            frozen_parameters=frozen,
            attribution_version=__version__,
            metrics=metrics if metrics is not None else self.config.metrics,
        )
        (path / CONFIG_NAME).write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
        self.config = config

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 32) -> list[float]:
        """The probability of "biased" for each text, in input order; batches are sorted by length.

        Raises:
            TypeError: if ``texts`` is a single string instead of a sequence of strings.

        """
        import torch

        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of sentences; wrap a single sentence in a list: [text]")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.config.max_length)["input_ids"]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        results = [0.0] * len(encoded)
        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id or 0
        self.model.eval()
        with torch.inference_mode():
            for begin in range(0, len(order), batch_size):
                rows = order[begin : begin + batch_size]
                width = max(len(encoded[i]) for i in rows)
                ids = torch.full((len(rows), width), pad, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for row, index in enumerate(rows):
                    ids[row, : len(encoded[index])] = torch.tensor(encoded[index])
                    mask[row, : len(encoded[index])] = 1
                logits = self.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
                biased = torch.softmax(logits.float(), dim=-1)[:, LABEL2ID["biased"]].cpu().tolist()
                for row, index in enumerate(rows):
                    results[index] = float(biased[row])
        return results

    def predict(self, texts: Sequence[str], *, batch_size: int = 32) -> list[tuple[bool, float]]:
        """``(biased?, probability of biased)`` per text, in input order; biased when the probability is >= 0.5."""
        return [(p >= 0.5, p) for p in self.predict_proba(texts, batch_size=batch_size)]
