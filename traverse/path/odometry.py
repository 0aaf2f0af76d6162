"""CNSA's announced odometry of Yutu-2, read from the project's data file, and the comparison.

``traverse/data/yutu2_announced_odometry.csv`` holds one row per announcement
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

import pandas as pd

__all__ = [
    "ODOMETRY_FILE",
    "announced_odometry",
    "announced_end_of_day_m",
    "compare_announced",
    "compare_announced_at_dates",
]

#: The data file, inside the installed package.
ODOMETRY_FILE = "yutu2_announced_odometry.csv"


@cache
def _table() -> pd.DataFrame:
    with resources.files("traverse").joinpath("data", ODOMETRY_FILE).open("rb") as fh:
        table = pd.read_csv(fh, dtype={"lunar_day": "Int64", "kind": "string", "note": "string",
                                       "source": "string"})
    table["as_of"] = pd.to_datetime(table["as_of"], utc=True)
    bad = ~table["kind"].isin(["end_of_day", "as_of"])
    if bad.any():
        raise ValueError(f"{ODOMETRY_FILE}: unknown kind {table.loc[bad, 'kind'].tolist()}")
    return table


def announced_odometry() -> pd.DataFrame:
    """Every announced figure (a copy): ``lunar_day``, ``cumulative_m`` (metres), ``kind``,
    ``as_of`` (UTC), ``note``, ``source``."""
    return _table().copy()


def announced_end_of_day_m() -> dict[int, float]:
    """Cumulative odometry at the end of each lunar day announced, metres, by lunar day."""
    t = _table()
    t = t[(t["kind"] == "end_of_day") & t["lunar_day"].notna()]
    return {int(d): float(m) for d, m in zip(t["lunar_day"], t["cumulative_m"], strict=True)}


def compare_announced(table: pd.DataFrame, *, announced_m: dict[int, float] | None = None) -> pd.DataFrame:
    """Add the announced end-of-day odometry and the difference to the reconstructed total.

    Expect ``difference_m`` to be negative and to grow with time (odometer,
    module docstring).

    Parameters
    ----------
    table
        Output of :func:`traverse.path.days.days_table` (``lunar_day``,
        ``cumulative_m`` in metres).
    announced_m
        Cumulative odometry per lunar day, metres; default
        :func:`announced_end_of_day_m`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``announced_cumulative_m`` (NaN where nothing was
        announced) and ``difference_m = cumulative_m - announced_cumulative_m``.
    """
    announced = announced_end_of_day_m() if announced_m is None else announced_m
    out = table.copy()
    out["announced_cumulative_m"] = (
        out["lunar_day"].map({int(k): float(v) for k, v in announced.items()}).astype("float64")
    )
    out["difference_m"] = out["cumulative_m"] - out["announced_cumulative_m"]
    return out


def compare_announced_at_dates(
    drives: pd.DataFrame, *, announced: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every announcement beside the reconstructed distance at the same moment.

    ``end_of_day`` figures are compared with the drives that ended in or
    before that lunar day; ``as_of`` figures (a date during a lunar day) with
    the drives that ended before the end of that date (UTC), not at the day's
    end.

    Parameters
    ----------
    drives
        The ``drives`` table (``lunar_day``, ``end_utc``, ``length_2d_m`` in metres).
    announced
        Default :func:`announced_odometry`.

    Returns
    -------
    pandas.DataFrame
        ``lunar_day``, ``kind``, ``as_of``, ``announced_cumulative_m``,
        ``reconstructed_m`` (NaN where the reconstruction has no data by
        then: the announcement lies after its last drive) and ``difference_m``.
    """
    table = announced_odometry() if announced is None else announced.copy()
    ends = pd.DatetimeIndex(pd.to_datetime(drives["end_utc"], utc=True)).as_unit("ns").asi8
    lengths = drives["length_2d_m"].to_numpy(dtype="float64")
    days = drives["lunar_day"].to_numpy()
    last_day = int(days.max()) if len(days) else 0
    last_end = ends.max() if len(ends) else None
    got = []
    for row in table.itertuples(index=False):
        if row.kind == "as_of" and pd.notna(row.as_of):
            moment = (row.as_of.normalize() + pd.Timedelta(days=1)).as_unit("ns").value
            known = last_end is not None and moment <= last_end + pd.Timedelta(days=1).value
            got.append(float(lengths[ends < moment].sum()) if known else float("nan"))
        elif pd.notna(row.lunar_day):
            got.append(float(lengths[days <= row.lunar_day].sum()) if row.lunar_day <= last_day
                       else float("nan"))
        else:
            got.append(float("nan"))
    out = pd.DataFrame({
        "lunar_day": table["lunar_day"], "kind": table["kind"], "as_of": table["as_of"],
        "announced_cumulative_m": table["cumulative_m"].astype("float64"),
        "reconstructed_m": got,
    })
    out["difference_m"] = out["reconstructed_m"] - out["announced_cumulative_m"]
    return out
