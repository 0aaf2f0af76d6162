"""Reading on several processes gives exactly what one process gives: rows, order, problems."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from traverse.read import frames as frames_module
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_label_product
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parallel")
    src = tmp / "src"
    write_sample_archive(src, days=2, images=False)
    t0 = pd.Timestamp("2019-01-04T12:00Z")
    for k in range(150):  # more label products, and a few broken ones among them
        write_label_product(src / "PCAM", "PCAML-C", t0 + pd.Timedelta(seconds=k),
                            frame=6 + k, sequence_id=3, rover_xyz=(-5.0 - k / 100, 4.0, 0.1))
    broken = sorted((src / "PCAM").glob("*.2BL"))[::40]
    for path in broken:
        path.write_bytes(path.read_bytes()[:300])  # truncated XML
    zips = []
    for part in ("PCAM", "VNIS", "TCAM", "LPR"):
        z = tmp / f"CE4_{part}_2B_20190101000000_20190301000000_B.zip"
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted((src / part).iterdir()):
                zf.write(f, f"DATA/{part}/{f.name}")
        zips.append(z)
    return zips, len(broken)


def test_two_workers_read_what_one_reads(bundles, monkeypatch):
    zips, n_broken = bundles
    monkeypatch.setattr(frames_module, "_MIN_PARALLEL", 20)
    monkeypatch.setattr(frames_module, "_CHUNK", 7)
    done, pools = [], []
    real_map = frames_module.parallel.ordered_map

    def spy(func, items, **kw):
        pools.append(kw["workers"])
        return real_map(func, items, **kw)

    monkeypatch.setattr(frames_module.parallel, "ordered_map", spy)
    one, rep1 = read_frames(zips, workers=1)
    two, rep2 = read_frames(zips, workers=2, progress=lambda i, n: done.append((i, n)))
    assert pools == [2]  # one process for workers=1, a pool of two for workers=2
    pd.testing.assert_frame_equal(one, two)
    assert rep1.problems == rep2.problems and len(rep2) >= n_broken
    assert [p.source for p in rep2.problems[:n_broken]] == sorted(p.source for p in rep2.problems[:n_broken])
    assert done[-1][0] == done[-1][1] and len(done) == done[-1][1]  # one step per product, in order
    assert (one["instrument"] == "LPR").sum() > 100 and len(one) > 200


def test_raise_policy_raises_the_first_problem_in_product_order(bundles, monkeypatch):
    from traverse.errors import LabelError

    zips, _ = bundles
    monkeypatch.setattr(frames_module, "_MIN_PARALLEL", 20)
    monkeypatch.setattr(frames_module, "_CHUNK", 7)
    with pytest.raises(LabelError) as one:
        read_frames(zips, workers=1, on_error="raise")
    with pytest.raises(LabelError) as two:
        read_frames(zips, workers=2, on_error="raise")
    assert (one.value.source, one.value.reason) == (two.value.source, two.value.reason)
    assert "not well-formed" in two.value.reason


def test_a_bundle_gone_before_a_worker_opens_it_is_reported(bundles, tmp_path, monkeypatch):
    from traverse.read import parallel
    from traverse.read.archive import open_archive

    zips, _ = bundles
    monkeypatch.setattr(frames_module, "_MIN_PARALLEL", 20)
    copy = tmp_path / zips[0].name
    copy.write_bytes(zips[0].read_bytes())
    with open_archive([copy, *zips[1:]]) as archive:
        copy.unlink()  # listed, then gone
        parallel.close_reopened()
        frames = frames_module.frames_from_archive(archive, workers=2)
        problems = archive.report.problems
    assert len(frames) > 0  # the other bundles are read
    assert any(p.source == str(copy) and "cannot reopen" in p.reason for p in problems)
