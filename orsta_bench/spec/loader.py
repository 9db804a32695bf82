"""Load task specs from YAML: includes, validation, and errors that name file, line and field.

A file whose name starts with "_" is a fragment: it is only ever included, never a task.
`include: _defaults.yaml` (or a list) deep-merges the fragments first; the file's own keys win.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orsta_bench.safe_files import (
    UnsafePathError,
    check_file,
    env_data_roots,
    read_regular,
    real_roots,
)
from orsta_bench.spec.bounded_yaml import MAX_INCLUDES, Budget, YAMLLimitError, load_bounded
from orsta_bench.spec.loaded import LoadedSpec
from orsta_bench.spec.schema import TaskSpec

Location = tuple[Path, int]  # file and 1-based line
LineMap = dict[tuple[Any, ...], Location]
MAX_INCLUDE_DEPTH = 8


@dataclass
class SpecIssue:
    """One problem in one spec file, phrased so the user can fix it."""

    path: Path
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        what = f" field '{self.field}':" if self.field else ""
        return f"{where}:{what} {self.message}"


class SpecError(Exception):
    """One or more spec problems; str() lists them all, one per line."""

    def __init__(self, issues: list[SpecIssue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


def _line_map(node: yaml.Node, path: Path, prefix: tuple[Any, ...] = ()) -> LineMap:
    """Where each key path of a composed YAML document starts (for error messages)."""
    lines: LineMap = {prefix: (path, node.start_mark.line + 1)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[prefix + (key,)] = (path, key_node.start_mark.line + 1)
            for sub, loc in _line_map(value_node, path, prefix + (key,)).items():
                if sub != prefix + (key,):
                    lines[sub] = loc
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_map(item, path, prefix + (index,)))
    return lines


def _read_yaml(path: Path, budget: Budget, roots: tuple[Path, ...]) -> tuple[dict[str, Any], LineMap]:
    try:
        real = check_file(path, roots, "spec file", budget.spec_bytes)
        raw = read_regular(real, budget.spec_bytes)
    except UnsafePathError as error:
        raise SpecError([SpecIssue(path, str(error))]) from None
    budget.spec_bytes -= len(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise SpecError([SpecIssue(path, "file is not UTF-8 text; save it as UTF-8", line)]) from None
    try:
        data, node = load_bounded(text, budget)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        kind = ("" if isinstance(error, YAMLLimitError) else "YAML error: "
                if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error: ")
        raise SpecError([SpecIssue(path, f"{kind}{problem}", line)]) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        reason = str(error).split(";")[0]
        raise SpecError([SpecIssue(path, f"YAML value cannot be read ({reason}); shorten it")]) from None
    if data is None:
        raise SpecError([SpecIssue(path, "file is empty; expected a mapping of spec fields")])
    if not isinstance(data, dict):
        raise SpecError([SpecIssue(path, f"expected a mapping of spec fields, got {type(data).__name__}", 1)])
    return data, _line_map(node, path)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(path: Path, roots: tuple[Path, ...], budget: Budget, depth: int = 0,
             chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], LineMap]:
    """The file's mapping with its includes merged in, and the line of every key."""
    data, lines = _read_yaml(path, budget, roots)
    includes = data.pop("include", [])
    if isinstance(includes, str):
        includes = [includes]
    line = lines.get(("include",), (path, None))[1]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise SpecError([SpecIssue(path, "expected a file name or a list of file names", line, "include")])
    merged: dict[str, Any] = {}
    merged_lines: LineMap = {}
    for include in includes:
        target = (path.parent / include).resolve()
        if target in chain or target == path.resolve():
            raise SpecError([SpecIssue(path, f"include cycle through {include}", line, "include")])
        if depth >= MAX_INCLUDE_DEPTH:
            raise SpecError([SpecIssue(path, f"includes nested deeper than {MAX_INCLUDE_DEPTH}; "
                                       "flatten them", line, "include")])
        budget.includes -= 1
        if budget.includes < 0:
            raise SpecError([SpecIssue(path, f"more than {MAX_INCLUDES} included files for one spec "
                                       "(counting repeats); include each fragment once", line, "include")])
        if not os.path.lexists(target):
            raise SpecError([SpecIssue(path, f"included file {include} not found (looked at {target})", line, "include")])
        sub_data, sub_lines = _resolve(path.parent / include, roots, budget, depth + 1,
                                       chain + (path.resolve(),))
        merged = _deep_merge(merged, sub_data)
        merged_lines.update(sub_lines)
    merged = _deep_merge(merged, data)
    merged_lines.update(lines)
    return merged, merged_lines


def _issues_from_validation(path: Path, error: ValidationError, lines: LineMap) -> list[SpecIssue]:
    issues = []
    for item in error.errors():
        loc = tuple(item["loc"])
        found = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling (docs/specs.md lists the fields)"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif item["type"].startswith("literal_error"):
            message = f"{message} (got {item.get('input')!r})"
        where_path, where_line = found if found else (path, None)
        note = "" if where_path == path else f" (set in included {where_path.name})"
        issues.append(SpecIssue(path, message + note, where_line if where_path == path else None,
                                ".".join(map(str, loc)) or None))
    return issues


def load_spec(path: str | Path, roots: Iterable[Path] = ()) -> LoadedSpec:
    """One spec file, validated; SpecError lists every problem found in it. `roots` are the
    folders its files may live in (default: its own folder); data roots from the environment
    and the built-in task folder (generated specs include shipped ones) are added."""
    from orsta_bench.spec.catalog import builtin_tasks_dir

    path = Path(path)
    allowed = real_roots([*(roots or [path.parent]), *env_data_roots(), builtin_tasks_dir()])
    try:
        data, lines = _resolve(path, allowed, Budget())
    except SpecError as error:  # a problem inside an included file: say which spec included it
        for issue in error.issues:
            if issue.path != path:
                issue.message += f" (included by {path})"
        raise
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as error:
        raise SpecError(_issues_from_validation(path, error, lines)) from None
    return LoadedSpec(spec=spec, path=path.resolve(), raw=data, roots=allowed)


def spec_files(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Every task file under the given files/folders (fragments starting with '_' skipped),
    each with the folder it was found in (its root for the path policy)."""
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend((p, path) for p in sorted(path.rglob("*.yaml")) if not p.name.startswith("_"))
        elif os.path.lexists(path):
            found.append((path, path.parent))
        else:
            raise SpecError([SpecIssue(path, "no such file or folder")])
    return found


def load_specs(paths: Iterable[str | Path], data_roots: Iterable[Path] = ()) -> list[LoadedSpec]:
    """All specs under `paths`; SpecError with every problem in every file (and duplicates).
    `data_roots` (--data-root) are folders besides the task folder that specs may name files in."""
    issues: list[SpecIssue] = []
    loaded: list[LoadedSpec] = []
    files = spec_files(paths)
    extra = list(data_roots)
    seen: dict[str, Path] = {}
    for file, root in files:
        try:
            spec = load_spec(file, [root, *extra])
        except SpecError as error:
            issues.extend(error.issues)
            continue
        if spec.name in seen:
            issues.append(SpecIssue(file, f"duplicate task name {spec.name!r} (also defined in {seen[spec.name]}); task names must be unique", None, "name"))
            continue
        seen[spec.name] = file
        loaded.append(spec)
    if issues:
        raise SpecError(issues)
    return loaded
