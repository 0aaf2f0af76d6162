"""Corners of a smoothed drive put back where the rover turned.

Smoothing along time (:mod:`traverse.path.smoothing`) removes the 1–2 cm
jitter of LPR positions but, like any moving average, rounds every turn: at
a corner the averaged positions cut inside, and a drive of a few metres with
a turn came out 0.2–0.8 % short.  Yutu-2 drives straight legs and turns
between them, so the corner can be restored from the data on each side:

1. the smoothed path is simplified with Douglas–Peucker
   (:func:`simplify_indices`) at a tolerance a few times the residual
   jitter: the kept points are its corners (and the ends);
2. at each corner that turns by at least ``min_turn_deg``, a straight line
   is fitted (total least squares) to the smoothed points of each leg
   outside the rounded zone (``rounding_m`` from the corner, the distance
   the smoothing window spans at drive speed), and the corner moves to
   where the two lines meet, if that is within a few rounding distances;
   (a leg that starts or ends the drive is the line through that end, a
   station where the drive is anchored, and the leg's centroid);
3. the drive is the polyline through the ends and the corners.

Turns closer together than a few rounding distances (about 1 m at Yutu-2's
speed and the default 10 s window) form one group whose legs' meeting point
lies farther out than a lone rounded corner allows; they are left smoothed
(slightly short) rather than guessed.

Straight legs then contribute their end-to-end length, with no jitter
added; gentle bends (turns under ``min_turn_deg`` per corner) stay chords of
the smoothed path.  Positions are metres in lander ENU.
"""

from __future__ import annotations

import numpy as np

__all__ = ["simplify_indices", "restore_corners"]


def simplify_indices(xy: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Indices of the points Douglas–Peucker keeps at ``tolerance_m`` (first and last included).

    Parameters
    ----------
    xy
        (n, 2) path, metres.
    tolerance_m
        Metres: a point farther than this from the chord of its span is kept.
    """
    n = len(xy)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[[0, n - 1]] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        a, b = xy[i], xy[j]
        seg = b - a
        pts = xy[i + 1 : j] - a
        norm = np.hypot(*seg)
        if norm > 0:
            dist = np.abs(seg[0] * pts[:, 1] - seg[1] * pts[:, 0]) / norm
        else:
            dist = np.hypot(pts[:, 0], pts[:, 1])
        k = int(np.argmax(dist))
        if dist[k] > tolerance_m:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return np.flatnonzero(keep)


def _fit_line(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroid and unit direction of the total-least-squares line through ``pts``."""
    c = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - c, full_matrices=False)
    return c, vt[0]


