"""Reading an archive: products in folders and zip bundles → the ``frames`` table.

:mod:`~traverse.read.archive` finds products, :mod:`~traverse.read.labels` parses
PDS4 labels safely, :mod:`~traverse.read.records` decodes pose records by their
format (:mod:`traverse.record_formats`, with the traps of
:mod:`~traverse.read.quirks`), and :mod:`~traverse.read.frames` puts them
together, one row per frame.  ``read_frames`` is imported on first use, so a
submodule (the quirks, say) can be imported without the whole reader.
"""

__all__ = ["read_frames"]


def __getattr__(name: str):
    if name == "read_frames":
        from traverse.read.frames import read_frames

        return read_frames
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
