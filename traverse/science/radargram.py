"""Radargrams: the radar traces of a drive, placed along the reconstructed track.

A radargram is drawn against **along-track metres**, not record index: each
trace's position (lander ENU) is projected onto the drive's reconstructed line
(:mod:`traverse.path.drives`), and columns are laid at an even spacing, each
showing the one trace nearest to it within half a spacing (no interpolation
between traces: a column no trace reaches stays empty, NaN).  Where the records
hold *navigation fixes* (the same position repeated, then a jump: the real
LPR-1 0316 product updates every few records), the traces between two fixes
are spread evenly in time over the stretch between them: the rover drove at a
near-constant few cm/s, and the fix, not the rover, stood still.

Rows are samples: two-way travel time ``sample × interval`` (ns, the label's
``sampling_interval``; NaN where the label states none, then rows are sample
numbers) and a depth axis ``c·t / (2·√ε)`` for a stated relative permittivity.
Default ε = 3.0: the Lunar Sourcebook's relation for lunar regolith,
ε′ = 1.919^ρ (Carrier, Olhoeft & Mendell 1991; Olhoeft & Strangway 1975), gives
2.7–3.2 for the bulk densities 1.5–1.8 g/cm³ of the upper metres.

Display processing is chosen by name, each step documented and none inventing
data: ``dewow`` (subtract each trace's running mean over ``dewow_samples``),
``background`` (subtract the mean trace of the radargram), ``gain`` (multiply
by t^``gain_power``, compensating spreading loss; t in samples).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

__all__ = ["SPEED_OF_LIGHT_M_NS", "DEFAULT_PERMITTIVITY", "PROCESSING_STEPS", "Radargram", "along_track_m",
           "drive_line_enu",
           "process", "radargram"]

#: Speed of light in vacuum, metres per nanosecond.
SPEED_OF_LIGHT_M_NS = 0.299792458
#: Relative permittivity of lunar regolith for the depth axis (module docstring).
DEFAULT_PERMITTIVITY = 3.0
#: Display processing steps, in the order they are applied.
PROCESSING_STEPS = ("dewow", "background", "gain")


@dataclass(frozen=True)
class Radargram:
    """One radargram (see the module docstring).

    Attributes
    ----------
    image
        float32 (samples, columns), processed; NaN in columns no trace reaches.
    along_m
        Column centres, metres along the drive from its start (lander ENU, horizontal).
    time_ns
        Two-way time of each row, ns (NaN when the label states no interval).
    depth_m
        Depth of each row for :attr:`permittivity`, metres (NaN with ``time_ns``).
    traces
        One row per trace used: ``record``, ``time_utc``, ``along_m``,
        ``column`` (the column of :attr:`image` showing it; -1 when another
        trace lies nearer that column's centre, or none lies within half a
        spacing: each column shows one trace, a trace at most one column),
        ``x_east_m``, ``y_north_m`` (its position on the drive line, lander ENU).
    """

    image: np.ndarray
    along_m: np.ndarray
    time_ns: np.ndarray
    depth_m: np.ndarray
    permittivity: float
    processing: tuple[str, ...]
    traces: pd.DataFrame


def along_track_m(x_m, y_m, time_s, line_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each position's distance along a polyline (metres), held fixes spread in time.

    Parameters
    ----------
    x_m, y_m
        Trace positions, lander ENU metres, in time order.
    time_s
        Their times, seconds (any origin).
    line_xy
        The drive's line, lander ENU metres (n, 2).

    Returns
    -------
    (along_m, points) : numpy.ndarray, numpy.ndarray
        Non-decreasing distances, and the (n, 2) points on the line.
    """
    line = shapely.LineString(line_xy)
    along = shapely.line_locate_point(line, shapely.points(np.asarray(x_m), np.asarray(y_m)))
    along = np.maximum.accumulate(np.asarray(along, dtype="float64"))
    t = np.asarray(time_s, dtype="float64")
    change = np.flatnonzero(np.r_[True, np.diff(along) > 1e-6])  # where a new fix starts
    out = along.copy()
    for a, b in zip(change[:-1], change[1:], strict=True):  # spread each held fix to the next one
        if b - a > 1 and t[b] > t[a]:
            out[a:b] = along[a] + (along[b] - along[a]) * (t[a:b] - t[a]) / (t[b] - t[a])
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, out))
    return out, pts


def process(traces: np.ndarray, steps=PROCESSING_STEPS, *, dewow_samples: int = 64,
            gain_power: float = 1.0) -> np.ndarray:
    """Display processing of (traces, samples) real values by named steps (module docstring).

    A non-finite sample (a damaged record) stays non-finite and spreads along
    its own trace through the running mean (the background is the mean of the
    finite samples); the image shows those pixels transparent.  No
    floating-point warning is raised for it.
    """
    unknown = set(steps) - set(PROCESSING_STEPS)
    if unknown:
        raise ValueError(f"unknown processing {sorted(unknown)}; known: {', '.join(PROCESSING_STEPS)}")
    with np.errstate(invalid="ignore", over="ignore"):
        return _processed(np.asarray(traces, dtype="float32").copy(), steps, dewow_samples, gain_power)


