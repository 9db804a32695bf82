"""orsta-train configuration: presets, YAML file, flags, clear errors, and the TRL config built
from it (vLLM options as configuration only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orsta_train.build import check_vllm, grpo_kwargs, strip_token_ids
from orsta_train.config import (
    ConfigError,
    TrainConfig,
    parse_set_items,
    read_config_file,
    resolve_config,
)
from orsta_train.presets import PRESETS

BASE = {"model": "tiny", "tasks": "synth", "output": "/tmp/unused"}


def test_vtriune_preset_is_the_paper_recipe():
    cfg = resolve_config("vtriune", {}, BASE)
    assert cfg.beta == 0.0
    assert (cfg.epsilon, cfg.epsilon_high) == (0.2, 0.28)
    assert cfg.loss_type == "dapo"
    assert cfg.num_generations == 8
    assert cfg.learning_rate == 1e-6
    assert cfg.lr_scheduler_type == "constant_with_warmup" and cfg.warmup_ratio == 0.05
    assert cfg.temperature == 1.0 and cfg.max_completion_length == 2048
    assert cfg.freeze_vision and cfg.ban_vision_tokens
    assert cfg.cot_rule == "release"  # the released instruction rule (math-verify rows only)


def test_priority_preset_then_file_then_flags(tmp_path: Path):
    config = tmp_path / "run.yaml"
    config.write_text("temperature: 0.7\nnum_generations: 4\npreset: cpu-smoke\n")
    cfg = resolve_config(None, read_config_file(config), {**BASE, "num_generations": 6})
    assert cfg.temperature == 0.7  # file over preset
    assert cfg.num_generations == 6  # flag over file
    assert cfg.max_completion_length == PRESETS["cpu-smoke"]["max_completion_length"]  # preset named by file


def test_unknown_key_in_file_is_rejected_with_suggestion(tmp_path: Path):
    config = tmp_path / "bad.yaml"
    config.write_text("temprature: 0.7\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: unknown key 'temprature'.*temperature"):
        read_config_file(config)


def test_set_items_parse_yaml_values_and_reject_unknown():
    assert parse_set_items(["epsilon_high=0.3", "cot-verifiers=[a, b]", "use_vllm=true"]) == {
        "epsilon_high": 0.3, "cot_verifiers": ["a", "b"], "use_vllm": True,
    }
    with pytest.raises(ConfigError, match="unknown key 'lr'"):
        parse_set_items(["lr=1"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_set_items(["temperature"])


def test_invalid_values_name_the_field():
    with pytest.raises(ConfigError, match="num_generations"):
        resolve_config("vtriune", {}, {**BASE, "num_generations": 1})
    with pytest.raises(ConfigError, match="epsilon_high must be >= epsilon"):
        resolve_config("vtriune", {}, {**BASE, "epsilon_high": 0.1})
    with pytest.raises(ConfigError, match="--preset 'paper'"):
        resolve_config("paper", {}, BASE)


def test_grpo_config_carries_the_recipe():
    from trl import GRPOConfig

    cfg = TrainConfig(**{**PRESETS["vtriune"], **BASE, "device": "cpu"})
    args = GRPOConfig(**grpo_kwargs(cfg, on_cpu=True, dtype="float32",
                                    banned_tokens=["<|image_pad|>"], banned_ids=[7, 8]))
    assert args.beta == 0.0 and args.epsilon == 0.2 and args.epsilon_high == 0.28
    assert args.loss_type == "dapo" and args.num_generations == 8
    assert args.get_warmup_steps(1000) == 50 and args.lr_scheduler_type == "constant_with_warmup"
    assert args.generation_kwargs == {"suppress_tokens": [7, 8]}
    assert not args.use_vllm and args.remove_unused_columns is False


def test_vllm_server_options_become_trl_configuration():
    from trl import GRPOConfig

    cfg = TrainConfig(**BASE, use_vllm=True, vllm_mode="server", vllm_server_host="10.0.0.2",
                      vllm_server_port=8123, num_generations=4, per_device_train_batch_size=4)
    kwargs = grpo_kwargs(cfg, on_cpu=False, dtype="bfloat16", banned_tokens=["<|image_pad|>"], banned_ids=[7])
    assert kwargs["generation_kwargs"] == {"bad_words": ["<|image_pad|>"]}
    kwargs["use_cpu"] = True  # this machine has no GPU; the rest is what a GPU run gets
    kwargs["bf16"] = False
    args = GRPOConfig(**kwargs)
    assert args.use_vllm and args.vllm_mode == "server"
    assert (args.vllm_server_host, args.vllm_server_port) == ("10.0.0.2", 8123)


def test_vllm_requested_without_vllm_is_a_clear_error():
    import importlib.util

    check_vllm(TrainConfig(**BASE))  # not requested: never an error
    if importlib.util.find_spec("vllm") is not None:  # a GPU machine with the extra installed
        check_vllm(TrainConfig(**BASE, use_vllm=True))
        return
    with pytest.raises(ConfigError, match=r"vLLM is not installed.*orsta-bench\[vllm\]"):
        check_vllm(TrainConfig(**BASE, use_vllm=True))


def test_strip_token_ids_removes_placeholders_and_their_logprobs():
    ids, logprobs, removed = strip_token_ids(
        [[5, 9, 6, 9], [9, 9], [1, 2]], [[-1.0, -2.0, -3.0, -4.0], [-1.0, -1.0], [-5.0, -6.0]],
        drop={9}, fill=3,
    )
    assert ids == [[5, 6], [3], [1, 2]]
    assert logprobs == [[-1.0, -3.0], [0.0], [-5.0, -6.0]]
    assert removed == 4


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from orsta_train.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path: Path):
    (tmp_path / "c.yaml").write_text("learning_rat: 1\n")
    out = tmp_path / "out"
    result = _cli("--model", "tiny", "--tasks", "synth", "--output", str(out), "--config",
                  str(tmp_path / "c.yaml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key 'learning_rat'" in result.stderr and "learning_rate" in result.stderr
    assert not out.exists()


def test_cli_print_config_applies_flags(tmp_path: Path):
    result = _cli("--model", "tiny", "--tasks", "synth", "--output", "o", "--max-steps", "3",
                  "--set", "temperature=0.5", "--print-config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"max_steps": 3' in result.stdout and '"temperature": 0.5' in result.stdout


def test_cli_print_config_shows_overlap_scoring(tmp_path: Path):
    shown = _cli("--model", "tiny", "--tasks", "synth", "--output", "o", "--print-config", cwd=tmp_path)
    off = _cli("--model", "tiny", "--tasks", "synth", "--output", "o", "--set", "overlap_scoring=false",
               "--print-config", cwd=tmp_path)
    assert shown.returncode == off.returncode == 0, shown.stderr + off.stderr
    assert '"overlap_scoring": true' in shown.stdout and '"overlap_scoring": false' in off.stdout
