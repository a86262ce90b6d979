"""TermTagger: loaded terms and persuasion techniques from the attribution tagger's encoder pass.

The loaded-term model is a *branch* on the attribution tagger: it takes the hidden states
after encoder layer ``trunk_layer`` of the attribution tagger (computed once, in the same
forward pass that tags attributions), runs its own copies of the remaining encoder layers,
and ends in two heads:

- ``span_head``: for each group in :data:`TERM_GROUPS` (the 14 SemEval-2020 techniques plus
  ``delegitimizing``) an independent O/B/I decision per token, so spans of different
  techniques may overlap or nest, as they do in the data;
- ``polarity_head``: negative / positive per token, read over a term's tokens.

Loaded-term categories come from four groups (:data:`GROUP_TO_CATEGORY`); the techniques
layer from the 14 technique groups. Only the branch (layers + heads) is saved; the trunk is
the attribution tagger, whose weight file hash the branch records, so a retrained
attribution tagger is caught instead of silently feeding the branch states it never saw.

Example:
    >>> from attribution.tagging.attribution_tagger import AttributionTagger          # doctest: +SKIP
    >>> trunk = AttributionTagger.from_pretrained("models/attribution-tagger")         # doctest: +SKIP
    >>> terms = TermTagger.from_pretrained("models/term-tagger", trunk=trunk)          # doctest: +SKIP
    >>> raw = terms.tag(article, sentences)                                            # doctest: +SKIP
    >>> [(t.category, t.text) for t in raw.loaded_terms]                               # doctest: +SKIP
    [('name_calling', 'terrorists'), ('loaded_language', 'liberated')]

"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Self

import numpy as np

from attribution.annotations import TECHNIQUES
from attribution.records import Article, LoadedTerm, Sentence, TechniqueSpan
from attribution.tagging.lora import LoraSettings, inject_lora, unload_injected_lora
from attribution.tagging.term_verifier import TermVerifier, feature_names, term_features
from attribution.tagging.weights import save_state, trained_state
from attribution.tagging.windows import TokenWindow

logger = logging.getLogger(__name__)

CONFIG_NAME = "term_tagger_config.json"
WEIGHTS_NAME = "model.safetensors"
#: Output groups of the span head: each gets its own O/B/I decision per token.
TERM_GROUPS: tuple[str, ...] = (*TECHNIQUES, "delegitimizing")
#: Span-head groups that are loaded-term categories (annotation guidelines section 3).
GROUP_TO_CATEGORY = {
    "Name_Calling,Labeling": "name_calling",
    "Loaded_Language": "loaded_language",
    "Exaggeration,Minimisation": "exaggeration",
    "delegitimizing": "delegitimizing",
}
POLARITY_LABELS = ("negative", "positive")
#: Values of :attr:`TermTaggerConfig.term_growth`.
TERM_GROWTHS = ("edges", "gaps")
BIO = ("O", "B", "I")


@dataclass(frozen=True, slots=True)
class TermTaggerConfig:
    """What ``term_tagger_config.json`` holds; unknown keys are rejected on load."""

    trunk_layer: int = 4
    trunk_weights_sha256: str = ""
    base_model: str = ""
    groups: tuple[str, ...] = TERM_GROUPS
    threshold: float = 0.5
    group_thresholds: dict[str, float] = field(default_factory=dict)  # per-group overrides, chosen on dev
    split_on_begin: bool = True  # a predicted B inside a run starts a new span
    extend_threshold: float | None = None  # a span grows through neighbours at or above this (None: no growing)
    #: How loaded terms grow with ``extend_threshold``: "edges", through neighbours on either side as the
    #: technique spans do ("scores of ISIS terrorists"); "gaps", only across gaps between marked tokens, so a
    #: term stays the word or phrase the guidelines ask for ("ISIS terrorists"). Chosen on dev and the war set.
    term_growth: str = "edges"
    #: Loaded-term category -> log-odds added to "inside" for tokens of a war-lexicon match of that category
    #: (:func:`apply_lexicon_prior`); chosen on dev. Empty: the lexicon plays no part in tagging.
    lexicon_prior: dict[str, float] = field(default_factory=dict)
    #: Where a name_calling and a loaded_language term overlap, the one whose score is more than this below the
    #: other's is dropped (:func:`build_terms`); chosen on dev. None: both are kept.
    category_margin: float | None = None
    #: A learned second look at the decoded terms (:class:`~attribution.tagging.term_verifier.TermVerifier`,
    #: as :meth:`~attribution.tagging.term_verifier.TermVerifier.to_dict` writes it); fitted after training on
    #: the training articles, thresholds chosen on dev. Empty: every decoded term is kept.
    verifier: dict[str, Any] = field(default_factory=dict)
    weights_dtype: str = "float16"
    #: LoRA settings when the branch's encoder layers are saved as adapters over the trunk's layers; else empty
    lora: dict[str, Any] = field(default_factory=dict)
    attribution_version: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "term tagger config") -> TermTaggerConfig:
        """Build from a dict, naming unknown keys in the error."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        values = dict(data)
        if "groups" in values:
            values["groups"] = tuple(values["groups"])
        if values.get("term_growth", "edges") not in TERM_GROWTHS:
            raise ValueError(f"{where}: term_growth must be one of {list(TERM_GROWTHS)}, got {values['term_growth']!r}")
        margin = values.get("category_margin")
        if margin is not None and not (isinstance(margin, int | float) and margin >= 0):
            raise ValueError(f"{where}: category_margin must be a number >= 0 or null, got {margin!r}")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class RawTerms:
    """The branch's output for one article, before voice and target are assigned."""

    loaded_terms: tuple[LoadedTerm, ...]
    techniques: tuple[TechniqueSpan, ...]


