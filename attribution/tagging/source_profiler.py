"""SourceProfiler: who a source is (``source_type``, 12 classes) and whether it is ``anonymous``.

One encoder, two heads. The input is the sentence(s) holding the source and the cue, with the source
marked ``[S] ... [/S]`` and the cue ``[C] ... [/C]``, followed (as the second segment) by how the source
refers (``named``, ``person`` pronoun, ``nominal_org``, ...; a rule from :mod:`attribution.relays`,
since the base encoder is uncased and cannot see capitals) and, for a pronoun or nominal source, the
name it resolves to with the sentence around it. The heads read the mean of the source's tokens
concatenated with the ``[CLS]`` vector: a 12-way softmax for the type and a sigmoid for anonymity.

:meth:`SourceProfiler.profile` fills every profile field of an article's attributions: the two
predicted fields plus ``via`` (:func:`~attribution.relays.find_via`), ``resolved_source``
(:func:`~attribution.relays.resolve_source`) and ``stance`` (:func:`~attribution.stance.cue_stance`).
An attribution without a source is ``unspecified`` and anonymous.

As with the other components, only the weights that training changed (encoder layers and heads; the
word-embedding matrix stays frozen) are saved, in float16 safetensors, next to
``source_profile_config.json``; loading rebuilds the base from its package and lays them over it.

Example:
    >>> profiler = SourceProfiler.from_pretrained("models/source-profile")        # doctest: +SKIP
    >>> profiled = profiler.profile(article, sentences, attributions)              # doctest: +SKIP
    >>> [(a.source_text, a.source_type, a.anonymous, [v.text for v in a.via]) for a in profiled][:1]  # doctest: +SKIP
    [('A military source', 'military', True, ['FNA'])]

"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Self

from attribution.annotations import SOURCE_TYPES
from attribution.readers import title_line
from attribution.records import Article, Attribution, Sentence
from attribution.relays import (
    Resolution,
    common_words,
    earlier_same_source,
    find_mentions,
    find_via,
    is_bare_source,
    named_only_by_place,
    resolve_source_mention,
    source_kind,
)
from attribution.stance import cue_stance
from attribution.tagging.base_model import DEFAULT_BASE_MODEL, resolve_base_model
from attribution.tagging.lora import (
    LoraSettings,
    encoder_linear_layers,
    has_injected_lora,
    inject_lora,
    unload_injected_lora,
)
from attribution.tagging.weights import (
    load_trained,
    quiet_transformers,
    save_state,
    save_trained,
    trained_state,
    warn_if_other_version,
)

logger = logging.getLogger(__name__)

CONFIG_NAME = "source_profile_config.json"
WEIGHTS_NAME = "model.safetensors"
#: The version of the input text layout (markers, second segment); saved models record it. v3 takes the
#: "first named" context from the body rather than the headline (v2 models keep their layout).
INPUT_FORMAT = "v3"
INPUT_FORMATS = ("v2", "v3")
_CONTEXT_CHARS = 320  # characters of context kept on each side of the source and cue
_ANTECEDENT_CHARS = 160
#: The text says the source is unnamed on purpose: "who asked not to be named", "speaking on condition of anonymity".
_ANONYMITY_PHRASE = re.compile(
    r"\b(?:(?:asked|requested|declined|refused|wished|wanting|did\s+not\s+want)\s+(?:not\s+)?(?:to\s+)?"
    r"(?:be\s+(?:named|identified)|give\s+(?:his|her|their)\s+(?:full\s+|last\s+)?names?|not\s+be\s+named)|"
    r"(?:asked|requested)\s+that\s+(?:his|her|their)\s+names?\s+not\s+be\s+(?:used|published|given)|"
    r"on\s+(?:the\s+)?condition\s+(?:of|that\s+(?:he|she|they)\s+not\s+be\s+named)\s*(?:anonymity)?|"
    r"(?:speaking|spoke|talking)\s+anonymously|not\s+authori[sz]ed\s+to\s+(?:speak|talk|comment))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ProfilerConfig:
    """What ``source_profile_config.json`` holds; unknown keys are rejected on load.

    Example:
        >>> ProfilerConfig.from_dict({"max_length": 96}).max_length
        96
        >>> ProfilerConfig.from_dict({"max_len": 96})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: source-profile config: unknown key(s) ['max_len']; known: [...]

    """

    base_model: str = DEFAULT_BASE_MODEL
    source_types: tuple[str, ...] = SOURCE_TYPES
    max_length: int = 160
    anonymous_threshold: float = 0.5
    input_format: str = INPUT_FORMAT
    weights_dtype: str = "float16"
    frozen_parameters: tuple[str, ...] = ()
    lora: dict[str, Any] = field(default_factory=dict)  # LoRA settings when the encoder weights are adapters
    attribution_version: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.source_types) != SOURCE_TYPES:
            raise ValueError(f"source types {list(self.source_types)} differ from the supported {list(SOURCE_TYPES)}")
        if self.max_length < 16:
            raise ValueError(f"max_length must be at least 16, got {self.max_length}")
        if not 0 < self.anonymous_threshold < 1:
            raise ValueError(f"anonymous_threshold must be in (0, 1), got {self.anonymous_threshold}")
        if self.input_format not in INPUT_FORMATS:
            raise ValueError(
                f"input_format {self.input_format!r} is not supported (this version reads {list(INPUT_FORMATS)})"
            )
        if self.weights_dtype not in ("float16", "bfloat16", "float32"):
            raise ValueError(f"weights_dtype must be float16, bfloat16 or float32, got {self.weights_dtype!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "source-profile config") -> ProfilerConfig:
        """Build from a dict, naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        values = dict(data)
        for key in ("source_types", "frozen_parameters"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ProfileInput:
    """The classifier's view of one source: two text segments and the source's characters in the first.

    Example:
        >>> from attribution.records import Span
        >>> text = "A military source told FNA that clashes are underway."
        >>> a = Attribution((Span("CUE", 18, 22, "told", 0),), (Span("SOURCE", 0, 17, "A military source", 0),), (),
        ...                 "indirect", 0, 1.0)
        >>> item = build_input(text, [Sentence(0, 0, len(text), text)], a)
        >>> item.first
        '[S] A military source [/S] [C] told [/C] FNA that clashes are underway.'
        >>> item.second, item.first[item.source_spans[0][0]:item.source_spans[0][1]]
        ('other', 'A military source')

    """

    first: str
    second: str
    source_spans: tuple[tuple[int, int], ...]


def _marked(
    text: str, lo: int, hi: int, marks: Sequence[tuple[int, int, str, str]]
) -> tuple[str, list[tuple[int, int]]]:
    """``text[lo:hi]`` with ``(start, end, open, close)`` markers inserted; returns the source spans (``[S]``)."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    position = lo
    for start, end, opening, closing in sorted(marks):
        start, end = max(start, position), min(end, hi)
        if start >= end:
            continue
        for chunk in (text[position:start], f" {opening} "):
            pieces.append(chunk)
            length += len(chunk)
        inner = text[start:end]
        if opening == "[S]":
            spans.append((length, length + len(inner)))
        for chunk in (inner, f" {closing} "):
            pieces.append(chunk)
            length += len(chunk)
        position = end
    pieces.append(text[position:hi])
    joined = "".join(pieces)
    # collapse the doubled spaces the markers bring, keeping the source spans aligned
    out: list[str] = []
    shift = [0] * (len(joined) + 1)
    removed = 0
    for i, char in enumerate(joined):
        shift[i] = removed
        if char.isspace() and (not out or out[-1] == " "):
            removed += 1
            continue
        out.append(" " if char.isspace() else char)
    shift[len(joined)] = removed
    collapsed = "".join(out)
    stripped = len(collapsed) - len(collapsed.lstrip())
    return collapsed.strip(), [(s - shift[s] - stripped, e - shift[e] - stripped) for s, e in spans]


def build_input(
    text: str,
    sentences: Sequence[Sentence],
    attribution: Attribution,
    resolution: Resolution | None = None,
    *,
    input_format: str = INPUT_FORMAT,
) -> ProfileInput:
    """The classifier input for one attribution with a source (see the module docstring).

    Args:
        text: The article text.
        sentences: The article's sentences.
        attribution: The attribution (its source must not be empty).
        resolution: What a pronoun or nominal source resolves to, if anything.
        input_format: The layout the model was trained on (:data:`INPUT_FORMATS`): from ``v3`` on, the
            "first named" context is the first mention in the body, not in a headline.

    Raises:
        ValueError: if the attribution has no source.

    """
    if not attribution.source:
        raise ValueError("build_input needs an attribution with a source")
    pieces = [*attribution.source, *attribution.cue]
    lo, hi = min(p.start for p in pieces), max(p.end for p in pieces)
    for sentence in sentences:
        if sentence.start <= lo < sentence.end:
            lo = max(sentence.start, lo - _CONTEXT_CHARS)
        if sentence.start < hi <= sentence.end:
            hi = min(sentence.end, hi + _CONTEXT_CHARS)
    if not sentences:
        lo, hi = max(0, lo - 120), min(len(text), hi + 120)
    marks = [(s.start, s.end, "[S]", "[/S]") for s in attribution.source]
    marks += [(c.start, c.end, "[C]", "[/C]") for c in attribution.cue if not _inside_any(c, attribution.source)]
    first, spans = _marked(text, lo, hi, marks)
    kind = source_kind(attribution)
    second = kind
    if resolution is not None:
        context = _mention_context(text, sentences, resolution.start, resolution.end)
        second = f"{kind} ; refers to {resolution.name} ; {context}"
        anchor: tuple[int, int] | None = (resolution.start, resolution.end)
    elif kind == "named":
        mentions = find_mentions(text, attribution.source[0].start, attribution.source[-1].end)
        anchor = (mentions[-1].start, mentions[-1].end) if mentions else None
    else:
        anchor = None
    # where the article first introduced the same name ("Retired neurosurgeon Ben Carson" for a later "Carson")
    if anchor is not None:
        intro = _introduction(text, anchor, skip_headline=input_format != "v2")
        if intro is not None and not (lo <= intro[0] < hi) and intro[0] != anchor[0]:
            second = f"{second} ; first named: {_mention_context(text, sentences, *intro)}"
    return ProfileInput(first, second, tuple(spans))


def _mention_context(text: str, sentences: Sequence[Sentence], start: int, end: int) -> str:
    """The sentence around ``text[start:end]`` (cropped), with the mention marked ``[R] ... [/R]``."""
    context_lo, context_hi = max(0, start - _ANTECEDENT_CHARS), min(len(text), end + _ANTECEDENT_CHARS)
    for sentence in sentences:
        if sentence.start <= start < sentence.end:
            context_lo, context_hi = max(sentence.start, context_lo), min(sentence.end, context_hi)
    context, _ = _marked(text, context_lo, context_hi, [(start, end, "[R]", "[/R]")])
    return context


def _introduction(text: str, anchor: tuple[int, int], *, skip_headline: bool = True) -> tuple[int, int] | None:
    """The first mention in ``text`` (before ``anchor``) of the name at ``anchor``, matched by its last word.

    With ``skip_headline``, a mention in the body comes before one in a headline
    (:func:`~attribution.readers.title_line`, the line the report shows as the title): "Labor
    Secretary Tom Perez said" rather than "Understated Perez raises political profile."; headlines
    seldom say who a person is.
    """
    name = text[anchor[0] : anchor[1]].split()
    if not name:
        return None
    last = name[-1].lower().strip(".,;:’'")
    matching = [
        mention
        for mention in find_mentions(text, 0, anchor[0], common_words=common_words(text))
        if mention.text.split()[-1].lower().strip(".,;:’'") == last
    ]
    if skip_headline:
        title = title_line(text)
        body = title[1] if title else 0
        matching = sorted(matching, key=lambda mention: mention.start < body)  # stable: body mentions first
    return (matching[0].start, matching[0].end) if matching else None


def _inside_any(piece: Any, spans: Sequence[Any]) -> bool:
    return any(s.start < piece.end and piece.start < s.end for s in spans)


def build_model(base_path: str, n_types: int = len(SOURCE_TYPES)) -> Any:
    """The encoder (``AutoModel`` of ``base_path``, no pooler) with a type head and an anonymity head."""
    import torch
    from torch import nn
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(base_path, add_pooling_layer=False)
    uses_token_types = getattr(encoder.config, "type_vocab_size", 0) > 1  # BERT-like; MPNet has no segment ids

    class SourceProfileModel(nn.Module):
        """Encoder + [source mean ; CLS] -> type logits (softmax) and anonymity logit (sigmoid)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.config = encoder.config
            hidden = encoder.config.hidden_size
            self.dropout = nn.Dropout(encoder.config.hidden_dropout_prob)
            self.type_head = nn.Linear(2 * hidden, n_types)
            self.anonymous_head = nn.Linear(2 * hidden, 1)
            self.anonymous_weight = 1.0  # training sets it: weight of the anonymity loss

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            source_mask: torch.Tensor,
            token_type_ids: torch.Tensor | None = None,
            type_labels: torch.Tensor | None = None,
            anonymous_labels: torch.Tensor | None = None,
        ) -> dict[str, torch.Tensor]:
            segments = {"token_type_ids": token_type_ids} if uses_token_types else {}
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **segments).last_hidden_state
            weights = source_mask.unsqueeze(-1).to(hidden.dtype)
            source = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            pooled = self.dropout(torch.cat([source, hidden[:, 0]], dim=-1))
            out = {"type_logits": self.type_head(pooled), "anonymous_logits": self.anonymous_head(pooled).squeeze(-1)}
            if type_labels is not None and anonymous_labels is not None:
                loss = nn.functional.cross_entropy(out["type_logits"].float(), type_labels)
                loss = loss + self.anonymous_weight * nn.functional.binary_cross_entropy_with_logits(
                    out["anonymous_logits"].float(), anonymous_labels.float()
                )
                out["loss"] = loss
            return out

    return SourceProfileModel()


