"""book.drift: how outputs are compared, how releases are named and installed, the page; and the
committed report and page against the chapters (a changed chapter asks for a new ``make drift``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from book import colab
from book.drift import outputs, page, releases, report
from book.drift.releases import Release
from book.drift.run import CHECK_FAILS, OUTPUT, RAISES, changes

ROOT = Path(__file__).resolve().parents[2]


def _notebook(*cells: Any) -> Any:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    for i, cell in enumerate(notebook.cells):
        cell.id = f"c{i}"
    return notebook


def _code(source: str, *outs: Any, tags: tuple[str, ...] = ()) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outs)
    cell.metadata["tags"] = list(tags)
    return cell


def _out(text: str, name: str = "stdout") -> Any:
    return nbformat.v4.new_output("stream", name=name, text=text)


def _error(name: str, message: str) -> Any:
    return nbformat.v4.new_output("error", ename=name, evalue=message, traceback=["/some/path.py"])


# --- outputs -------------------------------------------------------------------------------------


def test_cell_text_is_what_nbval_compares() -> None:
    figure = nbformat.v4.new_output("display_data", data={"image/png": "AAA", "text/plain": "<Figure>"})
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1)
    cell = _code("x", _out("a\n"), _out("careful\n", "stderr"), figure, result, _error("ValueError", "bad"))
    assert outputs.cell_text(cell) == "a\n[stderr] careful\n3\nValueError: bad\n"
    assert outputs.raised(cell) == "ValueError: bad"
    assert outputs.raised(_code("x", _out("a\n"))) is None


def test_ignored_cells_are_not_compared() -> None:
    assert outputs.is_compared(_code("x"))
    for tag in ("nbval-ignore-output", "nbval-skip", "remove-cell"):
        assert not outputs.is_compared(_code("x", tags=(tag,)))
    assert not outputs.is_compared(nbformat.v4.new_markdown_cell("# x"))


def test_sections_follow_headings_with_myst_anchors() -> None:
    notebook = _notebook(
        nbformat.v4.new_markdown_cell("# Pooling\nintro"),
        _code("a"),
        nbformat.v4.new_markdown_cell("## `MaxPool2d` and *padding*\n```\n# not a heading\n```"),
        _code("b"),
        nbformat.v4.new_markdown_cell("### Pitfall"),
        _code("c"),
        nbformat.v4.new_markdown_cell("### Pitfall"),
        _code("d"),
    )
    found = outputs.sections(notebook)
    assert found["c1"] == outputs.Section("Pooling", "pooling")
    assert found["c3"] == outputs.Section("MaxPool2d and padding", "maxpool2d-and-padding")
    assert found["c5"].anchor == "pitfall" and found["c7"].anchor == "pitfall-1"
    assert outputs.title(notebook) == "Pooling"


def test_check_fails_on_fail_lines_missing_passes_and_errors() -> None:
    stored = "PASS  a vs b: output agree (rtol=1e-04, atol=1e-05)\n"
    assert not outputs.check_fails(stored, stored, None)
    assert outputs.check_fails(stored, "FAIL  a vs b: output (rtol=1e-04, atol=1e-05)\n", None)
    assert outputs.check_fails(stored, "", "EquivalenceError: x")
    assert outputs.check_fails(stored, "PASS  a vs b: output agree (rtol=1e-03, atol=1e-05)\n", None)
    assert not outputs.check_fails("not a check\n", "", "ValueError: x")


def test_digest_changes_with_source_or_output_only() -> None:
    notebook = _notebook(nbformat.v4.new_markdown_cell("# A"), _code("x", _out("1\n")))
    before = outputs.digest(notebook)
    notebook.cells[0].source = "# B"
    assert outputs.digest(notebook) == before  # prose is not what a drift run compares
    notebook.cells[1].outputs = [_out("2\n")]
    assert outputs.digest(notebook) != before


# --- changes ------------------------------------------------------------------------------------


def test_changes_sort_cells_into_raises_failed_checks_and_output() -> None:
    pass_line = "PASS  a vs b: output agree (rtol=1e-04, atol=1e-05)\n"
    stored = _notebook(
        nbformat.v4.new_markdown_cell("## Section"),
        _code("same", _out("1\n")),
        _code("raises", _out("2\n")),
        _code("check", _out(pass_line)),
        _code("differs", _out("3\n")),
        _code("random", _out("4\n"), tags=("nbval-ignore-output",)),
        _code("already raised", _error("TypeError", "x")),
        _code("check that cannot run", _out(pass_line)),
    )
    new = _notebook(
        nbformat.v4.new_markdown_cell("## Section"),
        _code("same", _out("1\n")),
        _code("raises", _error("TypeError", "no")),
        _code("check", _out("FAIL  a vs b: output (rtol=1e-04, atol=1e-05)\n"), _error("EquivalenceError", "x")),
        _code("differs", _out("3.0\n")),
        _code("random", _out("5\n"), tags=("nbval-ignore-output",)),
        _code("already raised", _error("TypeError", "x")),
        _code("check that cannot run", _error("TypeError", "no alias")),
    )
    found = {c["cell"]: c for c in changes(stored, new)}
    assert set(found) == {"c2", "c3", "c4", "c7"}
    assert [found[c]["kind"] for c in ("c2", "c3", "c4", "c7")] == [RAISES, CHECK_FAILS, OUTPUT, RAISES]
    assert found["c2"]["error"] == "TypeError: no" and found["c4"]["error"] is None
    assert found["c4"] | {} == {
        "cell": "c4",
        "section": "Section",
        "anchor": "section",
        "kind": OUTPUT,
        "source": "differs",
        "stored": "3\n",
        "new": "3.0\n",
        "error": None,
    }


# --- releases -----------------------------------------------------------------------------------


def test_releases_are_named_like_pip_requirements() -> None:
    assert Release.parse("paddle==3.0.0") == Release("paddlepaddle", "3.0.0")
    assert Release.parse(" torch==2.14.1 ").label == "PyTorch 2.14.1"
    assert Release("paddlepaddle", "3.1.0").key == "paddle-3.1.0"
    for bad in ("paddlepaddle", "jax==0.4", "torch=="):
        with pytest.raises(ValueError, match="torch==X or paddlepaddle==X"):
            Release.parse(bad)
    ordered = sorted(
        [Release("torch", "2.14.1"), Release("paddlepaddle", "3.10.0"), Release("paddlepaddle", "3.2.0")],
        key=Release.sort_key,
    )
    assert [r.version for r in ordered] == ["3.2.0", "3.10.0", "2.14.1"]
    assert Release("paddlepaddle", colab.pinned_version("paddlepaddle")).pinned


def test_default_releases_leave_out_the_pinned_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = colab.pinned_version("paddlepaddle")
    monkeypatch.setattr(releases, "paddle_versions", lambda python="": ["3.0.0", pinned])
    chosen = releases.default_releases()
    assert Release("paddlepaddle", "3.0.0") in chosen
    assert not any(r.pinned for r in chosen)
    assert {r.package for r in chosen} == {"paddlepaddle", "torch"}


def test_kernel_env_puts_the_release_first_and_uses_one_thread(tmp_path: Path) -> None:
    env = releases.kernel_env(tmp_path / "paddlepaddle-3.0.0", ROOT)
    assert env["PYTHONPATH"].split(":")[:2] == [str(tmp_path / "paddlepaddle-3.0.0"), str(ROOT)]
    assert env["OMP_NUM_THREADS"] == "1" and env["PYTHONHASHSEED"] == "0"
    assert releases.kernel_env(None, ROOT)["PYTHONPATH"].split(":")[0] == str(ROOT)


def test_unmet_requirements_of_an_overlay(tmp_path: Path) -> None:
    info = tmp_path / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
        "Requires-Dist: numpy>=1.0\nRequires-Dist: not-a-real-package-xyz==1.2\n"
        'Requires-Dist: other-missing-xyz; extra == "docs"\nRequires-Dist: numpy<1.0; python_version < "3"\n'
    )
    assert releases.unmet_requirements(tmp_path) == ["not-a-real-package-xyz==1.2"]


# --- page ----------------------------------------------------------------------------------------


def _report() -> dict[str, Any]:
    change = {
        "cell": "ab12",
        "section": "Global pooling",
        "anchor": "global-pooling",
        "kind": RAISES,
        "source": "# Paddle mean(dim=)\nx.mean(dim=1)",
        "stored": "ok\n",
        "new": "TypeError: dim\n",
        "error": "TypeError: dim",
    }
    differs = change | {"kind": OUTPUT, "new": "ok!\n"}
    return {
        "command": report.COMMAND,
        "pinned": {"torch": "2.13.0", "paddlepaddle": "3.3.1"},
        "chapters": {"chapters/nowhere": {"title": "Nowhere", "digest": "0"}},
        "releases": [
            {
                "package": "torch",
                "version": "2.14.1",
                "imported": "2.14.1",
                "seconds": 3.0,
                "error": None,
                "chapters": {"chapters/nowhere": {"seconds": 3.0, "changes": []}},
            },
            {
                "package": "paddlepaddle",
                "version": "3.0.0",
                "imported": "3.0.0",
                "seconds": 4.0,
                "error": None,
                "chapters": {"chapters/nowhere": {"seconds": 4.0, "changes": [change]}},
            },
            {
                "package": "paddlepaddle",
                "version": "3.1.0",
                "imported": "3.1.0",
                "seconds": 4.0,
                "error": None,
                "chapters": {"chapters/nowhere": {"seconds": 4.0, "changes": [differs]}},
            },
        ],
    }


def test_page_has_a_matrix_row_per_changed_cell_with_a_stable_label() -> None:
    text = page.render(_report())
    assert text.count("\n# Which releases behave how\n") == 1 and text.startswith("<!-- Generated by")
    assert "| section: cell | 3.0.0 | 3.1.0 | torch 2.14.1 |" in text
    row = next(line for line in text.splitlines() if line.startswith("| {ref}"))
    assert row == "| {ref}`Global pooling: Paddle mean(dim=) <release-nowhere-ab12>` | raises | differs | · |"
    assert "(release-nowhere-ab12)=" in text and "In [Global pooling](nowhere.ipynb#global-pooling)" in text
    assert "Paddle 3.0.0 (raises):" in text and "TypeError: dim" in text
    assert page.row_label("chapters/Nowhere", "AB12") == "release-nowhere-ab12"


def test_long_outputs_show_a_diff() -> None:
    stored = "".join(f"line {i}\n" for i in range(20))
    assert (
        page.diff(stored, stored.replace("line 7", "line 7!")) == "@@ -7,3 +7,3 @@\n line 6\n-line 7\n+line 7!\n line 8"
    )
    data = _report()
    change = data["releases"][1]["chapters"]["chapters/nowhere"]["changes"][0]
    change.update(stored=stored, new=stored.replace("line 7", "line 7!"))
    text = page.render(data)
    assert "Paddle 3.0.0 (raises; the lines that differ):" in text and "\n+line 7!\n" in text


def test_page_marks_a_release_that_does_not_import() -> None:
    data = _report()
    data["releases"][0].update(error="PyTorch 2.14.1 does not import: ImportError: x", chapters={})
    text = page.render(data)
    assert text.count("| raises | differs | not run |") == 1
    assert "| PyTorch 2.14.1 | Paddle 3.3.1 | 0 | not run: PyTorch 2.14.1 does not import" in text


def test_page_without_changes_says_so() -> None:
    data = _report()
    for entry in data["releases"]:
        entry["chapters"]["chapters/nowhere"]["changes"] = []
    assert "No cell's output changes under any release run." in page.render(data)


# --- the committed report and page ---------------------------------------------------------------

RERUN = "re-run the drift report: `make drift` (or python -m book.drift --chapters {})"


def _committed() -> dict[str, Any]:
    data = report.load()
    assert data is not None, f"{report.REPORT} is missing: run `make drift`"
    return data


def test_committed_page_is_generated_from_the_committed_report() -> None:
    committed = page.PAGE.read_text(encoding="utf-8")
    assert committed == page.render(_committed()), "appendix_releases.md is stale: run python -m book.drift --page"


def test_committed_report_pins_what_requirements_pin() -> None:
    assert _committed()["pinned"] == releases.pinned(), "a new pin: " + RERUN.format("...")


def test_committed_report_covers_every_chapter_as_it_is_now() -> None:
    data = _committed()
    for chapter in report.toc_chapters():
        path = ROOT / f"{chapter}.ipynb"
        assert chapter in data["chapters"], f"{chapter} is not in the drift report: " + RERUN.format(path)
        digest = outputs.digest(outputs.read(path))
        assert data["chapters"][chapter]["digest"] == digest, f"{chapter} changed: " + RERUN.format(path)
        for entry in data["releases"]:
            assert entry["error"] or chapter in entry["chapters"], f"{chapter} not run under {entry['version']}"


def test_committed_stored_outputs_are_the_notebooks_stored_outputs() -> None:
    data = _committed()
    for entry in data["releases"]:
        for chapter, result in entry["chapters"].items():
            notebook = outputs.read(ROOT / f"{chapter}.ipynb")
            cells = {cell.id: cell for cell in notebook.cells}
            where = outputs.sections(notebook)
            for change in result["changes"]:
                cell = cells.get(change["cell"])
                assert cell is not None, f"{chapter}: cell {change['cell']} is gone: " + RERUN.format(chapter)
                assert change["stored"] == outputs.cell_text(cell), f"{chapter}: {change['cell']}'s output changed"
                assert change["source"] == "".join(cell.source), f"{chapter}: {change['cell']}'s code changed"
                assert change["section"] == where[cell.id].title, f"{chapter}: {change['cell']} moved"


def test_report_is_json_the_page_can_read() -> None:
    assert json.loads(report.REPORT.read_text(encoding="utf-8"))["command"] == "python -m book.drift"


def test_a_chapter_run_that_stops_keeps_what_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient.exceptions import DeadKernelError

    from book.drift import run

    notebook = _notebook(_code("a", _out("1\n")), _code("b", _out("2\n")))
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)

    def dies_after_the_first_cell(work: Any, folder: Path, env: dict[str, str]) -> None:
        work.cells[0].outputs = [_out("1.0\n")]
        raise DeadKernelError("Kernel died\nmore")

    monkeypatch.setattr(run, "execute", dies_after_the_first_cell)
    result = run.chapter_drift(path, {})
    assert result["error"] == "DeadKernelError: Kernel died"
    assert [c["cell"] for c in result["changes"]] == ["c0"]
    data = _report()
    data["releases"][0]["chapters"]["chapters/nowhere"]["error"] = result["error"]
    assert "- Under PyTorch 2.14.1, chapters/nowhere stopped before its end: DeadKernelError" in page.render(data)


def test_merge_into_joins_shared_folders(tmp_path: Path) -> None:
    source, target = tmp_path / "new", tmp_path / "overlay"
    (source / "nvidia" / "cufile").mkdir(parents=True)
    (source / "nvidia" / "cufile" / "lib.so").write_text("new")
    (source / "pkg.py").write_text("2")
    (target / "nvidia" / "cudnn").mkdir(parents=True)
    (target / "nvidia" / "cudnn" / "lib.so").write_text("old")
    (target / "pkg.py").write_text("1")
    releases.merge_into(source, target)
    assert (target / "nvidia" / "cudnn" / "lib.so").read_text() == "old"
    assert (target / "nvidia" / "cufile" / "lib.so").read_text() == "new"
    assert (target / "pkg.py").read_text() == "2" and not any(source.iterdir())
