"""Markdown rendering of an :class:`~attribution.records.ArticleReport` (for terminals and pull requests).

Scores are rounded to two places so the output is stable. Table cells escape ``|`` and
line breaks. Sections mirror the HTML page: summary, sources, attributions, loaded terms (counts by
category, voice and target, then one row per term), persuasion techniques, and the sentences with
their attribution and bias labels. A layer the analyzer did not produce is said to be "not analysed".

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Sentence, Provenance
    >>> report = aggregate(Article(id="a", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> print(render_markdown(report).splitlines()[0])
    # Attribution report: a

"""

from __future__ import annotations

from attribution.records import ArticleReport, Attribution, LabelCount, SentenceLabel


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


def _counts_table(title: str, counts: tuple[LabelCount, ...], prefix: str) -> list[str]:
    lines = [f"| {title} | count | {'terms' if prefix == 'T' else 'spans'} | sentences |", "|---|---|---|---|"]
    lines += [
        f"| {_cell(c.label)} | {c.count} | {', '.join(f'{prefix}{i}' for i in c.indices)} | "
        f"{_sentence_refs(c.sentence_indices)} |"
        for c in counts
    ]
    return [*lines, ""]


def _loaded_terms_section(report: ArticleReport) -> list[str]:
    summary = report.summary
    lines = ["## Loaded terms", ""]
    if "loaded_terms" not in summary.layers:
        return [*lines, "Not analysed (the analyzer has no loaded-term tagger).", ""]
    if not report.loaded_terms:
        return [*lines, "No loaded terms found.", ""]
    by_category = ", ".join(f"{c.label} {c.count}" for c in summary.loaded_terms_by_category)
    by_voice = ", ".join(f"{c.label} {c.count}" for c in summary.loaded_terms_by_voice)
    lines += [
        f"- {len(report.loaded_terms)} loaded terms ({summary.loaded_terms_per_100_words:.2f} per 100 words)",
        f"- By category: {by_category}",
        f"- By voice: {by_voice}",
        "",
    ]
    lines += _counts_table("category", summary.loaded_terms_by_category, "T")
    lines += _counts_table("voice", summary.loaded_terms_by_voice, "T")
    if summary.loaded_terms_by_target:
        lines += _counts_table("target", summary.loaded_terms_by_target, "T")
    lines += [
        "| # | term | category | polarity | voice | target | sentence | confidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, t in enumerate(report.loaded_terms):
        voice = t.voice if t.attribution_index is None else f"{t.voice} (A{t.attribution_index})"
        lines.append(
            f"| T{i} | {_cell(t.text)} | {t.category} | {t.polarity or '—'} | {voice} | {_cell(t.target)} | "
            f"S{t.sentence_index} | {t.score:.2f} |"
        )
    return [*lines, ""]


def _techniques_section(report: ArticleReport) -> list[str]:
    lines = ["## Persuasion techniques", ""]
    if "techniques" not in report.summary.layers:
        return [*lines, "Not analysed (the analyzer has no technique tagger).", ""]
    if not report.techniques:
        return [*lines, "No persuasion techniques found.", ""]
    lines += _counts_table("technique", report.summary.technique_counts, "P")
    lines += ["| # | technique | text | sentence | confidence |", "|---|---|---|---|---|"]
    lines += [
        f"| P{i} | {_cell(t.technique)} | {_cell(t.text)} | S{t.sentence_index} | {t.score:.2f} |"
        for i, t in enumerate(report.techniques)
    ]
    return [*lines, ""]


def _bias(label: SentenceLabel) -> str:
    if label.biased is None:
        return "—"
    confidence = f" ({label.bias_confidence:.2f})" if label.bias_confidence is not None else ""
    return ("**biased**" if label.biased else "not biased") + confidence


def render_markdown(report: ArticleReport) -> str:
    """The report as Markdown: summary, sources, attributions, loaded terms, techniques, then the sentences."""
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
    ]
    if summary.loaded_terms_per_100_words is not None:
        lines.append(
            f"- Loaded terms: {len(report.loaded_terms)} ({summary.loaded_terms_per_100_words:.2f} per 100 words)"
        )
    if "techniques" in summary.layers:
        lines.append(f"- Persuasion techniques: {len(report.techniques)}")
    if summary.biased_sentences is not None:
        lines.append(
            f"- Biased sentences: {_share(len(summary.biased_sentences), summary.n_sentences)}: "
            f"{_sentence_refs(summary.biased_sentences)}"
        )
    lines += ["", "## Sources", ""]
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
    lines += ["", *_loaded_terms_section(report), *_techniques_section(report)]
    terms_in: dict[int, list[str]] = {}
    for i, t in enumerate(report.loaded_terms):
        terms_in.setdefault(t.sentence_index, []).append(f"T{i}")
    with_bias = "sentence_labels" in summary.layers
    with_terms = "loaded_terms" in summary.layers
    head = ["#", "attributed", "confidence", *(["bias"] if with_bias else []), *(["terms"] if with_terms else [])]
    lines += ["## Sentences", "", f"| {' | '.join(head)} | text |", "|---" * (len(head) + 1) + "|"]
    for sentence, label in zip(report.sentences, report.sentence_labels, strict=True):
        mark = "yes (" + ", ".join(f"A{i}" for i in label.attribution_indices) + ")" if label.attributed else "no"
        cells = [f"S{sentence.index}", mark, f"{label.confidence:.2f}"]
        cells += [_bias(label)] if with_bias else []
        cells += [", ".join(terms_in.get(sentence.index, [])) or "—"] if with_terms else []
        lines.append(f"| {' | '.join(cells)} | {_cell(sentence.text, 300)} |")
    p = report.provenance
    lines += [
        "",
        f"_attribution {p.attribution_version}, tagger `{p.tagger}`, base `{p.base_model}`, schema {p.schema_version}_",
        "",
    ]
    return "\n".join(lines)
