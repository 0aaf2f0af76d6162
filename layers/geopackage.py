"""Write the traverse layers to a GeoPackage that QGIS opens referenced and styled.

Three things go beyond a plain ``to_file``:

* **The lunar CRS is recognised by QGIS.**  GDAL records ``IAU_2015:30100`` in
  ``gpkg_spatial_ref_sys`` under organization ``IAU`` with a WKT1 whose
  ``AUTHORITY`` is ``IAU``; QGIS 3.22 cannot resolve that and shows an unknown
  CRS.  After writing, the row is rewritten with organization ``IAU_2015``,
  ``organization_coordsys_id`` 30100 and a WKT1 definition carrying
  ``AUTHORITY["IAU_2015","30100"]`` and the authority's axes (latitude, longitude,
  as GDAL writes ``EPSG:4326``).  GDAL (3.6 to 3.12), pyogrio/geopandas and QGIS
  then all read ``IAU_2015:30100``.  Coordinates in the file are longitude, latitude
  (x, y), as GeoPackage always stores them.
* **Styles are embedded** in ``layer_styles`` (see :mod:`layers.styles`).
* **Coverage is a plain table.**  The local days without data have no
  geometry, so they are not rows of ``days``: the non-spatial ``coverage``
  table (GeoPackage ``attributes``) lists every day, ``covered`` or not.  The
  ``drives`` layer holds the gaps as rows of ``kind`` "gap" (straight lower
  bounds, never drives); its embedded style draws them dotted grey.
* **Writes are atomic** (:func:`traverse.outputs.atomic_output`): everything goes
  to a temporary file beside the target, which replaces it only once complete.

The optional ``<layer>_local`` copies are in :func:`traverse.geodesy.local_crs`
(azimuthal equidistant on the Moon sphere, metres); GDAL stores that CRS as a
custom ``srs_id`` (100000 and up) with organization ``NONE`` and a WKT1 ``PROJCS``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from geopandas import GeoDataFrame
from pyproj import CRS

from layers import relations, styles
from layers.tables import joined, require_body_crs
from traverse import geodesy, missions
from traverse.outputs import atomic_output

__all__ = ["LayerSpec", "LAYERS", "write_geopackage"]


class LayerSpec(NamedTuple):
    """What a GeoPackage layer holds: the geometry type written, the types accepted, the columns required."""

    geometry_type: str
    accepted: frozenset[str]
    required: tuple[str, ...]


#: Layer name -> its :class:`LayerSpec`.
LAYERS: dict[str, LayerSpec] = {
    "lander": LayerSpec("Point", frozenset({"Point"}), ("name",)),
    "frames": LayerSpec("Point", frozenset({"Point"}), ("product_id", "instrument")),
    "stations": LayerSpec("Point", frozenset({"Point"}), ("station_id", "lunar_day")),
    "drives": LayerSpec("LineString", frozenset({"LineString"}), ("drive_id", "lunar_day", "source")),
    "days": LayerSpec("MultiLineString", frozenset({"MultiLineString", "LineString"}), ("lunar_day",)),
    "views": LayerSpec("Polygon", frozenset({"Polygon"}), ("product_id", "view_azimuth_deg", "hfov_deg")),
    "targets": LayerSpec("LineString", frozenset({"LineString"}), ("product_id",)),
    "radar_traces": LayerSpec("Point", frozenset({"Point"}), ("product", "record", "along_m", "column")),
}

_GEOM_TYPE_NAMES = {
    0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
    5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection",
}

#: What GDAL (through pyogrio) and SQLite raise when a GeoPackage cannot be written (disk full ...).
_WRITE_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, sqlite3.Error)

#: Write through Arrow when pyarrow is installed: the same file, 2-3x faster for the frames layer.
USE_ARROW = importlib.util.find_spec("pyarrow") is not None

#: GeoPackage version written: 1.2 is read without warnings by GDAL 3.6 (QGIS 3.22).
_GPKG_VERSION = "1.2"


def write_geopackage(
    path: str | os.PathLike,
    layers: Mapping[str, GeoDataFrame | None] | object,
    *,
    coverage: pd.DataFrame | None = None,
    spectra: pd.DataFrame | None = None,
    local: bool = False,
    site: geodesy.LanderSite | None = None,
) -> Path:
    """Write the traverse layers, styled, to one GeoPackage.

    ``traverse build`` writes a whole traverse; ``traverse index -o FILE.gpkg``
    only ``{"frames": frames}``.  A layer given as ``None`` is not written.

    Parameters
    ----------
    path
        Output ``.gpkg``.  Replaced atomically: if anything fails, an existing
        file at ``path`` is left untouched and no partial file remains.
    layers
        A :class:`~traverse.path.reconstruct.Traverse` (its
        :meth:`~traverse.path.reconstruct.Traverse.layers` and its
        ``coverage``), or a mapping of layer name (``lander``, ``frames``,
        ``stations``, ``drives``, ``days``, ``views``, ``targets``,
        ``radar_traces``) to layer in
        :data:`traverse.geodesy.MOON` (degrees east/north); columns as in
        :mod:`traverse.schema` and the reconstruction steps.  Times (tz-aware,
        UTC) are written as GeoPackage DateTime (ISO 8601, ``Z``).  ``drives``
        may hold gaps (``kind`` "gap": :func:`traverse.path.coverage.drives_and_gaps`).
    coverage
        :func:`traverse.path.coverage.coverage_from_frames`: written as the
        non-spatial table ``coverage`` (one row per local day, ``covered``,
        its day column named by the mission); a Traverse's own by default.
    spectra
        :attr:`traverse.science.along_track.Science.spectra`: the non-spatial table
        ``spectra`` (a row per channel), joined to ``frames`` by ``product_id``.
    local
        Also write ``<layer>_local`` copies in :func:`traverse.geodesy.local_crs`
        of the layers' lander site (metres from the lander).
    site
        The lander site the layers were made for; by default the one they
        are tagged with (:func:`traverse.geodesy.common_site`).  Layers tied
        to different sites, or to another site than this, are an error.

    Returns
    -------
    pathlib.Path
        The written GeoPackage.

    Raises
    ------
    TypeError
        A layer is not a GeoDataFrame, or a layer name is unknown.
    ValueError
        A layer has no CRS or one other than ``geodesy.MOON``, a wrong geometry
        type or a missing column.
    """
    if not isinstance(layers, Mapping):  # a Traverse
        coverage = layers.coverage if coverage is None else coverage
        layers = layers.layers()
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise TypeError(f"write_geopackage: unknown layer(s) {unknown}; expected some of {list(LAYERS)}")
    given = {name: layers[name] for name in LAYERS if layers.get(name) is not None}
    checked = {name: _checked_layer(name, gdf) for name, gdf in given.items()}
    if not checked:
        raise ValueError("write_geopackage: no layer given")
    site = geodesy.common_site(*given.values(), site=site)
    mission = missions.mission(site.mission)
    layers = {name: mission.output_columns(gdf) for name, gdf in checked.items()}  # sol on Mars
    if local:
        crs = geodesy.local_crs(site, origin_name=mission.lander_name)  # QGIS shows it by name
        layers |= {f"{name}_local": gdf.to_crs(crs) for name, gdf in list(layers.items())}

    path = Path(path)
    with atomic_output(path, write_errors=_WRITE_ERRORS) as tmp:
        _write_layers(tmp, layers, {"coverage": coverage, "spectra": spectra}, mission, site)
    return path


def _write_layers(tmp: Path, layers: dict[str, GeoDataFrame], tables: dict[str, pd.DataFrame],
                  mission: missions.Mission, site: geodesy.LanderSite) -> None:
    """Write the checked layers and the non-spatial ``tables`` (``coverage``, ``spectra``) to ``tmp``.

    Then declare the body's CRS by its authority and embed the styles.
    """
    for name, gdf in layers.items():
        pyogrio.write_dataframe(
            gdf,
            tmp,
            layer=name,
            driver="GPKG",
            geometry_type=LAYERS[name.removesuffix("_local")].geometry_type,
            dataset_options={"VERSION": _GPKG_VERSION},
            layer_options={"GEOMETRY_NAME": "geom", "SPATIAL_INDEX": "YES"},
            use_arrow=USE_ARROW,
        )
    for name, table in ((k, v) for k, v in tables.items() if v is not None):
        _write_table(tmp, name, mission.output_columns(table))
    days_layer = layers.get("days")
    day_numbers = (
        [] if days_layer is None
        else days_layer[mission.day_column].dropna().astype("int64").tolist()
    )
    with contextlib.closing(sqlite3.connect(tmp)) as con, con:
        _declare_authority_crs(con, list(layers), site.body.crs)
        relations.declare_spectra_key(con)  # spectra -> targets, for GDAL >= 3.6 / QGIS >= 3.28
        geom_cols = dict(
            con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
        )
        styles.write_layer_styles(
            con,
            {
                name: (geom_cols[name], styles.style_qml(
                    name, lunar_days=day_numbers, day_column=mission.day_column,
                    day_title=mission.day_title))
                for name in layers
            },
        )


def _write_table(tmp: Path, name: str, table: pd.DataFrame) -> None:
    """A non-spatial table (GeoPackage ``attributes``): ``coverage`` (one row per local day), ``spectra``."""
    pyogrio.write_dataframe(pd.DataFrame(table), tmp, layer=name, driver="GPKG",
                            dataset_options={"VERSION": _GPKG_VERSION}, use_arrow=USE_ARROW)


def _checked_layer(name: str, gdf: object) -> GeoDataFrame:
    """Validate one input layer and return a copy ready for pyogrio."""
    gdf = require_body_crs(name, gdf)
    spec = LAYERS[name]
    accepted, required = spec.accepted, spec.required
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise ValueError(f"layer {name!r} lacks column(s) {missing}; has {list(gdf.columns)}")
    geoms = gdf.geometry.to_numpy()
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    types = set(shapely.get_type_id(present).tolist())
    types = {_GEOM_TYPE_NAMES.get(t, str(t)) for t in types}
    if not types <= accepted:
        raise ValueError(
            f"layer {name!r} has {sorted(types - accepted)} geometries; expected {sorted(accepted)}"
        )
    out = gdf.copy()
    if name == "drives" and "kind" not in out.columns:  # the style tells drives from gaps by kind
        out.insert(0, "kind", "drive")
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(joined)
    site = geodesy.site_of(gdf)
    return out.set_crs(site.body.crs if site is not None else geodesy.MOON, allow_override=True)


def _gpkg_definition(crs: CRS) -> str:
    """WKT1 for ``gpkg_spatial_ref_sys.definition`` naming the full authority (``IAU_2015``)."""
    auth, code = crs.to_authority()
    body = re.sub(r',AUTHORITY\["[^"]*","[^"]*"\]\]$', "]", crs.to_wkt("WKT1_GDAL"))
    if "AXIS[" not in body and crs.is_geographic:
        names = {"north": "Latitude", "east": "Longitude"}
        axes = "".join(
            f',AXIS["{names.get(a.direction, a.name)}",{a.direction.upper()}]'
            for a in crs.axis_info
        )
        body = body[:-1] + axes + "]"
    return body[:-1] + f',AUTHORITY["{auth}","{code}"]]'


def _declare_authority_crs(con: sqlite3.Connection, tables: list[str], crs: CRS) -> None:
    """Rewrite the ``gpkg_spatial_ref_sys`` row GDAL made for ``crs`` to its real authority."""
    auth, code = crs.to_authority()
    marks = ",".join("?" * len(tables))
    srs_ids = {
        srs_id
        for (srs_id,) in con.execute(
            f"SELECT srs_id FROM gpkg_geometry_columns WHERE table_name IN ({marks})", tables
        )
    }
    found = False
    for srs_id, definition in con.execute(
        "SELECT srs_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id > 0"
    ).fetchall():
        if srs_id not in srs_ids or CRS.from_wkt(definition).is_projected:
            continue
        if not CRS.from_wkt(definition).equals(crs, ignore_axis_order=True):
            continue
        con.execute(
            "UPDATE gpkg_spatial_ref_sys SET srs_name = ?, organization = ?,"
            " organization_coordsys_id = ?, definition = ?, description = ?"
            " WHERE srs_id = ?",
            (
                crs.name,
                auth,
                int(code),
                _gpkg_definition(crs),
                f"{crs.name}: {auth}:{code}, longitude east, planetocentric latitude, degrees",
                srs_id,
            ),
        )
        found = True
    if not found:
        raise RuntimeError(f"GDAL wrote no gpkg_spatial_ref_sys row for {auth}:{code}")


