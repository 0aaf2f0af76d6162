"""Orbital basemaps of each landing site: the registry (data), the per-user cache, windowed fetches.

:mod:`traverse.orbital.products` reads ``traverse/data/orbital/*.toml`` and
lists the cache (standard library and platformdirs only: ``traverse basemap
list`` and ``--help`` stay light); :mod:`traverse.orbital.window` reads the
window around a traverse from a remote PDS3 ``.IMG`` or GeoTIFF through GDAL's
``/vsicurl/`` and writes it as a Cloud-Optimised GeoTIFF in the cache.
"""
