"""The probes of the spec_bounds check (reliability/spec_bounds.py): each builds hostile specs,
data or images in the temp folder it is given and says what the CLI's message must contain."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MEGABENCH_FIXTURE = REPO / "tests" / "fixtures" / "megabench"
HEADER = """name: {name}
suite: hostile
category: perception
family: counting
"""
GOOD_TAIL = "verifier: {name: count}\nprompt: {format: boxed}\n"
PNG = (REPO / "tests" / "fixtures" / "run_tasks" / "img00.png").read_bytes()


@dataclass
class Setup:
    """What a probe built: the tasks folder, the file the message must name, extra CLI args."""

    tasks: Path
    names: str
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Probe:
    name: str
    build: Callable[[Path], Setup]
    words: tuple[str, ...]  # must appear in the message (empty for a positive control)
    validate: bool = False  # the problem is in the spec: `validate` must report it too
    ok: bool = False  # a positive control: the run must succeed


def _tasks(tmp: Path) -> Path:
    tasks = tmp / "a" / "tasks"
    tasks.mkdir(parents=True)
    return tasks


def _spec(tasks: Path, body: str, name: str = "probe", file: str = "probe.yaml") -> Path:
    path = tasks / file
    path.write_text(HEADER.format(name=name) + body)
    return path


def _jsonl_task(tmp: Path, rows: bytes, source_path: str = "data.jsonl") -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, f"source: {{kind: jsonl, path: '{source_path}'}}\n" + GOOD_TAIL)
    if rows:
        (tasks / "data.jsonl").write_bytes(rows)
    (tasks / "ok.png").write_bytes(PNG)
    return Setup(tasks, "data.jsonl")


def _row(**fields: Any) -> bytes:
    row = {"id": "r", "question": "How many?", "answer": 1, "images": ["ok.png"], **fields}
    return (json.dumps(row) + "\n").encode()


# --- spec files ---------------------------------------------------------------------------

def alias_bomb(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    body = "description: x\ndimensions:\n" + "".join(f"  {line}\n" for line in lines)
    _spec(tasks, body + "source: {kind: synthetic, generator: counting, n: 1}\n" + GOOD_TAIL)
    return Setup(tasks, "probe.yaml")


def include_fanout(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    for level in range(6):
        (tasks / f"_f{level}.yaml").write_text(f"include: [{', '.join([f'_f{level + 1}.yaml'] * 10)}]\n")
    (tasks / "_f6.yaml").write_text("description: leaf\n")
    _spec(tasks, "source: {kind: synthetic, generator: counting, n: 1}\n" + GOOD_TAIL)
    path = tasks / "probe.yaml"
    path.write_text(f"include: [{', '.join(['_f0.yaml'] * 10)}]\n" + path.read_text())
    return Setup(tasks, "probe.yaml")


def nested_flow(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, "description: " + "[" * 600 + "]" * 600 + "\n")
    return Setup(tasks, "probe.yaml")


def nested_block(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    body = "".join(" " * level + f"k{level}:\n" for level in range(600)) + " " * 600 + "v: 1\n"
    (tasks / "probe.yaml").write_text(body)
    return Setup(tasks, "probe.yaml")


def recursive_alias(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, "dimensions: &d {x: *d}\n")
    return Setup(tasks, "probe.yaml")


def duplicate_key(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, "source: {kind: synthetic, generator: counting, n: 1}\nname: other\n" + GOOD_TAIL)
    return Setup(tasks, "probe.yaml")


def huge_integer(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, "generation: {max_new_tokens: " + "9" * 5000 + "}\n")
    return Setup(tasks, "probe.yaml")


def oversized_spec(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    _spec(tasks, "description: '" + "x" * (2 * 2**20) + "'\n")
    return Setup(tasks, "probe.yaml")


def spec_not_utf8(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    (tasks / "probe.yaml").write_bytes(HEADER.format(name="probe").encode() + b"description: \xff\xfe\n")
    return Setup(tasks, "probe.yaml")


def _spec_link(target: str) -> Callable[[Path], Setup]:
    def build(tmp: Path) -> Setup:
        tasks = _tasks(tmp)
        (tasks / "probe.yaml").symlink_to(target)
        return Setup(tasks, "probe.yaml")
    return build


def spec_fifo(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    os.mkfifo(tasks / "probe.yaml")
    return Setup(tasks, "probe.yaml")


def include_dev_zero(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    (tasks / "_zero.yaml").symlink_to("/dev/zero")
    _spec(tasks, "include: _zero.yaml\n")
    return Setup(tasks, "_zero.yaml")


def include_outside(tmp: Path) -> Setup:
    tasks = _tasks(tmp)
    (tmp / "_shared.yaml").write_text("description: from outside\n")
    _spec(tasks, "include: ../../_shared.yaml\nsource: {kind: synthetic, generator: counting, n: 1}\n"
          + GOOD_TAIL)
    return Setup(tasks, "_shared.yaml")


# --- data files ----------------------------------------------------------------------------

def _data_link(target: str) -> Callable[[Path], Setup]:
    def build(tmp: Path) -> Setup:
        setup = _jsonl_task(tmp, b"")
        (setup.tasks / "data.jsonl").symlink_to(target)
        return setup
    return build


def data_fifo(tmp: Path) -> Setup:
    setup = _jsonl_task(tmp, b"")
    os.mkfifo(setup.tasks / "data.jsonl")
    return setup


def data_is_dev_zero(tmp: Path) -> Setup:
    setup = _jsonl_task(tmp, b"", source_path="/dev/zero")
    return Setup(setup.tasks, "/dev/zero")


def data_sparse_huge(tmp: Path) -> Setup:
    setup = _jsonl_task(tmp, b"")
    with (setup.tasks / "data.jsonl").open("wb") as handle:
        handle.truncate(100 * 2**30)  # sparse: no disk used, only the size says 100 GiB
    return setup


def data_outside(tmp: Path) -> Setup:
    (tmp / "elsewhere").mkdir()
    (tmp / "elsewhere" / "data.jsonl").write_bytes(_row(images=[]))
    return Setup(_jsonl_task(tmp, b"", source_path=str(tmp / "elsewhere" / "data.jsonl")).tasks, "data.jsonl")


def row_is_list(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + b"[1, 2, 3]\n")


def row_images_number(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + _row(images=5))


def row_not_utf8(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + b'{"question": "\xff\xfe", "answer": 1}\n')


def row_deep_json(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + b"[" * 200_000 + b"]" * 200_000 + b"\n")


def row_no_answer(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + b'{"question": "q"}\n')


# --- images ---------------------------------------------------------------------------------

def _image_task(tmp: Path, name: str) -> Setup:
    setup = _jsonl_task(tmp, _row() + _row(id="bad", images=[name]))
    return Setup(setup.tasks, name.rsplit("/", 1)[-1])


def _image_link(target: str) -> Callable[[Path], Setup]:
    def build(tmp: Path) -> Setup:
        setup = _image_task(tmp, "bad.png")
        (setup.tasks / "bad.png").symlink_to(target)
        return setup
    return build


def image_fifo(tmp: Path) -> Setup:
    setup = _image_task(tmp, "bad.png")
    os.mkfifo(setup.tasks / "bad.png")
    return setup


def image_traversal(tmp: Path) -> Setup:
    (tmp / "etc").mkdir()
    (tmp / "etc" / "hostname").write_text("victim\n")  # ../../etc/hostname from tmp/a/tasks
    return _image_task(tmp, "../../etc/hostname")


def image_link_outside(tmp: Path) -> Setup:
    (tmp / "secret.png").write_bytes(PNG)
    setup = _image_task(tmp, "bad.png")
    (setup.tasks / "bad.png").symlink_to(tmp / "secret.png")
    return setup


def image_sparse_huge(tmp: Path) -> Setup:
    setup = _image_task(tmp, "bad.png")
    with (setup.tasks / "bad.png").open("wb") as handle:
        handle.truncate(2**30)
    return setup


# --- MEGA-Bench data outside the task folder ------------------------------------------------

def _megabench(tmp: Path, media: str | None = None) -> Path:
    data = tmp / "megabench"
    shutil.copytree(MEGABENCH_FIXTURE, data, ignore=shutil.ignore_patterns("*.py", "open"))
    if media is not None:
        rows = (data / "core" / "test.jsonl").read_text().replace("media/red.png", media, 1)
        (data / "core" / "test.jsonl").write_text(rows)
    tasks = _tasks(tmp)
    (tasks / "mb.yaml").write_text(
        "name: mb\nsuite: megabench\ncategory: reasoning\nfamily: megabench\nmetric: megabench\n"
        f"source: {{kind: megabench, path: '{data}', config: core}}\nverifier: {{name: megabench}}\n")
    return tasks


def megabench_without_root(tmp: Path) -> Setup:
    return Setup(_megabench(tmp), "megabench")


def megabench_media_traversal(tmp: Path) -> Setup:
    (tmp / "etc").mkdir()
    (tmp / "etc" / "hostname").write_text("victim\n")
    return Setup(_megabench(tmp, media="../etc/hostname"), "hostname", ["--data-root", str(tmp / "megabench")])


def megabench_rows_fifo(tmp: Path) -> Setup:
    tasks = _megabench(tmp)
    (tmp / "megabench" / "core" / "test.jsonl").unlink()
    os.mkfifo(tmp / "megabench" / "core" / "test.jsonl")
    return Setup(tasks, "test.jsonl", ["--data-root", str(tmp / "megabench")])


def megabench_later_row_dev_zero(tmp: Path) -> Setup:
    """Rows stream; the third row's image leads to /dev/zero: refused before anything is written."""
    tasks = _megabench(tmp)
    rows = tmp / "megabench" / "core" / "test.jsonl"
    rows.write_text(rows.read_text().replace("media/green.png", "media/zero.png"))
    (tmp / "megabench" / "media" / "zero.png").symlink_to("/dev/zero")
    return Setup(tasks, "zero.png", ["--data-root", str(tmp / "megabench")])


