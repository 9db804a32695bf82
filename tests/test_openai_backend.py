"""The openai backend against a small local HTTP server that misbehaves on purpose (500s,
429 with Retry-After, closed connections, slow answers, truncated JSON, 400), and against a
real `transformers serve` of the tiny model (slow)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orsta_bench.backends.base import ChatRequest, GenerationSettings
from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.openai import OpenAIBackend
from orsta_bench.sample import SampleImage, user_message

PNG = SampleImage.from_pil(__import__("PIL.Image", fromlist=["Image"]).new("RGB", (8, 8), "red"))


def ok_body(text: str) -> bytes:
    return json.dumps({"choices": [{"message": {"content": text}, "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 11, "completion_tokens": 3}}).encode()


class FaultServer(ThreadingHTTPServer):
    """Each request's user text names a script: a list of behaviours, one per attempt."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.attempts: dict[str, int] = {}
        self.bodies: list[dict] = []
        self.headers_seen: list[dict] = []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        server: FaultServer = self.server  # type: ignore[assignment]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = next(p["text"] for p in body["messages"][0]["content"] if p["type"] == "text")
        script = text.split(",")
        with server.lock:
            attempt = server.attempts.get(text, 0)
            server.attempts[text] = attempt + 1
            server.bodies.append(body)
            server.headers_seen.append(dict(self.headers))
        action = script[min(attempt, len(script) - 1)]
        if action == "ok":
            self._send(200, ok_body(f"answer to {text}"))
        elif action == "500":
            self._send(500, b'{"error": "boom"}')
        elif action == "429":
            self._send(429, b"{}", {"Retry-After": "0.05"})
        elif action == "400":
            self._send(400, b'{"error": "bad request"}')
        elif action == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif action == "slow":
            time.sleep(1.5)
            self._send(200, ok_body("late"))
        elif action == "truncated":
            self._send(200, ok_body("cut")[:25])

    def _send(self, status: int, data: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    srv = FaultServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def backend_for(server: FaultServer, **kwargs) -> OpenAIBackend:
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    options = {"concurrency": 4, "timeout": 0.5, "max_retries": 3, "backoff": 0.01}
    options.update(kwargs)
    return OpenAIBackend(url, "tiny", **options)


def request(script: str, images: int = 0) -> ChatRequest:
    return ChatRequest(script, user_message(script, images), [PNG] * images,
                       GenerationSettings(max_new_tokens=7, stop=("\n\n",)))


def test_transient_failures_are_retried_until_answered(server: FaultServer) -> None:
    scripts = ["500,500,ok", "429,ok", "close,ok", "slow,ok", "truncated,ok", "ok"]
    backend = backend_for(server)
    responses = {r.request_id: r for r in backend.generate([request(s) for s in scripts])}
    assert set(responses) == set(scripts)
    for script, response in responses.items():
        assert response.error is None, (script, response.error)
        assert response.text == f"answer to {script}"
        assert response.extra["attempts"] == script.split(",").index("ok") + 1
        assert response.prompt_tokens == 11 and response.completion_tokens == 3


def test_persistent_failure_gives_error_response_not_exception(server: FaultServer) -> None:
    backend = backend_for(server, max_retries=2)
    responses = {r.request_id: r for r in backend.generate([request("500"), request("400"), request("ok")])}
    assert "HTTP 500" in responses["500"].error and "3 attempt" in responses["500"].error
    assert "HTTP 400" in responses["400"].error and "1 attempt" in responses["400"].error
    assert server.attempts["400"] == 1  # a client error is not retried
    assert responses["ok"].error is None


def test_wire_format_images_and_api_key(server: FaultServer, monkeypatch) -> None:
    monkeypatch.setenv("ORSTA_TEST_KEY", "sk-secret-123")
    backend = backend_for(server, api_key_env="ORSTA_TEST_KEY")
    responses = list(backend.generate([request("ok", images=1), request("500")]))
    body = next(b for b in server.bodies if b["messages"][0]["content"][-1]["text"] == "ok")
    assert body["model"] == "tiny" and body["max_tokens"] == 7 and body["stop"] == ["\n\n"]
    image_part = body["messages"][0]["content"][0]
    assert image_part["type"] == "image_url"
    assert image_part["image_url"]["url"].startswith("data:image/png;base64,")
    assert server.headers_seen[0]["Authorization"] == "Bearer sk-secret-123"
    visible = json.dumps(backend.describe()) + repr(backend.__dict__) + "".join(
        str(r.error) for r in responses)
    assert "sk-secret-123" not in visible


def test_concurrency_is_bounded(server: FaultServer) -> None:
    backend = backend_for(server, concurrency=2, timeout=5)
    started = time.perf_counter()
    list(backend.generate([request(f"slow,{i}") for i in range(4)]))
    # 4 requests of 1.5 s, 2 at a time -> about 3 s (not 1.5 s: the bound holds).
    assert time.perf_counter() - started >= 2.9


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(BackendConfigError, match="http"):
        OpenAIBackend("localhost:8000", "m")
    with pytest.raises(BackendConfigError, match="model name"):
        OpenAIBackend("http://localhost:8000/v1", "")
    with pytest.raises(BackendConfigError, match="concurrency"):
        OpenAIBackend("http://localhost:8000/v1", "m", concurrency=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_against_real_transformers_serve(tmp_path: Path) -> None:
    """A real OpenAI-compatible server (transformers serve) on loopback serving the tiny model."""
    pytest.importorskip("fastapi")
    from orsta_bench.models.tiny import tiny_model_path

    model = tiny_model_path()
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cli = Path(sys.executable).with_name("transformers")
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([str(cli), "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--device", "cpu", "--dtype", "float32", str(model)],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
                time.sleep(0.5)
        backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", str(model), concurrency=2,
                                timeout=120, max_retries=2)
        reqs = [request("How many circles?", images=1), request("What is 2 + 3?")]
        for r in reqs:
            r.generation = GenerationSettings(max_new_tokens=6)
        responses = {r.request_id: r for r in backend.generate(reqs)}
        for response in responses.values():
            assert response.error is None, (response.error, (tmp_path / "serve.log").read_text()[-2000:])
            assert isinstance(response.text, str) and response.text
        backend.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
