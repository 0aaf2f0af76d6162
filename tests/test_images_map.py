"""Images on the map: a sample archive in a zip bundle, built with ``--images full``, opened in Chromium.

The station popup must show the images taken there as a panorama strip
ordered by azimuth, every image loaded from the ``NAME_files/`` folder beside
the map (relative paths: the folder still works after it is moved), a click
opens the full-size image, and nothing is fetched from the network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("images_map")
    write_sample_archive(tmp / "sample", days=2)
    bundle = tmp / "CE4_ALL_2B_20190101000000_20190301000000_B.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((tmp / "sample").rglob("*")):
            if f.is_file():
                zf.write(f, f"DATA/{f.relative_to(tmp / 'sample')}")
    stem = tmp / "maps" / "m"
    proc = subprocess.run([sys.executable, "-m", "traverse.cli", "build", str(bundle), "-o", str(stem),
                           "--images", "full"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # share it: the maps folder moved elsewhere must still find its images
    shared = tmp / "elsewhere" / "maps"
    shutil.move(str(stem.parent), str(shared))
    return shared / "m.html", proc.stdout


def test_every_camera_frame_has_its_thumbnail_and_full_image(built):
    html, stdout = built
    frames = pyogrio.read_dataframe(html.with_suffix(".gpkg"), layer="frames")
    cams = frames[frames["instrument"].isin(["PCAM", "TCAM", "VNIS"])]
    assert len(cams) > 30 and cams["thumbnail"].notna().all() and cams["image_full"].notna().all()
    for rel in list(cams["thumbnail"]) + list(cams["image_full"]):
        assert (html.parent / rel).is_file(), rel  # relative to the GeoPackage and the map
    lpr = frames[frames["instrument"] == "LPR"]
    assert lpr["thumbnail"].isna().all()
    assert "problems" not in stdout  # the sample's images all match their labels


@pytest.mark.chromium
def test_station_popup_shows_its_panorama_strip_loaded_offline(built):
    from .test_webmap_chromium import ARGS, CHROMIUM, Page, _require_chromium

    html, _ = built
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        p = Page(browser, html)
        p.page.locator("path.traverse-station-1").click(force=True)
        strip = p.page.locator(".leaflet-popup-content .traverse-strip")
        strip.wait_for()
        imgs = strip.locator("img")
        assert imgs.count() == 6  # the station's 3 x 2 PCAM mosaic
        p.page.wait_for_function(
            "[...document.querySelectorAll('.traverse-strip img')].every(i => i.complete)")
        sizes = imgs.evaluate_all("els => els.map(i => [i.naturalWidth, i.naturalHeight])")
        assert all(w == 256 and h == 188 for w, h in sizes), sizes  # loaded, not broken
        captions = [float(c.rstrip("°")) for c in strip.locator("figcaption").all_inner_texts()]
        steps = np.diff(captions) % 360.0  # clockwise, left to right, across north if need be
        assert len(set(captions)) == 3 and (steps < 30.0).all(), captions  # 3 yaws x 2 pitches
        # the product list: written by the page from the map's one product table (issue 23)
        stations = pyogrio.read_dataframe(html.with_suffix(".gpkg"), layer="stations")
        expected = [i for i in stations["products"].iloc[1].split(";") if i]
        rows = p.page.locator(".leaflet-popup-content .traverse-popup-list .traverse-product")
        listed = [rows.nth(i).get_attribute("title") for i in range(rows.count())]  # the full ids
        assert listed == expected[:len(listed)] and len(listed) >= 6
        # read from a zip bundle: the label cannot be linked, the popup says where it is
        assert all(t.endswith("B.zip copy id") for t in rows.all_inner_texts())
        imgs.first.click()
        big = p.page.locator(".traverse-lightbox img")
        big.wait_for()
        p.page.wait_for_function("document.querySelector('.traverse-lightbox img').complete")
        assert big.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [294, 216]  # the full image
        p.page.keyboard.press("Escape")
        assert p.page.locator(".traverse-lightbox").count() == 0
        p.page.locator(".traverse-lander-icon").click(force=True)  # the lander's cameras (TCAM)
        lander = (p.page.locator(".leaflet-popup-content", has_text="Chang'e-4 lander")
                  .locator(".traverse-strip img"))
        lander.first.wait_for()
        assert lander.count() == 3 and "TCAM" in lander.first.get_attribute("title")
        p.page.wait_for_function(
            "[...document.querySelectorAll('.traverse-strip img')].every(i => i.complete && i.naturalWidth)")
        toggle = p.page.locator(".leaflet-control-layers label", has_text="What the rover saw")
        n_views = p.page.locator("path.traverse-view").count()
        toggle.locator("input").click()
        assert n_views > 0 and p.page.locator("path.traverse-view").count() == 0
        assert p.blocked == [] and p.failed == [] and p.errors == []
        browser.close()


@pytest.mark.qgis
def test_qgis_map_tip_shows_the_thumbnail_beside_the_moved_geopackage(built, tmp_path):
    import json

    from .test_qgis import CHECK_SCRIPT, SYSTEM_PYTHON, _clean_env, _skip_or_fail

    html, _ = built
    if not Path(SYSTEM_PYTHON).exists():
        _skip_or_fail(f"{SYSTEM_PYTHON} not found; install Debian python3-qgis")
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK_SCRIPT), str(html.with_suffix(".gpkg")),
                          str(tmp_path / "r.png")], env=_clean_env(tmp_path), capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    if res.returncode != 0 and "No module named 'qgis'" in res.stderr:
        _skip_or_fail("Debian python3-qgis is not installed")
    assert res.returncode == 0, res.stderr[-3000:]
    frames = json.loads(res.stdout)["layers"]["frames"]
    tip = frames["mapTip"]
    assert tip.startswith("<b>CE4_GRAS_") and " UTC, azimuth " in tip
    src = tip.split('<img src="file://')[1].split('"')[0]
    assert src.startswith(str(html.parent)) and Path(src).is_file()  # where the folder is now


def test_thumbnails_look_like_their_images(built):
    from PIL import Image

    html, _ = built
    thumbs = sorted((html.parent / "m_files" / "thumbs").glob("*PCAML*.jpg"))
    assert thumbs
    for thumb in thumbs[:6]:
        small = np.asarray(Image.open(thumb).convert("L"), float)
        full = np.asarray(Image.open(html.parent / "m_files" / "full" / thumb.name).convert("L")
                          .resize(small.shape[::-1], Image.Resampling.BILINEAR), float)
        assert small.std() > 10  # not blank
        assert np.corrcoef(small.ravel(), full.ravel())[0, 1] > 0.95  # the same picture, made small
