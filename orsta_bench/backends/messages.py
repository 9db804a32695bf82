"""From orsta chat messages (image parts name an index into the request's images) to each
backend's wire format. One place, so every backend shows the model the same prompt (the walk over
a message's parts is `orsta_bench.sample.content_parts`, beside the format's definition)."""

from __future__ import annotations

import base64
from typing import Any

from orsta_bench.sample import SampleImage, content_parts


def ordered_parts(messages: list[dict[str, Any]], images: list[SampleImage]
                  ) -> list[tuple[str, list[tuple[str, Any]] | str]]:
    """(role, content) per message; content is a string or a list of ("text", str) and
    ("image", SampleImage) in prompt order. A bad image index raises ValueError."""
    out: list[tuple[str, list[tuple[str, Any]] | str]] = []
    for message in messages:
        if isinstance(message["content"], str):  # kept a string: the OpenAI wire allows it
            out.append((message["role"], message["content"]))
            continue
        parts: list[tuple[str, Any]] = []
        for part in content_parts(message):
            kind = part.get("type")
            if kind == "text":
                parts.append(("text", part["text"]))
            elif kind == "image":
                index = part.get("index", 0)
                if not isinstance(index, int) or not 0 <= index < len(images):
                    raise ValueError(f"image part index {index!r} out of range ({len(images)} image(s))")
                parts.append(("image", images[index]))
            else:
                raise ValueError(f"unsupported message part type {kind!r} (expected text or image)")
        out.append((message["role"], parts))
    return out


def to_hf_messages(messages: list[dict[str, Any]], images: list[SampleImage]
                   ) -> tuple[list[dict[str, Any]], list[SampleImage]]:
    """Messages for a processor's chat template and the images in placeholder order."""
    hf: list[dict[str, Any]] = []
    ordered: list[SampleImage] = []
    for role, content in ordered_parts(messages, images):
        if isinstance(content, str):
            hf.append({"role": role, "content": [{"type": "text", "text": content}]})
            continue
        parts = []
        for kind, value in content:
            if kind == "text":
                parts.append({"type": "text", "text": value})
            else:
                parts.append({"type": "image"})
                ordered.append(value)
        hf.append({"role": role, "content": parts})
    return hf, ordered


def image_mime(data: bytes) -> str:
    """The MIME type from magic bytes (PNG, JPEG, GIF, WebP); PNG when unknown."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/png"


def data_url(image: SampleImage) -> str:
    data = image.read_bytes()
    return f"data:{image_mime(data)};base64,{base64.b64encode(data).decode('ascii')}"


def to_openai_messages(messages: list[dict[str, Any]], images: list[SampleImage]) -> list[dict[str, Any]]:
    """OpenAI chat format: images as base64 data URLs in image_url parts."""
    wire: list[dict[str, Any]] = []
    for role, content in ordered_parts(messages, images):
        if isinstance(content, str):
            wire.append({"role": role, "content": content})
            continue
        parts = [
            {"type": "text", "text": value} if kind == "text"
            else {"type": "image_url", "image_url": {"url": data_url(value)}}
            for kind, value in content
        ]
        wire.append({"role": role, "content": parts})
    return wire


def cut_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """The text up to the earliest stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
