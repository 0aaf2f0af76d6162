"""Column names, dtypes and units of the tables the pipeline passes along.

One table per GeoDataFrame; every module that builds one of them takes its
column list from here, so the CSV, GeoPackage and HTML outputs agree.
All positions are in the lander ENU frame (metres, x east, y north, z up)
and in ``IAU_2015:30100`` (degrees east/north); times are UTC.
"""

from __future__ import annotations

from typing import Literal

Instrument = Literal["PCAM", "VNIS", "TCAM", "LCAM", "LPR"]
Role = Literal["rover", "lander"]

#: Instruments on the lander: their labels never give a rover position.
LANDER_INSTRUMENTS = frozenset({"TCAM", "LCAM"})

#: ``frames``: one row per label product and per LPR record.
FRAMES_COLUMNS: dict[str, str] = {
    "product_id": "str",  # GRAS product name (data file name), e.g. CE4_GRAS_LPR-1_..._A.2B
    "instrument": "str",  # PCAM, VNIS, TCAM, LCAM, LPR
    "payload": "str",  # from the file name: PCAML-C, VNIS-SD, LPR-1, LPR-2A ...
    "level": "str",  # processing level from the extension: 2A, 2B, 2C ...
    "version": "str",  # product version letter: A, B ...
    "sequence_id": "str",  # 4-digit observation counter, one per stop or panorama
    "record": "Int64",  # LPR record index (0-based), missing for label products
    "time_utc": "datetime64[ns, UTC]",  # start of observation / LPR trace time
    "stop_utc": "datetime64[ns, UTC]",  # end of observation (= time_utc for LPR)
    "x_east_m": "float64",  # rover, metres east of the lander (lander ENU)
    "y_north_m": "float64",  # rover, metres north of the lander
    "z_up_m": "float64",  # rover, metres above the lander
    "lon": "float64",  # degrees east, computed from x/y/z for the chosen control network
    "lat": "float64",  # degrees north (planetocentric)
    "label_lon": "float64",  # degrees east as printed in the label's Rover_Location
    "label_lat": "float64",  # degrees north as printed in the label's Rover_Location
    "role": "str",  # rover or lander (TCAM/LCAM)
    "source": "str",  # path of the label or binary, "zip!member" inside a bundle
    "pointing_e": "float64",  # centre_point_observe_vector, unit vector (east)
    "pointing_n": "float64",
    "pointing_u": "float64",
    "solar_incidence_deg": "float64",  # degrees from zenith
    "solar_azimuth_deg": "float64",  # degrees clockwise from north
    "mast_yaw_deg": "float64",  # PCAM Rotation_Angle (mast yaw / pitch), degrees
    "mast_pitch_deg": "float64",
    "velocity_m_s": "float64",  # LPR record VELOCITY, metres per second
    "pitch_deg": "float64",  # LPR rover attitude, degrees (stored as radians)
    "roll_deg": "float64",
    "yaw_deg": "float64",
    "description": "str",  # free text from the label (escaped before any HTML)
}

#: Columns written by ``traverse index`` to CSV.
INDEX_CSV_COLUMNS = [
    "product_id",
    "instrument",
    "payload",
    "level",
    "version",
    "sequence_id",
    "record",
    "time_utc",
    "x_east_m",
    "y_north_m",
    "z_up_m",
    "lon",
    "lat",
    "label_lon",
    "label_lat",
    "role",
    "source",
]
