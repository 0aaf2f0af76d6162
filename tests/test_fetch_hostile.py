"""``traverse fetch`` against a hostile portal and hostile download lists (issue 22).

The portal is the real local HTTP server of ``tests/test_fetch.py`` (127.0.0.1
only) with further faults: login pages in disguise, labels that are not
labels or name another product, truncated answers, bad 206 answers to a
resume, a trickling server, redirects.  Each case: the bad file is one
manifest row with a precise reason (or one reported list line), every good
file is kept byte-identical, no ``.part`` or other stray file is left, and a
rerun does not take a bad file for a complete one.
"""

from __future__ import annotations

import pandas as pd

from traverse.cli import main

from .test_fetch import HEADER

GOOD = "CE4_GRAS_PCAML-C-000_SCI_N_20190104040000_20190104040000_0001_B.2BL"


# --- download lists --------------------------------------------------------------------------------

def test_url_oddities_are_one_line_each_also_in_a_dry_run(tmp_path, capsys):
    good = f"http://127.0.0.1:9/a/{GOOD}"
    odd = {
        f"http://[::1/a/{GOOD}": "not a valid URL (Invalid IPv6 URL)",
        f"http://127.0.0.1:99999/a/{GOOD}": "not a valid URL (Port out of range",
        f"http://127.0.0.1:9/{'d' * 300}/{GOOD}": "a URL path part is 300 bytes long",
        f"http://127.0.0.1:9/{'d/' * 600}{GOOD}": "more than 1024",
        f"http://{'h' * 70}.invalid/a/{GOOD}": "host name cannot be encoded",
        f"http://127.0.0.1:9/a\x01b/{GOOD}": "control characters",
        f"http:///a/{GOOD}": "not an http(s) URL",
    }
    listing = tmp_path / "list.txt"
    listing.write_text("header\n" + "\n".join([good, *odd, good]) + "\n", "utf-8")
    for extra in (["--dry-run", "--timeout", "1"], ["--retries", "0", "--timeout", "1", "-q"]):
        out = tmp_path / "out"
        code = main(["fetch", str(listing), "-o", str(out), *extra])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
        assert len(warnings) == len(odd), warnings
        for why in odd.values():
            assert sum(why in line for line in warnings) == 1, (why, warnings)
        if "--dry-run" in extra:
            assert code == 0 and "1 files in the lists" in captured.out and not out.exists()
        else:  # the good URL fails (nothing listens on port 9); the manifest is written all the same
            assert code == 1
            manifest = pd.read_csv(out / "fetch_manifest.csv")
            assert manifest["url"].tolist() == [good]
            assert "connection failed" in manifest["reason"][0]
            assert len(pd.read_csv(out / "fetch_skipped.csv")) == len(odd)


def test_a_list_larger_than_64_mib_is_read_to_its_end(tmp_path):
    from traverse.fetch.lists import MAX_LINE_BYTES, read_download_lists

    listing = tmp_path / "list.txt"
    with open(listing, "wb") as fh:
        fh.write(HEADER.encode())
        fh.write(b"x" * (66 << 20) + b"\r\n")  # one line of 66 MiB: skipped, said once
        fh.write(b"junk header line\r\n" * 1000)
        fh.write(f"http://127.0.0.1:9/a/{GOOD}\r\n".encode())
    seen = []
    entries, report = read_download_lists([listing], progress=lambda done, total: seen.append((done, total)))
    assert entries["name"].tolist() == [GOOD] and entries["line"].tolist() == [1004]
    assert [p.reason for p in report.problems] == [f"line longer than {MAX_LINE_BYTES} bytes; skipped"]
    assert seen[-1] == (listing.stat().st_size, listing.stat().st_size)
