"""The hostile `orsta-bench score` inputs of issue 18, through the real CLI as a subprocess
(bounded in time and address space): each record gets its own line, status and score."""

from __future__ import annotations

import pytest

from reliability.score_probes import PROBES, run_score_probes


@pytest.mark.parametrize("name", sorted(PROBES))
def test_score_probe_holds(name: str) -> None:
    report = run_score_probes([name])
    assert (report["tried"], report["held"]) == (1, 1), report["probes"][name]["problem"]
    assert report["probes"][name]["longest_line_bytes"] < 64 * 1024
