"""``traverse fetch`` against a real local HTTP server with injected faults, and the real lists offline.

The server (``http.server`` in a thread, 127.0.0.1 only) serves a generated
archive at the portal's URL layout.  Faults by file: 500s then success, a
connection reset mid-file, a response shorter than its Content-Length, a
server that ignores Range, a 404, an HTML login page, a server too slow for
the timeout, a radar file served whole but a record shorter than its label
(kept and marked, not refused).  One run plus one rerun must leave every good file byte-identical
to the server's, every bad one in the manifest with its reason, no ``.part``
of a completed file, and no complete file downloaded twice.
"""

from __future__ import annotations

import collections
import http.server
import re
import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from traverse.cli import main
from traverse.read.archive import parse_product_name
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_lpr_product
from traverse.synthetic.sample import write_sample_archive

from .lpr_truth import lpr_poses

LISTS = sorted((Path(__file__).resolve().parents[2] / "shared" / "data" / "ce4" / "manifests").glob(
    "*/DATA/downloadResult.txt"))
HEADER = "使用说明:\r\n以下内容为数据下载链接，可将单条下载链接复制到浏览器url中访问该链接下载。\r\n"


def _portal_path(name: str) -> str:
    pn = parse_product_name(name)
    stem = pn.payload.split("-")[0]
    sub = "/".join(pn.payload.split("-")[1:2]) or "X"
    return f"cedownload/CE4ROLL/CE4/{stem}/{sub}/{pn.level}/{pn.start[:4]}-{pn.start[4:6]}/{name}"


