"""The ASCII-art judge's pictures equal the official renderer's (tests/fixtures/megabench_judge)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from orsta_bench.megabench.ascii_render import ascii_art_image, ascii_art_jpeg

FIXTURES = Path(__file__).parent / "fixtures" / "megabench_judge"
INPUTS = json.loads((FIXTURES / "ascii_inputs.json").read_text())
OFFICIAL = json.loads((FIXTURES / "ascii_official.json").read_text())


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_renders_equal_the_official_pixels(name: str) -> None:
    image = ascii_art_image(INPUTS[name])
    expected = OFFICIAL["renders"][name]
    assert list(image.size) == expected["size"]
    assert hashlib.sha256(image.tobytes()).hexdigest() == expected["pixels_sha256"]


def test_the_judge_gets_a_jpeg_of_that_picture() -> None:
    data = ascii_art_jpeg(INPUTS["house"])
    assert data[:3] == b"\xff\xd8\xff"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG" and decoded.size == (224, 224)
    assert OFFICIAL["fonts"] == ["DejaVuSansMono.ttf"]  # the font the official renderer used
