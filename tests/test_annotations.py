from __future__ import annotations

import json
from pathlib import Path

import pytest

from attribution.annotations import AnnotationError, LabeledArticle, parse_record, read_annotations, write_annotations

GOOD = {
    "id": "a1",
    "text": "Officials said it rained.",
    "layers": ["attributions"],
    "attributions": [
        {
            "source": [[0, 9]],
            "cue": [[10, 14]],
            "content": [[15, 24]],
            "source_type": "government",
            "anonymous": True,
            "via": None,
            "resolved_source": None,
            "stance": "neutral",
        }
    ],
    "meta": {"outlet": "Example"},
}


def test_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    record = parse_record(json.dumps(GOOD), where="x:1")
    assert record.attributions[0].source_type == "government"
    path = tmp_path / "out.jsonl"
    write_annotations([record], path)
    again = list(read_annotations(path))
    assert again == [record]
    assert json.loads(path.read_text())["meta"] == {"outlet": "Example"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": 5}, "field 'text' must be a string"),
        ({"id": None}, "field 'id' must be a string"),
        ({"layers": ["attributions", "vibes"]}, "unknown layer(s) ['vibes']"),
        ({"attributions": [{"cue": [[10, 99]]}]}, "attributions[0]: field 'cue' fragment [10, 99] is outside the text"),
        ({"attributions": [{"source": [[0, 9]]}]}, "attributions[0]: field 'cue' is required"),
        ({"attributions": [{"cue": [[14, 10]]}]}, "fragment [14, 10] is outside the text"),
        ({"attributions": [{"cue": [[1, "x"]]}]}, "expected [start, end] integers"),
        ({"attributions": [{"cue": [[1, 2]], "anonymous": "yes"}]}, "field 'anonymous' must be true, false or null"),
    ],
)
def test_errors_name_record_and_field(change: dict, message: str) -> None:
    with pytest.raises(AnnotationError) as info:
        parse_record(json.dumps({**GOOD, **change}), where="data.jsonl:7")
    assert str(info.value).startswith("data.jsonl:7")
    assert message in str(info.value)


def test_bad_json_line_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"bad.jsonl:3: not valid JSON"):
        list(read_annotations(path))


def test_layers_default_when_missing() -> None:
    record = parse_record(json.dumps({"id": "x", "text": "t"}), where="x")
    assert record == LabeledArticle(id="x", text="t", layers=(), attributions=(), extra={})
