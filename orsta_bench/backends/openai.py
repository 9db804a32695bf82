"""Any OpenAI-compatible chat endpoint (vLLM serve, SGLang, transformers serve, hosted APIs).

Images travel as base64 data URLs. At most `concurrency` requests are in flight; each answer is
yielded as it completes. Transient failures (429, 5xx, timeouts, dropped connections, truncated
or malformed JSON) are retried with exponential backoff and jitter, honouring Retry-After; after
the last try the request yields a response with `error` set (scored backend_error). The API key
comes from an environment variable and never appears in messages, describe() or logs.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from orsta_bench.backends.base import ChatRequest, ChatResponse, GenerationSettings
from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.messages import cut_at_stop, to_openai_messages
from orsta_bench.backends.window import completed_in_window

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class _Transient(Exception):
    """A failure worth retrying; the message is safe to show (no headers, no key)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OpenAIBackend:
    name = "openai"

    def __init__(self, base_url: str, model_name: str, *, concurrency: int = 8,
                 timeout: float = 120.0, max_retries: int = 5, backoff: float = 0.5,
                 max_backoff: float = 30.0, api_key_env: str = "OPENAI_API_KEY") -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BackendConfigError(f"openai base URL {base_url!r} must start with http:// or https://")
        if not model_name:
            raise BackendConfigError("openai backend needs a model name: --model-name NAME "
                                     "or --model openai:URL#NAME")
        for label, value in (("concurrency", concurrency), ("max_retries", max_retries + 1)):
            if value < 1:
                raise BackendConfigError(f"backend arg {label} must be positive, got {value}")
        if timeout <= 0 or backoff < 0:
            raise BackendConfigError("backend args timeout must be > 0 and backoff >= 0")
        self.base_url = base_url.rstrip("/")
        self.model_name = model_name
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.api_key_env = api_key_env
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.Client(timeout=timeout, headers=headers, limits=limits)
        self._rng = random.Random(0)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model_name, "base_url": self.base_url}

    def close(self) -> None:
        self._client.close()

    def generate(self, requests: Iterable[ChatRequest]) -> Iterator[ChatResponse]:
        return completed_in_window(self._one, requests, self.concurrency)

    def build_body(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of one chat completion request."""
        settings: GenerationSettings = request.generation
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": to_openai_messages(request.messages, request.images),
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "seed": settings.seed,
        }
        if settings.temperature > 0:
            body["top_p"] = settings.top_p
        if settings.stop:
            body["stop"] = list(settings.stop)
        return body

    def _one(self, request: ChatRequest) -> ChatResponse:
        started = time.perf_counter()
        try:
            body = self.build_body(request)
        except (ValueError, OSError) as error:
            return ChatResponse(request.request_id, "", finish_reason="error",
                                error=f"bad request: {error}")
        last = ""
        for attempt in range(self.max_retries + 1):
            try:
                response = self._post(body, request)
                response.latency_s = time.perf_counter() - started
                response.extra["attempts"] = attempt + 1
                return response
            except _Transient as error:
                last = str(error)
                if attempt < self.max_retries:
                    time.sleep(self._delay(attempt, error.retry_after))
            except _Fatal as error:
                last = str(error)
                break
        return ChatResponse(request.request_id, "", finish_reason="error",
                            latency_s=time.perf_counter() - started,
                            error=f"{last} (after {attempt + 1} attempt(s))")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        base = min(self.backoff * (2 ** attempt), self.max_backoff)
        return base * (0.5 + self._rng.random() / 2)

    def _post(self, body: dict[str, Any], request: ChatRequest) -> ChatResponse:
        url = f"{self.base_url}/chat/completions"
        try:
            reply = self._client.post(url, content=json.dumps(body))
        except httpx.TimeoutException:
            raise _Transient(f"timeout from {url}") from None
        except httpx.TransportError as error:  # refused, reset, closed mid-response
            raise _Transient(f"connection error from {url}: {type(error).__name__}") from None
        if reply.status_code in RETRY_STATUSES:
            raise _Transient(f"HTTP {reply.status_code} from {url}", _retry_after(reply))
        if reply.status_code >= 400:
            raise _Fatal(f"HTTP {reply.status_code} from {url}: {reply.text[:300]}")
        try:
            payload = reply.json()
            choice = payload["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise _Transient(f"malformed or truncated JSON from {url}") from None
        usage = payload.get("usage") or {}
        text, stopped = cut_at_stop(text, request.generation.stop)
        finish = choice.get("finish_reason") or "stop"
        return ChatResponse(
            request.request_id, text, finish_reason="stop" if stopped else str(finish),
            prompt_tokens=usage.get("prompt_tokens"), completion_tokens=usage.get("completion_tokens"))


class _Fatal(Exception):
    """A failure retrying cannot fix (400, 401, 404 ...)."""


def _retry_after(reply: httpx.Response) -> float | None:
    value = reply.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
