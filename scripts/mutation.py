"""Mutation testing of the modules whose numbers users publish (docs/DEVELOPMENT.md, "Mutation").

Each module runs on its own: a staged copy of the package and tests in OUT/work/<module>, a
setup.cfg naming only that module to mutate and only its targeted tests, then `mutmut run`
under a time box. mutmut 3 runs, for each mutant, only the selected tests that reach the mutated
function, so a module takes seconds to minutes on 2 cores.

Score = detected / (mutants - known equivalents), where detected = killed + timeout + segfault.
Equivalent mutants (no input can tell them apart) are listed with a one-line reason in
scripts/mutation_equivalents.txt; a listed mutant that a test now kills, or that no longer exists,
is reported as stale so the list stays honest.

Writes OUT/report.md (scores, every survivor with its diff) and OUT/report.json; prints the path.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIVALENTS = REPO / "scripts" / "mutation_equivalents.txt"
DETECTED = ("killed", "timeout", "segfault")


@dataclass(frozen=True)
class Target:
    """One module (or package) to mutate and the tests that pin it."""

    name: str
    mutate: tuple[str, ...]
    tests: tuple[str, ...]
    pytest_args: tuple[str, ...] = ()  # e.g. --deselect of a test too slow to run per mutant


# The official-value tests every megabench metric file is pinned by (each part adds its own pins).
METRICS_TESTS = ("tests/test_megabench_metrics.py", "tests/test_megabench_conformance.py",
                 "tests/test_megabench_latex_sll.py", "tests/test_pin_megabench_metrics.py")

# Each module: the code mutmut changes and the tests that must notice (run in this order).
TARGETS = (
    Target("megabench.aggregate", ("orsta_bench/megabench/aggregate.py",),
           ("tests/test_megabench_aggregate.py", "tests/test_pin_megabench.py")),
    Target("reward", ("orsta_bench/reward.py",),
           ("tests/test_reward.py", "tests/test_pin_reward.py")),
    Target("verifiers.boxes", ("orsta_bench/verifiers/boxes.py",),
           ("tests/test_verifiers_boxes.py", "tests/test_pin_boxes.py")),
    Target("verifiers.vtriune", ("orsta_bench/verifiers/vtriune.py",),
           ("tests/test_vtriune_compat.py", "tests/test_verifiers_boxes.py",
            "tests/test_pin_vtriune.py")),
    Target("results.bootstrap", ("orsta_bench/results/bootstrap.py",),
           ("tests/test_bootstrap.py", "tests/test_pin_bootstrap.py")),
    Target("verifiers.detection_math", ("orsta_bench/verifiers/detection_math.py",),
           ("tests/test_verifiers_boxes.py", "tests/test_vtriune_compat.py",
            "tests/test_pin_detection.py", "tests/test_pin_detection_native.py")),
    Target("results.compare", ("orsta_bench/results/compare.py",),
           ("tests/test_compare.py", "tests/test_pin_compare.py"),
           # 30 s of 100 simulated re-runs; the false-alarm rate it checks is pinned by holm_below
           ("--deselect", "tests/test_compare.py::test_noise_alone_rarely_flags_a_task")),
    Target("results.aggregate", ("orsta_bench/results/aggregate.py",),
           ("tests/test_aggregate.py", "tests/test_pin_results_aggregate.py")),
    Target("megabench.parsing", ("orsta_bench/megabench/parsing.py",),
           ("tests/test_megabench_parsing.py", "tests/test_megabench_conformance.py",
            "tests/test_pin_megabench_parsing.py")),
    # program_judge runs programs in the bubblewrap sandbox: its pins (fixture programs scored by
    # the official harness, a fraction of a second each) instead of the 48-program fidelity run.
    # program_child.py runs inside the sandbox, out of mutmut's reach (a mutated file imports
    # mutmut, which the sandbox does not mount); the 48 fixtures pin it.
    Target("megabench.metrics.program", ("orsta_bench/megabench/metrics/program.py",),
           ("tests/test_pin_megabench_program.py",)),
    # The rest of verifiers/ (tests/test_verifiers_hostile.py is left out: hypothesis and
    # megabyte inputs take minutes per mutant; it checks no-crash/no-hang, not values).
    Target("verifiers.extract", ("orsta_bench/verifiers/extract.py",),
           ("tests/test_extract.py", "tests/test_verifiers_unicode.py",
            "tests/test_pin_verifiers_extract.py")),
    Target("verifiers.text", tuple(f"orsta_bench/verifiers/{name}.py"
                                   for name in ("text_verifiers", "ocr", "numbers")),
           ("tests/test_verifiers_text.py", "tests/test_verifiers_unicode.py",
            "tests/test_pin_verifiers_text.py")),
    Target("verifiers.math", ("orsta_bench/verifiers/math_verifiers.py",
                              "orsta_bench/verifiers/mathverify.py"),
           ("tests/test_verifiers_text.py", "tests/test_verifiers_unicode.py",
            "tests/test_vtriune_compat.py", "tests/test_pin_verifiers_math.py")),
    Target("verifiers.box_verifiers", ("orsta_bench/verifiers/box_verifiers.py",),
           ("tests/test_verifiers_boxes.py", "tests/test_verifiers_box_overflow.py",
            "tests/test_pin_verifiers_box.py")),
    Target("verifiers.core", tuple(f"orsta_bench/verifiers/{name}.py"
                                   for name in ("base", "registry", "megabench")),
           ("tests/test_registry.py", "tests/test_verifiers_text.py", "tests/test_pin_reward.py",
            "tests/test_verifiers_unicode.py", "tests/test_pin_verifiers_core.py",
            "tests/test_pin_verifiers_megabench.py")),
    *(Target(f"megabench.metrics.{part}",
             tuple(f"orsta_bench/megabench/metrics/{name}.py" for name in files),
             (*METRICS_TESTS, pins))
      for part, files, pins in (
          ("planning", ("planning",), "tests/test_pin_megabench_planning.py"),
          ("latex", ("latex",), "tests/test_pin_megabench_latex.py"),
          ("numbers", ("numbers",), "tests/test_pin_megabench_numbers.py"),
          ("rest", ("__init__", "collections", "conversions", "geometry", "strings", "timing"),
           "tests/test_pin_megabench_metrics_rest.py"))),
)
STAGED = ("orsta_bench", "tests", "tasks", "pyproject.toml")


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """mutant name -> reason, from `name  # reason` lines (blank lines and # lines skipped)."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, reason = line.partition("#")
        if not sep or not reason.strip():
            sys.exit(f"{path}:{number}: write `mutant_name  # reason`, got {line!r}")
        found[name.strip()] = reason.strip()
    return found


def stage(target: Target, work: Path, ref: str | None) -> None:
    """A fresh copy of the package and tests (the working tree, or git revision `ref`) with a
    setup.cfg for this target only; listed test files missing from that copy are left out."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if ref:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, *STAGED],
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(work, filter="data")
    else:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
        for name in STAGED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=ignore)
            else:
                shutil.copy2(source, work / name)
    tests = [t for t in target.tests if (work / t).exists()]
    lines = ["[mutmut]", "source_paths = orsta_bench", "also_copy =\n    tasks",
             "only_mutate =\n" + "\n".join(f"    {m}" for m in target.mutate),
             "pytest_add_cli_args_test_selection =\n"
             + "\n".join(f"    {t}" for t in (*tests, *target.pytest_args)),
             "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n    -q"]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n")


def mutmut(work: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mutmut", *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True,
                          timeout=timeout)


def collect(work: Path) -> dict[str, str]:
    """mutant name -> status for every mutant of the last run."""
    listing = mutmut(work, "results", "--all", "true").stdout
    statuses = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            statuses[name] = status.strip()
    return statuses


def mutant_diffs(work: Path, names: list[str]) -> dict[str, str]:
    """name -> changed lines, read from mutmut's mutants/ tree (one parse per file, instead of a
    `mutmut show` process per mutant)."""
    functions: dict[str, dict[str, str]] = {}
    diffs = {}
    for name in names:
        module, _, function = name.rpartition(".")
        if module not in functions:
            path = work / "mutants" / (module.replace(".", "/") + ".py")
            if not path.exists():
                path = path.with_suffix("") / "__init__.py"
            lines = path.read_text().splitlines()
            functions[module] = {
                node.name: lines[node.lineno:node.end_lineno]
                for node in ast.walk(ast.parse("\n".join(lines)))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        found = functions[module]
        original = found.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", [])
        changed = difflib.unified_diff(original, found.get(function, []), lineterm="", n=0)
        diffs[name] = "\n".join(line for line in changed
                                if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return diffs


def unfindable_test_ids(work: Path, target: Target) -> list[str]:
    """Selected test ids that pytest cannot find when handed back by id, as mutmut does for
    every mutant: pytest then stops with "not found", which mutmut does not tell apart from a
    failing test (seen with ids mutmut had recorded before the tests changed)."""
    def collect(*args: str) -> list[str]:
        result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "",
                                 "-p", "no:cacheprovider", *args], cwd=work, capture_output=True,
                                text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        return [line for line in result.stdout.splitlines() if "::" in line]

    selected = collect(*(t for t in target.tests if (work / t).exists()), *target.pytest_args)
    found = set(collect(*selected)) if selected else set()
    return [nodeid for nodeid in selected if nodeid not in found]


def run_target(target: Target, out: Path, jobs: int, budget: float,
               equivalents: dict[str, str], ref: str | None, reuse: bool) -> dict:
    work = out / "work" / target.name
    started = time.monotonic()
    timed_out = False
    reused = reuse and (work / "mutants").is_dir()
    if not reused:
        stage(target, work, ref)
        lost = unfindable_test_ids(work, target)
        if lost:
            return {"name": target.name, "error": f"{len(lost)} test ids pytest cannot find by id "
                    f"(give them ASCII ids without backslashes), e.g. {lost[:3]}"}
        try:
            result = mutmut(work, "run", "--max-children", str(jobs), timeout=budget)
            if result.returncode != 0:
                tail = (result.stdout + result.stderr)[-2000:]
                return {"name": target.name, "error": f"mutmut run exit {result.returncode}: {tail}"}
        except subprocess.TimeoutExpired:
            timed_out = True
    mine = collect(work)  # setup.cfg's only_mutate: every mutant is this target's
    counts: dict[str, int] = {}
    for status in mine.values():
        counts[status] = counts.get(status, 0) + 1
    equivalent = sorted(n for n in mine if n in equivalents and mine[n] in ("survived", "no tests"))
    prefixes = tuple(m.replace("/", ".").removesuffix(".py").removesuffix("*") for m in target.mutate)
    stale = sorted(n for n in equivalents if n.startswith(prefixes)
                   and mine.get(n) not in ("survived", "no tests"))
    detected = sum(counts.get(s, 0) for s in DETECTED)
    scored = len(mine) - len(equivalent) - counts.get("not checked", 0) - counts.get("skipped", 0)
    survivors = sorted(n for n, s in mine.items()
                       if s not in DETECTED and s not in ("not checked", "skipped")
                       and n not in equivalent)
    diffs = mutant_diffs(work, survivors)
    return {
        "name": target.name, "mutate": list(target.mutate), "tests": list(target.tests),
        "seconds": None if reused else round(time.monotonic() - started, 1), "timed_out": timed_out,
        "mutants": len(mine), "counts": counts, "equivalent": equivalent, "stale_equivalents": stale,
        "score": round(100.0 * detected / scored, 1) if scored else None,
        "survivors": [{"name": n, "status": mine[n], "diff": diffs[n]} for n in survivors],
    }


def write_report(results: list[dict], out: Path, equivalents: dict[str, str]) -> Path:
    lines = ["# Mutation report", "",
             "score = detected / (mutants - equivalent); detected = killed + timeout + segfault", "",
             "| module | mutants | detected | equivalent | survived | score | seconds |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | error | | | | | |")
            continue
        detected = sum(r["counts"].get(s, 0) for s in DETECTED)
        box = " (time box hit: partial)" if r["timed_out"] else ""
        lines.append(f"| {r['name']} | {r['mutants']} | {detected} | {len(r['equivalent'])} | "
                     f"{len(r['survivors'])} | {r['score']}%{box} | {r['seconds'] or '-'} |")
    for r in results:
        lines += ["", f"## {r['name']}"]
        if "error" in r:
            lines += ["", "```", r["error"], "```"]
            continue
        lines += ["", f"tests: {', '.join(r['tests'])}"]
        for s in r["survivors"]:
            lines += ["", f"- `{s['name']}` ({s['status']})", "", "```diff", s["diff"], "```"]
        for name in r["equivalent"]:
            lines.append(f"- equivalent `{name}`: {equivalents[name]}")
        for name in r["stale_equivalents"]:
            lines.append(f"- STALE equivalent entry `{name}` (killed or gone): remove it from "
                         f"{EQUIVALENTS.relative_to(REPO)}")
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n")
    (out / "report.json").write_text(json.dumps(results, indent=1) + "\n")
    return report


def changed_files(ref: str) -> list[str]:
    """Files that differ between git revision `ref` and the working tree (committed or not)."""
    result = subprocess.run(["git", "-C", str(REPO), "diff", "--name-only", ref],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"--changed {ref}: {result.stderr.strip()}")
    return result.stdout.split()


def touched(target: Target, files: list[str]) -> bool:
    """Whether a change to `files` can move this target's score: its code or its tests."""
    return any(fnmatch.fnmatch(name, pattern) for name in files
               for pattern in (*target.mutate, *target.tests))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*",
                        help=f"modules to run (default all): {', '.join(t.name for t in TARGETS)}")
    parser.add_argument("--out", type=Path, default=REPO / "mutation-out")
    parser.add_argument("--jobs", type=int, default=2, help="parallel mutant workers (default 2)")
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds per module before its run is cut (default 900)")
    parser.add_argument("--ref", help="score this git revision's code and tests instead of the "
                        "working tree (e.g. a score before a change)")
    parser.add_argument("--reuse", action="store_true",
                        help="rewrite the report from the last run in --out (no new run)")
    parser.add_argument("--min-score", type=float, default=None,
                        help="exit 1 if a module scores below this (e.g. 90)")
    parser.add_argument("--changed", metavar="REF",
                        help="only the modules whose files (or tests) differ from git revision REF, "
                        "e.g. --changed origin/main --min-score 90 before a merge")
    args = parser.parse_args(argv)
    known = {t.name: t for t in TARGETS}
    unknown = [m for m in args.modules if m not in known]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {sorted(known)}")
    chosen = [known[m] for m in args.modules] if args.modules else list(TARGETS)
    if args.changed:
        chosen = [t for t in chosen if touched(t, changed_files(args.changed))]
        print(f"mutation: changed since {args.changed}: {[t.name for t in chosen] or 'none'}")
    equivalents = load_equivalents()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for target in chosen:
        print(f"mutation: {target.name} ...", flush=True)
        result = run_target(target, args.out, args.jobs, args.budget, equivalents,
                            args.ref, args.reuse)
        results.append(result)
        print(f"mutation: {target.name}: "
              f"{result.get('error') or str(result['score']) + '% of ' + str(result['mutants'])}",
              flush=True)
    report = write_report(results, args.out, equivalents)
    print(f"mutation: report {report}")
    failing = [r["name"] for r in results if "error" in r or (
        args.min_score is not None and (r["score"] or 0.0) < args.min_score)]
    if failing:
        floor = f"below {args.min_score}% or " if args.min_score is not None else ""
        print(f"mutation: {floor}failed: {', '.join(failing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
