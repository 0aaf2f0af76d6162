#!/usr/bin/env python
"""Benchmark the echo reader (traverse.read.echoes) against reading the file's bytes.

Usage (from the repository root)::

    .venv/bin/python bench/bench_echoes.py [--size-mb 512] [--memory-gb 1.0] [--repeats 3]

A generated LPR-1 product (the real 0316 product's label, its 101 records
repeated to the size asked; 32 883-byte records, 8192 float echoes each) is
written to a temporary folder and deleted at exit.  On a warm page cache it
times, best of ``--repeats``:

* ``cat FILE > /dev/null`` and a Python ``readinto`` loop (8 MiB chunks):
  the speed of getting the bytes;
* :func:`iter_echo_blocks` over every trace (blocks of 256 traces, float32),
  and every 4th trace;
* the same from a stored zip member (streamed in blocks).

Then, in a fresh process each, every trace of a ``--memory-gb`` product is
read in blocks and its peak Python/numpy allocation (tracemalloc, numpy
reports its buffers to it) and peak resident set (which also
counts the file's mapped pages the kernel keeps resident: reclaimable page
cache, not allocations; ``VmHWM``) are printed.  Prints one markdown table.
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
import tracemalloc
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from traverse.read.archive import Source  # noqa: E402
from traverse.read.echoes import echo_group, iter_echo_blocks  # noqa: E402
from traverse.read.labels import parse_label  # noqa: E402
from traverse.read.pds4 import parse_xml  # noqa: E402
from traverse.read.poses import PoseLayout  # noqa: E402
from traverse.record_formats import record_format  # noqa: E402

CE4 = ROOT.parent / "shared" / "data" / "ce4" / "lpr"
STEM = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
RECORD = 32883


def write_product(folder: Path, size_bytes: int) -> tuple[Path, Path]:
    """The real label with ``records`` raised, and its records repeated to about ``size_bytes``."""
    real = (CE4 / STEM).read_bytes()
    n = max(1, size_bytes // RECORD)
    label = (CE4 / f"{STEM}L").read_text(encoding="utf-8")
    label = label.replace(">101</records>", f">{n}</records>").replace(
        f">{len(real)}</file_size>", f">{n * RECORD}</file_size>")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / STEM
    with open(data, "wb") as fh:
        left = n
        while left:
            k = min(left, 101)
            fh.write(real[: k * RECORD])
            left -= k
    (folder / f"{STEM}L").write_text(label, encoding="utf-8")
    return folder / f"{STEM}L", data


def _layout(label: Path):
    fmt = record_format("lpr")
    raw = label.read_bytes()
    layout = PoseLayout.from_table(parse_label(raw, str(label))["table"], fmt, source=str(label))
    return layout, echo_group(parse_xml(raw, str(label)), fmt, layout.record_length, source=str(label))


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _read_all(path: Path) -> None:
    buf = bytearray(8 << 20)
    with open(path, "rb", buffering=0) as fh:
        while fh.readinto(buf):
            pass


def _echoes(source: Source, layout, group, step: int = 1) -> int:
    n = 0
    for idx, _ in iter_echo_blocks(source, layout, group, step=step):
        n += len(idx)
    return n


def speed_rows(label: Path, data: Path, repeats: int) -> list[tuple[str, float, float]]:
    """(what, seconds, MB/s of the file) for each way of reading it."""
    layout, group = _layout(label)
    size = data.stat().st_size
    _read_all(data)  # warm the page cache
    rows = [("`cat FILE > /dev/null`", _best(lambda: subprocess.run(["cat", str(data)], check=True,
                                                                   stdout=subprocess.DEVNULL), repeats)),
            ("Python readinto, 8 MiB chunks", _best(lambda: _read_all(data), repeats)),
            ("echoes, every trace (read in blocks, float32)",
             _best(lambda: _echoes(Source(data), layout, group), repeats)),
            ("echoes, every 4th trace", _best(lambda: _echoes(Source(data), layout, group, step=4), repeats))]
    bundle = data.with_name("bundle.zip")
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as zf:
        zf.write(data, data.name)
    with zipfile.ZipFile(bundle) as zf:
        rows.append(("echoes, every trace, stored zip member (streamed)",
                     _best(lambda: _echoes(Source(bundle, data.name, zf), layout, group), repeats)))
    bundle.unlink()
    return [(what, s, size / s / 1e6) for what, s in rows]


def _status_mb(key: str) -> float:
    """A ``/proc/self/status`` figure in MB (``VmHWM``: the peak resident set)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1e3
    return float("nan")


def memory_child(label: str, data: str) -> None:
    """In a fresh process: read every trace in blocks; print traces, tracemalloc peak, VmHWM before, after."""
    layout, group = _layout(Path(label))
    before = _status_mb("VmHWM")
    tracemalloc.start()
    n = _echoes(Source(Path(data)), layout, group)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(n, peak / 1e6, before, _status_mb("VmHWM"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size-mb", type=float, default=512.0, help="product size for the speed rows")
    p.add_argument("--memory-gb", type=float, default=1.0, help="product size for the memory row")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        memory_child(*args.child)
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-echoes-"))
    try:
        label, data = write_product(tmp / "speed", int(args.size_mb * 1e6))
        rows = speed_rows(label, data, args.repeats)
        shutil.rmtree(tmp / "speed")
        label, data = write_product(tmp / "memory", int(args.memory_gb * 1e9))
        out = subprocess.run([sys.executable, __file__, "--child", str(label), str(data)], check=True,
                             capture_output=True, text=True).stdout.split()
        traces, peak_mb, rss0, rss1 = int(out[0]), *map(float, out[1:])
        size_gb = data.stat().st_size / 1e9
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cat = rows[0][2]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; {args.size_mb:.0f} MB product, warm cache, best of {args.repeats}")
    print("| read | time | MB/s | of `cat` |")
    print("|---|---:|---:|---:|")
    for what, s, mbs in rows:
        print(f"| {what} | {s:.3f} s | {mbs:,.0f} | {100 * mbs / cat:.0f} % |")
    print(f"\n{size_gb:.2f} GB product, {traces} traces of 8192 samples read in blocks of 256: "
          f"peak allocation {peak_mb:.0f} MB (tracemalloc), resident set {rss0:.0f} MB before, "
          f"{rss1:.0f} MB peak (VmHWM, counting the mapped file's resident pages: page cache)")


if __name__ == "__main__":
    main()
