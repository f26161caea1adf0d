"""Structural lint of every chapter notebook (chapters/*.ipynb), and tests of the lint itself.

A chapter must: start with the Colab bootstrap cell and then call setup(); have exactly one
H1 heading, in its first cell; show every layer as a `pytorch` cell immediately followed by
a `paddle` cell, the pair followed by a cell whose output has a PASS line (of check_layers,
check_functions or check_formula); hold the outputs
of one fresh top-to-bottom run (execution counts 1..N); and store no errors (unless the cell
is tagged `raises-exception`), no stderr and nothing machine-specific (devices, paths).

It must also follow the two conventions the appendices are generated from (book.api_map,
book.glossary): a term's Chinese name only as `**term** (中文)`; parameter-difference tables
(`| PyTorch `A` | Paddle `B` | category | note |`) and API-pair tables
(`| PyTorch | Paddle | category | note |`) whose category cells start with the vocabulary
(book.api_map.CATEGORIES), and whose every pair is checked by a PASS line of its section.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from book import api_map, glossary
from book.chapter_text import is_pass_line, output_text, read_chapter
from book.colab import bootstrap_source

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

#: Output text that depends on the machine that ran the notebook.
MACHINE_SPECIFIC = ("Place(", "device='", "/work/", "/home/", "site-packages")
IGNORE_MARKER = "# NBVAL_IGNORE_OUTPUT"
#: Longest line of a pytorch/paddle cell: what one column of a pair shows at 1200 px, the
#: narrowest two-column width (book/static/side_by_side.css; tests/site checks it).
PAIR_LINE_LIMIT = 60


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _h1_count(markdown: str) -> int:
    """ATX (`# Title`) and setext (`Title` over `===`) H1 headings outside fenced code."""
    count, fenced, previous = 0, False, ""
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            if re.match(r"^ {0,3}#(\s|$)", line):
                count += 1
            elif re.match(r"^ {0,3}=+\s*$", line) and previous.strip() and not previous.lstrip().startswith("#"):
                count += 1
        previous = "" if fenced else line
    return count


def lint(path: Path) -> list[str]:
    """Every problem of the chapter notebook at ``path``, each naming the notebook and the cell index."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    problems: list[str] = []

    def problem(index: int | None, message: str) -> None:
        where = f"{path.name}" if index is None else f"{path.name} cell {index}"
        problems.append(f"{where}: {message}")

    code = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]

    # The Colab bootstrap, then setup().
    if not code:
        problem(None, "has no code cell")
    else:
        if cells[code[0]].source != bootstrap_source():
            problem(code[0], "the first code cell is not book.colab.bootstrap_source() (copy it exactly)")
        elif "remove-cell" not in cells[code[0]].metadata.get("tags", []):
            problem(code[0], "the bootstrap cell must be tagged remove-cell (Colab plumbing, hidden on the site)")
        if len(code) < 2 or not re.search(r"\bsetup\(", cells[code[1]].source):
            problem(code[1] if len(code) > 1 else None, "the second code cell does not call setup()")

    # Exactly one H1, in the first cell.
    h1 = [(i, n) for i, cell in enumerate(cells) if cell.cell_type == "markdown" for n in [_h1_count(cell.source)] if n]
    if not cells or cells[0].cell_type != "markdown" or _h1_count(cells[0].source) == 0:
        problem(0, "the first cell must be markdown with the chapter's H1 heading")
    total = sum(n for _, n in h1)
    if total > 1:
        problem(None, f"{total} H1 headings (in cells {[i for i, _ in h1]}); a chapter has exactly one, in cell 0")

    # pytorch / paddle pairs, each followed by a PASS line before the next pair.
    pytorch_cells = [i for i, cell in enumerate(cells) if "pytorch" in _tags(cell)]
    for i, cell in enumerate(cells):
        tags = _tags(cell)
        if "pytorch" in tags:
            if cell.cell_type != "code" or not cell.source.startswith("# PyTorch"):
                problem(i, "a `pytorch` cell must be a code cell whose source starts with '# PyTorch'")
            if i + 1 >= len(cells) or "paddle" not in _tags(cells[i + 1]):
                problem(i, "a `pytorch` cell must be immediately followed by a `paddle` cell")
        if {"pytorch", "paddle"} & set(tags):
            long = [n for n, line in enumerate(cell.source.splitlines(), 1) if len(line) > PAIR_LINE_LIMIT]
            if long:
                problem(
                    i,
                    f"lines {long} are longer than {PAIR_LINE_LIMIT} characters "
                    f"(a column of a pair shows {PAIR_LINE_LIMIT})",
                )
        if "paddle" in tags:
            if cell.cell_type != "code" or not cell.source.startswith("# Paddle"):
                problem(i, "a `paddle` cell must be a code cell whose source starts with '# Paddle'")
            if i == 0 or "pytorch" not in _tags(cells[i - 1]):
                problem(i, "a `paddle` cell must be immediately preceded by a `pytorch` cell")
            else:
                end = next((j for j in pytorch_cells if j > i), len(cells))
                checked = any(
                    is_pass_line(line)
                    for j in range(i + 1, end)
                    if cells[j].cell_type == "code"
                    for output in cells[j].get("outputs", [])
                    for line in output_text(output).splitlines()
                )
                if not checked:
                    problem(
                        i, "the pair is not followed (before the next pair) by a code cell whose output has a PASS line"
                    )

    # One fresh top-to-bottom run.
    counts = [cells[i].execution_count for i in code]
    if counts != list(range(1, len(code) + 1)):
        first = next(i for i, n in zip(code, counts, strict=True) if n != code.index(i) + 1)
        problem(
            first,
            f"execution counts are {counts}, not 1..{len(code)}: re-run the notebook top to bottom (make execute)",
        )

    # Stored outputs: no errors, no stderr, nothing machine-specific.
    for i in code:
        cell = cells[i]
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error" and "raises-exception" not in _tags(cell):
                problem(
                    i, f"stores an error ({output.get('ename')}); tag the cell raises-exception if it is meant to raise"
                )
            if kind == "stream" and output.get("name") == "stderr":
                problem(i, f"stores stderr output: {output.get('text', '')[:80]!r}")
            text = output_text(output)
            for needle in MACHINE_SPECIFIC:
                if needle in text:
                    line = next(line for line in text.splitlines() if needle in line)
                    hint = " (in a traceback: add `%xmode Minimal` or print the exception)" if kind == "error" else ""
                    problem(i, f"output shows machine-specific {needle!r}{hint}: {line.strip()[:120]!r}")

        # An ignored output must say why.
        lines = [line.strip() for line in cell.source.splitlines()]
        if "nbval-ignore-output" in _tags(cell) or IGNORE_MARKER in lines:
            reasons = [line for line in lines if line.startswith("#") and line != IGNORE_MARKER]
            if not reasons:
                problem(i, "ignores its output (nbval) without a '#' comment saying why")

    # The conventions of the appendices (book.api_map, book.glossary); their messages name the cell.
    chapter = read_chapter(path)
    problems += api_map.problems(chapter) + glossary.problems(chapter)
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_chapter_structure(path: Path) -> None:
    problems = lint(path)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- the lint itself


