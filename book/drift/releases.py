"""The releases that ``make drift`` runs, and their installs overlaid on the book's ``.venv``.

Each release other than the pinned one is installed once into a cache folder of its own,
``<cache>/<package>-<version>``, with ``pip install --no-deps --target``; whatever requirement of
the release the book's environment does not meet (Paddle 3.0 needs ``decorator``, say) goes into
the same folder. A kernel then runs with that folder first on ``PYTHONPATH``, so it imports the
release and everything else from ``.venv``. The cache is ``$DRIFT_CACHE`` or
``~/.cache/layers-side-by-side/drift``: outside the clone, so that ``make clean`` and a fresh clone
keep it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from book import colab

#: The two frameworks, as pip names them, and as the book names them.
PACKAGES = {"torch": "PyTorch", "paddlepaddle": "Paddle"}
#: The order of the frameworks in the report and on the page.
ORDER = ("paddlepaddle", "torch")
#: The module each package installs.
MODULES = {"torch": "torch", "paddlepaddle": "paddle"}
#: Oldest Paddle release the book covers: 3.0 is the first release of Paddle 3.
PADDLE_OLDEST = Version("3.0.0")
#: Paddle releases pip could install on the day the report was first made; used when
#: ``pip index versions`` cannot be asked (no network).
PADDLE_KNOWN = ("3.0.0", "3.1.0", "3.1.1", "3.2.0", "3.2.1", "3.2.2", "3.3.0", "3.3.1")
#: torch releases covered by default: those whose files pip finds on this machine's disk, so
#: that no multi-GB download is needed (2.13.0, the pinned CPU build, and 2.14.1, a CUDA build
#: that runs on the CPU, with its CUDA libraries). PyPI's other Linux wheels are CUDA builds of
#: several GB each; name one with ``make drift RELEASE=torch==2.9.1`` to cover it too.
TORCH_DEFAULT = ("2.14.1",)
#: Environment variables of every drift kernel: one thread each, so a run uses one core, and a
#: fixed hash seed, so that an error message that shows a set (Paddle's lists of allowed values)
#: reads the same in every run.
KERNEL_ENV = {
    **{name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    "PYTHONHASHSEED": "0",
}


@dataclass(frozen=True)
class Release:
    """One release of one framework, e.g. ``Release("paddlepaddle", "3.0.0")``."""

    package: str
    version: str

    @classmethod
    def parse(cls, text: str) -> Release:
        """``"paddlepaddle==3.0.0"`` or ``"torch==2.14.1"`` (``paddle`` is accepted for Paddle)."""
        package, sep, version = text.strip().partition("==")
        package = {"paddle": "paddlepaddle"}.get(package.strip().lower(), package.strip().lower())
        if not sep or package not in PACKAGES or not version.strip():
            raise ValueError(f"name a release as torch==X or paddlepaddle==X, not {text!r}")
        return cls(package, version.strip())

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def label(self) -> str:
        """How the page names it: ``Paddle 3.0.0``."""
        return f"{PACKAGES[self.package]} {self.version}"

    @property
    def key(self) -> str:
        """A short name for anchors and file names: ``paddle-3.0.0``."""
        return f"{MODULES[self.package]}-{self.version}"

    @property
    def pinned(self) -> bool:
        return self.version == colab.pinned_version(self.package)

    def sort_key(self) -> tuple[int, Version]:
        """Paddle's releases first (the book's most varied dimension), then torch's, oldest first."""
        return (ORDER.index(self.package), Version(self.version))


def pinned() -> dict[str, str]:
    """The pinned release of each framework, from requirements.txt."""
    return {package: colab.pinned_version(package) for package in PACKAGES}


