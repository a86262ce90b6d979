"""Markdown rendering of an :class:`~attribution.records.ArticleReport` (for terminals and pull requests).

Scores are rounded to two places so the output is stable. Table cells escape ``|`` and
line breaks. Sections mirror the HTML page: the plain-language summary ("In plain words", each statement
with its evidence sentences), summary, sources, source profile (by type, anonymity, stance and relay),
distancing markers, actors (the actor table and its asymmetries), attributions, loaded terms (counts by
category, voice and target, then one row per term), persuasion techniques, and the sentences with
their attribution and bias labels. A layer the analyzer did not produce is said to be "not analysed".
Evidence is written as ``S3`` (sentence), ``A2`` (attribution), ``T5`` (loaded term), ``D0`` (distancing marker).

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Sentence, Provenance
    >>> report = aggregate(Article(id="a", text="It rained."), [Sentence(0, 0, 10, "It rained.")], [],
    ...                    Provenance("0.1.0", "none", "none", "1"))
    >>> print(render_markdown(report).splitlines()[0])
    # Attribution report: a

"""

from __future__ import annotations

from attribution.records import ArticleReport, Attribution, GroupCount, LabelCount, LoadedTerm, SentenceLabel
from attribution.summary_text import SOURCE_TYPE_WORDS
from attribution.voice import sources_wording_only


def _cell(text: str | None, limit: int = 160) -> str:
    if not text:
        return "—"
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _target_cell(term: LoadedTerm) -> str:
    """A term's target; "denied" for a label the text denies ("They are not terrorists")."""
    return "— (denied)" if term.denied else _cell(term.target)


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f}%)" if whole else "0"


def _unattributed_refs(indices: tuple[int, ...], continues: dict[int, int]) -> str:
    """The unattributed sentences, those inside a quote or paraphrase marked so: "S3, S10 (inside A11)"."""
    refs = [f"S{i} (inside A{continues[i]})" if i in continues else f"S{i}" for i in indices]
    return ", ".join(refs) if refs else "—"


def _sentence_refs(indices: tuple[int, ...]) -> str:
    return ", ".join(f"S{i}" for i in indices) or "—"


def profile_text(a: Attribution) -> str:
    """The source profile of an attribution in a few words ("military · anonymous · via FNA · neutral").

    Example:
        >>> from attribution.records import Span
        >>> a = Attribution(cue=(Span("CUE", 0, 4, "told", 0),), source=(), content=(), kind="indirect",
        ...                 sentence_index=0, score=1.0, source_type="military", anonymous=True, stance="neutral")
        >>> profile_text(a)
        'military · anonymous · neutral'

    """
    parts = [a.source_type or ""]
    parts.append("" if a.anonymous is None else "anonymous" if a.anonymous else "named")
    parts.append(f"via {' ... '.join(p.text for p in a.via)}" if a.via else "")
    parts.append(f"= {a.resolved_source}" if a.resolved_source else "")
    parts.append(a.stance or "")
    return " · ".join(p for p in parts if p)


