#!/usr/bin/env bash
# Create .venv (once) and install orsta-bench into it with the given extras (default: dev).
# Exact versions come from constraints/cpu.txt (pyproject.toml declares ranges). Idempotent:
# reinstalls only when pyproject.toml or the constraints changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-dev}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=".venv/.orsta-installed-$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints/cpu.txt -nt "$stamp" ]; then
    # One resolution under the pins, torch/torchvision included (see docs/DEVELOPMENT.md).
    .venv/bin/python -m pip install -q -c constraints/cpu.txt -e ".[$extras]"
    touch "$stamp"
fi
