from __future__ import annotations

import pytest

from attribution.records import Article
from attribution.segmenter import RuleSegmenter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sen. Smith spoke. Troops left.", ["Sen. Smith spoke.", "Troops left."]),
        ("The U.S. Army said so. Then it left.", ["The U.S. Army said so.", "Then it left."]),
        (
            "Gen. Ali Mahmoud told FNA on Wed. evening that the road was open.",
            ["Gen. Ali Mahmoud told FNA on Wed. evening that the road was open."],
        ),
        (
            "Prices rose 3.5% in March. Analysts were surprised.",
            ["Prices rose 3.5% in March.", "Analysts were surprised."],
        ),
        ('"We will win," he said. "They will lose."', ['"We will win," he said.', '"They will lose."']),
        ("Title line\n\nFirst sentence. Second one.", ["Title line", "First sentence.", "Second one."]),
        ("   \n\n  ", []),
        ("no final punctuation", ["no final punctuation"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert [s.text for s in RuleSegmenter()(Article(id="t", text=text))] == expected


def test_offsets_index_the_text_and_indices_are_consecutive() -> None:
    text = "  Lead para. Second sentence here!\nNext line?  Yes.  "
    sentences = RuleSegmenter()(Article(id="t", text=text))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_excluded_lines_are_skipped_but_offsets_kept() -> None:
    text = "Share this article\nThe army advanced. Clashes went on."
    sentences = RuleSegmenter()(Article(id="t", text=text, excluded=((0, 18),)))
    assert [s.text for s in sentences] == ["The army advanced.", "Clashes went on."]
    assert sentences[0].start == 19


def test_overlong_sentence_is_cut_at_a_space() -> None:
    text = " ".join(["word"] * 100)
    sentences = RuleSegmenter(max_chars=50)(Article(id="t", text=text))
    assert len(sentences) > 1
    assert all(len(s.text) <= 50 for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)
