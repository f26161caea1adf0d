"""book.chapter_text: sections, anchors, tables, prose and check cells of a chapter notebook."""

from __future__ import annotations

from pathlib import Path

import yaml
from appendix_notebooks import PASS_CONV, chapter, code, convolution, md

from book.chapter_text import (
    HEADING_ANCHORS,
    book_chapters,
    code_spans,
    is_pass_line,
    pass_lines,
    without_code,
)

ROOT = Path(__file__).resolve().parents[2]


def test_sections_span_their_subsections(tmp_path: Path) -> None:
    ch = convolution(tmp_path)
    assert ch.title == "Convolution"
    titles = [(s.level, s.title, s.slug, s.start, s.end) for s in ch.sections]
    assert titles == [
        (2, "Conv2d and Conv2D", "conv2d-and-conv2d", (1, 0), (6, 0)),
        (3, "The output size", "the-output-size", (5, 0), (6, 0)),
        (2, "The functional forms", "the-functional-forms", (6, 0), (12, 0)),
    ]
    assert ch.section_at((5, 2)) is ch.sections[1]  # the innermost
    assert ch.section_at((0, 0)) is None


def test_anchors_are_myst_s(tmp_path: Path) -> None:
    """Duplicate titles get -1, code counts, math does not, H4 gets none (HEADING_ANCHORS = 3)."""
    ch = chapter(
        tmp_path,
        md("# Title\n\n## The `output_size`\n\n### Padding"),
        md("## Padding\n\n### NaN and $-\\infty$ here\n\n#### Deep"),
    )
    assert [s.slug for s in ch.sections] == ["the-output_size", "padding", "padding-1", "nan-and--here"]
    assert HEADING_ANCHORS == 3


def test_the_config_gives_the_anchors_the_links_use() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["myst_heading_anchors"] == HEADING_ANCHORS


def test_tables_with_their_sections(tmp_path: Path) -> None:
    ch = convolution(tmp_path)
    parameter, api = ch.tables
    assert parameter.header == ("PyTorch `Conv2d`", "Paddle `Conv2D`", "category", "note")
    assert parameter.rows[1] == ("`bias=True`", "`bias_attr=None`", "renamed, keyword-only; and more", "alias")
    assert parameter.rows[4][1] == ""
    assert parameter.section is ch.sections[0] and api.section is ch.sections[2]
    assert api.position == (6, 2)


def test_a_table_inside_a_code_fence_is_not_a_table(tmp_path: Path) -> None:
    ch = chapter(tmp_path, md("# T\n\n## S\n\n```\n| a | b |\n|---|---|\n```\n"))
    assert ch.tables == []


def test_checks_carry_the_pair_cells_before_them(tmp_path: Path) -> None:
    ch = convolution(tmp_path)
    checks = ch.checks(ch.sections[0])
    assert [c.index for c in checks] == [4]
    assert checks[0].lines == (PASS_CONV,)
    assert "paddle.nn.Conv2D" in checks[0].text and "torch.nn.Conv2d" in checks[0].text
    functional = ch.checks(ch.sections[2])
    assert [c.index for c in functional] == [7, 10, 11]
    assert functional[1].pairs[0].startswith("# PyTorch") and functional[2].pairs == ()


def test_pass_lines() -> None:
    assert is_pass_line(PASS_CONV)
    assert is_pass_line("formula agrees with torch and paddle on 270 settings: PASS")
    assert not is_pass_line("FAIL  Conv2d vs Conv2D") and not is_pass_line(" PASS  indented")
    cell = code("x", "text", PASS_CONV, "FAIL  other")
    assert pass_lines(cell) == [PASS_CONV]


def test_code_spans() -> None:
    assert code_spans("`a` and ``b`c`` and ` d `") == ["a", "b`c", "d"]
    assert without_code("x `中文` y") == "x      y"


def test_the_book_s_chapters_in_toc_order() -> None:
    chapters = book_chapters(ROOT)
    assert chapters and all(path.suffix == ".ipynb" for path in chapters)
    assert chapters[0].name == "convolution.ipynb"
