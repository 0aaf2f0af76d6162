"""What the web map shows, as data: :func:`map_payloads` turns a traverse into one JSON-ready dict.

No folium, no HTML page: the dict has named fields only (lists of numbers,
strings and dicts), so it is tested as JSON and the page
(:mod:`layers.page`) only embeds it.  The page's modules
(``assets/traverse-*.js``) draw it: ``layers`` in order (``kind`` names the
JS builder, ``TraverseMap.layerBuilders[kind]``), then ``controls``.

Units: positions are ``[lat, lon]`` degrees on the mission's body, times
milliseconds since 1970 UTC, lengths metres (lander ENU, as the tables).
Label text joins popup HTML only through :func:`layers.popups.esc`; the
views' label text is escaped by the page (``TraverseMap.escapeHtml``).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from geopandas import GeoDataFrame

from layers import timeline
from layers.basemaps import BasemapImage, tile_source, warn_lro_control, warp_basemap
from layers.daypanel import days_panel_html, gaps_payload
from layers.palette import day_colours
from layers.popups import (
    esc,
    lonlat_text,
    panorama_strip,
    pictures_by_product,
    product_table,
    station_popups,
    station_products,
    terrain_text,
    utc,
    views_payload,
)
from layers.productlinks import product_links
from layers.science_map import radar_payload, radar_strip_html, spectra_payload
from traverse import geodesy, missions
from traverse.path.coverage import split_gaps

__all__ = ["MapOptions", "MapLayers", "map_layers", "map_payloads"]


@dataclass(frozen=True)
class MapOptions:
    """How the map is drawn, apart from the traverse itself.

    Attributes
    ----------
    basemaps
        GeoTIFFs in any CRS of the body, warped to its web Mercator and drawn
        under the traverse (single-band DEMs as hillshade).
    dems
        Elevation models drawn as hillshade whatever they hold (the explicit
        override of the detection in ``basemaps``).
    tiles
        Names of tile services in ``layers/basemaps.json``: the only network
        requests the page makes.
    site
        The lander site (control network) the tables were made for; by default
        the one they are tagged with (:func:`traverse.geodesy.common_site`).
        LRO basemaps under any network but ``lro`` warn (:class:`LROControlWarning`).
    max_trace_points
        Most radar records drawn in the traces layer (about 25 bytes each).
    trace_cell_m
        Radar records closer than this (metres, lander ENU grid) are drawn once.
    max_popup_products
        Product ids listed in a station popup before "… and N more".
    max_views_shown
        Above this many wedges and target lines, "What the rover saw" starts
        switched off and is drawn the first time it is switched on.
    page_folder, source_urls
        The page's final folder and the URLs labels were fetched from: popups
        link each product's label and source (:func:`layers.productlinks.product_links`).
    """

    basemaps: tuple[str | Path, ...] = ()
    dems: tuple[str | Path, ...] = ()
    tiles: tuple[str, ...] = ()
    site: geodesy.LanderSite | None = None
    max_trace_points: int = 20_000
    trace_cell_m: float = 0.25
    max_popup_products: int = 60
    max_views_shown: int = 2000
    page_folder: str | Path | None = None
    source_urls: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        for name in ("basemaps", "dems", "tiles"):  # lists from argparse become tuples
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class MapLayers:
    """The tables a map is drawn from, in the body's geographic CRS (lon/lat degrees).

    ``drives`` may hold gaps (``kind`` "gap", as :meth:`Traverse.layers()
    <traverse.path.reconstruct.Traverse.layers>` gives them): drawn dotted grey
    in their own layer, never counted as drives.  ``coverage`` lists every
    local day, covered or not (the panel greys the days without data).
    ``radar_traces``, ``radargrams`` and ``spectra`` are the science of
    ``build`` (:mod:`layers.science_map`): radargram strips in the drive
    popups, spectra in the target popups.
    """

    lander: GeoDataFrame
    frames: GeoDataFrame
    stations: GeoDataFrame
    drives: GeoDataFrame
    days: GeoDataFrame
    views: GeoDataFrame | None = None
    targets: GeoDataFrame | None = None
    coverage: pd.DataFrame | None = None
    radar_traces: GeoDataFrame | None = None
    radargrams: pd.DataFrame | None = None
    spectra: pd.DataFrame | None = None


def map_layers(traverse) -> MapLayers:
    """The :class:`MapLayers` of what the map is given.

    A :class:`~traverse.path.reconstruct.Traverse`, a ``MapLayers``, or a
    mapping of table name to table (``lander``, ``frames``, ... as :class:`MapLayers`).
    """
    if isinstance(traverse, MapLayers):
        return traverse
    if isinstance(traverse, Mapping):
        known = {f.name for f in fields(MapLayers)}
        unknown = sorted(set(traverse) - known)
        if unknown:
            raise TypeError(f"map_layers: unknown table(s) {unknown}; expected some of {sorted(known)}")
        return MapLayers(**traverse)
    return MapLayers(**traverse.layers(), coverage=traverse.coverage)


def _to_body(gdf: GeoDataFrame, name: str, body: geodesy.Body) -> GeoDataFrame:
    """Return *gdf* in ``body``'s geographic CRS; refuse a CRS on another body."""
    if gdf.crs is None:
        raise ValueError(f"{name}: GeoDataFrame has no CRS; expected {body.crs_code} ({body.crs.name})")
    if not geodesy.is_body_crs(gdf.crs, body):
        raise ValueError(f"{name}: CRS {gdf.crs.name!r} is not {body.adjective}; expected"
                         f" {body.crs_code} ({body.crs.name})")
    return gdf if gdf.crs == body.crs else gdf.to_crs(body.crs)


