"""Where local files came from: the URLs that ``traverse fetch`` recorded in its manifests.

``traverse fetch`` writes ``fetch_manifest.csv`` (:data:`MANIFEST_NAME`) in
its download folder: one row per file with its
``url`` (credentials redacted), its ``path`` relative to that folder and its
``status``.  :func:`source_urls` finds the manifests above some files and
says which URL each complete file came from, so the map can link a product
to its portal page.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

__all__ = ["source_urls"]

#: The manifest's name: the record of every ``traverse fetch`` run, in its download folder.
MANIFEST_NAME = "fetch_manifest.csv"
#: Statuses of a file that is on disk, whole.
COMPLETE = ("fetched", "skipped", "complete, shorter than label", "complete, longer than label")


def _read(manifest: Path) -> dict[str, str]:
    """``{resolved local path: url}`` of one manifest's complete files ({} when unreadable)."""
    try:
        table = pd.read_csv(manifest, usecols=["url", "path", "status"], dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return {}
    table = table[table["status"].isin(COMPLETE) & (table["url"] != "")]
    folder = manifest.parent.resolve()
    return {str((folder / p).resolve()): u for p, u in zip(table["path"], table["url"], strict=True)}


def source_urls(paths: Iterable[str | Path], *, max_levels: int = 8) -> dict[str, str]:
    """``{resolved path: url}`` for the files in ``paths`` that a fetch manifest lists.

    Each file's folder and up to ``max_levels`` parents are searched for
    ``fetch_manifest.csv`` (each folder looked at once); zip members
    (``bundle.zip!member``) are skipped.  Files no manifest lists are left out.
    """
    files = {Path(p).resolve() for p in paths if "!" not in str(p)}
    found: dict[str, str] = {}
    looked: dict[Path, Path | None] = {}
    read: set[Path] = set()
    for path in files:
        folder = path.parent
        for _ in range(max_levels + 1):
            if folder not in looked:
                looked[folder] = folder / MANIFEST_NAME if (folder / MANIFEST_NAME).is_file() else None
            manifest = looked[folder]
            if manifest is not None:
                if manifest not in read:
                    read.add(manifest)
                    found.update(_read(manifest))
                break
            if folder.parent == folder:
                break
            folder = folder.parent
    wanted = {str(p) for p in files}
    return {k: v for k, v in found.items() if k in wanted}
