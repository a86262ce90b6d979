"""Label Studio round trips for every annotation layer, the labeling config, and bad regions."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from attribution.annotations import (
    TECHNIQUES,
    AnnotationError,
    GoldAttribution,
    GoldLoadedTerm,
    GoldSentenceLabel,
    GoldTechnique,
    LabeledArticle,
    read_annotations,
    write_annotations,
)
from attribution.cli import main
from attribution.converters.labelstudio import (
    LABEL_CONFIG,
    labelstudio_record,
    labelstudio_task,
    read_labelstudio,
    write_labelstudio,
)

TEXT = (
    'Officials said the so-called "liberation" of the city by foreign-backed thugs was a massacre. '
    "According to Reuters, it noted that the regime had allegedly fired at the crowd."
)


def at(piece: str, occurrence: int = 0) -> tuple[int, int]:
    """``(start, end)`` of the ``occurrence``-th match of ``piece`` in TEXT."""
    start = [m.start() for m in re.finditer(re.escape(piece), TEXT)][occurrence]
    return start, start + len(piece)


FIRST = (0, TEXT.index("According") - 1)
SECOND = (TEXT.index("According"), len(TEXT))
SAID = GoldAttribution(cue=(at("said"),), source=(at("Officials"),), content=(at("the so-called"), at("massacre")))
NOTED = GoldAttribution(
    cue=(at("noted"),), source=(at("it"),), content=(at("the regime had allegedly fired at the crowd"),)
)
PROFILED = (
    GoldAttribution(
        cue=SAID.cue,
        source=SAID.source,
        content=SAID.content,
        source_type="government",
        anonymous=True,
        stance="neutral",
    ),
    # A relay, a resolved pronoun, and a discontinuous cue ("According ... to").
    GoldAttribution(
        cue=(at("According"), (at("According")[1] + 1, at("According")[1] + 3)),
        source=(at("it"),),
        content=NOTED.content,
        via=(at("Reuters"),),
        source_type="media",
        anonymous=False,
        resolved_source="Reuters",
    ),
    # Only a resolved source, and a discontinuous via.
    GoldAttribution(
        cue=NOTED.cue, source=(at("it"),), via=(at("Officials"), at("Reuters")), resolved_source="the city"
    ),
)
TERMS = (
    GoldLoadedTerm((at("thugs"),), "name_calling", "negative", "the fighters", "indirect"),
    GoldLoadedTerm((at("foreign-backed"),), "delegitimizing"),
    GoldLoadedTerm((at("massacre"),), "loaded_language", voice="narrator"),
    GoldLoadedTerm((at("the"), at("regime")), "name_calling", polarity="negative"),  # discontinuous
)
TECHNIQUE_SPANS = (
    GoldTechnique((at("thugs"),), "Name_Calling,Labeling"),
    GoldTechnique((at("massacre"),), "Loaded_Language"),
    GoldTechnique((at("Officials said"), at("liberation")), "Appeal_to_Authority"),  # discontinuous
    GoldTechnique((at("massacre"),), "Exaggeration,Minimisation"),  # same span, another technique
)
SENTENCES = (
    GoldSentenceLabel((FIRST,), True),
    GoldSentenceLabel((SECOND,), False),
    GoldSentenceLabel((at("Officials said"), at("massacre")), True),  # several fragments
)
DISTANCING = [
    {"span": [list(at("so-called"))], "target": [list(at('"liberation"'))]},
    {"span": [list(at("allegedly"))], "target": [list(at("fired at")), list(at("the crowd"))]},  # split target
    {"span": [list(at('"liberation"'))], "target": None},  # scare quotes without a target
    {"span": [list(at("so")), list(at("called"))], "target": [list(at("liberation"))]},  # split marker
]
META = {"outlet": "Example Wire"}


def record(layers: tuple[str, ...], **fields: Any) -> LabeledArticle:
    return LabeledArticle(id="ls-layers", text=TEXT, layers=layers, **fields)


ALL_LAYERS = record(
    ("attributions", "source_profile", "loaded_terms", "techniques", "distancing", "sentence_labels"),
    attributions=PROFILED,
    extra={"meta": META, "distancing": DISTANCING},
    loaded_terms=TERMS,
    techniques=TECHNIQUE_SPANS,
    sentence_labels=SENTENCES,
)
ROUND_TRIPS = {
    "attributions": record(("attributions",), attributions=(SAID, NOTED)),
    "no attributions": record(("attributions",)),
    "source_profile": record(("attributions", "source_profile"), attributions=PROFILED),
    "via only": record(
        ("attributions", "source_profile"), attributions=(GoldAttribution(NOTED.cue, via=(at("Reuters"),)),)
    ),
    "resolved_source only": record(
        ("attributions", "source_profile"), attributions=(GoldAttribution(NOTED.cue, resolved_source="Reuters"),)
    ),
    "loaded_terms": record(("attributions", "loaded_terms"), loaded_terms=TERMS),
    "techniques": record(("attributions", "techniques"), techniques=TECHNIQUE_SPANS),
    "every technique": record(
        ("attributions", "techniques"),
        techniques=tuple(GoldTechnique(((k, k + 1),), name) for k, name in enumerate(TECHNIQUES)),
    ),
    "sentence_labels": record(("attributions", "sentence_labels"), sentence_labels=SENTENCES),
    "distancing": record(("attributions", "distancing"), extra={"distancing": DISTANCING}),
    "all layers": ALL_LAYERS,
}


@pytest.mark.parametrize("original", list(ROUND_TRIPS.values()), ids=list(ROUND_TRIPS))
def test_round_trip_is_exact(original: LabeledArticle, tmp_path: Path) -> None:
    task = labelstudio_task(original)
    assert labelstudio_record(task, where="inline") == original
    path = tmp_path / "tasks.json"
    assert write_labelstudio([original], path) == 1
    assert list(read_labelstudio(path)) == [original]
    for item in task["annotations"][0]["result"]:
        if item["type"] == "labels":  # every region shows its text, so offsets counted another way fail loudly
            value = item["value"]
            assert value["text"] == TEXT[value["start"] : value["end"]]


def test_all_layers_survive_jsonl_and_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    write_annotations([ALL_LAYERS], source)
    assert list(read_annotations(source)) == [ALL_LAYERS]  # the JSONL form of distancing is the one read back
    tasks, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    assert main(["convert", "--from", "jsonl", "--to", "labelstudio", str(source), str(tasks)]) == 0
    assert main(["convert", "--from", "labelstudio", "--to", "jsonl", str(tasks), str(back)]) == 0
    assert (
        main(["convert", "--from", "labelstudio", "--to", "labelstudio", str(tasks), str(tmp_path / "again.json")]) == 0
    )
    capsys.readouterr()
    assert list(read_annotations(back)) == [ALL_LAYERS]
    assert json.loads((tmp_path / "again.json").read_text(encoding="utf-8")) == json.loads(tasks.read_text("utf-8"))


def test_task_layout() -> None:
    result = labelstudio_task(ALL_LAYERS)["annotations"][0]["result"]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for item in result:
        by_id.setdefault(item.get("id", ""), []).append(item)
    via = by_id["a1-via0"][0]
    assert via["from_name"] == "label" and via["value"]["labels"] == ["Via"] and via["value"]["text"] == "Reuters"
    assert {"type": "relation", "from_id": "a1-cue0", "to_id": "a1-via0", "direction": "right"} in result
    resolved = [r for r in by_id["a1-cue0"] if r["from_name"] == "resolved_source"]
    assert resolved == [
        {
            "id": "a1-cue0",
            "from_name": "resolved_source",
            "to_name": "text",
            "type": "textarea",
            "value": {"start": at("According")[0], "end": at("According")[1], "text": ["Reuters"]},
        }
    ]
    assert by_id["p0-0"][0]["from_name"] == "technique" and by_id["p0-0"][0]["value"]["labels"] == [
        "Name_Calling,Labeling"
    ]
    assert {"type": "relation", "from_id": "p2-0", "to_id": "p2-1", "direction": "right"} in result
    assert [by_id[f"s{k}-0"][0]["value"]["labels"] for k in range(3)] == [["biased"], ["not_biased"], ["biased"]]
    assert by_id["d1-0"][0]["value"]["labels"] == ["Marker"] and by_id["d1-target1"][0]["value"]["labels"] == ["Target"]
    assert {"type": "relation", "from_id": "d1-0", "to_id": "d1-target1", "direction": "right"} in result
    assert "d2-target0" not in by_id  # no target
    # Without the source_profile layer, Via regions and resolved_source are not written (they belong to that layer).
    plain = labelstudio_task(record(("attributions",), attributions=PROFILED))["annotations"][0]["result"]
    assert {r["value"]["labels"][0] for r in plain if r["type"] == "labels"} == {"Cue", "Source", "Content"}
    assert all(r["type"] in ("labels", "relation") for r in plain)


def test_label_config_declares_every_control_and_label_written() -> None:
    root = ET.fromstring(LABEL_CONFIG)
    labels = {tag.get("name"): {label.get("value") for label in tag.iter("Label")} for tag in root.iter("Labels")}
    per_region = {tag.get("name") for tag in root.iter() if tag.get("perRegion") == "true"}
    assert labels["technique"] == set(TECHNIQUES) and labels["sentence_bias"] == {"biased", "not_biased"}
    assert labels["distancing"] == {"Marker", "Target"} and labels["label"] == {"Source", "Cue", "Content", "Via"}
    for item in labelstudio_task(ALL_LAYERS)["annotations"][0]["result"]:
        if item["type"] == "labels":
            assert item["value"]["labels"][0] in labels[item["from_name"]], item
        elif item["type"] in ("choices", "textarea"):
            assert item["from_name"] in per_region, item


def test_layers_follow_the_controls_present() -> None:
    def layers(*result: dict[str, Any]) -> tuple[str, ...]:
        return labelstudio_record(_task(*result), where="inline").layers

    assert layers() == ("attributions",)
    assert layers(CUE, _textarea("c", "resolved_source", ["the police"])) == ("attributions", "source_profile")
    assert layers(CUE, VIA, _link("c", "v")) == ("attributions", "source_profile")
    assert layers(_region("x", "technique", "Doubt", 0, 6)) == ("attributions", "techniques")
    assert layers(_region("x", "sentence_bias", "not_biased", 0, 30)) == ("attributions", "sentence_labels")
    assert layers(_region("x", "distancing", "Marker", 0, 6)) == ("attributions", "distancing")
    # A layer listed but empty travels in data.layers, so it reads back as annotated with nothing in it.
    empty = labelstudio_task(record(("attributions", "techniques", "sentence_labels")))
    assert labelstudio_record(empty, where="inline").layers == ("attributions", "techniques", "sentence_labels")


def test_reads_label_studio_style_regions() -> None:
    """Ids of Label Studio's own, no ``value.text``, relations drawn either way round."""
    result = [
        _region("M1", "distancing", "Marker", 0, 6),
        _region("T1", "distancing", "Target", 7, 11),
        _region("T2", "distancing", "Target", 12, 17),
        _link("T1", "M1"),  # drawn from the target to the marker
        _link("M1", "T2"),
        _region("P1", "technique", "Doubt", 18, 22),
        _region("P2", "technique", "Doubt", 23, 29),
        _link("P2", "P1"),
        _region("c", "label", "Cue", 7, 11),
        _region("V", "label", "via", 0, 6),  # case-insensitive, as Cue/Source/Content
        _link("V", "c"),
    ]
    for item in result:
        item.get("value", {}).pop("text", None)
    back = labelstudio_record(_task(*result), where="inline")
    assert back.extra["distancing"] == [{"span": [[0, 6]], "target": [[7, 11], [12, 17]]}]
    assert back.techniques == (GoldTechnique(((18, 22), (23, 29)), "Doubt"),)
    assert back.attributions == (GoldAttribution(cue=((7, 11),), via=((0, 6),)),)


