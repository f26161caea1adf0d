"""book.glossary: the terms a chapter introduces as **term** (中文), the lint, and the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from appendix_notebooks import chapter, convolution, md

from book.glossary import chapter_terms, chinese_alternatives, english_term, problems, render


def test_terms_with_their_sections(tmp_path: Path) -> None:
    terms = chapter_terms(convolution(tmp_path))
    assert [(t.english, t.chinese, t.section and t.section.slug) for t in terms] == [
        ("convolution", ("卷积",), None),  # starts a sentence: small initial
        ("stride", ("步长",), "the-output-size"),
    ]


def test_alternatives_and_latin_letters() -> None:
    assert chinese_alternatives("空洞卷积 or 膨胀卷积") == ("空洞卷积", "膨胀卷积")
    assert chinese_alternatives("Lp 归一化") == ("Lp 归一化",)
    assert chinese_alternatives("局部响应归一化, from AlexNet") is None
    assert chinese_alternatives("半精度: float16") is None


def test_english_term() -> None:
    assert english_term("Max pooling", True) == "max pooling"
    assert english_term("Max pooling", False) == "Max pooling"
    assert english_term("RMS normalization", True) == "RMS normalization"
    assert english_term("Lp normalization", True) == "Lp normalization"
    assert english_term("Power-average\npooling", True) == "power-average pooling"


BAD = {
    "plain term": ("Pooling (池化) summarises.", "Chinese text outside a `**term** (中文)`"),
    "italic term": ("the *kernel* (卷积核) slides", "Chinese text outside"),
    "more in the parentheses": ("**LRN** (局部响应归一化, from AlexNet)", "holds more than the Chinese term"),
    "Chinese after a comma": ("(the *affine parameters*, 仿射参数, start at 1)", "Chinese text outside"),
    "in a table cell": ("| a | b |\n|---|---|\n| batch norm (批归一化) | x |", "Chinese text outside"),
}


@pytest.mark.parametrize(("text", "expected"), BAD.values(), ids=BAD.keys())
def test_the_lint_names_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    ch = chapter(tmp_path, md("# A\n\n## S\n\n" + text))
    found = problems(ch)
    assert any(p.startswith("sample.ipynb cell 0") and expected in p for p in found), found


def test_the_lint_accepts_the_form(tmp_path: Path) -> None:
    text = (
        "**Dilation** (空洞卷积 or 膨胀卷积), or atrous convolution, and a\n"
        "**group\nnorm** (组归一化) and `代码 (中文)`.\n\n"
        "| a | b |\n|---|---|\n| **batch norm** (批归一化) | x |\n"
    )
    ch = chapter(tmp_path, md("# A\n\n## S\n\n" + text))
    assert problems(ch) == []
    assert [t.english for t in chapter_terms(ch)] == ["dilation", "group norm", "batch norm"]


def test_the_page_reads_from_both_sides(tmp_path: Path) -> None:
    one = convolution(tmp_path)
    two = chapter(
        tmp_path,
        md("# Pooling\n\n## Max pooling\n\n**Max pooling** (最大池化) and **stride** (步长) again."),
        name="pooling",
    )
    page = render([one, two])
    english = page.split("## English → 中文")[1].split("## 中文 → English")[0]
    chinese = page.split("## 中文 → English")[1]
    rows = [line for line in english.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0] for row in rows] == ["| convolution", "| max pooling", "| stride"]
    assert "| 步长 | stride | " in chinese
    stride = next(row for row in rows if row.startswith("| stride"))
    assert "[The output size](sample.ipynb#the-output-size)" in stride
    assert "[Max pooling](pooling.ipynb#max-pooling)" in stride
    table = [line for line in chinese.splitlines() if line.startswith("| ") and "---" not in line][1:]
    order = [line.split(" | ")[0][2:] for line in table]
    assert order == sorted(order)  # code-point order of the Chinese terms
    assert "The 3 terms" in page
