"""Compositing sprite scenes: backdrop, then layers far to near, each on its own window.

The colour image is composited by Pillow (C, 8-bit integer blending: the same bytes on
every machine for one Pillow version); the id and depth-order maps by numpy on each
layer's window only.

Exactness rule: a sprite pixel with alpha >= 128 is the sprite's pixel in the id map (and
its layer's rank in the depth-order map); pixels where it is more transparent keep what
was under them in both maps, even though the colour is blended (premultiplied alpha,
Pillow's ``paste`` with the sprite's own alpha). Structures and backdrop pieces are opaque
(alpha 255 wherever drawn).

Drawing sizes are the scene's own (sprite heights are quantised by the scene, see
:func:`synthgen.world.sprites.scene.qsize`): the renderer adds no choice of its own, so an
image is a pure function of the scene. Resampling: bilinear when shrinking the 72 px art,
bicubic when enlarging it, on premultiplied RGBa.

Caches (per process): premultiplied source art per sprite; resized sprites per (sprite,
pixel height) and rasterised structures per (kind, w, h, variant, layer) in LRUs bounded
by bytes (:data:`SPRITE_CACHE_BYTES`, :data:`STRUCT_CACHE_BYTES`); shadow masks per size;
tint tables per tint. Sprites and structures are tinted (gains normalised to <= 1) and
mirrored at draw time. The depth-order map holds 1..k for the backdrop pieces (piece
order) and k + i for layer i (draw order): larger is nearer.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthgen.world.base import WorldRendering
from synthgen.world.sprites.backdrop import TINTS, backdrop_image
from synthgen.world.sprites.structures import (
    geom,
    rasterize,
    region_label_lut,
    sprite_region_codes,
)

SPRITE_CACHE_BYTES = 128 << 20
"""Resized sprites kept per process (about 5 bytes a pixel: RGBa image and id mask)."""
STRUCT_CACHE_BYTES = 128 << 20
"""Rasterised structures (and sprite-part label maps) kept per process. In steady state 23 %
of lookups miss (256 MiB: 17 %), but a bigger cache showed no CPU gain above the noise of a
loaded machine and costs its size in every worker's RSS."""
REGION_CACHE_BYTES = 16 << 20
"""Region codes of drawn sprites kept per process (one byte a pixel)."""

_FLIP = Image.Transpose.FLIP_LEFT_RIGHT


class _LRU:
    """Least-recently-used mapping bounded by the bytes of its values (``nbytes``)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = self.misses = 0
        self._d: OrderedDict = OrderedDict()

    def get(self, key):
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return v

    def put(self, key, value) -> None:
        self._d[key] = value
        self.bytes += value.nbytes
        while self.bytes > self.max_bytes and len(self._d) > 1:
            _, old = self._d.popitem(last=False)
            self.bytes -= old.nbytes

    def clear(self) -> None:
        self._d.clear()
        self.bytes = self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._d)

    def info(self) -> dict:
        return dict(
            entries=len(self._d), mib=self.bytes / 2**20, hits=self.hits, misses=self.misses
        )


_SPRITES = _LRU(SPRITE_CACHE_BYTES)
_STRUCTS = _LRU(STRUCT_CACHE_BYTES)
_REGIONS = _LRU(REGION_CACHE_BYTES)


def cache_info() -> dict[str, dict]:
    return {"sprites": _SPRITES.info(), "structs": _STRUCTS.info(), "regions": _REGIONS.info()}


def clear_caches() -> None:
    _SPRITES.clear()
    _STRUCTS.clear()
    _REGIONS.clear()
    _source.cache_clear()


@dataclass(frozen=True, slots=True)
class Art:
    """A drawable at its drawn size: ``im`` (RGBa premultiplied for sprites, RGBA for
    structures with alpha 255 on the mask and 0 elsewhere; either is pasted with its own
    alpha), ``mask`` (h, w) bool: the object's pixels in the id map, ``labels`` (h, w)
    uint8 part labels (None: every mask pixel has label ``one``), ``counts``: pixels of each label
    1..k. ``relabel``: the layer changes no colour, only which object its pixels belong
    to (regions of the sprite drawn just before it; ``im`` is that sprite's art, and the
    renderer does not paste it)."""

    im: Image.Image
    mask: np.ndarray
    labels: np.ndarray | None
    one: int
    counts: tuple[int, ...]
    nbytes: int
    relabel: bool = False


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


@functools.lru_cache(maxsize=4096)
def _source(atlas: str, cat: str, pose: str, idx: int) -> Image.Image:
    """A sprite's native art, premultiplied (RGBa)."""
    spr = get_atlas(atlas).sprites(cat, pose)[idx]
    return Image.fromarray(np.ascontiguousarray(spr.rgba), "RGBA").convert("RGBa")


