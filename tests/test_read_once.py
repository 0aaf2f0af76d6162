"""Issue 23: a build reads and parses each label once; the images stage gets only the images.

The read pass records what each label says of an image array
(``Product.image``); the images stage decodes those, in batches, and never
reads a label again.  Counted here by wrapping ``Source.read_bytes`` and
every module's ``parse_xml`` during a whole ``traverse build`` in one
process, science included: the read pass also leaves what the science stage
needs (``Product.science``: a radar label's echo group, a VNIS-SD table's
description), so radargrams and spectra come without a second parse
(issue 20).  Products whose frames come from the cache have no
``Product.science``: the science stage parses their labels, and a warm build
gives the same science as a cold one.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from traverse.cli import main
from traverse.read import parallel, pds4
from traverse.read.archive import Source, open_archive
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A 2-lunar-day SYNTHETIC sample with image data (PCAM, TCAM, VNIS) and LPR records."""
    folder = tmp_path_factory.mktemp("once") / "ce4"
    write_sample_archive(folder, days=2)
    return folder


def _count_reads(monkeypatch) -> tuple[Counter, Counter]:
    """Counters of label reads (``Source.read_bytes`` of a label) and parses (``parse_xml``), by name."""
    # every module that parses, imported first: one imported while parse_xml is wrapped would keep the wrapper
    import traverse.images  # noqa: F401
    import traverse.read.images  # noqa: F401
    import traverse.science.along_track  # noqa: F401
    reads, parses = Counter(), Counter()
    read_bytes, parse_xml = Source.read_bytes, pds4.parse_xml

    def counted_read(self, limit=None):
        if self.name.endswith("L"):
            reads[self.name] += 1
        return read_bytes(self, limit)

    def counted_parse(data, source):
        parses[Path(str(source).rsplit("!", 1)[-1]).name] += 1
        return parse_xml(data, source)

    monkeypatch.setattr(Source, "read_bytes", counted_read)
    for module in list(sys.modules.values()):  # every module that imported parse_xml by name
        if getattr(module, "__name__", "").startswith("traverse") and getattr(module, "parse_xml", None) \
                is parse_xml:
            monkeypatch.setattr(module, "parse_xml", counted_parse)
    monkeypatch.setattr(parallel, "default_workers", lambda: 1)  # the counters see every call
    return reads, parses


def test_a_build_reads_and_parses_each_label_once(sample, tmp_path, monkeypatch):
    with open_archive([sample]) as archive:
        labels = sorted(p.label.name for p in archive.products if p.label is not None)
        imaged = [p for p in archive.products if "PCAM" in p.name.payload or p.name.instrument in
                  ("TCAM", "VNIS")]
    reads, parses = _count_reads(monkeypatch)
    out = tmp_path / "maps" / "NAME"
    assert main(["build", str(sample), "-o", str(out), "--no-cache", "-q"]) == 0  # default: all science
    assert sorted(reads) == labels and set(reads.values()) == {1}, reads.most_common(3)
    assert sorted(parses) == labels and set(parses.values()) == {1}, parses.most_common(3)
    # and the images were still made, from the layouts the read pass kept
    thumbs = sorted(p.stem for p in (tmp_path / "maps" / "NAME_files" / "thumbs").glob("*.jpg"))
    assert thumbs == sorted(p.name.product_id for p in imaged)
    # and the radargrams, from what it kept for the science stage
    assert list((tmp_path / "maps" / "NAME_files" / "radar").glob("*.png"))


def test_a_build_of_the_real_products_parses_each_label_once(ce4, tmp_path, monkeypatch):
    """The real LPR-1 radargram and VNIS-SD spectrum come from the read pass's parse of their labels."""
    import pyogrio

    with open_archive([ce4]) as archive:
        labels = sorted(p.label.name for p in archive.products if p.label is not None)
    reads, parses = _count_reads(monkeypatch)
    out = tmp_path / "maps" / "NAME"
    assert main(["build", str(ce4), "-o", str(out), "--no-cache", "-q"]) == 0
    assert sorted(reads) == labels and set(reads.values()) == {1}, reads.most_common(3)
    assert sorted(parses) == labels and set(parses.values()) == {1}, parses.most_common(3)
    assert len(list((tmp_path / "maps" / "NAME_files" / "radar").glob("*.png"))) == 1
    assert len(pyogrio.read_dataframe(out.with_suffix(".gpkg"), layer="spectra")) == 300


def test_the_read_pass_leaves_each_products_image_layout(sample):
    from traverse.read.frames import frames_from_archive
    from traverse.read.images import ImageLayout, image_layout

    with open_archive([sample]) as archive:
        frames_from_archive(archive, workers=1)
        for p in archive.products:
            assert p.label_read == (p.label is not None)
            expected = image_layout(p.label.read_bytes(), str(p.label))
            assert p.image == expected, p.name.product_id
        kinds = Counter(type(p.image).__name__ for p in archive.products)
    assert kinds[ImageLayout.__name__] > 0 and kinds["NoneType"] > 0  # images and LPR tables


def test_images_stage_sends_no_task_for_a_label_without_an_image(sample, tmp_path):
    from traverse.images import image_tasks
    from traverse.read.frames import frames_from_archive

    with open_archive([sample]) as archive:
        frames = frames_from_archive(archive, workers=1)
        wanted = set(frames["product_id"])
        tasks = image_tasks(archive.products, wanted, tmp_path, "thumbs")
    assert tasks and all(t.layout is not None for t in tasks if t.data is not None)
    assert not any("LPR" in t.product_id for t in tasks)


