"""Issue 20: the science stage finds each drive's radar records in one pass, with the same results.

``traverse.science.along_track._drive_records`` sorts the radar rows once
and binary-searches each drive's times; the reference below is the per-drive
filter it replaced (kept here, word for word but for its return shape), and
the two must agree on the synthetic sample, the real Chang'e-4 products and
the real Zhurong ones, down to the radargram pixels, the traces and the
spectra.  Random frames (unsorted, ties at the drive ends, missing times and
positions, overlapping drives) check the edges the real data may not hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from tests.conftest import require
from traverse.errors import Report
from traverse.path.reconstruct import reconstruct
from traverse.read.archive import open_archive
from traverse.read.frames import frames_from_archive
from traverse.science import along_track as at
from traverse.synthetic.sample import write_sample_archive

ROPER = Path(__file__).resolve().parents[2] / "shared" / "data" / "tw1" / "roper"


def _reference_records_of_drives(frames: pd.DataFrame, drives: pd.DataFrame, product_id: str) -> list[tuple]:
    """The code before issue 20: one filter over all frames per product, then per drive."""
    rows = frames[(frames["product_id"] == product_id) & frames["record"].notna()]
    out = []
    for drive in drives.itertuples(index=False):
        on = rows[rows["time_utc"].between(drive.start_utc, drive.end_utc)]
        on = on.dropna(subset=["x_east_m", "y_north_m"])
        if len(on):
            pos = on[["record", "time_utc", "x_east_m", "y_north_m"]].copy()
            pos["record"] = pos["record"].astype("int64")
            out.append((int(drive.drive_id), drive.geometry, pos))
    return out


def _reference_drive_records(frames: pd.DataFrame, drives: pd.DataFrame) -> dict[str, list[tuple]]:
    ids = frames.loc[frames["record"].notna(), "product_id"].unique()
    found = {pid: _reference_records_of_drives(frames, drives, pid) for pid in ids}
    return {pid: v for pid, v in found.items() if v}


def _assert_same_records(got: dict, expected: dict, *, by_time: bool = False) -> None:
    """Same products, drives (in order), geometries and positions.

    ``by_time``: the reference's rows (in the frames' order) stably sorted by
    time first, for frames that are not in time order (``frames_from_archive``
    gives them in time order; the radargram reindexes them by record anyway).
    """
    assert set(got) == set(expected)
    for pid, drives in expected.items():
        assert [d for d, _, _ in got[pid]] == [d for d, _, _ in drives], pid
        for (_, geom, pos), (_, ref_geom, ref_pos) in zip(got[pid], drives, strict=True):
            assert geom.equals(ref_geom)
            if by_time:
                ref_pos = ref_pos.sort_values("time_utc", kind="stable")
            pd.testing.assert_frame_equal(pos.reset_index(drop=True), ref_pos.reset_index(drop=True))


def _science(paths, monkeypatch, *, reference: bool) -> at.Science:
    with monkeypatch.context() as m:
        if reference:
            m.setattr(at, "_drive_records", _reference_drive_records)
        report = Report()
        with open_archive(paths, report=report) as archive:
            frames = frames_from_archive(archive, workers=1)
            science = at.along_track(reconstruct(frames), archive.products, report)
    return science


def _assert_same_science(got: at.Science, expected: at.Science) -> None:
    assert [(d.drive_id, d.product_id) for d in got.radargrams] == \
        [(d.drive_id, d.product_id) for d in expected.radargrams]
    for a, b in zip(got.radargrams, expected.radargrams, strict=True):
        ra, rb = a.radargram, b.radargram
        np.testing.assert_array_equal(ra.image, rb.image)  # NaN where no trace, in the same columns
        np.testing.assert_array_equal(ra.along_m, rb.along_m)
        np.testing.assert_array_equal(ra.time_ns, rb.time_ns)
        pd.testing.assert_frame_equal(ra.traces, rb.traces)
    pd.testing.assert_frame_equal(got.spectra, expected.spectra)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A 3-lunar-day SYNTHETIC sample (LPR records, VNIS spectra), labels and data."""
    folder = tmp_path_factory.mktemp("linear") / "ce4"
    write_sample_archive(folder, days=3, images=False)
    return folder


