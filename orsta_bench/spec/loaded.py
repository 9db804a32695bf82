"""A validated spec together with where it came from and a hash of its content."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orsta_bench.spec.schema import TaskSpec


@dataclass(frozen=True)
class LoadedSpec:
    spec: TaskSpec
    path: Path
    raw: dict[str, Any]  # the merged mapping (includes applied) the spec was validated from

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that affects samples or scores changes (run fingerprints)."""
        text = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def resolve_path(self, relative: str) -> Path:
        """Data paths in a spec are relative to the spec file's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else (self.path.parent / path).resolve()
