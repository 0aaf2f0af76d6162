"""The registry of orbital products per landing site, and what the per-user cache holds.

The registry is data: ``traverse/data/orbital/<mission>.toml`` (one
``[products.NAME]`` table each: title, kind, URL, pixel size, control network,
credit, licence, size, bounds, whether it was verified against the archive's
own index).  The cache is a folder per user (``platformdirs``, or
``$TRAVERSE_CACHE_DIR``): ``orbital/<mission>/<name>/<name>_<bounds>.tif``
Cloud-Optimised GeoTIFFs, each with a ``.json`` sidecar saying what it is
(:class:`CachedWindow`).  Nothing here imports numpy or rasterio.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from traverse.datafiles import toml_tables
from traverse.userdirs import user_cache_dir

__all__ = [
    "OrbitalProduct",
    "CachedWindow",
    "orbital_products",
    "orbital_product",
    "cached_windows",
    "covering_windows",
    "window_megabytes",
]

#: Environment variable that overrides the per-user cache folder (tests, shared machines).

#: Kinds of product: drawn as an image, or used as terrain (and drawn as hillshade).
KINDS = ("image", "elevation")


@dataclass(frozen=True)
class OrbitalProduct:
    """One entry of ``traverse/data/orbital/<mission>.toml``.

    Attributes
    ----------
    name, mission
        Registry key (``nac-ortho``) and mission key (``ce4``).
    title, kind
        What it is; ``image`` or ``elevation``.
    url
        Where GDAL reads it (HTTP range requests); empty when no public URL exists.
    pixel_m
        Pixel size, metres on the ground.
    control
        The control network it is tied to (``lro``, ``label``, ``hirise``).
    credit, licence
        Credit line shown on the map; licence terms.
    size_mb
        Size of the whole remote file, MB (approximate; 0 when unknown).
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)``, degrees on the body's sphere, or ``None``.
    rank
        Order among products of one kind (smaller is better for a traverse map).
    verified
        Name, size and bounds checked against the archive's own index or README.
    note, readme, portal
        Free text; the archive's README; the portal of a product with no URL.
    """

    name: str
    mission: str
    title: str
    kind: str
    url: str
    pixel_m: float
    control: str
    credit: str
    licence: str
    size_mb: float
    bounds: tuple[float, float, float, float] | None
    rank: int
    verified: bool
    note: str = ""
    readme: str = ""
    portal: str = ""


def _product(mission: str, name: str, d: dict) -> OrbitalProduct:
    kind = d["kind"]
    if kind not in KINDS:
        raise ValueError(f"traverse/data/orbital/{mission}.toml [products.{name}]: kind {kind!r} is not one"
                         f" of {KINDS}")
    bounds = d.get("bounds")
    return OrbitalProduct(
        name=name, mission=mission, title=d["title"], kind=kind, url=d.get("url", ""),
        pixel_m=float(d["pixel_m"]), control=d["control"], credit=d["credit"], licence=d["licence"],
        size_mb=float(d.get("size_mb", 0)), bounds=tuple(map(float, bounds)) if bounds else None,
        rank=int(d.get("rank", 100)), verified=bool(d.get("verified", False)), note=d.get("note", ""),
        readme=d.get("readme", ""), portal=d.get("portal", ""),
    )


def orbital_products(mission: str) -> dict[str, OrbitalProduct]:
    """Every registered product of the mission (key ``ce4``, ``tw1``), by name, in file order."""
    for stem, d in toml_tables("orbital"):
        if d.get("mission", stem) == mission:
            return {name: _product(mission, name, p) for name, p in d.get("products", {}).items()}
    return {}


def orbital_product(mission: str, name: str) -> OrbitalProduct:
    """One registered product; ``KeyError`` naming the known ones."""
    products = orbital_products(mission)
    try:
        return products[name]
    except KeyError:
        known = ", ".join(products) or "none"
        raise KeyError(f"unknown orbital product {name!r} for mission {mission!r}"
                       f" (known: {known}; traverse/data/orbital/{mission}.toml)") from None


@dataclass(frozen=True)
class CachedWindow:
    """A window of an orbital product in the cache (its ``.json`` sidecar).

    Attributes
    ----------
    path
        The Cloud-Optimised GeoTIFF.
    product, mission, kind, control, credit, title, url
        As the registry entry it was fetched for (``url`` as actually read).
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` covered, degrees on the body's sphere.
    pixel_m
        Pixel size, metres.
    size_bytes
        Size of the GeoTIFF, bytes.
    """

    path: Path
    product: str
    mission: str
    kind: str
    control: str
    credit: str
    title: str
    url: str
    bounds: tuple[float, float, float, float]
    pixel_m: float
    size_bytes: int

    def sidecar(self) -> dict:
        """The JSON written beside the GeoTIFF (``path`` relative to it)."""
        d = asdict(self)
        d["path"] = self.path.name
        d["bounds"] = list(self.bounds)
        return d

    def contains(self, bounds: tuple[float, float, float, float]) -> bool:
        """Whether this window covers ``bounds`` (lon_min, lat_min, lon_max, lat_max) whole."""
        w, s, e, n = self.bounds
        return w <= bounds[0] and s <= bounds[1] and e >= bounds[2] and n >= bounds[3]

    def overlap(self, bounds: tuple[float, float, float, float]) -> float:
        """Fraction of ``bounds``' area (in degrees²) this window covers, 0–1."""
        w, s, e, n = self.bounds
        dx = min(e, bounds[2]) - max(w, bounds[0])
        dy = min(n, bounds[3]) - max(s, bounds[1])
        area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
        if dx <= 0 or dy <= 0 or area <= 0:
            return 0.0
        return dx * dy / area


def _window(sidecar: Path) -> CachedWindow | None:
    try:
        d = json.loads(sidecar.read_text(encoding="utf-8"))
        tif = sidecar.with_name(d["path"])
        if not tif.is_file():
            return None
        return CachedWindow(**{**d, "path": tif, "bounds": tuple(map(float, d["bounds"])),
                               "size_bytes": tif.stat().st_size})
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a stray or half-written sidecar is not a cached window


def cached_windows(mission: str, *, root: Path | None = None) -> list[CachedWindow]:
    """Every complete cached window of the mission's products (a sidecar and its GeoTIFF)."""
    folder = (root or user_cache_dir()) / "orbital" / mission
    if not folder.is_dir():
        return []
    found = (_window(p) for p in sorted(folder.glob("*/*.json")))
    return [w for w in found if w is not None]


def covering_windows(mission: str, bounds: tuple[float, float, float, float], *,
                     min_overlap: float = 0.5, root: Path | None = None) -> list[CachedWindow]:
    """Cached windows covering at least ``min_overlap`` of ``bounds``, best first.

    Best: the registry's rank (finest product first), then the largest overlap.
    """
    ranks = {n: p.rank for n, p in orbital_products(mission).items()}
    hits = [(w, w.overlap(bounds)) for w in cached_windows(mission, root=root)]
    hits = [(w, f) for w, f in hits if f >= min_overlap]
    hits.sort(key=lambda wf: (ranks.get(wf[0].product, 100), -wf[1], wf[0].pixel_m))
    return [w for w, _ in hits]


def window_megabytes(product: OrbitalProduct, width_m: float, height_m: float, *,
                     bytes_per_pixel: int = 4) -> float:
    """Rough size of a window of ``width_m`` × ``height_m`` metres of ``product``, MB (uncompressed)."""
    pixels = math.ceil(width_m / product.pixel_m) * math.ceil(height_m / product.pixel_m)
    return pixels * bytes_per_pixel / 1e6
