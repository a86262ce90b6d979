"""Sentence segmentation with article-level offsets.

Lines are split first (a sentence never crosses a line break), boilerplate ranges are
skipped, and each line is split by pysbd's rule set. Offsets index the article text as
given; leading and trailing whitespace is never part of a sentence.

Example:
    >>> from attribution.records import Article
    >>> article = Article(id="a", text="Sen. Smith spoke. Troops left the U.S. base.\\nA source said so.")
    >>> [s.text for s in RuleSegmenter()(article)]
    ['Sen. Smith spoke.', 'Troops left the U.S. base.', 'A source said so.']

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from attribution.records import Article, Sentence

_LINE = re.compile(r"[^\n]+")
# pysbd splits after these even when a name or number follows; rejoin them.
_NO_BREAK_AFTER = re.compile(
    r"(?:\b(?:Sen|Rep|Gov|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|No|Vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Thu|Thurs|Fri|Sat|Sun|Inc|Corp|Co|Ltd|vs|v|Fr|Rev|Sgt)\.|\b[A-Z]-[A-Z][a-z]{1,2}\.,?)$"
)


class SentenceSegmenter(Protocol):
    """Anything that turns an article into offset-carrying sentences."""

    def __call__(self, article: Article) -> list[Sentence]:
        """Split ``article`` into sentences with article-level offsets."""
        ...


class RuleSegmenter:
    """Line-aware pysbd segmenter with news abbreviation fixes.

    Args:
        max_chars: Sentences longer than this are cut at the last space before the limit, so
            a run-on line (lists, tables) cannot produce a window the encoder cannot take.

    """

    def __init__(self, *, max_chars: int = 1500) -> None:
        self.max_chars = max_chars

    @cached_property
    def _pysbd(self) -> Any:
        import pysbd

        return pysbd.Segmenter(language="en", clean=False)

    def _split_line(self, line: str) -> list[tuple[int, int]]:
        pieces = self._pysbd.segment(line)
        spans: list[tuple[int, int]] = []
        cursor = 0
        for piece in pieces:
            stripped = piece.strip()
            if not stripped:
                continue
            start = line.find(stripped, cursor)
            if start < 0:  # pysbd altered the text; fall back to the whole remainder
                start = cursor
                stripped = line[cursor:].strip()
                if not stripped:
                    break
                start = line.find(stripped, cursor)
            end = start + len(stripped)
            if spans and _NO_BREAK_AFTER.search(line[spans[-1][0] : spans[-1][1]]):
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
            cursor = end
        return spans

    def _cut_long(self, start: int, end: int, text: str) -> list[tuple[int, int]]:
        out = []
        while end - start > self.max_chars:
            cut = text.rfind(" ", start + 1, start + self.max_chars)
            cut = cut if cut > start else start + self.max_chars
            out.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            out.append((start, end))
        return out

    def __call__(self, article: Article) -> list[Sentence]:
        """Split ``article`` into sentences, skipping its excluded (boilerplate) ranges."""
        text = article.text
        excluded = sorted(article.excluded)
        sentences: list[Sentence] = []
        for match in _LINE.finditer(text):
            if not match.group().strip():
                continue
            if any(s <= match.start() and match.end() <= e for s, e in excluded):
                continue
            for rel_start, rel_end in self._split_line(match.group()):
                start, end = match.start() + rel_start, match.start() + rel_end
                for piece_start, piece_end in self._cut_long(start, end, text):
                    sentences.append(Sentence(len(sentences), piece_start, piece_end, text[piece_start:piece_end]))
        return sentences


def boundary_scores(paths: Sequence[Path], segmenter: SentenceSegmenter) -> dict[str, float]:
    """Sentence-boundary precision/recall/F1 against one-sentence-per-line files.

    Each file is a title line, a blank line, then one sentence per line (the SemEval PTC layout).
    The body lines are joined with single spaces, segmented, and predicted sentence ends are
    compared with the gold line ends (the trivial end of the text is not counted).
    """
    from attribution.evaluation import prf

    tp = n_pred = n_gold = 0
    for path in paths:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        body = lines[1:] if len(lines) > 1 else lines
        text = " ".join(body)
        gold, cursor = set(), 0
        for line in body[:-1]:
            cursor += len(line)
            gold.add(cursor)
            cursor += 1
        predicted = {s.end for s in segmenter(Article(id=path.stem, text=text))} - {len(text)}
        tp += len(gold & predicted)
        n_pred += len(predicted)
        n_gold += len(gold)
    return {**prf(tp, n_pred, tp, n_gold), "articles": len(paths), "gold_boundaries": n_gold}
