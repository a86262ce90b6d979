"""AttributionTagger: a BIO token classifier over SOURCE / CUE / CONTENT.

A standard ``AutoModelForTokenClassification`` on the base encoder. Only the weights that
training changed (encoder layers and head; the word-embedding matrix stays frozen) are
saved, in float16 safetensors, next to ``tagger_config.json``; loading rebuilds the base
from its package and lays the saved weights over it. A tagger trained with LoRA adapters
(``lora`` in its config; see :mod:`attribution.tagging.lora`) saves the adapters and the head,
and loading merges the adapters into the base.

Example:
    >>> tagger = AttributionTagger.from_pretrained("models/attribution-tagger")  # doctest: +SKIP
    >>> spans = tagger.tag(article, sentences)                                   # doctest: +SKIP
    >>> [(s.label, s.text) for s in spans][:3]                                   # doctest: +SKIP
    [('SOURCE', 'A military source'), ('CUE', 'told'), ('CONTENT', 'heavy clashes are underway ...')]

"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from attribution.records import Article, Sentence, Span
from attribution.tagging.base_model import DEFAULT_BASE_MODEL, resolve_base_model
from attribution.tagging.decoding import decode_window
from attribution.tagging.lora import LoraSettings, add_lora, is_lora, merge_lora
from attribution.tagging.weights import (
    load_trained,
    quiet_transformers,
    save_state,
    save_trained,
    trained_state,
    warn_if_other_version,
)
from attribution.tagging.windows import LABEL2ID, LABELS, TokenWindow, build_windows

logger = logging.getLogger(__name__)

CONFIG_NAME = "tagger_config.json"
WEIGHTS_NAME = "model.safetensors"


@dataclass(frozen=True, slots=True)
class TaggerConfig:
    """What ``tagger_config.json`` holds; unknown keys are rejected on load."""

    base_model: str = DEFAULT_BASE_MODEL
    labels: tuple[str, ...] = LABELS
    max_length: int = 128
    weights_dtype: str = "float16"
    frozen_parameters: tuple[str, ...] = ()
    lora: dict[str, Any] = field(default_factory=dict)  # LoRA settings when the weights are adapters; else empty
    attribution_version: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "tagger config") -> TaggerConfig:
        """Build from a dict, naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        values = dict(data)
        for key in ("labels", "frozen_parameters"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


@dataclass(frozen=True)
class EncodedBatch:
    """One forward pass over a batch of windows (rows follow ``indices``, padded to one width)."""

    indices: tuple[int, ...]
    lengths: tuple[int, ...]
    probabilities: np.ndarray | None  # None when the pass stopped at ``hidden_layer`` (``labels=False``)
    attention_mask: Any
    hidden: Any | None = None


class AttributionTagger:
    """Token classifier + windowing + constrained decoding.

    Args:
        model: A ``PreTrainedModel`` for token classification with ``LABELS`` as its labels.
        tokenizer: The base encoder's fast tokenizer.
        config: The tagger settings.
        name: Where it was loaded from (used in report provenance).

    """

    def __init__(self, model: Any, tokenizer: Any, config: TaggerConfig, *, name: str = "unsaved") -> None:
        if tuple(config.labels) != LABELS:
            raise ValueError(f"tagger labels {list(config.labels)} differ from the supported set {list(LABELS)}")
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.name = name
        self._saved_adapters: dict[str, Any] | None = None  # a loaded LoRA tagger's file, merged into ``model``

    @classmethod
    def from_base(cls, base_model: str = DEFAULT_BASE_MODEL, *, max_length: int = 128) -> Self:
        """A fresh, untrained tagger on ``base_model`` (a hub id resolved offline, or a path)."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = resolve_base_model(base_model)
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForTokenClassification.from_pretrained(
            path, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=LABEL2ID
        )
        return cls(model, tokenizer, TaggerConfig(base_model=base_model, max_length=max_length))

    def add_lora(self, settings: LoraSettings) -> None:
        """Wrap the model with fresh LoRA adapters: from here on only they and the head train."""
        from dataclasses import replace

        self.model = add_lora(self.model, settings)
        self.config = replace(self.config, lora=settings.to_dict())

    @classmethod
    def from_pretrained(cls, path: str | Path, *, device: str | None = None, merge: bool = True) -> Self:
        """Load a saved tagger folder (``tagger_config.json`` + ``model.safetensors``).

        A LoRA tagger's adapters are merged into the base unless ``merge`` is false (to train them further).

        Raises:
            FileNotFoundError: if the folder lacks either file.
            ValueError: if the weights do not fit the base model.

        """
        path = Path(path)
        config_path, weights_path = path / CONFIG_NAME, path / WEIGHTS_NAME
        for required in (config_path, weights_path):
            if not required.is_file():
                raise FileNotFoundError(f"{path}: not a saved attribution tagger ({required.name} is missing)")
        config = TaggerConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")), where=str(config_path))
        with quiet_transformers():  # the base's head is replaced below: its load report is noise here
            tagger = cls.from_base(config.base_model, max_length=config.max_length)
        if config.lora:
            tagger.model = add_lora(tagger.model, LoraSettings.from_dict(config.lora))
        load_trained(tagger.model, weights_path, frozen=config.frozen_parameters, base=config.base_model)
        if config.lora and merge:  # keep the adapters as loaded: a later save writes them, not the merged model
            tagger._saved_adapters = trained_state(tagger.model, config.weights_dtype)
            tagger.model = merge_lora(tagger.model)
        warn_if_other_version(config.attribution_version, "The tagger", path)
        tagger.config = config
        tagger.name = str(path)
        tagger.model.eval()
        if device:
            tagger.model.to(device)
        return tagger

    def save_pretrained(self, path: str | Path, *, metrics: dict[str, Any] | None = None) -> None:
        """Save the trained (non-frozen) weights as float16 safetensors plus ``tagger_config.json``."""
        from attribution import __version__

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._saved_adapters is not None:  # merged on load: write the adapters it was loaded from
            save_state(self._saved_adapters, path / WEIGHTS_NAME)
            frozen = self.config.frozen_parameters
        else:
            frozen = save_trained(self.model, path / WEIGHTS_NAME, self.config.weights_dtype)
            if is_lora(self.model):  # loading rebuilds the frozen base; only the adapters and head are named
                frozen = ()
        config = TaggerConfig(
            base_model=self.config.base_model,
            labels=LABELS,
            max_length=self.config.max_length,
            weights_dtype=self.config.weights_dtype,
            frozen_parameters=frozen,
            lora=self.config.lora,
            attribution_version=__version__,
            metrics=metrics if metrics is not None else self.config.metrics,
        )
        (path / CONFIG_NAME).write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
        self.config = config

    def windows(self, sentences: Sequence[Sentence]) -> list[TokenWindow]:
        """The encoder windows for ``sentences``."""
        return build_windows(sentences, self.tokenizer, max_length=self.config.max_length)

    def predict_windows(self, windows: Sequence[TokenWindow], *, batch_size: int = 32) -> list[np.ndarray]:
        """Label probabilities (tokens x labels) per window; batches are sorted by length."""
        results: list[np.ndarray] = [np.zeros((0, len(LABELS)))] * len(windows)
        for batch in self.encode(windows, batch_size=batch_size):
            for row, index in enumerate(batch.indices):
                results[index] = batch.probabilities[row, : batch.lengths[row]]
        return results

    def encode(
        self,
        windows: Sequence[TokenWindow],
        *,
        batch_size: int = 32,
        hidden_layer: int | None = None,
        labels: bool = True,
    ) -> Iterator[EncodedBatch]:
        """Run the encoder over length-sorted batches of ``windows``.

        With ``hidden_layer`` set, each batch also carries the hidden states after that
        encoder layer (0: the embeddings), so another head (the loaded-term branch) can reuse
        this pass. With ``labels=False`` as well, the pass stops at that layer and the batch
        has no label probabilities: the loaded-term branch on its own (training features, a
        branch whose trunk is not the analyzer's tagger) then skips the layers it never reads.
        """
        import torch

        if not labels and hidden_layer is None:
            raise ValueError("encode(labels=False) needs a hidden_layer: there is nothing else to return")
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id or 0
        self.model.eval()
        with torch.inference_mode():
            for begin in range(0, len(order), batch_size):
                indices = order[begin : begin + batch_size]
                batch = [windows[i] for i in indices]
                width = max(len(w.input_ids) for w in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, w in enumerate(batch):
                    ids[row, : len(w.input_ids)] = torch.tensor(w.input_ids)
                    mask[row, : len(w.input_ids)] = 1
                lengths = tuple(len(w.input_ids) for w in batch)
                if not labels:
                    hidden = self._hidden_states(ids.to(device), mask.to(device), hidden_layer)  # type: ignore[arg-type]
                    yield EncodedBatch(tuple(indices), lengths, None, attention_mask=mask, hidden=hidden)
                    continue
                output = self.model(
                    input_ids=ids.to(device),
                    attention_mask=mask.to(device),
                    output_hidden_states=hidden_layer is not None,
                )
                yield EncodedBatch(
                    indices=tuple(indices),
                    lengths=lengths,
                    probabilities=torch.softmax(output.logits.float(), dim=-1).cpu().numpy(),
                    attention_mask=mask,
                    hidden=None if hidden_layer is None else output.hidden_states[hidden_layer],
                )

    def _hidden_states(self, input_ids: Any, attention_mask: Any, layer: int) -> Any:
        """The hidden states after encoder layer ``layer`` (0: the embeddings), running no layer after it.

        The encoder's layer list is cut to its first ``layer`` layers for this one call and put back
        afterwards, also when the call fails; the output equals ``hidden_states[layer]`` of a full pass.
        A model whose layer list is not at ``base_model.encoder.layer`` (one still wrapped with
        unmerged adapters) runs the full pass instead.
        """
        import torch

        encoder = getattr(getattr(self.model, "base_model", None), "encoder", None)
        layers = getattr(encoder, "layer", None)
        if not isinstance(layers, torch.nn.ModuleList):
            output = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
            return output.hidden_states[layer]
        if not 0 <= layer <= len(layers):
            raise ValueError(f"hidden_layer must be in 0..{len(layers)}, got {layer}")
        encoder.layer = layers[:layer]
        try:
            return self.model.base_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        finally:
            encoder.layer = layers

    def tag(self, article: Article, sentences: Sequence[Sentence], *, batch_size: int = 32) -> list[Span]:
        """SOURCE / CUE / CONTENT spans for ``article``, sorted by start offset."""
        return self.tag_many([article], [sentences], batch_size=batch_size)[0]

    def tag_many(
        self, articles: Sequence[Article], sentences: Sequence[Sequence[Sentence]], *, batch_size: int = 32
    ) -> list[list[Span]]:
        """Spans per article; the windows of all articles share length-sorted batches."""
        per_article = [self.windows(article_sentences) for article_sentences in sentences]
        flat = [window for windows in per_article for window in windows]
        return self.decode_many(articles, per_article, self.predict_windows(flat, batch_size=batch_size))

    def decode_many(
        self,
        articles: Sequence[Article],
        windows: Sequence[Sequence[TokenWindow]],
        probabilities: Sequence[np.ndarray],
    ) -> list[list[Span]]:
        """Spans per article from the probabilities of all articles' windows, in order."""
        flat = iter(probabilities)
        results = []
        for article, article_windows in zip(articles, windows, strict=True):
            spans = [span for window in article_windows for span in decode_window(window, next(flat), article.text)]
            results.append(sorted(spans, key=lambda s: (s.start, s.end)))
        return results
