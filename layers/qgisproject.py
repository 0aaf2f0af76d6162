"""A QGIS project stored inside the traverse GeoPackage, written by QGIS's own code.

QGIS keeps projects in a GeoPackage's ``qgis_projects`` table; double-clicking
the project under the GeoPackage in QGIS's Browser opens it.  Rather than
writing QGIS's project XML from a template (hundreds of elements whose
meaning changes between QGIS versions), :func:`store_qgis_project` runs
``layers/qgis_project_script.py`` with the Python that has QGIS
(``/usr/bin/python3`` on Debian, or ``$TRAVERSE_QGIS_PYTHON``) and a JSON plan:
QGIS opens every layer with the default style stored in ``layer_styles``,
the script sets what a style cannot hold, and ``QgsProject.write`` stores it.
Without QGIS on the machine nothing is stored and the result says so in one
line.

What the project holds (the plan, :func:`project_plan`):

* **CRS**: :func:`traverse.geodesy.local_crs`, azimuthal equidistant centred on
  the lander on the body's sphere, metres (no east–west stretch: at 45° S
  geographic coordinates draw east–west ×1.43).  No IAU code fits: the
  ``IAU_2015`` projected codes (301xx, 499xx) are centred on longitude 0 or 180
  and latitude 0 (a transverse Mercator 177.6° from its meridian, an
  equirectangular with true scale at the equator).
* **Layers** top first as the web map stacks its overlays (lander, stations,
  drives with gaps, days, targets, views, frames, radar traces), the frames
  and traces hidden as the map's traces are, the views hidden past the map's
  ``max_views_shown``; then the basemaps and DEM (hillshade) by paths relative
  to the GeoPackage.
* **Time**: each timed layer shows a feature from its time on (the web
  slider's rule; a gap from its arrival), the project's range is the map's
  (first day's start to last day's end, UTC), cumulative, one-day steps.
* **Display expressions** that read (``Station 12, Lunar day 3``); map tips come
  with the styles (:mod:`layers.styles`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from layers.payload import MapOptions
from layers.relations import SPECTRA_RELATIONS
from traverse import geodesy
from traverse.missions import Mission
from traverse.outputs import iso_utc

__all__ = ["PROJECT_LAYERS", "ProjectJob", "ProjectResult", "RasterSpec", "project_plan", "qgis_python",
           "start_qgis_project", "store_qgis_project"]

#: Environment variable naming the Python interpreter that has QGIS (default ``/usr/bin/python3``).
QGIS_PYTHON_ENV = "TRAVERSE_QGIS_PYTHON"
_DEFAULT_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_project_script.py")

#: Project layers, top first (the web map's overlay order, lander on top), and the QGIS
#: expression of the time each feature appears from (``None``: always shown).
PROJECT_LAYERS: dict[str, str | None] = {
    "lander": None,
    "stations": '"first_utc"',
    "drives": "if(\"kind\" = 'gap', \"end_utc\", \"start_utc\")",  # a gap shows from its arrival
    "days": '"start_utc"',
    "targets": '"time_utc"',
    "views": '"time_utc"',
    "frames": '"time_utc"',
    "radar_traces": '"time_utc"',
}

#: Layers the web map starts hidden (its decimated traces); the views too past ``max_views_shown``.
_HIDDEN = ("frames", "radar_traces")

#: Display expressions (``{day_column}``, ``{day_title}`` filled from the mission).
_DISPLAY = {
    "lander": '"name"',
    "stations": "'Station ' || \"station_id\" || ', {day_title} ' || \"{day_column}\"",
    "drives": ("if(\"kind\" = 'gap', 'Gap (no data)', 'Drive ' || \"drive_id\")"
               " || ', {day_title} ' || \"{day_column}\""),
    "days": "'{day_title} ' || \"{day_column}\"",
    "targets": "\"product_id\" || ' ' || format_date(\"time_utc\", 'yyyy-MM-dd hh:mm')",
    "views": "\"product_id\" || ' ' || format_date(\"time_utc\", 'yyyy-MM-dd hh:mm')",
    "frames": "\"product_id\" || ' ' || format_date(\"time_utc\", 'yyyy-MM-dd hh:mm')",
    "radar_traces": "\"product\" || ' record ' || \"record\"",
}


class RasterSpec(NamedTuple):
    """A raster of the project: its file, and ``image`` (drawn as is) or ``dem`` (hillshade)."""

    path: Path
    kind: str


class ProjectResult(NamedTuple):
    """Whether the project was stored, and one line saying what happened."""

    stored: bool
    message: str


def qgis_python() -> str:
    """The interpreter that runs QGIS's Python: ``$TRAVERSE_QGIS_PYTHON``, else ``/usr/bin/python3``."""
    return os.environ.get(QGIS_PYTHON_ENV) or _DEFAULT_PYTHON


