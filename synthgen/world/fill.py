"""Fast, exact polygon filling with Pillow (no antialiasing)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw


def polygon_filler(
    image: Image.Image, blend: bool = False
) -> Callable[[list[float], int, int], None]:
    """`fill(xy, ink, 1)` filling a polygon on `image` without antialiasing.

    `ink` is Pillow's integer ink for the image's mode (for "RGB": r | g << 8 | b << 16 with
    alpha 0xFF in the top byte, as a signed 32-bit int; for "L": the value). With
    blend=True the ink's alpha byte blends the fill onto an RGB image (Pillow's "RGBA" draw
    mode). Uses the C drawing object behind `ImageDraw` directly (a fraction of the
    per-call cost); `_check_filler` verifies at import that it draws exactly what the
    public API draws and falls back to the public API otherwise."""
    if _FAST_FILL:
        return Image.core.draw(image.im, 1 if blend else 0).draw_polygon
    draw = ImageDraw.Draw(image, "RGBA" if blend else None)

    def fill(xy: list[float], ink: int, _fill: int) -> None:
        b = ink.to_bytes(4, "little", signed=True)
        draw.polygon(xy, fill=ink if image.mode != "RGB" else (b[0], b[1], b[2], b[3]))

    return fill


def label_canvas(width: int, height: int) -> tuple[Image.Image, np.ndarray | None]:
    """A zeroed "L" image to draw labels into, and a (height, width) uint8 array sharing
    its memory (so what `polygon_filler(image)` draws lands in the array without a copy;
    Pillow marks such an image read-only, so its Python-level methods copy before changing
    anything, while the C filler writes in place). The array is None if this Pillow does
    not share the memory (checked at import); see `label_array`."""
    if _SHARED:
        arr = np.zeros((height, width), dtype=np.uint8)
        return Image.frombuffer("L", (width, height), arr, "raw", "L", 0, 1), arr
    return Image.new("L", (width, height), 0), None


def label_array(image: Image.Image, shared: np.ndarray | None) -> np.ndarray:
    """The drawn labels of a `label_canvas` as a read-only (height, width) uint8 array."""
    arr = np.array(image) if shared is None else shared
    arr.flags.writeable = False
    return arr


def _check_shared() -> bool:
    try:
        arr = np.zeros((8, 8), dtype=np.uint8)
        img = Image.frombuffer("L", (8, 8), arr, "raw", "L", 0, 1)
        polygon_filler(img)([1.0, 1.0, 6.0, 1.0, 6.0, 6.0], 9, 1)
        ref = Image.new("L", (8, 8), 0)
        polygon_filler(ref)([1.0, 1.0, 6.0, 1.0, 6.0, 6.0], 9, 1)
        return arr.tobytes() == ref.tobytes() and int(arr.max()) == 9
    except Exception:
        return False


def _check_filler() -> bool:
    xy = [3.3, 2.1, 17.8, 5.6, 12.2, 18.9, 2.4, 11.5]
    try:
        for blend, colour in ((0, (9, 99, 199)), (1, (9, 99, 199, 77))):
            a = Image.new("RGB", (24, 24), (200, 100, 50))
            d = Image.core.draw(a.im, blend)
            d.draw_polygon(xy, d.draw_ink(colour), 1)
            b = Image.new("RGB", (24, 24), (200, 100, 50))
            ImageDraw.Draw(b, "RGBA" if blend else None).polygon(xy, fill=colour)
            if a.tobytes() != b.tobytes():
                return False
        a = Image.new("L", (24, 24))
        Image.core.draw(a.im, 0).draw_polygon(xy, 7, 1)
        b = Image.new("L", (24, 24))
        ImageDraw.Draw(b).polygon(xy, fill=7)
        return a.tobytes() == b.tobytes()
    except (AttributeError, TypeError):
        return False


_FAST_FILL = _check_filler()
_SHARED = _FAST_FILL and _check_shared()