def _latlngs(geom) -> list:
    """Leaflet ``[[lat, lon], ...]`` (or list of those) of a (Multi)LineString."""
    parts = geom.geoms if geom.geom_type.startswith("Multi") else [geom]
    return [[[round(y, 8), round(x, 8)] for x, y in part.coords] for part in parts]


def decimate_traces(frames: pd.DataFrame, max_points: int, cell_m: float) -> dict[str, list]:
    """``{"lat": [...], "lon": [...]}`` of radar records, one per ``cell_m`` cell, at most *max_points*."""
    lpr = frames[frames["record"].notna()] if "record" in frames else frames[frames["instrument"] == "LPR"]
    if lpr.empty:
        return {"lat": [], "lon": []}
    keys = np.floor(lpr[["x_east_m", "y_north_m"]].to_numpy(float) / cell_m)
    ok = np.all(np.isfinite(keys), axis=1)
    _, first = np.unique(keys[ok], axis=0, return_index=True)
    idx = np.flatnonzero(ok)[np.sort(first)]
    if idx.size > max_points:
        idx = idx[np.linspace(0, idx.size - 1, max_points).astype(int)]
    return {"lat": np.round(lpr["lat"].to_numpy(float)[idx], 7).tolist(),
            "lon": np.round(lpr["lon"].to_numpy(float)[idx], 7).tolist()}


