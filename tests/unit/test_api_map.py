"""book.api_map: pairs, their categories and notes, their checks, the lint and the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from appendix_notebooks import API_TABLE, chapter, code, convolution, md

from book import api_map
from book.api_map import CATEGORIES, api_names, chapter_pairs, parse_category, problems, render

RELU = "| PyTorch | Paddle | category | note |\n|---|---|---|---|\n| `F.relu` | `PF.relu` | same | |\n"


def test_parse_category() -> None:
    assert parse_category("same") == (("same",), "")
    assert parse_category("renamed, keyword-only; Paddle 3.3.1 also takes `bias=`") == (
        ("renamed", "keyword-only"),
        "Paddle 3.3.1 also takes `bias=`",
    )
    for bad in ("Paddle stricter", "**different default**", "renamed (capital D)", "renamed negated", ""):
        assert parse_category(bad) is None, bad


def test_api_names() -> None:
    assert api_names("`F.relu(input)`") == ["F.relu"]
    assert api_names("`Conv1d`, `Conv3d`") == ["Conv1d", "Conv3d"]
    assert api_names("—") == [] and api_names("") == []
    # only the spans that open the cell name APIs; the rest is commentary
    assert api_names("`F.max_unpool1d(...)`: `output_size` as $(L,)$") == ["F.max_unpool1d"]
    assert api_names("`F.conv_transpose2d(...)`, same order, `x`") == ["F.conv_transpose2d"]
    assert api_names("indices `int64`") == []


def test_a_parameter_table_gives_one_pair(tmp_path: Path) -> None:
    pair = chapter_pairs(convolution(tmp_path))[0]
    assert (pair.torch, pair.paddle) == ("Conv2d", "Conv2D")
    assert pair.categories == ("renamed", "different default", "keyword-only", "Paddle only")
    assert pair.note == (
        "renamed: `bias` → `bias_attr`, `eps` → `epsilon`; different default: default weight init; "
        "keyword-only: `bias`; Paddle only: `data_format`"
    )
    assert pair.section is not None and pair.section.slug == "conv2d-and-conv2d"
    assert pair.check is not None and pair.check.startswith("PASS  Conv2d vs Conv2D")


def test_a_parameter_table_of_same_rows_is_same(tmp_path: Path) -> None:
    table = "| PyTorch `ReLU` | Paddle `ReLU` | category | note |\n|---|---|---|---|\n| `inplace` | — | same | |\n"
    ch = chapter(tmp_path, md("# A\n\n## ReLU\n\n" + table), code("check_layers(t, p, x)", "PASS  ReLU vs ReLU: ok"))
    (pair,) = chapter_pairs(ch)
    assert pair.categories == ("same",) and pair.note == ""


def test_an_api_pair_table_gives_one_pair_per_name(tmp_path: Path) -> None:
    pairs = chapter_pairs(convolution(tmp_path))[1:]
    assert [(p.torch, p.paddle, p.categories, p.note) for p in pairs] == [
        ("F.relu", "PF.relu", ("same",), "first argument"),
        ("Conv1d", "Conv1D", ("renamed",), "capital D"),
        ("Conv3d", "Conv3D", ("renamed",), "capital D"),
        ("RMSNorm", "", ("PyTorch only",), "write it out"),
    ]
    assert all(p.check for p in pairs)


def test_the_book_s_chapters_follow_the_conventions(tmp_path: Path) -> None:
    assert problems(convolution(tmp_path)) == []


BAD = {
    "vocabulary": (API_TABLE.replace("| same |", "| Paddle stricter |"), "category 'Paddle stricter' does not start"),
    "no note column": (
        "| PyTorch `A` | Paddle `B` | category |\n|---|---|---|\n| `x` | `x` | same |\n",
        "a table with a category column must have the header",
    ),
    "a family in one span": (
        API_TABLE.replace("`Conv1d`, `Conv3d` | `Conv1D`, `Conv3D`", "`Conv1d/3d` | `Conv1D/3D`"),
        "['Conv1d/3d', 'Conv1D/3D'] in the row",
    ),
    "counts differ": (
        API_TABLE.replace("`Conv1D`, `Conv3D`", "`Conv1D`, `Conv2D`, `Conv3D`"),
        "names 2 PyTorch and 3 Paddle APIs",
    ),
    "no names": (API_TABLE.replace("`RMSNorm` | —", "RMSNorm | —"), "names no API in code spans"),
    "unchecked": (
        API_TABLE.replace("`F.relu(input)` | `PF.relu(x)`", "`F.gelu` | `PF.gelu`"),
        "the pair `F.gelu` / `PF.gelu` has no check",
    ),
}


@pytest.mark.parametrize(("table", "expected"), BAD.values(), ids=BAD.keys())
def test_the_lint_names_what_is_wrong(tmp_path: Path, table: str, expected: str) -> None:
    ch = convolution(tmp_path)
    ch.tables = []
    bad = chapter(tmp_path, *ch.cells[:6], md("## The functional forms\n\n" + table), *ch.cells[7:], name="bad")
    found = problems(bad)
    assert any(expected in problem and problem.startswith("bad.ipynb cell 6") for problem in found), found


def test_a_check_in_another_section_does_not_count(tmp_path: Path) -> None:
    ch = chapter(
        tmp_path,
        md("# A\n\n## One\n\n" + RELU),
        md("## Two"),
        code("check_functions(F.relu, PF.relu, x)", "PASS  relu: agree"),
    )
    assert any("has no check in its section" in p for p in problems(ch))
    assert chapter_pairs(ch)[0].check is None


def test_a_check_must_name_the_pair(tmp_path: Path) -> None:
    ch = chapter(
        tmp_path,
        md("# A\n\n## One\n\n" + RELU),
        code("check_functions(F.gelu, PF.gelu, x)", "PASS  gelu: agree"),
    )
    assert chapter_pairs(ch)[0].check is None


def test_a_summary_table_is_allowed_and_not_read(tmp_path: Path) -> None:
    summary = "| PyTorch | Paddle | category |\n|---|---|---|\n| anything | at all | free text |\n"
    ch = chapter(tmp_path, md("# A\n\n## Summary\n\n" + summary))
    assert problems(ch) == [] and chapter_pairs(ch) == []


def test_the_page(tmp_path: Path) -> None:
    page = render([convolution(tmp_path)])
    assert page.startswith("# API map\n")
    assert "| PyTorch | Paddle | category | note | chapter | section |" in page
    assert (
        "| `RMSNorm` | — | PyTorch only | write it out | Convolution | "
        "[The functional forms](sample.ipynb#the-functional-forms) |"
    ) in page
    assert 'data-categories="same|renamed|different default|keyword-only|PyTorch only|Paddle only"' in page
    assert "Pairs without a check" not in page
    assert all(category in page for category in CATEGORIES)


def test_the_page_lists_unchecked_pairs(tmp_path: Path) -> None:
    ch = chapter(
        tmp_path,
        md("# A\n\n## One\n\n" + RELU.replace("| same | |", "| same | a \\| b |")),
    )
    page = render([ch])
    assert "## Pairs without a check" in page and "| `F.relu` | `PF.relu` | [One](sample.ipynb#one) |" in page
    assert "| a \\| b |" in page  # an escaped pipe stays escaped


def test_table_cell() -> None:
    assert api_map.table_cell("a | b\nc \\| d") == "a \\| b c \\| d"
