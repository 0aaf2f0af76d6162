"""The HTML of the web map's popups: stations, drives' terrain, what the rover saw.

Every label-derived string goes through :func:`esc` (:func:`html.escape`)
before it joins a popup.
"""

from __future__ import annotations

import html
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from layers import timeline
from traverse.missions import Mission

__all__ = ["esc", "utc", "lonlat_text", "station_popups", "Picture", "pictures_by_product", "panorama_strip",
           "views_payload", "terrain_text", "station_products", "product_table"]


def esc(value) -> str:
    """Escape any value for HTML; missing values become an empty string."""
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def utc(value) -> str:
    """``YYYY-MM-DD HH:MM`` of a timestamp, or '' when missing."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def lonlat_text(lon_deg: float, lat_deg: float, body_name: str = "") -> str:
    """``177.585544° E, 45.440391° S (Moon)``: planetocentric degrees, hemisphere letters, the body.

    Longitude east in (−180°, 180°] (west written W), six decimals (1e-6°:
    3 cm on the Moon, 6 cm on Mars); the same text as ``TraverseMap.lonLatText`` on the page.
    """
    lon = (float(lon_deg) + 180.0) % 360.0 - 180.0
    lon = 180.0 if lon == -180.0 else lon
    ew = f"{abs(lon):.6f}° " + ("E" if round(lon, 6) >= 0 else "W")
    ns = f"{abs(float(lat_deg)):.6f}° " + ("N" if round(float(lat_deg), 6) >= 0 else "S")
    return f"{ew}, {ns}" + (f" ({body_name})" if body_name else "")


def station_popups(stations: pd.DataFrame, drives: pd.DataFrame, frames: pd.DataFrame, *,
                   mission: Mission | None = None, pictures: dict[str, Picture] | None = None) -> list[str]:
    """HTML (escaped) of each station's popup, including distance driven so far.

    The position is given twice: lon/lat of the station's point (:func:`lonlat_text`,
    the ``mission``'s body named) and lander ENU metres; the day is the
    ``mission``'s (lunar day when ``None``).

    It ends with ``Products (N):``; the page writes the list under it from the
    station's product indexes into the map's product table (:func:`product_table`),
    so that each product id reaches the page once.  ``pictures``
    (:func:`pictures_by_product` of ``frames``) is made here when not given.
    """
    cum = timeline.distance_to_station_m(stations, drives)
    day_name, body_name = (mission.day_name, mission.body.name) if mission is not None else ("lunar day", "")
    pictures = pictures_by_product(frames) if pictures is None else pictures
    popups = []
    for row, (cum2, cum3) in zip(stations.itertuples(index=False),
                                 cum[["cum_2d_m", "cum_3d_m"]].to_numpy(), strict=True):
        products = station_products(row)
        popups.append(
            f"<b>Station {esc(row.station_id)}</b> · <a href='#' class='traverse-day-link'"
            f" data-day='{esc(row.lunar_day)}' title='its row in the per-{esc(day_name)} table'>"
            f"{esc(day_name)} {esc(row.lunar_day)}</a><br>"
            f"{utc(row.first_utc)} → {utc(row.last_utc)} UTC<br>"
            f"Driven so far: {cum2:.1f} m (3-D {cum3:.1f} m)<br>"
            f"<span class='traverse-lonlat'>"
            f"{esc(lonlat_text(row.geometry.x, row.geometry.y, body_name))}</span>"
            f"<br>lander ENU: {row.x_east_m:.1f} E, {row.y_north_m:.1f} N, {row.z_up_m:.1f} U m<br>"
            + (f"Elevation (DEM): {row.elevation_m:.1f} m<br>"
               if pd.notna(getattr(row, "elevation_m", np.nan)) else "")
            + f"Instruments: {esc(row.instruments)} ({esc(row.n_frames)} frames)<br>"
            + panorama_strip(products, pictures)
            + f"Products ({len(products)}):"
        )
    return popups


def station_products(row) -> list[str]:
    """The product ids of a station (a row of the stations table), in its ``products`` order."""
    return [p for p in str(getattr(row, "products", "") or "").split(";") if p]


def product_table(frames: pd.DataFrame, ids: list[str]) -> dict:
    """The map's products, each id sent once; layers refer to them by index in ``ids``.

    ``ids``: the product ids (label text: the page escapes them); ``note``:
    for each, an index into ``notes``, the distinct descriptions of the
    labels (escaped here, at most 120 characters; '' without one).
    """
    desc = (frames.dropna(subset=["product_id"]).drop_duplicates("product_id")
            .set_index("product_id")["description"] if "description" in frames else pd.Series(dtype=object))
    notes = pd.Series([esc(str(t)[:120]) if pd.notna(t) else "" for t in desc.reindex(ids)], dtype=object)
    code, uniques = pd.factorize(notes)
    return {"ids": [str(i) for i in ids], "note": code.tolist(), "notes": [str(u) for u in uniques]}


class Picture(NamedTuple):
    """A frame's images on the map: paths relative to the map, view azimuth (degrees), time."""

    thumbnail: str
    full: str
    azimuth_deg: float
    time: object


