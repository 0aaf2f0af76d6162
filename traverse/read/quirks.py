"""Every known trap in the Chang'e-4 and Tianwen-1 products, one function each.

Each quirk says which payloads and levels it hits and which real file shows
it.  The record formats (``traverse/data/records/*.toml``, read by
:mod:`traverse.record_formats`) name which fields they hit: ``little_endian``
fields (:func:`little_endian`), ``raw_u16`` fields, the signed sums of the
``[position]`` table (:func:`rover_enu_from_reference` is the LPR one) and the
column transforms of :data:`TRANSFORMS`.  Tests pin each one on the real
products in ``../shared/data``.  The fifth trap, two lander positions 415 m
apart, is the ``control`` option of :func:`traverse.geodesy.lander_site`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "little_endian",
    "attitude_radians",
    "rover_enu_from_reference",
    "sign_magnitude_16",
    "heading_from_ccw_east",
    "TRANSFORMS",
]


def little_endian(dtypes: dict[str, str], fields) -> dict[str, str]:
    """Read ``fields`` as little-endian floats whatever the label declares.

    HITS: LPR-1, LPR-2A, LPR-2B at level 2B, the six ``REFERENCE_POINT_*``
    floats (``CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B``:
    read big-endian as labelled they come out as about −1e-08 or 1e36; read
    little-endian, E −736.761 N 598.089 U 2.426 m).

    Parameters
    ----------
    dtypes
        numpy dtype strings by field name, as the label declares them.
    fields
        The names to swap (a record format's ``little_endian`` list).
    """
    out = dict(dtypes)
    for name in fields:
        if name in out and out[name].startswith(">f"):
            out[name] = "<" + out[name][1:]
    return out


def attitude_radians(values: np.ndarray) -> np.ndarray:
    """Convert the rover attitude (``ATT_PITCHING/ROLLING/YAWING``) to degrees.

    HITS: LPR-1, LPR-2A, LPR-2B at level 2B: the label gives the unit ``deg``
    but the values are radians (within ±π in the LPR-1 product of 2023-12-16).
    """
    return np.degrees(values)


def rover_enu_from_reference(x_m, y_m, z_m, ref_x_m, ref_y_m, ref_z_m):
    """Rover position in lander ENU from the LPR record's two frames.

    HITS: LPR level 2B.  ``XPOSITION/YPOSITION/ZPOSITION`` are metres from the
    current reference point with x north, y east, z down (towards the lunar
    core), while ``REFERENCE_POINT_*POSITION`` are metres from the lander with
    x east, y north, z up.  So E = REF_X + Y, N = REF_Y + X, U = REF_Z − Z.

    Returns
    -------
    east_m, north_m, up_m : numpy.ndarray
        Lander ENU, metres.
    """
    return ref_x_m + y_m, ref_y_m + x_m, ref_z_m - z_m


def sign_magnitude_16(raw: np.ndarray) -> np.ndarray:
    """Decode 16-bit sign-magnitude integers (bit 15 the sign, bits 0–14 the magnitude).

    HITS: RoPeR (Zhurong) level 2B ``Position_X/Y/Z`` (and the other
    ``SignedMSB2`` pose fields), declared ``SignedMSB2`` (two's complement).
    In ``HX1-Ro_GRAS_RoPeR-HF-HH_SCI_N_20210525042001_20210525043243_00011_A.2B``
    record 3 holds ``0x8005`` in ``Position_X``: −32 763 read as two's
    complement (−327.63 m, while ``Rover_Location_Y`` of the same record is
    −0.053 m), −5 (−0.05 m) as sign-magnitude; every record of both real
    products agrees with the float fields to 0.01 m read this way.

    Parameters
    ----------
    raw
        The stored 16-bit words as unsigned integers.

    Returns
    -------
    numpy.ndarray
        float64 values.
    """
    words = np.asarray(raw).astype("int64") & 0xFFFF
    magnitude = (words & 0x7FFF).astype("float64")
    return np.where(words & 0x8000, -magnitude, magnitude)


def heading_from_ccw_east(yaw_deg: np.ndarray) -> np.ndarray:
    """Compass heading (degrees clockwise from north, [0, 360)) from a yaw counter-clockwise from east.

    HITS: RoPeR level 2B ``Rover_Attitude_Yaw`` (x east, y north, yaw about up
    from east; DESIGN.md, "Zhurong's frame"): heading = 90° − yaw.
    """
    return np.mod(90.0 - np.asarray(yaw_deg, dtype="float64"), 360.0)


#: Column transforms a record format may name (``transform = "..."`` in ``traverse/data/records``).
TRANSFORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "degrees_from_radians": attitude_radians,
    "sign_magnitude_16": sign_magnitude_16,
    "heading_from_ccw_east": heading_from_ccw_east,
}
