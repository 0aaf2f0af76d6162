"""The built-in SYNTHETIC sample archive: real GRAS layout, and reconstructed back to its truth.

``traverse.synthetic.sample.write_sample_archive`` returns the truth it wrote (stations,
drives and per-day distances in lander ENU metres); these tests read the
archive back through ``read_frames`` + ``reconstruct``, as a user would, and
compare.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from traverse.path.days import days_table
from traverse.path.odometry import announced_end_of_day_m, compare_announced
from traverse.path.reconstruct import reconstruct
from traverse.read.archive import parse_product_name
from traverse.read.frames import read_frames
from traverse.synthetic.sample import sample_day_distances, write_sample_archive

#: Channel-2 LPR 2B record: 114-byte header + 2048 float32 echoes + QUALITY_STATE byte.
CHANNEL_2_RECORD_BYTES = 114 + 4 * 2048 + 1


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """(folder, truth) of the sample archive (~1 s, ~32 MB), written once."""
    folder = tmp_path_factory.mktemp("sample") / "ce4"
    return folder, write_sample_archive(folder)


@pytest.fixture(scope="session")
def frames(sample):
    frames, report = read_frames([sample[0]])
    assert len(report) == 0, report.to_frame().to_string()
    return frames


@pytest.fixture(scope="session")
def trav(frames):
    return reconstruct(frames)


def _nearest(xy_from: np.ndarray, xy_to: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and distance to the nearest ``xy_to`` point of each ``xy_from`` point."""
    d = np.hypot(*(xy_from[:, None, :] - xy_to[None, :, :]).transpose(2, 0, 1))
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(xy_from)), idx]


def _lpr_products(folder):
    return sorted((folder / "LPR").glob("*.2B"))


# --- reconstruction against the truth ---------------------------------------------------------


def test_every_true_station_found_within_5_cm(sample, trav):
    _, truth = sample
    true_xy = truth.stations[["x_east_m", "y_north_m"]].to_numpy()
    got_xy = trav.stations[["x_east_m", "y_north_m"]].to_numpy(dtype="float64")
    assert len(truth.stations) == 25
    assert len(trav.stations) == len(truth.stations)
    idx, dist = _nearest(true_xy, got_xy)
    assert dist.max() < 0.05, dist.round(3)
    assert len(set(idx)) == len(idx)  # one reconstructed station per true one
    got_day = trav.stations["lunar_day"].to_numpy()[idx]
    assert (got_day == truth.stations["lunar_day"].to_numpy()).all()


def test_day_numbers_1_to_13(sample, trav):
    _, truth = sample
    assert trav.days["lunar_day"].tolist() == list(range(1, 14))
    assert sorted(truth.day_distance_m) == list(range(1, 14))
    assert trav.days["stations"].sum() == len(truth.stations)
    # and each day holds the stations the sample put in it
    assert (truth.stations.groupby("lunar_day").size()
            == trav.days.set_index("lunar_day")["stations"]).all()


def test_every_day_distance_within_1_percent(sample, trav):
    _, truth = sample
    got = trav.days.set_index("lunar_day")["drive_m"]
    want = pd.Series(truth.day_distance_m)
    rel = (got - want).abs() / want
    assert rel.max() < 0.01, rel.round(4).to_dict()
    assert got.sum() == pytest.approx(sum(truth.day_distance_m.values()), rel=0.002)


def test_drives_match_truth_and_radarless_ones_are_inferred(sample, trav):
    _, truth = sample
    st = truth.stations.set_index("station")
    true_end = st.loc[truth.drives["to_station"], ["x_east_m", "y_north_m"]].to_numpy()
    got_end = trav.drives[["end_x_east_m", "end_y_north_m"]].to_numpy(dtype="float64")
    assert len(trav.drives) == len(truth.drives) == 24
    idx, dist = _nearest(true_end, got_end)
    assert dist.max() < 0.05 and len(set(idx)) == len(idx)
    got = trav.drives.iloc[idx].reset_index(drop=True)
    assert (got["lunar_day"].to_numpy() == truth.drives["lunar_day"].to_numpy()).all()
    radar = truth.drives["radar"].to_numpy()
    assert (~radar).sum() == 2  # days 4 and 6 each have one drive without LPR
    assert (got.loc[~radar, "source"] == "inferred").all()
    assert (got.loc[radar, "source"] == "lpr").all()
    assert (got.loc[~radar, "n_records"] == 0).all()
    rel = (got["length_2d_m"] - truth.drives["length_2d_m"]).abs() / truth.drives["length_2d_m"]
    assert rel.max() < 0.01, rel.round(4).tolist()


