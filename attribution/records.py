"""Typed, immutable records that flow one way through the pipeline.

``Article -> Sentence -> Span -> Attribution -> ArticleReport``

All offsets are character offsets into ``Article.text`` (the input exactly as given),
half-open ``[start, end)``. A span's ``text`` always equals ``article.text[start:end]``.

Example:
    >>> article = Article(id="a1", text="Officials said the road was closed.")
    >>> cue = Span("CUE", 10, 14, "said", sentence_index=0)
    >>> article.text[cue.start:cue.end] == cue.text
    True

"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SpanLabel = Literal["SOURCE", "CUE", "CONTENT"]
AttributionKind = Literal["direct", "indirect", "mixed"]
SPAN_LABELS: tuple[SpanLabel, ...] = ("SOURCE", "CUE", "CONTENT")


@dataclass(frozen=True, slots=True)
class Article:
    """One input article.

    Attributes:
        id: Stable identifier (file stem or the ``id`` of a JSONL line).
        text: The article text exactly as given; every offset indexes this string.
        title: Optional title.
        meta: Free-form metadata (outlet, date, url, ...), kept and passed through.
        excluded: Character ranges ``(start, end)`` of boilerplate (navigation, photo credits,
            share buttons) that are kept in ``text`` but left out of the analysis.
        origin: Where the article came from (a path, or ``path:line`` for JSONL).

    """

    id: str
    text: str
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    excluded: tuple[tuple[int, int], ...] = ()
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article, with article-level offsets."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """One contiguous piece of a SOURCE, CUE or CONTENT span.

    ``score`` is the model's mean probability for the tokens of the piece.
    """

    label: SpanLabel
    start: int
    end: int
    text: str
    sentence_index: int
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Attribution:
    """A claim the text ascribes to someone other than the writer.

    ``source``, ``cue`` and ``content`` are tuples of contiguous pieces (discontinuous spans
    have several, e.g. a quote split around ``he said``). ``source`` is empty for an
    attribution without a source ("It was reported that ..."). The profile fields
    (``source_type`` ... ``stance``) are ``None`` until a source-profile component fills them.
    """

    cue: tuple[Span, ...]
    source: tuple[Span, ...]
    content: tuple[Span, ...]
    kind: AttributionKind
    sentence_index: int
    score: float
    source_type: str | None = None
    anonymous: bool | None = None
    via: tuple[Span, ...] = ()
    resolved_source: str | None = None
    stance: str | None = None

    @property
    def source_text(self) -> str | None:
        """The source pieces joined with ``" ... "``, or ``None`` without a source."""
        return _joined(self.source) or None

    @property
    def cue_text(self) -> str:
        """The cue pieces joined with ``" ... "``."""
        return _joined(self.cue)

    @property
    def content_text(self) -> str:
        """The content pieces joined with ``" ... "``."""
        return _joined(self.content)


@dataclass(frozen=True, slots=True)
class LoadedTerm:
    """A word or phrase whose choice carries a judgement (annotation guidelines section 3).

    ``category`` is one of ``name_calling``, ``loaded_language``, ``delegitimizing``,
    ``exaggeration``; ``voice`` says whose words they are (``narrator``, ``indirect``,
    ``quoted``) and ``attribution_index`` points at the attribution whose content holds the
    term (``None`` in the narrator's voice). ``target`` is the actor the term describes when
    the text makes it clear, with its offsets in ``target_span``; a bare label ("the terrorists")
    whose actor the article names elsewhere has that actor's name as target and its own offsets as
    ``target_span`` (:mod:`attribution.context_targets`, :func:`attribution.actors.targets_from_actors`).
    ``denied`` marks a label the text denies ("They are not terrorists"): it is still the speaker's word, but
    applied to no one, so it has no target (:mod:`attribution.denied_labels`).
    """

    category: str
    start: int
    end: int
    text: str
    sentence_index: int
    score: float
    polarity: str | None = None
    voice: str = "narrator"
    target: str | None = None
    target_span: tuple[int, int] | None = None
    attribution_index: int | None = None
    denied: bool = False


@dataclass(frozen=True, slots=True)
class DistancingMarker:
    """A word or mark by which the writer distances itself from a name or claim (guidelines section 2).

    ``kind`` is the marker's normalised form (``so-called``, ``self-proclaimed``, ``alleged``,
    ``what it calls``, ``scare_quotes``, ...); ``target_*`` is the name or claim it distances
    from (for scare quotes, the quoted term itself).
    """

    kind: str
    start: int
    end: int
    text: str
    sentence_index: int
    target_start: int
    target_end: int
    target_text: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class TechniqueSpan:
    """A span carrying one of the 14 SemEval-2020 persuasion techniques (the ``techniques`` layer)."""

    technique: str
    start: int
    end: int
    text: str
    sentence_index: int
    score: float


@dataclass(frozen=True, slots=True)
class SentenceLabel:
    """Per-sentence result: attributed when at least one attribution's cue lies in it.

    ``biased`` and ``bias_confidence`` come from the sentence-bias classifier (``None`` when
    the analyzer has none); ``bias_confidence`` is the probability of the label given, so
    "not biased" at P(biased) = 0.1 has confidence 0.9.
    """

    sentence_index: int
    attributed: bool
    confidence: float
    attribution_indices: tuple[int, ...]
    biased: bool | None = None
    bias_confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Provenance:
    """What produced a report: package version, models, schema, and the encoders' numeric precision.

    ``precision`` is ``float32`` or ``bfloat16`` (the encoders ran under bfloat16 autocast; see
    :mod:`attribution.tagging.precision`).
    """

    attribution_version: str
    tagger: str
    base_model: str
    schema_version: str
    term_tagger: str | None = None
    sentence_bias: str | None = None
    source_profile: str | None = None
    precision: str = "float32"
    target_ranker: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """Article-level aggregates; every count links back to sentence indices.

    ``layers`` names the component outputs the report carries (``attributions`` always;
    ``loaded_terms``, ``techniques`` and ``sentence_labels`` when the analyzer produced them).
    Without them the loaded-term counts are empty and ``loaded_terms_per_100_words`` and
    ``biased_sentences`` are ``None`` ("not analysed", as opposed to "none found").
    """

    n_sentences: int
    n_words: int
    n_attributions: int
    attributed_sentences: tuple[int, ...]
    unattributed_sentences: tuple[int, ...]
    attributions_without_source: tuple[int, ...]
    direct_quotes: tuple[int, ...]
    sources: tuple[SourceCount, ...]
    layers: tuple[str, ...] = ("attributions",)
    loaded_terms_by_category: tuple[LabelCount, ...] = ()
    loaded_terms_by_voice: tuple[LabelCount, ...] = ()
    loaded_terms_by_target: tuple[LabelCount, ...] = ()
    loaded_terms_per_100_words: float | None = None
    technique_counts: tuple[LabelCount, ...] = ()
    biased_sentences: tuple[int, ...] | None = None
    unattributed_claims: tuple[int, ...] = ()
    #: (sentence, attribution): a sentence with no cue of its own that lies inside an attribution's content, such
    #: as the second sentence of a quote ("...," said X. "Nobody is left."); not the writer's own voice
    continued_sentences: tuple[tuple[int, int], ...] = ()
    sources_by_type: tuple[GroupCount, ...] = ()
    sources_by_anonymity: tuple[GroupCount, ...] = ()
    anonymous_source_share: float | None = None
    relays: tuple[GroupCount, ...] = ()
    stances: tuple[GroupCount, ...] = ()
    distancing_by_kind: tuple[LabelCount, ...] = ()
    distancing_by_target: tuple[LabelCount, ...] = ()
    actors: tuple[Actor, ...] = ()
    asymmetries: tuple[Asymmetry, ...] = ()
    statements: tuple[SummaryStatement, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelCount:
    """How many loaded terms (or technique spans, or distancing markers) carry one label, which ones, and where.

    ``label`` is a category, voice, target, technique name or distancing kind/target; ``indices`` index
    ``ArticleReport.loaded_terms`` (``ArticleReport.techniques`` for technique counts,
    ``ArticleReport.distancing`` for distancing counts).
    """

    label: str
    count: int
    indices: tuple[int, ...]
    sentence_indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SourceCount:
    """How often one source (by normalised text) is cited, and where."""

    source: str
    count: int
    attribution_indices: tuple[int, ...]
    sentence_indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GroupCount:
    """How many attributions fall in one group (a source type, anonymity, stance or relay), their share, and where.

    ``share`` is ``count`` over all attributions of the article (4 decimals); ``attribution_indices`` index
    ``ArticleReport.attributions``; ``anonymous_indices`` are those of them whose source is anonymous.
    """

    label: str
    count: int
    share: float
    attribution_indices: tuple[int, ...]
    sentence_indices: tuple[int, ...]
    anonymous_indices: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorTerms:
    """The loaded terms of one category, in one voice, applied to one actor.

    ``term_indices`` index ``ArticleReport.loaded_terms``.
    """

    category: str
    voice: str
    count: int
    term_indices: tuple[int, ...]
    sentence_indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Actor:
    """One actor of the article, clustered from sources, loaded-term targets and distancing targets.

    Attributes:
        name: Display name ("Syrian army").
        role: Rule-based role (``army``, ``government``, ``militant``, ``rebel``, ...) or ``None``.
        forms: Distinct surface forms, most frequent first ("the army", "Syrian troops").
        mentions: How many mentions were clustered into the actor.
        sentence_indices: Every sentence that mentions the actor.
        terms: Loaded terms applied to the actor, by category and voice.
        term_indices: All of them (``ArticleReport.loaded_terms`` indices).
        claims: Attributions whose source is the actor (``ArticleReport.attributions`` indices).
        anonymous_claims: Those of ``claims`` whose source is anonymous.
        named_claims: Those of ``claims`` whose source is named (``anonymous`` is ``False``).
        distancing: Distancing markers aimed at the actor (``ArticleReport.distancing`` indices).
        distanced_claims: Those of ``claims`` reported with a distancing cue ("claimed", "alleged").

    """

    name: str
    role: str | None
    forms: tuple[str, ...]
    mentions: int
    sentence_indices: tuple[int, ...]
    terms: tuple[ActorTerms, ...] = ()
    term_indices: tuple[int, ...] = ()
    claims: tuple[int, ...] = ()
    anonymous_claims: tuple[int, ...] = ()
    named_claims: tuple[int, ...] = ()
    distancing: tuple[int, ...] = ()
    distanced_claims: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Asymmetry:
    """A difference in how the article treats two sides, stated plainly.

    ``kind`` is ``name_calling``, ``polarity``, ``anonymity`` or ``distancing``; ``actors`` index
    ``ArticleSummary.actors`` (the actor singled out first, then those treated otherwise).
    """

    kind: str
    statement: str
    actors: tuple[int, ...]
    sentence_indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SummaryStatement:
    """One sentence of the plain-language summary and the sentence indices behind it."""

    kind: str
    text: str
    sentence_indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ArticleReport:
    """Everything the renderers need; built by :func:`attribution.aggregate.aggregate`."""

    article: Article
    sentences: tuple[Sentence, ...]
    attributions: tuple[Attribution, ...]
    sentence_labels: tuple[SentenceLabel, ...]
    summary: ArticleSummary
    provenance: Provenance
    loaded_terms: tuple[LoadedTerm, ...] = ()
    techniques: tuple[TechniqueSpan, ...] = ()
    distancing: tuple[DistancingMarker, ...] = ()


def _joined(pieces: tuple[Span, ...]) -> str:
    return " ... ".join(piece.text for piece in pieces)
