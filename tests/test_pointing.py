"""What each frame looked at, from what its label really holds (traverse.read.pointing)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from traverse.read.frames import read_frames
from traverse.read.labels import parse_label
from traverse.synthetic.products import write_label_product


def test_real_vnis_target_is_the_labels_center_point(ce4):
    frames, _ = read_frames([ce4 / "vnis"])
    assert len(frames) == 2
    for row in frames.itertuples(index=False):
        lab = parse_label((ce4 / "vnis" / (row.product_id + "L")).read_bytes())
        target = np.array([row.target_x_east_m, row.target_y_north_m, row.target_z_up_m])
        np.testing.assert_allclose(target, lab["center_xyz"], atol=1e-3)  # 1 mm
        d = target - np.array(lab["rover_xyz"])
        assert row.view_azimuth_deg == pytest.approx(math.degrees(math.atan2(d[0], d[1])) % 360, abs=1e-9)
        assert row.view_azimuth_deg == pytest.approx(314.0, abs=1.0)  # sequence 0136: north-west, 1.3 m
        assert math.hypot(d[0], d[1]) == pytest.approx(1.3, abs=0.05)
        assert row.view_elevation_deg < 0 and row.view_source == "center_point"
    hfov = dict(zip(frames["payload"], frames["hfov_deg"], strict=True))
    assert hfov["VNIS-VD"] == pytest.approx(math.degrees(2 * math.atan(256 * 0.025 / 2 / 43)))
    assert hfov["VNIS-SD"] == pytest.approx(math.degrees(2 * math.atan(0.5 / 16)))  # 1mm_Diameter


@pytest.mark.parametrize("azimuth", [0.0, 37.5, 173.0, 290.0])
def test_lander_frame_vectors_give_the_view(tmp_path, azimuth):
    el = -30.0
    vec = (math.sin(math.radians(azimuth)) * math.cos(math.radians(el)),
           math.cos(math.radians(azimuth)) * math.cos(math.radians(el)), math.sin(math.radians(el)))
    write_label_product(tmp_path, "TCAM-I", pd.Timestamp("2019-01-11T19:57:09Z"), level="2C",
                        version="A", pointing=vec, pointing_frame="LANDER_COORDINATE_SYSTEM")
    row = read_frames([tmp_path])[0].iloc[0]
    assert row["view_azimuth_deg"] == pytest.approx(azimuth, abs=0.5)
    assert row["view_elevation_deg"] == pytest.approx(el, abs=0.5)
    assert row["view_source"] == "lander_vectors"


def test_no_usable_pointing_is_missing_not_zero(tmp_path):
    # vectors in the rover's own frame (as the VNIS labels have them) are not east-north-up
    write_label_product(tmp_path, "VNIS-VD", pd.Timestamp("2019-01-11T19:57:09Z"), rover_xyz=(1.0, 2.0, 0.0),
                        pointing=(0.0, 0.57, -0.82), pointing_frame="ROVER_COORDINATE_SYSTEM")
    row = read_frames([tmp_path])[0].iloc[0]
    assert np.isnan(row["view_azimuth_deg"]) and np.isnan(row["view_elevation_deg"])
    assert np.isnan(row["target_x_east_m"]) and pd.isna(row["view_source"])


def _heading_archive(folder, *, heading_a=250.0, bearing_ab=300.0):
    """Station A (LPR records at rest there, yaw = heading_a), then a 10 m drive to station B."""
    from traverse.synthetic.products import write_lpr_product

    t0 = pd.Timestamp("2019-01-04T04:00:00Z")
    yaws = (-12.9, 0.0, 12.9)
    for i, yaw in enumerate(yaws):
        write_label_product(folder, "PCAML-C", t0 + pd.Timedelta(minutes=i), frame=i, sequence_id=1,
                            rover_xyz=(0.0, 0.0, 0.0), rotation=(yaw, -23.9))
    n_rest, n_drive = 120, 200
    b = math.radians(bearing_ab)
    s = np.r_[np.zeros(n_rest), np.linspace(0.05, 10.0, n_drive)]
    poses = pd.DataFrame({
        "time_utc": t0 + pd.Timedelta(minutes=10) + pd.to_timedelta(np.arange(n_rest + n_drive), unit="s"),
        "ref_e_m": 0.0, "ref_n_m": 0.0, "ref_u_m": 0.0,
        "dx_north_m": s * math.cos(b), "dy_east_m": s * math.sin(b), "dz_down_m": 0.0,
        "velocity_m_s": np.r_[np.zeros(n_rest), np.full(n_drive, 0.05)],
        "pitch_rad": 0.0, "roll_rad": 0.0,
        "yaw_rad": np.r_[np.full(n_rest, math.radians(heading_a)), np.full(n_drive, b)],
    })
    write_lpr_product(folder, poses, sequence_id=2)
    end = (10.0 * math.sin(b), 10.0 * math.cos(b), 0.0)
    t1 = t0 + pd.Timedelta(hours=1)
    for i, yaw in enumerate(yaws):
        write_label_product(folder, "PCAML-C", t1 + pd.Timedelta(minutes=i), frame=i, sequence_id=3,
                            rover_xyz=end, rotation=(yaw, -35.9))
    return yaws


def test_mast_angles_turned_into_azimuths_with_the_rover_heading(tmp_path):
    from traverse import reconstruct

    yaws = _heading_archive(tmp_path)
    frames = reconstruct(read_frames([tmp_path])[0]).frames
    pcam = frames[frames["instrument"] == "PCAM"].sort_values("time_utc")
    a, b = pcam.iloc[:3], pcam.iloc[3:]
    np.testing.assert_allclose(a["view_azimuth_deg"], [(250.0 + y) % 360 for y in yaws], atol=0.5)
    assert set(a["view_source"]) == {"mast_yaw+lpr_yaw"}
    np.testing.assert_allclose(b["view_azimuth_deg"], [(300.0 + y) % 360 for y in yaws], atol=0.5)
    assert set(b["view_source"]) == {"mast_yaw+drive_bearing"}
    np.testing.assert_allclose(a["view_elevation_deg"], -23.9)
    np.testing.assert_allclose(b["view_elevation_deg"], -35.9)
