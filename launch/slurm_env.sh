#!/usr/bin/env bash
# Run a command as one rank of a torch.distributed job under srun (one task per GPU): srun sets
# SLURM_PROCID / SLURM_LOCALID / SLURM_NTASKS, torch.distributed reads RANK / LOCAL_RANK /
# WORLD_SIZE / MASTER_ADDR / MASTER_PORT. The head is the first host of the allocation.
#   srun bash launch/slurm_env.sh orsta-train --preset vtriune-release ...
set -euo pipefail
export RANK="${SLURM_PROCID:?not under srun}" LOCAL_RANK="${SLURM_LOCALID:?not under srun}"
export WORLD_SIZE="${SLURM_NTASKS:?not under srun}"
if [ -z "${MASTER_ADDR:-}" ]; then
  MASTER_ADDR="$(scontrol show hostnames "${SLURM_JOB_NODELIST:?not under srun}" | head -n 1)"
  export MASTER_ADDR
fi
export MASTER_PORT="${MASTER_PORT:-29500}"
exec "$@"
