"""book.serving: the built site on a free local port; a missing favicon is a 204, not a 404."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from book.serving import serve


def test_it_serves_the_folder_and_answers_a_missing_favicon_with_204(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hello</p>", encoding="utf-8")
    with serve(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "index.html") as page:
            assert page.read() == b"<p>hello</p>"
        with urllib.request.urlopen(url + "favicon.ico") as icon:
            assert icon.status == 204
