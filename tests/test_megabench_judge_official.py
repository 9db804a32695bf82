"""The MEGA-Bench judge gets what the official evaluator sends: the parsed field value, the task's
official criteria prompt (`gpt4o_eval_configs`), only the query's images, and for ASCII art the
two drawings rendered as pictures with the official instruction, read at run time from a
MEGA-Bench checkout (here a fake one this test writes, with a prompt text of its own). Without a
checkout the project's prompts are used; run.json and results.json say which. Model and judge
are OpenAI-compatible servers on 127.0.0.1, driven through the real CLI."""

from __future__ import annotations

import base64
import io
import json
import subprocess
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from PIL import Image

from orsta_bench.megabench.ascii_render import ascii_art_jpeg
from orsta_bench.megabench.judge import JudgeItem, judge_items_for, read_verdict
from orsta_bench.megabench.judge_prompts import ENV_VAR, JudgePromptsError, resolve_judge_prompts
from orsta_bench.sample import Sample, VerifierCall, user_message
from tests.chat_server import ChatHandler, serving

FAKE_ASCII_PROMPT = "FAKE-CHECKOUT instruction: same drawing? answer yes or no"
CRITERIA = ("Question: {question}\nReference: {ref}\nModel said: {said}\nHint: {hint}\n"
            "Reply with **Score**: N from 0 to 10.")
HOUSE = " /\\\n/__\\\n|  |"
RAW_JSON = '{"description": "a red square", "note": "ignored"}'


def _fixture_row(i: int, task: str, q_text: str, answer: dict, metric_info: dict, global_media: list,
                 q_media: list, ctx: dict | None = None) -> dict:
    return {"id": str(i), "task_name": task, "task_description": "Global: <image>" if global_media else "Task.",
            "global_media": repr(global_media), "example_text": "", "example_media": "[]", "query_text": q_text,
            "query_media": repr(q_media), "answer": repr(answer), "metric_info": repr(metric_info),
            "eval_context": repr(ctx or {}), "taxonomy_tree_path": "Perception", "application": "Perception",
            "input_format": "Photographs", "output_format": "open_ended_output", "num_input": "1-image"}


@pytest.fixture
def tasks_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "open").mkdir(parents=True)
    (data / "media").mkdir()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(data / "media" / "red.png")
    Image.new("RGB", (8, 8), (0, 0, 200)).save(data / "media" / "blue.png")
    judged = {"field_score_function": {"description": "gpt_4o_as_judge"},
              "aggregation": {"function": "mean", "field_weights": {"description": 1}},
              "response_parse_function": "json",
              "gpt4o_eval_configs": {"judge_model_type": "with image", "eval_criteria_prompt": CRITERIA,
                                     "reference_type": "text",
                                     "template_mapping": {"question": "example_question", "ref": "answers.description",
                                                          "said": "model_output", "hint": "eval_context.hint"}}}
    ascii_info = {"field_score_function": {"art": "ascii_art_gpt4o_judge"},
                  "aggregation": {"function": "mean", "field_weights": {"art": 1}},
                  "response_parse_function": "ascii_answer_string"}
    rows = [_fixture_row(1, "describe_red", "<image> Describe it.", {"description": "a red square"}, judged,
                         ["media/blue.png"], ["media/red.png"], {"hint": "H-1"}),
            _fixture_row(2, "draw_house", "Draw a house in ASCII.", {"art": HOUSE}, ascii_info, [], [])]
    (data / "open" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {"name": "mb_judge", "suite": "megabench", "category": "reasoning", "family": "megabench",
            "source": {"kind": "megabench", "path": str(data), "config": "open"},
            "verifier": {"name": "megabench"}, "metric": "megabench"}
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "mb_judge.yaml").write_text(yaml.safe_dump(spec))
    return folder


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, str]:
    """A fake MEGA-Bench checkout: the official path, a class of the official name, our own text."""
    root = tmp_path / "MEGA-Bench"
    source = root / "megabench" / "metrics" / "scoring" / "ascii_art_gpt4o_judge.py"
    source.parent.mkdir(parents=True)
    source.write_text(f"class AsciiArtGPT4Judger:\n    def __init__(self):\n"
                      f"        self.eval_prompt = {FAKE_ASCII_PROMPT!r}\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fake"], check=True)
    revision = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    return root, revision


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.judge_requests: list[dict] = []


