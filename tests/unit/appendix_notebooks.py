"""Small chapter notebooks for the tests of book.chapter_text, book.api_map and book.glossary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from book.chapter_text import Chapter, read_chapter


def md(source: str) -> Any:
    return nbformat.v4.new_markdown_cell(source)


def code(source: str, *lines: str, tags: tuple[str, ...] = ()) -> Any:
    outputs = [nbformat.v4.new_output("stream", name="stdout", text="".join(f"{line}\n" for line in lines))]
    cell = nbformat.v4.new_code_cell(source, outputs=outputs if lines else [])
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def chapter(tmp_path: Path, *cells: Any, name: str = "sample") -> Chapter:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return read_chapter(path)


PASS_CONV = "PASS  Conv2d vs Conv2D: output (1, 2, 3, 3), grad input agree (rtol=1e-04, atol=1e-05)"
PARAMETER_TABLE = (
    "| PyTorch `Conv2d` | Paddle `Conv2D` | category | note |\n"
    "|---|---|---|---|\n"
    "| `in_channels` | same | same | |\n"
    "| `bias=True` | `bias_attr=None` | renamed, keyword-only; and more | alias |\n"
    "| `eps=1e-05` | `epsilon=1e-05` | renamed | |\n"
    "| — | `data_format='NCHW'` | Paddle only | |\n"
    "| default weight init | | different default | |\n"
)
API_TABLE = (
    "| PyTorch | Paddle | category | note |\n"
    "|---|---|---|---|\n"
    "| `F.relu(input)` | `PF.relu(x)` | same | first argument |\n"
    "| `Conv1d`, `Conv3d` | `Conv1D`, `Conv3D` | renamed; capital D | |\n"
    "| `RMSNorm` | — | PyTorch only | write it out |\n"
)


def convolution(tmp_path: Path, *extra: Any) -> Chapter:
    """A chapter with a parameter table and an API-pair table, each with its check."""
    return chapter(
        tmp_path,
        md("# Convolution\n\n**Convolution** (卷积) slides a kernel."),
        md("## Conv2d and Conv2D\n\nThe layer.\n\n" + PARAMETER_TABLE),
        code("# PyTorch\nt = torch.nn.Conv2d(1, 2, 3)", tags=("pytorch",)),
        code("# Paddle\np = paddle.nn.Conv2D(1, 2, 3)", tags=("paddle",)),
        code("check_layers(t, p, x)", PASS_CONV),
        md("### The output size\n\nA **stride** (步长) $s$."),
        md("## The functional forms\n\n" + API_TABLE),
        code("check_functions(F.relu, PF.relu, x)", "PASS  relu: output (2,) agree"),
        code("# PyTorch\nt = torch.nn.Conv1d(1, 2, 3)\nu = torch.nn.Conv3d(1, 2, 3)", tags=("pytorch",)),
        code("# Paddle\np = paddle.nn.Conv1D(1, 2, 3)\nq = paddle.nn.Conv3D(1, 2, 3)", tags=("paddle",)),
        code("check_layers(t, p, x)\ncheck_layers(u, q, y)", "PASS  1-D: output (1,) agree", "PASS  3-D: agree"),
        code("check_functions(torch.nn.RMSNorm(4), rms_norm_by_hand, x)", "PASS  RMSNorm vs by hand: agree"),
        *extra,
    )
