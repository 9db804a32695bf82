"""Locally built models (the tiny random Qwen2.5-VL)."""
