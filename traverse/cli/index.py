"""``traverse index PATH... -o OUT``: the frames table, one row per frame (.csv, .gpkg, .parquet)."""

from __future__ import annotations

import argparse
from pathlib import Path

from traverse.cli import options
from traverse.cli.reading import read_archive, skipped_path, summary, write_skipped

__all__ = ["register", "run"]

_SUFFIXES = (".csv", ".gpkg", ".parquet")


def register(subparsers) -> None:
    """Add ``index`` to the ``traverse`` parser."""
    sp = subparsers.add_parser(
        "index", help="read an archive into a frames table (one row per frame)",
        parents=[options.archive_options(), options.overwrite_option(), options.verbosity_options()],
    )
    sp.add_argument("-o", "--output", required=True, type=Path, help="OUT.csv, OUT.gpkg or OUT.parquet")
    sp.add_argument("--columns", default="all", metavar="all|basic|A,B,...",
                    help="the CSV's columns: 'all' (default: every frame column, the basic ones first),"
                         " 'basic' (id, instrument, payload, level, version, sequence, record, time,"
                         " lander ENU, lon/lat, ...) or a comma-separated list of names")
    sp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the frames table; 0 done, 1 nothing readable."""
    out: Path = args.output
    suffix = out.suffix.lower()
    if suffix not in _SUFFIXES:
        raise options.UsageError(f"-o {out}: use a .csv, .gpkg or .parquet file")
    columns = (args.columns if args.columns in ("all", "basic")
               else [c.strip() for c in args.columns.split(",") if c.strip()])
    if suffix != ".csv" and args.columns != "all":
        raise options.UsageError(f"--columns {args.columns}: only a .csv index chooses its columns")
    options.check_outputs([out, skipped_path(out)], overwrite=args.overwrite)
    frames, report, _ = read_archive(args)
    options.make_output_folders([out])
    if suffix == ".gpkg":
        from layers.geopackage import write_geopackage

        write_geopackage(out, {"frames": frames})
    else:
        from layers.tables import frame_columns, write_frames

        try:
            frame_columns(frames, columns)
        except ValueError as exc:
            raise options.UsageError(f"--columns: {exc}") from exc
        write_frames(frames, out, columns=columns)
    skipped = write_skipped(report, out)
    if not args.quiet:
        print(f"wrote {out}")
        print(summary(frames, report, skipped))
    return 0
