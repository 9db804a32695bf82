"""`orsta-bench leaderboard`: results collected into leaderboard/, README.md and index.html
generated from them, bad files refused with nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from results_runs import binary_task, write_run

from orsta_bench.results.aggregate import aggregate_run


def _results(root: Path, model: str, accuracy: float, **run: object) -> Path:
    records = (binary_task("synth_math", 60, accuracy, seed=1, family="math",
                           category="reasoning")
               + binary_task("synth_ocr", 60, accuracy - 0.1, seed=2, family="ocr"))
    folder = write_run(root / model.replace("/", "_"), records, model=model, run=dict(run))
    results = aggregate_run(folder, resamples=500, created="2026-03-04T05:06:07+00:00")
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return folder


def test_results_are_collected_and_both_pages_generated(cli, tmp_path: Path) -> None:
    board = tmp_path / "leaderboard"
    weak = _results(tmp_path, "org/weak|model", 0.4)
    strong = _results(tmp_path, "strong-7b", 0.8)
    done = cli("leaderboard", str(weak / "results.json"), str(strong), "--dir", str(board))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (board / "results").iterdir()) == [
        "org-weak-model.json", "strong-7b.json"]

    readme = (board / "README.md").read_text()
    rows = [line for line in readme.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 2
    assert rows[0].startswith("| 1 | strong-7b | 75.0 [")  # best first; (80 + 70) / 2
    assert "org/weak\\|model" in rows[1]  # pipes escaped, the table stays intact
    cells = [re.split(r"(?<!\\)\|", row) for row in rows]
    assert len(cells[0]) == len(cells[1]) == len(readme.splitlines()[4].split("|"))
    assert "| math | ocr |" in readme and "2026-03-04" in rows[0]
    fingerprint = re.search(r"`([0-9a-f]{8})`", rows[0]).group(1)
    assert f"`{fingerprint}`" in rows[1]  # same specs, same fingerprint

    page = (board / "index.html").read_text()
    assert page.count('<tr data-model="') == 2
    assert "strong-7b" in page and "org/weak|model" in page
    # Self-contained: nothing fetched from anywhere.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "default-src 'none'" in page


def test_adding_a_model_again_replaces_it_and_no_args_regenerates(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    first = _results(tmp_path / "a", "m1", 0.5)
    assert cli("leaderboard", str(first), "--dir", str(board)).returncode == 0
    better = _results(tmp_path / "b", "m1", 0.9)
    assert cli("leaderboard", str(better), "--dir", str(board)).returncode == 0
    assert [p.name for p in (board / "results").iterdir()] == ["m1.json"]
    (board / "README.md").unlink()
    done = cli("leaderboard", "--dir", str(board))
    assert done.returncode == 0 and "1 models" in done.stdout
    assert "| 1 | m1 | 85.0 [" in (board / "README.md").read_text()


def test_display_name_prefers_model_name_and_name_flag(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    run = _results(tmp_path, "/ckpt/step-1000", 0.6, model_name="Orsta-7B step 1000")
    assert cli("leaderboard", str(run), "--dir", str(board)).returncode == 0
    assert (board / "results" / "Orsta-7B-step-1000.json").is_file()
    assert cli("leaderboard", str(run), "--dir", str(board), "--name", "mine").returncode == 0
    assert "| mine |" in (board / "README.md").read_text()


def test_bad_results_exit_2_and_write_nothing(cli, tmp_path: Path) -> None:
    board = tmp_path / "board"
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1,\n "tasks": [', encoding="utf-8")
    done = cli("leaderboard", str(broken), "--dir", str(board))
    assert done.returncode == 2
    assert f"{broken}:2: not valid JSON" in done.stderr
    assert not board.exists()

    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema_version": 2}), encoding="utf-8")
    done = cli("leaderboard", str(other), "--dir", str(board))
    assert done.returncode == 2 and "schema_version 1" in done.stderr

    done = cli("leaderboard", str(tmp_path / "missing.json"), "--dir", str(board))
    assert done.returncode == 2 and "cannot read" in done.stderr
    assert not board.exists()

    run = _results(tmp_path, "m", 0.5)
    done = cli("leaderboard", str(run), str(run), "--name", "x", "--dir", str(board))
    assert done.returncode == 2 and "--name names one model" in done.stderr
