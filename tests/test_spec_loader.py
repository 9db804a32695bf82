"""Task spec schema, includes, selection and every bad-input case of the foundation issue."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from orsta_bench.spec.catalog import SelectionError, select_tasks
from orsta_bench.spec.loader import SpecError, load_spec, load_specs

GOOD = """\
name: demo_count
suite: demo
category: perception
family: counting
source: {kind: jsonl, path: data.jsonl}
prompt:
  template: "How many? {question}"
  format: boxed
verifier: {name: count}
reward: {accuracy_weight: 1.0, format_weight: 0.0}
dimensions: {skill: counting}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_spec_loads_with_defaults(tmp_path):
    loaded = load_spec(write(tmp_path, "a.yaml", GOOD))
    spec = loaded.spec
    assert spec.name == "demo_count" and spec.category == "perception"
    assert spec.source.kind == "jsonl" and spec.source.params == {"path": "data.jsonl"}
    assert spec.generation.temperature == 0.0 and spec.generation.max_new_tokens == 512
    assert spec.source_name == "demo_count"  # data_source defaults to the task name
    assert spec.verifier_params()["reward"] == {"accuracy_weight": 1.0, "format_weight": 0.0}
    assert len(loaded.content_hash) == 12


def test_include_merges_deeply_and_file_wins(tmp_path):
    write(tmp_path, "_base.yaml", """\
        suite: demo
        category: perception
        generation: {max_new_tokens: 64, temperature: 0.5}
        verifier: {name: count}
        """)
    path = write(tmp_path, "t.yaml", """\
        include: _base.yaml
        name: inc
        family: counting
        source: {kind: jsonl, path: x.jsonl}
        generation: {temperature: 0.0}
        """)
    spec = load_spec(path).spec
    assert spec.suite == "demo"
    assert spec.generation.max_new_tokens == 64  # from the fragment
    assert spec.generation.temperature == 0.0  # the file's own key wins


def test_content_hash_changes_with_content(tmp_path):
    a = load_spec(write(tmp_path, "a.yaml", GOOD))
    b = load_spec(write(tmp_path, "b.yaml", GOOD.replace("How many?", "Count:")))
    assert a.content_hash != b.content_hash


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (GOOD.replace("suite: demo\n", "suite: demo\n  bad: [\n"), None, None, "YAML syntax error"),
        (GOOD + "colour: red\n", 12, "colour", "unknown key"),
        (GOOD.replace("category: perception", "category: vision"), 3, "category", "perception"),
        (GOOD.replace("verifier: {name: count}", "verifier: {name: cuont}"), 9, "verifier", "did you mean count"),
        (GOOD.replace("name: demo_count\n", ""), None, "name", "required field is missing"),
        (GOOD.replace("reward: {accuracy_weight: 1.0", "reward: {accuracy_weight: lots"), 10, "reward.accuracy_weight", "number"),
        (GOOD.replace("kind: jsonl, path: data.jsonl", "kind: jsnol"), 5, "source", "unknown source kind"),
        (GOOD.replace("kind: jsonl, path: data.jsonl", "kind: jsonl"), 5, "source", "path"),
    ],
    ids=["yaml-syntax", "unknown-key", "wrong-literal", "unknown-verifier", "missing-field",
         "wrong-type", "unknown-source", "missing-source-param"],
)
def test_bad_spec_names_file_line_and_field(tmp_path, text, line, field, words):
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert str(path) in message
    assert words in message
    issue = caught.value.issues[0]
    if field:
        assert issue.field == field
    if line:
        assert issue.line == line


def test_yaml_syntax_error_reports_a_line(tmp_path):
    path = write(tmp_path, "bad.yaml", "name: x\nsuite: [unclosed\ncategory: perception\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.issues[0].line is not None


@pytest.mark.parametrize(
    ("include", "words"),
    [("_missing.yaml", "not found"), ("bad.yaml", "include cycle"), ("[1, 2]", "list of file names")],
)
def test_bad_include(tmp_path, include, words):
    path = write(tmp_path, "bad.yaml", f"include: {include}\n" + GOOD)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert words in str(caught.value)
    assert caught.value.issues[0].field == "include"


def test_duplicate_task_names_are_rejected(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(SpecError) as caught:
        load_specs([tmp_path])
    assert "duplicate task name 'demo_count'" in str(caught.value)


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    write(tmp_path, "a.yaml", GOOD + "colour: red\n")
    write(tmp_path, "b.yaml", GOOD.replace("demo_count", "other").replace("family: counting", "family: Counting!"))
    with pytest.raises(SpecError) as caught:
        load_specs([tmp_path])
    files = {issue.path.name for issue in caught.value.issues}
    assert files == {"a.yaml", "b.yaml"}


def test_fragments_are_not_tasks(tmp_path):
    write(tmp_path, "_frag.yaml", "suite: demo\n")
    write(tmp_path, "a.yaml", GOOD)
    assert [s.name for s in load_specs([tmp_path])] == ["demo_count"]


def test_selection_by_name_suite_glob_and_list(tmp_path):
    for name, suite in [("s_a", "s"), ("s_b", "s"), ("t_a", "t")]:
        write(tmp_path, f"{name}.yaml", GOOD.replace("demo_count", name).replace("suite: demo", f"suite: {suite}"))
    specs = load_specs([tmp_path])
    names = lambda sel: [s.name for s in select_tasks(specs, sel)]  # noqa: E731
    assert names("s") == ["s_a", "s_b"]
    assert names("*_a") == ["s_a", "t_a"]
    assert names("t_a,s_b,t_a") == ["t_a", "s_b"]
    with pytest.raises(SelectionError, match="did you mean|Did you mean"):
        names("s_c")
