"""The radargram of the real LPR-1 0316 drive, placed along its reconstructed track."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from traverse.path.reconstruct import reconstruct
from traverse.read.archive import Source
from traverse.read.frames import read_frames
from traverse.science.radargram import along_track_m, drive_line_enu, process, radargram

from .test_echoes import _open


@pytest.fixture(scope="module")
def real(lpr1):
    label, data = lpr1
    frames, _ = read_frames([label.parent])
    frames = frames[frames["product_id"] == data.name]
    trav = reconstruct(frames)
    fmt, layout, root, group = _open(label, "lpr")
    from traverse.read.echoes import read_echoes, sample_interval_ns

    records, echoes = read_echoes(Source(data), layout, group)
    return trav, records, echoes, sample_interval_ns(root, fmt)


def test_real_drive_radargram_spans_the_drive(real):
    trav, records, echoes, interval = real
    drive = trav.drives.iloc[0]
    line = drive_line_enu(drive.geometry, trav.site)
    on = trav.frames[(trav.frames["record"].notna())
                     & trav.frames["time_utc"].between(drive["start_utc"], drive["end_utc"])]
    r = radargram(records, echoes, on[["record", "time_utc", "x_east_m", "y_north_m"]], line,
                  interval_ns=interval)
    assert r.along_m[-1] == pytest.approx(drive["length_2d_m"], rel=0.01)  # ≈ 5.6 m
    assert r.along_m[0] == 0.0 and np.all(np.diff(r.along_m) > 0)
    assert r.image.shape == (8192, len(r.along_m))
    assert len(r.traces) == len(on) == drive["n_records"]
    assert r.traces["along_m"].is_monotonic_increasing
    assert r.time_ns[1] == 2.5
    assert r.depth_m[-1] == pytest.approx(0.2998 * 8191 * 2.5 / 2 / np.sqrt(3), rel=1e-3)
    # any column maps to a place: on the drive line, within 1 cm of the trace shown there
    shown = r.traces[r.traces["column"] >= 0]
    assert np.isfinite(r.image[:, shown["column"]]).all()
    pts = shapely.get_coordinates(shapely.line_interpolate_point(shapely.LineString(line), shown["along_m"]))
    np.testing.assert_allclose(pts, shown[["x_east_m", "y_north_m"]], atol=0.01)


def test_held_fixes_are_spread_in_time():
    line = np.array([[0.0, 0.0], [10.0, 0.0]])
    x = np.array([0, 0, 0, 3, 3, 3, 9], dtype=float)  # a fix every three records
    along, _ = along_track_m(x, np.zeros(7), np.arange(7.0), line)
    np.testing.assert_allclose(along, [0, 1, 2, 3, 5, 7, 9])


def test_processing_by_name_only_subtracts_and_scales():
    rng = np.random.default_rng(1)
    data = rng.normal(5.0, 1.0, (20, 300)).astype("float32")
    np.testing.assert_array_equal(process(data, ()), data)
    flat = process(data, ("background",))
    np.testing.assert_allclose(flat.mean(axis=0), 0.0, atol=1e-5)
    dewowed = process(data, ("dewow",), dewow_samples=32)
    assert abs(float(dewowed.mean())) < 0.1  # the 5.0 offset removed
    gained = process(np.ones((2, 4), "float32"), ("gain",), gain_power=1.0)
    np.testing.assert_array_equal(gained[0], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="unknown processing"):
        process(data, ("migrate",))


def test_a_damaged_trace_stays_in_its_own_column():
    """A non-finite sample (a damaged record) spoils neither the other traces nor raises a warning."""
    import warnings

    rng = np.random.default_rng(2)
    data = rng.normal(0.0, 1.0, (6, 200)).astype("float32")
    bad = data.copy()
    bad[2, 50] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = process(bad, ("dewow", "background", "gain"))
    assert np.isfinite(np.delete(out, 2, axis=0)).all()
    clean = process(np.delete(data, 2, axis=0), ("dewow", "background", "gain"))
    assert np.isfinite(clean).all()
