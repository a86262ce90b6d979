from __future__ import annotations

from pathlib import Path

import pytest

from attribution.converters.polnear import read_polnear

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
