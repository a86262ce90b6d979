"""Scores for the ``source_profile`` and ``distancing`` layers, and the reader of the profile label files.

- **source profile given gold spans**: the profiler applied to the gold attributions of each record;
  ``source_type`` accuracy and macro-F1 (over the types in gold or predictions, as sklearn's default),
  ``anonymous`` precision / recall / F1 (positive class: anonymous), stance accuracy, relay accuracy
  (gold and predicted ``via`` both empty, or overlapping) and resolution precision / recall (a
  predicted ``resolved_source`` matches when, lower-cased and without a leading "the" or a trailing
  "'s", it equals the gold name or shares its last word: "Trump" for "Donald Trump").
- **end to end**: the analyzer's own attributions, matched one-to-one to the labeled gold attributions
  by the largest source overlap (non-whitespace characters); profile scores over the matched pairs,
  ``coverage`` = matched / gold, and ``type_accuracy_all`` counting an unmatched gold attribution as wrong.
- **distancing**: markers matched one-to-one by character overlap; precision / recall / F1 of the
  markers, of the markers whose targets also overlap (``target``), and exact marker spans.

Only attributions with a gold ``source_type`` are scored, so a record may carry every attribution of
an article (for context) with profile labels on a sample of them.

:func:`read_profile_labels` turns the offset-only label files (``resources/source_profile/
polnear_labels.*.jsonl``) plus the PolNeAR texts into annotation records (``--format polnear-profile``).

Example:
    >>> type_scores(["ngo", "media", "ngo"], ["ngo", "ngo", "ngo"])["accuracy"]
    0.6667
    >>> names_match("Donald Trump", "Trump"), names_match("the Observatory", "Syrian Observatory")
    (True, True)

"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attribution.annotations import (
    SOURCE_TYPES,
    STANCES,
    AnnotationError,
    Fragments,
    GoldAttribution,
    LabeledArticle,
)
from attribution.evaluation import charset, prf
from attribution.records import Article, Attribution, DistancingMarker, Sentence, Span

#: Environment variable naming the PolNeAR folder (the one holding ``train/`` and ``dev/``).
POLNEAR_ROOT_ENV = "ATTRIBUTION_POLNEAR_ROOT"
_LABEL_KEYS = {"case", "split", "article", "attribution_index", "source", "cue", "source_type", "anonymous", "via"}
_LABEL_KEYS |= {"resolved_source", "stance", "note", "outlet", "content"}


# --- reading the label files ----------------------------------------------------------------------


def default_polnear_root() -> Path:
    """``$ATTRIBUTION_POLNEAR_ROOT``, else ``../shared/data/polnear`` next to the project folder."""
    override = os.environ.get(POLNEAR_ROOT_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "polnear"


def default_label_paths() -> list[Path]:
    """The packaged PolNeAR profile label files (``polnear_labels.*.jsonl``), sorted."""
    return sorted((Path(__file__).resolve().parent / "resources" / "source_profile").glob("polnear_labels.*.jsonl"))


def _label_fragments(value: Any, where: str, name: str, length: int) -> Fragments:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise AnnotationError(f"{where}: field '{name}' must be null or a non-empty list of [start, end] pairs")
    out = []
    for fragment in value:
        if not (isinstance(fragment, list) and len(fragment) == 2 and all(isinstance(x, int) for x in fragment)):
            raise AnnotationError(f"{where}: field '{name}' has a fragment {fragment!r}; expected [start, end]")
        if not 0 <= fragment[0] < fragment[1] <= length:
            raise AnnotationError(f"{where}: field '{name}' fragment {fragment} is outside the text (length {length})")
        out.append((fragment[0], fragment[1]))
    return tuple(sorted(out))


def read_label_rows(paths: Iterable[str | Path]) -> list[tuple[str, dict[str, Any]]]:
    """The rows of profile label files as ``(path:line, row)``, validated for keys and enums.

    Raises:
        AnnotationError: for invalid JSON, unknown keys, an unknown type or stance, a non-boolean
            ``anonymous`` or a duplicate case id, naming ``path:line``.

    """
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AnnotationError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
                unknown = sorted(set(row) - _LABEL_KEYS)
                if unknown:
                    raise AnnotationError(f"{where}: unknown key(s) {unknown}")
                if row.get("source_type") not in SOURCE_TYPES:
                    raise AnnotationError(f"{where}: field 'source_type' is {row.get('source_type')!r}")
                if row.get("stance") not in STANCES:
                    raise AnnotationError(f"{where}: field 'stance' is {row.get('stance')!r}")
                if not isinstance(row.get("anonymous"), bool):
                    raise AnnotationError(f"{where}: field 'anonymous' must be true or false")
                if row.get("split") not in ("train", "dev"):
                    raise AnnotationError(f"{where}: field 'split' must be 'train' or 'dev'")
                case = str(row.get("case"))
                if case in seen:
                    raise AnnotationError(f"{where}: duplicate case {case!r} (first at {seen[case]})")
                seen[case] = where
                rows.append((where, row))
    return rows


def read_profile_labels(
    label_paths: Iterable[str | Path] | None = None,
    polnear_root: str | Path | None = None,
    *,
    splits: Sequence[str] = ("train", "dev"),
    with_attribution_layer: bool = False,
) -> list[LabeledArticle]:
    """Annotation records (PolNeAR text + every attribution, profile labels on the labeled ones).

    Args:
        label_paths: Label JSONL files (default: the packaged ones).
        polnear_root: The PolNeAR folder with ``train/`` and ``dev/`` (default: :func:`default_polnear_root`).
        splits: Which label splits to read (``dev`` is the validation part).
        with_attribution_layer: List ``attributions`` in ``layers`` too (the PolNeAR spans are complete),
            so ``attribution evaluate`` also scores the tagger on these records.

    Each record's ``extra["meta"]`` holds ``split``, the labeled ``cases`` and, per case, the gold
    ``resolved_span`` offsets. A label is matched to its PolNeAR attribution by ``attribution_index``
    and checked against the cue offsets (falling back to the attribution with that cue).

    Raises:
        FileNotFoundError: if an article's text is missing under ``polnear_root``.
        AnnotationError: for a malformed label row or a cue that no attribution of the article has.

    Example:
        >>> records = read_profile_labels(splits=["dev"])  # doctest: +SKIP
        >>> records[0].layers, records[0].extra["meta"]["split"]  # doctest: +SKIP
        (('source_profile',), 'dev')

    """
    from attribution.converters.polnear import polnear_record

    root = Path(polnear_root) if polnear_root is not None else default_polnear_root()
    rows = read_label_rows(label_paths if label_paths is not None else default_label_paths())
    grouped: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for where, row in rows:
        if row["split"] in splits:
            grouped[(row["split"], row["article"])].append((where, row))
    records = []
    for (split, article), items in sorted(grouped.items()):
        text_path = root / split / "text" / f"{article}.txt"
        if not text_path.is_file():
            raise FileNotFoundError(f"{items[0][0]}: the PolNeAR text {text_path} is missing")
        text = text_path.read_text(encoding="utf-8")
        candidates = sorted((root / split / "attributions").glob(f"{article}_*.ann"))
        ann = candidates[0].read_text(encoding="utf-8") if candidates else ""
        base = polnear_record(article, text, ann)
        attributions = list(base.attributions)
        cases = []
        for where, row in items:
            cue = _label_fragments(row.get("cue"), where, "cue", len(text))
            index = row.get("attribution_index")
            if not (isinstance(index, int) and 0 <= index < len(attributions) and attributions[index].cue == cue):
                matches = [i for i, a in enumerate(attributions) if a.cue == cue]
                if not matches:
                    raise AnnotationError(f"{where}: no PolNeAR attribution of {article} has the cue {list(cue)}")
                index = matches[0]
            resolved = _label_fragments(row.get("resolved_source"), where, "resolved_source", len(text))
            gold = attributions[index]
            attributions[index] = GoldAttribution(
                cue=gold.cue,
                source=_label_fragments(row.get("source"), where, "source", len(text)) or gold.source,
                content=gold.content,
                via=_label_fragments(row.get("via"), where, "via", len(text)),
                source_type=row["source_type"],
                anonymous=row["anonymous"],
                resolved_source=" ".join(text[s:e] for s, e in resolved) or None,
                stance=row["stance"],
            )
            cases.append(
                {"case": row["case"], "attribution_index": index, "resolved_span": [list(f) for f in resolved]}
            )
        layers = ("attributions", "source_profile") if with_attribution_layer else ("source_profile",)
        records.append(
            LabeledArticle(
                id=article,
                text=text,
                layers=layers,
                attributions=tuple(attributions),
                extra={"meta": {"split": split, "corpus": "polnear", "cases": cases}},
            )
        )
    return records


def read_profile_label_file(path: str | Path) -> list[LabeledArticle]:
    """``load_labeled(..., "polnear-profile")``: one label file, both splits, texts from the default root."""
    return read_profile_labels([path])


# --- gold attributions as records -----------------------------------------------------------------


def _sentence_index(sentences: Sequence[Sentence], offset: int) -> int:
    for sentence in sentences:
        if offset < sentence.end:
            return sentence.index
    return sentences[-1].index if sentences else 0


def gold_attributions(text: str, sentences: Sequence[Sentence], gold: Sequence[GoldAttribution]) -> list[Attribution]:
    """Gold attributions as :class:`Attribution` records (spans only; the profile fields left empty).

    Example:
        >>> s = [Sentence(0, 0, 10, "He said no")]
        >>> [a.source_text for a in gold_attributions("He said no", s, [GoldAttribution(((3, 7),), ((0, 2),))])]
        ['He']

    """

    def spans(label: str, fragments: Fragments) -> tuple[Span, ...]:
        return tuple(Span(label, s, e, text[s:e], _sentence_index(sentences, s)) for s, e in fragments)  # type: ignore[arg-type]

    out = []
    for g in gold:
        cue = spans("CUE", g.cue)
        out.append(
            Attribution(
                cue=cue,
                source=spans("SOURCE", g.source),
                content=spans("CONTENT", g.content),
                kind="indirect",
                sentence_index=cue[0].sentence_index if cue else 0,
                score=1.0,
            )
        )
    return out


def profile_gold(
    profiler: Any,
    records: Sequence[LabeledArticle],
    segmenter: Any,
    *,
    batch_size: int = 32,
    chunk_size: int = 64,
) -> Iterator[tuple[Article, list[Sentence], tuple[Attribution, ...]]]:
    """Each record's article, sentences and gold attributions with the profile fields ``profiler`` gives them.

    The sources of ``chunk_size`` records at a time share one classifier run
    (:meth:`~attribution.tagging.source_profiler.SourceProfiler.profile_many`), which gives the same
    results as profiling one article at a time, faster. ``segmenter`` splits each article into sentences.

    Example:
        >>> for article, sentences, profiled in profile_gold(profiler, records, RuleSegmenter()):  # doctest: +SKIP
        ...     print(article.id, [a.source_type for a in profiled])
        a1 ['government', 'unspecified']

    """
    for start in range(0, len(records), chunk_size):
        chunk = records[start : start + chunk_size]
        articles = [Article(id=r.id, text=r.text) for r in chunk]
        sentences = [segmenter(article) for article in articles]
        gold = [gold_attributions(r.text, s, r.attributions) for r, s in zip(chunk, sentences, strict=True)]
        profiled = profiler.profile_many(articles, sentences, gold, batch_size=batch_size)
        yield from zip(articles, sentences, profiled, strict=True)


# --- metrics ---------------------------------------------------------------------------------------


def type_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the labels in gold or predicted), per-type P/R/F1 and the confusion matrix.

    Example:
        >>> scores = type_scores(["ngo", "media"], ["ngo", "ngo"])
        >>> scores["accuracy"], scores["macro_f1"], scores["per_type"]["ngo"]["precision"]
        (0.5, 0.3333, 0.5)

    """
    if len(gold) != len(predicted):
        raise ValueError(f"type_scores: {len(gold)} gold and {len(predicted)} predicted labels")
    labels = [t for t in (*SOURCE_TYPES, *STANCES) if t in set(gold) | set(predicted)]
    labels += sorted((set(gold) | set(predicted)) - set(labels))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    per_type = {}
    for i, label in enumerate(labels):
        n_gold, n_pred = sum(matrix[i]), sum(row[i] for row in matrix)
        per_type[label] = {**prf(matrix[i][i], n_pred, matrix[i][i], n_gold), "n_gold": n_gold}
    correct = sum(matrix[i][i] for i in range(len(labels)))
    f1s = [per_type[label]["f1"] for label in labels]
    return {
        "accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "n": len(gold),
        "per_type": per_type,
        "confusion": {"labels": labels, "matrix": matrix},
    }


