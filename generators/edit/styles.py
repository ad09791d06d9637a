"""Deterministic global styles (numpy and Pillow only): the whole image is the edit region.

Each style is a pure function of the image (no randomness, no fonts, no models), so the same
source always gives the same bytes. Styles with a checkable signature also declare it
(:func:`signature_holds`): grayscale has R = G = B, invert sums to 255 with its source,
posterize keeps at most 2^bits levels per channel, pixelate and mosaic are constant per
block; the program checks it on every target, so a broken style cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter, ImageOps

PIXEL_BLOCK = 8
MOSAIC_TILE = 10
HALFTONE_CELL = 6
POSTERIZE_BITS = 2


def _grayscale(im: Image.Image) -> Image.Image:
    return ImageOps.grayscale(im).convert("RGB")


_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])


def _sepia(im: Image.Image) -> Image.Image:
    a = np.asarray(im, dtype=np.float32) @ _SEPIA.T.astype(np.float32)
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8), "RGB")


def _posterize(im: Image.Image) -> Image.Image:
    return ImageOps.posterize(im, POSTERIZE_BITS)


def _block_means(a: np.ndarray, block: int) -> np.ndarray:
    """Per-block mean colour, expanded back to the image (edge blocks may be partial)."""
    h, w, _ = a.shape
    hb, wb = -(-h // block), -(-w // block)
    pad = np.pad(a.astype(np.float32), ((0, hb * block - h), (0, wb * block - w), (0, 0)))
    ones = np.pad(np.ones((h, w), np.float32), ((0, hb * block - h), (0, wb * block - w)))
    sums = pad.reshape(hb, block, wb, block, 3).sum(axis=(1, 3))
    cnt = ones.reshape(hb, block, wb, block).sum(axis=(1, 3))[..., None]
    means = np.floor(sums / cnt + 0.5).astype(np.uint8)
    return np.repeat(np.repeat(means, block, axis=0), block, axis=1)[:h, :w]


def _pixelate(im: Image.Image) -> Image.Image:
    return Image.fromarray(_block_means(np.asarray(im), PIXEL_BLOCK), "RGB")


def _mosaic(im: Image.Image) -> Image.Image:
    out = _block_means(np.asarray(im), MOSAIC_TILE).copy()
    h, w, _ = out.shape
    grout = (np.arange(h) % MOSAIC_TILE == 0)[:, None] | (np.arange(w) % MOSAIC_TILE == 0)[None]
    out[grout] = (out[grout] * 0.35).astype(np.uint8)
    return Image.fromarray(out, "RGB")


def _line_drawing(im: Image.Image) -> Image.Image:
    edges = np.asarray(ImageOps.grayscale(im).filter(ImageFilter.FIND_EDGES))
    ink = np.where(edges > 24, 30, 250).astype(np.uint8)
    return Image.fromarray(ink, "L").convert("RGB")


def _halftone(im: Image.Image) -> Image.Image:
    g = np.asarray(ImageOps.grayscale(im), dtype=np.float32)
    h, w = g.shape
    c = HALFTONE_CELL
    cell = _block_means(np.repeat(g[..., None], 3, axis=2), c)[..., 0].astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    dy = (yy % c) - (c - 1) / 2
    dx = (xx % c) - (c - 1) / 2
    radius = (1.0 - cell / 255.0) * (c * 0.72)
    dots = np.hypot(dx, dy) < radius
    return Image.fromarray(np.where(dots, 20, 245).astype(np.uint8), "L").convert("RGB")


def _blur(im: Image.Image) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(2.5))


def _invert(im: Image.Image) -> Image.Image:
    return ImageOps.invert(im)


def _temperature(gains: tuple[float, float, float]) -> Callable[[Image.Image], Image.Image]:
    lut = []
    for g in gains:
        lut.extend(min(255, int(i * g + 0.5)) for i in range(256))

    def apply(im: Image.Image) -> Image.Image:
        return im.point(lut)

    return apply


def _solarize(im: Image.Image) -> Image.Image:
    return ImageOps.solarize(im, 110)


def _emboss(im: Image.Image) -> Image.Image:
    return ImageOps.grayscale(im).filter(ImageFilter.EMBOSS).convert("RGB")


STYLES: dict[str, Callable[[Image.Image], Image.Image]] = {
    "grayscale": _grayscale,
    "sepia": _sepia,
    "posterize": _posterize,
    "pixelate": _pixelate,
    "line_drawing": _line_drawing,
    "mosaic": _mosaic,
    "halftone": _halftone,
    "blur": _blur,
    "invert": _invert,
    "warm": _temperature((1.18, 1.04, 0.80)),
    "cool": _temperature((0.82, 0.97, 1.20)),
    "solarize": _solarize,
    "emboss": _emboss,
}
"""Style name -> function RGB image -> RGB image of the same size."""


def apply_style(name: str, image: Image.Image) -> Image.Image:
    return STYLES[name](image.convert("RGB"))


def _constant_blocks(a: np.ndarray, block: int) -> bool:
    h, w, _ = a.shape
    ref = np.repeat(np.repeat(a[::block, ::block], block, axis=0), block, axis=1)[:h, :w]
    return bool((ref == a).all())


def signature_holds(name: str, source: np.ndarray, target: np.ndarray) -> bool:
    """Whether ``target`` shows the style's checkable signature (True for styles without one)."""
    if name == "grayscale":
        return bool(
            (target[..., 0] == target[..., 1]).all() and (target[..., 1] == target[..., 2]).all()
        )
    if name == "invert":
        return bool((source.astype(np.int16) + target == 255).all())
    if name == "posterize":
        return all(len(np.unique(target[..., c])) <= 2**POSTERIZE_BITS for c in range(3))
    if name == "pixelate":
        return _constant_blocks(target, PIXEL_BLOCK)
    if name in ("line_drawing", "halftone"):
        return len(np.unique(target)) <= 2
    return True
