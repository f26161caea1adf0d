"""Fixtures for the browser tests of the built site.

The site is the output of ``make book`` (``<repo>/_build/html``); it is served on
127.0.0.1 and driven with Playwright and Debian's chromium (never a downloaded
browser). Environment variables:

* ``BOOK_SITE_DIR``: the built site (default ``<repo>/_build/html``);
* ``BOOK_ROOT``: the book's sources, where ``_toc.yml`` is (default the repo root);
* ``CHROMIUM``: the browser (default ``/usr/bin/chromium``);
* ``CI=true``: a missing browser fails the tests instead of skipping them.

Speed: one server and one browser for the session. ``results`` opens every page the suite looks
at once, all at the same time (Playwright's async API, site_checks.py), and records what the tests
assert; each chapter is loaded cold once, in a context of its own. The tests then assert on what
was recorded (``chapter_report``, ``results``), each on one point.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from site_checks import Report, Results, collect

from book.serving import serve

REPO = Path(__file__).resolve().parents[2]
BOOK_ROOT = Path(os.environ.get("BOOK_ROOT", REPO)).resolve()
SITE_DIR = Path(os.environ.get("BOOK_SITE_DIR", REPO / "_build" / "html")).resolve()
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: The features Playwright 1.65 disables (its chromiumSwitches.ts: Chromium keeps only the last
#: --disable-features of a command line, so this list repeats them) and the omnibox popup's WebUI:
#: Chromium 156's headless mode gives every window (one per context) an address bar whose popup is
#: a WebUI page in a renderer of its own, about 0.6 s of CPU each, ~5 s of the suite's ~44.
DISABLED_FEATURES = [
    *("AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades"),
    *("HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding"),
    *("ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin"),
    *("OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch"),
    *("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=" + ",".join(DISABLED_FEATURES),
    # Hermetic: no host name resolves, so no request can leave the machine (site_checks.Site
    # reports every request that is not for the site as an error).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


# --- the book's pages, from _toc.yml ----------------------------------------------------------


def _toc_entries(node: Any) -> Iterator[str]:
    """Yield every ``file`` of a _toc.yml tree, in order."""
    if isinstance(node, dict):
        if isinstance(node.get("file"), str):
            yield node["file"]
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key) or []:
                yield from _toc_entries(child)


def toc_root() -> str:
    """The root page of the book, e.g. ``chapters/intro``."""
    toc = yaml.safe_load((BOOK_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return str(toc["root"])


def book_pages() -> list[str]:
    """Every page of _toc.yml, the root first, e.g. ``chapters/intro``."""
    toc = yaml.safe_load((BOOK_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return list(dict.fromkeys([toc["root"], *_toc_entries(toc)]))


def chapter_pages() -> list[str]:
    """The chapters: the _toc.yml entries that are notebooks, e.g. ``chapters/convolution``."""
    return [page for page in book_pages() if (BOOK_ROOT / f"{page}.ipynb").is_file()]


def other_pages() -> list[str]:
    """The pages of _toc.yml that are not chapters (the intro, the appendices)."""
    chapters = chapter_pages()
    return [page for page in book_pages() if page not in chapters]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``chapter`` over the chapters, ``other_page`` over the other pages."""
    if "chapter" in metafunc.fixturenames:
        # session scope: the tests of one chapter run together, on the one load of that chapter
        metafunc.parametrize("chapter", chapter_pages(), scope="session")
    if "other_page" in metafunc.fixturenames:
        metafunc.parametrize("other_page", other_pages(), scope="session")


@pytest.fixture(scope="session")
def chapters() -> list[str]:
    """All chapters, in _toc.yml order."""
    return chapter_pages()


@pytest.fixture(scope="session")
def intro_page() -> str:
    """The root page of the book (not a chapter)."""
    return toc_root()


# --- server and browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"The built site is missing ({SITE_DIR}/index.html): run `make book` first.")
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """URL of the site, served on a free port of 127.0.0.1 (book.serving)."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def results(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """Every page of the suite, loaded once and gone over once, all at the same time, in one
    Debian chromium; what the tests assert (see site_checks.py)."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} not found. The browser tests use Debian's chromium: "
            "install it with `sudo apt-get install -y chromium` (never `playwright install`)."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    shots = tmp_path_factory.mktemp("screenshots")
    return collect(CHROMIUM, CHROMIUM_ARGS, base_url, chapter_pages(), other_pages(), toc_root(), shots)


@pytest.fixture(scope="session")
def chapter_report(results: Results, chapter: str) -> Report:
    """Everything the tests assert about *chapter*, from one pass over its one cold load."""
    return results.chapters[chapter]
