"""Parametric structures drawn where no sprite exists: every part has its own label (and so its
own object id and mask once placed).

A structure is a :class:`Geom` computed from ``(kind, w, h, variant)`` alone: a tuple of
:class:`Part` (name, the shapes it covers, the relation that ties it to its whole) and named
anchors in the structure's own pixel frame (e.g. ``"top"``: the band of rows of a table's top
where things stand). Sampling reads the geometry; rendering rasterises it with
:func:`rasterize` into a label image (0 = nothing, k = part k) and colours. Shapes are exact
(no anti-aliasing), so every drawn pixel belongs to one part with alpha 255.

Shapes: ``("rect", x0, y0, x1, y1)`` (half-open), ``("tri", xl, xr, yb, xa, ya)`` (base from
xl to xr on row yb, apex (xa, ya)), ``("ellipse", cx, cy, rx, ry)``, ``("glyphs", x0, y0,
cell, text)`` (a 3x5 pixel font scaled by ``cell``).

Structures in :data:`STRUCTURES`: table (top, legs), desk (top, legs, drawer, handle), counter
(top, cabinet, drawers, handles), shelf (a back layer and a front layer of boards), bench,
cabinet (drawers with handles), fence, sign (a signpost: its pole, the sign, painted text),
house (wall, roof, door, windows), railing, pillow. Backdrop pieces (sky, wall, floor,
street, water, ...) are drawn by :mod:`synthgen.world.sprites.backdrop` with the same shapes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

Shape = tuple


@dataclass(frozen=True)
class Part:
    name: str  # the object's name ("table", "leg", ...); the first part is the whole
    shapes: tuple[Shape, ...]
    color: tuple[int, int, int]
    texture: str = ""  # "", "wood", "brick", "tile", "panes", "stripes"
    relation: tuple[str, str] | None = None  # (predicate, direction "part->whole"|"whole->part")
    of: int = 0  # index of the part it belongs to (0: the whole)
    attributes: tuple[str, ...] = ()
    front: bool = False  # drawn in the front layer (shelf boards): over things placed "in" it


@dataclass(frozen=True)
class Geom:
    kind: str
    w: int
    h: int
    parts: tuple[Part, ...]
    anchors: tuple[tuple[str, tuple[int, int, int, int]], ...]  # name -> (x0, y0, x1, y1)

    def anchor(self, name: str) -> tuple[int, int, int, int]:
        for k, v in self.anchors:
            if k == name:
                return v
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.anchors)


# real-world size ranges (width, height) in metres
STRUCTURE_SIZES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "table": ((1.0, 1.8), (0.72, 0.78)),
    "desk": ((1.1, 1.6), (0.72, 0.78)),
    "counter": ((1.6, 3.0), (0.88, 0.94)),
    "shelf": ((0.8, 1.4), (1.2, 1.9)),
    "bench": ((1.2, 1.8), (0.8, 0.9)),
    "cabinet": ((0.6, 1.0), (0.8, 1.1)),
    "fence": ((3.0, 8.0), (0.9, 1.3)),
    "sign": ((0.5, 0.8), (2.2, 2.8)),
    "house": ((6.0, 10.0), (5.0, 7.5)),
    "railing": ((3.0, 6.0), (0.9, 1.1)),
    "pillow": ((0.5, 0.7), (0.15, 0.22)),
    "towel": ((1.4, 1.8), (0.22, 0.3)),  # lying flat: its seen height, from a little above
    "surfboard": ((1.8, 2.4), (0.2, 0.26)),
}

WOODS = [(139, 94, 60), (160, 112, 70), (110, 74, 48), (190, 150, 100), (95, 65, 45)]
PAINTS = [(236, 232, 222), (200, 70, 60), (70, 110, 170), (90, 140, 90), (230, 200, 120)]
PAINT_NAMES = ["white", "red", "blue", "green", "yellow"]
SIGN_TEXTS = ["STOP", "EXIT", "OPEN", "CAFE", "BUS", "PARK", "12", "30", "5", "66", "NO", "SALE"]


def _pick(seq, v: int, salt: int):
    return seq[(v * 7 + salt * 13) % len(seq)]


def _r(x0: float, y0: float, x1: float, y1: float) -> Shape:
    # int(round(v)) is int(np.rint(v)) (both round half to even) without numpy's scalar call
    return ("rect", int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1)))  # noqa: RUF046


@functools.lru_cache(maxsize=8192)
def geom(kind: str, w: int, h: int, variant: int) -> Geom:
    """The geometry of structure ``kind`` drawn ``w`` x ``h`` pixels (variant picks colours
    and proportions)."""
    if kind.startswith("sprite|"):
        return _sprite_geom(kind, w, h)
    if kind != "wire":
        w = max(w, 6)
        h = max(h, 6)
    f = _BUILDERS[kind]
    return f(w, h, variant)


def _table(w: int, h: int, v: int, desk: bool = False) -> Geom:
    wood = _pick(WOODS, v, 1)
    th = max(3, round(h * 0.16))
    lw = max(2, round(w * 0.05))
    inset = round(w * 0.06)
    parts = [
        Part("desk" if desk else "table", (_r(0, 0, w, th),), wood, "wood", attributes=("wooden",)),
        Part("leg", (_r(inset, th, inset + lw, h),), _shade(wood, 0.8), relation=("of", "p")),
        Part(
            "leg", (_r(w - inset - lw, th, w - inset, h),), _shade(wood, 0.8), relation=("of", "p")
        ),
    ]
    if desk:
        dx0, dx1 = w - inset - lw - round(w * 0.3), w - inset - lw
        dy1 = th + round((h - th) * 0.35)
        parts.append(
            Part(
                "drawer", (_r(dx0, th, dx1, dy1),), _shade(wood, 0.9), "", relation=("part of", "p")
            )
        )
        hx = (dx0 + dx1) // 2
        hy = (th + dy1) // 2
        hw = max(2, (dx1 - dx0) // 4)
        ht = max(1, round(h * 0.025))
        parts.append(
            Part(
                "handle",
                (_r(hx - hw, hy - ht, hx + hw, hy + ht),),
                (60, 60, 60),
                relation=("attached to", "p"),
                of=3,
            )
        )
    # things on the table stand on the top band; people sit at it; pets fit under it
    anchors = (("top", (0, 0, w, th)), ("under", (inset + lw, th, w - inset - lw, h)))
    return Geom("desk" if desk else "table", w, h, tuple(parts), anchors)


def _counter(w: int, h: int, v: int) -> Geom:
    top = _pick([(220, 220, 215), (60, 60, 65), (200, 180, 150), (150, 150, 150)], v, 2)
    body = _pick(PAINTS, v, 3)
    th = max(3, round(h * 0.1))
    parts = [
        Part("counter", (_r(0, 0, w, th),), top),
        Part("cabinet", (_r(2, th, w - 2, h),), body, relation=("part of", "p")),
    ]
    n = max(1, min(3, w // max(1, round(h * 1.2))))
    dw = (w - 4) / n
    for i in range(n):
        x0 = 2 + i * dw + 2
        x1 = 2 + (i + 1) * dw - 2
        parts.append(
            Part(
                "drawer",
                (_r(x0, th + 3, x1, th + 3 + (h - th) * 0.3),),
                _shade(body, 0.92),
                relation=("part of", "p"),
                of=1,
            )
        )
        k = len(parts) - 1
        cx = (x0 + x1) / 2
        cy = th + 3 + (h - th) * 0.15
        hw = max(2, dw / 5)
        ht = max(1, round(h * 0.025))
        parts.append(
            Part(
                "handle",
                (_r(cx - hw, cy - ht, cx + hw, cy + ht),),
                (70, 70, 70),
                relation=("attached to", "p"),
                of=k,
            )
        )
    return Geom("counter", w, h, tuple(parts), (("top", (0, 0, w, th)),))


def _cabinet(w: int, h: int, v: int) -> Geom:
    body = _pick(WOODS + PAINTS, v, 4)
    parts = [
        Part(
            "cabinet",
            (_r(0, 0, w, h),),
            body,
            "wood" if body in WOODS else "",
            attributes=("wooden",) if body in WOODS else (),
        )
    ]
    n = 2 if h > 40 else 1
    top = max(2, round(h * 0.06))
    dh = (h - top - 2) / n
    for i in range(n):
        y0 = top + i * dh + 2
        y1 = top + (i + 1) * dh - 1
        parts.append(
            Part("drawer", (_r(3, y0, w - 3, y1),), _shade(body, 0.88), relation=("part of", "p"))
        )
        k = len(parts) - 1
        cy = (y0 + y1) / 2
        hw = max(2, w / 5)
        ht = max(1, round(h * 0.025))
        parts.append(
            Part(
                "handle",
                (_r(w / 2 - hw, cy - ht, w / 2 + hw, cy + ht),),
                (60, 60, 60),
                relation=("attached to", "p"),
                of=k,
            )
        )
    return Geom("cabinet", w, h, tuple(parts), (("top", (0, 0, w, top + 1)),))


def _shelf(w: int, h: int, v: int) -> Geom:
    wood = _pick(WOODS, v, 5)
    side = max(2, round(w * 0.06))
    board = max(2, round(h * 0.04))
    n = 3 if h > 60 else 2
    rows = [round(h * (i + 1) / n) - board for i in range(n)]
    shapes = [_r(0, 0, side, h), _r(w - side, 0, w, h), _r(0, 0, w, board)]
    lips = [_r(side, y - max(2, board), w - side, y + board) for y in rows]
    back = Part(
        "shelf", (_r(side, board, w - side, h),), _shade(wood, 0.6), "wood", attributes=("wooden",)
    )
    front = Part("shelf", tuple(shapes + lips), wood, "wood", front=True)
    anchors = tuple(
        (f"board{i}", (side, y - max(2, board), w - side, y + board)) for i, y in enumerate(rows)
    )
    return Geom("shelf", w, h, (back, front), anchors)


def _bench(w: int, h: int, v: int) -> Geom:
    wood = _pick(WOODS, v, 6)
    seat_y = round(h * 0.5)
    st = max(2, round(h * 0.08))
    shapes = (
        _r(0, seat_y, w, seat_y + st),
        _r(0, round(h * 0.05), w, round(h * 0.05) + st),
        _r(0, round(h * 0.2), w, round(h * 0.2) + st),
        _r(w * 0.08, 0, w * 0.08 + st, h),
        _r(w * 0.92 - st, 0, w * 0.92, h),
    )
    return Geom(
        "bench",
        w,
        h,
        (Part("bench", shapes, wood, "wood", attributes=("wooden",)),),
        (("seat", (0, seat_y, w, seat_y + st)), ("under", (0, seat_y + st, w, h))),
    )


def _fence(w: int, h: int, v: int) -> Geom:
    c = _pick([(235, 235, 230), (150, 110, 70), (120, 120, 120)], v, 7)
    pw = max(2, round(h * 0.1))
    step = max(pw * 3, round(h * 0.45))
    shapes = [_r(x, 0, x + pw, h) for x in range(0, w - pw + 1, step)]
    shapes += [_r(0, h * 0.25, w, h * 0.25 + pw), _r(0, h * 0.65, w, h * 0.65 + pw)]
    attrs = ("white",) if c[0] > 200 else ("wooden",) if c[0] == 150 else ("metal",)
    # a thick post at each end, a little taller than the pickets
    qw = max(3, round(pw * 1.8))
    post = Part(
        "post",
        (_r(0, 0, qw, h), _r(w - qw, 0, w, h)),
        _shade(c, 0.75),
        relation=("part of", "p"),
        attributes=attrs,
    )
    return Geom("fence", w, h, (Part("fence", tuple(shapes), c, attributes=attrs), post), ())


def _railing(w: int, h: int, v: int) -> Geom:
    c = _pick([(80, 80, 85), (200, 200, 205), (130, 90, 60)], v, 8)
    pw = max(2, round(h * 0.06))
    step = max(pw * 4, round(h * 0.3))
    shapes = [_r(x, 0, x + pw, h) for x in range(0, w - pw + 1, step)]
    shapes += [_r(0, 0, w, pw + 1)]
    return Geom("railing", w, h, (Part("railing", tuple(shapes), c, attributes=("metal",)),), ())


def _sign(w: int, h: int, v: int) -> Geom:
    text = _pick(SIGN_TEXTS, v, 9)
    color = _pick([(200, 40, 40), (30, 110, 60), (40, 70, 160), (230, 190, 40)], v, 10)
    pw = max(2, round(w * 0.1))
    sh = round(w * 0.6)
    sy0 = round(h * 0.04)
    cx = w // 2
    cell = max(1, min((w - 6) // (4 * len(text)), (sh - 4) // 6))
    tw = cell * (4 * len(text) - 1)
    tx = cx - tw // 2
    ty = sy0 + (sh - 5 * cell) // 2
    is_num = text.isdigit()
    parts = (
        Part(
            "signpost",  # the whole, as a person names it: "two poles" read as bare poles
            (_r(cx - pw // 2, sy0 + sh // 2, cx - pw // 2 + pw, h),),
            (110, 110, 115),
            attributes=("metal",),
        ),
        # part of the signpost: its box is the whole's (pole and sign), as a person draws it
        Part("sign", (_r(0, sy0, w, sy0 + sh),), color, relation=("part of", "p"), of=0),
        Part(
            "number" if is_num else "letter",
            (("glyphs", tx, ty, cell, text),),
            (250, 250, 250) if color[0] < 220 else (20, 20, 20),
            relation=("painted on" if v % 2 else "says", "p" if v % 2 else "w2p"),
            of=1,
            attributes=("white",) if color[0] < 220 else ("black",),
        ),
    )
    return Geom("sign", w, h, parts, (("sign", (0, sy0, w, sy0 + sh)),))


def _house(w: int, h: int, v: int) -> Geom:
    wall = _pick(
        [(200, 90, 70), (230, 220, 190), (180, 180, 175), (150, 170, 190), (220, 200, 150)], v, 11
    )
    roof = _pick([(120, 50, 40), (70, 70, 80), (90, 60, 50)], v, 12)
    ry = round(h * 0.38)
    over = round(w * 0.04)
    parts = [
        Part(
            "house",
            (_r(0, ry, w, h),),
            wall,
            "brick" if wall[0] == 200 else "",
            attributes=("brick",) if wall[0] == 200 else (),
        ),
        Part(
            "roof",
            (("tri", -over, w + over, ry, w // 2, 0),),
            roof,
            "stripes",
            relation=("has", "w2p"),
        ),
    ]
    dw, dh = round(w * 0.14), round((h - ry) * 0.55)
    dx = round(w * (0.2 + 0.5 * ((v * 37) % 11) / 10))
    dx = min(max(dx, 2), w - dw - 2)
    parts.append(
        Part("door", (_r(dx, h - dh, dx + dw, h),), _shade(roof, 1.3), relation=("of", "p"))
    )
    wy0 = ry + round((h - ry) * 0.18)
    ww, wh = round(w * 0.13), round((h - ry) * 0.3)
    for x in (round(w * 0.06), w - round(w * 0.06) - ww):
        if x + ww > dx - 2 and x < dx + dw + 2:
            continue
        parts.append(
            Part(
                "window",
                (_r(x, wy0, x + ww, wy0 + wh),),
                (150, 190, 220),
                "panes",
                relation=("part of", "p"),
            )
        )
    return Geom("house", w, h, tuple(parts), ())


def _pillow(w: int, h: int, v: int) -> Geom:
    c = _pick([(240, 240, 245), (200, 210, 240), (240, 200, 200), (220, 230, 200)], v, 13)
    return Geom(
        "pillow", w, h, (Part("pillow", (("ellipse", w / 2, h / 2, w / 2, h / 2),), c),), ()
    )


def _towel(w: int, h: int, v: int) -> Geom:
    c = _pick([(220, 70, 70), (60, 120, 200), (240, 200, 60), (90, 170, 120)], v, 14)
    names = ["red", "blue", "yellow", "green"]
    return Geom(
        "towel",
        w,
        h,
        (Part("towel", (_r(0, 0, w, h),), c, "stripes", attributes=(_pick(names, v, 14),)),),
        (("top", (0, 0, w, h)),),
    )


def _surfboard(w: int, h: int, v: int) -> Geom:
    c = _pick([(250, 250, 245), (240, 170, 60), (70, 170, 210), (230, 90, 90)], v, 15)
    return Geom(
        "surfboard",
        w,
        h,
        (Part("surfboard", (("ellipse", w / 2, h / 2, w / 2, h / 2),), c),),
        (("top", (0, 0, w, h)),),
    )


def _wire(w: int, h: int, v: int) -> Geom:
    return Geom("wire", w, h, (Part("wire", (_r(0, 0, w, h),), (40, 40, 40)),), ())


_BUILDERS = {
    "wire": _wire,
    "table": _table,
    "desk": lambda w, h, v: _table(w, h, v, desk=True),
    "counter": _counter,
    "cabinet": _cabinet,
    "shelf": _shelf,
    "bench": _bench,
    "fence": _fence,
    "railing": _railing,
    "sign": _sign,
    "house": _house,
    "pillow": _pillow,
    "towel": _towel,
    "surfboard": _surfboard,
}
STRUCTURES = tuple(_BUILDERS)


def _shade(c: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, round(x * k)))) for x in c)  # type: ignore[return-value]


# ---- rasterising ----

_FONT = {  # 3x5 glyphs, rows top to bottom
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001111",
    "A": "010101111101101",
    "B": "110101110101110",
    "C": "111100100100111",
    "E": "111100111100111",
    "F": "111100111100100",
    "I": "111010010010111",
    "K": "101101110101101",
    "L": "100100100100111",
    "N": "101111111111101",
    "O": "111101101101111",
    "P": "111101111100100",
    "R": "110101110101101",
    "S": "111100111001111",
    "T": "111010010010010",
    "U": "101101101101111",
    "X": "101101010101101",
}


def shape_mask(shape: Shape, h: int, w: int) -> tuple[slice, slice, np.ndarray] | None:
    """(row slice, column slice, bool mask) of a shape clipped to an h x w frame."""
    kind = shape[0]
    if kind == "rect":
        _, x0, y0, x1, y1 = shape
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x0 >= x1 or y0 >= y1:
            return None
        return slice(y0, y1), slice(x0, x1), np.ones((y1 - y0, x1 - x0), bool)
    if kind == "tri":
        _, xl, xr, yb, xa, ya = shape
        y0, y1 = max(ya, 0), min(yb, h)
        if y0 >= y1:
            return None
        ys = np.arange(y0, y1) + 0.5
        t = (ys - ya) / max(yb - ya, 1)
        lo = xa + (xl - xa) * t
        hi = xa + (xr - xa) * t
        c0, c1 = max(int(np.floor(lo.min())), 0), min(int(np.ceil(hi.max())), w)
        if c0 >= c1:
            return None
        xs = np.arange(c0, c1) + 0.5
        m = (xs[None, :] >= lo[:, None]) & (xs[None, :] < hi[:, None])
        return slice(y0, y1), slice(c0, c1), m
    if kind == "ellipse":
        _, cx, cy, rx, ry = shape
        y0, y1 = max(int(cy - ry), 0), min(int(np.ceil(cy + ry)), h)
        x0, x1 = max(int(cx - rx), 0), min(int(np.ceil(cx + rx)), w)
        if y0 >= y1 or x0 >= x1:
            return None
        ys = (np.arange(y0, y1) + 0.5 - cy) / max(ry, 0.5)
        xs = (np.arange(x0, x1) + 0.5 - cx) / max(rx, 0.5)
        return slice(y0, y1), slice(x0, x1), ys[:, None] ** 2 + xs[None, :] ** 2 <= 1.0
    if kind == "glyphs":
        _, x0, y0, cell, text = shape
        tw = 4 * len(text) - 1
        m = np.zeros((5, tw), bool)
        for i, ch in enumerate(text):
            g = _FONT.get(ch, _FONT["O"])
            m[:, 4 * i : 4 * i + 3] = np.array([c == "1" for c in g]).reshape(5, 3)
        m = np.repeat(np.repeat(m, cell, 0), cell, 1)
        y1, x1 = y0 + m.shape[0], x0 + m.shape[1]
        cy0, cx0 = max(y0, 0), max(x0, 0)
        cy1, cx1 = min(y1, h), min(x1, w)
        if cy0 >= cy1 or cx0 >= cx1:
            return None
        return slice(cy0, cy1), slice(cx0, cx1), m[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    raise ValueError(kind)


def texture(name: str, base: tuple[int, int, int], h: int, w: int, y0: int = 0) -> np.ndarray:
    """(h, w, 3) float32 colour of a textured surface (pure function of its arguments)."""
    out = np.empty((h, w, 3), np.float32)
    out[:] = base
    if name == "wood":
        k = 1.0 + 0.07 * np.sin(np.arange(h) * 1.7 + y0)[:, None] * np.sin(np.arange(w) * 0.05)
        out *= k[..., None]
    elif name == "brick":
        rows = np.arange(h) + y0
        out[rows % 8 == 0] *= 0.7
        off = np.where((rows // 8) % 2 == 1, 0, 8)
        out[(np.arange(w)[None, :] + off[:, None]) % 16 == 0] *= 0.7
    elif name == "tile":
        g = 18
        out[((np.arange(h) + y0) % g) == 0] *= 0.75
        out[:, (np.arange(w) % g) == 0] *= 0.75
    elif name == "panes":
        out[h // 2 : h // 2 + 1] = (235, 235, 235)
        out[:, w // 2 : w // 2 + 1] = (235, 235, 235)
        out[: max(1, h // 8)] *= 1.1
    elif name == "stripes":
        out[((np.arange(h) + y0) % 5) == 0] *= 0.8
    return np.clip(out, 0, 255)


def rasterize(g: Geom, front: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(labels (h, w) uint8, rgb (h, w, 3) uint8) of a structure; ``front`` picks the
    shelf-like front (True) or back (False) layer, None draws every part. Later parts paint
    over earlier ones; label k is part k - 1. A textured part's texture is computed once
    over the box of its shapes (its phase is the box's top row)."""
    if g.kind.startswith("sprite|"):
        return _rasterize_sprite(g)
    H, W = g.h, g.w
    labels = np.zeros((H, W), np.uint8)
    rgb = np.zeros((H, W, 3), np.uint8)
    copyto = np.copyto
    for k, part in enumerate(g.parts, start=1):
        if front is not None and part.front != front:
            continue
        got = []
        for shape in part.shapes:
            if shape[0] == "rect":  # the common case: no mask
                _, x0, y0, x1, y1 = shape
                x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
                if x0 < x1 and y0 < y1:
                    got.append((slice(y0, y1), slice(x0, x1), None))
            else:
                m = shape_mask(shape, H, W)
                if m is not None:
                    got.append(m)
        if not got:
            continue
        if part.texture:
            py0 = min(ys.start for ys, _, _ in got)
            px0 = min(xs.start for _, xs, _ in got)
            py1 = max(ys.stop for ys, _, _ in got)
            px1 = max(xs.stop for _, xs, _ in got)
            tex = texture(part.texture, part.color, py1 - py0, px1 - px0, py0).astype(np.uint8)
        else:
            color = np.array(part.color, np.uint8)
        for ys, xs, m in got:
            if part.texture:
                src = tex[ys.start - py0 : ys.stop - py0, xs.start - px0 : xs.stop - px0]
            else:
                src = color
            if m is None:
                labels[ys, xs] = k
                rgb[ys, xs] = src
            else:
                copyto(labels[ys, xs], k, where=m)
                copyto(rgb[ys, xs], src, where=m[..., None])
    return labels, rgb