def pictures_by_product(frames: pd.DataFrame) -> dict[str, Picture]:
    """The frames that have a thumbnail, by product id (the full image falls back to the thumbnail)."""
    if "thumbnail" not in frames:
        return {}
    pics = frames[frames["thumbnail"].notna()].drop_duplicates("product_id")
    n = len(pics)
    az = pics["view_azimuth_deg"] if "view_azimuth_deg" in pics else pd.Series(np.nan, index=pics.index)
    full = pics["image_full"] if "image_full" in pics else pd.Series(None, index=pics.index, dtype=object)
    when = pics["time_utc"] if "time_utc" in pics else pd.Series(pd.NaT, index=pics.index)
    return {
        pid: Picture(thumb, big if isinstance(big, str) else thumb, float(a), t)
        for pid, thumb, big, a, t in zip(pics["product_id"], pics["thumbnail"], full, az, when,
                                         strict=True)
    } if n else {}


def _from_widest_gap(az: np.ndarray) -> np.ndarray:
    """Azimuths (degrees) turned so the widest empty sector lies behind.

    A mosaic looking north (351°, 4°, 17°) reads left to right, not 4°, 17°, 351°.
    """
    known = np.unique(az[np.isfinite(az)])
    if len(known) < 2:
        return az
    gaps = np.diff(np.r_[known, known[0] + 360.0])
    start = known[(int(np.argmax(gaps)) + 1) % len(known)]
    return (az - start) % 360.0


def panorama_strip(products: list[str], pictures: dict[str, Picture]) -> str:
    """HTML of the thumbnails of ``products`` ordered by view azimuth, left to right as seen.

    The order runs clockwise from the edge of the widest sector with no view
    (so a mosaic across north stays in one piece); frames without an azimuth
    follow in time order.  Each image carries the larger view it opens
    (``data-full``: the full-size JPEG, or the thumbnail itself) and a caption
    with the azimuth.  '' when none has a thumbnail.
    """
    here = [(pid, pictures[pid]) for pid in dict.fromkeys(products) if pid in pictures]
    if not here:
        return ""
    az = np.array([p.azimuth_deg for _, p in here], dtype="float64") % 360.0
    turned = _from_widest_gap(az)
    order = sorted(range(len(here)), key=lambda k: (not np.isfinite(turned[k]),
                                                    turned[k] if np.isfinite(turned[k]) else 0.0,
                                                    str(here[k][1].time)))
    figures = []
    for k in order:
        pid, pic = here[k]
        known = np.isfinite(az[k])
        caption = f"{az[k]:.0f}°" if known else "—"
        title = f"{pid}, azimuth {az[k]:.1f}°" if known else f"{pid}, azimuth unknown"
        figures.append(
            f"<figure><img src='{esc(pic.thumbnail)}' data-full='{esc(pic.full)}' alt='{esc(title)}'"
            f" title='{esc(title)}'><figcaption>{esc(caption)}</figcaption></figure>"
        )
    return (f"Seen from here ({len(figures)} images, by azimuth):"
            f"<div class='traverse-strip'>{''.join(figures)}</div>")


def _rounded(values, digits: int) -> list:
    """Floats rounded for the map's JSON, ``None`` where missing."""
    arr = np.round(np.asarray(values, dtype="float64"), digits)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist()


def _column(table, name: str) -> np.ndarray:
    return table[name].to_numpy(dtype="float64") if name in table else np.full(len(table), np.nan)


def _times(table) -> list:
    """Each row's ``time_utc`` as ms UTC (``None`` when missing or absent): the time control's key."""
    if "time_utc" not in table:
        return [None] * len(table)
    return [timeline.ms(t) for t in table["time_utc"]]


