"""book.environment: setup, quiet, seeding, print options, devices."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import warnings
from pathlib import Path

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
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_import_frameworks_sets_the_quiet_environment(devices: Devices) -> None:
    for key in environment._QUIET_ENV:
        assert key in os.environ


# ----------------------------------------------------------------------------- seeding


def _draws() -> tuple[list[float], list[float], list[float], float]:
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
    for a, b in zip(first, different):
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
            warnings.warn("hidden", UserWarning)
        warnings.warn("visible", UserWarning)
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