class Handler(ChatHandler):
    def answer(self, body: dict) -> str:
        parts = [p for m in body["messages"] for p in (m["content"] if isinstance(m["content"], list)
                                                       else [{"type": "text", "text": m["content"]}])]
        text = "\n".join(p["text"] for p in parts if p["type"] == "text")
        images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
        if body["model"] == "judge":
            self.server.judge_requests.append({"text": text, "images": images})  # type: ignore[attr-defined]
            return "**Score explanation**: close\n\n**Score**: 8\nScore: 6" if "Score" in text else "Yes."
        return f"Answer:\n```\n{HOUSE}\n```" if "ASCII" in text else RAW_JSON


@pytest.fixture
def server():
    with serving(Server()) as srv:
        yield srv


def _run(cli, server, tasks_dir: Path, output: Path, *extra: str):
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    result = cli("run", "--model", f"openai:{url}#model", "--tasks", "mb_judge", "--tasks-dir", str(tasks_dir),
                 "--output", str(output), "--no-progress", "--workers", "0", "--judge", f"openai:{url}#judge",
                 "--data-root", str(tasks_dir.parent / "data"), *extra)
    assert result.returncode == 0, result.stderr
    records = {r["task"]: r for r in map(json.loads, (output / "samples.jsonl").read_text().splitlines())}
    return result, records


def _decoded(url: str) -> bytes:
    return base64.b64decode(url.partition("base64,")[2])


