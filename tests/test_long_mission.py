"""A 60-lunar-day archive (the synthetic sample with CNSA's odometry to day 60) builds and stays readable.

The colours of the days agree between the HTML map and the GeoPackage as real
QGIS reads it, and no two consecutive days share a colour.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from traverse.cli import main

from .test_qgis import CHECK_SCRIPT, SYSTEM_PYTHON, _clean_env, _skip_or_fail


@pytest.fixture(scope="module")
def long_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sixty")
    assert main(["sample", str(tmp / "ce4"), "--days", "60", "-q"]) == 0
    stem = tmp / "maps" / "m"
    assert main(["build", str(tmp / "ce4"), "-o", str(stem), "-q"]) == 0
    return stem


def _html_colours(stem: Path) -> dict[int, str]:
    text = stem.with_suffix(".html").read_text(encoding="utf-8")
    return {int(d): c for d, c in re.findall(r'"day":(\d+),"color":"(#[0-9a-f]{6})"', text)}


def test_sixty_days_build_small_and_complete(long_build):
    days = pd.read_csv(long_build.with_name("m_days.csv"))
    assert days["lunar_day"].tolist() == list(range(1, 61))
    assert days["cumulative_m"].iloc[-1] == pytest.approx(1460.8, rel=0.01)
    assert long_build.with_suffix(".html").stat().st_size < 5_000_000


def test_no_two_consecutive_days_share_a_colour(long_build):
    colours = _html_colours(long_build)
    assert sorted(colours) == list(range(1, 61))
    assert all(colours[d] != colours[d + 1] for d in range(1, 60))
    assert len(set(colours.values())) == 60


@pytest.mark.qgis
def test_qgis_draws_the_days_in_the_html_colours(long_build, tmp_path):
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    res = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK_SCRIPT), str(long_build.with_suffix(".gpkg")), str(tmp_path / "r.png")],
        env=_clean_env(tmp_path), capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, res.stderr[-3000:]
    categories = json.loads(res.stdout)["layers"]["days"]["categories"]
    qgis = {int(c["value"]): c["colour"] for c in categories}
    html = _html_colours(long_build)
    for day in (1, 30, 60):
        assert qgis[day] == html[day], day


@pytest.fixture(scope="module")
def sixty_page(long_build):
    from .test_webmap_chromium import ARGS, CHROMIUM, Page, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        t0 = __import__("time").perf_counter()
        page = Page(browser, long_build.with_suffix(".html"))
        loaded_s = __import__("time").perf_counter() - t0 - 0.5  # Page waits 0.5 s after load
        yield page, loaded_s
        browser.close()


@pytest.mark.chromium
def test_sixty_day_map_loads_offline(sixty_page):
    # how fast it loads is a question for a benchmark, not for a timed unit test
    page, _loaded_s = sixty_page
    assert page.errors == [] and page.blocked == [] and page.failed == []


@pytest.mark.chromium
def test_slider_shows_exactly_the_stations_up_to_a_date(sixty_page, long_build):
    page, _ = sixty_page
    stations = pyogrio_read(long_build, "stations")
    when = pd.Timestamp("2021-03-01T12:00:00Z")
    slider = page.page.locator("input.traverse-slider")
    slider.evaluate(f"(s) => {{ s.value = {int(when.value // 1_000_000)};"
                    " s.dispatchEvent(new Event('input')); }")
    set_ms = int(slider.evaluate("(s) => s.value"))  # the slider moves by whole minutes
    assert abs(set_ms - when.value // 1_000_000) <= 60_000
    at = pd.Timestamp(set_ms, unit="ms", tz="UTC")
    expected = sorted(stations.loc[stations["first_utc"] <= at, "station_id"].astype(str))
    shown = page.page.evaluate("traverseMap.visibleStations()")
    assert sorted(shown) == expected and 0 < len(shown) < len(stations)
    drawn = page.page.locator("path.traverse-station:not(.traverse-hidden)").count()
    assert drawn == len(expected)
    label = page.page.locator(".traverse-time-label").inner_text()
    assert "2021-03-01" in label and "lunar day 27" in label
    assert page.page.locator("path.traverse-current-day").count() >= 1
    page.page.select_option("select.traverse-day-select", "60")  # back to the end of the mission
    assert len(page.page.evaluate("traverseMap.visibleStations()")) == len(stations)
    assert page.page.locator(".traverse-hidden").count() == 0  # the whole traverse again


@pytest.mark.chromium
def test_collapsed_panel_leaves_the_path_free(sixty_page):
    page, _ = sixty_page
    body = page.page.locator(".traverse-days-panel .traverse-panel-body")
    assert not body.is_visible()  # 60 days: the table starts collapsed
    panel = page.page.locator(".traverse-days-panel").bounding_box()
    paths = page.page.locator("path.lunar-day:not(.traverse-hidden)")
    assert paths.count() > 60
    for i in range(paths.count()):
        box = paths.nth(i).bounding_box()
        overlap_x = min(box["x"] + box["width"], panel["x"] + panel["width"]) - max(box["x"], panel["x"])
        overlap_y = min(box["y"] + box["height"], panel["y"] + panel["height"]) - max(box["y"], panel["y"])
        assert overlap_x <= 0 or overlap_y <= 0
    page.page.locator(".traverse-days-panel .traverse-toggle").click()
    assert body.is_visible()
    page.page.locator(".traverse-days-panel .traverse-toggle").click()


@pytest.mark.chromium
def test_search_and_chart_lead_to_stations(sixty_page):
    page, _ = sixty_page
    page.page.fill("input.traverse-search", "7")
    hits = page.page.locator(".traverse-search-hit")
    assert hits.count() >= 1 and "station 7" in hits.first.inner_text()
    hits.first.click()
    assert "Station 7" in page.page.locator(".leaflet-popup-content").inner_text()
    page.page.locator(".traverse-charts .traverse-toggle").click()
    chart = page.page.locator("svg.traverse-chart").first
    assert page.page.locator(".traverse-announced").count() >= 20
    box = chart.bounding_box()
    page.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    assert page.page.evaluate("traverseMap.hovered") is not None


def pyogrio_read(stem, layer):
    import pyogrio

    return pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer=layer)