def _png_data_url(rgba: np.ndarray) -> str:
    """``data:image/png;base64,...`` of an ``(rows, cols, 4)`` uint8 image, north up."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8), "RGBA").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _layer(kind: str, name: str, data, *, show: bool = True, base: bool = False) -> dict:
    """One entry of the page's layer list, drawn by ``TraverseMap.layerBuilders[kind]``.

    ``name`` is the layer control's label (HTML, escaped).
    """
    return {"kind": kind, "name": name, "show": show, "base": base, "data": data}


def _base_layers(sources: Sequence[dict], images: Sequence[BasemapImage]) -> list[dict]:
    """Tile services (base layers: the first is shown) and warped rasters (overlays), in that order."""
    out = [_layer("tiles", html.escape(src["title"]), {
        "tiling": src["tiling"], "url": src["url"], "attribution": src["attribution"],
        "max_level": src["max_level"]}, base=True) for src in sources]
    out += [_layer("image",
                   html.escape(f"{i.title or i.name} ({'hillshade' if i.kind == 'dem' else 'image'})"),
                   {"url": _png_data_url(i.rgba), "bounds": [list(b) for b in i.bounds],
                    "attribution": html.escape(i.credit)})
            for i in images]
    return out


def _drive_lines(layers: MapLayers, colours: dict, mission: missions.Mission) -> tuple[list, list]:
    """The day-coloured lines and the drives themselves.

    One day line per drive (the time control cuts a day at any moment); the
    drives dark, dashed when inferred, with their popups.
    """
    day_label = {int(d.lunar_day): f"{mission.day_title} {int(d.lunar_day)}: {d.drive_m:.1f} m"
                 for d in layers.days.itertuples(index=False)}
    coloured = [
        {"day": int(d.lunar_day), "color": colours[d.lunar_day], "latlngs": _latlngs(d.geometry),
         "label": day_label.get(int(d.lunar_day), f"{mission.day_title} {int(d.lunar_day)}"),
         "t": timeline.ms(d.end_utc)}
        for d in layers.drives.itertuples(index=False) if d.geometry is not None and not d.geometry.is_empty
    ]
    drives = [
        {"inferred": d.source == "inferred", "latlngs": _latlngs(d.geometry)[0], "t": timeline.ms(d.end_utc),
         "popup": f"Drive {esc(d.drive_id)}: {esc(d.from_station)} → {esc(d.to_station)}<br>"
                  f"{utc(d.start_utc)} → {utc(d.end_utc)} UTC<br>"
                  f"{d.length_2d_m:.1f} m (3-D {d.length_3d_m:.1f} m), source {esc(d.source)}"
                  + terrain_text(d) + radar_strip_html(layers.radargrams, d.drive_id)}
        for d in layers.drives.itertuples(index=False)
    ]
    return coloured, drives


def _points(layers: MapLayers, colours: dict, mission: missions.Mission, options: MapOptions,
            products: dict[str, int]) -> tuple:
    """The stations (markers with popups, search fields) and the lander (popup with its cameras' images).

    A station's ``products`` index the map's product table (at most
    ``max_popup_products``; ``more`` counts the others).
    """
    frames, stations = layers.frames, layers.stations
    pictures = pictures_by_product(frames)  # thumbnails, for the stations' and the lander's popups
    popups = station_popups(stations, layers.drives, frames, mission=mission, pictures=pictures)
    most = options.max_popup_products
    station_data = [
        {"latlng": [s.geometry.y, s.geometry.x], "popup": p,
         "products": [products[i] for i in station_products(s)[:most]],
         "more": max(0, len(station_products(s)) - most),
         "color": colours.get(s.lunar_day, "#ffffff"), "t": timeline.ms(s.first_utc),
         "id": str(s.station_id), "day": int(s.lunar_day), "date": utc(s.first_utc),
         "seqs": timeline.station_sequences(getattr(s, "sequences", ""))}
        for s, p in zip(stations.itertuples(index=False), popups, strict=True)
    ]
    lrow = layers.lander.iloc[0]
    lander_data = {
        "latlng": [lrow.geometry.y, lrow.geometry.x], "title": mission.lander_name,
        "popup": f"<b>{esc(mission.lander_name)}</b><br>control {esc(lrow['control'])}"
                 f"<br><span class='traverse-lonlat'>"
                 f"{esc(lonlat_text(lrow.geometry.x, lrow.geometry.y, mission.body.name))}</span>,"
                 f" {lrow['height_m']:.0f} m<br>"
                 # what the lander's cameras saw (TCAM): their frames stand at the lander
                 + panorama_strip(frames.loc[frames["role"] == "lander", "product_id"].dropna().tolist(),
                                  pictures),
    }
    return station_data, lander_data


def _product_ids(layers: MapLayers, options: MapOptions) -> list[str]:
    """Every product id the map names (stations' popups, views, targets), each once, in that order."""
    shown = [i for s in layers.stations.itertuples(index=False)
             for i in station_products(s)[:options.max_popup_products]]
    seen = [t["product_id"].fillna("").astype(str).tolist() if t is not None and "product_id" in t else []
            for t in (layers.views, layers.targets)]
    return list(dict.fromkeys(shown + seen[0] + seen[1]))


def _traverse_layers(layers: MapLayers, gaps: pd.DataFrame, mission: missions.Mission,
                     options: MapOptions, body: geodesy.Body, products: dict[str, int]) -> list[dict]:
    """The traverse's overlays, in the layer control's order (``products``: the product table's indexes)."""
    colours = day_colours(layers.days["lunar_day"])
    coloured, drives = _drive_lines(layers, colours, mission)
    stations, lander = _points(layers, colours, mission, options, products)
    seen = views_payload(None if layers.views is None else _to_body(layers.views, "views", body),
                         None if layers.targets is None else _to_body(layers.targets, "targets", body),
                         radius_m=body.radius_m + float(layers.lander["height_m"].iloc[0]),
                         products=products)
    # a whole mission's thousands of views: off at first, drawn when shown (the page loads fast)
    seen["lazy"] = len(seen["wedges"]["lat"]) + len(seen["targets"]["lat"]) > options.max_views_shown
    traces = decimate_traces(layers.frames, options.max_trace_points, options.trace_cell_m)
    return [
        _layer("traces", f"{mission.pose_instruments} traces (decimated)", traces, show=False),
        _layer("views", "What the rover saw", seen, show=not seen["lazy"]),
        _layer("days", f"{mission.day_title}s", coloured),
        _layer("drives", "Drives", drives),
        *([_layer("radar", "Radargram traces (one per column)", radar, show=False)]
          if (radar := radar_payload(layers.radargrams, layers.radar_traces)) else []),
        *([_layer("gaps", "Gaps (no data)", gaps_payload(_to_body(gaps, "gaps", body), mission))]
          if len(gaps) else []),
        _layer("stations", "Stations", stations),
        _layer("lander", "Lander", lander),
        # lon/lat lines at a round step for the zoom, drawn by the page (traverse-graticule.js)
        _layer("graticule", f"Graticule (lon/lat on {body.name})", {"max_lines": 5}, show=False),
    ]


def _controls(layers: MapLayers, gaps: pd.DataFrame, mission: missions.Mission, control_name: str) -> dict:
    """The per-day panel, the time control and the charts (``None`` without days)."""
    days, coverage = layers.days, layers.coverage
    colours = day_colours(days["lunar_day"])
    panel_html, n_rows = days_panel_html(days, colours, control_name, mission, coverage, gaps)
    of = f" of {len(coverage)}" if coverage is not None and len(coverage) > len(days) else ""
    panel = {"html": panel_html, "position": "bottomright",
             "title": f"Distance by {mission.day_name} ({len(days)}{of} {mission.day_name}s)",
             "collapsed": n_rows > timeline.COLLAPSE_AFTER_DAYS}
    has_days = bool(len(days))
    return {
        "panel": panel,
        "timeline": timeline.timeline_spec(days, colours) if has_days else None,
        "chart": (timeline.chart_spec(layers.stations, layers.drives, days, mission, gaps)
                  if has_days else None),
        "scale": True,
        "measure": True,
        # the cursor readout: lon/lat and lander ENU of the tables' lander site
        "spectra": spectra_payload(layers.spectra),
        "readout": {"lon": float(layers.lander.geometry.x.iloc[0]),
                    "lat": float(layers.lander.geometry.y.iloc[0]),
                    "height_m": float(layers.lander["height_m"].iloc[0]), "name": mission.lander_name},
        # the page's export buttons: visible layers as GeoJSON, the view as PNG (file names)
        "export": {"file_stem": f"{mission.rover}_traverse".lower().replace(" ", "_")},
    }


def _view(layers: MapLayers, collapsed_panel: bool) -> dict:
    """Where the map opens: the traverse's bounds, with room for the controls around them."""
    extent = pd.concat([g.geometry for g in (layers.lander, layers.stations, layers.drives,
                                              layers.days)]).total_bounds
    # leave room for the zoom/ruler buttons and layer list (top), the time control (bottom
    # left) and the per-day panel (bottom right, tall unless collapsed): no control hides the path
    return {"center": [(extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2], "zoom": 15,
            "bounds": [[extent[1], extent[0]], [extent[3], extent[2]]],
            "padding_top_left": [60, 200], "padding_bottom_right": [40, 120 if collapsed_panel else 330]}


def map_payloads(traverse, options: MapOptions = MapOptions()) -> dict:
    """Everything the web map shows, as one JSON-serialisable dict with named fields.

    Parameters
    ----------
    traverse
        A :class:`~traverse.path.reconstruct.Traverse`, a :class:`MapLayers`,
        or a mapping of its tables by name (:func:`map_layers`).
    options
        Basemaps, tiles, site and drawing budgets (:class:`MapOptions`).

    Returns
    -------
    dict
        ``title``; ``body`` (``name``, ``crs``, ``radius_m``, ``adjective``,
        ``day_name``); ``view`` (``center``, ``zoom``, ``bounds``, paddings in
        pixels); ``layers`` (``kind``, ``name``, ``show``, ``base``, ``data``,
        in the layer control's order); ``controls`` (``panel``, ``timeline``,
        ``chart``, ``scale``, ``measure``, ``spectra``, ``readout``, ``export``); ``products`` (every
        product id the map names, once: :func:`layers.popups.product_table`;
        the stations' and views' ``product`` fields index it).
    """
    layers = map_layers(traverse)
    site = geodesy.common_site(layers.lander, layers.frames, layers.stations, layers.drives, layers.days,
                               site=options.site)
    mission, body = missions.mission(site.mission), site.body
    tables = {f.name: getattr(layers, f.name) for f in fields(MapLayers)}
    for name in ("lander", "frames", "stations", "drives", "days"):
        tables[name] = _to_body(tables[name], name, body)
    if tables["radar_traces"] is not None:
        tables["radar_traces"] = _to_body(tables["radar_traces"], "radar_traces", body)
    drives, gaps = split_gaps(tables["drives"])  # the drives layer of Traverse.layers() holds the gaps too
    tables["days"] = tables["days"].sort_values("lunar_day")
    layers = MapLayers(**{**tables, "drives": drives})
    sources = [tile_source(n) for n in options.tiles]
    images = [warp_basemap(p, body=body) for p in options.basemaps]
    images += [warp_basemap(p, kind="dem", body=body) for p in options.dems]
    warn_lro_control([f"{i.name} ({i.lro})" for i in images if i.lro]
              + [f"{s['name']} (an LRO tile service in basemaps.json)" for s in sources if s["lro"]],
              site, mission)
    controls = _controls(layers, gaps, mission, site.name)
    ids = _product_ids(layers, options)
    products = {pid: k for k, pid in enumerate(ids)}
    return {
        "title": f"{mission.name} {mission.rover} traverse",
        "body": {"name": body.name, "crs": body.crs_code, "radius_m": body.radius_m,
                 "adjective": body.adjective, "day_name": mission.day_name},
        "view": _view(layers, controls["panel"]["collapsed"]),
        "layers": _base_layers(sources, images) + _traverse_layers(layers, gaps, mission, options, body,
                                                                   products),
        "controls": controls,
        "products": {**product_table(layers.frames, ids),  # ids, notes; and where each came from:
                     **product_links(layers.frames, ids, page_folder=options.page_folder,
                                     source_urls=options.source_urls)},
    }
