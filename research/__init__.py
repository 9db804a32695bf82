"""Research code around nano-Orsta (docs/NANO.md): probes, sanity checks, ablations, plots.

Not part of the installed package: run from the repository root as `python -m research.<script>`.
The recipe that rebuilds the shipped checkpoint is `orsta_train.nano`.
"""
