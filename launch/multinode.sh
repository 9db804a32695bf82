#!/usr/bin/env bash
# Several nodes with torchrun and DeepSpeed ZeRO-3: run on every node with its NODE_RANK.
#   NNODES=2 NODE_RANK=0 HEAD=10.0.0.1 bash launch/multinode.sh CKPT OUT [more flags]
# OUT must be on a filesystem every node sees (checkpoints, the shared training set).
set -euo pipefail
ckpt="$1" out="$2"; shift 2
exec torchrun --nnodes "${NNODES:?set NNODES}" --node_rank "${NODE_RANK:?set NODE_RANK}" \
  --nproc_per_node "${GPUS_PER_NODE:-8}" --master_addr "${HEAD:?set HEAD}" --master_port "${PORT:-29500}" \
  --no-python orsta-train --preset vtriune-release --model "$ckpt" --tasks "${TASKS:-orsta}" \
  --output "$out" --deepspeed zero3 "$@"
