"""The foundation CLI: --help, list, validate, exit codes, and a light start-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.test_spec_loader import GOOD


def test_help_lists_commands(cli):
    result = cli("--help")
    assert result.returncode == 0
    for command in ("list", "validate"):
        assert command in result.stdout


def test_validate_builtin_tasks_passes(cli):
    result = cli("validate")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_validate_reports_every_problem_and_exits_2(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD + "colour: red\n")
    (tmp_path / "b.yaml").write_text("name: [\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("validate", str(tmp_path))
    assert result.returncode == 2
    assert "a.yaml:12: field 'colour'" in result.stderr
    assert "b.yaml" in result.stderr and "YAML syntax error" in result.stderr
    assert "2 problem(s)" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_list_shows_tasks_and_counts(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "data.jsonl").write_text('{"question": "q", "answer": 1}\n{"question": "r", "answer": 2}\n')
    result = cli("list", "--tasks-dir", str(tmp_path), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "demo_count" in line)
    assert "counting" in row and "count" in row and " 2 " in row


def test_list_keeps_counts_in_an_80_column_terminal(cli):
    result = cli("list", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "samples" in result.stdout  # the column is never cropped
    row = next(line for line in result.stdout.splitlines() if "synth_math" in line)
    assert " 200 " in row  # the built-in suite has 200 samples per task


def test_list_bad_selection_exits_2(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    result = cli("list", "--tasks-dir", str(tmp_path), "--tasks", "demo_cuont")
    assert result.returncode == 2
    assert "demo_count" in result.stderr  # the near match is suggested


def test_list_on_broken_specs_exits_2(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(textwrap.dedent(GOOD).replace("family: counting", "family: 7"))
    result = cli("list", "--tasks-dir", str(tmp_path))
    assert result.returncode == 2
    assert "a.yaml" in result.stderr and "family" in result.stderr


def test_light_commands_do_not_import_torch():
    code = (
        "import sys\n"
        "from orsta_bench.cli.app import app\n"
        "from orsta_bench.spec.catalog import load_catalog\n"
        "from orsta_bench.verifiers.registry import verifier_names\n"
        "load_catalog(); verifier_names()\n"
        "heavy = [m for m in ('torch', 'transformers', 'trl', 'datasets', 'vllm') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_help_does_not_break_sentences_at_docstring_line_ends(cli):
    result = cli("leaderboard", "--help", env={"COLUMNS": "300"})
    assert result.returncode == 0, result.stderr
    assert "(Markdown table) and DIR/index.html" in result.stdout
    listing = cli("--help", env={"COLUMNS": "300"}).stdout
    assert "verifier and source names, duplicates." in listing


def test_errors_print_brackets_as_written(capsys):
    import typer

    from orsta_bench.cli.common import fail

    with pytest.raises(typer.Exit) as stopped:
        fail("install it with: pip install 'orsta-bench[interop]'")
    assert stopped.value.exit_code == 2
    assert "pip install 'orsta-bench[interop]'" in capsys.readouterr().err