def _processed(data: np.ndarray, steps, dewow_samples: int, gain_power: float) -> np.ndarray:
    if "dewow" in steps and data.shape[1] > 1:
        k = max(1, min(int(dewow_samples), data.shape[1]))
        csum = np.cumsum(np.pad(data, ((0, 0), (k // 2 + 1, k - k // 2 - 1)), mode="edge"), axis=1,
                         dtype="float64")
        data -= ((csum[:, k:] - csum[:, :-k]) / k).astype("float32")
    if "background" in steps and len(data) > 1:  # the mean of the finite samples at each time
        ok = np.isfinite(data)
        data -= (np.where(ok, data, 0).sum(axis=0, keepdims=True, dtype="float64")
                 / np.maximum(ok.sum(axis=0, keepdims=True), 1)).astype("float32")
    if "gain" in steps:
        data *= (np.arange(1, data.shape[1] + 1, dtype="float32") ** gain_power)[None, :]
    return data


def radargram(records: np.ndarray, echoes: np.ndarray, positions: pd.DataFrame, line_xy: np.ndarray, *,
              interval_ns: float, spacing_m: float = 0.05, permittivity: float = DEFAULT_PERMITTIVITY,
              steps=PROCESSING_STEPS) -> Radargram:
    """The radargram of the traces of one drive.

    Parameters
    ----------
    records, echoes
        Record indices and samples (:func:`traverse.read.echoes.read_echoes`);
        complex samples are shown by their magnitude.
    positions
        The same records' poses: ``record``, ``time_utc``, ``x_east_m``,
        ``y_north_m`` (the frames table's radar rows of the product).
    line_xy
        The drive's reconstructed line, lander ENU metres (n, 2).
    interval_ns
        Nanoseconds between samples (the label's; NaN if unknown).
    spacing_m
        Column spacing, metres (default 5 cm: about the channel-2 trace spacing at drive speed).
    """
    pos = positions.set_index("record").reindex(records).dropna(subset=["x_east_m", "y_north_m"])
    keep = np.isin(records, pos.index.to_numpy())
    data = np.abs(echoes[keep]) if np.iscomplexobj(echoes) else echoes[keep]
    t = pd.DatetimeIndex(pos["time_utc"])
    seconds = np.asarray((t - t[0]) / pd.Timedelta(seconds=1), dtype="float64") if len(t) else np.zeros(0)
    along, pts = along_track_m(pos["x_east_m"], pos["y_north_m"], seconds, line_xy)
    length = float(shapely.LineString(line_xy).length)
    n_cols = max(1, int(round(length / spacing_m)) + 1)
    centres = np.linspace(0.0, length, n_cols)
    col = np.clip(np.round(along / (length / (n_cols - 1) if n_cols > 1 else 1.0)).astype("int64"), 0,
                  n_cols - 1)
    miss = np.abs(centres[col] - along) > spacing_m / 2
    processed = process(data, steps) if len(data) else data.astype("float32")
    image = np.full((echoes.shape[1], n_cols), np.nan, dtype="float32")
    best = np.full(n_cols, np.inf)
    shown = np.full(n_cols, -1)
    for i in np.flatnonzero(~miss):  # the trace nearest each column
        d = abs(centres[col[i]] - along[i])
        if d < best[col[i]]:
            best[col[i]] = d
            shown[col[i]] = i
    for c in np.flatnonzero(shown >= 0):
        image[:, c] = processed[shown[c]]
    column = np.full(len(along), -1, dtype="int64")
    column[shown[shown >= 0]] = np.flatnonzero(shown >= 0)
    time_ns = np.arange(echoes.shape[1], dtype="float64") * interval_ns
    depth = SPEED_OF_LIGHT_M_NS * time_ns / (2.0 * np.sqrt(permittivity))
    traces = pd.DataFrame({"record": pos.index.to_numpy(), "time_utc": pos["time_utc"].to_numpy(),
                           "along_m": along, "column": column,
                           "x_east_m": pts[:, 0], "y_north_m": pts[:, 1]})
    return Radargram(image, centres, time_ns, depth, float(permittivity), tuple(steps), traces)


def drive_line_enu(geometry, site) -> np.ndarray:
    """A drive's LineString (lon/lat degrees on the site's body) as lander ENU metres (n, 2)."""
    from traverse.geodesy import lonlat_to_enu

    lonlat = shapely.get_coordinates(geometry)
    e, n, _ = lonlat_to_enu(lonlat[:, 0], lonlat[:, 1], np.full(len(lonlat), site.height_m), site)
    return np.column_stack([e, n])
