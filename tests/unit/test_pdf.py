"""book.pdf: the pages it prints and their order, the cover, and the download button's entry."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from book import pdf

ROOT = Path(__file__).resolve().parents[2]


def test_pages_follow_the_toc_root_first(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: chapters/intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: chapters/one\n        sections:\n          - file: chapters/one_more\n"
        "  - caption: B\n    chapters:\n      - file: chapters/appendix\n      - file: chapters/intro\n"
    )
    assert pdf.toc_pages(tmp_path) == ["chapters/intro", "chapters/one", "chapters/one_more", "chapters/appendix"]
    pages = pdf.toc_pages(ROOT)
    assert pages[0] == "chapters/intro" and "chapters/appendix_releases" in pages


def test_contents_give_each_part_its_first_page() -> None:
    assert pdf.contents(["Intro", "Convolution", "Pooling"], [5, 88, 90]) == [
        ("Intro", 2),
        ("Convolution", 7),
        ("Pooling", 95),
    ]


def test_cover_escapes_titles_and_lists_the_contents() -> None:
    html = pdf.cover_html("A & B", [("Conv <1>", 2)])
    assert "<h1>A &amp; B</h1>" in html and "Conv &lt;1&gt;" in html and "<td class='n'>2</td>" in html


def _context(with_button: bool = True) -> dict[str, Any]:
    buttons = [{"label": "download-source-button"}]
    group = {"type": "group", "label": "download-buttons", "buttons": buttons}
    return {"header_buttons": [group] if with_button else [], "pathto": lambda name, flag: f"../{name}"}


def test_download_button_offers_the_pdf_only_when_it_is_there(tmp_path: Path) -> None:
    assert not pdf.pdf_present(tmp_path)
    (tmp_path / pdf.PDF_NAME).write_bytes(b"%PDF-1.4")
    assert pdf.pdf_present(tmp_path)

    app = SimpleNamespace(config=SimpleNamespace(book_pdf_present=True))
    context = _context()
    pdf.add_download_entry(app, "chapters/pooling", "page.html", context, None)
    pdf.add_download_entry(app, "chapters/pooling", "page.html", context, None)  # once only
    entries = context["header_buttons"][0]["buttons"]
    assert [e["label"] for e in entries] == ["download-book-pdf-button", "download-source-button"]
    assert entries[0]["url"] == f"../{pdf.PDF_NAME}" and entries[0]["type"] == "link"

    app.config.book_pdf_present = False
    context = _context()
    pdf.add_download_entry(app, "chapters/pooling", "page.html", context, None)
    assert len(context["header_buttons"][0]["buttons"]) == 1
    pdf.add_download_entry(app, "x", "page.html", _context(with_button=False), None)  # no button: nothing


def test_print_css_stacks_and_labels_pairs_and_wraps_code() -> None:
    css = (pdf.STATIC_DIR / pdf.PRINT_CSS).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".fw-pair" in css and "display: block !important" in css
    assert "white-space: pre-wrap" in css and "break-inside: avoid" in css


def test_print_css_digest_follows_the_file() -> None:
    digest = pdf.print_css_digest()
    assert len(digest) == 16 and digest == pdf.print_css_digest()
