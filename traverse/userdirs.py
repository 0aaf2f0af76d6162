"""Where traverse keeps a user's files between runs: one cache folder.

``$TRAVERSE_CACHE_DIR``, else platformdirs' user cache of ``traverse``
(``~/.cache/traverse`` on Linux, honouring ``$XDG_CACHE_HOME``).  It holds

* ``orbital/<mission>/…``: the orbital basemap windows of ``traverse basemap get``
  (:mod:`traverse.orbital.products`);
* ``products/``: the cache of parsed products that makes rebuilds incremental
  (:mod:`traverse.read.cache`).

Either may be deleted at any time (the next run reads or fetches again); nothing
prunes them by itself.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "user_cache_dir"]

#: The environment variable that moves the cache folder (tests give each run its own).
CACHE_ENV = "TRAVERSE_CACHE_DIR"


def user_cache_dir() -> Path:
    """The per-user cache folder: ``$TRAVERSE_CACHE_DIR``, else platformdirs' user cache of ``traverse``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("traverse", appauthor=False))