def _tables(gpkg: Path, data_type: str = "features") -> dict[str, int]:
    """Tables of the GeoPackage of ``data_type`` (``features``, ``attributes``) and their row counts."""
    with contextlib.closing(sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)) as con:
        rows = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = ?", (data_type,))
        names = [n for (n,) in rows]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _relations(tables: dict[str, int], attributes: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """The non-spatial tables the project's relations need, and those relations (as plan entries).

    A relation (:data:`layers.relations.SPECTRA_RELATIONS`) is kept when both
    its tables hold rows: then a frame's or target's attribute form lists its
    spectrum rows.
    """
    relations = [{"id": rel_id, "name": name, "child": child, "child_field": child_field,
                  "parent": parent, "parent_field": parent_field}
                 for rel_id, name, child, child_field, parent, parent_field in SPECTRA_RELATIONS
                 if attributes.get(child) and tables.get(parent)]
    children = sorted({r["child"] for r in relations})
    return [{"table": name, "visible": False, "time_expression": None, "display": '"product_id"'}
            for name in children], relations


def _time_range(gpkg: Path, tables: dict[str, int]) -> list[str] | None:
    """The web map's time span: first day's ``start_utc`` to last day's ``end_utc`` (ISO 8601 UTC).

    Widened to whole seconds (down, up): QGIS stores the project's range to the
    second, so a range ending at .675 s would end before the last station.
    ``None`` without days (the project then has no time range).
    """
    if not tables.get("days"):
        return None
    with contextlib.closing(sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)) as con:
        start, end = con.execute("SELECT min(start_utc), max(end_utc) FROM days").fetchone()
    if start is None or end is None:
        return None
    return [iso_utc(pd.Series(pd.to_datetime([start]).floor("s"))).iloc[0],
            iso_utc(pd.Series(pd.to_datetime([end]).ceil("s"))).iloc[0]]


def project_plan(gpkg: Path, *, mission: Mission, site: geodesy.LanderSite,
                 rasters: Sequence[RasterSpec] = (), final_folder: Path | None = None) -> dict:
    """The JSON plan ``qgis_project_script.py`` turns into a project (layers read from ``gpkg``).

    Parameters
    ----------
    gpkg
        The traverse GeoPackage (with a ``days`` layer), where it is now.
    mission, site
        The traverse's mission (day words, lander name) and lander site (CRS centre).
    rasters
        Basemaps and DEM, drawn under the traverse in this order (top first).
    final_folder
        The folder the GeoPackage will live in, when it is written elsewhere first
        (a build's staging folder): raster paths are made relative to this one.
    """
    gpkg = Path(gpkg).resolve()
    tables = _tables(gpkg)
    lazy = tables.get("views", 0) + tables.get("targets", 0) > MapOptions().max_views_shown
    words = {"day_column": mission.day_column, "day_title": mission.day_title}
    layers = [{"table": name, "visible": name not in _HIDDEN and not (lazy and name in ("views", "targets")),
               "time_expression": when, "display": _DISPLAY[name].format(**words)}
              for name, when in PROJECT_LAYERS.items() if name in tables]
    seen: set[Path] = set()
    tables_only, relations = _relations(tables, _tables(gpkg, "attributes"))
    raster_specs = []
    for spec in rasters:
        path = Path(spec.path).resolve()
        if path not in seen:  # one file given as --basemap and --dem is drawn once
            seen.add(path)
            raster_specs.append({"path": str(path), "name": f"{path.stem} ({spec.kind})", "kind": spec.kind,
                                 "visible": True})
    return {
        "gpkg": str(gpkg),
        "final_folder": str(Path(final_folder or gpkg.parent).resolve()),
        "project_name": gpkg.stem,
        "title": f"{mission.rover} traverse ({mission.name})",
        "crs_wkt": geodesy.local_crs(site, origin_name=mission.lander_name).to_wkt(),
        "layers": layers + tables_only,
        "relations": relations,
        "rasters": raster_specs,
        "time_range": _time_range(gpkg, tables),
    }


