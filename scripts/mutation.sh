#!/usr/bin/env bash
# Mutation testing (mutmut) of the modules whose numbers users publish: reward, verifiers (boxes,
# detection math, V-Triune, extract, text/ocr/numbers, math, box verifiers, base/registry/
# MEGA-Bench wrapper), MEGA-Bench parsing/metrics/aggregate, results bootstrap/compare/aggregate.
# Module by module, smallest first, each with its targeted tests and a time box.
#
#   bash scripts/mutation.sh                         # all modules, report in mutation-out/
#   bash scripts/mutation.sh reward results.compare  # some modules
#   bash scripts/mutation.sh --min-score 90 reward   # exit 1 if a module scores below 90%
#   bash scripts/mutation.sh --help                  # --jobs, --budget, --out
#
# Needs the dev extras (mutmut). ORSTA_PYTHON overrides the interpreter (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${ORSTA_PYTHON:-.venv/bin/python}" scripts/mutation.py "$@"
