"""Benchmark ``traverse build`` on whole-mission archives: wall time, peak memory, against lxml alone.

For 20 and 60 lunar days of the synthetic sample (CNSA's odometry, LPR for
every radar drive), padded to about 200 label products per lunar day (≈ 12 000
at 60 days) and packed in the portal's zip bundles, it measures in one run
(twice: padded with synthetic PCAM labels of 2.5 KB, and with copies of a real
VNIS-SD label of 7.6 KB read from ``../shared/data/ce4``, never copied into
the repository, so the labels have real size and structure):

* ``traverse build`` (a subprocess): wall time and peak resident memory;
* the baseline: reading the same label members from the bundles and parsing
  them with ``lxml.etree.fromstring`` alone, on one core;
* incremental builds (issue 23), in the same run: the first build fills an
  empty cache of parsed products (``--cache-dir``, :mod:`traverse.read.cache`);
  a rebuild of the unchanged archive, and a rebuild after one more lunar day
  was downloaded (the last month's bundles added to a cache filled without
  them), each against that cold build.

Builds run with ``--science none`` (radargrams are another stage's cost).
Run: ``python bench/bench_mission.py [--days 20 60] [--real-only]`` (prints tables).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_build import make_archive  # noqa: E402

LABELS_PER_DAY = 200
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t0 = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True)\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.perf_counter() - t0, ru.ru_maxrss, ru.ru_utime + ru.ru_stime)\n"
)


def lxml_alone_s(zips: list[Path]) -> tuple[float, int]:
    """Seconds to read and parse every label member with lxml alone (one core), and their count."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    t0, n = time.perf_counter(), 0
    for path in zips:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith("L"):
                    etree.fromstring(zf.read(info), parser)
                    n += 1
    return time.perf_counter() - t0, n


def reading_s(zips: list[Path]) -> float:
    """Seconds of ``read_frames`` on the bundles (every core; imports already done), best of two."""
    from traverse.read.frames import read_frames

    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        read_frames(zips)
        best = min(best, time.perf_counter() - t0)
    return best


def build(zips: list[Path], out: Path, cache: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds of ``traverse build`` on the bundles.

    ``cache``: the folder of its cache of parsed products (``None``: ``--no-cache``).
    """
    cached = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "traverse.cli", "build",
           *map(str, zips), "-o", str(out), "-q", "--science", "none", "--overwrite", *cached]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds, max_rss_kb, cpu = res.stdout.split()
    return float(seconds), int(max_rss_kb) / 1024, float(cpu)


#: A real label (read at run time, never copied into the repository) for archives of real-size labels.
REAL_TEMPLATE = ROOT.parent / "shared" / "data" / "ce4" / "vnis" / \
    "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2BL"


def rebuilds(zips: list[Path], folder: Path) -> list[tuple[float, float]]:
    """``(wall, CPU)`` seconds, best of two each: a cold build filling an empty cache, the unchanged
    rebuild, the rebuild after one more lunar day (the last month's bundles) was added to a cache
    filled without it."""
    last = max(z.name.split("_")[3][:6] for z in zips)
    before = [z for z in zips if z.name.split("_")[3][:6] != last]
    cold, unchanged, added = [], [], []
    for i in range(2):
        cold.append(build(zips, folder / "cold" / "m", folder / f"cache{i}"))
        unchanged.append(build(zips, folder / "warm" / "m", folder / f"cache{i}"))
        build(before, folder / "before" / "m", folder / f"later{i}")
        added.append(build(zips, folder / "added" / "m", folder / f"later{i}"))
    return [(min(r[0] for r in runs), min(r[2] for r in runs)) for runs in (cold, unchanged, added)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, nargs="+", default=[20, 60], help="lunar days of each archive")
    ap.add_argument("--real-only", action="store_true", help="only the archives of real-size labels")
    opts = ap.parse_args()
    variants = [] if opts.real_only else [("synthetic PCAM (2.5 KB)", None)]
    if REAL_TEMPLATE.exists():
        variants.append((f"copies of a real VNIS-SD label ({REAL_TEMPLATE.stat().st_size / 1e3:.1f} KB)",
                         REAL_TEMPLATE))
    rows, again = [], []
    with tempfile.TemporaryDirectory(prefix="bench-mission-") as tmp:
        for label_kind, template in variants:
            for days in opts.days:
                folder = Path(tmp) / f"d{days}-{len(rows)}"
                zips, n_labels = make_archive(folder / "archive", LABELS_PER_DAY * days, days=days,
                                              template=template)
                alone, parsed = lxml_alone_s(zips)
                reading = reading_s(zips)
                wall = min(build(zips, folder / f"out{i}" / "m") for i in range(2))
                html_mb = (folder / "out0" / "m.html").stat().st_size / 1e6
                rows.append((label_kind, days, n_labels, len(zips),
                             sum(z.stat().st_size for z in zips) / 1e6, alone, parsed, wall, html_mb,
                             reading))
                again.append((label_kind, days, n_labels, *rebuilds(zips, folder)))
                shutil.rmtree(folder)
    print(f"machine: {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}")
    print()
    print("| padding labels | lunar days | label products (bundles, MB) | `traverse build` wall | "
          "peak memory | baseline: lxml alone, 1 core | ratio | of which reading (`read_frames`) | "
          "ratio | HTML |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, days, n, nz, mb, alone, parsed, (wall, rss, _), html, reading in rows:
        print(f"| {kind} | {days} | {n} ({nz}, {mb:.0f} MB) | {wall:.2f} s | {rss:.0f} MB | "
              f"{alone:.2f} s ({parsed} labels) | {wall / alone:.1f}× | {reading:.2f} s | "
              f"{reading / alone:.1f}× | {html:.1f} MB |")
    for k in range(0, len(rows) - 1, 2):  # rows[k][7] is (wall, peak MB)
        print(f"\npeak memory {rows[k + 1][1]} vs {rows[k][1]} days ({rows[k][0]}): "
              f"{rows[k + 1][7][1] / rows[k][7][1]:.2f}×")
    print()
    print("wall / CPU seconds, best of two each:")
    print()
    print("| padding labels | lunar days | label products | cold build (fills the cache) | unchanged rebuild "
          "| ratio (goal ≤ 0.35) | one lunar day added | ratio (goal ≤ 0.4) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, days, n, (cw, cc), (uw, uc), (aw, ac) in again:
        print(f"| {kind} | {days} | {n} | {cw:.2f} / {cc:.2f} s | {uw:.2f} / {uc:.2f} s | "
              f"{uw / cw:.2f} / {uc / cc:.2f}× | {aw:.2f} / {ac:.2f} s | {aw / cw:.2f} / {ac / cc:.2f}× |")


if __name__ == "__main__":
    main()
