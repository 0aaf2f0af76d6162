"""Planetary reference frames: the one place that builds CRSs and converts positions.

Everything the project knows about a body's shape (:class:`Body`: the Moon,
Mars) and a lander's position lives here; which body and which lander a
mission has is data (:mod:`traverse.missions`).  For Chang'e-4:

* :data:`MOON` is ``IAU_2015:30100`` (Moon 2015, sphere of 1 737 400 m,
  planetocentric latitude, longitude east, axis order latitude/longitude;
  every transformer here is built with ``always_xy=True`` so callers pass and
  get longitude first).
* The *lander ENU* frame of the GRAS products (``LANDER_COORDINATE_SYSTEM``:
  origin at the lander, x east, y north, z up, metres) is a topocentric
  frame at the lander on that sphere.  With the lander at 177.5991° E,
  45.4446° S and height −5935 m this reproduces the longitude/latitude that
  the labels print (``Rover_Location``) to better than 1 cm, as
  ``tests/test_geodesy.py`` shows on the real VNIS labels.
* Two control networks place the lander: ``label`` (Chang'e-2 based, used by
  every product) and ``lro`` (registered to Lunar Reconnaissance Orbiter data,
  about 415 m away), both from Liu J. et al. (2019), Nature Communications
  10:4229.  Use ``lro`` when drawing over LRO basemaps.

PROJ refuses transformations between the Moon and the Earth; nothing here asks
for one, and nothing measures lunar distances with an Earth ellipsoid.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import AzimuthalEquidistantConversion

from traverse.datafiles import toml_tables
from traverse.errors import SiteMismatchError

__all__ = [
    "Body",
    "crs_body_name",
    "MOON_BODY",
    "MARS_BODY",
    "MOON",
    "MOON_RADIUS_M",
    "LANDER_LABEL",
    "LANDER_LRO",
    "LanderSite",
    "lander_site",
    "with_site",
    "site_of",
    "common_site",
    "enu_to_lonlat",
    "lonlat_to_enu",
    "local_crs",
    "web_mercator_crs",
    "is_lunar_crs",
    "is_body_crs",
    "lonlat_to_crs_transformer",
    "web_mercator_to_lonlat",
]

@dataclass(frozen=True)
class Body:
    """A planetary body as the maps see it: a sphere and its geographic CRS.

    Parameters
    ----------
    name
        ``Moon``, ``Mars``.
    crs_code
        Authority code of its planetocentric geographic CRS (IAU 2015 sphere,
        longitude east), e.g. ``IAU_2015:30100``.
    radius_m
        Radius of that sphere, metres.
    adjective
        ``lunar``, ``Martian``: for messages (the mission TOML's ``[body] adjective``).
    """

    name: str
    crs_code: str
    radius_m: float
    adjective: str = ""

    @property
    def crs(self) -> CRS:
        """The geographic CRS (degrees east/north, planetocentric)."""
        return _crs_from_code(self.crs_code)


@cache
def _crs_from_code(code: str) -> CRS:
    return CRS.from_user_input(code)


#: The Moon: IAU 2015 sphere of 1 737 400 m (``IAU_2015:30100``).
MOON_BODY = Body("Moon", "IAU_2015:30100", 1_737_400.0, "lunar")
#: Mars: IAU 2015 sphere of 3 396 190 m (``IAU_2015:49900``).
MARS_BODY = Body("Mars", "IAU_2015:49900", 3_396_190.0, "Martian")

#: Mean radius of the Moon in metres, the sphere of ``IAU_2015:30100``.
MOON_RADIUS_M = MOON_BODY.radius_m

#: Geographic CRS of the Chang'e-4 outputs: Moon (2015) sphere, planetocentric.
MOON = MOON_BODY.crs


def _default_mission_toml() -> tuple[str, dict]:
    """Key and facts of the default mission (``default = true``), as its TOML gives them.

    Read here, at the bottom of the house, without :mod:`traverse.missions`
    (which builds on this module): the sites below come from the TOML, so the
    facts and their sources live in ``traverse/data/missions/*.toml`` only.
    """
    for stem, d in toml_tables("missions"):
        if d.get("default"):
            return stem, d
    raise ValueError("traverse/data/missions: no mission has default = true")


_DEFAULT_MISSION_KEY, _DEFAULT_MISSION = _default_mission_toml()


@dataclass(frozen=True)
class LanderSite:
    """Position of a lander (landing site), the origin of the lander ENU frame.

    Parameters
    ----------
    lon_deg, lat_deg
        Planetocentric longitude (degrees east) and latitude (degrees north).
    height_m
        Height above the body's sphere, metres.
    name
        Short name of the control network (``label``, ``lro`` or ``custom``).
    body
        The body it stands on (default the Moon).
    mission
        Key of the mission whose lander it is (:mod:`traverse.missions`; ``""``
        becomes the default mission's key).
    """

    lon_deg: float
    lat_deg: float
    height_m: float
    name: str = "custom"
    body: Body = MOON_BODY
    mission: str = ""

    def __post_init__(self) -> None:
        if not self.mission:  # a site that names no mission is the default mission's
            object.__setattr__(self, "mission", _DEFAULT_MISSION_KEY)
        if not (-180.0 <= self.lon_deg <= 360.0 and -90.0 <= self.lat_deg <= 90.0):
            raise ValueError(
                f"lander position out of range: lon {self.lon_deg}, lat {self.lat_deg} degrees"
            )
        if not abs(self.height_m) < 100_000:
            raise ValueError(f"lander height {self.height_m} m is not on the {self.body.name}'s surface")

    def describe(self) -> str:
        """``'lro' (177.5885° E, -45.4561°, -5927 m)``: name and position, for messages."""
        return f"{self.name!r} ({self.lon_deg}° E, {self.lat_deg}°, {self.height_m:g} m)"


_DEFAULT_BODY = Body(_DEFAULT_MISSION["body"]["name"], _DEFAULT_MISSION["body"]["crs"],
                     float(_DEFAULT_MISSION["body"]["radius_m"]), _DEFAULT_MISSION["body"]["adjective"])
_DEFAULT_SITES = {name: LanderSite(float(s["lon_deg"]), float(s["lat_deg"]), float(s["height_m"]), name,
                                   _DEFAULT_BODY, _DEFAULT_MISSION_KEY)
                  for name, s in _DEFAULT_MISSION["sites"].items()}
#: Lander as used by every GRAS label of the default mission (Chang'e-4: 177.5991° E, -45.4446°,
#: -5935 m, Chang'e-2 DOM/DEM based; Liu et al. 2019), from its TOML.
LANDER_LABEL = _DEFAULT_SITES["label"]
#: Lander registered to LRO data (Chang'e-4: 177.5885° E, -45.4561°, -5927 m; Liu et al. 2019;
#: LROC gives 45.457 S 177.589 E ± 20 m), from its TOML.
LANDER_LRO = _DEFAULT_SITES["lro"]

_CONTROL = {"label": LANDER_LABEL, "lro": LANDER_LRO}


def lander_site(
    control: str | LanderSite | tuple[float, float, float] = "label",
    sites: dict[str, LanderSite] | None = None,
) -> LanderSite:
    """Resolve a control-network choice to a :class:`LanderSite`.

    Parameters
    ----------
    control
        A name from ``sites`` (for Chang'e-4: ``"label"``, what the products
        use, or ``"lro"`` for LRO basemaps), a :class:`LanderSite`, a
        ``(lon_deg, lat_deg, height_m)`` tuple, or the string ``"LON,LAT,HEIGHT"``.
    sites
        The named sites of the mission (:attr:`traverse.missions.Mission.sites`);
        default: Chang'e-4's.  A custom position stands on the same body.
    """
    sites = _CONTROL if sites is None else sites
    first = next(iter(sites.values()), LANDER_LABEL)
    body, mission = first.body, first.mission
    if isinstance(control, LanderSite):
        return control
    if isinstance(control, tuple):
        return LanderSite(*map(float, control), name="custom", body=body, mission=mission)
    key = str(control).strip().lower()
    if key in sites:
        return sites[key]
    parts = key.split(",")
    if len(parts) == 3:
        try:
            return LanderSite(*map(float, parts), name="custom", body=body, mission=mission)
        except ValueError as exc:
            raise ValueError(f"control {control!r}: {exc}") from exc
    names = ", ".join(repr(k) for k in sites)
    raise ValueError(f"unknown control network {control!r}: expected {names} or 'LON,LAT,HEIGHT'")


#: Key of a table's ``attrs`` holding its lander site (a JSON-friendly dict, so it survives GeoParquet).
SITE_ATTR = "lander_site"


def with_site(table, site: LanderSite):
    """A shallow copy of ``table`` tagged with the lander site its lon/lat were computed for.

    The tag (``table.attrs["lander_site"]``) travels with the table through
    pandas operations and GeoParquet; :func:`site_of` reads it back.  The
    input is not modified.
    """
    out = table.copy(deep=False)
    out.attrs = {**table.attrs, SITE_ATTR: {
        "name": site.name, "lon_deg": site.lon_deg, "lat_deg": site.lat_deg, "height_m": site.height_m,
        "body": site.body.name, "crs": site.body.crs_code, "radius_m": site.body.radius_m,
        "adjective": site.body.adjective, "mission": site.mission,
    }}
    return out


def site_of(table) -> LanderSite | None:
    """The lander site a table was tagged with by :func:`with_site`, or ``None``."""
    tag = getattr(table, "attrs", {}).get(SITE_ATTR)
    if tag is None:
        return None
    body = (Body(str(tag["body"]), str(tag["crs"]), float(tag["radius_m"]), str(tag.get("adjective", "")))
            if "body" in tag else MOON_BODY)
    return LanderSite(float(tag["lon_deg"]), float(tag["lat_deg"]), float(tag["height_m"]),
                      str(tag["name"]), body, str(tag.get("mission", LANDER_LABEL.mission)))


def common_site(*tables, site: LanderSite | None = None) -> LanderSite:
    """The one lander site that ``tables`` (and an explicit ``site``) agree on.

    Tables without a tag are ignored; with no tag and no ``site`` the answer is
    :data:`LANDER_LABEL`, the site the products themselves use.

    Raises
    ------
    SiteMismatchError
        Two of them name different sites: frames read with ``control="lro"``
        must not be reconstructed or drawn at the ``label`` site (415 m away).
    """
    found = [(f"tables tied to {s.describe()}", s) for s in map(site_of, tables) if s is not None]
    if site is not None:
        found.insert(0, (f"the requested site {site.describe()}", site))
    for what, other in found[1:]:
        if other != found[0][1]:
            raise SiteMismatchError(
                f"{found[0][0]} but {what}: read, reconstruct and draw with one control network"
            )
    return found[0][1] if found else LANDER_LABEL


_TRANSFORMERS = threading.local()  # a pyproj Transformer is reused, but never across threads


def _topocentric_pipeline(site: LanderSite) -> Transformer:
    """Transformer from lander ENU (metres) to lon/lat (degrees)/height (metres), one per site and thread."""
    made = getattr(_TRANSFORMERS, "by_site", None)
    if made is None:
        made = _TRANSFORMERS.by_site = {}
    if site not in made:
        made[site] = _new_topocentric_pipeline(site)
    return made[site]


def _new_topocentric_pipeline(site: LanderSite) -> Transformer:
    r = site.body.radius_m
    return Transformer.from_pipeline(
        "+proj=pipeline"
        f" +step +inv +proj=topocentric +lon_0={site.lon_deg} +lat_0={site.lat_deg}"
        f" +h_0={site.height_m} +R={r}"
        f" +step +inv +proj=cart +R={r}"
        " +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )


def enu_to_lonlat(e_m, n_m, u_m, site: LanderSite = LANDER_LABEL):
    """Convert lander ENU to planetocentric longitude/latitude on the site's body sphere.

    Parameters
    ----------
    e_m, n_m, u_m
        Metres east, north and up of the lander (array-like, lander ENU).
    site
        Lander position (origin of the frame).

    Returns
    -------
    lon_deg, lat_deg, height_m : numpy.ndarray
        Degrees east, degrees north, metres above the body's sphere (1 737 400 m for the Moon).
    """
    t = _topocentric_pipeline(site)
    e, n, u = (np.asarray(v, dtype="float64") for v in (e_m, n_m, u_m))
    lon, lat, h = t.transform(e, n, u)
    return np.asarray(lon), np.asarray(lat), np.asarray(h)


def lonlat_to_enu(lon_deg, lat_deg, height_m, site: LanderSite = LANDER_LABEL):
    """Inverse of :func:`enu_to_lonlat`: degrees/metres to lander ENU metres."""
    t = _topocentric_pipeline(site)
    lon, lat, h = (np.asarray(v, dtype="float64") for v in (lon_deg, lat_deg, height_m))
    e, n, u = t.transform(lon, lat, h, direction="INVERSE")
    return np.asarray(e), np.asarray(n), np.asarray(u)


def local_crs(site: LanderSite = LANDER_LABEL, *, origin_name: str | None = None) -> CRS:
    """Azimuthal-equidistant CRS centred on the lander, metres, on the site's body sphere.

    Its name is ``ORIGIN AEQD (site)``, ``ORIGIN`` the mission's ``lander_name``
    where the caller gives it (``Chang'e-4 lander AEQD (label)``), else
    ``<body> lander``.

    Distances in it are measured on the 1 737 400 m reference sphere, whereas
    lander ENU metres are measured at the lander's height (−5935 m for the
    ``label`` network): AEQD lengths are longer by R / (R + h), 0.34 %, than
    the ENU lengths that :mod:`traverse` reports.  Use it to measure in GIS
    tools; bearings agree with lander ENU.
    """
    conv = AzimuthalEquidistantConversion(
        latitude_natural_origin=site.lat_deg, longitude_natural_origin=site.lon_deg
    )
    return ProjectedCRS(
        conversion=conv, geodetic_crs=site.body.crs,
        name=f"{origin_name or site.body.name + ' lander'} AEQD ({site.name})",
    )


def web_mercator_crs(body: Body = MOON_BODY) -> CRS:
    """Spherical Mercator on the body's sphere (default the Moon), the display projection of web maps.

    Leaflet's ``EPSG:3857`` tiling scheme reused on the Moon: same formulas
    with R = 1 737 400 m, so a metre on the map is a lunar metre times the
    Mercator scale factor ``1/cos(lat)``.

    The web map (:mod:`layers.webmap`) declares the same projection to Leaflet
    as ``TraverseMap.bodyCrs`` (``layers/assets/traverse-crs.js``): ``L.CRS.EPSG3857``
    with ``R`` = :data:`MOON_RADIUS_M` in the projection, the transformation and
    the haversine ``distance``.  The transformation is scaled by ``1 / (2 pi R)``
    so pixel and tile coordinates are those of ordinary XYZ tiles (tile z/x/y covers the same lon/lat as on
    Earth), while the scale bar and ``map.distance`` give lunar metres.  Mercator
    is conformal, so a square drive is drawn square at 45 deg S.
    """
    return CRS.from_wkt(
        ProjectedCRS(
            conversion={
                "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
                "type": "Conversion",
                "name": "Popular Visualisation Pseudo-Mercator",
                "method": {"name": "Popular Visualisation Pseudo Mercator"},
                "parameters": [
                    {"name": "Latitude of natural origin", "value": 0, "unit": "degree"},
                    {"name": "Longitude of natural origin", "value": 0, "unit": "degree"},
                    {"name": "False easting", "value": 0, "unit": "metre"},
                    {"name": "False northing", "value": 0, "unit": "metre"},
                ],
            },
            geodetic_crs=body.crs,
            name=f"{body.name} 2015 Pseudo-Mercator",
        ).to_wkt()
    )


# --- Web-map helpers (layers.webmap / layers.basemaps) ------------------------
# Kept here so that no other module names a CRS or the Moon's radius.

#: Tolerance on the semi-major axis when deciding whether a CRS is lunar, metres
#: (covers the 1 737 150 m "Moon 2000 IAU" and 1 738 100 m equatorial variants).
_LUNAR_AXIS_TOLERANCE_M = 5_000.0


def is_lunar_crs(crs) -> bool:
    """Tell whether *crs* (anything pyproj accepts, e.g. WKT) lies on a Moon-sized body.

    True when the ellipsoid's semi-major axis is within 5 km of
    :data:`MOON_RADIUS_M` (:func:`is_body_crs` for the Moon).
    """
    return is_body_crs(crs, MOON_BODY)


def is_body_crs(crs, body: Body = MOON_BODY) -> bool:
    """Tell whether *crs* lies on ``body`` (semi-major axis within 0.3 % of its radius).

    The tolerance covers the Moon's 1 737 150 / 1 738 100 m variants (5 km)
    and Mars's 3 396 190 m sphere vs its 3 396 190 / 3 376 200 m ellipsoid.
    """
    if crs is None:
        return False
    if hasattr(crs, "to_wkt"):
        crs = crs.to_wkt()
    ellipsoid = CRS.from_user_input(crs).ellipsoid
    if ellipsoid is None:
        return False
    return abs(ellipsoid.semi_major_metre - body.radius_m) < max(_LUNAR_AXIS_TOLERANCE_M,
                                                                  0.003 * body.radius_m)


def crs_body_name(crs) -> str:
    """The body ``crs`` lies on, for messages: ``Moon``, ``Mars``, ``Earth`` or its ellipsoid's radius."""
    for body in (MOON_BODY, MARS_BODY):
        if is_body_crs(crs, body):
            return body.name
    try:
        axis = CRS.from_user_input(crs.to_wkt() if hasattr(crs, "to_wkt") else crs).ellipsoid.semi_major_metre
    except Exception:  # noqa: BLE001 - a CRS pyproj cannot read names no body
        return "an unknown body"
    if abs(axis - 6_378_137.0) < 0.003 * 6_378_137.0:  # WGS 84, GRS 80 and kin
        return "Earth"
    return f"a body of radius {axis / 1000:,.0f} km"


def lonlat_to_crs_transformer(crs, body: Body = MOON_BODY) -> Transformer:
    """Transformer from longitude/latitude on ``body`` (degrees) to ``crs`` (x, y in its units).

    Parameters
    ----------
    crs
        A CRS on the same body (WKT, :class:`pyproj.CRS` or rasterio CRS), e.g. a DEM's.
    body
        The body the longitudes/latitudes are on (default the Moon).

    Raises
    ------
    ValueError
        ``crs`` is not on ``body`` (PROJ would refuse Moon ↔ Earth anyway).
    """
    if hasattr(crs, "to_wkt"):
        crs = crs.to_wkt()
    crs = CRS.from_user_input(crs)
    if not is_body_crs(crs, body):
        raise ValueError(f"CRS {crs.name!r} is not on the {body.name} sphere; expected a"
                         f" {body.adjective} CRS")
    return Transformer.from_crs(body.crs, crs, always_xy=True)


def web_mercator_to_lonlat(x_m, y_m, body: Body = MOON_BODY):
    """Metres of :func:`web_mercator_crs` to degrees east/north on ``body``."""
    t = Transformer.from_crs(web_mercator_crs(body), body.crs, always_xy=True)
    lon, lat = t.transform(np.asarray(x_m, "float64"), np.asarray(y_m, "float64"))
    return np.asarray(lon), np.asarray(lat)