def image_outside_api_backend(tmp: Path) -> Setup:
    """An API backend would be sent the file: refused before the backend is even loaded (a
    closed loopback port, so a request that got through would end in backend_error, exit 1)."""
    setup = image_traversal(tmp)
    return Setup(setup.tasks, setup.names, ["--model", "openai:http://127.0.0.1:9/v1#probe"])


def megabench_with_root(tmp: Path) -> Setup:
    return Setup(_megabench(tmp), "", ["--data-root", str(tmp / "megabench")])


def clean_jsonl(tmp: Path) -> Setup:
    return _jsonl_task(tmp, _row() + _row(id="two"))


PROBES = (
    Probe("yaml_alias_bomb_9x9", alias_bomb, ("alias", "nodes"), validate=True),
    Probe("include_fanout_10x7", include_fanout, ("include", "more than 32"), validate=True),
    Probe("yaml_nested_600_flow", nested_flow, ("nested deeper than 50",), validate=True),
    Probe("yaml_nested_600_block", nested_block, ("nested deeper than 50",), validate=True),
    Probe("yaml_recursive_alias", recursive_alias, ("recursive",), validate=True),
    Probe("yaml_duplicate_key", duplicate_key, ("duplicate key 'name'", "first at line 1", ":6:"), validate=True),
    Probe("yaml_5000_digit_integer", huge_integer, ("digits",), validate=True),
    Probe("spec_over_size_cap", oversized_spec, ("over the cap",), validate=True),
    Probe("spec_not_utf8", spec_not_utf8, ("not UTF-8",), validate=True),
    Probe("spec_link_dev_zero", _spec_link("/dev/zero"), ("/dev/zero", "not a regular file"), validate=True),
    Probe("spec_link_dev_urandom", _spec_link("/dev/urandom"), ("/dev/urandom", "not a regular file"), validate=True),
    Probe("spec_fifo", spec_fifo, ("FIFO", "not a regular file"), validate=True),
    Probe("include_link_dev_zero", include_dev_zero, ("not a regular file",), validate=True),
    Probe("include_outside_task_folder", include_outside, ("outside the allowed folders", "--data-root"), validate=True),
    Probe("data_link_dev_zero", _data_link("/dev/zero"), ("not a regular file",)),
    Probe("data_link_dev_urandom", _data_link("/dev/urandom"), ("not a regular file",)),
    Probe("data_fifo", data_fifo, ("FIFO",)),
    Probe("data_path_is_dev_zero", data_is_dev_zero, ("not a regular file",)),
    Probe("data_sparse_100GiB", data_sparse_huge, ("over the cap",)),
    Probe("data_outside_task_folder", data_outside, ("outside the allowed folders", "--data-root")),
    Probe("row_is_a_list", row_is_list, (":2:", "JSON array", "expected an object")),
    Probe("row_images_is_5", row_images_number, (":2:", "'images'", "list of image paths")),
    Probe("row_not_utf8", row_not_utf8, (":2:", "not valid UTF-8")),
    Probe("row_json_200k_deep", row_deep_json, (":2:", "nested deeper than")),
    Probe("row_without_answer", row_no_answer, (":2:", "'answer'")),
    Probe("image_link_dev_zero", _image_link("/dev/zero"), (":2:", "not a regular file")),
    Probe("image_link_dev_urandom", _image_link("/dev/urandom"), (":2:", "not a regular file")),
    Probe("image_fifo", image_fifo, (":2:", "FIFO")),
    Probe("image_dotdot_etc_hostname", image_traversal, (":2:", "outside the allowed folders", "--data-root")),
    Probe("image_link_outside", image_link_outside, (":2:", "outside the allowed folders")),
    Probe("image_sparse_1GiB", image_sparse_huge, (":2:", "over the cap")),
    Probe("megabench_data_outside_without_data_root", megabench_without_root, ("outside the allowed folders", "--data-root")),
    Probe("megabench_media_dotdot", megabench_media_traversal, ("outside the allowed folders",)),
    Probe("megabench_rows_fifo", megabench_rows_fifo, ("FIFO",)),
    Probe("megabench_row_3_image_dev_zero", megabench_later_row_dev_zero, ("sample '2'", "not a regular file")),
    Probe("image_dotdot_api_backend", image_outside_api_backend, (":2:", "outside the allowed folders")),
    Probe("control_clean_jsonl", clean_jsonl, (), ok=True),
    Probe("control_megabench_with_data_root", megabench_with_root, (), ok=True),
)
