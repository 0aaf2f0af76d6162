"""``traverse map PATH... -o FILE.html``: the interactive offline map; map options shared with ``build``."""

from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from traverse.cli import options
from traverse.cli.reading import reconstruct_archive

__all__ = [
    "register", "run", "add_map_options", "check_map_options", "with_terrain", "with_image_files",
    "removed_on_failure", "write_map",
]


def add_map_options(sp: argparse.ArgumentParser) -> None:
    """``--basemap`` and ``--tiles`` (``map`` and ``build``)."""
    sp.add_argument("--basemap", action="append", default=[], metavar="FILE.tif", type=Path,
                    help="GeoTIFF in a lunar CRS drawn under the traverse (repeatable)")
    sp.add_argument("--tiles", action="append", default=[], metavar="NAME",
                    help="lunar tile service from layers/basemaps.json (repeatable)")
    sp.add_argument("--dem", type=Path, metavar="FILE.tif",
                    help="elevation model in a lunar CRS: station elevations, climbs, slopes and "
                         "grades of the drives, and a hillshade under the map")
    sp.add_argument("--images", choices=("none", "thumbs", "full"), default=None,
                    help="JPEGs of the archive's images beside the map, in NAME_files/: thumbnails "
                         "in the station popups (default when image data is present), also "
                         "full-size ones, or none")


def check_map_options(args: argparse.Namespace) -> None:
    """Refuse unknown ``--tiles`` and unreadable ``--basemap`` files before any work (exit 2)."""
    import rasterio

    from layers.basemaps import tile_registry

    for name in args.tiles:
        if name not in tile_registry():
            known = ", ".join(sorted(tile_registry()))
            raise options.UsageError(f"--tiles {name}: unknown tile service (known: {known})")
    for option, path in [("--basemap", p) for p in args.basemap] + (
            [("--dem", args.dem)] if args.dem is not None else []):
        if not path.is_file():
            raise options.UsageError(f"{option} {path}: no such file")
        try:
            with rasterio.open(path) as src:
                bands = src.count
        except rasterio.errors.RasterioIOError as exc:
            raise options.UsageError(f"{option} {path}: not a raster GDAL can read ({exc})") from exc
        if option == "--dem" and bands != 1:
            raise options.UsageError(f"--dem {path}: {bands} bands; an elevation model has one")


def with_terrain(args: argparse.Namespace, trav):
    """The traverse with terrain columns from ``--dem`` (a warning line if part lies outside it)."""
    if args.dem is None:
        return trav
    from traverse.path.terrain import add_terrain

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trav = add_terrain(trav, args.dem)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return trav


@contextmanager
def removed_on_failure(html: Path) -> Iterator[None]:
    """Remove the images folder of ``html`` if this run created it and then failed (or was interrupted).

    The other outputs are written atomically; the images are many files, so
    a failed run takes back the folder instead of leaving part of it.
    """
    from layers.images import images_folder

    folder = images_folder(html)
    existed = folder.exists()
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def with_image_files(args: argparse.Namespace, trav, products, report, html: Path):
    """The traverse with ``thumbnail``/``image_full`` paths on its frames, JPEGs written beside ``html``.

    ``--images`` (default ``thumbs``) decides; ``none``, or an archive without
    image data, writes nothing.  Problems go to ``report`` (the skipped list).
    """
    import dataclasses

    from layers.images import ImageRun, images_folder, with_images, write_images

    mode = getattr(args, "images", None) or "thumbs"
    if mode == "none":
        return dataclasses.replace(trav, frames=with_images(trav.frames, None))
    folder = images_folder(html)
    if folder.exists() and not folder.is_dir():
        raise options.UsageError(f"{folder}: is a file; the map's images go in a folder of that name")
    with options.Progress(args, "making images", unit="image") as bar:
        images = write_images(products, trav.frames, folder, mode=mode, report=report,
                              run=ImageRun(progress=bar))
    if images.empty:
        for sub in ("thumbs", "full"):  # nothing to show: leave no empty folders behind
            if (folder / sub).is_dir() and not any((folder / sub).iterdir()):
                (folder / sub).rmdir()
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return dataclasses.replace(trav, frames=with_images(trav.frames, images))


def write_map(args: argparse.Namespace, trav, path: Path) -> Path:
    """Write the HTML map of a :class:`~traverse.path.reconstruct.Traverse`; print what the user must know."""
    from layers.webmap import MapOptions, build_webmap

    options = MapOptions(basemaps=args.basemap, tiles=args.tiles,
                         dems=[args.dem] if args.dem is not None else [])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = build_webmap(path, trav, options)
    for w in caught:  # e.g. an LRO basemap under the label control network
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
            print(f"warning: {w.message}", file=sys.stderr)
    return out


def register(subparsers) -> None:
    """Add ``map`` to the ``traverse`` parser."""
    sp = subparsers.add_parser(
        "map", help="interactive offline HTML map only",
        parents=[options.archive_options(), options.overwrite_option(), options.verbosity_options()],
    )
    sp.add_argument("-o", "--output", required=True, type=Path, help="FILE.html")
    add_map_options(sp)
    sp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the map; 0 done, 1 nothing readable, 2 bad options."""
    out: Path = args.output
    if out.suffix.lower() not in (".html", ".htm"):
        raise options.UsageError(f"-o {out}: the map is HTML; use a .html file name")
    options.check_outputs([out], overwrite=args.overwrite)
    check_map_options(args)
    trav, report, products = reconstruct_archive(args)
    trav = with_terrain(args, trav)
    options.make_output_folders([out])
    with removed_on_failure(out):
        trav = with_image_files(args, trav, products, report, out)
        path = write_map(args, trav, out)
    if not args.quiet:
        from traverse.path.coverage import coverage_summary

        print(coverage_summary(trav.coverage, trav.gaps, trav.mission))
        print(f"wrote {path}")
    return 0
