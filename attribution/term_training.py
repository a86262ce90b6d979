"""Fine-tune the loaded-term / technique branch (``attribution train --task loaded-terms``).

The branch sits on the attribution tagger (see :mod:`attribution.tagging.term_tagger`): the
trunk's hidden states after ``trunk_layer`` are computed once for every training window and
kept in memory (float16); training then runs only the branch's layers and heads, with the HF
``Trainer``. Model selection: after each epoch the branch tags the validation articles and
the epoch with the best mean of SI F1 (SemEval-2020 Task 11 span identification) and the
overlap F1 of ``loaded_language`` and ``name_calling`` is kept.

Example:
    >>> from attribution.term_training import TermTrainingConfig, train_term_tagger   # doctest: +SKIP
    >>> config = TermTrainingConfig(train_data=["../shared/data/ptc_semeval2020"], data_format="ptc",
    ...                             out="models/term-tagger")                             # doctest: +SKIP
    >>> metrics = train_term_tagger(config)                                               # doctest: +SKIP
    >>> metrics["validation"]["techniques"]["si_f1"]                                     # doctest: +SKIP
    0.41

"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from attribution.annotations import LOADED_TERM_CATEGORIES, TECHNIQUE_TO_CATEGORY, LabeledArticle
from attribution.records import Article
from attribution.segmenter import RuleSegmenter
from attribution.tagging.lora import LoraSettings
from attribution.tagging.precision import check_precision, training_uses_bf16
from attribution.tagging.term_tagger import BIO, POLARITY_LABELS, TERM_GROUPS, TERM_GROWTHS, RawTerms, TermTagger
from attribution.tagging.windows import IGNORE_INDEX, TokenWindow

logger = logging.getLogger(__name__)

_CATEGORY_TO_GROUP = {category: technique for technique, category in TECHNIQUE_TO_CATEGORY.items()}
_CATEGORY_TO_GROUP["delegitimizing"] = "delegitimizing"


@dataclass
class TermTrainingConfig:
    """Settings for ``attribution train --task loaded-terms``; ``from_dict`` rejects unknown keys.

    ``train_data`` entries are read with ``data_format``; ``extra_train_data`` are annotation
    JSONL files added to training (the packaged war-vocabulary set by default).
    Three disjoint parts: training articles; ``dev`` articles (``dev_data``, or ``dev_share``
    of the training articles by id hash) that choose the epoch and the decision threshold; and
    ``validation`` articles (``validation_data``, or for ``data_format == "ptc"`` the articles
    :func:`attribution.converters.ptc.ptc_split` holds out) that are only measured, never used
    for a choice, so their numbers are held-out numbers.
    """

    train_data: list[str]
    out: str
    data_format: str = "ptc"
    validation_data: list[str] = field(default_factory=list)
    validation_format: str = "ptc"
    dev_data: list[str] = field(default_factory=list)
    dev_share: float = 0.1
    extra_train_data: list[str] = field(default_factory=lambda: [str(default_war_terms_path())])
    extra_repeats: int = 3
    extra_pack: int = 6  # hand-written snippets joined into pseudo-articles, so they are seen in full-size windows
    init_branch: str | None = None  # continue from a saved branch (same trunk) instead of a fresh copy
    # saved branches trained from the same start as this run (another seed, say): after training, each is
    # averaged in if the soup scores better on dev (greedy_soup); with init_branch and epochs 0 nothing trains
    soup_with: list[str] = field(default_factory=list)
    # the soup's adapters cut to this rank (truncated SVD of each averaged change), so a soup of several
    # branches is saved at one branch's size; None: exact, the members' ranks added up
    soup_rank: int | None = None
    attribution_tagger: str | None = None  # the trunk; default: init_branch's own, else the MiniLM tagger
    trunk_layer: int = 3
    lora_rank: int = 0  # > 0: the branch's layers stay frozen copies of the trunk's and train LoRA adapters
    lora_alpha: int | None = None  # adapter scaling (None: twice the rank)
    lora_dropout: float = 0.1
    epochs: float = 8.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    positive_weight: float = 4.0  # loss weight of B and I against O (spans are a few % of tokens)
    # decision thresholds tried on dev after each epoch (the epoch's score is its best) and after training
    thresholds: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7])
    # lower thresholds through which a span may grow (hysteresis), tried on dev with each threshold; None: no growing
    extend_thresholds: list[float | None] = field(default_factory=lambda: [None, 0.3, 0.2, 0.1])
    # log-odds bonuses for war-lexicon matches tried on dev after the decoding (TermTaggerConfig.lexicon_prior)
    lexicon_priors: list[float] = field(default_factory=lambda: [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    # whether a token more likely B than I starts a new span (TermTaggerConfig.split_on_begin), tried on dev
    # after the thresholds; the first wins a tie
    split_on_begin_choices: list[bool] = field(default_factory=lambda: [True, False])
    # score margins for overlapping name_calling / loaded_language terms tried on dev last (None: keep both)
    category_margins: list[float | None] = field(default_factory=lambda: [None, 0.1, 0.2, 0.3])
    # how loaded terms grow (TermTaggerConfig.term_growth), tried last on dev and the hand-written war set by
    # term_extent_score (exact and overlap F1: the choice changes only where a term ends); the first wins a tie
    term_growth_choices: list[str] = field(default_factory=lambda: ["edges", "gaps"])
    # keep init_branch's decoding settings instead of choosing them again on dev (with epochs 0 and a verifier:
    # only the verifier is fitted, on the branch exactly as it decodes)
    keep_decoding: bool = False
    # loaded-term categories that get a verifier (attribution.term_verifier_training), fitted after the decoding
    # on the branch's terms in the training articles; empty: none
    verifier_categories: list[str] = field(default_factory=lambda: ["name_calling", "loaded_language"])
    # the verifier's inverse regularisation strengths, chosen by grouped cross-validation on the training articles
    verifier_cs: list[float] = field(default_factory=lambda: [0.001, 0.003, 0.01, 0.03, 0.1, 1.0])
    # each category's verifier threshold, tried on dev (0 keeps every term, so no verifier)
    verifier_thresholds: list[float] = field(default_factory=lambda: [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5])
    # never drop a term that overlaps a war-lexicon match of its category (the lexicon prior's terms; TermVerifier)
    verifier_keeps_lexicon_terms: bool = True
    seed: int = 13
    precision: str = "float32"  # or bfloat16 (autocast: fast on GPUs and CPUs with AVX-512 BF16 or AMX) or auto
    early_stopping_patience: int = 2  # counted from the first epoch whose dev spans score above zero
    # a run whose head has not fired (dev score 0 at every threshold) after this many epochs, or by its last
    # epoch, stops with an error and saves nothing, so a seed that never fires does not train on for hours;
    # None: train on to ``epochs`` and save the branch whatever its dev score
    max_silent_epochs: int | None = 6
    polarity_lexicon: str | None = None  # MPQA subjectivity clues (.tff) for weak polarity labels
    max_train_articles: int | None = None
    max_steps: int = -1
    checkpoint_dir: str = "checkpoints/term-tagger"
    feature_cache: str | None = "checkpoints/term-features"  # trunk hidden states, reused by later runs

    def __post_init__(self) -> None:
        check_precision(self.precision)
        if not self.train_data:
            raise ValueError("train_data must name at least one file or folder")
        if self.epochs < 0 or self.batch_size <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs must be >= 0, batch_size and learning_rate positive")
        if self.epochs == 0 and not self.init_branch:
            raise ValueError("epochs 0 (no training) needs init_branch: the branch to average or decode again")
        if self.soup_with and not (self.dev_data or self.dev_share > 0):
            raise ValueError("soup_with needs dev articles (dev_data or dev_share > 0) to decide what joins the soup")
        if self.soup_rank is not None and self.soup_rank < 1:
            raise ValueError(f"soup_rank must be at least 1 (or null for an exact soup), got {self.soup_rank}")
        if not self.thresholds or not all(0 < t < 1 for t in self.thresholds):
            raise ValueError(f"thresholds must be values in (0, 1), got {self.thresholds}")
        if not self.extend_thresholds or not all(e is None or 0 < e < 1 for e in self.extend_thresholds):
            raise ValueError(f"extend_thresholds must be values in (0, 1) or null, got {self.extend_thresholds}")
        if not self.lexicon_priors or any(w < 0 for w in self.lexicon_priors):
            raise ValueError(f"lexicon_priors must be non-negative values, got {self.lexicon_priors}")
        if not self.split_on_begin_choices or not all(isinstance(c, bool) for c in self.split_on_begin_choices):
            raise ValueError(f"split_on_begin_choices must be true and/or false, got {self.split_on_begin_choices}")
        if not self.category_margins or any(m is not None and m < 0 for m in self.category_margins):
            raise ValueError(f"category_margins must be values >= 0 or null, got {self.category_margins}")
        if not self.term_growth_choices or not set(self.term_growth_choices) <= set(TERM_GROWTHS):
            raise ValueError(f"term_growth_choices must be among {list(TERM_GROWTHS)}, got {self.term_growth_choices}")
        if self.keep_decoding and not self.init_branch:
            raise ValueError("keep_decoding needs init_branch: the branch whose decoding settings are kept")
        if not set(self.verifier_categories) <= set(LOADED_TERM_CATEGORIES):
            raise ValueError(
                f"verifier_categories must be among {list(LOADED_TERM_CATEGORIES)}, got {self.verifier_categories}"
            )
        if not self.verifier_cs or any(c <= 0 for c in self.verifier_cs):
            raise ValueError(f"verifier_cs must be positive values, got {self.verifier_cs}")
        if not self.verifier_thresholds or not all(0 <= t < 1 for t in self.verifier_thresholds):
            raise ValueError(f"verifier_thresholds must be values in [0, 1), got {self.verifier_thresholds}")
        if not 0 <= self.dev_share < 1:
            raise ValueError(f"dev_share must be in [0, 1), got {self.dev_share}")
        if self.extra_repeats < 0:
            raise ValueError(f"extra_repeats must be >= 0, got {self.extra_repeats}")
        if self.lora_rank < 0:
            raise ValueError(f"lora_rank must be >= 0 (0: the branch's layers train whole), got {self.lora_rank}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TermTrainingConfig:
        """Build from a dict (e.g. a JSON file), naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown training setting(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**data)


