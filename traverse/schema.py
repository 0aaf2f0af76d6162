"""Column names, dtypes and units of the tables the pipeline passes along.

One table per GeoDataFrame; every module that builds one of them takes its
column list from here, so the CSV, GeoPackage and HTML outputs agree.
All positions are in the lander ENU frame (metres, x east, y north, z up)
and in ``IAU_2015:30100`` (degrees east/north); times are UTC.
"""

from __future__ import annotations

from typing import Literal

Instrument = Literal["PCAM", "VNIS", "TCAM", "LCAM", "LPR", "RoPeR"]
Role = Literal["rover", "lander"]


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
    "yaw_deg": "float64",  # rover heading, degrees clockwise from north (LPR: yaw attitude)
    "record_position_x_m": "float64",  # RoPeR Position_X/Y/Z (0.01 m words): a cross-check of x/y/z
    "record_position_y_m": "float64",  # in a north-east-down mirror of it with its own origin
    "record_position_z_m": "float64",
    "view_azimuth_deg": "float64",  # degrees clockwise from north (lander ENU) the instrument looked
    "view_elevation_deg": "float64",  # degrees above the horizon
    "hfov_deg": "float64",  # horizontal field of view, degrees
    "target_x_east_m": "float64",  # observed ground point, metres east of the lander (VNIS)
    "target_y_north_m": "float64",  # metres north of the lander
    "target_z_up_m": "float64",  # metres above the lander
    "target_incidence_deg": "float64",  # Sun incidence on the observed point, degrees from zenith
    "target_phase_deg": "float64",  # phase angle at the observed point, degrees
    "view_source": "str",  # rule that gave the view (traverse.read.pointing, traverse.path.views)
    "description": "str",  # free text from the label (escaped before any HTML)
}

#: ``stations``: one row per stop (:func:`traverse.path.stations.stations_from_track`),
#: Point(lon, lat) geometry in ``IAU_2015:30100`` not listed.  After
#: ``n_frames`` come ``n_<instrument>`` counts, one per instrument of the mission's
#: ``station_instruments`` (traverse/data/missions) and any other rover instrument present, so the
#: order is: STATIONS_COLUMNS[:5], the counts, STATIONS_COLUMNS[5:].
STATIONS_COLUMNS: dict[str, str] = {
    "station_id": "int64",  # 1, 2, ... in time order
    "lunar_day": "int64",  # lunar day number (traverse.path.days.lunar_day_number), 1 = landing
    "first_utc": "datetime64[ns, UTC]",  # start of the station's first frame
    "last_utc": "datetime64[ns, UTC]",  # stop of its last frame
    "n_frames": "int64",  # frames (label products + LPR records at rest) in the station
    "x_east_m": "float64",  # metres east of the lander (lander ENU): median of label
    #                         products, else of LPR records
    "y_north_m": "float64",  # metres north of the lander (lander ENU), same rule
    "z_up_m": "float64",  # metres above the lander (lander ENU), same rule
    "products": "str",  # label product ids, ";"-joined, time order ("" for LPR-only)
    "sequences": "str",  # GRAS sequence ids of those products, ";"-joined, sorted ("" for LPR-only)
    "instruments": "str",  # instruments seen at the station, ","-joined, sorted
    "lon": "float64",  # degrees east (IAU_2015:30100) for the chosen lander site
    "lat": "float64",  # degrees north, planetocentric
}

#: ``drives``: one row per drive (:func:`traverse.path.drives.drives_from_track`),
#: LineString(lon, lat) geometry in ``IAU_2015:30100`` not listed.
DRIVES_COLUMNS: dict[str, str] = {
    "drive_id": "int64",  # 1, 2, ... in order of start_utc
    "lunar_day": "int64",  # lunar day of end_utc
    "from_station": "Int64",  # station_id the drive leaves, <NA> before the first station
    "to_station": "Int64",  # station_id it reaches, <NA> after the last one
    "start_utc": "datetime64[ns, UTC]",  # first moving LPR record, or last frame of from_station
    "end_utc": "datetime64[ns, UTC]",  # last moving LPR record, or first frame of to_station
    "length_2d_m": "float64",  # metres, horizontal, chords in lander ENU (never geodesics)
    "length_3d_m": "float64",  # metres, chords in lander ENU including height changes
    "source": "str",  # "lpr" (drawn through radar records) or "inferred" (straight segment)
    "n_records": "int64",  # LPR records used
    "end_x_east_m": "float64",  # drive's last vertex, metres east of the lander (lander ENU)
    "end_y_north_m": "float64",  # metres north of the lander (lander ENU)
    "end_z_up_m": "float64",  # metres above the lander (lander ENU)
}

#: ``days``: one row per lunar day with rover data (:func:`traverse.path.days.summarise_days`),
#: MultiLineString(lon, lat) geometry of the day's drives not listed; :func:`~traverse.path.days.days_table`
#: adds a row for each day without data ("no data", values missing: unknown, not zero).
DAYS_COLUMNS: dict[str, str] = {
    "lunar_day": "int64",  # 1 = landing day (traverse.path.days.lunar_day_number)
    "coverage": "str",  # "data"; "no data" for a day the archive does not hold (days_table only)
    "start_utc": "datetime64[ns, UTC]",  # first rover frame of the day
    "end_utc": "datetime64[ns, UTC]",  # last rover frame's stop
    "stations": "Int64",  # number of stations in the day (<NA>: no data)
    "drive_m": "float64",  # metres, horizontal length of the day's drives (lander ENU)
    "drive_3d_m": "float64",  # metres, 3-D length of the day's drives (lander ENU)
    "cumulative_m": "float64",  # metres, running total of drive_m: what the archive measured
    "gap_m": "float64",  # metres, straight lengths of the gaps arriving that day (lower bounds)
    "cumulative_min_m": "float64",  # metres, cumulative_m plus every gap so far: driven at least
    "from_lander_m": "float64",  # metres, horizontal distance of the day's last position
    "bearing_deg": "float64",  # degrees clockwise from north (lander ENU) of that position
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

#: Columns added by ``--dem`` (:func:`traverse.path.terrain.add_terrain`), per table.
#: Elevations are metres in the DEM's datum (above the 1 737 400 m sphere for LRO
#: products); horizontal lengths stay lander ENU metres.
TERRAIN_COLUMNS: dict[str, dict[str, str]] = {
    "stations": {
        "elevation_m": "float64",  # metres, bilinear from the DEM at the station
    },
    "drives": {
        "elevation_gain_m": "float64",  # metres climbed along the profile (DEM pixel steps)
        "elevation_loss_m": "float64",  # metres descended along the profile
        "slope_max_deg": "float64",  # degrees, steepest terrain slope under the drive (DEM gradient)
        "slope_mean_deg": "float64",  # degrees, mean terrain slope under the drive
        "grade_deg": "float64",  # degrees, along-track: atan(net climb / horizontal length), + uphill
        "grade_max_deg": "float64",  # degrees, steepest one-pixel stretch along the track
        "length_terrain_m": "float64",  # metres, horizontal length with the profile's climbs
    },
    "days": {
        "elevation_gain_m": "float64",  # metres, the day's drives' climbs
        "elevation_loss_m": "float64",  # metres, the day's drives' descents
    },
}
