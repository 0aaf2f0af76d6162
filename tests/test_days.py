"""Lunar day numbers, the per-day table and the announced odometry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from traverse.geodesy import LANDER_LABEL, LANDER_LRO, MOON
from traverse.path.days import (
    DAYS_COLUMNS,
    LUNAR_DAY_EPOCH_UTC,
    SYNODIC_MONTH_D,
    days_table,
    lunar_day_number,
)
from traverse.path.odometry import (
    announced_end_of_day_m,
    announced_odometry,
    compare_announced,
    compare_announced_at_dates,
)
from traverse.path.reconstruct import Traverse, reconstruct

from .traverse_truth import make_frames


def _range(a, b, step="6h"):
    return pd.date_range(a, b, freq=step, tz="UTC")


def test_landing_and_first_days():
    assert lunar_day_number(pd.Timestamp("2019-01-03T02:26Z")) == 1
    assert (lunar_day_number(_range("2019-01-03", "2019-01-11T23:00")) == 1).all()
    # rover wake-up 2019-01-29 ~12:40 UTC, lander 2019-01-30; dormancy 2019-02-11
    assert (lunar_day_number(_range("2019-01-29T12:00", "2019-02-11T23:00")) == 2).all()
    assert lunar_day_number("2019-12-25T00:00Z") == 13


@pytest.mark.parametrize(
    ("when", "day"),
    [
        # CNSA via Xinhua, the dates the rover went dormant at the end of a day
        ("2019-06-09T12:00Z", 6),  # "212.99 meters", Xinhua 2019-06-10
        ("2019-12-04T00:00Z", 12),  # "345.059 meters", Xinhua 2019-12-04
        ("2020-06-28T00:00Z", 19),  # "463.26 meters", Xinhua 2020-06-28
        ("2020-12-22T00:00Z", 25),  # "600.55 meters", Xinhua 2020-12-22
    ],
)
def test_announced_dormancy_dates_get_their_day(when, day):
    assert lunar_day_number(when) == day


def test_numbers_right_across_gaps_of_several_lunar_days():
    # local sunrise ~7.4 d and sunset ~22.1 d after the epoch (local midnight)
    k = np.arange(0, 60)
    epoch = LUNAR_DAY_EPOCH_UTC
    for offset_d in (8.4, 15.0, 21.1):  # just after sunrise, noon, just before sunset
        t = epoch + pd.to_timedelta((k * SYNODIC_MONTH_D + offset_d) * 86400, unit="s")
        np.testing.assert_array_equal(lunar_day_number(t[[0, 5, 17, 59]]), k[[0, 5, 17, 59]] + 1)
    # an arbitrary sparse set: days 1, 4, 9 with nothing between
    t = pd.to_datetime(["2019-01-05", "2019-04-12", "2019-09-01"], utc=True)
    assert lunar_day_number(t).tolist() == [1, 4, 9]


def test_lunar_day_number_rejects_missing_times():
    with pytest.raises(ValueError, match="missing"):
        lunar_day_number(pd.to_datetime(["2019-01-05", None], utc=True))


def _three_lunar_days():
    # A, B on day 1; B, C on day 2; C again on day 3 (no drive); D on day 5 (a gap: day 4 missing)
    stops = [(0, 0, 0), (10, 0, 0.4), (10, 0, 0.4), (10, 6, 0.1), (10, 6, 0.1), (13, 10, 0.0)]
    times = ["2019-01-04T00:00Z", "2019-01-04T01:00Z", "2019-01-30T00:00Z", "2019-01-30T02:00Z",
             "2019-03-01T00:00Z", "2019-05-01T00:00Z"]
    return make_frames(stops, stop_times=times, lpr=[True, False, True, False, False],
                       noise_m=0.015, rest_records=50, seed=11)


def test_days_summarise_a_known_traverse():
    truth = _three_lunar_days()
    trav = reconstruct(truth.frames)
    days = trav.days
    assert days.crs == MOON
    assert list(days.columns[:-1]) == DAYS_COLUMNS
    assert days["lunar_day"].tolist() == [1, 2, 3, 5]
    assert days["stations"].tolist() == [2, 2, 1, 1]
    np.testing.assert_allclose(days["drive_m"], [10.0, 6.0, 0.0, 0.0], rtol=0.01, atol=1e-9)
    np.testing.assert_allclose(days["cumulative_m"], [10.0, 16.0, 16.0, 16.0], rtol=0.01)
    # C (day 3) to D (day 5): lunar day 4 is missing, so the 5 m jump is a gap, a lower bound
    np.testing.assert_allclose(days["gap_m"], [0.0, 0.0, 0.0, 5.0], atol=1e-6)
    np.testing.assert_allclose(days["cumulative_min_m"], [10.0, 16.0, 16.0, 21.0], rtol=0.01)
    gap = trav.gaps.iloc[0]
    assert len(trav.gaps) == 1 and gap["missing_days"] == "4" and gap["from_day"] == 3
    assert trav.coverage["lunar_day"].tolist() == [1, 2, 3, 4, 5]
    assert trav.coverage["covered"].tolist() == [True, True, True, False, True]
    assert (days["drive_3d_m"] >= days["drive_m"]).all()
    np.testing.assert_allclose(days["from_lander_m"], [10.0, np.hypot(10, 6), np.hypot(10, 6),
                                                       np.hypot(13, 10)], atol=1e-9)
    bearing = np.degrees(np.arctan2([10, 10, 10, 13], [0, 6, 6, 10]))  # clockwise from north
    np.testing.assert_allclose(days["bearing_deg"], bearing, atol=1e-9)
    assert days.loc[0, "start_utc"] == truth.arrive_utc[0] + pd.Timedelta(seconds=30)
    # last frame of day 5: the 50th LPR rest record after two labels
    assert days.loc[3, "end_utc"] == truth.arrive_utc[5] + pd.Timedelta(seconds=30 + 120 + 49)
    # no drive is made across the missing day; days 3 and 5 have an empty MultiLineString
    assert trav.drives["source"].tolist() == ["lpr", "lpr"]
    assert (days.geom_type == "MultiLineString").all()
    assert days.is_empty.tolist() == [False, False, True, True]
    assert shapely.get_num_geometries(days.geometry.values).tolist() == [1, 1, 0, 0]
    assert shapely.to_wkt(days.geometry.values[2]) == "MULTILINESTRING EMPTY"


def test_days_with_empty_geometry_round_trip_geopackage(tmp_path):
    pytest.importorskip("pyogrio")
    import geopandas

    days = reconstruct(_three_lunar_days().frames).days
    path = tmp_path / "days.gpkg"
    days.to_file(path, layer="days", engine="pyogrio")
    back = geopandas.read_file(path, layer="days", engine="pyogrio")
    assert back["lunar_day"].tolist() == [1, 2, 3, 5]
    assert back.geometry.is_empty.sum() + back.geometry.isna().sum() == 2


def test_days_table_and_announced():
    trav = reconstruct(_three_lunar_days().frames)
    table = days_table(trav.days)
    assert list(table.columns) == DAYS_COLUMNS
    assert not hasattr(table, "geometry")
    cmp = compare_announced(table, gaps=trav.gaps)
    assert cmp["announced_cumulative_m"].tolist() == [44.185, 120.0, 163.0, 190.66]
    announced = np.array([44.185, 120, 163])
    np.testing.assert_allclose(cmp["difference_m"].iloc[:3], table["cumulative_m"].iloc[:3] - announced)
    # day 5 follows a gap (day 4 missing): compared from CNSA's end of day 4, 178.9 m
    assert cmp["announced_before_m"].iloc[3] == 178.9
    assert cmp["compared_m"].iloc[3] == pytest.approx(178.9 + table["drive_m"].iloc[3])
    assert "difference_m" not in table  # input untouched
    # with the coverage rows: day 4 is "no data", never compared
    full = compare_announced(days_table(trav.days, trav.coverage), gaps=trav.gaps)
    assert full["lunar_day"].tolist() == [1, 2, 3, 4, 5]
    assert full.loc[3, "coverage"] == "no data" and np.isnan(full.loc[3, "difference_m"])
    assert full.loc[3, "announced_cumulative_m"] == 178.9  # the figure is there, the data are not
    # a day without an announcement (7) gets NaN, not a neighbour's value
    other = pd.DataFrame({"lunar_day": [6, 7, 8], "cumulative_m": [200.0, 230.0, 260.0]})
    cmp = compare_announced(other)
    assert np.isnan(cmp["announced_cumulative_m"].iloc[1])
    # the table starts at day 6: compared from CNSA's end of day 5 (190.66 m) plus what was measured
    np.testing.assert_allclose(cmp["compared_m"], 190.66 + np.array([200.0, 230.0, 260.0]))
    np.testing.assert_allclose(cmp["difference_m"].iloc[[0, 2]], [190.66 + 200 - 212.99, 190.66 + 260 - 271])


def test_a_run_without_a_starting_figure_is_not_compared():
    # lunar day 8 after a gap: nothing was announced for the end of day 7
    table = pd.DataFrame({"lunar_day": [8, 9], "drive_m": [10.0, 5.0], "gap_m": [30.0, 0.0]})
    cmp = compare_announced(table)
    assert cmp["compared_m"].isna().all() and cmp["difference_m"].isna().all()
    assert cmp["comparison"].tolist() == ["no announced figure for the end of lunar day 7, where the"
                                          " data resume"] * 2


def test_announced_odometry_grows_and_every_figure_has_a_source():
    end_of_day = announced_end_of_day_m()
    days = sorted(end_of_day)
    assert days[0] == 1 and days[-1] >= 44
    assert np.all(np.diff([end_of_day[d] for d in days]) > 0)
    table = announced_odometry()
    assert table["source"].str.startswith("http").all()
    assert set(table["kind"]) == {"end_of_day", "as_of"}
    assert table.loc[table["kind"] == "as_of", "as_of"].notna().all()


def test_reconstruct_composes_the_steps():
    truth = make_frames([(0, 0, 0), (6, 8, 0)], noise_m=0.015, seed=12)
    trav = reconstruct(truth.frames)
    assert isinstance(trav, Traverse)
    assert list(trav.layers()) == ["lander", "frames", "stations", "drives", "days"]
    assert all(g.crs == MOON for g in trav.layers().values())
    assert trav.site == LANDER_LABEL
    assert trav.lander[["lon", "lat", "height_m"]].iloc[0].tolist() == pytest.approx(
        [LANDER_LABEL.lon_deg, LANDER_LABEL.lat_deg, LANDER_LABEL.height_m], abs=1e-9)
    assert trav.lander.loc[0, "control"] == "label"
    lro = reconstruct(truth.frames, site=LANDER_LRO)
    assert lro.lander.loc[0, "control"] == "lro"
    assert lro.stations["lon"].iloc[1] != trav.stations["lon"].iloc[1]
    assert lro.drives["length_2d_m"].tolist() == trav.drives["length_2d_m"].tolist()


def test_as_of_figures_are_compared_at_their_date():
    # two drives on lunar day 21: one before 2020-08-25 (the as_of date of 519.29 m), one after;
    # day 20 starts the archive, so it is compared from CNSA's 463.26 m at the end of day 19
    drives = pd.DataFrame({
        "lunar_day": [20, 21, 21],
        "end_utc": pd.to_datetime(["2020-07-28T10:00Z", "2020-08-24T12:00Z", "2020-08-27T12:00Z"]),
        "length_2d_m": [50.0, 10.0, 30.0],
    })
    table = compare_announced_at_dates(drives)
    as_of = table[(table["kind"] == "as_of") & (table["lunar_day"] == 21)].iloc[0]
    assert as_of["reconstructed_m"] == pytest.approx(463.26 + 60.0)  # not +90: the later drive is after
    end_19 = table[(table["kind"] == "end_of_day") & (table["lunar_day"] == 19)].iloc[0]
    assert np.isnan(end_19["reconstructed_m"])  # day 19 is not in the archive: unknown, not 0
    assert end_19["comparison"] == "lunar day 19 is not in the archive"
    later = table[table["lunar_day"] == 44].iloc[0]
    assert np.isnan(later["reconstructed_m"])  # after the data: unknown, not the last total
    assert table["difference_m"].iloc[-1] != table["difference_m"].iloc[-1]  # NaN for day 71
