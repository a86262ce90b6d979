"""A learned ranker for the targets of loaded terms that the rules leave open: whom "butchers" or "massacre" is about.

The sentence rules (:func:`attribution.voice.find_target`) and the article rule for bare labels
(:mod:`attribution.context_targets`) give a target where the words make it plain: "ISIL terrorists" -> ISIL, "the
terrorists" -> the armed group named before. Many loaded terms stay open: a label that names no kind of actor
("butchers", "the criminals", "occupiers"), praise for the speaker's own side ("our heroes", "liberated"), an act
the speaker blames on someone ("a cowardly massacre"). Whom they mean depends on who is speaking and which sides
the article names.

For each term without a named target (:func:`rankable`) the ranker scores the article's actor mentions
(:func:`attribution.context_targets.actor_candidates`, grouped into actors: :class:`ArticleActors`) with a logistic
regression over a few numbers per (term, mention) pair (:data:`FEATURES`): how far before or after the term the
mention stands, whether it names one actor or a kind, whether the term's words fit its kind, how often the article
mentions its actor, and how that actor stands to the speaker of the term's attribution: the speaker's own (named in
its source phrase: "a Brigades commander" for the Sabran Brigades) or another armed actor, of the speaker's kind (a
state's spokesman and the army) or the opposing kind, each crossed with the term's polarity, since praise goes to
one's own side and abuse to the other. The best-scoring mention becomes the target when its probability reaches the
ranker's threshold; the term's ``target_span`` is then the mention's offsets.

The ranker is fitted on hand-written war articles with gold targets (:mod:`attribution.target_ranking_training`)
and stored as a small JSON file (``models/target-ranker/target_ranker.json``).

Example:
    >>> from attribution.records import LoadedTerm, Sentence
    >>> text = "Fighters of the Harran Front shelled Kessa. Residents called them butchers."
    >>> sentences = [Sentence(0, 0, 43, text[:43]), Sentence(1, 44, len(text), text[44:])]
    >>> start = text.index("butchers")
    >>> term = LoadedTerm("name_calling", start, start + 8, "butchers", 1, 0.9, polarity="negative")
    >>> ranker = TargetRanker(FEATURES, tuple(1.0 if f == "named" else 0.0 for f in FEATURES), -0.5,
    ...                       (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), 0.5)
    >>> [(t.target, text[slice(*t.target_span)]) for t in targets_from_ranker(text, sentences, [], [term], ranker)]
    [('Harran Front', 'Harran Front')]

"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attribution.actors import HEAD_ROLES, cluster_mentions, parse_mention, same_actor, singular_noun
from attribution.context_targets import SAID_OF, ActorCandidate, actor_candidates, label_kind
from attribution.records import Attribution, LoadedTerm, Sentence

#: The file a ranker folder holds.
CONFIG_NAME = "target_ranker.json"
#: Kinds of actor that are a state's: its army, government, police and forces.
STATE_KINDS = frozenset({"army", "government", "police", "force"})
#: Kinds of armed actor that are not a state's.
NON_STATE_KINDS = frozenset({"militant", "rebel", "fighter", "militia", "group"})
#: Source types of speakers who speak for a state, and of those who speak for an armed group.
STATE_SOURCES = frozenset({"government", "military", "police"})
ARMED_SOURCES = frozenset({"armed_group"})
#: Label nouns that the actor table gives no role but that war reporting says of one kind of actor.
LABEL_NOUN_KINDS: dict[str, str] = {
    **dict.fromkeys(
        "bandit bandits outlaw outlaws thug thugs gang gangs goons henchmen criminal criminals khawarij kharijites "
        "deviant deviants".split(),
        "militant",
    ),
    **dict.fromkeys("occupier occupiers invader invaders aggressor aggressors".split(), "force"),
}
#: The ranker's numbers per (term, mention) pair, in order (:func:`pair_features`).
FEATURES: tuple[str, ...] = (
    "before",
    "same_sentence",
    "sentences_before",
    "sentences_after",
    "nearer_before",
    "named",
    "state_kind",
    "non_state_kind",
    "no_kind",
    "label_fits",
    "label_misfits",
    "mentions",
    "main_side",
    "in_first_sentences",
    "sentence_subject",
    "negative",
    "positive",
    "quoted",
    "indirect",
    "narrator",
    "in_speaker_source",
    "own_side_negative",
    "own_side_positive",
    "other_side_negative",
    "other_side_positive",
    "speaker_kind_negative",
    "speaker_kind_positive",
    "opponent_kind_negative",
    "opponent_kind_positive",
    "same_polarity_targets",
    "other_polarity_targets",
    "name_calling",
    "loaded_language",
    "delegitimizing",
    "exaggeration",
)


@dataclass(frozen=True, slots=True)
class TargetRanker:
    """A logistic regression over standardised :data:`FEATURES` and the probability a target needs."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    name: str = dataclasses.field(default="unsaved", compare=False)  # where it was loaded from (provenance)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(the mention is the term's target) for each row of features."""
        z = (np.asarray(rows, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what :data:`CONFIG_NAME` holds)."""
        return {
            "features": list(self.features),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str) -> TargetRanker:
        """Read :meth:`to_dict`'s output.

        Raises:
            ValueError: naming ``where`` when the features differ from this version's or the numbers do not fit.

        """
        features = tuple(data.get("features", ()))
        if features != FEATURES:
            raise ValueError(
                f"{where}: the target ranker was fitted on other features ({len(features)} named) than this version "
                f"computes ({len(FEATURES)}); fit it again with `attribution train --task targets`"
            )
        sizes = {len(data.get(k, ())) for k in ("weights", "mean", "scale")}
        if sizes != {len(features)}:
            raise ValueError(f"{where}: the target ranker has {sorted(sizes)} numbers for {len(features)} features")
        return cls(
            features,
            tuple(float(v) for v in data["weights"]),
            float(data["bias"]),
            tuple(float(v) for v in data["mean"]),
            tuple(float(v) for v in data["scale"]),
            float(data["threshold"]),
        )

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TargetRanker:
        """Load a ranker folder (or its :data:`CONFIG_NAME` file).

        Raises:
            ValueError: naming the file when it is missing, not JSON or not a ranker of this version.

        """
        path = Path(path)
        file = path / CONFIG_NAME if path.is_dir() else path
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"{file}: no target ranker here (expected {CONFIG_NAME})") from None
        except json.JSONDecodeError as error:
            raise ValueError(f"{file}: not JSON ({error.msg}, line {error.lineno})") from None
        return dataclasses.replace(cls.from_dict(data, where=str(file)), name=str(file.parent))

    def save_pretrained(self, path: str | Path) -> None:
        """Write the ranker to ``path/target_ranker.json``."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_NAME).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def term_label_kind(term: LoadedTerm) -> str | None:
    """The kind of actor a term's words name: :func:`~attribution.context_targets.label_kind`, or a label noun's.

    >>> from attribution.records import LoadedTerm
    >>> [term_label_kind(LoadedTerm("name_calling", 0, len(w), w, 0, 0.9)) for w in ("the regime", "bandits",
    ...     "occupiers", "butchers")]
    ['government', 'militant', 'force', None]
    """
    kind = label_kind(term)
    if kind is not None:
        return kind
    words = term.text.lower().split()
    return LABEL_NOUN_KINDS.get(words[-1]) if words and len(words) <= 3 else None


_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*")
#: Capitalised words that start a phrase without naming anything.
_NOT_NAME_WORDS = frozenset("the a an its their his her our this these those that according".split())


def _name_words(text: str) -> tuple[str, ...]:
    """Capitalised words of a phrase, lower case, possessives cut ("the Federal Army's 12th Division")."""
    words = []
    for token in _TOKEN.findall(text):
        word = re.sub(r"['’]s?$", "", token)
        if word[:1].isupper() and word.lower() not in _NOT_NAME_WORDS:
            words.append(word.lower())
    return tuple(words)


#: Words many organisations' names share: one of them alone does not tie a speaker to an actor.
_COMMON_NAME_WORDS = frozenset(
    """national democratic people people's popular islamic revolutionary liberation union united free federal
    republic republican supreme general joint central northern southern eastern western new holy defence defense
    security support special rapid interior foreign affairs information council command committee party""".split()
)


def _role_word(word: str) -> bool:
    return singular_noun(word) in HEAD_ROLES or word in _COMMON_NAME_WORDS


def speaker_names(attribution: Attribution | None, attributions: Sequence[Attribution] = ()) -> frozenset[str]:
    """Capitalised words that may tie a speaker to an actor.

    Those of its source phrase and resolved source, and those of the article's other sources that share a name with
    it ("Karam" is "a Brigades commander, Yusuf Karam").

    >>> from attribution.records import Attribution, Span
    >>> def said(source):
    ...     return Attribution(cue=(), source=(Span("SOURCE", 0, len(source), source, 0, 1.0),), content=(),
    ...                        kind="indirect", sentence_index=0, score=1.0)
    >>> first, later = said("a Brigades commander, Yusuf Karam,"), said("Karam")
    >>> sorted(speaker_names(later, [first, later]))
    ['brigades', 'karam', 'yusuf']
    >>> sorted(speaker_names(said("Residents"), [first]))
    ['residents']
    """
    if attribution is None:
        return frozenset()

    def names(a: Attribution) -> set[str]:
        return set(_name_words(a.source_text or "")) | set(_name_words(a.resolved_source or ""))

    own = names(attribution)
    linked = set(own)
    for other in attributions:
        theirs = names(other)
        if {w for w in theirs & own if not _role_word(w)}:
            linked |= theirs
    return frozenset(linked)


def names_speaker(candidate: str, speaker: frozenset[str]) -> bool:
    """Whether a mention names the speaker's own organisation.

    It does through a shared name word that is not a role word ("Kalvik"), its initials ("ALA" for the Aravan
    Liberation Army), or its last word when that is all the speaker's name ("a Brigades commander" and the Sabran
    Brigades).

    >>> speaker = frozenset({"ala"})
    >>> names_speaker("Aravan Liberation Army", speaker), names_speaker("Federal Army", speaker)
    (True, False)
    >>> names_speaker("Sabran Brigades", frozenset({"brigades"})), names_speaker("army", frozenset({"army"}))
    (True, False)
    """
    words = _name_words(candidate)
    if not words or not speaker:
        return False
    shared = set(words) & speaker
    if any(not _role_word(w) for w in shared):
        return True
    if len(words) > 1 and "".join(w[0] for w in words) in speaker:
        return True
    return words[-1] in shared and all(_role_word(w) for w in speaker)


@dataclass(frozen=True)
class ArticleActors:
    """The article's actor mentions grouped into actors (:func:`~attribution.actors.cluster_mentions`).

    ``actor_of`` gives each mention's actor (its own when the rules join it to none); ``mentions`` counts each
    actor's mentions; ``combatants`` are the actors with a mention of an armed or state kind, and ``main_sides``
    the two of them mentioned most (the sides of the fight, as far as counts tell).
    """

    candidates: tuple[ActorCandidate, ...]
    actor_of: tuple[int, ...]
    mentions: tuple[int, ...]
    main_sides: frozenset[int]
    combatants: frozenset[int]

    @classmethod
    def of(cls, text: str, sentences: Sequence[Sentence]) -> ArticleActors:
        """Group the mentions of an article.

        >>> from attribution.records import Sentence
        >>> text = "The Harran Front shelled Kessa. The army said the Front fled."
        >>> actors = ArticleActors.of(text, [Sentence(0, 0, 31, text[:31]), Sentence(1, 32, len(text), text[32:])])
        >>> [(c.text, actors.mentions[actors.actor_of[i]]) for i, c in enumerate(actors.candidates)]
        [('Harran Front', 2), ('Kessa', 1), ('army', 1), ('Front', 2)]
        """
        candidates = tuple(actor_candidates(text, sentences))
        actor_of = list(range(len(candidates)))
        for cluster in cluster_mentions([c.text for c in candidates]):
            for member in cluster:
                actor_of[member] = cluster[0]
        mentions = [0] * len(candidates)
        for actor in actor_of:
            mentions[actor] += 1
        combatants = {actor_of[i] for i, c in enumerate(candidates) if c.kind in STATE_KINDS | NON_STATE_KINDS}
        main = sorted(combatants, key=lambda actor: (-mentions[actor], actor))[:2]
        return cls(candidates, tuple(actor_of), tuple(mentions), frozenset(main), frozenset(combatants))


@dataclass(frozen=True)
class TermView:
    """What the features read about one term: its attribution, the speaker's own actors and the rules' targets.

    ``in_source``: the mentions inside the speaker's source phrase; ``own_actors``: the actors the speaker speaks
    for (one of those mentions', or one a mention of which names the speaker, :func:`names_speaker`);
    ``targeted``: per actor, how many of the article's other terms the rules gave it as target, with the term's
    polarity and with the other.
    """

    term: LoadedTerm
    attribution: Attribution | None
    in_source: frozenset[int]
    own_actors: frozenset[int]
    targeted: Mapping[int, tuple[int, int]]

    @classmethod
    def of(
        cls,
        term: LoadedTerm,
        actors: ArticleActors,
        attributions: Sequence[Attribution],
        loaded_terms: Sequence[LoadedTerm] = (),
    ) -> TermView:
        """The view of ``term`` in an article with ``actors``, ``attributions`` and ``loaded_terms``."""
        attribution = attributions[term.attribution_index] if term.attribution_index is not None else None
        in_source: set[int] = set()
        own: set[int] = set()
        if attribution is not None:
            speaker = speaker_names(attribution, attributions)
            for i, c in enumerate(actors.candidates):
                if any(s.start <= c.start and c.end <= s.end for s in attribution.source):
                    in_source.add(i)
                if i in in_source or names_speaker(c.text, speaker):
                    own.add(actors.actor_of[i])
        targeted: dict[int, tuple[int, int]] = {}
        for other in loaded_terms:
            if other is term or not other.target or rankable(other):
                continue
            same = other.polarity == term.polarity
            for actor in {
                actors.actor_of[i] for i, c in enumerate(actors.candidates) if same_actor(other.target, c.text)
            }:
                count = targeted.get(actor, (0, 0))
                targeted[actor] = (count[0] + same, count[1] + (not same))
        return cls(term, attribution, frozenset(in_source), frozenset(own), targeted)


def pair_features(view: TermView, index: int, actors: ArticleActors) -> np.ndarray:
    """The :data:`FEATURES` of the term of ``view`` and the article's mention number ``index``."""
    term, candidate = view.term, actors.candidates[index]
    actor = actors.actor_of[index]
    before = candidate.end <= term.start
    if before:
        nearer = sum(1 for c in actors.candidates if candidate.end <= c.start and c.end <= term.start)
    else:
        nearer = 0
    kind = term_label_kind(term)
    fits = SAID_OF.get(kind, frozenset({kind})) if kind else frozenset()
    negative = term.polarity == "negative"
    positive = term.polarity == "positive"
    source_type = view.attribution.source_type if view.attribution is not None else None
    speaker_kind = (source_type in STATE_SOURCES and candidate.kind in STATE_KINDS) or (
        source_type in ARMED_SOURCES and candidate.kind in NON_STATE_KINDS
    )
    opponent_kind = (source_type in STATE_SOURCES and candidate.kind in NON_STATE_KINDS) or (
        source_type in ARMED_SOURCES and candidate.kind in STATE_KINDS
    )
    own = actor in view.own_actors
    combatant = actor in actors.combatants
    other_side = bool(view.own_actors) and combatant and not own
    same, other = view.targeted.get(actor, (0, 0))
    values = {
        "before": float(before),
        "same_sentence": float(candidate.sentence_index == term.sentence_index),
        "sentences_before": math.log1p(max(0, term.sentence_index - candidate.sentence_index)),
        "sentences_after": math.log1p(max(0, candidate.sentence_index - term.sentence_index)),
        "nearer_before": math.log1p(nearer),
        "named": float(candidate.named),
        "state_kind": float(candidate.kind in STATE_KINDS),
        "non_state_kind": float(candidate.kind in NON_STATE_KINDS),
        "no_kind": float(candidate.kind is None),
        "label_fits": float(kind is not None and candidate.kind in fits),
        "label_misfits": float(kind is not None and candidate.kind not in fits),
        "mentions": math.log1p(actors.mentions[actor]),
        "main_side": float(actor in actors.main_sides),
        "in_first_sentences": float(candidate.sentence_index <= 1),
        "sentence_subject": float(candidate.subject),
        "negative": float(negative),
        "positive": float(positive),
        "quoted": float(term.voice == "quoted"),
        "indirect": float(term.voice == "indirect"),
        "narrator": float(term.voice == "narrator"),
        "in_speaker_source": float(index in view.in_source),
        "own_side_negative": float(own and negative),
        "own_side_positive": float(own and positive),
        "other_side_negative": float(other_side and negative),
        "other_side_positive": float(other_side and positive),
        "speaker_kind_negative": float(speaker_kind and negative),
        "speaker_kind_positive": float(speaker_kind and positive),
        "opponent_kind_negative": float(opponent_kind and negative),
        "opponent_kind_positive": float(opponent_kind and positive),
        "same_polarity_targets": math.log1p(same),
        "other_polarity_targets": math.log1p(other),
        "name_calling": float(term.category == "name_calling"),
        "loaded_language": float(term.category == "loaded_language"),
        "delegitimizing": float(term.category == "delegitimizing"),
        "exaggeration": float(term.category == "exaggeration"),
    }
    return np.array([values[name] for name in FEATURES], dtype=np.float64)


def ranking_rows(
    term: LoadedTerm,
    actors: ArticleActors,
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm] = (),
) -> tuple[list[ActorCandidate], np.ndarray]:
    """The mentions a term may take as target (not inside the term) and their feature rows.

    ``loaded_terms``: the article's terms, whose named targets from the rules tell which actors the article's
    judgements fall on.
    """
    pool = [i for i, c in enumerate(actors.candidates) if c.end <= term.start or c.start >= term.end]
    if not pool:
        return [], np.zeros((0, len(FEATURES)))
    view = TermView.of(term, actors, attributions, loaded_terms)
    return [actors.candidates[i] for i in pool], np.stack([pair_features(view, i, actors) for i in pool])


