"""orsta_bench.atomic: whole files only, with the umask's mode (not mkstemp's 0600)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from orsta_bench.atomic import atomic_folder, atomic_path, write_json_atomic, write_text_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_file_is_readable_by_others_under_umask_022(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "results.json"
    write_json_atomic(target, {"a": "é"})
    assert _mode(target) == 0o644
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "é"}
    assert "é" in target.read_text(encoding="utf-8")  # non-ASCII kept as is


def test_mode_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        write_text_atomic(tmp_path / "private.txt", "x")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "private.txt") == 0o600


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_replaces_and_creates_missing_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_folder_is_renamed_whole_with_umask_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "model"
    with atomic_folder(target) as staging:
        (staging / "config.json").write_text("{}", encoding="utf-8")
        assert not target.exists()
    assert _mode(target) == 0o755
    assert [p.name for p in target.iterdir()] == ["config.json"]


def test_failed_folder_build_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError), atomic_folder(tmp_path / "model") as staging:
        (staging / "part").write_text("x", encoding="utf-8")
        raise ValueError("build failed")
    assert list(tmp_path.iterdir()) == []


def test_a_run_folder_is_readable_by_another_user(tmp_path: Path) -> None:
    """The reported bug: results.json was 0600 (mkstemp), so a CI job under another user could not
    read it. Under umask 022 every file of a run folder is 0644."""
    import subprocess
    import sys

    fixtures = Path(__file__).parent / "fixtures" / "run_tasks"
    output = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "orsta_bench.cli", "run", "--tasks", "runfix", "--tasks-dir", str(fixtures),
         "--output", str(output), "--model", "oracle", "--workers", "0", "--limit", "2", "--no-progress"],
        capture_output=True, text=True, timeout=600, preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    modes = {path.name: _mode(path) for path in output.iterdir() if path.is_file()}
    assert {"results.json", "run.json", "samples.jsonl"} <= set(modes)
    assert set(modes.values()) == {0o644}, modes
