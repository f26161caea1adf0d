"""Serve the built site on a free port of 127.0.0.1, quietly: for printing the PDF and for the browser tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site without logging; a missing /favicon.ico is a 204.

    Browsers ask for /favicon.ico at the server root; the published site lives below the domain
    root, so a 404 for it here would be an artefact of serving it locally.
    """

    protocol_version = "HTTP/1.1"  # keep-alive: fewer connections per page

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        if self.path == "/favicon.ico" and not Path(self.translate_path(self.path)).exists():
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site on a free port of 127.0.0.1, for as long as the block runs; yields its base URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
