"""Station detection on synthetic frames whose stops are known exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traverse.geodesy import LANDER_LRO, MOON, enu_to_lonlat
from traverse.path.settings import DEFAULT_SETTINGS
from traverse.path.smoothing import smooth_positions, smoothed_speed_m_s
from traverse.path.stations import detect_stations, rover_track

from .traverse_truth import make_frames

STOPS = [(0.0, 0.0, 0.0), (10.0, 0.0, 0.5), (10.0, 5.0, 0.2), (4.0, 8.0, 0.0)]


def test_label_stops_give_exact_stations():
    truth = make_frames(STOPS)
    st = detect_stations(truth.frames)
    assert st.crs == MOON
    assert st["station_id"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(st[["x_east_m", "y_north_m", "z_up_m"]], truth.stops_enu, atol=1e-12)
    assert (st["n_PCAM"] == 1).all() and (st["n_VNIS"] == 1).all() and (st["n_LPR"] == 0).all()
    assert (st["n_frames"] == 2).all()
    assert st["products"].tolist() == [";".join(p) for p in truth.products]
    assert (st["instruments"] == "PCAM,VNIS").all()
    assert (st["lunar_day"] == 1).all()
    first = [t + pd.Timedelta(seconds=30) for t in truth.arrive_utc]
    assert st["first_utc"].tolist() == first
    assert st["last_utc"].tolist() == [t + pd.Timedelta(seconds=110) for t in truth.arrive_utc]
    lon, lat, _ = enu_to_lonlat(*truth.stops_enu.T)
    np.testing.assert_allclose(st.geometry.x, lon, atol=1e-12)
    np.testing.assert_allclose(st.geometry.y, lat, atol=1e-12)


def test_site_changes_lonlat_not_enu():
    truth = make_frames(STOPS)
    st = detect_stations(truth.frames, site=LANDER_LRO)
    lon, lat, _ = enu_to_lonlat(*truth.stops_enu.T, LANDER_LRO)
    np.testing.assert_allclose(st["lon"], lon, atol=1e-12)
    np.testing.assert_allclose(st["lat"], lat, atol=1e-12)
    np.testing.assert_allclose(st["x_east_m"], truth.stops_enu[:, 0])


def test_noisy_rest_records_join_their_stop():
    truth = make_frames(STOPS, noise_m=0.015, rest_records=[200, 1000, 50, 0], seed=1)
    st = detect_stations(truth.frames)
    assert len(st) == 4
    # label positions win over jittery LPR
    np.testing.assert_allclose(st[["x_east_m", "y_north_m"]], truth.stops_enu[:, :2], atol=1e-12)
    # rest records, give or take the few at a drive's start whose window sees motion
    np.testing.assert_allclose(st["n_LPR"], [200, 1000, 50, 0], atol=6)
    assert st.loc[1, "instruments"] == "LPR,PCAM,VNIS"


def test_lpr_only_stop_found_by_speed():
    truth = make_frames(STOPS[:3], labels_per_stop=[2, 0, 2], rest_records=[0, 300, 0],
                        noise_m=0.015, seed=2)
    st = detect_stations(truth.frames)
    assert len(st) == 3
    assert st.loc[1, "n_PCAM"] == 0 and st.loc[1, "products"] == ""
    assert abs(st.loc[1, "n_LPR"] - 300) <= 6
    err = np.hypot(st.loc[1, "x_east_m"] - 10.0, st.loc[1, "y_north_m"] - 0.0)
    assert err < 0.005  # median of 300 records with 1.5 cm jitter


@pytest.mark.parametrize(("pause_s", "n_stations"), [(30, 2), (50, 2), (120, 3), (600, 3)])
def test_pause_inside_drive_is_a_station_only_when_long(pause_s, n_stations):
    truth = make_frames(STOPS[:2], pauses={0: (0.5, pause_s)}, noise_m=0.015, seed=3)
    st = detect_stations(truth.frames)
    assert len(st) == n_stations
    if n_stations == 3:
        np.testing.assert_allclose(st.loc[1, ["x_east_m", "y_north_m"]], [5.0, 0.0], atol=0.05)


def test_wiggle_in_place_merges_a_loop_does_not():
    wiggle = make_frames([(0, 0, 0), (0, 0, 0), (5, 0, 0)], via=[[(0.1, 0.05, 0)], None],
                         noise_m=0.015, seed=4)
    st = detect_stations(wiggle.frames)
    assert st["station_id"].tolist() == [1, 2]
    assert st.loc[0, "n_PCAM"] == 2 and st.loc[0, "n_VNIS"] == 2
    loop = make_frames([(0, 0, 0), (0, 0, 0), (5, 0, 0)], via=[[(2, 0, 0), (2, 2, 0)], None],
                       noise_m=0.015, seed=4)
    st = detect_stations(loop.frames)
    assert len(st) == 3
    np.testing.assert_allclose(st.loc[1, ["x_east_m", "y_north_m"]], [0.0, 0.0], atol=1e-12)


def test_same_place_across_a_lunar_night_is_two_stations():
    truth = make_frames([(3, 4, 0), (3, 4, 0)], lpr=False,
                        stop_times=["2019-01-10T00:00Z", "2019-01-30T00:00Z"])
    st = detect_stations(truth.frames)
    assert st["lunar_day"].tolist() == [1, 2]
    assert st["station_id"].tolist() == [1, 2]


@pytest.mark.parametrize(("gap_m", "n_stations"), [(0.2, 1), (0.5, 2)])
def test_label_stops_without_radar_split_by_diameter(gap_m, n_stations):
    truth = make_frames([(0, 0, 0), (gap_m, 0, 0)], lpr=False)
    assert len(detect_stations(truth.frames)) == n_stations
    assert len(detect_stations(truth.frames, settings=DEFAULT_SETTINGS.replace(max_stop_diameter_m=1.0))) == 1


def test_input_unchanged_and_lander_frames_ignored():
    truth = make_frames(STOPS, noise_m=0.015, rest_records=100, seed=5)
    before = truth.frames.copy()
    track = rover_track(truth.frames)
    pd.testing.assert_frame_equal(truth.frames, before)
    assert "TCAM" not in set(track["instrument"])
    assert track["time_utc"].is_monotonic_increasing
    st = detect_stations(truth.frames)
    assert "n_TCAM" not in st.columns
    assert st["n_frames"].sum() == track["station_id"].notna().sum()


def test_thresholds_are_keyword_only():
    truth = make_frames(STOPS[:2])
    with pytest.raises(TypeError):
        detect_stations(truth.frames, None, 0.3)


def test_smoothing_and_speed_on_known_motion():
    t = np.arange(200.0)
    x = 0.03 * t
    xs, = smooth_positions(t, x, smooth_window_s=10.0)
    np.testing.assert_allclose(xs, x, atol=1e-12)  # uniform motion is kept, ends included
    v = smoothed_speed_m_s(t, x, np.zeros_like(x), smooth_window_s=10.0)
    np.testing.assert_allclose(v, 0.03, rtol=1e-9)
    rng = np.random.default_rng(0)
    still = smoothed_speed_m_s(t, rng.normal(0, 0.015, 200), rng.normal(0, 0.015, 200), smooth_window_s=10.0)
    assert np.nanmax(still) < 0.005  # far below the 0.01 m/s rest threshold
    assert np.isnan(smoothed_speed_m_s([0.0, 100.0], [0.0, 1.0], [0.0, 0.0], smooth_window_s=10.0)).all()
