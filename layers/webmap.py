"""Interactive traverse map: one self-contained, offline HTML file (folium + vendored Leaflet).

Map projection
    ``L.CRS.Body3857`` (``assets/traverse-map.js``): Leaflet's EPSG:3857 with
    the radius of the mission's body (the Moon, Mars), the twin of
    :func:`traverse.geodesy.web_mercator_crs`.  Tiles keep the usual z/x/y
    grid, the scale bar and the ruler (measure tool, under the zoom buttons)
    give lunar (Martian) metres and, Mercator being
    conformal, a square drive is drawn square at 45° S.

Offline
    folium's CDN scripts and styles (Leaflet, jQuery, Bootstrap, awesome
    markers, Font Awesome) are dropped; Leaflet 1.9.4 (BSD-2, ``assets/``) is
    inlined with its images as data URIs.  Stations are circle markers and the
    lander a ``DivIcon``, so no icon font is needed.  The only requests the
    page makes go to tile services named in ``tiles=``.

Escaping
    Every label-derived string is passed through :func:`html.escape` before it
    joins a popup, and all data reach the page as JSON with ``<``, ``>`` and
    ``&`` written as ``\\u003c`` etc., so a ``</script>`` or a backtick in a
    product description stays text (folium's ``Popup`` puts HTML inside a JS
    template literal and needs jQuery, so it is not used).
"""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from geopandas import GeoDataFrame
from jinja2 import Template

from layers import timeline
from layers.basemaps import BasemapImage, tile_source, warp_basemap
from layers.daypanel import days_panel_html, gaps_payload
from layers.palette import day_colours
from layers.popups import (
    esc,
    panorama_strip,
    pictures_by_product,
    station_popups,
    terrain_text,
    utc,
    views_payload,
)
from traverse import geodesy, missions
from traverse.errors import LROControlWarning
from traverse.outputs import atomic_output
from traverse.path.coverage import split_gaps

__all__ = ["build_webmap"]

_ASSETS = Path(__file__).with_name("assets")
_CSS = """
.traverse-panel { background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.4); max-height: 45vh; overflow: auto; }
.traverse-panel table { border-collapse: collapse; }
.traverse-panel td, .traverse-panel th { padding: 1px 5px; text-align: right; }
.traverse-panel .swatch { display: inline-block; width: 18px; height: 4px; vertical-align: middle; }
.traverse-lander-icon { width: 14px; height: 14px; background: #ffd700; border: 2px solid #000;
  transform: rotate(45deg); }
.traverse-strip { display: flex; gap: 3px; overflow-x: auto; max-width: 360px; padding-bottom: 3px; }
.traverse-strip figure { margin: 0; flex: none; text-align: center; font: 10px/1.2 sans-serif; }
.traverse-strip img { height: 64px; display: block; cursor: zoom-in; }
.traverse-lightbox { position: fixed; left: 0; top: 0; right: 0; bottom: 0; z-index: 10000;
  background: rgba(0,0,0,0.88); display: flex; flex-direction: column; align-items: center;
  justify-content: center; cursor: zoom-out; color: #fff; font: 12px/1.4 sans-serif; }
.traverse-lightbox img { width: 80vw; max-width: 95vw; max-height: 88vh; object-fit: contain; }
.traverse-popup-list { max-height: 12em; overflow: auto; font-family: monospace; font-size: 11px; }
.traverse-measure { position: relative; }
.traverse-measure-toggle svg { vertical-align: middle; }
.leaflet-bar a.traverse-measure-toggle.active { background: #ffd700; }
.traverse-measure-total { position: absolute; left: 36px; top: 0; white-space: nowrap;
  padding: 4px 8px; background: rgba(255,255,255,0.95); font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.4); }
.leaflet-container.traverse-measuring { cursor: crosshair; }
.traverse-hidden { display: none; }
path.traverse-current-day { stroke-width: 9; }
.traverse-toggle { font-weight: bold; text-decoration: none; color: #000; display: block; }
.traverse-timeline { width: 330px; }
.traverse-timeline-row { display: flex; gap: 4px; align-items: center; }
.traverse-slider { flex: 1; }
.traverse-search { width: 95%; margin-top: 3px; }
.traverse-search-results a { display: block; }
.traverse-measuring .leaflet-pane .leaflet-interactive { pointer-events: none !important; }
"""


class _JsonCall(MacroElement):
    """Script calling ``TraverseMap.<function>(parent, data)`` with safely embedded JSON.

    Rendered as raw text: branca's ``MacroElement.render`` would compile the
    script (JSON of label text included) as a Jinja template, so a label
    description holding ``{{ … }}`` would be evaluated, and megabytes of
    JSON tokenized.
    """

    def __init__(self, function: str, payload, target: str | None = None):
        super().__init__()
        self._name = "TraverseCall"
        self.function = function
        self.payload = _safe_json(payload)
        self._target = target

    @property
    def target(self) -> str:
        return self._target or self._parent.get_name()

    def render(self, **kwargs) -> None:
        self.get_root().script.add_child(
            _Raw(f"TraverseMap.{self.function}({self.target}, {self.payload});"), name=self.get_name())


