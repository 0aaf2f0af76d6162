"""Mutation classes for the science readers (echoes, VNIS-SD spectra), as ``tests/fuzz_targets.py``.

Classes: absurd echo groups (repetitions, locations, lengths, types in the
label's ``Group_Field_Binary``), echo data cut inside a trace, and VNIS-SD
tables with absurd field locations or records, flipped, cut, CRLF'd or random
bytes.  Each batch holds good products (a generated LPR drive, the real
VNIS-SD 0136 pair renamed) and mutants.  Promises (:func:`check_science_batch`):
nothing escapes the readers or the build stage
(:func:`traverse.science.along_track.along_track`); time and memory bounded;
the good drive gets its radargram and the good spectrum its 300 rows; every
mutant either gives a well-formed result (echo arrays of ``repetitions``
samples for at most the complete records; spectra with finite wavelengths) or
a ``LayoutError``/``LabelError`` from the reader and a "no radargram" / "no
spectrum" (or read) problem in the report.
"""

from __future__ import annotations

import random
import re
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from tests.fuzz_targets import CE4, Seeds, _lpr_pair, _renamed, _write, write_good

SD = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"
_ABSURD = ["0", "-1", "1", "3", "4", "113", "114", "115", "8192", "8193", "32768", "32883", "99999999999",
           "1e999", "3.5", "", "NaN", "18446744073709551617"]


def echo_group_numbers(rng: random.Random, folder: Path, seeds: Seeds, k: int) -> list[Path]:
    """The echo group's repetitions, location, length, field numbers or data type made absurd."""
    label, data, name = _lpr_pair(rng, seeds, k)
    head, sep, group = label.partition("<Group_Field_Binary>")
    for _ in range(rng.randint(1, 3)):
        tag = rng.choice(["repetitions", "group_location", "group_length", "field_location", "field_length",
                          "data_type"])
        value = rng.choice(["IEEE754LSBDouble", "SignedByte", "ASCII_Real", "", "UnsignedMSB8"]) \
            if tag == "data_type" else rng.choice(_ABSURD)
        group = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", lambda m, v=value: m.group(1) + v + m.group(2),
                       group, count=1)
    return [_write(folder, name + "L", (head + sep + group).encode()), _write(folder, name, data)]


def echo_data_cut(rng: random.Random, folder: Path, seeds: Seeds, k: int) -> list[Path]:
    """The binary cut inside a trace's echo group (or empty, or one byte over)."""
    label, data, name = _lpr_pair(rng, seeds, k)
    rl = int(re.search(r"<record_length[^>]*>(\d+)<", label).group(1))
    cut = rng.choice([0, rl - 1, rl + 200, len(data) - 1, len(data) + 1, rng.randrange(len(data))])
    body = data[:cut] if cut <= len(data) else data + b"\0" * (cut - len(data))
    return [_write(folder, name + "L", label.encode()), _write(folder, name, body)]


