"""`orsta-bench leaderboard` says what it replaces, shows each row's sample count, warns when
rows ran with different --limit, and refuses results where the model never answered."""

from __future__ import annotations

import json
import re
from pathlib import Path

from results_runs import binary_task, record, write_run

from orsta_bench.results.aggregate import aggregate_run


def _results(folder: Path, model: str, records: list[dict], created: str, **run: object) -> Path:
    write_run(folder, records, model=model, run=dict(run))
    results = aggregate_run(folder, resamples=200, created=created)
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return folder


def _rows(readme: str) -> dict[str, list[str]]:
    rows = [line for line in readme.splitlines() if re.match(r"\| \d+ \|", line)]
    return {cells[2].strip(): [c.strip() for c in cells[1:-1]]
            for cells in (re.split(r"(?<!\\)\|", row) for row in rows)}


def test_replacing_an_entry_is_said(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    old = _results(tmp_path / "a", "m1", binary_task("synth_math", 40, 0.5, seed=1),
                   "2026-01-02T00:00:00+00:00")
    new = _results(tmp_path / "b", "m1", binary_task("synth_math", 60, 0.9, seed=1),
                   "2026-02-03T00:00:00+00:00")
    first = cli("leaderboard", str(old), "--dir", str(board))
    assert first.returncode == 0 and "added" in first.stdout and "replaced" not in first.stdout
    again = cli("leaderboard", str(new), "--dir", str(board))
    assert again.returncode == 0, again.stderr
    assert ("replaced the entry 'm1' (2026-01-02, 40 samples) by the new results "
            "(2026-02-03, 60 samples)") in again.stdout


def test_sample_counts_per_row_and_a_warning_for_different_limits(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    partial = (binary_task("synth_math", 30, 0.6, seed=2)
               + binary_task("synth_ocr", 20, 0.5, seed=3, family="ocr")
               + [record("synth_ocr", f"failed-{i}", 0.0, status="backend_error", family="ocr")
                  for i in range(10)])
    small = _results(tmp_path / "s", "small", partial, "2026-03-04T00:00:00+00:00", limit=30)
    full = _results(tmp_path / "f", "full", binary_task("synth_math", 200, 0.7, seed=4)
                    + binary_task("synth_ocr", 200, 0.4, seed=5, family="ocr"),
                    "2026-03-04T00:00:00+00:00")
    done = cli("leaderboard", str(small), str(full), "--dir", str(board))
    assert done.returncode == 0, done.stderr
    readme = (board / "README.md").read_text()
    rows = _rows(readme)
    header = next(line for line in readme.splitlines() if line.startswith("| #"))
    column = [cell.strip() for cell in header.split("|")[1:-1]].index("samples")
    assert rows["full"][column] == "400"
    assert rows["small"][column] == "50 of 60 scored"
    warning = "different numbers of samples per task (--limit 30: small; all samples: full)"
    assert warning in " ".join(done.stderr.split())
    assert f"**Warning:** Rows were evaluated on {warning}" in readme
    page = (board / "index.html").read_text()
    assert 'id="limit-warning"' in page and "50 of 60 scored" in page

    same = tmp_path / "board2"
    assert cli("leaderboard", str(full), "--dir", str(same)).returncode == 0
    assert "Warning" not in (same / "README.md").read_text()
    assert 'id="limit-warning"' not in (same / "index.html").read_text()


def test_results_with_only_backend_errors_are_refused(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    dead = _results(tmp_path / "d", "offline-endpoint",
                    [record("synth_math", i, 0.0, status="backend_error") for i in range(12)],
                    "2026-03-04T00:00:00+00:00")
    done = cli("leaderboard", str(dead), "--dir", str(board))
    assert done.returncode == 2
    assert "every sample is backend_error" in done.stderr
    assert not board.exists()


def test_a_refused_file_among_several_adds_none_of_them(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    good = _results(tmp_path / "g", "good", binary_task("synth_math", 20, 0.5, seed=6),
                    "2026-03-04T00:00:00+00:00")
    dead = _results(tmp_path / "d", "offline-endpoint",
                    [record("synth_math", i, 0.0, status="backend_error") for i in range(12)],
                    "2026-03-04T00:00:00+00:00")
    done = cli("leaderboard", str(good), str(dead), "--dir", str(board))
    assert done.returncode == 2
    assert "every sample is backend_error" in done.stderr
    assert not board.exists()  # the good file was not added before the refusal
