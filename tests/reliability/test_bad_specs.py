"""The malformed-spec corpus through the real CLI app (in-process here; python -m
reliability.run runs each as a subprocess)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orsta_bench.cli.app import app
from reliability.bad_specs import check_case, load_cases

CASES = load_cases()


def in_process(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    return result.exit_code, result.output


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.path.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.stem)
def test_bad_spec_gives_one_clear_error_and_writes_nothing(case) -> None:
    assert check_case(case, in_process) == []
