"""The oracle backend: answers every request with the ideal answer the runner put on it.

It never looks at tasks or ground truth itself; `ChatRequest.oracle_answer` is set by the runner
from `orsta_bench.oracle.ideal_response` for this backend only (docs/contracts.md, Backends).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from orsta_bench.backends.base import ChatRequest, ChatResponse


class OracleBackend:
    name = "oracle"

    def generate(self, requests: Iterable[ChatRequest]) -> Iterator[ChatResponse]:
        """One response per request, in input order; a request without an answer is an error."""
        for request in requests:
            if request.oracle_answer is None:
                yield ChatResponse(
                    request_id=request.request_id, text="", finish_reason="error",
                    error="the oracle backend got a request without oracle_answer (the runner sets it"
                          " only with --model oracle)",
                )
                continue
            yield ChatResponse(request_id=request.request_id, text=request.oracle_answer,
                               completion_tokens=len(request.oracle_answer.split()))

    def describe(self) -> dict[str, Any]:
        return {"backend": "oracle", "model": "oracle"}

    def close(self) -> None:
        return None
