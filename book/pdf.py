"""The whole book as one PDF, printed by Chromium from the built site; and the site's side of it.

``python -m book.pdf`` (``make pdf``, after the HTML build) serves ``_build/html`` on
127.0.0.1, opens every page of ``_toc.yml`` in Debian's Chromium (Playwright, never a downloaded
browser), waits until MathJax has typeset the formulas and every figure has loaded, and prints
it with the print style sheet ``static/print.css``: no navigation, each pair's cells one above
the other, each labelled PyTorch or Paddle. A cover page with the contents goes first, and
poppler's ``pdfunite`` joins the pages into :data:`PDF_NAME` at the site's root.

As a Sphinx extension (``_config.yml``), this module adds ``print.css`` to every page and,
when the output folder holds that PDF, an entry for it in the theme's download button. ``make
pdf`` builds the site, prints the PDF into it, then builds again: the PDF's presence is a config
value (:func:`pdf_present`), so the second build rewrites every page with the entry (a few
seconds) and later builds keep it. Printing takes about a minute, five times the site's build,
so ``make book`` does not print it; ``make test`` does.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from book.serving import serve

__version__ = "1.0.0"

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
#: The PDF's file name, at the root of the built site.
PDF_NAME = "layers-side-by-side.pdf"
STATIC_DIR = Path(__file__).parent / "static"
PRINT_CSS = "print.css"
CHROMIUM = Path("/usr/bin/chromium")
#: As the browser tests start it: no sandbox as root, no network beyond the local server.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
#: Chromium lays the page out at the paper's width divided by this and shrinks it to fit: at
#: 0.8 an A4 column is about 860 CSS px wide, enough for the book's 88-character code lines.
SCALE = 0.8
#: Seconds a page may take to load, typeset its math and load its figures.
PAGE_TIMEOUT = 120
#: Resolves when the page is ready to print: web fonts, figures, MathJax's typesetting.
READY_SCRIPT = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images, img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  return document.querySelectorAll('mjx-container').length;
}"""
#: Under print media, shrinks each display formula wider than its column to fit (MathJax 3
#: does not break lines), so that none is cut off at the paper's edge; returns how many.
FIT_FORMULAS_SCRIPT = """() => {
  let shrunk = 0;
  for (const box of document.querySelectorAll('mjx-container[display="true"]')) {
    const math = box.firstElementChild;
    const room = box.parentElement.clientWidth;
    if (math && room && math.scrollWidth > room) {
      box.style.zoom = (room / math.scrollWidth).toFixed(3);
      shrunk += 1;
    }
  }
  return shrunk;
}"""
FOOTER = (
    '<div style="width:100%;font-size:8px;color:#555;padding:0 14mm;display:flex;'
    'justify-content:space-between;font-family:sans-serif">'
    '<span>{title}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


# --- which pages, in which order ------------------------------------------------------------------


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of ``_toc.yml``, the root first, e.g. ``chapters/intro``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [str(toc["root"])]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str) and node["file"] not in pages:
                pages.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)

    walk(toc)
    return pages


def book_title(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return str(config.get("title", ""))


def cover_html(title: str, contents: list[tuple[str, int]]) -> str:
    """The first page: the book's title and its contents, each entry with its first page."""
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td class='n'>{page}</td></tr>" for name, page in contents)
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><style>"
        "body{font-family:sans-serif;margin:30mm 20mm}h1{font-size:26pt;margin-bottom:4mm}"
        "p{color:#444}table{margin-top:14mm;border-collapse:collapse;width:100%}"
        "td{padding:2mm 0;border-bottom:1px solid #ddd}td.n{text-align:right}</style>"
        f"<h1>{html.escape(title)}</h1><p>PyTorch and Paddle, side by side: every pair of cells is "
        "printed one above the other, labelled PyTorch and Paddle.</p>"
        f"<table><tr><th align=left>Contents</th><th align=right>page</th></tr>{rows}</table></html>"
    )