def binary_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    """Precision, recall and F1 of the positive class, with the counts.

    Example:
        >>> binary_scores([True, False, True], [True, True, False])
        {'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'n_gold': 2, 'n_predicted': 2}

    """
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    n_pred, n_gold = sum(map(bool, predicted)), sum(map(bool, gold))
    return {**prf(tp, n_pred, tp, n_gold), "n_gold": n_gold, "n_predicted": n_pred}


def label_agreement(first: Sequence[tuple[str, bool]], second: Sequence[tuple[str, bool]]) -> dict[str, Any]:
    """How two labellers (or a labeller and a model) agree on ``(source_type, anonymous)`` pairs.

    Type: observed agreement and Cohen's kappa; anonymity: agreement, kappa, and P/R/F1 of ``second``
    scored against ``first`` (the same F1 the model is held to).

    Example:
        >>> first = [("political", False), ("citizen", True), ("media", False), ("political", False)]
        >>> second = [("political", False), ("citizen", False), ("media", False), ("government", False)]
        >>> result = label_agreement(first, second)
        >>> result["type"]["agreement"], result["type"]["kappa"], result["anonymous"]["f1"]
        (0.75, 0.6667, 0.0)

    """
    if len(first) != len(second):
        raise ValueError(f"label_agreement: {len(first)} and {len(second)} labels")
    if not first:
        raise ValueError("label_agreement: no labels")

    def kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
        n = len(a)
        observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
        count_a, count_b = Counter(a), Counter(b)
        expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
        return round((observed - expected) / (1 - expected), 4) if expected < 1 else 1.0

    types_a, types_b = [t for t, _ in first], [t for t, _ in second]
    anon_a, anon_b = [a for _, a in first], [a for _, a in second]
    agreement = sum(x == y for x, y in zip(types_a, types_b, strict=True)) / len(first)
    anon_agreement = sum(x == y for x, y in zip(anon_a, anon_b, strict=True)) / len(first)
    return {
        "n": len(first),
        "type": {"agreement": round(agreement, 4), "kappa": kappa(types_a, types_b)},
        "anonymous": {
            "agreement": round(anon_agreement, 4),
            "kappa": kappa(anon_a, anon_b),
            **binary_scores(anon_a, anon_b),
        },
    }


