from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from attribution.annotations import (
    AnnotationError,
    GoldAttribution,
    LabeledArticle,
    read_annotations,
    write_annotations,
)
from attribution.cli import LABELED_FORMATS, WRITABLE_FORMATS, main
from attribution.converters.conll import read_conll, write_conll
from attribution.converters.doccano import doccano_line, read_doccano, write_doccano
from attribution.converters.relations import attributions_from_links
from attribution.training import DataFormat, load_labeled

TEXT = (
    "À Kyiv, le général Dupont said on Monday that “the army is ready.” "
    "It was reported that the road to Odesa is closed.\n"
    "“We will win,” the général said, “and soon.”"
)


def at(phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(phrase, start + 1)
    return (start, start + len(phrase))


RECORD = LabeledArticle(
    id="kyiv-1",
    text=TEXT,
    layers=("attributions",),
    attributions=(
        GoldAttribution(cue=(at("said"),), source=(at("le général Dupont"),), content=(at("the army is ready."),)),
        GoldAttribution(cue=(at("was reported"),), content=(at("the road to Odesa is closed"),)),  # no source
        GoldAttribution(
            cue=(at("said", 1),), source=(at("the général"),), content=(at("We will win,"), at("and soon."))
        ),  # discontinuous content
    ),
    extra={"meta": {"outlet": "Example Wire"}},
)
OTHER = LabeledArticle(
    id="b2",
    text="Officials said it rained.",
    layers=("attributions",),
    attributions=(GoldAttribution(cue=((10, 14),), source=((0, 9),), content=((15, 24),)),),
)


def span_texts(record: LabeledArticle) -> list[tuple[str, ...]]:
    """Per attribution: source, cue and content texts with all whitespace removed (CoNLL rebuilds the text)."""

    def text(fragments: tuple[tuple[int, int], ...]) -> str:
        return " | ".join("".join(record.text[s:e].split()) for s, e in fragments)

    return [(text(a.source), text(a.cue), text(a.content)) for a in record.attributions]


def same_record(original: LabeledArticle, back: LabeledArticle) -> None:
    assert back == original


def same_span_texts(original: LabeledArticle, back: LabeledArticle) -> None:
    assert back.id == original.id
    assert back.layers == ("attributions",)
    assert span_texts(back) == span_texts(original)


ROUND_TRIPS: list[tuple[str, Callable[..., int], Callable[[Path], Iterator[LabeledArticle]], Callable[..., None]]] = [
    ("doccano", write_doccano, read_doccano, same_record),
    ("conll", write_conll, read_conll, same_span_texts),
]


@pytest.mark.parametrize(("name", "writer", "reader", "check"), ROUND_TRIPS, ids=[r[0] for r in ROUND_TRIPS])
def test_round_trip_through_jsonl(
    tmp_path: Path,
    name: str,
    writer: Callable[[Iterable[LabeledArticle], Path], int],
    reader: Callable[[Path], Iterator[LabeledArticle]],
    check: Callable[[LabeledArticle, LabeledArticle], None],
) -> None:
    source = tmp_path / "in.jsonl"
    write_annotations([RECORD, OTHER], source)
    exported = tmp_path / f"out.{name}"
    assert writer(read_annotations(source), exported) == 2
    back = tmp_path / "back.jsonl"
    assert write_annotations(reader(exported), back) == 2
    originals, results = list(read_annotations(source)), list(read_annotations(back))
    assert len(results) == len(originals)
    for original, result in zip(originals, results, strict=True):
        check(original, result)


def test_conll_layout_and_rebuilt_text(tmp_path: Path) -> None:
    path = tmp_path / "out.conll"
    write_conll([RECORD], path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# id = kyiv-1"
    assert lines[1:4] == ["À\tO", "Kyiv\tO", ",\tO"]
    assert "le\tB-SOURCE" in lines and "général\tI-SOURCE" in lines and "“\tO" in lines
    assert lines.count("") == 3  # one blank line after each of the three sentences
    [record] = read_conll(path)
    assert record.text.startswith("À Kyiv , le général Dupont said on Monday that “ the army is ready . ”")
    discontinuous = record.attributions[2]
    assert [record.text[s:e] for s, e in discontinuous.content] == ["We will win ,", "and soon ."]
    assert record.attributions[1].source == ()


def test_conll_reads_other_layouts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "other.conll"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\n"
        "He PRP B-NP B-SOURCE\nsaid VBD B-VP I-CUE\nno DT B-NP B-CONTENT\n\n"
        "-DOCSTART- -X- -X- O\n# newdoc id = second\n# a comment\n"
        "She\tB-SOURCE\nfrowned\tO\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="attribution.converters.conll"):
        first, second = read_conll(path)
    assert first.id == "other-1" and first.text == "He said no"
    assert [(a.source, a.cue, a.content) for a in first.attributions] == [(((0, 2),), ((3, 7),), ((8, 10),))]
    assert second.id == "second" and second.attributions == ()
    assert "1 tagged piece(s) not linked to any cue were left out: SOURCE 'She'" in caplog.text


def test_doccano_line_layout() -> None:
    shared = LabeledArticle(
        "s",
        "He said A and added B.",
        ("attributions", "source_profile"),
        (
            GoldAttribution(cue=((3, 7),), source=((0, 2),), content=((8, 9),), source_type="political"),
            GoldAttribution(cue=((14, 19),), source=((0, 2),), content=((20, 21),)),
        ),
    )
    line = doccano_line(shared, line_id=7)
    assert line["id"] == 7 and line["article_id"] == "s" and "meta" not in line
    assert [(e["label"], e["start_offset"]) for e in line["entities"]] == [
        ("Cue", 3),
        ("Source", 0),
        ("Content", 8),
        ("Cue", 14),
        ("Content", 20),
    ]  # the shared source is written once
    by_offset = {e["start_offset"]: e["id"] for e in line["entities"]}
    assert [(r["from_id"], r["to_id"], r["type"]) for r in line["relations"]] == [
        (by_offset[3], by_offset[0], "source"),
        (by_offset[3], by_offset[8], "content"),
        (by_offset[14], by_offset[0], "source"),
        (by_offset[14], by_offset[20], "content"),
    ]


def test_doccano_reads_doccano_export_lines(tmp_path: Path) -> None:
    """A line as doccano exports it: its own ids, no article_id, relations in either direction, a split cue."""
    export = {
        "id": 6400,
        "text": "Officials, it was said, saw rain.",
        "Comments": [],
        "entities": [
            {"id": 11, "label": "cue", "start_offset": 14, "end_offset": 17},
            {"id": 12, "label": "Cue", "start_offset": 18, "end_offset": 22},
            {"id": 13, "label": "CONTENT", "start_offset": 24, "end_offset": 32},
        ],
        "relations": [
            {"id": 1, "from_id": 11, "to_id": 12, "type": "cue"},
            {"id": 2, "from_id": 13, "to_id": 11, "type": "content-of"},
        ],
    }
    path = tmp_path / "all.jsonl"
    path.write_text(json.dumps(export) + "\n", encoding="utf-8")
    [record] = read_doccano(tmp_path)  # a folder: its *.jsonl files
    assert record.id == "6400" and record.extra == {}
    assert record.attributions == (GoldAttribution(cue=((14, 17), (18, 22)), content=((24, 32),)),)


GOOD_LINE: dict[str, Any] = doccano_line(OTHER, line_id=1)  # entities 1 Cue, 2 Source, 3 Content; relations 1, 2


def _changed(**changes: Any) -> dict[str, Any]:
    line = json.loads(json.dumps(GOOD_LINE))
    for key, value in changes.items():
        if key[-1].isdigit() and key.startswith("entity"):
            line["entities"][int(key[-1]) - 1].update(value)
        elif key[-1].isdigit() and key.startswith("relation"):
            line["relations"][int(key[-1]) - 1].update(value)
        else:
            line[key] = value
    return line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_changed(entity3={"end_offset": 99}), "entity 3: offsets [15, 99] are outside the text (length 25)"),
        (_changed(entity3={"start_offset": -1}), "entity 3: offsets [-1, 24] are outside the text"),
        (_changed(entity2={"label": "Speaker"}), "entity 2: unknown label 'Speaker'; expected one of"),
        (_changed(relation2={"to_id": 99}), "relation 2: to_id 99 is not the id of an entity of this line"),
        (_changed(relation1={"from_id": None}), "relation 1: from_id None is not the id of an entity"),
        (_changed(relations=GOOD_LINE["relations"][1:]), "entity 2 (Source [0, 9]) is not related to any Cue"),
        (_changed(relations=[]), "entity 2 (Source [0, 9]) is not related to any Cue"),
        (_changed(relation2={"from_id": 2}), "relation 2: links entity 2 (source) to entity 3 (content)"),
        (_changed(entity2={"id": 1}), "entity 1: the id is used by two entities"),
        (_changed(text=None), "field 'text' must be a string"),
        (_changed(entities=None), "field 'entities' must be a list"),
        ({"id": 5, "text": "x", "label": [[0, 1, "Cue"]]}, "no field 'entities' (this looks like a sequence-labeling"),
    ],
)
def test_doccano_errors_name_line_and_item(tmp_path: Path, line: dict[str, Any], message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD_LINE) + "\n\n" + json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as info:
        list(read_doccano(path))
    assert str(info.value).startswith(f"{path}:3")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_doccano_bad_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": \n', encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"bad\.jsonl:1: not valid JSON"):
        list(read_doccano(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# id = a\nHe\tB-SOURCE\nsaid\tB-SPEAKER\n", ":3: unknown tag 'B-SPEAKER'; expected one of"),
        ("# id = a\nHe\tB-SOURCE\nsaid\n", ":3: expected 'token<TAB>tag', got 'said'"),
        ("He\tE-CUE\n", ":1: unknown tag 'E-CUE'"),
    ],
)
def test_conll_errors_name_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AnnotationError) as info:
        list(read_conll(path))
    assert str(info.value).startswith(f"{path}{message}")


