from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import torch

from attribution.cli import main
from attribution.corpus import CorpusOptions
from attribution.pipeline import Analyzer
from attribution.records import Article
from attribution.report.html_report import render_html
from attribution.report.json_report import report_schema, report_to_dict
from attribution.report.markdown_report import render_markdown
from attribution.tagging.precision import cpu_flags, inference_precision, resolve_precision

AVX512_BF16 = {"fpu", "avx2", "avx512f", "avx512_bf16"}
AMX = {"avx2", "avx512f", "amx_tile", "amx_bf16"}
AVX2_ONLY = {"fpu", "sse4_2", "avx2", "fma"}
AVX512_NO_BF16 = {"avx2", "avx512f", "avx512_vnni"}
TEXT = "A military source told FNA that heavy clashes are underway. The army set up checkpoints."


@pytest.mark.parametrize(
    ("precision", "device_type", "flags", "expected"),
    [
        ("float32", "cpu", AVX512_BF16, "float32"),  # asked for: kept, whatever the CPU
        ("bfloat16", "cpu", AVX2_ONLY, "bfloat16"),
        ("auto", "cpu", AVX512_BF16, "bfloat16"),
        ("auto", "cpu", AMX, "bfloat16"),
        ("auto", "cpu", AVX2_ONLY, "float32"),  # emulated bfloat16 would be many times slower
        ("auto", "cpu", AVX512_NO_BF16, "float32"),
        ("auto", "cpu", set(), "float32"),  # flags unknown (no /proc/cpuinfo)
        ("auto", "mps", AVX512_BF16, "float32"),  # only CPUs and CUDA are judged
    ],
)
def test_resolve_precision(precision: str, device_type: str, flags: set[str], expected: str) -> None:
    assert resolve_precision(precision, device_type, flags=flags) == expected


@pytest.mark.parametrize("precision", ["fp16", "bf16", "", "Float32"])
def test_unknown_precision_is_rejected(precision: str) -> None:
    with pytest.raises(ValueError, match="precision must be one of auto, float32, bfloat16"):
        resolve_precision(precision)


@pytest.mark.parametrize(
    ("cpuinfo", "expected"),
    [
        (
            "processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16\n\nprocessor\t: 1\nflags\t\t: fpu\n",
            {"fpu", "avx2", "avx512_bf16"},
        ),
        ("processor\t: 0\nFeatures\t: fp asimd bf16\n", {"fp", "asimd", "bf16"}),  # ARM names them Features
        ("processor\t: 0\nmodel name\t: Something\n", set()),  # no flags line
    ],
)
def test_cpu_flags_come_from_the_first_flags_line(tmp_path: Path, cpuinfo: str, expected: set[str]) -> None:
    path = tmp_path / "cpuinfo"
    path.write_text(cpuinfo, encoding="utf-8")
    assert cpu_flags(str(path)) == expected


def test_cpu_flags_of_a_missing_file_are_empty(tmp_path: Path) -> None:
    assert cpu_flags(str(tmp_path / "none")) == frozenset()


def test_bfloat16_autocasts_only_inside_the_context() -> None:
    layer = torch.nn.Linear(4, 2)
    x = torch.ones(1, 4)
    with inference_precision("bfloat16"):
        assert torch.is_autocast_enabled("cpu")
        assert layer(x).dtype == torch.bfloat16
    assert not torch.is_autocast_enabled("cpu")
    with inference_precision("float32"):
        assert not torch.is_autocast_enabled("cpu")
        assert layer(x).dtype == torch.float32


def test_auto_must_be_resolved_before_entering_the_context() -> None:
    with pytest.raises(ValueError, match="resolve 'auto' first"), inference_precision("auto"):
        pass


def _autocast_seen(analyzer: Analyzer) -> list[bool]:
    """Record, for each forward pass of the attribution tagger's model, whether bfloat16 autocast was on."""
    seen: list[bool] = []
    analyzer.tagger.model.register_forward_hook(lambda *_: seen.append(torch.is_autocast_enabled("cpu")))
    return seen


@pytest.mark.parametrize(("precision", "autocast"), [("bfloat16", True), ("float32", False)])
def test_analyzer_runs_its_models_at_its_precision_and_says_so(
    tiny_analyzer_dir: Path, precision: str, autocast: bool
) -> None:
    analyzer = Analyzer.from_pretrained(tiny_analyzer_dir, precision=precision)
    seen = _autocast_seen(analyzer)
    report = analyzer.analyze(Article(id="a", text=TEXT))
    assert seen and all(s is autocast for s in seen)
    assert not torch.is_autocast_enabled("cpu")  # nothing leaks to the caller
    assert report.provenance.precision == precision
    data = report_to_dict(report)
    jsonschema.validate(data, report_schema())
    assert data["provenance"]["precision"] == precision
    footer = render_markdown(report).rstrip().splitlines()[-1]
    assert footer.startswith("_attribution ") and footer.endswith("_")
    assert ("encoders in bfloat16" in footer) is autocast  # float32, the default, goes unsaid
    assert ("encoders in bfloat16</footer>" in render_html(report)) is autocast


