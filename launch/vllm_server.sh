#!/usr/bin/env bash
# vLLM generation on its own GPUs: GPUs 6-7 serve (tensor parallel 2), GPUs 0-5 train.
#   bash launch/vllm_server.sh CKPT OUT [more flags]
# prompts_per_step must be divisible by the 6 training processes: the default 1024 is not, so
# this sets 1020 (or pick GPU counts that divide 1024, e.g. 4 serving + 4 training).
set -euo pipefail
ckpt="$1" out="$2"; shift 2
CUDA_VISIBLE_DEVICES=6,7 trl vllm-serve --model "$ckpt" --tensor-parallel-size 2 --port "${VLLM_PORT:-8000}" &
server=$!
trap 'kill "$server"' EXIT
CUDA_VISIBLE_DEVICES=0,1,2,3,4,5 torchrun --nproc_per_node 6 --no-python orsta-train \
  --preset vtriune-release --model "$ckpt" --tasks "${TASKS:-orsta}" --output "$out" \
  --deepspeed zero3 --use-vllm --vllm-mode server --set vllm_server_host=127.0.0.1 \
  --set vllm_server_port="${VLLM_PORT:-8000}" --set prompts_per_step=1020 "$@"
