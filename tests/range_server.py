"""A local HTTP server with Range requests, counting the bytes it sends (tests of ``traverse basemap``).

Serves the files of one folder on 127.0.0.1 (never another address), as a
static archive such as the LROC RDR or HiRISE PDS servers does for GDAL's
``/vsicurl/``: ``HEAD``, ``GET`` and ``GET`` with ``Range: bytes=a-b`` (one
range; multi-range requests get the whole first range, which GDAL accepts).
``bytes_sent`` counts body bytes, ``requests`` every request line; ``cut_after``
makes the server close the connection after sending that many body bytes in
one answer (a cut connection), ``cut_times`` times.

The server runs in a process of its own (:class:`ServerProcess`): rasterio
holds the GIL while GDAL reads, so a server thread in the test's process
would never answer.  The test talks to it through ``/_stats`` (JSON counts),
``/_reset`` and ``/_cut?after=N&times=K``, which are not counted.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeServer(http.server.ThreadingHTTPServer):
    """Serve ``root`` on 127.0.0.1 with Range support; use as a context manager."""

    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = Path(root)
        self.bytes_sent = 0
        self.requests: list[str] = []
        self.cut_after: int | None = None
        self.cut_times = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        """``http://127.0.0.1:PORT/name``."""
        return f"http://127.0.0.1:{self.server_address[1]}/{name}"

    def reset(self) -> None:
        """Forget the counts."""
        with self.lock:
            self.bytes_sent = 0
            self.requests.clear()

    def __enter__(self) -> RangeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _file(self) -> Path | None:
        path = (self.server.root / self.path.lstrip("/").split("?")[0]).resolve()
        if self.server.root.resolve() not in path.parents or not path.is_file():
            return None
        return path

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _control(self) -> bool:
        """Answer ``/_stats``, ``/_reset``, ``/_cut``; False for any other path."""
        srv, url = self.server, urlparse(self.path)
        if url.path == "/_reset":
            srv.reset()
        elif url.path == "/_cut":
            q = parse_qs(url.query)
            with srv.lock:
                srv.cut_after, srv.cut_times = int(q["after"][0]), int(q["times"][0])
        elif url.path != "/_stats":
            return False
        with srv.lock:
            body = json.dumps({"bytes_sent": srv.bytes_sent, "requests": srv.requests,
                               "cuts_left": srv.cut_times}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def _answer(self, *, head: bool) -> None:
        srv = self.server
        if self._control():
            return
        with srv.lock:
            srv.requests.append(f"{self.command} {self.path} {self.headers.get('Range', '')}")
        path = self._file()
        if path is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        m = _RANGE.match(self.headers.get("Range", "").split(",")[0])
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:  # suffix range
                start = max(0, size - int(m.group(2)))
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if head:
            return
        with path.open("rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        with srv.lock:
            cut = srv.cut_after is not None and srv.cut_times > 0 and len(body) > srv.cut_after
            if cut:
                srv.cut_times -= 1
                body = body[: srv.cut_after]
            srv.bytes_sent += len(body)
        self.wfile.write(body)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)


class ServerProcess:
    """A :class:`RangeServer` of ``root`` in a child process; ``stats()``, ``reset()``, ``cut()``."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen([sys.executable, __file__, str(root)], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def url(self, name: str) -> str:
        """``http://127.0.0.1:PORT/name``."""
        return f"http://127.0.0.1:{self.port}/{name}"

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url(path), timeout=10) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        """``{"bytes_sent": N, "requests": [...]}`` since the last reset."""
        return self._get("_stats")

    def reset(self) -> None:
        """Forget the counts."""
        self._get("_reset")

    def cut(self, after: int, times: int = 1) -> None:
        """Cut the next ``times`` answers longer than ``after`` bytes after ``after`` bytes."""
        self._get(f"_cut?after={after}&times={times}")

    def close(self) -> None:
        """Stop the child process (started here, ended by its own handle)."""
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    server = RangeServer(Path(sys.argv[1]))
    print(server.server_address[1], flush=True)
    server.serve_forever()