def rankable(term: LoadedTerm) -> bool:
    """Whether the ranker may choose a term's target: it has none, or the rules' target names only a kind of actor.

    A kind ("insurgents", "the regime", the term's own head noun: "terrorist gangs" -> "gangs") a name may replace;
    a name the rules found stays, also one inside the term ("ISIL terrorists" -> ISIL).

    >>> from attribution.records import LoadedTerm
    >>> def term(target, words="terrorists", span=(20, 30)):
    ...     return LoadedTerm("name_calling", 0, len(words), words, 0, 0.9, target=target, target_span=span)
    >>> rankable(term(None)), rankable(term("insurgents")), rankable(term("Harran Front"))
    (True, True, False)
    >>> rankable(term("ISIL", "ISIL terrorists", (0, 4))), rankable(term("gangs", "terrorist gangs", (10, 15)))
    (False, True)
    """
    if term.target is None:
        return True
    parsed = parse_mention(term.target)
    return parsed is None or not parsed.named


def targets_from_ranker(
    text: str,
    sentences: Sequence[Sentence],
    attributions: Sequence[Attribution],
    loaded_terms: Sequence[LoadedTerm],
    ranker: TargetRanker,
) -> tuple[LoadedTerm, ...]:
    """The terms, each :func:`rankable` one given the ranker's best mention as target when it scores high enough."""
    open_terms = [i for i, t in enumerate(loaded_terms) if rankable(t)]
    if not open_terms:
        return tuple(loaded_terms)
    actors = ArticleActors.of(text, sentences)
    out = list(loaded_terms)
    for i in open_terms:
        pool, rows = ranking_rows(loaded_terms[i], actors, attributions, loaded_terms)
        if not pool:
            continue
        scores = ranker.probabilities(rows)
        best = int(np.argmax(scores))
        if scores[best] >= ranker.threshold:
            chosen = pool[best]
            out[i] = dataclasses.replace(loaded_terms[i], target=chosen.text, target_span=(chosen.start, chosen.end))
    return tuple(out)
