"""What every subcommand shares: parent parsers, usage errors, output checks, logging, progress.

Each subcommand module (``traverse/cli/<name>.py``) has ``register(subparsers)``,
which adds its parser with the parents it needs from here, and ``run(args) ->
int``.  Exit status: 0 done, 1 nothing usable or an output failed, 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from traverse.datafiles import site_names
from traverse.errors import OutputError, UsageError

__all__ = [
    "UsageError",
    "verbosity_options",
    "archive_options",
    "cache_folder",
    "overwrite_option",
    "control_network",
    "check_outputs",
    "make_output_folders",
    "configure_logging",
    "Progress",
]


def control_network(text: str) -> str | tuple[float, float, float]:
    """Argparse type of ``--control``: a site name (``label``, ``lro``) or ``LON,LAT,HEIGHT``.

    A name is resolved against the archive's mission when it is read
    (:func:`traverse.read.frames.frames_from_archive`): ``lro`` exists for
    Chang'e-4 only.
    """
    key = text.strip().lower()
    if key in site_names():
        return key
    from traverse import geodesy

    try:
        site = geodesy.lander_site(key)  # checks LON,LAT,HEIGHT syntax and ranges
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return (site.lon_deg, site.lat_deg, site.height_m)


def positive_metres(text: str) -> float:
    """Argparse type of a length in metres: a positive number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of metres") from None
    if not (value > 0 and value < 1e6):
        raise argparse.ArgumentTypeError(f"{text}: give a positive number of metres")
    return value


def verbosity_options() -> argparse.ArgumentParser:
    """``-v``/``-q`` (logging level of the ``traverse`` logger) and ``--progress``."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("output on the terminal")
    g.add_argument("-v", "--verbose", action="count", default=0,
                   help="say more: each skipped product as it is met (-vv: debug)")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar, no summary; only errors")
    g.add_argument("--progress", action="store_true",
                   help="show the progress bar even when stderr is not a terminal")
    return p


def archive_options() -> argparse.ArgumentParser:
    """The archive to read (``PATH...``) and the control network (``--control``)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="product files, folders or the portal's zip bundles")
    p.add_argument("--view-length", type=positive_metres, default=None, metavar="METRES",
                   help="length of a view wedge whose label gives no observed point (default 5)")
    p.add_argument("--control", type=control_network, default=None,
                   metavar="NETWORK",
                   help=_control_help())
    g = p.add_mutually_exclusive_group()
    g.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="cache of parsed products: a rebuild reads only new or changed products (default:"
                        " products/ in $TRAVERSE_CACHE_DIR, else in ~/.cache/traverse on Linux)")
    g.add_argument("--no-cache", action="store_true",
                   help="read every product; neither use nor update the cache")
    return p


def cache_folder(args: argparse.Namespace) -> Path | None:
    """The cache folder ``--cache-dir``/``--no-cache`` ask for (see :mod:`traverse.read.cache`)."""
    if getattr(args, "no_cache", False):
        return None
    if getattr(args, "cache_dir", None) is not None:
        return args.cache_dir
    from traverse.read.cache import default_cache_dir

    return default_cache_dir()


def _control_help() -> str:
    """``--control``'s help: the site names of every mission (from their TOMLs) and LON,LAT,HEIGHT.

    Read with :func:`traverse.datafiles.site_names`, not from the missions: the help needs no pandas.
    """
    names = site_names()
    every = len({m for ms in names.values() for m in ms})
    parts = [f"{n} ({', '.join(ms)} only)" if len(ms) < every else n for n, ms in names.items()]
    return ("lander position: " + ", ".join(parts) + " or LON,LAT,HEIGHT (default label: the products' own;"
            " build and map take the network of the cached orbital basemaps: lro for LRO products)")


def overwrite_option() -> argparse.ArgumentParser:
    """``--overwrite``: replace existing outputs (refused without it, as rasterio's ``rio``)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def check_outputs(paths: Iterable[Path], *, overwrite: bool) -> None:
    """Refuse, before any work, outputs that cannot be written (nothing is created here).

    A missing output folder is fine (:func:`make_output_folders` creates it
    once there is something to write) as long as it can be created.

    Raises
    ------
    UsageError
        A folder stands where a file goes, or a file exists and ``overwrite``
        is false (exit status 2).
    OutputError
        The folder cannot be created or written (a file in the way, no
        permission, a read-only or virtual file system): exit status 1.
    """
    for path in map(Path, paths):
        if path.is_dir():
            raise UsageError(f"{path}: is a folder; give a file name")
        if path.exists() and not overwrite:
            raise UsageError(f"{path}: exists; use --overwrite to replace it")
        folder = path.absolute().parent
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir():
            raise OutputError(f"cannot create folder {folder}: {existing} is a file", source=str(path))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write in {existing}: permission denied", source=str(path))


def make_output_folders(paths: Iterable[Path]) -> None:
    """Create the folders of ``paths`` (after :func:`check_outputs`, once there is output).

    Raises
    ------
    OutputError
        A folder cannot be created (e.g. under ``/proc``).
    """
    for path in map(Path, paths):
        folder = path.parent if str(path.parent) else Path(".")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create folder {folder}: {exc.strerror or exc}",
                              source=str(path)) from exc


def configure_logging(args: argparse.Namespace) -> None:
    """Send the ``traverse`` logger to stderr at the level ``-v``/``-q`` ask for."""
    verbose, quiet = getattr(args, "verbose", 0), getattr(args, "quiet", False)
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logger = logging.getLogger("traverse")
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (the CLI may run many times in one process)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class Progress:
    """A tqdm bar on stderr, created on the first update; a no-op when disabled.

    Call it as ``progress(done, total)``, the callback the library verbs take.
    """

    def __init__(self, args: argparse.Namespace, desc: str, unit: str = "product", *, scale: bool = False):
        self.enabled = not getattr(args, "quiet", False) and (
            getattr(args, "progress", False) or sys.stderr.isatty()
        )
        self.desc, self.unit, self.scale, self.bar = desc, unit, scale, None

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` items are done (the bar starts on the first call)."""
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit=self.unit, unit_scale=self.scale,
                            file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def note(self, text: str) -> None:
        """Show ``text`` after the counts (e.g. the bytes downloaded so far)."""
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        """Close the bar, if one was shown."""
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
