"""Shared fixtures of the unit tests: one quiet book.setup() per session, and re-seeding per test."""

from __future__ import annotations

import os

# Figures are drawn off screen; this must happen before anything imports matplotlib.pyplot.
os.environ["MPLBACKEND"] = "Agg"

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from book import Devices, setup  # noqa: E402
from book.environment import import_frameworks, seed_everything  # noqa: E402

# Test modules import torch and paddle when they are collected; import them quietly first,
# as a chapter's setup() does, so that Paddle's import-time warnings stay out of the report.
import_frameworks()


def pytest_configure(config: pytest.Config) -> None:
    """Paddle's BatchNorm warns at every training forward pass (the chapters show it once, on purpose):
    noise in the unit tests, which train batch norms in many places."""
    config.addinivalue_line("filterwarnings", "ignore:When training, we now always track global mean and variance")


@pytest.fixture(scope="session")
def devices() -> Devices:
    """The devices of this run, after one book.setup() (imports torch and paddle quietly)."""
    return setup()


@pytest.fixture
def seeded(devices: Devices) -> Devices:
    """Every framework seeded with 0, so a test's random weights do not depend on test order."""
    seed_everything(0)
    return devices


@pytest.fixture
def no_figures_left() -> Iterator[None]:
    """Close every matplotlib figure that a test left open."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> dict[type, Any]:
    """A private copy of the transfer rule table: rules that a test registers vanish after it."""
    from book.transfer import registry

    table = dict(registry._RULES)
    monkeypatch.setattr(registry, "_RULES", table)
    return table
