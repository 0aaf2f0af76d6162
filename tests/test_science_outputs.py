"""``traverse build --science``: the real LPR-1 drive's radargram and traces, the real VNIS-SD spectrum."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
import shapely
from PIL import Image

from traverse.cli import main
from traverse.geodesy import LANDER_LABEL, lonlat_to_enu
from traverse.missions import mission

LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
SD = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"


@pytest.fixture(scope="module")
def built(ce4_build):
    return ce4_build


def _enu(gdf, site=LANDER_LABEL):
    xy = shapely.get_coordinates(gdf.geometry)
    e, n, _ = lonlat_to_enu(xy[:, 0], xy[:, 1], np.full(len(xy), site.height_m), site)
    return np.column_stack([e, n])


def _drives(gpkg):
    drives = pyogrio.read_dataframe(gpkg, layer="drives")
    drives = drives[drives["kind"] == "drive"].reset_index(drop=True)
    assert len(drives) == 1  # the LPR-1 drive of lunar day 62 (the other row is a gap)
    return drives


def test_one_radargram_png_for_the_lpr1_drive(built):
    pngs = sorted((built.parent / "NAME_files" / "radar").iterdir())
    assert [p.name for p in pngs] == [f"1_{LPR1}.png"]
    traces = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="radar_traces")
    drive = _drives(built.with_suffix(".gpkg")).iloc[0]
    n_cols = int(round(drive["length_2d_m"] / 0.05)) + 1  # 5 cm columns over the ≈ 5.6 m drive
    with Image.open(pngs[0]) as im:
        assert im.size == (n_cols, 8192) and im.mode == "LA"
        alpha = np.asarray(im)[:, :, 1]
    shown = sorted(set(traces.loc[traces["column"] >= 0, "column"]))
    assert (alpha[:, shown] == 255).all()  # a column showing a trace is opaque, an empty one transparent
    assert (alpha[:, sorted(set(range(n_cols)) - set(shown))] == 0).all()
    assert set(traces["radargram"]) == {f"NAME_files/radar/1_{LPR1}.png"}


def test_radar_traces_lie_on_the_drive_line(built):
    gpkg = built.with_suffix(".gpkg")
    traces = pyogrio.read_dataframe(gpkg, layer="radar_traces")
    drives = _drives(gpkg)
    drive = drives.iloc[0]
    # decimated: one point per opaque column (the trace it shows), of the drive's 78 records
    assert traces["column"].is_unique and (traces["column"] >= 0).all()
    assert 0 < len(traces) < drive["n_records"] == 78 and set(traces["drive_id"]) == {drive["drive_id"]}
    assert set(traces["product"]) == {LPR1}
    assert traces["along_m"].is_monotonic_increasing and traces["time_utc"].is_monotonic_increasing
    line = shapely.LineString(_enu(drives.iloc[[0]]))
    pts = shapely.points(_enu(traces))
    assert float(np.max(shapely.distance(line, pts))) < 0.01
    np.testing.assert_allclose(shapely.line_locate_point(line, pts), traces["along_m"], atol=0.01)


def test_spectra_table_of_the_vnis_sd_product(built):
    spectra = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="spectra")
    assert len(spectra) == 300 and set(spectra["product_id"]) == {SD}
    assert spectra["channel"].tolist() == list(range(300))
    assert spectra["wavelength_nm"].min() == 900.0 and spectra["wavelength_nm"].max() == 2395.0
    assert (spectra["value"] > 0).all() and spectra["time_utc"].notna().all()
    frames = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="frames")
    assert SD in set(frames["product_id"])  # the spectrum's frame, by product_id


def test_science_none_writes_none_of_them(ce4, tmp_path):
    out = tmp_path / "NAME"
    assert main(["build", str(ce4), "-o", str(out), "-q", "--science", "none"]) == 0
    assert not (tmp_path / "NAME_files" / "radar").exists()
    names = {name for name, _ in pyogrio.list_layers(out.with_suffix(".gpkg"))}
    assert "radar_traces" not in names and "spectra" not in names and "coverage" in names


def test_science_radar_only(ce4, tmp_path):
    out = tmp_path / "NAME"
    assert main(["build", str(ce4), "-o", str(out), "-q", "--science", "radar"]) == 0
    names = {name for name, _ in pyogrio.list_layers(out.with_suffix(".gpkg"))}
    assert "radar_traces" in names and "spectra" not in names


def test_a_bad_echo_group_is_a_problem_not_an_exception(ce4, tmp_path):
    """An echo group that cannot fit the record: the build goes on, the product listed as skipped."""
    arch = tmp_path / "arch"
    arch.mkdir()
    label = (ce4 / "lpr" / f"{LPR1}L").read_text(encoding="utf-8")
    assert label.count("<repetitions>8192</repetitions>") == 1
    (arch / f"{LPR1}L").write_text(label.replace("<repetitions>8192</repetitions>",
                                                 "<repetitions>999999999</repetitions>"), encoding="utf-8")
    (arch / LPR1).symlink_to(ce4 / "lpr" / LPR1)
    out = tmp_path / "NAME"
    assert main(["build", str(arch), "-o", str(out), "-q"]) == 0
    assert not (tmp_path / "NAME_files" / "radar").exists()
    skipped = (tmp_path / "NAME_skipped.csv").read_text(encoding="utf-8")
    assert "no radargram" in skipped and "echo group" in skipped
    names = {name for name, _ in pyogrio.list_layers(out.with_suffix(".gpkg"))}
    assert "radar_traces" not in names and "frames" in names


def test_decimation_keeps_the_trace_nearest_each_column(built):
    """The rule of radar_traces_layer, checked against the frames: each point is the record nearest
    its column's centre among the drive's records (held fixes spread in time, as the radargram)."""
    traces = pyogrio.read_dataframe(built.with_suffix(".gpkg"), layer="radar_traces")
    drive = _drives(built.with_suffix(".gpkg")).iloc[0]
    n_cols = int(round(drive["length_2d_m"] / 0.05)) + 1
    centres = np.linspace(0.0, drive["length_2d_m"], n_cols)
    gap = np.abs(centres[traces["column"]] - traces["along_m"].to_numpy())
    assert (gap <= 0.025 + 1e-9).all()  # within half a 5 cm spacing of the column it shows
    with Image.open(built.parent / traces["radargram"].iloc[0]) as im:
        opaque = np.flatnonzero(np.asarray(im)[0, :, 1] == 255)
    assert sorted(traces["column"]) == opaque.tolist()  # every opaque column is one point, and only those


@pytest.fixture(scope="module")
def roper_built(tmp_path_factory):
    from .test_echoes import ROPER

    out = tmp_path_factory.mktemp("roper") / "NAME"
    assert main(["build", str(ROPER.parent), "-o", str(out), "-q"]) == 0
    return out


@pytest.mark.parametrize(("band", "samples"), [("HF", 2048), ("LF", 3000)])
def test_roper_radargrams_along_the_sol_11_drive(roper_built, band, samples):
    """The real Zhurong sol-11 drive (6.70 m): each RoPeR channel drawn along it, within 1 %."""
    gpkg = roper_built.with_suffix(".gpkg")
    drive = _drives(gpkg).iloc[0]
    assert drive["length_2d_m"] == pytest.approx(6.70, abs=0.005)
    traces = pyogrio.read_dataframe(gpkg, layer="radar_traces")
    mine = traces[traces["product"].str.contains(f"RoPeR-{band}")]
    png = roper_built.parent / mine["radargram"].iloc[0]
    n_cols = int(round(drive["length_2d_m"] / 0.05)) + 1
    with Image.open(png) as im:
        assert im.size == (n_cols, samples)  # 5 cm columns over the 6.70 m drive, one row per sample
        alpha = np.asarray(im)[:, :, 1]
    assert sorted(mine["column"]) == np.flatnonzero(alpha[0] == 255).tolist()
    # the traces span the drive: the first near its start, the last near its end (HF within 1 %; the
    # 14 LF traces, one per ~0.5 m, stop at 04:29:51, the LF product's end, before the drive's 04:32:43)
    assert mine["along_m"].max() == pytest.approx(drive["length_2d_m"], rel=0.01 if band == "HF" else 0.05)
    assert mine["along_m"].min() < 0.01 * drive["length_2d_m"]
    site = next(iter(mission("tw1").sites.values()))  # the landing site, on Mars
    line = shapely.LineString(_enu(_drives(gpkg).iloc[[0]], site))
    assert float(np.max(shapely.distance(line, shapely.points(_enu(mine, site))))) < 0.01
    np.testing.assert_allclose(_enu(mine, site), mine[["x_east_m", "y_north_m"]], atol=0.01)
