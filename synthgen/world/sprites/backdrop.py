"""Backdrops: the pieces behind everything (sky, mountains, ground bands, wall, floor, ...).

Each piece is an object with its own id and mask (Visual Genome names them). A backdrop is a
pure function of ``(scene type, variant, width, height)`` and is cached (geometry and
pixels), so a scene only copies it. The camera is a pinhole at ``CAM_H`` metres over a flat
ground: a thing whose foot stands on image row ``y`` below the horizon row ``horizon`` is
``(y - horizon) / CAM_H`` pixels per metre (farther things are smaller and higher), at depth
``focal * CAM_H / (y - horizon)`` metres (``focal`` = image width in pixels).

Ground bands (``Backdrop.bands``) say which piece a foot row stands on. Indoor backdrops are
a ceiling strip, a back wall down to row ``wall_bottom`` and the floor below it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthgen.world.sprites.structures import Part, shape_mask, texture

CAM_H = 1.5  # camera height in metres

TINTS: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("neutral", (1.0, 1.0, 1.0)),
    ("warm", (1.06, 0.99, 0.9)),
    ("cool", (0.92, 0.98, 1.06)),
    ("bright", (1.08, 1.08, 1.08)),
    ("dim", (0.82, 0.82, 0.86)),
    ("golden", (1.1, 0.98, 0.8)),
)
"""Lighting tints (name, RGB gain): applied to the backdrop and to every sprite when cached."""


@dataclass(frozen=True)
class Band:
    piece: int  # index into Backdrop.pieces
    y0: int  # foot rows [y0, y1)
    y1: int


@dataclass(frozen=True)
class Backdrop:
    scene_type: str
    variant: int
    width: int
    height: int
    indoor: bool
    horizon: int
    pieces: tuple[Part, ...]
    bands: tuple[Band, ...]
    wall_bottom: int = 0  # indoor: first floor row
    wall_scale: float = 0.0  # indoor: pixels per metre on the back wall
    ceiling_bottom: int = 0  # indoor: rows above are ceiling
    free_wall: tuple[tuple[int, int], ...] = ()  # indoor: wall column spans with no window/door
    sky_bottom: int = 0  # outdoor: lowest sky row of open sky (flyers stay above it)

    def piece_index(self, name: str) -> int | None:
        for i, p in enumerate(self.pieces):
            if p.name == name:
                return i
        return None

    def band_at(self, y: int) -> Band | None:
        for b in self.bands:
            if b.y0 <= y < b.y1:
                return b
        return None

    def scale(self, y: float) -> float:
        """Pixels per metre of a thing whose foot is on row y."""
        return max(y - self.horizon, 1.0) / CAM_H

    def depth(self, y: float) -> float:
        return self.width * CAM_H / max(y - self.horizon, 1.0)


INDOOR = {
    # floor colour/texture, wall colours, extra wall piece
    "kitchen": ("tile", [(225, 225, 220), (200, 215, 225), (235, 225, 200)], None),
    "living_room": ("wood", [(230, 220, 200), (200, 190, 170), (190, 210, 200)], None),
    "bedroom": ("wood", [(210, 200, 230), (230, 215, 200), (200, 220, 235)], None),
    "office": ("", [(225, 225, 225), (210, 215, 225), (235, 230, 215)], None),
    "classroom": ("tile", [(230, 230, 210), (210, 225, 210), (225, 215, 200)], "board"),
    "restaurant": ("wood", [(200, 90, 70), (150, 110, 80), (225, 210, 180)], None),
}
OUTDOOR = ("street", "park", "farm", "beach", "ski", "railway")
SCENE_TYPES = tuple(INDOOR) + OUTDOOR


def _rng(scene_type: str, variant: int) -> np.random.Generator:
    salt = sum((i + 1) * ord(c) for i, c in enumerate(scene_type))
    return np.random.default_rng([salt, variant, 7919])


def _r(x0, y0, x1, y1):
    return ("rect", int(np.rint(x0)), int(np.rint(y0)), int(np.rint(x1)), int(np.rint(y1)))


@functools.lru_cache(maxsize=1024)
def backdrop(scene_type: str, variant: int, width: int, height: int) -> Backdrop:
    rng = _rng(scene_type, variant)
    W, H = width, height
    if scene_type in INDOOR:
        return _indoor(scene_type, variant, rng, W, H)
    return _outdoor(scene_type, variant, rng, W, H)


def _indoor(st: str, variant: int, rng, W: int, H: int) -> Backdrop:
    floor_tex, walls, extra = INDOOR[st]
    horizon = int(H * rng.uniform(0.30, 0.42))
    s_wall = H / 336 * rng.uniform(48, 70)
    wall_bottom = int(horizon + CAM_H * s_wall)
    ceiling_bottom = max(8, int(horizon - (2.7 - CAM_H) * s_wall))
    wall_color = walls[int(rng.integers(len(walls)))]
    floor_color = {"tile": (205, 200, 190), "wood": (165, 120, 80), "": (120, 125, 135)}[floor_tex]
    floor_color = tuple(int(c * rng.uniform(0.85, 1.1)) for c in floor_color)
    pieces: list[Part] = [
        Part("ceiling", (_r(0, 0, W, ceiling_bottom),), (240, 240, 238)),
        Part(
            "wall",
            (_r(0, ceiling_bottom, W, wall_bottom),),
            wall_color,
            "brick" if wall_color == (200, 90, 70) else "",
            attributes=("brick",) if wall_color == (200, 90, 70) else (),
        ),
        Part(
            "floor",
            (_r(0, wall_bottom, W, H),),
            floor_color,
            floor_tex,
            attributes={"tile": ("tiled",), "wood": ("wooden",), "": ()}[floor_tex],
        ),
    ]
    used: list[tuple[int, int]] = []
    # window (with curtains) on the wall, sometimes a door
    ww = int(s_wall * rng.uniform(0.9, 1.4))
    wh = int(s_wall * rng.uniform(0.9, 1.2))
    if rng.random() < 0.8:
        wx = int(rng.uniform(0.08, 0.92) * (W - ww))
        wy = int(wall_bottom - s_wall * 2.0)
        pieces.append(
            Part(
                "window",
                (_r(wx, wy, wx + ww, wy + wh),),
                (160, 200, 230),
                "panes",
                relation=("part of", "p"),
                of=1,
            )
        )
        wi = len(pieces) - 1
        cw = max(4, ww // 5)
        cc = [(180, 60, 60), (60, 90, 150), (230, 210, 150), (100, 140, 90)][int(rng.integers(4))]
        if rng.random() < 0.7:
            pieces.append(
                Part(
                    "curtain",
                    (_r(wx - cw // 2, wy + 1, wx + cw, wy + wh + 8),),
                    cc,
                    "stripes",
                    relation=("hanging from", "p"),
                    of=wi,
                )
            )
            pieces.append(
                Part(
                    "curtain",
                    (_r(wx + ww - cw, wy + 1, wx + ww + cw // 2, wy + wh + 8),),
                    cc,
                    "stripes",
                    relation=("hanging from", "p"),
                    of=wi,
                )
            )
        used.append((wx - cw, wx + ww + cw))
    if rng.random() < 0.5:
        dw, dh = int(s_wall * 0.9), int(s_wall * 2.05)
        for _ in range(8):
            dx = int(rng.uniform(0.02, 0.98) * (W - dw))
            if all(dx + dw < a - 4 or dx > b + 4 for a, b in used):
                pieces.append(
                    Part(
                        "door",
                        (_r(dx, wall_bottom - dh, dx + dw, wall_bottom),),
                        tuple(int(c * 0.55) for c in (200, 150, 100)),
                        "wood",
                        relation=("part of", "p"),
                        of=1,
                    )
                )
                used.append((dx, dx + dw))
                break
    if extra == "board":
        bw, bh = int(s_wall * 2.4), int(s_wall * 1.0)
        for _ in range(8):
            bx = int(rng.uniform(0.02, 0.98) * (W - bw))
            if all(bx + bw < a - 4 or bx > b + 4 for a, b in used):
                by = int(wall_bottom - s_wall * 2.0)
                pieces.append(
                    Part(
                        "board",
                        (_r(bx, by, bx + bw, by + bh),),
                        (40, 75, 55),
                        relation=("mounted on", "p"),
                        of=1,
                        attributes=("green",),
                    )
                )
                used.append((bx, bx + bw))
                break
    free = _free_spans(used, W)
    return Backdrop(
        st,
        variant,
        W,
        H,
        True,
        horizon,
        tuple(pieces),
        (Band(2, wall_bottom, H),),
        wall_bottom,
        s_wall,
        ceiling_bottom,
        free,
    )


def _free_spans(used: list[tuple[int, int]], W: int) -> tuple[tuple[int, int], ...]:
    spans = []
    x = 0
    for a, b in sorted(used):
        if a - 4 > x:
            spans.append((x, a - 4))
        x = max(x, b + 4)
    if x < W:
        spans.append((x, W))
    return tuple(s for s in spans if s[1] - s[0] > 10)


def _outdoor(st: str, variant: int, rng, W: int, H: int) -> Backdrop:
    horizon = int(H * rng.uniform(0.30, 0.45))
    sky_top = [(110, 160, 220), (80, 130, 200), (150, 180, 215), (120, 170, 230)][
        int(rng.integers(4))
    ]
    pieces: list[Part] = [Part("sky", (_r(0, 0, W, horizon + 1),), sky_top, "sky")]
    bands: list[Band] = []
    sky_bottom = horizon
    if st in ("ski", "farm", "park") and rng.random() < (0.95 if st == "ski" else 0.5):
        # mountains (snow-capped) or hills along the horizon
        mountain = st == "ski" or rng.random() < 0.5
        n = int(rng.integers(1, 3))
        for _ in range(n):
            cx = rng.uniform(0.1, 0.9) * W
            hw = rng.uniform(0.25, 0.45) * W
            top = (
                horizon - (rng.uniform(0.45, 0.8) if mountain else rng.uniform(0.15, 0.3)) * horizon
            )
            if mountain:
                pieces.append(
                    Part(
                        "mountain",
                        (("tri", int(cx - hw), int(cx + hw), horizon + 1, int(cx), int(top)),),
                        (110, 110, 125),
                    )
                )
                mi = len(pieces) - 1
                sh = (horizon - top) * 0.35
                k = sh / (horizon - top)
                pieces.append(
                    Part(
                        "snow",
                        (
                            (
                                "tri",
                                int(cx - hw * k),
                                int(cx + hw * k),
                                int(top + sh),
                                int(cx),
                                int(top),
                            ),
                        ),
                        (245, 248, 252),
                        relation=("covered in", "w2p"),
                        of=mi,
                        attributes=("white",),
                    )
                )
            else:
                pieces.append(
                    Part("hill", (("ellipse", cx, horizon + 2, hw, horizon - top),), (100, 150, 80))
                )
            sky_bottom = min(sky_bottom, int(top))
    if st == "street":
        y_a = horizon + int((H - horizon) * 0.12)
        y_b = horizon + int((H - horizon) * rng.uniform(0.45, 0.6))
        pieces.append(Part("sidewalk", (_r(0, horizon + 1, W, y_a),), (185, 180, 172), "tile"))
        pieces.append(Part("street", (_r(0, y_a, W, y_b),), (80, 80, 85), "", attributes=("gray",)))
        pieces.append(Part("sidewalk", (_r(0, y_b, W, H),), (190, 185, 175), "tile"))
        n = len(pieces)
        bands = [Band(n - 3, horizon + 2, y_a), Band(n - 2, y_a, y_b), Band(n - 1, y_b, H)]
    elif st == "beach":
        y_s = horizon + int((H - horizon) * rng.uniform(0.3, 0.5))
        pieces.append(
            Part("water", (_r(0, horizon + 1, W, y_s),), (40, 110, 170), "", attributes=("blue",))
        )
        wi = len(pieces) - 1
        nw = int(rng.integers(2, 4))
        for j in range(nw):
            wy = horizon + 3 + int((y_s - horizon - 8) * (j + 1) / (nw + 1))
            wx = int(rng.uniform(0.0, 0.6) * W)
            pieces.append(
                Part(
                    "wave",
                    (_r(wx, wy, wx + int(W * rng.uniform(0.2, 0.4)), wy + 3),),
                    (235, 245, 250),
                    relation=("part of", "p"),
                    of=wi,
                    attributes=("white",),
                )
            )
        pieces.append(
            Part("beach", (_r(0, y_s, W, H),), (225, 205, 160), "", attributes=("sandy",))
        )
        bands = [Band(wi, horizon + 2, y_s), Band(len(pieces) - 1, y_s, H)]
    elif st == "ski":
        pieces.append(
            Part("snow", (_r(0, horizon + 1, W, H),), (240, 244, 250), "", attributes=("white",))
        )
        bands = [Band(len(pieces) - 1, horizon + 2, H)]
    elif st == "railway":
        y_t0 = horizon + int((H - horizon) * rng.uniform(0.2, 0.3))
        y_t1 = y_t0 + int((H - horizon) * 0.12)
        pieces.append(
            Part(
                "grass",
                (_r(0, horizon + 1, W, y_t0), _r(0, y_t1, W, H)),
                (95, 150, 70),
                "grass",
                attributes=("green",),
            )
        )
        pieces.append(Part("track", (_r(0, y_t0, W, y_t1),), (115, 100, 90), "track"))
        bands = [
            Band(len(pieces) - 2, horizon + 2, y_t0),
            Band(len(pieces) - 1, y_t0, y_t1),
            Band(len(pieces) - 2, y_t1, H),
        ]
    else:  # park, farm
        g = (95, 150, 70) if st == "park" else (130, 160, 80)
        if st == "park" and rng.random() < 0.5:
            y_p = horizon + int((H - horizon) * 0.22)
            pieces.append(
                Part(
                    "water", (_r(0, horizon + 1, W, y_p),), (60, 120, 160), "", attributes=("blue",)
                )
            )
            pieces.append(Part("grass", (_r(0, y_p, W, H),), g, "grass", attributes=("green",)))
            bands = [Band(len(pieces) - 2, horizon + 2, y_p), Band(len(pieces) - 1, y_p, H)]
        else:
            pieces.append(
                Part("grass", (_r(0, horizon + 1, W, H),), g, "grass", attributes=("green",))
            )
            bands = [Band(len(pieces) - 1, horizon + 2, H)]
    return Backdrop(
        st, variant, W, H, False, horizon, tuple(pieces), tuple(bands), sky_bottom=sky_bottom
    )


def _piece_texture(p: Part, h: int, w: int, y0: int, H: int) -> np.ndarray:
    if p.texture == "sky":
        t = (np.arange(y0, y0 + h, dtype=np.float32) / max(H, 1))[:, None, None]
        top = np.array(p.color, np.float32)
        bottom = np.array((225, 235, 245), np.float32)
        return np.broadcast_to(top + (bottom - top) * np.minimum(t * 2.2, 1.0), (h, w, 3)).copy()
    if p.texture == "grass":
        out = np.empty((h, w, 3), np.float32)
        out[:] = p.color
        yy = np.arange(h)[:, None] + y0
        xx = np.arange(w)[None, :]
        n = np.sin(xx * 0.9 + yy * 1.3) * np.sin(xx * 0.37 - yy * 0.71)
        out *= (1 + 0.08 * n)[..., None]
        return out
    if p.texture == "track":
        out = np.empty((h, w, 3), np.float32)
        out[:] = p.color
        out[:, (np.arange(w) % 14) < 4] = (110, 80, 55)  # ties
        for fy in (0.25, 0.7):
            r = int(h * fy)
            out[r : r + max(2, h // 12)] = (170, 170, 175)  # rails
        return out
    return texture(p.texture, p.color, h, w, y0)


SNOW_GROUND = frozenset({"ski"})
"""Scene types whose ground is snow: never under the golden or warm light, which turned the
snow (240, 244, 250) to (255, 239, 200) and (254, 242, 225), the colour of sand: a ski slope
a person would take for a beach, its snow asked as "white"."""


def variant_tint(variant: int, scene_type: str = "") -> int:
    """The lighting tint of a backdrop variant of ``scene_type`` (so backdrops cache per
    type and variant alone): the variant's tint in turn, neutral for a golden or warm one
    on snow (:data:`SNOW_GROUND`)."""
    tint = variant % len(TINTS)
    if scene_type in SNOW_GROUND and TINTS[tint][0] in ("golden", "warm"):
        return 0
    return tint


@functools.lru_cache(maxsize=160)
def backdrop_image(scene_type: str, variant: int, width: int, height: int):
    """(labels (H, W) uint8: piece index + 1, the tinted rgb as a Pillow image), cached per
    process (the renderer copies the image, 0.03 ms, where making one from the array took
    0.13 ms)."""
    labels, out = _backdrop_arrays(scene_type, variant, width, height)
    return labels, Image.fromarray(out, "RGB")


def _backdrop_arrays(scene_type: str, variant: int, width: int, height: int):
    tint = variant_tint(variant, scene_type)
    b = backdrop(scene_type, variant, width, height)
    labels = np.zeros((height, width), np.uint8)
    rgb = np.zeros((height, width, 3), np.float32)
    for k, p in enumerate(b.pieces, start=1):
        for shape in p.shapes:
            got = shape_mask(shape, height, width)
            if got is None:
                continue
            ys, xs, m = got
            labels[ys, xs][m] = k
            tex = _piece_texture(p, ys.stop - ys.start, xs.stop - xs.start, ys.start, height)
            rgb[ys, xs][m] = tex[m]
    rgb *= np.array(TINTS[tint][1], np.float32)
    out = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    labels.setflags(write=False)
    out.setflags(write=False)
    return labels, out


@functools.lru_cache(maxsize=160)
def piece_stats(scene_type: str, variant: int, width: int, height: int):
    """(boxes (k, 4) inclusive x0, y0, x1, y1; pixel counts (k,)) of the backdrop pieces."""
    labels, _ = backdrop_image(scene_type, variant, width, height)
    k = len(backdrop(scene_type, variant, width, height).pieces)
    boxes = np.zeros((k, 4), np.int64)
    counts = np.zeros(k, np.int64)
    for i in range(k):
        ys, xs = np.nonzero(labels == i + 1)
        if len(ys):
            boxes[i] = (xs.min(), ys.min(), xs.max(), ys.max())
            counts[i] = len(ys)
    return boxes, counts