def encode_inputs(tokenizer: Any, items: Sequence[ProfileInput], max_length: int) -> list[dict[str, list[int]]]:
    """Token ids, type ids and the source-token mask for each input (truncating the second segment first)."""
    encoded = tokenizer(
        [item.first for item in items],
        [item.second for item in items],
        truncation="longest_first",
        max_length=max_length,
        return_offsets_mapping=True,
        return_token_type_ids=True,
    )
    features = []
    for row, item in enumerate(items):
        offsets = encoded["offset_mapping"][row]
        segments = encoded.sequence_ids(row)
        mask = [
            int(
                segment == 0
                and end > start
                and any(start < span_end and span_start < end for span_start, span_end in item.source_spans)
            )
            for (start, end), segment in zip(offsets, segments, strict=True)
        ]
        features.append(
            {
                "input_ids": encoded["input_ids"][row],
                "token_type_ids": encoded["token_type_ids"][row],
                "attention_mask": [1] * len(encoded["input_ids"][row]),
                "source_mask": mask,
            }
        )
    return features


def collate(features: Sequence[dict[str, Any]], pad_id: int = 0) -> dict[str, Any]:
    """Pad a batch of :func:`encode_inputs` features (plus optional labels) into tensors."""
    import torch

    width = max(len(f["input_ids"]) for f in features)
    batch: dict[str, Any] = {}
    for key, pad in (("input_ids", pad_id), ("token_type_ids", 0), ("attention_mask", 0), ("source_mask", 0)):
        batch[key] = torch.tensor([f[key] + [pad] * (width - len(f[key])) for f in features], dtype=torch.long)
    for key, dtype in (("type_labels", torch.long), ("anonymous_labels", torch.float)):
        if key in features[0]:
            batch[key] = torch.tensor([f[key] for f in features], dtype=dtype)
    return batch