def _attribution_row(index: int, a: Attribution, profile: bool = False) -> str:
    return (
        f"| A{index} | S{a.sentence_index} | {_cell(a.source_text)} | {_cell(a.cue_text)} | "
        f"{_cell(a.content_text)} | {a.kind} | {a.score:.2f} |" + (f" {_cell(profile_text(a))} |" if profile else "")
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
            f"| T{i} | {_cell(t.text)} | {t.category} | {t.polarity or '—'} | {voice} | {_target_cell(t)} | "
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


def _statements_section(report: ArticleReport) -> list[str]:
    """The plain-language summary, each statement followed by its evidence sentences."""
    if not report.summary.statements:
        return []
    lines = ["## In plain words", ""]
    lines += [
        f"- {st.text}" + (f" ({_sentence_refs(st.sentence_indices)})" if st.sentence_indices else "")
        for st in report.summary.statements
    ]
    return [*lines, ""]


def _group_table(title: str, groups: tuple[GroupCount, ...], words: dict[str, str] | None = None) -> list[str]:
    lines = [f"| {title} | claims | share | anonymous | attributions | sentences |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {_cell((words or {}).get(g.label, g.label))} | {g.count} | {100 * g.share:.0f}% | "
        f"{len(g.anonymous_indices)} | {', '.join(f'A{i}' for i in g.attribution_indices)} | "
        f"{_sentence_refs(g.sentence_indices)} |"
        for g in groups
    ]
    return [*lines, ""]


def _profile_section(report: ArticleReport) -> list[str]:
    summary = report.summary
    lines = ["## Source profile", ""]
    if "source_profile" not in summary.layers:
        return [*lines, "Not analysed (the attributions carry no source profile).", ""]
    share = summary.anonymous_source_share
    if share is not None:
        known = sum(g.count for g in summary.sources_by_anonymity if g.label != "unknown")
        anonymous = sum(g.count for g in summary.sources_by_anonymity if g.label == "anonymous")
        lines += [f"- Anonymous sources: {_share(anonymous, known)}", ""]
    lines += _group_table("source type", summary.sources_by_type, SOURCE_TYPE_WORDS)
    lines += _group_table("anonymity", summary.sources_by_anonymity)
    if summary.stances:
        lines += _group_table("stance", summary.stances)
    if summary.relays:
        shown = {g.label: report.attributions[g.attribution_indices[0]].via for g in summary.relays}
        words = {label: " ... ".join(p.text for p in via) for label, via in shown.items()}
        lines += _group_table("relayed via", summary.relays, words)
    else:
        lines += ["No relays (no claim is passed on through another outlet).", ""]
    return lines


def _distancing_section(report: ArticleReport) -> list[str]:
    lines = ["## Distancing markers", ""]
    if "distancing" not in report.summary.layers:
        return [*lines, "Not analysed (the analyzer has no distancing component).", ""]
    if not report.distancing:
        return [*lines, "No distancing markers found.", ""]
    lines += ["| # | marker | kind | target | sentence |", "|---|---|---|---|---|"]
    lines += [
        f"| D{i} | {_cell(d.text)} | {_cell(d.kind)} | {_cell(d.target_text)} | S{d.sentence_index} |"
        for i, d in enumerate(report.distancing)
    ]
    return [*lines, ""]


def _actors_section(report: ArticleReport) -> list[str]:
    summary = report.summary
    lines = ["## Actors", ""]
    if not summary.actors:
        return [*lines, "No actors found (no sources, term targets or distancing targets).", ""]
    lines += [
        "| actor | role | mentions | as | terms applied (category, voice) | claims | anonymous | distanced | "
        "sentences |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for a in summary.actors:
        terms = "; ".join(
            f"{t.category} ({t.voice}) ×{t.count}: {', '.join(f'T{i}' for i in t.term_indices)}" for t in a.terms
        )
        claims = ", ".join(f"A{i}" for i in a.claims)
        known = len(a.anonymous_claims) + len(a.named_claims)
        anonymous = _share(len(a.anonymous_claims), known) if known else "—"
        distanced = ", ".join([*(f"D{i}" for i in a.distancing), *(f"A{i}" for i in a.distanced_claims)])
        lines.append(
            f"| {_cell(a.name)} | {a.role or '—'} | {a.mentions} | {_cell('; '.join(a.forms), 100)} | "
            f"{_cell(terms)} | {claims or '—'} | {anonymous} | {distanced or '—'} | "
            f"{_sentence_refs(a.sentence_indices)} |"
        )
    lines.append("")
    if summary.asymmetries:
        lines += ["### Asymmetries", ""]
        lines += [f"- {a.statement} ({_sentence_refs(a.sentence_indices)})" for a in summary.asymmetries]
        lines.append("")
    return lines


def _bias(label: SentenceLabel, sources_only: bool = False) -> str:
    """The bias cell; a biased sentence whose loaded wording is all the sources' says so."""
    if label.biased is None:
        return "—"
    confidence = f" ({label.bias_confidence:.2f})" if label.bias_confidence is not None else ""
    qualifier = ", source's wording" if label.biased and sources_only else ""
    return ("**biased**" if label.biased else "not biased") + confidence + qualifier


def _sources_wording_sentences(report: ArticleReport) -> set[int]:
    """Sentences whose loaded wording is all the sources' (:func:`sources_wording_only`)."""
    voices: dict[int, list[str | None]] = {}
    for t in report.loaded_terms:
        voices.setdefault(t.sentence_index, []).append(t.voice)
    distanced = {d.sentence_index for d in report.distancing}
    return {i for i, found in voices.items() if sources_wording_only(found, distancing=i in distanced)}


def render_markdown(report: ArticleReport) -> str:
    """The report as Markdown: summary, sources, attributions, loaded terms, techniques, then the sentences."""
    article, summary = report.article, report.summary
    continues = dict(summary.continued_sentences)  # sentence -> the attribution whose content holds it
    lines = [f"# Attribution report: {_cell(article.title or article.id)}", ""]
    if article.title and article.title != article.id:
        lines += [f"Article id: `{article.id}`", ""]
    lines += _statements_section(report)
    lines += [
        "## Summary",
        "",
        f"- Sentences: {summary.n_sentences} ({summary.n_words} words)",
        f"- Attributed sentences: {_share(len(summary.attributed_sentences), summary.n_sentences)}",
        f"- Attributions: {summary.n_attributions}; direct quotes: {len(summary.direct_quotes)}; "
        f"without a source: {len(summary.attributions_without_source)}",
        "- Unattributed sentences (no attribution cue in them): "
        f"{_unattributed_refs(summary.unattributed_sentences, continues)}",
        f"- Unattributed factual claims (events asserted without a source): "
        f"{_sentence_refs(summary.unattributed_claims)}",
    ]
    if summary.anonymous_source_share is not None:
        lines.append(f"- Anonymous-source share: {100 * summary.anonymous_source_share:.0f}%")
    if summary.relays:
        lines.append(f"- Relayed claims: {sum(g.count for g in summary.relays)}")
    if "distancing" in summary.layers:
        lines.append(f"- Distancing markers: {len(report.distancing)}")
    if summary.loaded_terms_per_100_words is not None:
        lines.append(
            f"- Loaded terms: {len(report.loaded_terms)} ({summary.loaded_terms_per_100_words:.2f} per 100 words)"
        )
    if "techniques" in summary.layers:
        lines.append(f"- Persuasion techniques: {len(report.techniques)}")
    by_source = _sources_wording_sentences(report)
    if summary.biased_sentences is not None:
        lines.append(
            f"- Biased sentences: {_share(len(summary.biased_sentences), summary.n_sentences)}: "
            f"{_sentence_refs(summary.biased_sentences)}"
        )
        flagged_by_source = tuple(i for i in summary.biased_sentences if i in by_source)
        if flagged_by_source:
            lines.append(
                f"  - with only sources' loaded wording (quoted or indirect; the flag may reflect it): "
                f"{_sentence_refs(flagged_by_source)}"
            )
    lines += ["", "## Sources", ""]
    if summary.sources:
        lines += ["| source | claims | sentences |", "|---|---|---|"]
        lines += [f"| {_cell(c.source)} | {c.count} | {_sentence_refs(c.sentence_indices)} |" for c in summary.sources]
    else:
        lines.append("No sourced attributions found.")
    lines += ["", *_profile_section(report), *_distancing_section(report), *_actors_section(report)]
    lines += ["## Attributions", ""]
    if report.attributions:
        profile = "source_profile" in summary.layers
        lines += [
            "| # | sentence | source | cue | content | kind | score |" + (" profile |" if profile else ""),
            "|---|---|---|---|---|---|---|" + ("---|" if profile else ""),
        ]
        lines += [_attribution_row(i, a, profile) for i, a in enumerate(report.attributions)]
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
        if sentence.index in continues:
            mark = f"no (inside A{continues[sentence.index]})"
        cells = [f"S{sentence.index}", mark, f"{label.confidence:.2f}"]
        cells += [_bias(label, sentence.index in by_source)] if with_bias else []
        cells += [", ".join(terms_in.get(sentence.index, [])) or "—"] if with_terms else []
        lines.append(f"| {' | '.join(cells)} | {_cell(sentence.text, 300)} |")
    p = report.provenance
    lines += [
        "",
        f"_attribution {p.attribution_version}, tagger `{p.tagger}`, base `{p.base_model}`, schema {p.schema_version}"
        + (f", encoders in {p.precision}_" if p.precision != "float32" else "_"),
        "",
    ]
    return "\n".join(lines)
