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

import collections
import time
from pathlib import Path

import pandas as pd
import pytest

from traverse.cli import main

from .test_fetch import HEADER, _fetch, _Handler, _portal_path, portal  # noqa: F401 (a fixture)

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


def test_credentials_in_urls_are_never_shown(tmp_path, capsys):
    listing = tmp_path / "list.txt"
    listing.write_text(f"http://alice:s3cret@127.0.0.1:9/a/{GOOD}\n"
                       f"http://alice:s3cret@[::1/a/{GOOD}\n"
                       f"http://alice:s3cret@127.0.0.1:9/a/notes.txt\n", "utf-8")
    out = tmp_path / "out"
    assert main(["fetch", str(listing), "-o", str(out), "--retries", "0", "--timeout", "1"]) == 1
    assert main(["fetch", str(listing), "-o", str(out), "--dry-run", "--timeout", "1"]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.rglob("*")) == ["fetch_manifest.csv", "fetch_skipped.csv"]
    written = "".join(p.read_text() for p in out.iterdir())
    for text in (captured.out, captured.err, written):
        assert "s3cret" not in text and "alice" not in text
    assert "http://***@127.0.0.1:9/a/" in (out / "fetch_manifest.csv").read_text()


# --- a hostile portal ------------------------------------------------------------------------------

LOGIN = b"<html><head><title>Login</title></head><body><form>user</form></body></html>"
#: Login pages in disguise: (body, Content-Type).
DISGUISED = {
    "login-bom": (b"\xef\xbb\xbf" + LOGIN, "application/octet-stream"),
    "login-prolog": (b'<?xml version="1.0" encoding="UTF-8"?>\n' + LOGIN, "application/xml"),
    "login-comment": (b"<!-- portal session expired -->\n" + LOGIN, ""),
    "login-head": (b"<head><title>Login</title></head>\n<body>please log in</body>", "text/plain"),
}


