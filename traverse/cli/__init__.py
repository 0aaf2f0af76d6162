"""``traverse`` command line: a thin shell over the library verbs, one module per subcommand.

Exit status: 0 done, 1 when nothing usable was found or an output could not
be written (one clear line on stderr), 2 for usage errors.  Progress bars go
to stderr, only when it is a terminal (or with ``--progress``); ``-q`` hides
them and the summary, ``-v`` lists each skipped product as it is met.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from traverse.cli.options import configure_logging
from traverse.errors import TraverseError, UsageError

__all__ = ["main", "SUBCOMMANDS"]

#: Subcommand modules under ``traverse.cli``, in the order ``--help`` lists them.
SUBCOMMANDS = ("fetch", "index", "distances", "build", "map", "basemap", "sample")


def build_parser() -> argparse.ArgumentParser:
    """The ``traverse`` parser with every subcommand of :data:`SUBCOMMANDS` registered."""
    p = argparse.ArgumentParser(prog="traverse", description=__doc__.splitlines()[0])
    p.add_argument("--version", action=_Version, nargs=0, help="show program's version number and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"traverse.cli.{name}").register(sub)
    return p


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata is slow)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from traverse import __version__

        print(f"traverse {__version__}")  # on stdout, as argparse's own version action
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``traverse`` console script; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) or a usage error (2)
        return int(exc.code or 0)
    configure_logging(args)
    try:
        with warnings.catch_warnings():
            # library deprecation notices are for developers, not for users of the command
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            return args.func(args)
    except BrokenPipeError:  # e.g. `traverse distances ... | head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:
        print(f"traverse {args.command}: {exc}", file=sys.stderr)
        return 2
    except TraverseError as exc:
        print(f"traverse {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"traverse {args.command}: interrupted; no partial output left", file=sys.stderr)
        return 130
