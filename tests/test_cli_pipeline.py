"""``traverse sample``, ``distances``, ``build`` and ``map`` through ``traverse.cli.main``."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pyogrio
import pytest

from traverse.cli import main
from traverse.geodesy import MOON
from traverse.path.days import DAYS_COLUMNS
from traverse.synthetic.sample import sample_day_distances

LAYERS = ["lander", "frames", "stations", "drives", "days", "views", "targets"]


@pytest.fixture(scope="session")
def archive(tmp_path_factory):
    """The SYNTHETIC sample archive, written through ``traverse sample``."""
    folder = tmp_path_factory.mktemp("cli") / "ce4"
    assert main(["sample", str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def built(archive, tmp_path_factory):
    """``traverse build`` with label control and with ``--control lro``: {control: stem}."""
    out = {}
    for control in ("label", "lro"):
        stem = tmp_path_factory.mktemp(f"build_{control}") / "maps" / "NAME"
        args = ["build", str(archive), "-o", str(stem), "--geojson", "--local", "-q"]
        assert main([*args, "--control", control]) == 0
        out[control] = stem
    return out


def _day_rows(text: str) -> list[list[str]]:
    """Data rows of the printed day table (lines that start with a day number)."""
    return [line.split() for line in text.splitlines() if line.strip()[:1].isdigit()]


def _spatial_layers(gpkg) -> dict[str, str]:
    """Layer name -> geometry type, without the non-spatial ``layer_styles`` and ``coverage`` tables."""
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers.pop("layer_styles") is None  # QGIS default styles travel with the file
    assert layers.pop("coverage") is None  # one row per lunar day, no geometry
    return layers


# --- distances --------------------------------------------------------------------------------


def test_distances_prints_one_row_per_lunar_day(archive, capsys):
    assert main(["distances", str(archive)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == DAYS_COLUMNS
    rows = _day_rows(out)
    assert [int(r[0]) for r in rows] == list(range(1, 14))
    # start_utc/end_utc take two tokens each: drive_m is the 8th token
    assert {r[1] for r in rows} == {"data"}
    drive_m = np.array([float(r[7]) for r in rows])
    want = np.array(list(sample_day_distances().values()))
    assert np.abs(drive_m / want - 1).max() < 0.01
    assert "announced" not in out
    assert "archive covers lunar days 1–13 (13 of 13); no gaps" in out


def test_distances_json(archive, capsys):
    assert main(["distances", str(archive), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 13 and list(rows[0]) == DAYS_COLUMNS
    assert [r["lunar_day"] for r in rows] == list(range(1, 14))
    assert rows[0]["start_utc"].startswith("2019-01-03T")
    assert sum(r["drive_m"] for r in rows) == pytest.approx(357.695, rel=0.01)
    assert rows[-1]["cumulative_m"] == pytest.approx(357.695, rel=0.01)


def test_distances_csv(archive, tmp_path, capsys):
    out = tmp_path / "out" / "days.csv"
    out.parent.mkdir()
    assert main(["distances", str(archive), "--csv", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == DAYS_COLUMNS
    assert table["lunar_day"].tolist() == list(range(1, 14))
    assert table["drive_m"].sum() == pytest.approx(357.695, rel=0.01)
    assert len(_day_rows(capsys.readouterr().out)) == 13  # the table is still printed


def test_distances_compare_announced(archive, capsys, tmp_path):
    csv = tmp_path / "announced.csv"
    assert main(["distances", str(archive), "--compare-announced", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == [*DAYS_COLUMNS, "announced_before_m", "compared_m", "announced_cumulative_m",
                      "difference_m"]
    rows = {int(r[0]): r for r in _day_rows(out)}
    assert len(rows) == 13
    assert rows[7][-2:] == ["-", "-"] and rows[10][-2:] == ["-", "-"]  # never announced
    assert float(rows[13][-2]) == pytest.approx(357.695, abs=0.005)
    assert "odometer" in out and "turns on the spot" in out
    table = pd.read_csv(csv)
    announced = table.dropna(subset=["announced_cumulative_m"])
    assert len(announced) == 11
    assert (announced["difference_m"].abs() / announced["announced_cumulative_m"]).max() < 0.01


def test_distances_compare_announced_json(archive, capsys):
    assert main(["distances", str(archive), "--compare-announced", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)  # no note mixed into the JSON
    assert rows[0]["announced_cumulative_m"] == pytest.approx(44.185)
    assert rows[6]["announced_cumulative_m"] is None


# --- build and map ----------------------------------------------------------------------------


def test_build_writes_every_output(built):
    stem = built["label"]
    files = sorted(p.name for p in stem.parent.iterdir())
    assert files == ["NAME.gpkg", "NAME.html", "NAME_days.csv", "NAME_drives.geojson", "NAME_files"]
    # the sample's camera products hold images: one thumbnail each (150 PCAM, 3 TCAM, 9 VNIS)
    assert len(list((stem.parent / "NAME_files" / "thumbs").glob("*.jpg"))) == 162
    layers = _spatial_layers(stem.with_suffix(".gpkg"))
    # the sample's synthetic LPR products hold echoes: their traces are a layer too (--science default)
    spatial = [*LAYERS, "radar_traces"]
    assert set(layers) == set(spatial) | {f"{name}_local" for name in spatial}
    assert layers["drives"] == "LineString" and layers["stations"] == "Point"
    stations = pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer="stations")
    assert len(stations) == 25
    drives = pyogrio.read_dataframe(stem.parent / "NAME_drives.geojson")
    assert len(drives) == 24 and (drives["source"] == "inferred").sum() == 2
    layer = pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer="drives")
    assert (layer["kind"] == "drive").all() and len(layer) == 24  # the sample has no gap
    coverage = pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer="coverage")
    assert coverage["lunar_day"].tolist() == list(range(1, 14)) and coverage["covered"].all()
    days = pd.read_csv(stem.parent / "NAME_days.csv")
    assert days["lunar_day"].tolist() == list(range(1, 14))
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "Yutu-2" in html


def test_build_summary(archive, tmp_path, capsys):
    assert main(["build", str(archive), "-o", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "25 stations, 24 drives, 13 lunar days, 357." in out
    assert "wrote " in out and str(tmp_path / "t.gpkg") in out
    assert not (tmp_path / "t_drives.geojson").exists()  # only with --geojson
    assert set(_spatial_layers(tmp_path / "t.gpkg")) == set(LAYERS) | {"radar_traces"}  # no --local


def test_map_writes_only_the_map_and_its_images(archive, tmp_path, capsys):
    out = tmp_path / "m" / "x.html"
    out.parent.mkdir()
    assert main(["map", str(archive), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["x.html", "x_files"]  # the map, its images
    assert out.stat().st_size > 10_000
    lines = capsys.readouterr().out.strip().splitlines()
    # nothing in the (empty) orbital cache: one line says which `traverse basemap get` would add a basemap
    assert lines[0].startswith(f"no orbital basemap cached for this traverse; `traverse basemap get nac-ortho"
                               f" --around {archive}`")
    assert lines[1:] == ["archive covers lunar days 1–13 (13 of 13); no gaps", f"wrote {out}"]


def test_control_lro_moves_lonlat_about_415_m_not_enu(built):
    label, lro = (pyogrio.read_dataframe(built[c].with_suffix(".gpkg"), layer="stations")
                  for c in ("label", "lro"))
    _, _, moved_m = MOON.get_geod().inv(label["lon"], label["lat"], lro["lon"], lro["lat"])
    assert np.all((moved_m > 400.0) & (moved_m < 430.0)), moved_m
    np.testing.assert_array_equal(label["x_east_m"], lro["x_east_m"])
    np.testing.assert_array_equal(label["y_north_m"], lro["y_north_m"])
    lander = {c: pyogrio.read_dataframe(built[c].with_suffix(".gpkg"), layer="lander")
              for c in ("label", "lro")}
    assert lander["label"]["control"].item() == "label"
    assert lander["lro"]["control"].item() == "lro"
    days = {c: pd.read_csv(built[c].parent / "NAME_days.csv") for c in ("label", "lro")}
    pd.testing.assert_frame_equal(days["label"], days["lro"])
    # the lander-centred layers are metres from the chosen lander: identical too
    local = {c: pyogrio.read_dataframe(built[c].with_suffix(".gpkg"), layer="stations_local")
             for c in ("label", "lro")}
    np.testing.assert_allclose(local["label"].geometry.x, local["lro"].geometry.x, atol=0.01)


def test_lro_tiles_with_label_control_warn(archive, tmp_path, capsys):
    out = tmp_path / "tiles.html"
    assert main(["map", str(archive), "-o", str(out), "--tiles", "moontrek-wac"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "--control lro" in err and "moontrek-wac" in err
    assert main(["map", str(archive), "-o", str(out), "--tiles", "moontrek-wac",
                 "--control", "lro", "--overwrite"]) == 0
    assert "warning" not in capsys.readouterr().err


# --- sample and bad input ---------------------------------------------------------------------


def test_sample_refuses_a_non_empty_folder(tmp_path, capsys):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    assert main(["sample", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--overwrite" in err
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]
    assert main(["sample", str(folder), "--overwrite"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "25 stations, 24 drives" in out and "357.695 m" in out
    assert (folder / "LPR").is_dir()
    n_files = sum(1 for _ in folder.rglob("*"))
    # --overwrite with another seed replaces the old sample instead of mixing the two
    assert main(["sample", str(folder), "--overwrite", "--seed", "7"]) == 0
    assert sum(1 for _ in folder.rglob("*")) == n_files
    assert (folder / "mine.txt").read_text() == "keep me"
    capsys.readouterr()
    assert main(["distances", str(folder), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[-1]["cumulative_m"] == pytest.approx(357.695, rel=0.01)


@pytest.mark.parametrize("command", ["distances", "build", "map"])
def test_lander_camera_labels_only_exit_1(archive, tmp_path, command, capsys):
    tcam = tmp_path / "tcam"
    shutil.copytree(archive / "TCAM", tcam)
    out = tmp_path / "out" / "t.html"
    args = [command, str(tcam)] + (["-o", str(out)] if command != "distances" else [])
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "no rover position" in captured.err
    assert captured.out == ""
    assert not out.parent.exists()


@pytest.mark.parametrize("command", ["distances", "build", "map"])
def test_empty_folder_exit_1(tmp_path, command, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out" / "t.html"
    args = [command, str(empty)] + (["-o", str(out)] if command != "distances" else [])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no Chang'e-4 or Tianwen-1 products could be read" in err
    assert not out.parent.exists()


@pytest.mark.parametrize(
    ("option", "make", "message"),
    [
        ("--basemap", lambda d: d / "missing.tif", "no such file"),
        ("--basemap", lambda d: (d / "bad.tif").write_text("not a raster") and d / "bad.tif",
         "not a raster GDAL can read"),
        ("--tiles", lambda d: "no-such-tiles", "unknown tile service (known: moontrek-wac"),
    ],
)
@pytest.mark.parametrize("command", ["map", "build"])
def test_bad_map_options_are_usage_errors_before_any_work(
    archive, tmp_path, command, option, make, message, capsys
):
    out = tmp_path / ("m.html" if command == "map" else "m")
    assert main([command, str(archive), "-o", str(out), option, str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and option in err
    assert not list(tmp_path.glob("m*"))