class _Hostile(_Handler):
    """The portal's handler with the faults of issue 22, by file name (``server.faults``)."""

    def _send(self, code: int, body: bytes, headers: dict, *, length: bool = True) -> None:
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        fault, lasts = self.server.faults.get(name, (None, 0))
        f = self._file()
        if fault is None or f is None or self.server.gets[name] >= lasts:
            return super().do_GET()
        self.server.gets[name] += 1
        data, rng = f.read_bytes(), self.headers.get("Range")
        if fault in DISGUISED:
            body, ctype = DISGUISED[fault]
            self._send(200, body, {"Content-Type": ctype} if ctype else {})
        elif fault == "other-label":
            self._send(200, self.server.other_label, {"Content-Type": "application/xml"})
        elif fault == "not-pds4":
            self._send(200, b'<?xml version="1.0"?><note><to>you</to></note>' + b" " * 3000, {})
        elif fault == "empty":
            self._send(200, b"", {})
        elif fault == "cut":  # no Content-Length, then the connection drops half way
            self._send(200, data[: len(data) // 2], {}, length=False)
            self.close_connection = True
        elif fault in ("206-zero", "206-login", "206-elsewhere") and rng:
            start = {"206-zero": 0, "206-elsewhere": 5}.get(fault, int(rng.split("=")[1].split("-")[0]))
            body = LOGIN if fault == "206-login" else data[start:]  # a login page, its range consistent
            end = start + len(body)
            self._send(206, body, {"Content-Range": f"bytes {start}-{end - 1}/{end}"})
        elif fault == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(100):  # one byte every 0.2 s: never silent for --timeout, never done
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(0.2)
        elif fault == "redirect-loop":
            self._send(302, b"", {"Location": self.path})
        elif fault == "redirect-ftp":
            self._send(302, b"", {"Location": "ftp://127.0.0.1/nothing"})
        elif fault == "redirect-none":
            self._send(302, b"", {})
        else:
            self.server.gets[name] -= 1
            super().do_GET()


@pytest.fixture()
def hostile(portal):  # noqa: F811 (the fixture imported above)
    server, archive, listing, files = portal
    server.RequestHandlerClass = _Hostile
    labels = [p for p in files if p.name.endswith("L")]
    server.other_label = labels[-1].read_bytes()
    yield server, listing, files, labels
    server.RequestHandlerClass, server.faults = _Handler, {}


def _manifest(out: Path) -> dict[str, object]:
    manifest = pd.read_csv(out / "fetch_manifest.csv", keep_default_na=False)
    return {Path(p).name: r for p, r in zip(manifest["path"], manifest.itertuples(), strict=True)}


def _no_strays(out: Path, kept: set[str]) -> None:
    files = {p.name for p in out.rglob("*") if p.is_file()} - {"fetch_manifest.csv", "fetch_skipped.csv"}
    assert files == kept, sorted(files ^ kept)
    assert not [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())]  # no empty folders


def test_what_is_not_the_product_is_never_kept(hostile, tmp_path):
    server, listing, files, labels = hostile
    failing = {**dict.fromkeys(DISGUISED, "not logged in"),
               "other-label": "the label is of another product",
               "not-pds4": "not a PDS4 label: its root element is <note>",
               "empty": "empty answer (0 bytes) (after 3 attempts)",
               "trickle": "deadline (--deadline) after",
               "redirect-loop": "too many redirects",
               "redirect-ftp": "redirected to a URL that cannot be fetched",
               "redirect-none": "HTTP 302 redirect without a usable Location"}
    faults = {labels[i].name: (kind, 99) for i, kind in enumerate(failing)}
    cut_once, cut_always = labels[len(faults)], labels[len(faults) + 1]
    faults |= {cut_once.name: ("cut", 1), cut_always.name: ("cut", 99)}
    server.faults, server.gets = faults, collections.Counter()
    out = tmp_path / "ce4"
    t0 = time.monotonic()
    assert _fetch(listing, out, "--deadline", "2") == 1
    assert time.monotonic() - t0 < 30
    rows = _manifest(out)
    for i, (kind, why) in enumerate(failing.items()):
        row = rows[labels[i].name]
        assert row.status == "failed" and why in row.reason, (kind, row.reason)
        assert "cannot write" not in row.reason
    assert rows[cut_once.name].status == "fetched"  # cut without a length: fetched again, whole
    assert rows[cut_always.name].status == "failed"
    cut = rows[cut_always.name].reason
    assert "not well-formed XML" in cut and "perhaps cut" in cut and "after 3 attempts" in cut
    bad = {labels[i].name for i in range(len(failing))} | {cut_always.name}
    wanted = {p.name: p for p in files if p.name.endswith("L") or "LPR" in p.name}
    for name, p in wanted.items():
        if name not in bad:
            assert (out / _portal_path(name)).read_bytes() == p.read_bytes(), name
    _no_strays(out, set(wanted) - bad)
    # a rerun asks again for every bad file, and for nothing complete
    server.gets = collections.Counter()
    assert _fetch(listing, out, "--deadline", "2") == 1
    assert set(server.gets) == bad


def _half_parts(out: Path, names: list[Path]) -> None:
    for p in names:
        part = out / (_portal_path(p.name) + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def test_resume_appends_only_where_the_part_ends(hostile, tmp_path):
    server, listing, files, labels = hostile
    zero, elsewhere, login = labels[0], labels[1], labels[2]
    server.faults = {zero.name: ("206-zero", 99), elsewhere.name: ("206-elsewhere", 1),
                     login.name: ("206-login", 99)}
    server.gets = collections.Counter()
    out = tmp_path / "ce4"
    _half_parts(out, [zero, elsewhere, login])
    assert _fetch(listing, out, "--what", "labels", "--instrument", "LPR") in (0, 1)
    rows = _manifest(out)
    assert rows[zero.name].status == "fetched"  # a 206 from byte 0 to the end: written from zero
    assert rows[elsewhere.name].status == "fetched"  # a 206 from elsewhere: restarted from zero
    assert server.gets[elsewhere.name] == 2 and server.gets[zero.name] == 1  # the wrong 206, then 200
    assert rows[login.name].status == "failed" and "not logged in" in rows[login.name].reason
    for p in (zero, elsewhere):
        assert (out / _portal_path(p.name)).read_bytes() == p.read_bytes()
    assert not (out / _portal_path(login.name)).exists()
    assert not list(out.rglob("*.part"))


def test_a_bad_label_saved_by_an_earlier_run_is_fetched_again(hostile, tmp_path):
    server, listing, files, labels = hostile
    server.faults, server.gets = {}, collections.Counter()
    out = tmp_path / "ce4"
    stale = out / _portal_path(labels[0].name)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"\xef\xbb\xbf" + LOGIN)  # what an earlier release kept as "fetched"
    assert _fetch(listing, out, "--instrument", "LPR") == 0
    assert stale.read_bytes() == labels[0].read_bytes()
    row = _manifest(out)[labels[0].name]
    assert row.status == "fetched" and row.reason.startswith("an earlier copy was removed (not a PDS4 label")


def test_a_path_the_file_system_refuses_is_one_failed_row(hostile, tmp_path):
    server, listing, files, labels = hostile
    server.faults = {}
    out = tmp_path
    while len(str(out)) < 3780:
        out /= "d" * 200
    out /= "d" * (4010 - len(str(out)) - 1)  # the manifest fits; with the portal's layout, over PATH_MAX
    assert len(str(out / _portal_path(labels[0].name))) > 4096
    assert _fetch(listing, out, "--instrument", "LPR") == 1
    rows = _manifest(out)
    assert len(rows) == len([p for p in files if "LPR" in p.name])
    assert all(r.status == "failed" and "File name too long" in r.reason for r in rows.values())
    assert sorted(p.name for p in out.iterdir()) == ["fetch_manifest.csv"]
