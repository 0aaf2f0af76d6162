"""The house style as a linter sees it: ruff with the numpy docstring rules (pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import require

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    require(exe is not None, "ruff is not installed (pip install -e '.[test]')")
    return [exe]


def test_ruff_finds_nothing():
    res = subprocess.run([*_ruff(), "check", "traverse", "layers", "tests", "bench"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]


def test_ruff_would_find_a_missing_docstring(tmp_path):
    bad = tmp_path / "traverse_bad.py"
    bad.write_text('"""A module."""\n\n\ndef public(x):\n    return x\n')
    res = subprocess.run([*_ruff(), "check", "--config", str(ROOT / "pyproject.toml"), str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "D103" in res.stdout