class SourceProfiler:
    """Source type and anonymity classifier plus the rule components of the source profile.

    Args:
        model: The module from :func:`build_model`.
        tokenizer: The base encoder's fast tokenizer.
        config: The profiler settings.
        name: Where it was loaded from (used in report provenance).

    """

    def __init__(self, model: Any, tokenizer: Any, config: ProfilerConfig, *, name: str = "unsaved") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.name = name
        self._saved_adapters: dict[str, Any] | None = None  # a loaded LoRA profiler's file, merged into ``model``

    @classmethod
    def from_base(cls, base_model: str = DEFAULT_BASE_MODEL, *, max_length: int = 160) -> Self:
        """A fresh, untrained profiler on ``base_model`` (a hub id resolved offline, or a path)."""
        from transformers import AutoTokenizer

        path = resolve_base_model(base_model)
        tokenizer = AutoTokenizer.from_pretrained(path)
        with quiet_transformers():  # the base's own head (if any) is not used: its load report is noise
            model = build_model(path)
        return cls(model, tokenizer, ProfilerConfig(base_model=base_model, max_length=max_length))

    def add_lora(self, settings: LoraSettings) -> None:
        """Put fresh LoRA adapters on the encoder's linear layers: from here on only they and the heads train."""
        import torch

        inject_lora(self.model.encoder, settings, encoder_linear_layers(self.model.encoder, torch.nn.Linear))
        self.config = replace(self.config, lora=settings.to_dict())

    @classmethod
    def from_pretrained(cls, path: str | Path, *, device: str | None = None, merge: bool = True) -> Self:
        """Load a saved profiler folder (``source_profile_config.json`` + ``model.safetensors``).

        A LoRA profiler's adapters are merged into the encoder unless ``merge`` is false (to train them further).

        Raises:
            FileNotFoundError: if the folder lacks either file.
            ValueError: if the config has unknown keys or the weights do not fit the base model.

        """
        path = Path(path)
        config_path, weights_path = path / CONFIG_NAME, path / WEIGHTS_NAME
        for required in (config_path, weights_path):
            if not required.is_file():
                raise FileNotFoundError(f"{path}: not a saved source profiler ({required.name} is missing)")
        config = ProfilerConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")), where=str(config_path))
        profiler = cls.from_base(config.base_model, max_length=config.max_length)
        if config.lora:
            profiler.add_lora(LoraSettings.from_dict(config.lora))
        load_trained(profiler.model, weights_path, frozen=config.frozen_parameters, base=config.base_model)
        if config.lora and merge:  # keep the adapters as loaded (a later save writes them), run the merged encoder
            profiler._saved_adapters = trained_state(profiler.model, config.weights_dtype)
            unload_injected_lora(profiler.model.encoder)
        warn_if_other_version(config.attribution_version, "The source profiler", path)
        profiler.config = config
        profiler.name = str(path)
        profiler.model.eval()
        if device:
            profiler.model.to(device)
        return profiler

    def save_pretrained(self, path: str | Path, *, metrics: dict[str, Any] | None = None) -> None:
        """Save the trained (non-frozen) weights as safetensors plus ``source_profile_config.json``."""
        from attribution import __version__

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._saved_adapters is not None:  # merged on load: write the adapters and heads it was loaded from
            save_state(self._saved_adapters, path / WEIGHTS_NAME)
            frozen = self.config.frozen_parameters
        else:
            frozen = save_trained(self.model, path / WEIGHTS_NAME, self.config.weights_dtype)
            if has_injected_lora(self.model):  # loading rebuilds the frozen base: only adapters and heads are named
                frozen = ()
        config = replace(
            self.config,
            frozen_parameters=frozen,
            attribution_version=__version__,
            metrics=metrics if metrics is not None else self.config.metrics,
        )
        (path / CONFIG_NAME).write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
        self.config = config

    def predict(self, items: Sequence[ProfileInput], *, batch_size: int = 32) -> list[tuple[str, float, float]]:
        """``(source_type, its probability, probability of anonymous)`` per input, in input order."""
        import torch

        if not items:
            return []
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        features = encode_inputs(self.tokenizer, items, self.config.max_length)
        order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
        results: list[tuple[str, float, float]] = [("unspecified", 0.0, 0.0)] * len(features)
        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id or 0
        self.model.eval()
        with torch.inference_mode():
            for begin in range(0, len(order), batch_size):
                rows = order[begin : begin + batch_size]
                batch = {k: v.to(device) for k, v in collate([features[i] for i in rows], pad).items()}
                out = self.model(**batch)
                type_probs = torch.softmax(out["type_logits"].float(), dim=-1).cpu()
                anonymous = torch.sigmoid(out["anonymous_logits"].float()).cpu().tolist()
                best = type_probs.argmax(dim=-1).tolist()
                for row, index in enumerate(rows):
                    results[index] = (SOURCE_TYPES[best[row]], float(type_probs[row, best[row]]), float(anonymous[row]))
        return results

    def profile(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        attributions: Sequence[Attribution],
        *,
        batch_size: int = 32,
    ) -> tuple[Attribution, ...]:
        """Copies of ``attributions`` with ``source_type``, ``anonymous``, ``via``, ``resolved_source`` and ``stance``.

        A pronoun or nominal source takes the type and anonymity the classifier gives it in the light of
        what it resolves to (the resolved name is part of the input); a definite nominal source that takes
        up an earlier unnamed one ("the source" after "A military source") takes that one's type and
        anonymity (:func:`~attribution.relays.earlier_same_source`); any other bare "sources", "a source" is
        ``unspecified`` and anonymous (:func:`~attribution.relays.is_bare_source`), as are attributions without a
        source.

        Raises:
            TypeError: if ``attributions`` is a single :class:`Attribution` instead of a sequence.

        """
        return self.profile_many([article], [sentences], [attributions], batch_size=batch_size)[0]

    def profile_many(
        self,
        articles: Sequence[Article],
        sentences: Sequence[Sequence[Sentence]],
        attributions: Sequence[Sequence[Attribution]],
        *,
        batch_size: int = 32,
    ) -> list[tuple[Attribution, ...]]:
        """:meth:`profile` for several articles at once; their sources share length-sorted batches.

        One classifier run over the sources of all the articles pads less and fills its batches better
        than one run per article, with the same results (measured on 16 PolNeAR dev articles: 1.5-1.6 times
        faster in float32, 1.1-1.3 times in bfloat16).

        Raises:
            TypeError: if an article's attributions are a single :class:`Attribution` instead of a sequence.
            ValueError: if the three sequences differ in length.

        """
        if not len(articles) == len(sentences) == len(attributions):
            raise ValueError(
                f"{len(articles)} articles, {len(sentences)} sentence lists and {len(attributions)} attribution lists"
            )
        if any(isinstance(a, Attribution) for a in attributions):
            raise TypeError("profile() takes a sequence of attributions; wrap a single one in a list")
        rules = [profile_rules(a.text, s, atts) for a, s, atts in zip(articles, sentences, attributions, strict=True)]
        keys = [(k, i) for k, atts in enumerate(attributions) for i, a in enumerate(atts) if a.source]
        layout = self.config.input_format
        items = [
            build_input(articles[k].text, sentences[k], attributions[k][i], rules[k][i][1], input_format=layout)
            for k, i in keys
        ]
        predicted = dict(zip(keys, self.predict(items, batch_size=batch_size), strict=True))
        return [
            self._profiled(articles[k].text, sentences[k], attributions[k], rules[k], predicted, k)
            for k in range(len(articles))
        ]

    def _profiled(
        self,
        text: str,
        sentences: Sequence[Sentence],
        attributions: Sequence[Attribution],
        rules: Sequence[tuple[Any, Any, Any]],
        predicted: dict[tuple[int, int], tuple[str, float, float]],
        article_index: int,
    ) -> tuple[Attribution, ...]:
        """One article's attributions with their profile fields, from the rules and the classifier's outputs."""
        out: list[Attribution] = []
        for i, attribution in enumerate(attributions):
            via, resolution, stance = rules[i]
            same_as = earlier_same_source(i, attributions, sentences) if resolution is None else None
            if same_as is not None:  # "the source" after "A military source": the same speaker
                source_type, anonymous = out[same_as].source_type, out[same_as].anonymous
            elif is_bare_source(attribution):  # "sources said": nothing says who speaks (guidelines 1.1)
                source_type, anonymous = "unspecified", True
            elif (article_index, i) in predicted:
                source_type, _, p_anonymous = predicted[article_index, i]
                anonymous = (
                    p_anonymous >= self.config.anonymous_threshold
                    or says_anonymous(text, attribution)
                    or named_only_by_place(attribution)
                )
            else:
                source_type, anonymous = "unspecified", True
            out.append(
                replace(
                    attribution,
                    source_type=source_type,
                    anonymous=anonymous,
                    via=via,
                    resolved_source=resolution.name if resolution is not None else None,
                    stance=stance,
                )
            )
        return tuple(out)


