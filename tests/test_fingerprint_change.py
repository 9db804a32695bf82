"""The resume refusal says what changed in words: the setting, its old and new value."""

from __future__ import annotations

from orsta_bench.runner.fingerprint_change import describe_fingerprint_change
from orsta_bench.runner.folder import FINGERPRINT_KEYS


def _prints(**changes: object) -> dict:
    gen = {"max_new_tokens": 128, "temperature": 0.0, "top_p": 1.0, "stop": [], "seed": 0}
    base = {"model": "nano", "model_name": None, "backend_args": {},
            "generation": {"synth_math": dict(gen), "synth_ocr": dict(gen)},
            "spec_hashes": {"synth_math": "aaa", "synth_ocr": "bbb"}, "seed": 0, "limit": 30,
            "package_version": "0.1.0"}
    base.update(changes)
    return base


def test_same_settings_describe_nothing() -> None:
    assert describe_fingerprint_change(_prints(), _prints(), FINGERPRINT_KEYS) == ""


def test_a_generation_setting_changed_for_every_task_is_named_once() -> None:
    new = _prints()
    for settings in new["generation"].values():
        settings["max_new_tokens"] = 512
    assert describe_fingerprint_change(_prints(), new, FINGERPRINT_KEYS) == \
        "different max_new_tokens: 128 then, 512 now"


def test_a_change_for_some_tasks_names_them() -> None:
    new = _prints()
    new["generation"]["synth_ocr"]["temperature"] = 0.7
    assert describe_fingerprint_change(_prints(), new, FINGERPRINT_KEYS) == \
        "different temperature for synth_ocr: 0.0 then, 0.7 now"


def test_scalars_backend_args_tasks_and_edited_specs() -> None:
    old = _prints()
    new = _prints(model="tiny", limit=None, backend_args={"dtype": "float32"},
                  spec_hashes={"synth_math": "ccc", "synth_ocr": "bbb"})
    text = describe_fingerprint_change(old, new, FINGERPRINT_KEYS)
    assert text.split("; ") == [
        "different model: nano then, tiny now",
        "different backend_args dtype: unset then, float32 now",
        "task spec(s) edited since: synth_math",
        "different limit: 30 then, unset now",
    ]
    fewer = _prints(generation={"synth_math": old["generation"]["synth_math"]},
                    spec_hashes={"synth_math": "aaa"})
    assert describe_fingerprint_change(old, fewer, FINGERPRINT_KEYS) == \
        "different tasks: synth_math, synth_ocr then, synth_math now"


def test_an_undescribable_difference_still_names_the_field() -> None:
    old = _prints()
    del old["generation"]
    new = _prints(generation={})
    assert describe_fingerprint_change(old, new, FINGERPRINT_KEYS) == "different generation"
