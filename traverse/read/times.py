"""Label and file-name times, parsed to a bounded UTC timestamp or refused with a reason.

A label's ``start_date_time`` / ``stop_date_time`` (PDS4 ``ASCII_Date_Time_YMD_UTC``,
``2019-01-03T02:26:00.000Z``, or the day-of-year form ``2019-003T02:26:00Z``)
and a GRAS file name's 14 digits (``20190103022600``) are parsed here with the
standard library, never by pandas directly: pandas holds nanoseconds in 64 bits
(1677–2262), and one time outside that range used to sink a whole run.  Every
time must also fall in its mission's plausible range
(:attr:`traverse.missions.Mission.earliest_utc` .. ``latest_utc``, data in the
mission TOML); a time outside it is an error in that product, which the reader
reports and skips.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from traverse.errors import LabelError

__all__ = ["parse_utc", "plausible_time"]

_ISO = re.compile(
    r"^(?P<year>\d{4})-(?:(?P<month>\d{2})-(?P<day>\d{2})|(?P<doy>\d{3}))"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<frac>\d{1,9}))?)?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})"
                      r"(?P<second>\d{2})$")


def _zone(text: str | None) -> dt.timezone:
    if text is None or text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    if minutes >= 24 * 60:
        raise ValueError("time zone offset of a day or more")
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def parse_utc(text: str) -> dt.datetime:
    """``text`` (ISO 8601 date-time, day-of-year form, or 14 digits) as an aware UTC datetime.

    Raises
    ------
    ValueError
        ``text`` is not such a time, or names a day or hour that does not exist.
    """
    text = str(text).strip()
    m = _ISO.match(text) or _COMPACT.match(text)
    if m is None:
        raise ValueError("expected YYYY-MM-DDThh:mm:ss[.fff]Z")
    g = m.groupdict()
    year = int(g["year"])
    if g.get("doy"):
        doy = int(g["doy"])
        if not 1 <= doy <= (366 if calendar.isleap(year) else 365):
            raise ValueError(f"day of year {doy} does not exist in {year}")
        date = dt.date(year, 1, 1) + dt.timedelta(days=doy - 1)
    else:
        date = dt.date(year, int(g["month"]), int(g["day"]))
    frac = (g.get("frac") or "").ljust(6, "0")[:6]
    stamp = dt.datetime(date.year, date.month, date.day, int(g["hour"] or 0), int(g["minute"] or 0),
                        int(g["second"] or 0), int(frac or 0), tzinfo=_zone(g.get("zone")))
    return stamp.astimezone(dt.UTC)


def plausible_time(text: str, what: str, mission, *, source: str) -> pd.Timestamp:
    """``text`` parsed by :func:`parse_utc` and checked against ``mission``'s plausible range.

    Parameters
    ----------
    text
        The time as the label or the file name gives it.
    what
        Its name for the message (``start_date_time``, ``the file name's start``).
    mission
        A :class:`traverse.missions.Mission` (its ``earliest_utc``, ``latest_utc``).
    source
        The file it comes from.

    Raises
    ------
    LabelError
        Not a time, or outside the mission's range: one line naming the value
        and the range.
    """
    try:
        stamp = parse_utc(text)
    except (ValueError, OverflowError) as exc:
        raise LabelError(f"{what} {str(text)[:40]!r} is not a UTC date-time ({exc}); skipped",
                         source=source) from None
    lo, hi = mission.earliest_utc.to_pydatetime(), mission.latest_utc.to_pydatetime()
    if not lo <= stamp <= hi:
        raise LabelError(
            f"{what} {str(text)[:40]!r} is outside {mission.name}'s plausible times"
            f" ({lo:%Y-%m-%d} to {hi:%Y-%m-%d}); skipped",
            source=source,
        )
    return pd.Timestamp(stamp)
