"""The one setup call at the top of every chapter: quiet imports, seeds, print options, device.

Usage (the first code cell after the Colab bootstrap)::

    from book import setup
    dev = setup()          # dev.torch: torch.device, dev.paddle: "gpu" or "cpu"
    import torch, paddle   # already imported by setup(), so this prints nothing

On Colab, :func:`setup` first installs the pinned Paddle release (the GPU build when a GPU
is present, the CPU build otherwise or when that fails), and prints one line for each thing a reader
should know: a framework that cannot use the runtime's GPU, a framework release other than
the pinned one. Elsewhere it installs and prints nothing.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch as _torch

#: Print precision shared by NumPy, torch and Paddle in every chapter.
PRINT_DECIMALS = 4

# Environment variables that quieten the frameworks' native logging. They must be set
# before the first import of paddle, which is why setup() performs that import.
_QUIET_ENV = {
    "GLOG_minloglevel": "2",
    "GLOG_v": "0",
    "FLAGS_call_stack_level": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}


@dataclass(frozen=True)
class Devices:
    """The device chosen for this run, named the way each framework names it."""

    torch: _torch.device  # torch.device("cuda") or torch.device("cpu")
    paddle: str  # "gpu" or "cpu", as accepted by paddle.set_device
    cuda: bool  # True when both frameworks run on CUDA


@contextlib.contextmanager
def _native_output_silenced() -> Iterator[None]:
    """Point file descriptors 1 and 2 at /dev/null, so C++ logging is dropped too.

    Jupyter kernels forward what native code writes to these descriptors onto the page.
    """
    saved = []
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # pragma: no cover - no /dev/null: keep the output
        yield
        return
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(devnull, fd)
            except OSError:
                pass
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence warnings and everything written to stdout/stderr, Python's and native, inside the block."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
        warnings.simplefilter("ignore")
        with _native_output_silenced():
            yield


def import_frameworks() -> None:
    """Import numpy, torch and paddle once, with their import-time noise suppressed."""
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    with quiet():
        import numpy  # noqa: F401
        import paddle  # noqa: F401
        import torch  # noqa: F401
    # Paddle warns at import and on some first calls; keep those off the page for good.
    warnings.filterwarnings("ignore", module=r"paddle(\..*)?")
    warnings.filterwarnings("ignore", message=r".*ccache.*")
    logging.getLogger("paddle").setLevel(logging.ERROR)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, torch (all devices) and Paddle with the same seed."""
    import numpy as np
    import paddle
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    paddle.seed(seed)


def set_print_options(decimals: int = PRINT_DECIMALS) -> None:
    """Give NumPy, torch and Paddle the same compact, fixed-point print format."""
    import numpy as np
    import paddle
    import torch

    np.set_printoptions(precision=decimals, suppress=True, floatmode="fixed", linewidth=100)
    torch.set_printoptions(precision=decimals, sci_mode=False, linewidth=100)
    paddle.set_printoptions(precision=decimals, sci_mode=False, linewidth=100)


def choose_devices(prefer_cuda: bool = True) -> Devices:
    """Pick CUDA for each framework that can use it, the CPU for the other.

    Each framework chooses on its own: on a GPU runtime with Paddle's CPU build, PyTorch
    still runs on CUDA. The checks of :mod:`book.equivalence` compare through NumPy, so mixed
    devices work. Also turns off TF32 and selects deterministic kernels on CUDA, so that GPU
    results match the CPU results that the notebooks store, within the stated tolerances.
    """
    import paddle
    import torch

    torch_cuda = prefer_cuda and torch.cuda.is_available()
    paddle_cuda = prefer_cuda and paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
    if torch_cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    if paddle_cuda:
        with contextlib.suppress(Exception):  # flag names vary across Paddle releases
            paddle.set_flags({"FLAGS_cudnn_deterministic": True})
        with contextlib.suppress(Exception):
            paddle.set_flags({"FLAGS_allow_tf32_cublas": False, "FLAGS_allow_tf32_cudnn": False})
    paddle.set_device("gpu" if paddle_cuda else "cpu")
    return Devices(
        torch=torch.device("cuda" if torch_cuda else "cpu"),
        paddle="gpu" if paddle_cuda else "cpu",
        cuda=torch_cuda and paddle_cuda,
    )


def device_note(devices: Devices) -> str | None:
    """The line to print when a GPU is present but a framework runs on the CPU (None otherwise).

    It names where each framework runs and, for the one on the CPU, the likely reason.
    """
    import paddle
    import torch

    torch_gpu = devices.torch.type == "cuda"
    paddle_gpu = devices.paddle == "gpu"
    if torch_gpu and paddle_gpu:
        return None
    reasons = []
    if not torch_gpu:
        reasons.append("this torch is a CPU build" if torch.version.cuda is None else "torch sees no CUDA device")
    if not paddle_gpu:
        reasons.append(
            "this Paddle is its CPU build"
            if not paddle.device.is_compiled_with_cuda()
            else "Paddle sees no CUDA device"
        )
    where = (
        f"PyTorch runs on {'the GPU' if torch_gpu else 'the CPU'}, Paddle on {'the GPU' if paddle_gpu else 'the CPU'}"
    )
    return f"A GPU is present, but {where} ({'; '.join(reasons)}). The checks still compare both."


_current: Devices | None = None


def current_devices() -> Devices:
    """The devices chosen by the last :func:`setup` (choosing them now if it never ran)."""
    global _current
    if _current is None:
        _current = choose_devices()
    return _current


@contextlib.contextmanager
def paddle_on_cpu() -> Iterator[None]:
    """Run the Paddle code inside the block on the CPU, then return to the book's device.

    For the few cells whose output depends on a device's kernels (a tie, a NaN, Paddle's
    batch-norm variance), so that the stored output is the same on every machine. PyTorch
    needs no switch: create its tensors there without ``device=``.
    """
    import paddle

    paddle.set_device("cpu")
    try:
        yield
    finally:
        paddle.set_device(current_devices().paddle)


def setup(seed: int = 0, *, prefer_cuda: bool = True) -> Devices:
    """Prepare a chapter: install Paddle on Colab, import quietly, seed, set print options, pick the device.

    Call it once at the top of a chapter; call it again to re-seed (the device stays).
    Returns the :class:`Devices` in use. It prints nothing outside Colab. On Colab, the
    first call prints a line when a GPU is present but a framework cannot use it, and a
    line for each framework whose release is not the pinned one (:func:`book.colab.version_notes`).
    """
    global _current
    from book import colab  # imported here so that `python -m book.colab` runs cleanly

    colab.ensure_paddle()
    import_frameworks()
    if _current is None:
        _current = choose_devices(prefer_cuda)
        if colab.on_colab():
            _print_colab_notes(_current, prefer_cuda)
    seed_everything(seed)
    set_print_options()
    return _current


def _print_colab_notes(devices: Devices, prefer_cuda: bool) -> None:
    import paddle
    import torch

    from book import colab

    note = device_note(devices) if prefer_cuda and colab.has_nvidia_gpu() else None
    for line in ([note] if note else []) + colab.version_notes(
        {"torch": torch.__version__, "paddlepaddle": paddle.__version__}
    ):
        print(line)
