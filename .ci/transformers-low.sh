#!/usr/bin/env bash
# The low end of the supported range (constraints/gpu.txt: torch 2.13.0, transformers 5.17.0, the
# versions the vLLM GPU stack resolves to) in its own venv, running the tests that touch
# transformers/TRL: model loading, the HF backend, training (fast and a short end-to-end run).
#   bash .ci/transformers-low.sh            build (once, reused while inputs are unchanged) and test
#   bash .ci/transformers-low.sh --build    only build the venv
# $LOW_VENV overrides the venv folder (default .venv-low, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
venv="${LOW_VENV:-.venv-low}"
python="${PYTHON:-python3}"
stamp="$venv/.orsta-low-installed"

if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints/gpu.txt -nt "$stamp" ]; then
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q -c constraints/gpu.txt -e ".[train]" "pytest==9.*"
    touch "$stamp"
fi
[ "${1:-}" = "--build" ] && exit 0

"$venv/bin/python" - <<'PY'
import torch, transformers
assert torch.__version__.startswith("2.13.0") and transformers.__version__ == "5.17.0", (torch.__version__, transformers.__version__)
PY
"$venv/bin/python" -m pytest -q -p no:cacheprovider \
    tests/test_tiny_model.py tests/test_hf_backend.py tests/test_train_config.py \
    tests/test_train_release.py tests/test_train_rewards.py "${@}"
"$venv/bin/python" -m pytest -q -p no:cacheprovider -m slow tests/test_train_run.py "${@}"
