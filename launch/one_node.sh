#!/usr/bin/env bash
# One node, 8 GPUs, ZeRO-3, the released recipe (prompts_per_step 1024 = 128 per GPU).
#   bash launch/one_node.sh CKPT OUT [more orsta-train flags]
set -euo pipefail
ckpt="$1" out="$2"; shift 2
exec torchrun --nproc_per_node "${GPUS_PER_NODE:-8}" --no-python orsta-train \
  --preset vtriune-release --model "$ckpt" --tasks "${TASKS:-orsta}" --output "$out" \
  --deepspeed zero3 "$@"
