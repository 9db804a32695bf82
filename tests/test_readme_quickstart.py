"""The README's `orsta-bench run` lines that reuse a quick-start folder use the quick start's
settings, so running them after scripts/quickstart.sh resumes instead of being refused."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("--model", "--tasks", "--limit", "--gen-kwargs", "--seed", "--backend-args", "--tasks-dir")


def _options(words: list[str]) -> dict[str, str]:
    """Flag -> value of one `orsta-bench run ...` command line."""
    start = words.index("run") + 1
    return {flag: value for flag, value in zip(words[start:], words[start + 1:], strict=False)
            if flag.startswith("--")}


def _quickstart_runs() -> dict[str, dict[str, str]]:
    script = (ROOT / "scripts" / "quickstart.sh").read_text(encoding="utf-8")
    values = {"limit": re.search(r'ORSTA_QUICKSTART_LIMIT:-(\d+)', script).group(1),
              "gen": re.search(r'^gen="([^"]*)"', script, re.MULTILINE).group(1)}
    runs = {}
    for line in script.splitlines():
        if line.startswith("$bench run "):
            expanded = re.sub(r'"?\$(\w+)"?', lambda m: values.get(m.group(1), m.group(0)), line)
            options = _options(shlex.split(expanded.split("#")[0]))
            runs[options["--output"]] = options
    return runs


def _readme_runs() -> dict[str, dict[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runs = {}
    for line in readme.splitlines():
        if line.startswith("orsta-bench run ") and "--output" in line:
            options = _options(shlex.split(line.split(" #")[0]))
            runs[options["--output"]] = options
    return runs


def test_readme_run_lines_resume_the_quickstart_folders() -> None:
    quick, readme = _quickstart_runs(), _readme_runs()
    assert {"runs/oracle", "runs/nano", "runs/tiny"} <= set(quick)
    shared = set(quick) & set(readme)
    assert {"runs/nano", "runs/tiny"} <= shared  # the README reuses these two folders
    for folder in shared:
        settings = {flag: quick[folder].get(flag) for flag in SETTINGS}
        assert {flag: readme[folder].get(flag) for flag in SETTINGS} == settings, folder