# --------------------------------------------------------------------------- bad regions

TASK_TEXT = "Police said roads were closed."


def _task(*result: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"text": TASK_TEXT, "id": "t1"}, "annotations": [{"result": list(result)}]}


def _region(region_id: str, control: str, label: str, start: int, end: int, **value: Any) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": TASK_TEXT[start:end], "labels": [label], **value}
    return {"id": region_id, "from_name": control, "to_name": "text", "type": "labels", "value": value}


def _link(source: str, target: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": source, "to_id": target, "direction": "right"}


def _textarea(region_id: str, name: str, typed: Any) -> dict[str, Any]:
    return {"id": region_id, "from_name": name, "to_name": "text", "type": "textarea", "value": {"text": typed}}


CUE = _region("c", "label", "Cue", 7, 11)
VIA = _region("v", "label", "Via", 0, 6)
RESULT = r"field 'annotations\[0\]\.result"


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ((_region("x", "technique", "Propaganda", 0, 6),), RESULT + r"\[0\]\.value\.labels' must be one technique of"),
        (
            (_region("x", "sentence_bias", "neutral", 0, 6),),
            RESULT + r"\[0\]\.value\.labels' must be one sentence label",
        ),
        (
            (_region("x", "distancing", "so-called", 0, 6),),
            RESULT + r"\[0\]\.value\.labels' must be one distancing label",
        ),
        (
            (_region("x", "technique", "Doubt", 0, 6), _region("y", "technique", "Doubt", 7, 99)),
            RESULT + r"\[1\]\.value': \[7, 99\] is outside",
        ),
        (
            (_region("x", "sentence_bias", "biased", 0, 6, text="Polic"),),
            RESULT + r"\[0\]\.value\.text' is 'Polic' but text\[0:6\]",
        ),
        ((_region("x", "distancing", "Marker", -1, 6),), RESULT + r"\[0\]\.value': \[-1, 6\] is outside"),
        (
            ({**_region("x", "technique", "Doubt", 0, 6), "value": {"start": "0", "end": 6, "labels": ["Doubt"]}},),
            RESULT + r"\[0\]\.value\.start' must be an integer",
        ),
        (
            (_region("x", "technique", "Doubt", 0, 6), _link("x", "zz")),
            RESULT + r"\[1\]\.to_id': no region has id 'zz'",
        ),
        (
            (_region("x", "sentence_bias", "biased", 0, 6), _link("gone", "x")),
            RESULT + r"\[1\]\.from_id': no region has id 'gone'",
        ),
        (
            (_region("x", "technique", "Doubt", 0, 6), _region("y", "sentence_bias", "biased", 0, 30), _link("x", "y")),
            RESULT + r"\[2\]': relation 'x' -> 'y' links a technique span to another kind of region",
        ),
        (
            (CUE, _region("d", "distancing", "Target", 0, 6), _link("c", "d")),
            RESULT + r"\[2\]': relation 'c' -> 'd' links a distancing region to another kind of region",
        ),
        (
            (_region("x", "technique", "Doubt", 0, 6), _region("y", "technique", "Slogans", 12, 17), _link("x", "y")),
            r"the pieces \['x', 'y'\] of one technique span have different techniques",
        ),
        (
            (
                _region("x", "sentence_bias", "biased", 0, 6),
                _region("y", "sentence_bias", "not_biased", 12, 17),
                _link("y", "x"),
            ),
            r"the pieces \['x', 'y'\] of one sentence have different labels",
        ),
        (
            (_region("d", "distancing", "Target", 0, 6),),
            r"region 'd' \(distancing Target \[0, 6\]\) is not related to any Marker",
        ),
        (
            (_region("d", "distancing", "Target", 0, 6), _region("e", "distancing", "Target", 7, 11), _link("d", "e")),
            RESULT + r"\[2\]': relation 'd' -> 'e' links a Target to a Target",
        ),
        ((CUE, VIA), r"region 'v' \(via \[0, 6\]\) is not related to any Cue region"),
        (
            (_region("s", "label", "Source", 0, 6), VIA, _link("s", "v")),
            RESULT + r"\[2\]': relation 's' -> 'v' links a source to a via; relations must link a Cue to its Source",
        ),
        (
            (_textarea("c", "resolved_source", ["Police"]),),
            RESULT + r"\[0\]\.id': no Source/Cue/Content/Via region has id 'c'",
        ),
        (
            (CUE, _textarea("c", "resolved_source", "Police")),
            RESULT + r"\[1\]\.value\.text' must be a list with one string",
        ),
        (
            (CUE, _textarea("c", "resolved_source", ["a", "b"])),
            RESULT + r"\[1\]\.value\.text' must be a list with one string",
        ),
        (
            (_region("x", "technique", "Doubt", 0, 6), _region("x", "sentence_bias", "biased", 0, 6)),
            r"region id 'x' is used twice",
        ),
    ],
)
def test_bad_regions_name_the_task_and_field(tmp_path: Path, result: tuple[dict[str, Any], ...], expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([_task(), _task(*result)]), encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        list(read_labelstudio(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: task 1 (id 't1'): ") and "\n" not in message, message
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    ("distancing", "expected"),
    [
        ("so-called", r"record 'ls-layers': field 'distancing' must be a list"),
        ([{"target": [[0, 4]]}], r"record 'ls-layers': distancing\[0\]: field 'span' is required"),
        ([{"span": [[0, 9999]]}], r"distancing\[0\]: field 'span' fragment \[0, 9999\] is outside the text"),
    ],
)
def test_writing_bad_distancing_names_the_record(distancing: Any, expected: str) -> None:
    bad = record(("attributions", "distancing"), extra={"distancing": distancing})
    with pytest.raises(AnnotationError, match=expected):
        labelstudio_task(bad)


# --------------------------------------------------------------------------- the review page's export (browser)

RELAY_TEXT = "A military source told FNA that the road was closed. It said the city was calm."


@pytest.mark.browser
def test_review_page_export_carries_via_and_resolved_source(tmp_path: Path) -> None:
    """The page's Label Studio export equals the Python writer's task for its JSONL export, relay included."""
    from browser_helpers import chromium_page
    from test_html_report import PROVENANCE, sentences_of
    from test_html_report import span as piece

    from attribution.aggregate import aggregate
    from attribution.annotations import parse_record
    from attribution.records import Article, Attribution
    from attribution.report.html_report import render_html

    text = RELAY_TEXT
    told = Attribution(
        cue=(piece(text, "CUE", "told", 0),),
        source=(piece(text, "SOURCE", "A military source", 0),),
        content=(piece(text, "CONTENT", "the road was closed", 0),),
        kind="indirect",
        sentence_index=0,
        score=0.9,
        via=(piece(text, "SOURCE", "FNA", 0),),
    )
    said = Attribution(
        cue=(piece(text, "CUE", "said", 1),),
        source=(piece(text, "SOURCE", "It", 1),),
        content=(piece(text, "CONTENT", "the city was calm", 1),),
        kind="indirect",
        sentence_index=1,
        score=0.9,
        resolved_source="FNA",
    )
    report = aggregate(Article(id="relay-1", text=text), sentences_of(text), [told, said], PROVENANCE)
    (page_path := tmp_path / "report.html").write_text(render_html(report), encoding="utf-8")
    downloads = {}
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_path.resolve().as_uri())
        page.locator("#a-0 select.source-type").select_option("military")  # touched: the source_profile layer
        for button in ("#export-jsonl", "#export-labelstudio"):
            with page.expect_download() as info:
                page.locator(button).click()
            downloads[button] = Path(info.value.path()).read_text(encoding="utf-8")
        assert errors == []
    exported = parse_record(downloads["#export-jsonl"], where="export:1")
    assert exported.layers == ("attributions", "source_profile")
    relay, resolved = exported.attributions
    assert relay.via == ((text.index("FNA"), text.index("FNA") + 3),) and resolved.resolved_source == "FNA"
    tasks = json.loads(downloads["#export-labelstudio"])
    assert tasks == [labelstudio_task(exported)]
    result = tasks[0]["annotations"][0]["result"]
    assert [r["value"]["text"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Via"]] == ["FNA"]
    assert [r["value"]["text"] for r in result if r.get("from_name") == "resolved_source"] == [["FNA"]]
    (path := tmp_path / "export.json").write_text(downloads["#export-labelstudio"], encoding="utf-8")
    (back,) = read_labelstudio(path)
    assert back.attributions == exported.attributions and back.layers == exported.layers


@pytest.mark.parametrize(
    ("layers", "result", "expected"),
    [
        pytest.param(None, [], ("attributions",), id="undeclared-annotated-task-is-attributions"),
        pytest.param(["sentence_labels"], [], ("sentence_labels",), id="declared-empty-layer-counts"),
        pytest.param(["loaded_terms"], [], ("loaded_terms",), id="terms-only-project-not-scored-on-attributions"),
        pytest.param([], [], (), id="declared-nothing"),
    ],
)
def test_declared_layers(layers, result, expected) -> None:  # type: ignore[no-untyped-def]
    data = {"text": "Officials said it rained.", "id": "t1"}
    if layers is not None:
        data["layers"] = layers
    record = labelstudio_record({"data": data, "annotations": [{"result": result}]}, where="inline")
    assert record.layers == expected


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        pytest.param("attributions", "'data.layers' must be a list", id="not-a-list"),
        pytest.param(["attributions", "vibes"], "unknown layer 'vibes'", id="unknown-layer"),
    ],
)
def test_bad_declared_layers(layers, message) -> None:  # type: ignore[no-untyped-def]
    task = {"data": {"text": "x", "id": "t1", "layers": layers}, "annotations": [{"result": []}]}
    with pytest.raises(AnnotationError, match=message):
        labelstudio_record(task, where="inline")


def test_empty_declared_layer_round_trips() -> None:
    record = LabeledArticle("t1", "Officials said it rained.", ("attributions", "loaded_terms"))
    assert labelstudio_record(labelstudio_task(record), where="inline") == record
