#!/usr/bin/env bash
# GPU benchmarks for one H100/H200 with no network and only torch, transformers and accelerate
# installed (docs/BENCHMARKS.md, "GPU").
#
#   bash scripts/gpu_bench.sh prepare      # here, with network: wheels into .whl/ (git-ignored)
#   bash scripts/gpu_bench.sh run          # on the GPU machine, from the repository root
#   bash scripts/gpu_bench.sh smoke        # here, on CPU: tiny shapes, proves the scripts run
#
# `prepare` writes .whl/ (git-ignored): orsta-bench as a wheel plus only the packages the device
# image lacks (its package list: /work/.library/device/KINDS.md), as CPython 3.12 x86-64 wheels of
# the versions in this .venv. The image already has pyarrow, pandas, numpy, pillow, sympy, rich,
# aiohttp, fsspec, xxhash, ... : carrying them (pyarrow alone is ~40 MB, and a wheel built for
# this .venv's Python breaks `datasets` there) would overflow the 64 MiB the device carries.
# `run` installs them with --no-deps into a private folder, so the machine's torch/transformers
# stay untouched, then runs, in at most 6 minutes:
#   1. scripts/gpu_bench.py: hf backend prompts/s at batch 1, 8, 32, 64 on a Qwen2.5-VL-7B-shaped
#      random model (448x448 image, 128 new tokens) and the harness overhead ratio;
#   2. scripts/gpu_train_bench.py: orsta-train vs bare TRL GRPO step time (3b shape, 2 steps);
#   3. the same with the vtriune-release preset for 3 steps (KL 0.001 with a reference model, dual
#      clip, pixel bounds; overridden: 4 prompts per step, 128-token completions, no evaluation).
# Results: gpu-bench-out/*.json and the log on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-run}"
SITE="${ORSTA_GPU_SITE:-/tmp/orsta-site}"
OUT="${ORSTA_GPU_OUT:-gpu-bench-out}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# What the device image lacks (the rest of orsta-bench[train]'s dependencies it has).
MISSING="pydantic pydantic-core annotated-types typing-inspection math-verify latex2sympy2-extended
antlr4-python3-runtime rapidfuzz unidecode pycocotools trl datasets dill multiprocess"
LIMIT_MB=56  # of the 64 MiB carried, leaving room for the working tree itself
PLATFORMS="--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
--platform manylinux2014_x86_64 --platform manylinux1_x86_64"

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
    rm -rf .whl && mkdir -p .whl/core
    .venv/bin/python -m pip wheel --no-deps -w .whl/core .
    # shellcheck disable=SC2086
    .venv/bin/python -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
      --implementation cp $PLATFORMS -d .whl/core $(pinned $MISSING)
    size_mb=$(du -sm .whl | cut -f1)
    echo "prepare: .whl holds ${size_mb} MB ($(ls .whl/core | wc -l) wheels)"
    [ "$size_mb" -le "$LIMIT_MB" ] || { echo "error: .whl is ${size_mb} MB, over ${LIMIT_MB} MB" >&2; exit 1; }
    ;;
  run)
    [ -d .whl/core ] || { echo "error: .whl/core missing: run 'bash scripts/gpu_bench.sh prepare' first" >&2; exit 2; }
    python -m pip install --quiet --no-index --no-deps --no-compile --target "$SITE" .whl/core/*.whl
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
    python -c "import torch, transformers, orsta_bench.backends.hf; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available())"
    mkdir -p "$OUT"
    timeout 150 python scripts/gpu_bench.py --shape 7b --device cuda --batches 1,8,32,64 \
      --new-tokens 128 --image-side 448 --json "$OUT/gen.json"
    if python -c "import trl, datasets" 2>/dev/null; then
      timeout 90 python scripts/gpu_train_bench.py --shape 3b --steps 2 --prompts 4 --generations 8 \
        --max-completion 128 | tee "$OUT/train.txt"
      timeout 120 python scripts/gpu_train_bench.py --shape 3b --steps 3 --prompts 4 --generations 8 \
        --max-completion 128 --preset vtriune-release | tee "$OUT/train-release.txt"
    else
      echo "trainer comparison skipped: trl/datasets not importable" | tee "$OUT/train.txt"
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
