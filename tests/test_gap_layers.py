"""The gaps in the GIS outputs: rows of kind "gap" in the drives layer, never counted as drives.

Real material: the products in ../shared/data/ce4 hold lunar days 20 and 62 only, so the
reconstruction has a gap from the lander (no data before day 20) and one over days 21-61.
"""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest

from layers.geopackage import write_geopackage
from traverse import read_frames, reconstruct
from traverse.path.coverage import GAP_ONLY_COLUMNS, drives_and_gaps, split_gaps


@pytest.fixture(scope="module")
def real(ce4):
    frames, _ = read_frames([ce4])
    return reconstruct(frames)


def test_drives_layer_appends_the_gaps_as_kind_gap(real):
    layer = real.layers()["drives"]
    assert layer["kind"].tolist() == ["gap", "gap", "drive"]  # in order of arrival
    gaps = layer[layer["kind"] == "gap"]
    assert (gaps["source"] == "inferred").all()
    assert gaps["drive_id"].isna().all() and gaps["n_records"].isna().all()  # drive-only: empty
    assert gaps["length_2d_m"].round().tolist() == [314.0, 651.0]
    assert gaps["missing_days"].tolist() == ["1–19", "21–61"]
    drive = layer[layer["kind"] == "drive"]
    assert drive[list(GAP_ONLY_COLUMNS)].isna().all().all()
    assert drive["drive_id"].tolist() == real.drives["drive_id"].tolist()
    assert layer.attrs == real.drives.attrs  # still tied to the lander site


def test_split_gaps_gives_back_the_drives_alone(real):
    drives, gaps = split_gaps(real.layers()["drives"])
    assert drives["length_2d_m"].sum() == pytest.approx(real.drives["length_2d_m"].sum())
    assert drives["length_2d_m"].sum() == pytest.approx(real.days["drive_m"].sum())  # 5.6 m, not 970
    assert len(gaps) == 2
    plain, none = split_gaps(real.drives)  # a table without kind is drives only
    assert len(plain) == len(real.drives) and len(none) == 0


def test_no_gaps_leaves_the_drives_alone(real):
    layer = drives_and_gaps(real.drives, real.gaps.iloc[:0])
    assert layer["kind"].tolist() == ["drive"] and layer["drive_id"].dtype == real.drives["drive_id"].dtype


def test_geopackage_holds_gaps_and_the_coverage_table(real, tmp_path):
    gpkg = write_geopackage(tmp_path / "real.gpkg", real)
    drives = pyogrio.read_dataframe(gpkg, layer="drives")
    assert (drives["kind"] == "gap").sum() == 2
    assert drives.loc[drives["kind"] == "drive", "length_2d_m"].sum() == pytest.approx(5.6, abs=0.1)
    assert drives.loc[drives["kind"] == "gap", "reason"].str.startswith("no data").all()
    coverage = pyogrio.read_dataframe(gpkg, layer="coverage")
    assert "geometry" not in coverage
    assert coverage["lunar_day"].tolist() == list(range(1, 63))
    assert coverage.loc[coverage["covered"], "lunar_day"].tolist() == [20, 62]
    days = pyogrio.read_dataframe(gpkg, layer="days")
    assert days["lunar_day"].tolist() == [20, 62]  # the days without data are not empty rows here
    assert pd.api.types.is_bool_dtype(coverage["covered"])


def _gap(**kw):
    row = {"lunar_day": 62, "from_day": 20, "missing_days": "21–61", "length_2d_m": 650.74,
           "end_utc": pd.Timestamp("2023-12-16T07:56Z")}
    return pd.Series({**row, **kw})


def test_gap_tooltips_say_no_data_and_at_least():
    from layers.daypanel import gap_text
    from traverse.missions import mission

    moon, mars = mission("ce4"), mission("tw1")
    assert gap_text(_gap(), moon) == ("No data between lunar day 20 and lunar day 62"
                                      " (days 21–61 missing): at least 651 m")
    assert gap_text(_gap(from_day=pd.NA, lunar_day=20, missing_days="1–19", length_2d_m=314.4), moon) == (
        "No data before lunar day 20: at least 314 m from the lander")
    assert gap_text(_gap(lunar_day=12, from_day=11, missing_days="", length_2d_m=40.0), mars) == (
        "No data between sol 11 and sol 12: at least 40 m")
    assert gap_text(_gap(lunar_day=15, from_day=11, missing_days="12–14"), mars).startswith(
        "No data between sol 11 and sol 15 (sols 12–14 missing)")
    assert gap_text(_gap(lunar_day=3, from_day=3, missing_days=""), moon).startswith("No drive data within")


def test_chart_breaks_where_a_gap_arrives(real):
    from layers.timeline import chart_spec, gap_breaks

    assert gap_breaks(real.stations, real.gaps) == [1]  # day 62's station comes across the gap
    assert gap_breaks(real.stations, real.gaps.iloc[:1]) == []  # the lander's gap: before any station
    assert gap_breaks(real.stations, None) == []
    spec = chart_spec(real.stations, real.drives, real.days, real.mission, real.gaps)
    assert spec["breaks"] == [1]
    assert spec["series"][0]["m"] == [0.0, 0.0]  # gaps never counted as driven


def test_panel_rows_collapse_the_runs_without_data(real):
    from layers.daypanel import days_panel_html, missing_runs

    assert missing_runs(real.days, real.coverage) == [(1, 19), (21, 61)]
    assert missing_runs(real.days, None) == []
    html, n_rows = days_panel_html(real.days, {20: "#440154", 62: "#fde725"}, "label", real.mission,
                                   real.coverage, real.gaps)
    assert n_rows == 4 and html.count("traverse-no-data") == 2 and "21–61" in html
    assert "Measured: 5.6 m driven" in html and "at least 970.8 m with 2 gaps" in html