# ---- parts of sprites: regions of a drawn sprite, relabelled ----
#
# A sprite part layer is a "structure" whose kind names a sprite as the renderer draws it
# (``sprite|atlas|category|pose|index|flip|name,name...``); its pixels are the sprite's own
# fully opaque pixels of each named region (so drawing it over the sprite changes no colour,
# only which object the pixels belong to). Regions are found on the native art by rows of
# the sprite's alpha box and colour (skin, glass, tyre rubber, bark): see
# :func:`sprite_regions`.

PERSON_HEAD = 0.25  # rows of a standing person's alpha box above this fraction: the head
SPRITE_PART_NAMES = (
    "head",
    "hair",
    "face",
    "arm",
    "hand",
    "shirt",
    "pants",
    "shoe",
    "tire",
    "tire2",
    "window",
    "windshield",
    "trunk",
)


def sprite_part_kind(atlas: str, cat: str, pose: str, idx: int, flip: bool, names) -> str:
    return f"sprite|{atlas}|{cat}|{pose}|{idx}|{int(flip)}|{','.join(names)}"


def _hsv(rgb: np.ndarray):
    r, g, b = (rgb[..., i].astype(np.float32) / 255 for i in range(3))
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    d = mx - mn + 1e-6
    h = (
        np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4))
        * 60
    )
    return h, (mx - mn) / (mx + 1e-6), mx