def _line_through(point: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The line through ``point`` and the centroid of ``pts`` (a free fit if they coincide)."""
    d = pts.mean(axis=0) - point
    n = np.hypot(*d)
    return (point, d / n) if n > 0 else _fit_line(pts)


def _intersect(c1, d1, c2, d2) -> np.ndarray | None:
    """Point where lines (c1, d1) and (c2, d2) meet, or ``None`` when nearly parallel."""
    m = np.column_stack([d1, -d2])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    s, _ = np.linalg.solve(m, c2 - c1)
    return c1 + s * d1


def _far_from(leg: np.ndarray, ends: list[np.ndarray], rounding_m: float) -> np.ndarray:
    """Points of a leg farther than ``rounding_m`` from each of ``ends`` (its rounded corners)."""
    far = np.ones(len(leg), dtype=bool)
    for end in ends:
        far &= np.hypot(*(leg - end).T) > rounding_m
    return leg[far]


def _corner_groups(xy: np.ndarray, idx: np.ndarray, reach_m: float) -> list[list[int]]:
    """Interior kept points grouped into corners: neighbours closer than ``reach_m`` are one corner."""
    groups: list[list[int]] = []
    for k in range(1, len(idx) - 1):
        if groups and np.hypot(*(xy[idx[k]] - xy[idx[groups[-1][-1]]])) < reach_m:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def restore_corners(
    coords: np.ndarray,
    *,
    rounding_m: float,
    tolerance_m: float,
    min_turn_deg: float = 10.0,
    min_leg_points: int = 3,
) -> np.ndarray:
    """The polyline of a smoothed drive with its corners restored (module docstring).

    Parameters
    ----------
    coords
        (n, 3) smoothed positions in time order, metres (lander ENU), the
        first and last being the drive's ends (stations where anchored).
    rounding_m
        Metres: how far from a corner the smoothing displaced the path
        (drive speed × half the smoothing window); kept points closer than
        twice this are one rounded corner, and points nearer than this to a
        corner are not used to fit its legs.
    tolerance_m
        Metres, the Douglas–Peucker tolerance: above the residual jitter of
        the smoothed path, below the cut of a rounded corner.
    min_turn_deg
        Degrees: corners whose fitted legs turn less than this are kept as
        they are.
    min_leg_points
        Points a leg needs, outside the rounded zones, to fit its line.

    Returns
    -------
    numpy.ndarray
        (m, 3) vertices: the ends, the restored corners (height from the
        smoothed point nearest to each), and the kept points of corners that
        could not be restored.
    """
    coords = np.asarray(coords, dtype="float64")
    if len(coords) < 3:
        return coords
    xy = coords[:, :2]
    idx = simplify_indices(xy, tolerance_m)
    groups = _corner_groups(xy, idx, 2.0 * rounding_m + tolerance_m)
    # a corner turns the path (chord in vs chord out); the other kept points are bends or jitter
    turning = [g for g in groups if _turn_deg(xy, idx, g) >= min_turn_deg]
    restored: dict[int, np.ndarray] = {}
    for j, group in enumerate(turning):
        first, last = idx[group[0]], idx[group[-1]]
        before = idx[turning[j - 1][-1]] if j > 0 else idx[0]
        after = idx[turning[j + 1][0]] if j + 1 < len(turning) else idx[-1]
        leg1 = _far_from(xy[before : first + 1], [xy[first]] + ([xy[before]] if j > 0 else []),
                         rounding_m)
        leg2 = _far_from(xy[last : after + 1],
                         [xy[last]] + ([xy[after]] if j + 1 < len(turning) else []), rounding_m)
        if len(leg1) < min_leg_points or len(leg2) < min_leg_points:
            continue
        # a leg from the drive's start (or to its end) passes through that end point, a station
        # position where the drive is anchored: a line through it is steadier than a free fit
        line1 = _line_through(xy[0], leg1) if j == 0 else _fit_line(leg1)
        line2 = _line_through(xy[-1], leg2) if j + 1 == len(turning) else _fit_line(leg2)
        corner = _intersect(*line1, *line2)
        if corner is None:
            continue
        # a lone corner is rounded off by at most half the rounding distance; two turns close
        # together (one group) leave the legs' meeting point farther out: keep those as they are
        gap = np.hypot(*(xy[first : last + 1] - corner).T)  # the rounded stretch itself
        nearest = first + int(np.argmin(gap))
        if gap.min() <= 0.5 * rounding_m + tolerance_m:
            restored[group[0]] = np.r_[corner, coords[nearest, 2:]]
    out = [coords[idx[0]]]
    for group in groups:
        if group[0] in restored:
            out.append(restored[group[0]])
        else:
            out.extend(coords[idx[group]])
    out.append(coords[idx[-1]])
    return np.asarray(out)


def _turn_deg(xy: np.ndarray, idx: np.ndarray, group: list[int]) -> float:
    """Degrees between the chord into a group of kept points and the chord out of it."""
    d1 = xy[idx[group[0]]] - xy[idx[group[0] - 1]]
    d2 = xy[idx[group[-1] + 1]] - xy[idx[group[-1]]]
    n1, n2 = np.hypot(*d1), np.hypot(*d2)
    if n1 == 0 or n2 == 0:
        return 0.0
    return float(np.degrees(np.arccos(np.clip(d1 @ d2 / (n1 * n2), -1.0, 1.0))))
