"""Output problems are one line naming the path and the reason, with the documented exit status.

Nothing half-written is left: no partial file under a final name, no stray
temporary folder, whether the write fails (folder missing or unwritable, disk
full) or the user presses Ctrl-C.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from traverse.cli import main
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outputs") / "ce4"
    write_sample_archive(folder)
    return folder


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traverse.cli", *args], capture_output=True,
                          text=True, timeout=300, **kw)


def _leftovers(folder: Path) -> list[str]:
    """Hidden temporary files or folders of the atomic writer."""
    return sorted(p.name for p in folder.rglob(".*") if p.is_dir() or p.name.startswith("."))


def test_unwritable_place_is_one_line_exit_1(archive):
    proc = _run(["build", str(archive), "-o", "/proc/traverse-test/x"])
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "/proc/traverse-test/x.gpkg" in proc.stderr and "cannot" in proc.stderr


def test_a_file_in_place_of_the_output_folder(archive, tmp_path, capsys):
    (tmp_path / "maps").write_text("not a folder")
    assert main(["build", str(archive), "-o", str(tmp_path / "maps" / "t"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file" in err and str(tmp_path / "maps") in err


def test_a_folder_in_place_of_the_output_file(archive, tmp_path, capsys):
    (tmp_path / "m.html").mkdir()
    assert main(["map", str(archive), "-o", str(tmp_path / "m.html"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder" in err


@pytest.mark.parametrize(
    ("command", "name", "hint"),
    [("map", "x.png", ".html"), ("index", "x.txt", ".csv"), ("build", "x.tar.gz", "suffix")],
)
def test_suffix_that_does_not_match_the_output_kind(archive, tmp_path, capsys, command, name, hint):
    out = tmp_path / name
    assert main([command, str(archive), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and hint in err
    assert list(tmp_path.iterdir()) == []  # refused before any work


def test_existing_outputs_replaced_only_with_overwrite(archive, tmp_path, capsys):
    out = tmp_path / "map.html"
    out.write_text("keep me")
    assert main(["map", str(archive), "-o", str(out), "-q"]) == 2
    assert "exists; use --overwrite" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["map", str(archive), "-o", str(out), "-q", "--overwrite"]) == 0
    assert out.read_text().rstrip().endswith("</html>")
    assert _leftovers(tmp_path) == []


def _small_file_limit():
    # the GeoPackage is the first output and needs far more than 200 kB
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_disk_full_leaves_nothing_partial(archive, tmp_path):
    stem = tmp_path / "maps" / "t"
    proc = _run(["build", str(archive), "-o", str(stem), "-q"], preexec_fn=_small_file_limit)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(stem) in proc.stderr
    assert not any(stem.parent.glob("t*"))  # no partial output under a final name
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("limit", [20_000, 100_000])
def test_a_size_limit_inside_sqlite_is_said_in_words_not_sql(archive, tmp_path, limit):
    def small():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    stem = tmp_path / "maps" / "t"
    proc = _run(["build", str(archive), "-o", str(stem), "-q", "--images", "none"], preexec_fn=small)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and len(proc.stderr) < 200, proc.stderr
    assert "size limit" in proc.stderr and "INSERT" not in proc.stderr and "sqlite3_exec" not in proc.stderr
    assert _leftovers(tmp_path) == []


def test_writer_library_messages_lose_their_sql(tmp_path):
    from traverse.outputs import _library_reason

    sql = "sqlite3_exec(CREATE TABLE gpkg_contents (" + "x TEXT, " * 700 + ")) failed: no such table: t"
    assert _library_reason(RuntimeError("Error while writing: " + sql), tmp_path) == \
        "the GeoPackage writer failed (SQLite: no such table: t)"
    assert _library_reason(RuntimeError(sql.replace("no such table: t", "database or disk is full")),
                           tmp_path) == "no space left on the device"


def test_ctrl_c_during_build_leaves_no_partial_file(archive, tmp_path):
    out = tmp_path / "maps"
    out.mkdir()
    # as from a terminal: a runner started in the background (nohup, `cmd &`) passes SIGINT ignored
    proc = subprocess.Popen([sys.executable, "-m", "traverse.cli", "build", str(archive),
                             "-o", str(out / "t"), "-q"], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    # wait until the first output (the GeoPackage) is being written: the days table and the
    # map are still to come, so the interrupt cannot land after the last write
    while (time.monotonic() < deadline and proc.poll() is None
           and not any("gpkg" in name for name in _leftovers(out))):
        time.sleep(0.002)
    assert proc.poll() is None, "the build ended before any output was being written"
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert _leftovers(out) == []
    for path in out.iterdir():  # what was finished before Ctrl-C is complete
        if path.suffix == ".html":
            assert path.read_text().rstrip().endswith("</html>")
        elif path.suffix == ".gpkg":
            assert path.read_bytes()[:16] == b"SQLite format 3\x00"