def sprite_regions(rgba: np.ndarray, group: str, cat: str, pose: str, style: str):
    """{name: bool mask} of the readable part regions of a native sprite (may be empty):

    - standing / walking people: ``head`` (rows above 25 % of the alpha box), split into
      ``hair`` (not skin) and ``face`` (skin) for the flat noto art (fluent's blond hair
      reads as skin); ``arm`` (skin, rows 25-47 %), ``hand`` (skin, rows 47-62 %),
      ``shirt`` (not skin, rows 25-56 %), ``pants`` (rows 56-93 %), ``shoe`` (rows below 93 %);
    - cars, buses, trucks (side or front): ``tire`` / ``tire2`` (dark grey rubber in the lowest
      40 % of rows, left and right of the centre), ``window`` (side) or ``windshield``
      (front) (light blue glass in the upper 60 %);
    - the deciduous tree: ``trunk`` (brown bark in the lowest 40 %).
    """
    a = rgba[..., 3] >= 128
    H, W = a.shape
    rows = np.nonzero(a.any(1))[0]
    if len(rows) == 0:
        return {}
    y0, y1 = rows[0], rows[-1] + 1
    yy = (np.arange(H)[:, None] - y0) / (y1 - y0)
    h, s, v = _hsv(rgba[..., :3])
    out: dict[str, np.ndarray] = {}
    if group == "person" and pose in ("standing", "walking"):
        skin = a & (h >= 40) & (h <= 56) & (s > 0.45) & (v > 0.8)
        head = a & (yy < PERSON_HEAD)
        out["head"] = head
        if style == "noto":
            out["hair"] = head & ~skin
            out["face"] = head & skin
        mid = a & (yy >= PERSON_HEAD) & (yy < 0.62)
        out["arm"] = mid & skin & (yy < 0.47)
        out["hand"] = mid & skin & (yy >= 0.47)
        out["shirt"] = mid & ~skin & (yy < 0.56)
        out["pants"] = a & (yy >= 0.56) & (yy < 0.93) & ~skin
        out["shoe"] = a & (yy >= 0.93)
    elif group == "vehicle" and cat in _CARS:
        tire = a & (v < 0.45) & (s < 0.5) & (yy > 0.6)
        xs = np.arange(W)[None, :]
        out["tire"] = tire & (xs < W / 2)
        out["tire2"] = tire & (xs >= W / 2)
        glass = a & (h > 180) & (h < 215) & (s > 0.2) & (s < 0.8) & (v > 0.6) & (yy < 0.6)
        out["windshield" if pose == "front" else "window"] = glass
    elif cat == "tree" and pose == "":
        out["trunk"] = a & (yy > 0.6) & (h < 40) & (s > 0.3) & (v < 0.7)
    return out


