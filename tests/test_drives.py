"""Drives between stations: geometry, sources and noise-robust lengths against truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from traverse.geodesy import MOON, enu_to_lonlat
from traverse.path.drives import (
    DRIVES_COLUMNS,
    path_length_m,
    resample_min_step,
    split_drives,
)
from traverse.path.stations import detect_stations

from .traverse_truth import make_frames, sample_polyline

STOPS = [(0.0, 0.0, 0.0), (10.0, 0.0, 0.5), (10.0, 5.0, 0.2), (4.0, 8.0, 0.0)]


def test_noise_free_straight_drives_are_exact():
    truth = make_frames(STOPS, rest_records=[30, 100, 0, 0])
    dr = split_drives(truth.frames)
    assert dr.crs == MOON
    assert list(dr.columns[:-1]) == DRIVES_COLUMNS
    assert dr["drive_id"].tolist() == [1, 2, 3]
    assert dr["from_station"].tolist() == [1, 2, 3]
    assert dr["to_station"].tolist() == [2, 3, 4]
    assert (dr["source"] == "lpr").all()
    np.testing.assert_allclose(dr["length_2d_m"], truth.drive_2d_m, rtol=1e-9)
    np.testing.assert_allclose(dr["length_3d_m"], truth.drive_3d_m, rtol=1e-9)
    np.testing.assert_allclose(dr[["end_x_east_m", "end_y_north_m", "end_z_up_m"]],
                               truth.stops_enu[1:], atol=1e-12)
    # every drive starts and ends on its stations' points
    st = detect_stations(truth.frames)
    starts = shapely.get_point(dr.geometry.values, 0)
    ends = shapely.get_point(dr.geometry.values, -1)
    xy = shapely.get_coordinates(st.geometry.values)
    np.testing.assert_allclose(shapely.get_coordinates(starts), xy[:-1], atol=1e-12)
    np.testing.assert_allclose(shapely.get_coordinates(ends), xy[1:], atol=1e-12)
    # times: first and last moving LPR record of each drive, within the smoothing edge
    for i in range(3):
        assert truth.leave_utc[i] - pd.Timedelta(seconds=10) <= dr.loc[i, "start_utc"]
        assert dr.loc[i, "start_utc"] <= truth.leave_utc[i] + pd.Timedelta(seconds=10)
        assert dr.loc[i, "end_utc"] <= truth.arrive_utc[i + 1]


@pytest.mark.parametrize("seed", range(5))
def test_ten_metre_drive_with_jitter_within_one_percent(seed):
    truth = make_frames([(0, 0, 0), (6, 8, 0.3)], noise_m=0.015, rest_records=200, seed=seed)
    dr = split_drives(truth.frames)
    assert len(dr) == 1
    assert dr.loc[0, "length_2d_m"] == pytest.approx(10.0, rel=0.01)
    assert dr.loc[0, "length_3d_m"] == pytest.approx(truth.drive_3d_m[0], rel=0.01)
    # the raw 3 cm steps would read far longer: the test can fail
    raw = truth.frames.query("instrument == 'LPR'").sort_values("time_utc")
    raw_len = np.hypot(np.diff(raw["x_east_m"]), np.diff(raw["y_north_m"])).sum()
    assert raw_len > 13.0


@pytest.mark.parametrize("seed", range(3))
def test_thousand_rest_records_add_under_a_centimetre(seed):
    rng = np.random.default_rng(seed)
    t = np.arange(1000.0)
    x, y, z = (rng.normal(c, 0.015, 1000) for c in (3.0, -2.0, 0.1))
    l2, l3 = path_length_m(t, x, y, z)
    assert l2 < 0.01 and l3 < 0.01
    # and inside a reconstruction: drives are the same with or without the rest
    base = make_frames(STOPS[:3], noise_m=0.015, seed=seed)
    rest = make_frames(STOPS[:3], noise_m=0.015, rest_records=[0, 1000, 0], seed=seed)
    d0, d1 = split_drives(base.frames), split_drives(rest.frames)
    assert len(d1) == 2
    assert abs(d1["length_2d_m"].sum() - d0["length_2d_m"].sum()) < 0.01 + 0.002 * 15


def test_drive_without_radar_is_inferred_straight_segment():
    truth = make_frames(STOPS, lpr=[True, False, True])
    dr = split_drives(truth.frames)
    assert dr["source"].tolist() == ["lpr", "inferred", "lpr"]
    inferred = dr.loc[1]
    assert shapely.get_num_points(inferred.geometry) == 2
    assert inferred["length_2d_m"] == pytest.approx(5.0, abs=1e-9)
    assert inferred["length_3d_m"] == pytest.approx(np.hypot(5.0, 0.3), abs=1e-9)
    assert inferred["n_records"] == 0
    assert inferred["start_utc"] == truth.arrive_utc[1] + pd.Timedelta(seconds=110)
    assert inferred["end_utc"] == truth.arrive_utc[2] + pd.Timedelta(seconds=30)
    lon, lat, _ = enu_to_lonlat([10.0, 10.0], [0.0, 5.0], [0.5, 0.2])
    xy = shapely.get_coordinates(inferred.geometry)
    np.testing.assert_allclose(xy, np.c_[lon, lat], atol=1e-12)


def test_turning_drive_within_one_percent():
    via = [[(4, 0, 0), (4, 4, 0), (8, 6, 0)]]
    truth = make_frames([(0, 0, 0), (8, 10, 0)], via=via, noise_m=0.015, seed=7)
    dr = split_drives(truth.frames)
    assert dr.loc[0, "length_2d_m"] == pytest.approx(truth.drive_2d_m[0], rel=0.01)


def test_open_drive_after_last_station():
    truth = make_frames([(0, 0, 0), (5, 0, 0)], labels_per_stop=[2, 0], noise_m=0.015, seed=8)
    dr = split_drives(truth.frames)
    assert len(dr) == 1
    assert dr.loc[0, "from_station"] == 1 and pd.isna(dr.loc[0, "to_station"])
    assert dr.loc[0, "length_2d_m"] == pytest.approx(5.0, abs=0.05)


def test_no_drive_between_same_place_stations_across_night():
    truth = make_frames([(3, 4, 0), (3, 4, 0), (6, 8, 0)], lpr=[False, False],
                        stop_times=["2019-01-10T00:00Z", "2019-01-30T00:00Z", "2019-01-31T00:00Z"])
    dr = split_drives(truth.frames)
    assert dr["from_station"].tolist() == [2] and dr["to_station"].tolist() == [3]
    assert dr["lunar_day"].tolist() == [2]


def test_no_frames_no_drives():
    truth = make_frames(STOPS[:2])
    empty = truth.frames.iloc[:0]
    assert len(split_drives(empty)) == 0
    assert len(detect_stations(empty)) == 0


def test_resample_min_step_on_known_path():
    p = sample_polyline(np.array([[0, 0, 0], [1.0, 0, 0], [1.0, 1.0, 0]]), 0.03)
    idx = resample_min_step(p[:, 0], p[:, 1], min_step_m=0.1)
    assert idx[0] == 0 and idx[-1] == len(p) - 1
    steps = np.hypot(*np.diff(p[idx, :2], axis=0).T)
    assert (steps[:-1] >= 0.1).all() and (steps[:-1] < 0.1 + 0.03 + 1e-9).all()
    assert resample_min_step([0, 0.05, 0.02], [0, 0, 0.05], min_step_m=0.1).tolist() == [0]


def test_radar_drive_is_not_anchored_to_a_station_of_another_lunar_day():
    # a stop on day 1, then (day 2) radar records of a drive whose stops are missing
    truth = make_frames([(0, 0, 0), (50, 0, 0), (53, 4, 0)], labels_per_stop=[2, 0, 0],
                        lpr=[False, True],
                        stop_times=["2019-01-04T00:00Z", "2019-01-30T00:00Z", "2019-01-30T01:00Z"])
    dr = split_drives(truth.frames)
    assert len(dr) == 1
    assert pd.isna(dr.loc[0, "from_station"]) and pd.isna(dr.loc[0, "to_station"])
    assert dr.loc[0, "lunar_day"] == 2
    assert dr.loc[0, "length_2d_m"] == pytest.approx(5.0, abs=0.05)


@pytest.mark.parametrize(("lunar_days_apart", "drawn"), [(0, True), (1, True), (2, False), (40, False)])
def test_no_inferred_drive_across_lunar_days_without_data(lunar_days_apart, drawn):
    """A move over a whole lunar day with no data is unknown: not drawn, not counted (a gap)."""
    t0 = pd.Timestamp("2019-01-05T04:00:00Z")
    later = t0 + pd.Timedelta(days=29.530589 * lunar_days_apart, hours=6)
    truth = make_frames([(0, 0, 0), (30, 40, 0)], stop_times=[t0, later], lpr=False)
    dr = split_drives(truth.frames)
    if drawn:
        assert dr["source"].tolist() == ["inferred"]
        assert dr.loc[0, "length_2d_m"] == pytest.approx(50.0)
    else:
        assert dr.empty
