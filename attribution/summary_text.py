"""A short plain-language summary of a report, built from its numbers by templates (no language model).

Every statement carries the sentence indices behind it; the renderers turn them into links. A statement
is made only when the report has the data for it: the source-profile statements need the profile fields,
the loaded-term statements the loaded-term layer, and an asymmetry is stated only when
:func:`attribution.actors.find_asymmetries` found one.

Statements, in order (``kind``: what it says):

- ``attribution``: how many sentences attribute what they report;
- ``unattributed_claims``: sentences that state events as fact in the writer's own voice;
- ``source_types``: where the claims come from (the leading source types);
- ``anonymity``: the share of claims from anonymous sources;
- ``relays``: claims that reach the reader through a relay ("told FNA");
- ``stance``: claims reported with a distancing, endorsing, conceding or charged verb;
- ``distancing``: whom the writer distances itself from ("so-called", scare quotes), when no distancing
  asymmetry says it;
- ``loaded_terms``: loaded terms by category, those in the writer's own voice, and labels the text denies;
- ``asymmetry_<kind>``: the first asymmetry of each kind in the actor table;
- ``bias``: sentences the sentence classifier marks as biased.

Example:
    >>> from attribution.aggregate import aggregate
    >>> from attribution.records import Article, Provenance, Sentence
    >>> text = "Troops shelled the town. Residents fled."
    >>> report = aggregate(Article(id="a", text=text), [Sentence(0, 0, 24, text[:24]), Sentence(1, 25, 40, text[25:])],
    ...                    [], Provenance("0.1.0", "none", "none", "1"))
    >>> for statement in summarize(report):
    ...     print(statement.kind, statement.sentence_indices, statement.text)
    attribution () None of the 2 sentences attributes what it reports to a source.
    unattributed_claims (0,) 1 sentence states events as fact in the writer's own voice, without naming a source.

"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from attribution.records import ArticleReport, GroupCount, SummaryStatement

__all__ = ["SOURCE_TYPE_WORDS", "summarize"]

#: How a source type reads in a sentence ("... come from military sources").
SOURCE_TYPE_WORDS = {
    "government": "government",
    "military": "military",
    "political": "political",
    "armed_group": "armed-group",
    "ngo": "NGO",
    "international": "international-organisation",
    "media": "media",
    "expert": "expert",
    "business": "business",
    "citizen": "citizen (witness, resident)",
    "document": "document",
    "unspecified": "unidentified",
    "unknown": "unclassified",
}
_STANCE_TEMPLATES = {
    "distancing": "cast doubt on {n} ({cues})",
    "endorsing": "present {n} as established fact ({cues})",
    "conceding": "present {n} as an admission ({cues})",
    "charged": "put an emotional frame on {n} ({cues})",
}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _quoted(texts: Iterable[str], limit: int = 3) -> str:
    counts = Counter(" ".join(t.split()) for t in texts if t)
    shown = [f"“{t}”" + (f" ×{n}" if n > 1 else "") for t, n in counts.most_common()]
    return ", ".join(shown[:limit]) + (", …" if len(shown) > limit else "")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentences(*groups: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({i for group in groups for i in group}))


def _source_types(report: ArticleReport) -> SummaryStatement | None:
    groups = [g for g in report.summary.sources_by_type if g.label != "unknown"]
    total = report.summary.n_attributions
    if not groups or not total:
        return None
    top = groups[0]
    if top.count / total > 0.5:
        text = (
            f"Most claims come from {SOURCE_TYPE_WORDS.get(top.label, top.label)} sources "
            f"({top.count} of {total} attributions)."
        )
        return SummaryStatement("source_types", text, top.sentence_indices)
    shown = groups if len(groups) <= 4 else groups[:3]
    parts = [f"{SOURCE_TYPE_WORDS.get(g.label, g.label)} ({g.count})" for g in shown]
    if len(shown) < len(groups):
        parts.append(f"other ({sum(g.count for g in groups[3:])})")
    text = f"The {_plural(total, 'attribution')} come from {_and(parts)} sources."
    return SummaryStatement("source_types", text, _sentences(*(g.sentence_indices for g in shown)))


def _anonymity(report: ArticleReport) -> SummaryStatement | None:
    attributions = report.attributions
    known = [i for i, a in enumerate(attributions) if a.anonymous is not None]
    if not known:
        return None
    hidden = [i for i in known if attributions[i].anonymous]
    if not hidden:
        evidence = _sentences(attributions[i].sentence_index for i in known)
        return SummaryStatement(
            "anonymity", f"All {_plural(len(known), 'attributed claim')} name their source.", evidence
        )
    sources = _quoted(attributions[i].source_text or "(no source given)" for i in hidden)
    text = (
        f"{len(hidden)} of {_plural(len(known), 'attributed claim')} ({_percent(len(hidden), len(known))}) "
        f"come from anonymous sources ({sources})."
    )
    return SummaryStatement("anonymity", text, _sentences(attributions[i].sentence_index for i in hidden))


def _relays(relays: Sequence[GroupCount], report: ArticleReport) -> SummaryStatement | None:
    if not relays:
        return None
    n = sum(g.count for g in relays)
    shown = []
    for g in relays:
        via = report.attributions[g.attribution_indices[0]].via
        shown.append(f"{' ... '.join(p.text for p in via)} ({g.count})")
    text = (
        f"{_plural(n, 'claim')} {'reaches' if n == 1 else 'reach'} the reader second-hand, relayed via {_and(shown)}."
    )
    return SummaryStatement("relays", text, _sentences(*(g.sentence_indices for g in relays)))


def _stances(report: ArticleReport) -> SummaryStatement | None:
    """One statement for the reporting verbs that do more than report (distancing, endorsing, ...)."""
    parts, evidence = [], []
    for group in report.summary.stances:
        template = _STANCE_TEMPLATES.get(group.label)
        if template is None:
            continue
        cues = _quoted(report.attributions[i].cue_text for i in group.attribution_indices)
        parts.append(template.format(n=_plural(group.count, "claim"), cues=cues))
        evidence.append(group.sentence_indices)
    if not parts:
        return None
    return SummaryStatement("stance", "The reporting verbs " + "; ".join(parts) + ".", _sentences(*evidence))


def _distancing(report: ArticleReport) -> SummaryStatement | None:
    markers = report.distancing
    if not markers:
        return None
    targets = _and(list(dict.fromkeys(f"“{' '.join(m.target_text.split())}”" for m in markers)))
    kinds = Counter("scare quotes" if m.kind == "scare_quotes" else f"“{m.kind}”" for m in markers)
    how = _and([k if n == 1 else f"{k} ×{n}" for k, n in kinds.most_common()])
    text = f"The writer distances itself from {targets} ({how})."
    return SummaryStatement("distancing", text, _sentences(m.sentence_index for m in markers))


def _terms(report: ArticleReport) -> list[SummaryStatement]:
    summary, terms = report.summary, report.loaded_terms
    if "loaded_terms" not in summary.layers:
        return []
    if not terms:
        return [SummaryStatement("loaded_terms", "No loaded terms were found.", ())]
    categories = _and([f"{c.label.replace('_', ' ')} {c.count}" for c in summary.loaded_terms_by_category])
    text = (
        f"{_plural(len(terms), 'loaded term')} ({summary.loaded_terms_per_100_words:.1f} per 100 words: {categories})"
    )
    narrator = [t for t in terms if t.voice == "narrator"]
    if narrator:
        text += f"; {len(narrator)} in the writer's own voice ({_quoted(t.text for t in narrator)})"
    denied = [t for t in terms if t.denied]
    if denied:  # "They are not terrorists": the word is used to reject the label
        labels = "1 label" if len(denied) == 1 else f"{len(denied)} labels"
        text += f"; {labels} denied, applied to no one ({_quoted(t.text for t in denied)})"
    return [SummaryStatement("loaded_terms", text + ".", _sentences(t.sentence_index for t in terms))]


def summarize(report: ArticleReport) -> tuple[SummaryStatement, ...]:
    """The plain-language summary of a report, one statement per finding, each with its evidence sentences.

    Args:
        report: A report from :func:`attribution.aggregate.aggregate` (its summary may lack ``statements``).

    Returns:
        The statements in a fixed order (see the module docstring); kinds without data are left out.

    """
    summary = report.summary
    n = summary.n_sentences
    out: list[SummaryStatement] = []
    if n:
        attributed = len(summary.attributed_sentences)
        if attributed == 1:
            text = f"1 of {_plural(n, 'sentence')} ({_percent(1, n)}) attributes what it reports to a source."
        elif attributed:
            text = f"{attributed} of {n} sentences ({_percent(attributed, n)}) attribute what they report to a source."
        elif n == 1:
            text = "The only sentence does not attribute what it reports to a source."
        else:
            text = f"None of the {n} sentences attributes what it reports to a source."
        out.append(SummaryStatement("attribution", text, summary.attributed_sentences))
        claims = summary.unattributed_claims
        if claims:
            verb = "states" if len(claims) == 1 else "state"
            out.append(
                SummaryStatement(
                    "unattributed_claims",
                    f"{_plural(len(claims), 'sentence')} {verb} events as fact in the writer's own voice, "
                    "without naming a source.",
                    claims,
                )
            )
    for statement in (_source_types(report), _anonymity(report), _relays(summary.relays, report)):
        if statement is not None:
            out.append(statement)
    stance = _stances(report)
    out += [stance] if stance is not None else []
    # One statement per kind of asymmetry (the actor table lists them all); the distancing asymmetry says
    # more than the plain distancing statement, which is made only without it.
    asymmetries = []
    for asymmetry in summary.asymmetries:
        if all(asymmetry.kind != other.kind for other in asymmetries):
            asymmetries.append(asymmetry)
    distancing = _distancing(report)
    if distancing is not None and not any(a.kind == "distancing" for a in asymmetries):
        out.append(distancing)
    out += _terms(report)
    out += [SummaryStatement(f"asymmetry_{a.kind}", a.statement, a.sentence_indices) for a in asymmetries]
    if summary.biased_sentences is not None and n:
        k = len(summary.biased_sentences)
        out.append(
            SummaryStatement(
                "bias",
                f"The sentence classifier marks {k} of {_plural(n, 'sentence')} ({_percent(k, n)}) as biased.",
                summary.biased_sentences,
            )
        )
    return tuple(out)
