"""Reconstruction on LPR-1 records ~6.4 s apart: the real 2023-12-16 product, and synthetic twins.

Source of the real numbers: ../shared/data/ce4/README.md (reference point
E -736.761, N 598.089 for records 0-22; last record E -742.306, N 597.623;
"then drives about 5.5 m west") and tests/test_lpr_real.py, which pins the
record positions themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traverse.path.reconstruct import reconstruct
from traverse.path.settings import DEFAULT_SETTINGS
from traverse.path.smoothing import lpr_smooth_window_s
from traverse.path.stations import rover_track
from traverse.read.frames import read_frames

REF_EN = (-736.761, 598.089)
LAST_EN = (-742.306, 597.623)


@pytest.fixture(scope="module")
def real_frames(lpr1):
    frames, _report = read_frames([lpr1[1].parent])  # the 2A/2B labels without binaries: reported
    return frames[frames["product_id"] == lpr1[1].name]


def test_real_lpr1_one_station_at_reference_point(real_frames):
    trav = reconstruct(real_frames)
    st = trav.stations
    assert len(st) == 1
    assert np.hypot(st.loc[0, "x_east_m"] - REF_EN[0], st.loc[0, "y_north_m"] - REF_EN[1]) < 0.05
    assert st.loc[0, "n_LPR"] == 23 and st.loc[0, "instruments"] == "LPR"
    track = rover_track(real_frames)
    assert track.loc[track["station_id"] == 1, "record"].tolist() == list(range(23))
    assert track["position_held"].all()  # 2.7 m in one 6.4 s interval: navigation fixes


def test_real_lpr1_rest_is_one_drive_west(real_frames):
    dr = reconstruct(real_frames).drives
    assert len(dr) == 1
    d = dr.iloc[0]
    assert d["from_station"] == 1 and pd.isna(d["to_station"]) and d["source"] == "lpr"
    assert d["n_records"] == 101 - 23
    assert 5.5 <= d["length_2d_m"] <= 6.0  # 2.73 m + 2.87 m between the fixes
    assert np.hypot(d["end_x_east_m"] - LAST_EN[0], d["end_y_north_m"] - LAST_EN[1]) < 0.01
    assert d["end_x_east_m"] < REF_EN[0] - 5.0  # west


def test_real_lpr1_window_adapts_to_record_spacing(real_frames):
    t = real_frames.sort_values("record")["time_utc"]
    assert lpr_smooth_window_s(t) == pytest.approx(5 * 6.4, rel=0.05)


def test_real_lpr1_thresholds_pass_through_reconstruct(real_frames):
    """Allowing 1 m/s steps reads the fixes as positions: each plateau becomes a stop."""
    trav = reconstruct(real_frames, settings=DEFAULT_SETTINGS.replace(max_drive_speed_m_s=1.0))
    assert len(trav.stations) == 3
    patient = DEFAULT_SETTINGS.replace(min_stop_duration_s=600.0)
    assert len(reconstruct(real_frames, settings=patient).stations) == 0


# --- synthetic: the same record spacing, with known truth ------------------------------------


def _lpr_frames(en: np.ndarray, *, start="2019-02-01T00:00:00Z") -> pd.DataFrame:
    """One LPR-1 product whose records alternate 6.68 s and 6.12 s apart, as the real one."""
    n = len(en)
    secs = np.r_[0.0, np.cumsum(np.where(np.arange(n - 1) % 2 == 0, 6.68, 6.12))]
    t = pd.Timestamp(start) + pd.to_timedelta(secs, unit="s")
    return pd.DataFrame(
        {
            "product_id": "CE4_GRAS_LPR-1_SCI_N_20190201000000_20190201010000_0042_A.2B",
            "instrument": "LPR",
            "record": pd.array(np.arange(n), dtype="Int64"),
            "time_utc": t,
            "stop_utc": t,
            "x_east_m": en[:, 0],
            "y_north_m": en[:, 1],
            "z_up_m": 0.0,
            "role": "rover",
        }
    )


def test_stepwise_fixes_every_6_4_s_one_station_then_one_drive():
    fixes = np.array([[0.0, 0.0], [-2.7, -0.5], [-5.5, -0.45]])
    en = np.repeat(fixes, [23, 32, 46], axis=0)
    trav = reconstruct(_lpr_frames(en))
    assert len(trav.stations) == 1 and trav.stations.loc[0, "n_LPR"] == 23
    np.testing.assert_allclose(trav.stations.loc[0, ["x_east_m", "y_north_m"]], [0.0, 0.0])
    assert len(trav.drives) == 1
    truth = np.hypot(*np.diff(fixes, axis=0).T).sum()
    assert trav.drives.loc[0, "length_2d_m"] == pytest.approx(truth, abs=1e-9)
    np.testing.assert_allclose(trav.drives.loc[0, ["end_x_east_m", "end_y_north_m"]], fixes[-1])


def test_continuous_noisy_records_every_6_4_s_need_the_adaptive_window():
    rng = np.random.default_rng(7)
    rest = np.zeros((30, 2))
    drive = np.column_stack([-np.arange(1, 79) * 0.256, np.zeros(78)])  # 0.04 m/s, 20 m
    end = np.repeat(drive[-1:], 30, axis=0)
    en = np.vstack([rest, drive, end]) + rng.normal(0.0, 0.015, (138, 2))
    frames = _lpr_frames(en)
    trav = reconstruct(frames)
    assert len(trav.stations) == 2
    np.testing.assert_allclose(
        trav.stations[["x_east_m", "y_north_m"]], [[0.0, 0.0], [-19.968, 0.0]], atol=0.02
    )
    assert not rover_track(frames)["position_held"].any()
    assert len(trav.drives) == 1
    assert trav.drives.loc[0, "length_2d_m"] == pytest.approx(19.968, rel=0.01)
    # a 10 s window holds one record at this spacing: no speed, so no station (the old bug)
    assert len(reconstruct(frames, settings=DEFAULT_SETTINGS.replace(min_smooth_records=1)).stations) == 0


def test_whole_real_folder_counts_no_drive_across_years(ce4):
    """VNIS of 2020 (lunar day 20) and LPR of 2023 (day 62): no 650 m straight line between."""
    frames, _ = read_frames([ce4])
    days = reconstruct(frames).days
    assert days["lunar_day"].tolist() == [20, 62]
    np.testing.assert_allclose(days["drive_m"], [0.0, 5.6], atol=0.05)
    assert days["from_lander_m"].iloc[0] == pytest.approx(np.hypot(-287.522263, 127.291501), abs=0.01)


def test_real_folder_lists_its_missing_days_and_gaps(ce4):
    """Lunar days 20 and 62 only: days 1-19 and 21-61 missing, two gaps, never counted as drives."""
    frames, _ = read_frames([ce4])
    trav = reconstruct(frames)
    cov = trav.coverage
    assert cov["lunar_day"].tolist() == list(range(1, 63))
    assert cov.loc[cov["covered"], "lunar_day"].tolist() == [20, 62]
    gaps = trav.gaps
    assert gaps["missing_days"].tolist() == ["1–19", "21–61"]
    assert pd.isna(gaps.loc[0, "from_day"]) and gaps.loc[1, "from_day"] == 20
    # from the lander to the VNIS position of day 20, and from there to the LPR-1 reference point
    vnis = np.array([-287.522263, 127.291501])
    assert gaps.loc[0, "length_2d_m"] == pytest.approx(np.hypot(*vnis), abs=0.01)
    assert gaps.loc[1, "length_2d_m"] == pytest.approx(np.hypot(*(np.array(REF_EN) - vnis)), abs=0.05)
    days = trav.days
    np.testing.assert_allclose(days["cumulative_m"], [0.0, 5.6], atol=0.05)  # measured only
    np.testing.assert_allclose(days["cumulative_min_m"],
                               [gaps.loc[0, "length_2d_m"], gaps["length_2d_m"].sum() + 5.6], atol=0.05)


def test_real_folder_distances_say_what_they_know(ce4, capsys):
    """The CLI table, the summary line and the comparison with CNSA on the real products."""
    from traverse.cli import main

    assert main(["distances", str(ce4), "--compare-announced"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1] == " " or
            line[:1].isdigit()}
    assert rows["1–19"][1:3] == ["no", "data"] and set(rows["1–19"][3:]) == {"-"}
    assert rows["21–61"][1:3] == ["no", "data"]
    assert rows["20"][1] == "data" and rows["62"][1] == "data"
    assert ("archive covers lunar days 20 and 62 (2 of 62); no data before lunar day 20 (at least"
            " 314 m from the lander); 1 gap of 651 m between lunar day 20 and lunar day 62") in out
    assert "-1003.90" not in out and "reconstructed 0.00" not in out
    assert "compared from CNSA's 463.26 m at the end of lunar day 19" in out
    assert "not compared, lunar day 62: no announced figure for the end of lunar day 61" in out
    assert "announced during a lunar day" not in out  # days 21, 34, 38 are not in the archive


def test_real_folder_geojson_holds_the_gaps(ce4, tmp_path, capsys):
    """--geojson writes what the GeoPackage's drives layer holds: the drive and the two gaps, by kind."""
    import json

    from traverse.cli import main

    assert main(["build", str(ce4), "-o", str(tmp_path / "real"), "--geojson", "--images", "none"]) == 0
    features = json.loads((tmp_path / "real_drives.geojson").read_text())["features"]
    kinds = [(f["properties"]["kind"], round(f["properties"]["length_2d_m"], 1)) for f in features]
    assert kinds == [("gap", 314.4), ("gap", 650.7), ("drive", 5.6)]
    assert "1 gap of 651 m between lunar day 20 and lunar day 62" in capsys.readouterr().out
