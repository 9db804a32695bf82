#!/usr/bin/env bash
# Create .venv (once) and install orsta-bench into it with the given extras (default: dev).
# Idempotent: reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-dev}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=".venv/.orsta-installed-$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # torch and torchvision must be installed as this pair (see docs/DEVELOPMENT.md).
    .venv/bin/python -m pip install -q torch==2.14.1 torchvision==0.29.1
    .venv/bin/python -m pip install -q -e ".[$extras]"
    touch "$stamp"
fi
