"""Open a built GeoPackage's science in real QGIS; print a JSON report.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_science_check.py NAME.gpkg RELATIONS.json

Reports the ``radar_traces`` layer (validity, geometry type, count, CRS), the
``drives`` map tip of each drive with radargrams (as QGIS evaluates it), the
relations of ``RELATIONS.json`` (``layers.relations.SPECTRA_RELATIONS``) as
the project stored in the GeoPackage by the build holds them (validity, spectrum rows related to each
``frames``/``targets`` feature: what the attribute form lists), what
``QgsRelationManager.discoverRelations`` finds on its own, and the
relationships GDAL reads from the file.
"""

import json
import os
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsProject,
    QgsRelationManager,
    QgsVectorLayer,
    QgsWkbTypes,
)


def main(argv):
    with open(argv[2], encoding="utf-8") as fh:
        gpkg, spec = argv[1], json.load(fh)
    app = QgsApplication([], False)
    app.initQgis()
    names = ("frames", "targets", "spectra", "drives", "radar_traces")
    project = QgsProject.instance()
    name = os.path.splitext(os.path.basename(gpkg))[0]
    stored = project.read(f"geopackage:{gpkg}?projectName={name}")  # the project the build stored
    layers = {n: project.mapLayersByName(n)[0] for n in names}
    fresh = [QgsVectorLayer(f"{gpkg}|layername={n}", n, "ogr") for n in names]  # outside any project
    traces = layers["radar_traces"]
    report = {"qgis_version": Qgis.QGIS_VERSION, "radar_traces": {
        "isValid": traces.isValid(), "featureCount": traces.featureCount(),
        "geometry": QgsWkbTypes.displayString(traces.wkbType()), "authid": traces.crs().authid(),
        "fields": traces.fields().names()}}
    drives = layers["drives"]
    tips = []
    for feature in drives.getFeatures():
        if "radargrams" in drives.fields().names() and feature["radargrams"]:
            context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(drives))
            context.setFeature(feature)
            tips.append(QgsExpression.replaceExpressionText(drives.mapTipTemplate(), context))
    report["drive_map_tips"] = tips
    report["stored_project"] = stored
    report["discovered"] = [r.id() for r in QgsRelationManager.discoverRelations([], fresh)]
    relations = {}
    for rel_id, _name, child, _child_field, parent, parent_field in spec:
        rel = project.relationManager().relation(rel_id)  # as the stored project holds it
        if rel.referencingLayerId() != layers[child].id():
            relations[rel_id] = {"isValid": False, "rows": {}, "in_project": False}
            continue
        rows = {}
        for feature in layers[parent].getFeatures():
            n = sum(1 for _ in rel.getRelatedFeatures(feature))
            if n:
                rows[str(feature[parent_field])] = n
        relations[rel_id] = {"isValid": rel.isValid(), "rows": rows,
                             "in_project": rel_id in QgsProject.instance().relationManager().relations()}
    report["relations"] = relations
    try:
        from osgeo import gdal

        ds = gdal.OpenEx(gpkg)
        report["gdal"] = {"version": gdal.__version__, "relationships": list(ds.GetRelationshipNames() or [])}
    except (ImportError, AttributeError) as exc:
        report["gdal"] = {"error": str(exc)}
    print(json.dumps(report, indent=1))
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22 crashes in exitQgis() with live layers (see qgis_check.py)


if __name__ == "__main__":
    main(sys.argv)
