"""``squares``: a tiny image program that exercises the whole engine.

Each candidate is one coloured square on a small canvas; the oracle filter ``min_area``
rejects squares that are too small, so the accept rate is below one and ``--n`` has to
over-generate. An optional tone exercises audio media and encoders.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from pydantic import Field

from synthgen.filters.min_area import MinArea
from synthgen.media import Audio
from synthgen.program import Context, Program, ProgramConfig, Sample, register_program
from synthgen.records import BaseRecord

COLORS = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (40, 80, 220),
    "yellow": (230, 210, 40),
    "purple": (140, 60, 200),
    "gray": (128, 128, 128),
}


class SquaresConfig(ProgramConfig):
    size: int = Field(32, ge=8, le=1024, description="canvas width and height in pixels")
    min_area: float = Field(0.05, ge=0, le=1, description="reject squares under this share")
    audio: bool = Field(False, description="also emit a short tone whose pitch encodes the color")
    sample_rate: int = Field(16000, ge=8000, le=96000)


class SquaresRecord(BaseRecord):
    color: str
    bbox: tuple[int, int, int, int] = Field(description="x, y, w, h in pixels")
    caption: str


@register_program
class Squares(Program[SquaresConfig]):
    name = "squares"
    version = "1"
    description = "one colored square per image (engine demo and test program)"
    Config = SquaresConfig
    Record = SquaresRecord
    media_kinds = ("image", "audio")

    def __init__(self, config: SquaresConfig) -> None:
        super().__init__(config)
        self.filter = MinArea(config.min_area)

    def generate(self, ctx: Context[SquaresConfig]) -> Sample:
        cfg = ctx.config
        rng = ctx.rng
        color = list(COLORS)[int(rng.integers(len(COLORS)))]
        side = int(rng.integers(1, cfg.size))
        x, y = (int(v) for v in rng.integers(0, cfg.size - side + 1, size=2))
        ctx.require(self.filter.check((side * side, cfg.size * cfg.size)))
        with ctx.stage("render"):
            image = Image.new("RGB", (cfg.size, cfg.size), (245, 245, 245))
            ImageDraw.Draw(image).rectangle([x, y, x + side - 1, y + side - 1], fill=COLORS[color])
        media: dict[str, object] = {"image": image}
        if cfg.audio:
            t = np.arange(int(0.25 * cfg.sample_rate)) / cfg.sample_rate
            pitch = 220.0 * 2 ** (list(COLORS).index(color) / 6)
            media["tone"] = Audio(
                (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32), cfg.sample_rate
            )
        return Sample(
            {"color": color, "bbox": (x, y, side, side), "caption": f"a {color} square"}, media
        )