def views_payload(views: GeoDataFrame | None, targets: GeoDataFrame | None, *,
                  radius_m: float | None = None, products: dict[str, int] | None = None) -> dict:
    """Named columns for the page's "What the rover saw"; the page draws the wedges and writes the popups.

    ``wedges``: ``lat``, ``lng`` (apex, degrees), ``azimuth_deg`` (clockwise
    from north), ``fov_deg``, ``length_m``, and ``instrument``, ``product``,
    ``source`` as indexes into the ``instruments``, ``products`` and
    ``sources`` lists; ``targets``: ``lat``, ``lng``, ``end_lat``,
    ``end_lng``, ``product``, ``distance_m``, ``incidence_deg``,
    ``phase_deg`` (``None`` where unknown).  Both carry ``t``, the frame's
    time (ms UTC, ``None`` unknown: always shown), so the time control shows
    a wedge or a target from its frame's time on.  A VNIS frame's wedge and target
    share its product index.  Columns, not rows of objects: a whole mission's
    thousands of frames stay about 60 bytes each.  Label text is escaped by
    the page (``TraverseMap.escapeHtml``), never inserted as HTML.

    ``radius_m`` (metres): the sphere through the lander, on which the page
    lays out the wedges' metres, as :func:`traverse.geodesy.enu_to_lonlat`
    does with lander ENU (Yutu-2's lander is 5 935 m below the Moon's
    1 737 400 m sphere: on the datum sphere a 5 m wedge would come out 1.7 cm
    short).  ``None``: the page uses the body's radius.

    ``products``: the map's product table as ``{id: index}``
    (:func:`product_table`); ``product`` then indexes it and no ``products``
    list of the layer's own is sent.
    """
    views = views if views is not None else GeoDataFrame(geometry=[])
    targets = targets if targets is not None else GeoDataFrame(geometry=[])
    ids = pd.concat([views.get("product_id", pd.Series(dtype=object)),
                     targets.get("product_id", pd.Series(dtype=object))]).fillna("").astype(str)
    if products is None:
        codes, uniques = pd.factorize(ids)
        lists = {"products": [str(p) for p in uniques]}
    else:
        codes, lists = ids.map(products).to_numpy(dtype="int64"), {}
    columns = []
    for kind, name in (("instruments", "instrument"), ("sources", "view_source")):
        values = views[name].fillna("").astype(str) if name in views else pd.Series("", index=views.index)
        code, uniques = pd.factorize(values)
        lists[kind] = [str(u) for u in uniques]
        columns.append(code.tolist())
    apex = shapely.get_coordinates(shapely.get_point(shapely.get_exterior_ring(views.geometry.values), 0)) \
        if len(views) else np.empty((0, 2))
    wedges = {"lat": _rounded(apex[:, 1], 7), "lng": _rounded(apex[:, 0], 7),
              # 0.01° and 1 mm: the drawn wedge stays within 1 cm of the GeoPackage's at 20 m
              "azimuth_deg": _rounded(_column(views, "view_azimuth_deg"), 2),
              "fov_deg": _rounded(_column(views, "hfov_deg"), 2),
              "length_m": _rounded(_column(views, "length_m"), 3),
              "instrument": columns[0], "product": codes[:len(views)].tolist(), "source": columns[1],
              "t": _times(views)}
    ends = [shapely.get_coordinates(shapely.get_point(targets.geometry.values, i)) if len(targets)
            else np.empty((0, 2)) for i in (0, -1)]
    lines = {"lat": _rounded(ends[0][:, 1], 7), "lng": _rounded(ends[0][:, 0], 7),
             "end_lat": _rounded(ends[1][:, 1], 7), "end_lng": _rounded(ends[1][:, 0], 7),
             "product": codes[len(views):].tolist(),
             "distance_m": _rounded(_column(targets, "distance_m"), 2),
             "incidence_deg": _rounded(_column(targets, "target_incidence_deg"), 1),
             "phase_deg": _rounded(_column(targets, "target_phase_deg"), 1),
             "t": _times(targets)}
    return {**lists, "radius_m": radius_m, "wedges": wedges, "targets": lines}


def terrain_text(drive) -> str:
    """Popup lines of a drive's terrain columns (from ``--dem``), or '' without them."""
    if pd.isna(getattr(drive, "grade_deg", np.nan)):
        return ""
    return (f"<br>climb {drive.elevation_gain_m:.1f} m, descent {drive.elevation_loss_m:.1f} m,"
            f" grade {drive.grade_deg:+.1f}° (steepest {drive.grade_max_deg:.1f}°)<br>"
            f"terrain slope {drive.slope_mean_deg:.1f}° mean, {drive.slope_max_deg:.1f}° max;"
            f" {drive.length_terrain_m:.1f} m over the terrain")


