"""Zhurong (Tianwen-1) through the same pipeline: the real RoPeR products, sols, the frame, the outputs.

Real material: the two RoPeR 2B products of sol 11 in ``../shared/data/tw1/roper``.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import struct
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from lxml import etree

from tests.test_qgis import CHECK_SCRIPT, SYSTEM_PYTHON, _clean_env, _skip_or_fail
from tests.test_webmap_chromium import Page
from traverse import geodesy, read_frames, reconstruct
from traverse.cli import main
from traverse.errors import ArchiveError
from traverse.missions import mission, mission_for_name, mission_of_names
from traverse.read.archive import parse_product_name
from traverse.synthetic.roper import write_zhurong_archive

ROPER = Path(__file__).resolve().parents[2] / "shared" / "data" / "tw1" / "roper"
CE4 = Path(__file__).resolve().parents[2] / "shared" / "data" / "ce4"
HF = "HX1-Ro_GRAS_RoPeR-HF-HH_SCI_N_20210525042001_20210525043243_00011_A.2B"
LF = "HX1-Ro_GRAS_RoPeR-LF-RI_SCI_N_20210525042000_20210525042951_00011_A.2B"

pytestmark = pytest.mark.skipif(not ROPER.is_dir(), reason=f"{ROPER} not found")


def _declared(label: Path) -> dict:
    """Independent reading of a label: record length, count, times, and each direct field's place/type."""
    root = etree.parse(str(label)).getroot()
    ns = {"p": root.nsmap[None]}
    rec = root.find(".//p:Record_Binary", ns)
    fields = {f.findtext("p:name", namespaces=ns): (int(f.findtext("p:field_location", namespaces=ns)) - 1,
                                                   f.findtext("p:data_type", namespaces=ns))
              for f in rec.findall("p:Field_Binary", ns)}
    return {"record_length": int(rec.findtext("p:record_length", namespaces=ns)),
            "records": int(root.findtext(".//p:Table_Binary/p:records", namespaces=ns)),
            "start": root.findtext(".//p:start_date_time", namespaces=ns),
            "stop": root.findtext(".//p:stop_date_time", namespaces=ns),
            "lmst": root.findtext(".//p:start_local_mean_solar_time", namespaces=ns),
            "fields": fields}


def _unpack(raw: bytes, decl: dict, i: int, name: str) -> float:
    start, dtype = decl["fields"][name]
    assert dtype == "IEEE754LSBSingle"
    return struct.unpack_from("<f", raw, i * decl["record_length"] + start)[0]


@pytest.fixture(scope="module")
def real_frames():
    frames, report = read_frames([ROPER])
    assert report.problems == []
    return frames


@pytest.mark.parametrize(("name", "records"), [(HF, 136), (LF, 14)])
def test_real_products_decode_as_an_independent_reading_of_the_declared_fields(real_frames, name, records):
    decl = _declared(ROPER / f"{name}L")
    raw = (ROPER / name).read_bytes()
    assert decl["records"] == records and len(raw) == records * decl["record_length"]
    got = real_frames[real_frames["product_id"] == name].sort_values("record")
    assert len(got) == records
    for i in (0, records - 1):
        row = got.iloc[i]
        for col, field in (("x_east_m", "Rover_Location_X"), ("y_north_m", "Rover_Location_Y"),
                           ("z_up_m", "Rover_Location_Z")):
            assert row[col] == pytest.approx(_unpack(raw, decl, i, field), abs=1e-3)
    # times in UTC: the first and last record are the label's start and stop, to the millisecond
    assert got["time_utc"].iloc[0] == pd.Timestamp(decl["start"])
    assert got["time_utc"].iloc[-1] == pd.Timestamp(decl["stop"])
    assert str(got["time_utc"].dt.tz) == "UTC"


def test_first_and_last_hf_positions_are_the_readme_figures(real_frames):
    hf = real_frames[real_frames["product_id"] == HF].sort_values("record")
    assert (hf["x_east_m"].iloc[0], hf["y_north_m"].iloc[0]) == pytest.approx((5.38, 0.117), abs=1e-3)
    assert (hf["x_east_m"].iloc[-1], hf["y_north_m"].iloc[-1]) == pytest.approx((2.20, -5.713), abs=1e-3)


def test_position_words_are_sign_magnitude_mirrors_of_rover_location(real_frames):
    """Position_X/Y/Z (0.01 m, sign-magnitude) = (y, x + c, c' - z): the north-east-down mirror."""
    f = real_frames
    assert np.abs(f["record_position_x_m"] - f["y_north_m"]).max() < 0.011
    dx = f["record_position_y_m"] - f["x_east_m"]
    dz = f["record_position_z_m"] + f["z_up_m"]
    assert dx.max() - dx.min() < 0.02 and dz.max() - dz.min() < 0.02


