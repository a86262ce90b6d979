from __future__ import annotations

from pathlib import Path

import pytest

from attribution.converters.polnear import polnear_record, read_polnear

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

TINY = Path(__file__).parent / "data" / "polnear_tiny"


def test_tiny_fixture_converts_with_discontinuous_content() -> None:
    [record] = list(read_polnear(TINY))
    assert record.id == "tiny_2016-01-01_clashes"
    first, second = record.attributions
    text = record.text
    assert text[slice(*first.source[0])] == "A military source"
    assert text[slice(*first.cue[0])] == "told"
    assert [text[s:e] for s, e in second.content] == ['"We will win,"', '"and soon."']
    assert text[slice(*second.source[0])] == "the general"


TEXT = "Officials said that the talks failed. That is all."


@pytest.mark.parametrize(
    ("content_spec", "expected"),
    [
        ("15 36", ["the talks failed"]),  # PolNeAR's "that" is left out (guidelines section 1)
        ("15 19;20 36", ["the talks failed"]),  # "that" as a fragment of its own
        ("20 36", ["the talks failed"]),  # already without it
        ("38 50", ["That is all."]),  # negative: capitalised "That" is a demonstrative
        ("15 19", ["that"]),  # negative: nothing after it
    ],
)
def test_content_without_complementizer(content_spec: str, expected: list[str]) -> None:
    ann = (
        f"T1\tSource 0 9\tx\nT2\tCue 10 14\tsaid\nT3\tContent {content_spec}\tx\n"
        "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n"
    )
    [attribution] = polnear_record("x", TEXT, ann).attributions
    assert [TEXT[s:e] for s, e in attribution.content] == expected


def test_not_a_polnear_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="expected a 'text/' folder"):
        list(read_polnear(tmp_path))


@pytest.mark.data
def test_real_dev_split_offsets_match_the_brat_text() -> None:
    records = list(read_polnear(SHARED_DATA / "polnear" / "dev"))
    assert len(records) == 84
    n = sum(len(r.attributions) for r in records)
    assert n > 1500
    for record in records:
        for a in record.attributions:
            for start, end in (*a.cue, *a.source, *a.content):
                assert 0 <= start < end <= len(record.text)