def _normal_name(name: str) -> str:
    name = " ".join(name.replace("’", "'").lower().split()).strip(" ,.;:\"'“”")
    name = re.sub(r"'s$", "", name)
    return re.sub(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?|sen\.?|rep\.?|gov\.?|president)\s+", "", name)


def names_match(gold: str | None, predicted: str | None) -> bool:
    """Whether two resolved names agree: equal after normalising, or the same last word.

    Example:
        >>> names_match("Hillary Clinton", "Clinton"), names_match("Clinton", "Sanders"), names_match(None, None)
        (True, False, True)

    """
    if not gold or not predicted:
        return not gold and not predicted
    g, p = _normal_name(gold), _normal_name(predicted)
    return g == p or (bool(g) and bool(p) and g.split()[-1] == p.split()[-1])


def _fragments_of(spans: Sequence[Span]) -> Fragments:
    return tuple((s.start, s.end) for s in spans)


def _overlap(a: Fragments, b: Fragments) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class ProfileEvaluator:
    """Accumulates ``(gold, predicted)`` profile pairs; ``None`` predicted = the attribution was missed.

    Example:
        >>> ev = ProfileEvaluator()
        >>> gold = GoldAttribution(((3, 7),), ((0, 2),), source_type="political", anonymous=False, stance="neutral")
        >>> pred = Attribution((), (), (), "indirect", 0, 1.0, source_type="political", anonymous=False,
        ...                    stance="neutral")
        >>> ev.add(gold, pred)
        >>> ev.results()["type_accuracy"], ev.results()["stance_accuracy"]
        (1.0, 1.0)

    """

    pairs: list[tuple[GoldAttribution, Attribution | None]] = field(default_factory=list)

    def add(self, gold: GoldAttribution, predicted: Attribution | None) -> None:
        """Add one labeled attribution and its prediction (``None`` when unmatched)."""
        if gold.source_type is not None:
            self.pairs.append((gold, predicted))

    def results(self) -> dict[str, Any]:
        """The scores over the matched pairs (and coverage)."""
        matched = [(g, p) for g, p in self.pairs if p is not None]
        gold_types = [g.source_type or "unspecified" for g, _ in matched]
        pred_types = [p.source_type or "unspecified" for _, p in matched]
        types = type_scores(gold_types, pred_types)
        anonymous = binary_scores([bool(g.anonymous) for g, _ in matched], [bool(p.anonymous) for _, p in matched])
        with_stance = [(g, p) for g, p in matched if g.stance is not None]
        stance = type_scores([g.stance or "" for g, _ in with_stance], [p.stance or "neutral" for _, p in with_stance])
        via_ok = [(not g.via and not p.via) or _overlap(g.via, _fragments_of(p.via)) for g, p in matched]
        via_gold = [bool(g.via) for g, _ in matched]
        via_found = [bool(p.via) for _, p in matched]
        via_tp = sum(1 for (g, p) in matched if g.via and _overlap(g.via, _fragments_of(p.via)))
        resolved_tp = sum(
            1 for g, p in matched if g.resolved_source and names_match(g.resolved_source, p.resolved_source)
        )
        n_resolved_gold = sum(1 for g, _ in matched if g.resolved_source)
        n_resolved_pred = sum(1 for _, p in matched if p.resolved_source)
        resolved_ok = [names_match(g.resolved_source, p.resolved_source) for g, p in matched]
        n_all = len(self.pairs)
        return {
            "n_attributions": len(matched),
            "n_gold": n_all,
            "coverage": round(len(matched) / n_all, 4) if n_all else 0.0,
            "type_accuracy": types["accuracy"],
            "type_macro_f1": types["macro_f1"],
            "type_accuracy_all": round(types["accuracy"] * len(matched) / n_all, 4) if n_all else 0.0,
            "anonymous": anonymous,
            "stance_accuracy": stance["accuracy"],
            "via": {
                "accuracy": round(sum(via_ok) / len(via_ok), 4) if via_ok else 0.0,
                **prf(via_tp, sum(via_found), via_tp, sum(via_gold)),
                "n_gold": sum(via_gold),
                "n_predicted": sum(via_found),
            },
            "resolution": {
                "accuracy": round(sum(resolved_ok) / len(resolved_ok), 4) if resolved_ok else 0.0,
                **prf(resolved_tp, n_resolved_pred, resolved_tp, n_resolved_gold),
                "n_gold": n_resolved_gold,
                "n_predicted": n_resolved_pred,
            },
            "per_type": types["per_type"],
            "confusion": types["confusion"],
            "stance": {"per_stance": stance["per_type"], "confusion": stance["confusion"]},
        }


