"""Science on the web map, as data: radargram strips in the drive popups, spectra at the targets.

* :func:`radar_payload`: per radargram (drive × radar product) its PNG's path
  (``NAME_files/radar/…``, beside the HTML: offline), size, axes and the
  decimated traces of ``radar_traces`` (one per image column: ``column``,
  ``lat``/``lon`` degrees, ``along_m``, ``record``).  The page
  (``assets/traverse-radar.js``) maps a hovered pixel column to its trace and
  moves a marker there; hovering near the drive moves a cursor over the strip.
* :func:`radar_strip_html`: the strip of a drive's popup (escaped HTML),
  filled in by the page.
* :func:`spectra_payload`: each spectrum as named columns (wavelength nm,
  value with its unit and level) for ``assets/traverse-spectra.js``: a chart in
  its target's popup and a comparison chart of several targets.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

__all__ = ["radar_payload", "radar_strip_html", "spectra_payload"]

#: Strip size in a drive popup, CSS pixels (the PNG is stretched to it: columns × samples).
STRIP_WIDTH_PX, STRIP_HEIGHT_PX = 280, 160


def _nice(value: float, unit: str) -> str:
    return "?" if not math.isfinite(value) else f"{value:,.0f} {unit}".replace(",", " ")


def _axis_text(r) -> str:
    """The strip's axes in words: along-track metres across, time (and depth) down."""
    across = f"0 → {r.length_m:.2f} m along the drive ({r.columns} columns of {100 * r.spacing_m:.0f} cm)"
    end_ns = (r.samples - 1) * r.interval_ns
    if not math.isfinite(end_ns):
        down = f"down: samples 0–{r.samples - 1} (the label states no sample interval)"
    else:
        depth = 0.299792458 * end_ns / (2.0 * math.sqrt(r.permittivity))
        down = (f"down: two-way time 0–{_nice(end_ns, 'ns')} (depth 0–{_nice(depth, 'm')} at "
                f"ε = {r.permittivity:g})")
    return f"{across}; {down}; display: {r.processing or 'none'}"


def radar_strip_html(radargrams: pd.DataFrame | None, drive_id) -> str:
    """The radargram strips of one drive's popup (empty without radargrams); label text escaped."""
    if radargrams is None or radargrams.empty or drive_id is None or pd.isna(drive_id):
        return ""
    out = []
    for k, r in enumerate(radargrams.itertuples(index=False)):
        if int(r.drive_id) != int(drive_id) or not r.radargram:
            continue
        out.append(
            f"<div class='traverse-radar' data-radar='{k}'><div class='traverse-radar-title'>"
            f"{html.escape(str(r.product))}</div><div class='traverse-radar-box' "
            f"style='width:{STRIP_WIDTH_PX}px;height:{STRIP_HEIGHT_PX}px'>"
            f"<img src='{html.escape(str(r.radargram), quote=True)}' alt='radargram' "
            f"width='{STRIP_WIDTH_PX}' height='{STRIP_HEIGHT_PX}'>"
            "<div class='traverse-radar-cursor'></div></div>"
            f"<div class='traverse-radar-axis'>{html.escape(_axis_text(r))}</div>"
            "<div class='traverse-radar-readout'>hover the strip: the trace's place on the map</div></div>")
    return "".join(out)


def radar_payload(radargrams: pd.DataFrame | None, traces) -> dict | None:
    """``{"radargrams": [...]}`` in :func:`radar_strip_html`'s order, or ``None`` without radargrams.

    Parameters
    ----------
    radargrams
        :func:`traverse.science.along_track.radargram_table`.
    traces
        The ``radar_traces`` layer (:func:`traverse.science.along_track.radar_traces_layer`)
        in the body's geographic CRS (lon/lat degrees).
    """
    if radargrams is None or radargrams.empty or traces is None or traces.empty:
        return None
    out = []
    for r in radargrams.itertuples(index=False):
        mine = traces[(traces["drive_id"] == r.drive_id) & (traces["product"] == r.product)]
        mine = mine.sort_values("column")
        out.append({
            "drive_id": int(r.drive_id), "product": str(r.product), "src": r.radargram,
            "columns": int(r.columns), "samples": int(r.samples), "length_m": float(r.length_m),
            "column": mine["column"].astype("int64").tolist(),
            "lat": np.round(mine.geometry.y.to_numpy(float), 9).tolist(),
            "lon": np.round(mine.geometry.x.to_numpy(float), 9).tolist(),
            "along_m": np.round(mine["along_m"].to_numpy(float), 3).tolist(),
            "record": mine["record"].astype("int64").tolist(),
        })
    return {"radargrams": out}


def spectra_payload(spectra: pd.DataFrame | None) -> dict | None:
    """``{"spectra": [{product, wavelength_nm, value, unit, level}]}``, or ``None`` without spectra.

    ``value`` is the table's ``value`` as read (level 2B radiance for VNIS-SD),
    ``null`` where not a number; ``unit`` is the label's ("" where it states none).
    """
    if spectra is None or spectra.empty:
        return None
    out = []
    for product, s in spectra.groupby("product_id", sort=False):
        s = s.sort_values("wavelength_nm")
        values = s["value"].to_numpy(float)
        out.append({"product": str(product), "wavelength_nm": s["wavelength_nm"].astype(float).tolist(),
                    "value": [None if not math.isfinite(v) else float(v) for v in values],
                    "unit": str(s["unit"].iloc[0]) if "unit" in s else "",
                    "level": str(s["level"].iloc[0]) if "level" in s else ""})
    return {"spectra": out}