class ProjectJob:
    """A project being stored by QGIS's Python in a subprocess; :meth:`result` waits for it.

    Started by :func:`start_qgis_project`, so that a build writes its other
    files while QGIS works (about 1.6 s here); :meth:`cancel` stops it (a
    build that fails or is interrupted before the project is needed).
    """

    def __init__(self, name: str, project_name: str, python: str, timeout_s: float):
        self.name, self.project_name, self.python, self.timeout_s = name, project_name, python, timeout_s
        self.install = f"install QGIS's Python, e.g. apt install python3-qgis, or set {QGIS_PYTHON_ENV}"
        self.home: tempfile.TemporaryDirectory | None = None
        self.process: subprocess.Popen | None = None
        self.done: ProjectResult | None = None

    def result(self) -> ProjectResult:
        """Wait for QGIS; what happened, in one line.  Never raises for a missing or failing QGIS."""
        if self.done is None and self.process is not None:
            try:
                _, err = self.process.communicate(timeout=self.timeout_s)
            except subprocess.TimeoutExpired:
                self.cancel()
                return self._not_stored(f"QGIS ran over {self.timeout_s:.0f} s")
            self.done = self._outcome(self.process.returncode, err)
            self._clean()
        return self.done

    def cancel(self) -> None:
        """Stop QGIS if it still runs and remove its temporary home."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        self._clean()

    def _outcome(self, returncode: int, err: str) -> ProjectResult:
        if "No module named 'qgis'" in err:
            return ProjectResult(False, f"QGIS project not stored in {self.name}: {self.python} has no"
                                        f" qgis module ({self.install})")
        if returncode != 0:
            last = (err.strip().splitlines() or [f"exit status {returncode}"])[-1]
            return ProjectResult(False, f"QGIS project not stored in {self.name}: {last}")
        return ProjectResult(True, f"QGIS project {self.project_name!r} stored in {self.name}"
                                   " (QGIS Browser: open the GeoPackage, double-click the project)")

    def _not_stored(self, why: str) -> ProjectResult:
        self.done = ProjectResult(False, f"QGIS project not stored in {self.name}: {why}")
        return self.done

    def _clean(self) -> None:
        if self.home is not None:
            self.home.cleanup()
            self.home = None


def start_qgis_project(gpkg: Path, plan: dict, *, python: str | None = None,
                       timeout_s: float = 300.0) -> ProjectJob:
    """Start storing the project of ``plan`` in ``gpkg``'s ``qgis_projects`` table with QGIS's own code.

    Runs ``qgis_project_script.py`` with ``python`` (default :func:`qgis_python`)
    in a clean environment (no venv, offscreen Qt, a throw-away home).  Nothing
    else may write ``gpkg`` until :meth:`ProjectJob.result` returns.
    """
    python = python or qgis_python()
    job = ProjectJob(Path(gpkg).name, plan.get("project_name", Path(gpkg).stem), python, timeout_s)
    if not Path(python).is_file():
        job._not_stored(f"no {python} ({job.install})")
        return job
    job.home = tempfile.TemporaryDirectory(prefix="traverse-qgis-")
    home = Path(job.home.name)
    plan_file = home / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    (home / "run").mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
           "XDG_RUNTIME_DIR": str(home / "run")}
    job.process = subprocess.Popen([python, str(SCRIPT), str(plan_file)], env=env, cwd=home, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return job


def store_qgis_project(gpkg: Path, plan: dict, *, python: str | None = None,
                       timeout_s: float = 300.0) -> ProjectResult:
    """:func:`start_qgis_project` and wait for it: what happened, in one line."""
    return start_qgis_project(gpkg, plan, python=python, timeout_s=timeout_s).result()
