"""``traverse map PATH... -o FILE.html``: the interactive offline map (see :mod:`traverse.cli.mapping`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from traverse.cli import options
from traverse.cli.mapping import add_map_options, check_map_options, with_image_files, with_terrain, write_map
from traverse.cli.reading import reconstruct_archive

__all__ = ["register", "run"]


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
    from traverse.images import images_folder
    from traverse.outputs import output_set

    with output_set(out.parent if str(out.parent) else Path("."), [out.name, images_folder(out).name],
                    fresh=[] if args.overwrite else [out.name]) as stage:
        trav = with_image_files(args, trav, products, report, stage / out.name)
        write_map(args, trav, stage / out.name, out)
    if not args.quiet:
        from traverse.path.coverage import coverage_summary

        print(coverage_summary(trav.coverage, trav.gaps, trav.mission))
        print(f"wrote {out}")
    return 0
