"""CNSA's announced odometry of Yutu-2, read from the project's data file, and the comparison.

``traverse/data/yutu2_announced_odometry.csv`` (named by ``announced_odometry`` in
the mission's TOML) holds one row per announcement
found: ``lunar_day``, ``cumulative_m`` (metres), ``kind`` (``end_of_day``: the
total at the end of that lunar day; ``as_of``: a figure on the date
``as_of``), ``as_of``, ``note`` and ``source`` (a copy of the CNSA/Xinhua
statement).  Days without a row were not found, not zero.

An odometer counts wheel turns, so it includes turns on the spot and slip; it
reads longer than the path drawn from positions.

The figures and sources were gathered for the project (``shared/data/odometry``:
news copies of CNSA/Xinhua statements, facts free to use) and are kept here in
the project's own file and column order.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from traverse.missions import Mission, mission

__all__ = [
    "announced_odometry",
    "announced_end_of_day_m",
    "compare_announced",
    "compare_announced_at_dates",
]

_DTYPES = {"lunar_day": "Int64", "kind": "string", "note": "string", "source": "string"}


@cache
def _table(file_name: str | None) -> pd.DataFrame:
    if file_name is None:  # a rover with no announced odometry: an empty table
        columns = {**_DTYPES, "cumulative_m": "float64"}
        empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
        empty["as_of"] = pd.Series(dtype="datetime64[ns, UTC]")
        return empty
    with resources.files("traverse").joinpath("data", file_name).open("rb") as fh:
        table = pd.read_csv(fh, dtype=_DTYPES)
    table["as_of"] = pd.to_datetime(table["as_of"], utc=True)
    bad = ~table["kind"].isin(["end_of_day", "as_of"])
    if bad.any():
        raise ValueError(f"{file_name}: unknown kind {table.loc[bad, 'kind'].tolist()}")
    return table


def announced_odometry(mission_: Mission | None = None) -> pd.DataFrame:
    """Every figure announced for the mission's rover (a copy; empty when none is known).

    Columns ``lunar_day``, ``cumulative_m`` (metres), ``kind``, ``as_of`` (UTC),
    ``note``, ``source``.

    Parameters
    ----------
    mission_
        Default: the default mission (:func:`traverse.missions.default_mission`); the file is
        its ``announced_odometry``.
    """
    return _table((mission_ or mission()).announced_odometry).copy()


def announced_end_of_day_m(mission_: Mission | None = None) -> dict[int, float]:
    """Cumulative odometry at the end of each lunar day announced, metres, by lunar day."""
    t = _table((mission_ or mission()).announced_odometry)
    t = t[(t["kind"] == "end_of_day") & t["lunar_day"].notna()]
    return {int(d): float(m) for d, m in zip(t["lunar_day"], t["cumulative_m"], strict=True)}


def _covered(table: pd.DataFrame) -> pd.Series:
    if "coverage" in table.columns:
        return table["coverage"].fillna("data").ne("no data")
    return pd.Series(True, index=table.index)


def compare_announced(
    table: pd.DataFrame,
    *,
    gaps: pd.DataFrame | None = None,
    first_rover_day: int = 1,
    announced_m: dict[int, float] | None = None,
) -> pd.DataFrame:
    """Compare the distance measured in the archive with CNSA's end-of-day odometry, like with like.

    An archive that starts after lunar day 1, or skips days, cannot give the
    mission's total by itself.  Each *run* of consecutive days with data, no
    gap arriving after its first day, is therefore compared from the
    announced total at the end of the day before it::

        compared_m = announced(first day of the run - 1) + drive_m summed over the run so far

    (from 0 for a run starting on the rover's first day).  Where that figure was
    never announced, or a gap falls inside the run's first day, the run
    cannot be compared: ``compared_m`` and ``difference_m`` are NaN and
    ``comparison`` says why.  Expect ``difference_m`` to be negative and to
    grow with time (odometer, module docstring).

    Parameters
    ----------
    table
        Output of :func:`traverse.path.days.days_table` (``lunar_day``,
        ``drive_m`` in metres; ``coverage`` and ``gap_m`` if present: days
        "no data" are never compared).
    gaps
        :attr:`traverse.path.reconstruct.Traverse.gaps` (``lunar_day``,
        ``from_day``): tells a gap from the previous days from one inside a day.
    first_rover_day
        The lunar day the rover drove onto the surface (1).
    announced_m
        Cumulative odometry per lunar day, metres; default :func:`announced_end_of_day_m`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``announced_before_m`` (the run's starting figure),
        ``compared_m``, ``announced_cumulative_m`` (NaN where nothing was
        announced), ``difference_m = compared_m - announced_cumulative_m`` and
        ``comparison`` (``""`` where compared, else the reason).
    """
    announced = {int(k): float(v) for k, v in
                 (announced_end_of_day_m() if announced_m is None else announced_m).items()}
    out = table.copy()
    covered = _covered(out).to_numpy()
    day = out["lunar_day"].to_numpy(dtype="int64")
    drive = out["drive_m"].to_numpy(dtype="float64") if "drive_m" in out else np.zeros(len(out))
    if "drive_m" not in out and "cumulative_m" in out:  # a bare table of running totals
        drive = np.diff(np.r_[0.0, out["cumulative_m"].to_numpy(dtype="float64")])
    gap_m = out["gap_m"].fillna(0.0).to_numpy(dtype="float64") if "gap_m" in out else np.zeros(len(out))
    inside = set()
    if gaps is not None and len(gaps):
        same = gaps["from_day"].notna() & (gaps["from_day"] == gaps["lunar_day"])
        inside = set(gaps.loc[same, "lunar_day"].astype(int))
    before = np.full(len(out), np.nan)
    compared = np.full(len(out), np.nan)
    why = [""] * len(out)
    base, note, running, prev = np.nan, "", 0.0, None
    for i in np.argsort(day, kind="stable"):
        d = int(day[i])
        if not covered[i]:
            why[i], prev = f"no data for lunar day {d}", None
            continue
        if prev is None or d != prev + 1 or gap_m[i] > 0:  # a new run starts here
            running, note = 0.0, ""
            if d in inside or (d == first_rover_day and gap_m[i] > 0):
                base, note = np.nan, f"a gap inside lunar day {d}: the distance before it is unknown"
            elif d == first_rover_day:
                base = 0.0
            else:
                base = announced.get(d - 1, np.nan)
                if np.isnan(base):
                    note = f"no announced figure for the end of lunar day {d - 1}, where the data resume"
        running += float(drive[i]) if np.isfinite(drive[i]) else 0.0
        before[i], compared[i], why[i], prev = base, base + running, note, d
    out["announced_before_m"] = before
    out["compared_m"] = compared
    out["announced_cumulative_m"] = out["lunar_day"].map(announced).astype("float64")
    out["difference_m"] = out["compared_m"] - out["announced_cumulative_m"]
    out["comparison"] = [w if w or np.isfinite(c) else "" for w, c in zip(why, compared, strict=True)]
    return out


def compare_announced_at_dates(
    drives: pd.DataFrame,
    *,
    table: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    first_rover_day: int = 1,
    announced: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every announcement beside the distance compared at the same moment (:func:`compare_announced`).

    ``end_of_day`` figures are compared with the day's ``compared_m``;
    ``as_of`` figures (a date during a lunar day) with the run's starting
    figure plus the drives of the run that ended before the end of that date
    (UTC), not at the day's end.  A figure whose day the archive does not
    hold, or whose run has no starting figure, is not compared (NaN) and
    ``comparison`` says why.

    Parameters
    ----------
    drives
        The ``drives`` table (``lunar_day``, ``end_utc``, ``length_2d_m`` in metres).
    table
        Output of :func:`traverse.path.days.days_table` with coverage; default:
        every day from the first to the last drive, all with data.
    gaps, first_rover_day
        As for :func:`compare_announced`.
    announced
        Default :func:`announced_odometry`.

    Returns
    -------
    pandas.DataFrame
        ``lunar_day``, ``kind``, ``as_of``, ``announced_cumulative_m``,
        ``reconstructed_m`` (NaN where it cannot be known), ``difference_m``
        and ``comparison``.
    """
    figures = announced_odometry() if announced is None else announced.copy()
    ends = pd.DatetimeIndex(pd.to_datetime(drives["end_utc"], utc=True))
    lengths = drives["length_2d_m"].to_numpy(dtype="float64")
    ddays = drives["lunar_day"].to_numpy(dtype="int64")
    if table is None:
        span = range(int(ddays.min()), int(ddays.max()) + 1) if len(ddays) else range(0)
        per = pd.Series(lengths).groupby(ddays).sum()
        table = pd.DataFrame({"lunar_day": list(span),
                              "drive_m": [float(per.get(d, 0.0)) for d in span]})
    cmp = compare_announced(table, gaps=gaps, first_rover_day=first_rover_day,
                            announced_m=announced_end_of_day_m()).set_index("lunar_day")
    last_end = ends.max() if len(ends) else None
    got, why = [], []
    for row in figures.itertuples(index=False):
        d = row.lunar_day
        if pd.isna(d) and pd.notna(row.as_of):
            d = mission().local_day(row.as_of)
        if pd.isna(d) or int(d) not in cmp.index:
            got.append(np.nan)
            why.append("" if pd.isna(d) else f"lunar day {int(d)} is not in the archive")
            continue
        c = cmp.loc[int(d)]
        if not np.isfinite(c["compared_m"]):
            got.append(np.nan)
            why.append(c["comparison"])
        elif row.kind == "as_of" and pd.notna(row.as_of):
            moment = row.as_of.normalize() + pd.Timedelta(days=1)
            if last_end is None or moment > last_end + pd.Timedelta(days=1):
                got.append(np.nan)
                why.append(f"{row.as_of:%Y-%m-%d} is after the last drive in the archive")
                continue
            earlier = float(c["compared_m"]) - float(c["drive_m"]) if "drive_m" in c else np.nan
            today = lengths[(ddays == int(d)) & (ends < moment)].sum()
            got.append(earlier + float(today))
            why.append("")
        else:
            got.append(float(c["compared_m"]))
            why.append("")
    out = pd.DataFrame({
        "lunar_day": figures["lunar_day"], "kind": figures["kind"], "as_of": figures["as_of"],
        "announced_cumulative_m": figures["cumulative_m"].astype("float64"),
        "reconstructed_m": got,
    })
    out["difference_m"] = out["reconstructed_m"] - out["announced_cumulative_m"]
    out["comparison"] = why
    return out
