from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from attribution.annotations import read_annotations
from attribution.cli import main
from attribution.report.json_report import report_schema

TINY_POLNEAR = Path(__file__).parent / "data" / "polnear_tiny"


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.txt").write_text("A military source told FNA that clashes are underway.\n", encoding="utf-8")
    (folder / "nested" / "second.txt").write_text('"We will win," the general said. He left.', encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes(b"caf\xe9 au lait")
    (folder / "batch.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Residents said water ran low."})
        + "\n{broken\n"
        + json.dumps({"id": "j2", "text": "Officials denied it."})
        + "\n",
        encoding="utf-8",
    )
    return folder


def test_analyze_writes_every_format_and_goes_on_after_bad_input(
    inputs: Path, tmp_path: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(
        ["analyze", str(inputs), "--out", str(out), "--model", str(tiny_analyzer_dir), "--format", "json,md,html,jsonl"]
    )
    err = capsys.readouterr().err
    assert status == 1
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 3
    assert any("empty.txt" in line for line in error_lines)
    assert any("latin1.txt" in line for line in error_lines)
    assert any("batch.jsonl:2" in line for line in error_lines)
    assert "Traceback" not in err
    for name in ("good", "second", "j1", "j2"):
        for suffix in ("json", "md", "html"):
            assert (out / f"{name}.{suffix}").is_file(), f"{name}.{suffix} missing"
        jsonschema.validate(json.loads((out / f"{name}.json").read_text()), report_schema())
    records = list(read_annotations(out / "annotations.jsonl"))
    assert sorted(r.id for r in records) == ["good", "j1", "j2", "second"]
    assert all(r.layers == ("attributions", "distancing") for r in records)  # distancing: rules, always run


def test_analyze_missing_model_is_one_line_error(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["analyze", str(inputs), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "nope")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("attribution: error:") and "nope" in err and "\n" not in err


def test_unknown_format_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["analyze", "x", "--out", "y", "--format", "pdf"])
    assert "unknown format(s) ['pdf']" in capsys.readouterr().err


def test_convert_then_evaluate(tmp_path: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonl = tmp_path / "tiny.jsonl"
    assert main(["convert", "--from", "polnear", "--to", "jsonl", str(TINY_POLNEAR), str(jsonl)]) == 0
    metrics_path = tmp_path / "metrics.json"
    assert main(["evaluate", "--data", str(jsonl), "--model", str(tiny_analyzer_dir), "--json", str(metrics_path)]) == 0
    printed = capsys.readouterr().out
    assert "relation" in printed and "content" in printed
    metrics = json.loads(metrics_path.read_text())["attributions"]
    for role in ("cue", "source", "content"):
        assert set(metrics[role]["exact"]) == {"precision", "recall", "f1", "ci"}  # ci: --bootstrap 1000 default
        assert set(metrics[role]["overlap"]) == {"precision", "recall", "f1", "ci"}
    assert set(metrics["relation"]) >= {"precision", "recall", "f1", "ci"}


def test_evaluate_bad_data_names_the_line(
    tmp_path: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "abc", "attributions": [{"cue": [[0, 99]]}]}\n', encoding="utf-8")
    assert main(["evaluate", "--data", str(bad), "--model", str(tiny_analyzer_dir)]) == 2
    assert "bad.jsonl:1: attributions[0]: field 'cue' fragment [0, 99] is outside the text" in capsys.readouterr().err


def _f1_entries(metrics: dict) -> list[dict]:
    """The dicts holding an F1: <role>.exact, <role>.overlap and relation."""
    return [metrics[role][kind] for role in ("cue", "source", "content") for kind in ("exact", "overlap")] + [
        metrics["relation"]
    ]


def test_evaluate_bootstrap_prints_and_writes_intervals(
    tmp_path: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics_path = tmp_path / "metrics.json"
    common = ["evaluate", "--data", str(TINY_POLNEAR), "--format", "polnear", "--model", str(tiny_analyzer_dir)]
    assert main([*common, "--bootstrap", "200", "--seed", "3", "--json", str(metrics_path)]) == 0
    printed = capsys.readouterr().out
    assert "F1 [CI]" in printed and "95% percentile interval over 200 resamples" in printed
    metrics = json.loads(metrics_path.read_text())["attributions"]
    for entry in _f1_entries(metrics):
        assert {"precision", "recall", "f1"} <= set(entry)
        # one article: every resample is that article, so the interval is the point estimate
        assert entry["ci"] == {"low": entry["f1"], "high": entry["f1"]}
    assert main([*common, "--bootstrap", "0", "--json", str(metrics_path)]) == 0
    assert "F1 [CI]" not in capsys.readouterr().out
    metrics = json.loads(metrics_path.read_text())["attributions"]
    assert all("ci" not in entry for entry in _f1_entries(metrics))


def test_evaluate_compare_two_models_on_the_same_data(
    tmp_path: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "compare.json"
    bare_tagger = tiny_analyzer_dir / "attribution-tagger"  # the same tagger, loaded as a bare tagger folder
    argv = ["evaluate", "--data", str(TINY_POLNEAR), "--format", "polnear", "--bootstrap", "50", "--json", str(out)]
    assert main([*argv, "--compare", str(tiny_analyzer_dir), str(bare_tagger)]) == 0
    printed = capsys.readouterr().out
    assert "B-A" in printed and "P(B>A)" in printed
    assert all(row in printed for row in ("cue exact", "source overlap", "relation"))
    result = json.loads(out.read_text())
    compare = result["compare"]
    assert (compare["a"], compare["b"]) == (str(tiny_analyzer_dir), str(bare_tagger))
    assert compare["n_articles"] == 1 and compare["n_resamples"] == 50
    for entry in _f1_entries(compare["metrics"]):
        assert set(entry) == {"a", "b", "delta", "delta_ci", "b_better"}
        assert entry["a"] == entry["b"] and entry["delta"] == 0.0 and entry["b_better"] == 0.0
    for side in ("a", "b"):
        metrics = result[side]["attributions"]
        assert all({"precision", "recall", "f1", "ci"} <= set(entry) for entry in _f1_entries(metrics))
    assert compare["metrics"]["relation"]["a"] == result["a"]["attributions"]["relation"]["f1"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "m", "--compare", "a", "b"], "not allowed with argument"),
        (["--bootstrap", "-1"], "must be at least 0"),
        (["--confidence", "1.2"], "must be between 0 and 1"),
    ],
)
def test_evaluate_rejects_bad_flags(extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["evaluate", "--data", "x.jsonl", *extra])
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_train_smoke_on_tiny_model(tmp_path: Path, tiny_base_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tagger"
    status = main(
        [
            "train",
            "--task",
            "attribution",
            "--data",
            str(TINY_POLNEAR),
            "--dev",
            str(TINY_POLNEAR),
            "--format",
            "polnear",
            "--base-model",
            str(tiny_base_dir),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--max-steps",
            "2",
        ]
    )
    assert status == 0
    assert (out / "model.safetensors").is_file() and (out / "tagger_config.json").is_file()
    card = (out / "README.md").read_text()
    assert "## Training data and licence" in card and "## Limitations and biases" in card
    assert json.loads((out / "training_metrics.json").read_text())["dev"]["relation"]["support"] == 2
    # fine-tune further from the saved tagger (how users start from the shipped model)
    again = tmp_path / "tagger-2"
    status = main(
        [
            "train",
            "--data",
            str(TINY_POLNEAR),
            "--format",
            "polnear",
            "--init-tagger",
            str(out),
            "--out",
            str(again),
            "--max-steps",
            "1",
        ]
    )
    assert status == 0
    config = json.loads((again / "tagger_config.json").read_text())
    assert config["base_model"] == str(tiny_base_dir)


def test_convert_to_labelstudio_and_back(tmp_path: Path) -> None:
    exported = tmp_path / "tasks.json"
    assert main(["convert", "--from", "polnear", "--to", "labelstudio", str(TINY_POLNEAR), str(exported)]) == 0
    back = tmp_path / "back.jsonl"
    assert main(["convert", "--from", "labelstudio", "--to", "jsonl", str(exported), str(back)]) == 0
    [record] = list(read_annotations(back))
    assert len(record.attributions) == 2
    assert record.text[slice(*record.attributions[0].cue[0])] == "told"
