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
    config = _config(tmp_path, f"title: x\nrepository:\n  path_to_book: ''\n  url: {URL}\n  branch: main\nhtml:\n  a: 1\n")
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
    assert '"/content/some-book"' in source
    assert source.startswith("# Colab only")
    compile(source, "bootstrap", "exec")


def test_bootstrap_source_defaults_to_the_config_url() -> None:
    assert colab.bootstrap_source() == colab.bootstrap_source(colab.repository_url())


def test_bootstrap_source_ignores_a_trailing_slash() -> None:
    assert '"/content/some-book"' in colab.bootstrap_source(URL + "/")


def test_bootstrap_does_nothing_outside_colab(monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_subprocess(monkeypatch)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    exec(colab.bootstrap_source(URL), {})
    assert sys.path == before


def test_bootstrap_on_colab_clones_and_extends_the_path(fake_colab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append((command, kwargs)))
    monkeypatch.setattr("os.path.isdir", lambda path: False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(colab.bootstrap_source(URL), {})
    assert calls == [(["git", "clone", "--depth=1", URL, "/content/some-book"], {"check": True})]
    assert sys.path[0] == "/content/some-book"


def test_bootstrap_on_colab_does_not_clone_twice(fake_colab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_subprocess(monkeypatch)
    monkeypatch.setattr("os.path.isdir", lambda path: path == "/content/some-book")
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(colab.bootstrap_source(URL), {})
    assert sys.path[0] == "/content/some-book"


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
def test_has_nvidia_gpu_reads_nvidia_smi(monkeypatch: pytest.MonkeyPatch, returncode: int, stdout: str, expected: bool) -> None:
    monkeypatch.setattr(subprocess, "run", _nvidia_smi(returncode, stdout))
    assert colab.has_nvidia_gpu() is expected


# ----------------------------------------------------------------------------- paddle install


def test_paddle_install_command_gpu() -> None:
    assert colab.paddle_install_command(True, "3.3.1") == [
        sys.executable, "-m", "pip", "install", "-q", "paddlepaddle-gpu==3.3.1",
        "-i", "https://www.paddlepaddle.org.cn/packages/stable/cu126/",
    ]


def test_paddle_install_command_cpu() -> None:
    assert colab.paddle_install_command(False, "3.3.1") == [
        sys.executable, "-m", "pip", "install", "-q", "paddlepaddle==3.3.1",
        "-i", "https://www.paddlepaddle.org.cn/packages/stable/cpu/",
    ]


def test_ensure_paddle_does_nothing_outside_colab(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _forbid_subprocess(monkeypatch)
    assert colab.ensure_paddle() is False
    assert capsys.readouterr() == ("", "")


def test_ensure_paddle_on_colab_with_paddle_installed(fake_colab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_subprocess(monkeypatch)
    assert colab.ensure_paddle() is False


@pytest.mark.parametrize(("gpu", "package", "build"), [(True, "paddlepaddle-gpu", "cu126"), (False, "paddlepaddle", "cpu")])
def test_ensure_paddle_on_colab_installs_the_pinned_build(
    fake_colab: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], gpu: bool, package: str, build: str
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "paddle" else real_find_spec(name, *a)
    )
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: gpu)
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append((command, kwargs)))

    assert colab.ensure_paddle() is True

    command = colab.paddle_install_command(gpu, "3.3.1")
    assert f"{package}==3.3.1" in command
    assert f"https://www.paddlepaddle.org.cn/packages/stable/{build}/" in command
    assert calls == [(command, {"check": True})]
    kind = "GPU" if gpu else "CPU"
    assert capsys.readouterr().out == f"Installing Paddle ({kind} build): {' '.join(command[2:])}\n"


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
