"""Runs inside the sandbox (as text, under `python -I -S`): the official program_judge I/O contract.

Not imported by the package. The sandbox harness (sandbox_harness.py) gives it `job` ({"code", "input", "as_main"}),
`ready_fd` and `result_fd`. As MEGA-Bench's CodeTester does: the test input reaches the program
only through builtins.input (one line per call, prompt ignored, StopIteration once exhausted:
sys.stdin stays /dev/null); only sys.stdout is captured (stderr, fd 1 and sys.__stdout__ are not);
code with the exact main guard runs as __main__ in fresh globals, other code runs with the
harness module's globals and separate locals; an Exception is a failed case whose output is
"ERROR during execution: ..."; SystemExit/KeyboardInterrupt or dying leave no result (failed).
"""

import builtins
import io
import json
import multiprocessing
import os
import pathlib
import sys

_lines = iter(job["input"].splitlines())  # noqa: F821  (given by the sandbox harness)


def _input(*args, **kwargs):
    return next(_lines)


_captured = io.StringIO()
builtins.input = _input
builtins.exit = builtins.quit = sys.exit  # what `site` gives the official harness (-S skips site)
sys.stdout = _captured
# The names the official harness module has at top level (a program without the main guard sees them).
_module_globals = {"__name__": "metrics.scoring.program_judge", "__builtins__": builtins,
                   "io": io, "pathlib": pathlib, "json": json, "multiprocessing": multiprocessing}
_code = job["code"]  # noqa: F821
_as_main = job["as_main"]  # noqa: F821
del job  # noqa: F821
os.write(ready_fd, b"R")  # noqa: F821  (the time limit starts now)
os.close(ready_fd)  # noqa: F821
try:
    if _as_main:
        exec(_code, {"__name__": "__main__"})
    else:
        exec(_code, _module_globals, {})
except Exception as error:
    _answer = {"output": f"ERROR during execution: {error}"}
else:
    _answer = {"output": _captured.getvalue().rstrip()}
_data = json.dumps(_answer).encode()
os.ftruncate(result_fd, 0)  # noqa: F821
os.pwrite(result_fd, _data, 0)  # noqa: F821

