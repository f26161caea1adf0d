"""Run a snippet in a child Python process, so that a crash (a segfault in a framework) ends only the child.

A chapter demonstrates a call that can kill the interpreter (some Paddle releases segfault where
3.3.1 raises) with :func:`run_in_child`, and prints :attr:`ChildResult.summary`: what the child
printed and how it ended. The child sees only the CPU, so it prints the same on any machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ChildResult:
    """What the child printed on stdout, and its exit status (negative: the signal that killed it)."""

    stdout: str
    returncode: int

    @property
    def ended(self) -> str:
        """``exited normally``, ``exited with status N`` or ``killed by SIGSEGV`` (or another signal)."""
        if self.returncode == 0:
            return "exited normally"
        if self.returncode < 0:
            return f"killed by {signal.Signals(-self.returncode).name}"
        return f"exited with status {self.returncode}"

    @property
    def summary(self) -> str:
        """The child's output followed by one line saying how it ended."""
        return f"{self.stdout.rstrip()}\n(the child process {self.ended})".lstrip("\n")


def run_in_child(code: str, timeout: float = 300) -> ChildResult:
    """Run ``code`` with this interpreter in a child process on the CPU only; stderr is discarded."""
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONWARNINGS": "ignore", "GLOG_minloglevel": "3"}
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    return ChildResult(completed.stdout, completed.returncode)
