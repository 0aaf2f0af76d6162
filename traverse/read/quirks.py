"""Every known trap in the Chang'e-4 products, one function each.

Each quirk says which payloads and levels it hits and which real file shows
it; :data:`RECORD_QUIRKS` dispatches all of them by ``(instrument, level)``.  Tests pin
each one on the real LPR-1 product in ``../shared/data/ce4/lpr``.  The fifth
trap, two lander positions 415 m apart, is the ``control`` option of
:func:`traverse.geodesy.lander_site`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "REFERENCE_POINT_FIELDS",
    "reference_point_little_endian",
    "attitude_radians",
    "rover_enu_from_reference",
    "sign_magnitude_16",
    "RecordQuirks",
    "RECORD_QUIRKS",
]

#: Fields stored little-endian although the label says ``IEEE754MSBSingle``.
REFERENCE_POINT_FIELDS = (
    "REFERENCE_POINT_XPOSITION",
    "REFERENCE_POINT_YPOSITION",
    "REFERENCE_POINT_ZPOSITION",
    "REFERENCE_POINT_ATT_PITCHING",
    "REFERENCE_POINT_ATT_ROLLING",
    "REFERENCE_POINT_ATT_YAWING",
)


def reference_point_little_endian(dtypes: dict[str, str]) -> dict[str, str]:
    """Read the six ``REFERENCE_POINT_*`` floats as little-endian.

    HITS: LPR-1, LPR-2A, LPR-2B at level 2B
    (``CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B``: read
    big-endian as labelled they come out as about −1e-08 or 1e36; read
    little-endian, E −736.761 N 598.089 U 2.426 m).

    Parameters
    ----------
    dtypes
        numpy dtype strings by field name, as the label declares them.
    """
    out = dict(dtypes)
    for name in REFERENCE_POINT_FIELDS:
        if name in out and out[name] == ">f4":
            out[name] = "<f4"
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


@dataclass(frozen=True)
class RecordQuirks:
    """How to read one kind of pose record: each attribute is one quirk function above.

    Attributes
    ----------
    field_dtypes
        Corrects the numpy dtypes the label declares, by field name.
    attitude_deg
        Turns the stored attitude values into degrees.
    rover_enu
        Rover position in lander ENU (metres) from the record's position
        fields and its reference point.
    """

    field_dtypes: Callable[[dict[str, str]], dict[str, str]]
    attitude_deg: Callable[[np.ndarray], np.ndarray]
    rover_enu: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]


#: The quirks of each pose-carrying product, keyed on (instrument, level); a product
#: with no entry cannot be read as poses.
RECORD_QUIRKS: dict[tuple[str, str], RecordQuirks] = {
    ("LPR", "2B"): RecordQuirks(
        field_dtypes=reference_point_little_endian,
        attitude_deg=attitude_radians,
        rover_enu=rover_enu_from_reference,
    ),
}
