#!/usr/bin/env bash
# GPU benchmarks for one H100/H200 with no network and only torch, transformers and accelerate
# installed (docs/BENCHMARKS.md, "GPU").
#
#   bash scripts/gpu_bench.sh prepare      # here, with network: wheels into .whl/ (git-ignored)
#   bash scripts/gpu_bench.sh run          # on the GPU machine, from the repository root
#   bash scripts/gpu_bench.sh smoke        # here, on CPU: tiny shapes, proves the scripts run
#
# `prepare` writes .whl/core (orsta-bench and its light dependencies, 42 MB) and .whl/train (trl,
# datasets and their dependencies, 67 MB) as wheels of the versions in this .venv (same Python
# minor version as the GPU machine assumed). `run` installs them with --no-deps into a private
# folder, so the machine's torch/transformers stay untouched, then runs, in at most 4 minutes:
#   1. scripts/gpu_bench.py: hf backend prompts/s at batch 1, 8, 32, 64 on a Qwen2.5-VL-7B-shaped
#      random model (448x448 image, 128 new tokens) and the harness overhead ratio;
#   2. scripts/gpu_train_bench.py: orsta-train vs bare TRL GRPO step time (3b shape, 2 steps).
# Results: gpu-bench-out/*.json and the log on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-run}"
SITE="${ORSTA_GPU_SITE:-/tmp/orsta-site}"
OUT="${ORSTA_GPU_OUT:-gpu-bench-out}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

CORE="pydantic pydantic-core annotated-types typing-inspection typing-extensions pyyaml typer click
shellingham rich markdown-it-py mdurl pygments math-verify latex2sympy2-extended sympy mpmath
antlr4-python3-runtime rapidfuzz unidecode numpy pillow pycocotools httpx httpcore h11 anyio sniffio
idna certifi regex"
TRAIN="trl datasets pyarrow dill multiprocess xxhash fsspec pandas python-dateutil pytz tzdata six
aiohttp aiosignal frozenlist multidict yarl propcache aiohappyeyeballs attrs"

pinned() {  # "name==version" of each named package as installed in .venv
  .venv/bin/python - "$@" <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version
for name in sys.argv[1:]:
    try:
        print(f"{name}=={version(name)}")
    except PackageNotFoundError:
        sys.exit(f"prepare: {name} is not installed in .venv (pip install -e '.[dev]' first)")
EOF
}

case "$MODE" in
  prepare)
    rm -rf .whl && mkdir -p .whl/core .whl/train
    .venv/bin/python -m pip wheel --no-deps -w .whl/core . $(pinned $CORE)
    .venv/bin/python -m pip download --no-deps -d .whl/train $(pinned $TRAIN)
    du -sh .whl/core .whl/train
    ;;
  run)
    [ -d .whl/core ] || { echo "error: .whl/core missing: run 'bash scripts/gpu_bench.sh prepare' first" >&2; exit 2; }
    python -m pip install --quiet --no-deps --target "$SITE" .whl/core/*.whl
    [ -d .whl/train ] && python -m pip install --quiet --no-deps --target "$SITE" .whl/train/*
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
    python -c "import torch, transformers, orsta_bench.backends.hf; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available())"
    mkdir -p "$OUT"
    timeout 150 python scripts/gpu_bench.py --shape 7b --device cuda --batches 1,8,32,64 \
      --new-tokens 128 --image-side 448 --json "$OUT/gen.json"
    if python -c "import trl, datasets" 2>/dev/null; then
      timeout 90 python scripts/gpu_train_bench.py --shape 3b --steps 2 --prompts 4 --generations 8 \
        --max-completion 128 | tee "$OUT/train.txt"
    else
      echo "trainer comparison skipped: trl/datasets not importable (copy .whl/train)" | tee "$OUT/train.txt"
    fi
    ;;
  smoke)
    .venv/bin/python scripts/gpu_bench.py --shape tiny --device cpu --batches 1,4 --new-tokens 8 \
      --image-side 56
    .venv/bin/python scripts/gpu_train_bench.py --shape tiny --device cpu --steps 2 --prompts 2 \
      --generations 2 --max-completion 8 --image-side 56
    ;;
  *)
    echo "usage: bash scripts/gpu_bench.sh prepare|run|smoke" >&2; exit 2 ;;
esac
