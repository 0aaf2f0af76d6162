"""``traverse distances PATH...``: distance driven per lunar day (table, CSV or JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from traverse.cli import options
from traverse.cli.reading import reconstruct_archive

__all__ = ["register", "run", "ODOMETER_NOTE"]

ODOMETER_NOTE = (
    "announced = CNSA's odometer (Xinhua/CNSA/China Daily); it also counts turns on the spot "
    "and wheel slip, so it reads longer than the path reconstructed from positions."
)


def register(subparsers) -> None:
    """Add ``distances`` to the ``traverse`` parser."""
    sp = subparsers.add_parser(
        "distances", help="distance driven per lunar day (per sol on Mars)",
        parents=[options.archive_options(), options.overwrite_option(), options.verbosity_options()],
    )
    sp.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    sp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sp.add_argument("--compare-announced", action="store_true",
                    help="add CNSA's announced cumulative odometry and the difference")
    sp.set_defaults(func=run)


def _table_text(table: pd.DataFrame) -> str:
    shown = table.copy()
    for col in ("start_utc", "end_utc"):
        shown[col] = pd.to_datetime(shown[col], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    return shown.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-")


def _mid_day_text(drives) -> str:
    """The announcements made during a lunar day, compared at their date (where the data reach)."""
    from traverse.path.odometry import compare_announced_at_dates

    at = compare_announced_at_dates(drives)
    at = at[(at["kind"] == "as_of") & at["reconstructed_m"].notna()]
    if at.empty:
        return ""
    lines = ["announced during a lunar day, compared at that date:"]
    lines += [f"  {r.as_of:%Y-%m-%d} (day {r.lunar_day}): announced {r.announced_cumulative_m:.2f} m,"
              f" reconstructed {r.reconstructed_m:.2f} m, difference {r.difference_m:+.2f} m"
              for r in at.itertuples(index=False)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print (and optionally write) the per-day table; 0 done, 1 nothing readable."""
    from traverse.path.days import days_table
    from traverse.path.odometry import compare_announced

    if args.csv is not None:
        if args.csv.suffix.lower() != ".csv":
            raise options.UsageError(f"--csv {args.csv}: use a .csv file")
        options.check_outputs([args.csv], overwrite=args.overwrite)
    trav, _, _ = reconstruct_archive(args)
    table = days_table(trav.days)
    if args.compare_announced:
        if trav.mission.key != "ce4":
            raise options.UsageError(f"--compare-announced: announced odometry is known for Yutu-2 only,"
                                     f" not for {trav.mission.rover}")
        table = compare_announced(table)
    if args.csv is not None:
        from layers.tables import write_days_csv

        options.make_output_folders([args.csv])
        write_days_csv(args.csv, table)
    table = trav.mission.output_columns(table)  # sol on Mars
    if args.json:
        from layers.tables import plain_columns

        print(plain_columns(table).to_json(orient="records", double_precision=3, indent=1))
    else:
        print(_table_text(table))
        if args.compare_announced:
            print(ODOMETER_NOTE)
            if mid_day := _mid_day_text(trav.drives):
                print(mid_day)
    return 0