def test_analyzer_rejects_an_unknown_precision(tiny_tagger) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="got 'half'"):
        Analyzer(tiny_tagger, precision="half")


def test_corpus_options_carry_the_precision_to_the_analyzer() -> None:
    assert CorpusOptions(precision="bfloat16").analyzer_options()["precision"] == "bfloat16"
    assert CorpusOptions().analyzer_options()["precision"] == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        CorpusOptions(precision="fp16")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_analyze_precision_option_reaches_the_reports(tmp_path: Path, tiny_analyzer_dir: Path, workers: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    args = ["analyze", str(tmp_path / "in"), "--out", str(out), "--model", str(tiny_analyzer_dir), "--format", "json"]
    assert main([*args, "--precision", "bfloat16", "--workers", workers]) == 0
    assert json.loads((out / "a.json").read_text())["provenance"]["precision"] == "bfloat16"


def test_analyze_rejects_an_unknown_precision(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["analyze", "x", "--out", "y", "--precision", "fp16"])
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


# --- training: the precision setting of every trainer ------------------------------------------------------------


def _training_configs(precision: str) -> list[Callable[[], object]]:
    """One builder per trainer's config (attribution, loaded terms, sentence bias, source profile)."""
    from attribution.profile_training import ProfileTrainingConfig
    from attribution.sentence_bias_training import SentenceBiasConfig
    from attribution.term_training import TermTrainingConfig
    from attribution.training import TrainingConfig

    return [
        lambda: TrainingConfig(train_data=["d.jsonl"], out="m", precision=precision),
        lambda: TermTrainingConfig(train_data=["ptc"], out="m", precision=precision),
        lambda: SentenceBiasConfig(train_data=["babe.csv"], out="m", precision=precision),
        lambda: ProfileTrainingConfig(out="m", precision=precision),
    ]


@pytest.mark.parametrize("precision", ["auto", "float32", "bfloat16"])
def test_every_training_config_takes_a_precision(precision: str) -> None:
    assert [build().precision for build in _training_configs(precision)] == [precision] * 4  # type: ignore[attr-defined]


@pytest.mark.parametrize("precision", ["fp16", "bf16", "half"])
def test_every_training_config_rejects_an_unknown_precision(precision: str) -> None:
    for build in _training_configs(precision):
        with pytest.raises(ValueError, match=f"precision must be one of auto, float32, bfloat16, got '{precision}'"):
            build()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"bf16": True}, "bfloat16"),  # config files written before the precision setting
        ({"bf16": False}, "float32"),
        ({"precision": "auto"}, "auto"),
        ({}, "float32"),
    ],
)
def test_attribution_training_reads_the_older_bf16_setting(settings: dict[str, object], expected: str) -> None:
    from attribution.training import TrainingConfig

    config = TrainingConfig.from_dict({"train_data": ["d.jsonl"], "out": "m", **settings})
    assert config.precision == expected


def test_attribution_training_rejects_both_precision_settings() -> None:
    from attribution.training import TrainingConfig

    with pytest.raises(ValueError, match="give precision or the older bf16 setting, not both"):
        TrainingConfig.from_dict({"train_data": ["d.jsonl"], "out": "m", "bf16": True, "precision": "float32"})


@pytest.mark.parametrize(
    ("precision", "cuda", "bf16_gpu", "flags", "expected"),
    [
        ("float32", False, False, AMX, False),
        ("bfloat16", False, False, AVX2_ONLY, True),  # asked for: kept, however slow
        ("auto", False, False, AMX, True),
        ("auto", False, False, AVX2_ONLY, False),
        ("auto", True, True, AVX2_ONLY, True),  # training runs on the GPU when there is one
        ("auto", True, False, AMX, False),  # a GPU without bfloat16: the CPU's flags do not count
    ],
)
def test_training_uses_bf16_where_the_training_device_has_it(
    precision: str, cuda: bool, bf16_gpu: bool, flags: set[str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attribution.tagging import precision as precision_module

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: bf16_gpu)
    monkeypatch.setattr(precision_module, "cpu_flags", lambda: frozenset(flags))
    assert precision_module.training_uses_bf16(precision) is expected
