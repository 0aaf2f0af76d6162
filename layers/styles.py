"""QGIS styles (QML) for the traverse layers, stored in a GeoPackage's ``layer_styles``.

The templates live in ``layers/styles/<layer>.qml``; ``days.qml`` has
placeholders filled with one category per lunar day present, and every map tip
names the day column and its title (``$day_column``, ``$day_title``: ``sol``, "Sol"
on Mars).  Map tips on stations, drives, views, targets, frames and radar
traces show the thumbnails from ``NAME_files/`` by the path relative to the
GeoPackage (``file_path(layer_property(...))``), so they follow a moved folder.  The
``layer_styles`` table follows the schema QGIS 3.22 itself creates when it saves
a style into a GeoPackage, and each layer's row has ``useAsDefault = 1`` so QGIS
applies it when the layer is opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from string import Template
from xml.sax.saxutils import quoteattr

from layers.palette import day_rgb

__all__ = ["STYLED_LAYERS", "style_qml", "write_layer_styles"]

#: Layers with a template in ``layers/styles``; ``<layer>_local`` reuses ``<layer>``.
STYLED_LAYERS = ("lander", "frames", "stations", "drives", "days", "views", "targets", "radar_traces")

_DAY_SYMBOL = """\
   <symbol type="line" name="$index" alpha="0.85" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="$colour,255"/>
     <prop k="line_style" v="solid"/>
     <prop k="line_width" v="2"/>
     <prop k="line_width_unit" v="MM"/>
     <prop k="capstyle" v="round"/>
     <prop k="joinstyle" v="round"/>
    </layer>
   </symbol>"""

_CREATE_LAYER_STYLES = """
CREATE TABLE IF NOT EXISTS "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
  "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""


def _template(layer: str) -> str:
    return resources.files("layers").joinpath("styles", f"{layer}.qml").read_text("utf-8")


def style_qml(layer: str, *, lunar_days: Iterable[int] = (), day_column: str = "lunar_day",
              day_title: str = "Lunar day") -> str:
    """QML document for one layer.

    Parameters
    ----------
    layer
        One of :data:`STYLED_LAYERS`, optionally with a ``_local`` suffix.
    lunar_days
        Lunar-day numbers present in the ``days`` layer (ignored for other layers);
        one category, coloured by :mod:`layers.palette` and labelled "Lunar day N", per value.
    day_column, day_title
        The days layer's day column and the words of its labels (``sol``, ``Sol`` on Mars).
    """
    base = layer.removesuffix("_local")
    if base not in STYLED_LAYERS:
        raise ValueError(f"no style for layer {layer!r}; expected one of {STYLED_LAYERS}")
    if base != "days":  # the map tips name the day column and its title (Sol on Mars)
        return Template(_template(base)).safe_substitute(day_column=day_column, day_title=day_title)
    days = sorted({int(d) for d in lunar_days})
    categories = "\n".join(
        f"   <category value={quoteattr(str(d))} symbol={quoteattr(str(i))}"
        f" label={quoteattr(f'{day_title} {d}')} render=\"true\"/>"
        for i, d in enumerate(days)
    )
    symbols = "\n".join(
        Template(_DAY_SYMBOL).substitute(index=i, colour=",".join(map(str, day_rgb(i, len(days)))))
        for i in range(len(days))
    )
    return Template(_template("days")).substitute(
        categories=categories, symbols=symbols, n_days=len(days), day_column=quoteattr(day_column)[1:-1]
    )


def write_layer_styles(
    con: sqlite3.Connection, styles: dict[str, tuple[str, str]], *, owner: str = "traverse"
) -> None:
    """Create ``layer_styles`` in an open GeoPackage and add one default style per layer.

    Parameters
    ----------
    con
        Open connection to the GeoPackage; the caller commits.
    styles
        ``{table name: (geometry column, QML)}``.
    owner
        Value of the ``owner`` column.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    con.execute(_CREATE_LAYER_STYLES)
    # Register the table as GeoPackage attributes, as QGIS (through GDAL) does.
    con.execute(
        "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, last_change)"
        " VALUES ('layer_styles', 'attributes', 'layer_styles', ?)",
        (now,),
    )
    for table, (geom_col, qml) in styles.items():
        con.execute(
            "DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (table, table)
        )
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
            " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
            " owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, ?, NULL, ?)",
            (table, geom_col, table, qml, f"Default traverse style for {table}", owner, now),
        )
