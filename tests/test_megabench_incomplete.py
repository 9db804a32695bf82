"""A MEGA-Bench Core / Open / Overall counting a task with a `not_scored` (or `error`) field is
flagged incomplete in results.json, the results table and both leaderboard pages: a partial Core
never looks like a full one."""

from __future__ import annotations

import json
import re
from pathlib import Path

from results_runs import record, write_run
from rich.console import Console

from orsta_bench.results.aggregate import aggregate_run
from orsta_bench.results.leaderboard import Entry, render_markdown
from orsta_bench.results.leaderboard_html import render_html
from orsta_bench.results.table import results_table


def _mb(task: str, spec: str, rows: list[tuple[float, str]]) -> list[dict]:
    records = [record(task, f"{task}-{i}", value, status=status, metric="megabench", family="megabench",
                      suite="megabench") for i, (value, status) in enumerate(rows)]
    for row in records:
        row["spec"] = spec
    return records


def _results(tmp_path: Path, name: str, judged_status: str) -> dict:
    records = (_mb("rule_task", "megabench_core", [(1.0, "ok"), (0.5, "ok")])
               + _mb("needs_tool", "megabench_core", [(1.0, "ok"), (0.0, judged_status)])
               + _mb("judged", "megabench_open", [(0.4, "ok")]))
    return aggregate_run(write_run(tmp_path / name, records, model=name), resamples=200,
                         created="2026-01-01T00:00:00+00:00")


def test_results_json_flags_each_part_that_counts_an_incomplete_task(tmp_path: Path) -> None:
    section = _results(tmp_path, "partial", "not_scored")["megabench"]
    assert section["core"]["complete"] is False and section["core"]["incomplete_tasks"] == ["needs_tool"]
    assert section["overall"]["complete"] is False and section["overall"]["incomplete_tasks"] == ["needs_tool"]
    assert section["open"]["complete"] is True and section["open"]["incomplete_tasks"] == []
    assert _results(tmp_path, "errors", "error")["megabench"]["core"]["complete"] is False
    full = _results(tmp_path, "full", "ok")["megabench"]
    assert all(full[part]["complete"] for part in ("core", "open", "overall"))


def test_table_and_leaderboard_mark_the_partial_core(tmp_path: Path) -> None:
    partial, full = _results(tmp_path, "partial", "not_scored"), _results(tmp_path, "full", "ok")
    console = Console(record=True, width=200)
    console.print(results_table(partial))
    text = console.export_text()
    core_row = next(line for line in text.splitlines() if "MEGA-Bench Core" in line)
    assert "(incomplete)" in core_row
    assert "(incomplete)" in next(line for line in text.splitlines() if "MEGA-Bench Overall" in line)
    assert "(incomplete)" not in next(line for line in text.splitlines() if "MEGA-Bench Open" in line)
    assert "1 counted task(s) have fields not scored" in " ".join(text.split())
    console = Console(record=True, width=200)
    console.print(results_table(full))
    assert "incomplete" not in console.export_text()

    entries = [Entry("full-model", full), Entry("partial-model", partial)]
    readme = render_markdown(entries)
    assert "MEGA-Bench Core (95% CI)" in readme
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| \d+ \| (\S+) \|.*$", readme, re.M)}
    assert "(incomplete)" in rows["partial-model"] and "(incomplete)" not in rows["full-model"]
    page = render_html(entries)
    partial_row = next(line for line in page.splitlines() if 'data-model="partial-model"' in line)
    full_row = next(line for line in page.splitlines() if 'data-model="full-model"' in line)
    assert partial_row.count("(incomplete)") == 3 and "(incomplete)" not in full_row  # suite, Core, Overall
    json.dumps(partial)  # still plain JSON
