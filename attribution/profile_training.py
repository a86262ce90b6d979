"""Fine-tune the source profiler (``attribution train --task source-profile``) with the HF ``Trainer``.

Data: the hand-labelled PolNeAR attributions (``resources/source_profile/polnear_labels.*.jsonl``, read
with the PolNeAR texts by :func:`attribution.profile_evaluation.read_profile_labels`) and the
hand-written war-reporting records (``resources/source_profile/war_sources*.jsonl``). Three disjoint parts:

- **train**: the ``train``-split labels and the war records, minus
- **dev**: ``dev_share`` of those articles (by a hash of the article id), which chooses the epoch and the
  anonymity threshold;
- **validation**: the ``dev``-split labels (PolNeAR dev articles, disjoint from train) and any
  ``validation_data`` records, only measured, never used for a choice, so its numbers are held-out numbers.

Example:
    >>> from attribution.profile_training import ProfileTrainingConfig, train_source_profiler  # doctest: +SKIP
    >>> metrics = train_source_profiler(ProfileTrainingConfig(out="models/source-profile"))   # doctest: +SKIP
    >>> metrics["validation"]["type_accuracy"], metrics["validation"]["anonymous"]["f1"]       # doctest: +SKIP
    (0.87, 0.86)

"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from attribution.annotations import SOURCE_TYPES, LabeledArticle
from attribution.profile_evaluation import (
    ProfileEvaluator,
    default_label_paths,
    gold_attributions,
    profile_gold,
    type_scores,
)
from attribution.records import Article
from attribution.relays import Resolution, resolve_source_mention
from attribution.segmenter import RuleSegmenter
from attribution.tagging.base_model import DEFAULT_BASE_MODEL
from attribution.tagging.lora import LoraSettings
from attribution.tagging.precision import check_precision, training_uses_bf16

logger = logging.getLogger(__name__)

ResolutionMode = Literal["predicted", "gold"]
TYPE2ID = {name: i for i, name in enumerate(SOURCE_TYPES)}


def default_war_sources_path() -> Path:
    """The first packaged file of hand-written war-reporting source-profile records."""
    return Path(__file__).resolve().parent / "resources" / "source_profile" / "war_sources.jsonl"


def default_war_sources_paths() -> list[Path]:
    """Every packaged file of hand-written war-reporting source-profile records (``war_sources*.jsonl``).

    Example:
        >>> [p.name for p in default_war_sources_paths()]
        ['war_sources.jsonl', 'war_sources.part2.jsonl', 'war_sources.part3.jsonl']

    """
    return sorted(default_war_sources_path().parent.glob("war_sources*.jsonl"))


#: Formats of user records with the ``source_profile`` layer (``extra_train_data``, ``validation_data``).
_RECORD_FORMATS = ("jsonl", "labelstudio", "doccano", "conll")


@dataclass
class ProfileTrainingConfig:
    """Settings for ``attribution train --task source-profile``; ``from_dict`` rejects unknown keys.

    ``resolution`` says what the classifier sees for pronoun and nominal sources while training: the
    rule resolver's answer (``predicted``, as at inference) or the labelled antecedent (``gold``).

    Example:
        >>> ProfileTrainingConfig.from_dict({"out": "m", "epochs": 2}).epochs
        2
        >>> ProfileTrainingConfig.from_dict({"out": "m", "epoch": 2})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown source-profile training setting(s) ['epoch']; known: [...]

    """

    out: str
    label_data: list[str] = field(default_factory=lambda: [str(p) for p in default_label_paths()])
    polnear_root: str | None = None
    extra_train_data: list[str] = field(default_factory=lambda: [str(p) for p in default_war_sources_paths()])
    extra_repeats: int = 1
    validation_data: list[str] = field(default_factory=list)  # more validation records
    data_format: str = "jsonl"  # of extra_train_data and validation_data: jsonl, labelstudio, doccano or conll
    dev_share: float = 0.15
    base_model: str = DEFAULT_BASE_MODEL
    init_encoder: str | None = None  # start the encoder from a saved attribution tagger (its fine-tuned layers)
    init_profiler: str | None = None  # start from a saved source profiler (e.g. the shipped one) instead of the base
    resolution: ResolutionMode = "predicted"
    epochs: float = 8.0
    batch_size: int = 16
    learning_rate: float = 5e-5
    head_learning_rate: float | None = 1e-3  # the two new heads learn faster (None: learning_rate)
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 160
    # input lengths tried on dev after training (those under max_length): the profiler ships with the shortest
    # that scores as well as max_length does (it runs faster; longer inputs are truncated). Empty: max_length.
    inference_max_lengths: list[int] = field(default_factory=lambda: [128, 112, 96])
    anonymous_weight: float = 1.0
    thresholds: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7])
    seed: int = 13
    precision: str = "float32"  # or bfloat16 (autocast: fast on GPUs and CPUs with AVX-512 BF16 or AMX) or auto
    freeze_embeddings: bool = True
    freeze_layers: int = 0  # the lowest N encoder layers stay frozen (faster on CPU, smaller weights file)
    lora_rank: int = 0  # > 0: train LoRA adapters of this rank on the encoder (plus the heads) instead of all of it
    lora_alpha: int | None = None  # adapter scaling (None: twice the rank)
    lora_dropout: float = 0.1
    max_train_examples: int | None = None
    max_steps: int = -1
    num_threads: int | None = None  # torch CPU threads for training (None: torch's default)
    checkpoint_dir: str = "checkpoints/source-profile"

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if not self.label_data and not self.extra_train_data:
            raise ValueError("label_data or extra_train_data must name at least one file")
        if self.resolution not in get_args(ResolutionMode):
            raise ValueError(f"resolution must be one of {get_args(ResolutionMode)}, got {self.resolution!r}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")
        if self.head_learning_rate is not None and self.head_learning_rate <= 0:
            raise ValueError(f"head_learning_rate must be positive or None, got {self.head_learning_rate}")
        if not 0 <= self.dev_share < 1:
            raise ValueError(f"dev_share must be in [0, 1), got {self.dev_share}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if not self.thresholds or not all(0 < t < 1 for t in self.thresholds):
            raise ValueError(f"thresholds must be values in (0, 1), got {self.thresholds}")
        if self.freeze_layers < 0:
            raise ValueError(f"freeze_layers must be >= 0, got {self.freeze_layers}")
        if any(length < 16 for length in self.inference_max_lengths):
            raise ValueError(f"inference_max_lengths must be at least 16 tokens, got {self.inference_max_lengths}")
        if self.init_profiler and self.init_encoder:
            raise ValueError(
                f"init_profiler ({self.init_profiler}) and init_encoder ({self.init_encoder}) exclude each other: "
                "init_profiler continues a saved source profiler, init_encoder starts a new one from an attribution "
                "tagger's encoder"
            )
        if self.extra_repeats < 0:
            raise ValueError(f"extra_repeats must be >= 0, got {self.extra_repeats}")
        if self.lora_rank < 0:
            raise ValueError(f"lora_rank must be >= 0 (0: full fine-tuning), got {self.lora_rank}")
        if self.lora_rank and self.init_encoder:
            raise ValueError(
                f"lora_rank and init_encoder ({self.init_encoder}) exclude each other: adapters are saved against "
                "the base model, which loading rebuilds without the tagger's encoder"
            )
        if self.data_format not in _RECORD_FORMATS:
            raise ValueError(f"data_format must be one of {_RECORD_FORMATS}, got {self.data_format!r}")
        if self.data_format != "jsonl" and {str(p) for p in default_war_sources_paths()} & set(self.extra_train_data):
            raise ValueError(
                "extra_train_data still lists the packaged war-reporting records (annotation JSONL); "
                f"name only your {self.data_format} files there when data_format is {self.data_format!r}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProfileTrainingConfig:
        """Build from a dict (e.g. a JSON file), naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(
                f"unknown source-profile training setting(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**data)


def in_dev_part(article_id: str, share: float) -> bool:
    """Whether an article falls in the dev part (a stable hash of its id; about ``share`` of the articles).

    Example:
        >>> in_dev_part("any-article", 0.0), in_dev_part("any-article", 0.9999)
        (False, True)

    """
    digest = int(hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0xFFFFFFFF < share


def _gold_resolution(record: LabeledArticle, index: int, start: int) -> Resolution | None:
    """The labelled antecedent of attribution ``index``.

    Its offsets from the label file, else the name's last occurrence before the source.
    """
    for case in record.extra.get("meta", {}).get("cases", []):
        if case.get("attribution_index") == index and case.get("resolved_span"):
            s, e = case["resolved_span"][0][0], case["resolved_span"][-1][1]
            return Resolution(record.text[s:e], s, e)
    name = record.attributions[index].resolved_source
    if not name:
        return None
    position = record.text.rfind(name, 0, start)
    return Resolution(name, position, position + len(name)) if position >= 0 else None


def profile_examples(
    records: Sequence[LabeledArticle], *, resolution: ResolutionMode = "predicted"
) -> list[tuple[Any, int, int]]:
    """``(ProfileInput, type id, anonymous 0/1)`` for every labelled attribution with a source.

    Example:
        >>> from attribution.annotations import GoldAttribution
        >>> r = LabeledArticle("a", "Officials said it rained.", ("source_profile",), (GoldAttribution(
        ...     ((10, 14),), ((0, 9),), source_type="government", anonymous=True, stance="neutral"),))
        >>> [(x.first, t, anon) for x, t, anon in profile_examples([r])]
        [('[S] Officials [/S] [C] said [/C] it rained.', 0, 1)]

    """
    from attribution.tagging.source_profiler import build_input

    segmenter = RuleSegmenter()
    examples = []
    for record in records:
        if "source_profile" not in record.layers:
            continue
        sentences = segmenter(Article(id=record.id, text=record.text))
        attributions = gold_attributions(record.text, sentences, record.attributions)
        for i, (gold, attribution) in enumerate(zip(record.attributions, attributions, strict=True)):
            if gold.source_type is None or not attribution.source or gold.anonymous is None:
                continue
            if gold.source_type not in TYPE2ID:
                raise ValueError(f"record {record.id!r}: unknown source_type {gold.source_type!r}")
            start = attribution.source[0].start
            if resolution == "gold":
                resolved = _gold_resolution(record, i, start)
            else:
                others = [
                    o
                    for j, o in enumerate(attributions)
                    if j < i or (j != i and any(c.start <= start < c.end for c in o.content))
                ]
                resolved = resolve_source_mention(attribution, record.text, sentences, others)
            item = build_input(record.text, sentences, attribution, resolved)
            examples.append((item, TYPE2ID[gold.source_type], int(gold.anonymous)))
    return examples


def _features(tokenizer: Any, examples: Sequence[tuple[Any, int, int]], max_length: int) -> list[dict[str, Any]]:
    from attribution.tagging.source_profiler import encode_inputs

    if not examples:  # no dev part (dev_share 0): the tokenizer fails on an empty batch
        return []
    features = encode_inputs(tokenizer, [item for item, _, _ in examples], max_length)
    for feature, (_, type_id, anonymous) in zip(features, examples, strict=True):
        feature["type_labels"] = type_id
        feature["anonymous_labels"] = anonymous
    return features


def _scores(type_logits: Any, anonymous_logits: Any, type_gold: Any, anonymous_gold: Any, threshold: float) -> dict:
    import numpy as np

    from attribution.profile_evaluation import binary_scores

    predicted = [SOURCE_TYPES[i] for i in np.argmax(type_logits, axis=-1)]
    types = type_scores([SOURCE_TYPES[i] for i in type_gold], predicted)
    probabilities = 1 / (1 + np.exp(-np.asarray(anonymous_logits, dtype=float)))
    anonymous = binary_scores([bool(x) for x in anonymous_gold], [bool(p >= threshold) for p in probabilities])
    return {"type_accuracy": types["accuracy"], "type_macro_f1": types["macro_f1"], "anonymous": anonymous}


def _compute_metrics(eval_prediction: Any) -> dict[str, float]:
    type_logits, anonymous_logits = eval_prediction.predictions[:2]
    type_gold, anonymous_gold = eval_prediction.label_ids
    scores = _scores(type_logits, anonymous_logits, type_gold, anonymous_gold, 0.5)
    return {
        "type_accuracy": scores["type_accuracy"],
        "type_macro_f1": scores["type_macro_f1"],
        "anonymous_f1": scores["anonymous"]["f1"],
        "score": round((scores["type_accuracy"] + scores["anonymous"]["f1"]) / 2, 4),
    }


def train_source_profiler(config: ProfileTrainingConfig) -> dict[str, Any]:
    """Train, choose the epoch and threshold on the dev part, measure on validation, save to ``config.out``."""
    import torch

    previous_threads = torch.get_num_threads()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    try:
        return _train(config)
    finally:
        torch.set_num_threads(previous_threads)


def _train(config: ProfileTrainingConfig) -> dict[str, Any]:
    import copy

    import numpy as np
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments, set_seed

    from attribution.profile_evaluation import read_profile_labels
    from attribution.tagging.source_profiler import INPUT_FORMAT, SourceProfiler, collate
    from attribution.training import load_labeled

    set_seed(config.seed)
    labelled = read_profile_labels(config.label_data, config.polnear_root) if config.label_data else []
    validation = [r for r in labelled if r.extra["meta"]["split"] == "dev"]
    validation += load_labeled(config.validation_data, config.data_format)
    pool = [r for r in labelled if r.extra["meta"]["split"] == "train"]
    extra = load_labeled(config.extra_train_data, config.data_format)
    train_records = [r for r in pool + extra if not in_dev_part(r.id, config.dev_share)]
    dev_records = [r for r in pool + extra if in_dev_part(r.id, config.dev_share)]
    extra_ids = {r.id for r in extra}
    train_examples = profile_examples(
        [r for r in train_records if r.id not in extra_ids], resolution=config.resolution
    ) + profile_examples([r for r in train_records if r.id in extra_ids], resolution=config.resolution) * max(
        config.extra_repeats, 0
    )
    if config.max_train_examples:
        train_examples = train_examples[: config.max_train_examples]
    dev_examples = profile_examples(dev_records, resolution="predicted")
    if not train_examples:
        raise ValueError("no labelled attributions with a source to train on")
    logger.info(
        "source profile: %d train examples (%d articles), %d dev (%d articles), %d validation articles",
        len(train_examples),
        len(train_records),
        len(dev_examples),
        len(dev_records),
        len(validation),
    )
    saved_by_init: set[str] = set()  # weights the init profiler saved (they differ from the base)
    if config.init_profiler:
        profiler = load_init_profiler(config)
        saved_by_init = {
            name
            for name, _ in profiler.model.named_parameters()
            if name not in profiler.config.frozen_parameters and not profiler.config.lora
        }
    else:
        profiler = SourceProfiler.from_base(config.base_model, max_length=config.max_length)
        if config.lora_rank:
            profiler.add_lora(LoraSettings(config.lora_rank, config.lora_alpha, config.lora_dropout))
    if profiler.config.lora:
        logger.info("LoRA adapters %s: the base encoder stays frozen", profiler.config.lora)
    # examples are built in the current input layout, whatever layout an init profiler was trained on
    profiler.config = replace(profiler.config, input_format=INPUT_FORMAT)
    if config.init_encoder:
        _load_tagger_encoder(profiler, config.init_encoder)
    if config.freeze_embeddings:
        profiler.model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in profiler.model.encoder.encoder.layer[: config.freeze_layers]:
        layer.requires_grad_(False)
    profiler.model.anonymous_weight = config.anonymous_weight
    pad = profiler.tokenizer.pad_token_id or 0
    train_features = _features(profiler.tokenizer, train_examples, config.max_length)
    dev_features = _features(profiler.tokenizer, dev_examples, config.max_length)
    has_dev = bool(dev_features)

    class KeepBest(TrainerCallback):
        """Keep the weights of the epoch with the best dev score in memory (no checkpoints on disk)."""

        def __init__(self) -> None:
            self.best_score = -1.0
            self.best_state: dict[str, Any] | None = None
            self.best_epoch = 0.0

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
            score = (metrics or {}).get("eval_score", -1.0)
            if score > self.best_score:
                self.best_score, self.best_epoch = score, float(state.epoch or 0)
                self.best_state = copy.deepcopy({k: v.detach().cpu() for k, v in profiler.model.state_dict().items()})

    keep = KeepBest()
    args = TrainingArguments(
        output_dir=config.checkpoint_dir,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=32,
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        eval_strategy="epoch" if has_dev else "no",
        save_strategy="no",
        label_names=["type_labels", "anonymous_labels"],
        bf16=training_uses_bf16(config.precision),
        use_cpu=not torch.cuda.is_available(),
        logging_steps=25,
        report_to="none",
        seed=config.seed,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        train_sampling_strategy="group_by_length",  # batches of similar length: far less padding on CPU
        disable_tqdm=True,
    )
    encoder_params = [p for n, p in profiler.model.named_parameters() if p.requires_grad and n.startswith("encoder.")]
    head_params = [p for n, p in profiler.model.named_parameters() if p.requires_grad and not n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": config.learning_rate},
            {"params": head_params, "lr": config.head_learning_rate or config.learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    trainer = Trainer(
        model=profiler.model,
        args=args,
        optimizers=(optimizer, None),
        train_dataset=train_features,
        eval_dataset=dev_features if has_dev else None,
        data_collator=lambda batch: collate(batch, pad),
        compute_metrics=_compute_metrics if has_dev else None,
        callbacks=[keep] if has_dev else [],
    )
    started = time.time()
    output = trainer.train()
    train_seconds = round(time.time() - started, 1)
    if keep.best_state is not None:
        profiler.model.load_state_dict(keep.best_state)
    profiler.model = profiler.model.float().eval()
    if config.init_encoder:  # the frozen layers come from the tagger, not the base: save them too
        for layer in profiler.model.encoder.encoder.layer[: config.freeze_layers]:
            layer.requires_grad_(True)
    for name, parameter in profiler.model.named_parameters():  # the same for what init_profiler saved
        if name in saved_by_init:
            parameter.requires_grad_(True)
    _round_to_saved_dtype(profiler)
    metrics: dict[str, Any] = {
        "train_seconds": train_seconds,
        "train_examples": len(train_examples),
        "train_articles": len(train_records),
        "dev_examples": len(dev_examples),
        "dev_articles": len(dev_records),
        "train_loss": round(float(output.training_loss), 4),
        "epochs_run": round(float(trainer.state.epoch or 0), 2),
        "best_epoch": keep.best_epoch,
        "log_history": [h for h in trainer.state.log_history if "eval_score" in h],
        "resolution": config.resolution,
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
    }
    if has_dev:
        type_logits, anonymous_logits = _logits(profiler, dev_features, pad)
        gold_types = np.array([f["type_labels"] for f in dev_features])
        gold_anonymous = np.array([f["anonymous_labels"] for f in dev_features])
        by_threshold = {
            t: _scores(type_logits, anonymous_logits, gold_types, gold_anonymous, t)["anonymous"]["f1"]
            for t in config.thresholds
        }
        best = max(config.thresholds, key=lambda t: (by_threshold[t], -abs(t - 0.5)))
        metrics["dev"] = _scores(type_logits, anonymous_logits, gold_types, gold_anonymous, best)
        metrics["dev_anonymous_f1_by_threshold"] = {str(t): f for t, f in by_threshold.items()}
        metrics["anonymous_threshold"] = best
        profiler.config = _with_threshold(profiler.config, best)
        shorter = [length for length in config.inference_max_lengths if length < config.max_length]
        if shorter:
            trained_score = round(metrics["dev"]["type_accuracy"] + metrics["dev"]["anonymous"]["f1"], 4)
            length, by_length = choose_inference_length(
                profiler, dev_examples, (config.max_length, trained_score), shorter, best
            )
            metrics["inference_max_length"] = length
            metrics["dev_score_by_max_length"] = {str(k): v for k, v in by_length.items()}
            profiler.config = replace(profiler.config, max_length=length)
    if validation:
        metrics["validation"] = evaluate_profiler(profiler, validation)
        metrics["validation_articles"] = len(validation)
    profiler.save_pretrained(config.out, metrics=_compact(metrics))
    training = asdict(config)
    write_profile_card(config.out, training=training, metrics=metrics)
    Path(config.out, "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def choose_inference_length(
    profiler: Any,
    examples: Sequence[tuple[Any, int, int]],
    trained: tuple[int, float],
    lengths: Sequence[int],
    threshold: float,
) -> tuple[int, dict[int, float]]:
    """The shortest input length whose dev score (type accuracy + anonymous F1) is at least the trained length's.

    ``trained`` is the length the profiler trained at and its dev score (already measured); ``lengths`` are the
    shorter inputs tried at inference. Returns the chosen length and the dev score of each length.
    """
    import numpy as np

    gold_types = np.array([type_id for _, type_id, _ in examples])
    gold_anonymous = np.array([anonymous for _, _, anonymous in examples])
    pad = profiler.tokenizer.pad_token_id or 0
    by_length = {trained[0]: trained[1]}
    for length in dict.fromkeys(lengths):
        type_logits, anonymous_logits = _logits(profiler, _features(profiler.tokenizer, examples, length), pad)
        scores = _scores(type_logits, anonymous_logits, gold_types, gold_anonymous, threshold)
        by_length[length] = round(scores["type_accuracy"] + scores["anonymous"]["f1"], 4)
    chosen = shortest_as_good(by_length, trained[0])
    logger.info("inference max length %d chosen on dev (scores %s)", chosen, by_length)
    return chosen, by_length


def shortest_as_good(score_by_length: dict[int, float], reference: int) -> int:
    """The shortest length that scores at least what ``reference`` scores.

    Example:
        >>> shortest_as_good({160: 1.79, 128: 1.79, 96: 1.78}, 160)
        128
        >>> shortest_as_good({160: 1.79, 128: 1.78}, 160)
        160

    """
    return min(length for length, score in score_by_length.items() if score >= score_by_length[reference])


def load_init_profiler(config: ProfileTrainingConfig) -> Any:
    """The saved profiler ``config.init_profiler``, trainable again (``from_pretrained`` freezes it for inference).

    ``freeze_embeddings`` and ``freeze_layers`` are applied by the caller afterwards.

    Raises:
        FileNotFoundError: if the folder is not a saved source profiler.
        ValueError: if it is built on another base model than ``config.base_model``.

    """
    from attribution.tagging.source_profiler import SourceProfiler
    from attribution.tagging.weights import load_for_fine_tuning

    return load_for_fine_tuning(
        SourceProfiler,
        str(config.init_profiler),
        setting="init_profiler",
        base_model=config.base_model,
        max_length=config.max_length,
    )


def _load_tagger_encoder(profiler: Any, path: str) -> None:
    """Copy the encoder of a saved attribution tagger (``init_encoder``) into the profiler's encoder."""
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = AttributionTagger.from_pretrained(path)
    if tagger.config.base_model != profiler.config.base_model:
        raise ValueError(
            f"init_encoder {path} is built on {tagger.config.base_model!r}, "
            f"the profiler on {profiler.config.base_model!r}"
        )
    state = {k: v for k, v in tagger.model.base_model.state_dict().items() if not k.startswith("pooler.")}
    missing, unexpected = profiler.model.encoder.load_state_dict(state, strict=False)
    if unexpected:
        raise ValueError(f"init_encoder {path}: weights {unexpected[:3]} do not fit the profiler's encoder")
    logger.info("encoder initialised from %s (%d tensors; not in the tagger: %s)", path, len(state), missing)


def _with_threshold(config: Any, threshold: float) -> Any:
    return replace(config, anonymous_threshold=threshold)


def _compact(metrics: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers for the saved config (the full set is in ``training_metrics.json``)."""
    out = {k: metrics[k] for k in ("train_examples", "best_epoch", "train_seconds") if k in metrics}
    validation = metrics.get("validation")
    if validation:
        out["validation"] = {
            "type_accuracy": validation["type_accuracy"],
            "type_macro_f1": validation["type_macro_f1"],
            "anonymous": validation["anonymous"],
            "stance_accuracy": validation["stance_accuracy"],
            "n_attributions": validation["n_attributions"],
        }
    return out


def _logits(profiler: Any, features: Sequence[dict[str, Any]], pad: int) -> tuple[Any, Any]:
    import numpy as np
    import torch

    from attribution.tagging.source_profiler import collate

    type_rows, anonymous_rows = [], []
    device = next(profiler.model.parameters()).device
    profiler.model.eval()
    with torch.inference_mode():
        for begin in range(0, len(features), 32):
            batch = collate(
                [{k: v for k, v in f.items() if not k.endswith("_labels")} for f in features[begin : begin + 32]], pad
            )
            out = profiler.model(**{k: v.to(device) for k, v in batch.items()})
            type_rows.append(out["type_logits"].float().cpu().numpy())
            anonymous_rows.append(out["anonymous_logits"].float().cpu().numpy())
    return np.concatenate(type_rows), np.concatenate(anonymous_rows)


def _round_to_saved_dtype(profiler: Any) -> None:
    """Round the trained weights through the saved dtype, so the measured model is the shipped one."""
    import torch

    dtype = getattr(torch, profiler.config.weights_dtype)
    with torch.no_grad():
        for parameter in profiler.model.parameters():
            if parameter.requires_grad:
                parameter.copy_(parameter.to(dtype).to(parameter.dtype))


def evaluate_profiler(profiler: Any, records: Sequence[LabeledArticle]) -> dict[str, Any]:
    """Profile scores given gold spans (:class:`~attribution.profile_evaluation.ProfileEvaluator`) on ``records``."""
    evaluator = ProfileEvaluator()
    for record, (_, _, profiled) in zip(records, profile_gold(profiler, records, RuleSegmenter()), strict=True):
        for gold, predicted in zip(record.attributions, profiled, strict=True):
            evaluator.add(gold, predicted)
    return evaluator.results()


# --- model card ------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _trained_on(metrics: dict[str, Any]) -> str:
    """Where training ran, for the card: a GPU's name, else the CPU thread count.

    Example:
        >>> _trained_on({"device": "NVIDIA H200", "torch_threads": 2}), _trained_on({"torch_threads": 1})
        ('one NVIDIA H200 GPU', '1 CPU thread(s)')

    """
    device = metrics.get("device", "cpu")
    return f"{metrics.get('torch_threads')} CPU thread(s)" if device == "cpu" else f"one {device} GPU"


def write_profile_card(path: str | Path, *, training: dict[str, Any], metrics: dict[str, Any]) -> Path:
    """Render and write ``path/README.md`` (the model card); returns the file path."""
    import torch
    import transformers

    from attribution import __version__
    from attribution.model_card import started_from

    path = Path(path)
    validation = metrics.get("validation") or {}
    if training.get("lora_rank"):
        weights = (
            f"Weights here are LoRA adapters (rank {training['lora_rank']}) on every linear layer of the encoder "
            "blocks and the two heads, in float16; loading merges the adapters into the base encoder, which comes "
            "from its package."
        )
    else:
        weights = (
            "Weights here are the fine-tuned encoder layers and the two heads in float16; the frozen word "
            "embeddings come from the base encoder's package."
        )
    lines = [
        "# Source profiler (source type and anonymity)",
        "",
        f"A two-head classifier fine-tuned from `{training.get('base_model')}` for the `attribution` package: for "
        "each attribution's source, one of 12 source types (annotation guidelines §1.1) and whether the source "
        "is anonymous (§1.2). The input is the sentence(s) with the source marked `[S] ... [/S]` and the cue "
        "`[C] ... [/C]`, plus how the source refers (a rule: named, pronoun, nominal) and, for pronouns and "
        f"nominals, the name the rule resolver found with its sentence. {weights}",
        "",
        "`via`, `resolved_source` and `stance` are filled by rules (`attribution/relays.py`, `attribution/stance.py` "
        "with `resources/lexicon/reporting_verbs.v1.tsv`), not by this model; their scores are below too.",
        "",
        "## Intended use",
        "",
        "Describing who the sources of a news article are (officials, military, armed groups, NGOs, witnesses, "
        "...) and how many are unnamed, as part of `attribution analyze`. Not for judging whether a claim is "
        "true, and not for automated decisions about outlets or people.",
        "",
        "## Training data and licence",
        "",
        "- **PolNeAR v1.0.0** (Newell, Margolin, Ruths, LREC 2018) article texts and attribution spans: US "
        "political news 2015-2016. **The corpus states no licence**: treat these weights as research-use only "
        "until that is clarified. The texts are not part of this package.",
        "- **Our own labels** of PolNeAR attributions (`resources/source_profile/polnear_labels.*.jsonl`, "
        "offsets and labels only; how they were made: `resources/source_profile/LABELING.md`). The "
        "`train`-split labels train the model (minus the dev part); the `dev`-split labels are the "
        "validation part, never used for a choice.",
        "- **Our own hand-written war-reporting sentences** (`resources/source_profile/war_sources*.jsonl`): "
        "military, armed groups, international bodies, NGOs, witnesses, media relays and anonymous sources, "
        "which PolNeAR barely has.",
        "",
        f"- train: {metrics.get('train_examples')} attributions from {metrics.get('train_articles')} articles "
        f"(war records repeated {training.get('extra_repeats')}x); dev (epoch and threshold choice): "
        f"{metrics.get('dev_examples')} attributions from {metrics.get('dev_articles')} articles "
        f"({training.get('dev_share')} of the training articles by id hash)",
        f"- started from: the encoder of the attribution tagger `{training.get('init_encoder')}` (new heads)"
        if training.get("init_encoder")
        else started_from(training.get("init_profiler"), "source profiler", training.get("base_model")),
        f"- best epoch {metrics.get('best_epoch')} of {training.get('epochs')}; anonymity threshold "
        f"{metrics.get('anonymous_threshold', 0.5)}; input length at inference "
        f"{metrics.get('inference_max_length', training.get('max_length'))} tokens, trained at "
        f"{training.get('max_length')} (all chosen on the dev part)",
        "",
        "## Metrics on the validation part (PolNeAR dev-split labels, given gold spans)",
        "",
    ]
    if validation:
        anonymous = validation["anonymous"]
        lines += [
            "| metric | value |",
            "|---|---|",
            f"| attributions | {validation['n_attributions']} |",
            f"| source-type accuracy | {_fmt(validation['type_accuracy'])} |",
            f"| source-type macro-F1 (types in gold or predicted) | {_fmt(validation['type_macro_f1'])} |",
            f"| anonymous precision / recall / F1 | {_fmt(anonymous['precision'])} / {_fmt(anonymous['recall'])} / "
            f"{_fmt(anonymous['f1'])} |",
            f"| stance accuracy (lexicon rules) | {_fmt(validation['stance_accuracy'])} |",
            f"| via accuracy / F1 (rules) | {_fmt(validation['via']['accuracy'])} / {_fmt(validation['via']['f1'])} |",
            f"| resolution accuracy / P / R (rules) | {_fmt(validation['resolution']['accuracy'])} / "
            f"{_fmt(validation['resolution']['precision'])} / {_fmt(validation['resolution']['recall'])} |",
            "",
            "| type | P | R | F1 | gold |",
            "|---|---|---|---|---|",
        ]
        for name, row in validation["per_type"].items():
            lines.append(
                f"| {name} | {_fmt(row['precision'])} | {_fmt(row['recall'])} | {_fmt(row['f1'])} | {row['n_gold']} |"
            )
    lines += [
        "",
        "## Training settings",
        "",
        "| setting | value |",
        "|---|---|",
    ]
    settings = (
        "epochs", "batch_size", "learning_rate", "head_learning_rate", "warmup_ratio", "weight_decay", "max_length",
        "inference_max_lengths", "anonymous_weight", "resolution", "freeze_layers", "init_encoder", "init_profiler",
        "dev_share", "extra_repeats", "seed", "num_threads", "lora_rank", "lora_alpha", "lora_dropout",
    )  # fmt: skip
    for key in settings:
        lines.append(f"| {key} | {training.get(key)} |")
    lines += [
        f"| train time | {metrics.get('train_seconds')} s on {_trained_on(metrics)} |",
        "",
        "## Limitations",
        "",
        "- The validation part is US election news; `military`, `armed_group` and `international` have a handful "
        "of validation cases at most, so their per-type numbers are noisy, and war reporting was learnt from a "
        "few hundred hand-written sentences only.",
        "- The encoder is uncased; named vs unnamed relies on a capitalisation rule that is passed in as text.",
        "- Pronoun resolution is rule-based and looks back at most four sentences; a wrong antecedent gives a "
        'wrong type for "he", "it" or "the group".',
        "- Source types follow the judgement calls in `LABELING.md` (police and FBI are `military`, judges are "
        "`government`, pundits are `media`): other conventions will disagree.",
        "",
        f"Built with attribution {__version__}, torch {torch.__version__}, transformers {transformers.__version__}.",
        "",
    ]
    card = path / "README.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card
