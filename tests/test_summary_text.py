"""The plain-language summary: each statement, its wording and the sentence indices behind it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_html_report import PROVENANCE, sentences_of
from test_report_profile import war_report

from attribution.aggregate import aggregate
from attribution.records import Article, ArticleReport, LoadedTerm
from attribution.summary_text import summarize


def _by_kind(report: ArticleReport) -> dict[str, tuple[str, tuple[int, ...]]]:
    return {s.kind: (s.text, s.sentence_indices) for s in report.summary.statements}


@pytest.mark.parametrize(
    ("kind", "text", "evidence"),
    [
        ("attribution", "6 of 10 sentences (60%) attribute what they report to a source.", (1, 2, 3, 4, 5, 7)),
        (
            "unattributed_claims",
            "3 sentences state events as fact in the writer's own voice, without naming a source.",
            (0, 6, 8),
        ),
        (
            "source_types",
            "The 6 attributions come from military (2), NGO (2), armed-group (1) and citizen (witness, resident) (1) "
            "sources.",
            (1, 2, 3, 4, 5, 7),
        ),
        (
            "anonymity",
            "4 of 6 attributed claims (67%) come from anonymous sources (“A military source”, “a field commander”, "
            "“Rebel commanders”, …).",
            (1, 2, 5, 7),
        ),
        ("relays", "2 claims reach the reader second-hand, relayed via FNA (1) and SANA (1).", (1, 2)),
        (
            "stance",
            "The reporting verbs cast doubt on 1 claim (“claimed”); put an emotional frame on 1 claim (“accused”).",
            (3, 5),
        ),
        (
            "loaded_terms",
            "8 loaded terms (6.3 per 100 words: name calling 4 and loaded language 4); 3 in the writer's own voice "
            "(“terrorists” ×2, “bravely”).",
            (0, 1, 2, 5, 6, 7),
        ),
        (
            "asymmetry_polarity",
            "Positive terms (“bravely”, “liberated”, “heroic”) are applied only to the Syrian army; negative ones "
            "(“terrorists” ×3, “Takfiri”) only to ISIL.",  # "the terrorists" of S2 and S6 stand for ISIL
            (0, 1, 2, 6, 7),
        ),
        (
            "asymmetry_anonymity",
            "Both claims of the Syrian army come from anonymous sources (“A military source”, “a field commander”); "
            "the claims of the Syrian Observatory for Human Rights (2 of 2) name their source.",
            (1, 2, 3, 4),
        ),
        (
            "asymmetry_distancing",
            "The writer distances itself from a name for the Syrian Observatory for Human Rights (“so-called”) and "
            "from its claims (reported with “claimed”); from no name or claim of the Syrian army or ISIL.",
            (3,),
        ),
    ],
)
def test_war_report_statements(kind: str, text: str, evidence: tuple[int, ...]) -> None:
    assert _by_kind(war_report())[kind] == (text, evidence)


def test_statement_order_and_kinds() -> None:
    kinds = [s.kind for s in war_report().summary.statements]
    assert kinds == [
        "attribution",
        "unattributed_claims",
        "source_types",
        "anonymity",
        "relays",
        "stance",
        "loaded_terms",
        "asymmetry_name_calling",
        "asymmetry_polarity",
        "asymmetry_anonymity",
        "asymmetry_distancing",
    ]


def test_evidence_matches_the_aggregates() -> None:
    report = war_report()
    summary, statements = report.summary, _by_kind(report)
    assert statements["attribution"][1] == summary.attributed_sentences
    assert statements["unattributed_claims"][1] == summary.unattributed_claims
    anonymous = tuple(sorted({report.attributions[i].sentence_index for g in summary.sources_by_anonymity
                              if g.label == "anonymous" for i in g.attribution_indices}))  # fmt: skip
    assert statements["anonymity"][1] == anonymous
    assert statements["loaded_terms"][1] == tuple(sorted({t.sentence_index for t in report.loaded_terms}))
    for statement in summary.statements:
        assert all(0 <= i < summary.n_sentences for i in statement.sentence_indices)
        assert list(statement.sentence_indices) == sorted(set(statement.sentence_indices))


def test_one_statement_per_kind_of_asymmetry() -> None:
    report = war_report()
    kinds = [a.kind for a in report.summary.asymmetries]
    assert kinds.count("anonymity") == 2 and kinds.count("distancing") == 2  # the actor table lists them all
    assert [s.kind for s in report.summary.statements].count("asymmetry_anonymity") == 1


def test_plain_distancing_statement_without_a_distancing_asymmetry() -> None:
    report = war_report()
    summary = replace(
        report.summary, asymmetries=tuple(a for a in report.summary.asymmetries if a.kind != "distancing")
    )
    statements = {s.kind: s for s in summarize(replace(report, summary=summary))}
    assert statements["distancing"].text == (
        "The writer distances itself from “Syrian Observatory for Human Rights” and “moderate opposition” "
        "(“so-called” and scare quotes)."
    )
    assert statements["distancing"].sentence_indices == (3, 8)


def test_without_profile_or_distancing_those_statements_are_left_out() -> None:
    kinds = [s.kind for s in war_report(profile=False, distancing=False).summary.statements]
    assert "source_types" not in kinds and "anonymity" not in kinds and "relays" not in kinds
    assert "stance" not in kinds and "distancing" not in kinds and "asymmetry_distancing" not in kinds
    assert "asymmetry_name_calling" in kinds  # the actor table still has the loaded terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("It rained.", [("attribution", "The only sentence does not attribute what it reports to a source.", ())]),
        (
            "Troops shelled the town overnight. Is it over?",
            [
                ("attribution", "None of the 2 sentences attributes what it reports to a source.", ()),
                (
                    "unattributed_claims",
                    "1 sentence states events as fact in the writer's own voice, without naming a source.",
                    (0,),
                ),
            ],
        ),
    ],
)
def test_small_reports(text: str, expected: list[tuple[str, str, tuple[int, ...]]]) -> None:
    report = aggregate(Article(id="a", text=text), sentences_of(text), [], PROVENANCE)
    assert [(s.kind, s.text, s.sentence_indices) for s in report.summary.statements] == expected


def test_no_loaded_terms_found_is_said() -> None:
    text = "Troops shelled the town overnight."
    report = aggregate(Article(id="a", text=text), sentences_of(text), [], PROVENANCE, loaded_terms=[])
    assert ("loaded_terms", "No loaded terms were found.", ()) in [
        (s.kind, s.text, s.sentence_indices) for s in report.summary.statements
    ]


def test_bias_statement() -> None:
    text = "Troops shelled the town. The thugs fled."
    report = aggregate(
        Article(id="a", text=text), sentences_of(text), [], PROVENANCE, sentence_bias=[(False, 0.9), (True, 0.8)]
    )
    (bias,) = [s for s in report.summary.statements if s.kind == "bias"]
    assert (bias.text, bias.sentence_indices) == (
        "The sentence classifier marks 1 of 2 sentences (50%) as biased.",
        (1,),
    )


@pytest.mark.parametrize(("relayed", "verb"), [(1, "1 claim reaches"), (2, "2 claims reach")])
def test_relay_statement_agrees_in_number(relayed: int, verb: str) -> None:
    report = war_report()
    kept = [a if a.via and sum(1 for b in report.attributions[:i] if b.via) < relayed else replace(a, via=())
            for i, a in enumerate(report.attributions)]  # fmt: skip
    again = aggregate(report.article, report.sentences, kept, PROVENANCE)
    assert _by_kind(again)["relays"][0].startswith(f"{verb} the reader second-hand")


@pytest.mark.parametrize(
    ("denied", "said"),
    [
        ((True, True), "; 2 labels denied, applied to no one (“terrorists” ×2)."),
        ((True, False), "; 1 label denied, applied to no one (“terrorists”)."),
        ((False, False), None),
    ],
)
def test_denied_labels_are_said(denied: tuple[bool, bool], said: str | None) -> None:
    text = '"They are not terrorists, and I will not call them terrorists," the minister said.'
    starts = [i for i in range(len(text)) if text.startswith("terrorists", i)]
    terms = [
        LoadedTerm("name_calling", s, s + 10, "terrorists", 0, 0.9, "negative", "quoted", denied=d)
        for s, d in zip(starts, denied, strict=True)
    ]
    report = aggregate(Article(id="a", text=text), sentences_of(text), [], PROVENANCE, loaded_terms=terms)
    statement = _by_kind(report)["loaded_terms"][0]
    assert statement.endswith(said) if said else "denied" not in statement
