"""Discovery: only regular files (and zip members) are products; anything else named like one is reported.

A FIFO must never hang a run, a symlink loop never escape as a traceback, and
a device, a socket or a folder named like a product never pass unmentioned.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.fuzz_targets import write_good, write_good_images
from traverse.errors import ArchiveError, Report
from traverse.read.archive import Source, open_archive
from traverse.read.frames import read_frames

ROOT = Path(__file__).resolve().parents[1]
NAME = "CE4_GRAS_PCAML-C-000_SCI_N_20190104040000_20190104040000_{}_B.2BL"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")


def _hostile_folder(folder: Path) -> dict[str, str]:
    """Special files named like products beside good ones; the expected reason by sequence number."""
    os.mkfifo(folder / NAME.format("9000"))
    os.symlink(folder / NAME.format("9001"), folder / NAME.format("9001"))
    os.symlink(folder / NAME.format("9003"), folder / NAME.format("9002"))
    os.symlink(folder / NAME.format("9002"), folder / NAME.format("9003"))
    os.symlink("/dev/urandom", folder / NAME.format("9004"))
    (folder / NAME.format("9005")).mkdir()
    os.symlink(folder / "nowhere", folder / NAME.format("9007"))
    os.mkfifo(folder / "CE4_PCAM_2B_20190101000000_20190101235959_B.zip")
    os.mkfifo(folder / "README.txt")  # not named like a product: not a product, not a problem
    expected = {"9000": "a FIFO", "9001": "a symbolic link loop", "9002": "a symbolic link loop",
                "9003": "a symbolic link loop", "9004": "a character device",
                "9005": "a folder named like a product", "9007": "a broken symbolic link"}
    if len(str(folder / NAME.format("9006"))) < 100:  # AF_UNIX paths are short
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(folder / NAME.format("9006")))
        expected["9006"] = "a socket"
    return expected


def test_special_files_are_reported_and_good_products_kept(tmp_path):
    folder = tmp_path / "archive"
    good = write_good(folder)
    expected = _hostile_folder(folder)
    # in a child process with a deadline: a FIFO opened for reading would block forever
    code = ("import sys; from traverse.read.frames import read_frames; f, r = read_frames([sys.argv[1]]);"
            "print(sorted(set(f['product_id']))); print(*[p.source + '|' + p.reason for p in r.problems],"
            " sep='\\n')")
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert set(eval(lines[0])) == good  # noqa: S307 - our own repr of a list of names
    reasons = {line.split("|")[0].rsplit("_", 2)[-2]: line.split("|")[1] for line in lines[1:]
               if "_B.2BL" in line}
    assert set(reasons) == set(expected)
    for seq, why in expected.items():
        assert reasons[seq].startswith(why)
    assert any("CE4_PCAM_2B" in line and "a FIFO" in line for line in lines[1:])
    assert not any("README" in line for line in lines)


def test_a_product_named_directly_may_be_a_fifo_or_a_loop(tmp_path, capsys):
    from traverse.cli import main

    folder = tmp_path / "archive"
    good = write_good(folder, n=1)
    _hostile_folder(folder)
    label = next(p for p in folder.iterdir() if p.name.endswith("_0001_B.2BL"))
    args = [str(folder / NAME.format(s)) for s in ("9000", "9001", "9004")] + [str(label)]
    assert main(["index", *args, "-o", str(tmp_path / "f.csv"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    report = pd.read_csv(tmp_path / "f_skipped.csv")
    assert report["reason"].str.contains("FIFO|loop|character device").sum() == 3
    assert set(pd.read_csv(tmp_path / "f.csv")["product_id"]) == {label.name[:-1]}
    assert good


def test_strict_mode_raises_the_skip_as_an_archive_error(tmp_path):
    folder = tmp_path / "archive"
    write_good(folder, n=1)
    os.mkfifo(folder / NAME.format("9000"))
    with pytest.raises(ArchiveError, match="FIFO"):
        read_frames([folder], on_error="raise")


def test_a_fifo_swapped_in_after_discovery_is_refused_not_waited_on(tmp_path):
    path = tmp_path / NAME.format("9000")
    path.write_text("<x/>")
    src = Source(path)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(ArchiveError, match="FIFO"):
        src.read_bytes(10)


def test_images_of_a_folder_with_special_files(tmp_path):
    from traverse.images import ImageRun, write_images
    from traverse.read.frames import frames_from_archive

    folder = tmp_path / "archive"
    good = write_good_images(folder)
    _hostile_folder(folder)
    with open_archive([folder], report=Report()) as archive:
        frames = frames_from_archive(archive)
        products, report = archive.products, archive.report
    images = write_images(products, frames, tmp_path / "m_files", report=report, run=ImageRun(workers=1))
    assert set(images["product_id"]) == good
    assert np.all(images["lines"] == 24)
