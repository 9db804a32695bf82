"""The evaluation runner: `orsta-bench run` without the CLI (see run.py)."""