def test_drives_link_the_true_stations_even_after_a_lunar_night(sample, trav):
    """The first drive of each lunar day leaves from where the rover slept."""
    _, truth = sample
    st = truth.stations.set_index("station")
    near = {}
    for sid, row in trav.stations.set_index("station_id").iterrows():
        d = np.hypot(st["x_east_m"] - row["x_east_m"], st["y_north_m"] - row["y_north_m"])
        near[sid] = int(d.idxmin())
    got = sorted(
        (near[int(a)], near[int(b)]) for a, b in zip(trav.drives["from_station"],
                                                     trav.drives["to_station"], strict=True)
    )
    want = sorted(zip(truth.drives["from_station"], truth.drives["to_station"], strict=True))
    assert got == want


def test_jitter_and_rest_records_do_not_inflate_distances(sample, frames, trav):
    """The raw LPR steps (1.5 cm noise, 20 records at rest per product) overstate each drive
    by several percent; the reconstruction must not."""
    _, truth = sample
    lpr = frames[frames["instrument"] == "LPR"].sort_values(["product_id", "record"])
    step = np.hypot(lpr.groupby("product_id")["x_east_m"].diff(),
                    lpr.groupby("product_id")["y_north_m"].diff())
    raw_by_product = step.groupby(lpr["product_id"]).sum()
    true_radar_m = truth.drives.loc[truth.drives["radar"], "length_2d_m"].sum()
    assert raw_by_product.sum() > 1.02 * true_radar_m  # the trap is really in the data
    got_radar_m = trav.drives.loc[trav.drives["source"] == "lpr", "length_2d_m"].sum()
    assert got_radar_m == pytest.approx(true_radar_m, rel=0.002)
    over = trav.days.set_index("lunar_day")["drive_m"] / pd.Series(truth.day_distance_m) - 1
    assert over.max() < 0.01, over.round(4).to_dict()


def test_announced_odometry_days_1_to_13_within_1_percent(trav):
    # the sample is built on the same figures: its 13 days add up to the day-13 announcement
    assert sum(sample_day_distances().values()) == pytest.approx(announced_end_of_day_m()[13])
    table = compare_announced(days_table(trav.days))
    assert {"announced_cumulative_m", "difference_m"} <= set(table.columns)
    announced = table.dropna(subset=["announced_cumulative_m"])
    assert announced["lunar_day"].tolist() == [1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13]
    assert table.loc[table["announced_cumulative_m"].isna(), "lunar_day"].tolist() == [7, 10]
    rel = (announced["difference_m"] / announced["announced_cumulative_m"]).abs()
    assert rel.max() < 0.01, rel.round(4).tolist()
    assert table["cumulative_m"].iloc[-1] == pytest.approx(357.695, rel=0.01)


def test_labels_say_synthetic(sample, frames):
    folder, _ = sample
    labels = sorted(folder.rglob("*L"))
    assert len(labels) == 162 + 22  # 150 PCAM (6 a station), 9 VNIS, 3 TCAM, 22 LPR labels
    for path in labels:
        assert "SYNTHETIC" in path.read_text(encoding="utf-8"), path.name
    assert frames["description"].str.contains("SYNTHETIC", regex=False).all()


# --- the sample is the real GRAS layout -------------------------------------------------------


def test_every_file_name_is_a_gras_product_name(sample):
    folder, _ = sample
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {p.parent.name for p in files} == {"PCAM", "VNIS", "TCAM", "LPR"}
    for p in files:
        name = parse_product_name(p.name)
        assert name is not None, p.name
        assert name.instrument == p.parent.name, p.name
        assert name.is_label == p.name.endswith("L")
        if not name.is_label:  # every binary has its label beside it
            assert p.with_name(p.name + "L").is_file()
    lpr = [parse_product_name(p.name) for p in _lpr_products(folder)]
    assert len(lpr) == 22 and {n.payload for n in lpr} == {"LPR-2B"}
    assert {(n.level, n.version) for n in lpr} == {("2B", "A")}


def test_lpr_binaries_are_channel_2_records_of_8307_bytes(sample):
    folder, _ = sample
    assert CHANNEL_2_RECORD_BYTES == 8307
    for path in _lpr_products(folder):
        label = path.with_name(path.name + "L").read_text(encoding="utf-8")
        assert re.search(r'<record_length unit="byte">8307</record_length>', label)
        records = int(re.search(r"<records>(\d+)</records>", label)[1])
        assert path.stat().st_size == records * 8307, path.name
        raw = np.fromfile(path, dtype=np.uint8).reshape(records, 8307)
        frame_id = raw[:, 0:4].copy().view(">u4").ravel()
        assert (frame_id == 0x146F2222).all()  # channel 2 frame identification
        assert (raw[:, 113] == 0x2A).all()  # CHANNEL_AND_ANTENNA_MARK: channel 2, antenna B


def _ref_point(raw: np.ndarray, byteorder: str) -> np.ndarray:
    """REFERENCE_POINT_X/Y/ZPOSITION (bytes 39-50) of the first record."""
    return raw[:1, 38:50].copy().view(f"{byteorder}f4").ravel().astype("float64")


