"""The Analyzer: article in, :class:`~attribution.records.ArticleReport` out.

Stages, one direction: segmenter -> attribution tagger (one encoder pass per sentence window,
batched across articles) -> linking -> aggregation.

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
from pathlib import Path
from typing import Any, Self

from attribution.aggregate import aggregate
from attribution.linking import link_attributions
from attribution.records import Article, ArticleReport, Provenance, Sentence
from attribution.report.json_report import SCHEMA_VERSION
from attribution.segmenter import RuleSegmenter, SentenceSegmenter

logger = logging.getLogger(__name__)

ANALYZER_CONFIG = "analyzer_config.json"
MODEL_DIR_ENV = "ATTRIBUTION_MODEL_DIR"
_ALLOWED_SETTINGS = {"attribution_tagger", "segmenter_max_chars", "attribution_version", "schema_version"}


def default_model_dir() -> Path:
    """The shipped models folder (``$ATTRIBUTION_MODEL_DIR`` overrides it)."""
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "models"


class Analyzer:
    """Composes the pipeline stages.

    Args:
        tagger: An :class:`~attribution.tagging.attribution_tagger.AttributionTagger`.
        segmenter: Anything that turns an Article into Sentences.

    """

    def __init__(self, tagger: Any, segmenter: SentenceSegmenter | None = None) -> None:
        self.tagger = tagger
        self.segmenter = segmenter or RuleSegmenter()

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, attribution_tagger: str | Path | None = None) -> Self:
        """Load an analyzer folder (with ``analyzer_config.json``) or a bare tagger folder.

        Args:
            path: Analyzer or tagger folder; default: the shipped ``models/``.
            attribution_tagger: Swap in another tagger folder (e.g. one you fine-tuned).

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
        if attribution_tagger is not None:
            logger.info(
                "Overriding attribution_tagger in analyzer configuration from %s to %s", tagger_dir, attribution_tagger
            )
            tagger_dir = Path(attribution_tagger)
        tagger = AttributionTagger.from_pretrained(tagger_dir)
        return cls(tagger, RuleSegmenter(max_chars=int(settings.get("segmenter_max_chars", 1500))))

    def save_pretrained(self, path: str | Path) -> None:
        """Write ``analyzer_config.json`` and the tagger into ``path/attribution-tagger``."""
        from attribution import __version__

        path = Path(path)
        self.tagger.save_pretrained(path / "attribution-tagger")
        settings = {
            "attribution_tagger": "attribution-tagger",
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

    def _analyze_chunk(self, articles: Sequence[Article], batch_size: int) -> Iterator[ArticleReport]:
        segmented: list[list[Sentence]] = [self.segmenter(article) for article in articles]
        tagged = self.tagger.tag_many(articles, segmented, batch_size=batch_size)
        provenance = self.provenance
        for article, sentences, spans in zip(articles, segmented, tagged, strict=True):
            attributions = link_attributions(spans, article.text)
            yield aggregate(article, sentences, attributions, provenance)
