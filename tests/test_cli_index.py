"""``traverse index``: outputs, summary, exit status."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from traverse.cli import main
from traverse.geodesy import MOON
from traverse.synthetic.products import write_label_product, write_lpr_product

from .lpr_truth import lpr_poses


@pytest.fixture()
def archive(tmp_path):
    root = tmp_path / "archive"
    write_label_product(root / "pcam", "PCAML-C", pd.Timestamp("2019-01-11T08:00:00Z"), frame=1,
                        rover_xyz=(-10.0, 4.0, 0.3))
    write_label_product(root / "tcam", "TCAM-I", pd.Timestamp("2019-01-11T07:00:00Z"), frame=1,
                        level="2C")
    write_lpr_product(root / "lpr", lpr_poses(30))
    (root / "CE4_GRAS_VNIS-SD_SCI_N_20190111080000_20190111080000_0001_B.2BL").write_text("<oops")
    return root


@pytest.mark.parametrize("suffix", [".csv", ".gpkg", ".parquet"])
def test_index_writes_every_frame(archive, tmp_path, suffix, capsys):
    out = tmp_path / f"frames{suffix}"
    assert main(["index", str(archive), "-o", str(out)]) == 0
    if suffix == ".csv":
        table = pd.read_csv(out)
        assert table["time_utc"].iloc[0] == "2019-01-11T07:00:00.000Z"
    else:
        table = gpd.read_file(out) if suffix == ".gpkg" else gpd.read_parquet(out)
        assert table.crs == MOON
    assert len(table) == 32
    assert set(table["instrument"]) == {"PCAM", "TCAM", "LPR"}
    assert (table["role"] == "lander").sum() == 1
    text = capsys.readouterr().out
    assert "2 label products (PCAM 1, TCAM 1); 1 LPR products with 30 records; 32 frames" in text
    assert "1 problems" in text and "not well-formed" in text
    skipped = pd.read_csv(tmp_path / "frames_skipped.csv")
    assert skipped["source"].str.endswith("VNIS-SD_SCI_N_20190111080000_20190111080000_0001_B.2BL").all()


def test_index_nothing_usable_exits_1(tmp_path, capsys):
    (tmp_path / "README.txt").write_text("nothing here")
    assert main(["index", str(tmp_path), "-o", str(tmp_path / "f.csv")]) == 1
    err = capsys.readouterr().err
    assert "no Chang'e-4 or Tianwen-1 products could be read" in err and err.count("\n") == 1
    assert not (tmp_path / "f.csv").exists()


def test_index_missing_path_exits_1(tmp_path, capsys):
    assert main(["index", str(tmp_path / "nope"), "-o", str(tmp_path / "f.csv")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_index_bad_output_and_control_are_usage_errors(archive, tmp_path, capsys):
    assert main(["index", str(archive), "-o", str(tmp_path / "f.txt")]) == 2
    assert main(["index", str(archive), "-o", str(tmp_path / "f.csv"), "--control", "mars"]) == 2
    assert "unknown control network 'mars'" in capsys.readouterr().err


def test_control_lro_moves_lonlat_not_enu(archive, tmp_path):
    main(["index", str(archive), "-o", str(tmp_path / "a.csv"), "-q"])
    main(["index", str(archive), "-o", str(tmp_path / "b.csv"), "-q", "--control", "lro"])
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert (a["x_east_m"] == b["x_east_m"]).all()
    assert (a["lon"] - b["lon"]).abs().min() > 0.005


def test_progress_bar_on_stderr(archive, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "traverse.cli", "index", str(archive), "-o",
         str(tmp_path / "f.csv"), "--progress"],
        capture_output=True, text=True, check=True,
    )
    assert "reading products" in proc.stderr and "4/4" in proc.stderr
    assert "reading products" not in proc.stdout


def test_real_archive(ce4, tmp_path):
    out = tmp_path / "real.csv"
    assert main(["index", str(ce4), "-o", str(out), "-q"]) == 0
    table = pd.read_csv(out)
    assert (table["instrument"] == "LPR").sum() == 101
    assert (table["instrument"] == "VNIS").sum() == 2


def test_index_csv_holds_every_frame_column_by_default(archive, tmp_path):
    """No silent subset: the CSV has every column of the frames table (but the geometry), basic ones first."""
    from traverse import read_frames
    from traverse.schema import INDEX_CSV_COLUMNS

    frames, _ = read_frames([archive])
    out = tmp_path / "all.csv"
    assert main(["index", str(archive), "-o", str(out), "-q"]) == 0
    header = pd.read_csv(out, nrows=0).columns.tolist()
    expected = [c for c in frames.columns if c != "geometry"]
    assert sorted(header) == sorted(expected) and len(header) > len(INDEX_CSV_COLUMNS)
    assert header[:3] == ["product_id", "instrument", "payload"]
    assert "view_azimuth_deg" in header  # a pointing column the old subset left out


def test_index_columns_basic_or_a_list(archive, tmp_path, capsys):
    from traverse.schema import INDEX_CSV_COLUMNS

    basic = tmp_path / "basic.csv"
    assert main(["index", str(archive), "-o", str(basic), "-q", "--columns", "basic"]) == 0
    assert pd.read_csv(basic, nrows=0).columns.tolist() == INDEX_CSV_COLUMNS
    few = tmp_path / "few.csv"
    assert main(["index", str(archive), "-o", str(few), "-q", "--columns", "product_id, lon,lat"]) == 0
    assert pd.read_csv(few).columns.tolist() == ["product_id", "lon", "lat"]
    assert main(["index", str(archive), "-o", str(tmp_path / "bad.csv"), "--columns", "lon,nope"]) == 2
    err = capsys.readouterr().err
    assert "--columns: no frame column 'nope'; the frames have: product_id" in err
    assert not (tmp_path / "bad.csv").exists()
    assert main(["index", str(archive), "-o", str(tmp_path / "f.gpkg"), "--columns", "basic"]) == 2
