"""The generated appendices: write them (``make appendices``), check them, serve their filter.

``python -m book.appendices`` reads the chapters that ``_toc.yml`` lists (book.chapter_text) and
writes :data:`PAGES`: the API map (book.api_map) and the glossary (book.glossary). The pages are
committed; ``python -m book.appendices --check`` and tests/unit/test_appendices.py fail when one
is out of step with the notebooks.

As a Sphinx extension (``book.appendices`` in _config.yml) it warns when a page is out of step
(the site is built with ``-W``, so a stale appendix fails the build), and it adds the API map's
filter, ``static/api_map.js`` and ``static/api_map.css``, to that page only.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from book import api_map, glossary, side_by_side
from book.chapter_text import Chapter, book_chapters, read_chapter

ROOT = Path(__file__).resolve().parents[1]
#: Each generated page (relative to the book's root) and what writes it.
PAGES: dict[str, Callable[[list[Chapter]], str]] = {
    "chapters/appendix_api_map.md": api_map.render,
    "chapters/appendix_glossary.md": glossary.render,
}
#: The page that loads the filter, and the filter's files (in book/static).
FILTER_PAGE = "chapters/appendix_api_map"
FILTER_JS = "api_map.js"
FILTER_CSS = "api_map.css"
STATIC_DIR = side_by_side.STATIC_DIR


def generate(root: Path = ROOT) -> dict[Path, str]:
    """The text of every page of :data:`PAGES`, from the chapters of *root*'s _toc.yml."""
    chapters = [read_chapter(path) for path in book_chapters(root)]
    return {root / page: render(chapters) for page, render in PAGES.items()}


def stale(root: Path = ROOT) -> list[Path]:
    """The pages whose committed text differs from what the chapters give."""
    return [
        path
        for path, text in generate(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write(root: Path = ROOT) -> list[Path]:
    """Write every page that changed; return them."""
    changed = []
    for path, text in generate(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only report pages out of step (exit 1)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root (where _toc.yml is)")
    args = parser.parse_args(argv)
    if args.check:
        pages = stale(args.root)
        for path in pages:
            print(f"{path} is out of step with the chapters: run `make appendices`")
        return 1 if pages else 0
    for path in write(args.root):
        print(f"wrote {path}")
    return 0


# ------------------------------------------------------------------------------------ Sphinx glue


def warn_if_stale(app: Any) -> None:
    """Warn about every generated page that is out of step with the chapters."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for path in stale(Path(app.srcdir)):
        logger.warning(f"{path} is out of step with the chapters: run `make appendices`", type="appendices")


def add_filter(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Load the filter on the API map's page only (Sphinx adds a file to one page when it is
    added during that page's html-page-context)."""
    if pagename == FILTER_PAGE:
        app.add_css_file(FILTER_CSS)
        app.add_js_file(FILTER_JS, loading_method="defer")


def assets_digest() -> str:
    """A digest of the filter's files: the default of a config value, so that an edit to either
    rewrites the pages (an incremental build would otherwise keep the old ``?v=`` in the HTML)."""
    digest = hashlib.sha256()
    for name in (FILTER_JS, FILTER_CSS):
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("appendices_assets_digest", assets_digest(), "html", types=[str])
    app.connect("config-inited", side_by_side.add_static_path)  # book/static, shared with it
    app.connect("builder-inited", warn_if_stale)
    # Before book.side_by_side's handler, which replaces the page's list of scripts by a copy.
    app.connect("html-page-context", add_filter, priority=400)
    return {"version": "1.0.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())
