"""Open a traverse GeoPackage in real QGIS and render it; print a JSON report.

Run with Debian's interpreter (python3-qgis), never the project venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_check.py maps/traverse.gpkg out.png

For every feature table it reports validity, ``crs().authid()``, map units,
feature count, the features of each ``kind`` (drives and gaps), and the
renderer/labelling QGIS applied from the default style embedded in
``layer_styles``; for every attribute table (``coverage``) validity, fields and
rows; then it renders the five main layers (days at the
bottom, lander on top) on a white background to ``out.png`` and counts the
pixels that are not background.
"""

import json
import os
import sqlite3
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsRectangle,
    QgsRenderContext,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

DRAW_ORDER = ["lander", "stations", "frames", "drives", "days"]  # top first, as QgsMapSettings


def _feature_tables(gpkg, data_type="features"):
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = ? AND table_name != 'layer_styles'"
            " ORDER BY rowid", (data_type,)
        )]
    finally:
        con.close()


def _plain(value):
    """A QGIS attribute value as JSON: numbers, booleans and text as they are, NULL as None."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime().isoformat()
    return value if isinstance(value, (bool, int, float, str)) else str(value)


def _describe_table(layer, max_rows=1000):
    """An attribute (non-spatial) table as QGIS reads it: validity, fields, rows."""
    names = layer.fields().names()
    rows = [dict(zip(names, map(_plain, f.attributes()), strict=True))
            for _, f in zip(range(max_rows), layer.getFeatures(), strict=False)]
    return {"isValid": layer.isValid(), "featureCount": layer.featureCount(),
            "fields": {f.name(): f.typeName() for f in layer.fields()}, "rows": rows}


def _symbol_info(symbol):
    """Colour and line style of a category's symbol."""
    if symbol is None:
        return {}
    props = symbol.symbolLayer(0).properties()
    return {"colour": symbol.color().name(), "line_style": props.get("line_style")}


def _describe(layer):
    crs = layer.crs()
    renderer = layer.renderer()
    info = {
        "isValid": layer.isValid(),
        "authid": crs.authid(),
        "crs_description": crs.description(),
        "crs_valid": crs.isValid(),
        "map_units": QgsUnitTypes.toString(crs.mapUnits()),
        "featureCount": layer.featureCount(),
        "renderer": renderer.type() if renderer else None,
        "labelsEnabled": layer.labelsEnabled(),
        "fields": {f.name(): f.typeName() for f in layer.fields()},
    }
    if renderer is not None and renderer.type() == "categorizedSymbol":
        info["classAttribute"] = renderer.classAttribute()
        info["categories"] = [
            {"value": str(c.value()), "label": c.label(), **_symbol_info(c.symbol())}
            for c in renderer.categories()
        ]
    if "kind" in layer.fields().names():
        info["kinds"] = _kinds(layer)
    if renderer is not None and renderer.type() == "singleSymbol":
        sym = renderer.symbol()
        info["symbol"] = {
            "type": sym.type(),
            "opacity": sym.opacity(),
            "layer_class": sym.symbolLayer(0).layerType(),
            "properties": {
                k: v for k, v in sym.symbolLayer(0).properties().items()
                if k in ("name", "color", "size", "outline_style", "line_style", "line_width")
            },
        }
    if layer.labelsEnabled() and layer.labeling() is not None:
        info["labelField"] = layer.labeling().settings().fieldName
    if layer.mapTipTemplate():
        info["mapTip"] = _map_tip(layer)
    return info


def _kinds(layer):
    """Per ``kind`` (drive, gap): how many features, and the line styles and colours the renderer
    gives them (as it would draw them)."""
    renderer = layer.renderer().clone()
    context = QgsRenderContext()
    context.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    renderer.startRender(context, layer.fields())
    kinds = {}
    for feature in layer.getFeatures():
        context.expressionContext().setFeature(feature)
        entry = kinds.setdefault(str(feature["kind"]), {"count": 0, "line_styles": [], "colours": []})
        entry["count"] += 1
        info = _symbol_info(renderer.symbolForFeature(feature, context))
        for key, out in (("line_style", "line_styles"), ("colour", "colours")):
            if info.get(key) not in entry[out]:
                entry[out].append(info.get(key))
    renderer.stopRender(context)
    return kinds


def _map_tip(layer):
    """The map tip QGIS shows over the first feature with a thumbnail (else the first feature)."""
    names = layer.fields().names()
    chosen = None
    for feature in layer.getFeatures():
        chosen = chosen or feature
        if "thumbnail" in names and feature["thumbnail"]:
            chosen = feature
            break
    if chosen is None:
        return None
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setFeature(chosen)
    return QgsExpression.replaceExpressionText(layer.mapTipTemplate(), context)


def _render(layers, out_png, size=(640, 480)):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[-1].crs())
    extent = QgsRectangle()
    for layer in layers:
        if layer.featureCount() > 0 and not layer.extent().isNull():
            extent.combineExtentWith(layer.extent())  # a lone point has an empty extent
    extent.scale(1.3)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(out_png, "PNG")
    white = QColor(255, 255, 255).rgb()
    non_background, colours = 0, set()
    for y in range(image.height()):
        for x in range(image.width()):
            p = image.pixel(x, y)
            if p != white:
                non_background += 1
                colours.add(p & 0xF0F0F0)
    return {
        "png": out_png,
        "width": image.width(),
        "height": image.height(),
        "non_background_pixels": non_background,
        "distinct_colours": len(colours),
        "errors": [f"{e.layerID}: {e.message}" for e in job.errors()],
    }


def main(argv):
    gpkg, out_png = argv[1], argv[2]
    app = QgsApplication([], False)
    app.initQgis()
    report = {"qgis_version": Qgis.QGIS_VERSION}
    layers = {}
    for name in _feature_tables(gpkg):
        layers[name] = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    report["layers"] = {name: _describe(layer) for name, layer in layers.items()}
    tables = {name: QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
              for name in _feature_tables(gpkg, "attributes")}
    report["tables"] = {name: _describe_table(table) for name, table in tables.items()}
    drawn = [layers[n] for n in DRAW_ORDER if n in layers and layers[n].isValid()]
    report["render"] = _render(drawn, out_png) if drawn else None
    print(json.dumps(report, indent=1))
    sys.stdout.flush()
    # exitQgis() and Python's teardown of live layers crash (SIGSEGV) in QGIS 3.22;
    # the report is written, so leave without running them.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