def paddle_versions(python: str = sys.executable) -> list[str]:
    """Every Paddle 3 release that ``pip index versions`` offers, oldest first."""
    try:
        result = subprocess.run(
            [python, "-m", "pip", "index", "versions", "paddlepaddle"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        line = next(ln for ln in result.stdout.splitlines() if ln.startswith("Available versions:"))
        versions = [v.strip() for v in line.partition(":")[2].split(",")]
    except (subprocess.SubprocessError, StopIteration, OSError):
        versions = list(PADDLE_KNOWN)
    return sorted((v for v in versions if Version(v) >= PADDLE_OLDEST and not Version(v).is_prerelease), key=Version)


def default_releases(python: str = sys.executable) -> list[Release]:
    """Every Paddle 3 release pip can install and :data:`TORCH_DEFAULT`, without the pinned ones."""
    releases = [Release("paddlepaddle", v) for v in paddle_versions(python)]
    releases += [Release("torch", v) for v in TORCH_DEFAULT]
    return [r for r in releases if not r.pinned]


def cache_dir() -> Path:
    """Where the releases are installed: ``$DRIFT_CACHE`` or ``~/.cache/layers-side-by-side/drift``."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "layers-side-by-side" / "drift"
    return Path(os.environ.get("DRIFT_CACHE", default))


#: Run in the overlaid environment: the requirements of every distribution in the overlay
#: that the environment does not meet, as pip requirement strings.
_UNMET = r"""
import importlib.metadata as md, json, sys
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
overlay = sys.argv[1]
unmet, seen = set(), set()
def name(req):  # pip gets no marker: it was true here
    return req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "") + str(req.specifier)
todo = [(dist, "") for dist in md.distributions(path=[overlay])]
while todo:
    dist, extra = todo.pop()
    if (dist.metadata["Name"], extra) in seen:
        continue
    seen.add((dist.metadata["Name"], extra))
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        try:
            found = md.distribution(canonicalize_name(req.name))
        except md.PackageNotFoundError:
            unmet.add(name(req))
            continue
        if req.specifier and not req.specifier.contains(found.version, prereleases=True):
            unmet.add(name(req))
            continue
        todo += [(found, e) for e in req.extras]  # what the extras of a met requirement need
print(json.dumps(sorted(unmet)))
"""


def unmet_requirements(overlay: Path, python: str = sys.executable) -> list[str]:
    """Requirements of the overlay's distributions that the overlaid environment does not meet."""
    result = subprocess.run(
        [python, "-c", _UNMET, str(overlay)], env=kernel_env(overlay), capture_output=True, text=True, check=True
    )
    unmet: list[str] = json.loads(result.stdout)
    return unmet


def _pip_target(target: Path, requirements: list[str], python: str) -> None:
    """``pip install --no-deps --target``, merged into ``target`` (pip itself skips a folder that
    is already there, such as the ``nvidia/`` that several CUDA packages share)."""
    fresh = target / ".round"
    shutil.rmtree(fresh, ignore_errors=True)
    command = [python, "-m", "pip", "install", "-qq", "--no-deps", "--no-compile", "--target", str(fresh)]
    subprocess.run(command + requirements, check=True)
    merge_into(fresh, target)
    fresh.rmdir()


def merge_into(source: Path, target: Path) -> None:
    """Move everything in ``source`` into ``target``, folder into folder, files replaced."""
    for item in source.iterdir():
        destination = target / item.name
        if item.is_dir() and not item.is_symlink() and destination.is_dir():
            merge_into(item, destination)
            item.rmdir()
        else:
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            item.replace(destination)


def install(release: Release, cache: Path | None = None, python: str = sys.executable) -> Path:
    """Install ``release`` into its cache folder unless it is there; return the folder.

    The folder appears complete or not at all (it is filled under a temporary name first).
    """
    folder = (cache or cache_dir()) / f"{release.package}-{release.version}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    _pip_target(partial, [release.spec], python)
    for _ in range(5):  # requirements of requirements, a few levels deep
        unmet = unmet_requirements(partial, python)
        if not unmet:
            break
        _pip_target(partial, unmet, python)
    partial.rename(folder)
    return folder


def kernel_env(overlay: Path | None, root: Path | None = None) -> dict[str, str]:
    """The environment of a kernel that imports ``overlay`` first, then the book at ``root``."""
    env = dict(os.environ, **KERNEL_ENV)
    paths = [str(p) for p in (overlay, root) if p is not None]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def installed_version(release: Release, env: dict[str, str], python: str = sys.executable) -> str:
    """The version of ``release``'s framework that a kernel with ``env`` imports (raises if none)."""
    module = MODULES[release.package]
    code = f"import {module}; print({module}.__version__)"
    result = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{release.label} does not import: {last}")
    return result.stdout.strip().splitlines()[-1]
