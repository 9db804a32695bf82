"""nano-Orsta, the built-in trained model: where the shipped checkpoint lives.

The folder `nano_orsta/` beside this module holds a Qwen2.5-VL checkpoint (safetensors,
tokenizer, processor) trained by `python -m orsta_train.nano` (docs/NANO.md); `--model nano`
resolves here. No torch import: resolving a path must stay cheap.
"""

from __future__ import annotations

from pathlib import Path

NANO_DIR = Path(__file__).parent / "nano_orsta"


class NanoMissingError(FileNotFoundError):
    """The package was installed without the checkpoint files."""


def nano_model_path() -> Path:
    """The shipped checkpoint folder; a clear error naming the fix when its files are missing."""
    if not (NANO_DIR / "config.json").is_file() or not any(NANO_DIR.glob("*.safetensors")):
        raise NanoMissingError(
            f"nano-Orsta checkpoint files are missing from {NANO_DIR}; reinstall orsta-bench, or "
            "rebuild it with: python -m orsta_train.nano --output DIR and pass --model DIR/grpo")
    return NANO_DIR
