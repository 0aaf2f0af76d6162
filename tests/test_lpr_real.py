"""LPR 2B pose extraction and its quirks, pinned on the real LPR-1 product of 2023-12-16."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traverse.missions import mission
from traverse.read import quirks
from traverse.read.archive import Source
from traverse.read.labels import parse_label
from traverse.read.poses import PoseLayout, read_poses
from traverse.record_formats import record_format


@pytest.fixture(scope="module")
def lpr1_layout(lpr1):
    label, _ = lpr1
    return PoseLayout.from_table(parse_label(label.read_bytes(), str(label))["table"], "lpr", level="2B")


@pytest.fixture(scope="module")
def poses(lpr1, lpr1_layout):
    return read_poses(Source(lpr1[1]), lpr1_layout, mission("ce4").record_time_epoch_utc)


def test_101_records_with_label_times(poses):
    assert len(poses) == 101
    assert poses["record"].tolist() == list(range(101))
    assert poses["time_utc"].iloc[0] == pd.Timestamp("2023-12-16T07:56:00.330Z")
    assert poses["time_utc"].iloc[-1] == pd.Timestamp("2023-12-16T08:06:40.590Z")
    assert poses["time_utc"].is_monotonic_increasing


def test_rover_at_reference_point_then_drives_west(poses):
    """Source: ../shared/data/ce4/README.md (E −736.761, N 598.089, U 2.426 for records 0–22)."""
    enu = poses[["x_east_m", "y_north_m", "z_up_m"]].to_numpy()
    np.testing.assert_allclose(enu[:23], np.tile([-736.761, 598.089, 2.426], (23, 1)), atol=1e-3)
    np.testing.assert_allclose(enu[-1], [-742.306, 597.623, 2.347], atol=1e-3)
    assert not np.allclose(enu[23], enu[22], atol=1e-3)


def test_quirk_reference_point_is_little_endian(lpr1, lpr1_layout):
    """Read as the label says (big-endian), the reference point is garbage."""
    label, data = lpr1
    table = parse_label(label.read_bytes())["table"]
    start = table["fields"]["REFERENCE_POINT_XPOSITION"][0]
    raw = np.frombuffer(data.read_bytes()[start : start + 4], dtype=">f4")[0]
    assert not (1e-3 < abs(raw) < 1e5)
    assert lpr1_layout.dtype["REFERENCE_POINT_XPOSITION"].str == "<f4"
    assert lpr1_layout.dtype["XPOSITION"].str == ">f4"
    assert quirks.little_endian({"REFERENCE_POINT_XPOSITION": ">f4", "XPOSITION": ">f4"},
                                record_format("lpr").little_endian) == {
        "REFERENCE_POINT_XPOSITION": "<f4", "XPOSITION": ">f4"
    }


def test_quirk_attitude_is_radians(poses):
    """The label says deg; the stored values are within ±π, so radians (reported in degrees)."""
    yaw = poses["yaw_deg"].to_numpy()
    assert np.abs(yaw).max() > 90  # 175.4° after conversion; raw 3.06
    assert np.abs(np.radians(yaw)).max() <= np.pi + 1e-6


def test_quirk_axes_swapped_between_frames():
    e, n, u = quirks.rover_enu_from_reference(1.0, 2.0, 3.0, 10.0, 20.0, 30.0)
    assert (e, n, u) == (12.0, 21.0, 27.0)
    # the LPR record format says the same as data: E = REF_X + Y, N = REF_Y + X, U = REF_Z - Z
    values = {"XPOSITION": 1.0, "YPOSITION": 2.0, "ZPOSITION": 3.0, "REFERENCE_POINT_XPOSITION": 10.0,
              "REFERENCE_POINT_YPOSITION": 20.0, "REFERENCE_POINT_ZPOSITION": 30.0}
    position = record_format("lpr").position
    assert tuple(sum(sign * values[f] for sign, f in position[axis])
                 for axis in ("east", "north", "up")) == (e, n, u)


def test_reads_header_bytes_only(lpr1_layout):
    """The structured dtype covers only pose fields, with the record length as stride."""
    assert lpr1_layout.dtype.itemsize == 32883
    assert max(lpr1_layout.dtype.fields[f][1] for f in lpr1_layout.dtype.names) < 64
