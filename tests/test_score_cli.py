"""`orsta-bench score` run as a real subprocess: record shapes, order, statuses, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

BOX = "[{'bbox_2d': [1, 1, 10, 10], 'label': 'a'}]"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "orsta-bench"), "score", *args],
                          capture_output=True, text=True, timeout=120)


def write(path: Path, lines: list) -> Path:
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines))
    return path


def test_scores_in_order_with_per_line_errors(tmp_path):
    records = [
        {"id": 1, "verifier": "count", "response": "There are 4", "reference": 4},
        {"id": "b", "verifier": "vtriune.detection", "response": f"<think>\nx\n</think>\n<answer>\n{BOX}\n</answer>",
         "reference": f"<answer>\n{BOX}\n</answer>",
         "params": {"verifier_parm": {"det_reward_ratio": {"iou_max_label_first": 1.0, "iou_completeness": 0.3}}},
         "context": "{'step': 3, 'total_steps': 10, 'iou_threshold': 'dynamic'}"},
        b"not json",
        {"id": 3, "verifier": "nope", "response": "x", "reference": 1},
        {"id": 1, "verifier": "count", "response": "4", "reference": 4},
        {"id": 5, "verifier": "detection", "response": BOX, "reference": BOX},
        b"\xff\xfe",
        {"id": 7, "verifier": "math", "response": "", "reference": "1"},
    ]
    source = write(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    done = run("--input", str(source), "--output", str(out), "--workers", "2")
    assert done.returncode == 1, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, "b", 3, 3, 1, 5, 7, 7]  # bad lines: their line number
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error", "error", "ok", "error", "no_answer"]
    assert rows[0] == {"id": 1, "score": 1.0, "components": {"accuracy": 1.0, "format": 0.0}, "status": "ok",
                       "detail": "", "parsed": 4}
    # no ratios given: 1.0 / 0.1; the stringified context is read; step 3/10 -> threshold 0.99
    assert rows[1]["score"] == 1.0 and rows[1]["components"]["threshold"] == 0.99
    assert "line 3" in rows[2]["detail"] and "unknown verifier" in rows[3]["detail"]
    assert "duplicate id 1" in rows[4]["detail"] and "UTF-8" in rows[6]["detail"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temp file left


def test_all_scored_exits_zero_and_streams_to_stdout(tmp_path):
    source = write(tmp_path / "in.jsonl", [{"id": i, "verifier": "count", "response": str(i), "reference": 2}
                                           for i in range(5)])
    done = run("--input", str(source), "--workers", "0")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["score"] for line in done.stdout.splitlines()] == [0, 0, 1, 0, 0]


def test_unreadable_input_exits_two_and_writes_nothing(tmp_path):
    out = tmp_path / "out.jsonl"
    done = run("--input", str(tmp_path / "missing.jsonl"), "--output", str(out))
    assert done.returncode == 2 and "cannot read --input" in done.stderr
    assert not out.exists()
    source = write(tmp_path / "in.jsonl", [{"id": 1, "verifier": "count", "response": "1", "reference": 1}])
    done = run("--input", str(source), "--output", str(tmp_path / "no" / "out.jsonl"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_a_device_as_input_exits_two_but_a_pipe_is_read(tmp_path):
    """/dev/zero was read until MemoryError (a traceback); a pipe (`-i <(...)`) is a fine input."""
    out = tmp_path / "out.jsonl"
    done = run("--input", "/dev/zero", "--output", str(out))
    assert done.returncode == 2 and "is a device" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
    record = json.dumps({"id": 1, "verifier": "count", "response": "4", "reference": 4})
    done = subprocess.run([str(Path(sys.executable).parent / "orsta-bench"), "score", "--input", "/dev/stdin",
                           "--workers", "0"], input=record + "\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 1.0
