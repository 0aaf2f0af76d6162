"""``traverse basemap list|get``: the orbital products of a landing site, and windows of them in the cache.

``list`` prints the registry of the mission (``traverse/data/orbital/*.toml``)
and what the per-user cache holds; ``get NAME`` reads only the window around
the traverse (``--around ARCHIVE``), a box (``--bbox``) or the landing site
through GDAL's HTTP range requests and caches it as a Cloud-Optimised GeoTIFF,
which ``build`` and ``map`` then use by default.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from traverse.cli import options

__all__ = ["register", "run", "LANDING_SITE_RADIUS_M"]

#: Half-side of the window ``get`` reads around the landing site when given no --around or --bbox,
#: metres (Yutu-2 was about 1.6 km from its lander after five years).
LANDING_SITE_RADIUS_M = 2000.0


def register(subparsers) -> None:
    """Add ``basemap`` (with ``list`` and ``get``) to the ``traverse`` parser."""
    sp = subparsers.add_parser("basemap", help="orbital basemaps of the landing site: list, get (cached)",
                               description=__doc__.splitlines()[0])
    sub = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = sub.add_parser("list", help="registered products of the mission and the cached windows",
                        parents=[options.verbosity_options()])
    ls.add_argument("--mission", default=None, help="mission key (ce4, tw1; default: the default mission)")
    get = sub.add_parser("get", help="read the window of a product around the traverse into the cache",
                         parents=[options.verbosity_options()])
    get.add_argument("name", metavar="NAME", help="product name (see `traverse basemap list`)")
    get.add_argument("--mission", default=None, help="mission key (default: the archive's, else ce4)")
    area = get.add_mutually_exclusive_group()
    area.add_argument("--around", nargs="+", type=Path, metavar="PATH",
                      help="the archive (folders, files, zip bundles) whose traverse the window covers")
    area.add_argument("--bbox", nargs=4, type=float, metavar=("LON_MIN", "LAT_MIN", "LON_MAX", "LAT_MAX"),
                      help="the window, degrees east/north on the body's sphere")
    get.add_argument("--margin", type=options.positive_metres, default=300.0, metavar="METRES",
                     help="margin around the traverse or box, metres (default 300)")
    get.add_argument("--url", default=None,
                     help="read the product from this URL instead of the registry's (a mirror)")
    get.add_argument("--retries", type=int, default=3, help="retries of a failed block (default 3)")
    sp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``list`` or ``get``; 0 done, 1 a fetch failed (one line), 2 usage."""
    return _list(args) if args.action == "list" else _get(args)


def _mission_key(key: str | None) -> str:
    from traverse.datafiles import toml_tables

    stems = dict(toml_tables("missions"))
    if key is None:
        return next(stem for stem, d in stems.items() if d.get("default"))
    if key not in stems:
        raise options.UsageError(f"--mission {key}: unknown (known: {', '.join(stems)})")
    return key


def _list(args: argparse.Namespace) -> int:
    from traverse.orbital.products import cached_windows, orbital_products
    from traverse.userdirs import user_cache_dir

    mission = _mission_key(args.mission)
    products = orbital_products(mission)
    windows = cached_windows(mission)
    print(f"orbital products of {mission} (traverse/data/orbital/{mission}.toml); cache {user_cache_dir()}")
    print(f"{'name':<16} {'kind':<9} {'m/px':>6} {'control':<8} {'size MB':>8} {'verified':<8} cached")
    for p in products.values():
        mine = [w for w in windows if w.product == p.name]
        cached = (f"{len(mine)} window(s), {sum(w.size_bytes for w in mine) / 1e6:.1f} MB" if mine
                  else ("no public URL" if not p.url else "-"))
        size = f"{p.size_mb:,.0f}" if p.size_mb else "?"
        print(f"{p.name:<16} {p.kind:<9} {p.pixel_m:>6g} {p.control:<8} {size:>8} "
              f"{'yes' if p.verified else 'no':<8} {cached}")
        if args.verbose:
            print(f"    {p.title}\n    {p.url or p.portal}\n    credit: {p.credit}\n    {p.note}")
    for w in windows:
        if args.verbose:
            print(f"cached: {w.path} ({w.product}, {w.size_bytes / 1e6:.1f} MB)")
    return 0


