"""orsta_bench.keyvalue: one KEY=VALUE parser, one documented value typing for every flag."""

from __future__ import annotations

import pytest

from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.resolve import parse_kv
from orsta_bench.keyvalue import parse_pairs, parse_value


@pytest.mark.parametrize(("raw", "value"), [
    ("true", True), ("False", False), ("3", 3), ("-2", -2), ("0.5", 0.5), ("1e-5", 1e-5),
    ("null", None), ("", None), (" float32 ", "float32"), ("[a, 2]", ["a", 2]),
    ("{k: 1}", {"k": 1}), ("[unclosed", "[unclosed"), ("yes", "yes"), ("cpu:0", "cpu:0"),
])
def test_value_typing(raw: str, value: object) -> None:
    typed = parse_value(raw)
    assert typed == value and type(typed) is type(value)


def test_pairs_keep_order_skip_blanks_and_name_the_bad_item() -> None:
    assert parse_pairs(["a=1", " ", "b = x=y"], "--set", "a=1") == {"a": 1, "b": "x=y"}
    with pytest.raises(ValueError, match=r"^--set: 'nokey' is not key=value \(expected KEY=VALUE, e.g. --set a=1\)$"):
        parse_pairs(["nokey"], "--set", "a=1")
    with pytest.raises(ValueError, match="'=3' is not key=value"):
        parse_pairs(["=3"], "--set", "a=1")


def test_backend_args_use_the_same_typing() -> None:
    assert parse_kv("dtype=float32,max_model_len=2048,enforce_eager=TRUE,timeout=1e3", "--backend-args") == {
        "dtype": "float32", "max_model_len": 2048, "enforce_eager": True, "timeout": 1000.0}
    assert parse_kv(None, "--gen-kwargs") == {}
    with pytest.raises(BackendConfigError, match="--backend-args: 'dtype' is not key=value"):
        parse_kv("dtype", "--backend-args")
