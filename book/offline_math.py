"""Sphinx extension: serve MathJax from the site itself, so that math renders offline too.

Sphinx loads MathJax from a CDN by default; a reader of a locally built or served site
without network then sees raw LaTeX. This extension points ``mathjax_path`` at a copy
inside ``_static`` and, when the build finishes, copies the few MathJax 3 files a page needs
from the ``django-static-mathjax`` package (a plain data package of MathJax 3.2.2, pinned
in requirements.txt): the combined TeX/MathML-to-HTML component, its web fonts, and the TeX
extensions that MathJax loads on demand.
"""

from __future__ import annotations

import importlib.resources
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

__version__ = "1.0.0"

#: ``mathjax_path`` relative to ``_static``, as Sphinx reads it.
MATHJAX_PATH = "mathjax/tex-mml-chtml.js"
#: What a page needs, relative to MathJax's ``es5`` folder.
NEEDED = ("tex-mml-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


def mathjax_source() -> Path:
    """The ``es5`` folder of the installed MathJax 3 distribution."""
    return Path(str(importlib.resources.files("mathjax"))) / "static" / "mathjax" / "es5"


def copy_mathjax(source: Path, target: Path) -> None:
    """Copy the files in :data:`NEEDED` from ``source`` to ``target``, keeping their layout."""
    for name in NEEDED:
        origin = source / name
        if not origin.exists():
            raise FileNotFoundError(f"MathJax file missing: {origin}")
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    """Point ``mathjax_path`` at the copy in ``_static``."""
    config.mathjax_path = MATHJAX_PATH


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, put MathJax into ``_static/mathjax``."""
    if exception is None and app.builder.format == "html":
        copy_mathjax(mathjax_source(), Path(app.outdir) / "_static" / Path(MATHJAX_PATH).parent)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration change and the copy step."""
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", on_build_finished)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
