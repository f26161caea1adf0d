"""Fixtures for the browser tests of the built site.

The site is the output of ``make book`` (``<repo>/_build/html``); it is served on
127.0.0.1 and driven with Playwright and Debian's chromium (never a downloaded
browser). Environment variables:

* ``BOOK_SITE_DIR``: the built site (default ``<repo>/_build/html``);
* ``BOOK_ROOT``: the book's sources, where ``_toc.yml`` is (default the repo root);
* ``CHROMIUM``: the browser (default ``/usr/bin/chromium``);
* ``CI=true``: a missing browser fails the tests instead of skipping them.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
BOOK_ROOT = Path(os.environ.get("BOOK_ROOT", REPO)).resolve()
SITE_DIR = Path(os.environ.get("BOOK_SITE_DIR", REPO / "_build" / "html")).resolve()
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Default viewport of a new context: wide enough for two code columns.
WIDE = {"width": 1400, "height": 900}


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``chapter`` over the chapters, ``other_page`` over the other pages."""
    if "chapter" in metafunc.fixturenames:
        # session scope: the tests of one chapter share one loaded page (see chapter_page)
        metafunc.parametrize("chapter", chapter_pages(), scope="session")
    if "other_page" in metafunc.fixturenames:
        chapters = chapter_pages()
        metafunc.parametrize("other_page", [p for p in book_pages() if p not in chapters])


@pytest.fixture(scope="session")
def chapters() -> list[str]:
    """All chapters, in _toc.yml order."""
    return chapter_pages()


@pytest.fixture(scope="session")
def intro_page() -> str:
    """The root page of the book (not a chapter)."""
    return toc_root()


# --- server and browser -----------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site without logging; a missing /favicon.ico is a 204.

    Browsers ask for /favicon.ico at the server root; the published site lives
    below the domain root, so a 404 for it here would be an artefact of the test.
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


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"The built site is missing ({SITE_DIR}/index.html): run `make book` first.")
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """URL of the site, served by http.server on a free port of 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian chromium for the whole session."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} not found. The browser tests use Debian's chromium: "
            "install it with `sudo apt-get install -y chromium` (never `playwright install`)."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- pages that record errors -----------------------------------------------------------------


@dataclass
class ErrorLog:
    """Console errors, uncaught exceptions and failed responses seen by the test's pages."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._on_response)
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.page.url if message.page else "?"
            self.errors.append(f"{url}: console: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} for {response.url}")


@dataclass
class Site:
    """Opens pages of the site in fresh browser contexts; see the ``site`` fixture."""

    browser: Browser
    base_url: str
    log: ErrorLog
    tmp_path: Path
    contexts: list[BrowserContext] = field(default_factory=list)

    def url(self, page: str, query: str = "") -> str:
        """URL of a book page given as in _toc.yml (``chapters/convolution``)."""
        return f"{self.base_url}{page}.html{query}"

    def new_context(self, **options: Any) -> BrowserContext:
        """A fresh context (own localStorage); a request that leaves the site is an error."""
        options.setdefault("viewport", WIDE)
        context = self.browser.new_context(**options)
        # Hermetic: the site must work offline (MathJax included), so nothing may be fetched
        # from elsewhere; such a request is blocked and reported.
        context.route(re.compile("^(?!" + re.escape(self.base_url) + ")"), self._block_external)
        self.contexts.append(context)
        return context

    def _block_external(self, route: Route) -> None:
        self.log.errors.append(f"external request (the site must work offline): {route.request.url}")
        route.abort()

    def new_page(self, context: BrowserContext) -> Page:
        """A new tab of *context* whose errors are recorded."""
        return self.log.watch(context.new_page())

    def open(self, page: str, query: str = "", context: BrowserContext | None = None, **options: Any) -> Page:
        """Open a book page in *context* (default: a new one made with *options*); wait for its math."""
        context = context or self.new_context(**options)
        tab = self.new_page(context)
        tab.goto(self.url(page, query))
        wait_ready(tab)
        return tab

    def assert_no_errors(self) -> None:
        """Fail if a page logged a console error or got a failed response (each reported once)."""
        errors, self.log.errors = self.log.errors, []
        if errors:
            pytest.fail("the pages reported errors:\n  " + "\n  ".join(errors), pytrace=False)

    def screenshot(self, page: Page, name: str) -> Path:
        """Save a full-page screenshot under the test's tmp_path and return its path."""
        path = self.tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


#: Resolves when MathJax has typeset the page (the page's own readiness, not network idle).
READY_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return "ready";
}"""


def wait_ready(page: Page) -> None:
    """Wait until the page has typeset its formulas (a no-op without JavaScript)."""
    page.evaluate(READY_JS)


@pytest.fixture(scope="session")
def shared_site(browser: Browser, base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A Site whose pages live for the whole session (one loaded page per chapter)."""
    site = Site(browser=browser, base_url=base_url, log=ErrorLog(), tmp_path=tmp_path_factory.mktemp("shared"))
    try:
        yield site
    finally:
        site.close()


@pytest.fixture(scope="session")
def chapter_page(shared_site: Site, chapter: str) -> Page:
    """The chapter, loaded once at 1400 px in its own context; tests resize it rather than reload."""
    return shared_site.open(chapter)


@pytest.fixture
def shared(shared_site: Site) -> Iterator[Site]:
    """The shared Site, with the errors its pages log during the test reported at the end."""
    shared_site.log.errors.clear()
    yield shared_site
    shared_site.assert_no_errors()


@pytest.fixture
def site(browser: Browser, base_url: str, tmp_path: Path) -> Iterator[Site]:
    """Open pages of the site.

    Tests end with ``site.assert_no_errors()``; as a safety net, errors that a
    test did not check are reported when the fixture is torn down.
    """
    site = Site(browser=browser, base_url=base_url, log=ErrorLog(), tmp_path=tmp_path)
    try:
        yield site
    finally:
        site.close()
    site.assert_no_errors()
