"""Benchmark ``traverse build`` on a first-year archive in the portal's zip bundles.

The archive is the synthetic sample (lunar days 1–13, LPR for most drives)
with extra PCAM labels at its stations up to ``--labels`` label products (the
real first-year release has 2 564 PCAM products), packed as the portal
delivers them: one zip bundle per instrument and month
(``CE4_PCAM_2B_<start>_<stop>_B.zip``), labels and LPR binaries inside, no
images.  ``traverse build`` runs as a subprocess, once with this checkout and
once with a baseline commit checked out beside it (default: the last commit
before the redesign of issue 11), on the same archive, in the same run,
best of ``--repeat`` wall times.

Run: ``python bench/bench_build.py`` (prints a table; needs git).
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

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from traverse.synthetic.products import write_label_product  # noqa: E402
from traverse.synthetic.sample import write_sample_archive  # noqa: E402

#: Last commit before the redesign (open_archive, one Traverse, CLI package).
BASELINE = "3c817b7"


def make_archive(folder: Path, n_labels: int, days: int = 13,
                 template: Path | None = None) -> tuple[list[Path], int]:
    """Write the sample of ``days`` lunar days, pad it with labels at its stations up to
    ``n_labels`` label products, and pack it in portal bundles (instrument and month).

    The padding is synthetic PCAM labels (about 2.5 KB), or, with ``template``
    (a real label from ``../shared/data/ce4``, read here and written only into
    this temporary archive), copies of that real label with their own product
    id, times, sequence and rover position: labels of real size and structure.
    """
    src = folder / "src"
    truth = write_sample_archive(src, days=days, images=False)  # labels and LPR, as the bench says
    have = sum(1 for p in src.rglob("*L") if "LPR" not in p.name)
    stations = truth.stations.reset_index(drop=True)
    k = 0
    while have < n_labels:
        st = stations.iloc[k % len(stations)]
        t = pd.Timestamp(st["time_utc"]) + pd.Timedelta(seconds=60 + k // len(stations))
        xyz = (st["x_east_m"], st["y_north_m"], st["z_up_m"])
        if template is None:
            write_label_product(src / "PCAM", "PCAML-C", t, frame=4 + k // len(stations),
                                sequence_id=int(st["station"]), rover_xyz=xyz)
        else:
            _write_from_template(src / "VNIS", template, t, int(st["station"]), xyz)
        have, k = have + 1, k + 1
    bundles: dict[str, list[Path]] = {}
    for path in sorted(p for p in src.rglob("CE4_GRAS_*") if p.is_file()):
        instrument = path.parent.name
        month = path.name.split("_")[5][:6]
        bundles.setdefault(f"{instrument}_{month}", []).append(path)
    zips = []
    for key, files in sorted(bundles.items()):
        instrument, month = key.split("_")
        name = f"CE4_{instrument}_2B_{month}01000000_{month}28000000_B.zip"
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f"DATA/{instrument}/{month}/{f.name}")
        zips.append(folder / name)
    shutil.rmtree(src)
    return zips, have


def _write_from_template(folder: Path, template: Path, t: pd.Timestamp, seq: int, xyz) -> None:
    """A copy of a real label at ``t``, sequence ``seq``, rover at ``xyz`` (lander ENU, metres)."""
    import re

    from traverse.read.archive import parse_product_name
    from traverse.synthetic.products import product_name

    text = template.read_text(encoding="utf-8")
    old = parse_product_name(template.name)
    name = product_name(old.payload, t, t, sequence_id=seq, version=old.version, level=old.level)
    iso = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    text = text.replace(old.product_id, name)
    text = re.sub(r"<start_date_time>[^<]*<", f"<start_date_time>{iso}<", text)
    text = re.sub(r"<stop_date_time>[^<]*<", f"<stop_date_time>{iso}<", text)
    text = re.sub(r"<sequence_id>[^<]*<", f"<sequence_id>{seq:04d}<", text)
    block = re.search(r"<Rover_LocationXYZ>.*?</Rover_LocationXYZ>", text, re.S)
    moved = block.group(0)
    for axis, value in zip("xyz", xyz, strict=True):
        moved = re.sub(rf"(<{axis} unit=\"m\">)[^<]*<", rf"\g<1>{value:.6f}<", moved)
    text = text[:block.start()] + moved + text[block.end():]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}L").write_text(text, encoding="utf-8")


def time_build(code: Path, zips: list[Path], out: Path, repeat: int) -> float:
    """Best wall time, seconds, of ``traverse build`` run from the source tree ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    best = float("inf")
    for i in range(repeat):
        stem = out / f"run{i}" / "t"
        stem.parent.mkdir(parents=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "traverse.cli", "build", *map(str, zips), "-o", str(stem),
                        "-q"], check=True, env=env, cwd=code)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labels", type=int, default=2600, help="label products in the archive")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tmp = Path(tmp)
        zips, n_labels = make_archive(tmp / "archive", args.labels)
        base = tmp / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base),
                        args.baseline], check=True)
        try:
            before = time_build(base, zips, tmp / "out-before", args.repeat)
            after = time_build(ROOT, zips, tmp / "out-after", args.repeat)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           check=False)
        size_mb = sum(z.stat().st_size for z in zips) / 1e6
    print(f"machine: {os.cpu_count()} CPUs ({platform.machine()}, {platform.system()} "
          f"{platform.release()}), Python {platform.python_version()}")
    print(f"archive: {n_labels} label products + LPR in {len(zips)} portal zip bundles "
          f"({size_mb:.1f} MB), best of {args.repeat}")
    print()
    print("| benchmark | traverse | baseline | baseline name | ratio |")
    print("|---|---:|---:|---|---:|")
    print(f"| `traverse build` wall time, first year in zip bundles | {after:.2f} s | {before:.2f} s | "
          f"`traverse build` at {args.baseline} (before the redesign) | "
          f"{before / after:.2f}× ({(after / before - 1) * 100:+.0f} % time) |")


if __name__ == "__main__":
    main()