class Portal(http.server.ThreadingHTTPServer):
    """Serves ``root`` with faults: ``faults[name]`` is a kind, with a count of GETs it lasts."""

    daemon_threads = True

    def __init__(self, root: Path):
        self.root, self.faults, self.gets = root, {}, collections.Counter()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _file(self) -> Path | None:
        path = self.server.root / self.path.lstrip("/")
        return path if path.is_file() else None

    def do_HEAD(self):
        f = self._file()
        self.send_response(200 if f else 404)
        self.send_header("Content-Length", str(f.stat().st_size if f else 0))
        self.end_headers()

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        self.server.gets[name] += 1
        n = self.server.gets[name]
        fault, lasts = self.server.faults.get(name, (None, 0))
        f = self._file()
        if fault == "404" or f is None:
            self.send_error(404)
            return
        if fault == "login":
            body = b"<!DOCTYPE html><html><body>Please log in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if fault == "500" and n <= lasts:
            self.send_error(500)
            return
        if fault == "slow":
            time.sleep(1.5)
        data = f.read_bytes()
        if fault == "shrunk":  # consistent headers, but a record short of what the label declares
            data = data[:-8307]
        start = 0
        rng = self.headers.get("Range")
        if rng and fault != "norange":
            start = int(rng.split("=")[1].split("-")[0])
        if fault in ("reset", "norange") and n == 1:  # half the file, then the connection drops
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        if fault == "short" and n <= lasts:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:-100])
            self.close_connection = True
            return
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal")
    archive = tmp / "archive"
    write_sample_archive(archive, days=2)  # with an image beside each camera label (what --what all adds)
    root = tmp / "root"
    files = sorted(p for p in archive.rglob("CE4_GRAS_*") if p.is_file())
    for p in files:
        target = root / _portal_path(p.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, target)
    server = Portal(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    listing = tmp / "downloadResult.txt"
    listing.write_bytes((HEADER + "\r\n".join(f"{host}/{_portal_path(p.name)}" for p in files)
                         + "\r\n").encode("utf-8"))
    yield server, archive, listing, files
    server.shutdown()


def _fetch(listing, out, *extra):
    return main(["fetch", str(listing), "-o", str(out), "-q", "--retries", "2", "--timeout", "1",
                 "--retry-wait", "0.01", *extra])


def test_faults_then_rerun(portal, tmp_path):
    server, archive, listing, files = portal
    labels = [p for p in files if p.name.endswith("L")]
    radar = [p for p in files if "LPR" in p.name and not p.name.endswith("L")]
    faults = {labels[0].name: ("500", 2), labels[1].name: ("reset", 1), labels[2].name: ("short", 1),
              radar[0].name: ("norange", 1), labels[3].name: ("404", 0), labels[4].name: ("login", 0),
              labels[5].name: ("slow", 0), radar[1].name: ("shrunk", 0)}
    server.faults, server.gets = faults, collections.Counter()
    bad = {labels[3].name: "HTTP 404", labels[4].name: "not logged in", labels[5].name: "after 3 attempts"}
    out = tmp_path / "ce4"
    assert _fetch(listing, out) == 1  # some failed
    gets = dict(server.gets)
    assert gets[labels[0].name] == 3  # two 500s, then the file
    assert gets[labels[1].name] == 2 and gets[labels[2].name] == 2  # reset / short, then the rest
    assert gets[radar[0].name] == 2  # the resume was answered with the whole file: restarted
    assert gets[labels[5].name] == 3  # too slow: retried, then given up
    assert gets[labels[3].name] == 1 and gets[labels[4].name] == 1  # 404, login page: no retry
    manifest = pd.read_csv(out / "fetch_manifest.csv")
    by_name = {Path(p).name: r for p, r in zip(manifest["path"], manifest.itertuples(), strict=True)}
    for name, reason in bad.items():
        assert by_name[name].status == "failed" and reason in by_name[name].reason, by_name[name]
    wanted = [p for p in files if p.name.endswith("L") or "LPR" in p.name]
    shrunk = by_name[radar[1].name]  # sent whole by the server, but shorter than its label: kept
    assert shrunk.status == "complete, shorter than label" and "(8307 bytes short); kept" in shrunk.reason
    for p in wanted:
        got = out / _portal_path(p.name)
        if p.name in bad:
            assert not got.exists() and not got.with_name(got.name + ".part").exists()
        else:
            served = p.read_bytes()[:-8307] if p == radar[1] else p.read_bytes()
            assert got.read_bytes() == served, p.name
            assert not got.with_name(got.name + ".part").exists()
    assert not any(out.rglob("*.2B")) or all("LPR" in p.name for p in out.rglob("*.2B"))  # no images
    # the rerun asks for nothing complete again
    server.gets = collections.Counter()
    assert _fetch(listing, out) == 1
    assert set(server.gets) == set(bad)
    rerun = pd.read_csv(out / "fetch_manifest.csv")
    assert (rerun["status"] == "skipped").sum() == len(wanted) - len(bad)
    marked = rerun[rerun["reason"].str.startswith("complete, shorter than label", na=False)]
    assert [Path(p).name for p in marked["path"]] == [radar[1].name]  # still marked on a rerun


@pytest.fixture()
def short_portal(tmp_path):
    """A portal serving LPR-2B products whose files differ from their labels (162 records declared):
    one holds 161 records, one 163; the listing of the four files."""
    root, src = tmp_path / "root", tmp_path / "src"
    served = []
    for seq, (start, keep) in enumerate([("2019-01-11T09:00:00Z", 161), ("2019-01-11T12:00:00Z", 163)], 1):
        label, data = write_lpr_product(src / str(seq), lpr_poses(keep, start=start), channel="2",
                                        sequence_id=seq)
        label.write_text(re.sub(r"<records>\d+</records>", "<records>162</records>", label.read_text())
                         .replace(f">{keep * 8307}</file_size>", f">{162 * 8307}</file_size>"))
        served += [label, data]
    for p in served:
        target = root / _portal_path(p.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, target)
    server = Portal(root)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    listing = tmp_path / "downloadResult.txt"
    listing.write_text(HEADER + "\r\n".join(f"{host}/{_portal_path(p.name)}" for p in served), "utf-8")
    yield listing, served
    server.shutdown()


def test_a_product_shorter_than_its_label_is_kept_marked_and_built(short_portal, tmp_path, capsys):
    listing, (_, short, _, long) = short_portal
    out = tmp_path / "ce4"
    assert _fetch(listing, out) == 0  # nothing failed: both kept
    err = capsys.readouterr().err
    assert f"warning: {_portal_path(short.name)}: complete, shorter than label" in err
    manifest = pd.read_csv(out / "fetch_manifest.csv").set_index("path")
    row = manifest.loc[_portal_path(short.name)]
    assert row.status == "complete, shorter than label" and row.bytes == 161 * 8307
    assert f"the label declares {162 * 8307} (8307 bytes short); kept" in row.reason
    assert manifest.loc[_portal_path(long.name)].status == "complete, longer than label"
    assert not any(out.rglob("*.part"))
    stem = tmp_path / "maps" / "t"
    assert main(["build", str(out), "-o", str(stem), "-q"]) == 0
    skipped = pd.read_csv(stem.with_name("t_skipped.csv")).set_index("source")
    truncated = skipped.loc[str(out / _portal_path(short.name))]
    assert truncated.severity == "warning" and truncated["count"] == 1
    assert truncated.reason == ("truncated: label declares 162 records, file holds 161 complete records"
                                " (8307 bytes short); the 161 are used")
    assert "163 records read but the label declares 162" in skipped.loc[str(out / _portal_path(long.name)),
                                                                        "reason"]
    frames, _ = read_frames([out])
    assert (frames.groupby("product_id").size().to_dict()
            == {short.name: 161, long.name: 163})


def test_fetch_then_build_equals_building_the_source(portal, tmp_path):
    server, archive, listing, _ = portal
    server.faults, server.gets = {}, collections.Counter()
    out = tmp_path / "ce4"
    assert _fetch(listing, out) == 0
    fetched, _ = read_frames([out])
    direct, _ = read_frames([archive])
    direct = direct[direct["instrument"].isin(fetched["instrument"].unique())]
    cols = ["product_id", "record", "time_utc", "x_east_m", "y_north_m", "z_up_m"]
    pd.testing.assert_frame_equal(fetched[cols].reset_index(drop=True),
                                  direct[cols].reset_index(drop=True))


def test_what_all_adds_images_and_filters(portal, tmp_path):
    server, _, listing, files = portal
    server.faults = {}
    out = tmp_path / "all"
    assert _fetch(listing, out, "--what", "all", "--instrument", "PCAM") == 0
    got = sorted(p.name for p in out.rglob("CE4_GRAS_*"))
    assert got == sorted(p.name for p in files if "PCAM" in p.name)


@pytest.mark.skipif(not LISTS, reason="real download lists not found in ../shared/data/ce4/manifests")
def test_real_pcam_list_parses_and_dry_run_works_offline(capsys, tmp_path):
    pcam = [p for p in LISTS if "PCAM" in str(p)]
    assert main(["fetch", str(pcam[0]), "-o", str(tmp_path / "x"), "--dry-run", "--timeout", "2"]) == 0
    captured = capsys.readouterr()
    assert "PCAM labels: 2564" in captured.out and "PCAM other data files (images ...): 2564" in captured.out
    assert "cannot reach moon.bao.ac.cn" in captured.err  # offline: said clearly, sizes unknown
    assert not (tmp_path / "x").exists()  # nothing downloaded


def test_hostile_list_lines_are_refused(tmp_path, capsys):
    listing = tmp_path / "list.txt"
    listing.write_text(
        "header\n"
        "ftp://example.invalid/CE4_GRAS_PCAML-C-000_SCI_N_20190104040000_20190104040000_0001_B.2BL\n"
        "http://127.0.0.1:9/a/../../etc/CE4_GRAS_PCAML-C-000_SCI_N_20190104040000_20190104040000_0001_B.2BL\n"
        "http://127.0.0.1:9/a/notes.txt\n", encoding="gb18030")
    assert main(["fetch", str(listing), "-o", str(tmp_path / "o"), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "not an http(s) URL" in err and "would leave the download folder" in err
    assert "not a GRAS product" in err
