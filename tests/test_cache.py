"""Issue 23: incremental builds through the cache of parsed products (traverse.read.cache).

What a warm build must give is what a cold one gives: the frames (every
column, dtype and the lander site), the problems (replayed, with the places
where the products lie now), the image layouts, and through the CLI the
GeoPackage layers, the HTML and the skipped report.  Reads are counted by
wrapping ``parse_label`` where :mod:`traverse.read.frames` calls it.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal

from traverse.cli import main
from traverse.read import cache as product_cache
from traverse.read import frames as frames_module
from traverse.read.archive import open_archive
from traverse.read.frames import frames_from_archive, read_frames
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A 2-lunar-day SYNTHETIC sample (labels, images, LPR records), one LPR binary cut short."""
    folder = tmp_path_factory.mktemp("pristine") / "ce4"
    write_sample_archive(folder, days=2)
    lpr = sorted((folder / "LPR").glob("*.2B"))[0]
    lpr.write_bytes(lpr.read_bytes()[:-100])  # a cut download: a truncation warning naming this file
    return folder


@pytest.fixture()
def archive(pristine, tmp_path) -> Path:
    """A copy of the sample this test may change (mtimes kept, as a moved folder keeps them)."""
    return Path(shutil.copytree(pristine, tmp_path / "archive" / "ce4", copy_function=shutil.copy2))


@pytest.fixture()
def parses(monkeypatch) -> list[str]:
    """Sources of every label ``parse_label_tree`` parses in the read pass."""
    seen: list[str] = []
    real = frames_module.parse_label_tree

    def counted(data, source):
        seen.append(source)
        return real(data, source)

    monkeypatch.setattr(frames_module, "parse_label_tree", counted)
    return seen


def _read(paths, cache, **kw):
    frames, report = read_frames(paths, cache=cache, workers=1, **kw)
    return frames, report.problems


