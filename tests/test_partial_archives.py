"""Partial archives: days and stations missing from a generated archive with known truth.

The SYNTHETIC sample (:func:`traverse.synthetic.sample.write_sample_archive`) drives
each lunar day exactly CNSA's announced distance; a user's partial download is made
by keeping only some of its product files (as ``traverse fetch --lunar-day`` would).
Every gap must be found, never counted in ``cumulative_m``; its straight length is a
lower bound, so ``cumulative_min_m`` never exceeds the true distance; the missing days
are listed; ``compare_announced`` compares only what it can.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from traverse.path.days import days_table, lunar_day_number
from traverse.path.odometry import compare_announced
from traverse.path.reconstruct import reconstruct
from traverse.read.archive import parse_product_name
from traverse.read.frames import read_frames
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(folder, truth, full traverse) of a 13-day sample archive of labels and radar."""
    folder = tmp_path_factory.mktemp("partial") / "ce4"
    truth = write_sample_archive(folder, images=False)
    frames, _ = read_frames([folder])
    return folder, truth, reconstruct(frames)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _day_of(path: Path) -> int:
    name = parse_product_name(path.name)
    return lunar_day_number(pd.Timestamp(name.start + "Z"))


def _partial(folder: Path, dest: Path, keep) -> Path:
    """Hard links to the files of ``folder`` that ``keep(path)`` accepts: a partial download."""
    for p in _files(folder):
        if keep(p):
            target = dest / p.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, target)
    return dest


def _reconstruct(folder: Path):
    frames, report = read_frames([folder])
    assert len(report) == 0, report.to_frame().to_string()
    return reconstruct(frames)


def _true_cumulative(truth) -> pd.Series:
    return pd.Series(truth.day_distance_m).sort_index().cumsum()


def _check_lower_bounds(trav, truth, kept_days):
    """Measured distances match the truth of the kept days; with gaps never above the truth."""
    days = trav.days.set_index("lunar_day")
    true_day = pd.Series(truth.day_distance_m)[days.index]
    assert sorted(days.index) == sorted(kept_days)
    # a kept day without a gap measures that day's driving; a gap is never in drive_m (a day that
    # starts with a gap may have driven part of it: less, never more)
    plain = days["gap_m"] == 0
    np.testing.assert_allclose(days.loc[plain, "drive_m"], true_day[plain], rtol=0.01)
    assert (days.loc[~plain, "drive_m"] <= true_day[~plain] * 1.01).all()
    np.testing.assert_allclose(days["cumulative_m"], days["drive_m"].cumsum())
    # a gap's straight chord is shorter than the drive it hides: at least, never more
    true_cum = _true_cumulative(truth)[days.index]
    assert (days["cumulative_min_m"] <= true_cum * 1.01).all(), (days["cumulative_min_m"], true_cum)
    assert (days["cumulative_min_m"] >= days["cumulative_m"]).all()
    np.testing.assert_allclose(days["cumulative_min_m"] - days["cumulative_m"], days["gap_m"].cumsum(),
                               atol=1e-6)


def test_the_whole_sample_has_no_gap(sample):
    _, truth, trav = sample
    assert len(trav.gaps) == 0
    assert trav.coverage["covered"].all() and trav.coverage["lunar_day"].tolist() == list(range(1, 14))
    np.testing.assert_allclose(trav.days["cumulative_min_m"], trav.days["cumulative_m"])


def test_days_missing_at_the_start(sample, tmp_path):
    folder, truth, full = sample
    trav = _reconstruct(_partial(folder, tmp_path / "a", lambda p: _day_of(p) >= 4))
    assert trav.coverage.loc[~trav.coverage["covered"], "lunar_day"].tolist() == [1, 2, 3]
    gap = trav.gaps.iloc[0]
    assert len(trav.gaps) == 1 and pd.isna(gap["from_day"]) and gap["missing_days"] == "1–3"
    assert gap["lunar_day"] == 4 and gap["reason"] == "no data before lunar day 4"
    # from the lander to the first position seen: the first station of day 4 (its drive had no radar)
    first4 = truth.stations[truth.stations["lunar_day"] == 4].iloc[0]
    assert gap["length_2d_m"] == pytest.approx(np.hypot(first4["x_east_m"], first4["y_north_m"]), abs=0.05)
    assert gap["length_2d_m"] < _true_cumulative(truth)[4]
    _check_lower_bounds(trav, truth, range(4, 14))
    # compared from CNSA's figure at the end of day 3: the sample drove exactly those figures
    cmp = compare_announced(days_table(trav.days, trav.coverage), gaps=trav.gaps).set_index("lunar_day")
    assert cmp.loc[4, "announced_before_m"] == 163.0
    # day 4's one drive had no radar: it is inside the gap, so every later day is short by it alone
    done = cmp["difference_m"].dropna()
    assert len(done) == 8
    np.testing.assert_allclose(done, -truth.day_distance_m[4], atol=0.05)
    assert cmp.loc[[1, 2, 3], "coverage"].eq("no data").all()
    assert cmp.loc[[1, 2, 3], "compared_m"].isna().all()


