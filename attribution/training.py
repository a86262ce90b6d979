"""Fine-tune the attribution tagger with the HF ``Trainer``.

Example:
    >>> from attribution.training import TrainingConfig, train_attribution_tagger   # doctest: +SKIP
    >>> config = TrainingConfig(train_data=["../shared/data/polnear/train"],
    ...                         dev_data=["../shared/data/polnear/dev"], data_format="polnear",
    ...                         out="models/attribution-tagger")                         # doctest: +SKIP
    >>> metrics = train_attribution_tagger(config)                                      # doctest: +SKIP
    >>> metrics["dev"]["cue"]["exact"]["f1"]                                            # doctest: +SKIP
    0.77

"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from attribution.annotations import LabeledArticle, read_annotations
from attribution.evaluation import AttributionEvaluator, bio_scores
from attribution.linking import link_attributions
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.tagging.base_model import DEFAULT_BASE_MODEL
from attribution.tagging.precision import check_precision, training_uses_bf16
from attribution.tagging.windows import IGNORE_INDEX, LABELS, char_roles, window_labels

logger = logging.getLogger(__name__)

DataFormat = Literal[
    "jsonl", "polnear", "labelstudio", "doccano", "conll", "ptc", "semeval2023", "basil", "babe", "polnear-profile"
]


@dataclass
class TrainingConfig:
    """Settings for ``attribution train --task attribution``; ``from_dict`` rejects unknown keys."""

    train_data: list[str]
    out: str
    dev_data: list[str] = field(default_factory=list)
    data_format: DataFormat = "jsonl"
    base_model: str = DEFAULT_BASE_MODEL
    epochs: float = 3.0
    batch_size: int = 16
    learning_rate: float = 1e-4
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 128
    seed: int = 13
    precision: str = "float32"  # or bfloat16 (autocast: fast on GPUs and CPUs with AVX-512 BF16 or AMX) or auto
    freeze_embeddings: bool = True
    early_stopping_patience: int = 2
    max_train_articles: int | None = None
    max_steps: int = -1
    init_tagger: str | None = None  # start from a saved tagger folder (e.g. the shipped one) instead of the bare base
    #: LoRA adapters instead of full fine-tuning (0: full). For large bases (all-mpnet-base-v2) whose trained
    #: weights would not fit a 25 MB file; alpha defaults to twice the rank.
    lora_rank: int = 0
    lora_alpha: int | None = None
    lora_dropout: float = 0.1
    checkpoint_dir: str = "checkpoints/attribution-tagger"

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if not self.train_data:
            raise ValueError("train_data must name at least one file or folder")
        if self.data_format not in get_args(DataFormat):
            raise ValueError(f"data_format must be one of {get_args(DataFormat)}, got {self.data_format!r}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.lora_rank < 0:
            raise ValueError(f"lora_rank must be >= 0 (0: full fine-tuning), got {self.lora_rank}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Build a config from a dict (e.g. a JSON file), naming unknown keys in the error.

        The setting ``"bf16": true`` of earlier config files is read as ``"precision": "bfloat16"``.
        """
        if "bf16" in data:
            if "precision" in data:
                raise ValueError("give precision or the older bf16 setting, not both")
            precision = "bfloat16" if data["bf16"] else "float32"
            data = {k: v for k, v in data.items() if k != "bf16"} | {"precision": precision}
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown training setting(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**data)


def load_labeled(paths: Iterable[str | Path], data_format: DataFormat) -> list[LabeledArticle]:
    """Read labeled articles from annotation JSONL, PolNeAR split folders, Label Studio JSON, doccano JSONL or CoNLL.

    Also PTC, SemEval-2023, BASIL and BABE files, and the PolNeAR source-profile label files
    (``polnear-profile``: offsets and labels, the texts read from the PolNeAR folder).
    """
    from attribution.converters.babe import read_babe
    from attribution.converters.basil import read_basil
    from attribution.converters.conll import read_conll
    from attribution.converters.doccano import read_doccano
    from attribution.converters.labelstudio import read_labelstudio
    from attribution.converters.polnear import read_polnear
    from attribution.converters.ptc import read_ptc
    from attribution.converters.semeval2023 import read_semeval2023
    from attribution.profile_evaluation import read_profile_label_file

    readers = {
        "jsonl": read_annotations,
        "polnear": read_polnear,
        "labelstudio": read_labelstudio,
        "doccano": read_doccano,
        "conll": read_conll,
        "ptc": read_ptc,
        "semeval2023": read_semeval2023,
        "basil": read_basil,
        "babe": read_babe,
        "polnear-profile": read_profile_label_file,
    }
    if data_format not in readers:
        raise ValueError(f"unknown data format {data_format!r}; known: {list(readers)}")
    records: list[LabeledArticle] = []
    for path in paths:
        records.extend(readers[data_format](path))
    return records


