"""Ground truth against the drawing: decode the PNG a sample ships and measure it independently
(connected components, colours, pixel heights), then compare with what the sample claims."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from orsta_bench.sample import SampleImage
from orsta_bench.synth import generate, get_generator
from orsta_bench.synth.common import COLORS, to_norm1000
from orsta_bench.synth.ocr import text_mask

N = 12  # samples per family checked (chart: 3 N, to cover bar, line and pie)


def png(item, tmp_path, name: str) -> np.ndarray:
    """Encode as the source does, write the PNG, and read the pixels back from the file."""
    data = SampleImage.from_pil(item.image).read_bytes()
    path = tmp_path / f"{name}.png"
    path.write_bytes(data)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def blobs(pixels: np.ndarray) -> list[dict]:
    """Connected regions of each named colour with their box and a shape guess."""
    found = []
    for name, rgb in COLORS.items():
        labels, count = ndimage.label(np.all(pixels == rgb, axis=-1))
        for number, region in enumerate(ndimage.find_objects(labels)[:count], start=1):
            ys, xs = region
            mask = labels[region] == number
            w, h = xs.stop - xs.start, ys.stop - ys.start
            fill = np.count_nonzero(mask) / (w * h)
            bottom_row = np.count_nonzero(mask[-1])  # a triangle stands on its full base
            shape = ("square" if fill > 0.93 else "circle" if fill > 0.68
                     else "triangle" if bottom_row > 0.6 * w else "diamond")
            found.append({"color": name, "shape": shape, "box": (xs.start, ys.start, xs.stop - 1, ys.stop - 1),
                          "w": w})
    return found


def clean(name: str, **extra):
    return get_generator(name).knobs(noise=0.0, clutter=0, **extra)


@pytest.mark.parametrize("index", range(N))
def test_counting_matches_drawn_objects(index, tmp_path):
    item = generate("counting", 3, index, clean("counting", max_objects=12))
    found = blobs(png(item, tmp_path, f"count{index}"))
    assert len(found) == len(item.metadata["objects"])  # nothing merged, nothing lost
    target = item.metadata["target"]
    drawn = sum(b["shape"] == target["shape"] and target["color"] in (None, b["color"]) for b in found)
    assert drawn == item.ground_truth == int(item.answer) >= 1
    assert target["shape"] in item.question


@pytest.mark.parametrize("index", range(N))
def test_detection_boxes_are_the_drawn_objects(index, tmp_path):
    item = generate("detection", 4, index, clean("detection"))
    size = item.image.width
    asked = item.metadata["categories"]
    measured = sorted(
        (to_norm1000(b["box"], size, size), b["shape"]) for b in blobs(png(item, tmp_path, f"det{index}"))
        if b["shape"] in asked
    )
    claimed = sorted((d["bbox_2d"], d["label"]) for d in item.ground_truth)
    assert claimed == measured and claimed
    assert all(a in item.question for a in asked)


@pytest.mark.parametrize("index", range(N))
def test_grounding_box_is_the_unique_referred_object(index, tmp_path):
    item = generate("grounding", 5, index, clean("grounding"))
    size = item.image.width
    found = blobs(png(item, tmp_path, f"ground{index}"))
    hits = [b for b in found if to_norm1000(b["box"], size, size) == item.ground_truth]
    assert len(hits) == 1
    target = hits[0]
    words = item.fields["expression"].split()
    assert target["color"] in words and target["shape"] in words
    same = [b for b in found if (b["color"], b["shape"]) == (target["color"], target["shape"])]
    if "small" in words or "large" in words:  # size decides among same colour and shape
        bigger = [b for b in same if b["w"] > target["w"] * 1.3]
        smaller = [b for b in same if b["w"] * 1.3 < target["w"]]
        assert (not bigger) if "large" in words else (not smaller)
    for word, key in (("leftmost", lambda b: b["box"][0]), ("rightmost", lambda b: -b["box"][2]),
                      ("topmost", lambda b: b["box"][1]), ("bottommost", lambda b: -b["box"][3])):
        if word in words:
            assert min(same, key=key) is target
    if not any(w in words for w in ("small", "large", "leftmost", "rightmost", "topmost", "bottommost")):
        assert same == [target]


@pytest.mark.parametrize("index", range(3 * N))
def test_chart_values_match_pixel_heights(index, tmp_path):
    item = generate("chart", 6, index, clean("chart"))
    meta = item.metadata
    pixels = png(item, tmp_path, f"chart{index}")
    if meta["kind"] == "pie":  # each wedge's pixel share is its percentage
        pie = pixels[:, : meta["legend_x"]]
        areas = [np.count_nonzero(np.all(pie == w["color"], axis=-1)) for w in meta["wedges"]]
        shares = [100 * a / sum(areas) for a in areas]
        assert all(abs(share - value) < 1.5 for share, value in zip(shares, meta["values"], strict=True))
        values = [round(share / 5) * 5 for share in shares]
        assert sum(meta["values"]) == 100
    elif meta["kind"] == "bar":
        colour = np.all(pixels == meta["color"], axis=-1)
        labels, count = ndimage.label(colour)
        regions = sorted(ndimage.find_objects(labels)[:count], key=lambda r: r[1].start)
        heights = [r[0].stop - r[0].start for r in regions]
        assert all(r[0].stop == meta["base"] for r in regions)  # bars stand on the axis
        values = [h // meta["unit"] for h in heights]
        assert [v * meta["unit"] for v in values] == heights
    else:  # line: every marker is centred on the grid line of its value
        colour = np.all(pixels == meta["color"], axis=-1)
        values = []
        for x, y in meta["marks"]:
            assert colour[y, x]
            values.append((meta["base"] - y) // meta["unit"])
    assert values == meta["values"]
    named = [values[i] for i in meta["named"]]
    expected = {"value": named[:1] and named[0], "max": max(values),
                "sum": sum(named) if meta["kind"] == "pie" else sum(values),
                "diff": named and named[0] - named[-1]}[meta["ask"]]
    assert item.ground_truth == expected == int(item.answer)


@pytest.mark.parametrize("index", range(N))
def test_ocr_text_is_the_rendered_string(index, tmp_path):
    item = generate("ocr", 7, index, clean("ocr", max_rotation=0.0))
    meta = item.metadata
    pixels = png(item, tmp_path, f"ocr{index}")

    def redraw(text: str) -> np.ndarray:
        canvas = Image.new("RGB", item.image.size, (255, 255, 255))
        mask, _ = text_mask(text, meta["font"], meta["font_size"])
        x, y = meta["position"]
        canvas.paste(tuple(meta["color"]), (x, y, x + mask.width, y + mask.height), mask)
        return np.asarray(canvas)

    assert item.ground_truth == item.answer == meta["text"]
    assert np.array_equal(redraw(item.ground_truth), pixels)
    altered = item.ground_truth[:-1] + ("x" if item.ground_truth[-1] != "x" else "y")
    assert not np.array_equal(redraw(altered), pixels)


def test_ocr_rotation_and_noise_change_pixels_not_truth():
    plain = generate("ocr", 8, 0, clean("ocr", max_rotation=0.0))
    rotated = generate("ocr", 8, 0, get_generator("ocr").knobs(max_rotation=30.0, noise=0.3))
    assert plain.ground_truth == rotated.ground_truth
    assert not np.array_equal(np.asarray(plain.image), np.asarray(rotated.image))


@pytest.mark.parametrize("index", range(N))
def test_math_figures_are_drawn_to_scale(index, tmp_path):
    item = generate("math", 9, index, clean("math"))
    meta = item.metadata
    pixels = png(item, tmp_path, f"math{index}")
    dark = pixels.sum(axis=-1) < 200
    if meta["kind"] == "rectangle":
        x0, y0 = meta["origin"]
        w, h, unit = meta["width"], meta["height"], meta["unit"]
        row = np.flatnonzero(dark[y0 + h * unit // 2])
        col = np.flatnonzero(dark[:, x0 + w * unit // 2])
        assert row[0] == x0 and dark[y0 + h * unit // 2, x0 + w * unit]  # left and right edges
        assert dark[y0, x0 + w * unit // 2] and dark[y0 + h * unit, x0 + w * unit // 2]
        assert col.size > 0
        expected = w * h if "area" in item.question else 2 * (w + h)
    elif meta["kind"] == "triangle":
        a, b, c = meta["angles"]
        pa, pb, pc = (np.array(v) for v in meta["vertices"])

        def angle(p, q, r) -> float:
            u, v = q - p, r - p
            return float(np.degrees(np.arccos(u @ v / np.linalg.norm(u) / np.linalg.norm(v))))

        assert abs(angle(pa, pb, pc) - a) < 0.01 and abs(angle(pb, pa, pc) - b) < 0.01
        assert dark[int(pa[1]) - 1 : int(pa[1]) + 2, int(pa[0]) - 1 : int(pa[0]) + 2].any()
        expected = 180 - a - b
    else:
        text = meta["expression"].replace("×", "*")
        assert re.fullmatch(r"[0-9+\-* ]+", text)
        expected = eval(text, {"__builtins__": {}})  # our own digits and operators, checked above
        assert dark.any()
    assert item.ground_truth == expected == int(item.answer)


@pytest.mark.parametrize("index", range(N))
def test_puzzle_cells_show_the_pattern(index, tmp_path):
    item = generate("puzzle", 10, index, clean("puzzle"))
    meta = item.metadata
    pixels = png(item, tmp_path, f"puzzle{index}")
    letter = item.ground_truth
    option = meta["options"][ord(letter) - ord("A")]
    assert f"{letter}. {option}" in item.question
    if meta["kind"] == "pattern":
        seq = meta["sequence"]
        for (_shape, color), (x0, y0, x1, y1) in zip(seq[:-1], meta["cells"][:-1], strict=True):
            assert tuple(pixels[(y0 + y1) // 2, (x0 + x1) // 2]) == COLORS[color]
        period = next(p for p in (2, 3) if all(seq[i] == seq[i % p] for i in range(len(seq))))
        assert seq[-1] == seq[(len(seq) - 1) % period]
        assert option == f"{seq[-1][1]} {seq[-1][0]}"
    else:
        numbers = meta["numbers"]
        steps = {b - a for a, b in zip(numbers[:-1], numbers[1:], strict=True)}
        ratios = {b / a for a, b in zip(numbers[:-1], numbers[1:], strict=True)}
        assert len(steps) == 1 or len(ratios) == 1
        assert option == str(numbers[-1])


@pytest.mark.parametrize("index", range(N))
def test_science_answers_follow_the_physics(index, tmp_path):
    item = generate("science", 11, index, clean("science"))
    meta = item.metadata
    pixels = png(item, tmp_path, f"science{index}")
    option = meta["options"][ord(item.ground_truth) - ord("A")]
    if meta["kind"] == "seesaw":
        left, right = meta["blocks"]
        for block, colour in ((left, "blue"), (right, "red")):  # blocks sit at their marked distance
            xs = np.flatnonzero(np.all(pixels == COLORS[colour], axis=-1).any(axis=0))
            assert (xs[0] + xs[-1]) // 2 == block["x"] == meta["pivot_x"] + (1 if colour == "red" else -1) * block["distance"] * meta["unit"]
        torque = left["mass"] * left["distance"] - right["mass"] * right["distance"]
        expected = "left" if torque > 0 else "right" if torque < 0 else "balanced"
        assert expected in option
    else:
        p, q = meta["blocks"]
        dp, dq = p["mass"] / p["volume"], q["mass"] / q["volume"]
        if "denser" in option or "same" in option:
            assert option == ("Block P is denser." if dp > dq else "Block Q is denser." if dq > dp
                              else "They have the same density.")
        else:
            name = re.search(r"block (\w) when", item.question).group(1)
            d = dp if name == "P" else dq
            assert ("floats." in option) == (d < 1) and ("sinks" in option) == (d > 1)


def test_detection_answer_text_is_the_ground_truth_json():
    item = generate("detection", 0, 0)
    assert json.loads(item.answer) == item.ground_truth


@pytest.mark.parametrize("name", ["chart", "counting", "detection", "grounding", "math", "ocr", "puzzle", "science"])
@pytest.mark.parametrize("size", [96, 512])
def test_knob_extremes_still_give_valid_samples(name, size):
    knobs = get_generator(name).knobs(image_size=size, noise=0.4, clutter=40)
    for index in range(10):
        item = generate(name, 2, index, knobs)
        assert item.image.size == (size, size) and item.answer
        boxes = [d["bbox_2d"] for d in item.ground_truth] if name == "detection" else (
            [item.ground_truth] if name == "grounding" else [])
        for x1, y1, x2, y2 in boxes:
            assert 0 <= x1 < x2 <= 1000 and 0 <= y1 < y2 <= 1000
