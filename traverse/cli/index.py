"""``traverse index PATH... -o OUT``: the frames table, one row per frame (.csv, .gpkg, .parquet)."""

from __future__ import annotations

import argparse
import importlib.util
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
    sp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the frames table; 0 done, 1 nothing readable."""
    out: Path = args.output
    suffix = out.suffix.lower()
    if suffix not in _SUFFIXES:
        raise options.UsageError(f"-o {out}: use a .csv, .gpkg or .parquet file")
    if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        raise options.UsageError(f"-o {out}: GeoParquet needs pyarrow (pip install 'traverse[parquet]')")
    options.check_outputs([out, skipped_path(out)], overwrite=args.overwrite)
    frames, report, _ = read_archive(args)
    options.make_output_folders([out])
    if suffix == ".gpkg":
        from layers.geopackage import write_geopackage

        write_geopackage(out, {"frames": frames})
    else:
        from layers.tables import write_frames

        write_frames(frames, out)
    skipped = write_skipped(report, out)
    if not args.quiet:
        print(f"wrote {out}")
        print(summary(frames, report, skipped))
    return 0