def _n_labels(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*L") if p.is_file())


def test_warm_read_is_the_cold_read_and_parses_nothing(archive, tmp_path, parses):
    cold, cold_problems = _read([archive], None)
    assert len(parses) == _n_labels(archive)
    assert any("truncated" in p.reason for p in cold_problems)  # the cut LPR binary
    parses.clear()
    first, first_problems = _read([archive], tmp_path / "cache")  # fills the cache
    assert len(parses) == _n_labels(archive)
    parses.clear()
    warm, warm_problems = _read([archive], tmp_path / "cache")
    assert parses == []
    for got, problems in ((first, first_problems), (warm, warm_problems)):
        assert_geodataframe_equal(got, cold, check_like=False)
        assert got.dtypes.to_dict() == cold.dtypes.to_dict() and got.attrs == cold.attrs
        assert problems == cold_problems


def test_image_layouts_come_from_the_cache(archive, tmp_path, parses):
    def layouts(cache):
        with open_archive([archive]) as arch:
            frames_from_archive(arch, workers=1, cache=cache)
            return {p.name.product_id: (p.label_read, p.image) for p in arch.products}

    cold = layouts(tmp_path / "cache")
    parses.clear()
    warm = layouts(tmp_path / "cache")
    assert parses == [] and warm == cold
    imaged = {p.name[:-1] for d in ("PCAM", "TCAM", "VNIS") for p in (archive / d).glob("*L")}
    assert {pid for pid, (_, image) in cold.items() if image is not None} == imaged


def test_a_product_changed_in_place_is_read_again(archive, tmp_path, parses):
    _read([archive], tmp_path / "cache")
    label = sorted((archive / "PCAM").glob("*.2BL"))[3]
    text = label.read_text(encoding="utf-8")
    moved = re.sub(r'<x unit="m">[-0-9.]+</x>', '<x unit="m">12.345678</x>', text, count=1)
    assert moved != text
    label.write_text(moved, encoding="utf-8")
    parses.clear()
    warm, warm_problems = _read([archive], tmp_path / "cache")
    assert [Path(s).name for s in parses] == [label.name]
    cold, cold_problems = _read([archive], None)
    assert_geodataframe_equal(warm, cold)
    assert warm_problems == cold_problems
    assert warm.loc[warm["product_id"] == label.name[:-1], "x_east_m"].tolist() == [12.345678]


def test_added_products_are_the_only_ones_read(pristine, tmp_path, parses):
    folder = Path(shutil.copytree(pristine, tmp_path / "ce4", copy_function=shutil.copy2))
    later = tmp_path / "later"
    later.mkdir()
    for p in sorted((folder / "PCAM").iterdir())[-10:]:  # five products (label + image) downloaded later
        shutil.move(p, later / p.name)
    _read([folder], tmp_path / "cache")
    for p in later.iterdir():
        shutil.move(p, folder / "PCAM" / p.name)
    parses.clear()
    warm, warm_problems = _read([folder], tmp_path / "cache")
    assert sorted(Path(s).name for s in parses) == sorted(p.name for p in (folder / "PCAM").iterdir()
                                                          if p.name.endswith("L"))[-5:]
    cold, cold_problems = _read([folder], None)
    assert_geodataframe_equal(warm, cold) and warm_problems == cold_problems


def test_a_moved_archive_reads_nothing_and_names_its_new_place(archive, tmp_path, parses):
    _read([archive], tmp_path / "cache")
    moved = archive.parent.parent / "elsewhere"
    archive.rename(moved)
    parses.clear()
    warm, warm_problems = _read([moved], tmp_path / "cache")
    assert parses == []
    cold, cold_problems = _read([moved], None)
    assert_geodataframe_equal(warm, cold)
    assert warm_problems == cold_problems
    assert warm["source"].str.startswith(str(moved)).all()
    truncated = [p for p in warm_problems if "truncated" in p.reason]
    assert truncated and all(str(moved) in p.source for p in truncated)


def test_zip_members_are_known_by_their_crc(pristine, tmp_path, parses):
    labels = sorted((pristine / "VNIS").glob("*L"))[:4]
    bundle = tmp_path / "CE4_VNIS_2B_20190101000000_20190128000000_B.zip"

    def pack(changed: str | None = None):
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in labels:
                data = p.read_bytes()
                if p.name == changed:  # same size, other content: only the CRC tells
                    data = data.replace(b"SYNTHETIC", b"SYNTHETIc", 1)
                zf.writestr(f"DATA/VNIS/{p.name}", data)

    pack()
    _read([bundle], tmp_path / "cache")
    parses.clear()
    _read([bundle], tmp_path / "cache")
    assert parses == []
    pack(changed=labels[2].name)
    warm, warm_problems = _read([bundle], tmp_path / "cache")
    assert [s.rsplit("/", 1)[-1] for s in parses] == [labels[2].name]
    cold, cold_problems = _read([bundle], None)
    assert_geodataframe_equal(warm, cold) and warm_problems == cold_problems


def test_another_reader_version_is_not_used(archive, tmp_path, parses, monkeypatch, caplog):
    _read([archive], tmp_path / "cache")
    monkeypatch.setattr(product_cache, "READER_VERSION", product_cache.READER_VERSION + 1)
    parses.clear()
    with caplog.at_level(logging.INFO, logger="traverse"):
        warm, _ = _read([archive], tmp_path / "cache")
    assert len(parses) == _n_labels(archive)
    notes = [r.getMessage() for r in caplog.records if r.module == "cache"]
    assert len(notes) == 1 and "another reader version" in notes[0]
    parses.clear()
    _read([archive], tmp_path / "cache")  # rewritten for this version: used again
    assert parses == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other write", "rows removed"])
def test_a_damaged_cache_is_ignored_with_one_note(archive, tmp_path, parses, caplog, damage):
    cache = tmp_path / "cache"
    cold, cold_problems = _read([archive], cache)
    products, frames = cache / "products.parquet", cache / "frames.parquet"
    if damage == "truncate":
        products.write_bytes(products.read_bytes()[: products.stat().st_size // 2])
    elif damage == "garbage":
        frames.write_bytes(b"PAR1" + b"\0" * 1000 + b"PAR1")
    elif damage == "other write":  # a frames file from another save beside this products file
        saved = frames.read_bytes()
        label = sorted((archive / "VNIS").glob("*L"))[0]
        label.write_bytes(label.read_bytes() + b"\n")
        _read([archive], cache)
        frames.write_bytes(saved)
    else:  # consistent-looking files whose rows disagree with the products' counts
        import pyarrow.parquet as pq

        table = pq.read_table(frames)
        pq.write_table(table.slice(0, table.num_rows - 3), frames)
    parses.clear()
    with caplog.at_level(logging.INFO, logger="traverse"):
        warm, warm_problems = _read([archive], cache)
    assert len(parses) == _n_labels(archive)  # nothing trusted
    notes = [r for r in caplog.records if r.module == "cache"]
    assert len(notes) == 1 and "not used" in notes[0].getMessage() and notes[0].levelno == logging.WARNING
    assert "\n" not in notes[0].getMessage()
    cold_now, cold_now_problems = _read([archive], None)
    assert_geodataframe_equal(warm, cold_now) and warm_problems == cold_now_problems


def test_parallel_reads_fill_and_use_the_cache(archive, tmp_path, parses, monkeypatch):
    monkeypatch.setattr(frames_module, "_MIN_PARALLEL", 10)
    monkeypatch.setattr(frames_module, "_CHUNK", 16)
    cold, cold_problems = _read([archive], None)
    frames, report = read_frames([archive], cache=tmp_path / "cache", workers=2)
    assert_geodataframe_equal(frames, cold) and report.problems == cold_problems
    label = sorted((archive / "PCAM").glob("*.2BL"))[0]
    label.write_bytes(label.read_bytes() + b"\n")
    parses.clear()
    frames, report = read_frames([archive], cache=tmp_path / "cache", workers=2)
    assert parses == [] or [Path(s).name for s in parses] == [label.name]  # workers parse elsewhere
    assert_geodataframe_equal(frames, cold) and report.problems == cold_problems
    parses.clear()
    frames, report = read_frames([archive], cache=tmp_path / "cache", workers=1)
    assert parses == []  # what the workers read was stored
    assert_geodataframe_equal(frames, cold) and report.problems == cold_problems


# --- through the CLI ---------------------------------------------------------------------------


def _layers(gpkg: Path) -> dict[str, pd.DataFrame]:
    with sqlite3.connect(gpkg) as db:
        names = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    layers = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in names}
    if "layer_styles" in layers:  # when each build wrote its styles
        layers["layer_styles"] = layers["layer_styles"].drop(columns=["update_time"], errors="ignore")
    return layers


def test_warm_and_cold_builds_write_the_same_files(archive, tmp_path, parses, monkeypatch):
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(tmp_path / "user-cache"))
    cache = tmp_path / "cache"
    args = [str(archive), "--science", "none", "-q"]
    assert main(["build", *args, "-o", str(tmp_path / "nocache" / "m"), "--no-cache"]) == 0
    assert not (tmp_path / "user-cache").exists()  # --no-cache: neither used nor written
    args += ["--cache-dir", str(cache)]
    assert main(["build", *args, "-o", str(tmp_path / "cold" / "m")]) == 0
    parses.clear()
    assert main(["build", *args, "-o", str(tmp_path / "warm" / "m")]) == 0
    assert parses == []
    ref = tmp_path / "nocache"
    for run in ("cold", "warm"):
        out = tmp_path / run
        for name, layer in _layers(ref / "m.gpkg").items():
            pd.testing.assert_frame_equal(_layers(out / "m.gpkg")[name], layer, obj=f"{run} {name}")
        for name in ("m.html", "m_days.csv", "m_skipped.csv"):
            assert (out / name).read_bytes() == (ref / name).read_bytes(), f"{run} {name}"
        thumbs = sorted(p.name for p in (out / "m_files" / "thumbs").iterdir())
        assert thumbs == sorted(p.name for p in (ref / "m_files" / "thumbs").iterdir()) and thumbs


def test_index_and_distances_use_the_default_cache(archive, tmp_path, parses, monkeypatch, capsys):
    monkeypatch.setenv("TRAVERSE_CACHE_DIR", str(tmp_path / "user-cache"))
    assert main(["index", str(archive), "-o", str(tmp_path / "a.csv"), "-q"]) == 0
    assert (tmp_path / "user-cache" / "products" / "products.parquet").exists()
    parses.clear()
    assert main(["distances", str(archive), "-q"]) == 0
    assert parses == []
    capsys.readouterr()
    assert main(["index", str(archive), "-o", str(tmp_path / "b.csv"), "-q", "--no-cache"]) == 0
    assert len(parses) == _n_labels(archive)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
