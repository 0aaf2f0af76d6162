"""Hypothesis: path lengths resist jitter and obey the geometry they measure."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from traverse.path.drives import path_length_m, polyline_lengths_m, resample_min_step, split_drives

from .traverse_truth import make_frames, sample_polyline

FAST = settings(max_examples=40, deadline=None)
seeds = st.integers(0, 2**32 - 1)


def _straight(length_m, heading_deg, slope, noise_m, seed, step_m=0.03):
    h = np.radians(heading_deg)
    end = np.array([np.sin(h) * length_m, np.cos(h) * length_m, slope * length_m])
    p = sample_polyline(np.vstack([np.zeros(3), end]), step_m)
    rng = np.random.default_rng(seed)
    return np.arange(len(p), dtype="float64"), p + rng.normal(0.0, noise_m, p.shape)


# The envelope: drives of 10 m and more, sampled every 3 cm, 1.5 cm of noise.  Below
# 10 m the endpoints' own jitter (a few cm, unanchored here) is already ~1 % of the length;
# drives_from_track anchors drive ends to station positions instead.
@FAST
@given(st.floats(10.0, 40.0), st.floats(0, 360), st.floats(-0.2, 0.2), st.floats(0.0, 0.015), seeds)
def test_straight_drive_within_one_percent(length_m, heading_deg, slope, noise_m, seed):
    t, p = _straight(length_m, heading_deg, slope, noise_m, seed)
    l2, l3 = path_length_m(t, *p.T)
    assert abs(l2 - length_m) <= 0.01 * length_m
    assert abs(l3 - length_m * np.hypot(1, slope)) <= 0.01 * length_m * np.hypot(1, slope)
    assert l3 >= l2


@FAST
@given(
    st.integers(50, 2000), st.floats(0.0, 0.02), seeds, st.floats(-300, 300), st.floats(-300, 300)
)
def test_rest_adds_under_a_centimetre(n, noise_m, seed, x0, y0):
    rng = np.random.default_rng(seed)
    p = np.array([x0, y0, 1.0]) + rng.normal(0.0, noise_m, (n, 3))
    l2, l3 = path_length_m(np.arange(n, dtype="float64"), *p.T)
    assert l2 < 0.01 and l3 < 0.01


@FAST
@given(st.integers(2, 400), st.floats(0.01, 0.5), seeds)
def test_resampling_invariants(n, min_step_m, seed):
    rng = np.random.default_rng(seed)
    xy = np.cumsum(rng.normal(0.0, 0.05, (n, 2)), axis=0)
    idx = resample_min_step(xy[:, 0], xy[:, 1], min_step_m=min_step_m)
    assert idx[0] == 0 and np.all(np.diff(idx) > 0)
    steps = np.hypot(*np.diff(xy[idx], axis=0).T)
    if len(idx) > 1:
        assert idx[-1] == n - 1
        assert np.all(steps[:-1] >= min_step_m)
    else:  # never left the circle around the start
        assert np.all(np.hypot(*(xy - xy[0]).T) < min_step_m)
    # chords never exceed the path they cut across (triangle inequality)
    raw, _ = polyline_lengths_m(xy[:, 0], xy[:, 1])
    assert steps.sum() <= raw + 1e-9


@FAST
@given(st.floats(0, 2 * np.pi), st.floats(-500, 500), st.floats(-500, 500), seeds)
def test_length_invariant_under_rigid_motion(angle, dx, dy, seed):
    t, p = _straight(7.0, 30.0, 0.05, 0.015, seed)
    c, s = np.cos(angle), np.sin(angle)
    q = p.copy()
    q[:, 0], q[:, 1] = c * p[:, 0] - s * p[:, 1] + dx, s * p[:, 0] + c * p[:, 1] + dy
    a, b = path_length_m(t, *p.T), path_length_m(t, *q.T)
    np.testing.assert_allclose(a, b, rtol=1e-6)


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-20, 20), st.floats(-20, 20), st.floats(-1, 1)), min_size=2, max_size=4
    ),
    seeds,
)
def test_reconstructed_drives_match_truth(points, seed):
    stops = np.array(points)
    gaps = np.hypot(*np.diff(stops[:, :2], axis=0).T)
    if np.any(gaps < 2.0):  # drives of at least 2 m, so 1 % is above the endpoint jitter
        stops[1:, 0] += np.cumsum(np.where(gaps < 2.0, 3.0, 0.0))
    truth = make_frames(stops, noise_m=0.015, rest_records=100, seed=seed % 1000)
    dr = split_drives(truth.frames)
    assert len(dr) == len(stops) - 1
    np.testing.assert_allclose(dr["length_2d_m"], truth.drive_2d_m, rtol=0.01)
    np.testing.assert_allclose(dr["length_3d_m"], truth.drive_3d_m, rtol=0.01)
