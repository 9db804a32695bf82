#!/usr/bin/env bash
# vLLM generation inside the training processes (one node, 8 GPUs, each rank its own engine
# sharing the GPU with training; the release ran vLLM at 0.7 of GPU memory with FSDP offload off).
#   bash launch/vllm_colocate.sh CKPT OUT [more flags]
set -euo pipefail
ckpt="$1" out="$2"; shift 2
exec torchrun --nproc_per_node "${GPUS_PER_NODE:-8}" --no-python orsta-train \
  --preset vtriune-release --model "$ckpt" --tasks "${TASKS:-orsta}" --output "$out" \
  --deepspeed zero3 --use-vllm --vllm-mode colocate --set vllm_gpu_memory_utilization=0.3 "$@"
