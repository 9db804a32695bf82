"""The vLLM backend: the engine kept saturated with continuous feeding.

Requests are added to vLLM's LLMEngine as earlier ones finish, keeping up to `max_in_flight`
in the engine at once; every engine step yields the outputs that finished in it. There are no
synchronous chunks waiting for their slowest member. Images go in as `multi_modal_data`
({"image": [PIL images]}) beside the chat-templated prompt, the documented TextPrompt format.
vllm is imported only when the backend is built.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from orsta_bench.backends.base import ChatRequest, ChatResponse, GenerationSettings
from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.messages import cut_at_stop, to_hf_messages


def build_prompt(request: ChatRequest, apply_chat_template: Any) -> dict[str, Any]:
    """vLLM's TextPrompt: {"prompt": str, "multi_modal_data": {"image": [PIL, ...]}} with the
    images in the order of their placeholders in the templated prompt."""
    messages, ordered = to_hf_messages(request.messages, request.images)
    prompt: dict[str, Any] = {
        "prompt": apply_chat_template(messages, tokenize=False, add_generation_prompt=True)}
    if ordered:
        prompt["multi_modal_data"] = {"image": [image.to_pil() for image in ordered]}
    return prompt


def sampling_kwargs(settings: GenerationSettings) -> dict[str, Any]:
    """SamplingParams keyword arguments; temperature 0 is vLLM's greedy."""
    kwargs: dict[str, Any] = {"max_tokens": settings.max_new_tokens,
                              "temperature": settings.temperature, "seed": settings.seed}
    if settings.temperature > 0:
        kwargs["top_p"] = settings.top_p
    if settings.stop:
        kwargs["stop"] = list(settings.stop)
    return kwargs


class VLLMBackend:
    name = "vllm"

    def __init__(self, model: str, *, label: str | None = None, seed: int = 0,
                 dtype: str = "auto", tensor_parallel_size: int = 1, max_model_len: int | None = None,
                 gpu_memory_utilization: float = 0.9, max_in_flight: int = 256,
                 enforce_eager: bool = False, limit_images: int = 8) -> None:
        if max_in_flight < 1 or tensor_parallel_size < 1:
            raise BackendConfigError("backend args max_in_flight and tensor_parallel_size must be >= 1")
        _pin_local_gpu(tensor_parallel_size)
        try:
            from vllm import EngineArgs, LLMEngine, SamplingParams
        except ImportError as error:
            raise BackendConfigError(f"the vllm backend needs vLLM installed ({error}); "
                                     "pip install 'orsta-bench[vllm]' on a GPU machine") from None
        self._sampling_params = SamplingParams
        self.model = model
        self.label = label or model
        self.max_in_flight = max_in_flight
        self.settings = {"dtype": dtype, "tensor_parallel_size": tensor_parallel_size,
                         "max_model_len": max_model_len}
        engine_args = EngineArgs(
            model=model, dtype=dtype, seed=seed, tensor_parallel_size=tensor_parallel_size,
            max_model_len=max_model_len, gpu_memory_utilization=gpu_memory_utilization,
            enforce_eager=enforce_eager, limit_mm_per_prompt=_mm_limit(model, limit_images))
        self.engine = LLMEngine.from_engine_args(engine_args)
        self.tokenizer = self.engine.get_tokenizer()

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.label, **self.settings}

    def close(self) -> None:
        self.engine = None

    def generate(self, requests: Iterable[ChatRequest]) -> Iterator[ChatResponse]:
        source = iter(requests)
        live: dict[str, tuple[ChatRequest, float]] = {}
        exhausted = False
        while True:
            while not exhausted and len(live) < self.max_in_flight:
                request = next(source, None)
                if request is None:
                    exhausted = True
                    break
                failure = self._add(request)
                if failure is not None:
                    yield failure
                else:
                    live[request.request_id] = (request, time.perf_counter())
            if not live:
                return
            for output in self.engine.step():
                if output.finished and output.request_id in live:
                    request, started = live.pop(output.request_id)
                    yield _to_response(request, output, time.perf_counter() - started)

    def _add(self, request: ChatRequest) -> ChatResponse | None:
        """Queue one request; a request vLLM rejects (bad image, too long) fails alone."""
        try:
            prompt = build_prompt(request, self.tokenizer.apply_chat_template)
            kwargs = sampling_kwargs(request.generation)
            if request.sample_seed is not None:  # per-request stream: batch-independent sampling
                kwargs["seed"] = request.sample_seed
            params = self._sampling_params(**kwargs)
            self.engine.add_request(request.request_id, prompt, params)
        except Exception as error:
            return ChatResponse(request.request_id, "", finish_reason="error",
                                error=f"{type(error).__name__}: {str(error)[:300]}")
        return None


def _pin_local_gpu(tensor_parallel_size: int) -> None:
    """One engine per process under torchrun / srun: process LOCAL_RANK gets the
    tensor_parallel_size GPUs from LOCAL_RANK * tensor_parallel_size on (of those visible), set
    through CUDA_VISIBLE_DEVICES before vLLM initialises CUDA."""
    import os

    from orsta_bench.distributed import detect_launch

    launch = detect_launch()
    if launch.world_size == 1:
        return
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    devices = visible.split(",") if visible else None
    first = launch.local_rank * tensor_parallel_size
    chosen = (devices[first:first + tensor_parallel_size] if devices is not None
              else [str(i) for i in range(first, first + tensor_parallel_size)])
    if not chosen or (devices is not None and len(chosen) < tensor_parallel_size):
        raise BackendConfigError(f"LOCAL_RANK {launch.local_rank} with tensor_parallel_size "
                                 f"{tensor_parallel_size} needs more GPUs than CUDA_VISIBLE_DEVICES={visible}")
    os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(chosen)


def _mm_limit(model: str, limit_images: int) -> dict[str, int] | None:
    """Only vision models accept a multimodal limit; text-only configs get none."""
    import json
    from pathlib import Path

    config = Path(model) / "config.json"
    if config.is_file() and "vision_config" not in json.loads(config.read_text()):
        return None
    return {"image": limit_images}


def _to_response(request: ChatRequest, output: Any, latency: float) -> ChatResponse:
    completion = output.outputs[0]
    text, stopped = cut_at_stop(completion.text, request.generation.stop)
    finish = "stop" if stopped else (completion.finish_reason or "stop")
    return ChatResponse(
        request.request_id, text, finish_reason=str(finish),
        prompt_tokens=len(output.prompt_token_ids or []),
        completion_tokens=len(completion.token_ids), latency_s=latency)
