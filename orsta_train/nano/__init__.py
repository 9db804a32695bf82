"""nano-Orsta: a small Qwen2.5-VL trained from scratch on the synthetic suite, SFT then GRPO.

`python -m orsta_train.nano --output DIR` rebuilds it from nothing (docs/NANO.md).
"""
