"""Benchmark ``traverse build`` on whole-mission archives: the cost per label against lxml's, in one run.

For several lengths of the synthetic mission (default 30, 60 and 72 lunar days, the
sample's longest, of CNSA's odometry, LPR for every radar drive), padded to ``--per-day``
label products a day (208: 12 480 at 60 days) and packed in the portal's zip
bundles, it measures, in interleaved rounds (median of ``--rounds``):

* the floor: reading every label member from the bundles and parsing it with
  ``lxml.etree.fromstring`` alone, one process;
* ``traverse build`` (a subprocess; ``--science none`` by default: the
  radargrams are their own cost): wall and CPU seconds (the process and its
  workers), peak resident memory, the HTML's size; on every core filling an
  empty cache of parsed products (:mod:`traverse.read.cache`) and, with
  ``taskset -c 0`` and ``--no-cache``, on one;
* incremental builds: the same build run again on the unchanged archive, and
  a build after one more lunar day was downloaded (the last month's bundles
  added to a cache filled without them), each against the cold build.

The **marginal cost per label** is the slope between the shortest and the
longest archive (seconds ÷ labels added), so fixed costs (imports, the
GeoPackage's schema, the page's assets) cancel out; it is set beside lxml's
slope measured on the same archives in the same run.

Padding labels are copies of a real VNIS-SD label (7.6 KB, read from
``../shared/data/ce4`` at run time and written only into the temporary
archive: real size and structure, with an observed point, so the map draws a
view for each), or with ``--padding synthetic`` synthetic PCAM labels (2.5 KB).

Run: ``python bench/bench_mission.py [--days 30,60,72] [--rounds 3]`` (prints tables).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
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

#: A real label (read at run time, never copied into the repository) for archives of real-size labels.
REAL_TEMPLATE = ROOT.parent / "shared" / "data" / "ce4" / "vnis" / \
    "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2BL"

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t0 = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True)\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.perf_counter() - t0, r.ru_utime + r.ru_stime, r.ru_maxrss)\n"
)


def lxml_alone_s(zips: list[Path]) -> tuple[float, int]:
    """Seconds to read and parse every label member with lxml alone (one process), and their count."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    t0, n = time.perf_counter(), 0
    for path in zips:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith("L"):
                    etree.fromstring(zf.read(info), parser)
                    n += 1
    return time.perf_counter() - t0, n


