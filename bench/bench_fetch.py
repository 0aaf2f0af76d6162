"""Benchmark ``traverse fetch``: labels per second with -j 4 against -j 1, and what --what labels saves.

A local HTTP server (127.0.0.1, the one of ``tests/test_fetch.py``) serves a
generated archive's labels at the portal's URL layout, answering each request
after ``--latency-ms`` (the portal is far away; default 30 ms).  Then, for the
real PCAM list in ``../shared/data/ce4/manifests``, the bytes each ``--what``
choice would download: labels at the mean size of the real labels in
``../shared/data/ce4`` and images at 2352 × 1728 × 3 bytes (the array the
real TCAM 2C labels describe; PCAM is the same camera family).  Last, a
download list of ``--list-urls`` URLs (700 000 by default, 91 MB) read by
``traverse fetch --dry-run`` in a fresh process: wall time and peak memory
(the host is a closed port on 127.0.0.1, so sizes are unknown at once);
``--baseline-src DIR`` runs the same against another checkout of traverse
(e.g. ``git archive a81f14d traverse | tar -x -C DIR``).

Run: ``python bench/bench_fetch.py`` (prints a table).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import test_fetch  # noqa: E402
from traverse.fetch.lists import read_download_lists, select_entries  # noqa: E402
from traverse.synthetic.products import write_label_product  # noqa: E402

CE4 = ROOT.parent / "shared" / "data" / "ce4"
IMAGE_BYTES = 2352 * 1728 * 3


def _serve(root: Path, latency_s: float):
    class Slow(test_fetch._Handler):
        def do_GET(self):
            time.sleep(latency_s)
            super().do_GET()

    server = test_fetch.Portal(root)
    server.RequestHandlerClass = Slow
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_list(path: Path, n: int) -> None:
    """A download list of ``n`` distinct PCAM URLs (labels and images, in pairs) on a closed port."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(test_fetch.HEADER)
        for i in range(n):
            day, s = divmod(i // 2, 86400)
            t = f"201901{4 + day % 25:02d}{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}"
            name = f"CE4_GRAS_PCAMR-Q-004_SCI_N_{t}_{t}_{1 + i // 2 % 9000:04d}_B.2B{'L' if i % 2 else ''}"
            fh.write(f"http://127.0.0.1:9/cedownload/CE4ROLL/CE4/PCAMR/Q/2B/2019-01/{name}\r\n")


def dry_run(listing: Path, src: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and the first line printed by ``traverse fetch --dry-run``
    run from the sources in ``src``, in a process of its own."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "traverse.cli", "fetch", str(listing), "-o",
                             str(listing.with_name("out")), "--dry-run", "--timeout", "2"],
                            env={**os.environ, "PYTHONPATH": str(src)}, cwd=src, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, out.splitlines()[0] if out else ""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labels", type=int, default=400)
    p.add_argument("--latency-ms", type=float, default=30.0)
    p.add_argument("--list-urls", type=int, default=700_000, help="URLs in the dry-run list (0: skip)")
    p.add_argument("--baseline-src", type=Path, help="another traverse checkout for the dry run")
    args = p.parse_args()
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
        tmp = Path(tmp)
        files = [write_label_product(tmp / "src", "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z")
                                     + pd.Timedelta(seconds=i), frame=i % 1000, sequence_id=1 + i // 1000,
                                     rover_xyz=(1.0, 2.0, 0.0)) for i in range(args.labels)]
        root = tmp / "root"
        for f in files:
            target = root / test_fetch._portal_path(f.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
        server = _serve(root, args.latency_ms / 1000)
        host = f"http://127.0.0.1:{server.server_address[1]}"
        listing = tmp / "list.txt"
        listing.write_text("\n".join(f"{host}/{test_fetch._portal_path(f.name)}" for f in files))
        rates = {}
        for jobs in (1, 4):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "traverse.cli", "fetch", str(listing), "-o",
                            str(tmp / f"out{jobs}"), "-q", "-j", str(jobs)], check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            rates[jobs] = args.labels / (time.perf_counter() - t0)
        server.shutdown()
    lists = sorted((CE4 / "manifests").glob("CE4_PCAM*/DATA/downloadResult.txt"))
    entries, _ = read_download_lists(lists)
    real_labels = [p.stat().st_size for p in CE4.rglob("*.2BL")]
    label_bytes = sum(real_labels) / len(real_labels)
    n_labels = len(select_entries(entries, what="labels"))
    n_all = len(select_entries(entries, what="all"))
    labels_gb = n_labels * label_bytes / 1e9
    all_gb = labels_gb + (n_all - n_labels) * IMAGE_BYTES / 1e9
    print(f"local server, {args.labels} labels, {args.latency_ms:g} ms per request")
    print()
    print("| benchmark | traverse | baseline | baseline name | ratio |")
    print("|---|---:|---:|---|---:|")
    print(f"| labels/s fetched, local server | {rates[4]:.0f} labels/s (-j 4) | {rates[1]:.0f} labels/s |"
          f" `traverse fetch -j 1` | {rates[4] / rates[1]:.1f}× |")
    print(f"| bytes to download, real PCAM list (2564 products) | {labels_gb * 1e3:.0f} MB (--what labels) |"
          f" {all_gb:.1f} GB | `--what all` (labels + images) | {all_gb / labels_gb:.0f}× less |")
    if args.list_urls:
        list_table(args.list_urls, args.baseline_src)




def list_table(n: int, baseline_src: Path | None) -> None:
    """The dry-run row: traverse here, and ``baseline_src`` when given."""
    with tempfile.TemporaryDirectory(prefix="bench-list-") as tmp:
        listing = Path(tmp) / "downloadResult.txt"
        write_list(listing, n)
        mb = listing.stat().st_size / 1e6
        secs, peak, said = dry_run(listing, ROOT)
        base = dry_run(listing, baseline_src) if baseline_src else None
    print()
    print(f"dry run of a {n}-URL list ({mb:.0f} MB): {said[:80]}")
    if base:
        print(f"baseline said: {base[2][:80]}")
    print()
    print("| benchmark | traverse | baseline | baseline name | ratio |")
    print("|---|---:|---:|---|---:|")
    b_t, b_m = (f"{base[0]:.1f} s", f"{base[1]:.0f} MB") if base else ("", "")
    name = f"`traverse fetch --dry-run` from {baseline_src}" if base else ""
    print(f"| {n}-URL list, --dry-run wall time | {secs:.1f} s | {b_t} | {name} |"
          f" {f'{base[0] / secs:.1f}×' if base else ''} |")
    less = f"{base[1] / peak:.1f}× less" if base else ""
    print(f"| same, peak memory | {peak:.0f} MB | {b_m} | same | {less} |")


if __name__ == "__main__":
    main()
