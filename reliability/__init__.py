"""Reliability suite: fuzzing, kill/resume, bad specs, sandbox escapes, backend faults.

Each check is a function returning a plain report dict with a `passed` flag and its counts;
`python -m reliability.run` runs them (small sizes by default, the documented counts with
`--full`), and tests/reliability/ runs small samples in the normal test pass.
"""
