"""``traverse build PATH... -o maps/NAME``: GeoPackage, HTML map and day table (and GeoJSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from traverse.cli import options
from traverse.cli.mapping import (
    add_map_options,
    check_map_options,
    store_project,
    with_image_files,
    with_terrain,
    write_map,
)
from traverse.cli.reading import reconstruct_archive, skipped_path, summary, write_skipped

__all__ = ["register", "run", "build_outputs"]


def register(subparsers) -> None:
    """Add ``build`` to the ``traverse`` parser."""
    sp = subparsers.add_parser(
        "build", help="GeoPackage + HTML map + day table into maps/",
        parents=[options.archive_options(), options.overwrite_option(), options.verbosity_options()],
    )
    sp.add_argument("-o", "--output", default=Path("maps/traverse"), type=Path,
                    help="output stem: writes STEM.gpkg, STEM.html, STEM_days.csv (default maps/traverse)")
    sp.add_argument("--local", action="store_true",
                    help="also write the layers in the lander-centred metric CRS")
    sp.add_argument("--geojson", action="store_true", help="also write the drives as GeoJSON")
    sp.add_argument("--science", choices=("none", "radar", "spectra", "all"), default=None,
                    help="science along the track: radargrams of the drives (PNGs in NAME_files/radar/, "
                         "the radar_traces layer) and the VNIS-SD spectra (the spectra table); default: "
                         "what the archive holds")
    add_map_options(sp)
    sp.set_defaults(func=run)


def build_outputs(output: Path, *, geojson: bool) -> dict[str, Path]:
    """The files ``build -o output`` writes, by kind (``output`` may end in .gpkg or .html)."""
    stem = output.with_suffix("") if output.suffix.lower() in (".gpkg", ".html") else output
    if stem.suffix:
        raise options.UsageError(f"-o {output}: give a name without suffix (maps/NAME), or NAME.gpkg")
    files = {"gpkg": stem.with_suffix(".gpkg"), "days": stem.with_name(stem.name + "_days.csv"),
             "html": stem.with_suffix(".html")}
    if geojson:
        files["geojson"] = stem.with_name(stem.name + "_drives.geojson")
    return files


def run(args: argparse.Namespace) -> int:
    """Write every output as one set (:func:`traverse.outputs.output_set`).

    Returns 0 when done, 1 when nothing is readable or an output failed (or
    another run writes the same names), 2 for bad options.
    """
    from layers.geopackage import write_geopackage
    from layers.radargrams import write_radargrams
    from layers.tables import write_days_csv, write_geojson
    from traverse.images import images_folder
    from traverse.outputs import output_set
    from traverse.path.coverage import coverage_summary
    from traverse.path.days import days_table
    from traverse.science.along_track import (
        along_track,
        drives_with_radargrams,
        radar_traces_layer,
        radargram_table,
        science_modes,
    )

    files = build_outputs(args.output, geojson=args.geojson)
    checked = [*files.values(), skipped_path(files["gpkg"])]
    options.check_outputs(checked, overwrite=args.overwrite)
    check_map_options(args)
    trav, report, products = reconstruct_archive(args)
    trav = with_terrain(args, trav)
    radar, spectra = science_modes(getattr(args, "science", None))
    science = along_track(trav, products, report, radar=radar, spectra=spectra)
    options.make_output_folders(files.values())
    # the whole set, a stale GeoJSON, report and images of an earlier build included
    every = [*build_outputs(args.output, geojson=True).values(), skipped_path(files["gpkg"]),
             images_folder(files["html"])]
    with output_set(files["gpkg"].parent, [p.name for p in every],
                    fresh=[] if args.overwrite else [p.name for p in checked]) as stage:
        staged = {kind: stage / path.name for kind, path in files.items()}
        trav = with_image_files(args, trav, products, report, staged["html"])
        radargrams = write_radargrams(images_folder(staged["html"]), science.radargrams)
        traces = radar_traces_layer(science.radargrams, trav.site, radargrams)
        layers = trav.layers() | ({"radar_traces": traces} if traces is not None else {})
        if radargrams:  # the drives' map tip shows their radargrams
            layers["drives"] = drives_with_radargrams(layers["drives"], radargrams)
        spectra = None if science.spectra.empty else science.spectra
        write_geopackage(staged["gpkg"], layers, coverage=trav.coverage, spectra=spectra, local=args.local)
        job = store_project(args, trav, staged["gpkg"], files["gpkg"].parent)  # QGIS works meanwhile
        try:
            write_days_csv(staged["days"], days_table(trav.days, trav.coverage))
            if args.geojson:
                write_geojson(staged["geojson"], trav.layers()["drives"])  # with the gaps (kind)
            write_map(args, trav, staged["html"], files["html"],
                      {"radar_traces": traces, "spectra": spectra,
                       "radargrams": radargram_table(science.radargrams, radargrams)})
            skipped = write_skipped(report, staged["gpkg"]) and skipped_path(files["gpkg"])
            project = job.result()
        finally:
            job.cancel()  # a failed or interrupted build leaves no QGIS running
    written = [files[kind] for kind in ("gpkg", "days", "geojson", "html") if kind in files]
    if not args.quiet:
        print(summary(trav.frames, report, skipped))
        print(f"{len(trav.stations)} stations, {len(trav.drives)} drives, "
              f"{len(trav.days)} {trav.mission.day_name}s, {trav.days['drive_m'].sum():.2f} m driven")
        print(coverage_summary(trav.coverage, trav.gaps, trav.mission))
        print(project.message, file=sys.stdout if project.stored else sys.stderr)
        print("wrote " + ", ".join(map(str, written)))
    return 0
