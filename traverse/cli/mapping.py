"""Map options and stages shared by ``map`` and ``build``: rasters, terrain, images, the HTML map."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from traverse.cli import options

__all__ = ["add_map_options", "check_map_options", "with_terrain", "with_image_files", "write_map",
           "store_project"]


def add_map_options(sp: argparse.ArgumentParser) -> None:
    """``--basemap`` and ``--tiles`` (``map`` and ``build``)."""
    sp.add_argument("--basemap", action="append", default=[], metavar="FILE.tif", type=Path,
                    help="GeoTIFF in a lunar CRS drawn under the traverse (repeatable)")
    sp.add_argument("--tiles", action="append", default=[], metavar="NAME",
                    help="lunar tile service from layers/basemaps.json (repeatable)")
    sp.add_argument("--dem", type=Path, metavar="FILE.tif",
                    help="elevation model in a lunar CRS: station elevations, climbs, slopes and "
                         "grades of the drives, and a hillshade under the map")
    sp.add_argument("--orbital", choices=("auto", "none"), default="auto",
                    help="auto (default): draw the best cached orbital image and use the best cached "
                         "elevation covering the traverse (`traverse basemap get`), in their control "
                         "network; none: only what --basemap/--dem/--tiles give")
    sp.add_argument("--images", choices=("none", "thumbs", "full"), default=None,
                    help="JPEGs of the archive's images beside the map, in NAME_files/: thumbnails "
                         "in the station popups and 1024-px previews for the larger view (default "
                         "when image data is present), full-size JPEGs instead of the previews, or none")


def check_map_options(args: argparse.Namespace, mission=None) -> None:
    """Refuse unknown ``--tiles`` and unusable ``--basemap``/``--dem`` files before any work (exit 2).

    Without ``mission`` (before the archive is read) a raster must be readable,
    georeferenced and of a sane size and transform; with the traverse's
    mission (after reading, before any output) its CRS must also be on the
    mission's body, and a tile service must be one of the mission's.
    """
    from layers.basemaps import tile_registry
    from traverse.errors import RasterError
    from traverse.rasters import check_raster

    for name in args.tiles:
        if name not in tile_registry():
            known = ", ".join(sorted(tile_registry()))
            raise options.UsageError(f"--tiles {name}: unknown tile service (known: {known})")
        if mission is not None and name not in mission.tile_services:
            fits = ", ".join(mission.tile_services) or "none registered"
            raise options.UsageError(f"--tiles {name}: not a tile service for {mission.body.name}, the body"
                                     f" of this {mission.name} ({mission.rover}) map (registered: {fits})")
    for option, path in _raster_options(args):
        if not path.is_file():
            raise options.UsageError(f"{option} {path}: no such file")
        try:
            body = None if mission is None else mission.body
            bands = check_raster(path, body, what=option.lstrip("-"))
        except RasterError as exc:
            raise options.UsageError(f"{option} {path}: {exc.reason}") from None
        if option == "--dem" and bands != 1:
            raise options.UsageError(f"--dem {path}: {bands} bands; an elevation model has one")


def _raster_options(args: argparse.Namespace) -> list[tuple[str, Path]]:
    return [("--basemap", p) for p in args.basemap] + ([("--dem", args.dem)] if args.dem is not None else [])


def with_terrain(args: argparse.Namespace, trav):
    """The traverse with terrain columns from ``--dem`` (a warning line if part lies outside it).

    The rasters are first checked against the traverse's body (usage error,
    before any output is written); a DEM window too large to read is one too.
    """
    from traverse.cli.orbital import use_cached_orbital

    for line in use_cached_orbital(args, trav):
        if not args.quiet:
            print(line)
    check_map_options(args, trav.mission)
    if args.dem is None:
        return trav
    from traverse.errors import RasterError
    from traverse.path.terrain import add_terrain

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            trav = add_terrain(trav, args.dem)
        except RasterError as exc:
            raise options.UsageError(f"--dem {args.dem}: {exc.reason}") from None
    _print_warnings(caught)
    return trav


def _print_warnings(caught) -> None:
    """Print the warnings the user must know (an LRO basemap, a DEM not covering the traverse).

    A dependency's deprecation notices are for developers and never reach the user.
    """
    for w in caught:
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
            print(f"warning: {w.message}", file=sys.stderr)


def with_image_files(args: argparse.Namespace, trav, products, report, html: Path):
    """The traverse with ``thumbnail``/``image_full`` paths on its frames, JPEGs written beside ``html``.

    ``--images`` (default ``thumbs``) decides; ``none``, or an archive without
    image data, writes nothing.  Problems go to ``report`` (the skipped list).
    """
    import dataclasses

    from traverse.images import ImageRun, images_folder, with_images, write_images

    mode = getattr(args, "images", None) or "thumbs"
    if mode == "none":
        return dataclasses.replace(trav, frames=with_images(trav.frames, None))
    folder = images_folder(html)
    with options.Progress(args, "making images", unit="image") as bar:
        images = write_images(products, trav.frames, folder, mode=mode, report=report,
                              run=ImageRun(progress=bar))
    if images.empty:
        for sub in ("thumbs", "preview", "full"):  # nothing to show: leave no empty folders behind
            if (folder / sub).is_dir() and not any((folder / sub).iterdir()):
                (folder / sub).rmdir()
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return dataclasses.replace(trav, frames=with_images(trav.frames, images))


def write_map(args: argparse.Namespace, trav, path: Path, final: Path | None = None,
              science: dict | None = None) -> Path:
    """Write the HTML map of a :class:`~traverse.path.reconstruct.Traverse`; print what the user must know.

    ``path`` may be a staged file; ``final`` is where the page will live (default
    ``path``): its popups link the labels relative to that folder, and to the
    URLs the fetch manifests above the labels record.  ``science``: the tables
    ``radar_traces``, ``radargrams``, ``spectra`` of ``build --science``
    (:class:`layers.payload.MapLayers`), drawn in the popups.
    """
    import dataclasses

    from layers.webmap import MapOptions, build_webmap, map_layers
    from traverse.fetch.manifests import source_urls

    labels = trav.frames["source"].dropna().unique() if "source" in trav.frames else []
    map_options = MapOptions(basemaps=args.basemap, tiles=args.tiles,
                             dems=[args.dem] if args.dem is not None else [],
                             page_folder=Path(final or path).parent.resolve(),
                             # a frame's source is its label, or a data file with the label + "L" beside it
                             source_urls=source_urls([*labels, *(s + "L" for s in labels)]))
    drawn = dataclasses.replace(map_layers(trav), **science) if science else trav
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = build_webmap(path, drawn, map_options)
    _print_warnings(caught)  # e.g. an LRO basemap under the label control network
    return out


def store_project(args: argparse.Namespace, trav, gpkg: Path, final_folder: Path):
    """Start storing the QGIS project in the (staged) GeoPackage with QGIS's own code: a ``ProjectJob``.

    The project references the ``--basemap`` files and the ``--dem`` (hillshade)
    by paths relative to ``final_folder``, where the GeoPackage will live.  QGIS
    works while the build writes its other files; the job's ``result()`` waits
    and says in one line what happened (without QGIS on this machine: that the
    project was not stored, and how to get it).
    """
    from layers.basemaps import raster_kind
    from layers.qgisproject import RasterSpec, project_plan, start_qgis_project

    rasters = [RasterSpec(_beside(p, gpkg), raster_kind(p)) for p in args.basemap]
    rasters += [RasterSpec(_beside(args.dem, gpkg), "dem")] if args.dem is not None else []
    plan = project_plan(gpkg, mission=trav.mission, site=trav.site, rasters=rasters,
                        final_folder=final_folder)
    return start_qgis_project(gpkg, plan)


def _beside(raster: Path, gpkg: Path) -> Path:
    """``raster``, or its copy in ``NAME_files/orbital/`` when it lies in the per-user orbital cache.

    A cached orbital window (``traverse basemap get``) lives outside the output
    folder: the project would lose it when the folder is moved or shared.  The
    windows are small (a few MB around the traverse), so the build keeps a copy
    beside the GeoPackage and the project refers to that.  A user's own file
    stays where it is (referenced by a relative path).
    """
    import shutil

    from traverse.userdirs import user_cache_dir

    raster = Path(raster)
    if not raster.resolve().is_relative_to(user_cache_dir().resolve()):
        return raster
    folder = gpkg.with_name(gpkg.stem + "_files") / "orbital"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(raster, folder / raster.name))
