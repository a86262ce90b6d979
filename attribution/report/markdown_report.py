"""Markdown rendering of an :class:`~attribution.records.ArticleReport` (for terminals and pull requests).

Scores are rounded to two places so the output is stable. Table cells escape ``|`` and
line breaks.

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Sentence, Provenance
    >>> report = aggregate(Article(id="a", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> print(render_markdown(report).splitlines()[0])
    # Attribution report: a

"""

from __future__ import annotations

from attribution.records import ArticleReport, Attribution


def _cell(text: str | None, limit: int = 160) -> str:
    if not text:
        return "—"
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f}%)" if whole else "0"


def _sentence_refs(indices: tuple[int, ...]) -> str:
    return ", ".join(f"S{i}" for i in indices) or "—"


def _attribution_row(index: int, a: Attribution) -> str:
    return (
        f"| A{index} | S{a.sentence_index} | {_cell(a.source_text)} | {_cell(a.cue_text)} | "
        f"{_cell(a.content_text)} | {a.kind} | {a.score:.2f} |"
    )


def render_markdown(report: ArticleReport) -> str:
    """The report as Markdown: summary, sources, attributions, then the sentences."""
    article, summary = report.article, report.summary
    lines = [f"# Attribution report: {_cell(article.title or article.id)}", ""]
    if article.title and article.title != article.id:
        lines += [f"Article id: `{article.id}`", ""]
    lines += [
        "## Summary",
        "",
        f"- Sentences: {summary.n_sentences} ({summary.n_words} words)",
        f"- Attributed sentences: {_share(len(summary.attributed_sentences), summary.n_sentences)}",
        f"- Attributions: {summary.n_attributions}; direct quotes: {len(summary.direct_quotes)}; "
        f"without a source: {len(summary.attributions_without_source)}",
        f"- Unattributed sentences (stated in the writer's own voice): "
        f"{_sentence_refs(summary.unattributed_sentences)}",
        "",
        "## Sources",
        "",
    ]
    if summary.sources:
        lines += ["| source | claims | sentences |", "|---|---|---|"]
        lines += [f"| {_cell(c.source)} | {c.count} | {_sentence_refs(c.sentence_indices)} |" for c in summary.sources]
    else:
        lines.append("No sourced attributions found.")
    lines += ["", "## Attributions", ""]
    if report.attributions:
        lines += ["| # | sentence | source | cue | content | kind | score |", "|---|---|---|---|---|---|---|"]
        lines += [_attribution_row(i, a) for i, a in enumerate(report.attributions)]
    else:
        lines.append("No attributions found.")
    lines += ["", "## Sentences", "", "| # | attributed | confidence | text |", "|---|---|---|---|"]
    for sentence, label in zip(report.sentences, report.sentence_labels, strict=True):
        mark = "yes (" + ", ".join(f"A{i}" for i in label.attribution_indices) + ")" if label.attributed else "no"
        lines.append(f"| S{sentence.index} | {mark} | {label.confidence:.2f} | {_cell(sentence.text, 300)} |")
    p = report.provenance
    lines += [
        "",
        f"_attribution {p.attribution_version}, tagger `{p.tagger}`, base `{p.base_model}`, schema {p.schema_version}_",
        "",
    ]
    return "\n".join(lines)
