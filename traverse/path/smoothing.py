"""Smoothing LPR positions along time, and the speed it gives.

Both :mod:`traverse.path.stations` (rest or moving?) and :mod:`traverse.path.drives`
(how long was the drive?) smooth the jittery LPR positions (1–2 cm from record
to record) with the same centred moving average; its window adapts to each
product's record spacing (:func:`lpr_smooth_window_s`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from traverse.path.settings import DEFAULT_SETTINGS, ReconstructionSettings

__all__ = [
    "elapsed_s",
    "shrunk_half_window_s",
    "smooth_positions",
    "smoothed_speed_m_s",
    "lpr_smooth_window_s",
]


def elapsed_s(time) -> np.ndarray:
    """Times as float seconds since the first one (datetimes) or as given (numbers)."""
    if isinstance(time, (pd.Series, pd.Index)) and pd.api.types.is_datetime64_any_dtype(time):
        ns = pd.DatetimeIndex(time).as_unit("ns").asi8
    else:
        arr = np.asarray(time)
        if arr.dtype.kind != "M":
            return arr.astype("float64")
        ns = arr.astype("datetime64[ns]").astype("int64")
    return (ns - ns[0]) / 1e9 if len(ns) else np.zeros(0)


def _window_bounds(t_s: np.ndarray, half_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Index range ``[lo, hi)`` of samples within ``half_s`` of each (sorted) time."""
    return (
        np.searchsorted(t_s, t_s - half_s, side="left"),
        np.searchsorted(t_s, t_s + half_s, side="right"),
    )


def shrunk_half_window_s(t_s: np.ndarray, smooth_window_s: float) -> np.ndarray:
    """Half-width of the symmetric window each sample gets with ``edges="shrink"``, seconds."""
    lo, hi = _window_bounds(t_s, smooth_window_s / 2.0)
    return np.minimum(t_s - t_s[lo], t_s[np.maximum(hi - 1, lo)] - t_s)


def smooth_positions(
    time, *coords_m, smooth_window_s: float, edges: str = "shrink"
) -> tuple[np.ndarray, ...]:
    """Centred moving average of positions over a time window.

    Parameters
    ----------
    time
        Sample times, non-decreasing: datetimes, or seconds as numbers.
    *coords_m
        One or more coordinate arrays, metres (lander ENU); NaNs are skipped.
    smooth_window_s
        Full width of the window, seconds (see
        :attr:`~traverse.path.settings.ReconstructionSettings.smooth_window_s`).
    edges
        Near the ends of a series (or of a gap longer than half the window):
        ``"shrink"`` (default) narrows the window symmetrically, so uniform
        motion is not pulled inward and the very first and last samples stay
        as they are; ``"truncate"`` keeps the window's full width on the side
        that has data (less noise, biased for motion).

    Returns
    -------
    tuple of numpy.ndarray
        The smoothed coordinates, metres, same frame.
    """
    if edges not in ("shrink", "truncate"):
        raise ValueError(f"smooth_positions: edges must be 'shrink' or 'truncate', got {edges!r}")
    t_s = elapsed_s(time)
    lo, hi = _window_bounds(t_s, smooth_window_s / 2.0)
    if edges == "shrink" and len(t_s):
        half = shrunk_half_window_s(t_s, smooth_window_s)
        lo = np.searchsorted(t_s, t_s - half, side="left")
        hi = np.searchsorted(t_s, t_s + half, side="right")
    out = []
    for c in coords_m:
        c = np.asarray(c, dtype="float64")
        ok = np.isfinite(c)
        csum = np.concatenate([[0.0], np.cumsum(np.where(ok, c, 0.0))])
        cnt = np.concatenate([[0], np.cumsum(ok)])
        n = cnt[hi] - cnt[lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(n > 0, (csum[hi] - csum[lo]) / n, np.nan))
    return tuple(out)


def smoothed_speed_m_s(
    time, x_m, y_m, *, smooth_window_s: float, min_span_s: float | None = None
) -> np.ndarray:
    """Horizontal speed from smoothed positions across a centred time window.

    Parameters
    ----------
    time
        Sample times, non-decreasing: datetimes, or seconds as numbers.
    x_m, y_m
        Positions, metres east and north (lander ENU).
    smooth_window_s
        Width of both the smoothing and the speed window, seconds (see
        :func:`smooth_positions`).
    min_span_s
        Seconds: the speed is NaN where the samples in the window span less
        than this.  Default half the window; :func:`rover_track` passes half
        the window less one record interval, so that the first and last
        records of a product with records several seconds apart (whose
        one-sided window cannot reach exactly half its width) keep a speed.

    Returns
    -------
    numpy.ndarray
        Metres per second: the distance between the positions smoothed
        with ``edges="truncate"`` at the two ends of the window divided by
        the difference of their mean times, which is exact for uniform
        motion even where the window is cut short at the end of a series.
        NaN where the window spans less than ``min_span_s`` (an isolated
        record), whose motion is unknown.
    """
    t_s = elapsed_s(time)
    xs, ys, tc = smooth_positions(
        t_s, x_m, y_m, t_s, smooth_window_s=smooth_window_s, edges="truncate"
    )
    lo, hi = _window_bounds(t_s, smooth_window_s / 2.0)
    last = np.maximum(hi - 1, lo)
    span = t_s[last] - t_s[lo]
    dt = tc[last] - tc[lo]
    dist = np.hypot(xs[last] - xs[lo], ys[last] - ys[lo])
    need_s = smooth_window_s / 2.0 if min_span_s is None else min_span_s
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((span >= need_s) & (dt > 0), dist / dt, np.nan)


def lpr_smooth_window_s(time, *, settings: ReconstructionSettings = DEFAULT_SETTINGS) -> float:
    """Smoothing window for one LPR product, adapted to its record spacing.

    Parameters
    ----------
    time
        Record times of one LPR product, non-decreasing: datetimes, or
        seconds as numbers.
    settings
        ``smooth_window_s`` (the shortest window, seconds) and
        ``min_smooth_records`` (the window spans at least this many median
        record intervals).

    Returns
    -------
    float
        ``max(smooth_window_s, min_smooth_records × median interval)``,
        seconds.
    """
    t_s = elapsed_s(time)
    dt = np.diff(t_s)
    dt = dt[dt > 0]
    if dt.size == 0:
        return float(settings.smooth_window_s)
    return float(max(settings.smooth_window_s, settings.min_smooth_records * np.median(dt)))