def sd_table_mutations(rng: random.Random, folder: Path, seeds: Seeds, k: int) -> list[Path]:
    """A VNIS-SD pair with absurd field numbers, or its table flipped, cut, CRLF'd or random."""
    label = (CE4 / "vnis" / f"{SD}L").read_text(encoding="utf-8")
    table = (CE4 / "vnis" / SD).read_bytes()
    name = _renamed(SD, k)
    label = label.replace(SD, name)
    what = rng.randrange(5)
    if what == 0:
        for _ in range(rng.randint(1, 3)):
            tag = rng.choice(["field_location", "field_length", "records", "record_length", "offset",
                              "bands"])
            spots = list(re.finditer(rf"<{tag}[^>]*>([^<]*)</{tag}>", label))
            if spots:
                m = rng.choice(spots)
                value = rng.choice(_ABSURD + ["900-", "2395-900", "a-b"])
                label = label[: m.start(1)] + value + label[m.end(1):]
    elif what == 1:
        raw = bytearray(table)
        for _ in range(rng.randint(1, 40)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        table = bytes(raw)
    elif what == 2:
        table = table[: rng.randrange(len(table))]
    elif what == 3:
        table = table.replace(b"\n", rng.choice([b"\r\n", b"\r", b"", b"\n\n"]))
    else:
        table = rng.randbytes(rng.choice([0, 57, 17400, 100_000]))
    return [_write(folder, name + "L", label.encode()), _write(folder, name, table)]


def write_good_science(folder: Path) -> set[str]:
    """The good products of :func:`tests.fuzz_targets.write_good` and the real VNIS-SD 0136 pair."""
    ids = write_good(folder)
    if CE4.is_dir():
        _write(folder, SD + "L", (CE4 / "vnis" / f"{SD}L").read_bytes())
        _write(folder, SD, (CE4 / "vnis" / SD).read_bytes())
        ids.add(SD)
    return ids


def _reader_promises(data: Path) -> list[str]:
    """Read one mutant with the science reader directly: a result well formed, or a declared error."""
    from traverse.errors import LabelError, LayoutError, TraverseError
    from traverse.read.archive import Source
    from traverse.read.echoes import echo_group, read_echoes
    from traverse.read.labels import parse_label
    from traverse.read.pds4 import parse_xml
    from traverse.read.poses import PoseLayout
    from traverse.read.spectra import read_sd_spectrum
    from traverse.record_formats import record_format

    label = data.with_name(data.name + "L").read_bytes()
    try:
        if "VNIS-SD" in data.name:
            spec = read_sd_spectrum(label, data.read_bytes(), str(data))
            if len(spec) > spec.attrs["declared_records"] or not spec["wavelength_nm"].notna().all():
                declared = spec.attrs["declared_records"]
                return [f"{data.name}: {len(spec)} rows of {declared}, or NaN wavelengths"]
            return []
        fmt = record_format("lpr")
        layout = PoseLayout.from_table(parse_label(label, str(data))["table"], fmt, source=str(data))
        group = echo_group(parse_xml(label, str(data)), fmt, layout.record_length, source=str(data))
        records, echoes = read_echoes(Source(data), layout, group)
    except (LayoutError, LabelError):
        return []
    except TraverseError:
        return []
    except Exception as exc:  # the promise under test
        return [f"{data.name}: {type(exc).__name__} escaped the reader: {exc}"[:300]]
    complete = max(data.stat().st_size - layout.offset, 0) // layout.record_length
    if echoes.shape != (len(records), group.repetitions) or len(records) > complete:
        return [f"{data.name}: echoes {echoes.shape} for {len(records)} of {complete} complete records"]
    return []


def check_science_batch(folder: Path, good_ids: set[str], mutants: list[Path], *, max_seconds: float = 60.0,
                        max_peak_mb: float = 400.0) -> list[str]:
    """Read a batch through the build's science stage; the broken promises (module docstring)."""
    from traverse.path.reconstruct import reconstruct
    from traverse.read.archive import open_archive
    from traverse.read.frames import frames_from_archive
    from traverse.science.along_track import along_track

    broken = []
    for data in (m for m in mutants if not m.name.endswith("L")):
        broken += _reader_promises(data)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with open_archive([folder]) as archive:
            frames = frames_from_archive(archive)
            products, report = archive.products, archive.report
        trav = reconstruct(frames)
        science = along_track(trav, products, report)
    except Exception as exc:  # the promise under test
        tracemalloc.stop()
        return broken + [f"{type(exc).__name__} escaped the science stage: {exc}"[:300]]
    seconds, peak = time.perf_counter() - t0, tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    if seconds > max_seconds or peak > max_peak_mb:
        broken.append(f"took {seconds:.1f} s, peak {peak:.0f} MB")
    drawn = {dr.product_id for dr in science.radargrams}
    spectra = science.spectra.groupby("product_id").size() if len(science.spectra) else pd.Series(dtype=int)
    good_radar = {g for g in good_ids if "LPR" in g}
    if good_radar - drawn:
        broken.append(f"good radargram lost: {sorted(good_radar - drawn)}")
    if SD in good_ids and spectra.get(SD, 0) != 300:
        broken.append(f"good spectrum lost: {spectra.get(SD, 0)} rows")
    reported = {p.source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix("L") for p in report.problems}
    for data in (m for m in mutants if not m.name.endswith("L")):
        if data.name not in drawn and data.name not in set(spectra.index) and data.name not in reported \
                and _had_something_to_draw(data.name, trav):
            broken.append(f"{data.name}: no radargram/spectrum and not reported")
    return broken


def _had_something_to_draw(product_id: str, trav) -> bool:
    """Whether the science stage had work for it: its spectrum frame, or radar records inside a drive."""
    rows = trav.frames[trav.frames["product_id"] == product_id]
    if "VNIS-SD" in product_id or not len(rows):
        return bool(len(rows))
    t = rows.loc[rows["record"].notna(), "time_utc"]
    return any(t.between(d.start_utc, d.end_utc).any() for d in trav.drives.itertuples(index=False))


#: The science classes with their good products and promise check (see ``tests/fuzz_targets.SUITES``).
SCIENCE_SUITES = {
    name: (mutate, write_good_science, check_science_batch)
    for name, mutate in {"echo group absurd numbers": echo_group_numbers,
                         "echo data cut inside a trace": echo_data_cut,
                         "VNIS-SD table and label mutations": sd_table_mutations}.items()
}
