"""The hf backend on the tiny Qwen2.5-VL, CPU fp32: batch-size invariance, the M-RoPE inputs,
stop strings, token counts and bad settings."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from PIL import Image  # noqa: E402

from orsta_bench.backends.base import ChatRequest, GenerationSettings  # noqa: E402
from orsta_bench.backends.errors import BackendConfigError  # noqa: E402
from orsta_bench.backends.hf import HFBackend  # noqa: E402
from orsta_bench.models.tiny import tiny_model_path  # noqa: E402
from orsta_bench.sample import SampleImage, user_message  # noqa: E402


@pytest.fixture(scope="module")
def backend() -> HFBackend:
    return HFBackend(tiny_model_path(), batch_size=1, dtype="float32", device="cpu")


def requests(n: int = 8, max_new_tokens: int = 10) -> list[ChatRequest]:
    """Mixed lengths, with and without images of different sizes (so padding differs)."""
    out = []
    for i in range(n):
        images = [SampleImage.from_pil(Image.new("RGB", (40 + 12 * i, 56), (20 * i, 90, 200)))] \
            if i % 3 else []
        text = "How many circles are there? " * (1 + i % 4)
        out.append(ChatRequest(f"r{i}", user_message(text, len(images)), images,
                               GenerationSettings(max_new_tokens=max_new_tokens)))
    return out


def texts(backend: HFBackend, batch_size: int, reqs: list[ChatRequest]) -> dict[str, str]:
    backend.batch_size = batch_size
    return {r.request_id: r.text for r in backend.generate(reqs)}


def test_greedy_outputs_do_not_depend_on_batch_size(backend: HFBackend) -> None:
    reqs = requests()
    one = texts(backend, 1, reqs)
    assert texts(backend, 3, reqs) == one
    assert texts(backend, 8, reqs) == one
    assert len(set(one.values())) > 1  # the prompts really differ


def sampled(reqs: list[ChatRequest], seeds: list[int]) -> list[ChatRequest]:
    settings = GenerationSettings(max_new_tokens=12, temperature=1.0, top_p=0.9)
    return [ChatRequest(r.request_id, r.messages, r.images, settings, sample_seed=seed)
            for r, seed in zip(reqs, seeds, strict=True)]


def test_sampled_outputs_depend_on_the_sample_seed_not_the_batch(backend: HFBackend) -> None:
    reqs = sampled(requests(), [100 + i for i in range(8)])
    one = texts(backend, 1, reqs)
    assert texts(backend, 3, reqs) == one
    assert texts(backend, 8, list(reversed(reqs))) == one
    # The same prompt under other seeds gives other samples (sampling is really on).
    reseeded = texts(backend, 8, sampled(requests(), [200 + i for i in range(8)]))
    assert sum(reseeded[k] != one[k] for k in one) >= 4


def test_processor_outputs_include_mrope_inputs(backend: HFBackend) -> None:
    """The processor returns mm_token_type_ids (needed for 3-D positions); the backend passes
    every key on, so dropping it would change outputs: check that it does matter here."""
    import torch

    from orsta_bench.backends.messages import to_hf_messages

    request = requests(3)[1]
    messages, ordered = to_hf_messages(request.messages, request.images)
    text = backend.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = backend.processor(text=[text], images=[i.to_pil() for i in ordered], return_tensors="pt")
    assert "mm_token_type_ids" in inputs
    with torch.inference_mode():
        full = backend.model(**inputs).logits
        without = backend.model(**{k: v for k, v in inputs.items() if k != "mm_token_type_ids"}).logits
    assert not torch.allclose(full, without)


def test_finish_reason_tokens_and_stop(backend: HFBackend) -> None:
    backend.batch_size = 2
    reqs = requests(2, max_new_tokens=5)
    responses = {r.request_id: r for r in backend.generate(reqs)}
    for response in responses.values():
        assert response.error is None
        assert response.finish_reason in ("stop", "length")
        assert response.prompt_tokens and response.prompt_tokens > 10
        assert 1 <= response.completion_tokens <= 5
    text = responses["r0"].text
    assert len(text) >= 2
    stop = text[1:3]
    stopped = ChatRequest("s", reqs[0].messages, [], GenerationSettings(max_new_tokens=5, stop=(stop,)))
    response = next(backend.generate([stopped]))
    assert response.text == text[: text.find(stop)] and response.finish_reason == "stop"


def test_bad_request_fails_alone(backend: HFBackend) -> None:
    backend.batch_size = 3
    good = requests(2)
    bad = ChatRequest("bad", [{"role": "user", "content": [{"type": "image", "index": 3}]}], [],
                      GenerationSettings(max_new_tokens=4))
    responses = {r.request_id: r for r in backend.generate([good[0], bad, good[1]])}
    assert responses["bad"].error and "out of range" in responses["bad"].error
    assert responses["r0"].error is None and responses["r1"].error is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dtype": "float64"}, "dtype"), ({"device": "nonsense"}, "device"), ({"batch_size": 0}, "batch"),
])
def test_bad_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(BackendConfigError, match=message):
        HFBackend(tiny_model_path(), **kwargs)