def _code(source: str, *outputs: Any, tags: tuple[str, ...] = ()) -> Any:
    cell = nbformat.v4.new_code_cell(source, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _stdout(text: str) -> Any:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


PASS = "PASS  Conv2d vs Conv2D: output (1, 2, 3, 3), grad input agree (rtol=1e-04, atol=1e-05)\n"


TABLE = (
    "| PyTorch `Conv2d` | Paddle `Conv2D` | category | note |\n|---|---|---|---|\n"
    "| `bias=True` | `bias_attr=None` | renamed, keyword-only; 8th positional | |\n"
)


def _good() -> Any:
    """A chapter that passes the lint: two pairs, a figure cell with an ignored output, a raising cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Convolution\n\n**Convolution** (卷积) slides a kernel.\n\n```python\n# a comment, not a heading\n```"
        ),
        _code(bootstrap_source(), tags=("remove-cell",)),
        _code("from book import setup\ndev = setup()"),
        nbformat.v4.new_markdown_cell("## Conv2d\n\nSubsection\n---\n\n" + TABLE),
        _code("# PyTorch\nt = torch.nn.Conv2d(1, 2, 3)", tags=("pytorch",)),
        _code("# Paddle\np = paddle.nn.Conv2D(1, 2, 3)", tags=("paddle",)),
        _code("check_layers(t, p, x)", _stdout(PASS)),
        _code("# PyTorch\nt = torch.nn.Conv1d(1, 2, 3)", tags=("pytorch",)),
        _code("# Paddle\np = paddle.nn.Conv1D(1, 2, 3)", tags=("paddle",)),
        nbformat.v4.new_markdown_cell("The check:"),
        _code("check_layers(t, p, x)", _stdout("some text\n" + PASS)),
        _code(
            "# NBVAL_IGNORE_OUTPUT\n# The figure's PNG bytes differ across matplotlib builds.\nfig = conv_arithmetic()",
            nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 750x360 with 2 Axes>"}),
        ),
        _code(
            "copy_weights(t, wrong)",
            nbformat.v4.new_output("error", ename="TransferError", evalue="stride: torch has (1,), Paddle has (2,)"),
            tags=("raises-exception",),
        ),
    ]
    for n, i in enumerate(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"):
        nb.cells[i].execution_count = n + 1
    return nb


def _lint(nb: Any, tmp_path: Path) -> list[str]:
    path = tmp_path / "sample.ipynb"
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return lint(path)


def test_the_lint_accepts_a_good_chapter(tmp_path: Path) -> None:
    assert _lint(_good(), tmp_path) == []


def _set(index: int, **fields: Any) -> Callable[[Any], None]:
    def change(nb: Any) -> None:
        nb.cells[index].update(fields)

    return change


def _tag(index: int, *tags: str) -> Callable[[Any], None]:
    def change(nb: Any) -> None:
        nb.cells[index].metadata["tags"] = list(tags)

    return change


def _delete(index: int) -> Callable[[Any], None]:
    return lambda nb: nb.cells.pop(index)


def _output(index: int, output: Any) -> Callable[[Any], None]:
    return lambda nb: nb.cells[index].outputs.append(output)


def _replace(index: int, old: str, new: str) -> Callable[[Any], None]:
    def change(nb: Any) -> None:
        assert old in nb.cells[index].source
        nb.cells[index].source = nb.cells[index].source.replace(old, new)

    return change


def _swap(a: int, b: int) -> Callable[[Any], None]:
    def change(nb: Any) -> None:
        nb.cells[a], nb.cells[b] = nb.cells[b], nb.cells[a]

    return change


def _error(traceback: list[str]) -> Any:
    return nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=traceback)


BAD = {
    "bootstrap changed": (
        _set(1, source=bootstrap_source().replace("--depth=1", "--depth=2")),
        "sample.ipynb cell 1: the first code cell is not",
    ),
    "no bootstrap": (_delete(1), "sample.ipynb cell 1: the first code cell is not"),
    "bootstrap shown": (_set(1, metadata={}), "sample.ipynb cell 1: the bootstrap cell must be tagged remove-cell"),
    "no setup": (_set(2, source="import torch"), "sample.ipynb cell 2: the second code cell does not call setup()"),
    "no H1": (_set(0, source="## Convolution"), "sample.ipynb cell 0: the first cell must be markdown"),
    "H1 not first": (_swap(0, 1), "sample.ipynb cell 0: the first cell must be markdown"),
    "second H1": (_set(9, source="# The check"), "sample.ipynb: 2 H1 headings (in cells [0, 9])"),
    "setext H1": (_set(9, source="The check\n========="), "sample.ipynb: 2 H1 headings (in cells [0, 9])"),
    "pytorch alone": (_tag(5), "sample.ipynb cell 4: a `pytorch` cell must be immediately followed by a `paddle` cell"),
    "paddle alone": (_tag(4), "sample.ipynb cell 5: a `paddle` cell must be immediately preceded by a `pytorch` cell"),
    "pair apart": (
        _swap(5, 6),
        "sample.ipynb cell 4: a `pytorch` cell must be immediately followed by a `paddle` cell",
    ),
    "pytorch comment": (
        _set(4, source="t = torch.nn.Conv2d(1, 2, 3)"),
        "sample.ipynb cell 4: a `pytorch` cell must be a code cell whose source starts with '# PyTorch'",
    ),
    "paddle comment": (
        _set(8, source="# paddle\np = 1"),
        "sample.ipynb cell 8: a `paddle` cell must be a code cell whose source starts with '# Paddle'",
    ),
    "long pair line": (
        _set(5, source="# Paddle\np = paddle.nn.Conv2D(1, 2, 3)  # " + "x" * 40),
        "sample.ipynb cell 5: lines [2] are longer than 60",
    ),
    "no PASS": (_set(6, outputs=[]), "sample.ipynb cell 5: the pair is not followed"),
    "FAIL": (
        _set(10, outputs=[_stdout(PASS.replace("PASS", "FAIL"))]),
        "sample.ipynb cell 8: the pair is not followed",
    ),
    "formula FAIL": (
        _set(10, outputs=[_stdout("formula disagrees with torch and paddle on 1 of 4 settings: FAIL\n")]),
        "sample.ipynb cell 8: the pair is not followed",
    ),
    "PASS not at the line start": (
        _set(10, outputs=[_stdout("no PASS  here\n")]),
        "sample.ipynb cell 8: the pair is not followed",
    ),
    "PASS only in the paddle cell": (
        lambda nb: (_set(6, outputs=[])(nb), _set(5, outputs=[_stdout(PASS)])(nb)),
        "sample.ipynb cell 5: the pair is not followed",
    ),
    "stale counts": (
        _set(6, execution_count=7),
        "sample.ipynb cell 6: execution counts are [1, 2, 3, 4, 7, 6, 7, 8, 9, 10], not 1..10",
    ),
    "not executed": (_set(1, execution_count=None), "sample.ipynb cell 1: execution counts are [None,"),
    "error": (_output(6, _error([])), "sample.ipynb cell 6: stores an error (ValueError)"),
    "stderr": (
        _output(6, nbformat.v4.new_output("stream", name="stderr", text="W1122 warning\n")),
        "sample.ipynb cell 6: stores stderr output",
    ),
    "paddle repr": (
        _set(6, outputs=[_stdout(PASS + "Tensor(shape=[1], dtype=float32, place=Place(cpu))\n")]),
        "sample.ipynb cell 6: output shows machine-specific 'Place('",
    ),
    "torch repr": (
        _output(
            6,
            nbformat.v4.new_output(
                "execute_result", data={"text/plain": "tensor([1.], device='cuda:0')"}, execution_count=5
            ),
        ),
        'sample.ipynb cell 6: output shows machine-specific "device=\'"',
    ),
    "home path": (
        _output(6, _stdout("/home/me/data.npy\n")),
        "sample.ipynb cell 6: output shows machine-specific '/home/'",
    ),
    "path in a traceback": (
        _set(12, outputs=[_error(["\x1b[0;31mFile \x1b[0;32m/work/main/book/transfer.py:1\x1b[0m"])]),
        "sample.ipynb cell 12: output shows machine-specific '/work/' (in a traceback",
    ),
    "site-packages": (
        _output(6, _stdout("in .venv/lib/python3.11/site-packages/x.py\n")),
        "sample.ipynb cell 6: output shows machine-specific 'site-packages'",
    ),
    "ignored without reason": (
        _set(11, source="# NBVAL_IGNORE_OUTPUT\nfig = conv_arithmetic()"),
        "sample.ipynb cell 11: ignores its output (nbval) without a '#' comment",
    ),
    "category outside the vocabulary": (
        _replace(3, "renamed, keyword-only;", "renamed (keyword-only)"),
        "sample.ipynb cell 3: category 'renamed (keyword-only) 8th positional' does not start",
    ),
    "a pair table without its note column": (
        _replace(3, "| category | note |\n|---|---|---|---|", "| category |\n|---|---|---|"),
        "sample.ipynb cell 3: a table with a category column must have the header",
    ),
    "a pair without a check": (
        _replace(3, "`Conv2d` | Paddle `Conv2D`", "`Conv3d` | Paddle `Conv3D`"),
        "sample.ipynb cell 3 (section 'Subsection'): the pair `Conv3d` / `Conv3D` has no check",
    ),
    "Chinese term not in bold": (
        _replace(0, "**Convolution** (卷积)", "Convolution (卷积)"),
        "sample.ipynb cell 0: Chinese text outside a `**term** (中文)`",
    ),
    "more than the Chinese term in the parentheses": (
        _replace(0, "(卷积)", "(卷积, or 褶积)"),
        "sample.ipynb cell 0: (卷积, or 褶积) after **Convolution** holds more than the Chinese term",
    ),
    "ignore tag without reason": (
        lambda nb: (_tag(6, "nbval-ignore-output")(nb), _set(6, source="check_layers(t, p, x)")(nb)),
        "sample.ipynb cell 6: ignores its output (nbval) without a '#' comment",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BAD.values(), ids=BAD.keys())
def test_the_lint_names_notebook_and_cell(tmp_path: Path, change: Callable[[Any], None], expected: str) -> None:
    nb = copy.deepcopy(_good())
    change(nb)
    problems = _lint(nb, tmp_path)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_check_formula_pass_line_proves_a_pair(tmp_path: Path) -> None:
    nb = _good()
    _set(10, outputs=[_stdout("formula agrees with torch and paddle on 270 settings: PASS\n")])(nb)
    assert _lint(nb, tmp_path) == []


def test_a_tagged_ignore_with_a_reason_is_accepted(tmp_path: Path) -> None:
    nb = _good()
    _tag(6, "nbval-ignore-output")(nb)
    _set(6, source="# Timing differs on every run.\ncheck_layers(t, p, x)")(nb)
    assert _lint(nb, tmp_path) == []


def test_h1_counting() -> None:
    assert _h1_count("# Title\n\n## Sub\n#hashtag\n") == 1
    assert _h1_count("```\n# code comment\n```\n") == 0
    assert _h1_count("Title\n=====\n\nOther\n-----\n") == 1
    assert _h1_count("#\n") == 1
