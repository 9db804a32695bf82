"""What one `orsta-bench run` is asked to do, and how generation settings are derived from a
task spec plus the user's --gen-kwargs and --seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orsta_bench.backends.base import GenerationSettings
from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.megabench.judge_prompts import JudgePrompts

GEN_KEYS = {"max_new_tokens": int, "temperature": float, "top_p": float, "stop": str}


@dataclass
class RunConfig:
    model: str
    tasks: str
    output: Path
    model_name: str | None = None
    limit: int | None = None
    batch_size: int = 8
    seed: int = 0
    gen_kwargs: dict[str, Any] = field(default_factory=dict)
    backend_args: dict[str, Any] = field(default_factory=dict)
    log_samples: bool = False
    workers: int = 2
    tasks_dir: list[Path] | None = None
    progress: bool = True
    judge: str | None = None  # --model grammar: grades MEGA-Bench judge fields (docs/megabench.md)
    judge_name: str | None = None
    judge_prompts: JudgePrompts = field(default_factory=JudgePrompts)  # --megabench-dir: official or ours
    data_roots: list[Path] | None = None  # --data-root: folders specs may name data in


def check_gen_kwargs(gen: dict[str, Any]) -> dict[str, Any]:
    """Validate --gen-kwargs; `stop` takes several strings separated by '|'."""
    unknown = sorted(set(gen) - set(GEN_KEYS))
    if unknown:
        raise BackendConfigError(f"--gen-kwargs: unknown key(s) {', '.join(unknown)} "
                                 f"(accepted: {', '.join(GEN_KEYS)})")
    checked: dict[str, Any] = {}
    for key, value in gen.items():
        kind = GEN_KEYS[key]
        try:
            checked[key] = str(value).split("|") if key == "stop" else kind(value)
        except (TypeError, ValueError):
            raise BackendConfigError(f"--gen-kwargs: {key}={value!r} is not a {kind.__name__}") from None
    if checked.get("max_new_tokens", 1) < 1 or checked.get("temperature", 0) < 0 or \
            not 0 < checked.get("top_p", 1) <= 1:
        raise BackendConfigError("--gen-kwargs: need max_new_tokens >= 1, temperature >= 0, 0 < top_p <= 1")
    return checked


def generation_for(spec: Any, gen: dict[str, Any], seed: int) -> GenerationSettings:
    """The spec's generation block, overridden by --gen-kwargs; greedy unless asked otherwise."""
    base = spec.generation.model_dump()
    base.update(gen)
    return GenerationSettings(max_new_tokens=base["max_new_tokens"], temperature=base["temperature"],
                              top_p=base["top_p"], stop=tuple(base["stop"]), seed=seed)
