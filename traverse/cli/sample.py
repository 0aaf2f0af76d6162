"""``traverse sample DIR``: write the built-in SYNTHETIC sample archive (lunar days 1–N)."""

from __future__ import annotations

import argparse
from pathlib import Path

from traverse.cli import options

__all__ = ["register", "run"]


def register(subparsers) -> None:
    """Add ``sample`` to the ``traverse`` parser."""
    sp = subparsers.add_parser("sample", help="write the built-in SYNTHETIC sample archive",
                               parents=[options.overwrite_option(), options.verbosity_options()])
    sp.add_argument("folder", metavar="DIR", type=Path)
    sp.add_argument("--seed", type=int, default=2019)
    sp.add_argument("--days", type=int, default=13, metavar="N",
                    help="lunar days 1..N (default 13, at most 72), distances as CNSA announced them")
    sp.add_argument("--dem", type=Path, help="also write a SYNTHETIC DEM GeoTIFF for the map's basemap")
    sp.set_defaults(func=run)


def _remove_synthetic_products(folder: Path) -> None:
    """Delete the products a previous ``traverse sample`` wrote (labels saying SYNTHETIC).

    Otherwise ``--overwrite`` with another ``--seed`` mixes two archives; anything else in
    ``folder`` (real products, the user's files) is left alone.
    """
    from traverse.synthetic.products import SYNTHETIC_NOTE

    for label in folder.rglob("CE4_GRAS_*L"):
        with open(label, "rb") as fh:
            if SYNTHETIC_NOTE.encode() not in fh.read(1 << 20):
                continue
        label.with_name(label.name[:-1]).unlink(missing_ok=True)
        label.unlink()


def run(args: argparse.Namespace) -> int:
    """Write the sample (and DEM); 2 when ``DIR`` holds files and ``--overwrite`` is not given."""
    from traverse.synthetic.sample import MAX_DAYS, interpolated_days, write_sample_archive

    folder: Path = args.folder
    if not 1 <= args.days <= MAX_DAYS:
        raise options.UsageError(f"--days {args.days}: the sample holds 1 to {MAX_DAYS} lunar days")
    if folder.exists() and not folder.is_dir():
        raise options.UsageError(f"{folder}: is a file; give a folder")
    if folder.exists() and any(folder.iterdir()) and not args.overwrite:
        raise options.UsageError(f"{folder} is not empty; use --overwrite")
    if args.dem is not None:
        if args.dem.suffix.lower() not in (".tif", ".tiff"):
            raise options.UsageError(f"--dem {args.dem}: use a .tif file")
        args.dem.parent.mkdir(parents=True, exist_ok=True)
        options.check_outputs([args.dem], overwrite=args.overwrite)
    if args.overwrite and folder.is_dir():
        _remove_synthetic_products(folder)
    truth = write_sample_archive(folder, seed=args.seed, days=args.days)
    if args.dem is not None:
        from layers.basemaps import write_synthetic_dem
        from traverse import geodesy

        lon, lat, _ = geodesy.enu_to_lonlat(-150.0, 60.0, 0.0)
        write_synthetic_dem(args.dem, center_lon=float(lon), center_lat=float(lat), size_m=700.0)
    if not args.quiet:
        print(f"wrote a SYNTHETIC sample archive to {folder}: {len(truth.stations)} stations, "
              f"{len(truth.drives)} drives, lunar days 1-{args.days}, "
              f"{sum(truth.day_distance_m.values()):.3f} m (not mission data)")
        guessed = interpolated_days(args.days)
        if guessed:
            print(f"days without an announced distance, interpolated: {', '.join(map(str, guessed))}")
    return 0
