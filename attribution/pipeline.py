"""The Analyzer: article in, :class:`~attribution.records.ArticleReport` out.

Stages, one direction: segmenter -> one encoder pass per sentence window, batched across
articles, serving the attribution tagger and the loaded-term branch -> linking -> source
profile (type, anonymity, relay, resolved source, stance) -> distancing markers -> voice and
target of loaded terms (rules, then the target ranker for the terms they leave open; none for a denied label:
"not terrorists") -> sentence bias -> aggregation.

Example:
    >>> from attribution import Analyzer, Article                       # doctest: +SKIP
    >>> analyzer = Analyzer.from_pretrained()                           # doctest: +SKIP
    >>> report = analyzer.analyze(Article(id="a1", text="A military source told FNA that clashes "
    ...                                    "are underway."))             # doctest: +SKIP
    >>> a = report.attributions[0]                                      # doctest: +SKIP
    >>> a.source_text, a.cue_text, a.content_text                       # doctest: +SKIP
    ('A military source', 'told', 'clashes are underway.')

"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Self

from attribution.aggregate import aggregate
from attribution.distancing import find_distancing
from attribution.linking import drop_anonymity_requests, link_attributions, with_antecedents
from attribution.records import Article, ArticleReport, Attribution, Provenance, Sentence, Span
from attribution.relays import merge_cited_sources
from attribution.report.json_report import SCHEMA_VERSION
from attribution.segmenter import RuleSegmenter, SentenceSegmenter

logger = logging.getLogger(__name__)

ANALYZER_CONFIG = "analyzer_config.json"
MODEL_DIR_ENV = "ATTRIBUTION_MODEL_DIR"
_ALLOWED_SETTINGS = {
    "attribution_tagger",
    "term_tagger",
    "source_profile",
    "sentence_bias",
    "segmenter_max_chars",
    "target_ranker",
    "term_tagger_trunk",  # the attribution tagger the term branch was trained on, when another one was swapped in
    "attribution_version",
    "schema_version",
}


MINILM_TAGGER = "attribution-tagger-minilm"  # the fast attribution tagger, trunk of the CPU branch recipe


def default_model_dir() -> Path:
    """The shipped models folder (``$ATTRIBUTION_MODEL_DIR`` overrides it)."""
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "models"


def default_term_trunk_dir(root: Path | None = None) -> Path:
    """The attribution tagger the analyzer folder's loaded-term branch runs on.

    That is ``term_tagger_trunk`` in ``analyzer_config.json`` when the analyzer's own attribution tagger is
    another one (an analyzer saved with a swapped-in tagger), else its ``attribution_tagger`` (the shipped
    analyzer: its branch runs on the all-mpnet-base-v2 tagger it tags attributions with).
    """
    root = root if root is not None else default_model_dir()
    config_path = root / ANALYZER_CONFIG
    settings = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    return root / (settings.get("term_tagger_trunk") or settings.get("attribution_tagger", "attribution-tagger"))


def find_branch_trunk(branch_dir: str | Path, root: Path | None = None) -> Path | None:
    """The attribution tagger in the models folder ``root`` that the term branch in ``branch_dir`` was trained on.

    Matched by the trunk weight hash the branch records (``trunk_weights_sha256``); None when the branch records
    none or no tagger folder in ``root`` matches. The shipped folder holds two: the all-mpnet-base-v2 tagger, the
    trunk of ``models/term-tagger``, and the MiniLM one, the trunk of ``models/term-tagger-minilm``.
    """
    from attribution.tagging.attribution_tagger import CONFIG_NAME, WEIGHTS_NAME
    from attribution.tagging.term_tagger import CONFIG_NAME as TERM_CONFIG_NAME
    from attribution.tagging.term_tagger import weights_sha256

    config_path = Path(branch_dir) / TERM_CONFIG_NAME
    if not config_path.is_file():
        return None
    wanted = json.loads(config_path.read_text(encoding="utf-8")).get("trunk_weights_sha256")
    root = root if root is not None else default_model_dir()
    if not wanted or not root.is_dir():
        return None
    for folder in sorted(root.iterdir()):
        weights = folder / WEIGHTS_NAME
        if (folder / CONFIG_NAME).is_file() and weights.is_file() and weights_sha256(weights) == wanted:
            return folder
    return None


def default_training_trunk(init_branch: str | Path | None = None, root: Path | None = None) -> Path:
    """The attribution tagger ``train --task loaded-terms`` puts the branch on when its config names none.

    With ``init_branch``, the tagger that branch was trained on (:func:`find_branch_trunk`); otherwise the MiniLM
    tagger (``attribution-tagger-minilm``), on which the default branch recipe trains on a 2-core CPU. A models
    folder without it gives the analyzer's own term trunk (:func:`default_term_trunk_dir`).
    """
    root = root if root is not None else default_model_dir()
    if init_branch is not None:
        found = find_branch_trunk(init_branch, root)
        if found is not None:
            return found
    minilm = root / MINILM_TAGGER
    return minilm if minilm.is_dir() else default_term_trunk_dir(root)


class Analyzer:
    """Composes the pipeline stages.

    Args:
        tagger: An :class:`~attribution.tagging.attribution_tagger.AttributionTagger`.
        segmenter: Anything that turns an Article into Sentences.
        term_tagger: A :class:`~attribution.tagging.term_tagger.TermTagger` (loaded terms and
            techniques), or ``None`` to leave those layers out. When its trunk is ``tagger``,
            one encoder pass serves both.
        sentence_bias: A :class:`~attribution.tagging.sentence_bias.SentenceBiasClassifier`, or ``None``.
        target_ranker: A :class:`~attribution.target_ranking.TargetRanker` that chooses the targets of loaded terms
            the rules leave open, or ``None`` (the rules alone).
        source_profiler: A :class:`~attribution.tagging.source_profiler.SourceProfiler`, or ``None``
            (the attributions' profile fields then stay empty).
        lexicon: The war-vocabulary lexicon (polarity fallback); default: the packaged one.
        precision: ``float32``, ``bfloat16`` (the encoders run under bfloat16 autocast) or ``auto``
            (bfloat16 where the hardware has fast bfloat16, see :mod:`attribution.tagging.precision`);
            the one used is ``self.precision`` and goes into each report's provenance.

    """

    def __init__(
        self,
        tagger: Any,
        segmenter: SentenceSegmenter | None = None,
        *,
        term_tagger: Any | None = None,
        sentence_bias: Any | None = None,
        source_profiler: Any | None = None,
        lexicon: Any | None = None,
        precision: str = "float32",
        target_ranker: Any | None = None,
    ) -> None:
        from attribution.tagging.precision import resolve_precision

        self.tagger = tagger
        self.source_profiler = source_profiler
        self.segmenter = segmenter or RuleSegmenter()
        self.term_tagger = term_tagger
        self.sentence_bias = sentence_bias
        self.target_ranker = target_ranker
        if lexicon is None and term_tagger is not None:
            from attribution.lexicon import packaged_lexicon

            lexicon = packaged_lexicon()
        self.lexicon = lexicon
        self.device_type = _device_type(tagger)
        self.precision = resolve_precision(precision, self.device_type)

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path | None = None,
        *,
        attribution_tagger: str | Path | None = None,
        term_tagger: str | Path | None = None,
        sentence_bias: str | Path | None = None,
        source_profile: str | Path | None = None,
        precision: str = "float32",
        target_ranker: str | Path | None = None,
    ) -> Self:
        """Load an analyzer folder (with ``analyzer_config.json``) or a bare attribution-tagger folder.

        Args:
            path: Analyzer or tagger folder; default: the shipped ``models/``.
            attribution_tagger: Swap in another attribution tagger folder (e.g. one you fine-tuned).
                The loaded-term branch keeps the attribution tagger it was trained on as its
                encoder (an extra encoder pass) unless it was trained on the new one.
            term_tagger: Swap in another loaded-term tagger folder.
            sentence_bias: Swap in another sentence-bias classifier folder.
            source_profile: Swap in another source-profile classifier folder.
            precision: ``float32``, ``bfloat16`` or ``auto`` (see the class).
            target_ranker: Swap in another loaded-term target ranker folder.

        Raises:
            FileNotFoundError: if the folder holds neither an analyzer nor a tagger.

        """
        from attribution.tagging.attribution_tagger import CONFIG_NAME, AttributionTagger

        root = Path(path) if path is not None else default_model_dir()
        settings: dict[str, Any] = {}
        config_path = root / ANALYZER_CONFIG
        if config_path.is_file():
            settings = json.loads(config_path.read_text(encoding="utf-8"))
            unknown = sorted(set(settings) - _ALLOWED_SETTINGS)
            if unknown:
                raise ValueError(f"{config_path}: unknown setting(s) {unknown}; known: {sorted(_ALLOWED_SETTINGS)}")
            tagger_dir = root / settings.get("attribution_tagger", "attribution-tagger")
        elif (root / CONFIG_NAME).is_file():
            tagger_dir = root
        else:
            raise FileNotFoundError(
                f"{root}: no {ANALYZER_CONFIG} or {CONFIG_NAME} here; pass the folder of a saved analyzer or tagger"
            )
        shipped_tagger_dir = root / settings["term_tagger_trunk"] if settings.get("term_tagger_trunk") else tagger_dir
        if attribution_tagger is not None:
            logger.info(
                "Overriding attribution_tagger in analyzer configuration from %s to %s", tagger_dir, attribution_tagger
            )
            tagger_dir = Path(attribution_tagger)
        tagger = AttributionTagger.from_pretrained(tagger_dir)
        terms = _component_dir(root, settings, "term_tagger", term_tagger)
        bias = _component_dir(root, settings, "sentence_bias", sentence_bias)
        profile = _component_dir(root, settings, "source_profile", source_profile)
        ranker = _component_dir(root, settings, "target_ranker", target_ranker)
        return cls(
            tagger,
            RuleSegmenter(max_chars=int(settings.get("segmenter_max_chars", 1500))),
            term_tagger=_load_term_tagger(terms, tagger, shipped_tagger_dir, root) if terms else None,
            sentence_bias=_load_sentence_bias(bias) if bias else None,
            source_profiler=_load_source_profiler(profile) if profile else None,
            precision=precision,
            target_ranker=_load_target_ranker(ranker) if ranker else None,
        )

    def save_pretrained(self, path: str | Path) -> None:
        """Write ``analyzer_config.json`` and each component into its own sub-folder.

        When the attribution tagger was swapped for one the term branch was not trained on, the branch's own
        attribution tagger goes to ``term-tagger-trunk/`` (``term_tagger_trunk`` in the config), so the folder
        loads as it was.
        """
        from attribution import __version__

        path = Path(path)
        self.tagger.save_pretrained(path / "attribution-tagger")
        settings: dict[str, Any] = {"attribution_tagger": "attribution-tagger"}
        if self.term_tagger is not None:
            self.term_tagger.save_pretrained(path / "term-tagger")
            settings["term_tagger"] = "term-tagger"
            if self.term_tagger.trunk is not self.tagger:  # a swapped-in tagger: keep the one the branch runs on
                self.term_tagger.trunk.save_pretrained(path / "term-tagger-trunk")
                settings["term_tagger_trunk"] = "term-tagger-trunk"
        if self.sentence_bias is not None:
            self.sentence_bias.save_pretrained(path / "sentence-bias")
            settings["sentence_bias"] = "sentence-bias"
        if self.source_profiler is not None:
            self.source_profiler.save_pretrained(path / "source-profile")
            settings["source_profile"] = "source-profile"
        if self.target_ranker is not None:
            self.target_ranker.save_pretrained(path / "target-ranker")
            settings["target_ranker"] = "target-ranker"
        settings |= {
            "segmenter_max_chars": getattr(self.segmenter, "max_chars", 1500),
            "attribution_version": __version__,
            "schema_version": SCHEMA_VERSION,
        }
        (path / ANALYZER_CONFIG).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    @property
    def provenance(self) -> Provenance:
        """What produced the reports of this analyzer."""
        from attribution import __version__

        return Provenance(
            attribution_version=__version__,
            tagger=str(self.tagger.name),
            base_model=str(self.tagger.config.base_model),
            schema_version=SCHEMA_VERSION,
            term_tagger=str(self.term_tagger.name) if self.term_tagger is not None else None,
            sentence_bias=str(self.sentence_bias.name) if self.sentence_bias is not None else None,
            source_profile=str(self.source_profiler.name) if self.source_profiler is not None else None,
            precision=self.precision,
            target_ranker=str(self.target_ranker.name) if self.target_ranker is not None else None,
        )

    def analyze(self, article: Article) -> ArticleReport:
        """Analyze one article."""
        return next(iter(self.analyze_many([article])))

    def analyze_many(
        self, articles: Iterable[Article], *, batch_size: int = 32, articles_per_batch: int = 16
    ) -> Iterator[ArticleReport]:
        """Analyze articles lazily, batching encoder windows across up to ``articles_per_batch`` articles."""
        chunk: list[Article] = []
        for article in articles:
            chunk.append(article)
            if len(chunk) >= articles_per_batch:
                yield from self._analyze_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._analyze_chunk(chunk, batch_size)

    def precision_context(self) -> AbstractContextManager[None]:
        """A context whose model calls run at :attr:`precision` (bfloat16 autocast or nothing).

        The analyzer enters it around its own model calls; code that calls the components directly
        (evaluation given gold spans) enters it too, so that every number comes from the same arithmetic.
        """
        from attribution.tagging.precision import inference_precision

        return inference_precision(self.precision, self.device_type)

    def _analyze_chunk(self, articles: Sequence[Article], batch_size: int) -> Iterator[ArticleReport]:
        segmented: list[list[Sentence]] = [self.segmenter(article) for article in articles]
        windows = [self.tagger.windows(sentences) for sentences in segmented]
        flat = [window for article_windows in windows for window in article_windows]
        raw_terms: list[Any] | None = None
        with self.precision_context():  # around the model calls only, never around a yield
            if self.term_tagger is not None and self.term_tagger.trunk is self.tagger:
                probabilities, span_probs, polarity_probs = self.term_tagger.predict_windows(
                    flat, batch_size=batch_size
                )
                raw_terms = _split_terms(self.term_tagger, articles, windows, span_probs, polarity_probs)
            else:
                probabilities = self.tagger.predict_windows(flat, batch_size=batch_size)
                if self.term_tagger is not None:  # a branch trained on another attribution tagger: its own pass
                    term_windows = [self.term_tagger.trunk.windows(sentences) for sentences in segmented]
                    term_flat = [w for article_windows in term_windows for w in article_windows]
                    _, span_probs, polarity_probs = self.term_tagger.predict_windows(
                        term_flat, batch_size=batch_size, attribution_labels=False
                    )
                    raw_terms = _split_terms(self.term_tagger, articles, term_windows, span_probs, polarity_probs)
            bias = self._sentence_bias(segmented, batch_size)
        tagged = self.tagger.decode_many(articles, windows, probabilities)
        linked = [_attributions(spans, article.text) for article, spans in zip(articles, tagged, strict=True)]
        if self.source_profiler is not None:  # one classifier run over the sources of the whole chunk
            with self.precision_context():
                linked = self.source_profiler.profile_many(articles, segmented, linked, batch_size=batch_size)
        provenance = self.provenance
        for i, (article, sentences, attributions) in enumerate(zip(articles, segmented, linked, strict=True)):
            distancing = find_distancing(article.text, sentences, attributions)
            terms = techniques = None
            if raw_terms is not None:
                from attribution.context_targets import targets_from_context
                from attribution.denied_labels import without_denied_targets
                from attribution.group_names import group_name_spans, inside_group_name
                from attribution.lexicon import is_neutral_term
                from attribution.voice import resolve_terms

                names = group_name_spans(article.text)  # "Liberation" in "the Tarsian Liberation Movement"
                candidates = [
                    t
                    for t in raw_terms[i].loaded_terms
                    if not is_neutral_term(t.text) and not inside_group_name(names, t.start, t.end)  # guidelines 3
                ]
                terms = resolve_terms(candidates, article.text, sentences, attributions, self.lexicon)
                terms = targets_from_context(article.text, sentences, terms)  # "the terrorists": named earlier
                if self.target_ranker is not None:  # "butchers", "a cowardly massacre": by who speaks, of whom
                    from attribution.actors import build_actors, targets_from_actors
                    from attribution.target_ranking import targets_from_ranker

                    # the terms as a report without the ranker has them (the ranker was fitted on such reports)
                    terms = targets_from_actors(build_actors(attributions, terms, distancing, article.text), terms)
                    terms = targets_from_ranker(article.text, sentences, attributions, terms, self.target_ranker)
                terms = without_denied_targets(article.text, terms)  # "not terrorists": applied to no one
                techniques = tuple(s for s in raw_terms[i].techniques if not inside_group_name(names, s.start, s.end))
            yield aggregate(
                article,
                sentences,
                attributions,
                provenance,
                loaded_terms=terms,
                techniques=techniques,
                sentence_bias=bias[i] if bias is not None else None,
                distancing=distancing,
            )

    def _sentence_bias(self, segmented: Sequence[Sequence[Sentence]], batch_size: int) -> list[list[Any]] | None:
        if self.sentence_bias is None:
            return None
        texts = [s.text for sentences in segmented for s in sentences]
        # reports show the confidence of the label they show: P(biased), or 1 - P(biased) for "not biased"
        flat = [
            (biased, p if biased else 1 - p) for biased, p in self.sentence_bias.predict(texts, batch_size=batch_size)
        ]
        out, begin = [], 0
        for sentences in segmented:
            out.append(flat[begin : begin + len(sentences)])
            begin += len(sentences)
        return out


def _attributions(spans: Sequence[Span], text: str) -> tuple[Attribution, ...]:
    """The tagged spans linked into attributions, read as the guidelines mark them where PolNeAR differs.

    No request to stay unnamed ("who asked not to be named"), a "who" source grown to its noun phrase, and an
    outlet's cited source as the source with the outlet as relay ("SANA, citing a military source, said").
    """
    linked = drop_anonymity_requests(link_attributions(spans, text))
    return merge_cited_sources(with_antecedents(linked, text), text)


def _device_type(tagger: Any) -> str:
    """``cpu`` or ``cuda``: where the attribution tagger's weights are (``cpu`` for a model without parameters)."""
    parameters = getattr(getattr(tagger, "model", None), "parameters", None)
    first = next(iter(parameters()), None) if parameters is not None else None
    return first.device.type if first is not None else "cpu"


def _split_terms(
    term_tagger: Any,
    articles: Sequence[Article],
    windows: Sequence[Sequence[Any]],
    span_probs: Sequence[Any],
    polarity_probs: Sequence[Any],
) -> list[Any]:
    out, begin = [], 0
    for article, article_windows in zip(articles, windows, strict=True):
        end = begin + len(article_windows)
        out.append(term_tagger.decode(article_windows, span_probs[begin:end], polarity_probs[begin:end], article.text))
        begin = end
    return out


def _component_dir(root: Path, settings: dict[str, Any], key: str, override: str | Path | None) -> Path | None:
    if override is not None:
        logger.info("Overriding %s in analyzer configuration with %s", key, override)
        return Path(override)
    return root / settings[key] if settings.get(key) else None


def _load_term_tagger(path: Path, tagger: Any, shipped_tagger_dir: Path, root: Path) -> Any:
    """The branch on ``tagger`` when it was trained on it; otherwise on the attribution tagger it was trained on.

    That is the tagger folder in ``root`` whose weights match the branch's record (a MiniLM branch next to the
    mpnet tagger), else the folder's ``term_tagger_trunk`` or, when ``tagger`` was swapped in, its own tagger.
    """
    from attribution.tagging.attribution_tagger import AttributionTagger
    from attribution.tagging.term_tagger import TermTagger

    try:
        return TermTagger.from_pretrained(path, trunk=tagger)
    except ValueError as error:
        trunk_dir = find_branch_trunk(path, root) or Path(shipped_tagger_dir)
        if trunk_dir.resolve() == Path(tagger.name).resolve():
            raise
        logger.info("%s; running it on %s in a separate encoder pass", error, trunk_dir)
        return TermTagger.from_pretrained(path, trunk=AttributionTagger.from_pretrained(trunk_dir))


def _load_source_profiler(path: Path) -> Any:
    from attribution.tagging.source_profiler import SourceProfiler

    return SourceProfiler.from_pretrained(path)


def _load_target_ranker(path: Path) -> Any:
    from attribution.target_ranking import TargetRanker

    return TargetRanker.from_pretrained(path)


def _load_sentence_bias(path: Path) -> Any:
    from attribution.tagging.sentence_bias import SentenceBiasClassifier

    return SentenceBiasClassifier.from_pretrained(path)