def default_war_terms_path() -> Path:
    """The packaged, hand-written war-vocabulary training set that training reads by default.

    ``war_terms.train.part2.jsonl`` beside it is not read by default: continuing the shipped branch with it
    scored lower on both held-out war sets (the term tagger's card, session 6); add it to
    ``extra_train_data`` to try.
    """
    return Path(__file__).resolve().parent / "resources" / "training" / "war_terms.train.jsonl"


def read_polarity_lexicon(path: str | Path) -> dict[str, str]:
    """Word -> ``negative``/``positive`` from an MPQA subjectivity-clues ``.tff`` file (neutral/both skipped)."""
    polarity: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        word, prior = fields.get("word1"), fields.get("priorpolarity")
        if word and prior in POLARITY_LABELS:
            polarity.setdefault(word.lower(), prior)
    return polarity


def group_spans(record: LabeledArticle) -> dict[str, list[tuple[int, int]] | None]:
    """Gold character spans per span-head group; ``None`` for a group the record is not annotated for.

    Example:
        >>> from attribution.annotations import GoldLoadedTerm
        >>> record = LabeledArticle("a", "The puppet regime fell.", ("loaded_terms",),
        ...     loaded_terms=(GoldLoadedTerm(((4, 17),), "delegitimizing"),))
        >>> spans = group_spans(record)
        >>> spans["delegitimizing"], spans["Loaded_Language"], spans["Doubt"]
        ([(4, 17)], [], None)

    """
    out: dict[str, list[tuple[int, int]] | None] = {group: None for group in TERM_GROUPS}
    if "techniques" in record.layers:
        for group in TERM_GROUPS[:-1]:
            out[group] = []
        for technique in record.techniques:
            out[technique.technique].extend(technique.span)
    if "loaded_terms" in record.layers:
        for group in _CATEGORY_TO_GROUP.values():
            out[group] = out[group] or []
        for term in record.loaded_terms:
            group = _CATEGORY_TO_GROUP[term.category]
            out[group].extend(f for f in term.span if f not in out[group])
    return out


