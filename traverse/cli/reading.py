"""Reading the archive for a subcommand: progress bar, the skipped-products report, the summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from traverse.cli.options import Progress, cache_folder
from traverse.errors import Report, TraverseError, UsageError

__all__ = ["read_archive", "reconstruct_archive", "skipped_path", "write_skipped", "summary"]


def read_archive(args: argparse.Namespace):
    """``(frames, report, products)`` of ``args.paths`` at ``args.control``, with a progress bar.

    ``products`` are the archive's products (their sources name files and zip
    members, the bundles closed): the images stage finds data files there
    without searching the archive again.

    Raises
    ------
    TraverseError
        No product could be read (exit status 1), naming the paths and the
        number of problems.
    """
    from traverse.errors import Report
    from traverse.missions import missions
    from traverse.read.archive import open_archive
    from traverse.read.frames import frames_from_archive

    try:
        with Progress(args, "reading products") as bar, open_archive(args.paths, report=Report()) as archive:
            site = _control_site(args, archive)
            frames = frames_from_archive(archive, site=site, progress=bar, cache=cache_folder(args))
            report, products = archive.report, archive.products
    except TraverseError:
        raise
    except ValueError as exc:  # a bug or a library's refusal deep in the read: exit 1, its own words
        raise TraverseError(f"reading {' '.join(map(str, args.paths))} failed: {exc}") from exc
    if len(frames) == 0:
        first = "; ".join(f"{p.source}: {p.reason}" for p in report.problems[:3])
        raise TraverseError(
            f"no {' or '.join(m.name for m in missions().values())} products could be read from"
            f" {' '.join(map(str, args.paths))}"
            f" ({len(report)} problems{': ' + first if first else ''})"
        )
    return frames, report, products


def _control_site(args: argparse.Namespace, archive):
    """The lander site ``--control`` names for the archive's mission; a usage error if none.

    Without ``--control``: ``label``, or in ``build``/``map`` the control network of
    the cached orbital products (:func:`traverse.cli.orbital.orbital_control`).
    """
    from traverse import geodesy, missions
    from traverse.cli.orbital import orbital_control

    mission = missions.mission_of_names(p.name.product_id for p in archive.products)
    control = orbital_control(args, mission)
    try:
        return geodesy.lander_site(control, mission.sites)
    except ValueError as exc:  # a --control name the archive's mission does not have
        raise UsageError(f"--control: {exc}") from None


def reconstruct_archive(args: argparse.Namespace):
    """``(traverse, report, products)``: :func:`read_archive`, then :func:`traverse.reconstruct`.

    Raises
    ------
    TraverseError
        Nothing readable, or no rover position at all (lander cameras only).
    """
    from traverse.path.reconstruct import reconstruct

    frames, report, products = read_archive(args)
    rover = frames[frames["role"] == "rover"]
    if rover[["x_east_m", "y_north_m"]].dropna().empty:
        raise TraverseError("the products hold no rover position (lander cameras only?)")
    from traverse.path.settings import DEFAULT_SETTINGS

    settings = DEFAULT_SETTINGS
    if getattr(args, "view_length", None) is not None:
        settings = settings.replace(view_length_m=args.view_length)
    return reconstruct(frames, settings=settings), report, products


def skipped_path(output: Path) -> Path:
    """Where the skipped-products report of an output goes: ``NAME_skipped.csv`` beside it."""
    return output.with_name(output.stem + "_skipped.csv")


def write_skipped(report: Report, output: Path) -> Path | None:
    """Write the problems next to ``output`` (or remove a stale report when there are none).

    Columns ``source``, ``reason``, ``count`` (items lost) and ``severity``
    (``error``: skipped; ``warning``: kept with a caveat, e.g. a truncated product).
    """
    from layers.tables import write_problems

    path = skipped_path(output)
    if not len(report):
        path.unlink(missing_ok=True)
        return None
    return write_problems(path, report.to_frame())


def summary(frames, report: Report, skipped: Path | None) -> str:
    """Lines for the terminal: frames per instrument, radar (LPR, RoPeR) records, the problems."""
    from traverse.missions import mission_of

    labels = frames[frames["record"].isna()]
    lpr = frames[frames["record"].notna()]
    per = labels.groupby("instrument").size().to_dict()
    per_txt = ", ".join(f"{k} {v}" for k, v in sorted(per.items())) or "none"
    radar = mission_of(frames).pose_instruments
    lines = [
        f"{len(labels)} label products ({per_txt}); "
        f"{lpr['product_id'].nunique()} {radar} products with {len(lpr)} records; "
        f"{len(frames)} frames"
    ]
    bad = report.to_frame()
    if len(bad):
        where = f" (listed in {skipped})" if skipped else ""
        kept = len(report.warnings)
        kinds = f" ({kept} warnings: data kept with a caveat)" if kept else ""
        lines.append(f"{len(bad)} problems{kinds}{where}:")
        lines += [f"  {'warning: ' if r.severity == 'warning' else ''}{r.source}: {r.reason}"
                  for r in bad.head(20).itertuples()]
        if len(bad) > 20:
            lines.append(f"  ... and {len(bad) - 20} more")
    return "\n".join(lines)