def says_anonymous(text: str, attribution: Attribution) -> bool:
    """Whether the text says outright that the source is unnamed on purpose (guidelines section 1.2).

    The phrase may sit in the source span or right after it, up to the cue or 100 characters on:
    "A spokesman for the group, who asked not to be named, said", "officials, speaking on condition
    of anonymity, said". A named source stays named: "Smith, who declined to comment" says nothing.

    Example:
        >>> from attribution.records import Span
        >>> text = "A spokesman for the militia, who asked not to be named, said the town had fallen."
        >>> a = Attribution((Span("CUE", 56, 60, "said", 0),), (Span("SOURCE", 0, 27, text[:27], 0),), (),
        ...                 "indirect", 0, 1.0)
        >>> says_anonymous(text, a)
        True

    """
    if not attribution.source:
        return False
    start, end = attribution.source[0].start, attribution.source[-1].end
    cue_start = attribution.cue[0].start if attribution.cue else end + 100
    # a tagger that read ", who | asked | not to be named" as an attribution of its own: look past that cue
    misread = bool(attribution.cue) and attribution.cue[0].text.lower() in ("asked", "requested", "declined", "refused")
    stop = cue_start if cue_start > end and not misread else end + 100
    window = text[start : min(len(text), stop, end + 100)]
    sentence_end = re.search(r"[.!?](?:\s|$)", window[end - start :])
    if sentence_end:
        window = window[: end - start + sentence_end.start()]
    return bool(_ANONYMITY_PHRASE.search(window))


