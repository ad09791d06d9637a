"""Deterministic global styles (numpy and Pillow only): the whole image is the edit region.

Each style is a pure function of the image (no randomness, no fonts, no models), so the same
source always gives the same bytes. Styles with a checkable signature also declare it
(:func:`signature_holds`): grayscale has R = G = B, invert sums to 255 with its source,
posterize keeps only the top bits of each channel, pixelate is constant per block, line
drawings and halftones are two-tone. The program checks it on every target, so a broken
style cannot slip through.
"""

from __future__ import annotations

import functools
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


def _blocky(im: Image.Image, block: int) -> Image.Image:
    """Each block x block tile filled with its mean colour (Pillow's box ``reduce``, which
    averages partial edge tiles too), scaled back with nearest neighbour."""
    w, h = im.size
    small = im.reduce(block)
    big = small.resize((small.width * block, small.height * block), Image.Resampling.NEAREST)
    return big.crop((0, 0, w, h))


def _pixelate(im: Image.Image) -> Image.Image:
    return _blocky(im, PIXEL_BLOCK)


def _mosaic(im: Image.Image) -> Image.Image:
    out = np.array(_blocky(im, MOSAIC_TILE))
    out[::MOSAIC_TILE] //= 3
    out[:, ::MOSAIC_TILE] //= 3
    return Image.fromarray(out, "RGB")


_EDGE_LUT = [30 if v > 24 else 250 for v in range(256)]


def _line_drawing(im: Image.Image) -> Image.Image:
    edges = ImageOps.grayscale(im).filter(ImageFilter.FIND_EDGES)
    return edges.point(_EDGE_LUT).convert("RGB")


@functools.lru_cache(maxsize=16)
def _cell_distance(w: int, h: int, cell: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.hypot((yy % cell) - (cell - 1) / 2, (xx % cell) - (cell - 1) / 2).astype(np.float32)


def _halftone(im: Image.Image) -> Image.Image:
    w, h = im.size
    c = HALFTONE_CELL
    means = np.asarray(ImageOps.grayscale(im).reduce(c), dtype=np.float32)
    radius = (1.0 - means / 255.0) * (c * 0.72)
    radius = np.repeat(np.repeat(radius, c, axis=0), c, axis=1)[:h, :w]
    dots = _cell_distance(w, h, c) < radius
    return Image.fromarray(np.where(dots, 20, 245).astype(np.uint8), "L").convert("RGB")


def _blur(im: Image.Image) -> Image.Image:
    """A soft blur: box-average to a third of the size, scale back up bilinearly."""
    return im.reduce(3).resize(im.size, Image.Resampling.BILINEAR)


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
    """The styled RGB copy of ``image`` (same size); deterministic."""
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
        return not (target & ((1 << (8 - POSTERIZE_BITS)) - 1)).any()
    if name == "pixelate":
        return _constant_blocks(target, PIXEL_BLOCK)
    if name in ("line_drawing", "halftone"):
        return np.count_nonzero(np.bincount(target.ravel(), minlength=256)) <= 2
    return True


SIGNED = frozenset({"grayscale", "invert", "posterize", "pixelate", "line_drawing", "halftone"})
"""Styles with a checkable signature (the others always hold)."""


def signature_holds_images(name: str, source: Image.Image, target: Image.Image) -> bool:
    """:func:`signature_holds` on images, converting to arrays only what the check reads."""
    if name not in SIGNED:
        return True
    src = np.asarray(source) if name == "invert" else np.empty((0, 0, 3), dtype=np.uint8)
    return signature_holds(name, src, np.asarray(target))
