"""The backend interface: a batch of chat requests in, responses out. Backends know nothing
about tasks or scoring; the only task-derived thing a request may carry is the oracle's answer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from orsta_bench.sample import SampleImage


@dataclass(frozen=True)
class GenerationSettings:
    max_new_tokens: int = 512
    temperature: float = 0.0  # 0 means greedy
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop"] = list(self.stop)
        return data


@dataclass
class ChatRequest:
    request_id: str
    messages: list[dict[str, Any]]  # orsta message format (see orsta_bench.sample)
    images: list[SampleImage]
    generation: GenerationSettings
    oracle_answer: str | None = None  # set by the runner for the oracle backend only
    # This request's own sampling seed (the runner derives it from run seed, task and id), so
    # sampled outputs do not depend on batching or sharding; None: generation.seed is used.
    sample_seed: int | None = None


@dataclass
class ChatResponse:
    request_id: str
    text: str
    finish_reason: str = "stop"  # stop | length | error
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float = 0.0
    error: str | None = None  # set when the model never answered (scored as backend_error)
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """Implementations: orsta_bench.backends.{oracle,hf,openai,vllm}."""

    name: str

    def generate(self, requests: Iterable[ChatRequest]) -> Iterator[ChatResponse]:
        """Yield one response per request, in completion order (not necessarily input order).
        A failed request yields a response with `error` set instead of raising."""
        ...

    def describe(self) -> dict[str, Any]:
        """What identifies this backend's outputs (model, revision, dtype ...) for fingerprints."""
        ...

    def close(self) -> None: ...
