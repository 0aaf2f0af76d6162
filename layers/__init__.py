"""GIS layers of a traverse: GeoPackage with QGIS styles, offline HTML map, tables."""
