"""Reading a Chang'e-4 archive: products in folders and zip bundles → the ``frames`` table.

:mod:`~traverse.read.archive` finds products, :mod:`~traverse.read.labels` parses
PDS4 labels safely, :mod:`~traverse.read.lpr` decodes radar records (with the
traps of :mod:`~traverse.read.quirks`), and :mod:`~traverse.read.frames` puts
them together, one row per frame.
"""

from traverse.read.frames import read_frames

__all__ = ["read_frames"]
