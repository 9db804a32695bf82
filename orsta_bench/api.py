"""The public surface of orsta_bench for code outside it: orsta_train, scripts/, research/ and
benchmarks/ import orsta_bench only from here (an import-linter contract in pyproject.toml checks
it). Everything else in orsta_bench may change without notice.

Names load on first use (PEP 562), so `from orsta_bench.api import Sample` costs what importing
orsta_bench.sample costs, not the whole package; torch and other heavy libraries stay lazy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the module that defines it
_HOMES: dict[str, str] = {
    # samples and their JSON records (Sample.to_json_dict / Sample.from_json_dict)
    "Sample": "orsta_bench.sample",
    "SampleImage": "orsta_bench.sample",
    "VerifierCall": "orsta_bench.sample",
    "content_parts": "orsta_bench.sample",
    "user_message": "orsta_bench.sample",
    # scores, statuses and scoring (one path for run, score and train)
    "Score": "orsta_bench.score",
    "Status": "orsta_bench.score",
    "UNSCORABLE_STATUSES": "orsta_bench.score",
    "EXCLUDED_STATUSES": "orsta_bench.score",
    "FAILED_STATUSES": "orsta_bench.score",
    "score": "orsta_bench.reward",
    "score_sample": "orsta_bench.reward",
    "eval_context": "orsta_bench.reward",
    "train_context": "orsta_bench.reward",
    "ScoreJob": "orsta_bench.scoring",
    "ScoringPool": "orsta_bench.scoring",
    "ideal_response": "orsta_bench.oracle",
    # task specs: the catalog, selection, samples of a task, synthetic data
    "LoadedSpec": "orsta_bench.spec.loaded",
    "SpecError": "orsta_bench.spec.loader",
    "load_spec": "orsta_bench.spec.loader",
    "load_catalog": "orsta_bench.spec.catalog",
    "select_tasks": "orsta_bench.spec.catalog",
    "SelectionError": "orsta_bench.spec.catalog",
    "iter_samples": "orsta_bench.sources.base",
    "SourceError": "orsta_bench.sources.base",
    "FREEFORM_INSTRUCTION": "orsta_bench.sources.vtriune",
    "TAGGED_INSTRUCTION": "orsta_bench.sources.vtriune",
    # V-Triune's parquet rows, written from samples (data of the released shape)
    "sample_to_row": "orsta_bench.interop.vtriune",
    "write_vtriune": "orsta_bench.interop.vtriune",
    "GENERATORS": "orsta_bench.synth",
    "Shape": "orsta_bench.synth.shapes",
    "draw_shape": "orsta_bench.synth.shapes",
    "generate": "orsta_bench.synth",
    # models and backends: the --model grammar, the built-in checkpoints, chat requests
    "parse_model": "orsta_bench.backends.resolve",
    "model_folder": "orsta_bench.backends.resolve",
    "parse_kv": "orsta_bench.backends.resolve",
    "parse_pairs": "orsta_bench.keyvalue",
    "parse_value": "orsta_bench.keyvalue",
    "BackendConfigError": "orsta_bench.backends.errors",
    "ChatRequest": "orsta_bench.backends.base",
    "HFBackend": "orsta_bench.backends.hf",
    "to_hf_messages": "orsta_bench.backends.messages",
    "CHAT_TEMPLATE": "orsta_bench.models.tiny",
    "SPECIAL_TOKENS": "orsta_bench.models.tiny",
    "build_tiny_model": "orsta_bench.models.tiny",
    "build_atomically": "orsta_bench.models.tiny",
    "tiny_model_path": "orsta_bench.models.tiny",
    "mrope_section": "orsta_bench.models.qwen",
    "text_config": "orsta_bench.models.qwen",
    "qwen25vl_config": "orsta_bench.models.qwen",
    "seeded_qwen25vl": "orsta_bench.models.qwen",
    "save_qwen25vl": "orsta_bench.models.qwen",
    # runs and results (take_shard: this process's share of a list across data-parallel ranks)
    "take_shard": "orsta_bench.distributed",
    "RunConfig": "orsta_bench.runner.settings",
    "generation_for": "orsta_bench.runner.settings",
    "Runner": "orsta_bench.runner.run",
    "aggregate_run": "orsta_bench.results.aggregate",
    "compare_runs": "orsta_bench.results.compare",
    "mean_interval": "orsta_bench.results.bootstrap",
    "percentile_interval": "orsta_bench.results.bootstrap",
    "stratum_draws": "orsta_bench.results.bootstrap",
    # command-line help (one paragraph per line, as orsta-bench's own commands)
    "command_help": "orsta_bench.cli.common",
    # files
    "atomic_path": "orsta_bench.atomic",
    "atomic_folder": "orsta_bench.atomic",
    "write_text_atomic": "orsta_bench.atomic",
    "write_json_atomic": "orsta_bench.atomic",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"orsta_bench.api has no {name!r} (public names: {', '.join(__all__)})")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and import-linter; at run time names load lazily above
    from orsta_bench.atomic import atomic_folder, atomic_path, write_json_atomic, write_text_atomic  # noqa: F401
    from orsta_bench.backends.base import ChatRequest  # noqa: F401
    from orsta_bench.backends.errors import BackendConfigError  # noqa: F401
    from orsta_bench.backends.hf import HFBackend  # noqa: F401
    from orsta_bench.backends.messages import to_hf_messages  # noqa: F401
    from orsta_bench.backends.resolve import model_folder, parse_kv, parse_model  # noqa: F401
    from orsta_bench.cli.common import command_help  # noqa: F401
    from orsta_bench.distributed import take_shard  # noqa: F401
    from orsta_bench.interop.vtriune import sample_to_row, write_vtriune  # noqa: F401
    from orsta_bench.keyvalue import parse_pairs, parse_value  # noqa: F401
    from orsta_bench.models.qwen import (  # noqa: F401
        mrope_section,
        qwen25vl_config,
        save_qwen25vl,
        seeded_qwen25vl,
        text_config,
    )
    from orsta_bench.models.tiny import (  # noqa: F401
        CHAT_TEMPLATE,
        SPECIAL_TOKENS,
        build_atomically,
        build_tiny_model,
        tiny_model_path,
    )
    from orsta_bench.oracle import ideal_response  # noqa: F401
    from orsta_bench.results.aggregate import aggregate_run  # noqa: F401
    from orsta_bench.results.bootstrap import mean_interval, percentile_interval, stratum_draws  # noqa: F401
    from orsta_bench.results.compare import compare_runs  # noqa: F401
    from orsta_bench.reward import eval_context, score, score_sample, train_context  # noqa: F401
    from orsta_bench.runner.run import Runner  # noqa: F401
    from orsta_bench.runner.settings import RunConfig, generation_for  # noqa: F401
    from orsta_bench.sample import Sample, SampleImage, VerifierCall, content_parts, user_message  # noqa: F401
    from orsta_bench.score import (  # noqa: F401
        EXCLUDED_STATUSES,
        FAILED_STATUSES,
        UNSCORABLE_STATUSES,
        Score,
        Status,
    )
    from orsta_bench.scoring import ScoreJob, ScoringPool  # noqa: F401
    from orsta_bench.sources.base import SourceError, iter_samples  # noqa: F401
    from orsta_bench.sources.vtriune import FREEFORM_INSTRUCTION, TAGGED_INSTRUCTION  # noqa: F401
    from orsta_bench.spec.catalog import SelectionError, load_catalog, select_tasks  # noqa: F401
    from orsta_bench.spec.loaded import LoadedSpec  # noqa: F401
    from orsta_bench.spec.loader import SpecError, load_spec  # noqa: F401
    from orsta_bench.synth import GENERATORS, generate  # noqa: F401
    from orsta_bench.synth.shapes import Shape, draw_shape  # noqa: F401
