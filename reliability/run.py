"""Run the reliability suite and write a JSON report.

    python -m reliability.run            # small sizes (about 5 minutes on 2 cores)
    python -m reliability.run --full     # the documented counts (docs/RELIABILITY.md)
    python -m reliability.run --only fuzz,bad_specs --report out.json

Exit 0 when every check passed, 1 otherwise (the report names what failed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHECKS = ("fuzz", "kill_resume", "bad_specs", "spec_bounds", "sandbox", "backend_faults",
          "score_probes", "run_folders")
# name -> (small, full) sizes
SIZES = {"fuzz": (2_000, 100_000), "kill_resume": (3, 10), "sandbox": (1, 5)}


def run_check(name: str, full: bool, seed: int, scratch: Path, fuzz_n: int | None = None) -> dict[str, Any]:
    size = SIZES.get(name, (0, 0))[1 if full else 0]
    if name == "fuzz" and fuzz_n:
        size = fuzz_n
    if name == "fuzz":
        from reliability.fuzz import run_fuzz

        return run_fuzz(size, seed=seed, progress=1_000 if size >= 5_000 else 0)
    if name == "kill_resume":
        from reliability.kill_resume import run_kill_resume

        return run_kill_resume(scratch / "kill", kills=size, seed=seed, limit=100 if full else 10)
    if name == "bad_specs":
        from reliability.bad_specs import run_bad_specs

        return run_bad_specs()
    if name == "spec_bounds":
        from reliability.spec_bounds import run_spec_bounds

        return run_spec_bounds()
    if name == "sandbox":
        from reliability.sandbox_escapes import run_sandbox_escapes

        return run_sandbox_escapes(rounds=size)
    if name == "score_probes":
        from reliability.score_probes import run_score_probes

        return run_score_probes()
    if name == "run_folders":
        from reliability.run_folders import run_run_folders

        return run_run_folders()
    from reliability.backend_faults import run_backend_faults

    return run_backend_faults(scratch / "faults")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the documented counts")
    parser.add_argument("--only", default=",".join(CHECKS), help=f"comma-separated subset of {CHECKS}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fuzz-n", type=int, default=None, help="override the number of fuzzed responses")
    parser.add_argument("--report", type=Path, default=Path("reliability-report.json"))
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(CHECKS))
    if unknown:
        print(f"error: --only: unknown check(s) {unknown}; choose from {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    # Workers inherit this: unidecode warns once per surrogate it drops, which floods the log.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")
    report: dict[str, Any] = {"full": args.full, "seed": args.seed, "python": platform.python_version(),
                              "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                              "load_avg_start": os.getloadavg(), "checks": {}}
    with tempfile.TemporaryDirectory(prefix="orsta-reliability-") as tmp:
        for name in chosen:
            started = time.perf_counter()
            result = run_check(name, args.full, args.seed, Path(tmp), args.fuzz_n)
            result["check_wall_s"] = round(time.perf_counter() - started, 1)
            report["checks"][name] = result
            print(f"{name}: {'PASS' if result['passed'] else 'FAIL'} ({result['check_wall_s']} s)", flush=True)
    report["load_avg_end"] = os.getloadavg()
    report["passed"] = all(check["passed"] for check in report["checks"].values())
    args.report.write_text(json.dumps(report, indent=1) + "\n")
    print(f"report: {args.report}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