def test_axis_choice_east_north_up_is_pinned_by_the_real_drive(real_frames):
    """DESIGN.md "Zhurong's frame": heading = 90° − yaw follows the motion; the drive ends south."""
    hf = real_frames[real_frames["product_id"] == HF].sort_values("record")
    moving = hf.iloc[1:-1]
    de, dn = np.diff(moving["x_east_m"]), np.diff(moving["y_north_m"])
    step = np.hypot(de, dn) > 0.05
    bearing = np.degrees(np.arctan2(de[step], dn[step])) % 360
    heading = moving["yaw_deg"].to_numpy()[1:][step]
    diff = (bearing - heading + 180) % 360 - 180
    assert np.median(np.abs(diff)) < 5.0 and step.sum() > 30
    # the other reading (x north, y east) would put the bearing 45-60 degrees away from this heading
    other = np.degrees(np.arctan2(dn[step], de[step])) % 360
    assert np.median(np.abs((other - heading + 180) % 360 - 180)) > 30
    assert hf["y_north_m"].iloc[-1] < -5.0  # south of the landing site, as HiRISE saw the rover go


def test_sols_follow_the_labels_local_mean_solar_time():
    tw1 = mission("tw1")
    for name in (HF, LF):
        decl = _declared(ROPER / f"{name}L")
        sol = int(decl["lmst"][:5])
        assert tw1.local_day(decl["start"]) == sol == 11
        h, m, s = decl["lmst"][6:].split(":")
        assert tw1.local_time(decl["start"]) == f"{sol:05d}M{h}:{m}:{int(float(s)):02d}"
    assert tw1.local_day(tw1.landing_utc) == 1


def test_mission_comes_from_the_file_names():
    assert parse_product_name(HF).mission == "tw1" and parse_product_name(HF).sequence_id == "00011"
    assert parse_product_name(HF).instrument == "RoPeR"
    assert mission_for_name("CE4_GRAS_LPR-1_x").key == "ce4"
    assert mission("tw1").body.crs.to_authority() == ("IAU_2015", "49900")
    assert mission("tw1").body.radius_m == 3_396_190.0
    assert mission("ce4").sites["label"] == geodesy.LANDER_LABEL
    assert mission("ce4").sites["lro"] == geodesy.LANDER_LRO
    with pytest.raises(ArchiveError, match="mixed missions"):
        mission_of_names([HF, "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"])


def test_a_mixed_folder_is_refused_with_a_clear_message(tmp_path, capsys):
    code = main(["build", str(ROPER), str(CE4), "-o", str(tmp_path / "mixed"), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "mixed missions" in err and "Tianwen-1" in err and "Chang'e-4" in err
    assert list(tmp_path.iterdir()) == []


def test_frames_are_on_mars_at_the_landing_site(real_frames):
    assert real_frames.crs.to_authority() == ("IAU_2015", "49900")
    site = geodesy.site_of(real_frames)
    assert site.mission == "tw1" and site.body.name == "Mars"
    # 1 m east of the landing site is 1 m of Mars sphere arc along the parallel
    lon, lat, _ = geodesy.enu_to_lonlat([1.0], [0.0], [0.0], site)
    arc = math.radians(lon[0] - site.lon_deg) * (3_396_190.0 + site.height_m) * math.cos(math.radians(lat[0]))
    assert arc == pytest.approx(1.0, rel=1e-6)


def test_generated_zhurong_archive_gives_per_sol_distances_within_one_percent(tmp_path):
    truth = write_zhurong_archive(tmp_path / "zhurong", sols=range(11, 17), seed=3)
    frames, report = read_frames([tmp_path / "zhurong"])
    assert report.problems == []
    days = reconstruct(frames).days.set_index("lunar_day")
    for row in truth.itertuples():
        assert days.loc[row.sol, "drive_m"] == pytest.approx(row.drive_m, rel=0.01), row


@pytest.fixture(scope="module")
def zhurong_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("zhurong") / "zhurong"
    assert main(["build", str(ROPER), "-o", str(out), "-q"]) == 0
    return out


def test_build_writes_a_mars_geopackage_with_sols(zhurong_build):
    gpkg = zhurong_build.with_suffix(".gpkg")
    days = gpd.read_file(gpkg, layer="days")
    assert days.crs.equals(mission("tw1").body.crs)
    with sqlite3.connect(gpkg) as con:
        rows = con.execute("SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys"
                           " WHERE srs_id > 0 AND srs_id != 4326").fetchall()
    assert rows == [("IAU_2015", 49900)]
    assert "sol" in days.columns and "lunar_day" not in days.columns and days["sol"].tolist() == [11]
    table = pd.read_csv(zhurong_build.with_name("zhurong_days.csv"))
    assert table.columns[0] == "sol"
    # Zhurong drove onto the surface on sol 8: sols 8-10 are not in these two products
    assert table["sol"].tolist() == [8, 9, 10, 11]
    assert table["coverage"].tolist() == ["no data"] * 3 + ["data"]
    assert table["drive_m"].iloc[:3].isna().all() and table["drive_m"].iloc[3] == pytest.approx(6.7, abs=0.1)


@pytest.mark.qgis
def test_qgis_opens_the_zhurong_geopackage_in_iau_2015_49900(zhurong_build, tmp_path):
    env = _clean_env(tmp_path)
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK_SCRIPT), str(zhurong_build.with_suffix(".gpkg")),
                          str(tmp_path / "z.png")], env=env, capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    if "No module named 'qgis'" in res.stderr:
        _skip_or_fail("python3-qgis is not installed")
    assert res.returncode == 0, res.stderr[-3000:]
    layers = json.loads(res.stdout)["layers"]
    for name in ("lander", "frames", "drives", "days"):
        assert layers[name]["isValid"] and layers[name]["authid"] == "IAU_2015:49900", name
    assert layers["days"]["renderer"] == "categorizedSymbol"
    assert layers["days"]["classAttribute"] == "sol"
    assert [c["label"] for c in layers["days"]["categories"]] == ["Sol 11"]