def test_formats_are_wired_in(tmp_path: Path) -> None:
    assert set(LABELED_FORMATS) == set(get_args(DataFormat))
    assert {"doccano", "conll"} <= set(WRITABLE_FORMATS)
    path = tmp_path / "x.jsonl"
    write_doccano([OTHER], path)
    assert load_labeled([path], "doccano") == [OTHER]
    with pytest.raises(ValueError, match="unknown data format 'brat'"):
        load_labeled([path], "brat")  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["doccano", "conll", "labelstudio"])
def test_cli_convert_round_trip(tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    write_annotations([RECORD], source)
    exported = tmp_path / f"out.{target}"
    assert main(["convert", "--from", "jsonl", "--to", target, str(source), str(exported)]) == 0
    back = tmp_path / "back.jsonl"
    assert main(["convert", "--from", target, "--to", "jsonl", str(exported), str(back)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote 1 record(s) to {exported}", f"wrote 1 record(s) to {back}"]
    [result] = read_annotations(back)
    same_span_texts(RECORD, result)
    if target != "conll":
        assert result == RECORD


def test_cli_convert_bad_doccano_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_changed(entity2={"label": "Speaker"})) + "\n", encoding="utf-8")
    assert main(["convert", "--from", "doccano", "--to", "jsonl", str(bad), str(tmp_path / "out.jsonl")]) == 2
    assert f"{bad}:1 (id 'b2'): entity 2: unknown label 'Speaker'" in capsys.readouterr().err


# --------------------------------------------------------------------------- attributions_from_links

_PIECES = {"c1": ("cue", 10, 14), "c2": ("cue", 20, 22), "c3": ("cue", 30, 33), "s": ("source", 0, 9)}
_PIECES_WITH_CONTENT = {**_PIECES, "t": ("content", 40, 45)}


@pytest.mark.parametrize(
    ("pieces", "links", "profiles", "expected"),
    [
        ({"c1": ("cue", 10, 14)}, [], None, [GoldAttribution(cue=((10, 14),))]),
        (
            _PIECES,
            [("s", "c1", "r1"), ("c2", "c1", "r2")],
            None,
            [GoldAttribution(cue=((10, 14), (20, 22)), source=((0, 9),)), GoldAttribution(cue=((30, 33),))],
        ),
        (
            _PIECES_WITH_CONTENT,
            [("c3", "s", "r1"), ("c1", "t", "r2"), ("c3", "t", "r3")],
            {"c3": {"stance": "neutral"}, "c1": {"source_type": "military"}},
            [
                GoldAttribution(cue=((10, 14),), content=((40, 45),), source_type="military"),
                GoldAttribution(cue=((20, 22),)),
                GoldAttribution(cue=((30, 33),), source=((0, 9),), content=((40, 45),), stance="neutral"),
            ],
        ),
        (
            _PIECES,
            [("c1", "s", "r1"), ("c3", "c1", "r2")],
            {"c3": {"stance": "against"}, "c1": {"stance": "neutral"}},
            [
                GoldAttribution(cue=((10, 14), (30, 33)), source=((0, 9),), stance="neutral"),
                GoldAttribution(cue=((20, 22),)),
            ],
        ),
    ],
    ids=["lone-cue", "discontinuous-cue", "shared-content-and-profiles", "first-cue-piece-profile-wins"],
)
def test_attributions_from_links(
    pieces: dict[str, tuple[str, int, int]],
    links: list[tuple[str, str, str]],
    profiles: dict[str, dict[str, Any]] | None,
    expected: list[GoldAttribution],
) -> None:
    found = attributions_from_links(
        pieces, links, mislinked=lambda a, b, at: at, unlinked=lambda pid: pid, profiles=profiles
    )
    assert found == tuple(expected)


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ([("s", "t", "r1")], "mislinked s t r1"),
        ([("c1", "s", "r1")], "unlinked t"),
        ([("c1", "c2", "r1")], "unlinked s"),
        ([("c1", "s", "r1"), ("t", "s", "r2"), ("c1", "t", "r3")], "mislinked t s r2"),
    ],
)
def test_attributions_from_links_errors(links: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(AnnotationError, match=f"^{message}$"):
        attributions_from_links(
            _PIECES_WITH_CONTENT,
            links,
            mislinked=lambda a, b, at: f"mislinked {a} {b} {at}",
            unlinked=lambda pid: f"unlinked {pid}",
        )


def test_attributions_from_links_reads_links_lazily() -> None:
    def links() -> Iterator[tuple[str, str, str]]:
        yield "s", "t", "r1"
        raise AssertionError("read past the first bad relation")

    with pytest.raises(AnnotationError, match="^r1$"):
        attributions_from_links(_PIECES_WITH_CONTENT, links(), mislinked=lambda a, b, at: at, unlinked=str)
