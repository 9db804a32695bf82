"""Collect the `bench_*.py` files when pytest is given the folder (`pytest benchmarks/
--benchmark-only`): the project's `python_files` pattern is `test_*.py`, so without this hook a
folder run collects nothing and passes vacuously. A file named on the command line is collected
by pytest itself, so the hook leaves it alone (else each of its tests would run twice)."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
