#!/usr/bin/env python
"""Benchmark the image thumbnails (traverse.images.write_images) against reading the same zip bytes.

Usage (from the repository root)::

    .venv/bin/python bench/bench_images.py [--images 40] [--repeats 3] [--stored] [--profile]

Prints one markdown table (see bench/README.md for what each row means).  The
zip bundle of generated full-size PCAM products is written once into
bench/out/ (git-ignored) and reused; the JPEGs go to a temporary directory that
is removed at exit.  Each row runs in a fresh child Python process, so its peak
RSS (and its workers') is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

GEN_VERSION = 1  # bump when the generated bundle's content changes
SEED = 20190104
#: PCAM optics and frame as the real labels give them: 50 mm, 7.4 µm, 2352 samples × 1728 lines × 3 bands.
CAMERA = (50.0, 7.4, 2352, 1728, 3)
LINES, SAMPLES, BANDS = CAMERA[3], CAMERA[2], CAMERA[4]
IMAGE_BYTES = LINES * SAMPLES * BANDS  # 12 192 768 B
GOAL = 0.50  # thumbnails on 2 cores >= 50 % of the zipfile read rate (issue)
BASELINE = "zipfile read"


# --------------------------------------------------------------------------- the bundle


def _smooth(rng: np.random.Generator, cells: tuple[int, int], amplitude: float) -> np.ndarray:
    """A smooth random field of the image's size: a coarse normal grid, bicubic-upsampled."""
    from PIL import Image

    coarse = (rng.standard_normal(cells) * amplitude).astype(np.float32)
    img = Image.fromarray(coarse, mode="F").resize((SAMPLES, LINES), Image.Resampling.BICUBIC)
    return np.asarray(img)


def synthetic_pcam(seed: int) -> np.ndarray:
    """A (lines, samples, 3) uint8 frame that deflates like a camera image (~70 % of its size).

    Black sky above a random horizon; below it a grey-brown ground with shading
    at three scales (a few hundred, ~50 and ~8 pixels), darker towards the top,
    plus sensor noise (sigma 3 DN per band).  Not mission data.
    """
    rng = np.random.default_rng(seed)
    ground = (105.0 + _smooth(rng, (6, 8), 25.0) + _smooth(rng, (40, 54), 12.0)
              + _smooth(rng, (216, 294), 10.0))
    ground *= np.linspace(0.85, 1.15, LINES, dtype=np.float32)[:, None]
    ground[: int(LINES * rng.uniform(0.15, 0.35))] = 3.0  # sky
    rgb = ground[:, :, None] * np.array([1.0, 0.955, 0.90], np.float32)
    rgb += rng.standard_normal(rgb.shape, dtype=np.float32) * 3.0
    return np.clip(rgb, 0, 255).astype(np.uint8)


