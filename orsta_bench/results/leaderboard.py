"""The leaderboard folder: one committed results file per model, and the pages generated from them.

    leaderboard/results/<model>.json   copies of results.json (schema_version 1)
    leaderboard/README.md              Markdown table: model, suite scores with intervals,
                                       per-family scores, date, spec fingerprint
    leaderboard/index.html             the same as a static page (see leaderboard_html.py)

The pages are regenerated from the results files alone, so the folder can be rebuilt any time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orsta_bench.atomic import write_text_atomic
from orsta_bench.results.leaderboard_checks import (
    chance_row,
    limit_warning,
    only_backend_errors,
    replacement_note,
    samples_cell,
)
from orsta_bench.results.records import RESULTS_FILE
from orsta_bench.results.table import INCOMPLETE_MARK, percent
from orsta_bench.score import UNSCORABLE_STATUSES

RESULTS_DIR = "results"


class LeaderboardError(ValueError):
    """A results file that cannot go on the board; the message names the file and the fix."""


@dataclass(frozen=True)
class Entry:
    """One model on the board."""

    name: str
    results: dict[str, Any]

    @property
    def date(self) -> str:
        return str(self.results.get("created") or "")[:10]

    @property
    def spec_fingerprint(self) -> str:
        """One short hash of all task spec hashes: equal fingerprints, same task definitions."""
        hashes = self.results.get("spec_hashes") or {}
        if not hashes:
            return "-"
        text = json.dumps(hashes, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def suite(self, name: str) -> dict[str, Any]:
        return self.results.get("suites", {}).get(name, {})

    def family(self, name: str) -> dict[str, Any]:
        return self.results.get("families", {}).get(name, {})

    def megabench(self, part: str) -> dict[str, Any]:
        """MEGA-Bench core / open / overall ({} without MEGA-Bench tasks)."""
        return (self.results.get("megabench") or {}).get(part) or {}


MEGABENCH_PARTS = ("core", "open", "overall")


def megabench_columns(entries: list[Entry]) -> list[str]:
    """The MEGA-Bench parts (core, open, overall) some model on the board has a score for."""
    return [part for part in MEGABENCH_PARTS if any(e.megabench(part).get("num_tasks") for e in entries)]


def is_incomplete(entry: dict[str, Any]) -> bool:
    """A score that counts tasks with fields never scored: a MEGA-Bench part with results.json
    `complete: false`, or a suite with `not_scored` / `error` samples. Shown marked, never like a
    full one."""
    counts = entry.get("status_counts") or {}
    return entry.get("complete") is False or any(counts.get(status.value) for status in UNSCORABLE_STATUSES)


def model_name(results: dict[str, Any]) -> str:
    """A display name: results["model_name"], else results["model"] (a string, or a dict
    naming the model)."""
    if results.get("model_name"):
        return str(results["model_name"])
    model = results.get("model")
    if isinstance(model, dict):
        for key in ("name", "model_name", "id", "path", "spec"):
            if model.get(key):
                return str(model[key])
        return json.dumps(model, sort_keys=True)
    return str(model) if model else ""


def slug(name: str) -> str:
    """A file-name-safe form of a model name ("org/Model 7B" -> "org-Model-7B")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:120] or "model"