def sprite_art(atlas: str, cat: str, pose: str, idx: int, h: int) -> Art:
    """A sprite resized to h pixels high (premultiplied resize); tinted and mirrored at
    draw time."""
    key = (atlas, cat, pose, idx, h)
    art = _SPRITES.get(key)
    if art is None:
        src = _source(atlas, cat, pose, idx)
        sw, sh = src.size
        w = max(2, int(np.rint(h * sw / sh)))
        if (w, h) == (sw, sh):
            im = src
        elif h < sh:
            im = src.resize((w, h), Image.Resampling.BILINEAR)
        else:
            im = src.resize((w, h), Image.Resampling.BICUBIC)
            # bicubic overshoot: a premultiplied channel above alpha would wrap in paste
            arr = np.array(im)
            np.minimum(arr[..., :3], arr[..., 3:], out=arr[..., :3])
            im = Image.frombuffer("RGBa", (w, h), arr, "raw", "RGBa", 0, 1)
        mask = np.asarray(im.getchannel(3)) >= 128
        mask.setflags(write=False)
        art = Art(im, mask, None, 1, (int(np.count_nonzero(mask)),), 5 * w * h + 512)
        _SPRITES.put(key, art)
    return art


class _Codes:
    __slots__ = ("codes", "hist", "names", "nbytes")

    def __init__(self, names, codes) -> None:
        self.names, self.codes = names, codes
        self.hist = np.bincount(codes.ravel(), minlength=256)
        self.nbytes = codes.nbytes + 2560


def _region_codes(atlas: str, cat: str, pose: str, idx: int, h: int) -> _Codes:
    """Region codes of a sprite drawn h pixels high (see
    :func:`.structures.sprite_region_codes`): one per sprite size, whatever names a scene
    asks of it."""
    key = (atlas, cat, pose, idx, h)
    c = _REGIONS.get(key)
    if c is None:
        art = sprite_art(atlas, cat, pose, idx, h)
        opaque = np.asarray(art.im.getchannel(3)) == 255
        names, codes = sprite_region_codes(atlas, cat, pose, idx, opaque)
        codes.setflags(write=False)
        c = _Codes(names, codes)
        _REGIONS.put(key, c)
    return c


def _sprite_part_art(kind: str, w: int, h: int) -> Art:
    """A sprite-part layer (``sprite|atlas|cat|pose|idx|flip|names``): the sprite's opaque
    pixels of each named region, label k for names[k - 1] (the first name that covers a
    pixel), mirrored with the sprite."""
    _, atlas, cat, pose, idx, flip, names = kind.split("|")
    c = _region_codes(atlas, cat, pose, int(idx), h)
    lut = region_label_lut(c.names, tuple(names.split(",")))
    labels = lut[c.codes]
    k = int(lut.max())
    counts = np.bincount(lut, weights=c.hist, minlength=k + 1)[1:]
    if flip == "1":
        labels = labels[:, ::-1]
    mask = labels > 0
    for arr in (mask, labels):
        arr.setflags(write=False)
    im = sprite_art(atlas, cat, pose, int(idx), h).im
    counts_t = tuple(int(x) for x in counts)
    return Art(im, mask, labels, 1, counts_t, 2 * labels.size + 512, relabel=True)


def struct_art(kind: str, w: int, h: int, variant: int, front) -> Art:
    key = (kind, w, h, variant, front)
    art = _STRUCTS.get(key)
    if art is None and kind.startswith("sprite|"):
        art = _sprite_part_art(kind, w, h)
        _STRUCTS.put(key, art)
    if art is None:
        g = geom(kind, w, h, variant)
        labels, rgb = rasterize(g, front)
        k = len(g.parts)
        mask = labels > 0
        counts = tuple(int(c) for c in np.bincount(labels.ravel(), minlength=k + 1)[1:])
        hh, ww = labels.shape
        # RGBA with the mask as alpha (255 / 0), pasted with its own alpha: the pixels an
        # RGB image pasted through the mask as an L image gives, without that second image
        # (and Image.fromarray maps RGBA where it decodes RGB)
        rgba = np.empty((hh, ww, 4), np.uint8)
        rgba[..., :3] = rgb
        np.multiply(mask, np.uint8(255), out=rgba[..., 3], dtype=np.uint8, casting="unsafe")
        im = Image.fromarray(rgba, "RGBA")
        present = [j for j, c in enumerate(counts, start=1) if c]
        multi = len(present) > 1
        lab = labels if multi else None
        for arr in (mask, labels):
            arr.setflags(write=False)
        one = present[0] if present else 1
        art = Art(im, mask, lab, one, counts, (6 if multi else 5) * ww * hh + 512)
        _STRUCTS.put(key, art)
    return art


@dataclass(frozen=True)
class Drawable:
    """A sprite as 16-bit premultiplied arrays (kept for callers that relabel sprite pixels,
    e.g. :mod:`.structures`): ``pm`` colour x alpha256, ``inv`` 256 - alpha256."""

    pm: np.ndarray  # (h, w, 3) uint16
    inv: np.ndarray  # (h, w, 1) uint16
    labels: np.ndarray  # (h, w) uint8
    counts: tuple[int, ...]


