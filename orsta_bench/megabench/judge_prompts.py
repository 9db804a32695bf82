"""Which prompts the MEGA-Bench judge gets: the official ones or the project's own.

The official prompt texts are not ours to ship. With a MEGA-Bench checkout named by
`--megabench-dir` or $ORSTA_MEGABENCH_DIR they are read at run time: the ASCII-art judge's
instruction from the checkout's source file (read as text and parsed with `ast`, never imported
or run), and `gpt_4o_as_judge` uses the task's own `metric_info.gpt4o_eval_configs` (the criteria
prompt and template mapping the dataset ships) exactly as the official evaluator fills it in.
Without a checkout both use the project's own prompts. run.json and results.json record which.
"""

from __future__ import annotations

import ast
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_VAR = "ORSTA_MEGABENCH_DIR"
ASCII_JUDGE_FILE = "megabench/metrics/scoring/ascii_art_gpt4o_judge.py"
ASCII_JUDGE_CLASS = "AsciiArtGPT4Judger"

# The project's own prompts (used without a checkout).
PROJECT_JUDGE_INSTRUCTION = (
    "You are grading a model's answer to a task. Compare it with the reference answer and the "
    "task's grading notes. Reply with a short justification, then a final line exactly of the "
    "form 'Score: N' where N is an integer from 0 (wrong or missing) to 10 (fully correct)."
)
PROJECT_ASCII_PROMPT = (
    "The two images are renderings of ASCII art: the first is a model's drawing, the second the "
    "reference drawing. Do they show the same thing? Reply with one word: yes or no."
)


class JudgePromptsError(ValueError):
    """The MEGA-Bench checkout given cannot supply the official prompts (bad input, exit 2)."""


@dataclass(frozen=True)
class JudgePrompts:
    """The prompt set of a run; `describe()` is what run.json and results.json record."""

    source: str = "project"  # "official" | "project"
    ascii_prompt: str = PROJECT_ASCII_PROMPT
    checkout: str | None = None
    revision: str | None = None  # the checkout's git commit (+dirty), None when not a git checkout

    @property
    def official(self) -> bool:
        return self.source == "official"

    def describe(self) -> dict[str, Any]:
        if not self.official:
            return {"source": "project"}
        return {"source": "official", "checkout": self.checkout, "revision": self.revision}


def resolve_judge_prompts(directory: str | Path | None = None) -> JudgePrompts:
    """The official prompts from `directory` (else $ORSTA_MEGABENCH_DIR), else the project's own.
    Raises JudgePromptsError naming the path and the fix when the folder is no MEGA-Bench checkout."""
    chosen = str(directory) if directory else os.environ.get(ENV_VAR, "")
    if not chosen.strip():
        return JudgePrompts()
    root = Path(chosen).expanduser().resolve()
    source = root / ASCII_JUDGE_FILE
    fix = (f"point --megabench-dir or ${ENV_VAR} at a clone of TIGER-AI-Lab/MEGA-Bench, or unset it "
           "to use the project's own judge prompts")
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise JudgePromptsError(f"{source}: cannot read the official ASCII-art judge ({error}); {fix}") from None
    prompt = _assigned_prompt(text)
    if prompt is None:
        raise JudgePromptsError(f"{source}: no `self.eval_prompt = '...'` string in class {ASCII_JUDGE_CLASS}; {fix}")
    return JudgePrompts("official", prompt, str(root), _revision(root))


def _assigned_prompt(text: str) -> str | None:
    """The string literal assigned to `self.eval_prompt` inside the judge class, if any."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == ASCII_JUDGE_CLASS:
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Constant)
                        and isinstance(inner.value.value, str)
                        and any(isinstance(t, ast.Attribute) and t.attr == "eval_prompt" for t in inner.targets)):
                    return inner.value.value
    return None


def _revision(root: Path) -> str | None:
    """The checkout's commit, '+dirty' when the judge file differs from it; None without git."""
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", ASCII_JUDGE_FILE],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (rev + ("+dirty" if dirty else "")) or None
