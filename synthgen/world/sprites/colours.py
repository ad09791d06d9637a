"""How much of a sprite is the colour it is named by.

The atlas names each sprite by its *dominant* colour (``scripts/build_atlas.py``: every
opaque, non-outline pixel gets one of :data:`PALETTE` from its hue, saturation and value,
and the most frequent name wins). A plurality can be small: a yellow-and-purple bee is
"purple" by a few percent. "Make the car blue" is only an instruction a person agrees
with when the car is mostly one colour before and after, so :func:`colour_share` gives the
fraction of counted pixels with a name (the same per-pixel rule; a test checks that its
most frequent name is the atlas's label for every sprite).

A thing is *named* by a colour (its ``color`` attribute, asked about in questions and
captions) only when a person would name it by one: :func:`named_colour`. A drum that is
29 % red and 25 % blue has no colour a person agrees on, and "What color is the drum: red
or blue?" would be a coin flip for a careful reader.
"""

from __future__ import annotations

import numpy as np

PALETTE = (
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "pink",
    "brown",
    "black",
    "gray",
    "white",
)
_HUES = (
    (15.0, 36.0, "orange"),
    (36.0, 70.0, "yellow"),
    (70.0, 165.0, "green"),
    (165.0, 255.0, "blue"),
    (255.0, 290.0, "purple"),
    (290.0, 340.0, "pink"),
)


def pixel_names(rgba: np.ndarray) -> np.ndarray | None:
    """Palette indices of the counted pixels (alpha >= 128, max channel >= 48); None when
    under 8 % of the opaque pixels count (the atlas then says "black").

    The rule, in HSV: saturation < 0.18 -> white (V >= 0.82), gray (V >= 0.35) or black;
    otherwise by hue: red < 15 deg or >= 340 (brown when V < 0.62 and S < 0.8, outside
    340..345), orange < 36 (brown when V < 0.62 or S*V < 0.55: wood, tan fur and bread read
    as brown, not orange), yellow < 70, green < 165, blue < 255, purple < 290, pink < 340 (red
    when S > 0.8 and V < 0.7). ``scripts/build_atlas.py`` labels each sprite with the most
    frequent name (ties: palette order)."""
    px = rgba.reshape(-1, 4).astype(np.float32)
    opaque = px[px[:, 3] >= 128, :3] / 255.0
    if not len(opaque):
        return None
    mx, mn = opaque.max(1), opaque.min(1)
    keep = mx >= 48 / 255.0
    if keep.sum() < 0.08 * len(opaque):
        return None
    rgb, mx, mn = opaque[keep], mx[keep], mn[keep]
    v = mx
    s = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0.0)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    d = np.maximum(mx - mn, 1e-6)
    h = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4))
    h = h * 60.0
    names = np.full(len(rgb), PALETTE.index("gray"), dtype=np.int64)
    grey = s < 0.18
    names[grey & (v >= 0.82)] = PALETTE.index("white")
    names[grey & (v < 0.35)] = PALETTE.index("black")
    col = ~grey
    names[col & ((h < 15) | (h >= 340))] = PALETTE.index("red")
    for lo, hi, name in _HUES:
        names[col & (h >= lo) & (h < hi)] = PALETTE.index(name)
    brown = col & (h >= 15) & (h < 36) & ((v < 0.62) | (s * v < 0.55))
    brown |= col & ((h < 15) | (h >= 345)) & (v < 0.62) & (s < 0.8)
    names[brown] = PALETTE.index("brown")
    names[col & (h >= 290) & (h < 340) & (s > 0.8) & (v < 0.7)] = PALETTE.index("red")
    return names


_SHARES: dict[int, tuple[float, ...]] = {}
"""Per sprite (the atlas is loaded once per process and keeps its sprites): name shares."""


def _shares(sprite) -> tuple[float, ...]:
    got = _SHARES.get(id(sprite.rgba))
    if got is None:
        names = pixel_names(sprite.rgba)
        if names is None:
            got = tuple(1.0 if p == "black" else 0.0 for p in PALETTE)
        else:
            counts = np.bincount(names, minlength=len(PALETTE))
            got = tuple((counts / counts.sum()).tolist())
        _SHARES[id(sprite.rgba)] = got
    return got


def colour_share(sprite, name: str) -> float:
    """Fraction of the sprite's counted pixels named ``name``."""
    return _shares(sprite)[PALETTE.index(name)] if name in PALETTE else 0.0


NAMED_SHARE = 0.4
"""A sprite is named by its dominant colour when at least this share of its counted
pixels is that colour ..."""
NAMED_MARGIN = 1.5
"""... and the dominant colour has at least this many times the pixels of the next one
(an airplane 51 % blue and 42 % gray is blue-and-gray, not blue)."""


def named_colour(sprite) -> str:
    """The colour a person names the sprite by (its atlas label, the dominant colour) when
    one colour clearly dominates (:data:`NAMED_SHARE`, :data:`NAMED_MARGIN`), else ""."""
    shares = sorted(_shares(sprite), reverse=True)
    if shares[0] < NAMED_SHARE or shares[0] < NAMED_MARGIN * shares[1]:
        return ""
    return sprite.color


def colour_word(attributes) -> str:
    """A sprite-world object's colour from its attributes (the colour comes first when the
    thing has one, :func:`named_colour`; pose words like "standing" follow), else ""."""
    return attributes[0] if attributes and attributes[0] in PALETTE else ""


def dominant(sprite) -> str:
    shares = _shares(sprite)
    return PALETTE[int(np.argmax(shares))]
