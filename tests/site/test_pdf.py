"""The book's PDF (``make pdf``, book/pdf.py), rendered to images with pdftoppm and read with pdftotext.

It must hold every page of _toc.yml, every pair with both cells one above the other and labelled,
every figure, the formulas typeset (no TeX source left), the Chinese terms, and no blank page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BOOK_ROOT, SITE_DIR, book_pages, chapter_pages
from PIL import Image, ImageStat

from book.pdf import PDF_NAME, page_count

PDF = SITE_DIR / PDF_NAME
#: TeX that MathJax would have turned into a formula.
RAW_TEX = re.compile(r"\\(frac|sum|left|right|mathrm|operatorname|lfloor|rfloor|cdot|in)\b|\$\$")
CHINESE_TERM = re.compile(r"\*\*[^*]+\*\* \(([\u4e00-\u9fff]+)")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
    return path


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make pdf` (it builds the site, then prints the PDF)")
    return PDF


@pytest.fixture(scope="module")
def pages_text(pdf: Path) -> list[str]:
    """The text of each page, in reading order."""
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[: page_count(pdf)]


@pytest.fixture(scope="module")
def page_images(pdf: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every page rendered by pdftoppm, small and grey (about 10 s for 300 pages)."""
    folder = tmp_path_factory.mktemp("pdf-pages")
    subprocess.run([_tool("pdftoppm"), "-r", "20", "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.glob("p-*.png"))


def _notebooks() -> list[dict]:
    return [json.loads((BOOK_ROOT / f"{page}.ipynb").read_text(encoding="utf-8")) for page in chapter_pages()]


def test_every_page_of_the_book_is_in_the_pdf(pages_text: list[str]) -> None:
    text = "\n".join(pages_text)
    assert len(pages_text) > 10 * len(chapter_pages()), "a chapter prints on more than ten pages"
    for page in book_pages():
        source = (BOOK_ROOT / f"{page}.md") if (BOOK_ROOT / f"{page}.md").is_file() else None
        if source is not None:
            title = next(
                line[2:].strip() for line in source.read_text(encoding="utf-8").splitlines() if line.startswith("# ")
            )
        else:
            notebook = json.loads((BOOK_ROOT / f"{page}.ipynb").read_text(encoding="utf-8"))
            title = next(
                line[2:].strip()
                for cell in notebook["cells"]
                if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines()
                if line.startswith("# ")
            )
        assert title.replace("`", "") in text, f"{page}'s title ({title}) is not in the PDF"


#: A word of ``pdftotext -bbox``: its box and its text.
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')


def _labels(pdf: Path) -> list[tuple[int, float, float, str]]:
    """Every cell label of the PDF (the words PYTORCH and PADDLE alone): page, x, y, word."""
    boxes = subprocess.run([_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    found = []
    for number, page in enumerate(boxes.stdout.split("<page ")[1:], start=1):
        for x, y, _, word in WORD.findall(page):
            if word in ("PYTORCH", "PADDLE"):
                found.append((number, float(x), float(y), word))
    return found


def test_every_pair_is_printed_labelled_one_cell_above_the_other(pdf: Path) -> None:
    pairs = sum("pytorch" in cell["metadata"].get("tags", []) for nb in _notebooks() for cell in nb["cells"])
    labels = _labels(pdf)
    assert [word for *_, word in labels] == ["PYTORCH", "PADDLE"] * pairs, "each pair: PyTorch, then Paddle"
    for (page, x, y, _), (next_page, next_x, next_y, _) in zip(labels[::2], labels[1::2], strict=True):
        # stacked: Paddle's label starts where PyTorch's does, lower on the page or on a later page
        assert abs(next_x - x) < 2, f"page {page}: a pair's cells are not one above the other"
        assert (next_page, next_y) > (page, y), f"page {page}: Paddle's cell is not below PyTorch's"


def test_every_figure_is_in_the_pdf(pdf: Path) -> None:
    figures = sum(
        "image/png" in out.get("data", {})
        for nb in _notebooks()
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
    )
    listing = subprocess.run([_tool("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True)
    images = [line for line in listing.stdout.splitlines()[2:] if line.split()[2] == "image"]
    assert figures > 0 and len(images) >= figures


def test_formulas_are_typeset_and_chinese_terms_printed(pages_text: list[str]) -> None:
    text = "\n".join(pages_text)
    assert not RAW_TEX.search(text), f"TeX source in the PDF: {RAW_TEX.search(text)}"
    terms = {
        m.group(1)
        for nb in _notebooks()
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for m in CHINESE_TERM.finditer("".join(cell["source"]))
    }
    assert terms, "the chapters give Chinese terms"
    missing = sorted(term for term in terms if term not in text)
    assert not missing, f"Chinese terms missing from the PDF (no CJK font?): {missing[:5]}"


def test_no_page_is_blank_and_the_pages_are_a4(page_images: list[Path], pdf: Path, pages_text: list[str]) -> None:
    assert len(page_images) == page_count(pdf)
    for path, text in zip(page_images, pages_text, strict=True):
        with Image.open(path) as image:
            width, height = image.size
            assert abs(height / width - 297 / 210) < 0.01, f"{path.name} is not A4"
            ink = 255 - ImageStat.Stat(image).mean[0]
        # Little ink is fine for the last lines of a chapter; blank means no more than the footer
        # (the part's name and "k / n").
        lines = [line for line in text.splitlines() if line.strip()]
        assert ink > 1.0 or len(lines) > 2, f"{path.name} is blank: {lines}"
