"""Stages: a camera pose plus the look of the ground and backdrop.

Why stages: the backdrop (ground texture in perspective, distance fog, gradient) costs
milliseconds of per-pixel work, far over the per-scene budget. A scene therefore picks one
of `WorldConfig.stages` stages; each stage is a pure function of (index, stage_seed, width,
height), so every process derives the same stage, and the renderer caches its backdrop
image (one 8 us copy per scene). Light direction, objects and shadows vary per scene.
"""

from __future__ import annotations

import colorsys
import functools
import math
from dataclasses import dataclass

import numpy as np

from synthgen.world.camera import Camera

TEXTURES: tuple[str, ...] = ("plain", "checker", "tiles")
"""Ground textures: flat, subtle perspective checker, tile grout lines."""

_TEXTURE_P = (0.5, 0.25, 0.25)  # plain backdrops keep PNG encoding fastest
_STAGE_SALT = 0x57A6E


@dataclass(frozen=True)
class Stage:
    """Camera and backdrop look; hashable so renderers can cache the backdrop image."""

    index: int
    seed: int
    camera: Camera
    ground_rgb: tuple[int, int, int]
    backdrop_rgb: tuple[int, int, int]
    texture: str
    texture_amp: float
    tile_size: float
    fog_start: float
    fog_scale: float


def _muted(rng: np.random.Generator, lightness: tuple[float, float], sat: float) -> tuple:
    h = rng.random()
    lum = rng.uniform(*lightness)
    s = rng.uniform(0.0, sat)
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return (round(r * 255), round(g * 255), round(b * 255))


@functools.lru_cache(maxsize=4096)
def make_stage(index: int, stage_seed: int, width: int, height: int) -> Stage:
    """The stage `index` of the family `stage_seed` for images of width x height pixels."""
    rng = np.random.default_rng(np.random.SeedSequence([_STAGE_SALT, stage_seed, index]))
    az = rng.uniform(0.0, 360.0)
    el = rng.uniform(27.0, 40.0)
    dist = rng.uniform(10.5, 12.5)
    target = (rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3), 0.0)
    a, e = math.radians(az), math.radians(el)
    pos = (
        target[0] + dist * math.cos(e) * math.cos(a),
        target[1] + dist * math.cos(e) * math.sin(a),
        dist * math.sin(e),
    )
    camera = Camera(
        position=pos, target=target, hfov_deg=rng.uniform(44.0, 52.0), width=width, height=height
    )
    ground = _muted(rng, (0.38, 0.72), 0.22)
    backdrop = _muted(rng, (0.3, 0.85), 0.3)
    texture = TEXTURES[int(rng.choice(len(TEXTURES), p=_TEXTURE_P))]
    return Stage(
        index=index,
        seed=stage_seed,
        camera=camera,
        ground_rgb=ground,
        backdrop_rgb=backdrop,
        texture=texture,
        texture_amp=float(rng.uniform(0.04, 0.09)),
        tile_size=float(rng.uniform(1.4, 2.4)),
        fog_start=float(rng.uniform(9.0, 14.0)),
        fog_scale=float(rng.uniform(6.0, 14.0)),
    )
