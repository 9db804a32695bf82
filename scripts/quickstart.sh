#!/usr/bin/env bash
# Quick start: set up .venv, evaluate the oracle, nano-Orsta and the random tiny model on the
# built-in synthetic suite offline, and put all three on the leaderboard.
# ORSTA_QUICKSTART_LIMIT sets the samples per task (default 30; the suite has 200 per task).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh hf
export HF_HUB_OFFLINE=1
bench=.venv/bin/orsta-bench
limit="${ORSTA_QUICKSTART_LIMIT:-30}"
# Model answers to these tasks fit in 128 tokens; the cap keeps untrained models from rambling.
# README's Use lines repeat these settings so they resume these folders: change both together
# (tests/test_readme_quickstart.py checks they agree).
gen="max_new_tokens=128"
$bench run --model oracle --tasks synth --limit "$limit" --output runs/oracle --no-progress
$bench run --model nano --tasks synth --limit "$limit" --output runs/nano --gen-kwargs "$gen"
$bench run --model tiny --tasks synth --limit "$limit" --output runs/tiny --gen-kwargs "$gen"
$bench compare runs/tiny runs/nano || true   # nano-Orsta against the random model, with intervals
$bench leaderboard runs/oracle runs/nano runs/tiny
echo "Leaderboard: leaderboard/README.md and leaderboard/index.html"