def contents(titles: list[str], page_counts: list[int], first: int = 2) -> list[tuple[str, int]]:
    """Each part's title and first page, the parts following a cover of ``first - 1`` pages."""
    found = []
    for name, count in zip(titles, page_counts, strict=True):
        found.append((name, first))
        first += count
    return found


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF (poppler's ``pdfinfo``)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def unite(parts: list[Path], out: Path) -> None:
    """Join PDFs into one, in order (poppler's ``pdfunite``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdfunite", *map(str, parts), str(out)], check=True)


# --- printing --------------------------------------------------------------------------------------


def build(site: Path = SITE, out: Path | None = None, chromium: Path = CHROMIUM) -> Path:
    """Print every page of the built ``site`` and join them into ``out``; returns ``out``."""
    from playwright.sync_api import sync_playwright

    out = out or site / PDF_NAME
    pages = toc_pages()
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    if missing:
        raise FileNotFoundError(f"build the site first: {site} has no {missing[0]}.html")
    with tempfile.TemporaryDirectory() as tmp, serve(site) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        # The paper's text column (A4 less the margins), in CSS px at SCALE: formulas are fitted to it.
        context = browser.new_context(viewport={"width": round(182 / 25.4 * 96 / SCALE), "height": 1200})
        tab = context.new_page()
        parts, titles = [], []
        for i, name in enumerate(pages):
            tab.goto(f"{url}{name}.html?fw=both", wait_until="load", timeout=PAGE_TIMEOUT * 1000)
            tab.evaluate(READY_SCRIPT)
            tab.emulate_media(media="print")
            tab.evaluate(FIT_FORMULAS_SCRIPT)
            title = tab.title().split(" — ")[0].strip()
            part = Path(tmp) / f"{i:02d}.pdf"
            tab.pdf(
                path=str(part),
                format="A4",
                scale=SCALE,
                print_background=True,
                outline=True,
                tagged=True,
                margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER.format(title=html.escape(title)),
            )
            parts.append(part)
            titles.append(title)
        cover = Path(tmp) / "cover.pdf"
        tab.set_content(cover_html(book_title(), contents(titles, [page_count(p) for p in parts])))
        tab.pdf(path=str(cover), format="A4", print_background=True)
        browser.close()
        if page_count(cover) != 1:
            raise RuntimeError("the cover takes more than one page: the contents' page numbers would be wrong")
        unite([cover, *parts], out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default _build/html)")
    parser.add_argument("--out", type=Path, help=f"the PDF (default <site>/{PDF_NAME})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = build(args.site, args.out)
    print(f"PDF of {page_count(out)} pages in {time.perf_counter() - start:.0f} s: {out}")
    return 0


# --- the Sphinx extension ---------------------------------------------------------------------------


def download_entry(pathto: Any) -> dict[str, str]:
    """The theme's download-button entry for the book's PDF."""
    return {
        "type": "link",
        "url": pathto(PDF_NAME, 1),
        "text": "whole book .pdf",
        "tooltip": "Download the whole book as a PDF",
        "icon": "fas fa-file-pdf",
        "label": "download-book-pdf-button",
    }


def pdf_present(outdir: str | Path) -> bool:
    """True when the site being built already holds the book's PDF (from ``make pdf``)."""
    return (Path(outdir) / PDF_NAME).is_file()


def add_download_entry(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Put :func:`download_entry` first in the theme's download button (after the theme fills it),
    when the PDF is there."""
    if not app.config.book_pdf_present:
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            entries = button["buttons"]
            if not any(entry.get("label") == "download-book-pdf-button" for entry in entries):
                entries.insert(0, download_entry(context["pathto"]))


def print_css_digest() -> str:
    """A short digest of ``static/print.css``."""
    return hashlib.sha256((STATIC_DIR / PRINT_CSS).read_bytes()).hexdigest()[:16]


def add_static_path(app: Any, config: Any) -> None:
    if str(STATIC_DIR) not in config.html_static_path:
        config.html_static_path.append(str(STATIC_DIR))


def setup(app: Any) -> dict[str, Any]:
    # "html": a change (the PDF appeared or went) rewrites every page, without reading them again.
    app.add_config_value("book_pdf_present", pdf_present(app.outdir), "html", types=[bool])
    # An edit to the print style sheet changes this, so that an incremental build copies it.
    app.add_config_value("book_print_css_digest", print_css_digest(), "html", types=[str])
    app.connect("config-inited", add_static_path)
    app.connect("html-page-context", add_download_entry, priority=900)
    app.add_css_file(PRINT_CSS, media="print")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())