@pytest.mark.chromium
def test_html_scale_bar_measures_martian_metres(browser, zhurong_build):  # noqa: F811
    p = Page(browser, zhurong_build.with_suffix(".html"))
    state = p.map_state()
    line = p.page.locator(".leaflet-control-scale-line").first
    label = line.inner_text()
    width_px = float(line.evaluate("e => e.getBoundingClientRect().width"))
    metres = float(re.match(r"([\d.]+)", label).group(1)) * (1000 if "km" in label else 1)
    expected = 2 * math.pi * 3_396_190.0 * math.cos(math.radians(state["lat"])) / (256 * 2 ** state["zoom"])
    assert metres / width_px == pytest.approx(expected, rel=0.01), (label, width_px, state)
    assert "Sol 11" in p.page.content() and "Tianwen-1" in p.page.title()
    assert p.errors == [] and p.blocked == []
    p.page.close()


def test_a_moon_tile_service_is_refused_under_a_mars_map(tmp_path, capsys):
    """Tile services are per body (the mission TOML's tile_services): Moon Trek is no Mars basemap."""
    from traverse.cli import main

    out = tmp_path / "zh.html"
    assert main(["map", str(ROPER), "-o", str(out), "--tiles", "moontrek-wac"]) == 2
    err = capsys.readouterr().err
    assert "--tiles moontrek-wac: not a tile service for Mars" in err and "registered: none" in err
    assert not out.exists()


#: Everything a reader of a map sees as text: the page, option labels, titles and placeholders,
#: tooltips and popups (written now, as on opening) and the charts.
PAGE_WORDS = """() => {
  const out = [document.body.innerText, document.title];
  document.querySelectorAll('[title], [placeholder], option, svg text').forEach(e => out.push(
    e.getAttribute('title') || '', e.getAttribute('placeholder') || '', e.textContent || ''));
  traverseMap.map.eachLayer(l => [l.getTooltip && l.getTooltip(), l.getPopup && l.getPopup()].forEach(x => {
    if (!x) { return; }
    const c = x.getContent();
    const html = typeof c === 'function' ? c(l) : c;
    const d = document.createElement('div'); d.innerHTML = html; out.push(d.textContent);
  }));
  return out.join('\\n');
}"""


@pytest.mark.chromium
def test_zhurong_page_says_sol_where_it_means_a_day(browser, tmp_path):  # noqa: F811
    html = tmp_path / "tmp.html"
    assert main(["map", str(ROPER), "-o", str(html), "-q"]) == 0
    p = Page(browser, html)
    p.page.locator(".traverse-toggle", has_text="Charts").click()
    p.page.locator(".traverse-days-panel .traverse-toggle").click()  # collapsed in a 1000 x 700 window
    p.page.locator(".traverse-search").fill("11")  # search hits name the sol
    text = p.page.evaluate(PAGE_WORDS)
    assert re.findall(r"lunar|moon|\bdays?\b", text, re.I) == []
    assert "all sols" in text and "sol 11" in text and re.search(r"· sol 11 ·", text)
    assert "(Mars)" in text and "from landing site m" in text and p.errors == []
    assert "from the lander" not in text and "from the landing site" in text
    p.page.close()
