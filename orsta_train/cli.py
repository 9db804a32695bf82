"""`orsta-train`: GRPO post-training whose rewards come from orsta-bench task specs.

Priority of values: preset (--preset, default vtriune) < YAML --config < flags (the named flags
below and `--set KEY=VALUE` for any other TrainConfig key). Exit 2 on bad input, nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def train_command(
    model: Annotated[str, typer.Option("--model", help="tiny, a local checkpoint folder, hf:FOLDER")] = "",
    tasks: Annotated[str, typer.Option("--tasks", help="task names, a suite (synth) or a glob")] = "",
    output: Annotated[str, typer.Option("--output", help="output folder")] = "",
    preset: Annotated[str | None, typer.Option("--preset", help="vtriune (default), cpu-smoke, none")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="YAML file of TrainConfig keys")] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps")] = None,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    learning_rate: Annotated[float | None, typer.Option("--learning-rate")] = None,
    num_generations: Annotated[int | None, typer.Option("--num-generations")] = None,
    per_device_train_batch_size: Annotated[int | None, typer.Option("--batch-size")] = None,
    max_completion_length: Annotated[int | None, typer.Option("--max-completion-length")] = None,
    samples_per_task: Annotated[int | None, typer.Option("--samples-per-task")] = None,
    eval_steps: Annotated[int | None, typer.Option("--eval-steps")] = None,
    deepspeed: Annotated[str | None, typer.Option("--deepspeed", help="zero2, zero3 or a JSON path")] = None,
    use_vllm: Annotated[bool | None, typer.Option("--use-vllm/--no-vllm")] = None,
    vllm_mode: Annotated[str | None, typer.Option("--vllm-mode", help="colocate or server")] = None,
    resume_from_checkpoint: Annotated[str | None, typer.Option("--resume", help="'last' or a checkpoint folder")] = None,
    tasks_dir: Annotated[list[str] | None, typer.Option("--tasks-dir")] = None,
    set_items: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE for any config key (repeatable)")] = None,
    print_config: Annotated[bool, typer.Option("--print-config", help="print the resolved configuration and exit")] = False,
) -> None:
    """Post-train a vision-language model with GRPO (TRL) on verifiable rewards from task specs."""
    import json

    from orsta_train.config import ConfigError, parse_set_items, read_config_file, resolve_config

    named = {
        "model": model or None, "tasks": tasks or None, "output": output or None,
        "max_steps": max_steps, "seed": seed, "learning_rate": learning_rate,
        "num_generations": num_generations, "per_device_train_batch_size": per_device_train_batch_size,
        "max_completion_length": max_completion_length, "samples_per_task": samples_per_task,
        "eval_steps": eval_steps, "deepspeed": deepspeed, "use_vllm": use_vllm, "vllm_mode": vllm_mode,
        "resume_from_checkpoint": resume_from_checkpoint, "tasks_dir": tasks_dir or None,
    }
    try:
        file_values = read_config_file(config) if config else {}
        overrides = {**named, **parse_set_items(set_items or [])}
        cfg = resolve_config(preset, file_values, overrides)
    except ConfigError as error:
        _fail(str(error))
    if print_config:
        typer.echo(json.dumps(cfg.model_dump(), indent=2, sort_keys=True))
        return
    _run(cfg)


def _run(cfg) -> None:
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
