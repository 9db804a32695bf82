"""Samples spooled to disk as the source streams them, read back one at a time in any order.

The training mixture and the held-out split visit samples in a seeded order unrelated to the
source's, so rows cannot be written as the source yields them; holding every sample (image
bytes included) in memory until then made the building process grow with the data set. Each
sample goes to an Arrow IPC file as its own record batch as soon as it is read; only a
`SampleRef` (id and position) stays in memory, and the sample is read back (one positioned read,
no memory map, so nothing stays resident) when its turn comes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from orsta_bench.api import Sample, SampleImage


@dataclass(frozen=True)
class SampleRef:
    """What the split and the mixture need of a sample (its id) and where to read it back."""

    id: str
    index: int


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([("record", pa.string()), ("image_bytes", pa.list_(pa.binary())),
                      ("image_paths", pa.list_(pa.string()))])


def _record(sample: Sample) -> str:
    """Everything but the images, as Sample.from_json_dict reads it (no image hashing)."""
    return json.dumps({"id": sample.id, "task": sample.task, "data_source": sample.data_source,
                       "messages": sample.messages, "ground_truth": sample.ground_truth,
                       "verifier": sample.verifier.to_dict(), "dimensions": sample.dimensions,
                       "metadata": sample.metadata}, ensure_ascii=False)


class SpoolWriter:
    def __init__(self, path: Path) -> None:
        import pyarrow as pa

        self.path = Path(path)
        self._schema = _schema()
        self._sink = pa.OSFile(str(self.path), "wb")
        self._writer = pa.ipc.new_file(self._sink, self._schema)
        self.count = 0

    def add(self, sample: Sample) -> SampleRef:
        import pyarrow as pa

        batch = pa.record_batch([[_record(sample)], [[image.data for image in sample.images]],
                                 [[image.path for image in sample.images]]], schema=self._schema)
        self._writer.write_batch(batch)
        self.count += 1
        return SampleRef(sample.id, self.count - 1)

    def __enter__(self) -> SpoolWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._writer.close()
        self._sink.close()


class SpoolReader:
    def __init__(self, path: Path) -> None:
        import pyarrow as pa

        self._source = pa.OSFile(str(path), "rb")
        self._reader = pa.ipc.open_file(self._source)

    def get(self, ref: SampleRef) -> Sample:
        row = self._reader.get_batch(ref.index).to_pylist()[0]
        sample = Sample.from_json_dict(json.loads(row["record"]))
        sample.images = [SampleImage(data=data) if data is not None else SampleImage(path=path)
                         for data, path in zip(row["image_bytes"], row["image_paths"], strict=True)]
        return sample

    def __enter__(self) -> SpoolReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._source.close()
