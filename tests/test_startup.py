"""Start-up: ``traverse --help`` imports none of the heavy libraries (issue 23: ``--help`` < 0.2 s).

Pinned by the import graph of a fresh interpreter, not by a timer:
``bench/bench_startup.py`` measures the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Libraries that cost tens to hundreds of milliseconds to import.
HEAVY = ("pandas", "geopandas", "numpy", "pyproj", "shapely", "rasterio", "pyogrio", "lxml")


def _imported_after(code: str) -> list[str]:
    """The :data:`HEAVY` libraries in ``sys.modules`` after ``code`` ran in a fresh interpreter."""
    probe = (f"import sys\n{code}\n"
             f"import json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_building_the_parser_imports_no_heavy_library():
    assert _imported_after("import traverse.cli; traverse.cli.build_parser()") == []


def test_import_traverse_alone_imports_no_heavy_library():
    assert _imported_after("import traverse") == []


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["build", "--help"], ["map", "--help"],
                                  ["distances", "--help"], ["index", "--help"], ["fetch", "--help"],
                                  ["sample", "--help"]])
def test_help_imports_no_heavy_library(argv):
    code = ("import contextlib, io, traverse.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert traverse.cli.main({argv!r}) == 0")
    assert _imported_after(code) == []


def test_the_probe_sees_a_heavy_import():
    assert "pandas" in _imported_after("from traverse import read_frames")


def test_the_lazy_package_root_keeps_its_names():
    import traverse
    from traverse import reconstruct

    assert callable(reconstruct)
    assert all(getattr(traverse, name) is not None for name in traverse.__all__)
    assert set(traverse.__all__) <= set(dir(traverse))
    assert traverse.__version__
    with pytest.raises(AttributeError):
        traverse.no_such_name  # noqa: B018


def test_control_help_names_the_same_sites_as_the_missions():
    from traverse.datafiles import site_names
    from traverse.missions import missions

    expected: dict[str, list[str]] = {}
    for m in missions().values():
        for name in m.sites:
            expected.setdefault(name, []).append(m.name)
    assert {k: list(v) for k, v in site_names().items()} == expected
