"""orsta_bench.api: the one public surface for orsta_train, scripts/, research/ and benchmarks/."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import orsta_bench.api as api
from orsta_bench.sample import Sample, SampleImage, VerifierCall


def test_every_public_name_is_its_home_object() -> None:
    for name in api.__all__:
        home = importlib.import_module(api._HOMES[name])
        assert getattr(api, name) is getattr(home, name), name


def test_an_unknown_name_is_refused_with_the_public_list() -> None:
    with pytest.raises(AttributeError, match="'_nano_path'.*public names: .*Sample"):
        api._nano_path  # noqa: B018


def test_importing_the_api_loads_neither_torch_nor_every_layer() -> None:
    code = ("import sys; from orsta_bench.api import Sample; "
            "print('torch' in sys.modules, 'orsta_bench.synth' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _sample(images: list[SampleImage]) -> Sample:
    return Sample(id="a-1", task="count", data_source="synth.count",
                  messages=[{"role": "user", "content": [{"type": "text", "text": "How many?"}]}],
                  ground_truth={"answer": 3}, verifier=VerifierCall("number", {"reward": {"format": 0.1}}),
                  images=images, dimensions={"difficulty": "easy"}, metadata={"seed": 7})


def test_sample_json_round_trip_keeps_the_content_hash(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(SampleImage.from_pil(Image.new("RGB", (4, 4))).data)
    sample = _sample([SampleImage(path=str(image))])
    back = Sample.from_json_dict(sample.to_json_dict())
    assert back == sample
    assert back.content_hash == sample.content_hash


def test_a_record_without_images_comes_back_without_images() -> None:
    record = _sample([]).to_json_dict()
    record.pop("images")
    assert Sample.from_json_dict(record) == _sample([])


def test_an_inline_image_cannot_come_back_from_its_hash() -> None:
    sample = _sample([SampleImage(data=b"\x89PNG not really")])
    with pytest.raises(ValueError, match="'a-1': an inline image .* cannot be rebuilt"):
        Sample.from_json_dict(sample.to_json_dict())


def test_the_public_surface_contract_forbids_every_module_but_api() -> None:
    """A module added to orsta_bench must join the forbidden list of .importlinter's
    public-surface contract, or outside code could import it unchecked."""
    import configparser
    import pkgutil

    import orsta_bench

    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[1] / ".importlinter")
    forbidden = set(config["importlinter:contract:public-surface"]["forbidden_modules"].split())
    modules = {f"orsta_bench.{info.name}" for info in pkgutil.iter_modules(orsta_bench.__path__)}
    assert forbidden == modules - {"orsta_bench.api"}


def test_content_parts_reads_both_content_forms() -> None:
    from orsta_bench.api import content_parts

    assert content_parts({"role": "system", "content": "Be brief."}) == [{"type": "text", "text": "Be brief."}]
    parts = [{"type": "image", "index": 0}, {"type": "text", "text": "How many?"}]
    assert content_parts({"role": "user", "content": parts}) is parts
    sample = _sample([])
    sample.messages.insert(0, {"role": "system", "content": "Be brief."})
    assert sample.prompt_text == "Be brief.\nHow many?"
