"""Fine-tune and evaluate the sentence-bias classifier (BABE) with the HF ``Trainer``.

By default the validation split is carved out of the training files by article
(:func:`attribution.converters.babe.babe_split`, about 1 article in 5); it chooses the best
epoch and gives the reported metrics. Extra training files (``extra_train_data``, e.g. BABE's
SG1 or MBIC label files, or the hand-written war sentences in annotation JSONL with
``extra_format="jsonl"``) only add training rows, and rows whose text or article is in the
validation split are dropped from them. Test files (``test_data``) are scored after training
and choose nothing; training rows that share a text with them are dropped too.

Example:
    >>> from attribution.sentence_bias_training import SentenceBiasConfig, train_sentence_bias  # doctest: +SKIP
    >>> config = SentenceBiasConfig(train_data=["../shared/data/babe/final_labels_SG2.csv"],
    ...                             data_format="babe", out="models/sentence-bias")              # doctest: +SKIP
    >>> metrics = train_sentence_bias(config)                                                   # doctest: +SKIP
    >>> metrics["validation"]["macro_f1"]                                                       # doctest: +SKIP
    0.79

"""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from attribution.annotations import LabeledArticle
from attribution.model_card import started_from, write_card
from attribution.tagging.base_model import DEFAULT_BASE_MODEL
from attribution.tagging.precision import check_precision, training_uses_bf16
from attribution.tagging.sentence_bias import LABEL2ID, LABELS
from attribution.training import DataFormat, load_labeled

logger = logging.getLogger(__name__)

Holdout = Literal["auto", "babe", "none"]


