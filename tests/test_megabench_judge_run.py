"""`orsta-bench run --judge`: MEGA-Bench judge fields are graded by a judge backend, else they
stay not_scored. Model and judge are OpenAI-compatible endpoints on 127.0.0.1 (a scripted
server standing in for hosted LLMs), driven through the real CLI."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

FIXTURE = Path(__file__).parent / "fixtures" / "megabench"


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.judge_prompts: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = "\n".join(p["text"] for m in body["messages"] for p in m["content"] if p["type"] == "text")
        if body["model"] == "judge":
            self.server.judge_prompts.append(text)  # type: ignore[attr-defined]
            answer = "Mostly right.\nScore: 7"
        else:
            answer = "a red square"
        data = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": answer}}],
                           "usage": {"prompt_tokens": 3, "completion_tokens": 3}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    srv = ScriptedServer()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


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
