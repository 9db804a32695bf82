"""The transformers backend: AutoModelForImageTextToText + AutoProcessor, batched, left-padded.

Everything the processor returns goes to generate() (Qwen2.5-VL needs `mm_token_type_ids` for
its 3-D M-RoPE positions; dropping it silently changes the model, see ENV-NOTES). Requests are
batched by identical generation settings; greedy by default; with left padding and fp32 the
outputs do not depend on the batch size (tested). Sampled decoding draws each request from its
own seeded stream (RowSampler), so it does not depend on the batch size either.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from orsta_bench.backends.base import ChatRequest, ChatResponse, GenerationSettings
from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.messages import cut_at_stop, to_hf_messages
from orsta_bench.distributed import detect_launch

DTYPES = ("auto", "float32", "bfloat16", "float16")


class HFBackend:
    name = "hf"

    def __init__(self, model: str | Path, *, batch_size: int = 8, dtype: str = "auto",
                 device: str = "auto", attn_implementation: str | None = None,
                 label: str | None = None) -> None:
        if dtype not in DTYPES:
            raise BackendConfigError(f"backend arg dtype={dtype!r}: use one of {', '.join(DTYPES)}")
        if batch_size < 1:
            raise BackendConfigError(f"batch size must be >= 1, got {batch_size}")
        import torch
        import transformers
        from transformers import AutoModelForImageTextToText, AutoProcessor

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        if device == "auto":
            # one GPU per process of a data-parallel launch: LOCAL_RANK's (docs/running.md)
            local_rank = detect_launch().local_rank
            device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
        try:
            torch.device(device)
        except RuntimeError:
            raise BackendConfigError(f"backend arg device={device!r} is not a torch device "
                                     "(use cpu, cuda, cuda:1, auto)") from None
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        self.model_path = str(model)
        self.label = label or self.model_path
        self.batch_size = batch_size
        self.device = device
        self.dtype = dtype
        self._torch = torch
        self.processor = AutoProcessor.from_pretrained(self.model_path)
        tokenizer = getattr(self.processor, "tokenizer", self.processor)
        tokenizer.padding_side = "left"  # decoder-only batched generation needs left padding
        self.tokenizer = tokenizer
        extra = {"attn_implementation": attn_implementation} if attn_implementation else {}
        self.model = AutoModelForImageTextToText.from_pretrained(
            self.model_path, dtype=getattr(torch, dtype), **extra).to(device).eval()
        self._eos = self._eos_ids()

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.label, "dtype": self.dtype,
                "device": self.device.split(":")[0], "weights": _weights_fingerprint(self.model_path)}

    def close(self) -> None:
        self.model = None  # type: ignore[assignment]

    def generate(self, requests: Iterable[ChatRequest]) -> Iterator[ChatResponse]:
        """Batches of up to batch_size consecutive requests with equal settings."""
        batch: list[ChatRequest] = []
        for request in requests:
            if batch and (len(batch) >= self.batch_size or request.generation != batch[0].generation):
                yield from self._run_batch(batch)
                batch = []
            batch.append(request)
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, batch: list[ChatRequest]) -> list[ChatResponse]:
        try:
            return self._generate_batch(batch)
        except Exception as error:  # one bad request must not sink its batch mates
            if len(batch) == 1:
                return [ChatResponse(batch[0].request_id, "", finish_reason="error",
                                     error=f"{type(error).__name__}: {error}")]
            return [response for request in batch for response in self._run_batch([request])]

    def _generate_batch(self, batch: list[ChatRequest]) -> list[ChatResponse]:
        torch = self._torch
        settings = batch[0].generation
        texts, images = [], []
        for request in batch:
            messages, ordered = to_hf_messages(request.messages, request.images)
            texts.append(self.processor.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True))
            images.extend(image.to_pil() for image in ordered)
        inputs = self.processor(text=texts, images=images or None, return_tensors="pt",
                                padding=True)
        inputs = inputs.to(self.device)
        prompt_len = inputs["input_ids"].shape[1]
        started = time.perf_counter()
        kwargs = _generate_kwargs(settings, self._pad_id())
        if settings.temperature > 0:
            seeds = [settings.seed if r.sample_seed is None else r.sample_seed for r in batch]
            kwargs["logits_processor"] = [RowSampler(seeds, settings, self.device)]
        with torch.inference_mode():
            output = self.model.generate(**inputs, **kwargs)
        elapsed = time.perf_counter() - started
        responses = []
        for row, request in enumerate(batch):
            new = output[row, prompt_len:].tolist()
            end = next((i for i, token in enumerate(new) if token in self._eos), None)
            tokens = new if end is None else new[:end]
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            text, stopped = cut_at_stop(text, settings.stop)
            finish = "stop" if end is not None or stopped else "length"
            responses.append(ChatResponse(
                request.request_id, text, finish_reason=finish,
                prompt_tokens=int(inputs["attention_mask"][row].sum()),
                completion_tokens=len(tokens) + (end is not None), latency_s=elapsed,
                extra={"batch_size": len(batch)}))
        return responses

    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return pad if pad is not None else next(iter(self._eos))


def _generate_kwargs(settings: GenerationSettings, pad_id: int) -> dict[str, Any]:
    """Always transformers' greedy search: sampling, when asked, is done by RowSampler."""
    return {"max_new_tokens": settings.max_new_tokens, "pad_token_id": pad_id, "do_sample": False,
            "temperature": None, "top_p": None, "top_k": None}


class RowSampler:
    """Temperature + nucleus (top_p) sampling with one torch.Generator per batch row, as a
    logits processor in front of greedy search: each row draws from its own seeded stream, so
    a sample's output depends on its seed alone, not on its batch mates or the batch size
    (transformers' own sampling shares one global stream across the batch). No top_k, as
    vLLM's default. The chosen token keeps its logit and every other becomes -inf."""

    def __init__(self, seeds: list[int], settings: GenerationSettings, device: str) -> None:
        import torch

        self.torch = torch
        self.temperature = settings.temperature
        self.top_p = settings.top_p
        self.generators = [torch.Generator(device=device).manual_seed(seed) for seed in seeds]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        torch = self.torch
        logits = scores.float() / self.temperature
        chosen = []
        for row, generator in enumerate(self.generators):
            probs = torch.softmax(logits[row], dim=-1)
            if self.top_p < 1.0:
                ordered, order = torch.sort(probs, descending=True)
                before = torch.cumsum(ordered, dim=-1) - ordered  # mass ranked above each token
                ordered[before >= self.top_p] = 0.0
                probs = torch.zeros_like(probs).scatter_(0, order, ordered)
            chosen.append(torch.multinomial(probs, 1, generator=generator))
        picks = torch.cat(chosen)
        out = torch.full_like(scores, float("-inf"))
        out[torch.arange(scores.shape[0], device=scores.device), picks] = 0.0
        return out


def _weights_fingerprint(path: str) -> str:
    """Cheap identity of a local checkpoint: config bytes plus weight file names and sizes
    (hashing gigabytes of weights at every start would cost more than it protects)."""
    folder = Path(path)
    if not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    config = folder / "config.json"
    if config.exists():
        digest.update(config.read_bytes())
    for file in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(f"{file.name}:{file.stat().st_size}".encode())
    return digest.hexdigest()[:16]
