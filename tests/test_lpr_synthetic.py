"""LPR 2B reading on generated products: layout from the label, bad records, zip streaming."""

from __future__ import annotations

import struct
import zipfile

import numpy as np
import pytest

from traverse.errors import LayoutError, RecordError
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_lpr_product

from .lpr_truth import lpr_poses


def _truth(poses):
    return np.column_stack([
        poses["ref_e_m"] + poses["dy_east_m"],
        poses["ref_n_m"] + poses["dx_north_m"],
        poses["ref_u_m"] - poses["dz_down_m"],
    ])


@pytest.mark.parametrize("channel", ["1", "2"])
def test_generated_records_read_back(tmp_path, channel):
    poses = lpr_poses(40)
    write_lpr_product(tmp_path, poses, channel=channel)
    frames, report = read_frames([tmp_path])
    assert len(frames) == 40 and not len(report)
    got = frames[["x_east_m", "y_north_m", "z_up_m"]].to_numpy()
    np.testing.assert_allclose(got, _truth(poses), atol=1e-5)
    np.testing.assert_allclose(frames["pitch_deg"], np.degrees(0.1), rtol=1e-6)
    assert (frames["time_utc"].to_numpy() == poses["time_utc"].to_numpy()).all()
    assert frames["payload"].iloc[0] == ("LPR-1" if channel == "1" else "LPR-2B")


def test_partial_last_record_dropped_and_counted(tmp_path):
    _, data = write_lpr_product(tmp_path, lpr_poses(10))
    with open(data, "ab") as fh:
        fh.write(b"\x14\x6f\x11\x11" + b"\0" * 100)
    frames, report = read_frames([tmp_path])
    assert len(frames) == 10
    assert "partial last record (104 of 32883 bytes) dropped" in report.problems[0].reason


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [("XPOSITION", float("nan"), "nan"), ("REFERENCE_POINT_YPOSITION", 1e36, "absurd"),
     ("ZPOSITION", float("inf"), "inf"), ("YPOSITION", -2e5, "far")],
)
def test_non_finite_or_absurd_records_rejected(tmp_path, field, value, what):
    poses = lpr_poses(20)
    _, data = write_lpr_product(tmp_path, poses)
    offset = {"XPOSITION": 14, "YPOSITION": 18, "ZPOSITION": 22, "REFERENCE_POINT_YPOSITION": 42}
    fmt = "<f" if field.startswith("REFERENCE") else ">f"
    raw = bytearray(data.read_bytes())
    struct.pack_into(fmt, raw, 7 * 32883 + offset[field], value)
    data.write_bytes(bytes(raw))
    frames, report = read_frames([tmp_path])
    assert len(frames) == 19 and 7 not in frames["record"].tolist()
    problem = report.problems[0]
    assert problem.count == 1 and "first is record 7" in problem.reason


def test_on_error_raise_stops_at_bad_record(tmp_path):
    _, data = write_lpr_product(tmp_path, lpr_poses(5))
    raw = bytearray(data.read_bytes())
    struct.pack_into(">f", raw, 2 * 32883 + 14, float("nan"))  # XPOSITION of record 2
    data.write_bytes(bytes(raw))
    with pytest.raises(RecordError, match="first is record 2"):
        read_frames([tmp_path], on_error="raise")
    frames, report = read_frames([tmp_path])
    assert len(frames) == 4 and report.problems[0].severity == "error"


def test_a_file_with_no_complete_record_is_still_an_error(tmp_path):
    _, data = write_lpr_product(tmp_path, lpr_poses(5))
    data.write_bytes(data.read_bytes()[:32882])  # one byte short of the first record
    with pytest.raises(LayoutError, match="truncated: label declares 5 records, file holds no complete"):
        read_frames([tmp_path], on_error="raise")
    frames, report = read_frames([tmp_path])
    assert len(frames) == 0 and report.problems[0].severity == "error"


def test_label_without_binary_and_binary_without_label(tmp_path):
    label, data = write_lpr_product(tmp_path / "a", lpr_poses(5))
    label2, data2 = write_lpr_product(tmp_path / "b", lpr_poses(5, start="2019-02-01T00:00:00Z"))
    data.unlink()
    label2.unlink()
    frames, report = read_frames([tmp_path])
    assert len(frames) == 0
    reasons = " | ".join(report.to_frame()["reason"])
    assert "not found; no records" in reasons and "data file without its label" in reasons


def test_zip_member_streamed_equals_file(tmp_path):
    poses = lpr_poses(300)
    label, data = write_lpr_product(tmp_path / "src", poses)
    bundle = tmp_path / "CE4_LPR_2B_20190111090000_20190111100000_A.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(label, f"DATA/{label.name}")
        zf.write(data, f"DATA/{data.name}")
    from traverse.missions import mission
    from traverse.read.archive import Source
    from traverse.read.labels import parse_label
    from traverse.read.poses import PoseLayout, read_poses

    layout = PoseLayout.from_table(parse_label(label.read_bytes())["table"], "lpr")
    epoch = mission("ce4").record_time_epoch_utc
    on_disk = read_poses(Source(data), layout, epoch)
    with zipfile.ZipFile(bundle) as zf:
        streamed = read_poses(Source(bundle, f"DATA/{data.name}", zf), layout, epoch, block_records=7)
    assert on_disk.equals(streamed)


def test_label_layout_missing_field_is_an_error(tmp_path):
    label, _ = write_lpr_product(tmp_path, lpr_poses(5))
    label.write_text(label.read_text().replace("<name>XPOSITION</name>", "<name>XPOS</name>"))
    frames, report = read_frames([tmp_path])
    assert len(frames) == 0
    assert "Table_Binary lacks XPOSITION" in report.problems[0].reason
