"""Long fuzz run: many mutants of every class (tests/fuzz_targets.py), mixed with good products.

Prints a table: mutants tried per class, batches, broken promises found, time.
``python bench/fuzz_long.py --per-class 200`` (the CI test runs a few per class).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz_science import SCIENCE_SUITES  # noqa: E402
from tests.fuzz_targets import SUITES, load_seeds  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-class", type=int, default=200, help="mutants per class")
    p.add_argument("--per-batch", type=int, default=4, help="mutants mixed into one batch")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", default="", help="run the classes whose name contains this text")
    args = p.parse_args()
    rng = random.Random(args.seed)
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="fuzz-long-") as tmp:
        seeds = load_seeds(Path(tmp) / "seeds")
        for name, (mutate, write_good_products, check) in (SUITES | SCIENCE_SUITES).items():
            if args.only not in name:
                continue
            t0, tried, batches, broken = time.perf_counter(), 0, 0, 0
            while tried < args.per_class:
                batch = Path(tmp) / f"b{len(rows)}-{batches}"
                good = write_good_products(batch / "archive")
                mutants = []
                for k in range(min(args.per_batch, args.per_class - tried)):
                    mutants += mutate(rng, batch / "archive" / "bad", seeds, k)
                    tried += 1
                found = check(batch / "archive", good, mutants)
                broken += len(found)
                failures += [f"{name}: {f}" for f in found]
                batches += 1
                import shutil

                shutil.rmtree(batch, ignore_errors=True)
            rows.append((name, tried, batches, broken, time.perf_counter() - t0))
    print("| mutation class | mutants | batches | broken promises | time |")
    print("|---|---:|---:|---:|---:|")
    for name, tried, batches, broken, secs in rows:
        print(f"| {name} | {tried} | {batches} | {broken} | {secs:.1f} s |")
    total = sum(r[1] for r in rows)
    print(f"| **all** | {total} | {sum(r[2] for r in rows)} | {sum(r[3] for r in rows)} |"
          f" {sum(r[4] for r in rows):.1f} s |")
    for f in failures[:30]:
        print("FAILED", f)


if __name__ == "__main__":
    main()
