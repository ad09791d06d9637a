"""The PNG writer decodes pixel-exactly; a missing optional encoder dependency fails early."""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import synthgen
from synthgen.encoders import PngEncoder, fast_png, png_deflate, resolve_encoders
from synthgen.errors import UserError


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_fast_png_round_trips_exactly(mode: str) -> None:
    rng = np.random.default_rng(0)
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, size=(37, 53, channels), dtype=np.uint8)
    image = Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode)
    data = fast_png(image)
    back = Image.open(io.BytesIO(data))
    back.load()
    assert back.format == "PNG" and back.mode == mode and back.size == (53, 37)
    assert np.array_equal(np.asarray(back), np.asarray(image))


def test_sixteen_bit_images_go_through_pillow_losslessly() -> None:
    depth = np.arange(0, 60000, 50, dtype=np.uint16).reshape(30, 40)
    data, meta = PngEncoder().encode(Image.fromarray(depth))
    back = np.asarray(Image.open(io.BytesIO(data)))
    assert meta == {"width": 40, "height": 30}
    assert np.array_equal(back.astype(np.uint16), depth)


@pytest.mark.parametrize("mode", ["I;16", "LA", "P", "1"])
def test_other_modes_are_deflated_by_libdeflate_not_the_system_zlib(mode: str) -> None:
    image = Image.fromarray(np.arange(0, 60000, 50, dtype=np.uint16).reshape(30, 40))
    if mode != "I;16":
        image = Image.fromarray((np.arange(1200) % 7 * 30).astype(np.uint8).reshape(30, 40))
        image = image.convert(mode)
    data, _ = PngEncoder().encode(image)
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    idat = [body for kind, body in chunks if kind == b"IDAT"]
    assert len(idat) == 1 and chunks[-1][0] == b"IEND"
    assert idat[0] == png_deflate(zlib.decompress(idat[0]))
    back = Image.open(io.BytesIO(data))
    assert np.array_equal(np.asarray(back.convert("RGBA")), np.asarray(image.convert("RGBA")))


def _without_module(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``import module`` fail as if it were not installed."""
    monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize(
    ("value", "module", "named", "fix"),
    [
        ("flac", "soundfile", "flac", 'pip install -e ".[audio]"'),
        ("webp", "PIL._webp", "webp", "pip install --force-reinstall pillow"),
        ("jpg,flac", "soundfile", "flac", 'pip install -e ".[audio]"'),
    ],
)
def test_missing_optional_dependency_is_a_one_line_user_error(
    monkeypatch: pytest.MonkeyPatch, value: str, module: str, named: str, fix: str
) -> None:
    _without_module(monkeypatch, module)
    with pytest.raises(UserError) as err:
        resolve_encoders([value])
    message = str(err.value)
    assert "\n" not in message
    assert f"--encoder {named} " in message
    assert fix in message


def test_default_encoders_need_no_optional_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_module(monkeypatch, "soundfile")
    _without_module(monkeypatch, "PIL._webp")
    assert resolve_encoders(None) == {"image": "png", "audio": "wav"}
    assert resolve_encoders(["webp", "png"]) == {"image": "png", "audio": "wav"}  # later wins


def test_job_with_a_missing_encoder_dependency_fails_before_writing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_module(monkeypatch, "PIL._webp")
    with pytest.raises(UserError, match="--encoder webp"):
        synthgen.make("squares", n=2, out=tmp_path / "out", encoders=["webp"])
    assert not (tmp_path / "out").exists()


def test_sprite_svg_defaults_to_jpeg_and_shapes_to_png(tmp_path: Path) -> None:
    """A program's own default encoder (svg on the sprite world: JPEG) applies without
    --encoder; --encoder still wins; the shapes world keeps lossless PNG."""
    synthgen.make("svg", n=1, out=tmp_path / "sprites")
    synthgen.make("svg", n=1, out=tmp_path / "shapes", config={"world": "shapes"})
    synthgen.make("svg", n=1, out=tmp_path / "forced", encoders=["png"])
    for name, fmt in (("sprites", "JPEG"), ("shapes", "PNG"), ("forced", "PNG")):
        (path,) = (tmp_path / name / "media" / "shard-00000").glob("*.image.*")
        assert Image.open(path).format == fmt, name


def test_plain_rerun_resumes_a_dataset_made_with_other_encoders(tmp_path: Path) -> None:
    """A dataset made with --encoder png resumes on a rerun without --encoder (its encoders
    are the dataset's, not today's default); naming another encoder is refused."""
    out = tmp_path / "d"
    synthgen.make("svg", n=1, out=out, encoders=["png"])
    synthgen.make("svg", n=2, out=out)
    names = sorted(p.suffix for p in (out / "media" / "shard-00000").glob("*.image.*"))
    assert names == [".png", ".png"]
    with pytest.raises(UserError, match="different --encoder"):
        synthgen.make("svg", n=3, out=out, encoders=["jpg"])