def _archives(request) -> list[Path]:
    name = request.param
    if name == "sample":
        return [request.getfixturevalue("sample")]
    if name == "ce4":
        return [request.getfixturevalue("ce4")]
    require(ROPER.is_dir(), f"real Zhurong products not found at {ROPER}")
    return [ROPER]


@pytest.fixture(params=["sample", "ce4", "tw1"])
def archive(request) -> list[Path]:
    """The synthetic sample, the real Chang'e-4 products, the real Zhurong products."""
    return _archives(request)


def test_drive_records_match_the_per_drive_filter(archive):
    with open_archive(archive) as opened:
        trav = reconstruct(frames_from_archive(opened, workers=1))
    expected = _reference_drive_records(trav.frames, trav.drives)
    assert expected, "the archive should hold radar records on drives"
    _assert_same_records(at._drive_records(trav.frames, trav.drives), expected)


def test_science_outputs_match_the_per_drive_filter(archive, monkeypatch):
    got = _science(archive, monkeypatch, reference=False)
    expected = _science(archive, monkeypatch, reference=True)
    assert got.radargrams, "the archive should give radargrams"
    _assert_same_science(got, expected)


def _random_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames of 4 radar products and label rows, unsorted, with gaps; 6 drives, some overlapping."""
    rng = np.random.default_rng(seed)
    n = 400
    t0 = pd.Timestamp("2020-01-01", tz="UTC")
    seconds = rng.integers(0, 600, n)  # many ties, some on the drives' ends
    frames = pd.DataFrame({
        "product_id": rng.choice(["LPR_A", "LPR_B", "LPR_C", "LPR_D", "PCAM_X"], n),
        "record": pd.array(rng.integers(0, 10_000, n), dtype="Int64"),
        "time_utc": t0 + pd.to_timedelta(seconds, unit="s"),
        "x_east_m": rng.normal(0, 5, n),
        "y_north_m": rng.normal(0, 5, n),
    })
    frames.loc[frames["product_id"] == "PCAM_X", "record"] = pd.NA  # label rows: no record
    frames.loc[rng.random(n) < 0.05, "x_east_m"] = np.nan
    frames.loc[rng.random(n) < 0.05, "y_north_m"] = np.nan
    frames.loc[rng.random(n) < 0.03, "time_utc"] = pd.NaT
    frames.loc[frames["product_id"] == "LPR_D", "x_east_m"] = np.nan  # a product on no drive
    starts = np.sort(rng.choice(seconds, 6))
    ends = starts + rng.integers(0, 120, 6)
    drives = pd.DataFrame({"drive_id": np.arange(1, 7), "start_utc": t0 + pd.to_timedelta(starts, unit="s"),
                           "end_utc": t0 + pd.to_timedelta(ends, unit="s"),
                           "geometry": [LineString([(i, 0), (i + 1, 1)]) for i in range(6)]})
    drives = drives.iloc[rng.permutation(6)].reset_index(drop=True)
    return frames.sample(frac=1, random_state=seed).reset_index(drop=True), drives


@pytest.mark.parametrize("seed", range(8))
def test_drive_records_on_random_frames(seed):
    frames, drives = _random_case(seed)
    expected = _reference_drive_records(frames, drives)
    got = at._drive_records(frames, drives)
    assert "LPR_D" not in got and "PCAM_X" not in got and got
    _assert_same_records(got, expected, by_time=True)


def test_drive_records_of_nothing():
    frames, drives = _random_case(0)
    assert at._drive_records(frames.iloc[:0], drives) == {}
    assert at._drive_records(frames, drives.iloc[:0]) == {}
