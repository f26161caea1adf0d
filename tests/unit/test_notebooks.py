"""book.notebooks: executing a notebook in place (starts real kernels, so only two tests)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from book import notebooks


@pytest.fixture
def notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A two-cell notebook in its own folder, and a PATH on which the kernel's `python` is this one."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    folder = tmp_path / "chapter"
    folder.mkdir()
    path = folder / "tiny.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny"),
        nbformat.v4.new_code_cell("print(1 + 1)"),
        nbformat.v4.new_code_cell("import os\nprint(os.getcwd())"),
    ]
    nbformat.write(nb, path)
    return path


def test_execute_stores_outputs_in_place(notebook: Path) -> None:
    seconds = notebooks.execute(notebook)
    assert seconds > 0
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2]
    assert code[0].outputs == [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    # The kernel runs in the notebook's own folder, as nbval runs it.
    assert code[1].outputs[0].text == f"{notebook.parent}\n"
    for cell in code:
        assert "execution" not in cell.metadata  # no per-cell timing that changes on every run


def test_main_executes_every_notebook_and_reports(notebook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert notebooks.main([str(notebook)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"executed {notebook} in ")
    assert out.endswith(" s\n")
    assert nbformat.read(notebook, as_version=4).cells[1].outputs[0].text == "2\n"


def test_merge_streams_joins_consecutive_pieces_of_one_stream() -> None:
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="c\n"),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])
    notebooks.merge_streams(notebook)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs] == [
        ("stream", "stdout", "ab\n"),
        ("stream", "stderr", "warn\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "c\n"),
    ]
