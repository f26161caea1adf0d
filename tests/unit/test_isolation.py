"""book.isolation: a child process reports what it printed and how it ended, a crash included."""

from __future__ import annotations

from book.isolation import ChildResult, run_in_child


def test_a_child_that_finishes_reports_its_output() -> None:
    result = run_in_child("print('hello'); import os; print(os.environ['CUDA_VISIBLE_DEVICES'] == '')")
    assert result == ChildResult("hello\nTrue\n", 0)
    assert result.summary == "hello\nTrue\n(the child process exited normally)"


def test_a_segfault_ends_only_the_child_and_is_named() -> None:
    result = run_in_child("print('before', flush=True); import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    assert result.stdout == "before\n"
    assert result.ended == "killed by SIGSEGV"


def test_an_exception_is_an_exit_status() -> None:
    assert run_in_child("raise SystemExit(3)").ended == "exited with status 3"