_CARS = frozenset(
    {"car", "truck", "bus", "taxi", "suv", "police car", "pickup truck", "ambulance", "fire engine"}
)


@functools.lru_cache(maxsize=4096)
def _native_regions(atlas: str, cat: str, pose: str, idx: int):
    from synthgen.world.sprites.render import get_atlas

    at = get_atlas(atlas)
    spr = at.sprites(cat, pose)[idx]
    return sprite_regions(
        np.asarray(spr.rgba), at.categories[cat].group, cat, pose, getattr(spr, "style", "")
    )


@functools.lru_cache(maxsize=4096)
def sprite_part_names(atlas: str, cat: str, pose: str, idx: int) -> tuple[str, ...]:
    """Names of the regions a sprite has (non-empty ones)."""
    return tuple(k for k, m in _native_regions(atlas, cat, pose, idx).items() if m.any())


def _sprite_geom(kind: str, w: int, h: int) -> Geom:
    names = kind.split("|")[6].split(",")
    return Geom(
        kind,
        w,
        h,
        tuple(Part(n if n != "tire2" else "tire", (("region", n),), (0, 0, 0)) for n in names),
        (),
    )


@functools.lru_cache(maxsize=4096)
def native_region_codes(atlas: str, cat: str, pose: str, idx: int):
    """(region names, (H, W) uint8 codes) of a native sprite: bit i of a pixel's code is set
    where region ``names[i]`` covers it (regions may overlap: a face is in the head)."""
    regions = _native_regions(atlas, cat, pose, idx)
    names = tuple(regions)
    assert len(names) <= 8, names
    shape = next(iter(regions.values())).shape if regions else (1, 1)
    codes = np.zeros(shape, np.uint8)
    for i, n in enumerate(names):
        codes[regions[n]] |= np.uint8(1 << i)
    codes.setflags(write=False)
    return names, codes


