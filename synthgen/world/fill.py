"""Fast, exact polygon filling with Pillow (no antialiasing)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, ImageDraw


def polygon_filler(image: Image.Image) -> Callable[[list[float], int, int], None]:
    """`fill(xy, ink, 1)` filling a polygon on `image` without antialiasing.

    Uses the C method behind `ImageDraw.polygon` directly (a third of the per-call cost);
    `_check_filler` verifies at import that it draws exactly what the public API draws and
    falls back to the public API otherwise."""
    if _FAST_FILL:
        return ImageDraw.Draw(image).draw.draw_polygon
    draw = ImageDraw.Draw(image)

    def fill(xy: list[float], ink: int, _fill: int) -> None:
        draw.polygon(xy, fill=ink)

    return fill


def _check_filler() -> bool:
    xy = [3.3, 2.1, 17.8, 5.6, 12.2, 18.9, 2.4, 11.5]
    try:
        a = Image.new("RGB", (24, 24))
        ImageDraw.Draw(a).draw.draw_polygon(xy, ImageDraw.Draw(a).draw.draw_ink((9, 99, 199)), 1)
        b = Image.new("RGB", (24, 24))
        ImageDraw.Draw(b).polygon(xy, fill=(9, 99, 199))
        return a.tobytes() == b.tobytes()
    except (AttributeError, TypeError):
        return False


_FAST_FILL = _check_filler()
