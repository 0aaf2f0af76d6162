"""``traverse fetch LIST... -o DIR``: download what the traverse needs from the portal's download lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from traverse.cli import options

__all__ = ["register", "run"]


def register(subparsers) -> None:
    """Add ``fetch`` to the ``traverse`` parser."""
    sp = subparsers.add_parser(
        "fetch", help="download the labels and radar files a traverse needs, from download lists",
        parents=[options.verbosity_options()],
    )
    sp.add_argument("lists", nargs="+", metavar="LIST", type=Path,
                    help="the portal's download lists (downloadResult.txt)")
    sp.add_argument("-o", "--output", required=True, type=Path, metavar="DIR",
                    help="download folder (the portal's layout is kept below it)")
    sp.add_argument("--what", choices=("labels", "positions", "all"), default="labels",
                    help="labels (default) = positions: every label and the LPR 2B radar files; "
                         "all: also images and every data file")
    sp.add_argument("--instrument", action="append", default=[], metavar="NAME",
                    help="only this instrument or payload (PCAM, VNIS, LPR, TCAM, PCAML-C ...)")
    sp.add_argument("--level", action="append", default=[], help="only this level (2A, 2B, 2C ...)")
    sp.add_argument("--from", dest="start", metavar="DATE", help="only products starting on or after")
    sp.add_argument("--to", dest="end", metavar="DATE", help="only products starting on or before")
    sp.add_argument("--lunar-day", metavar="N[-M]", help="only these lunar days")
    sp.add_argument("--sequence", action="append", default=[], metavar="N", help="only this sequence")
    sp.add_argument("--dry-run", action="store_true",
                    help="print the counts and expected bytes per instrument; download nothing")
    sp.add_argument("-j", "--jobs", type=int, default=4, help="parallel connections (default 4)")
    sp.add_argument("--retries", type=int, default=4, help="retries on timeouts, resets, 5xx (default 4)")
    sp.add_argument("--retry-wait", type=float, default=1.0, metavar="SECONDS",
                    help="wait before the first retry, doubled at each next one (default 1)")
    sp.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                    help="seconds to connect, and the longest wait for the next bytes of an answer"
                         " (default 30)")
    sp.add_argument("--deadline", type=float, default=600.0, metavar="SECONDS",
                    help="wall-clock seconds one file may take, retries included: a server trickling"
                         " bytes is cut off then, at most --timeout later (default 600)")
    sp.add_argument("--cookie-file", type=Path, help="Netscape cookies.txt exported from a browser")
    sp.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                    help="extra request header (repeatable; never logged)")
    sp.set_defaults(func=run)


def _settings(args):
    from traverse.fetch.download import FetchSettings

    headers = {}
    for h in args.header:
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            raise options.UsageError("--header: give 'Name: value'")
        headers[name.strip()] = value.strip()
    if args.cookie_file is not None and not args.cookie_file.is_file():
        raise options.UsageError(f"--cookie-file {args.cookie_file}: no such file")
    if not 1 <= args.jobs <= 16:
        raise options.UsageError("-j: between 1 and 16 connections")
    for name, value in (("--timeout", args.timeout), ("--deadline", args.deadline)):
        if not value > 0 or value == float("inf"):
            raise options.UsageError(f"{name}: give a number of seconds above 0")
    return FetchSettings(jobs=args.jobs, retries=max(0, args.retries), timeout_s=args.timeout,
                         deadline_s=args.deadline,
                         backoff_s=max(0.0, args.retry_wait),
                         headers=headers, cookie_file=str(args.cookie_file) if args.cookie_file else None)


def _selection(args):
    from traverse.fetch.lists import read_download_lists, select_entries

    for path in args.lists:
        if not path.is_file():
            raise options.UsageError(f"{path}: no such download list")
    with options.Progress(args, "reading download lists", unit="B", scale=True) as bar:
        entries, report = read_download_lists(args.lists, progress=bar)
    try:
        chosen = select_entries(
            entries, what=args.what, instruments=args.instrument, levels=args.level,
            start_utc=args.start, end_utc=args.end, lunar_days=args.lunar_day, sequences=args.sequence,
        )
    except ValueError as exc:
        raise options.UsageError(str(exc)) from exc
    return entries, chosen, report


def _dry_run(args, entries, settings) -> int:
    """Counts and sizes per instrument of what each ``--what`` choice would fetch."""
    import pandas as pd

    from traverse.errors import TraverseError
    from traverse.fetch.download import probe_sizes
    from traverse.fetch.lists import select_entries

    every = select_entries(entries, what="all", instruments=args.instrument, levels=args.level,
                           start_utc=args.start, end_utc=args.end, lunar_days=args.lunar_day,
                           sequences=args.sequence)
    radar = (every["instrument"] == "LPR") & (every["level"] == "2B")
    kind = pd.Series("other data files (images ...)", index=every.index)
    kind[every["is_label"]] = "labels"
    kind[~every["is_label"] & radar] = "LPR 2B radar files"
    note = ""
    try:
        sizes = probe_sizes(every, settings=settings) if len(every) else pd.Series(dtype="float64")
    except TraverseError as exc:
        sizes, note = pd.Series(float("nan"), index=every.index), str(exc)
    table = pd.DataFrame({"instrument": every["instrument"], "kind": kind, "bytes": sizes})
    print(f"{len(every)} files in the lists ({len(entries)} before filters); --what labels/positions"
          f" fetches the labels and LPR 2B radar files, --what all everything:")
    for (instrument, what), group in table.groupby(["instrument", "kind"]):
        known = group["bytes"].notna().all()
        size = f"{group['bytes'].sum() / 1e6:.1f} MB" if known else "size unknown"
        print(f"  {instrument} {what}: {len(group)} ({size})")
    if note:
        print(f"traverse fetch: {note}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Fetch (or count); 0 when every requested file is complete, 1 when some failed."""
    from layers.tables import write_problems
    from traverse.fetch.download import LONGER, MANIFEST_NAME, SHORTER, fetch_entries
    from traverse.outputs import atomic_output

    settings = _settings(args)
    entries, chosen, report = _selection(args)
    for p in report.problems:
        print(f"warning: {p.source}: {p.reason}", file=sys.stderr)
    if args.dry_run:
        return _dry_run(args, entries, settings)
    if args.output.exists() and not args.output.is_dir():
        raise options.UsageError(f"-o {args.output}: is a file; give a folder")
    options.make_output_folders([args.output / MANIFEST_NAME])
    with options.Progress(args, "fetching", unit="file") as bar:

        def progress(done: int, total: int, fetched_bytes: int) -> None:
            bar(done, total)
            bar.note(f"{fetched_bytes / 1e6:.1f} MB")

        manifest = fetch_entries(chosen, args.output, settings=settings, progress=progress)
    with atomic_output(args.output / MANIFEST_NAME) as tmp:
        manifest.to_csv(tmp, index=False, lineterminator="\n")
    if len(report):
        write_problems(args.output / "fetch_skipped.csv", report.to_frame())
    counts = manifest["status"].value_counts()
    failed = manifest[manifest["status"] == "failed"]
    odd = manifest[manifest["status"].isin([SHORTER, LONGER])]
    for r in odd.itertuples(index=False):  # kept: their complete records are usable
        print(f"warning: {r.path}: {r.status}: {r.reason}", file=sys.stderr)
    if not args.quiet:
        fetched = manifest[manifest["status"].isin(["fetched", SHORTER, LONGER])]
        print(f"{len(fetched)} fetched ({fetched['bytes'].sum() / 1e6:.1f} MB"
              f"{f', {len(odd)} not the size their label declares' if len(odd) else ''}), "
              f"{counts.get('skipped', 0)} already complete, {len(failed)} failed"
              f" (listed in {args.output / MANIFEST_NAME})")
        for r in failed.head(20).itertuples(index=False):
            print(f"  {r.path}: {r.reason}")
    return 1 if len(failed) else 0
