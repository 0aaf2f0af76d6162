"""Cached orbital basemaps used by default in ``build`` and ``map`` (``--orbital auto``).

Two steps.  Before reading (:func:`orbital_control`), with no ``--control``
given, the control network is the one of the best cached product around the
landing site (LRO products: ``lro``), so the traverse is drawn in the
product's frame.  After reconstruction (:func:`use_cached_orbital`), the best
cached image and elevation windows covering the traverse become ``--basemap``
and ``--dem`` (unless given), and products tied to another control network are
not mixed in: each is named in one line with the option that would use it.
With nothing cached, one line names the ``traverse basemap get`` command that
would add the best product and its size.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["SITE_RADIUS_M", "orbital_control", "use_cached_orbital"]

#: Half-side of the box around the landing site a cached window must overlap to choose the
#: control network before the archive is read, metres.
SITE_RADIUS_M = 2000.0

#: Distance within which a cached window not used is named (metres): more than the 415 m between
#: the two control networks of Chang'e-4 (``label`` and ``lro``).
_NEAR_M = 1000.0

#: Margin of the window suggested around the traverse, metres (``basemap get --margin`` default).
_MARGIN_M = 300.0


def _auto(args: argparse.Namespace) -> bool:
    return getattr(args, "orbital", "none") == "auto"


def orbital_control(args: argparse.Namespace, mission) -> str:
    """The control network to read in: ``--control``, else the cached products', else ``label``."""
    if args.control is not None:
        return args.control
    if not _auto(args):
        return "label"
    from traverse.orbital.products import covering_windows
    from traverse.orbital.window import bounds_around

    for site in mission.sites.values():
        box = bounds_around([site.lon_deg], [site.lat_deg], margin_m=SITE_RADIUS_M, body=mission.body)
        best = covering_windows(mission.key, box, min_overlap=1e-9)
        if best and best[0].control in mission.sites:
            return best[0].control
    return "label"


def use_cached_orbital(args: argparse.Namespace, trav) -> list[str]:
    """Set ``args.basemap``/``args.dem`` from the cache for ``trav``; the lines to tell the user."""
    if not _auto(args):
        return []
    import numpy as np

    from traverse.orbital.products import covering_windows
    from traverse.orbital.window import bounds_around

    mission, site = trav.mission, trav.site
    pts = trav.frames.geometry
    lon = np.append(pts.x.to_numpy(float), site.lon_deg)
    lat = np.append(pts.y.to_numpy(float), site.lat_deg)
    bounds = bounds_around(lon[np.isfinite(lon)], lat[np.isfinite(lat)], margin_m=1.0, body=mission.body)
    # near (worth a word when not used): within a kilometre, more than the 415 m between Chang'e-4's two
    # control networks; usable: covering half of the traverse's box at least
    near = bounds_around(lon[np.isfinite(lon)], lat[np.isfinite(lat)], margin_m=_NEAR_M, body=mission.body)
    windows = covering_windows(mission.key, near, min_overlap=1e-9)
    notes, usable = {}, []
    for w in windows:
        if w.control not in mission.sites:
            notes[w.product] = (f"cached {w.product} not used: it is tied to the {w.control} control network,"
                                f" which no {mission.name} lander position is; give it as --basemap to draw"
                                " it anyway")
        elif w.control != site.name:
            notes[w.product] = (f"cached {w.product} not used: it is in the {w.control} control network and"
                                f" the traverse in {site.name}; use --control {w.control} to draw it")
        elif w.overlap(bounds) >= 0.5:
            usable.append(w)
    lines = list(notes.values())
    image = next((w for w in usable if w.kind == "image"), None)
    elevation = next((w for w in usable if w.kind == "elevation"), None)
    if image is not None and not args.basemap:
        args.basemap = [image.path]
        lines.append(f"basemap: {image.title} (cached, control {image.control}; {image.credit})")
    if elevation is not None and args.dem is None:
        args.dem = elevation.path
        lines.append(f"terrain: {elevation.title} (cached, control {elevation.control})")
    if (image or elevation) and args.control is None and site.name != "label":
        lines.append(f"control network {site.name}: the cached products' (--control label keeps the labels')")
    if not windows:
        lines += _suggestions(args, mission, bounds)
    return lines


def _suggestions(args: argparse.Namespace, mission, bounds) -> list[str]:
    """One line: the ``traverse basemap get`` commands that would add the best image and elevation."""
    from traverse.orbital.products import orbital_products, window_megabytes

    w, s, e, n = bounds
    r = mission.body.radius_m
    margin = 2 * _MARGIN_M
    width_m = math.radians(e - w) * r * math.cos(math.radians(0.5 * (s + n))) + margin
    height_m = math.radians(n - s) * r + margin
    fits = sorted((p for p in orbital_products(mission.key).values() if p.url and p.control in mission.sites),
                  key=lambda p: p.rank)
    where = " ".join(map(str, args.paths))
    parts = []
    for kind, depth in (("image", 1), ("elevation", 4)):
        best = next((p for p in fits if p.kind == kind), None)
        if best is not None:
            mb = window_megabytes(best, width_m, height_m, bytes_per_pixel=depth)
            parts.append(f"`traverse basemap get {best.name} --around {where}` ({best.title}, about"
                         f" {max(mb, 0.1):.1f} MB)")
    if not parts:
        return []
    return ["no orbital basemap cached for this traverse; " + " and ".join(parts) + " would add one"]
