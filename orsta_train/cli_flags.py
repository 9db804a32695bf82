"""The orsta-train flags, generated from TrainConfig: one definition per flag.

Each named flag is a TrainConfig field; its help text is the field's description and its default
the field's default, so `--help` cannot drift from the config (TRL's TrlParser does the same with
dataclass metadata). Any other key is reachable with `--set KEY=VALUE`.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, get_type_hints

import typer
from pydantic.fields import FieldInfo

from orsta_train.config import TrainConfig

# TrainConfig field -> flag spelling (today's names; a "--x/--no-x" pair for booleans).
FLAG_NAMES: dict[str, str] = {
    "model": "--model",
    "tasks": "--tasks",
    "output": "--output",
    "max_steps": "--max-steps",
    "seed": "--seed",
    "learning_rate": "--learning-rate",
    "num_generations": "--num-generations",
    "per_device_train_batch_size": "--batch-size",
    "max_completion_length": "--max-completion-length",
    "samples_per_task": "--samples-per-task",
    "eval_steps": "--eval-steps",
    "deepspeed": "--deepspeed",
    "use_vllm": "--use-vllm/--no-vllm",
    "vllm_mode": "--vllm-mode",
    "resume_from_checkpoint": "--resume",
    "tasks_dir": "--tasks-dir",
}


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    return "default: none" if value is None or value == [] else f"default: {value}"


def _flag_type(name: str, field: FieldInfo) -> Any:
    """The CLI type: the field's own scalar type, optional so an absent flag reads as None."""
    if name == "tasks_dir":
        return list[str] | None
    scalar = {int: int, float: float, bool: bool}
    for kind in (bool, int, float):
        if field.annotation is kind or field.annotation == kind | None:
            return scalar[kind] | None
    return str | None


def flag_parameters() -> list[inspect.Parameter]:
    """One keyword parameter per named flag, typed and described from TrainConfig."""
    params = []
    for name, flag in FLAG_NAMES.items():
        field = TrainConfig.model_fields[name]
        help_text = f"{field.description} ({_default_text(field)})"
        option = typer.Option(flag, help=help_text, show_default=False)
        params.append(inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None,
            annotation=Annotated[_flag_type(name, field), option]))
    return params


def with_config_flags(command: Any) -> Any:
    """Give `command(named, **other)` the generated flags: Typer reads __signature__ and
    __annotations__, and the wrapper hands the flag values on as one dict keyed by field."""
    hints = get_type_hints(command, include_extras=True)
    own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[p.name])
           for p in inspect.signature(command).parameters.values() if p.name != "named"]
    params = flag_parameters() + own

    def wrapper(**values: Any) -> None:
        named = {name: values.pop(name) for name in FLAG_NAMES}
        command(named, **values)

    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__doc__ = command.__doc__
    wrapper.__name__ = command.__name__
    return wrapper
