"""attribution: who each claim in a news article is attributed to, and in whose words.

Example:
    >>> from attribution import Analyzer, Article                     # doctest: +SKIP
    >>> report = Analyzer.from_pretrained().analyze(Article(id="a", text="Officials said it rained."))  # doctest: +SKIP

"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from attribution.aggregate import aggregate
from attribution.annotations import GoldAttribution, LabeledArticle, read_annotations, write_annotations
from attribution.evaluation import AttributionEvaluator
from attribution.linking import link_attributions
from attribution.records import (
    Article,
    ArticleReport,
    ArticleSummary,
    Attribution,
    Provenance,
    Sentence,
    SentenceLabel,
    SourceCount,
    Span,
)
from attribution.report.json_report import render_json, report_to_dict
from attribution.report.markdown_report import render_markdown
from attribution.segmenter import RuleSegmenter

if TYPE_CHECKING:
    from attribution.pipeline import Analyzer

__all__ = [
    "Analyzer",
    "Article",
    "ArticleReport",
    "ArticleSummary",
    "Attribution",
    "AttributionEvaluator",
    "GoldAttribution",
    "LabeledArticle",
    "Provenance",
    "RuleSegmenter",
    "Sentence",
    "SentenceLabel",
    "SourceCount",
    "Span",
    "__version__",
    "aggregate",
    "link_attributions",
    "read_annotations",
    "render_json",
    "render_markdown",
    "report_to_dict",
    "write_annotations",
]

logging.getLogger("attribution").addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    # The Analyzer pulls in the tagger; importing it lazily keeps `import attribution` light.
    if name == "Analyzer":
        from attribution.pipeline import Analyzer

        return Analyzer
    raise AttributeError(f"module 'attribution' has no attribute {name!r}")
