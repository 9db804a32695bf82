"""Write samples to a parquet file through HF `datasets` (`Sample.to_hf_row` rows), so generated
data also serves training. `datasets` is imported lazily: it is heavy and only needed here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from orsta_bench.atomic import atomic_path
from orsta_bench.sample import Sample


def hf_features(decode_images: bool = True):
    """The datasets schema of `Sample.to_hf_row` (images as a list of Image features)."""
    from datasets import Features, Image, List, Value

    text = Value("string")
    return Features({
        "id": text, "task": text, "data_source": text, "messages": text,
        "images": List(Image(decode=decode_images)), "ground_truth": text, "verifier": text,
        "dimensions": text, "metadata": text,
    })


def export_parquet(samples: Iterable[Sample], path: str | Path) -> int:
    """Write `samples` to `path` (parquet) and return how many; the file appears only when complete."""
    from datasets import Dataset

    path = Path(path)
    rows = [sample.to_hf_row() for sample in samples]
    if not rows:
        raise ValueError(f"no samples to write to {path}")
    dataset = Dataset.from_list(rows, features=hf_features())
    with atomic_path(path) as temporary:
        dataset.to_parquet(str(temporary))
    return len(rows)


def load_parquet(path: str | Path) -> list[Sample]:
    """Samples back from a file written by `export_parquet`."""
    from datasets import Dataset

    dataset = Dataset.from_parquet(str(path), features=hf_features(decode_images=False))
    return [Sample.from_hf_row(row) for row in dataset]