def _read_results(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LeaderboardError(f"{path}: cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise LeaderboardError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise LeaderboardError(f"{path}: not a results.json of schema_version 1 (written by "
                               "`orsta-bench run`)")
    for key in ("tasks", "suites", "families"):
        if not isinstance(data.get(key), dict):
            raise LeaderboardError(f"{path}: field {key!r} is missing or not an object")
    return data


@dataclass(frozen=True)
class Added:
    """Where add_results put a file, and what it replaced ('' when the name was new)."""

    path: Path
    replaced: str = ""


def check_results(source: Path, name: str | None = None) -> tuple[Path, dict[str, Any], str]:
    """Read a results.json (or a run folder's) and refuse what cannot go on the board: called for
    every file before any is added, so a refused file leaves the board as it was."""
    source = Path(source)
    path = source / RESULTS_FILE if source.is_dir() else source
    results = _read_results(path)
    display = name or model_name(results)
    if not display:
        raise LeaderboardError(f"{path}: the results name no model; pass --name")
    if only_backend_errors(results):
        raise LeaderboardError(f"{path}: every sample is backend_error (the model never answered, "
                               "nothing was scored); fix the backend or endpoint and run again")
    return path, results, display


def add_results(source: Path, board: Path, name: str | None = None) -> Added:
    """Copy a results.json (or a run folder's) into board/results/<model>.json.

    A model already on the board is replaced by the newer file (and Added.replaced says so);
    results where the model never answered (every sample backend_error) are refused."""
    path, results, display = check_results(source, name)
    results["leaderboard"] = {"name": display}
    target = Path(board) / RESULTS_DIR / f"{slug(display)}.json"
    replaced = ""
    if target.is_file():
        try:
            previous = _read_results(target)
        except LeaderboardError:
            previous = {}
        old_name = (previous.get("leaderboard") or {}).get("name") or display
        replaced = replacement_note(str(old_name), previous, results)
    write_text_atomic(target, json.dumps(results, indent=2, sort_keys=True) + "\n")
    return Added(target, replaced)


def load_board(board: Path) -> list[Entry]:
    """Every results file of the board, best first (by the mean of its suite scores)."""
    folder = Path(board) / RESULTS_DIR
    entries = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        results = _read_results(path)
        name = (results.get("leaderboard") or {}).get("name") or model_name(results) or path.stem
        entries.append(Entry(name=str(name), results=results))
    return sorted(entries, key=lambda e: (-rank_score(e), e.name))


def rank_score(entry: Entry) -> float:
    """The number the board is ordered by: the mean over the model's suite scores."""
    scores = [s.get("score") for s in entry.results.get("suites", {}).values()]
    scores = [s for s in scores if s is not None]
    return sum(scores) / len(scores) if scores else -1.0


def columns(entries: list[Entry]) -> tuple[list[str], list[str]]:
    """The suites and families present on the board, sorted."""
    suites = sorted({s for e in entries for s in e.results.get("suites", {})})
    families = sorted({f for e in entries for f in e.results.get("families", {})})
    return suites, families


def _score_ci(entry: dict[str, Any]) -> str:
    if entry.get("score") is None:
        return "-"
    mark = f" {INCOMPLETE_MARK}" if is_incomplete(entry) else ""
    if entry.get("ci_low") is None:
        return percent(entry["score"]) + mark
    return f"{percent(entry['score'])} [{percent(entry['ci_low'])}, {percent(entry['ci_high'])}]{mark}"


def _md(text: str) -> str:
    """Table-cell safe: pipes escaped, no raw HTML from model names."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(entries: list[Entry]) -> str:
    """leaderboard/README.md: one row per model, best first."""
    suites, families = columns(entries)
    parts = megabench_columns(entries)
    head = (["#", "model"] + [f"{s} (95% CI)" for s in suites]
            + [f"MEGA-Bench {p.capitalize()} (95% CI)" for p in parts] + families + ["samples", "date", "specs"])
    warning = limit_warning([(e.name, e.results) for e in entries])
    lines = [
        "# orsta-bench leaderboard",
        "",
        "Scores in percent; suite, family scores are macro means over tasks; intervals are "
        "percentile bootstrap intervals resampling samples within tasks. `specs` is a "
        "fingerprint of the task spec hashes: compare rows only when it matches. "
        "Generated by `orsta-bench leaderboard` from `results/`; open `index.html` for the "
        "sortable table and per-task scores. A score marked (incomplete) counts samples or tasks "
        "with fields that were not scored (no judge, missing tool) or in error: not a full score. "
        "`samples` counts every task's samples (and how many were scored when not all were). "
        "The *chance level* row is the score of uniform guessing, where every task of the "
        "column states one in its spec.",
        "",
        *([f"**Warning:** {warning}", ""] if warning else []),
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---:", "---"] + ["---:"] * (len(head) - 4) + ["---", "---"]) + "|",
    ]
    for rank, entry in enumerate(entries, start=1):
        cells = [str(rank), _md(entry.name)]
        cells += [_score_ci(entry.suite(s)) for s in suites]
        cells += [_score_ci(entry.megabench(p)) for p in parts]
        cells += [percent(entry.family(f).get("score")) for f in families]
        cells += [samples_cell(entry.results), entry.date or "-", f"`{entry.spec_fingerprint}`"]
        lines.append("| " + " | ".join(cells) + " |")
    chance = chance_row([e.results for e in entries], suites, families)
    if chance is not None:
        cells = ["", "*chance level*"] + [percent(chance[f"suite:{s}"]) for s in suites] + ["-"] * len(parts)
        cells += [percent(chance[f"family:{f}"]) for f in families] + ["-", "-", "-"]
        lines.append("| " + " | ".join(cells) + " |")
    if not entries:
        lines.append("| | no results yet: `orsta-bench leaderboard RUN_DIR/results.json` |"
                     + " |" * (len(head) - 2))
    return "\n".join(lines) + "\n"


def build_board(board: Path) -> tuple[Path, Path, int]:
    """Regenerate README.md and index.html from board/results/; returns paths and model count."""
    from orsta_bench.results.leaderboard_html import render_html

    board = Path(board)
    entries = load_board(board)
    readme, page = board / "README.md", board / "index.html"
    write_text_atomic(readme, render_markdown(entries))
    write_text_atomic(page, render_html(entries))
    return readme, page, len(entries)
