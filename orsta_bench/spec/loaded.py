"""A validated spec together with where it came from and a hash of its content."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orsta_bench.spec.schema import TaskSpec


@dataclass(frozen=True)
class LoadedSpec:
    spec: TaskSpec
    path: Path
    raw: dict[str, Any]  # the merged mapping (includes applied) the spec was validated from
    roots: tuple[Path, ...] = ()  # real folders its data may live in (orsta_bench.safe_files)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that affects samples or scores changes (run fingerprints)."""
        text = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def resolve_path(self, relative: str) -> Path:
        """Data paths in a spec are relative to the spec file's folder (symlinks are left for
        the path policy to follow, so messages show the name the spec gave)."""
        path = Path(relative).expanduser()
        return Path(os.path.abspath(path if path.is_absolute() else self.path.parent / path))

    def allowed_roots(self) -> tuple[Path, ...]:
        """Where its files may live: the roots it was loaded with (the spec's own folder when
        built by hand), plus data roots the environment names now."""
        from orsta_bench.safe_files import env_data_roots, real_roots

        return real_roots([*(self.roots or (self.path.parent,)), *env_data_roots()])

    def data_file(self, path: str | Path, what: str, max_bytes: int) -> Path:
        """The real path of a data file it names, after the path policy check."""
        from orsta_bench.safe_files import check_file

        return check_file(path, self.allowed_roots(), what, max_bytes)

    def data_dir(self, path: str | Path, what: str) -> Path:
        """The real path of a data folder it names, after the path policy check."""
        from orsta_bench.safe_files import check_dir

        return check_dir(path, self.allowed_roots(), what)