def match_by_source(
    text: str, gold: Sequence[GoldAttribution], predicted: Sequence[Attribution]
) -> list[Attribution | None]:
    """For each gold attribution, the predicted one whose source overlaps it most (one-to-one), or ``None``.

    Example:
        >>> g = [GoldAttribution(((3, 7),), ((0, 2),))]
        >>> p = [Attribution((), (Span("SOURCE", 0, 2, "He", 0),), (), "indirect", 0, 1.0)]
        >>> match_by_source("He said no", g, p)[0] is p[0]
        True

    """
    gold_sets = [charset(text, g.source) for g in gold]
    pred_sets = [charset(text, _fragments_of(p.source)) for p in predicted]
    candidates = sorted(
        ((len(g & p), gi, pi) for gi, g in enumerate(gold_sets) for pi, p in enumerate(pred_sets) if g & p),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    out: list[Attribution | None] = [None] * len(gold)
    used: set[int] = set()
    for _, gi, pi in candidates:
        if out[gi] is None and pi not in used:
            out[gi] = predicted[pi]
            used.add(pi)
    return out


# --- distancing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldDistancing:
    """One labeled distancing marker (``distancing`` layer): the marker span and its target span."""

    span: Fragments
    target: Fragments


def gold_distancing(record: LabeledArticle, *, where: str | None = None) -> list[GoldDistancing]:
    """The ``distancing`` items of a record (kept in ``extra`` by the annotation reader).

    Raises:
        AnnotationError: for an item that is not ``{"span": [[s, e]], "target": [[s, e]] | null}``.

    Example:
        >>> r = LabeledArticle("a", "the so-called state", ("distancing",),
        ...                    extra={"distancing": [{"span": [[4, 13]], "target": [[14, 19]]}]})
        >>> gold_distancing(r)
        [GoldDistancing(span=((4, 13),), target=((14, 19),))]

    """
    where = where or f"record {record.id!r}"
    items = record.extra.get("distancing") or []
    if not isinstance(items, list):
        raise AnnotationError(f"{where}: field 'distancing' must be a list")
    out = []
    for i, item in enumerate(items):
        at = f"{where}: distancing[{i}]"
        if not isinstance(item, dict):
            raise AnnotationError(f"{at}: expected an object")
        span = _label_fragments(item.get("span"), at, "span", len(record.text))
        if not span:
            raise AnnotationError(f"{at}: field 'span' is required")
        out.append(GoldDistancing(span, _label_fragments(item.get("target"), at, "target", len(record.text))))
    return out


@dataclass
class DistancingEvaluator:
    """Marker and target overlap counts over articles.

    Example:
        >>> ev = DistancingEvaluator()
        >>> ev.add("the so-called state", [GoldDistancing(((4, 13),), ((14, 19),))],
        ...        [DistancingMarker("so-called", 4, 13, "so-called", 0, 14, 19, "state")])
        >>> ev.results()["f1"], ev.results()["target"]["f1"], ev.results()["exact"]["f1"]
        (1.0, 1.0, 1.0)

    """

    tp: int = 0
    tp_target: int = 0
    tp_exact: int = 0
    n_gold: int = 0
    n_predicted: int = 0

    def add(self, text: str, gold: Sequence[GoldDistancing], predicted: Sequence[DistancingMarker]) -> None:
        """Match one article's markers (one-to-one, largest overlap first)."""
        gold_sets = [charset(text, g.span) for g in gold]
        pred_sets = [charset(text, ((p.start, p.end),)) for p in predicted]
        candidates = sorted(
            ((len(g & p), gi, pi) for gi, g in enumerate(gold_sets) for pi, p in enumerate(pred_sets) if g & p),
            key=lambda c: (-c[0], c[1], c[2]),
        )
        used_gold: set[int] = set()
        used_pred: set[int] = set()
        for _, gi, pi in candidates:
            if gi in used_gold or pi in used_pred:
                continue
            used_gold.add(gi)
            used_pred.add(pi)
            self.tp += 1
            marker = predicted[pi]
            if gold[gi].target and _overlap(gold[gi].target, ((marker.target_start, marker.target_end),)):
                self.tp_target += 1
            elif not gold[gi].target and marker.target_start == marker.target_end:
                self.tp_target += 1
            if gold_sets[gi] == pred_sets[pi]:
                self.tp_exact += 1
        self.n_gold += len(gold)
        self.n_predicted += len(predicted)

    def results(self) -> dict[str, Any]:
        """Overlap P/R/F1 of the markers, of markers with their targets, and of exact marker spans."""
        return {
            **prf(self.tp, self.n_predicted, self.tp, self.n_gold),
            "target": prf(self.tp_target, self.n_predicted, self.tp_target, self.n_gold),
            "exact": prf(self.tp_exact, self.n_predicted, self.tp_exact, self.n_gold),
            "n_gold": self.n_gold,
            "n_predicted": self.n_predicted,
        }


# --- running the components ----------------------------------------------------------------------


@dataclass
class ProfileLayerEvaluation:
    """What :func:`evaluate_profile_layers` returns: the metrics dict and lines for skipped layers."""

    metrics: dict[str, Any]
    skipped: tuple[str, ...] = ()
    n_articles: Mapping[str, int] = field(default_factory=dict)


def profiler_of(analyzer: Any) -> Any | None:
    """The analyzer's source profiler, else the shipped one when it exists, else None (rules only)."""
    profiler = getattr(analyzer, "source_profiler", None)
    if profiler is not None:
        return profiler
    from attribution.pipeline import default_model_dir
    from attribution.tagging.source_profiler import CONFIG_NAME, SourceProfiler

    shipped = default_model_dir() / "source-profile"
    return SourceProfiler.from_pretrained(shipped) if (shipped / CONFIG_NAME).is_file() else None


def evaluate_profile_layers(
    analyzer: Any | None,
    records: Sequence[LabeledArticle],
    *,
    profiler: Any | None = None,
    end_to_end: bool = True,
    batch_size: int = 32,
) -> ProfileLayerEvaluation:
    """Score the ``source_profile`` and ``distancing`` layers of ``records``.

    Args:
        analyzer: The :class:`~attribution.pipeline.Analyzer` for end-to-end scores and distancing (its
            attributions feed :func:`~attribution.distancing.find_distancing`); ``None``: gold spans only.
        records: Labeled records; only those listing ``source_profile`` / ``distancing`` are used.
        profiler: The source profiler (default: the analyzer's ``source_profiler``, else the shipped
            ``models/source-profile``).
        end_to_end: Also run the analyzer's attributions (off: gold-span scores only).
        batch_size: Encoder batch size.

    Returns:
        ``metrics["source_profile"]`` (gold-span scores plus ``end_to_end``) and ``metrics["distancing"]``
        for the layers the records carry.

    Example:
        >>> evaluation = evaluate_profile_layers(Analyzer.from_pretrained(), records)  # doctest: +SKIP
        >>> evaluation.metrics["source_profile"]["type_accuracy"]                       # doctest: +SKIP
        0.87

    """
    from attribution.distancing import find_distancing
    from attribution.segmenter import RuleSegmenter

    profile_records = [r for r in records if "source_profile" in r.layers]
    distancing_records = [r for r in records if "distancing" in r.layers]
    metrics: dict[str, Any] = {}
    skipped: list[str] = []
    if profile_records and profiler is None:
        profiler = profiler_of(analyzer) if analyzer is not None else None
        if profiler is None:
            skipped.append(
                f"source_profile: skipped, no source profiler ({len(profile_records)} record(s) carry the layer)"
            )
    segmenter = getattr(analyzer, "segmenter", None) or RuleSegmenter()
    need_reports = [
        r
        for r in records
        if ("distancing" in r.layers or ("source_profile" in r.layers and profiler is not None and end_to_end))
        and analyzer is not None
    ]
    reports = {}
    if need_reports:
        # one analysis per distinct article (the two profile label files share articles)
        unique = list({(r.id, r.text): r for r in need_reports}.values())
        generated = analyzer.analyze_many((Article(id=r.id, text=r.text) for r in unique), batch_size=batch_size)
        by_article = {(r.id, r.text): report for r, report in zip(unique, generated, strict=True)}
        reports = {id(r): by_article[(r.id, r.text)] for r in need_reports}
    if profile_records and profiler is not None:
        given = ProfileEvaluator()
        e2e = ProfileEvaluator()
        profiled_records = profile_gold(profiler, profile_records, segmenter, batch_size=batch_size)
        for record, (article, _, profiled) in zip(profile_records, profiled_records, strict=True):
            for gold, predicted in zip(record.attributions, profiled, strict=True):
                given.add(gold, predicted)
            report = reports.get(id(record))
            if report is not None:
                predicted_attributions = list(report.attributions)
                if predicted_attributions and predicted_attributions[0].source_type is None:
                    predicted_attributions = list(profiler.profile(article, report.sentences, predicted_attributions))
                labeled = [g for g in record.attributions if g.source_type is not None]
                for gold, match in zip(
                    labeled, match_by_source(record.text, labeled, predicted_attributions), strict=True
                ):
                    e2e.add(gold, match)
        metrics["source_profile"] = given.results()
        if e2e.pairs:
            scores = e2e.results()
            metrics["source_profile"]["end_to_end"] = {
                key: scores[key]
                for key in (
                    "n_gold",
                    "n_attributions",
                    "coverage",
                    "type_accuracy",
                    "type_macro_f1",
                    "type_accuracy_all",
                )
            } | {key: scores[key] for key in ("anonymous", "stance_accuracy", "via", "resolution")}
    if distancing_records:
        if analyzer is None:
            skipped.append("distancing: skipped, no analyzer to find the attributions")
        else:
            evaluator = DistancingEvaluator()
            for record in distancing_records:
                report = reports[id(record)]
                markers = (
                    report.distancing
                    if report.distancing
                    else find_distancing(record.text, report.sentences, report.attributions)
                )
                evaluator.add(record.text, gold_distancing(record), markers)
            metrics["distancing"] = evaluator.results()
    return ProfileLayerEvaluation(
        metrics,
        tuple(skipped),
        {"source_profile": len(profile_records), "distancing": len(distancing_records)},
    )


def format_profile_metrics(metrics: Mapping[str, Any]) -> str:
    """A plain-text summary of the ``source_profile`` and ``distancing`` metrics.

    Example:
        >>> print(format_profile_metrics({"distancing": {"precision": 1.0, "recall": 0.5, "f1": 0.6667,
        ...     "target": {"precision": 1.0, "recall": 0.5, "f1": 0.6667}, "n_gold": 2, "n_predicted": 1}}))
        distancing markers: P 1.0000 R 0.5000 F1 0.6667 (2 gold, 1 predicted); with targets F1 0.6667

    """
    lines = []
    profile = metrics.get("source_profile")
    if profile:
        anon = profile["anonymous"]
        lines.append(
            f"source profile, given gold spans ({profile['n_attributions']} attributions): type accuracy "
            f"{profile['type_accuracy']:.4f}, macro-F1 {profile['type_macro_f1']:.4f}; anonymous P "
            f"{anon['precision']:.4f} R {anon['recall']:.4f} F1 {anon['f1']:.4f}; stance accuracy "
            f"{profile['stance_accuracy']:.4f}; via accuracy {profile['via']['accuracy']:.4f}; resolution "
            f"accuracy {profile['resolution']['accuracy']:.4f} (P {profile['resolution']['precision']:.4f} "
            f"R {profile['resolution']['recall']:.4f})"
        )
        e2e = profile.get("end_to_end")
        if e2e:
            lines.append(
                f"source profile, end to end: {e2e['n_attributions']} of {e2e['n_gold']} labeled sources found "
                f"(coverage {e2e['coverage']:.4f}); type accuracy {e2e['type_accuracy']:.4f} on those "
                f"({e2e['type_accuracy_all']:.4f} counting misses), macro-F1 {e2e['type_macro_f1']:.4f}; "
                f"anonymous F1 {e2e['anonymous']['f1']:.4f}; via accuracy {e2e['via']['accuracy']:.4f} "
                f"(P {e2e['via']['precision']:.4f} R {e2e['via']['recall']:.4f}); resolution accuracy "
                f"{e2e['resolution']['accuracy']:.4f}"
            )
    dist = metrics.get("distancing")
    if dist:
        lines.append(
            f"distancing markers: P {dist['precision']:.4f} R {dist['recall']:.4f} F1 {dist['f1']:.4f} "
            f"({dist['n_gold']} gold, {dist['n_predicted']} predicted); with targets F1 {dist['target']['f1']:.4f}"
        )
    return "\n".join(lines)
