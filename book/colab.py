"""Colab support: the bootstrap cell that fetches this package, and the Paddle install.

Colab opens a chapter notebook straight from the repository, without this package and
without Paddle. Every chapter therefore begins with the same bootstrap cell (made by
:func:`bootstrap_source` from the repository URL in ``_config.yml``; a unit test keeps the
chapters in step; ``python -m book.colab chapters/*.ipynb`` rewrites it after the URL
changes). It clones the repository into the working directory (``/content`` on Colab) and
puts the clone first on ``sys.path``. :func:`book.environment.setup` then calls
:func:`ensure_paddle`, which installs the pinned Paddle: the GPU build when there is a GPU,
the CPU build when that fails, and otherwise one :class:`PaddleInstallError` that says what
to do. :func:`version_notes` names the frameworks whose installed release is not the one the
book's outputs were made with (Colab ships its own torch; the book keeps it, see the intro).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
REQUIREMENTS = ROOT / "requirements.txt"

#: Paddle's own package index for its wheels (see Paddle's pip install guide).
PADDLE_INDEX = "https://www.paddlepaddle.org.cn/packages/stable/{build}/"
#: The CUDA build of Paddle that matches Colab's CUDA 12 runtime.
PADDLE_CUDA_BUILD = "cu126"

_BOOTSTRAP = """\
# Colab only: fetch this book's helper package `book/`; elsewhere it is already importable.
import os, subprocess, sys
if "google.colab" in sys.modules:
    checkout = os.path.abspath("{name}")  # in the working directory: /content on Colab
    if not os.path.isdir(checkout):
        subprocess.run(["git", "clone", "--depth=1", "{url}", checkout], check=True)
    if checkout not in sys.path:
        sys.path.insert(0, checkout)"""


class PaddleInstallError(RuntimeError):
    """Paddle could not be installed on Colab. IPython shows its message alone, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # the hook IPython calls instead of formatting a traceback
        lines = str(self).splitlines()
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


def on_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def repository_url(config: Path = CONFIG) -> str:
    """The repository URL, read from the one place that sets it: ``repository.url`` in ``_config.yml``."""
    match = re.search(r"^repository:\s*\n(?:\s+.*\n)*?\s+url:\s*(\S+)", config.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{config}: no repository.url")
    return match.group(1).strip("\"'")


def checkout_name(url: str) -> str:
    """The folder that ``git clone URL`` makes: the URL's last part, without ``.git``."""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name.removesuffix(".git")


def bootstrap_source(url: str | None = None) -> str:
    """The exact source of the first code cell of every chapter.

    On Colab it clones ``url`` into the working directory (``/content``) unless that clone
    exists, and puts it first on ``sys.path``; elsewhere it does nothing.
    """
    url = url or repository_url()
    return _BOOTSTRAP.format(url=url, name=checkout_name(url))


def pinned_version(package: str, requirements: Path = REQUIREMENTS) -> str:
    """The exact version that ``requirements.txt`` pins for ``package``."""
    for line in requirements.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep and name.strip().lower() == package.lower():
            return version.strip()
    raise ValueError(f"{requirements}: {package} is not pinned with ==")


def has_nvidia_gpu() -> bool:
    """True when ``nvidia-smi`` lists at least one GPU."""
    try:
        result = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, check=False)
    except OSError:
        return False
    return result.returncode == 0 and "GPU" in result.stdout


def paddle_install_command(gpu: bool, version: str) -> list[str]:
    """Paddle's documented pip command: the CUDA build from its index on a GPU, else the CPU build."""
    package = "paddlepaddle-gpu" if gpu else "paddlepaddle"
    index = PADDLE_INDEX.format(build=PADDLE_CUDA_BUILD if gpu else "cpu")
    return [sys.executable, "-m", "pip", "install", "-q", f"{package}=={version}", "-i", index]


def _pip(command: list[str]) -> str | None:
    """Run a pip command quietly. None when it succeeded, else the last line of its error output."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        return str(error)
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in (result.stderr + "\n" + result.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or [f"pip exited with status {result.returncode}"])[-1]


def _shown(command: list[str]) -> str:
    """A pip command as a reader would type it in a Colab cell."""
    return "pip " + " ".join(command[3:])


def ensure_paddle() -> bool:
    """On Colab, install the pinned Paddle if it is missing. Returns True when it installed something.

    With a GPU it tries Paddle's CUDA build first; when that fails, it prints why (pip's last
    error line) and installs the CPU build. When that fails too, it raises one
    :class:`PaddleInstallError` naming the command and what to do next, so that the chapter
    stops at its setup cell instead of failing later with NameErrors.
    Outside Colab it does nothing: there ``make book`` installs ``requirements.txt``.
    """
    if not on_colab() or importlib.util.find_spec("paddle") is not None:
        return False
    version = pinned_version("paddlepaddle")
    builds = [True, False] if has_nvidia_gpu() else [False]
    error = None
    for gpu in builds:
        command = paddle_install_command(gpu, version)
        if error is None:
            print(f"Installing Paddle ({'GPU' if gpu else 'CPU'} build): {_shown(command)}")
        else:
            print(f"Paddle's GPU build did not install ({error}); installing the CPU build: {_shown(command)}")
        error = _pip(command)
        if error is None:
            importlib.invalidate_caches()
            if importlib.util.find_spec("paddle") is not None:
                return True
            error = "pip finished, but `import paddle` still finds nothing"
    raise PaddleInstallError(
        f"Paddle {version} could not be installed: {error}\n"
        f"The command was: !{_shown(command)}\n"
        "Run it in a new cell to see pip's whole output; once it succeeds, run this notebook again from the top "
        "(Runtime > Run all). If pip cannot reach the index, check the runtime's network, or try again later."
    )


def _release(version: str) -> str:
    """``2.9.0+cu126`` -> ``2.9.0``: the release without the local build label."""
    return version.split("+", 1)[0]


def version_notes(installed: dict[str, str]) -> list[str]:
    """One line for each framework whose installed release differs from the pinned one.

    ``installed`` maps a requirements.txt name (``torch``, ``paddlepaddle``) to its ``__version__``.
    """
    notes = []
    for package, version in installed.items():
        pinned = pinned_version(package)
        if _release(version) != pinned:
            notes.append(
                f"{package} {_release(version)} is installed; the book's outputs come from {package} {pinned}, "
                "so a few printed values may differ (the intro says which)."
            )
    return notes


def sync_bootstrap(notebook: Path) -> bool:
    """Make the first code cell of ``notebook`` the current bootstrap cell. Returns True if it changed.

    Only that cell's source changes; it prints nothing outside Colab, so no output goes stale.
    """
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next((c for c in data["cells"] if c["cell_type"] == "code"), None)
    if cell is None:
        raise ValueError(f"{notebook}: no code cell")
    source = bootstrap_source()
    if "".join(cell["source"]) == source:
        return False
    cell["source"] = source.splitlines(keepends=True)
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {'updated' if sync_bootstrap(Path(name)) else 'up to date'}")