def build_features(records: Sequence[LabeledArticle], tokenizer: Any, *, max_length: int) -> list[dict[str, list[int]]]:
    """Token windows with BIO labels for every labeled article that has the attribution layer."""
    from attribution.tagging.windows import build_windows

    segmenter = RuleSegmenter()
    features = []
    for record in records:
        if "attributions" not in record.layers:
            continue
        sentences = segmenter(Article(id=record.id, text=record.text))
        roles, span_ids = char_roles(len(record.text), record.attributions)
        for window in build_windows(sentences, tokenizer, max_length=max_length):
            features.append(
                {
                    "input_ids": list(window.input_ids),
                    "attention_mask": [1] * len(window.input_ids),
                    "labels": window_labels(window, roles, span_ids),
                }
            )
    return features


def evaluate_tagger(tagger: Any, records: Sequence[LabeledArticle]) -> dict[str, Any]:
    """Char-level span and relation metrics of ``tagger`` + linking on ``records``."""
    segmenter = RuleSegmenter()
    evaluator = AttributionEvaluator()
    for record in records:
        article = Article(id=record.id, text=record.text)
        sentences = segmenter(article)
        spans = tagger.tag(article, sentences)
        evaluator.add(record.text, record.attributions, link_attributions(spans, record.text))
    return evaluator.results()


def _compute_metrics(eval_prediction: Any) -> dict[str, float]:
    import numpy as np

    predictions = np.argmax(eval_prediction.predictions, axis=-1)
    gold_seqs, pred_seqs = [], []
    for pred_row, gold_row in zip(predictions, eval_prediction.label_ids, strict=True):
        keep = gold_row != IGNORE_INDEX
        gold_seqs.append([LABELS[i] for i in gold_row[keep]])
        pred_seqs.append([LABELS[i] for i in pred_row[keep]])
    return bio_scores(gold_seqs, pred_seqs)


def train_attribution_tagger(config: TrainingConfig) -> dict[str, Any]:
    """Train, select the best epoch on the dev data, save to ``config.out``; returns the metrics."""
    import torch
    from datasets import Dataset
    from transformers import (
        DataCollatorForTokenClassification,
        EarlyStoppingCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from attribution.model_card import write_model_card
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.lora import LoraSettings

    set_seed(config.seed)
    train_records = load_labeled(config.train_data, config.data_format)
    if config.max_train_articles:
        train_records = train_records[: config.max_train_articles]
    dev_records = load_labeled(config.dev_data, config.data_format) if config.dev_data else []
    if not train_records:
        raise ValueError(f"no labeled articles found in {config.train_data}")

    if config.init_tagger:
        tagger = AttributionTagger.from_pretrained(config.init_tagger, merge=False)  # a LoRA tagger's adapters go on
        if tagger.config.base_model != config.base_model:
            logger.info(
                "Overriding base_model from %s to %s (the base of %s)",
                config.base_model,
                tagger.config.base_model,
                config.init_tagger,
            )
            config.base_model = tagger.config.base_model
    else:
        tagger = AttributionTagger.from_base(config.base_model, max_length=config.max_length)
        if config.lora_rank:
            tagger.add_lora(LoraSettings(config.lora_rank, config.lora_alpha, config.lora_dropout))
    if tagger.config.lora:
        logger.info("LoRA adapters %s: the base encoder stays frozen", tagger.config.lora)
    elif config.freeze_embeddings:
        tagger.model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    # the tagger's own window size: a saved tagger (init_tagger) keeps the one it was trained with
    max_length = tagger.config.max_length
    train_features = build_features(train_records, tagger.tokenizer, max_length=max_length)
    dev_features = build_features(dev_records, tagger.tokenizer, max_length=max_length)
    logger.info(
        "training windows: %d from %d articles; dev windows: %d",
        len(train_features),
        len(train_records),
        len(dev_features),
    )
    has_dev = bool(dev_features)
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
        save_strategy="epoch" if has_dev else "no",
        save_total_limit=1,
        load_best_model_at_end=has_dev,
        metric_for_best_model="f1" if has_dev else None,
        greater_is_better=True,
        bf16=training_uses_bf16(config.precision),
        use_cpu=not torch.cuda.is_available(),
        train_sampling_strategy="group_by_length",
        logging_steps=50,
        report_to="none",
        seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
    )
    trainer = Trainer(
        model=tagger.model,
        args=args,
        train_dataset=Dataset.from_list(train_features),
        eval_dataset=Dataset.from_list(dev_features) if has_dev else None,
        data_collator=DataCollatorForTokenClassification(tagger.tokenizer),
        compute_metrics=_compute_metrics if has_dev else None,
        callbacks=[EarlyStoppingCallback(config.early_stopping_patience)] if has_dev else [],
    )
    started = time.time()
    train_output = trainer.train()
    tagger.model = trainer.model.float().eval()
    metrics: dict[str, Any] = {
        "train_seconds": round(time.time() - started, 1),
        "train_articles": len(train_records),
        "train_windows": len(train_features),
        "train_loss": round(float(train_output.training_loss), 4),
        "epochs_run": round(float(trainer.state.epoch or 0), 2),
        "log_history": [h for h in trainer.state.log_history if "eval_f1" in h],
    }
    if dev_records:
        metrics["dev"] = evaluate_tagger(tagger, dev_records)
        metrics["dev_articles"] = len(dev_records)
    tagger.save_pretrained(config.out, metrics=metrics)
    write_model_card(config.out, training=asdict(config), metrics=metrics, lora=tagger.config.lora)
    Path(config.out, "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics
