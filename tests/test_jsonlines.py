"""JSON Lines reading shared by `score`, resume and the jsonl source: `\\n` ends a record and
nothing else does; records nested past the cap are refused as one bad line."""

import io
import json

import pytest

from orsta_bench.jsonlines import MAX_DEPTH, LineError, decode_line, iter_lines, nesting_depth

# `\r` as JSON whitespace and raw inside a string, U+2028 / NEL / \x1c inside strings: all split
# by bytes.splitlines or str.splitlines, none a record end.
RECORDS = [b'{"id": 1,\r "a": "x\ry"}', '{"id": 2, "a": "l\u2028m\u0085n\x1c"}'.encode(), b'{"id": 3}\r']


@pytest.mark.parametrize("as_file", [False, True])
def test_only_newline_ends_a_record(as_file):
    data = b"\n".join(RECORDS) + b"\n\n  \n"
    source = io.BytesIO(data) if as_file else data
    lines = list(iter_lines(source))
    assert [number for number, _ in lines] == [1, 2, 3]  # blank lines skipped, numbers kept
    assert [decode_line(raw)["id"] for _, raw in lines] == [1, 2, 3]
    assert decode_line(lines[0][1])["a"] == "x\ry" and decode_line(lines[1][1])["a"] == "l\u2028m\u0085n\x1c"
    assert len(data.splitlines()) > 3  # what the old readers did


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_depth_cap():
    assert nesting_depth(json.loads(nested(MAX_DEPTH))) == MAX_DEPTH
    assert decode_line(nested(MAX_DEPTH)) is not None
    for depth in (MAX_DEPTH + 1, 600, 100_000):  # 100 000 makes json itself raise RecursionError
        with pytest.raises(LineError, match=f"nested deeper than {MAX_DEPTH}"):
            decode_line(nested(depth))


def test_nesting_depth_counts_dicts_and_stops_early():
    assert nesting_depth(1) == 0 and nesting_depth({"a": [1, {"b": []}]}) == 4
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert nesting_depth(deep, stop_after=10) == 11  # no recursion, no full walk


@pytest.mark.parametrize(("raw", "message"), [(b"\xff\xfe", "not valid UTF-8"), (b"{nope", "not valid JSON")])
def test_bad_lines_say_why(raw, message):
    with pytest.raises(LineError, match=message):
        decode_line(raw)
