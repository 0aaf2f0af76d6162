"""Where the map's products come from: each one's label, relative to the page, and its source URL.

The page (``assets/traverse-products.js``) links every product of a popup to
its label and, where known, to the URL it was fetched from.  Paths travel
compactly: the distinct folders once (``places``), each product an index into
them; the label's name is the product id plus ``L`` (the GRAS rule,
``../shared/data/ce4/README.md``) except where ``names`` says otherwise; a
product read from a zip bundle has the place ``!BUNDLE.zip`` (the page says
"in BUNDLE.zip": a browser cannot open a member).  Source URLs likewise: the
distinct URL folders once (``sources``), each product ``[folder index, file
name]`` or ``None``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

import pandas as pd

__all__ = ["product_links"]


def _label_path(source: str, pid: str) -> str:
    """The label of product ``pid`` from its frame's ``source``: itself, or a data file's + ``L``."""
    name = source.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    return source + "L" if name == pid else source


def _place(label: str, page_folder: Path) -> tuple[str, str]:
    """``(place, name)`` of a label: its folder and its file name.

    The folder as a URL relative to ``page_folder`` ('' beside the page, else
    ending in ``/``), or ``!BUNDLE.zip`` for a zip member.
    """
    if "!" in label:
        bundle, member = label.split("!", 1)
        return "!" + bundle.replace("\\", "/").rsplit("/", 1)[-1], member.rsplit("/", 1)[-1]
    path = Path(label).resolve()
    try:
        rel = os.path.relpath(path.parent, page_folder.resolve())
    except ValueError:  # another drive (Windows): an absolute file URL
        return path.parent.as_uri() + "/", path.name
    rel = "" if rel == "." else quote(Path(rel).as_posix()) + "/"
    return rel, path.name


def product_links(frames: pd.DataFrame, ids: Sequence[str], *, page_folder: str | Path | None,
                  source_urls: Mapping[str, str] | None = None) -> dict:
    """The label and source of each product in ``ids`` (the map's product table), for the page.

    Parameters
    ----------
    frames
        The frames table (``product_id``, ``source``: the label's path, a data
        file's, or ``bundle.zip!member``).
    ids
        The product ids, in the map's product table order.
    page_folder
        The folder the HTML page will live in (the final one, not a staging
        folder): labels are linked relative to it.  ``None``: no label links.
    source_urls
        The URL each local label was fetched from, by its resolved path
        (:func:`traverse.fetch.manifests.source_urls`).

    Returns
    -------
    dict
        ``places`` (folders relative to the page, ``/``-terminated, or
        ``!BUNDLE.zip``), ``place`` (per product, an index into it or ``None``),
        ``names`` (``{index: label file name}`` where it is not the id + ``L``),
        ``sources`` (URL folders), ``source`` (per product ``[folder index,
        name]`` or ``None``).
    """
    out: dict = {"places": [], "place": [None] * len(ids), "names": {}, "sources": [],
                 "source": [None] * len(ids)}
    if page_folder is None or "source" not in frames or not len(ids):
        return out
    first = (frames.dropna(subset=["product_id", "source"]).drop_duplicates("product_id")
             .set_index("product_id")["source"].to_dict())  # a dict: Series.get costs ~15 µs a call
    places: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    urls, page = source_urls or {}, Path(page_folder)
    for k, pid in enumerate(ids):
        source = first.get(pid)
        if not isinstance(source, str) or not source:
            continue
        label = _label_path(source, pid)
        place, name = _place(label, page)
        out["place"][k] = places.setdefault(place, len(places))
        if name != pid + "L":
            out["names"][str(k)] = name
        url = urls.get(str(Path(label).resolve())) if "!" not in label else None
        if url:
            folder, _, file = url.rpartition("/")
            out["source"][k] = [prefixes.setdefault(folder + "/", len(prefixes)), file]
    out["places"], out["sources"] = list(places), list(prefixes)
    return out
