"""A build's outputs are one set: all replaced together, or none; ``NAME_files/`` as a whole; one writer.

An interrupted or failed build leaves the previous set byte for byte and no
stray file; a second build into the same name while one runs fails in one line.
"""

from __future__ import annotations

import fcntl
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

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sets") / "ce4"
    write_sample_archive(folder, days=3)
    return folder


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "traverse.cli", *args], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


@pytest.fixture()
def previous(archive, tmp_path):
    """A complete previous set in tmp_path/maps (with a stale skipped report to be kept or removed)."""
    out = tmp_path / "maps"
    assert main(["build", str(archive), "-o", str(out / "t"), "-q", "--geojson"]) == 0
    return out


def test_a_failed_build_leaves_the_previous_set_byte_for_byte(archive, previous):
    before = _snapshot(previous)

    def small():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))  # the images fit, the map does not

    proc = _cli("build", str(archive), "-o", str(previous / "t"), "-q", "--geojson", "--overwrite",
                preexec_fn=small)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1 and err.count("\n") == 1 and ".set." not in err, err
    assert _snapshot(previous) == before
    assert _hidden(previous) == []


def test_ctrl_c_at_any_moment_leaves_the_old_set_or_the_new_one(archive, previous):
    before = _snapshot(previous)
    for delay in (0.0, 0.3):
        proc = _cli("build", str(archive), "-o", str(previous / "t"), "-q", "--geojson", "--overwrite",
                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not any(
                ".set." in n for n in _hidden(previous)):
            time.sleep(0.002)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert "Traceback" not in err
        assert _hidden(previous) == []
        after = _snapshot(previous)
        assert sorted(after) == sorted(before)  # same names: never a lone new file beside old ones
        if proc.returncode == 130:
            assert after == before, "interrupted, yet outputs changed"


def test_images_folder_replaced_as_a_whole_even_with_a_file_in_the_way(archive, previous):
    thumbs = previous / "t_files" / "thumbs"
    (thumbs / "STALE.jpg").write_bytes(b"old")
    assert main(["build", str(archive), "-o", str(previous / "t"), "-q", "--overwrite"]) == 0
    assert not (thumbs / "STALE.jpg").exists() and any(thumbs.glob("*.jpg"))
    for p in thumbs.iterdir():
        p.unlink()
    thumbs.rmdir()
    thumbs.write_text("a file where the thumbnails go")
    assert main(["build", str(archive), "-o", str(previous / "t"), "-q", "--overwrite"]) == 0
    assert thumbs.is_dir() and any(thumbs.glob("*.jpg"))
    assert not (previous / "t_drives.geojson").exists()  # not in this set: the stale one removed
    assert _hidden(previous) == []


def test_a_second_build_into_the_same_name_fails_in_one_line(archive, tmp_path, capsys):
    out = tmp_path / "maps"
    out.mkdir()
    with open(out / ".t.lock", "w") as held:  # as a running build holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["build", str(archive), "-o", str(out / "t"), "-q"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "another traverse run is writing" in err
        assert sorted(p.name for p in out.iterdir()) == [".t.lock"]  # nothing else written
    (out / ".t.lock").unlink()


def test_two_concurrent_builds_into_a_fresh_name_one_wins(archive, tmp_path):
    out = tmp_path / "maps"
    procs = [_cli("build", str(archive), "-o", str(out / "t"), "-q") for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0 and codes[1] in (1, 2), results  # never both: the first set is not replaced
    loser = next(err for code, err in results if code)
    assert loser.count("\n") == 1 and ("another traverse run" in loser or "exists" in loser
                                       or "appeared" in loser), loser
    assert (out / "t.html").read_text().rstrip().endswith("</html>")
    assert _hidden(out) == []


def test_map_is_a_set_too(archive, tmp_path):
    out = tmp_path / "m" / "x.html"
    out.parent.mkdir()
    (out.parent / "x_files").write_text("in the way")
    assert main(["map", str(archive), "-o", str(out), "-q"]) == 0
    assert (out.parent / "x_files" / "thumbs").is_dir()
    assert _hidden(out.parent) == []