def _get(args: argparse.Namespace) -> int:
    from traverse.errors import RasterError
    from traverse.missions import mission as mission_of_key
    from traverse.orbital.products import orbital_product
    from traverse.orbital.window import fetch_window

    mission_key, bounds = _area(args)
    try:
        product = orbital_product(mission_key, args.name)
    except KeyError as exc:
        raise options.UsageError(exc.args[0]) from None
    body = mission_of_key(mission_key).body
    with options.Progress(args, f"reading {product.name}", unit="row") as bar:
        try:
            cached, reused = fetch_window(product, bounds, body=body, url=args.url, progress=bar,
                                          retries=args.retries)
        except RasterError as exc:
            raise options.UsageError(f"{args.name}: {exc.reason}") from None
    if not args.quiet:
        how = "already cached" if reused else "cached"
        print(f"{product.name}: {how} {cached.path} ({cached.size_bytes / 1e6:.1f} MB,"
              f" {cached.kind}, control {cached.control}); build and map use it by default")
    return 0


def _area(args: argparse.Namespace) -> tuple[str, tuple[float, float, float, float]]:
    """The mission key and the lon/lat window: the traverse, the box, or the landing site, plus margin."""
    from traverse.missions import mission as mission_of_key
    from traverse.orbital.window import bounds_around

    if args.around:
        return _around(args)
    key = _mission_key(args.mission)
    mission = mission_of_key(key)
    if args.bbox:
        w, s, e, n = args.bbox
        if not (w < e and s < n and s >= -90 and n <= 90):
            raise options.UsageError(f"--bbox {w} {s} {e} {n}: give LON_MIN LAT_MIN LON_MAX LAT_MAX")
        box = bounds_around([w, e], [s, n], margin_m=args.margin, body=mission.body)
        return key, box
    site = _site_for(args.name, key, mission)
    return key, bounds_around([site.lon_deg], [site.lat_deg], margin_m=LANDING_SITE_RADIUS_M + args.margin,
                              body=mission.body)


def _site_for(name: str, key: str, mission):
    """The lander site in the product's control network, else the products' own (``label``)."""
    from traverse.orbital.products import orbital_products

    product = orbital_products(key).get(name)
    control = product.control if product and product.control in mission.sites else "label"
    return mission.sites[control]


def _around(args: argparse.Namespace) -> tuple[str, tuple[float, float, float, float]]:
    """Read the archive in the product's control network; the box of its frames and lander plus margin."""
    import numpy as np

    from traverse import missions
    from traverse.cli.reading import read_archive
    from traverse.orbital.products import orbital_products
    from traverse.orbital.window import bounds_around
    from traverse.read.archive import open_archive

    with open_archive(args.around) as archive:
        mission = missions.mission_of_names(p.name.product_id for p in archive.products)
    if args.mission is not None and args.mission != mission.key:
        raise options.UsageError(f"--mission {args.mission}: the archive is {mission.name} ({mission.key})")
    product = orbital_products(mission.key).get(args.name)
    control = product.control if product and product.control in mission.sites else "label"
    reading = argparse.Namespace(paths=args.around, control=control, quiet=args.quiet,
                                 progress=args.progress)
    frames, _, _ = read_archive(reading)
    site = mission.sites[control]
    lon = np.append(frames.geometry.x.to_numpy(float), site.lon_deg)
    lat = np.append(frames.geometry.y.to_numpy(float), site.lat_deg)
    return mission.key, bounds_around(lon, lat, margin_m=args.margin, body=mission.body)
