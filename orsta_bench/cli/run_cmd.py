"""`orsta-bench run`: evaluate a model on tasks, leaving a complete, resumable run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.cli.common import (
    EXIT_FAILED,
    DataRootOption,
    TasksDirOption,
    console,
    err_console,
    fail,
)
from orsta_bench.score import FAILED_STATUSES


def run_command(
    model: Annotated[str, typer.Option("--model", "-m", help="oracle | tiny | nano | PATH | hf:ID | vllm:ID | openai:URL#NAME (docs/running.md).")],
    tasks: Annotated[str, typer.Option("--tasks", "-t", help="Task names, suites or globs, comma-separated.")] = "synth",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Run folder (re-run with the same folder to resume). Default: runs/<model>.")] = None,
    model_name: Annotated[str | None, typer.Option("--model-name", help="Served model name for openai: endpoints.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many samples per task.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", "-b", min=1, help="Requests per batch (hf).")] = 8,
    seed: Annotated[int, typer.Option("--seed", help="Generation seed (greedy ignores it) and bootstrap seed.")] = 0,
    gen_kwargs: Annotated[str | None, typer.Option("--gen-kwargs", help="k=v,...: max_new_tokens, temperature, top_p, stop (a|b).")] = None,
    backend_args: Annotated[str | None, typer.Option("--backend-args", help="k=v,... passed to the backend (dtype, device, concurrency ...).")] = None,
    log_samples: Annotated[bool, typer.Option("--log-samples", help="Also record messages, ground truth and verifier per sample.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Scoring worker processes.")] = 2,
    judge: Annotated[str | None, typer.Option("--judge", help="Model (same grammar as --model) that grades MEGA-Bench judge fields; without it they are not_scored.")] = None,
    judge_name: Annotated[str | None, typer.Option("--judge-name", help="Served model name for an openai: judge.")] = None,
    megabench_dir: Annotated[Path | None, typer.Option("--megabench-dir", help="A MEGA-Bench checkout: the judge then uses the official prompts read from it (default: $ORSTA_MEGABENCH_DIR, else the project's own prompts).")] = None,
    tasks_dir: TasksDirOption = None,
    data_root: DataRootOption = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No live display.")] = False,
) -> None:
    """Evaluate a model: live progress per task, then a table of scores with intervals.

    Under torchrun / accelerate launch / srun every process evaluates its share of the samples
    and rank 0 merges them (docs/running.md, "Many GPUs and machines")."""
    from rich.markup import escape

    from orsta_bench.backends.errors import BackendConfigError
    from orsta_bench.backends.resolve import parse_kv
    from orsta_bench.cli.run_notes import backend_error_count, backend_error_note
    from orsta_bench.distributed import detect_launch
    from orsta_bench.megabench.judge_prompts import (
        JudgePrompts,
        JudgePromptsError,
        resolve_judge_prompts,
    )
    from orsta_bench.results.aggregate import all_error_tasks
    from orsta_bench.results.records import RecordsError
    from orsta_bench.results.table import results_table
    from orsta_bench.runner.display import LiveDisplay
    from orsta_bench.runner.folder import RunFolderError
    from orsta_bench.runner.run import Runner
    from orsta_bench.runner.settings import RunConfig
    from orsta_bench.safe_files import UnsafePathError
    from orsta_bench.sources.base import SourceError
    from orsta_bench.spec.catalog import SelectionError
    from orsta_bench.spec.loader import SpecError

    out_dir = output or Path("runs") / _slug(model)
    try:
        launch = detect_launch()
    except ValueError as error:
        fail(f"distributed launch: {error}")
    try:
        config = RunConfig(
            model=model, tasks=tasks, model_name=model_name, limit=limit, batch_size=batch_size,
            seed=seed, gen_kwargs=parse_kv(gen_kwargs, "--gen-kwargs"),
            backend_args=parse_kv(backend_args, "--backend-args"), log_samples=log_samples,
            workers=workers, tasks_dir=tasks_dir, judge=judge, judge_name=judge_name,
            data_roots=data_root,
            judge_prompts=resolve_judge_prompts(megabench_dir) if judge else JudgePrompts(),
            output=out_dir, progress=not no_progress)
        if no_progress or not launch.is_main:  # one live display per launch: rank 0's
            outcome = Runner(config, launch=launch).run()
        else:
            with LiveDisplay(err_console) as display:
                outcome = Runner(config, display, launch).run()
    except KeyboardInterrupt:
        err_console.print(f"interrupted: finished samples are kept in {out_dir}; run the "
                          "same command again to resume")
        raise typer.Exit(130) from None
    except SpecError as error:
        fail(f"invalid task specs:\n{error}")
    except (BackendConfigError, RunFolderError, SelectionError, SourceError, RecordsError,
            JudgePromptsError, UnsafePathError) as error:
        fail(str(error) if launch.is_main else f"rank {launch.rank}: {error}")
    if outcome.results is None:  # another rank of a distributed launch: rank 0 reports
        return
    what = "resumed" if outcome.resumed else "new run"
    console.print(results_table(outcome.results, title=f"{model} ({what}: {outcome.n_kept} kept, "
                                                    f"{outcome.n_new} evaluated)"))
    console.print(f"results: {config.output / 'results.json'}  samples: {config.output / 'samples.jsonl'}")
    if judge:
        prompts = config.judge_prompts
        console.print(escape(f"judge prompts: official MEGA-Bench ({prompts.checkout}, revision "
                             f"{prompts.revision or 'unknown'})" if prompts.official else
                             "judge prompts: the project's own (no MEGA-Bench checkout given)"), highlight=False, soft_wrap=True)
    harness_failures = sum(outcome.status_counts.get(s.value, 0) for s in FAILED_STATUSES)
    dead = all_error_tasks(outcome.results)
    if dead:
        err_console.print(f"[red]task(s) with every sample `error` (nothing scored): {escape(', '.join(dead))}[/]",
                          highlight=False)
    if unanswered := backend_error_count(outcome.results):
        err_console.print(escape(backend_error_note(unanswered, config.output)), highlight=False, soft_wrap=True)
    if harness_failures:
        err_console.print(f"[red]{harness_failures} sample(s) could not be scored "
                          "(error / backend_error); see samples.jsonl[/]")
        raise typer.Exit(EXIT_FAILED)


def _slug(model: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in model.rstrip("/"))
    return keep.strip("_.")[-60:] or "model"
