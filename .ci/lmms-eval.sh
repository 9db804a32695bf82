#!/usr/bin/env bash
# Cross-harness parity: build an isolated lmms-eval venv (lmms-eval conflicts with our pins, see
# /work/shared/ENV-NOTES.md and docs/interop.md) and run tests/interop/ inside it.
#   bash .ci/lmms-eval.sh            build (once, reused while pyproject.toml is unchanged) and test
#   bash .ci/lmms-eval.sh --build    only build the venv
# $LMMS_VENV overrides the venv folder (default .venv-lmms, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
venv="${LMMS_VENV:-.venv-lmms}"
python="${PYTHON:-python3}"
stamp="$venv/.orsta-lmms-installed"

if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$0" -nt "$stamp" ]; then
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    # One resolution for everything, so lmms-eval cannot move our pins: torch/torchvision as the
    # pair that imports together, math-verify as the scoring pin (lmms-eval would downgrade it),
    # filelock<4 (its evaluator imports filelock._api) and decord (imported but undeclared).
    "$venv/bin/python" -m pip install -q \
        "lmms-eval==0.7.3" "torch==2.14.1" "torchvision==0.29.1" "math-verify==0.9.0" \
        "filelock<4" "decord==0.6.*" "pytest==9.*" "datasets==5.2.0" "pyarrow>=18" \
        -e ".[hf]"
    touch "$stamp"
fi
[ "${1:-}" = "--build" ] && exit 0

"$venv/bin/python" -m pytest tests/interop -q -p no:cacheprovider -m slow "${@}"
