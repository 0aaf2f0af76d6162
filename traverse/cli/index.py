"""``traverse`` command line: a thin shell over the library verbs.

Exit status: 0 when at least one product was read, 1 when nothing usable was
found (one clear line on stderr), 2 for usage errors.  Progress bars go to
stderr and only when it is a terminal (or with ``--progress``); ``-q`` hides
them and the summary.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from traverse.cli.pipeline import add_pipeline_commands
from traverse.errors import Report, SkippedProductWarning, TraverseError

__all__ = ["main"]


class _Progress:
    """tqdm bar on stderr, created lazily on the first update."""

    def __init__(self, enabled: bool, desc: str):
        self.enabled, self.desc, self.bar = enabled, desc, None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="product", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_enabled(args) -> bool:
    return not args.quiet and (args.progress or sys.stderr.isatty())


def _read(args) -> tuple:
    from traverse.read.frames import read_frames

    bar = _Progress(_progress_enabled(args), "reading products")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedProductWarning)
            frames, report = read_frames(args.paths, control=args.control, progress=bar)
    finally:
        bar.close()
    return frames, report


def _summary(frames, report: Report, out: Path | None) -> str:
    labels = frames[frames["record"].isna()]
    lpr = frames[frames["record"].notna()]
    per = labels.groupby("instrument").size().to_dict()
    per_txt = ", ".join(f"{k} {v}" for k, v in sorted(per.items())) or "none"
    lines = [
        f"{len(labels)} label products ({per_txt}); "
        f"{lpr['product_id'].nunique()} LPR products with {len(lpr)} records; "
        f"{len(frames)} frames"
    ]
    bad = report.to_frame()
    if len(bad):
        where = f" (listed in {out})" if out else ""
        lines.append(f"{len(bad)} problems{where}:")
        lines += [f"  {r.source}: {r.reason}" for r in bad.itertuples()]
    return "\n".join(lines)


def _write_report(report: Report, out: Path) -> Path | None:
    if not len(report):
        return None
    path = out.with_name(out.stem + "_skipped.csv")
    report.to_frame().to_csv(path, index=False)
    return path


def cmd_index(args) -> int:
    """``traverse index PATH... -o OUT``: write the frames table."""
    from layers.tables import write_frames

    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".gpkg", ".parquet"):
        print(f"traverse index: -o {out}: use a .csv, .gpkg or .parquet file", file=sys.stderr)
        return 2
    frames, report = _read(args)
    if len(frames) == 0:
        print(f"traverse: no Chang'e-4 products could be read from {' '.join(args.paths)}"
              f" ({len(report)} problems)", file=sys.stderr)
        for p in report.problems[:20]:
            print(f"  {p.source}: {p.reason}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".gpkg":
        from layers.geopackage import write_geopackage

        write_geopackage(out, frames=frames)
    else:
        write_frames(frames, out)
    skipped = _write_report(report, out)
    if not args.quiet:
        print(f"wrote {out}")
        print(_summary(frames, report, skipped))
    return 0


def _parser() -> argparse.ArgumentParser:
    from traverse import __version__

    p = argparse.ArgumentParser(prog="traverse", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"traverse {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("paths", nargs="+", metavar="PATH",
                        help="product files, folders or the portal's zip bundles")
        sp.add_argument("--control", default="label",
                        help="lander position: label (default, as the products), lro (for LRO "
                             "basemaps) or LON,LAT,HEIGHT")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
        sp.add_argument("--progress", action="store_true",
                        help="show the progress bar even when stderr is not a terminal")

    sp = sub.add_parser("index", help="read an archive into a frames table (one row per frame)")
    common(sp)
    sp.add_argument("-o", "--output", required=True, help="OUT.csv, OUT.gpkg or OUT.parquet")
    sp.set_defaults(func=cmd_index)
    add_pipeline_commands(sub, common)
    return p




def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``traverse`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `traverse distances ... | head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except TraverseError as exc:
        print(f"traverse {args.command}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # bad option values (e.g. --control)
        print(f"traverse {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