def product_names(n: int) -> list[str]:
    """Data-file names of ``n`` PCAM products (the labels add ``L``)."""
    import pandas as pd

    from traverse.synthetic.products import product_name

    t0 = pd.Timestamp("2019-01-04T04:00:00Z")
    return [product_name("PCAML-C", t0 + pd.Timedelta(minutes=i), frame=i % 1000,
                         sequence_id=1 + i // 6, version="B", level="2B") for i in range(n)]


def bundle_path(n: int, stored: bool, out_dir: Path) -> Path:
    return out_dir / f"bench_pcam_v{GEN_VERSION}_{n}x{IMAGE_BYTES}_{'stored' if stored else 'deflated'}.zip"


def make_bundle(n: int, stored: bool, out_dir: Path) -> tuple[Path, bool, float]:
    """The zip bundle of ``n`` label + data PCAM products (written when absent); (path, reused, seconds)."""
    path = bundle_path(n, stored, out_dir)
    if path.is_file():
        try:
            with zipfile.ZipFile(path) as zf:
                if len(zf.namelist()) == 2 * n:
                    return path, True, 0.0
        except zipfile.BadZipFile:
            pass
    import pandas as pd

    from traverse.synthetic.products import label_xml

    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    start = pd.Timestamp("2019-01-04T04:00:00Z")
    with zipfile.ZipFile(tmp, "w", compression=method) as zf:
        for i, name in enumerate(product_names(n)):
            t = start + pd.Timedelta(minutes=i)
            xml = label_xml(name, instrument_id="PCAM", start=t, sequence_id=f"{1 + i // 6:04d}",
                            level="2B", version="B", camera=CAMERA, file_size=IMAGE_BYTES,
                            rover_xyz=(10.0 + i, 5.0, -0.2), rotation=(15.0 * (i % 24), -10.0),
                            description="SYNTHETIC benchmark product (bench/bench_images.py)")
            zf.writestr(f"DATA/{name}L", xml.encode("utf-8"))
            image = synthetic_pcam(SEED + i)
            assert image.nbytes == IMAGE_BYTES
            zf.writestr(f"DATA/{name}", image.tobytes())  # Line, Sample, Band: last index fastest
    os.replace(tmp, path)
    return path, False, time.perf_counter() - t0


def image_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in zf.infolist() if i.filename.endswith(".2B")]


# --------------------------------------------------------------------------- child: one row


def _status_mib(field: str) -> float:
    """``VmHWM``/``VmRSS`` of this process, MiB, from /proc/self/status (Linux).

    ``ru_maxrss`` of RUSAGE_SELF is no use here: Linux carries it over an
    exec, so a child started by this script would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def zipfile_read(bundle: Path) -> int:
    """The baseline: every image member's bytes through ``ZipFile.open(member).read()``."""
    total = 0
    with zipfile.ZipFile(bundle) as zf:
        for info in image_members(zf):
            with zf.open(info) as fh:
                total += len(fh.read())
    return total


def child(spec: dict) -> dict:
    """Run one row once in this (fresh) process: wall time, CPU of it and its workers, peak RSS."""
    import pandas as pd

    bundle = Path(spec["bundle"])
    if spec["row"] == "zipfile":
        def run():
            return zipfile_read(bundle)
    else:
        import PIL.Image  # noqa: F401  (imported before timing, as a build would have)

        import traverse.read.images  # noqa: F401
        from traverse.images import ImageRun, write_images
        from traverse.read.archive import open_archive

        with zipfile.ZipFile(bundle) as zf:
            ids = [Path(i.filename).name for i in image_members(zf)]
        frames = pd.DataFrame({"product_id": ids, "record": pd.array([pd.NA] * len(ids), "Int64")})
        folder = Path(spec["out"]) / f"{spec['row']}_w{spec['workers']}_files"

        def run():
            with open_archive([bundle]) as archive:  # finding the products is part of the work
                df = write_images(archive.products, frames, folder, mode=spec["row"],
                                  run=ImageRun(workers=spec["workers"]))
            assert len(df) == len(ids), f"{len(df)} images written of {len(ids)}"
            assert all((df[c] == v).all() for c, v in (("lines", LINES), ("samples", SAMPLES),
                                                        ("bands", BANDS)))
            return len(df)

    rss_before = _status_mib("VmRSS")
    c0, t0 = _cpu_s(), time.perf_counter()
    result = run()
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    # Pool workers are forked from this process: their peak counts the pages they share with it.
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"time": wall, "cpu": cpu, "result": result, "rss_before": rss_before,
            "rss_self": _status_mib("VmHWM"), "rss_children": kids}


def run_child(spec: dict) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"row {spec['row']} (workers {spec.get('workers')}) failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- checks and stages


def check_full_jpeg(bundle: Path, out: Path) -> str:
    """A full-size JPEG looks like its source pixels (orientation and band order kept)."""
    from PIL import Image

    with zipfile.ZipFile(bundle) as zf:
        info = image_members(zf)[0]
        src = np.frombuffer(zf.read(info), np.uint8).reshape(LINES, SAMPLES, BANDS)
    pid = Path(info.filename).name
    jpg = next(out.glob(f"full_w*_files/full/{pid}.jpg"))
    thumb = next(out.glob(f"full_w*_files/thumbs/{pid}.jpg"))
    got = np.asarray(Image.open(jpg).convert("RGB"))
    assert got.shape == src.shape, (got.shape, src.shape)
    err = float(np.abs(got.astype(np.int16) - src).mean())
    band_means = got.reshape(-1, 3).mean(0)
    assert err < 4.0, f"full JPEG differs from its source by {err:.1f} DN on average"
    assert band_means[0] > band_means[1] > band_means[2], band_means  # grey-brown: R > G > B
    with Image.open(thumb) as t:
        tsize = t.size
    assert max(tsize) == 256, tsize
    return (f"full JPEG of {pid} vs its source pixels: mean |diff| {err:.2f} DN, "
            f"R > G > B kept; thumbnail {tsize[0]}×{tsize[1]} px.")