def test_reference_point_floats_are_little_endian(sample):
    folder, truth = sample
    st = truth.stations.set_index("station")
    off = 0
    for path in _lpr_products(folder):
        label = path.with_name(path.name + "L").read_text(encoding="utf-8")
        # the trap: the label declares big-endian for the reference point too
        assert re.search(r"REFERENCE_POINT_XPOSITION</name><field_location unit=\"byte\">39"
                         r"</field_location><data_type>IEEE754MSBSingle", label)
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 8307)
        seq = int(parse_product_name(path.name).sequence_id)  # drive starts at station seq
        want = st.loc[seq, ["x_east_m", "y_north_m", "z_up_m"]].to_numpy(dtype="float64")
        little = _ref_point(raw, "<")
        np.testing.assert_allclose(little, want, atol=1e-3)
        if np.abs(want).max() > 1.0:  # station 1 is the lander origin: 0.0 either way
            big = _ref_point(raw, ">")
            with np.errstate(invalid="ignore", over="ignore"):
                miss = np.hypot(*(big[:2] - want[:2]))
            assert not miss <= 1.0, (path.name, big)  # wrong (or NaN) when read big-endian
            off += 1
    assert off == 21


def test_attitude_is_radians(sample, frames):
    folder, truth = sample
    st = truth.stations.set_index("station")
    to_of = truth.drives.set_index("from_station")["to_station"]
    for path in _lpr_products(folder):
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 8307)
        att = raw[:, 26:38].copy().view(">f4").astype("float64")  # pitch, roll, yaw
        assert np.abs(att).max() <= np.pi
        seq = int(parse_product_name(path.name).sequence_id)
        a, b = st.loc[seq], st.loc[to_of[seq]]
        heading_rad = np.arctan2(b["x_east_m"] - a["x_east_m"], b["y_north_m"] - a["y_north_m"])
        moving = raw[:, 10:14].copy().view(">f4")[:, 0] > 0  # VELOCITY
        np.testing.assert_allclose(att[moving, 2], heading_rad, atol=1e-5)
        # read through the package: degrees
        rows = frames[(frames["product_id"] == path.name) & (frames["velocity_m_s"] > 0)]
        np.testing.assert_allclose(rows["yaw_deg"], np.degrees(heading_rad), atol=1e-3)
    lpr = frames[frames["instrument"] == "LPR"]
    assert lpr["yaw_deg"].abs().max() > 10.0  # degrees now: radians never exceed pi


def test_sample_follows_the_announced_shape(sample):
    """West first, then north-west: 218.11 m north-west of the lander at the end of day 11."""
    folder, truth = sample
    st = truth.stations
    last = st[st["lunar_day"] == 11].iloc[-1]
    away = np.hypot(last["x_east_m"], last["y_north_m"])
    bearing = np.degrees(np.arctan2(last["x_east_m"], last["y_north_m"])) % 360
    assert away == pytest.approx(218.11, rel=0.10)
    assert 290 <= bearing <= 340  # north-west
    day6 = st[st["lunar_day"] == 6].iloc[-1]
    assert 250 <= np.degrees(np.arctan2(day6["x_east_m"], day6["y_north_m"])) % 360 <= 300  # ~west


def test_long_sample_interpolates_only_unannounced_days():
    from traverse.synthetic.sample import interpolated_days

    d = sample_day_distances(72)
    announced = announced_end_of_day_m()
    cumulative = np.cumsum([d[k] for k in sorted(d)])
    for day, metres in announced.items():
        assert cumulative[day - 1] == pytest.approx(metres)
        assert day not in interpolated_days(72)
    assert cumulative[70] == pytest.approx(1613.0)  # CNSA, 2024-09-17, lunar day 71
    assert 7 in interpolated_days(13) and 13 not in interpolated_days(13)
    with pytest.raises(ValueError, match="1 to 72"):
        sample_day_distances(73)


def test_rest_yaw_is_the_heading_the_stop_was_imaged_with(frames, trav):
    """At rest the rover faces as it arrived (its PCAM frames were rendered so): the LPR yaw at rest
    and the bearing of the arriving drive give the same heading wherever a stop has both."""
    from traverse.path.stations import rover_track
    from traverse.path.views import station_headings

    track = rover_track(frames)
    by_yaw = station_headings(track, trav.drives.iloc[0:0], trav.site)
    by_drive = station_headings(track.drop(columns="yaw_deg"), trav.drives, trav.site)
    both = by_yaw.index.intersection(by_drive.index)
    assert len(both) >= 10
    diff = (by_yaw.loc[both, "heading_deg"] - by_drive.loc[both, "heading_deg"] + 180.0) % 360.0 - 180.0
    assert diff.abs().max() < 2.0, diff.abs().sort_values().tail()
    pcam = trav.frames[trav.frames["instrument"] == "PCAM"]
    assert pcam["view_azimuth_deg"].notna().all()
