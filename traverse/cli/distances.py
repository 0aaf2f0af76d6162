"""``traverse distances PATH...``: distance driven per lunar day (table, CSV or JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from traverse.cli import options
from traverse.cli.reading import reconstruct_archive

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "run", "ODOMETER_NOTE", "COLUMNS_NOTE"]

ODOMETER_NOTE = (
    "announced = CNSA's odometer (Xinhua/CNSA/China Daily); it also counts turns on the spot "
    "and wheel slip, so it reads longer than the path reconstructed from positions. compared_m ="
    " CNSA's figure where the data resume + the distance measured since."
)


COLUMNS_NOTE = (
    "cumulative_m = what the archive measured (drives only); cumulative_min_m = driven at least"
    " (gaps counted as straight lines); - = unknown, not zero."
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
    """The table for a terminal: a run of days without data is one row (``21–61  no data``)."""
    import numpy as np
    import pandas as pd

    from traverse.path.coverage import day_ranges_text, day_runs

    shown = table.drop(columns=["comparison"], errors="ignore")
    day = shown.columns[0]
    missing = (shown["coverage"].eq("no data").to_numpy() if "coverage" in shown
               else np.zeros(len(shown), dtype=bool))
    out = pd.DataFrame(index=shown.index)
    runs = {a: day_ranges_text(range(a, b + 1)) for a, b in day_runs(shown.loc[missing, day])}
    out[day] = [runs.get(int(d), str(d)) if gone else str(d)
                for d, gone in zip(shown[day], missing, strict=True)]
    for col in shown.columns[1:]:
        values = shown[col]
        if col in ("start_utc", "end_utc"):
            values = pd.to_datetime(values, utc=True).dt.strftime("%Y-%m-%d %H:%M")
        if pd.api.types.is_float_dtype(values):
            text = values.map(lambda v: "-" if pd.isna(v) else f"{v:.2f}")
        else:
            text = values.map(lambda v: "-" if v is None or v is pd.NA or v != v else str(v))
        out[col] = text.where(~missing | (col == "coverage"), "-")  # nothing known on days without data
    keep = ~missing | shown[day].isin(list(runs)).to_numpy()
    return out[keep].to_string(index=False)


def _comparison_notes(table: pd.DataFrame) -> str:
    """Why some days with data are not compared with CNSA, one line per reason."""
    from traverse.path.coverage import day_ranges_text

    rows = table[table["comparison"].ne("") & table.get("coverage", "data").ne("no data")]
    lines = [f"  not compared, lunar day {day_ranges_text(g['lunar_day'])}: {why}"
             for why, g in rows.groupby("comparison", sort=False)]
    started = table[table["announced_before_m"].gt(0) & table["comparison"].eq("")]
    for base, g in started.groupby("announced_before_m", sort=False):
        lines.append(f"  compared from CNSA's {base:.2f} m at the end of lunar day"
                     f" {int(g['lunar_day'].min()) - 1} (lunar day {day_ranges_text(g['lunar_day'])}: "
                     "the archive starts there)")
    return "\n".join(lines)


def _mid_day_text(trav, table) -> str:
    """The announcements made during a lunar day, compared at their date (where the data reach)."""
    from traverse.path.odometry import compare_announced_at_dates

    at = compare_announced_at_dates(trav.drives, table=table, gaps=trav.gaps,
                                    first_rover_day=trav.mission.first_rover_day)
    at = at[(at["kind"] == "as_of") & at["reconstructed_m"].notna()]
    if at.empty:
        return ""
    lines = ["announced during a lunar day, compared at that date:"]
    lines += [f"  {r.as_of:%Y-%m-%d} (day {r.lunar_day}): announced {r.announced_cumulative_m:.2f} m,"
              f" compared {r.reconstructed_m:.2f} m, difference {r.difference_m:+.2f} m"
              for r in at.itertuples(index=False)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print (and optionally write) the per-day table; 0 done, 1 nothing readable."""
    from traverse.path.coverage import coverage_summary
    from traverse.path.days import days_table
    from traverse.path.odometry import compare_announced

    if args.csv is not None:
        if args.csv.suffix.lower() != ".csv":
            raise options.UsageError(f"--csv {args.csv}: use a .csv file")
        options.check_outputs([args.csv], overwrite=args.overwrite)
    trav, _, _ = reconstruct_archive(args)
    table = days_table(trav.days, trav.coverage)
    if args.compare_announced:
        if trav.mission.announced_odometry is None:
            from traverse.missions import missions

            known = " and ".join(m.rover for m in missions().values() if m.announced_odometry)
            raise options.UsageError(f"--compare-announced: announced odometry is known for {known} only,"
                                     f" not for {trav.mission.rover}")
        table = compare_announced(table, gaps=trav.gaps, first_rover_day=trav.mission.first_rover_day)
    if args.csv is not None:
        from layers.tables import write_days_csv

        options.make_output_folders([args.csv])
        write_days_csv(args.csv, table)
    shown = trav.mission.output_columns(table)  # sol on Mars
    if args.json:
        from layers.tables import plain_columns

        print(plain_columns(shown).to_json(orient="records", double_precision=3, indent=1))
        return 0
    print(_table_text(shown))
    print(COLUMNS_NOTE)
    print(coverage_summary(trav.coverage, trav.gaps, trav.mission))
    if args.compare_announced:
        print(ODOMETER_NOTE)
        if notes := _comparison_notes(table):
            print(notes)
        if mid_day := _mid_day_text(trav, table):
            print(mid_day)
    return 0