def sprite_region_codes(
    atlas: str, cat: str, pose: str, idx: int, opaque: np.ndarray
) -> tuple[tuple[str, ...], np.ndarray]:
    """(region names, codes) of a sprite drawn at ``opaque.shape`` (nearest native pixel),
    0 wherever the drawn sprite is not fully opaque (``opaque``: alpha == 255)."""
    names, native = native_region_codes(atlas, cat, pose, idx)
    hh, ww = opaque.shape
    nh, nw = native.shape
    ry = np.minimum(((np.arange(hh) + 0.5) * nh / hh).astype(int), nh - 1)
    rx = np.minimum(((np.arange(ww) + 0.5) * nw / ww).astype(int), nw - 1)
    codes = native[ry[:, None], rx[None, :]]
    codes[~opaque] = 0
    return names, codes


@functools.lru_cache(maxsize=1024)
def region_label_lut(regions: tuple[str, ...], names: tuple[str, ...]) -> np.ndarray:
    """256-entry table: a region code -> the label k of the first of ``names`` (k = 1, 2,
    ...) whose region bit it has, 0 for none."""
    v = np.arange(256)
    lut = np.zeros(256, np.uint8)
    for k in range(len(names), 0, -1):
        lut[(v >> regions.index(names[k - 1])) & 1 == 1] = k
    lut.setflags(write=False)
    return lut


def _rasterize_sprite(g: Geom) -> tuple[np.ndarray, np.ndarray]:
    from synthgen.world.sprites.render import sprite_art

    _, atlas, cat, pose, idx, flip, names = g.kind.split("|")
    rgba = np.asarray(sprite_art(atlas, cat, pose, int(idx), g.h).im.convert("RGBA"))
    opaque = rgba[..., 3] == 255
    regions, codes = sprite_region_codes(atlas, cat, pose, int(idx), opaque)
    labels = region_label_lut(regions, tuple(names.split(",")))[codes]
    rgb = np.where(opaque[..., None], rgba[..., :3], 0).astype(np.uint8)
    if flip == "1":
        labels, rgb = labels[:, ::-1], rgb[:, ::-1]
    return np.ascontiguousarray(labels), np.ascontiguousarray(rgb)
