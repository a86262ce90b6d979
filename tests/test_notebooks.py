"""Run every notebook's code cells in order (no Jupyter needed), from the notebooks/ folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(notebook: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(notebook.parent)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [("".join(c["source"]), i) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    assert code, f"{notebook.name} has no code cells"
    for source, index in code:
        exec(compile(source, f"{notebook.name}[cell {index}]", "exec"), namespace)  # noqa: S102
    assert capsys.readouterr().out.strip(), f"{notebook.name} printed nothing"
