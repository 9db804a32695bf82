"""orsta-train: GRPO post-training whose rewards come from orsta-bench task specs."""
