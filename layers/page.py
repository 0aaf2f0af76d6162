r"""The web map's page: one self-contained offline HTML file around a map payload.

The payload is :func:`layers.payload.map_payloads`' dict.

The page is written directly (no template engine, so label text is never
compiled as one): Leaflet 1.9.4 (BSD-2, ``assets/``) with its images as data
URIs, ``assets/traverse.css``, the map modules ``assets/traverse-*.js`` in
:data:`MODULES` order, and the payload as JSON in a
``<script type="application/json">`` element, with ``<``, ``>`` and ``&``
written as ``\\u003c`` etc. so a ``</script>`` in a product description stays
text.  ``TraverseMap.create`` reads it and draws the map; the only requests
the page makes go to the tile services of the payload.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from pathlib import Path

from traverse.outputs import atomic_output

__all__ = ["MODULES", "write_page", "safe_json", "page_html"]

ASSETS = Path(__file__).with_name("assets")
#: The map's modules, in loading order (each registers its functions on ``TraverseMap``; the last
#: one, ``traverse-page.js``, draws a payload).
MODULES = ("traverse-crs.js", "traverse-coords.js", "traverse-tiles.js", "traverse-popups.js",
           "traverse-products.js", "traverse-features.js", "traverse-views.js", "traverse-graticule.js",
           "traverse-time.js", "traverse-search.js", "traverse-axes.js", "traverse-charts.js",
           "traverse-measure.js", "traverse-panel.js", "traverse-export.js", "traverse-layout.js",
           "traverse-radar.js", "traverse-spectra.js", "traverse-page.js")


def safe_json(obj) -> str:
    """JSON that cannot close a ``<script>`` element nor open an HTML tag."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


@functools.cache
def _head_assets() -> str:
    """The page's ``<style>`` and ``<script>`` elements.

    Leaflet's CSS (images inlined, comments dropped: they cite bug-tracker
    URLs), the map's CSS, Leaflet and the map's modules.
    """
    css = (ASSETS / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((ASSETS / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    scripts = [(ASSETS / n).read_text(encoding="utf-8") for n in ("leaflet.js", *MODULES)]
    if any("</script" in s.lower() for s in scripts):
        raise RuntimeError("a vendored script contains '</script' and cannot be inlined")
    own_css = (ASSETS / "traverse.css").read_text(encoding="utf-8")
    return (f"<style>{css}</style>\n<style>{own_css}</style>\n"
            + "\n".join(f"<script>{s}</script>" for s in scripts))


def page_html(payload: dict) -> str:
    """The whole page of one map."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        f"<title>{html.escape(payload['title'])}</title>\n{_head_assets()}\n</head>\n<body>\n"
        "<div id=\"map\" class=\"traverse-map\"></div>\n"
        f"<script type=\"application/json\" id=\"traverse-payload\">{safe_json(payload)}</script>\n"
        "<script>var traverseMap = TraverseMap.create(document.getElementById('map'),"
        " JSON.parse(document.getElementById('traverse-payload').textContent));</script>\n"
        "</body>\n</html>\n"
    )


def write_page(path: str | Path, payload: dict) -> Path:
    """Write the map page of ``payload`` (:func:`layers.payload.map_payloads`) atomically; return ``path``."""
    path = Path(path)
    with atomic_output(path) as tmp:
        Path(tmp).write_text(page_html(payload), encoding="utf-8")
    return path