@pytest.mark.parametrize(("dropped", "comparable"), [((6, 7), False), ((5, 6), True)])
def test_days_missing_in_the_middle(sample, tmp_path, dropped, comparable):
    folder, truth, full = sample
    trav = _reconstruct(_partial(folder, tmp_path / "m", lambda p: _day_of(p) not in dropped))
    assert trav.coverage.loc[~trav.coverage["covered"], "lunar_day"].tolist() == list(dropped)
    assert len(trav.gaps) == 1
    gap = trav.gaps.iloc[0]
    before, after = dropped[0] - 1, dropped[-1] + 1
    assert (gap["from_day"], gap["lunar_day"]) == (before, after)
    assert gap["missing_days"] == f"{dropped[0]}–{dropped[-1]}"
    # the chord from the last position of the day before to the first of the day after
    end_before = full.days.set_index("lunar_day").loc[before]
    x0 = end_before["from_lander_m"] * np.sin(np.radians(end_before["bearing_deg"]))
    y0 = end_before["from_lander_m"] * np.cos(np.radians(end_before["bearing_deg"]))
    start = trav.gaps[["end_x_east_m", "end_y_north_m"]].to_numpy()[0]
    assert gap["length_2d_m"] == pytest.approx(np.hypot(start[0] - x0, start[1] - y0), abs=0.05)
    assert gap["length_2d_m"] <= sum(truth.day_distance_m[d] for d in dropped) + 0.05
    _check_lower_bounds(trav, truth, [d for d in range(1, 14) if d not in dropped])
    cmp = compare_announced(days_table(trav.days, trav.coverage), gaps=trav.gaps).set_index("lunar_day")
    if comparable:  # CNSA announced the end of day 6: day 7 on compared from 212.99 m
        assert cmp.loc[after, "announced_before_m"] == 212.99
        assert cmp.loc[8, "difference_m"] == pytest.approx(0.0, abs=0.3)
    else:  # day 7 was never announced: days 8 on cannot be compared, and say so
        assert cmp.loc[after:, "compared_m"].isna().all()
        assert cmp.loc[8, "comparison"].startswith("no announced figure for the end of lunar day 7")
        assert cmp.loc[: before, "difference_m"].notna().sum() >= 4  # days 1-5 still compared


def test_days_missing_at_the_end(sample, tmp_path):
    folder, truth, _ = sample
    trav = _reconstruct(_partial(folder, tmp_path / "e", lambda p: _day_of(p) <= 11))
    assert len(trav.gaps) == 0
    assert trav.coverage["lunar_day"].tolist() == list(range(1, 12))  # nothing said after the end
    assert trav.coverage["covered"].all()
    _check_lower_bounds(trav, truth, range(1, 12))


def test_a_station_missing_but_its_radar_kept(sample, tmp_path):
    """The radar explains the drives through a station whose images are missing: nothing is lost."""
    folder, truth, full = sample
    st = full.stations[full.stations["products"].str.len() > 0].iloc[5]
    gone = set(st["products"].split(";"))
    trav = _reconstruct(_partial(folder, tmp_path / "s",
                                 lambda p: p.name.removesuffix("L") not in gone))
    assert len(trav.gaps) == 0
    np.testing.assert_allclose(trav.days["drive_m"], full.days["drive_m"], rtol=0.01, atol=0.05)


def test_a_station_missing_with_its_radar(sample, tmp_path):
    """Without the station and the radar of the drives into and out of it, the move is a
    straight inferred drive within a lunar day (shorter than the truth), or else a gap."""
    folder, truth, full = sample
    stations = full.stations.reset_index(drop=True)
    i = 6
    st, prev, nxt = stations.iloc[i], stations.iloc[i - 1], stations.iloc[i + 1]
    assert prev["lunar_day"] == st["lunar_day"] == nxt["lunar_day"]
    gone = set(st["products"].split(";")) if st["products"] else set()

    def keep(p: Path) -> bool:
        name = parse_product_name(p.name)
        if name.instrument == "LPR":
            t0 = pd.Timestamp(name.start + "Z")
            return not (prev["last_utc"] - pd.Timedelta(minutes=5) <= t0 <= nxt["first_utc"])
        return p.name.removesuffix("L") not in gone

    trav = _reconstruct(_partial(folder, tmp_path / "r", keep))
    day = int(st["lunar_day"])
    got = trav.days.set_index("lunar_day")
    true_day = truth.day_distance_m[day]
    assert got.loc[day, "drive_m"] < true_day  # the chord is shorter than the two drives
    chord = np.hypot(nxt["x_east_m"] - prev["x_east_m"], nxt["y_north_m"] - prev["y_north_m"])
    inferred = trav.drives[(trav.drives["source"] == "inferred") & (trav.drives["lunar_day"] == day)]
    assert (inferred["length_2d_m"] - chord).abs().min() < 0.05
    assert (got["cumulative_min_m"] <= _true_cumulative(truth)[got.index] * 1.01).all()
