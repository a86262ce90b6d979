"""Convert BASIL (Fan et al., EMNLP 2019) lexical-bias spans to annotation records.

A BASIL folder holds ``articles/<year>/<triplet>_<n>.json`` (title and ``body-paragraphs``, a list of
paragraphs, each a list of sentence strings) and ``annotations/<year>/<triplet>_<n>_ann.json`` whose
``phrase-level-annotations`` give ``txt``, ``start``/``end`` *inside one sentence*, and an ``id`` naming
that sentence: ``p<N>`` is sentence ``N`` of the article (0-based, paragraphs flattened), ``title`` the title.

The record text is the title, a blank line, then the paragraphs separated by blank lines, the
sentences of a paragraph joined by one space. Each record has id ``basil-<triplet>_<n>`` and the single
layer ``loaded_terms``:

- every **lexical** bias span (``"bias": "lex"``, a word choice) becomes a loaded term of category
  ``loaded_language``;
- ``target`` and ``polarity`` are those of the actor the phrase describes: for a direct aim
  (``"aim": "dir"``) the annotated target and polarity, for an indirect aim (``ind_pro``, ``ind_anti``,
  ``ind_general``: the phrase describes an ally or opponent of the main target) the
  ``indirect-target-name`` and ``indirect-ally-opponent-sentiment`` (``neu`` gives no polarity);
  underscores in target names become spaces (``Mitt_Romney`` -> ``Mitt Romney``);
- ``voice`` is ``quoted`` for ``"quote": "yes"`` and ``None`` otherwise (BASIL does not say whether an
  unquoted phrase is the writer's or a paraphrased source's).

**Informational** bias spans (``"bias": "inf"``: which facts are told, not how they are worded) are not
loaded terms and are left out of the layer. All phrases, informational ones included, are kept with
their located span under ``extra["basil_phrases"]``; the article metadata under ``extra["meta"]``.

Example:
    >>> article = {"title": "Vote set", "body-paragraphs": [["Mr. X spoke.", "A reckless plan, he said."]]}
    >>> phrase = {"id": "p1", "txt": "reckless", "start": 2, "end": 10, "bias": "lex", "polarity": "neg",
    ...           "aim": "dir", "target": "the_plan", "quote": "no", "speaker": ""}
    >>> record = basil_record("t_1", article, {"phrase-level-annotations": [phrase]}, where="t_1_ann.json")
    >>> record.text
    'Vote set\\n\\nMr. X spoke. A reckless plan, he said.'
    >>> term = record.loaded_terms[0]
    >>> record.text[slice(*term.span[0])], term.category, term.polarity, term.target, term.voice
    ('reckless', 'loaded_language', 'negative', 'the plan', None)

"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from attribution.annotations import AnnotationError, GoldLoadedTerm, LabeledArticle

#: ``extra["meta"]["source"]`` of the records read here.
BASIL_SOURCE = "basil"
BASIL_LAYERS = ("loaded_terms",)
_POLARITY = {"pos": "positive", "neg": "negative"}
_SENTENCE_ID = re.compile(r"p(\d+)")


def basil_text(article: dict[str, Any]) -> tuple[str, dict[str, tuple[int, str]]]:
    """The record text of a BASIL article and, per phrase anchor (``title``, ``p<N>``), its start and string.

    >>> text, anchors = basil_text({"title": "T", "body-paragraphs": [["A b.", "C."], ["D."]]})
    >>> text, anchors["p2"]
    ('T\\n\\nA b. C.\\n\\nD.', (12, 'D.'))

    """
    parts: list[str] = []
    anchors: dict[str, tuple[int, str]] = {}
    offset = 0
    title = article.get("title") or ""
    if title:
        anchors["title"] = (0, title)
        parts.append(title)
        offset = len(title) + 2
    index = 0
    for paragraph in article.get("body-paragraphs") or []:
        pieces = []
        for sentence in paragraph:
            anchors[f"p{index}"] = (offset, sentence)
            pieces.append(sentence)
            offset += len(sentence) + 1
            index += 1
        if pieces:
            parts.append(" ".join(pieces))
            offset += 1  # the paragraph's last sentence counted one space; the separator is two newlines
    return "\n\n".join(parts), anchors


def _locate(phrase: dict[str, Any], anchors: dict[str, tuple[int, str]]) -> tuple[int, int] | None:
    """Text offsets of ``phrase``: in its own sentence if it matches there, else in the only sentence that does."""
    txt, start, end = phrase.get("txt"), phrase.get("start"), phrase.get("end")
    if not isinstance(txt, str) or not txt or not isinstance(start, int) or not isinstance(end, int):
        return None
    anchor = str(phrase.get("id", ""))
    if anchor == "title" or _SENTENCE_ID.fullmatch(anchor):
        found = anchors.get(anchor)
        if found is not None and found[1][start:end] == txt:
            return found[0] + start, found[0] + end
    hits = [base for base, sentence in anchors.values() if sentence[start:end] == txt]
    if len(hits) == 1:
        return hits[0] + start, hits[0] + end
    return None


def _name(value: Any) -> str | None:
    return (value.replace("_", " ").strip() or None) if isinstance(value, str) else None


def _loaded_term(span: tuple[int, int], phrase: dict[str, Any]) -> GoldLoadedTerm:
    if phrase.get("aim", "dir") == "dir":
        target, polarity = _name(phrase.get("target")), _POLARITY.get(phrase.get("polarity", ""))
    else:
        target = _name(phrase.get("indirect-target-name"))
        polarity = _POLARITY.get(phrase.get("indirect-ally-opponent-sentiment", ""))
    voice = "quoted" if phrase.get("quote") == "yes" else None
    return GoldLoadedTerm(span=(span,), category="loaded_language", polarity=polarity, target=target, voice=voice)


def basil_record(stem: str, article: dict[str, Any], annotation: dict[str, Any], *, where: str) -> LabeledArticle:
    """One record from a BASIL article and its annotation object; ``where`` names the annotation file.

    Raises:
        AnnotationError: naming ``where`` and the phrase id when a lexical phrase is not found in its
            sentence at its ``start``/``end`` (nor in exactly one other sentence).

    """
    text, anchors = basil_text(article)
    phrases = annotation.get("phrase-level-annotations") or []
    if not isinstance(phrases, list):
        raise AnnotationError(f"{where}: field 'phrase-level-annotations' must be a list")
    terms: set[GoldLoadedTerm] = set()
    kept = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, dict):
            raise AnnotationError(f"{where}: phrase-level-annotations[{i}] must be an object")
        span = _locate(phrase, anchors)
        if phrase.get("bias") == "lex":
            if span is None:
                raise AnnotationError(
                    f"{where}: phrase {phrase.get('id')!r} ({phrase.get('txt')!r}) is not at "
                    f"[{phrase.get('start')}, {phrase.get('end')}] of its sentence"
                )
            terms.add(_loaded_term(span, phrase))
        kept.append(
            {
                "span": [list(span)] if span else None,
                **{k: phrase.get(k) for k in ("id", "bias", "polarity", "aim", "target", "quote", "speaker")},
            }
        )
    meta = {
        "source": BASIL_SOURCE,
        "outlet": article.get("source"),
        "date": article.get("date"),
        "title": article.get("title"),
        "url": article.get("url"),
        "uuid": article.get("uuid"),
        "triplet_uuid": article.get("triplet-uuid"),
        "main_event": article.get("main-event"),
        "relative_stance": (annotation.get("article-level-annotations") or {}).get("relative_stance"),
    }
    return LabeledArticle(
        id=f"basil-{stem}",
        text=text,
        layers=BASIL_LAYERS,
        loaded_terms=tuple(sorted(terms, key=lambda t: (t.span, t.target or "", t.polarity or ""))),
        extra={"meta": meta, "basil_phrases": kept},
    )


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise AnnotationError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def read_basil(path: str | Path) -> list[LabeledArticle]:
    """Labeled articles from a BASIL folder (the one holding ``articles/`` and ``annotations/``).

    Articles without an annotation file are skipped (not annotated).

    Example:
        >>> records = read_basil("../shared/data/basil")                    # doctest: +SKIP
        >>> len(records), sum(len(r.loaded_terms) for r in records)         # doctest: +SKIP
        (240, 360)

    Raises:
        FileNotFoundError: if ``path`` lacks ``articles/`` or ``annotations/``.
        AnnotationError: for unreadable JSON or a lexical phrase that is not where its offsets say.

    """
    path = Path(path)
    articles_dir, annotations_dir = path / "articles", path / "annotations"
    for folder in (articles_dir, annotations_dir):
        if not folder.is_dir():
            raise FileNotFoundError(f"{path}: not a BASIL folder (expected '{folder.name}/' inside)")
    records = []
    for article_path in sorted(articles_dir.glob("*/*.json")):
        annotation_path = annotations_dir / article_path.parent.name / f"{article_path.stem}_ann.json"
        if not annotation_path.is_file():
            continue
        article, annotation = _load_json(article_path), _load_json(annotation_path)
        records.append(basil_record(article_path.stem, article, annotation, where=str(annotation_path)))
    return records
