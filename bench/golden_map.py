"""Golden comparison of the map refactor (issue 21, part 3): old folium page vs payload page, and GeoPackages.

Build the sample with the commit before the refactor and with this one, then::

    python bench/golden_map.py OLD.html NEW.html [OLD.gpkg NEW.gpkg]

The old page embedded its data as ``TraverseMap.addX(target, JSON)`` calls
(positional rows for views, traces, chart points); the new page embeds one
payload (:func:`layers.payload.map_payloads`) with named fields.  Each new
field is turned back into the old shape and compared value for value; the
GeoPackages' layers (every column, geometries as WKB) and the coverage table
must be equal.  The views are compared at the old page's precision (the
payload now keeps 0.01°, 1 mm).  Prints one line per item and exits 1 on any difference.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pyogrio


def old_calls(text: str) -> dict:
    """``{function: payload}`` of the old page's ``TraverseMap.fn(target, JSON);`` calls, body and view."""
    dec = json.JSONDecoder()
    calls = {}
    for m in re.finditer(r"TraverseMap\.(\w+)\((\w+), ", text):
        calls[m.group(1)] = dec.raw_decode(text, m.end())[0]
    start = text.index("window.TRAVERSE_BODY = ") + len("window.TRAVERSE_BODY = ")
    calls["body"] = dec.raw_decode(text, start)[0]
    calls["title"] = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    fit = re.search(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\]),\s*(\{.*?\})\s*\)", text, re.S)
    calls["fit"] = [json.loads(fit.group(1)), json.loads(fit.group(2))]
    calls["names"] = re.findall(r'"([^"]+)" : (?:feature_group|tile_layer|image_overlay)_\w+', text)
    return calls


def new_payload(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="traverse-payload">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def as_old(p: dict) -> dict:
    """The new payload in the old calls' shapes."""
    by_kind = {e["kind"]: e for e in p["layers"]}
    out = {e["kind"]: e["data"] for e in p["layers"]}
    funcs = {"traces": "addTraces", "views": "addViews", "days": "addDays", "drives": "addDrives",
             "gaps": "addGaps", "stations": "addStations", "lander": "addLander"}
    calls = {funcs[k]: v for k, v in out.items() if k in funcs}
    tr = calls["addTraces"]
    calls["addTraces"] = {"latlon": [v for pair in zip(tr["lat"], tr["lon"], strict=True) for v in pair]}
    seen = dict(calls["addViews"])
    w, t = seen["wedges"], seen["targets"]
    seen["wedges"] = [list(r) for r in zip(w["lat"], w["lng"], w["azimuth_deg"], w["fov_deg"], w["length_m"],
                                           w["instrument"], w["product"], w["source"], strict=True)]
    seen["targets"] = [list(r) for r in zip(t["lat"], t["lng"], t["end_lat"], t["end_lng"], t["product"],
                                            t["distance_m"], t["incidence_deg"], t["phase_deg"], strict=True)]
    calls["addViews"] = seen
    c = p["controls"]
    calls["addPanel"], calls["addTimeline"] = c["panel"], c["timeline"]
    chart = dict(c["chart"])
    chart["series"] = [{"name": s["name"], "points": [list(r) for r in zip(s["t"], s["m"], s["station"],
                                                                             strict=True)]}
                       for s in chart["series"]]
    a = chart["announced"]
    chart["announced"] = [list(r) for r in zip(a["t"], a["m"], a["label"], strict=True)]
    if "profile" in chart:
        pr = chart["profile"]
        chart["profile"] = [list(r) for r in zip(pr["m"], pr["elevation_m"], pr["station"], strict=True)]
    calls["addChart"] = chart
    calls["body"], calls["title"] = p["body"], p["title"]
    v = p["view"]
    calls["fit"] = [v["bounds"], {"paddingBottomRight": v["padding_bottom_right"],
                                  "paddingTopLeft": v["padding_top_left"]}]
    calls["names"] = [e["name"] for e in p["layers"]]
    calls["shown"] = {k: e["show"] for k, e in by_kind.items()}
    return calls


def same_views(old: dict, new: dict) -> bool:
    """The views at the old page's precision: azimuth and field of view 0.1°, length 0.01 m (the new
    payload keeps 0.01° and 1 mm, and the radius of the sphere through the lander)."""
    new = {k: v for k, v in new.items() if k != "radius_m"}
    if {k: v for k, v in old.items() if k != "wedges"} != {k: v for k, v in new.items() if k != "wedges"}:
        return False
    if len(old["wedges"]) != len(new["wedges"]):
        return False
    tolerance = [1e-12, 1e-12, 0.05 + 1e-9, 0.05 + 1e-9, 0.005 + 1e-9, 0, 0, 0]
    return all(abs(a - b) <= tol for ro, rn in zip(old["wedges"], new["wedges"], strict=True)
               for a, b, tol in zip(ro, rn, tolerance, strict=True))


def compare_maps(old_html: str, new_html: str) -> list[str]:
    old, new = old_calls(old_html), as_old(new_payload(new_html))
    bad = []
    for key in sorted(set(old) | set(new)):
        if key in ("addScale", "addMeasure", "shown"):
            continue
        same = (same_views(old[key], new[key]) if key == "addViews" and key in old and key in new
                else old.get(key) == new.get(key))
        print(f"{'same' if same else 'DIFFERENT'}: {key}")
        if not same:
            bad.append(key)
    return bad


def compare_gpkg(old: str, new: str) -> list[str]:
    bad = []
    names = [n for n, _ in pyogrio.list_layers(old)]
    if names != [n for n, _ in pyogrio.list_layers(new)]:
        return ["layer list"]
    for name in names:
        a = pyogrio.read_dataframe(old, layer=name)
        b = pyogrio.read_dataframe(new, layer=name)
        if name == "layer_styles":  # the time the styles were written
            a, b = a.drop(columns="update_time"), b.drop(columns="update_time")
        elif "geometry" in a:
            a["geometry"], b["geometry"] = a.geometry.to_wkb(), b.geometry.to_wkb()
        try:
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), check_exact=True)
            print(f"same: gpkg layer {name} ({len(a)} rows, {len(a.columns)} columns)")
        except AssertionError as exc:
            print(f"DIFFERENT: gpkg layer {name}: {str(exc)[:300]}")
            bad.append(name)
    return bad


def main(argv: list[str]) -> int:
    read = lambda p: Path(p).read_text(encoding="utf-8")  # noqa: E731
    bad = compare_maps(read(argv[0]), read(argv[1]))
    if len(argv) == 4:
        bad += compare_gpkg(argv[2], argv[3])
    print("all equal" if not bad else f"differences: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
