"""How the ``spectra`` table relates to ``frames`` and ``targets``, stored so that QGIS can find it.

The ``spectra`` table (one row per channel) belongs to the VNIS-SD frame and
observed target of the same ``product_id``.  Two stores, because QGIS versions
read different ones:

* **In the GeoPackage** (:func:`declare_spectra_key`): ``spectra.product_id``
  gets a SQLite foreign key ``REFERENCES targets(product_id)``, with a unique
  index on ``targets.product_id`` (one target per product).  GDAL ≥ 3.6 reports
  it as a one-to-many relationship ``targets_spectra`` (checked with the
  system GDAL 3.6.2), and QGIS ≥ 3.28 discovers relations through GDAL.  QGIS
  3.22 (installed here) does not: ``QgsRelationManager.discoverRelations`` on
  the OGR layers returns none, with the key or without it, and 3.22 reads no
  GeoPackage related-tables extension either.  The key is added to the
  table's SQL in ``sqlite_master`` (a clause that changes no stored byte), so
  the rows pyogrio wrote stay as they are.
* **For a QGIS project** (:data:`SPECTRA_RELATIONS`): the relations as data,
  ``spectra`` → ``frames`` and ``spectra`` → ``targets`` by ``product_id``, for
  whoever writes the project (``QgsRelation`` with these ids, layers by table
  name).  ``frames.product_id`` is not unique (a radar product has one frame
  per record), so that one lives in the project only, never as a SQL key.
"""

from __future__ import annotations

import re
import sqlite3

__all__ = ["SPECTRA_RELATIONS", "declare_spectra_key"]

#: ``(id, name, referencing table, its field, referenced table, its field)``: the attribute form of a
#: frame or target lists its spectrum rows.
SPECTRA_RELATIONS = (
    ("frames_spectra", "Spectrum of this frame", "spectra", "product_id", "frames", "product_id"),
    ("targets_spectra", "Spectrum of this target", "spectra", "product_id", "targets", "product_id"),
)


def declare_spectra_key(con: sqlite3.Connection) -> bool:
    """Make ``spectra.product_id`` a foreign key to ``targets.product_id`` (module docstring).

    Done only when both tables exist and every target's ``product_id`` is
    distinct (else the key could not be a proper one: nothing is changed).
    Returns whether the key was declared.
    """
    tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"spectra", "targets"} <= tables:
        return False
    n, distinct = con.execute("SELECT count(product_id), count(DISTINCT product_id) FROM targets").fetchone()
    if n != distinct:
        return False
    (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spectra'").fetchone()
    key = r'\1 REFERENCES "targets"("product_id")\2'
    new, hits = re.subn(r'("product_id" TEXT)([,)])', key, sql, count=1)
    if hits != 1:
        return False
    con.execute('CREATE UNIQUE INDEX IF NOT EXISTS "targets_product_id_unique" ON "targets"("product_id")')
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'spectra'", (new,))
    (version,) = con.execute("PRAGMA schema_version").fetchone()
    con.execute(f"PRAGMA schema_version = {int(version) + 1}")  # other connections re-read the schema
    con.execute("PRAGMA writable_schema = OFF")
    return True
