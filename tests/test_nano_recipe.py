"""nano-Orsta recipe pieces: tokenizer, architecture checks, training specs, SFT examples, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orsta_train.nano.data import write_train_specs
from orsta_train.nano.model import NanoArch

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tokenizer():
    from orsta_train.nano.tokenizer import build_tokenizer

    corpus = ["How many circles are in the image?\n\nGive the count inside \\boxed{}, for example \\boxed{3}."] * 20
    corpus += ["<answer>\n[120, 340, 260, 480]\n</answer>", "\\boxed{12}", "Answer: B"] * 20
    return build_tokenizer(corpus, 400)


def test_tokenizer_spells_digits_one_by_one_and_round_trips_any_text(tokenizer) -> None:
    ids = tokenizer("\\boxed{1234}", add_special_tokens=False)["input_ids"]
    pieces = [tokenizer.decode([i]) for i in ids]
    assert [p for p in pieces if p.isdigit()] == ["1", "2", "3", "4"]
    for text in ["How many circles are in the image?", "ünïcødé ✓ 猫 \x00 tabs\tand\nlines", "<|im_end|>x"]:
        assert tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"]) == text
    # A frequent instruction sentence compresses far below one token per word.
    assert len(tokenizer("How many circles are in the image?", add_special_tokens=False)["input_ids"]) <= 3
    assert tokenizer.convert_tokens_to_ids("<|image_pad|>") != tokenizer.unk_token_id


@pytest.mark.parametrize(("change", "message"), [
    ({"hidden_size": 96, "num_attention_heads": 3}, "head_dim 32"),  # 32 ok but section sum wrong
    ({"hidden_size": 64, "num_attention_heads": 4}, "head_dim 16"),
    ({"image_side": 100}, "multiple of 28"),
])
def test_arch_rejects_shapes_that_break_a_code_path(change: dict, message: str) -> None:
    arch = NanoArch(**change)
    with pytest.raises(ValueError) as error:
        arch.check()
    assert message.split()[0] in str(error.value)


def test_train_specs_keep_the_shipped_prompts_but_never_the_eval_samples(tmp_path: Path) -> None:
    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.catalog import load_catalog, select_tasks

    specs_dir = write_train_specs(tmp_path, ["synth_counting", "synth_grounding"], 1000, 50,
                                  {"synth_grounding": {"train_iou_threshold": 0.5}})
    written = yaml.safe_load((specs_dir / "synth_grounding.yaml").read_text())
    assert written["source"] == {"seed": 1000, "n": 50}
    train = {s.name: s for s in load_catalog([specs_dir])}
    shipped = {s.name: s for s in select_tasks(load_catalog(None), "synth_counting,synth_grounding")}
    assert train["synth_grounding"].spec.verifier.params["train_iou_threshold"] == 0.5
    assert train["synth_grounding"].spec.verifier.params["coords"] == "norm1000"
    for name in train:
        assert train[name].spec.prompt == shipped[name].spec.prompt
        train_hashes = {s.content_hash for s in iter_samples(train[name], 50)}
        eval_hashes = {s.content_hash for s in iter_samples(shipped[name], 200)}
        assert not train_hashes & eval_hashes


@pytest.fixture(scope="module")
def nano_base(tmp_path_factory):
    """A small untrained nano folder (recipe code, shrunken sizes) and its SFT specs."""
    from orsta_train.nano.base import build_base

    root = tmp_path_factory.mktemp("nano")
    specs = write_train_specs(root / "specs", ["synth_counting", "synth_grounding"], 1000, 100)
    arch = NanoArch(hidden_size=64, num_attention_heads=2, num_hidden_layers=1, intermediate_size=64,
                    mrope_section=[4, 6, 6], vision_hidden_size=32, vision_depth=1, vocab_size=600)
    return build_base(root / "base", specs, arch, seed=0, corpus_per_task=20), specs


def test_sft_examples_label_exactly_the_oracle_answer_with_mrope_inputs(nano_base) -> None:
    from transformers import AutoProcessor

    from orsta_bench.oracle import ideal_response
    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.catalog import load_catalog
    from orsta_train.nano.data import collate, sft_example

    base, specs = nano_base
    processor = AutoProcessor.from_pretrained(str(base))
    samples = [s for loaded in load_catalog([specs]) for s in iter_samples(loaded, 2)]
    examples = [sft_example(processor, s) for s in samples]
    for sample, example in zip(samples, examples, strict=True):
        labelled = example["labels"][example["labels"] != -100].tolist()
        assert processor.tokenizer.decode(labelled) == ideal_response(sample) + "<|im_end|>"
        image_id = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
        assert ((example["input_ids"] == image_id) == (example["mm_token_type_ids"] == 1)).all()
    batch = collate(examples, processor.tokenizer.pad_token_id)
    widths = {len(e["input_ids"]) for e in examples}
    assert batch["input_ids"].shape == (len(examples), max(widths))
    assert (batch["attention_mask"][:, -1] == 1).all()  # left padding: every row ends with content
    assert batch["image_grid_thw"].shape[0] == len(examples)


def test_restated_counting_targets_name_the_kind_and_still_score_full_marks() -> None:
    from orsta_bench.oracle import ideal_response
    from orsta_bench.reward import eval_context, score_sample
    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.catalog import load_catalog, select_tasks
    from orsta_train.nano.data import sft_target

    for loaded in select_tasks(load_catalog(None), "synth_counting,synth_grounding,synth_chart,synth_science"):
        for sample in iter_samples(loaded, 30):
            restated = sft_target(sample, restate=True)
            if loaded.name != "synth_counting":
                assert restated == ideal_response(sample) == sft_target(sample)
                continue
            target = sample.metadata["synth"]["target"]
            kind = f"{target['color']} {target['shape']}" if target["color"] else target["shape"]
            assert restated == f"{kind} \\boxed{{{sample.ground_truth}}}"
            question = sample.messages[0]["content"][1]["text"]
            assert kind.split()[-1] in question and (target["color"] or "") in question
            score = score_sample(sample, restated, eval_context())
            assert score.status.value == "ok" and score.value == 1.0, (restated, score)


@pytest.mark.slow
def test_sft_loop_lowers_the_answer_loss_on_a_tiny_budget(nano_base, tmp_path: Path) -> None:
    import json

    from orsta_train.nano.sft import SFTConfig, run_sft

    base, specs = nano_base
    cfg = SFTConfig(steps=12, batch_size=4, learning_rate=3e-3, warmup_steps=2, log_every=2,
                    weights={"synth_counting": 1.0, "synth_grounding": 1.0})
    out = run_sft(base, specs, tmp_path / "sft", cfg, seed=0, log_path=tmp_path / "log.jsonl")
    losses = [json.loads(line)["loss"] for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert len(losses) == 6 and losses[-1] < losses[0] * 0.8
    assert (out / "model.safetensors").is_file() and (out / "processor_config.json").is_file()


def test_restate_recipe_predicts_each_count_right_after_a_token_naming_the_kind(tmp_path: Path) -> None:
    """The candidate recipe's tokenizer is trained on its restated targets, so the token before
    the count names the counted kind (the sanity check found one token in between undoes the gain)."""
    from dataclasses import replace

    from transformers import AutoTokenizer

    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.catalog import load_catalog
    from orsta_train.nano.data import sft_target
    from orsta_train.nano.recipe import RECIPES, build_stage

    recipe = RECIPES["restate"]()
    assert recipe.sft.restate and recipe.arch.image_mean == [1.0, 1.0, 1.0]
    small = replace(recipe, arch=replace(recipe.arch, hidden_size=64, num_hidden_layers=1, intermediate_size=64,
                                         mrope_section=[4, 6, 6], vision_hidden_size=32, vision_depth=1))
    tokenizer = AutoTokenizer.from_pretrained(str(build_stage(small, tmp_path)))
    counting = next(s for s in load_catalog([tmp_path / "sft_tasks"]) if s.name == "synth_counting")
    for sample in iter_samples(counting, 40):
        pieces = [tokenizer.decode([i]) for i in tokenizer(sft_target(sample, True), add_special_tokens=False)["input_ids"]]
        first_digit = next(i for i, piece in enumerate(pieces) if piece.isdigit())
        before = pieces[first_digit - 1]
        assert before.endswith("\\boxed{") and sample.metadata["synth"]["target"]["shape"] in before, pieces


@pytest.mark.parametrize("args", [["--output", "x", "--stages", "sft,bogus"],
                                  ["--output", "x", "--sft-steps", "0"], ["--output", "x", "--recipe", "bogus"], []])
def test_rebuild_cli_bad_arguments_exit_2_and_write_nothing(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "orsta_train.nano", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "error" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--arms", "joint", "--set", "grpo.learnig_rate=1e-5"], "unknown or fixed key 'grpo.learnig_rate'"),
    (["--arms", "joint", "--set", "grpo.max_steps=5"], "unknown or fixed key 'grpo.max_steps'"),
    (["--arms", "joint", "--set", "learning_rate=1e-5"], "unknown or fixed key 'learning_rate'"),
    (["--arms", "joint", "--suffix", "../x"], "--suffix"),
    (["--arms", "jiont"], "unknown arm(s) jiont"),
])
def test_ablation_cli_rejects_bad_arguments_before_training(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "sft").mkdir()
    (tmp_path / "sft" / "config.json").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "research.ablations", "--run", str(tmp_path), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr, done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sft"]


@pytest.mark.slow
def test_rebuild_command_runs_every_stage_on_a_tiny_budget(tmp_path: Path) -> None:
    """The one rebuild command end to end (base, SFT, GRPO through orsta-train), then the plots."""
    import json

    out = tmp_path / "nano"
    done = subprocess.run([sys.executable, "-m", "orsta_train.nano", "--output", str(out),
                           "--sft-steps", "2", "--grpo-steps", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    for stage in ("base", "sft", "grpo"):
        assert (out / stage / "model.safetensors").is_file()
    grpo_config = yaml.safe_load((out / "grpo.yaml").read_text())
    assert grpo_config["model"] == str(out / "sft") and grpo_config["cot_rule"] == "none"
    grounding = yaml.safe_load((out / "grpo_tasks" / "synth_grounding.yaml").read_text())
    assert grounding["verifier"]["params"]["train_iou_threshold"] == 0.5
    metrics = [json.loads(line) for line in (out / "grpo" / "metrics.jsonl").read_text().splitlines()]
    assert any("source/synth_counting/accuracy" in row for row in metrics)
    plots = subprocess.run([sys.executable, "-m", "research.plots", "--run", str(out),
                            "--out", str(tmp_path / "png")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert plots.returncode == 0, plots.stderr[-2000:]
    assert {p.name for p in (tmp_path / "png").iterdir()} >= {"sft_loss.png", "grpo_reward.png", "grpo_iou_threshold.png"}


def test_research_code_stays_out_of_the_installed_package() -> None:
    """research/ is not in the wheel, and nothing the wheel holds imports it."""
    import ast
    import re

    wheel = re.search(r"\[tool\.hatch\.build\.targets\.wheel\]\s*packages\s*=\s*\[([^\]]*)\]",
                      (REPO / "pyproject.toml").read_text())
    assert wheel is not None
    assert sorted(re.findall(r'"([^"]+)"', wheel.group(1))) == ["orsta_bench", "orsta_train"]
    importers = []
    for path in [*(REPO / "orsta_bench").rglob("*.py"), *(REPO / "orsta_train").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(name == "research" or name.startswith("research.") for name in names):
                importers.append(str(path.relative_to(REPO)))
    assert importers == []
