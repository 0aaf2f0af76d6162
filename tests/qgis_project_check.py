"""Open the QGIS project stored in a traverse GeoPackage in real QGIS; print a JSON report.

Run with Debian's interpreter (python3-qgis), never the project venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_project_check.py maps/x.gpkg PROJECT out.png

Reports the projects the GeoPackage's storage lists, the project CRS, every
layer of the layer tree (top first: validity, source, visibility, renderer,
temporal properties, display expression and map tip evaluated on a feature),
the project's time range, and, for the first half of that range, the features
each timed layer's temporal filter keeps; then renders the visible layers with
the project's temporal range at mid-mission and whole (PNG files) and reports
whether the pixel of the last station is drawn in each.
"""

import json
import os
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsDateTimeRange,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayerTemporalContext,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor


def _iso(qdt):
    return qdt.toUTC().toString(Qt.ISODateWithMs)


def _evaluate(layer, text, template):
    """A display expression or map tip evaluated on the first feature with a thumbnail-ish field set."""
    feature = next(iter(layer.getFeatures(QgsFeatureRequest().setLimit(1))), None)
    if feature is None:
        return None
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setFeature(feature)
    if template:
        return QgsExpression.replaceExpressionText(text, context)
    expression = QgsExpression(text)
    value = expression.evaluate(context)
    return {"value": None if value is None else str(value), "error": expression.evalErrorString()}


def _describe(node, layer):
    info = {"name": layer.name(), "isValid": layer.isValid(), "visible": node.isVisible(),
            "source": layer.source(), "type": "raster" if layer.type() == 1 else "vector",
            "renderer": layer.renderer().type() if layer.renderer() else None}
    if info["renderer"] == "categorizedSymbol":
        categories = layer.renderer().categories()
        info["categories"] = {str(c.value()): c.symbol().color().name() for c in categories}
    if info["type"] == "vector":
        props = layer.temporalProperties()
        info |= {"featureCount": layer.featureCount(), "temporal_active": props.isActive(),
                 "temporal_start": props.startExpression(), "temporal_end": props.endExpression(),
                 "display": _evaluate(layer, layer.displayExpression(), False),
                 "displayExpression": layer.displayExpression(),
                 "mapTip": _evaluate(layer, layer.mapTipTemplate(), True) if layer.mapTipTemplate() else None}
    return info


def _shown(layer, when):
    """How many features the layer's temporal filter keeps at ``when`` (a range)."""
    props = layer.temporalProperties()
    if not props.isActive():
        return layer.featureCount()
    text = props.createFilterString(QgsVectorLayerTemporalContext(), when)
    return sum(1 for _ in layer.getFeatures(QgsFeatureRequest().setFilterExpression(text))) if text else \
        layer.featureCount()


def _render(project, layers, when, out_png, point):
    """Render ``layers`` at ``when``; whether the pixels around ``point`` (project CRS) differ from white."""
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    stations = project.mapLayersByName("stations")[0]
    xform = QgsCoordinateTransform(stations.crs(), project.crs(), project)
    extent = QgsRectangle(xform.transformBoundingBox(stations.extent()))
    extent.scale(1.4)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(500, 500))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setIsTemporal(True)
    settings.setTemporalRange(when)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(out_png, "PNG")
    pixel = settings.mapToPixel().transform(point)
    x, y = int(round(pixel.x())), int(round(pixel.y()))
    white = QColor(255, 255, 255).rgb()
    # a station is a white dot in a dark ring (~10 px): look at the 13 x 13 pixels around it
    around = [image.pixel(x + dx, y + dy) != white for dx in range(-6, 7) for dy in range(-6, 7)]
    drawn = sum(1 for yy in range(image.height()) for xx in range(image.width())
                if image.pixel(xx, yy) != white)
    return {"png": out_png, "point_drawn": any(around), "drawn_pixels": drawn,
            "errors": [e.message for e in job.errors()]}


def main(argv):
    gpkg, name, png = argv[1], argv[2], argv[3]
    app = QgsApplication([], False)
    app.initQgis()
    storage = QgsApplication.projectStorageRegistry().projectStorageFromType("geopackage")
    report = {"qgis_version": Qgis.QGIS_VERSION, "projects": storage.listProjects(gpkg)}
    project = QgsProject.instance()
    report["read"] = project.read(f"geopackage:{gpkg}?projectName={name}")
    crs = project.crs()
    report["crs"] = {"isValid": crs.isValid(), "isGeographic": crs.isGeographic(), "authid": crs.authid(),
                     "description": crs.description(), "map_units": QgsUnitTypes.toString(crs.mapUnits()),
                     "proj": crs.toProj()}
    root = project.layerTreeRoot()
    report["layers"] = [_describe(node, node.layer()) for node in root.findLayers()]
    whole = project.timeSettings().temporalRange()
    report["time_range"] = [_iso(whole.begin()), _iso(whole.end())]
    report["cumulative"] = project.timeSettings().isTemporalRangeCumulative()
    middle = whole.begin().addMSecs(whole.begin().msecsTo(whole.end()) // 2)
    first_half = QgsDateTimeRange(whole.begin(), middle)
    report["middle"] = _iso(middle)
    vectors = [n.layer() for n in root.findLayers() if n.layer().type() == 0]
    report["shown_at_middle"] = {layer.name(): _shown(layer, first_half) for layer in vectors}
    stations = project.mapLayersByName("stations")[0]
    if stations.featureCount():  # the renders follow the last station
        last = max(stations.getFeatures(), key=lambda f: f["first_utc"])
        xform = QgsCoordinateTransform(stations.crs(), project.crs(), project)
        point = xform.transform(last.geometry().asPoint())
        report["last_station"] = {"id": str(last["station_id"]), "first_utc": _iso(last["first_utc"])}
        drawn = [stations, *project.mapLayersByName("lander")]
        middle_png = png.replace(".png", "_middle.png")
        report["render_middle"] = _render(project, drawn, first_half, middle_png, point)
        report["render_whole"] = _render(project, drawn, whole, png, point)
    print(json.dumps(report, indent=1))
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22 crashes in exitQgis() and the teardown of live layers


if __name__ == "__main__":
    main(sys.argv)