def window_targets(
    window: TokenWindow, spans: dict[str, list[tuple[int, int]] | None], polarity_chars: dict[int, int]
) -> tuple[list[list[int]], list[int]]:
    """Per token: an O/B/I id per group (``IGNORE_INDEX`` where not annotated) and a polarity id."""
    span_labels: list[list[int]] = []
    polarity_labels: list[int] = []
    previous: list[int] = [-1] * len(TERM_GROUPS)
    for start, end in window.offsets:
        if start < 0:
            span_labels.append([IGNORE_INDEX] * len(TERM_GROUPS))
            polarity_labels.append(IGNORE_INDEX)
            previous = [-1] * len(TERM_GROUPS)
            continue
        row = []
        for g, group in enumerate(TERM_GROUPS):
            group_spans_ = spans[group]
            if group_spans_ is None:
                row.append(IGNORE_INDEX)
                continue
            hit = next((i for i, (a, b) in enumerate(group_spans_) if a < end and start < b), -1)
            if hit < 0:
                row.append(BIO.index("O"))
            else:
                row.append(BIO.index("I") if previous[g] == hit else BIO.index("B"))
            previous[g] = hit
        span_labels.append(row)
        votes = [polarity_chars[c] for c in range(start, end) if c in polarity_chars]
        polarity_labels.append(max(set(votes), key=votes.count) if votes else IGNORE_INDEX)
    return span_labels, polarity_labels


def polarity_by_char(record: LabeledArticle, lexicon: dict[str, str] | None) -> dict[int, int]:
    """Character -> polarity id inside loaded terms: gold polarity, else the lexicon's word polarity."""
    out: dict[int, int] = {}
    for term in record.loaded_terms:
        for start, end in term.span:
            if term.polarity in POLARITY_LABELS:
                label = POLARITY_LABELS.index(term.polarity)
                out.update(dict.fromkeys(range(start, end), label))
            elif lexicon:
                for match in re.finditer(r"[A-Za-z][A-Za-z'-]*", record.text[start:end]):
                    prior = lexicon.get(match.group().lower())
                    if prior:
                        a, b = start + match.start(), start + match.end()
                        out.update(dict.fromkeys(range(a, b), POLARITY_LABELS.index(prior)))
    return out


@dataclass(frozen=True)
class TermFeatures:
    """Training windows of the branch: trunk hidden states plus targets (kept in memory)."""

    windows: list[TokenWindow]
    hidden: list[Any]  # float16 tensors (tokens x hidden)
    span_labels: list[list[list[int]]]
    polarity_labels: list[list[int]]
    article_of_window: list[int]


def build_term_features(
    records: Sequence[LabeledArticle],
    tagger: TermTagger,
    *,
    polarity_lexicon: dict[str, str] | None = None,
    batch_size: int = 32,
    cache_dir: str | Path | None = None,
) -> TermFeatures:
    """Segment, window and encode ``records`` with the trunk up to ``trunk_layer``.

    With ``cache_dir``, the hidden states are stored there (safetensors, keyed by the trunk's
    weights, the layer and the windows' token ids) and read back by a later run.
    """
    segmenter = RuleSegmenter()
    windows: list[TokenWindow] = []
    span_labels: list[list[list[int]]] = []
    polarity_labels: list[list[int]] = []
    article_of_window: list[int] = []
    for index, record in enumerate(records):
        spans = group_spans(record)
        if all(v is None for v in spans.values()):
            continue
        polarity_chars = polarity_by_char(record, polarity_lexicon)
        for window in tagger.trunk.windows(segmenter(Article(id=record.id, text=record.text))):
            labels, polarity = window_targets(window, spans, polarity_chars)
            windows.append(window)
            span_labels.append(labels)
            polarity_labels.append(polarity)
            article_of_window.append(index)
    cache = _cache_path(cache_dir, tagger, windows) if cache_dir and windows else None
    if cache is not None and cache.is_file():
        from safetensors.torch import load_file

        stored = load_file(str(cache))
        hidden: list[Any] = [stored[str(i)] for i in range(len(windows))]
        logger.info("trunk hidden states read from %s", cache)
        return TermFeatures(windows, hidden, span_labels, polarity_labels, article_of_window)
    hidden = [None] * len(windows)
    batches = tagger.trunk.encode(windows, batch_size=batch_size, hidden_layer=tagger.config.trunk_layer, labels=False)
    for batch in batches:
        for row, index in enumerate(batch.indices):
            hidden[index] = batch.hidden[row, : batch.lengths[row]].to("cpu").half().clone()
    if cache is not None:
        from safetensors.torch import save_file

        cache.parent.mkdir(parents=True, exist_ok=True)
        save_file({str(i): h.contiguous() for i, h in enumerate(hidden)}, str(cache))
    return TermFeatures(windows, hidden, span_labels, polarity_labels, article_of_window)


def _cache_path(cache_dir: str | Path, tagger: TermTagger, windows: Sequence[TokenWindow]) -> Path:
    import hashlib

    digest = hashlib.sha256()
    digest.update(f"{tagger.config.trunk_weights_sha256 or id(tagger.trunk)}:{tagger.config.trunk_layer}".encode())
    for window in windows:
        digest.update(np.asarray(window.input_ids, dtype=np.int64).tobytes())
    return Path(cache_dir) / f"{digest.hexdigest()[:24]}.safetensors"


def pack_records(records: Sequence[LabeledArticle], size: int) -> list[LabeledArticle]:
    """Join consecutive short records into pseudo-articles of ``size`` records, one per line, spans shifted.

    Hand-written snippets are one or two sentences; packed, they reach the model in windows as
    long as a real article's, the way it meets them at analysis time.

    Example:
        >>> from attribution.annotations import GoldLoadedTerm
        >>> thugs = (GoldLoadedTerm(((0, 5),), "name_calling"),)
        >>> a = LabeledArticle("a", "Thugs fled.", ("loaded_terms",), loaded_terms=thugs)
        >>> b = LabeledArticle("b", "Rain fell.", ("loaded_terms",))
        >>> [packed] = pack_records([b, a], 6)
        >>> packed.text, [packed.text[slice(*t.span[0])] for t in packed.loaded_terms]
        ('Rain fell.\\nThugs fled.', ['Thugs'])

    """
    if size <= 1:
        return list(records)
    packed = []
    for begin in range(0, len(records), size):
        group = records[begin : begin + size]
        texts, terms, techniques, offset = [], [], [], 0
        for record in group:
            terms += [replace(t, span=_shifted(t.span, offset)) for t in record.loaded_terms]
            techniques += [replace(t, span=_shifted(t.span, offset)) for t in record.techniques]
            texts.append(record.text)
            offset += len(record.text) + 1
        layers = tuple(dict.fromkeys(layer for record in group for layer in record.layers))
        packed.append(
            LabeledArticle(
                id="+".join(r.id for r in group),
                text="\n".join(texts),
                layers=layers,
                loaded_terms=tuple(terms),
                techniques=tuple(techniques),
            )
        )
    return packed


