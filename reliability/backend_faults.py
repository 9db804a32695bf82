"""`orsta-bench run` against an OpenAI-compatible server on 127.0.0.1 that misbehaves on purpose.

The fixture tasks (tests/fixtures/run_tasks: 10 sums, 12 counts) meet a server whose behaviour is
fixed by the question: sums a0-a5 fail on every attempt (500, timeout, truncated JSON, dropped
connection), a6-a7 fail once and then answer, a8-a9 answer; counting questions fail once then
answer. Answers are always correct for the sums. So the run must finish, the six persistent
failures must be `backend_error` (left out of the task score), and the sum task must score 1.0
over the four answered samples: a failure counted as a wrong answer would pull it below 1.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "run_tasks"
CLIENT_TIMEOUT_S = 0.5
# question "What is I + J?" with I = 0..9 -> behaviour per attempt (the last one repeats)
SUM_SCRIPTS = {0: ["500"], 1: ["500"], 2: ["hang"], 3: ["hang"], 4: ["truncated"], 5: ["drop"],
               6: ["truncated", "ok"], 7: ["hang", "ok"], 8: ["ok"], 9: ["ok"]}
COUNT_SCRIPT = ["drop", "ok"]
PERSISTENT = {f"a{i}" for i, script in SUM_SCRIPTS.items() if "ok" not in script}


class FaultyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) leaves a broken pipe behind: expected here."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        server: FaultyServer = self.server  # type: ignore[assignment]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = " ".join(part.get("text", "") for message in body["messages"]
                        for part in (message["content"] if isinstance(message["content"], list)
                                     else [{"text": message["content"]}]))
        match = re.search(r"What is (\d+) \+ (\d+)\?", text)
        script = SUM_SCRIPTS[int(match.group(1))] if match else COUNT_SCRIPT
        answer = f"\\boxed{{{int(match.group(1)) + int(match.group(2))}}}" if match else "\\boxed{1}"
        key = match.group(0) if match else text
        with server.lock:
            attempt = server.attempts.get(key, 0)
            server.attempts[key] = attempt + 1
        action = script[min(attempt, len(script) - 1)]
        if action == "hang":
            time.sleep(CLIENT_TIMEOUT_S * 3)
            action = "ok"  # too late: the client has given up
        if action == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps({"choices": [{"message": {"content": answer}, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 5, "completion_tokens": 3}}).encode()
        if action == "500":
            data = b'{"error": "internal"}'
        elif action == "truncated":
            data = data[: len(data) // 2]
        self.send_response(500 if action == "500" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def run_backend_faults(output: Path, workers: int = 1) -> dict[str, Any]:
    """Run the fixture tasks against the faulty server; report what the run folder says."""
    server = FaultyServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        cmd = [sys.executable, "-m", "orsta_bench.cli", "run", "--model", f"openai:{server.url}#faulty",
               "--tasks", "runfix", "--tasks-dir", str(FIXTURES), "--output", str(output),
               "--no-progress", "--workers", str(workers), "--backend-args",
               f"timeout={CLIENT_TIMEOUT_S},max_retries=2,backoff=0.01,concurrency=4"]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
        wall = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    report: dict[str, Any] = {"check": "backend_faults", "exit_code": done.returncode,
                              "wall_s": round(wall, 1), "passed": False}
    results_path = output / "results.json"
    if not results_path.exists():
        report["error"] = done.stderr[-1000:]
        return report
    records = [json.loads(line) for line in (output / "samples.jsonl").read_text().splitlines()]
    failed = {r["id"] for r in records if r["score"]["status"] == "backend_error"}
    tasks = json.loads(results_path.read_text())["tasks"]
    arith, count = tasks["run_arith"], tasks["run_count"]
    report.update(samples=len(records), backend_error_ids=sorted(failed),
                  arith={k: arith[k] for k in ("score", "n", "n_scored", "status_counts")},
                  count={k: count[k] for k in ("n", "n_scored", "status_counts")})
    report["passed"] = (
        done.returncode == 1  # documented: some samples could not be scored
        and len(records) == 22 and failed == PERSISTENT
        and arith["n"] == 10 and arith["n_scored"] == 4 and arith["score"] == 1.0
        and count["n_scored"] == 12 and "backend_error" not in count["status_counts"]
    )
    return report
