"""orsta-bench: one declarative task spec drives both the RL reward and the evaluation score."""

__version__ = "0.1.0"
