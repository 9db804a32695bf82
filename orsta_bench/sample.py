"""The sample-level record (V-Triune's sample-level data formatting).

Every sample carries its own id, task, data source, chat messages with images, ground truth and
verifier call, so a mixed batch of math, detection and OCR samples is routed per sample.

Messages use content parts; an image part names its position in `images`:
    {"role": "user", "content": [{"type": "image", "index": 0}, {"type": "text", "text": "..."}]}
Backends turn that into their own wire format; nothing else needs to know it.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SampleImage:
    """An image held as encoded bytes (generated) or as a file path (datasets on disk)."""

    data: bytes | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("SampleImage needs exactly one of data or path")

    def read_bytes(self) -> bytes:
        """The encoded image; a path is read only if it is a regular file within the image cap
        (never blocks on a FIFO or streams a device; orsta_bench.safe_files)."""
        if self.data is not None:
            return self.data
        from orsta_bench.safe_files import MAX_IMAGE_BYTES, read_regular

        return read_regular(self.path, MAX_IMAGE_BYTES)  # type: ignore[arg-type]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()

    def to_pil(self) -> Any:
        from PIL import Image

        with Image.open(io.BytesIO(self.read_bytes())) as image:
            return image.convert("RGB")

    def reference(self) -> dict[str, str]:
        """What goes into JSON records: a path or a content hash, never inline bytes."""
        if self.path is not None:
            return {"path": self.path, "sha256": self.sha256}
        return {"sha256": self.sha256}

    @classmethod
    def from_pil(cls, image: Any) -> SampleImage:
        """Encode deterministically as PNG (no metadata, fixed compression)."""
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6, optimize=False)
        return cls(data=buffer.getvalue())


@dataclass(frozen=True)
class VerifierCall:
    """Registry name and parameters; `params["reward"]` holds the accuracy/format weights."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.params}


@dataclass
class Sample:
    id: str
    task: str
    data_source: str
    messages: list[dict[str, Any]]
    ground_truth: Any
    verifier: VerifierCall
    images: list[SampleImage] = field(default_factory=list)
    dimensions: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def prompt_text(self) -> str:
        """All text parts of all messages, in order (for display and logging)."""
        return "\n".join(part["text"] for message in self.messages for part in content_parts(message)
                         if part.get("type") == "text")

    @property
    def content_hash(self) -> str:
        """Hash of what the model sees and what it is scored against (prompt, image bytes, truth)."""
        digest = hashlib.sha256()
        digest.update(_canonical_json(self.messages).encode())
        for image in self.images:
            digest.update(image.sha256.encode())
        digest.update(_canonical_json(self.ground_truth).encode())
        digest.update(_canonical_json(self.verifier.to_dict()).encode())
        return digest.hexdigest()[:16]

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-safe record; images become references (see SampleImage.reference)."""
        return {
            "id": self.id,
            "task": self.task,
            "data_source": self.data_source,
            "messages": self.messages,
            "images": [image.reference() for image in self.images],
            "ground_truth": self.ground_truth,
            "verifier": self.verifier.to_dict(),
            "dimensions": self.dimensions,
            "metadata": self.metadata,
            "sample_hash": self.content_hash,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Sample:
        """The sample back from `to_json_dict` (its `sample_hash` is recomputed, not read). A
        record may leave out "images"; an image stored inline has only its hash in the record and
        cannot come back (ValueError)."""
        images = []
        for reference in data.get("images", []):
            if "path" not in reference:
                raise ValueError(f"sample {data.get('id')!r}: an inline image (sha256 "
                                 f"{reference.get('sha256')}) cannot be rebuilt from its record")
            images.append(SampleImage(path=reference["path"]))
        verifier = data["verifier"]
        return cls(
            id=data["id"], task=data["task"], data_source=data["data_source"],
            messages=data["messages"], ground_truth=data["ground_truth"],
            verifier=VerifierCall(verifier["name"], verifier.get("params", {})), images=images,
            dimensions=data.get("dimensions", {}), metadata=data.get("metadata", {}),
        )

    def to_hf_row(self) -> dict[str, Any]:
        """A HF `datasets` row: images as {bytes, path} (the Image feature's storage), the
        structured fields as JSON strings so rows of different tasks share one schema."""
        return {
            "id": self.id,
            "task": self.task,
            "data_source": self.data_source,
            "messages": _canonical_json(self.messages),
            "images": [{"bytes": image.read_bytes(), "path": image.path} for image in self.images],
            "ground_truth": _canonical_json(self.ground_truth),
            "verifier": _canonical_json(self.verifier.to_dict()),
            "dimensions": _canonical_json(self.dimensions),
            "metadata": _canonical_json(self.metadata),
        }

    @classmethod
    def from_hf_row(cls, row: dict[str, Any]) -> Sample:
        images = [
            SampleImage(data=image["bytes"]) if image.get("bytes") else SampleImage(path=image["path"])
            for image in row["images"]
        ]
        verifier = json.loads(row["verifier"])
        return cls(
            id=row["id"],
            task=row["task"],
            data_source=row["data_source"],
            messages=json.loads(row["messages"]),
            ground_truth=json.loads(row["ground_truth"]),
            verifier=VerifierCall(verifier["name"], verifier["params"]),
            images=images,
            dimensions=json.loads(row["dimensions"]),
            metadata=json.loads(row["metadata"]),
        )


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A message's content as parts (a plain string is one text part): the one walk over the
    format above, used by every reader of messages (backends/messages.py builds wire formats)."""
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def user_message(text: str, n_images: int) -> list[dict[str, Any]]:
    """The common single-turn prompt: every image first, then the text (Qwen-VL convention)."""
    content: list[dict[str, Any]] = [{"type": "image", "index": i} for i in range(n_images)]
    content.append({"type": "text", "text": text})
    return [{"role": "user", "content": content}]
