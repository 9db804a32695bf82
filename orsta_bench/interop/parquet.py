"""Streaming rows into one parquet file in bounded batches (memory does not grow with rows)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_rows(rows: Iterable[dict[str, Any]], path: str | Path, schema: Any,
               batch_rows: int = 256) -> int:
    """Write `rows` with the pyarrow `schema` to `path`; returns the row count. An empty input
    still gives a valid file with the schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_rows:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count
