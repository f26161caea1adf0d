"""book.colab: the bootstrap cell, the pinned versions and the Paddle install on Colab (faked here)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from book import colab

URL = "https://github.com/someone/some-book"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "_config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _forbid_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"subprocess.run called: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)


@pytest.fixture
def fake_colab(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Colab runtime: google.colab is imported."""
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))


# ----------------------------------------------------------------------------- on_colab


def test_not_on_colab_here() -> None:
    assert "google.colab" not in sys.modules
    assert colab.on_colab() is False


def test_on_colab_when_google_colab_is_imported(fake_colab: None) -> None:
    assert colab.on_colab() is True


# ----------------------------------------------------------------------------- repository_url


def test_repository_url_of_the_book() -> None:
    assert colab.repository_url().startswith("https://github.com/")


def test_repository_url_reads_the_config(tmp_path: Path) -> None:
    config = _config(
        tmp_path, f"title: x\nrepository:\n  path_to_book: ''\n  url: {URL}\n  branch: main\nhtml:\n  a: 1\n"
    )
    assert colab.repository_url(config) == URL


def test_repository_url_strips_quotes(tmp_path: Path) -> None:
    assert colab.repository_url(_config(tmp_path, f'repository:\n  url: "{URL}"\n')) == URL


@pytest.mark.parametrize(
    "text",
    ["title: x\n", "repository:\n  branch: main\nhtml:\n  use_repository_button: true\n"],
    ids=["no repository", "no url"],
)
def test_repository_url_without_url_is_an_error(tmp_path: Path, text: str) -> None:
    config = _config(tmp_path, text)
    with pytest.raises(ValueError, match="no repository.url") as error:
        colab.repository_url(config)
    assert str(config) in str(error.value)


# ----------------------------------------------------------------------------- bootstrap_source


def test_bootstrap_source_names_the_url_and_checkout() -> None:
    source = colab.bootstrap_source(URL)
    assert URL in source
    assert 'os.path.abspath("some-book")' in source
    assert source.startswith("# Colab only")
    compile(source, "bootstrap", "exec")


def test_bootstrap_source_defaults_to_the_config_url() -> None:
    assert colab.bootstrap_source() == colab.bootstrap_source(colab.repository_url())


@pytest.mark.parametrize("url", [URL, URL + "/", URL + ".git"], ids=["plain", "trailing slash", ".git"])
def test_checkout_name_is_what_git_clone_makes(url: str) -> None:
    assert colab.checkout_name(url) == "some-book"
    assert 'os.path.abspath("some-book")' in colab.bootstrap_source(url)