def stage_times(bundle: Path, n: int) -> dict[str, float]:
    """Seconds per image of each step ``make_image`` takes, timed one by one (one core, thumbs)."""
    from PIL import Image

    from traverse.read.archive import Source
    from traverse.read.images import display_array, image_layout, read_image

    acc = dict.fromkeys(["read label + image_layout", "read_image (inflate into buffer)",
                         "display_array", "Image.fromarray", "thumbnail (reduce + bilinear)",
                         "JPEG save (thumb)", "JPEG save (full, q90)"], 0.0)
    keys = list(acc)
    out = Path(tempfile.mkdtemp(prefix="traverse-bench-stage-"))
    try:
        with zipfile.ZipFile(bundle) as zf:
            members = image_members(zf)[:n]
            for info in members:
                t = [time.perf_counter()]
                label = Source(bundle, info.filename + "L", zf)
                layout = image_layout(label.read_bytes(), str(label))
                t.append(time.perf_counter())
                image = read_image(Source(bundle, info.filename, zf), layout)
                t.append(time.perf_counter())
                pixels = display_array(image, layout)
                t.append(time.perf_counter())
                picture = Image.fromarray(pixels)
                t.append(time.perf_counter())
                small = picture.copy()
                small.thumbnail((256, 256), Image.Resampling.BILINEAR, reducing_gap=2.0)
                t.append(time.perf_counter())
                small.save(out / "t.jpg", "JPEG", quality=82)
                t.append(time.perf_counter())
                picture.save(out / "f.jpg", "JPEG", quality=90)
                t.append(time.perf_counter())
                for k, key in enumerate(keys):
                    acc[key] += t[k + 1] - t[k]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {k: v / len(members) for k, v in acc.items()}


