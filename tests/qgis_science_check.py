"""Open a built GeoPackage's science in real QGIS; print a JSON report.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_science_check.py NAME.gpkg RELATIONS.json

Reports the ``radar_traces`` layer (validity, geometry type, count, CRS), the
``drives`` map tip of each drive with radargrams (as QGIS evaluates it), the
relations of ``RELATIONS.json`` (``layers.relations.SPECTRA_RELATIONS``) made
as ``QgsRelation``s in a project (validity, spectrum rows related to each
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
    QgsRelation,
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
    layers = {n: QgsVectorLayer(f"{gpkg}|layername={n}", n, "ogr") for n in names}
    QgsProject.instance().addMapLayers(list(layers.values()))
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
    report["discovered"] = [r.id() for r in QgsRelationManager.discoverRelations([], list(layers.values()))]
    relations = {}
    for rel_id, name, child, child_field, parent, parent_field in spec:
        rel = QgsRelation()
        rel.setId(rel_id)
        rel.setName(name)
        rel.setReferencingLayer(layers[child].id())
        rel.setReferencedLayer(layers[parent].id())
        rel.addFieldPair(child_field, parent_field)
        QgsProject.instance().relationManager().addRelation(rel)
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
