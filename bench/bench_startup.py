"""Benchmark the start-up of the ``traverse`` command: ``--help`` and ``import traverse``.

Each case runs ``--runs`` times as a fresh subprocess of this Python (the
checkout first on ``PYTHONPATH``), interleaved with the others so that a slow
moment of the machine hits every case alike; the table gives the median wall
time of each and its ratio against ``python -c pass`` (the interpreter's own
start-up, the floor no command can go under) and the time above that floor.

Run: ``python bench/bench_startup.py`` (``--runs N``, default 10).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (name, python arguments); the first is the baseline.
CASES = (
    ("python -c pass (baseline)", ["-c", "pass"]),
    ("import traverse", ["-c", "import traverse"]),
    ("import traverse.cli; build_parser()", ["-c", "import traverse.cli; traverse.cli.build_parser()"]),
    ("python -m traverse.cli --help", ["-m", "traverse.cli", "--help"]),
    ("python -m traverse.cli build --help", ["-m", "traverse.cli", "build", "--help"]),
)


def _wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    """Median wall seconds of every case of :data:`CASES` over ``runs`` interleaved rounds."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    for _, args in CASES:  # warm the file cache and the bytecode
        _wall(args, env)
    times: dict[str, list[float]] = {name: [] for name, _ in CASES}
    for _ in range(runs):
        for name, args in CASES:
            times[name].append(_wall(args, env))
    return {name: statistics.median(t) for name, t in times.items()}


def table(medians: dict[str, float], runs: int) -> str:
    """The Markdown table of the README's Benchmarks section."""
    base = medians[CASES[0][0]]
    rows = [f"machine: {os.cpu_count()} CPUs ({platform.machine()}, {platform.system()}"
            f" {platform.release()}), Python {platform.python_version()}; median of {runs} runs",
            "",
            "| start-up | median wall | ratio to `python -c pass` | above the baseline |",
            "|---|---:|---:|---:|"]
    for name, _ in CASES:
        t = medians[name]
        rows.append(f"| `{name}` | {t * 1000:.0f} ms | {t / base:.1f}× | {(t - base) * 1000:.0f} ms |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the table; 0."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=10, help="runs of each case (default 10)")
    args = p.parse_args(argv)
    print(table(measure(args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
