"""The `orsta-bench` command. Each subcommand lives in its own module and imports its heavy
dependencies inside the function, so `--help`, `list` and `validate` start fast."""

from __future__ import annotations

import typer

from orsta_bench.cli.common import command_help
from orsta_bench.cli.compare_cmd import compare_command
from orsta_bench.cli.export_cmd import export_command
from orsta_bench.cli.leaderboard_cmd import leaderboard_command
from orsta_bench.cli.list_cmd import list_command
from orsta_bench.cli.run_cmd import run_command
from orsta_bench.cli.score_cmd import score_command
from orsta_bench.cli.tiny_cmd import build_tiny_command
from orsta_bench.cli.validate_cmd import validate_command

app = typer.Typer(
    name="orsta-bench",
    help="Evaluate vision-language models with the same task specs that drive RL training rewards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("list", help=command_help(list_command))(list_command)
app.command("run", help=command_help(run_command))(run_command)
app.command("build-tiny", help=command_help(build_tiny_command))(build_tiny_command)
app.command("validate", help=command_help(validate_command))(validate_command)
app.command("compare", help=command_help(compare_command))(compare_command)
app.command("leaderboard", help=command_help(leaderboard_command))(leaderboard_command)
app.command("export", help=command_help(export_command))(export_command)
app.command("score", help=command_help(score_command))(score_command)


def main() -> None:
    app()
