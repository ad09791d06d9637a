"""Compositing sprite scenes: backdrop, then layers far to near, with numpy on each layer's
window only.

Exactness rule: a sprite pixel with alpha >= 128 is the sprite's pixel in the id map (and
its layer's rank in the depth-order map); pixels where it is more transparent keep what
was under them in both maps, even though the colour is blended (straight alpha, 8-bit
fixed point). Structures and backdrop pieces are opaque (alpha 255 wherever drawn).

Caches (per process, LRU): resized sprites per (sprite, pixel height) (heights on a 4 %
grid), structures per (kind, size, variant, layer), backdrops per (scene type, variant,
size; the variant fixes the tint), shadows per size. Sprites and structures are tinted
(gains normalised to <= 1) and mirrored on their window at draw time. The depth-order map
holds 1..k for the backdrop pieces (piece order) and k + i for layer i (draw order):
larger is nearer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthgen.world.base import WorldRendering
from synthgen.world.sprites.backdrop import TINTS, backdrop_pixels
from synthgen.world.sprites.structures import geom, rasterize


@dataclass(frozen=True)
class Drawable:
    pm: np.ndarray  # (h, w, 3) uint16: colour * alpha256
    inv: np.ndarray  # (h, w, 1) uint16: 256 - alpha256
    labels: np.ndarray  # (h, w) uint8: part label (0: not the object's pixel)
    counts: tuple[int, ...]  # pixels of each label 1..k


def _drawable(rgb: np.ndarray, alpha: np.ndarray, labels: np.ndarray, k: int):
    a256 = (alpha.astype(np.uint16) * 256 + 127) // 255
    pm = rgb.astype(np.uint16) * a256[..., None]
    inv = (256 - a256)[..., None]
    counts = np.bincount(labels.ravel(), minlength=k + 1)[1:]
    for arr in (pm, inv, labels):
        arr.setflags(write=False)
    return Drawable(pm, inv, labels, tuple(int(c) for c in counts))


@functools.lru_cache(maxsize=16)
def tint_gain(tint: int) -> np.ndarray | None:
    """Per-channel gain (x 256, <= 256) of a tint, None for neutral."""
    g = np.array(TINTS[tint][1], np.float64)
    g = g / g.max() if g.max() > 1 else g
    out = np.rint(g * 256).astype(np.uint32)
    return None if (out == 256).all() else out


_ATLASES: dict[str, object] = {}


def get_atlas(name: str):
    a = _ATLASES.get(name)
    if a is None:
        if name == "placeholder":
            from synthgen.world.sprites.placeholder import placeholder_atlas

            a = placeholder_atlas()
        else:
            from synthgen.world.sprites.atlas import load_atlas

            a = load_atlas()
        _ATLASES[name] = a
    return a


@functools.lru_cache(maxsize=8192)
def sprite_drawable(atlas: str, cat: str, pose: str, idx: int, h: int) -> Drawable:
    """A sprite resized to h pixels (premultiplied resize); tinted and mirrored at draw time."""
    spr = get_atlas(atlas).sprites(cat, pose)[idx]
    sh, sw = spr.rgba.shape[:2]
    w = max(2, int(np.rint(h * sw / sh)))
    im = Image.fromarray(np.ascontiguousarray(spr.rgba), "RGBA").convert("RGBa")
    im = im.resize((w, h), Image.Resampling.BILINEAR if h < sh else Image.Resampling.BICUBIC)
    arr = np.asarray(im.convert("RGBA"))
    alpha = arr[..., 3]
    labels = (alpha >= 128).astype(np.uint8)
    return _drawable(arr[..., :3], alpha, labels, 1)


@functools.lru_cache(maxsize=2048)
def struct_drawable(kind: str, w: int, h: int, variant: int, front) -> Drawable:
    g = geom(kind, w, h, variant)
    labels, rgb = rasterize(g, front)
    alpha = np.where(labels > 0, 255, 0).astype(np.uint8)
    return _drawable(rgb, alpha, labels, len(g.parts))


@functools.lru_cache(maxsize=256)
def _shadow(rx: int, ry: int) -> np.ndarray:
    yy = (np.arange(-ry, ry + 1) / max(ry, 1))[:, None]
    xx = (np.arange(-rx, rx + 1) / max(rx, 1))[None, :]
    d = np.clip(1 - (xx**2 + yy**2), 0, 1)
    f = (256 - 90 * d).astype(np.uint16)[..., None]
    f.setflags(write=False)
    return f


def layer_drawable(scene, layer) -> Drawable | None:
    if layer.kind == "sprite":
        cat, pose, idx, h, flip = layer.key
        d = sprite_drawable(scene.atlas, cat, pose, idx, h)
        if flip:
            d = Drawable(d.pm[:, ::-1], d.inv[:, ::-1], d.labels[:, ::-1], d.counts)
        return d
    if layer.kind == "struct":
        kind, w, h, variant, front = layer.key
        return struct_drawable(kind, w, h, variant, front)
    return None


def render_scene(scene) -> WorldRendering:
    W, H = scene.width, scene.height
    bd_labels, bd_rgb = backdrop_pixels(scene.scene_type, scene.variant, W, H)
    img = bd_rgb.copy()
    ids = bd_labels.astype(np.uint16)  # backdrop piece k is oid k, rank k
    depth = ids.copy()
    nb = len(scene.backdrop.pieces)
    gain = tint_gain(scene.tint)
    for i, layer in enumerate(scene.layers):
        rank = nb + i + 1
        x0, y0 = layer.x, layer.y
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x0 + layer.w, W), min(y0 + layer.h, H)
        if layer.shadow is not None:
            sx, sy, rx, ry = layer.shadow
            f = _shadow(rx, ry)
            a0, b0 = max(sx - rx, 0), max(sy - ry, 0)
            a1, b1 = min(sx + rx + 1, W), min(sy + ry + 1, H)
            if a1 > a0 and b1 > b0:
                win = img[b0:b1, a0:a1]
                ff = f[b0 - (sy - ry) : b1 - (sy - ry), a0 - (sx - rx) : a1 - (sx - rx)]
                img[b0:b1, a0:a1] = (win * ff) >> 8
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        if layer.kind == "overlay":
            ys, xs = slice(cy0, cy1), slice(cx0, cx1)
            img[ys, xs] = bd_rgb[ys, xs]
            ids[ys, xs] = bd_labels[ys, xs]
            depth[ys, xs] = rank
            continue
        d = layer_drawable(scene, layer)
        sl = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
        ys, xs = slice(cy0, cy1), slice(cx0, cx1)
        win = img[ys, xs]
        pm = d.pm[sl]
        if gain is not None:
            pm = (pm * gain) >> 8
        img[ys, xs] = (pm + win * d.inv[sl]) >> 8
        lab = d.labels[sl]
        m = lab > 0
        if len(layer.oids) == 1:
            ids[ys, xs][m] = layer.oids[0]
        else:
            lut = np.array((0, *layer.oids), np.uint16)
            ids[ys, xs][m] = lut[lab[m]]
        depth[ys, xs][m] = rank
    return WorldRendering(Image.fromarray(img, "RGB"), ids, depth)
