#!/usr/bin/env bash
# Quick start: set up .venv, evaluate the built-in synthetic suite offline, build the leaderboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh hf
export HF_HUB_OFFLINE=1
bench=.venv/bin/orsta-bench
limit="${ORSTA_QUICKSTART_LIMIT:-50}"
$bench run --model oracle --tasks synth --limit "$limit" --output runs/oracle
$bench run --model tiny --tasks synth --limit "$limit" --output runs/tiny --gen-kwargs max_new_tokens=64
$bench leaderboard runs/oracle/results.json runs/tiny/results.json
echo "Leaderboard: leaderboard/README.md and leaderboard/index.html"
