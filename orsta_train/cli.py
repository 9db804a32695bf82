"""`orsta-train`: GRPO post-training whose rewards come from orsta-bench task specs.

Priority of values: preset (--preset, default vtriune) < YAML --config < flags (the named flags
below and `--set KEY=VALUE` for any other TrainConfig key). Exit 2 on bad input, nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.api import command_help
from orsta_train.cli_flags import with_config_flags

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def train_command(
    named: dict,
    preset: Annotated[str | None, typer.Option(
        "--preset", help="vtriune (the paper), vtriune-release, cpu-smoke or none "
        "(default: cpu-smoke for --model tiny, else vtriune)")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="YAML file of TrainConfig keys (docs/training.md) (default: none)")] = None,
    set_items: Annotated[list[str] | None, typer.Option(
        "--set", help="KEY=VALUE for any other TrainConfig key, repeatable (default: none)")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="replace the model and checkpoints of an earlier run in --output (default: off)")] = False,
    print_config: Annotated[bool, typer.Option(
        "--print-config", help="print the resolved configuration and exit (default: off)")] = False,
) -> None:
    """Post-train a vision-language model with GRPO (TRL) on verifiable rewards from task specs.

    Defaults shown are TrainConfig's; the preset (--preset) overrides some of them, --config
    overrides the preset and the flags override both (--print-config shows the result)."""
    import json

    from orsta_train.config import ConfigError, parse_set_items, read_config_file, resolve_config

    try:
        file_values = read_config_file(config) if config else {}
        named = {key: (value if value != [] else None) for key, value in named.items()}
        overrides = {**named, **parse_set_items(set_items or [])}
        cfg = resolve_config(preset, file_values, overrides)
    except ConfigError as error:
        _fail(str(error))
    if print_config:
        typer.echo(json.dumps(cfg.model_dump(), indent=2, sort_keys=True))
        return
    _guard_output(cfg, overwrite)
    _run(cfg)


def _guard_output(cfg, overwrite: bool) -> None:
    """Refuse an --output holding a run unless --resume or --overwrite says what to do with it."""
    from orsta_train.output_guard import clear_earlier_run, refusal

    if cfg.resume_from_checkpoint is not None:
        if overwrite:
            _fail("--resume and --overwrite contradict each other; give one")
        return
    message = refusal(Path(cfg.output))
    if message is None:
        return
    if not overwrite:
        _fail(message)
    clear_earlier_run(Path(cfg.output))


_train = with_config_flags(train_command)
app.command(help=command_help(_train))(_train)


TRAIN_MODULES = ("torch", "transformers", "trl", "datasets")


def _require_train_extra() -> None:
    """Say which install step is missing instead of a ModuleNotFoundError traceback (the quick
    start installs only the `hf` extra)."""
    from importlib.util import find_spec

    missing = [name for name in TRAIN_MODULES if find_spec(name) is None]
    if missing:
        _fail(f"orsta-train needs the train extra (missing: {', '.join(missing)}); install it with: "
              "pip install -c constraints/cpu.txt -e '.[train]' (or: bash scripts/setup.sh dev)")


def _run(cfg) -> None:
    _require_train_extra()
    from orsta_bench.api import SelectionError, SourceError, SpecError
    from orsta_train.build import train
    from orsta_train.config import ConfigError
    from orsta_train.dataset import TrainDataError
    from orsta_train.model import ModelSetupError

    try:
        built = train(cfg)
    except (ConfigError, ModelSetupError, TrainDataError, SelectionError, SourceError) as error:
        _fail(str(error))
    except SpecError as error:
        _fail(f"invalid task specs:\n{error}")
    if not built.trainer.accelerator.is_main_process:
        return
    state = built.trainer.state
    typer.echo(f"trained {state.global_step} steps; model and processor saved in {cfg.output} "
               f"(evaluate: orsta-bench run --model {cfg.output} --tasks {cfg.tasks})")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
