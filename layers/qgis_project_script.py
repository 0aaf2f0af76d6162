"""Store a QGIS project in a traverse GeoPackage with QGIS's own code (run by QGIS's Python, not the venv).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_project_script.py PLAN.json

``PLAN.json`` is written by :func:`layers.qgisproject.store_qgis_project`
(keys documented there: ``gpkg``, ``project_name``, ``title``, ``crs_wkt``,
``layers``, ``rasters``, ``time_range``, ``final_folder``).  The script opens
each layer of the GeoPackage (QGIS applies the default style stored in
``layer_styles``: symbols, labels, map tips, display expression), sets the
temporal properties, adds the basemap and DEM rasters, sets the project CRS
and time range, and writes the project into the GeoPackage's
``qgis_projects`` table (``QgsProject.write("geopackage:...")``).  Paths are
stored relative to the GeoPackage; a raster's relative path is the one from
the GeoPackage's *final* folder (``final_folder``), since the build writes in
a staging folder beside it.

Standard library and ``qgis`` only (this runs under the system Python).
Prints one JSON line (``{"stored": ..., "layers": [...]}``); exit 1 with the
reason on stderr when the project cannot be written.
"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsHillshadeRenderer,
    QgsPathResolver,
    QgsProject,
    QgsRasterLayer,
    QgsRelation,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDateTime, Qt


def _datetime(text):
    """A QDateTime in UTC from ISO 8601 text ending in ``Z``."""
    value = QDateTime.fromString(text.rstrip("Z"), Qt.ISODateWithMs)
    value.setTimeSpec(Qt.UTC)
    return value


def _vector(gpkg, spec):
    """One GeoPackage table as a styled, timed layer (its default style comes from ``layer_styles``)."""
    layer = QgsVectorLayer(f"{gpkg}|layername={spec['table']}", spec["table"], "ogr")
    if not layer.isValid():
        raise RuntimeError(f"{gpkg}: QGIS cannot open layer {spec['table']!r}")
    layer.setDisplayExpression(spec["display"])
    start = spec.get("time_expression")
    if start:
        props = layer.temporalProperties()
        props.setIsActive(True)
        # a feature exists from its time on, like the web map's slider: a start, no end
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions)
        props.setStartExpression(start)
        props.setEndExpression("")
    return layer


def _raster(spec):
    """A basemap (image) or an elevation model drawn as hillshade."""
    layer = QgsRasterLayer(spec["path"], spec["name"], "gdal")
    if not layer.isValid():
        raise RuntimeError(f"{spec['path']}: QGIS cannot open this raster")
    if spec["kind"] == "dem":
        layer.setRenderer(QgsHillshadeRenderer(layer.dataProvider(), 1, 315.0, 45.0))
    return layer


def _relation(spec, project):
    """A one-to-many relation between two of the project's layers (the parent's form lists the rows)."""
    child, parent = (project.mapLayersByName(spec[k])[0] for k in ("child", "parent"))
    rel = QgsRelation()
    rel.setId(spec["id"])
    rel.setName(spec["name"])
    rel.setReferencingLayer(child.id())
    rel.setReferencedLayer(parent.id())
    rel.addFieldPair(spec["child_field"], spec["parent_field"])
    if not rel.isValid():
        raise RuntimeError(f"QGIS finds the relation {spec['id']!r} invalid")
    return rel


def _relative_from_final(plan):
    """Make raster paths relative to the GeoPackage's final folder, not the staging folder it is in now.

    A raster inside the staging folder (a copy in ``NAME_files/``) moves with
    the GeoPackage: its path stays relative to the stage.
    """
    stage, final = os.path.normpath(os.path.dirname(plan["gpkg"])), plan["final_folder"]
    moved = {os.path.normpath(r["path"]):
             os.path.normpath(os.path.join(stage, os.path.relpath(r["path"], final)))
             for r in plan["rasters"] if os.path.commonpath([os.path.normpath(r["path"]), stage]) != stage}
    if stage != final and moved:
        return QgsPathResolver.setPathWriter(lambda path: moved.get(os.path.normpath(path), path))
    return None


def build(plan):
    """The project of ``plan``, written into the GeoPackage; the names of its layers, top first."""
    project = QgsProject.instance()
    project.clear()
    project.setTitle(plan["title"])
    project.writeEntryBool("Paths", "/Absolute", False)
    crs = QgsCoordinateReferenceSystem.fromWkt(plan["crs_wkt"])
    if not crs.isValid():
        raise RuntimeError("QGIS does not accept the project CRS")
    project.setCrs(crs)
    project.setDistanceUnits(QgsUnitTypes.DistanceMeters)
    vectors = [(_vector(plan["gpkg"], spec), spec["visible"]) for spec in plan["layers"]]
    rasters = [(_raster(spec), spec["visible"]) for spec in plan["rasters"]]
    root = project.layerTreeRoot()
    for layer, visible in vectors + rasters:  # top first, as the layer panel lists them
        project.addMapLayer(layer, False)
        root.addLayer(layer).setItemVisibilityChecked(visible)
    for spec in plan.get("relations", ()):
        project.relationManager().addRelation(_relation(spec, project))
    if plan["time_range"]:
        start, end = (_datetime(t) for t in plan["time_range"])
        settings = project.timeSettings()
        settings.setTemporalRange(QgsDateTimeRange(start, end))
        settings.setIsTemporalRangeCumulative(True)  # start to current frame, as the web slider
        settings.setTimeStep(1.0)
        settings.setTimeStepUnit(QgsUnitTypes.TemporalDays)
        settings.setFramesPerSecond(10.0)
    writer = _relative_from_final(plan)
    try:
        uri = f"geopackage:{plan['gpkg']}?projectName={plan['project_name']}"
        if not project.write(uri):
            raise RuntimeError(f"{plan['gpkg']}: QGIS could not store the project: {project.error()}")
    finally:
        if writer is not None:
            QgsPathResolver.removePathWriter(writer)
    return [layer.name() for layer, _ in vectors + rasters]


def main(argv):
    """Read the plan, write the project, print one JSON line; exit 1 with the reason on failure."""
    with open(argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        names = build(plan)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)
    print(json.dumps({"stored": plan["project_name"], "layers": names}))
    sys.stdout.flush()
    # exitQgis() and the teardown of live layers crash (SIGSEGV) in QGIS 3.22; all is written.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
