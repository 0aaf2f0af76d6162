"""Coverage on the web map: the gaps' tooltips and payload, and the per-day panel with the days without data.

A gap (:func:`traverse.path.coverage.find_gaps`) is a jump of the rover no
drive explains: a straight segment whose length (metres, horizontal chord in
lander ENU) is a lower bound of the distance driven there, never a drive.  The
map draws it dotted grey with a tooltip saying so ("No data between lunar day
20 and lunar day 62 (days 21–61 missing): at least 651 m"); the panel lists the
days without data greyed, a run of them as one row ("21–61 no data"), and its
total says what was measured and, with gaps, how far the rover went at least.

Every string that joins the page's HTML goes through :func:`layers.popups.esc`.
"""

from __future__ import annotations

import pandas as pd

from layers import timeline
from layers.popups import esc, utc
from traverse.missions import Mission
from traverse.path.coverage import day_ranges_text, day_runs

__all__ = ["gap_text", "gaps_payload", "missing_runs", "days_panel_html"]

#: Grey of the gaps and of the days without data (the same in the QGIS style, layers/styles/drives.qml).
GAP_GREY = "#808080"


def _days_word(mission: Mission) -> str:
    """``days`` (lunar days), ``sols``: the plural used in "(days 21–61 missing)"."""
    return mission.day_name.split()[-1] + "s"


def _origin_word(mission: Mission) -> str:
    """``lander``, ``landing site``: the mission's origin of positions (its TOML) without its article."""
    return mission.origin.removeprefix("the ")


def gap_text(gap, mission: Mission) -> str:
    """The tooltip of one gap (plain text; escape before it joins HTML).

    ``gap`` is a row of the gaps table (``lunar_day`` where it arrives,
    ``from_day`` where it left, <NA> from the lander; ``missing_days``;
    ``length_2d_m``, metres, a lower bound).
    """
    day, metres = mission.day_name, f"at least {gap.length_2d_m:.0f} m"
    missing = str(gap.missing_days or "") if not pd.isna(gap.missing_days) else ""
    if pd.isna(gap.from_day):
        if missing:
            return f"No data before {day} {gap.lunar_day}: {metres} from {mission.origin}"
        return f"No data between {mission.origin} and the first position ({day} {gap.lunar_day}): {metres}"
    if int(gap.from_day) == int(gap.lunar_day):
        return f"No drive data within {day} {gap.lunar_day}: {metres}"
    text = f"No data between {day} {gap.from_day} and {day} {gap.lunar_day}"
    if missing:
        text += f" ({_days_word(mission)} {missing} missing)"
    return f"{text}: {metres}"


def gaps_payload(gaps: pd.DataFrame, mission: Mission) -> list[dict]:
    """The gaps for ``TraverseMap.addGaps``.

    Each has ``latlngs`` ([lat, lon] degrees), ``t`` (ms UTC of arrival: shown
    from then on by the time control) and the escaped ``tooltip``.
    """
    return [
        {"latlngs": [[round(y, 8), round(x, 8)] for x, y in g.geometry.coords],
         "t": timeline.ms(g.end_utc), "tooltip": esc(gap_text(g, mission))}
        for g in gaps.itertuples(index=False) if g.geometry is not None and not g.geometry.is_empty
    ]


def missing_runs(days: pd.DataFrame, coverage: pd.DataFrame | None) -> list[tuple[int, int]]:
    """``[(first, last), ...]``: the runs of consecutive local days that ``coverage`` lists without data."""
    if coverage is None or not len(coverage):
        return []
    have = set(days["lunar_day"].astype(int))
    return day_runs(int(d) for d, ok in zip(coverage["lunar_day"], coverage["covered"], strict=True)
                    if not ok and int(d) not in have)


def _day_row(d, colour: str) -> str:
    """A day's row (``data-day``); its station count selects the day's stations (traverse-products.js)."""
    return (f"<tr data-day='{esc(d.lunar_day)}'><td><span class='swatch' style='background:{colour}'></span>"
            f" {esc(d.lunar_day)}</td><td>{utc(d.start_utc)[:10]}</td>"
            f"<td><a href='#' class='traverse-day-stations' data-day='{esc(d.lunar_day)}'"
            f" title='show these stations on the map'>{esc(d.stations)}</a></td><td>{d.drive_m:.1f}</td>"
            f"<td>{d.drive_3d_m:.1f}</td><td>{d.cumulative_m:.1f}</td><td>{d.from_lander_m:.1f}</td></tr>")


def _missing_row(first: int, last: int) -> str:
    label = day_ranges_text(range(first, last + 1))
    return (f"<tr class='traverse-no-data' style='color:#999'><td><span class='swatch'></span> {label}</td>"
            "<td colspan='6' style='text-align:left'>no data</td></tr>")


def _total(days: pd.DataFrame, gaps: pd.DataFrame | None) -> str:
    """``Measured: 5.6 m driven · at least 970.8 m with 2 gaps``: drives only, then with the gaps."""
    measured = float(days["drive_m"].sum()) if len(days) else 0.0
    text = f"<div class='traverse-days-total'><b>Measured: {measured:.1f} m driven</b>"
    if gaps is not None and len(gaps):
        least = measured + float(gaps["length_2d_m"].sum())
        text += (f" · at least {least:.1f} m with {len(gaps)} gap{'s' if len(gaps) > 1 else ''}"
                 " (straight, no data)")
    return text + "</div>"


def days_panel_html(days: pd.DataFrame, colours: dict, control_name: str, mission: Mission,
                    coverage: pd.DataFrame | None = None,
                    gaps: pd.DataFrame | None = None) -> tuple[str, int]:
    """The panel's HTML (legend, per-day table, total) and its number of table rows.

    ``days``: the days with data (:func:`traverse.path.days.summarise_days`);
    ``coverage``: every local day (:func:`traverse.path.coverage.coverage_from_frames`),
    whose days without data become greyed rows, one per run; ``gaps``: their
    lengths (metres, lower bounds) join the total as "at least".
    """
    rows = [(int(d.lunar_day), _day_row(d, colours[d.lunar_day])) for d in days.itertuples(index=False)]
    rows += [(a, _missing_row(a, b)) for a, b in missing_runs(days, coverage)]
    rows.sort(key=lambda r: r[0])
    legend = ("<span style='border-top:2px dashed #1b1b1b;display:inline-block;width:18px'></span>"
              " inferred drive &nbsp; <span style='border-top:2px solid #1b1b1b;display:inline-block;"
              f"width:18px'></span> drive from {esc(mission.pose_instruments)} poses")
    if gaps is not None and len(gaps):
        legend += (f"<br><span style='border-top:3px dotted {GAP_GREY};display:inline-block;width:18px'>"
                   "</span> gap: no data, straight (at least)")
    html = (
        f"<b>{esc(mission.rover)} traverse by {esc(mission.day_name)}</b> (control: {esc(control_name)})"
        f"<table><tr><th>{esc(mission.day_name)}</th><th>start</th><th>stations</th><th>drive m</th>"
        f"<th>3-D m</th><th>total m</th><th>from {esc(_origin_word(mission))} m</th></tr>"
        f"{''.join(r for _, r in rows)}</table>"
        + _total(days, gaps) + legend
    )
    return html, len(rows)
