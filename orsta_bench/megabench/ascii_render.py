"""ASCII art drawn as a picture, as the official ASCII-art judge shows it to the judge model:
monospace 20 px text on white with 10 px padding, one line per 20 px, the canvas sized to the
text (0.6 x font size per character), then resized to 224 x 224 (LANCZOS) and sent as JPEG.
The official code takes the first of Courier New / DejaVu Sans Mono / ... that matplotlib finds,
which is DejaVu Sans Mono (shipped with matplotlib) unless Courier New is installed; this uses
the DejaVu Sans Mono shipped in orsta_bench/assets/fonts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

FONT = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "DejaVuSansMono.ttf"
SIZE, FONT_SIZE, PADDING = 224, 20, 10


def ascii_art_jpeg(text: str) -> bytes:
    """`text` rendered and encoded as the official judge sends it."""
    buffer = io.BytesIO()
    ascii_art_image(text).save(buffer, format="JPEG")
    return buffer.getvalue()


def ascii_art_image(text: str) -> Any:
    """`text` rendered as the official `ascii_text_to_image(text, 224, 224)` (an RGB PIL image)."""
    from PIL import Image, ImageDraw, ImageFont

    lines = text.splitlines() or [""]
    width = int(max(len(line) for line in lines) * FONT_SIZE * 0.6 + 2 * PADDING)
    height = int(len(lines) * FONT_SIZE + 2 * PADDING)
    image = Image.new("RGB", (max(width, 1), max(height, 1)), color="white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), FONT_SIZE)
    for number, line in enumerate(lines):
        draw.text((PADDING, PADDING + number * FONT_SIZE), line, font=font, fill="black")
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).convert("RGB")
