"""Backdrop images of stages: the textured ground in perspective fading into a backdrop.

Computed once per stage with numpy (a few milliseconds) and cached, so the per-scene cost
is one image copy. The look is built from row-wise gradients and flat tiles on purpose:
per-pixel noise or smooth 2D shading would make every PNG larger and 2-3x slower to
encode without making the scenes any more useful.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from synthgen.world.camera import Camera
from synthgen.world.stage import Stage


def ground_distance(stage: Stage) -> np.ndarray:
    """(H, W) camera distance to the ground plane along each pixel's ray (+inf if none)."""
    cam = stage.camera
    v, u = np.mgrid[0 : cam.height, 0 : cam.width]
    d = cam.ray_directions(u, v)
    cz = cam.origin[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d[..., 2] < -1e-9, -cz / d[..., 2], np.inf)
    return t


@functools.lru_cache(maxsize=256)
def _backdrop_terms(
    camera: Camera,
    texture: str,
    texture_amp: float,
    tile_size: float,
    fog_start: float,
    fog_scale: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The colour-independent part of a backdrop: (ground weight (H, 1, 1), backdrop weight
    (H, 1, 1), texture factor (H, W, 1)). Cached apart from the colours because a stage's
    geometry is shared by many colourings (an edit that recolours the ground or the backdrop
    pays only the cheap final blend)."""
    h, w = camera.height, camera.width
    v, u = np.mgrid[0:h, 0:w]
    d = camera.ray_directions(u, v)
    cz = camera.origin[2]
    hits = d[..., 2] < -1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(hits, -cz / d[..., 2], 1e6)
    gx = camera.origin[0] + t * d[..., 0]
    gy = camera.origin[1] + t * d[..., 1]
    ts = tile_size
    if texture == "checker":
        tex = ((np.floor(gx / ts) + np.floor(gy / ts)) % 2) * 2 - 1
    elif texture == "tiles":
        fx = np.abs((gx / ts) - np.round(gx / ts))
        fy = np.abs((gy / ts) - np.round(gy / ts))
        tex = np.where(np.minimum(fx, fy) < 0.03, -1.6, 0.0)
    else:
        tex = np.zeros_like(gx)
    # row-only terms, from the central column
    mid = w // 2
    t_row = t[:, mid]
    hit_row = hits[:, mid]
    shade_row = 1.04 - 0.25 * ((np.arange(h) - camera.cy) / h) ** 2
    fog_row = 1.0 - np.exp(-np.maximum(t_row - fog_start, 0.0) / fog_scale)
    fog_row = np.where(hit_row, fog_row, 1.0)
    amp_row = texture_amp * np.exp(-np.maximum(t_row - 8.0, 0.0) / 10.0)
    grad_row = 0.82 + 0.3 * (1.0 - np.arange(h) / max(h - 1, 1))
    ground_w = (1.0 - fog_row)[:, None, None] * shade_row[:, None, None]
    back_w = (fog_row * grad_row)[:, None, None]
    factor = 1.0 + amp_row[:, None, None] * tex[..., None]
    for arr in (ground_w, back_w, factor):
        arr.flags.writeable = False
    return ground_w, back_w, factor


@functools.lru_cache(maxsize=1024)
def backdrop_image(stage: Stage) -> Image.Image:
    """The RGB backdrop of `stage` (do not modify the returned image: it is shared).

    Every shade is a function of the image row only (fog, light falloff, the backdrop's
    vertical gradient, all taken at the central column) times a texture that is constant
    on each tile. Rows are therefore runs of identical pixels, which is what keeps PNG
    encoding of whole scenes near its floor (per-pixel smooth variation doubles it).
    The cache holds more than the 64 stages x the colour sets a long run meets."""
    ground_w, back_w, factor = _backdrop_terms(
        stage.camera,
        stage.texture,
        stage.texture_amp,
        stage.tile_size,
        stage.fog_start,
        stage.fog_scale,
    )
    ground = np.array(stage.ground_rgb, dtype=np.float64) / 255.0
    back = np.array(stage.backdrop_rgb, dtype=np.float64) / 255.0
    col = ground_w * ground * factor + back_w * back
    arr = np.clip(np.round(col * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB")
