"""The science of ``traverse build`` in real QGIS 3.22: radar_traces, the drives' radargram map tip,
the spectra relations (tests/qgis_science_check.py, Debian's python3-qgis in a clean environment)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyogrio
import pytest

from layers.relations import SPECTRA_RELATIONS
from tests.test_qgis import SYSTEM_PYTHON, _clean_env, _qgis_check
from traverse.cli import main

pytestmark = pytest.mark.qgis

SD = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"
LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"


@pytest.fixture(scope="module")
def report(tmp_path_factory, ce4):
    tmp = tmp_path_factory.mktemp("qgis_science")
    assert main(["build", str(ce4), "-o", str(tmp / "NAME"), "-q"]) == 0
    _qgis_check(tmp / "NAME.gpkg", tmp)  # skips (fails under CI=true) without QGIS
    spec = tmp / "relations.json"
    spec.write_text(json.dumps(SPECTRA_RELATIONS), encoding="utf-8")
    res = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).with_name("qgis_science_check.py")),
                          str(tmp / "NAME.gpkg"), str(spec)], env=_clean_env(tmp), capture_output=True,
                         text=True, timeout=300, cwd=tmp)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout)
    out["folder"] = tmp
    return out


def test_radar_traces_layer_is_valid_in_qgis(report):
    traces = pyogrio.read_dataframe(report["folder"] / "NAME.gpkg", layer="radar_traces")
    got = report["radar_traces"]
    assert got["isValid"] and got["geometry"] == "Point" and got["authid"] == "IAU_2015:30100"
    assert got["featureCount"] == len(traces) == traces["column"].nunique()  # one per radargram column
    assert {"product", "record", "time_utc", "along_m", "column", "radargram"} <= set(got["fields"])


def test_drive_map_tip_shows_its_radargram(report):
    (tip,) = report["drive_map_tips"]
    png = report["folder"] / "NAME_files" / "radar" / f"1_{LPR1}.png"
    assert f'<img src="file://{png}"' in tip and png.is_file()
    assert "<b>Drive 1</b>" in tip  # the drive's own text first, whatever its wording


def test_spectra_related_to_frames_and_targets(report):
    """The relations of the project the build stored are valid and list the 300 spectrum rows under the
    SD frame and target (the attribute form's rows).  QGIS 3.22 discovers no relation in a GeoPackage by
    itself, not even the foreign key spectra -> targets that GDAL (>= 3.6) reads as a relationship:
    documented, not hidden."""
    assert report["stored_project"]
    for rel_id in ("frames_spectra", "targets_spectra"):
        rel = report["relations"][rel_id]
        assert rel["isValid"] and rel["in_project"]
        assert rel["rows"] == {SD: 300}
    version = tuple(int(x) for x in report["qgis_version"].split("-")[0].split(".")[:2])
    if version < (3, 28):
        assert report["discovered"] == []
    gdal = report["gdal"]
    if "relationships" in gdal and tuple(int(x) for x in gdal["version"].split(".")[:2]) >= (3, 6):
        assert "targets_spectra" in gdal["relationships"]
