"""The run-folder probes of issue 18 through the real `orsta-bench run` (subprocess, bounded in
time and address space): a second run on a folder in use, a stale lock, folders that cannot be
written, run.json / samples.jsonl that are not what a run writes."""

from __future__ import annotations

import pytest

from reliability.run_folders import PROBES, run_run_folders


@pytest.mark.parametrize("name", list(PROBES))
def test_run_folder_probe_holds(name: str) -> None:
    report = run_run_folders([name])
    assert (report["tried"], report["held"]) == (1, 1), report["probes"][name]["problem"]
