"""The vLLM backend's request building, checked against vLLM's documented input format
(TextPrompt: {"prompt": str, "multi_modal_data": {"image": [PIL.Image, ...]}}; SamplingParams
keywords) without needing vLLM installed. The real engine runs in tests/test_vllm_backend.py."""

from __future__ import annotations

from PIL import Image

from orsta_bench.backends.base import ChatRequest, GenerationSettings
from orsta_bench.backends.vllm import build_prompt, sampling_kwargs
from orsta_bench.models.tiny import CHAT_TEMPLATE
from orsta_bench.sample import SampleImage


def render(messages, tokenize=False, add_generation_prompt=True) -> str:
    """The tiny model's own chat template (what vLLM's tokenizer would apply)."""
    from jinja2 import Template

    assert tokenize is False and add_generation_prompt is True
    return Template(CHAT_TEMPLATE).render(messages=messages, add_generation_prompt=True)


def test_images_go_to_multi_modal_data_in_placeholder_order() -> None:
    red = SampleImage.from_pil(Image.new("RGB", (10, 10), "red"))
    blue = SampleImage.from_pil(Image.new("RGB", (12, 10), "blue"))
    messages = [{"role": "user", "content": [
        {"type": "image", "index": 1}, {"type": "text", "text": "compare with"},
        {"type": "image", "index": 0}]}]
    prompt = build_prompt(ChatRequest("a", messages, [red, blue], GenerationSettings()), render)
    assert set(prompt) == {"prompt", "multi_modal_data"}
    assert prompt["prompt"].count("<|vision_start|><|image_pad|><|vision_end|>") == 2
    assert prompt["prompt"].endswith("<|im_start|>assistant\n")
    images = prompt["multi_modal_data"]["image"]
    assert [image.size for image in images] == [(12, 10), (10, 10)]
    assert all(isinstance(image, Image.Image) and image.mode == "RGB" for image in images)


def test_text_only_prompt_has_no_multi_modal_data() -> None:
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "2+2?"}]}]
    prompt = build_prompt(ChatRequest("b", messages, [], GenerationSettings()), render)
    assert set(prompt) == {"prompt"}
    assert prompt["prompt"].startswith("<|im_start|>system\nBe brief.<|im_end|>")


def test_sampling_kwargs() -> None:
    greedy = sampling_kwargs(GenerationSettings(max_new_tokens=9, seed=3))
    assert greedy == {"max_tokens": 9, "temperature": 0.0, "seed": 3}
    sampled = sampling_kwargs(GenerationSettings(temperature=0.7, top_p=0.9, stop=("</answer>",)))
    assert sampled["top_p"] == 0.9 and sampled["stop"] == ["</answer>"] and sampled["temperature"] == 0.7