def test_bootstrap_does_nothing_outside_colab(monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_subprocess(monkeypatch)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    exec(colab.bootstrap_source(URL), {})
    assert sys.path == before


def test_bootstrap_on_colab_clones_into_the_working_directory(
    fake_colab: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # Colab's working directory is /content
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append((command, kwargs)))
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(colab.bootstrap_source(URL), {})
    checkout = str(tmp_path / "some-book")
    assert calls == [(["git", "clone", "--depth=1", URL, checkout], {"check": True})]
    assert sys.path[0] == checkout


def test_bootstrap_on_colab_does_not_clone_twice(
    fake_colab: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some-book").mkdir()
    _forbid_subprocess(monkeypatch)
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(colab.bootstrap_source(URL), {})
    exec(colab.bootstrap_source(URL), {})  # the cell run again: the path is not added twice
    assert sys.path[0] == str(tmp_path / "some-book")
    assert sys.path.count(str(tmp_path / "some-book")) == 1


# ----------------------------------------------------------------------------- pinned_version


def test_the_frameworks_are_pinned() -> None:
    assert colab.pinned_version("paddlepaddle") == "3.3.1"
    assert colab.pinned_version("torch") == "2.13.0"


def test_pinned_version_reads_the_requirements(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\nnumpy==2.0.0  # why\nTorch == 2.1.0\nscipy>=1.0\n", encoding="utf-8")
    assert colab.pinned_version("numpy", requirements) == "2.0.0"
    assert colab.pinned_version("torch", requirements) == "2.1.0"
    for package in ("scipy", "paddlepaddle"):
        with pytest.raises(ValueError, match=f"{package} is not pinned with =="):
            colab.pinned_version(package, requirements)


# ----------------------------------------------------------------------------- has_nvidia_gpu


def _nvidia_smi(returncode: int, stdout: str) -> Any:
    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert command == ["nvidia-smi", "-L"]
        return subprocess.CompletedProcess(command, returncode, stdout, "")

    return run


def test_no_gpu_without_nvidia_smi(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: Any, **kwargs: Any) -> None:
        raise FileNotFoundError("nvidia-smi")

    monkeypatch.setattr(subprocess, "run", missing)
    assert colab.has_nvidia_gpu() is False


@pytest.mark.parametrize(
    ("returncode", "stdout", "expected"),
    [(0, "GPU 0: Tesla T4 (UUID: GPU-1234)\n", True), (9, "", False), (0, "No devices found\n", False)],
)
def test_has_nvidia_gpu_reads_nvidia_smi(
    monkeypatch: pytest.MonkeyPatch, returncode: int, stdout: str, expected: bool
) -> None:
    monkeypatch.setattr(subprocess, "run", _nvidia_smi(returncode, stdout))
    assert colab.has_nvidia_gpu() is expected


# ----------------------------------------------------------------------------- paddle install


def test_paddle_install_command_gpu() -> None:
    assert colab.paddle_install_command(True, "3.3.1") == [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "paddlepaddle-gpu==3.3.1",
        "-i",
        "https://www.paddlepaddle.org.cn/packages/stable/cu126/",
    ]


def test_paddle_install_command_cpu() -> None:
    assert colab.paddle_install_command(False, "3.3.1") == [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "paddlepaddle==3.3.1",
        "-i",
        "https://www.paddlepaddle.org.cn/packages/stable/cpu/",
    ]


def test_ensure_paddle_does_nothing_outside_colab(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _forbid_subprocess(monkeypatch)
    assert colab.ensure_paddle() is False
    assert capsys.readouterr() == ("", "")


def test_ensure_paddle_on_colab_with_paddle_installed(fake_colab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_subprocess(monkeypatch)
    assert colab.ensure_paddle() is False


class _Pip:
    """A fake subprocess.run for pip: each call pops the next (returncode, stderr); records the commands."""

    def __init__(self, *results: tuple[int, str]) -> None:
        self.results = list(results)
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert kwargs == {"capture_output": True, "text": True, "check": False}
        self.commands.append(command)
        returncode, stderr = self.results.pop(0)
        return subprocess.CompletedProcess(command, returncode, "", stderr)


@pytest.fixture
def paddle_missing(fake_colab: None, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Colab without Paddle: find_spec("paddle") finds nothing until the returned flag is set."""
    installed = [False]
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        if name == "paddle":
            return real_find_spec(name, *args) if installed[0] else None
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    return installed


def _installs(pip: _Pip, installed: list[bool], when: int) -> Any:
    """Wrap ``pip`` so that Paddle becomes importable after its call number ``when`` (1-based) succeeds."""

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = pip(command, **kwargs)
        installed[0] = len(pip.commands) >= when and result.returncode == 0
        return result

    return run


PIP_ERROR = "ERROR: Could not find a version that satisfies the requirement paddlepaddle-gpu==3.3.1"
PIP_LAST = "ERROR: No matching distribution found for paddlepaddle-gpu==3.3.1"


def _typed(command: list[str]) -> str:
    """The command as the messages show it: pip's arguments after ``python -m pip``."""
    return "pip " + " ".join(command[3:])


@pytest.mark.parametrize(
    ("gpu", "package", "build"), [(True, "paddlepaddle-gpu", "cu126"), (False, "paddlepaddle", "cpu")]
)
def test_ensure_paddle_on_colab_installs_the_pinned_build(
    paddle_missing: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    gpu: bool,
    package: str,
    build: str,
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: gpu)
    pip = _Pip((0, ""))
    monkeypatch.setattr(subprocess, "run", _installs(pip, paddle_missing, 1))

    assert colab.ensure_paddle() is True

    command = colab.paddle_install_command(gpu, "3.3.1")
    assert f"{package}==3.3.1" in command
    assert f"https://www.paddlepaddle.org.cn/packages/stable/{build}/" in command
    assert pip.commands == [command]
    kind = "GPU" if gpu else "CPU"
    assert capsys.readouterr().out == f"Installing Paddle ({kind} build): {_typed(command)}\n"


def test_ensure_paddle_falls_back_to_the_cpu_build(
    paddle_missing: list[bool], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: True)
    pip = _Pip((1, f"{PIP_ERROR}\n{PIP_LAST}\n"), (0, ""))
    monkeypatch.setattr(subprocess, "run", _installs(pip, paddle_missing, 2))

    assert colab.ensure_paddle() is True

    gpu, cpu = colab.paddle_install_command(True, "3.3.1"), colab.paddle_install_command(False, "3.3.1")
    assert pip.commands == [gpu, cpu]
    assert capsys.readouterr().out.splitlines() == [
        f"Installing Paddle (GPU build): {_typed(gpu)}",
        f"Paddle's GPU build did not install ({PIP_LAST}); installing the CPU build: {_typed(cpu)}",
    ]


def test_ensure_paddle_stops_with_one_message_when_no_build_installs(
    paddle_missing: list[bool], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: True)
    offline = "ERROR: Could not install packages due to an OSError: [Errno 101] Network is unreachable"
    pip = _Pip((1, PIP_LAST), (1, f"WARNING: Retrying\n{offline}\n\n"))
    monkeypatch.setattr(subprocess, "run", _installs(pip, paddle_missing, 99))

    with pytest.raises(colab.PaddleInstallError) as error:
        colab.ensure_paddle()

    cpu = colab.paddle_install_command(False, "3.3.1")
    lines = str(error.value).splitlines()
    assert lines[0] == f"Paddle 3.3.1 could not be installed: {offline}"
    assert lines[1] == f"The command was: !{_typed(cpu)}"
    assert "run this notebook again from the top" in lines[2]
    # In a notebook, IPython shows the message alone instead of a traceback.
    assert error.value._render_traceback_() == [f"PaddleInstallError: {lines[0]}", *lines[1:]]
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_ensure_paddle_without_gpu_stops_after_the_cpu_build(
    paddle_missing: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: False)
    pip = _Pip((2, ""))
    monkeypatch.setattr(subprocess, "run", pip)
    with pytest.raises(colab.PaddleInstallError, match="could not be installed: pip exited with status 2"):
        colab.ensure_paddle()
    assert pip.commands == [colab.paddle_install_command(False, "3.3.1")]


def test_ensure_paddle_when_pip_succeeds_but_paddle_stays_missing(
    paddle_missing: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(subprocess, "run", _Pip((0, "")))
    with pytest.raises(colab.PaddleInstallError, match="still finds nothing"):
        colab.ensure_paddle()


def test_ensure_paddle_reports_a_pip_that_cannot_start(
    paddle_missing: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: False)

    def missing(*args: Any, **kwargs: Any) -> None:
        raise FileNotFoundError("no python")

    monkeypatch.setattr(subprocess, "run", missing)
    with pytest.raises(colab.PaddleInstallError, match="could not be installed: no python"):
        colab.ensure_paddle()


# ----------------------------------------------------------------------------- version_notes


def test_no_version_notes_for_the_pinned_releases() -> None:
    assert colab.version_notes({"torch": "2.13.0+cu126", "paddlepaddle": "3.3.1"}) == []


def test_a_version_note_names_the_installed_and_the_pinned_release() -> None:
    assert colab.version_notes({"torch": "2.9.0+cu126", "paddlepaddle": "3.3.1"}) == [
        "torch 2.9.0 is installed; the book's outputs come from torch 2.13.0, "
        "so a few printed values may differ (the intro says which)."
    ]


# ----------------------------------------------------------------------------- sync_bootstrap


def test_sync_bootstrap_rewrites_only_the_first_code_cell(tmp_path: Path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("# an old bootstrap cell"),
            nbformat.v4.new_code_cell("print(1)"),
        ]
    )
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)
    assert colab.sync_bootstrap(path) is True
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].source == colab.bootstrap_source()
    assert [cells[0].source, cells[2].source] == ["# Title", "print(1)"]
    assert colab.sync_bootstrap(path) is False


def test_sync_bootstrap_needs_a_code_cell(tmp_path: Path) -> None:
    import nbformat

    path = tmp_path / "prose.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Only prose")]), path)
    with pytest.raises(ValueError, match="no code cell"):
        colab.sync_bootstrap(path)
