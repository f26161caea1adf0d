"""Colab support: the bootstrap cell that fetches this package, and the Paddle install.

Colab opens a chapter notebook straight from the repository, without this package and
without Paddle. Every chapter therefore begins with the same bootstrap cell (made by
:func:`bootstrap_source` from the repository URL in ``_config.yml``; a unit test keeps the
chapters in step; ``python -m book.colab chapters/*.ipynb`` rewrites it after the URL
changes), and :func:`book.environment.setup` calls :func:`ensure_paddle`.
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

_BOOTSTRAP = '''\
# Colab only: fetch this book's helper package `book/`; elsewhere it is already importable.
import os, subprocess, sys
if "google.colab" in sys.modules and not os.path.isdir("{checkout}"):
    subprocess.run(["git", "clone", "--depth=1", "{url}", "{checkout}"], check=True)
if "google.colab" in sys.modules:
    sys.path.insert(0, "{checkout}")'''


def on_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def repository_url(config: Path = CONFIG) -> str:
    """The repository URL, read from the one place that sets it: ``repository.url`` in ``_config.yml``."""
    match = re.search(r"^repository:\s*\n(?:\s+.*\n)*?\s+url:\s*(\S+)", config.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{config}: no repository.url")
    return match.group(1).strip("\"'")


def bootstrap_source(url: str | None = None) -> str:
    """The exact source of the first code cell of every chapter."""
    url = url or repository_url()
    checkout = "/content/" + url.rstrip("/").rsplit("/", 1)[-1]
    return _BOOTSTRAP.format(url=url, checkout=checkout)


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


def ensure_paddle() -> bool:
    """On Colab, install the pinned Paddle if it is missing. Returns True when it installed something.

    Outside Colab it does nothing: there ``make book`` installs ``requirements.txt``.
    """
    if not on_colab() or importlib.util.find_spec("paddle") is not None:
        return False
    gpu = has_nvidia_gpu()
    command = paddle_install_command(gpu, pinned_version("paddlepaddle"))
    print(f"Installing Paddle ({'GPU' if gpu else 'CPU'} build): {' '.join(command[2:])}")
    subprocess.run(command, check=True)
    importlib.invalidate_caches()
    return True


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
