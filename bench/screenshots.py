"""Screenshots of the README: the synthetic sample's map and the 60-lunar-day sample's, in Chromium.

Usage: ``python bench/screenshots.py [OUT_DIR]`` (default ``docs/``).  Builds both samples in a
temporary folder with this checkout, opens each map at 1400 x 900 (the 13-day one with its
charts open), and writes ``sample_map.png`` and ``sample_60_days_map.png``, quantised to 128
colours so each stays under 300 kB.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from traverse.cli import main


def _shoot(html: Path, out: Path, open_charts: bool) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda r: (r.continue_() if r.request.url.startswith(("file:", "data:"))
                                      else r.abort()))
        page.goto(html.as_uri())
        page.wait_for_timeout(1000)
        if open_charts:
            page.locator(".traverse-charts .traverse-toggle").click()
        page.screenshot(path=str(out))
        browser.close()
    Image.open(out).convert("RGB").quantize(128).save(out, optimize=True)


def make_screenshots(out_dir: Path) -> list[Path]:
    """Build the two samples and write their screenshots into ``out_dir``; return the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for days, name, charts in ((13, "sample_map.png", True), (60, "sample_60_days_map.png", False)):
            dem = tmp / f"synthetic_dem_{days}.tif"
            archive = str(tmp / f"ce4_{days}")
            assert main(["sample", archive, "--days", str(days), "--dem", str(dem), "-q"]) == 0
            stem = tmp / "maps" / f"m{days}"
            assert main(["build", str(tmp / f"ce4_{days}"), "-o", str(stem), "--basemap", str(dem),
                         "--science", "none", "-q"]) == 0
            _shoot(stem.with_suffix(".html"), out_dir / name, charts)
            made.append(out_dir / name)
    return made


if __name__ == "__main__":
    for path in make_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(f"{path}: {path.stat().st_size // 1000} kB")
