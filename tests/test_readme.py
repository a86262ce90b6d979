"""The README's Python quickstart runs and prints what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.slow
def test_python_quickstart_prints_its_documented_output(capsys: pytest.CaptureFixture[str]) -> None:
    block = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block, "README has no python block"
    code = block.group(1)
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})  # noqa: S102
    printed = capsys.readouterr().out.splitlines()
    assert expected and printed == expected