def _shifted(span: tuple[tuple[int, int], ...], by: int) -> tuple[tuple[int, int], ...]:
    return tuple((a + by, b + by) for a, b in span)


def dev_split(record_id: str, share: float) -> bool:
    """Whether a training record goes to the model-selection (dev) part, by a hash of its id.

    Example:
        >>> dev_split("ptc-111111111", 0.0), dev_split("ptc-111111111", 0.999)
        (False, True)

    """
    import hashlib

    value = int(hashlib.md5(f"dev:{record_id}".encode()).hexdigest(), 16) % 10_000
    return value < share * 10_000


class _BranchDataset:
    """Map-style dataset over precomputed windows (what the ``Trainer`` iterates)."""

    def __init__(self, features: TermFeatures, indices: Sequence[int]) -> None:
        self.features = features
        self.indices = list(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> dict[str, Any]:
        j = self.indices[i]
        return {
            "hidden_states": self.features.hidden[j],
            "span_labels": self.features.span_labels[j],
            "polarity_labels": self.features.polarity_labels[j],
        }


def collate_branch(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pad a batch of windows: hidden states with zeros, labels with ``IGNORE_INDEX``."""
    import torch

    width = max(item["hidden_states"].shape[0] for item in items)
    size = items[0]["hidden_states"].shape[1]
    hidden = torch.zeros((len(items), width, size), dtype=torch.float32)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    spans = torch.full((len(items), width, len(TERM_GROUPS)), IGNORE_INDEX, dtype=torch.long)
    polarity = torch.full((len(items), width), IGNORE_INDEX, dtype=torch.long)
    for row, item in enumerate(items):
        n = item["hidden_states"].shape[0]
        hidden[row, :n] = item["hidden_states"].float()
        mask[row, :n] = 1
        spans[row, :n] = torch.tensor(item["span_labels"], dtype=torch.long)
        polarity[row, :n] = torch.tensor(item["polarity_labels"], dtype=torch.long)
    return {"hidden_states": hidden, "attention_mask": mask, "span_labels": spans, "polarity_labels": polarity}


@dataclass(frozen=True)
class BranchOutputs:
    """The branch's per-token probabilities for every window of a :class:`TermFeatures`, in window order.

    Computed once, they can be decoded at many settings (thresholds, growing, lexicon prior) without
    running the branch again.
    """

    spans: tuple[np.ndarray, ...]
    polarity: tuple[np.ndarray, ...]


def branch_outputs(tagger: TermTagger, features: TermFeatures, *, batch_size: int = 32) -> BranchOutputs:
    """Run the branch over the precomputed trunk states of ``features`` (shortest windows batched together)."""
    order = sorted(range(len(features.windows)), key=lambda i: features.hidden[i].shape[0])
    spans: list[np.ndarray] = [np.zeros(0)] * len(order)
    polarity: list[np.ndarray] = [np.zeros(0)] * len(order)
    for begin in range(0, len(order), batch_size):
        chunk = order[begin : begin + batch_size]
        batch = collate_branch([_unlabelled(features, i) for i in chunk])
        span_probs, polarity_probs = tagger.branch_probabilities(batch["hidden_states"], batch["attention_mask"])
        for row, i in enumerate(chunk):
            n = features.hidden[i].shape[0]
            spans[i], polarity[i] = span_probs[row, :n], polarity_probs[row, :n]
    return BranchOutputs(spans=tuple(spans), polarity=tuple(polarity))


def predict_features(
    tagger: TermTagger,
    features: TermFeatures,
    texts: Sequence[str],
    *,
    batch_size: int = 32,
    outputs: BranchOutputs | None = None,
) -> dict[int, RawTerms]:
    """Raw terms per article index (``features.article_of_window``), decoded with ``tagger.config``.

    ``outputs`` are the branch's probabilities from :func:`branch_outputs`; without them the branch runs here.
    """
    if outputs is None:
        outputs = branch_outputs(tagger, features, batch_size=batch_size)
    per_article: dict[int, list[int]] = {}
    for i, article in enumerate(features.article_of_window):
        per_article.setdefault(article, []).append(i)
    return {
        article: tagger.decode(
            [features.windows[i] for i in rows],
            [outputs.spans[i] for i in rows],
            [outputs.polarity[i] for i in rows],
            texts[article],
        )
        for article, rows in per_article.items()
    }


def _unlabelled(features: TermFeatures, i: int) -> dict[str, Any]:
    n = features.hidden[i].shape[0]
    return {
        "hidden_states": features.hidden[i],
        "span_labels": [[IGNORE_INDEX] * len(TERM_GROUPS)] * n,
        "polarity_labels": [IGNORE_INDEX] * n,
    }


def evaluate_features(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    *,
    outputs: BranchOutputs | None = None,
) -> dict[str, Any]:
    """Loaded-term and technique scores of the branch on precomputed windows (``outputs``: see predict_features)."""
    from attribution.term_evaluation import TermEvaluator

    raw = predict_features(tagger, features, [r.text for r in records], outputs=outputs)
    evaluator = TermEvaluator()
    nothing = RawTerms(loaded_terms=(), techniques=())
    for index, record in enumerate(records):
        evaluator.add(record, raw.get(index, nothing), None, None)  # RawTerms carries the two layers a report has
    return evaluator.results()


def evaluate_decoded(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    outputs: BranchOutputs,
    **settings: Any,
) -> dict[str, Any]:
    """:func:`evaluate_features` with decoding ``settings`` (``threshold=0.4``, ...) in place of the tagger's own.

    The tagger's config is put back afterwards, also when scoring fails.
    """
    original = tagger.config
    tagger.config = replace(original, **settings)
    try:
        return evaluate_features(tagger, features, records, outputs=outputs)
    finally:
        tagger.config = original


def choose_decoding(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    thresholds: Sequence[float],
    extend_thresholds: Sequence[float | None] = (None,),
    *,
    outputs: BranchOutputs | None = None,
) -> tuple[float, float | None, dict[str, float]]:
    """The decision threshold and growing threshold with the best :func:`selection_score` on ``records`` (dev).

    Returns the chosen pair and every pair's score, keyed ``"threshold/extend"`` (``extend`` ``None`` when
    spans do not grow). A growing threshold at or above the decision threshold is skipped (it changes nothing).
    ``outputs`` are the branch's probabilities on ``features`` (:func:`branch_outputs`); without them the
    branch runs here.
    """
    scores: dict[str, float] = {}
    pairs = [(t, e) for t in thresholds for e in extend_thresholds if e is None or e < t]
    outputs = outputs if outputs is not None else branch_outputs(tagger, features)
    for threshold, extend in pairs:
        results = evaluate_decoded(tagger, features, records, outputs, threshold=threshold, extend_threshold=extend)
        scores[f"{threshold}/{extend}"] = round(selection_score(results), 4)
    threshold, extend = max(pairs, key=lambda pair: scores[f"{pair[0]}/{pair[1]}"])
    logger.info("decision threshold %.2f, growing threshold %s chosen on dev (scores %s)", threshold, extend, scores)
    return threshold, extend, scores


def patience_spent(epoch: float, best_epoch: float, best_score: float, patience: int) -> bool:
    """Whether early stopping ends the run after ``epoch``: ``patience`` epochs without a better dev score.

    The clock starts at the first epoch whose dev score is above zero. Until then the branch has not
    fired (no span at any threshold), which a LoRA branch on all-mpnet-base-v2 does for its first 2-4
    epochs, so it trains on; a run whose head never fires ends at ``epochs``.

    >>> patience_spent(epoch=4, best_epoch=1, best_score=0.0, patience=3)   # head silent since epoch 1
    False
    >>> patience_spent(epoch=6, best_epoch=3, best_score=0.24, patience=3)  # no gain for 3 epochs
    True
    """
    return best_score > 0 and epoch - best_epoch >= patience


def head_silent_too_long(epoch: float, best_score: float, limit: int | None) -> bool:
    """Whether a run ends after ``epoch`` because its head has scored 0 on dev in every epoch up to ``limit``.

    Session 14's stage 1 fired at epoch 3 (dev score 0, 0, 0.236); session 22's run of the same recipe with 16
    epochs never did in all 16 (390 s on an H200; about 6 hours on a 2-core CPU at 6.3 s a step).
    Such a run needs another seed.

    >>> head_silent_too_long(epoch=3, best_score=0.0, limit=6)   # may still fire
    False
    >>> head_silent_too_long(epoch=6, best_score=0.0, limit=6)
    True
    >>> head_silent_too_long(epoch=9, best_score=0.24, limit=6)  # fired: early stopping decides
    False
    """
    return limit is not None and best_score <= 0 and epoch >= limit


def best_threshold_score(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    thresholds: Sequence[float],
) -> tuple[float, float, dict[str, Any]]:
    """The decision threshold with the best :func:`selection_score`, that score and its results (one branch pass).

    Scoring each epoch at its best threshold, not at a fixed 0.5, keeps a branch whose probabilities are still
    low but rising from looking as if it had stopped learning (and from being stopped early). Spans do not grow
    here; :func:`choose_decoding` chooses the growing threshold once, after training.
    """
    outputs = branch_outputs(tagger, features)
    best: tuple[float, float, dict[str, Any]] | None = None
    for threshold in thresholds:
        results = evaluate_decoded(tagger, features, records, outputs, threshold=threshold, extend_threshold=None)
        score = selection_score(results)
        if best is None or score > best[1]:
            best = (threshold, score, results)
    if best is None:
        raise ValueError("thresholds is empty: there is nothing to score")
    return best


def greedy_soup(
    tagger: TermTagger,
    ingredients: Sequence[str],
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    thresholds: Sequence[float],
) -> tuple[TermTagger, dict[str, Any]]:
    """``tagger`` and the saved branches of ``ingredients`` averaged greedily on dev (a greedy soup).

    Wortsman et al. (2022): every candidate (the trained branch and each ingredient) is first scored alone
    on dev (:func:`best_threshold_score`, as an epoch is scored) and they are sorted best first; the soup
    starts as the best one, and each next candidate joins if the average of the soup so far and it scores
    better on dev than the soup so far; otherwise it is left out. The ingredients must be branches on the
    same trunk with the same shape, trained from the same start (:func:`~attribution.tagging.branch_soup.soup_of`).
    Returns the soup (``tagger`` itself when it scores best alone and no ingredient helps) and what was
    tried: ``soup_with``, ``soup_kept`` (the members, the run's own branch as ``"run"``, best first),
    ``dev_selection_alone`` (each candidate's own score) and ``dev_selection_by_soup`` (the score after each
    candidate was tried, under its name; the first member's own score under ``"alone"``).
    """
    from attribution.tagging.branch_soup import soup_of
    from attribution.tagging.term_tagger import read_branch

    def score_of(branch: TermTagger) -> float:
        return round(best_threshold_score(branch, features, records, thresholds)[1], 4)

    candidates = {"run": (tagger.config, tagger.trained_weights())}
    alone = {"run": score_of(tagger)}
    for path in ingredients:
        candidates[str(path)] = read_branch(path)
        alone[str(path)] = score_of(TermTagger.from_state(tagger.trunk, *candidates[str(path)], name=str(path)))
    order = sorted(candidates, key=lambda name: -alone[name])  # stable: "run" first among equals
    kept, best_score = [order[0]], alone[order[0]]
    best = tagger if order[0] == "run" else TermTagger.from_state(tagger.trunk, *candidates[order[0]], name=order[0])
    scores = {"alone": best_score}
    for name in order[1:]:
        candidate = soup_of([candidates[k] for k in (*kept, name)], trunk=tagger.trunk, name=f"soup with {name}")
        score = scores[name] = score_of(candidate)
        if score > best_score:
            kept, best_score, best = [*kept, name], score, candidate
    logger.info("soup: kept %s of %s (dev selection scores alone %s, soups %s)", kept, order, alone, scores)
    return best, {
        "soup_with": [str(p) for p in ingredients],
        "soup_kept": kept,
        "dev_selection_alone": alone,
        "dev_selection_by_soup": scores,
    }


def lexicon_prior_of(weight: float) -> dict[str, float]:
    """The same log-odds bonus for every loaded-term category, or no prior at all for 0.

    Example:
        >>> lexicon_prior_of(1.5)["name_calling"], lexicon_prior_of(0.0)
        (1.5, {})

    """
    return {category: weight for category in LOADED_TERM_CATEGORIES} if weight else {}


def choose_lexicon_prior(
    tagger: TermTagger,
    scored: Sequence[tuple[TermFeatures, Sequence[LabeledArticle]]],
    weights: Sequence[float],
    *,
    tolerance: float = 0.002,
    outputs: Sequence[BranchOutputs | None] | None = None,
) -> tuple[float, dict[str, float]]:
    """The lexicon-prior weight with the best mean :func:`selection_score` over the ``scored`` sets.

    Within ``tolerance`` of the best score the smallest weight wins: the prior is only as strong as
    the data asks for. Returns the weight and every weight's score. ``outputs``, one per set (``None``
    where not yet computed), as in :func:`choose_decoding`.
    """
    scores: dict[str, float] = {}
    given = list(outputs) if outputs is not None else [None] * len(scored)
    stored = [
        out if out is not None else branch_outputs(tagger, features)
        for (features, _), out in zip(scored, given, strict=True)
    ]
    for weight in weights:
        scores[str(weight)] = mean_score(
            tagger, scored, stored, selection_score, lexicon_prior=lexicon_prior_of(weight)
        )
    best = max(scores.values())
    chosen = min(w for w in weights if scores[str(w)] >= best - tolerance)
    logger.info("lexicon prior %.2f chosen on dev (scores %s)", chosen, scores)
    return chosen, scores


def choose_span_splitting(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    choices: Sequence[bool] = (True, False),
    *,
    outputs: BranchOutputs | None = None,
) -> tuple[bool, dict[str, float]]:
    """The :attr:`~attribution.tagging.term_tagger.TermTaggerConfig.split_on_begin` with the best dev score.

    True: a token the branch finds more likely a beginning than an inside starts a new span ("ISIL" and
    "terrorists" apart); False: consecutive marked tokens form one span ("ISIL terrorists"), as PTC marks
    phrases. On a tie the first of ``choices`` wins. Returns the choice and every choice's score, keyed by
    ``str(choice)``. ``outputs`` as in :func:`choose_decoding`.
    """
    return _choose_setting(tagger, features, records, "split_on_begin", choices, outputs)


def choose_decoding_settings(
    tagger: TermTagger,
    dev_features: TermFeatures,
    dev_records: Sequence[LabeledArticle],
    config: TermTrainingConfig,
    extra: tuple[TermFeatures, Sequence[LabeledArticle]] | None = None,
) -> dict[str, Any]:
    """Choose the branch's decoding on dev, in turn, and set it on ``tagger.config``; returns what was chosen.

    The thresholds (:func:`choose_decoding`), then ``split_on_begin`` (:func:`choose_span_splitting`), then
    the lexicon prior on dev and ``extra`` (the hand-written war set, where most lexicon terms are;
    :func:`choose_lexicon_prior`), then the category margin (:func:`choose_category_margin`), then how loaded
    terms grow, on dev and ``extra`` (:func:`choose_term_growth`), each with the earlier choices in place. The
    branch runs once over each set.
    """
    dev_outputs = branch_outputs(tagger, dev_features)
    threshold, extend, decoding_scores = choose_decoding(
        tagger, dev_features, dev_records, config.thresholds, config.extend_thresholds, outputs=dev_outputs
    )
    tagger.config = replace(tagger.config, threshold=threshold, extend_threshold=extend)
    split, split_scores = choose_span_splitting(
        tagger, dev_features, dev_records, config.split_on_begin_choices, outputs=dev_outputs
    )
    tagger.config = replace(tagger.config, split_on_begin=split)
    chosen_sets = [(dev_features, dev_records)] + ([extra] if extra is not None else [])
    chosen_outputs = [dev_outputs] + [branch_outputs(tagger, features) for features, _ in chosen_sets[1:]]
    weight, prior_scores = choose_lexicon_prior(tagger, chosen_sets, config.lexicon_priors, outputs=chosen_outputs)
    tagger.config = replace(tagger.config, lexicon_prior=lexicon_prior_of(weight))
    margin, margin_scores = choose_category_margin(
        tagger, dev_features, dev_records, config.category_margins, outputs=dev_outputs
    )
    tagger.config = replace(tagger.config, category_margin=margin)
    growth, growth_scores = choose_term_growth(tagger, chosen_sets, config.term_growth_choices, outputs=chosen_outputs)
    tagger.config = replace(tagger.config, term_growth=growth)
    return {
        "threshold": tagger.config.threshold,
        "extend_threshold": tagger.config.extend_threshold,
        "dev_selection_by_decoding": decoding_scores,
        "split_on_begin": tagger.config.split_on_begin,
        "dev_selection_by_split_on_begin": split_scores,
        "lexicon_prior": tagger.config.lexicon_prior,
        "dev_selection_by_lexicon_prior": prior_scores,
        "category_margin": tagger.config.category_margin,
        "dev_selection_by_category_margin": margin_scores,
        "term_growth": tagger.config.term_growth,
        "dev_term_extent_by_term_growth": growth_scores,
    }


def choose_category_margin(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    margins: Sequence[float | None],
    *,
    outputs: BranchOutputs | None = None,
) -> tuple[float | None, dict[str, float]]:
    """The :attr:`~attribution.tagging.term_tagger.TermTaggerConfig.category_margin` with the best dev score.

    On a tie the earlier of ``margins`` wins (list ``None`` first to keep both terms unless a margin helps).
    Returns the margin and every margin's score, keyed by ``str(margin)``. ``outputs`` as in :func:`choose_decoding`.
    """
    return _choose_setting(tagger, features, records, "category_margin", margins, outputs)


def choose_term_growth(
    tagger: TermTagger,
    scored: Sequence[tuple[TermFeatures, Sequence[LabeledArticle]]],
    choices: Sequence[str],
    *,
    outputs: Sequence[BranchOutputs],
) -> tuple[str, dict[str, float]]:
    """The ``term_growth`` with the best mean :func:`term_extent_score` over ``scored`` (dev, the war set).

    See :attr:`~attribution.tagging.term_tagger.TermTaggerConfig.term_growth`. The choice moves only the
    loaded terms' edges, so it is scored on them, exact and overlap alike; the first of ``choices`` wins a
    tie. Returns the choice and every choice's score. ``outputs``: the branch's probabilities on each set
    (:func:`branch_outputs`).
    """
    scores = {choice: mean_score(tagger, scored, outputs, term_extent_score, term_growth=choice) for choice in choices}
    chosen = max(choices, key=lambda choice: scores[choice])
    logger.info("term growth %s chosen on dev (scores %s)", chosen, scores)
    return chosen, scores


def mean_score(
    tagger: TermTagger,
    scored: Sequence[tuple[TermFeatures, Sequence[LabeledArticle]]],
    outputs: Sequence[BranchOutputs],
    score: Callable[[dict[str, Any]], float],
    **settings: Any,
) -> float:
    """``score`` of each set decoded with ``settings`` (:func:`evaluate_decoded`), averaged over the sets, 4 places."""
    per_set = [
        score(evaluate_decoded(tagger, features, records, out, **settings))
        for (features, records), out in zip(scored, outputs, strict=True)
    ]
    return round(float(np.mean(per_set)), 4)


def term_extent_score(results: dict[str, Any]) -> float:
    """Mean of the loaded terms' micro exact F1 and micro overlap F1: it rewards terms that end where gold ends.

    Example:
        >>> term_extent_score({"loaded_terms": {"micro": {"exact": {"f1": 0.3}, "overlap": {"f1": 0.7}}}})
        0.5

    """
    micro = results.get("loaded_terms", {}).get("micro", {})
    return float(np.mean([micro.get(kind, {}).get("f1", 0.0) for kind in ("exact", "overlap")]))


def _choose_setting(
    tagger: TermTagger,
    features: TermFeatures,
    records: Sequence[LabeledArticle],
    name: str,
    values: Sequence[Any],
    outputs: BranchOutputs | None,
) -> tuple[Any, dict[str, float]]:
    """The value of the decoding setting ``name`` with the best :func:`selection_score`; the first wins a tie."""
    outputs = outputs if outputs is not None else branch_outputs(tagger, features)
    scores = {
        str(value): round(selection_score(evaluate_decoded(tagger, features, records, outputs, **{name: value})), 4)
        for value in values
    }
    chosen = max(values, key=lambda value: scores[str(value)])  # max keeps the first of equals
    logger.info("%s %s chosen on dev (scores %s)", name, chosen, scores)
    return chosen, scores


def selection_score(results: dict[str, Any]) -> float:
    """Model-selection score: mean of SI F1 and the overlap F1 of ``loaded_language`` and ``name_calling``."""
    terms = results.get("loaded_terms", {})
    parts = [results.get("techniques", {}).get("si_f1", 0.0)]
    parts += [terms.get(c, {}).get("overlap", {}).get("f1", 0.0) for c in ("loaded_language", "name_calling")]
    return float(np.mean(parts))


def load_term_records(paths: Sequence[str], data_format: str, *, split: str | None = None) -> list[LabeledArticle]:
    """Read labeled records; for PTC, ``split`` keeps only the articles :func:`ptc_split` assigns to it."""
    from attribution.training import load_labeled

    records = load_labeled(paths, data_format)
    if data_format == "ptc" and split is not None:
        from attribution.converters.ptc import ptc_split

        records = [r for r in records if ptc_split(r.id) == split]
    return records


def branch_settings(config: TermTrainingConfig, tagger: TermTagger, trunk_dir: str) -> dict[str, Any]:
    """The training settings as the model card lists them, with the branch's shape as trained.

    A branch continued from ``init_branch`` keeps that branch's ``trunk_layer`` and adapters, whatever
    the config's own (unused) values say; ``attribution_tagger`` names the trunk actually used.

    Example:
        >>> from types import SimpleNamespace
        >>> config = TermTrainingConfig(train_data=["ptc"], out="out", init_branch="models/term-tagger")
        >>> lora = {"rank": 32, "alpha": 64, "dropout": 0.1}
        >>> branch = SimpleNamespace(config=SimpleNamespace(trunk_layer=0, lora=lora))
        >>> settings = branch_settings(config, branch, "models/attribution-tagger")
        >>> settings["trunk_layer"], settings["lora_rank"], settings["lora_alpha"], settings["attribution_tagger"]
        (0, 32, 64, 'models/attribution-tagger')

    """
    lora = tagger.config.lora or {}
    return {
        **asdict(config),
        "attribution_tagger": trunk_dir,
        "trunk_layer": tagger.config.trunk_layer,
        "lora_rank": lora.get("rank", 0),
        "lora_alpha": lora.get("alpha"),
        "lora_dropout": lora.get("dropout", config.lora_dropout),
    }


def train_term_tagger(config: TermTrainingConfig) -> dict[str, Any]:
    """Train the branch, keep the best epoch on dev, save to ``config.out``; returns the metrics.

    With ``soup_with``, the trained branch and the saved siblings are then averaged greedily on dev, best
    first (:func:`greedy_soup`); with ``epochs`` 0, ``init_branch`` is not trained, only averaged and decoded again.
    """
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments, set_seed

    from attribution.model_card import write_term_model_card
    from attribution.pipeline import default_training_trunk
    from attribution.tagging.attribution_tagger import AttributionTagger

    set_seed(config.seed)
    train_records = load_term_records(config.train_data, config.data_format, split="train")
    if config.dev_data:
        dev_records = load_term_records(config.dev_data, config.data_format)
    else:
        dev_records = [r for r in train_records if dev_split(r.id, config.dev_share)]
        train_records = [r for r in train_records if not dev_split(r.id, config.dev_share)]
    if config.max_train_articles:
        train_records = train_records[: config.max_train_articles]
    if config.validation_data:
        validation_records = load_term_records(config.validation_data, config.validation_format)
    elif config.data_format == "ptc":
        validation_records = load_term_records(config.train_data, "ptc", split="validation")
    else:
        validation_records = []
    extra_records = load_term_records(config.extra_train_data, "jsonl") if config.extra_train_data else []
    extra_records = pack_records(extra_records, config.extra_pack)
    if not train_records:
        raise ValueError(f"no labeled articles found in {config.train_data}")
    trunk_dir = config.attribution_tagger or str(default_training_trunk(config.init_branch))
    trunk = AttributionTagger.from_pretrained(trunk_dir, device="cuda" if torch.cuda.is_available() else None)
    for parameter in trunk.model.parameters():
        parameter.requires_grad_(False)
    if config.init_branch:
        tagger = TermTagger.from_pretrained(config.init_branch, trunk=trunk, merge=False)  # adapters train on
        tagger.config = replace(tagger.config, metrics={}, verifier={})  # a verifier is fitted again, if asked for
    else:
        lora = LoraSettings(config.lora_rank, config.lora_alpha, config.lora_dropout) if config.lora_rank else None
        tagger = TermTagger.from_trunk(trunk, trunk_layer=config.trunk_layer, lora=lora)
    tagger.branch.positive_weight = config.positive_weight
    if config.soup_with:  # before the hours of training, not after
        from attribution.tagging.branch_soup import check_ingredients

        check_ingredients(tagger.config, config.soup_with)
    lexicon = read_polarity_lexicon(config.polarity_lexicon) if config.polarity_lexicon else None

    started = time.time()
    cache = config.feature_cache
    train_features = build_term_features(
        train_records + extra_records, tagger, polarity_lexicon=lexicon, cache_dir=cache
    )
    is_extra = [article >= len(train_records) for article in train_features.article_of_window]
    n_extra = sum(is_extra)
    order = [i for i, extra in enumerate(is_extra) if not extra]
    order += [i for i, extra in enumerate(is_extra) if extra] * config.extra_repeats
    dev_features = build_term_features(dev_records, tagger, cache_dir=cache) if dev_records else None
    validation_features = (
        build_term_features(validation_records, tagger, cache_dir=cache) if validation_records else None
    )
    logger.info(
        "branch windows: %d train (%d articles; %d windows of %d hand-written records x%d), %d dev (%d articles), "
        "%d validation (%d articles); trunk pass %.0f s",
        len(order),
        len(train_records),
        n_extra,
        len(extra_records),
        config.extra_repeats,
        len(dev_features.windows) if dev_features else 0,
        len(dev_records),
        len(validation_features.windows) if validation_features else 0,
        len(validation_records),
        time.time() - started,
    )

    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"score": -1.0, "state": None, "epoch": 0}

    class SelectBest(TrainerCallback):
        """Score dev after each epoch, keep the best branch, stop when :func:`patience_spent` says so."""

        def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if dev_features is None:
                return control
            threshold, score, results = best_threshold_score(tagger, dev_features, dev_records, config.thresholds)
            tagger.branch.train()
            history.append(
                {
                    "epoch": round(float(state.epoch or 0), 2),
                    "selection_score": round(score, 4),
                    "threshold": threshold,
                    "si_f1": results["techniques"]["si_f1"],
                }
            )
            logger.info(
                "epoch %.1f: dev selection score %.4f at threshold %.2f (SI F1 %.4f)",
                state.epoch or 0,
                score,
                threshold,
                results["techniques"]["si_f1"],
            )
            if score > best["score"]:
                best.update(
                    score=score,
                    epoch=state.epoch,
                    state={k: v.detach().clone() for k, v in tagger.branch.state_dict().items()},
                )
                if score > 0:  # a run stopped later still leaves its best branch so far (the final save replaces it)
                    tagger.save_pretrained(config.out, metrics={"interim": True, "history": history})
            if head_silent_too_long(state.epoch or 0, best["score"], config.max_silent_epochs):
                control.should_training_stop = True
            elif patience_spent(state.epoch or 0, best["epoch"], best["score"], config.early_stopping_patience):
                control.should_training_stop = True
            return control

    args = TrainingArguments(
        output_dir=config.checkpoint_dir,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        eval_strategy="no",
        save_strategy="no",
        bf16=training_uses_bf16(config.precision),
        use_cpu=not torch.cuda.is_available(),
        logging_steps=50,
        report_to="none",
        seed=config.seed,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        label_names=["span_labels", "polarity_labels"],
    )
    train_loss: float | None = None
    epochs_run = 0.0
    if config.epochs > 0:  # else an init_branch to average (soup_with) and decode again, untrained
        trainer = Trainer(
            model=tagger.branch,
            args=args,
            train_dataset=_BranchDataset(train_features, order),
            data_collator=collate_branch,
            callbacks=[SelectBest()],
        )
        train_loss = float(trainer.train().training_loss)
        epochs_run = float(trainer.state.epoch or 0)
    if config.epochs > 0 and config.max_silent_epochs is not None and dev_features is not None and best["score"] <= 0:
        raise ValueError(
            f"the branch's head never fired: dev score 0 at every threshold in {epochs_run:g} epochs, so nothing "
            f"was saved to {config.out}; train again with another seed (this one: {config.seed})"
        )
    if best["state"] is not None:
        tagger.branch.load_state_dict(best["state"])
    tagger.branch.eval()
    soup: dict[str, Any] = {}
    if config.soup_with and dev_features is not None:
        tagger, soup = greedy_soup(tagger, config.soup_with, dev_features, dev_records, config.thresholds)
        rank = (tagger.config.lora or {}).get("rank", 0)
        if config.soup_rank and rank > config.soup_rank:  # before the decoding is chosen, on what is saved
            from attribution.tagging.branch_soup import compress_branch

            tagger, error = compress_branch(tagger, config.soup_rank)
            soup.update(soup_rank=config.soup_rank, soup_rank_error=round(error, 4))
    decoding: dict[str, Any] = {}
    verifier: dict[str, Any] = {}
    if dev_features is not None:
        if not config.keep_decoding:  # with the hand-written war set, where most lexicon terms are
            extra = None
            if extra_records:
                extra = (build_term_features(extra_records, tagger, cache_dir=cache), extra_records)
            decoding = choose_decoding_settings(tagger, dev_features, dev_records, config, extra)
        if config.verifier_categories:
            from attribution.term_verifier_training import fit_term_verifier

            verifier = fit_term_verifier(  # thresholds on dev alone: see attribution.term_verifier_training
                tagger,
                (train_features, train_records),  # not the war set packed after them
                [(dev_features, dev_records)],
                categories=config.verifier_categories,
                cs=config.verifier_cs,
                thresholds=config.verifier_thresholds,
                keeps_lexicon_terms=config.verifier_keeps_lexicon_terms,
            )
    metrics: dict[str, Any] = {
        "train_seconds": round(time.time() - started, 1),
        "train_articles": len(train_records),
        "extra_records": len(extra_records),
        "train_windows": len(train_features.windows),  # distinct windows
        "train_windows_per_epoch": len(order),  # with the hand-written set's repeats, as the log counts them
        "train_loss": round(train_loss, 4) if train_loss is not None else None,
        "epochs_run": round(epochs_run, 2),
        "best_epoch": round(float(best["epoch"] or 0), 2),
        "history": history,
        "dev_articles": len(dev_records),
        "threshold": tagger.config.threshold,
        "extend_threshold": tagger.config.extend_threshold,
        **soup,
        **decoding,
        **({"verifier": verifier} if verifier else {}),
    }
    if validation_features is not None:
        metrics["validation"] = evaluate_features(tagger, validation_features, validation_records)
        metrics["validation_articles"] = len(validation_records)
    tagger.save_pretrained(config.out, metrics=metrics)
    write_term_model_card(config.out, training=branch_settings(config, tagger, trunk_dir), metrics=metrics)
    Path(config.out, "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics
