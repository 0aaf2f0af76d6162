#!/usr/bin/env python
"""Benchmark traverse's label and LPR readers against baselines measured in the same run.

Usage (from the repository root)::

    .venv/bin/python bench/bench_reader.py [--size-gb 1.0] [--labels 2000] [--repeats 5]

Prints one markdown table (see bench/README.md for what each row means).
The real labels are read from /work/shared/data/ce4 and only ever copied
into a temporary directory that is removed at exit.  The generated LPR
file is written once into bench/out/ (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import math
import mmap
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from traverse.errors import Report  # noqa: E402
from traverse.missions import mission  # noqa: E402
from traverse.read.archive import Source, parse_product_name  # noqa: E402
from traverse.read.labels import parse_label  # noqa: E402
from traverse.read.poses import PoseLayout, read_poses  # noqa: E402

LPR_EPOCH = np.datetime64(mission("ce4").record_time_epoch_utc.tz_localize(None), "ms")


def read_lpr_poses(source, layout, *, report=None):
    """The pose reader on an LPR product (the mission's record epoch)."""
    return read_poses(source, layout, mission("ce4").record_time_epoch_utc, report=report)

DATA = Path("/work/shared/data/ce4")
LPR_LABEL = DATA / "lpr" / "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2BL"
GEN_VERSION = 1  # bump when the generated file's content changes
SEED = 20231216

# Header of an LPR-1 2B record (0-based byte offsets, from the real label).
#   4 TIME (uint32 s BE + uint16 ms BE), 10..38 VELOCITY, X/Y/ZPOSITION,
#   ATT_PITCHING/ROLLING/YAWING (float32 BE), 38..62 REFERENCE_POINT_X/Y/Z
#   POSITION and ATT_* (float32 *little*-endian, the quirk).
HDR_BE = struct.Struct(">IH7f")  # at offset 4
REF_LE = struct.Struct("<3f")  # at offset 38
HEADER_BYTES = 62


# --------------------------------------------------------------------------- helpers


def best_of(fn, repeats: int, warm: int = 1) -> tuple[float, object]:
    """Run ``fn`` ``warm`` times untimed, then ``repeats`` times; best wall time and last result."""
    out = None
    for _ in range(warm):
        out = fn()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def fmt_rate(value: float, unit: str) -> str:
    if unit == "labels/s":
        return f"{value:,.0f} {unit}"
    return f"{value:,.2f} {unit}"


# --------------------------------------------------------------------------- labels


def real_labels() -> list[Path]:
    labels = sorted((DATA / "vnis").glob("*.2BL")) + sorted((DATA / "lpr").glob("*.2BL"))
    if not labels:
        sys.exit(f"no labels under {DATA}/vnis or {DATA}/lpr")
    return labels


def copy_labels(src: list[Path], n: int, dest: Path) -> list[Path]:
    """``n`` copies of ``src`` (cycled) in ``dest`` with distinct, valid GRAS names."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        s = src[i % len(src)]
        pn = parse_product_name(s.name)
        assert pn is not None, s.name
        copy = i // len(src)
        seq = f"{copy % 10000:04d}"
        version = chr(ord("A") + (copy // 10000) % 26)
        frame = f"-{pn.frame}" if pn.frame else ""
        name = (
            f"CE4_GRAS_{pn.payload}{frame}_{pn.kind}_N_{pn.start}_{pn.stop}_{seq}_{version}"
            f".{pn.level}L"
        )
        p = dest / name
        shutil.copyfile(s, p)
        out.append(p)
    assert len({p.name for p in out}) == n
    return out


def traverse_labels(paths: list[Path]) -> int:
    k = 0
    for p in paths:
        lab = parse_label(p.read_bytes(), str(p))
        k += lab["product_id"] is not None
    return k


def traverse_labels_in_memory(blobs: list[tuple[bytes, str]]) -> int:
    k = 0
    for data, source in blobs:
        k += parse_label(data, source)["product_id"] is not None
    return k


def pds4_labels(paths: list[Path]) -> int:
    import pds4_tools

    k = 0
    for p in paths:
        k += len(pds4_tools.read(str(p), lazy_load=True, quiet=True)) > 0
    return k


def pds4_full_read_fails_on_lpr() -> str:
    """Whether the current pds4_tools fails to read the real LPR table (not only the label)."""
    import pds4_tools

    try:
        s = pds4_tools.read(str(LPR_LABEL), lazy_load=False, quiet=True)
        _ = s[0].data
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return ""


# --------------------------------------------------------------------------- LPR file


def write_dtype(rl: int) -> np.dtype:
    names = ["FRAME_ID", "TIME_S", "TIME_MS", "VELOCITY", "X", "Y", "Z", "PITCH", "ROLL", "YAW",
             "REF_X", "REF_Y", "REF_Z", "REF_PITCH", "REF_ROLL", "REF_YAW"]
    formats = [">u4", ">u4", ">u2"] + [">f4"] * 7 + ["<f4"] * 6
    offsets = [0, 4, 8, 10, 14, 18, 22, 26, 30, 34, 38, 42, 46, 50, 54, 58]
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": rl})


def expected_headers(n: int) -> dict[str, np.ndarray]:
    """The header values of the generated file (deterministic in SEED)."""
    rng = np.random.default_rng(SEED)
    f32 = np.float32
    h = {
        "FRAME_ID": np.full(n, 0x146F2222, dtype=np.uint32),
        "TIME_S": (440_000_000 + np.arange(n)).astype(np.uint32),
        "TIME_MS": rng.integers(0, 1000, n).astype(np.uint16),
        "VELOCITY": rng.uniform(0, 0.06, n).astype(f32),
        "X": rng.uniform(-50, 50, n).astype(f32),
        "Y": rng.uniform(-50, 50, n).astype(f32),
        "Z": rng.uniform(-2, 2, n).astype(f32),
        "PITCH": rng.uniform(-0.2, 0.2, n).astype(f32),
        "ROLL": rng.uniform(-0.2, 0.2, n).astype(f32),
        "YAW": rng.uniform(-math.pi, math.pi, n).astype(f32),
        "REF_X": rng.uniform(-800, 800, n).astype(f32),
        "REF_Y": rng.uniform(-800, 800, n).astype(f32),
        "REF_Z": rng.uniform(-5, 5, n).astype(f32),
        "REF_PITCH": rng.uniform(-0.2, 0.2, n).astype(f32),
        "REF_ROLL": rng.uniform(-0.2, 0.2, n).astype(f32),
        "REF_YAW": rng.uniform(-math.pi, math.pi, n).astype(f32),
    }
    return h


def lpr_file(n: int, rl: int, out_dir: Path) -> tuple[Path, bool]:
    """Path of the generated LPR-1 2B file with ``n`` records; generated when absent."""
    name = f"bench_lpr1_2B_v{GEN_VERSION}_{n}x{rl}.2B"
    size = n * rl
    for d in (out_dir, Path(tempfile.gettempdir())):
        p = d / name
        if p.is_file() and p.stat().st_size == size:
            return p, True
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    tmp = path.with_suffix(".part")
    hdr = expected_headers(n)
    dt = write_dtype(rl)
    echo_rng = np.random.default_rng(SEED + 1)
    chunk = 1024
    with open(tmp, "wb") as fh:
        for start in range(0, n, chunk):
            k = min(chunk, n - start)
            buf = np.frombuffer(bytearray(echo_rng.bytes(k * rl)), dtype=dt, count=k)
            for field, values in hdr.items():
                buf[field] = values[start:start + k]
            fh.write(buf.data)
    os.replace(tmp, path)
    return path, False


def struct_loop_seek(path: Path, n: int, rl: int, offset: int = 0) -> np.ndarray:
    """Per-record Python loop: seek, read the 62-byte header, struct.unpack_from."""
    rows = []
    append = rows.append
    with open(path, "rb", buffering=0) as f:
        for i in range(n):
            f.seek(offset + i * rl)
            b = f.read(HEADER_BYTES)
            s, ms, v, x, y, z, p, r, yw = HDR_BE.unpack_from(b, 4)
            rx, ry, rz = REF_LE.unpack_from(b, 38)
            append((s, ms, v, rx + y, ry + x, rz - z, p, r, yw))
    return np.array(rows, dtype=np.float64)


def struct_loop_mmap(path: Path, n: int, rl: int, offset: int = 0) -> np.ndarray:
    """Per-record Python loop over an mmap with struct.unpack_from (no read syscalls)."""
    rows = []
    append = rows.append
    hdr, ref = HDR_BE.unpack_from, REF_LE.unpack_from
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for i in range(n):
            o = offset + i * rl
            s, ms, v, x, y, z, p, r, yw = hdr(mm, o + 4)
            rx, ry, rz = ref(mm, o + 38)
            append((s, ms, v, rx + y, ry + x, rz - z, p, r, yw))
    return np.array(rows, dtype=np.float64)


def cat_file(path: Path) -> None:
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)


def check_poses(poses, loop: np.ndarray, hdr: dict[str, np.ndarray], n: int) -> None:
    """traverse == struct loop == generator, exactly (float32 inputs, float64 sums)."""
    assert len(poses) == n, f"traverse returned {len(poses)} records, expected {n}"
    assert np.array_equal(poses["record"].to_numpy(), np.arange(n))
    e, nn, u = (poses[c].to_numpy() for c in ("x_east_m", "y_north_m", "z_up_m"))
    assert np.array_equal(e, loop[:, 3]), "E differs from struct loop"
    assert np.array_equal(nn, loop[:, 4]), "N differs from struct loop"
    assert np.array_equal(u, loop[:, 5]), "U differs from struct loop"
    f64 = {k: v.astype(np.float64) for k, v in hdr.items()}
    assert np.array_equal(e, f64["REF_X"] + f64["Y"]), "E != REF_X + YPOSITION"
    assert np.array_equal(nn, f64["REF_Y"] + f64["X"]), "N != REF_Y + XPOSITION"
    assert np.array_equal(u, f64["REF_Z"] - f64["Z"]), "U != REF_Z - ZPOSITION"
    assert np.array_equal(poses["velocity_m_s"].to_numpy(), loop[:, 2])
    t = LPR_EPOCH + (hdr["TIME_S"].astype("int64") * 1000 + hdr["TIME_MS"]).astype("timedelta64[ms]")
    got = poses["time_utc"].dt.tz_localize(None).to_numpy().astype("datetime64[ms]")
    assert np.array_equal(got, t), "time_utc differs from the generated TIME"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-gb", type=float, default=1.0,
                    help="size of the generated LPR file, GB (1e9 B); default 1.0")
    ap.add_argument("--labels", type=int, default=2000, help="label copies to index; default 2000")
    ap.add_argument("--repeats", type=int, default=5,
                    help="timed runs per LPR measurement (best is kept); default 5")
    ap.add_argument("--label-repeats", type=int, default=3,
                    help="timed runs per label measurement; default 3")
    ap.add_argument("--out-dir", type=Path, default=HERE / "out",
                    help="where the generated LPR file is kept (default bench/out)")
    ap.add_argument("--skip-frames", action="store_true", help="skip the read_frames row")
    args = ap.parse_args(argv)

    import lxml.etree
    import pandas as pd
    import pds4_tools

    rows: list[tuple[str, str, str, str, str]] = []
    notes: list[str] = []

    def row(name, ours, base, base_name, unit, higher_is_better=True):
        ratio = ours / base if higher_is_better else base / ours
        rows.append((name, fmt_rate(ours, unit), fmt_rate(base, unit), base_name, f"{ratio:.1f}×"))

    # ---- 1. labels ------------------------------------------------------------------
    src = real_labels()
    fail = pds4_full_read_fails_on_lpr()
    if fail:
        notes.append(
            "pds4_tools full read of the LPR table fails (" + fail.splitlines()[0][:80]
            + "); label-only lazy_load=True reads work, so the same mixed label set is used "
            "on both sides."
        )
    tmp = Path(tempfile.mkdtemp(prefix="traverse-bench-"))
    try:
        sets = {"mixed": src, "VNIS": [p for p in src if "VNIS" in p.name]}
        for set_name, set_src in sets.items():
            d = tmp / set_name
            paths = copy_labels(set_src, args.labels, d)
            n = len(paths)
            blobs = [(p.read_bytes(), str(p)) for p in paths]
            t_ours, k1 = best_of(lambda paths=paths: traverse_labels(paths), args.label_repeats)
            t_mem, k2 = best_of(lambda blobs=blobs: traverse_labels_in_memory(blobs), args.label_repeats)
            t_pds, k3 = best_of(lambda paths=paths: pds4_labels(paths), args.label_repeats)
            assert k1 == k2 == k3 == n, (k1, k2, k3, n)
            desc = ", ".join(sorted({parse_product_name(p.name).payload for p in set_src}))
            base_name = f"pds4_tools.read(path, lazy_load=True, quiet=True) — same {n} files"
            if fail and any("LPR" in p.name for p in set_src):
                base_name += " (label only: its full LPR table read fails)"
            row(f"labels/s, read file + parse_label ({set_name}: {desc})",
                n / t_ours, n / t_pds, base_name, "labels/s")
            row(f"labels/s, parse_label on bytes in memory ({set_name})",
                n / t_mem, n / t_pds, base_name, "labels/s")
            if set_name == "VNIS" and not args.skip_frames:
                # VNIS only: LPR labels without their data file would be reported
                # (one warning each) instead of becoming rows.
                from traverse.errors import SkippedProductWarning
                from traverse.read.frames import read_frames

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SkippedProductWarning)
                    t_fr, (frames, report) = best_of(lambda d=d: read_frames([d]), args.label_repeats)
                row(f"labels/s, read_frames([dir]) end-to-end incl. discovery ({set_name})",
                    n / t_fr, n / t_pds, base_name, "labels/s")
                assert len(frames) == n, (len(frames), n)
                notes.append(
                    f"read_frames on the VNIS dir: {len(frames)} frame rows, "
                    f"{len(report)} problems reported."
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- 2. LPR poses ---------------------------------------------------------------
    label_bytes = LPR_LABEL.read_bytes()
    table = parse_label(label_bytes, str(LPR_LABEL))["table"]
    layout = PoseLayout.from_table(table, "lpr")
    rl = layout.record_length
    assert rl == 32883, rl
    n_rec = math.ceil(args.size_gb * 1e9 / rl / 500) * 500
    t0 = time.perf_counter()
    path, reused = lpr_file(n_rec, rl, args.out_dir)
    gen_s = time.perf_counter() - t0
    size = path.stat().st_size
    gb = size / 1e9
    notes.append(
        f"LPR file: {path} ({n_rec} records × {rl} B = {gb:.3f} GB, "
        + ("reused" if reused else f"generated in {gen_s:.1f} s") + ")."
    )
    src_lpr = Source(path)
    hdr = expected_headers(n_rec)

    # correctness first (also warms the page cache)
    cat_file(path)
    poses = read_lpr_poses(src_lpr, layout, report=Report(on_error="raise"))
    loop = struct_loop_mmap(path, n_rec, rl)
    check_poses(poses, loop, hdr, n_rec)
    loop2 = struct_loop_seek(path, n_rec, rl)
    assert np.array_equal(loop, loop2)
    notes.append(
        f"correctness: traverse E/N/U (and velocity, time) == struct loop == generator for all "
        f"{n_rec} records (exact float64 equality)."
    )

    r = args.repeats
    t_tr, _ = best_of(lambda: read_lpr_poses(src_lpr, layout), r)
    t_seek, _ = best_of(lambda: struct_loop_seek(path, n_rec, rl), r)
    t_mm, _ = best_of(lambda: struct_loop_mmap(path, n_rec, rl), r)
    t_cat, _ = best_of(lambda: cat_file(path), r)
    ours = gb / t_tr
    name = "LPR poses GB/s (file size / wall), read_poses (LPR), warm"
    row(name, ours, gb / t_seek, "Python loop: f.seek + f.read(62) + struct.unpack_from", "GB/s")
    row(name, ours, gb / t_mm, "Python loop over mmap + struct.unpack_from", "GB/s")
    row(name, ours, gb / t_cat, "cat FILE > /dev/null (subprocess)", "GB/s")
    notes.append(
        f"LPR wall times (best of {r}, warm): read_lpr_poses {t_tr * 1e3:.1f} ms, "
        f"seek loop {t_seek * 1e3:.1f} ms, mmap loop {t_mm * 1e3:.1f} ms, cat {t_cat * 1e3:.1f} ms. "
        "GB/s is logical (file size / time): traverse and the loops touch only the record "
        "headers (one page per 32 KB record), cat reads every byte."
    )

    # ---- print ----------------------------------------------------------------------
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.machine()}, {platform.system()} "
        f"{platform.release()}), Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, lxml {'.'.join(map(str, lxml.etree.LXML_VERSION[:3]))}, "
        f"pds4_tools {pds4_tools.__version__}"
    )
    print()
    print("| benchmark | traverse | baseline | baseline name | ratio |")
    print("|---|---:|---:|---|---:|")
    for rw in rows:
        print("| " + " | ".join(rw) + " |")
    print()
    print("Goals (issue): labels ≥ 10× pds4_tools; LPR ≥ 10 GB/s warm and ≥ 5× the struct loop.")
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