class _Raw(Element):
    """Text placed in the page as it is (inlined CSS and scripts), never compiled as a template:
    compiling Leaflet as Jinja took 0.17 s a map, and ``{{`` in a script would have been read.
    """

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


def _layer_name(text: str) -> str:
    """A layer-control label: HTML-escaped, and its braces as entities (folium's output is compiled
    as a Jinja template, so a file named ``{{ x }}.tif`` must not read as one).
    """
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _safe_json(obj) -> str:
    """JSON that cannot close a ``<script>`` element nor open an HTML tag."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def _inline_assets(m: folium.Map, mission: missions.Mission) -> None:
    """Drop folium's CDN links and inline Leaflet, its images, and the body's CRS script."""
    m.default_js = []
    m.default_css = []
    css = (_ASSETS / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments cite bug-tracker URLs
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((_ASSETS / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    scripts = [(_ASSETS / n).read_text(encoding="utf-8")
               for n in ("leaflet.js", "traverse-map.js", "traverse-timeline.js", "traverse-gaps.js")]
    if any("</script" in s.lower() for s in scripts):
        raise RuntimeError("a vendored script contains '</script' and cannot be inlined")
    body = {"name": mission.body.name, "crs": mission.body.crs_code, "radius_m": mission.body.radius_m,
            "adjective": mission.body.adjective, "day_name": mission.day_name}
    radius = f"<script>window.TRAVERSE_BODY = {_safe_json(body)};</script>"
    head = m.get_root().header
    head.add_child(_Raw(f"<style>{css}</style><style>{_CSS}</style>"), name="leaflet_css")
    head.add_child(_Raw(f"<script>{scripts[0]}</script>"), name="leaflet_js")
    head.add_child(_Raw(radius + "".join(f"<script>{s}</script>" for s in scripts[1:])), name="traverse_js")


def _latlngs(geom) -> list:
    """Leaflet ``[[lat, lon], ...]`` (or list of those) of a (Multi)LineString."""
    parts = geom.geoms if geom.geom_type.startswith("Multi") else [geom]
    return [[[round(y, 8), round(x, 8)] for x, y in part.coords] for part in parts]


def _to_body(gdf: GeoDataFrame, name: str, body: geodesy.Body) -> GeoDataFrame:
    """Return *gdf* in ``body``'s geographic CRS; refuse a CRS on another body."""
    if gdf.crs is None:
        raise ValueError(f"{name}: GeoDataFrame has no CRS; expected {body.crs_code} ({body.crs.name})")
    if not geodesy.is_body_crs(gdf.crs, body):
        raise ValueError(f"{name}: CRS {gdf.crs.name!r} is not {body.adjective}; expected"
                         f" {body.crs_code} ({body.crs.name})")
    return gdf if gdf.crs == body.crs else gdf.to_crs(body.crs)


def _decimate_traces(frames: pd.DataFrame, max_points: int, cell_m: float) -> np.ndarray:
    """Flat ``[lat, lon, lat, lon, ...]`` of radar records, one per ``cell_m`` cell, at most *max_points*."""
    lpr = frames[frames["record"].notna()] if "record" in frames else frames[frames["instrument"] == "LPR"]
    if lpr.empty:
        return np.empty(0)
    keys = np.floor(lpr[["x_east_m", "y_north_m"]].to_numpy(float) / cell_m)
    ok = np.all(np.isfinite(keys), axis=1)
    _, first = np.unique(keys[ok], axis=0, return_index=True)
    idx = np.flatnonzero(ok)[np.sort(first)]
    if idx.size > max_points:
        idx = idx[np.linspace(0, idx.size - 1, max_points).astype(int)]
    latlon = np.column_stack([lpr["lat"].to_numpy(float)[idx], lpr["lon"].to_numpy(float)[idx]])
    return np.round(latlon, 7).ravel()


def _warn_lro(sources: Iterable[str], control_name: str) -> None:
    """Warn once when LRO-based basemaps meet a traverse not tied to ``--control lro``.

    ``sources`` are ``"NAME (why it is taken as LRO)"`` strings.
    """
    names = list(sources)
    if names and str(control_name).lower() != "lro":
        warnings.warn(
            f"basemaps {'; '.join(names)} are controlled to LRO data but the traverse uses"
            f" control {control_name!r}: the label lander position is about 415 m off LRO"
            " data; rebuild the traverse with --control lro",
            LROControlWarning,
            stacklevel=3,
        )


