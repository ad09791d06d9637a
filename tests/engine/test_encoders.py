"""The fast PNG writer decodes pixel-exactly in Pillow; other modes fall back to Pillow."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from synthgen.encoders import PngEncoder, fast_png


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