@dataclass
class SentenceBiasConfig:
    """Settings for ``attribution train --task sentence-bias``; ``from_dict`` rejects unknown keys.

    ``holdout``: ``"babe"`` moves the validation articles of ``train_data`` (:func:`babe_split`) to the
    validation set, ``"none"`` trains on all of ``train_data``, ``"auto"`` is ``"babe"`` when no
    ``dev_data`` is given and ``"none"`` otherwise.

    Example:
        >>> SentenceBiasConfig.from_dict({"train_data": ["sg2.csv"], "out": "m", "data_format": "babe"}).holdout
        'auto'
        >>> SentenceBiasConfig.from_dict({"train_data": ["sg2.csv"], "out": "m", "epoch": 3})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown sentence-bias training setting(s) ['epoch']; known: [...]

    """

    train_data: list[str]
    out: str
    dev_data: list[str] = field(default_factory=list)
    extra_train_data: list[str] = field(default_factory=list)
    data_format: DataFormat = "babe"
    extra_format: DataFormat | list[DataFormat] | None = None  # one for all extra files or one each; None: data_format
    test_data: list[str] = field(default_factory=list)  # held-out sets, scored after training and never used to choose
    test_format: DataFormat = "jsonl"
    holdout: Holdout = "auto"
    base_model: str = DEFAULT_BASE_MODEL
    init_classifier: str | None = None  # start from a saved classifier (e.g. the shipped one) instead of the base
    epochs: float = 4.0
    batch_size: int = 16
    learning_rate: float = 4e-5
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 128
    seed: int = 13
    precision: str = "float32"  # or bfloat16 (autocast: fast on GPUs and CPUs with AVX-512 BF16 or AMX) or auto
    freeze_embeddings: bool = True
    early_stopping_patience: int = 2
    max_train_records: int | None = None
    max_steps: int = -1
    num_threads: int | None = None  # torch CPU threads for training (None: torch's default)
    checkpoint_dir: str = "checkpoints/sentence-bias"

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if not self.train_data:
            raise ValueError("train_data must name at least one file")
        if isinstance(self.extra_format, list) and len(self.extra_format) != len(self.extra_train_data):
            raise ValueError(
                f"extra_format lists {len(self.extra_format)} formats for {len(self.extra_train_data)} "
                "extra_train_data files; give one format for all, or one per file"
            )
        extra = self.extra_format if isinstance(self.extra_format, list) else [self.extra_format or self.data_format]
        formats = {"data_format": [self.data_format], "extra_format": extra, "test_format": [self.test_format]}
        for name, values in formats.items():
            for value in values:
                if value not in get_args(DataFormat):
                    raise ValueError(f"{name} must be one of {get_args(DataFormat)}, got {value!r}")
        if self.holdout not in get_args(Holdout):
            raise ValueError(f"holdout must be one of {get_args(Holdout)}, got {self.holdout!r}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_length < 8:
            raise ValueError(f"max_length must be at least 8, got {self.max_length}")
        if self.early_stopping_patience < 1:
            raise ValueError(f"early_stopping_patience must be at least 1, got {self.early_stopping_patience}")
        if self.num_threads is not None and self.num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {self.num_threads}")
        if self.max_train_records is not None and self.max_train_records < 1:
            raise ValueError(f"max_train_records must be at least 1, got {self.max_train_records}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentenceBiasConfig:
        """Build a config from a dict (e.g. a JSON file), naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(
                f"unknown sentence-bias training setting(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**data)

    @property
    def extra_formats(self) -> list[str]:
        """The format of each file in ``extra_train_data``.

        Example:
            >>> SentenceBiasConfig(train_data=["sg2.csv"], out="m", extra_train_data=["mbic.csv", "war.jsonl"],
            ...                    extra_format=["babe", "jsonl"]).extra_formats
            ['babe', 'jsonl']
            >>> SentenceBiasConfig(train_data=["sg2.csv"], out="m", extra_train_data=["sg1.csv"]).extra_formats
            ['babe']

        """
        if isinstance(self.extra_format, list):
            return list(self.extra_format)
        return [self.extra_format or self.data_format] * len(self.extra_train_data)

    @property
    def effective_holdout(self) -> Literal["babe", "none"]:
        """``holdout`` with ``"auto"`` resolved."""
        if self.holdout == "auto":
            return "none" if self.dev_data else "babe"
        return self.holdout


def labeled_sentences(records: Sequence[LabeledArticle]) -> list[tuple[str, bool]]:
    """``(sentence text, biased)`` for every sentence label of the records that have the ``sentence_labels`` layer.

    A label's fragments are joined with a space.

    Example:
        >>> from attribution.annotations import GoldSentenceLabel
        >>> rec = LabeledArticle(id="a", text="One. Two!", layers=("sentence_labels",),
        ...     sentence_labels=(GoldSentenceLabel(((0, 4),), False), GoldSentenceLabel(((5, 9),), True)))
        >>> labeled_sentences([rec])
        [('One.', False), ('Two!', True)]

    """
    out = []
    for record in records:
        if "sentence_labels" not in record.layers:
            continue
        for label in record.sentence_labels:
            out.append((" ".join(record.text[start:end] for start, end in label.span), label.biased))
    return out


def split_records(
    config: SentenceBiasConfig, test_sets: Mapping[str, Sequence[LabeledArticle]] | None = None
) -> tuple[list[LabeledArticle], list[LabeledArticle], dict[str, int]]:
    """Read the data named in ``config``; returns (train, validation, counts of what was kept or dropped).

    Training and extra rows whose text or article is also in the validation records or in a test set
    (``test_sets``, already read; None: read ``config.test_data``) are dropped; the counts keep the
    ``*_dropped_overlapping_validation`` names for both.
    """
    from attribution.converters.babe import article_key, babe_split

    records = load_labeled(config.train_data, config.data_format)
    dev = load_labeled(config.dev_data, config.data_format) if config.dev_data else []
    if config.effective_holdout == "babe":
        train = [r for r in records if babe_split(r) == "train"]
        dev += [r for r in records if babe_split(r) == "validation"]
    else:
        train = list(records)
    extra = [
        record
        for path, data_format in zip(config.extra_train_data, config.extra_formats, strict=True)
        for record in load_labeled([path], data_format)
    ]
    if test_sets is None:
        test_sets = held_out_test_sets(config)
    held_out = dev + [r for records in test_sets.values() for r in records]
    dev_texts = {text.strip().lower() for text, _ in labeled_sentences(held_out)}
    dev_keys = {article_key(r) for r in held_out}

    def leaks(record: LabeledArticle) -> bool:
        texts = {text.strip().lower() for text, _ in labeled_sentences([record])}
        return bool(texts & dev_texts) or article_key(record) in dev_keys

    kept_extra = [r for r in extra if not leaks(r)]
    kept_train = [r for r in train if not leaks(r)]
    counts = {
        "train_records": len(kept_train),
        "train_dropped_overlapping_validation": len(train) - len(kept_train),
        "extra_records": len(kept_extra),
        "extra_dropped_overlapping_validation": len(extra) - len(kept_extra),
        "validation_records": len(dev),
    }
    train = kept_train + kept_extra
    if config.max_train_records:
        train = train[: config.max_train_records]
    return train, dev, counts


def held_out_test_sets(config: SentenceBiasConfig) -> dict[str, list[LabeledArticle]]:
    """The held-out test records of ``config``, per file in ``test_data`` (read as ``test_format``)."""
    return {path: load_labeled([path], config.test_format) for path in config.test_data}


def evaluate_sentence_bias(
    classifier: Any,
    records: Sequence[LabeledArticle],
    *,
    batch_size: int = 32,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Sentence-level scores of ``classifier`` on the sentence labels of ``records``.

    Returns ``macro_f1``, ``accuracy``, ``support``, per-class ``precision``/``recall``/``f1``/``support``
    under ``per_class``, ``confusion_matrix`` (rows: gold, columns: predicted, in ``labels`` order) and,
    when ``n_bootstrap`` > 0, ``macro_f1_ci``: a percentile interval over resamples of the articles
    (:func:`~attribution.converters.babe.article_key`), since sentences of one article are not independent.

    Raises:
        ValueError: if no record has the ``sentence_labels`` layer.

    """
    from attribution.converters.babe import article_key

    sentences, groups = [], []
    for record in records:
        for sentence in labeled_sentences([record]):
            sentences.append(sentence)
            groups.append(article_key(record))
    if not sentences:
        raise ValueError("no sentence labels to evaluate: no record has the 'sentence_labels' layer")
    predictions = classifier.predict([text for text, _ in sentences], batch_size=batch_size)
    gold = [biased for _, biased in sentences]
    predicted = [biased for biased, _ in predictions]
    scores = sentence_scores(gold, predicted)
    if n_bootstrap:
        scores["macro_f1_ci"] = macro_f1_interval(
            gold, predicted, groups, n=n_bootstrap, seed=seed, confidence=confidence
        )
    return scores


def macro_f1_interval(
    gold: Sequence[bool],
    predicted: Sequence[bool],
    groups: Sequence[str],
    *,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Percentile bootstrap interval of the macro-F1, resampling whole ``groups`` (articles) with replacement.

    Example:
        >>> ci = macro_f1_interval([True, False, True, False], [True, False, False, False], ["a", "a", "b", "b"])
        >>> ci["low"] <= 0.7333 <= ci["high"], ci["n_groups"]
        (True, 2)

    """
    import numpy as np

    from attribution.evaluation import percentile_interval, resample_weights

    if not len(gold) == len(predicted) == len(groups):
        raise ValueError(f"{len(gold)} gold labels, {len(predicted)} predictions and {len(groups)} groups differ")
    index = {key: i for i, key in enumerate(dict.fromkeys(groups))}
    counts = np.zeros((len(index), 4))  # per group: tp, fp, fn, tn with "biased" as the positive class
    for g, p, key in zip(gold, predicted, groups, strict=True):
        counts[index[key], (0 if g else 1) if p else (2 if g else 3)] += 1
    tp, fp, fn, tn = (resample_weights(len(index), n, seed) @ counts).T
    with np.errstate(invalid="ignore", divide="ignore"):
        f1_biased = np.nan_to_num(2 * tp / (2 * tp + fp + fn))
        f1_not = np.nan_to_num(2 * tn / (2 * tn + fn + fp))
    low, high = percentile_interval((f1_biased + f1_not) / 2, confidence)
    return {"low": low, "high": high, "n_resamples": n, "confidence": confidence, "seed": seed, "n_groups": len(index)}


def sentence_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class P/R/F1 and the confusion matrix of boolean labels (scikit-learn).

    Example:
        >>> scores = sentence_scores([True, True, False, False], [True, False, False, False])
        >>> scores["macro_f1"], scores["per_class"]["biased"]["recall"], scores["confusion_matrix"]["matrix"]
        (0.7333, 0.5, [[2, 0], [1, 1]])

    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    y_true = [int(g) for g in gold]
    y_pred = [int(p) for p in predicted]
    ids = list(range(len(LABELS)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=ids, average=None, zero_division=0
    )
    per_class = {
        LABELS[i]: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i in ids
    }
    return {
        "macro_f1": round(float(sum(f1) / len(ids)), 4),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "support": len(y_true),
        "per_class": per_class,
        "confusion_matrix": {"labels": list(LABELS), "matrix": confusion_matrix(y_true, y_pred, labels=ids).tolist()},
    }


def _compute_metrics(eval_prediction: Any) -> dict[str, float]:
    import numpy as np

    predicted = np.argmax(eval_prediction.predictions, axis=-1)
    scores = sentence_scores(
        [bool(g == LABEL2ID["biased"]) for g in eval_prediction.label_ids],
        [bool(p == LABEL2ID["biased"]) for p in predicted],
    )
    return {"macro_f1": scores["macro_f1"], "accuracy": scores["accuracy"]}


def _features(sentences: Sequence[tuple[str, bool]], tokenizer: Any, max_length: int) -> list[dict[str, Any]]:
    if not sentences:  # no validation sentences (holdout "none", no dev_data): the tokenizer fails on an empty batch
        return []
    encoded = tokenizer([text for text, _ in sentences], truncation=True, max_length=max_length)
    return [
        {"input_ids": ids, "attention_mask": mask, "labels": LABEL2ID["biased" if biased else "not_biased"]}
        for ids, mask, (_, biased) in zip(encoded["input_ids"], encoded["attention_mask"], sentences, strict=True)
    ]


def train_sentence_bias(config: SentenceBiasConfig) -> dict[str, Any]:
    """Train, keep the epoch with the best validation macro-F1, save to ``config.out``; returns the metrics.

    ``config.out`` receives ``model.safetensors``, ``sentence_bias_config.json``, ``README.md`` (model card)
    and ``training_metrics.json``.

    Raises:
        ValueError: if the training data holds no sentence labels.

    """
    import torch

    threads = torch.get_num_threads()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    try:
        return _train(config)
    finally:
        torch.set_num_threads(threads)


def _train(config: SentenceBiasConfig) -> dict[str, Any]:
    import torch
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

    from attribution.tagging.sentence_bias import SentenceBiasClassifier

    set_seed(config.seed)
    test_sets = held_out_test_sets(config)  # read once: kept out of training, scored after it
    train_records, dev_records, counts = split_records(config, test_sets)
    train_sentences = labeled_sentences(train_records)
    dev_sentences = labeled_sentences(dev_records)
    if not train_sentences:
        raise ValueError(f"no sentence labels in {config.train_data} (format {config.data_format!r})")

    saved_by_init: set[str] = set()  # weights the init classifier saved (they differ from the base)
    if config.init_classifier:
        classifier = load_init_classifier(config)
        saved_by_init = {
            name for name, _ in classifier.model.named_parameters() if name not in classifier.config.frozen_parameters
        }
    else:
        classifier = SentenceBiasClassifier.from_base(config.base_model, max_length=config.max_length)
    if config.freeze_embeddings:
        classifier.model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    train_features = _features(train_sentences, classifier.tokenizer, config.max_length)
    dev_features = _features(dev_sentences, classifier.tokenizer, config.max_length)
    logger.info("training sentences: %d; validation sentences: %d", len(train_features), len(dev_features))
    has_dev = bool(dev_features)
    args = TrainingArguments(
        output_dir=config.checkpoint_dir,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=64,
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
        metric_for_best_model="macro_f1" if has_dev else None,
        greater_is_better=True,
        bf16=training_uses_bf16(config.precision),
        use_cpu=not torch.cuda.is_available(),
        train_sampling_strategy="group_by_length",
        logging_steps=50,
        report_to="none",
        seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=classifier.model,
        args=args,
        train_dataset=Dataset.from_list(train_features),
        eval_dataset=Dataset.from_list(dev_features) if has_dev else None,
        data_collator=DataCollatorWithPadding(classifier.tokenizer),
        compute_metrics=_compute_metrics if has_dev else None,
        callbacks=[EarlyStoppingCallback(config.early_stopping_patience)] if has_dev else [],
    )
    started = time.time()
    train_output = trainer.train()
    classifier.model = trainer.model.float().eval()
    for name, parameter in classifier.model.named_parameters():  # what the init saved is saved again, even if frozen
        if name in saved_by_init:
            parameter.requires_grad_(True)
    metrics: dict[str, Any] = {
        "train_seconds": round(time.time() - started, 1),
        **counts,
        "train_sentences": len(train_features),
        "train_loss": round(float(train_output.training_loss), 4),
        "epochs_run": round(float(trainer.state.epoch or 0), 2),
        "best_epoch_metric": trainer.state.best_metric,
        "log_history": [h for h in trainer.state.log_history if "eval_macro_f1" in h],
    }
    _round_to_saved_dtype(classifier)  # score the weights exactly as they will be shipped
    return save_run(classifier, config, dev_records, metrics, test_sets)


def load_init_classifier(config: SentenceBiasConfig) -> Any:
    """The saved classifier ``config.init_classifier``, trainable again (``from_pretrained`` freezes it for inference).

    ``freeze_embeddings`` is applied by the caller afterwards.

    Raises:
        FileNotFoundError: if the folder is not a saved sentence-bias classifier.
        ValueError: if it is built on another base model than ``config.base_model``.

    """
    from attribution.tagging.sentence_bias import SentenceBiasClassifier
    from attribution.tagging.weights import load_for_fine_tuning

    return load_for_fine_tuning(
        SentenceBiasClassifier,
        str(config.init_classifier),
        setting="init_classifier",
        base_model=config.base_model,
        max_length=config.max_length,
    )


def save_run(
    classifier: Any,
    config: SentenceBiasConfig,
    dev_records: Sequence[LabeledArticle],
    metrics: dict[str, Any],
    test_sets: Mapping[str, Sequence[LabeledArticle]],
) -> dict[str, Any]:
    """Score ``classifier`` on ``dev_records`` and ``test_sets``, and write weights, config, model card and metrics.

    ``metrics`` holds the training facts (time, counts, ``log_history``); ``validation``, ``test`` (per test file)
    and ``training_config`` are added. Returns the completed metrics.
    """
    metrics = dict(metrics)
    if dev_records:
        metrics["validation"] = evaluate_sentence_bias(classifier, dev_records)
    if test_sets:
        metrics["test"] = {path: evaluate_sentence_bias(classifier, records) for path, records in test_sets.items()}
    metrics["training_config"] = asdict(config)
    classifier.save_pretrained(config.out, metrics={k: v for k, v in metrics.items() if k != "log_history"})
    write_sentence_bias_card(config.out, training=asdict(config), metrics=metrics)
    Path(config.out, "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _round_to_saved_dtype(classifier: Any) -> None:
    import torch

    dtype = getattr(torch, classifier.config.weights_dtype)
    with torch.no_grad():
        for parameter in classifier.model.parameters():
            if parameter.requires_grad:
                parameter.copy_(parameter.to(dtype).to(parameter.dtype))


_DATA_NOTE = """\
BABE, "Bias Annotations By Experts" (Spinde et al., "Neural Media Bias Detection Using Distant Supervision With
BABE", Findings of EMNLP 2021): English sentences from US news outlets (mostly
2019-2020; Alternet, Breitbart, Reuters, Federalist, MSNBC, Fox News, USA Today, HuffPost, ...) on about 20 political
topics, each labelled `Biased` or `Non-biased` by majority vote of five expert annotators (`final_labels_SG2.csv`;
`No agreement` rows are dropped).

**Licence caveat.** The BABE GitHub repository (Media-Bias-Group/Neural-Media-Bias-Detection-Using-Distant-
Supervision-With-BABE) is licensed **GNU AGPL-3.0** and states no separate data licence; the Hugging Face copies
of the authors' models say **CC-BY-NC-4.0**. Treat these weights as research use only, and check the licence
terms before redistributing them or using them commercially."""

_WAR_NOTE = """\
The hand-written war sentences (`war_sentences.train.jsonl`, in `attribution/resources/training/`) are English
news sentences about wars (Syria, Iraq, Yemen, Ukraine/Russia, Israel/Gaza/Lebanon, the Sahel, Sudan, Myanmar,
invented places, ...) written for this project, half of them `biased`: the writer's own words label, condemn or
praise a side ("terrorists" for armed opponents, "Takfiri", "liberated" for a capture, "so-called", "heroic",
"barbaric"); the other half neutral wire style, many with the same words in neutral use ("designated a terrorist
organisation", "Martyrs' Square", "rebels"). Sentences whose only loaded words are inside a quote or a reported
claim were not written (their label is unclear). Licence: the project's (MIT); no text comes from an article."""

_LIMITATIONS = """\
- "Biased" follows BABE's definition (wording that is one-sided, loaded or opinionated rather than
  factual); it is one judgement of a sentence out of context, not a verdict on an article, outlet or author.
- Domain: BABE is US political news, mostly 2019-2020, on about 20 topics (marriage equality, vaccines, Black
  Lives Matter, gun control, Islam, health care, taxes, immigration, abortion, elections, ...). War reporting and
  state media are covered only by the hand-written war sentences, when they were in the training data (see above):
  a few hundred sentences written by one writer, so wording far from them may be missed. Other countries' politics
  and non-news text are out of domain. The loaded-term tagger covers the war vocabulary word by word.
- Outlets are unevenly represented (Breitbart, Alternet and Reuters give two thirds of the sentences); the model
  may have learnt outlet style as a proxy for bias.
- Quotes are not treated specially: a sentence that quotes a biased speaker may be labelled biased although
  the writer reports it neutrally.
- Bias is a subjective judgement: even BABE's expert annotators often disagree, which caps the attainable
  scores; a label near 0.5 probability means "could be read either way".
- The base encoder is uncased and sentence-embedding-tuned (all-MiniLM-L6-v2), not the BABE paper's
  distantly-supervised RoBERTa; sentences over `max_length` word pieces are cut."""


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _interval(ci: dict[str, Any] | None, groups: str = "validation articles") -> str:
    if not ci:
        return ""
    return (
        f" ({ci['confidence']:.0%} interval {ci['low']:.3f}-{ci['high']:.3f} over {ci['n_resamples']} "
        f"resamples of the {ci['n_groups']} {groups})"
    )


def write_sentence_bias_card(path: str | Path, *, training: dict[str, Any], metrics: dict[str, Any]) -> Path:
    """Render and write the model card ``path/README.md``; returns the file path."""
    import datasets
    import sklearn
    import torch
    import transformers

    from attribution import __version__

    path = Path(path)
    holdout = training.get("holdout", "auto")
    held_out = holdout == "babe" or (holdout == "auto" and not training.get("dev_data"))
    validation_sources = list(training.get("dev_data") or [])
    if held_out:
        validation_sources.append(
            "about 1 article in 5 of the training file, chosen by a salted SHA-256 of the article link "
            "(`attribution.converters.babe.babe_split`); all sentences of an article stay on one side"
        )
    lines = [
        "# Sentence-bias classifier (biased / not biased)",
        "",
        "A binary sentence classifier fine-tuned from the base encoder "
        f"`{training.get('base_model')}` for the `attribution` package "
        "(`attribution.tagging.sentence_bias.SentenceBiasClassifier`). The weights here are the fine-tuned "
        "encoder layers, pooler and head in float16; the frozen word embeddings come from the base encoder's package.",
        "",
        "```python",
        "from attribution.tagging.sentence_bias import SentenceBiasClassifier",
        "",
        'classifier = SentenceBiasClassifier.from_pretrained("models/sentence-bias")',
        'classifier.predict(["The council approved the budget on Monday."])  # [(False, <p(biased)>)]',
        "```",
        "",
        "## Intended use",
        "",
        "Flagging sentences of a news article whose wording a reader may find biased, shown per sentence in "
        "the `attribution analyze` report (`sentence_labels` layer) as a pointer for a human reader. Not for "
        "rating outlets or people, and not for automated moderation or ranking decisions.",
        "",
        "## Training data and licence",
        "",
        _DATA_NOTE,
        "",
        f"- train: {', '.join(training.get('train_data', []))} ({metrics.get('train_records')} sentences"
        f"{' outside the validation articles' if held_out else ''})",
    ]
    if training.get("extra_train_data"):
        lines.append(
            f"- extra training rows: {', '.join(training['extra_train_data'])} ({metrics.get('extra_records')} kept, "
            f"{metrics.get('extra_dropped_overlapping_validation')} dropped because their text or article is in "
            "the validation split or a test set)"
        )
    lines += [
        f"- validation: {metrics.get('validation_records')} sentences; " + "; ".join(validation_sources),
        started_from(training.get("init_classifier"), "sentence-bias classifier", training.get("base_model")),
        "",
    ]
    if any(Path(name).name.startswith("war_sentences") for name in training.get("extra_train_data") or ()):
        lines += [_WAR_NOTE, ""]
    lines += [
        "## Metrics (validation split)",
        "",
    ]
    validation = metrics.get("validation")
    if validation:
        lines += [
            f"Macro-F1 **{_fmt(validation['macro_f1'])}**{_interval(validation.get('macro_f1_ci'))}, "
            f"accuracy {_fmt(validation['accuracy'])} ({validation['support']} sentences). For reference, the BABE "
            "paper reports macro-F1 0.804 (5-fold cross-validation, RoBERTa with distant supervision); the numbers "
            "are not directly comparable.",
            "",
            "| class | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label in LABELS:
            scores = validation["per_class"][label]
            lines.append(
                f"| {label} | {_fmt(scores['precision'])} | {_fmt(scores['recall'])} | {_fmt(scores['f1'])} | "
                f"{scores['support']} |"
            )
        matrix = validation["confusion_matrix"]["matrix"]
        lines += [
            "",
            f"Confusion matrix (rows gold, columns predicted; {', '.join(LABELS)}): {matrix}.",
            "",
            "The validation split also chose the best epoch, so these numbers are slightly optimistic for new data.",
            "",
        ]
        curve = [(h.get("epoch"), h.get("eval_macro_f1")) for h in metrics.get("log_history", [])]
        if curve:
            epochs = ", ".join(f"{float(epoch or 0):g}: {_fmt(score)}" for epoch, score in curve)
            lines += [f"Validation macro-F1 after each epoch (epoch: score): {epochs}.", ""]
    else:
        lines += ["No validation data was used; no held-out metrics.", ""]
    for name, scores in (metrics.get("test") or {}).items():
        lines += [
            f"## Metrics (test set `{Path(name).name}`)",
            "",
            f"Macro-F1 **{_fmt(scores['macro_f1'])}**{_interval(scores.get('macro_f1_ci'), 'test records')}, "
            f"accuracy {_fmt(scores['accuracy'])} ({scores['support']} sentences). This set chose nothing (not the "
            "epoch, not any setting). "
            + ", ".join(
                f"{label}: precision {_fmt(scores['per_class'][label]['precision'])}, recall "
                f"{_fmt(scores['per_class'][label]['recall'])}"
                for label in LABELS
            )
            + f"; confusion matrix {scores['confusion_matrix']['matrix']}.",
            "",
        ]
    lines += [
        "## Hyperparameters",
        "",
        *(
            f"- {k}: {v}"
            for k, v in training.items()
            if k not in ("train_data", "dev_data", "extra_train_data", "test_data", "out", "checkpoint_dir")
        ),
        f"- epochs run: {metrics.get('epochs_run')}, training time: {metrics.get('train_seconds')} s",
        "",
        "## Limitations and biases",
        "",
        _LIMITATIONS,
        "",
        "## Versions",
        "",
        f"attribution {__version__}, transformers {transformers.__version__}, torch {torch.__version__}, "
        f"datasets {datasets.__version__}, scikit-learn {sklearn.__version__}, Python {platform.python_version()}.",
        "",
    ]
    return write_card(path, lines)
