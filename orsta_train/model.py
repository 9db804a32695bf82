"""Loading the policy for training: resolve --model, load model + processor, check they agree,
freeze the vision tower and connector, and name the vision placeholder tokens to keep out of
completions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orsta_train.config import ConfigError, TrainConfig

# Parameter-name markers of vision encoders and their connectors (Qwen2/2.5-VL: `visual`, whose
# `merger` is the connector; LLaVA-style: `vision_tower` + `multi_modal_projector`).
VISION_MARKERS = ("visual.", "vision_tower.", "vision_model.", "multi_modal_projector.")
VISION_PAD_TOKENS = ("<|image_pad|>", "<|video_pad|>")


class ModelSetupError(ValueError):
    """The model folder cannot be trained as asked; the message names the folder and the fix."""


def resolve_model_dir(model: str) -> Path:
    """The --model grammar of orsta-bench (orsta_bench.backends.resolve), restricted to what can
    be trained: `tiny`, `nano`, a local folder, `hf:FOLDER` or a cached hub id. Serving-only forms
    (oracle, openai:, vllm:) are refused with the fix."""
    from orsta_bench.api import BackendConfigError, model_folder, parse_model

    try:
        ref = parse_model(model)
        if ref.backend != "hf":
            raise ConfigError(
                f"--model {model!r} names a {ref.backend} backend, which cannot be trained: give `tiny`, a "
                "local checkpoint folder or hf:FOLDER (vLLM generation is the use_vllm option)"
            )
        return Path(model_folder(ref))
    except BackendConfigError as error:
        raise ConfigError(str(error)) from None


def load_processor(path: Path) -> Any:
    from transformers import AutoProcessor

    try:
        processor = AutoProcessor.from_pretrained(str(path))
    except (OSError, ValueError, TypeError) as error:
        raise ModelSetupError(f"--model {path}: cannot load a processor ({error})") from None
    if not hasattr(processor, "image_processor") or not hasattr(processor, "tokenizer"):
        raise ModelSetupError(
            f"--model {path}: the folder has a tokenizer but no multimodal processor "
            "(preprocessor_config.json / processor_config.json); save the model's processor "
            "into the folder with processor.save_pretrained(...)"
        )
    processor.tokenizer.padding_side = "left"
    return processor


def load_model(path: Path, dtype: str) -> Any:
    from transformers import AutoModelForImageTextToText

    return AutoModelForImageTextToText.from_pretrained(str(path), dtype=getattr(__import__("torch"), dtype))


def vision_pad_ids(processor: Any) -> list[int]:
    """Token ids of the image/video placeholders the tokenizer knows."""
    tokenizer = processor.tokenizer
    ids = []
    for token in VISION_PAD_TOKENS:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id and token_id >= 0:
            ids.append(token_id)
    return ids


def check_image_tokens(model: Any, processor: Any, path: Path) -> None:
    """The processor expands images into the token the model replaces with image features; if
    they disagree every forward pass fails with a feature/token count mismatch."""
    model_id = getattr(model.config, "image_token_id", None)
    proc_token = getattr(processor, "image_token", None)
    proc_id = processor.tokenizer.convert_tokens_to_ids(proc_token) if proc_token else None
    if model_id is None or proc_id is None or model_id != proc_id:
        raise ModelSetupError(
            f"--model {path}: image-token mismatch: the processor's image token {proc_token!r} has id "
            f"{proc_id} but config.json image_token_id is {model_id}; the processor and the model "
            "come from different checkpoints (save the matching processor into the folder)"
        )


def freeze_vision(model: Any) -> list[str]:
    """Freeze every vision-tower and connector parameter; returns their names. A model with no
    such parameters cannot follow the recipe, so that is an error, not a silent no-op."""
    frozen = []
    for name, parameter in model.named_parameters():
        if any(marker in name for marker in VISION_MARKERS):
            parameter.requires_grad_(False)
            frozen.append(name)
    if not frozen:
        raise ModelSetupError(
            "freeze_vision is on but no vision-tower parameters were found "
            f"(looked for {', '.join(VISION_MARKERS)}); set freeze_vision: false for this model"
        )
    return frozen


def setup_policy(cfg: TrainConfig, dtype: str) -> tuple[Any, Any, Path]:
    path = resolve_model_dir(cfg.model)
    processor = load_processor(path)
    model = load_model(path, dtype)
    check_image_tokens(model, processor, path)
    if cfg.freeze_vision:
        freeze_vision(model)
    return model, processor, path
