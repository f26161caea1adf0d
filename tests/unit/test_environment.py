"""book.environment: setup, quiet, seeding, print options, devices."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from book import environment
from book.environment import Devices, choose_devices, current_devices, quiet, seed_everything, setup

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- setup


def test_setup_gives_the_cpu_here(devices: Devices) -> None:
    import torch

    assert devices == Devices(torch=torch.device("cpu"), paddle="cpu", cuda=False)


def test_setup_is_idempotent(devices: Devices) -> None:
    assert setup() is devices
    assert setup(seed=5) is devices
    assert current_devices() is devices


def test_setup_again_prints_nothing(devices: Devices, capfd: pytest.CaptureFixture[str]) -> None:
    setup()
    assert capfd.readouterr() == ("", "")


def test_first_setup_in_a_fresh_process_prints_nothing() -> None:
    # The real case: a new kernel, where setup() performs the noisy first imports of paddle and torch.
    env = {k: v for k, v in os.environ.items() if k not in environment._QUIET_ENV}
    code = (
        "import sys, book\n"
        "assert 'torch' not in sys.modules and 'paddle' not in sys.modules, 'importing book imported a framework'\n"
        "book.setup()\n"
        "assert 'torch' in sys.modules and 'paddle' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_import_frameworks_sets_the_quiet_environment(devices: Devices) -> None:
    for key in environment._QUIET_ENV:
        assert key in os.environ


# ----------------------------------------------------------------------------- seeding


def _draws() -> tuple[list[Any], Any, list[Any], float]:
    import paddle
    import torch

    return torch.rand(4).tolist(), paddle.rand([4]).tolist(), np.random.rand(4).tolist(), random.random()


def test_setup_seeds_every_framework(devices: Devices) -> None:
    setup(seed=3)
    first = _draws()
    setup(seed=3)
    assert _draws() == first
    setup(seed=4)
    different = _draws()
    for a, b in zip(first, different, strict=True):
        assert a != b


def test_seed_everything_repeats_draws(devices: Devices) -> None:
    seed_everything(11)
    first = _draws()
    seed_everything(11)
    assert _draws() == first


# ----------------------------------------------------------------------------- print options


def test_print_options_are_applied(devices: Devices) -> None:
    import paddle
    import torch

    options = np.get_printoptions()
    assert options["precision"] == environment.PRINT_DECIMALS == 4
    assert options["suppress"] is True
    assert options["floatmode"] == "fixed"
    assert str(np.array([1 / 3])) == "[0.3333]"
    assert str(torch.tensor([1 / 3, 1e-8])) == "tensor([0.3333, 0.0000])"
    assert "[0.3333]" in str(paddle.to_tensor([1 / 3]))


def test_set_print_options_takes_the_decimals(devices: Devices) -> None:
    try:
        environment.set_print_options(2)
        assert np.get_printoptions()["precision"] == 2
        assert str(np.array([1 / 3])) == "[0.33]"
    finally:
        environment.set_print_options()
    assert np.get_printoptions()["precision"] == 4


# ----------------------------------------------------------------------------- devices


def test_choose_devices_without_cuda_gives_the_cpu(devices: Devices) -> None:
    import paddle
    import torch

    chosen = choose_devices(prefer_cuda=False)
    assert chosen == Devices(torch=torch.device("cpu"), paddle="cpu", cuda=False)
    assert paddle.device.get_device() == "cpu"


def test_current_devices_chooses_when_setup_never_ran(devices: Devices, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "_current", None)
    chosen = current_devices()
    assert chosen == devices
    assert current_devices() is chosen


@pytest.fixture
def restored_cuda_flags() -> Iterator[None]:
    """Put back the CUDA flags that choose_devices() sets when it picks CUDA for torch."""
    import torch

    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    saved = cudnn.deterministic, cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32
    yield
    cudnn.deterministic, cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32 = saved


def _cuda(monkeypatch: pytest.MonkeyPatch, torch_cuda: bool, paddle_cuda: bool) -> list[str]:
    """Pretend each framework can (or cannot) use CUDA; returns the devices passed to paddle.set_device."""
    import paddle
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: torch_cuda)
    monkeypatch.setattr(paddle.device, "is_compiled_with_cuda", lambda: paddle_cuda)
    monkeypatch.setattr(paddle.device.cuda, "device_count", lambda: int(paddle_cuda))
    monkeypatch.setattr(paddle, "set_flags", lambda flags: None)
    chosen: list[str] = []
    monkeypatch.setattr(paddle, "set_device", chosen.append)
    return chosen


@pytest.mark.parametrize(("torch_cuda", "paddle_cuda"), [(True, True), (True, False), (False, True)])
def test_each_framework_uses_cuda_when_it_can(
    restored_cuda_flags: None, devices: Devices, monkeypatch: pytest.MonkeyPatch, torch_cuda: bool, paddle_cuda: bool
) -> None:
    import torch

    chosen = _cuda(monkeypatch, torch_cuda, paddle_cuda)
    result = choose_devices()  # the CUDA flags it sets are put back by the restored_cuda_flags fixture
    assert result == Devices(
        torch=torch.device("cuda" if torch_cuda else "cpu"),
        paddle="gpu" if paddle_cuda else "cpu",
        cuda=torch_cuda and paddle_cuda,
    )
    assert chosen == ["gpu" if paddle_cuda else "cpu"]
    if torch_cuda:
        assert torch.backends.cudnn.deterministic is True
        assert torch.backends.cuda.matmul.allow_tf32 is False


def test_no_device_note_when_both_use_the_gpu(devices: Devices) -> None:
    import torch

    assert environment.device_note(Devices(torch=torch.device("cuda"), paddle="gpu", cuda=True)) is None


def test_device_note_names_where_each_framework_runs(devices: Devices, monkeypatch: pytest.MonkeyPatch) -> None:
    import paddle
    import torch

    monkeypatch.setattr(paddle.device, "is_compiled_with_cuda", lambda: False)
    note = environment.device_note(Devices(torch=torch.device("cuda"), paddle="cpu", cuda=False))
    assert note == (
        "A GPU is present, but PyTorch runs on the GPU, Paddle on the CPU (this Paddle is its CPU build). "
        "The checks still compare both."
    )
    monkeypatch.setattr(torch.version, "cuda", "12.6")
    monkeypatch.setattr(paddle.device, "is_compiled_with_cuda", lambda: True)
    note = environment.device_note(Devices(torch=torch.device("cpu"), paddle="cpu", cuda=False))
    assert note == (
        "A GPU is present, but PyTorch runs on the CPU, Paddle on the CPU "
        "(torch sees no CUDA device; Paddle sees no CUDA device). The checks still compare both."
    )


def _colab_setup(monkeypatch: pytest.MonkeyPatch, gpu: bool, versions: dict[str, str]) -> None:
    import paddle
    import torch

    from book import colab

    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    monkeypatch.setattr(colab, "has_nvidia_gpu", lambda: gpu)
    monkeypatch.setattr(torch, "__version__", versions["torch"])
    monkeypatch.setattr(paddle, "__version__", versions["paddlepaddle"])
    monkeypatch.setattr(environment, "_current", None)


def test_setup_on_colab_says_where_each_framework_runs(
    restored_cuda_flags: None, devices: Devices, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _colab_setup(monkeypatch, gpu=True, versions={"torch": "2.13.0+cu126", "paddlepaddle": "3.3.1"})
    _cuda(monkeypatch, torch_cuda=True, paddle_cuda=False)
    setup()
    assert capsys.readouterr().out == (
        "A GPU is present, but PyTorch runs on the GPU, Paddle on the CPU (this Paddle is its CPU build). "
        "The checks still compare both.\n"
    )
    setup()  # only the first setup() of a kernel prints
    assert capsys.readouterr().out == ""


def test_setup_on_colab_names_a_torch_other_than_the_pinned_one(
    devices: Devices, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _colab_setup(monkeypatch, gpu=False, versions={"torch": "2.9.0+cpu", "paddlepaddle": "3.3.1"})
    setup()
    assert capsys.readouterr().out.startswith("torch 2.9.0 is installed; the book's outputs come from torch 2.13.0")


def test_setup_on_colab_with_the_pins_and_no_gpu_prints_nothing(
    devices: Devices, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _colab_setup(monkeypatch, gpu=False, versions={"torch": "2.13.0+cpu", "paddlepaddle": "3.3.1"})
    setup()
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------------------- quiet


def test_quiet_swallows_python_and_native_output(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet():
        print("python stdout")
        print("python stderr", file=sys.stderr)
        os.write(1, b"native stdout\n")
        os.write(2, b"native stderr\n")
    assert capfd.readouterr() == ("", "")


def test_quiet_swallows_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet():
            warnings.warn("hidden", UserWarning, stacklevel=1)
        warnings.warn("visible", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["visible"]


def test_quiet_restores_output_even_after_an_error(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with quiet():
            print("hidden")
            raise RuntimeError("boom")
    print("shown")
    os.write(2, b"native shown\n")
    assert capfd.readouterr() == ("shown\n", "native shown\n")


def test_paddle_on_cpu_switches_and_returns(devices: Devices, monkeypatch: pytest.MonkeyPatch) -> None:
    import paddle

    from book import environment

    calls: list[str] = []
    monkeypatch.setattr(paddle, "set_device", calls.append)
    monkeypatch.setattr(environment, "_current", Devices(torch=devices.torch, paddle="gpu", cuda=True))
    with pytest.raises(RuntimeError), environment.paddle_on_cpu():
        calls.append("inside")
        raise RuntimeError("the device comes back even after an error")
    assert calls == ["cpu", "inside", "gpu"]


def test_paddle_on_cpu_creates_tensors_on_the_cpu(devices: Devices) -> None:
    import paddle

    from book.environment import paddle_on_cpu

    with paddle_on_cpu():
        assert paddle.to_tensor([1.0]).place.is_cpu_place()
    assert paddle.get_device() == devices.paddle