def weights_sha256(path: str | Path) -> str:
    """SHA-256 of a file (the trunk's weights), read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_branch(
    trunk: Any, trunk_layer: int, n_groups: int = len(TERM_GROUPS), *, lora: LoraSettings | None = None
) -> Any:
    """A fresh branch: copies of the trunk's encoder layers after ``trunk_layer`` plus new heads.

    With ``lora``, the copied layers stay frozen and get adapters (:func:`~attribution.tagging.lora.inject_lora`):
    a branch on a large trunk (MPNet layers are 14 MB each in float16) then saves only adapters and heads.
    An MPNet trunk's relative position bias is copied too (frozen): its layers take it as an input.
    """
    import copy

    import torch
    from torch import nn

    trunk_encoder = trunk.model.base_model.encoder
    encoder_layers = trunk_encoder.layer
    position_bias_of = getattr(type(trunk_encoder), "compute_position_bias", None)  # MPNet
    if not 0 <= trunk_layer < len(encoder_layers):
        raise ValueError(f"trunk_layer must be in [0, {len(encoder_layers) - 1}], got {trunk_layer}")
    bert_config = trunk.model.config

    class TermBranch(nn.Module):
        """Encoder layers + span and polarity heads over the trunk's hidden states."""

        def __init__(self) -> None:
            super().__init__()
            self.config = bert_config
            self.layers = nn.ModuleList(copy.deepcopy(layer) for layer in encoder_layers[trunk_layer:])
            self.dropout = nn.Dropout(bert_config.hidden_dropout_prob)
            self.span_head = nn.Linear(bert_config.hidden_size, n_groups * len(BIO))
            self.polarity_head = nn.Linear(bert_config.hidden_size, len(POLARITY_LABELS))
            self.n_groups = n_groups
            self.positive_weight = 1.0  # training sets it: loss weight of B and I against O
            for parameter in self.parameters():  # the copied layers may come from a frozen trunk
                parameter.requires_grad_(True)
            if position_bias_of is not None:
                self.relative_attention_bias = copy.deepcopy(trunk_encoder.relative_attention_bias)
                self.relative_attention_bias.requires_grad_(False)  # the trunk's, never trained here
                self.relative_position_bucket = trunk_encoder.relative_position_bucket

        def forward(
            self,
            hidden_states: torch.Tensor,
            attention_mask: torch.Tensor,
            span_labels: torch.Tensor | None = None,
            polarity_labels: torch.Tensor | None = None,
        ) -> dict[str, torch.Tensor]:
            from transformers.masking_utils import create_bidirectional_mask

            hidden = hidden_states.float()
            mask = create_bidirectional_mask(config=self.config, inputs_embeds=hidden, attention_mask=attention_mask)
            extra = {} if position_bias_of is None else {"position_bias": position_bias_of(self, hidden)}
            for layer in self.layers:
                hidden = layer(hidden, mask, **extra)
                if isinstance(hidden, tuple):  # MPNet layers return (hidden, attentions...)
                    hidden = hidden[0]
            hidden = self.dropout(hidden)
            batch, width, _ = hidden.shape
            span_logits = self.span_head(hidden).view(batch, width, self.n_groups, len(BIO))
            polarity_logits = self.polarity_head(hidden)
            out = {"span_logits": span_logits, "polarity_logits": polarity_logits}
            if span_labels is not None:
                weight = torch.tensor([1.0, self.positive_weight, self.positive_weight], device=span_logits.device)
                loss = nn.functional.cross_entropy(
                    span_logits.reshape(-1, len(BIO)), span_labels.reshape(-1), weight=weight, ignore_index=-100
                )
                if polarity_labels is not None and bool((polarity_labels != -100).any()):
                    loss = loss + 0.5 * nn.functional.cross_entropy(
                        polarity_logits.reshape(-1, len(POLARITY_LABELS)),
                        polarity_labels.reshape(-1),
                        ignore_index=-100,
                    )
                out["loss"] = loss
            return out

    branch = TermBranch()
    if lora is not None:
        inject_lora(branch.layers, lora, [n for n, m in branch.layers.named_modules() if isinstance(m, nn.Linear)])
    return branch


