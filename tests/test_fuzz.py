"""Hostile products never stop a run: every mutation class, mixed with good products.

Bounded for CI (a few examples per class); ``bench/fuzz_long.py`` runs many
more and prints the figures in the README.  Mutations are written from the
real products in ``../shared/data/ce4`` (when present) and generated ones.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_science import SCIENCE_SUITES
from tests.fuzz_targets import CLASSES, SUITES, load_seeds, write_good
from traverse.cli import main

ALL_SUITES = SUITES | SCIENCE_SUITES


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return load_seeds(tmp_path_factory.mktemp("fuzz-seeds"))


@pytest.mark.parametrize("name", sorted(ALL_SUITES))
def test_mutants_never_stop_a_run(seeds, name):
    mutate, good_products, check_promises = ALL_SUITES[name]

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.integers(0, 2**32 - 1))
    def check(seed):
        rng = random.Random(seed)
        with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
            folder = Path(tmp) / "archive"
            good = good_products(folder)
            mutants = []
            for k in range(rng.randint(1, 3)):
                mutants += mutate(rng, folder / "bad", seeds, k)
            broken = check_promises(folder, good, mutants)
            assert broken == [], broken

    check()


def test_cli_survives_a_mixed_hostile_batch(seeds, tmp_path, capsys):
    rng = random.Random(2019)
    folder = tmp_path / "archive"
    good = write_good(folder)
    for k, mutate in enumerate(CLASSES.values()):
        mutate(rng, folder / "bad", seeds, k)
    out = tmp_path / "frames.csv"
    assert main(["index", str(folder), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""
    text = out.read_text()
    assert all(pid in text for pid in good)
    assert (tmp_path / "frames_skipped.csv").read_text().count("\n") > len(CLASSES) // 2


_GOOD_URL = ("http://moon.bao.ac.cn/cedownload/CE4ROLL/CE4/PCAMR/Q/2B/2019-08/"
             "CE4_GRAS_PCAMR-Q-004_SCI_N_20190728060211_20190728060211_0050_B.2BL")


#: URL oddities of issue 22: each must be one reported line, never an exception.
_ODD_URLS = [_GOOD_URL.replace("moon.bao.ac.cn", "[::1").encode(),
             _GOOD_URL.replace("moon.bao.ac.cn", "h:99999").encode(),
             _GOOD_URL.replace("/2B/", "/" + "x" * 300 + "/").encode(),
             _GOOD_URL.replace("moon.bao.ac.cn", "u:secret@" + "h" * 70 + ".cn").encode(),
             _GOOD_URL.replace("/2B/", "/2\x01B/").encode(), b"x" * 70_000]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                          st.sampled_from([b"http://", b"https://x/../../CE4_GRAS_a.2B", b"\xff\xfe",
                                           b"ftp://h/CE4_GRAS_PCAMR-Q-004_SCI_N_1_2_0050_B.2B",
                                           _GOOD_URL.replace("2019", "99999").encode(), *_ODD_URLS])),
                max_size=30),
       st.sampled_from(["\r\n", "\n"]), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_download_lists_never_raise_and_keep_the_good_urls(lines, newline, codec):
    """Fuzz target of traverse.fetch.lists: hostile lines around a good URL."""
    from traverse.fetch.lists import read_download_lists

    good = _GOOD_URL.encode(codec) if codec != "utf-16" else _GOOD_URL.encode("utf-8")
    body = newline.encode().join([good, *lines, good])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "downloadResult.txt"
        path.write_bytes(body)
        entries, report = read_download_lists([path])  # nothing escapes
    assert _GOOD_URL in set(entries["url"])
    assert all(p.reason for p in report.problems)
    assert not entries["path"].str.contains(r"(?:^|/)\.\.(?:/|$)").any()
    assert not any("secret" in p.reason for p in report.problems)
