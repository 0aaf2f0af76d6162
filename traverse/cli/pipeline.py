"""Subcommands past ``index``: ``sample``, ``distances``, ``build`` and ``map``.

Each is one small function: parse arguments, call the library verbs, print a
summary.  GIS writers come from :mod:`layers` (imported here, at the top of
the dependency arrow ``cli → layers → traverse``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

from traverse import geodesy

__all__ = ["add_pipeline_commands"]


def _traverse(args):
    from traverse.cli import _read
    from traverse.path.reconstruct import reconstruct

    frames, report = _read(args)
    if len(frames) == 0:
        print(f"traverse: no Chang'e-4 products could be read from {' '.join(args.paths)}"
              f" ({len(report)} problems)", file=sys.stderr)
        return None
    site = geodesy.lander_site(args.control)
    rover = frames[frames["role"] == "rover"]
    if rover[["x_east_m", "y_north_m"]].dropna().empty:
        print("traverse: the products hold no rover position (lander cameras only?)",
              file=sys.stderr)
        return None
    return frames, report, site, reconstruct(frames, site=site)


def _table_text(table: pd.DataFrame) -> str:
    shown = table.copy()
    for col in ("start_utc", "end_utc"):
        shown[col] = pd.to_datetime(shown[col], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    return shown.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-")


ODOMETER_NOTE = (
    "announced = CNSA's odometer (Xinhua/CNSA/China Daily); it also counts turns on the spot "
    "and wheel slip, so it reads longer than the path reconstructed from positions."
)


def cmd_distances(args) -> int:
    """``traverse distances PATH...``: the per-lunar-day distance table."""
    from traverse.path.days import compare_announced, days_table

    got = _traverse(args)
    if got is None:
        return 1
    trav = got[3]
    table = days_table(trav.days)
    if args.compare_announced:
        table = compare_announced(table)
    if args.csv:
        from layers.geopackage import write_days_csv

        write_days_csv(args.csv, table)
    if args.json:
        print(table.to_json(orient="records", date_format="iso", double_precision=3, indent=1))
    else:
        print(_table_text(table))
        if args.compare_announced:
            print(ODOMETER_NOTE)
    return 0


def _map_options_error(args) -> str | None:
    """Check --basemap files and --tiles names before any work; a message, or None."""
    import rasterio

    from layers.basemaps import tile_registry

    for name in args.tiles:
        if name not in tile_registry():
            known = ", ".join(sorted(tile_registry()))
            return f"--tiles {name}: unknown tile service (known: {known})"
    for path in args.basemap:
        if not Path(path).is_file():
            return f"--basemap {path}: no such file"
        try:
            with rasterio.open(path):
                pass
        except rasterio.errors.RasterioIOError as exc:
            return f"--basemap {path}: not a raster GDAL can read ({exc})"
    return None


def _maps(args, frames, trav, out_html: Path) -> Path:
    from layers.webmap import build_webmap

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = build_webmap(
            out_html, lander=trav.lander, frames=frames, stations=trav.stations,
            drives=trav.drives, days=trav.days, basemaps=args.basemap, tiles=args.tiles,
            control_name=geodesy.lander_site(args.control).name,
        )
    for w in caught:  # what the user must know (e.g. LRO basemap vs label control)
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
            print(f"warning: {w.message}", file=sys.stderr)
    return path


def cmd_build(args) -> int:
    """``traverse build PATH... -o maps/NAME``: GeoPackage, HTML map and day table."""
    from layers.geopackage import write_days_csv, write_geojson, write_geopackage
    from traverse.cli import _summary, _write_report
    from traverse.path.days import days_table

    if problem := _map_options_error(args):
        print(f"traverse build: {problem}", file=sys.stderr)
        return 2
    got = _traverse(args)
    if got is None:
        return 1
    frames, report, site, trav = got
    stem = Path(args.output)
    stem = stem.with_suffix("") if stem.suffix in (".gpkg", ".html") else stem
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = [write_geopackage(
        stem.with_suffix(".gpkg"), lander=trav.lander, frames=frames, stations=trav.stations,
        drives=trav.drives, days=trav.days, local_site=site if args.local else None,
    )]
    written.append(write_days_csv(stem.with_name(stem.name + "_days.csv"), days_table(trav.days)))
    if args.geojson:
        written.append(write_geojson(stem.with_name(stem.name + "_drives.geojson"), trav.drives))
    written.append(_maps(args, frames, trav, stem.with_suffix(".html")))
    skipped = _write_report(report, stem.with_suffix(".gpkg"))
    if not args.quiet:
        print(_summary(frames, report, skipped))
        print(f"{len(trav.stations)} stations, {len(trav.drives)} drives, "
              f"{len(trav.days)} lunar days, {trav.days['drive_m'].sum():.2f} m driven")
        print("wrote " + ", ".join(map(str, written)))
    return 0


def cmd_map(args) -> int:
    """``traverse map PATH... -o FILE.html``: the interactive map only."""
    if problem := _map_options_error(args):
        print(f"traverse map: {problem}", file=sys.stderr)
        return 2
    got = _traverse(args)
    if got is None:
        return 1
    frames, _, _, trav = got
    path = _maps(args, frames, trav, Path(args.output))
    if not args.quiet:
        print(f"wrote {path}")
    return 0


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


def cmd_sample(args) -> int:
    """``traverse sample DIR``: write the synthetic sample archive (days 1–13)."""
    from traverse.synthetic.sample import write_sample_archive

    folder = Path(args.folder)
    if folder.exists() and any(folder.iterdir()) and not args.overwrite:
        print(f"traverse sample: {folder} is not empty; use --overwrite", file=sys.stderr)
        return 2
    if args.overwrite and folder.is_dir():
        _remove_synthetic_products(folder)
    truth = write_sample_archive(folder, seed=args.seed)
    if args.dem:
        from layers.basemaps import write_synthetic_dem

        lon, lat, _ = geodesy.enu_to_lonlat(-150.0, 60.0, 0.0)
        Path(args.dem).parent.mkdir(parents=True, exist_ok=True)
        write_synthetic_dem(Path(args.dem), center_lon=float(lon), center_lat=float(lat),
                            size_m=700.0)
    print(f"wrote a SYNTHETIC sample archive to {folder}: {len(truth.stations)} stations, "
          f"{len(truth.drives)} drives, lunar days 1-13, "
          f"{sum(truth.day_distance_m.values()):.3f} m (not mission data)")
    return 0


def add_pipeline_commands(sub, common) -> None:
    """Register the subcommands on the ``traverse`` argument parser."""
    sp = sub.add_parser("distances", help="distance driven per lunar day")
    common(sp)
    sp.add_argument("--csv", help="also write the table to this CSV file")
    sp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sp.add_argument("--compare-announced", action="store_true",
                    help="add CNSA's announced cumulative odometry and the difference")
    sp.set_defaults(func=cmd_distances)

    def map_options(sp) -> None:
        sp.add_argument("--basemap", action="append", default=[], metavar="FILE.tif",
                        help="GeoTIFF in a lunar CRS drawn under the traverse (repeatable)")
        sp.add_argument("--tiles", action="append", default=[], metavar="NAME",
                        help="lunar tile service from layers/basemaps.json (repeatable)")

    sp = sub.add_parser("build", help="GeoPackage + HTML map + day table into maps/")
    common(sp)
    sp.add_argument("-o", "--output", default="maps/traverse", help="output stem (maps/NAME)")
    sp.add_argument("--local", action="store_true",
                    help="also write the layers in the lander-centred metric CRS")
    sp.add_argument("--geojson", action="store_true", help="also write the drives as GeoJSON")
    map_options(sp)
    sp.set_defaults(func=cmd_build)

    sp = sub.add_parser("map", help="interactive offline HTML map only")
    common(sp)
    sp.add_argument("-o", "--output", required=True, help="FILE.html")
    map_options(sp)
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser("sample", help="write the built-in SYNTHETIC sample archive")
    sp.add_argument("folder", metavar="DIR")
    sp.add_argument("--seed", type=int, default=2019)
    sp.add_argument("--dem", help="also write a SYNTHETIC DEM GeoTIFF for the map's basemap")
    sp.add_argument("--overwrite", action="store_true")
    sp.set_defaults(func=cmd_sample)