class TermTagger:
    """Loaded-term and technique spans from a branch on the attribution tagger's encoder.

    Args:
        trunk: The :class:`~attribution.tagging.attribution_tagger.AttributionTagger` whose
            encoder pass the branch reuses.
        branch: The module from :func:`build_branch` (trained).
        config: The branch settings.
        name: Where it was loaded from (used in report provenance).

    """

    def __init__(self, trunk: Any, branch: Any, config: TermTaggerConfig, *, name: str = "unsaved") -> None:
        if tuple(config.groups) != TERM_GROUPS:
            raise ValueError(f"term tagger groups {list(config.groups)} differ from the supported {list(TERM_GROUPS)}")
        self.trunk = trunk
        self.branch = branch
        self.config = config
        self.name = name
        self._saved_adapters: dict[str, Any] | None = None  # a loaded LoRA branch's file, merged into ``branch``
        self._verifier: tuple[dict[str, Any], TermVerifier] | None = None  # config.verifier, read once

    @classmethod
    def from_trunk(cls, trunk: Any, *, trunk_layer: int = 4, lora: LoraSettings | None = None) -> Self:
        """A fresh, untrained branch on ``trunk`` (its layers after ``trunk_layer`` copied; adapters with ``lora``)."""
        config = TermTaggerConfig(
            trunk_layer=trunk_layer,
            trunk_weights_sha256=_trunk_hash(trunk),
            base_model=str(trunk.config.base_model),
            lora=lora.to_dict() if lora else {},
        )
        return cls(trunk, build_branch(trunk, trunk_layer, lora=lora), config)

    @classmethod
    def from_pretrained(cls, path: str | Path, *, trunk: Any, strict_trunk: bool = True, merge: bool = True) -> Self:
        """Load a saved branch folder onto ``trunk``.

        A LoRA branch's adapters are merged into its layers unless ``merge`` is false (to train them further).

        Raises:
            FileNotFoundError: if the folder lacks its config or weights.
            ValueError: if the branch was trained on another trunk (``strict_trunk``) or the
                weights do not fit.

        """
        path = Path(path)
        config, state = read_branch(path)
        trunk_hash = _trunk_hash(trunk)
        if config.trunk_weights_sha256 and trunk_hash and trunk_hash != config.trunk_weights_sha256:
            message = (
                f"{path}: this term tagger was trained on another attribution tagger than {trunk.name} "
                "(weights differ); retrain it with `attribution train --task loaded-terms`"
            )
            if strict_trunk:
                raise ValueError(message)
            logger.warning(message)
        return cls.from_state(trunk, config, state, name=str(path), merge=merge)

    @classmethod
    def from_state(
        cls, trunk: Any, config: TermTaggerConfig, state: dict[str, Any], *, name: str = "unsaved", merge: bool = True
    ) -> Self:
        """A branch on ``trunk`` built as ``config`` says, with the trained weights ``state`` (what a save writes).

        Raises:
            ValueError: naming ``name`` if the weights do not fit the branch ``config`` describes.

        """
        import torch

        lora = LoraSettings.from_dict(config.lora) if config.lora else None
        branch = build_branch(trunk, config.trunk_layer, len(config.groups), lora=lora)
        params = {key: p for key, p in branch.named_parameters() if p.requires_grad}  # what a save writes
        if set(state) != set(params):
            raise ValueError(f"{name}: weights do not fit a branch at layer {config.trunk_layer}")
        with torch.no_grad():
            for key, tensor in state.items():
                if params[key].shape != tensor.shape:
                    raise ValueError(f"{name}: {key} has shape {tuple(tensor.shape)}")
                params[key].copy_(tensor.to(params[key].dtype))
        tagger = cls(trunk, branch, config, name=name)
        tagger.verifier()  # a verifier that does not fit this version fails here, not at the first article
        if lora is not None and merge:  # keep the adapters as loaded (a later save writes them), run merged layers
            tagger._saved_adapters = state
            unload_injected_lora(branch.layers)
        branch.eval()
        return tagger

    def trained_weights(self) -> dict[str, Any]:
        """The weights a save writes: all of a plain branch's; a LoRA branch's adapters and heads (unmerged)."""
        if self._saved_adapters is not None:  # merged on load: the adapters and heads it was loaded from
            return self._saved_adapters
        return trained_state(self.branch, self.config.weights_dtype)

    def save_pretrained(self, path: str | Path, *, metrics: dict[str, Any] | None = None) -> None:
        """Save the branch weights (float16 safetensors) and ``term_tagger_config.json``."""
        from attribution import __version__

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_state(self.trained_weights(), path / WEIGHTS_NAME)
        config = replace(  # every decoding setting is kept (extend_threshold and lexicon_prior were once lost here)
            self.config,
            trunk_weights_sha256=_trunk_hash(self.trunk),
            base_model=str(self.trunk.config.base_model),
            groups=TERM_GROUPS,
            attribution_version=__version__,
            metrics=metrics if metrics is not None else self.config.metrics,
        )
        (path / CONFIG_NAME).write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
        self.config = config

    def branch_probabilities(self, hidden: Any, attention_mask: Any) -> tuple[np.ndarray, np.ndarray]:
        """Span probabilities (batch x tokens x groups x 3) and polarity probabilities (batch x tokens x 2)."""
        import torch

        self.branch.eval()
        device = next(self.branch.parameters()).device
        with torch.inference_mode():
            out = self.branch(hidden.to(device), attention_mask.to(device))
            spans = torch.softmax(out["span_logits"].float(), dim=-1).cpu().numpy()
            polarity = torch.softmax(out["polarity_logits"].float(), dim=-1).cpu().numpy()
        return spans, polarity

    def predict_windows(
        self, windows: Sequence[TokenWindow], *, batch_size: int = 32, attribution_labels: bool = True
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """Attribution label probabilities, span-group probabilities and polarity probabilities per window.

        One trunk pass serves both: the attribution tagger's probabilities come back too, so
        the analyzer does not run the encoder twice. With ``attribution_labels=False`` the trunk
        stops at the branch's ``trunk_layer`` and the first list holds empty arrays.
        """
        n = len(windows)
        attribution: list[np.ndarray] = [np.zeros(0)] * n
        spans: list[np.ndarray] = [np.zeros(0)] * n
        polarity: list[np.ndarray] = [np.zeros(0)] * n
        batches = self.trunk.encode(
            windows, batch_size=batch_size, hidden_layer=self.config.trunk_layer, labels=attribution_labels
        )
        for batch in batches:
            span_probs, polarity_probs = self.branch_probabilities(batch.hidden, batch.attention_mask)
            for row, index in enumerate(batch.indices):
                length = batch.lengths[row]
                if batch.probabilities is not None:
                    attribution[index] = batch.probabilities[row, :length]
                spans[index] = span_probs[row, :length]
                polarity[index] = polarity_probs[row, :length]
        return attribution, spans, polarity

    def decode(
        self, windows: Sequence[TokenWindow], spans: Sequence[np.ndarray], polarity: Sequence[np.ndarray], text: str
    ) -> RawTerms:
        """Turn one article's window probabilities into loaded terms and technique spans (verified, see ``verify``).

        A loaded term then loses the function words at its end ("slaughter of" -> "slaughter"): on the 277 PTC
        training articles this made 18 more terms match a gold term exactly and changed no overlap (dev: no
        change either); technique spans keep theirs (PTC marks phrases such as "decisive blow against").
        """
        verifier = self.verifier()
        needed = self.config.lexicon_prior or (verifier is not None and verifier.keeps_lexicon_terms)
        matches = lexicon_matches(text) if needed else []  # found once: the prior and the verifier both read them
        raw, decoded_from = self.decode_unverified(windows, spans, polarity, text, matches=matches)
        verified = self.verify(raw, windows, decoded_from, text, matches=matches)
        return replace(
            verified, loaded_terms=tuple(without_trailing_function_words(t, text) for t in verified.loaded_terms)
        )

    def decode_unverified(
        self,
        windows: Sequence[TokenWindow],
        spans: Sequence[np.ndarray],
        polarity: Sequence[np.ndarray],
        text: str,
        *,
        matches: Sequence[tuple[int, int, str]] | None = None,
    ) -> tuple[RawTerms, list[np.ndarray]]:
        """:meth:`decode` before the verifier, with the span probabilities the terms came from (after the prior).

        ``matches``: the text's :func:`lexicon_matches`, when the caller has them already.
        """
        spans = list(spans)
        if self.config.lexicon_prior:
            matches = lexicon_matches(text) if matches is None else matches
            spans = apply_lexicon_prior(windows, spans, matches, self.config.lexicon_prior)

        def decoded(groups: Sequence[str], *, gaps_only: bool = False) -> list[GroupSpan]:
            return [
                piece
                for window, span_probs, polarity_probs in zip(windows, spans, polarity, strict=True)
                for piece in decode_groups(
                    window,
                    span_probs,
                    polarity_probs,
                    text,
                    threshold=self.config.threshold,
                    group_thresholds=self.config.group_thresholds,
                    split_on_begin=self.config.split_on_begin,
                    extend_threshold=self.config.extend_threshold,
                    groups=groups,
                    gaps_only=gaps_only,
                )
            ]

        found = decoded(TERM_GROUPS)
        term_spans = None  # the loaded terms come from ``found`` too
        if self.config.term_growth == "gaps" and self.config.extend_threshold is not None:
            term_spans = decoded(tuple(GROUP_TO_CATEGORY), gaps_only=True)
        return build_terms(found, text, category_margin=self.config.category_margin, term_spans=term_spans), spans

    def verify(
        self,
        raw: RawTerms,
        windows: Sequence[TokenWindow],
        spans: Sequence[np.ndarray],
        text: str,
        *,
        matches: Sequence[tuple[int, int, str]] | None = None,
    ) -> RawTerms:
        """``raw`` without the loaded terms the config's verifier drops (``spans``: as decoded, after the prior).

        With the verifier's ``keeps_lexicon_terms``, a term overlapping a war-lexicon match of its category
        (``matches``, or the text's :func:`lexicon_matches`) stays.
        """
        verifier = self.verifier()
        if verifier is None:
            return raw
        if not verifier.keeps_lexicon_terms:
            matches = []
        elif matches is None:
            matches = lexicon_matches(text)

        bounds = [_char_bounds(window) for window in windows]

        def in_lexicon(term: LoadedTerm) -> bool:
            return any(c == term.category and a < term.end and term.start < b for a, b, c in matches)

        def features(term: LoadedTerm) -> np.ndarray:  # from the windows that hold the term only
            near = [i for i, (lo, hi) in enumerate(bounds) if lo < term.end and term.start < hi]
            near = near or list(range(len(windows)))
            return term_features(term, [windows[i] for i in near], [spans[i] for i in near])

        kept = tuple(
            term
            for term in raw.loaded_terms
            if term.category not in verifier.categories
            or in_lexicon(term)
            or verifier.accepts(term.category, features(term))
        )
        return RawTerms(loaded_terms=kept, techniques=raw.techniques)

    def verifier(self) -> TermVerifier | None:
        """The config's :class:`~attribution.tagging.term_verifier.TermVerifier` (None when it has none).

        Raises:
            ValueError: naming the tagger if the stored verifier does not fit this version's features.

        """
        stored = self.config.verifier
        if not stored:
            return None
        if self._verifier is None or self._verifier[0] is not stored:  # the config is replaced while training
            parsed = TermVerifier.from_dict(
                stored, expected_features=feature_names(TERM_GROUPS), where=f"{self.name}: {CONFIG_NAME}"
            )
            self._verifier = (stored, parsed)
        return self._verifier[1]

    def tag(self, article: Article, sentences: Sequence[Sentence], *, batch_size: int = 32) -> RawTerms:
        """Loaded terms and technique spans for one article (voice and target not yet assigned)."""
        windows = self.trunk.windows(sentences)
        _, spans, polarity = self.predict_windows(windows, batch_size=batch_size, attribution_labels=False)
        return self.decode(windows, spans, polarity, article.text)

    def classify_spans(
        self, article: Article, sentences: Sequence[Sentence], spans: Sequence[tuple[int, int]], *, batch_size: int = 32
    ) -> list[dict[str, float]]:
        """Technique probabilities for given character spans (technique classification given gold spans).

        Each span's score for a technique is the mean over its tokens of P(B) + P(I) for that
        technique's group, normalised over the 14 techniques.
        """
        windows = self.trunk.windows(sentences)
        _, probs, _ = self.predict_windows(windows, batch_size=batch_size, attribution_labels=False)
        technique_columns = [TERM_GROUPS.index(t) for t in TECHNIQUES]
        results = []
        for start, end in spans:
            rows = [
                window_probs[t]
                for window, window_probs in zip(windows, probs, strict=True)
                for t, (a, b) in enumerate(window.offsets)
                if a >= 0 and a < end and b > start
            ]
            if not rows:
                results.append({t: 1.0 / len(TECHNIQUES) for t in TECHNIQUES})
                continue
            inside = np.mean([row[technique_columns, 1] + row[technique_columns, 2] for row in rows], axis=0)
            total = float(inside.sum()) or 1.0
            results.append({t: float(v) / total for t, v in zip(TECHNIQUES, inside, strict=True)})
        return results


@dataclass(frozen=True, slots=True)
class GroupSpan:
    """One decoded span of one span-head group (internal to the tagging layer)."""

    group: str
    start: int
    end: int
    sentence_index: int
    score: float
    polarity: str | None


#: A legal designation around "terrorist" (guidelines section 3: not loaded there), before or after the word.
_DESIGNATION_BEFORE = re.compile(
    r"\b(?:designat\w*|list(?:ed|s|ing)?|proscri\w*|banned|blacklist\w*|classif\w*|sanction\w*)\b[^.;:!?]{0,40}$",
    re.IGNORECASE,
)
_DESIGNATION_AFTER = re.compile(
    r"^\W*(?:organi[sz]ations?\s+)?(?:list|designation|financing|charges?)\b", re.IGNORECASE
)


def lexicon_matches(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, category)`` of the packaged war lexicon's matches in ``text`` that may carry a prior.

    "terrorist" in a legal designation ("designated the militia a terrorist organization", "on the
    terrorist list") gets no prior: the guidelines call it not loaded, so the tagger decides alone.

    Example:
        >>> lexicon_matches("Takfiri gangs shelled the town.")
        [(0, 7, 'name_calling')]
        >>> lexicon_matches("Washington designated the militia a terrorist organization.")
        []

    """
    out = []
    from attribution.lexicon import packaged_lexicon

    for m in packaged_lexicon().find(text):
        if m.text.lower().startswith("terror") and (
            _DESIGNATION_BEFORE.search(text[max(0, m.start - 80) : m.start])
            or _DESIGNATION_AFTER.search(text[m.end : m.end + 40])
        ):
            continue
        out.append((m.start, m.end, m.entry.category))
    return out


def apply_lexicon_prior(
    windows: Sequence[TokenWindow],
    span_probs: Sequence[np.ndarray],
    matches: Sequence[tuple[int, int, str]],
    prior: Mapping[str, float],
) -> list[np.ndarray]:
    """Span probabilities with a lexicon prior: the tagger still decides, the lexicon shifts its odds.

    For a token inside a lexicon match of category ``c``, the probability that it is inside a
    ``c`` span, ``p = P(B) + P(I)``, becomes ``sigmoid(logit(p) + prior[c])``; ``P(B)`` and ``P(I)``
    keep their ratio (a match's first token is ``B`` and later ones ``I`` where the tagger gave
    both nothing). A context the tagger finds neutral ("designated a terrorist organization",
    ``p`` near 0) stays below the threshold; a hesitant one ("the terrorists fled", ``p`` = 0.34)
    can cross it. Categories missing from ``prior`` and tokens outside matches are unchanged.

    Example:
        >>> offsets = ((-1, -1), (0, 3), (4, 14), (15, 19), (-1, -1))
        >>> window = TokenWindow((101, 1, 2, 3, 102), offsets, (-1, 0, 0, 0, -1))
        >>> probs = np.zeros((5, len(TERM_GROUPS), 3)); probs[:, :, 0] = 1
        >>> g = TERM_GROUPS.index("Name_Calling,Labeling")
        >>> probs[2, g] = [0.66, 0.30, 0.04]                 # "terrorists": inside with p = 0.34
        >>> out = apply_lexicon_prior([window], [probs], [(4, 14, "name_calling")], {"name_calling": 1.0})
        >>> round(float(out[0][2, g, 1:].sum()), 3), round(float(out[0][3, g, 1:].sum()), 3)  # "fled" untouched
        (0.583, 0.0)

    """
    groups = {category: TERM_GROUPS.index(group) for group, category in GROUP_TO_CATEGORY.items()}
    out = []
    for window, probs in zip(windows, span_probs, strict=True):
        probs = probs.copy()
        lo, hi = _char_bounds(window)
        for start, end, category in matches:
            bonus = prior.get(category)
            if not bonus or category not in groups or end <= lo or start >= hi:  # not in this window
                continue
            g = groups[category]
            first = True
            for t, (a, b) in enumerate(window.offsets):
                if a < start or b > end or a < 0 or a >= b:
                    continue
                inside = float(probs[t, g, 1] + probs[t, g, 2])
                p = min(max(inside, 1e-6), 1 - 1e-6)
                shifted = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + bonus)))
                if inside > 1e-6:
                    probs[t, g, 1:] *= shifted / inside
                else:
                    probs[t, g, 1:] = (shifted, 0.0) if first else (0.0, shifted)
                probs[t, g, 0] = 1.0 - shifted
                first = False
        out.append(probs)
    return out


def decode_groups(
    window: TokenWindow,
    span_probs: np.ndarray,
    polarity_probs: np.ndarray,
    text: str,
    *,
    threshold: float = 0.5,
    group_thresholds: Mapping[str, float] | None = None,
    split_on_begin: bool = True,
    extend_threshold: float | None = None,
    groups: Sequence[str] = TERM_GROUPS,
    gaps_only: bool = False,
) -> list[GroupSpan]:
    """Spans per group of ``groups``: a token is inside when P(B) + P(I) >= the group's threshold.

    A gap (or, with ``split_on_begin``, a token more likely B than I) starts a new span;
    ``group_thresholds`` overrides ``threshold`` for the groups it names. With ``extend_threshold``
    (hysteresis), a span grows through neighbouring tokens whose probability is at least that lower
    value, so "firestorm" + "of" (0.3) + "outrage" is one span rather than two; with ``gaps_only`` it
    grows only across such gaps between marked tokens, never outwards at its edges.

    A span is widened to whole words, hyphenated compounds included: "terror" + "##ists" never
    yields "terror", "##ized" of "sanitized" is "sanitized", "backed" of "foreign-backed" is
    "foreign-backed".

    Example:
        >>> offsets = ((-1, -1), (0, 3), (4, 11), (12, 16), (-1, -1))
        >>> window = TokenWindow((101, 1, 2, 3, 102), offsets, (-1, 0, 0, 0, -1))
        >>> probs = np.zeros((5, len(TERM_GROUPS), 3)); probs[:, :, 0] = 1
        >>> group = TERM_GROUPS.index("Loaded_Language")
        >>> probs[2, group] = [0.1, 0.8, 0.1]
        >>> polarity = np.tile([0.9, 0.1], (5, 1))
        >>> text = "the heinous raid"
        >>> [(s.group, text[s.start:s.end], s.polarity) for s in decode_groups(window, probs, polarity, text)]
        [('Loaded_Language', 'heinous', 'negative')]

    """
    offsets = window.offsets
    out: list[GroupSpan] = []
    inside_prob = span_probs[:, :, 1] + span_probs[:, :, 2]
    for group in groups:
        g = TERM_GROUPS.index(group)
        cut = (group_thresholds or {}).get(group, threshold)
        current: list[int] = []

        def flush(tokens: list[int], group: str = group, g: int = g) -> None:
            if not tokens:
                return
            start, end = offsets[tokens[0]][0], offsets[tokens[-1]][1]
            last = tokens[-1]
            while last + 1 < len(offsets) and offsets[last + 1][0] == end and offsets[last + 1][0] >= 0:
                if not text[end : offsets[last + 1][1]].strip() or not text[end - 1].isalnum():
                    break
                last += 1
                end = offsets[last][1]
            start, end = _whole_words(text, start, end)
            start, end = _trim(text, start, end)
            if start >= end:
                return
            out.append(
                GroupSpan(
                    group=group,
                    start=start,
                    end=end,
                    sentence_index=window.sentence_indices[tokens[0]],
                    score=round(float(np.mean(inside_prob[tokens, g])), 4),
                    polarity=POLARITY_LABELS[int(np.argmax(polarity_probs[tokens].mean(axis=0)))],
                )
            )

        inside = _inside_tokens(
            inside_prob[:, g], offsets, window.sentence_indices, cut, extend_threshold, gaps_only=gaps_only
        )
        for t, (a, _) in enumerate(offsets):
            if a < 0 or not inside[t]:
                flush(current)
                current = []
                continue
            begins = split_on_begin and span_probs[t, g, 1] > span_probs[t, g, 2]
            new_sentence = bool(current) and window.sentence_indices[current[-1]] != window.sentence_indices[t]
            if new_sentence or (current and begins and not _continues_word(offsets, t, text)):
                flush(current)
                current = []
            current.append(t)
        flush(current)
    return out


def _inside_tokens(
    probs: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    sentence_indices: Sequence[int],
    cut: float,
    extend: float | None,
    *,
    gaps_only: bool = False,
) -> list[bool]:
    """Tokens at or above ``cut``, plus (with ``extend``) runs at or above ``extend`` that hold one of them.

    With ``gaps_only``, only the part of such a run between its first and last token at or above ``cut``.

    Example:
        >>> probs = np.array([0.2, 0.9, 0.2, 0.8, 0.2, 0.0])
        >>> offsets = [(i, i + 1) for i in range(6)]
        >>> [int(x) for x in _inside_tokens(probs, offsets, [0] * 6, 0.5, 0.1)]
        [1, 1, 1, 1, 1, 0]
        >>> [int(x) for x in _inside_tokens(probs, offsets, [0] * 6, 0.5, 0.1, gaps_only=True)]
        [0, 1, 1, 1, 0, 0]

    """
    inside = [a >= 0 and p >= cut for p, (a, _) in zip(probs, offsets, strict=True)]
    if extend is None or extend >= cut:
        return inside
    run: list[int] = []
    for t in range(len(offsets) + 1):
        keep = (
            t < len(offsets)
            and offsets[t][0] >= 0
            and probs[t] >= extend
            and (not run or sentence_indices[run[-1]] == sentence_indices[t])
        )
        if keep:
            run.append(t)
            continue
        marked = [k for k in run if inside[k]]
        if marked:
            for k in run if not gaps_only else range(marked[0], marked[-1] + 1):
                inside[k] = True
        run = [t] if t < len(offsets) and offsets[t][0] >= 0 and probs[t] >= extend else []
    return inside


_HYPHENS = "-‐‑"


def _joined(text: str, i: int) -> bool:
    """Whether ``text[i]`` and ``text[i + 1]`` belong to one word (letters/digits, or a hyphen between them)."""
    a, b = text[i], text[i + 1]
    if a.isalnum() and b.isalnum():
        return True
    if b in _HYPHENS:
        return a.isalnum() and i + 2 < len(text) and text[i + 2].isalnum()
    if a in _HYPHENS:
        return b.isalnum() and i > 0 and text[i - 1].isalnum()
    return False


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words, hyphenated compounds included.

    Example:
        >>> text = "foreign-backed gunmen sanitized it"
        >>> [text[slice(*_whole_words(text, s, e))] for s, e in ((8, 14), (7, 14), (0, 7), (26, 31))]
        ['foreign-backed', 'foreign-backed', 'foreign-backed', 'sanitized']

    """
    while start > 0 and _joined(text, start - 1):
        start -= 1
    while 0 < end < len(text) and _joined(text, end - 1):
        end += 1
    return start, end


_EDGE = set(" \t\n.,;:!?\"'“”‘’()[]«»")
#: The clitic of a contraction or possessive ("’s", "’re", "n’t"): a span never starts with it.
_CLITIC = re.compile(r"(?:s|d|ll|re|ve|m|t)(?![^\W_])", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop spaces, punctuation and quote marks at either edge ("guy," -> "guy"; a term never ends in a comma).

    A span that starts on the clitic after an apostrophe starts after it instead, so the possessive of
    "Awan’s alleged swindling" does not leave a stray "s alleged swindling".

    Example:
        >>> text = "Awan’s alleged swindling, she said"
        >>> text[slice(*_trim(text, 5, 25))], text[slice(*_trim(text, 0, 6))], _trim(text, 5, 6)
        ('alleged swindling', 'Awan’s', (6, 6))

    """
    while start < end and text[start] in _EDGE:
        start += 1
    clitic = _CLITIC.match(text, start, end)
    if clitic and start >= 2 and text[start - 1] in "'’" and text[start - 2].isalpha():
        start = clitic.end()
        while start < end and text[start] in _EDGE:
            start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


#: Words a loaded term does not end in: they carry no judgement of their own.
TRAILING_FUNCTION_WORDS = frozenset(
    "of to and in on the at that for a an with this these those or is are was were be been by as from her his its "
    "their our my your".split()
)


def without_trailing_function_words(term: LoadedTerm, text: str) -> LoadedTerm:
    """``term`` without the function words at its end (a one-word term stays as it is).

    Example:
        >>> text = "It is a slaughter of people."
        >>> term = LoadedTerm("loaded_language", 8, 20, "slaughter of", 0, 0.8)
        >>> without_trailing_function_words(term, text).text
        'slaughter'
        >>> without_trailing_function_words(LoadedTerm("name_calling", 6, 7, "a", 0, 0.8), "It is a thug").text
        'a'

    """
    start, end = term.start, term.end
    while True:
        words = list(re.finditer(r"\S+", text[start:end]))
        if len(words) <= 1 or words[-1].group(0).lower().strip(".,;:!?\"'”’") not in TRAILING_FUNCTION_WORDS:
            break
        end = start + len(text[start : start + words[-1].start()].rstrip())
    if end == term.end:
        return term
    return replace(term, end=end, text=text[start:end])


def _continues_word(offsets: Sequence[tuple[int, int]], t: int, text: str) -> bool:
    previous_end = offsets[t - 1][1] if t > 0 else -1
    return previous_end == offsets[t][0] and previous_end > 0 and text[previous_end - 1].isalnum()


def build_terms(
    found: Sequence[GroupSpan],
    text: str,
    *,
    category_margin: float | None = None,
    term_spans: Sequence[GroupSpan] | None = None,
) -> RawTerms:
    """Loaded terms (the category groups) and technique spans (the 14 techniques) from decoded spans.

    ``term_spans``, when given, are the category groups' spans decoded for the loaded terms on their own
    (:attr:`TermTaggerConfig.term_growth` "gaps"); otherwise the terms come from ``found`` too.

    Where a ``delegitimizing`` span overlaps a ``name_calling`` one, the term is reported once, as
    ``delegitimizing`` (the more specific category), unless, with ``category_margin``, the
    ``name_calling`` span scores more than the margin above it ("ISIL terrorists": name_calling).
    With ``category_margin``, a ``name_calling`` and a ``loaded_language`` term that overlap are both
    kept only when their scores are within the margin; otherwise the weaker one goes (the technique
    spans keep both).

    Example:
        >>> text = "the thugs attacked"
        >>> found = [GroupSpan("Name_Calling,Labeling", 4, 9, 0, 0.9, "negative"),
        ...          GroupSpan("Loaded_Language", 4, 9, 0, 0.6, "negative")]
        >>> [t.category for t in build_terms(found, text).loaded_terms]
        ['loaded_language', 'name_calling']
        >>> [t.category for t in build_terms(found, text, category_margin=0.2).loaded_terms]
        ['name_calling']

    """
    techniques = tuple(
        TechniqueSpan(s.group, s.start, s.end, text[s.start : s.end], s.sentence_index, s.score)
        for s in sorted(found, key=lambda s: (s.start, s.end, s.group))
        if s.group in TECHNIQUES
    )
    categorised = [s for s in (found if term_spans is None else term_spans) if s.group in GROUP_TO_CATEGORY]
    delegitimizing = [s for s in categorised if s.group == "delegitimizing"]
    terms = []
    for s in sorted(categorised, key=lambda s: (s.start, s.end, s.group)):
        if s.group == "Name_Calling,Labeling" and any(
            _spans_overlap(s, d) and not _name_calling_wins(s, d, category_margin) for d in delegitimizing
        ):
            continue
        if s.group == "delegitimizing" and any(
            n.group == "Name_Calling,Labeling" and _spans_overlap(s, n) and _name_calling_wins(n, s, category_margin)
            for n in categorised
        ):
            continue
        terms.append(
            LoadedTerm(
                category=GROUP_TO_CATEGORY[s.group],
                start=s.start,
                end=s.end,
                text=text[s.start : s.end],
                sentence_index=s.sentence_index,
                score=s.score,
                polarity=s.polarity,
            )
        )
    if category_margin is not None:
        terms = [t for t in terms if not _outscored(t, terms, category_margin)]
    return RawTerms(loaded_terms=tuple(terms), techniques=techniques)


_CONFUSED_CATEGORIES = frozenset({"name_calling", "loaded_language"})


def _spans_overlap(a: GroupSpan, b: GroupSpan) -> bool:
    return a.start < b.end and b.start < a.end


def _name_calling_wins(name_calling: GroupSpan, delegitimizing: GroupSpan, margin: float | None) -> bool:
    """Whether an overlapping name_calling span beats a delegitimizing one: only by more than ``margin``.

    Without a margin, delegitimizing (the more specific category) always wins.
    """
    return margin is not None and name_calling.score > delegitimizing.score + margin


def _outscored(term: LoadedTerm, terms: Sequence[LoadedTerm], margin: float) -> bool:
    """Whether an overlapping term of the other confusable category scores more than ``margin`` above ``term``."""
    return term.category in _CONFUSED_CATEGORIES and any(
        other.category in _CONFUSED_CATEGORIES
        and other.category != term.category
        and other.start < term.end
        and term.start < other.end
        and other.score > term.score + margin
        for other in terms
    )


def read_branch(path: str | Path) -> tuple[TermTaggerConfig, dict[str, Any]]:
    """A saved branch folder's config and weights as saved (a LoRA branch's adapters unmerged).

    Raises:
        FileNotFoundError: if the folder lacks its config or weights.

    """
    from safetensors.torch import load_file

    path = Path(path)
    config_path, weights_path = path / CONFIG_NAME, path / WEIGHTS_NAME
    for required in (config_path, weights_path):
        if not required.is_file():
            raise FileNotFoundError(f"{path}: not a saved term tagger ({required.name} is missing)")
    config = TermTaggerConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")), where=str(config_path))
    return config, load_file(str(weights_path))


def _char_bounds(window: TokenWindow) -> tuple[int, int]:
    """The first and last character a window's tokens cover ((0, 0) for a window of special tokens only)."""
    inner = [(a, b) for a, b in window.offsets if a >= 0]
    return (inner[0][0], inner[-1][1]) if inner else (0, 0)


def _trunk_hash(trunk: Any) -> str:
    """The hash of the trunk's saved weights, or "" for a trunk never saved (tests, fresh models)."""
    name = Path(str(getattr(trunk, "name", "")))
    weights = name / WEIGHTS_NAME
    return weights_sha256(weights) if weights.is_file() else ""