def sprite_drawable(atlas: str, cat: str, pose: str, idx: int, h: int) -> Drawable:
    art = sprite_art(atlas, cat, pose, idx, h)
    rgba = np.asarray(art.im.convert("RGBA"))
    a256 = (rgba[..., 3].astype(np.uint16) * 256 + 127) // 255
    pm = rgba[..., :3].astype(np.uint16) * a256[..., None]
    return Drawable(pm, (256 - a256)[..., None], art.mask.view(np.uint8), art.counts)


@functools.lru_cache(maxsize=16)
def _tint_lut(tint: int, bands: int) -> list[int] | None:
    """Pillow point table of a tint (gains normalised to <= 1), None for neutral."""
    g = np.array(TINTS[tint][1], np.float64)
    g = g / g.max() if g.max() > 1 else g
    gain = np.rint(g * 256).astype(np.int64)
    if (gain == 256).all():
        return None
    v = np.arange(256)
    lut = [((v * gi) >> 8).tolist() for gi in gain]
    if bands == 4:
        lut.append(v.tolist())
    return [x for band in lut for x in band]


@functools.lru_cache(maxsize=1024)
def _shadow(rx: int, ry: int) -> Image.Image:
    """Shadow mask (L): 90 at the centre falling to 0 at the ellipse's edge."""
    yy = (np.arange(-ry, ry + 1) / max(ry, 1))[:, None]
    xx = (np.arange(-rx, rx + 1) / max(rx, 1))[None, :]
    d = np.clip(1 - (xx**2 + yy**2), 0, 1)
    return Image.fromarray(np.rint(90 * d).astype(np.uint8), "L")


def _drawn(im: Image.Image, flip: bool, lut: list[int] | None):
    """The core image of sprite art ``im`` as drawn: mirrored, then tinted (what
    ``im.transpose(FLIP)`` and ``im.point(lut)`` give, without a Pillow image around each)."""
    try:
        c = im.im
        if flip:
            c = c.transpose(_FLIP)
        return c if lut is None else c.point(lut, None)
    except (AttributeError, TypeError):  # a Pillow without these core calls
        if flip:
            im = im.transpose(_FLIP)
        return (im if lut is None else im.point(lut)).im


def layer_drawable(scene, layer) -> Art | None:
    """The cached drawable of a layer (unmirrored; ``counts`` per label), None for overlays."""
    if layer.kind == "sprite":
        cat, pose, idx, h, _flip = layer.key
        return sprite_art(scene.atlas, cat, pose, idx, h)
    if layer.kind == "struct":
        return struct_art(*layer.key)
    return None


def render_scene(scene) -> WorldRendering:
    W, H = scene.width, scene.height
    bd_labels, bd_img = backdrop_image(scene.scene_type, scene.variant, W, H)
    img = bd_img.copy()
    # Image.paste's own checks cost ~2 us a call (~20 calls a scene); these images are all
    # made in memory, modes allowed as they are (RGBa / RGBA / L onto RGB), so the core
    # paste with a 4-tuple box does what Image.paste does with the 2-tuple
    core = img.im
    ids = bd_labels.astype(np.uint16)  # backdrop piece k is oid k, rank k
    depth = ids.copy()
    nb = len(scene.backdrop.pieces)
    lut4 = _tint_lut(scene.tint, 4)
    copyto = np.copyto
    arts: list = [None] * len(scene.layers)  # each layer's drawable, for the graph
    scene._cache["arts"] = (scene.layers, arts)
    for i, layer in enumerate(scene.layers):
        rank = nb + i + 1
        x0, y0 = layer.x, layer.y
        if layer.shadow is not None:
            sx, sy, rx, ry = layer.shadow
            sm, bx, by = _shadow(rx, ry), sx - rx, sy - ry
            core.paste((0, 0, 0), (bx, by, bx + sm.width, by + sm.height), sm.im)
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x0 + layer.w, W), min(y0 + layer.h, H)
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        ys, xs = slice(cy0, cy1), slice(cx0, cx1)
        kind = layer.kind
        if kind == "overlay":
            core.paste(bd_img.crop((cx0, cy0, cx1, cy1)).im, (cx0, cy0, cx1, cy1))
            ids[ys, xs] = bd_labels[ys, xs]
            depth[ys, xs] = rank
            continue
        if kind == "sprite":
            cat, pose, idx, h, flip = layer.key
            art = arts[i] = sprite_art(scene.atlas, cat, pose, idx, h)
            mask = art.mask[:, ::-1] if flip else art.mask
            c = _drawn(art.im, flip, lut4)
            cw, ch = c.size
            core.paste(c, (x0, y0, x0 + cw, y0 + ch), c)
        else:
            art = arts[i] = struct_art(*layer.key)
            mask = art.mask
            if not art.relabel:
                c = _drawn(art.im, False, lut4)
                cw, ch = c.size
                core.paste(c, (x0, y0, x0 + cw, y0 + ch), c)
        sl = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
        m = mask[sl]
        if art.labels is None:
            copyto(ids[ys, xs], layer.oids[art.one - 1], where=m)
        else:
            lut = np.array((0, *layer.oids), np.uint16)
            copyto(ids[ys, xs], lut[art.labels[sl]], where=m)
        copyto(depth[ys, xs], rank, where=m)
    return WorldRendering(img, ids, depth)
