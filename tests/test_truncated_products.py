"""Nothing lost from short products: a radar binary shorter than its label declares is read
up to its last complete record and reported as truncated (a warning, never raised).

Generated LPR-2B products (label 162 records, file 161 complete ones, with or without a
partial 162nd), the real LPR-1 product cut to 100 of its 101 records, and the real RoPeR
products of sol 11 cut short, each compared with the first records of the whole product.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from traverse.cli import main
from traverse.errors import RecordError
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_lpr_product

from .lpr_truth import lpr_poses

LPR2_RECORD = 8307
LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
ROPER = Path(__file__).resolve().parents[2] / "shared" / "data" / "tw1" / "roper"
ROPER_PRODUCTS = {  # data file: record length, bytes
    "HX1-Ro_GRAS_RoPeR-HF-HH_SCI_N_20210525042001_20210525043243_00011_A.2B": 16453,
    "HX1-Ro_GRAS_RoPeR-LF-RI_SCI_N_20210525042000_20210525042951_00011_A.2B": 12069,
}


def _comparable(frames: pd.DataFrame) -> pd.DataFrame:
    """The frames without the columns naming the file they were read from."""
    return pd.DataFrame(frames.drop(columns=["source", "geometry"])).reset_index(drop=True)


def _cut_copy(label: Path, data: Path, folder: Path, keep_bytes: int) -> Path:
    """Copy ``label`` and the first ``keep_bytes`` of ``data`` into ``folder``; the data copy."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(label, folder / label.name)
    with open(data, "rb") as fh:
        (folder / data.name).write_bytes(fh.read(keep_bytes))
    return folder / data.name


@pytest.fixture(scope="module")
def lpr2b(tmp_path_factory):
    """(label, data) of a generated LPR-2B product of 162 records."""
    return write_lpr_product(tmp_path_factory.mktemp("lpr2b"), lpr_poses(162), channel="2")


@pytest.mark.parametrize("partial", [0, 4000])
def test_a_short_lpr_2b_product_gives_its_complete_records(lpr2b, tmp_path, partial):
    label, data = lpr2b
    whole, report = read_frames([label.parent])
    assert len(whole) == 162 and not len(report)
    cut = _cut_copy(label, data, tmp_path / "cut", 161 * LPR2_RECORD + partial)
    frames, report = read_frames([tmp_path / "cut"], on_error="raise")  # a warning: never raised
    pd.testing.assert_frame_equal(_comparable(frames), _comparable(whole.head(161)))
    [problem] = report.problems
    short = 162 * LPR2_RECORD - cut.stat().st_size
    extra = f" and {partial} bytes of the next" if partial else ""
    assert problem.source == str(cut) and problem.severity == "warning" and problem.count == 1
    assert problem.reason == ("truncated: label declares 162 records, file holds 161 complete records"
                              f"{extra} ({short} bytes short); the 161 are used")
    skipped, report = read_frames([tmp_path / "cut"])
    assert len(skipped) == 161 and report.problems == [problem]


def test_a_short_member_of_a_zip_bundle_is_streamed_up_to_its_last_record(lpr2b, tmp_path):
    label, data = lpr2b
    bundle = tmp_path / "CE4_LPR_2B_20190111090000_20190111100000_A.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(label, f"DATA/{label.name}")
        zf.writestr(f"DATA/{data.name}", data.read_bytes()[: 120 * LPR2_RECORD + 10])
    frames, report = read_frames([bundle], on_error="raise")
    whole, _ = read_frames([label.parent])
    pd.testing.assert_frame_equal(_comparable(frames), _comparable(whole.head(120)))
    assert report.problems[0].severity == "warning"
    assert "label declares 162 records, file holds 120 complete records" in report.problems[0].reason


def test_a_longer_file_keeps_its_records_and_is_reported_as_before(tmp_path):
    label, data = write_lpr_product(tmp_path, lpr_poses(12), channel="2")
    label.write_text(label.read_text().replace("<records>12</records>", "<records>11</records>"))
    frames, report = read_frames([tmp_path])
    assert len(frames) == 12
    assert [(p.reason, p.severity) for p in report.problems] == [
        ("12 records read but the label declares 11", "error")]
    with pytest.raises(RecordError, match="12 records read but the label declares 11"):
        read_frames([tmp_path], on_error="raise")


@pytest.mark.parametrize("command", ["index", "build"])
def test_the_cli_uses_a_short_product_and_lists_it(lpr2b, tmp_path, capsys, command):
    label, data = lpr2b
    cut = _cut_copy(label, data, tmp_path / "archive", 161 * LPR2_RECORD + 100)
    out = tmp_path / "out" / ("frames.csv" if command == "index" else "t")
    assert main([command, str(tmp_path / "archive"), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 LPR products with 161 records" in text
    assert f"warning: {cut}: truncated: label declares 162 records, file holds 161" in text
    skipped = pd.read_csv(tmp_path / "out" / ("frames_skipped.csv" if command == "index"
                                              else "t_skipped.csv"))
    assert list(skipped.columns) == ["source", "reason", "count", "severity"]
    [row] = skipped.itertuples()
    assert (row.source, row.count, row.severity) == (str(cut), 1, "warning")
    assert "file holds 161 complete records and 100 bytes of the next" in row.reason
    if command == "index":
        assert len(pd.read_csv(out)) == 161


def test_the_real_lpr_1_product_cut_short(lpr1, tmp_path):
    label, data = lpr1
    whole, _ = read_frames([label])
    assert len(whole) == 101
    cut = _cut_copy(label, data, tmp_path, 100 * 32883)
    frames, report = read_frames([tmp_path], on_error="raise")
    pd.testing.assert_frame_equal(_comparable(frames), _comparable(whole.head(100)))
    assert [(p.source, p.reason, p.count, p.severity) for p in report.problems] == [(
        str(cut), "truncated: label declares 101 records, file holds 100 complete records"
        " (32883 bytes short); the 100 are used", 1, "warning")]


@pytest.mark.skipif(not ROPER.is_dir(), reason=f"{ROPER} not found")
@pytest.mark.parametrize("name", sorted(ROPER_PRODUCTS))
def test_a_real_roper_product_cut_short(tmp_path, name):
    record = ROPER_PRODUCTS[name]
    label, data = ROPER / f"{name}L", ROPER / name
    declared = data.stat().st_size // record
    whole, _ = read_frames([label])
    keep = declared - 3
    cut = _cut_copy(label, data, tmp_path, keep * record + 18)
    frames, report = read_frames([tmp_path], on_error="raise")
    assert len(frames) == keep
    pd.testing.assert_frame_equal(_comparable(frames), _comparable(whole.sort_values("record").head(keep)
                                                                     .sort_values("time_utc", kind="stable")))
    [problem] = report.problems
    assert problem.source == str(cut) and problem.severity == "warning" and problem.count == 3
    assert (f"label declares {declared} records, file holds {keep} complete records and 18 bytes"
            f" of the next ({3 * record - 18} bytes short); the {keep} are used") in problem.reason
