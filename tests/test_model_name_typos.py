"""A mistyped --model (`tinyy`, `foo:bar`) is refused at once with the closest name and the
accepted prefixes: exit 2, no progress row drawn, no run folder left."""

from __future__ import annotations

from pathlib import Path

import pytest

from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.resolve import parse_model

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"


@pytest.mark.parametrize(("typed", "hint"), [
    ("tinyy", "did you mean tiny?"),
    ("Nano", "did you mean nano?"),
    ("orcale", "did you mean oracle?"),
    ("gpt2", "a hub id with no ORG/ is written hf:gpt2"),
    ("hff:org/model", "did you mean hf:org/model?"),
    ("foo:bar", "unknown prefix 'foo:'"),
])
def test_unknown_names_suggest_and_list_prefixes(typed: str, hint: str) -> None:
    with pytest.raises(BackendConfigError) as raised:
        parse_model(typed)
    assert hint in str(raised.value)
    assert "prefixes: hf:, vllm:, openai:" in str(raised.value)


def test_valid_names_still_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_model("tiny").builtin == "tiny"
    assert parse_model("hf:gpt2").target == "gpt2"
    assert parse_model("org/name").target == "org/name"
    folder = tmp_path / "tinyy"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert parse_model("tinyy").target == str(folder.resolve())  # an existing folder wins


@pytest.mark.parametrize("typed", ["tinyy", "foo:bar"])
def test_cli_refuses_before_any_progress_row(cli, typed: str, tmp_path: Path) -> None:
    output = tmp_path / "run"
    # TTY_COMPATIBLE makes rich draw its live display although stderr is a pipe, as in a terminal.
    done = cli("run", "--model", typed, "--tasks", "runfix", "--tasks-dir", str(FIXTURES),
               "--output", str(output), env={"TTY_COMPATIBLE": "1", "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 2, done.stderr
    assert "prefixes: hf:, vllm:, openai:" in done.stderr
    assert "run_count" not in done.stderr and "run_arith" not in done.stderr  # no progress row
    assert not output.exists()