def test_official_prompts_from_a_checkout(cli, server, tasks_dir, checkout, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    root, revision = checkout
    result, records = _run(cli, server, tasks_dir, tmp_path / "official", "--megabench-dir", str(root))
    text_request, ascii_request = sorted(server.judge_requests, key=lambda r: len(r["images"]))
    # gpt_4o_as_judge: the task's criteria filled with the PARSED value, query text, answer, context;
    # only the query's image (not the global one); the official '**Score**: N' read (8, not 6).
    assert text_request["text"] == CRITERIA.format(question="<image> Describe it.", ref="a red square",
                                                   said="a red square", hint="H-1")
    assert RAW_JSON not in text_request["text"]
    red = Image.open(io.BytesIO(_decoded(text_request["images"][0]))).convert("RGB")
    assert red.getpixel((0, 0)) == (200, 0, 0)
    assert records["describe_red"]["score"]["parts"]["field:description"] == pytest.approx(0.8)
    # ascii_art_gpt4o_judge: the checkout's instruction, model's drawing first, then the reference.
    assert ascii_request["text"] == FAKE_ASCII_PROMPT
    assert [_decoded(u) for u in ascii_request["images"]] == [ascii_art_jpeg(HOUSE), ascii_art_jpeg(HOUSE)]
    assert Image.open(io.BytesIO(_decoded(ascii_request["images"][0]))).size == (224, 224)
    assert records["draw_house"]["score"]["value"] == 1.0
    recorded = {"source": "official", "checkout": str(root.resolve()), "revision": revision}
    assert json.loads((tmp_path / "official" / "run.json").read_text())["judge"]["prompts"] == recorded
    assert json.loads((tmp_path / "official" / "results.json").read_text())["judge"]["prompts"] == recorded
    assert f"judge prompts: official MEGA-Bench ({root.resolve()}, revision {revision})" in result.stdout


def test_environment_variable_names_the_checkout(cli, server, tasks_dir, checkout, tmp_path, monkeypatch):
    root, _ = checkout
    monkeypatch.setenv(ENV_VAR, str(root))
    _run(cli, server, tasks_dir, tmp_path / "env")
    assert any(r["text"] == FAKE_ASCII_PROMPT for r in server.judge_requests)


def test_without_a_checkout_the_project_prompts_see_the_parsed_value(cli, server, tasks_dir, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    result, records = _run(cli, server, tasks_dir, tmp_path / "project")
    text_request = next(r for r in server.judge_requests if "Score" in r["text"])
    assert "[Model answer]\na red square\n" in text_request["text"] and RAW_JSON not in text_request["text"]
    assert len(text_request["images"]) == 2  # the project prompt shows every prompt image
    ascii_request = next(r for r in server.judge_requests if "Score" not in r["text"])
    assert FAKE_ASCII_PROMPT not in ascii_request["text"] and "ASCII art" in ascii_request["text"]
    assert [_decoded(u) for u in ascii_request["images"]] == [ascii_art_jpeg(HOUSE), ascii_art_jpeg(HOUSE)]
    assert records["describe_red"]["score"]["parts"]["field:description"] == pytest.approx(0.6)  # 'Score: 6'
    assert json.loads((tmp_path / "project" / "results.json").read_text())["judge"]["prompts"] == {"source": "project"}
    assert "judge prompts: the project's own" in result.stdout


def test_a_folder_that_is_no_checkout_exits_2_and_writes_nothing(cli, server, tasks_dir, tmp_path):
    output = tmp_path / "bad"
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    result = cli("run", "--model", f"openai:{url}#model", "--tasks", "mb_judge", "--tasks-dir", str(tasks_dir),
                 "--output", str(output), "--no-progress", "--judge", f"openai:{url}#judge",
                 "--megabench-dir", str(tmp_path))
    assert result.returncode == 2
    assert "ascii_art_gpt4o_judge.py" in result.stderr and "--megabench-dir" in result.stderr
    assert not output.exists()


def test_a_checkout_without_the_prompt_assignment_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "megabench" / "metrics" / "scoring" / "ascii_art_gpt4o_judge.py"
    source.parent.mkdir(parents=True)
    source.write_text("class AsciiArtGPT4Judger:\n    pass\n")
    with pytest.raises(JudgePromptsError, match="no `self.eval_prompt"):
        resolve_judge_prompts(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(JudgePromptsError):
        resolve_judge_prompts(None)
    monkeypatch.delenv(ENV_VAR)
    assert resolve_judge_prompts(None).describe() == {"source": "project"}


def test_official_verdicts_and_answers_scored_without_asking():
    official = JudgeItem("k", "gpt_4o_as_judge", "p", verdict="official_score")
    assert read_verdict(official, "**Score**: 7 then **Score**: 2") == pytest.approx(0.7)
    assert read_verdict(official, "no score here") == 0.0  # official: 0, not unscored
    ascii_item = JudgeItem("k", "ascii_art_gpt4o_judge", "p", verdict="yes_no")
    assert read_verdict(ascii_item, "YES, same") == 1.0 and read_verdict(ascii_item, "No.") == 0.0
    info = {"field_score_function": {"art": "ascii_art_gpt4o_judge"}, "response_parse_function": "ascii_answer_string",
            "aggregation": {"function": "mean", "field_weights": {"art": 1}}}
    sample = Sample(id="1", task="t", data_source="t", messages=user_message("draw", 0), ground_truth={"art": HOUSE},
                    verifier=VerifierCall("megabench", {"metric_info": info}))
    [empty] = judge_items_for(sample, "Answer:")
    assert empty.fixed == 0.0 and not empty.images  # the official metric returns 0 before asking


def test_the_judge_is_asked_only_about_fields_the_score_counts():
    """A field_score_function entry for a key the answer lacks is not scored (official), so it is
    not judged either: no judge call is spent on it."""
    info = {"field_score_function": {"art": "ascii_art_gpt4o_judge", "extra": "ascii_art_gpt4o_judge"},
            "response_parse_function": "ascii_answer_string",
            "aggregation": {"function": "mean", "field_weights": {"art": 1, "extra": 1}}}
    sample = Sample(id="1", task="t", data_source="t", messages=user_message("draw", 0), ground_truth={"art": HOUSE},
                    verifier=VerifierCall("megabench", {"metric_info": info}))
    items = judge_items_for(sample, f"Answer:\n```\n{HOUSE}\n```")
    assert [item.key.rsplit("\x1f", 1)[1] for item in items] == ["art"]
