"""orsta_bench.models.qwen: the one Qwen2.5-VL builder (tiny, nano-Orsta, GPU benchmark shapes)."""

from __future__ import annotations

import pytest

from orsta_bench.models.qwen import mrope_section, qwen25vl_config, text_config
from orsta_bench.models.tiny import _build_tokenizer


@pytest.mark.parametrize(("head_dim", "section"), [(32, [4, 6, 6]), (64, [8, 12, 12]), (128, [16, 24, 24])])
def test_mrope_section_splits_half_the_head(head_dim: int, section: list[int]) -> None:
    assert mrope_section(head_dim) == section  # Qwen2.5-VL-7B's head_dim 128 gives its [16, 24, 24]
    assert sum(section) == head_dim // 2


def test_config_wires_the_tokenizer_and_the_towers() -> None:
    tokenizer = _build_tokenizer(512)
    text = text_config(tokenizer, hidden_size=96, num_hidden_layers=1, num_attention_heads=2,
                       num_key_value_heads=1, intermediate_size=128, rope_theta=20.0)
    config = qwen25vl_config(tokenizer, text, vision_hidden_size=32, vision_depth=3, vision_heads=2,
                             vision_intermediate_size=64, fullatt_block_indexes=[2], window_size=56)
    ids = tokenizer.convert_tokens_to_ids
    assert (config.image_token_id, config.video_token_id) == (ids("<|image_pad|>"), ids("<|video_pad|>"))
    assert (config.vision_start_token_id, config.vision_end_token_id) == (ids("<|vision_start|>"), ids("<|vision_end|>"))
    assert config.text_config.eos_token_id == ids("<|im_end|>") != config.text_config.pad_token_id
    assert config.text_config.rope_parameters["mrope_section"] == [6, 9, 9]
    assert config.vision_config.out_hidden_size == 96 and config.vision_config.depth == 3
    assert config.text_config.vocab_size == len(tokenizer)
