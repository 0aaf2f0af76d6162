"""The package's TOML data (``traverse/data/*/``): their texts, and what the CLI lists before any work.

Only the standard library: it sits at the bottom of the house with
:mod:`traverse.geodesy` (which reads the default mission's lander sites here),
and ``traverse --help`` names every mission's lander sites from here
(:func:`site_names`) without building the missions
(:func:`traverse.missions.missions`, which needs pandas).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

__all__ = ["toml_texts", "toml_tables", "site_names"]


def toml_texts(folder: str) -> list[tuple[str, str]]:
    """``(stem, text)`` of every ``traverse/data/FOLDER/*.toml``, sorted by name."""
    entries = sorted((files("traverse") / "data" / folder).iterdir(), key=lambda e: e.name)
    return [(e.name[: -len(".toml")], e.read_text(encoding="utf-8")) for e in entries
            if e.name.endswith(".toml")]


@cache
def toml_tables(folder: str) -> tuple[tuple[str, dict], ...]:
    """``(stem, parsed table)`` of every ``traverse/data/FOLDER/*.toml``, read and parsed once."""
    return tuple((stem, tomllib.loads(text)) for stem, text in toml_texts(folder))


@cache
def site_names() -> dict[str, tuple[str, ...]]:
    """Every lander site name of the missions' TOMLs, with the names of the missions that have it.

    In the order the files and their ``[sites.*]`` tables give them, e.g.
    ``{"label": ("Chang'e-4", "Tianwen-1"), "lro": ("Chang'e-4",)}``: the
    same names as the ``sites`` of :func:`traverse.missions.missions`.
    """
    names: dict[str, list[str]] = {}
    for _, d in toml_tables("missions"):
        for name in d["sites"]:
            names.setdefault(name, []).append(d["name"])
    return {name: tuple(ms) for name, ms in names.items()}
