"""The prose pages and the book's configuration agree with what the repository pins and holds."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from book import colab

ROOT = Path(__file__).resolve().parents[2]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_toc_entry_exists() -> None:
    for entry in _toc_files():
        matches = [p for p in (ROOT / f"{entry}.md", ROOT / f"{entry}.ipynb") if p.exists()]
        assert matches, f"_toc.yml lists {entry}, but neither {entry}.md nor {entry}.ipynb exists"


def test_every_chapter_notebook_is_in_the_toc() -> None:
    listed = set(_toc_files())
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        assert f"chapters/{notebook.stem}" in listed, f"{notebook.name} is not in _toc.yml"


def test_intro_links_every_chapter() -> None:
    intro = (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
    for entry in _toc_files()[1:]:
        if (ROOT / f"{entry}.ipynb").exists():
            name = entry.removeprefix("chapters/")
            assert f"{{doc}}`{name}`" in intro, f"intro.md's chapter list does not link {name}"


def test_intro_versions_match_requirements() -> None:
    intro = (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\S+) \| ([\w.]+) \|$", intro, re.M))
    for package in ("torch", "paddlepaddle", "numpy", "matplotlib", "jupyter-book"):
        assert table.get(package) == colab.pinned_version(package), f"intro.md's version of {package} is stale"


def test_jupyter_book_stays_below_2() -> None:
    # Jupyter Book 2 downloads its theme at build time and fails offline.
    assert colab.pinned_version("jupyter-book").startswith("1.")


def test_repository_url_is_set_once() -> None:
    url = colab.repository_url()
    assert url.startswith("https://github.com/")
    assert (ROOT / "_config.yml").read_text(encoding="utf-8").count(url) == 1