def build_webmap(
    path: str | Path,
    *,
    lander: GeoDataFrame,
    frames: GeoDataFrame,
    stations: GeoDataFrame,
    drives: GeoDataFrame,
    days: GeoDataFrame,
    views: GeoDataFrame | None = None,
    targets: GeoDataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    basemaps: Sequence[str | Path] = (),
    dems: Sequence[str | Path] = (),
    tiles: Sequence[str] = (),
    site: geodesy.LanderSite | None = None,
    max_trace_points: int = 20_000,
    trace_cell_m: float = 0.25,
    max_popup_products: int = 60,
    max_views_shown: int = 2000,
) -> Path:
    """Write the traverse as one self-contained HTML map that works offline.

    Parameters
    ----------
    path
        Output ``.html`` file.
    lander, frames, stations, drives, days
        Reconstruction tables in :data:`traverse.geodesy.MOON` (lon/lat degrees).
        ``drives`` may hold gaps (``kind`` "gap", :meth:`Traverse.layers()
        <traverse.path.reconstruct.Traverse.layers>`): drawn dotted grey in
        their own layer "Gaps (no data)", never counted as drives.
    views, targets
        What the instruments saw (:func:`traverse.path.views.view_wedges`,
        :func:`~traverse.path.views.target_lines`), drawn as the toggleable
        layer "What the rover saw".
    coverage
        Every local day, covered or not (``Traverse.coverage``): the per-day
        panel lists the days without data greyed.
    basemaps
        GeoTIFFs in any lunar CRS, warped to the lunar web Mercator and drawn
        under the traverse (single-band DEMs as hillshade).
    dems
        Elevation models (GeoTIFFs in a lunar CRS) drawn as hillshade whatever
        they hold (the explicit override of the detection in ``basemaps``).
    tiles
        Names of tile services in ``layers/basemaps.json``; the only network
        requests the page makes.
    site
        The lander site (control network) the tables were made for; by
        default the one they are tagged with (:func:`traverse.geodesy.common_site`;
        tables tied to different sites are an error).  LRO basemaps under any
        network but ``lro`` raise :class:`LROControlWarning`.
    max_trace_points
        Most LPR records drawn in the optional trace layer (file-size budget:
        about 25 bytes each).
    trace_cell_m
        LPR records closer than this (metres, lander ENU grid) are drawn once.
    max_popup_products
        Product ids listed in a station popup before "… and N more".
    max_views_shown
        Above this many wedges and target lines, "What the rover saw" starts
        switched off and is drawn the first time it is switched on.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    path = Path(path)
    site = geodesy.common_site(lander, frames, stations, drives, days, site=site)
    control_name, mission, body = site.name, missions.mission(site.mission), site.body
    lander, frames, stations, drives, days = (
        _to_body(g, n, body) for g, n in ((lander, "lander"), (frames, "frames"),
                                           (stations, "stations"), (drives, "drives"), (days, "days"))
    )
    drives, gaps = split_gaps(drives)  # the drives layer of Traverse.layers() holds the gaps too
    sources = [tile_source(n) for n in tiles]
    images: list[BasemapImage] = [warp_basemap(p, body=body) for p in basemaps]
    images += [warp_basemap(p, kind="dem", body=body) for p in dems]
    _warn_lro([f"{i.name} ({i.lro})" for i in images if i.lro]
              + [f"{s['name']} (an LRO tile service in basemaps.json)" for s in sources if s["lro"]],
              control_name)

    extent = pd.concat([g.geometry for g in (lander, stations, drives, days)]).total_bounds
    m = folium.Map(location=[(extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2],
                   tiles=None, crs="Body3857", zoom_start=15, max_zoom=24, control_scale=False)
    _inline_assets(m, mission)
    m.get_root().title = f"{mission.name} {mission.rover} traverse"

    for src in sources:
        group = folium.FeatureGroup(name=_layer_name(src["title"]), overlay=False)
        if src["tiling"] == "mercator":
            folium.TileLayer(src["url"], attr=src["attribution"], max_native_zoom=src["max_level"],
                             max_zoom=24, name=src["title"]).add_to(group)
        else:
            group.add_child(_JsonCall("addEquirectTiles", src))
        group.add_to(m)
    for image in images:
        folium.raster_layers.ImageOverlay(
            image.rgba, bounds=[list(b) for b in image.bounds], origin="upper",
            name=_layer_name(f"{image.name} ({'hillshade' if image.kind == 'dem' else 'image'})"),
        ).add_to(m)

    days = days.sort_values("lunar_day")
    colours = day_colours(days["lunar_day"])
    day_label = {int(d.lunar_day): f"{mission.day_title} {int(d.lunar_day)}: {d.drive_m:.1f} m"
                 for d in days.itertuples(index=False)}
    # one coloured line per drive, so the time control can show the path up to any moment
    day_data = [
        {"day": int(d.lunar_day), "color": colours[d.lunar_day], "latlngs": _latlngs(d.geometry),
         "label": day_label.get(int(d.lunar_day), f"{mission.day_title} {int(d.lunar_day)}"),
         "t": timeline.ms(d.end_utc)}
        for d in drives.itertuples(index=False) if d.geometry is not None and not d.geometry.is_empty
    ]
    drive_data = [
        {"inferred": d.source == "inferred", "latlngs": _latlngs(d.geometry)[0], "t": timeline.ms(d.end_utc),
         "popup": f"Drive {esc(d.drive_id)}: {esc(d.from_station)} → {esc(d.to_station)}<br>"
                  f"{utc(d.start_utc)} → {utc(d.end_utc)} UTC<br>"
                  f"{d.length_2d_m:.1f} m (3-D {d.length_3d_m:.1f} m), source {esc(d.source)}"
                  + terrain_text(d)}
        for d in drives.itertuples(index=False)
    ]
    pictures = pictures_by_product(frames)  # thumbnails, for the stations' and the lander's popups
    popups = station_popups(stations, drives, frames, max_popup_products, day_title=mission.day_title,
                            pictures=pictures)
    station_data = [
        {"latlng": [s.geometry.y, s.geometry.x], "popup": p,
         "color": colours.get(s.lunar_day, "#ffffff"), "t": timeline.ms(s.first_utc),
         "id": str(s.station_id), "day": int(s.lunar_day), "date": utc(s.first_utc),
         "seqs": timeline.station_sequences(getattr(s, "sequences", ""))}
        for s, p in zip(stations.itertuples(index=False), popups, strict=True)
    ]
    lrow = lander.iloc[0]
    lander_data = {
        "latlng": [lrow.geometry.y, lrow.geometry.x], "title": f"Lander {lrow['name']}",
        "popup": f"<b>{esc(mission.name)} lander</b> {esc(lrow['name'])}<br>control {esc(lrow['control'])}"
                 f"<br>{lrow.geometry.x:.5f}° E, {lrow.geometry.y:.5f}° N,"
                 f" {lrow['height_m']:.0f} m<br>"
                 # what the lander's cameras saw (TCAM): their frames stand at the lander
                 + panorama_strip(frames.loc[frames["role"] == "lander", "product_id"].dropna().tolist(),
                                  pictures),
    }
    traces = _decimate_traces(frames, max_trace_points, trace_cell_m)
    seen = views_payload(None if views is None else _to_body(views, "views", body),
                         None if targets is None else _to_body(targets, "targets", body))
    # a whole mission's thousands of views: off at first, drawn when shown (the page loads fast)
    seen["lazy"] = len(seen["wedges"]) + len(seen["targets"]) > max_views_shown

    for name, func, payload, show in (
        (f"{mission.pose_instruments} traces (decimated)", "addTraces", {"latlon": traces.tolist()}, False),
        ("What the rover saw", "addViews", seen, not seen["lazy"]),
        (f"{mission.day_title}s", "addDays", day_data, True),
        ("Drives", "addDrives", drive_data, True),
        *([("Gaps (no data)", "addGaps", gaps_payload(_to_body(gaps, "gaps", body), mission), True)]
          if len(gaps) else []),
        ("Stations", "addStations", station_data, True),
        ("Lander", "addLander", lander_data, True),
    ):
        group = folium.FeatureGroup(name=name, show=show)
        group.add_child(_JsonCall(func, payload))
        group.add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    panel_html, n_rows = days_panel_html(days, colours, control_name, mission, coverage, gaps)
    of = f" of {len(coverage)}" if coverage is not None and len(coverage) > len(days) else ""
    panel = {"html": panel_html, "position": "bottomright",
             "title": f"Distance by {mission.day_name} ({len(days)}{of} {mission.day_name}s)",
             "collapsed": n_rows > timeline.COLLAPSE_AFTER_DAYS}
    m.add_child(_JsonCall("addPanel", panel, target=m.get_name()))
    if len(days):
        m.add_child(_JsonCall("addTimeline", timeline.timeline_spec(days, colours), target=m.get_name()))
        m.add_child(_JsonCall("addChart", timeline.chart_spec(stations, drives, days, mission, gaps),
                              target=m.get_name()))
    m.add_child(_JsonCall("addScale", None, target=m.get_name()))
    m.add_child(_JsonCall("addMeasure", None, target=m.get_name()))
    # leave room for the zoom/ruler buttons and layer list (top), the time control (bottom
    # left) and the per-day panel (bottom right, tall unless collapsed): no control hides the path
    m.fit_bounds([[extent[1], extent[0]], [extent[3], extent[2]]], padding_top_left=(60, 200),
                 padding_bottom_right=(40, 120 if panel["collapsed"] else 330))
    with atomic_output(path) as tmp:
        m.save(str(tmp))
    return path
