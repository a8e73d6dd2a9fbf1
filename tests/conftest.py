"""Shared pytest configuration.

* ``--runslow``: run tests marked ``@pytest.mark.slow`` (the marker itself is
  declared in ``pyproject.toml``); without it they are skipped, which keeps the
  default (CI) run quick.
* ``tests/`` is put on ``sys.path`` so test modules can ``import reference``
  regardless of pytest's import mode.
"""

from __future__ import annotations

import os
import sys

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


def pytest_addoption(parser):
    parser.addoption(
        "--runslow",
        action="store_true",
        default=False,
        help="also run tests marked @pytest.mark.slow (full acceptance sweeps)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
