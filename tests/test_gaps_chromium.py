"""The gaps on the web map, in real headless Chromium with the network cut.

The real products (../shared/data/ce4: lunar days 20 and 62 only) built through
``traverse build``: both gaps drawn dotted grey with their "no data" tooltips,
shown by the time control from their arrival; the per-day panel lists days 20
and 62 and the runs without data greyed; the chart's line breaks at the gap.
The synthetic sample (days 1-13, all with data) still shows no gap.
"""

from __future__ import annotations

import pytest

from tests.test_webmap_chromium import Page
from traverse.cli import main

pytestmark = pytest.mark.chromium

LANDER_GAP = "No data before lunar day 20: at least 314 m from the lander"
DAYS_GAP = "No data between lunar day 20 and lunar day 62 (days 21–61 missing): at least 651 m"


@pytest.fixture(scope="module")
def real_html(ce4_build):
    return ce4_build.with_suffix(".html")


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gaps_sample")
    assert main(["sample", str(tmp / "ce4"), "-q"]) == 0
    assert main(["map", str(tmp / "ce4"), "-o", str(tmp / "s.html"), "-q"]) == 0
    return tmp / "s.html"


def _hover_tooltip(p: Page, selector: str) -> str:
    """The tooltip shown with the pointer on the line ``selector`` (tried along it: dots have holes)."""
    path = p.page.locator(selector)
    for k in range(20, 40):  # from the middle on: the two gaps meet at day 20's station
        x, y = path.evaluate(f"(e) => {{ const q = e.getPointAtLength(e.getTotalLength() * {k} / 40);"
                             " const m = e.getScreenCTM(); return [q.x * m.a + m.e, q.y * m.d + m.f]; }")
        p.page.mouse.move(x, y)
        p.page.wait_for_timeout(30)
        tips = p.page.locator(".leaflet-tooltip")
        if tips.count() == 1:
            text = tips.inner_text()
            p.page.mouse.move(2, 690)  # away: the tooltip closes
            p.page.wait_for_timeout(30)
            return text
    raise AssertionError(f"no tooltip over {selector}")


def test_real_map_draws_both_gaps_with_their_tooltips(browser, real_html, tmp_path):
    p = Page(browser, real_html)
    assert p.errors == [] and p.blocked == [] and p.failed == []
    gaps = p.page.locator("path.traverse-gap")
    assert gaps.count() == 2
    assert gaps.first.evaluate("e => getComputedStyle(e).stroke") == "rgb(128, 128, 128)"
    assert gaps.first.get_attribute("stroke-dasharray") == "1 7"  # dotted, not a drive's dashes
    assert p.page.locator("path.traverse-drive").count() == 1  # the gaps are not drives
    html = real_html.read_text(encoding="utf-8")
    assert LANDER_GAP in html and DAYS_GAP.replace("–", "\\u2013") in html
    texts = {_hover_tooltip(p, f"path.traverse-gap-{i}") for i in range(2)}
    assert texts == {LANDER_GAP, DAYS_GAP}
    assert "Gaps (no data)" in p.page.locator(".leaflet-control-layers").inner_text()
    p.page.screenshot(path=str(tmp_path / "real.png"))
    assert p.errors == [] and p.blocked == [] and p.failed == []
    p.page.close()


def test_gaps_follow_the_time_control(browser, real_html):
    p = Page(browser, real_html)
    hidden = "path.traverse-gap.traverse-hidden"
    assert p.page.locator(hidden).count() == 0  # at the end of the mission: both
    p.page.select_option("select.traverse-day-select", "20")  # end of day 20: the lander's gap only
    assert p.page.locator(hidden).count() == 1
    assert p.page.locator("path.traverse-gap-1.traverse-hidden").count() == 1
    p.page.select_option("select.traverse-day-select", "62")
    assert p.page.locator(hidden).count() == 0
    p.page.close()


def test_panel_lists_the_days_without_data_greyed(browser, real_html):
    p = Page(browser, real_html)
    panel = p.page.locator(".traverse-days-panel")
    assert not panel.locator(".traverse-panel-body").is_visible()  # 1000 x 700: a small window
    panel.locator(".traverse-toggle").click()
    rows = [r.split("\t")[0].strip() for r in panel.locator("tr").all_inner_texts()[1:]]
    assert rows == ["1–19", "20", "21–61", "62"]
    missing = panel.locator("tr.traverse-no-data")
    assert missing.count() == 2 and "no data" in missing.first.inner_text()
    assert missing.first.evaluate("e => getComputedStyle(e).color") == "rgb(153, 153, 153)"
    total = panel.locator(".traverse-days-total").inner_text()
    assert "Measured: 5.6 m driven" in total and "at least 970.8 m with 2 gaps" in total
    assert "2 of 62 lunar days" in panel.locator(".traverse-toggle").inner_text()
    p.page.close()


def test_chart_line_breaks_at_the_gap(browser, real_html):
    p = Page(browser, real_html)
    p.page.locator(".traverse-charts .traverse-toggle").click()
    chart = p.page.locator("svg.traverse-chart").first
    # two stations (days 20 and 62) with the gap between: no line across it, one dot each side
    assert chart.locator("polyline.traverse-series").count() == 0
    assert chart.locator("circle.traverse-series-point").count() == 4  # 2-D and 3-D series
    segments = p.page.evaluate("TraverseMap.chartSegments("
                               "TraverseMap.chartPoints([0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]), [2])")
    assert [len(s) for s in segments] == [2, 2]
    assert p.errors == []
    p.page.close()


def test_sample_map_still_shows_no_gap(browser, sample_html):
    p = Page(browser, sample_html)
    assert p.errors == [] and p.blocked == [] and p.failed == []
    assert p.page.locator("path.traverse-gap").count() == 0
    assert p.page.locator("path.traverse-drive").count() == 24
    panel = p.page.locator(".traverse-days-panel")
    assert panel.locator("tr.traverse-no-data").count() == 0
    total = panel.locator(".traverse-days-total").inner_text()
    assert "Measured:" in total and "at least" not in total
    assert "Gaps" not in p.page.locator(".leaflet-control-layers").inner_text()
    p.page.locator(".traverse-charts .traverse-toggle").click()
    assert p.page.locator("svg.traverse-chart polyline.traverse-series").count() == 2  # unbroken
    p.page.close()
