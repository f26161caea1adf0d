"""The committed appendices are what the chapters give (run `make appendices` when this fails)."""

from __future__ import annotations

import logging
import types
from pathlib import Path

import pytest
from appendix_notebooks import convolution

from book import appendices
from book.chapter_text import toc_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_appendices_are_in_step_with_the_chapters() -> None:
    stale = appendices.stale(ROOT)
    names = [str(path.relative_to(ROOT)) for path in stale]
    assert not stale, f"{names} out of step with the chapters: run `make appendices`"


def test_the_appendices_are_in_the_toc() -> None:
    files = toc_files(ROOT)
    for page in appendices.PAGES:
        assert page.removesuffix(".md") in files, f"_toc.yml does not list {page}"


def test_write_and_check(tmp_path: Path) -> None:
    """On a book of one chapter: --check fails until the pages are written, then passes."""
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    convolution(chapters)
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: chapters/intro\nparts:\n  - chapters:\n      - file: chapters/sample\n",
        encoding="utf-8",
    )
    assert appendices.main(["--check", "--root", str(tmp_path)]) == 1
    assert appendices.main(["--root", str(tmp_path)]) == 0
    assert appendices.main(["--check", "--root", str(tmp_path)]) == 0
    assert "`Conv2d`" in (chapters / "appendix_api_map.md").read_text(encoding="utf-8")
    assert "卷积" in (chapters / "appendix_glossary.md").read_text(encoding="utf-8")
    assert appendices.write(tmp_path) == []


def test_a_build_warns_about_a_stale_page(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    convolution(chapters)
    (tmp_path / "_toc.yml").write_text("root: chapters/intro\nparts:\n  - chapters:\n      - file: chapters/sample\n")
    app = types.SimpleNamespace(srcdir=str(tmp_path))
    with caplog.at_level(logging.WARNING):
        appendices.warn_if_stale(app)
    assert "appendix_api_map.md is out of step with the chapters" in caplog.text
    appendices.write(tmp_path)
    caplog.clear()
    appendices.warn_if_stale(app)
    assert "out of step" not in caplog.text


def test_the_filter_loads_on_the_map_alone() -> None:
    added: list[str] = []
    app = types.SimpleNamespace(add_css_file=added.append, add_js_file=lambda name, **_: added.append(name))
    appendices.add_filter(app, "chapters/convolution", "page.html", {}, None)
    assert added == []
    appendices.add_filter(app, appendices.FILTER_PAGE, "page.html", {}, None)
    assert added == [appendices.FILTER_CSS, appendices.FILTER_JS]
    assert all((appendices.STATIC_DIR / name).is_file() for name in added)