def profile_thumbs(bundle: Path, out: Path, top: int = 14) -> str:
    """cProfile of write_images(mode='thumbs', workers=1): the top functions by own time."""
    import cProfile
    import io
    import pstats

    import pandas as pd

    from traverse.images import ImageRun, write_images
    from traverse.read.archive import open_archive

    with zipfile.ZipFile(bundle) as zf:
        ids = [Path(i.filename).name for i in image_members(zf)]
    frames = pd.DataFrame({"product_id": ids, "record": pd.array([pd.NA] * len(ids), "Int64")})
    prof = cProfile.Profile()
    prof.enable()
    with open_archive([bundle]) as archive:
        write_images(archive.products, frames, out / "profile_files", mode="thumbs", run=ImageRun(workers=1))
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--images", type=int, default=40, help="PCAM products in the bundle; default 40")
    ap.add_argument("--repeats", type=int, default=3,
                    help="timed runs per row, round-robin over the rows (best is kept); default 3")
    ap.add_argument("--stored", action="store_true", help="store the members uncompressed (ZIP_STORED)")
    ap.add_argument("--out-dir", type=Path, default=HERE / "out",
                    help="where the generated bundle is kept (default bench/out)")
    ap.add_argument("--stages", type=int, default=None,
                    help="images timed step by step for the stage breakdown (0: none); default all")
    ap.add_argument("--profile", action="store_true",
                    help="also print a cProfile of write_images(thumbs, workers=1)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0

    import pandas as pd
    import PIL

    t_start = time.perf_counter()
    notes: list[str] = []
    bundle, reused, gen_s = make_bundle(args.images, args.stored, args.out_dir)
    with zipfile.ZipFile(bundle) as zf:
        members = image_members(zf)
        n = len(members)
        raw = sum(i.file_size for i in members)
        packed = sum(i.compress_size for i in members)
    mb = raw / 1e6
    notes.append(
        f"bundle: {bundle} ({n} PCAM products, {'ZIP_STORED' if args.stored else 'ZIP_DEFLATED'}, "
        f"{bundle.stat().st_size / 1e6:,.0f} MB on disk; image members {mb:,.0f} MB → "
        f"{packed / 1e6:,.0f} MB, compression ratio {packed / raw:.2f}; "
        + ("reused" if reused else f"generated in {gen_s:.0f} s") + ")."
    )
    subprocess.run(["cat", str(bundle)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache

    out = Path(tempfile.mkdtemp(prefix="traverse-bench-images-"))
    try:
        specs = [("zipfile", 1), ("thumbs", 1), ("thumbs", 2), ("full", 2)]
        runs: dict[tuple[str, int], list[dict]] = {key: [] for key in specs}
        for _ in range(args.repeats):  # round-robin, so a burst of other load hits every row alike
            for row, workers in specs:
                r = run_child({"row": row, "workers": workers, "bundle": str(bundle), "out": str(out)})
                assert r["result"] == (raw if row == "zipfile" else n), (row, r["result"])
                runs[row, workers].append(r)
        res = {key: {"times": [r["time"] for r in rs], "cpu": [r["cpu"] for r in rs],
                     "rss_self": max(r["rss_self"] for r in rs),
                     "rss_growth": max(r["rss_self"] - r["rss_before"] for r in rs),
                     "rss_children": max(r["rss_children"] for r in rs)}
               for key, rs in runs.items()}
        notes.append("check: " + check_full_jpeg(bundle, out))
        prof = profile_thumbs(bundle, out) if args.profile else ""
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n_stages = n if args.stages is None else min(args.stages, n)
    stages = stage_times(bundle, n_stages) if n_stages > 0 else {}

    base_mbs = mb / min(res["zipfile", 1]["times"])
    labels = {
        ("zipfile", 1): f"{BASELINE}: ZipFile.open(member).read(), every image member",
        ("thumbs", 1): "write_images(mode=\"thumbs\")",
        ("thumbs", 2): "write_images(mode=\"thumbs\")",
        ("full", 2): "write_images(mode=\"full\"): thumbs + full-size JPEG q90",
    }
    lines = []
    for (row, workers), r in res.items():
        t = min(r["times"])
        ratio = (mb / t) / base_mbs
        if (row, workers) == ("thumbs", 2):
            goal = f"{'yes' if ratio >= GOAL else 'NO'} (≥ {GOAL:.2f}×)"
        else:
            goal = "—"
        main_rss = f"{r['rss_self']:,.0f} (+{r['rss_growth']:,.0f})"
        kid_rss = f"{r['rss_children']:,.0f}" if workers > 1 else "—"
        lines.append(
            f"| {labels[row, workers]} | {workers} | {n / t:,.1f} | {mb / t:,.0f} | {ratio:.2f}× | {goal} "
            f"| {min(r['cpu']) / n * 1e3:,.0f} | {main_rss} | {kid_rss} |"
        )
        notes_t = ", ".join(f"{x:.2f}" for x in r["times"])
        notes.append(f"{row} workers={workers}: wall times {notes_t} s (best {t:.2f} s, "
                     f"median {statistics.median(r['times']):.2f} s).")
    if stages:
        total = sum(v for k, v in stages.items() if "full" not in k)
        parts = ", ".join(f"{k} {v * 1e3:.1f}" for k, v in stages.items())
        notes.append(f"stage breakdown, ms per image (one core, {n_stages} images, "
                     f"the steps make_image takes, timed one by one): {parts}; thumbs total "
                     f"{total * 1e3:.0f} ms.")

    print(
        f"machine: {os.cpu_count()} CPUs ({platform.machine()}, {platform.system()} "
        f"{platform.release()}), Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, Pillow {PIL.__version__}, zlib {__import__('zlib').ZLIB_RUNTIME_VERSION}"
    )
    print()
    print("| benchmark | workers | images/s | MB/s | ratio to zipfile read | goal | CPU ms/image "
          "| peak RSS MiB, main (+ over imports) | peak RSS MiB, largest worker |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for line in lines:
        print(line)
    print()
    print(f"Goal (issue): thumbnails on 2 cores ≥ {GOAL:.0%} of the single-core zipfile read rate. "
          f"MB/s = uncompressed image bytes ({IMAGE_BYTES:,} B per image) ÷ best wall time of "
          f"{args.repeats}; each row in a fresh child process, page cache warm.")
    for note in notes:
        print(f"- {note}")
    print(f"- total run time {time.perf_counter() - t_start:.0f} s.")
    if prof:
        print()
        print("```")
        print(prof.rstrip())
        print("```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