def build(zips: list[Path], out: Path, *, one_core: bool, science: str,
          cache: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (with its workers) and peak resident MB of ``traverse build``.

    ``cache``: the folder of its cache of parsed products (``None``: ``--no-cache``, a cold read).
    """
    cached = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    cmd = [sys.executable, "-c", _MEASURE, *(["taskset", "-c", "0"] if one_core else []),
           sys.executable, "-m", "traverse.cli", "build", *map(str, zips), "-o", str(out), "-q",
           "--overwrite", "--science", science, *cached]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT,  # -m puts cwd first
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall, cpu, max_rss_kb = res.stdout.split()
    return float(wall), float(cpu), int(max_rss_kb) / 1024


def _median(values: list[float]) -> float:
    return statistics.median(values)


def measure(archives: dict[int, tuple[list[Path], int]], out: Path, rounds: int, science: str) -> dict:
    """Every measure of every archive, ``rounds`` times, interleaved; lists of values by (days, key)."""
    runs: dict[tuple[int, str], list] = {}
    for r in range(rounds):
        for days, (zips, _) in archives.items():
            stem = out / f"d{days}" / "m"
            runs.setdefault((days, "lxml"), []).append(lxml_alone_s(zips)[0])
            cache, later = out / f"cache-{days}-{r}", out / f"later-{days}-{r}"
            runs.setdefault((days, "cold"), []).append(build(zips, stem, one_core=False, science=science,
                                                             cache=cache))  # fills an empty cache
            runs.setdefault((days, "rebuild"), []).append(build(zips, stem, one_core=False, science=science,
                                                                cache=cache))
            # one more lunar day downloaded: the last month's bundles added to a cache filled without them
            last = max(z.name.split("_")[3][:6] for z in zips)
            build([z for z in zips if z.name.split("_")[3][:6] != last], out / f"b{days}" / "m",
                  one_core=False, science=science, cache=later)
            runs.setdefault((days, "added"), []).append(build(zips, stem, one_core=False, science=science,
                                                              cache=later))
            runs.setdefault((days, "one"), []).append(build(zips, out / f"d{days}-1" / "m", one_core=True,
                                                            science=science))
            runs.setdefault((days, "html"), []).append(stem.with_suffix(".html").stat().st_size / 1e6)
            print(f"  round {r + 1}, {days} days: build {runs[(days, 'cold')][-1][0]:.2f} s", file=sys.stderr)
    return runs


def report(archives: dict, runs: dict, science: str) -> None:
    """Print the per-archive table and the marginal-cost table."""
    med = {}
    for (days, key), values in runs.items():
        med[days, key] = (_median(values) if key in ("lxml", "html")
                          else tuple(_median([v[i] for v in values]) for i in range(3)))
    print(f"machine: {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at the end; `traverse build --science {science}`; "
          "medians of interleaved rounds")
    print()
    print("| lunar days | label products | cold build wall / CPU s, every core"
          " | one core (taskset) wall / CPU s | lxml alone (read + parse), 1 process | build ÷ lxml (CPU)"
          " | peak memory | HTML |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for days, (_, n) in archives.items():
        cold, one = med[days, "cold"], med[days, "one"]
        print(f"| {days} | {n:,} | {cold[0]:.2f} / {cold[1]:.2f} | {one[0]:.2f} / {one[1]:.2f} | "
              f"{med[days, 'lxml']:.2f} s | {cold[1] / med[days, 'lxml']:.0f}× | {cold[2]:.0f} MB | "
              f"{med[days, 'html']:.1f} MB |")
    print()
    print("Incremental builds (cache of parsed products), against the cold build that filled the cache,"
          " wall / CPU:")
    print()
    print("| lunar days | unchanged rebuild | ratio (goal ≤ 0.35) | one lunar day added"
          " | ratio (goal ≤ 0.4) |")
    print("|---:|---:|---:|---:|---:|")
    for days in archives:
        cold, again, added = med[days, "cold"], med[days, "rebuild"], med[days, "added"]
        print(f"| {days} | {again[0]:.2f} / {again[1]:.2f} s | "
              f"{again[0] / cold[0]:.2f} / {again[1] / cold[1]:.2f}× | {added[0]:.2f} / {added[1]:.2f} s | "
              f"{added[0] / cold[0]:.2f} / {added[1] / cold[1]:.2f}× |")
    lo, hi = min(archives), max(archives)
    added = archives[hi][1] - archives[lo][1]

    def slope(key: str, i: int | None = None, scale: float = 1e6) -> float:
        a, b = med[lo, key], med[hi, key]
        if i is not None:
            a, b = a[i], b[i]
        return (b - a) / added * scale

    floor = slope("lxml")
    print()
    print(f"Marginal cost per label, {lo} → {hi} lunar days ({added:,} labels added), against the lxml floor"
          " measured on the same archives:")
    print()
    print("| per label added | traverse build | lxml alone | ratio |")
    print("|---|---:|---:|---:|")
    for name, key, i in (("CPU µs, every core", "cold", 1), ("wall µs, every core", "cold", 0),
                         ("wall µs, one core", "one", 0)):
        print(f"| {name} | {slope(key, i):.0f} µs | {floor:.0f} µs | {slope(key, i) / floor:.1f}× |")
    print(f"| peak memory | {slope('cold', 2, 1024.0):.1f} KB | | |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", default="30,60,72", help="lunar days of each archive, comma-separated")
    p.add_argument("--per-day", type=int, default=208, help="label products per lunar day")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--padding", choices=("real", "synthetic"), default="real")
    p.add_argument("--science", choices=("none", "radar", "spectra", "all"), default="none")
    args = p.parse_args()
    template = REAL_TEMPLATE if args.padding == "real" else None
    if template is not None and not template.exists():
        sys.exit(f"{template} not found: run with --padding synthetic, or beside ../shared/data")
    with tempfile.TemporaryDirectory(prefix="bench-mission-") as tmp:
        tmp = Path(tmp)
        archives = {}
        for days in sorted(int(d) for d in args.days.split(",")):
            print(f"writing the {days}-day archive ...", file=sys.stderr)
            archives[days] = make_archive(tmp / f"a{days}", args.per_day * days, days=days, template=template)
        runs = measure(archives, tmp / "out", args.rounds, args.science)
        report(archives, runs, args.science)
        shutil.rmtree(tmp / "out", ignore_errors=True)


if __name__ == "__main__":
    main()
