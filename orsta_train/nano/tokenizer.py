"""The nano tokenizer: a byte-level BPE trained on the training prompts and answers.

Why not the tiny model's word-level BPE: the synth prompts repeat long fixed instructions, and on
two CPU cores every prompt token costs training time. Here the pre-tokenizer does not split at
spaces, so a frequent instruction sentence becomes a handful of tokens; digits are split one by
one so numbers and box coordinates are always spelled digit by digit (as in Qwen2). The byte
alphabet keeps every string encodable, so hostile or unseen text still round-trips.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orsta_bench.api import CHAT_TEMPLATE, SPECIAL_TOKENS


def build_tokenizer(corpus: Iterable[str], vocab_size: int) -> Any:
    """A PreTrainedTokenizerFast with the Qwen special tokens, ChatML template, left padding."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split("\n", behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
        max_token_length=64,
    )
    tokenizer.train_from_iterator(list(corpus), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>",
        unk_token=None, padding_side="left", additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast
