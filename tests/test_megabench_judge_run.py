"""`orsta-bench run --judge`: MEGA-Bench judge fields are graded by a judge backend, else they
stay not_scored. Model and judge are OpenAI-compatible endpoints on 127.0.0.1 (a scripted
server standing in for hosted LLMs), driven through the real CLI."""

from __future__ import annotations

import json
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.chat_server import ChatHandler, serving

FIXTURE = Path(__file__).parent / "fixtures" / "megabench"


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.judge_prompts: list[str] = []


class Handler(ChatHandler):
    def answer(self, body: dict) -> str:
        text = "\n".join(p["text"] for m in body["messages"] for p in m["content"] if p["type"] == "text")
        if body["model"] == "judge":
            self.server.judge_prompts.append(text)  # type: ignore[attr-defined]
            return "Mostly right.\nScore: 7"
        return "a red square"


@pytest.fixture
def server():
    with serving(ScriptedServer()) as srv:
        yield srv


@pytest.fixture
def tasks_dir(tmp_path):
    spec = {"name": "mb_open", "suite": "megabench", "category": "reasoning", "family": "megabench",
            "source": {"kind": "megabench", "path": str(FIXTURE), "config": "open"},
            "verifier": {"name": "megabench"}, "metric": "megabench"}
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "mb_open.yaml").write_text(yaml.safe_dump(spec))
    return folder


def run(cli, server, tasks_dir, output, *extra):
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    result = cli("run", "--model", f"openai:{url}#model", "--tasks", "mb_open", "--tasks-dir",
                 str(tasks_dir), "--output", str(output), "--no-progress", "--workers", "0",
                 "--data-root", str(FIXTURE), *[a.replace("URL", url) for a in extra])
    records = [json.loads(line) for line in (output / "samples.jsonl").read_text().splitlines()]
    return result, records


def test_without_a_judge_judged_fields_are_not_scored(cli, server, tasks_dir, tmp_path):
    result, records = run(cli, server, tasks_dir, tmp_path / "plain")
    assert result.returncode == 0, result.stderr
    assert [r["status"] for r in records] == ["not_scored"]
    assert "no judge configured" in records[0]["score"]["detail"]
    assert server.judge_prompts == []


def test_a_judge_grades_the_field_and_the_score_is_recorded(cli, server, tasks_dir, tmp_path):
    result, records = run(cli, server, tasks_dir, tmp_path / "judged", "--judge", "openai:URL#judge")
    assert result.returncode == 0, result.stderr
    assert [r["status"] for r in records] == ["ok"]
    assert records[0]["score"]["value"] == pytest.approx(0.7)
    assert records[0]["score"]["parts"]["field:description"] == pytest.approx(0.7)
    prompt = server.judge_prompts[0]
    assert "a red square" in prompt and "Describe it." in prompt  # reference, answer and task
    run_json = json.loads((tmp_path / "judged" / "run.json").read_text())
    assert run_json["judge"]["model"].endswith("#judge")  # part of the resume fingerprint
