"""The visual sanity check (`python -m research.sanity`): its questions are answered by the
image alone, its arguments are checked, and a short run writes the measured curve."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from orsta_bench.synth.common import COLORS
from research.sanity_questions import CANVAS, COLOURS, draw_question

REPO = Path(__file__).resolve().parents[1]


def ink(image) -> np.ndarray:
    return (np.asarray(image).astype(int).sum(-1) < 3 * 250)


def objects(image) -> list[tuple[str, str]]:
    """(shape, colour) of every drawn object, read back from the pixels: the shape from how much of
    its bounding box it fills (square 1, circle pi/4, triangle 1/2), the colour from its pixels."""
    labels, count = ndimage.label(ink(image))
    pixels = np.asarray(image)
    found = []
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        mask = labels[box] == index
        fill = mask.mean()
        shape = "square" if fill > 0.95 else "circle" if fill > 0.7 else "triangle"
        rgb = tuple(int(v) for v in pixels[box][mask][0])
        found.append((shape, next(name for name in COLOURS if COLORS[name] == rgb)))
    assert len(found) == count
    return found


@pytest.mark.parametrize("seed", range(40))
def test_count_answer_is_the_number_of_drawn_shapes(seed: int) -> None:
    image, text, answer = draw_question("count", random.Random(seed))
    assert text == "How many shapes are in the image?"
    assert answer == str(len(objects(image))) and 1 <= int(answer) <= 4


@pytest.mark.parametrize("seed", range(40))
def test_colour_and_shape_answers_count_the_named_kind_among_others(seed: int) -> None:
    for question in ("colour", "red"):
        image, text, answer = draw_question(question, random.Random(seed))
        colour = text.removeprefix("How many ").removesuffix(" shapes are in the image?")
        drawn = objects(image)
        assert answer == str(sum(c == colour for _, c in drawn)) and 1 <= int(answer) <= 4 and len(drawn) >= 2
        assert question == "colour" or colour == "red"
    image, text, answer = draw_question("shape", random.Random(seed))
    shape = text.removeprefix("How many ").removesuffix("s are in the image?")
    drawn = objects(image)
    assert answer == str(sum(s == shape for s, _ in drawn)) and 1 <= int(answer) <= 4 and len(drawn) >= 2


@pytest.mark.parametrize("seed", range(40))
def test_side_answer_is_the_side_of_the_shape_centre(seed: int) -> None:
    image, _, answer = draw_question("side", random.Random(seed))
    columns = np.nonzero(ink(image).any(0))[0]
    centre = (columns.min() + columns.max()) / 2
    assert answer == ("left" if centre < CANVAS / 2 else "right")


def test_questions_are_deterministic_and_both_answers_occur() -> None:
    def draw(question: str, seed: int) -> tuple[bytes, str, str]:
        image, text, answer = draw_question(question, random.Random(seed))
        return image.tobytes(), text, answer

    for question, answers in (("side", {"left", "right"}), ("count", {"1", "2", "3", "4"}),
                              ("colour", {"1", "2", "3", "4"}), ("shape", {"1", "2", "3", "4"}),
                              ("red", {"1", "2", "3", "4"})):
        assert [draw(question, s) for s in range(5)] == [draw(question, s) for s in range(5)]
        assert {draw(question, s)[2] for s in range(200)} == answers


@pytest.mark.parametrize("text_first", [False, True])
def test_examples_label_the_answer_and_place_the_image_as_asked(text_first: bool) -> None:
    from transformers import AutoProcessor

    from orsta_bench.models.nano import nano_model_path
    from research.sanity_questions import question_example

    processor = AutoProcessor.from_pretrained(str(nano_model_path()))
    example = question_example(processor, "colour", random.Random(3), text_first)
    _, text, answer = draw_question("colour", random.Random(3))
    tokenizer = processor.tokenizer
    ids = example["input_ids"].tolist()
    labelled = [i for i, label in zip(ids, example["labels"].tolist(), strict=True) if label != -100]
    assert tokenizer.decode(labelled) == answer + "<|im_end|>"
    prompt = tokenizer.decode(ids[:len(ids) - len(labelled)])
    image_at = prompt.index("<|vision_start|>")
    assert (prompt.index(text) < image_at) == text_first
    assert example["mm_token_type_ids"].sum() == (example["input_ids"] == tokenizer.convert_tokens_to_ids("<|image_pad|>")).sum() > 0


@pytest.mark.parametrize(("question", "template", "prefix"), [
    ("colour", "{kind} {answer}", r"(red|green|blue|yellow) "),
    ("shape", "{kind} {answer}", r"(circle|square|triangle) "),
    ("count", "{kind}: {answer}", r"shape: "),
    ("side", "{kind} {answer}", r""),  # nothing is counted: the answer stays bare
])
def test_restated_answers_name_what_the_question_counts(question: str, template: str, prefix: str) -> None:
    import re

    from research.sanity_questions import restated

    for seed in range(20):
        _, text, answer = draw_question(question, random.Random(seed))
        written = restated(text, answer, template)
        assert re.fullmatch(prefix + re.escape(answer), written), (text, written)
        if prefix:
            assert written.split()[0].rstrip(":") in text


def sanity(tmp_path: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "research.sanity", "--output", str(tmp_path / "s"), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "message"), [
    (["--question", "size"], "unknown size"),
    (["--question", "count,sizes"], "unknown sizes"),
    (["--question", "count", "--lr", "0"], "--lr and --vision-lr must be > 0"),
    (["--question", "count", "--vision-lr", "-1"], "--lr and --vision-lr must be > 0"),
    (["--question", "count", "--steps", "0"], "--steps"),
    (["--question", "count", "--set", "arch.mrope_section=[8,8,8]"], "must sum to"),
    (["--question", "count", "--set", "grpo.learning_rate=1e-5"], "unknown or fixed key 'grpo.learning_rate'"),
    (["--question", "colour", "--restate", "{kind}"], "must contain {answer}"),
])
def test_bad_arguments_exit_2_name_the_problem_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    done = sanity(tmp_path, *args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert message in done.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_a_short_run_writes_the_measured_curve_of_the_model_it_trains(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from research.measure import measure, measure_model
    from research.sanity_questions import question_example

    done = sanity(tmp_path, "--question", "count,red", "--steps", "2", "--batch-size", "4", "--heldout", "6",
                  "--eval-every", "1", "--set", "arch.rope_theta=2", "--vision-lr", "1e-4", "--text-first",
                  "--restate", "{kind} {answer}", "--save", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "s"
    report = json.loads((out / "sanity.json").read_text())
    assert report["arch"]["rope_theta"] == 2 and report["question"] == "count,red"
    assert report["lr"] == 3e-4 and report["vision_lr"] == 1e-4 and report["text_first"] is True
    assert report["restate"] == "{kind} {answer}"
    assert [point["step"] for point in report["curve"]] == [0, 1, 2]
    # The first and last points are the measurements of the untrained base and the saved model on
    # the run's own held-out questions (seeded stream "heldout-<seed>", text first, restated).
    processor = AutoProcessor.from_pretrained(str(out / "model"))
    rng = random.Random("heldout-0")
    heldout = [question_example(processor, q, rng, True, "{kind} {answer}") for q in ("count", "red") for _ in range(6)]
    measured = [{k: v for k, v in point.items() if k not in ("step", "loss", "elapsed_s")} for point in report["curve"]]
    assert measured[0] == measure(out / "base", heldout)
    model = AutoModelForImageTextToText.from_pretrained(str(out / "model"), dtype=torch.float32)
    assert measured[-1] == measure_model(model, processor.tokenizer.pad_token_id, heldout)
    assert json.loads((out / "model" / "config.json").read_text())["text_config"]["rope_parameters"]["rope_theta"] == 2
    # The recipe's SFT loop trained it: its log has one line per --eval-every steps.
    log = [json.loads(line) for line in (out / "sft_log.jsonl").read_text().splitlines()]
    assert [row["step"] for row in log] == [1, 2]
    assert [round(row["loss"], 4) for row in log] == [point["loss"] for point in report["curve"][1:]]
