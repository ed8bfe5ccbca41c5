"""Shared test set-up.

pytest's default import mode puts tests/ (not the repository root) on sys.path, so `import predict`
works under `python -m pytest` (which adds the working directory) but not under a bare `pytest`.
The root is added here so both ways of running the suite import the same predict.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Run on every core when pytest-xdist is installed (the test extra has it; two cores keep the
    suite under a minute) and no -n was given; serially without it, so a bare pytest still works.
    loadfile keeps a test file on one worker, so module fixtures (a trained model) are built once."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER") or hasattr(config, "workerinput"):  # a worker never spawns more
        return
    if getattr(config.option, "numprocesses", 0) is None and getattr(config.option, "dist", "") == "no":
        config.option.numprocesses, config.option.dist = "auto", "loadfile"


@pytest.fixture(autouse=True)
def _piped_width(monkeypatch):
    """Tables render as on a pipe (160 columns) whatever COLUMNS the shell exports; a test that wants
    a terminal width sets COLUMNS itself."""
    monkeypatch.delenv("COLUMNS", raising=False)