def test_radar_records_come_back_as_numpy_columns_with_shared_values_once(sample):
    """A radar product crosses processes as arrays, its id, instrument and source once (no DataFrame)."""
    import numpy as np

    from traverse import missions
    from traverse.errors import Report
    from traverse.read import frames as frames_module

    with open_archive([sample]) as archive:
        lpr = next(p for p in archive.products if p.name.instrument == "LPR" and p.data is not None)
        (columns, n), image, science = frames_module.read_product(lpr, Report(), missions.mission("ce4"))
    assert image is None and n > 10 and science.group.repetitions > 0
    assert columns["product_id"] == lpr.name.product_id and columns["role"] == "rover"
    for col in ("x_east_m", "y_north_m", "time_utc", "stop_utc", "record"):
        assert isinstance(columns[col], np.ndarray) and len(columns[col]) == n, col
    assert columns["time_utc"].dtype.kind == "M"  # UTC datetime64


@pytest.mark.parametrize("where", ["sample", "ce4"])
def test_the_read_pass_leaves_what_the_science_stage_needs(where, request):
    """Each radar and VNIS-SD product with data gets the description the science stage parsed for."""
    import numpy as np
    from lxml import etree

    from traverse.read.echoes import echo_group, sample_interval_ns
    from traverse.read.frames import frames_from_archive
    from traverse.read.science_labels import RadarLabel
    from traverse.read.spectra import SpectrumLabel, spectrum_label

    with open_archive([request.getfixturevalue(where)]) as archive:
        frames_from_archive(archive, workers=1)
        kinds = Counter()
        for p in archive.products:
            kinds[type(p.science).__name__] += 1
            if isinstance(p.science, RadarLabel):
                root = etree.fromstring(p.label.read_bytes())
                fmt = p.science.layout.format
                assert p.science.group == echo_group(root, fmt, p.science.layout.record_length, source="x")
                np.testing.assert_equal(p.science.interval_ns, sample_interval_ns(root, fmt))  # NaN: none
            elif isinstance(p.science, SpectrumLabel):
                assert p.science == spectrum_label(etree.fromstring(p.label.read_bytes()), "x")
                assert p.name.payload == "VNIS-SD"
            else:
                assert p.data is None or "LPR" not in p.name.payload, p.name.product_id
    assert kinds[RadarLabel.__name__] > 0, kinds
    assert kinds[SpectrumLabel.__name__] == (where == "ce4"), kinds  # the sample has no VNIS-SD table


@pytest.mark.parametrize("where", ["sample", "ce4"])
def test_warm_and_cold_builds_give_the_same_science(where, request, tmp_path):
    """A warm build's products come from the cache without ``Product.science``: the stage parses them."""
    import numpy as np
    import pandas as pd

    from traverse.errors import Report
    from traverse.path.reconstruct import reconstruct
    from traverse.read.frames import frames_from_archive
    from traverse.science import along_track as at

    def science(cache):
        report = Report()
        with open_archive([request.getfixturevalue(where)], report=report) as archive:
            frames = frames_from_archive(archive, workers=1, cache=cache)
            carried = sum(p.science is not None for p in archive.products)
            sci = at.along_track(reconstruct(frames), archive.products, report)
        return sci, carried, report.problems

    cold, carried_cold, problems_cold = science(tmp_path / "cache")
    warm, carried_warm, problems_warm = science(tmp_path / "cache")
    assert carried_cold > 0 and carried_warm == 0  # the warm build parsed the science labels itself
    assert [(d.drive_id, d.product_id) for d in cold.radargrams] == \
        [(d.drive_id, d.product_id) for d in warm.radargrams] and cold.radargrams
    for a, b in zip(cold.radargrams, warm.radargrams, strict=True):
        np.testing.assert_array_equal(a.radargram.image, b.radargram.image)
        pd.testing.assert_frame_equal(a.radargram.traces, b.radargram.traces)
    assert cold.spectra.empty == (where == "sample")
    pd.testing.assert_frame_equal(cold.spectra, warm.spectra)
    assert problems_cold == problems_warm


@pytest.mark.parametrize(("load", "cores", "expected"), [(0.2, 2, 2), (1.0, 2, 2), (2.4, 2, 1), (5.0, 2, 1),
                                                          (3.0, 8, 6)])
def test_default_workers_leave_the_busy_cores(monkeypatch, load, cores, expected):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert parallel.default_workers() == expected


def test_a_label_the_science_stage_cannot_use_is_reported_by_it_not_by_the_read_pass(tmp_path):
    """A broken echo group: the read pass keeps the records and leaves no ``Product.science``; the
    science stage parses the label itself and reports the same problem it always did."""
    import re

    from traverse.errors import Report
    from traverse.path.reconstruct import reconstruct
    from traverse.read.frames import frames_from_archive
    from traverse.science import along_track as at

    folder = tmp_path / "ce4"
    write_sample_archive(folder, days=1, images=False)
    label = sorted(folder.rglob("*LPR-2B*.2BL"))[0]
    label.write_text(re.sub(r"<repetitions>\d+</repetitions>", "<repetitions>-3</repetitions>",
                            label.read_text(encoding="utf-8")), encoding="utf-8")
    report = Report()
    with open_archive([folder], report=report) as archive:
        frames = frames_from_archive(archive, workers=1)
        broken = next(p for p in archive.products if p.label is not None and p.label.name == label.name)
        assert broken.science is None and (frames["product_id"] == broken.name.product_id).sum() > 10
        assert not any(label.name in str(p.source) for p in report.problems)  # the read pass: silent
        at.along_track(reconstruct(frames), archive.products, report)
    (problem,) = [p for p in report.problems if label.name in str(p.source)]
    assert problem.reason.startswith("no radargram: echo group ECHO_DATA: -3 repetitions"), problem.reason
