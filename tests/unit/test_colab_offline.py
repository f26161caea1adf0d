"""The Colab code path, offline: a fake `google.colab`, this checkout standing in for the clone.

A kernel starts with `google.colab` imported (a ``sitecustomize`` on PYTHONPATH does it, as
Colab's own startup does), in a working directory that plays Colab's ``/content``, with a fake
``git`` first on PATH whose ``clone`` copies this checkout. One chapter then runs to the end
under strict nbval: the bootstrap cell "clones" and puts the clone first on ``sys.path``,
``setup()`` takes the Colab branch (Paddle is installed, so nothing is fetched), and every
stored output still comes out the same. pip and HTTP are pointed at nothing, so any attempt to
reach the network fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from book.colab import checkout_name, repository_url

ROOT = Path(__file__).resolve().parents[2]
#: The shortest chapter to run.
CHAPTER = "pooling.ipynb"

#: The fake `git`: `git clone [--depth=1] URL TARGET` copies the checkout (as git would, without
#: ignored build outputs); anything else is an error. Each call is logged, one line per call.
FAKE_GIT = """
import shutil, sys
from pathlib import Path

args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(" ".join(args) + "\\n")
if args[:1] != ["clone"]:
    sys.exit("fake git: only clone is supported")
shutil.copytree(
    {root!r},
    args[-1],
    ignore=shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", ".*_cache", "*.egg-info"),
)
"""

#: Appended to the chapter: where `book` came from, as seen by the kernel.
REPORT_CELL = """\
# NBVAL_IGNORE_OUTPUT: this cell is the test's, not the chapter's
import json, sys, book
report = {"book": book.__file__, "path0": sys.path[0], "colab": "google.colab" in sys.modules}
json.dump(report, open("report.json", "w"))
"""


@pytest.fixture
def colab(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fake Colab: the /content folder and the environment of its kernels."""
    content = tmp_path / "content"
    content.mkdir()
    fake = tmp_path / "site"
    # No google/__init__.py: `google` stays a namespace package, shared with protobuf's google.protobuf.
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""A stand-in for Colab\'s module."""\n')
    (fake / "sitecustomize.py").write_text("import google.colab  # imported in every Colab kernel\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = bin_dir / "git"
    git.write_text(f"#!{sys.executable}\n" + FAKE_GIT.format(log=str(tmp_path / "git.log"), root=str(ROOT)))
    git.chmod(0o755)

    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH")}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONPATH=str(fake),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(tmp_path / "no-wheels"),
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
    )
    return content, env


def test_a_chapter_runs_to_the_end_on_a_fake_colab(colab: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    content, env = colab
    notebook = nbformat.read(ROOT / "chapters" / CHAPTER, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    nbformat.write(notebook, content / CHAPTER)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval", CHAPTER, "-q"],
        cwd=content,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

    clone = content / checkout_name(repository_url())
    assert (tmp_path / "git.log").read_text().splitlines() == [f"clone --depth=1 {repository_url()} {clone}"]
    report = json.loads((content / "report.json").read_text())
    assert report == {"book": str(clone / "book" / "__init__.py"), "path0": str(clone), "colab": True}


def test_a_failed_paddle_install_shows_one_message_in_a_kernel(colab: tuple[Path, dict[str, str]]) -> None:
    content, env = colab
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from book.colab import PaddleInstallError\n"
                "message = 'Paddle 3.3.1 could not be installed: ERROR: offline\\nThe command was: !pip'\n"
                "raise PaddleInstallError(message)"
            )
        ]
    )
    client = NotebookClient(notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": str(content)}})
    client.execute(env=env)
    [error] = notebook.cells[0].outputs
    assert error.output_type == "error"
    assert error.traceback == [
        "PaddleInstallError: Paddle 3.3.1 could not be installed: ERROR: offline",
        "The command was: !pip",
    ]
