r"""Interactive traverse map: one self-contained, offline HTML file (vendored Leaflet, no CDN).

Two steps, each testable alone:

* :func:`layers.payload.map_payloads` (traverse, :class:`~layers.payload.MapOptions`) →
  a JSON-ready dict with named fields: what the map shows (no HTML page, no folium);
* :func:`layers.page.write_page` (path, payload) → the page: Leaflet, ``assets/traverse.css``
  and the modules ``assets/traverse-*.js`` inlined, the payload embedded as JSON.

Map projection
    ``TraverseMap.bodyCrs`` (``assets/traverse-crs.js``): Leaflet's EPSG:3857
    with the radius of the mission's body (the Moon, Mars), the twin of
    :func:`traverse.geodesy.web_mercator_crs`.  Tiles keep the usual z/x/y
    grid, the scale bar and the ruler (measure tool, under the zoom buttons)
    give lunar (Martian) metres and, Mercator being conformal, a square drive
    is drawn square at 45° S.

Offline
    Leaflet 1.9.4 (BSD-2, ``assets/``) is inlined with its images as data
    URIs.  Stations are circle markers and the lander a ``DivIcon``, so no
    icon font is needed.  The only requests the page makes go to tile
    services named in ``MapOptions.tiles``.

Escaping
    Every label-derived string is passed through :func:`html.escape` before it
    joins a popup, and the payload reaches the page as JSON with ``<``, ``>``
    and ``&`` written as ``\\u003c`` etc., so a ``</script>`` or a backtick in a
    product description stays text; no template engine ever reads it.
"""

from __future__ import annotations

from pathlib import Path

from layers.page import write_page
from layers.payload import MapLayers, MapOptions, decimate_traces, map_layers, map_payloads
from traverse.errors import LROControlWarning

__all__ = ["build_webmap", "MapOptions", "MapLayers", "map_layers", "map_payloads", "decimate_traces",
           "LROControlWarning"]


#: The options of a map given none: no basemaps, no tiles, no DEM.
DEFAULT_MAP_OPTIONS = MapOptions()


def build_webmap(path: str | Path, traverse, options: MapOptions = DEFAULT_MAP_OPTIONS) -> Path:
    """Write the traverse as one self-contained HTML map that works offline.

    Parameters
    ----------
    path
        Output ``.html`` file (written atomically).
    traverse
        A :class:`~traverse.path.reconstruct.Traverse`, a :class:`MapLayers`,
        or a mapping of its tables by name (:func:`layers.payload.map_layers`).
    options
        Basemaps, tiles, site and drawing budgets (:class:`MapOptions`).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    return write_page(path, map_payloads(traverse, options))