def profile_rules(
    text: str, sentences: Sequence[Sentence], attributions: Sequence[Attribution]
) -> list[tuple[tuple[Any, ...], Resolution | None, str]]:
    """``(via, resolution, stance)`` per attribution, from the rule components.

    A definite nominal source without a relay of its own that takes up an earlier unnamed source
    within three sentences (:func:`~attribution.relays.earlier_same_source`) keeps that source's relay:
    "A military source told FNA ..." then "..., the source said" is relayed by FNA too. (Carrying relays
    over to later mentions of named speakers, "Caddell said", marked many more relays than the PolNeAR
    labels have, so it is not done.)

    ``resolve_source`` sees the earlier attributions and any attribution whose content holds this
    source (the speaker of a quote, for "I"/"we").

    Example:
        >>> from attribution.records import Span
        >>> text = "A military source told FNA that clashes are underway."
        >>> a = Attribution((Span("CUE", 18, 22, "told", 0),), (Span("SOURCE", 0, 17, "A military source", 0),), (),
        ...                 "indirect", 0, 1.0)
        >>> [(tuple(v.text for v in via), resolution, stance)
        ...  for via, resolution, stance in profile_rules(text, [Sentence(0, 0, len(text), text)], [a])]
        [(('FNA',), None, 'neutral')]

    """
    by_index = {s.index: s for s in sentences}
    out = []
    for i, attribution in enumerate(attributions):
        sentence = by_index.get(attribution.sentence_index)
        if sentence is None and attribution.cue:
            sentence = next((s for s in sentences if s.start <= attribution.cue[0].start < s.end), None)
        if sentence is None:
            start = attribution.cue[0].start if attribution.cue else 0
            sentence = Sentence(attribution.sentence_index, 0, len(text), text) if not sentences else sentences[0]
            sentence = next((s for s in sentences if s.start <= start < s.end), sentence)
        via = find_via(attribution, text, sentence) if attribution.cue else ()
        resolution = None
        if attribution.source:
            start = attribution.source[0].start
            others = [
                other
                for j, other in enumerate(attributions)
                if j < i or (j != i and any(c.start <= start < c.end for c in other.content))
            ]
            resolution = resolve_source_mention(attribution, text, sentences, others)
        cue_text = " ".join(c.text for c in attribution.cue)
        offset = attribution.cue[0].start - sentence.start if attribution.cue else None
        stance = (
            cue_stance(cue_text, sentence.text, cue_offset=offset) if offset is not None and offset >= 0 else "neutral"
        )
        if not via and attribution.source and resolution is None:  # "the source added": relayed as before
            same = earlier_same_source(i, attributions, sentences, max_sentences=3)
            if same is not None:
                via = out[same][0]
        out.append((via, resolution, stance))
    return out
