"""What each label says its instrument looked at: view direction, field of view, observed point.

Rules, in order (``view_source`` names the one that gave a frame its values):

1. ``center_point`` — ``Center_Point_LocationXYZ`` in ``LANDER_COORDINATE_SYSTEM``
   (real VNIS labels): the observed ground point, metres in lander ENU; azimuth
   (degrees clockwise from north) and elevation (degrees above the horizon)
   are those of the line from the instrument to that point.
2. ``lander_vectors`` — ``Vector_Cartesian_3_Pointing`` in
   ``LANDER_COORDINATE_SYSTEM`` (real TCAM labels): the centre observation
   vector is east-north-up, so azimuth = atan2(x, y), elevation = asin(z).
   (Vectors in ``ROVER_COORDINATE_SYSTEM``, as in the VNIS labels, are not
   east-north-up and are not used.)
3. PCAM ``Rotation_Angle`` angles are relative to the rover body; they need
   the rover's heading at the station: :mod:`traverse.path.views`.
4. Otherwise the values are missing, never guessed.

The horizontal field of view is 2·atan(sensor width / 2 / focal length)
(the label's ``focal_length``, ``pixel_size`` × samples per line, or a
``1mm_Diameter`` single detector), else the angle between the upper-left and
upper-right observation vectors.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["POINTING_COLUMNS", "label_pointing"]

#: Columns :func:`label_pointing` gives each label frame (also in ``frames``).
POINTING_COLUMNS = ("view_azimuth_deg", "view_elevation_deg", "hfov_deg", "target_x_east_m",
                    "target_y_north_m", "target_z_up_m", "target_incidence_deg", "target_phase_deg",
                    "view_source")

_LANDER = "LANDER_COORDINATE_SYSTEM"


def _direction(vector) -> tuple[float, float]:
    """Azimuth (degrees clockwise from north, 0–360) and elevation (degrees) of an ENU vector."""
    e, n, u = (float(v) for v in vector)
    horizontal = math.hypot(e, n)
    if not (math.isfinite(horizontal) and math.isfinite(u)) or (horizontal == 0 and u == 0):
        return math.nan, math.nan
    return math.degrees(math.atan2(e, n)) % 360.0, math.degrees(math.atan2(u, horizontal))


def _hfov_deg(lab: dict) -> float:
    f, w = lab.get("focal_length_mm", math.nan), lab.get("sensor_width_mm", math.nan)
    if f > 0 and w > 0:
        return math.degrees(2.0 * math.atan(w / 2.0 / f))
    if lab.get("pointing_frame") in (_LANDER, "ROVER_COORDINATE_SYSTEM"):
        a, b = np.asarray(lab["pointing_left"], float), np.asarray(lab["pointing_right"], float)
        norm = np.linalg.norm(a) * np.linalg.norm(b)
        if np.isfinite(norm) and norm > 0:
            return math.degrees(math.acos(float(np.clip(a @ b / norm, -1.0, 1.0))))
    return math.nan


def label_pointing(lab: dict, instrument_xyz: tuple[float, float, float]) -> dict:
    """The pointing columns of one label (:data:`POINTING_COLUMNS`), from rules 1, 2 and 4.

    Parameters
    ----------
    lab
        :func:`traverse.read.labels.parse_label` output.
    instrument_xyz
        Where the instrument stood, metres, lander ENU (the rover's position,
        or the lander's origin for lander cameras).
    """
    out = dict.fromkeys(POINTING_COLUMNS, math.nan)
    out["view_source"] = None
    out["hfov_deg"] = _hfov_deg(lab)
    center = np.asarray(lab.get("center_xyz", (math.nan,) * 3), float)
    here = np.asarray(instrument_xyz, float)
    if lab.get("center_frame") == _LANDER and np.isfinite(center).all() and np.isfinite(here).all():
        out["target_x_east_m"], out["target_y_north_m"], out["target_z_up_m"] = center.tolist()
        out["target_incidence_deg"] = lab.get("target_incidence_deg", math.nan)
        out["target_phase_deg"] = lab.get("target_phase_deg", math.nan)
        out["view_azimuth_deg"], out["view_elevation_deg"] = _direction(center - here)
        out["view_source"] = "center_point"
    elif lab.get("pointing_frame") == _LANDER and np.isfinite(lab["pointing"]).all():
        out["view_azimuth_deg"], out["view_elevation_deg"] = _direction(lab["pointing"])
        out["view_source"] = "lander_vectors"
    return out
