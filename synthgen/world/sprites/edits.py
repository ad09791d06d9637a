"""Editing sprite scenes: one thing removed, replaced, resized, moved, mirrored or recoloured.

Every function here takes a :class:`~synthgen.world.sprites.scene.SpriteScene` and returns
an :class:`Edited` scene built from the same layers, so the two renders differ only where
the edited thing's layers draw (its art and its ground shadow): :func:`footprint` gives
that region exactly (every pixel a layer's art touches with alpha > 0, every pixel its
shadow ellipse darkens), from the layer geometry alone, never from a pixel difference.

What may be edited (:func:`editable`): a *leaf thing*: a placed thing (role ``thing``)
that nothing else rests on, is held by, worn by, in or part of, apart from its own
parts. Removing a leaf leaves nothing floating; every other object keeps its layer,
position and relations. "Adding" a thing is the reverse of removing it (the scene
without the thing, then the scene with it): the rule that placed it made its relations
true, so the added thing sits where a person expects it (the cup on the table, the
umbrella in the hand).

Relations are kept by construction: an edited thing keeps its foot point (replace, resize,
mirror, recolour) or its foot row (lateral move), and the graph builder re-checks every
contact relation against the new rendering (a moved cup that left the table top fails
there, and the caller redraws). The layer order is unchanged (a lateral move keeps the
thing's ground depth, the draw order's key), so nothing is drawn in front of what it
should be behind.

Object ids: removal drops the thing's objects and renumbers the rest in order
(``Edited.oid_map``: base oid -> edited oid or None); the other edits keep every id.
Scenes are frozen dataclasses; each edit makes a new one with an empty render cache.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from synthgen.world.sprites.colours import colour_share, colour_word, named_colour
from synthgen.world.sprites.render import _shadow, layer_drawable
from synthgen.world.sprites.scene import (
    HELD,
    REST_ON,
    SLayer,
    SObject,
    SpriteScene,
    SRelation,
    Tables,
    _index_in,
    qsize,
)

DEPENDS_ON_SUBJECT = HELD | {"wearing", "attached to"}
"""Predicates whose *object* is placed by the subject (the umbrella a man holds; the light
a wire is attached to hangs by it)."""
DEPENDS_ON_OBJECT = REST_ON | {
    "growing on",
    "hanging from",
    "walking on",
    "walking in",
    "standing on",
    "parked on",
    "flying in",
    "attached to",
}
"""Predicates whose *subject* is placed on/by the object (the cup on the table; the wire
attached to a hanging light ends at it). A hanging light and its wire depend on each
other: neither is a leaf ("Delete the wire from the picture" left the light floating)."""
PART = frozenset({"has", "of", "part of"})


@dataclass(frozen=True)
class Edited:
    """An edited scene: ``changed_before`` / ``changed_after`` are the layer indices (draw
    order) of the edited thing in the base and in the edited scene; ``oid_map`` maps every
    base oid to its oid in the edited scene (None: removed)."""

    scene: SpriteScene
    changed_before: tuple[int, ...]
    changed_after: tuple[int, ...]
    oid_map: dict[int, int | None]


def _copy(scene: SpriteScene, **changes) -> SpriteScene:
    return dataclasses.replace(scene, _cache={}, **changes)


def parts_of(scene: SpriteScene, oid: int) -> set[int]:
    """The objects drawn as parts of thing ``oid`` (its struct parts, its sprite regions),
    with ``oid`` itself."""
    out = {oid}
    for lay in scene.layers:
        if oid in lay.oids:
            out.update(lay.oids)
    for o in scene.objects:
        if o.whole in out:
            out.add(o.oid)
    return {k for k in out if k == oid or scene.objects[k - 1].role == "part"}


def dependents(scene: SpriteScene, oid: int) -> set[int]:
    """Things placed on, in, by or as part of ``oid`` or its parts (not its parts)."""
    mine = parts_of(scene, oid)
    out = set()
    for r in scene.relations:
        if r.object in mine and r.predicate in DEPENDS_ON_OBJECT and r.subject not in mine:
            out.add(r.subject)
        if r.subject in mine and r.predicate in DEPENDS_ON_SUBJECT and r.object not in mine:
            out.add(r.object)
        if r.kind == "part" and (r.subject in mine) != (r.object in mine):
            other = r.object if r.subject in mine else r.subject
            if scene.objects[other - 1].role != "backdrop":
                out.add(other)
    return out


def layers_of(scene: SpriteScene, oids: set[int]) -> tuple[int, ...]:
    """Indices (draw order) of the layers that draw any of ``oids``."""
    return tuple(i for i, lay in enumerate(scene.layers) if set(lay.oids) & oids)


def editable(scene: SpriteScene, oid: int) -> bool:
    """Whether ``oid`` is a leaf thing (module docstring): a placed thing whose layers
    draw only itself and its parts, and that nothing else depends on."""
    o = scene.objects[oid - 1]
    if o.role != "thing":
        return False
    mine = parts_of(scene, oid)
    if any(not set(scene.layers[i].oids) <= mine for i in layers_of(scene, mine)):
        return False
    return not dependents(scene, oid)


def leaf_things(scene: SpriteScene) -> list[int]:
    return [o.oid for o in scene.objects if editable(scene, o.oid)]


def relations_of(scene: SpriteScene, oid: int) -> list[SRelation]:
    """The by-construction relations of thing ``oid`` with other things or the backdrop
    (its own part relations left out)."""
    mine = parts_of(scene, oid)
    return [
        r
        for r in scene.relations
        if (r.subject == oid or r.object == oid)
        and not (r.subject in mine and r.object in mine)
        and r.kind != "part"
    ]


def remove(scene: SpriteScene, oid: int) -> Edited:
    """The scene without leaf thing ``oid`` and its parts (ids renumbered in order)."""
    gone = parts_of(scene, oid)
    oid_map: dict[int, int | None] = {}
    k = 0
    for o in scene.objects:
        if o.oid in gone:
            oid_map[o.oid] = None
        else:
            k += 1
            oid_map[o.oid] = k
    objects = tuple(
        dataclasses.replace(o, oid=oid_map[o.oid], whole=oid_map[o.whole] if o.whole else 0)
        for o in scene.objects
        if o.oid not in gone
    )
    layers = tuple(
        dataclasses.replace(lay, oids=tuple(oid_map[i] for i in lay.oids))
        for lay in scene.layers
        if not set(lay.oids) & gone
    )
    relations = tuple(
        dataclasses.replace(r, subject=oid_map[r.subject], object=oid_map[r.object])
        for r in scene.relations
        if r.subject not in gone and r.object not in gone
    )
    before = layers_of(scene, gone)
    edited = _copy(scene, objects=objects, layers=layers, relations=relations)
    return Edited(edited, before, (), oid_map)


def _main_layer(scene: SpriteScene, oid: int) -> int | None:
    for i, lay in enumerate(scene.layers):
        if lay.kind == "sprite" and lay.oids == (oid,):
            return i
    return None


def _sprite_object(
    o: SObject, tables: Tables, cat: str, spr, x0: int, y0: int, w: int, h: int, flip: bool
) -> SObject:
    """``o`` drawn as sprite ``spr`` of ``cat`` at (x0, y0, w, h): names, colour, anchors and
    facing from the new art (its pose word and other attributes kept)."""
    c = tables.cat(cat)
    anchors = tuple(
        (k, (x0 + (1.0 - ax if flip else ax) * w, y0 + ay * h))
        for k, (ax, ay) in spr.anchors.items()
    )
    facing = spr.facing
    if flip and facing in ("left", "right"):
        facing = "right" if facing == "left" else "left"
    old_colour = colour_word(o.attributes)
    rest = tuple(a for a in o.attributes if a != old_colour)
    attributes = tuple(dict.fromkeys(a for a in (named_colour(spr), *rest) if a))
    renamed = cat != o.category
    return dataclasses.replace(
        o,
        name=c.name if renamed else o.name,
        alt=() if renamed else o.alt,
        category=c.name,
        synset=c.synset,
        group=c.group,
        attributes=attributes,
        anchors=anchors,
        facing=facing,
    )


def _redraw(
    scene: SpriteScene,
    oid: int,
    tables: Tables,
    cat: str,
    spr,
    h: int,
    flip: bool,
    foot_cx: tuple[float, int] | None = None,
) -> Edited | None:
    """Leaf thing ``oid`` (one sprite layer, no parts) drawn as ``spr`` at height ``h``,
    its foot point kept (or moved to ``foot_cx`` = (centre x, foot row))."""
    i = _main_layer(scene, oid)
    if i is None or parts_of(scene, oid) != {oid}:
        return None
    lay = scene.layers[i]
    sh, sw = spr.rgba.shape[:2]
    w = max(2, int(np.rint(h * sw / sh)))
    cx, foot = foot_cx if foot_cx is not None else (lay.x + lay.w / 2, lay.y + lay.h)
    x0 = int(np.rint(cx - w / 2))
    y0 = foot - h
    W = scene.width
    if y0 < min(lay.y, 0) or x0 < min(lay.x, 0) or x0 + w > max(lay.x + lay.w, W):
        return None  # the redrawn thing would leave the frame further than it did
    if (x0, y0, w, h) != (lay.x, lay.y, lay.w, lay.h) and _under_water_line(scene, i):
        return None  # the backdrop drawn over its lower part would stay where it was
    shadow = None
    if lay.shadow is not None:
        shadow = (int(x0 + w / 2), int(y0 + h), max(2, int(w * 0.45)), max(1, int(h * 0.05)))
    key = (cat, spr.pose, _index_in(tables.atlas, cat, spr), h, flip)
    new_layer = dataclasses.replace(lay, key=key, x=x0, y=y0, w=w, h=h, shadow=shadow)
    o = scene.objects[oid - 1]
    new_obj = _sprite_object(o, tables, cat, spr, x0, y0, w, h, flip)
    if foot_cx is not None and o.pos is not None:
        s = scene.backdrop.scale(foot)
        new_obj = dataclasses.replace(new_obj, pos=(round((cx - scene.width / 2) / s, 3), o.pos[1]))
    objects = (*scene.objects[: oid - 1], new_obj, *scene.objects[oid:])
    layers = (*scene.layers[:i], new_layer, *scene.layers[i + 1 :])
    edited = _copy(scene, objects=objects, layers=layers)
    return Edited(edited, (i,), (i,), {o.oid: o.oid for o in scene.objects})


def _under_water_line(scene: SpriteScene, i: int) -> bool:
    """Whether layer ``i`` has a backdrop overlay drawn over its lower part (a swimmer's
    or a surfer's water line, a boat's hull): an overlay within its columns whose bottom
    is its foot row. Moved or resized alone, the thing would stand on the water, and a
    patch of water would float where it was."""
    lay = scene.layers[i]
    foot = min(lay.y + lay.h, scene.height)
    return any(
        o.kind == "overlay"
        and o.y + o.h == foot
        and lay.y < o.y
        and max(lay.x, 0) <= o.x
        and o.x + o.w <= lay.x + lay.w
        for o in scene.layers
    )


def current_sprite(scene: SpriteScene, tables: Tables, oid: int):
    """(sprite, layer) of leaf thing ``oid``'s main sprite layer, or None."""
    i = _main_layer(scene, oid)
    if i is None:
        return None
    lay = scene.layers[i]
    cat, pose, idx, _h, _flip = lay.key
    sprites = tables.atlas.sprites(cat, pose)
    return (sprites[idx], lay) if idx < len(sprites) else None


def metres_per_pixel_height(tables: Tables, cat: str, h: int) -> float:
    """Pixels per metre of a thing of ``cat`` drawn ``h`` pixels tall, taking it at the middle
    of its category's height range."""
    lo, hi = tables.cat(cat).height_m
    return h / max((lo + hi) / 2, 1e-3)


def replace(scene: SpriteScene, oid: int, tables: Tables, cat: str, u: float) -> Edited | None:
    """Leaf thing ``oid`` replaced by a thing of category ``cat`` at the same foot point and
    scale (its height from the middle of ``cat``'s real height range); ``u`` picks the
    sprite among ``cat``'s default-pose sprites facing the same way where possible."""
    got = current_sprite(scene, tables, oid)
    if got is None:
        return None
    old, lay = got
    sprites = tables.atlas.sprites(cat)
    stand = tables.poses.get(cat, {}).get("stand")
    plain = [s for s in sprites if s.pose in ("", stand)] or list(sprites)
    if not plain:
        return None
    same = [s for s in plain if s.facing == old.facing] or plain
    spr = same[int(u * len(same))]
    px_per_m = metres_per_pixel_height(tables, lay.key[0], lay.h)
    lo, hi = tables.cat(cat).height_m
    h = qsize(min(px_per_m * (lo + hi) / 2, 1.2 * scene.height))
    return _in_depth(_redraw(scene, oid, tables, cat, spr, h, lay.key[4]), oid)


def resize(scene: SpriteScene, oid: int, tables: Tables, factor: float) -> Edited | None:
    """Leaf thing ``oid`` drawn ``factor`` times as tall (same art, same foot point)."""
    got = current_sprite(scene, tables, oid)
    if got is None:
        return None
    spr, lay = got
    h = qsize(lay.h * factor)
    if h == lay.h:
        return None
    return _in_depth(_redraw(scene, oid, tables, lay.key[0], spr, h, lay.key[4]), oid)


def mirror(scene: SpriteScene, oid: int, tables: Tables) -> Edited | None:
    """Leaf thing ``oid`` mirrored left-right about its centre (it faces the other way)."""
    got = current_sprite(scene, tables, oid)
    if got is None or got[0].facing not in ("left", "right"):
        return None
    spr, lay = got
    return _redraw(scene, oid, tables, lay.key[0], spr, lay.h, not lay.key[4])


RECOLOUR_SHARE = 0.5
"""A thing is recoloured only when at least this share of its pixels, before and after, is
the colour it is named by (a red car and a blue car; not a "purple" striped bee)."""


def _recolourable(spr) -> bool:
    return named_colour(spr) != "" and colour_share(spr, spr.color) >= RECOLOUR_SHARE


def recolour_options(scene: SpriteScene, tables: Tables, oid: int) -> list:
    """Other sprites of the thing's category and pose whose dominant colour differs (the art
    that exists in another colour: a red car and a blue car), both mostly their colour
    (:data:`RECOLOUR_SHARE`) and named by it (``colours.named_colour``)."""
    got = current_sprite(scene, tables, oid)
    if got is None or not _recolourable(got[0]):
        return []
    spr, lay = got
    seen = {spr.color}
    out = []
    for s in tables.atlas.sprites(lay.key[0], lay.key[1]):
        if not _recolourable(s):
            continue
        if s.color not in seen and s.facing == spr.facing:
            seen.add(s.color)
            out.append(s)
    return out


def recolour(scene: SpriteScene, oid: int, tables: Tables, spr) -> Edited | None:
    """Leaf thing ``oid`` drawn with ``spr`` (one of :func:`recolour_options`), same height."""
    got = current_sprite(scene, tables, oid)
    if got is None:
        return None
    _, lay = got
    return _redraw(scene, oid, tables, lay.key[0], spr, lay.h, lay.key[4])


def move(scene: SpriteScene, oid: int, tables: Tables, dx: int) -> Edited | None:
    """Leaf thing ``oid`` moved ``dx`` pixels sideways on its foot row (same ground depth)."""
    got = current_sprite(scene, tables, oid)
    if got is None:
        return None
    spr, lay = got
    cx = lay.x + lay.w / 2 + dx
    if cx - lay.w / 2 < 0 or cx + lay.w / 2 > scene.width:
        return None
    foot_cx = (cx, lay.y + lay.h)
    return _in_depth(_redraw(scene, oid, tables, lay.key[0], spr, lay.h, lay.key[4], foot_cx), oid)


def move_in_depth(
    scene: SpriteScene, oid: int, tables: Tables, foot: int, dx: int = 0
) -> Edited | None:
    """Leaf thing ``oid``, standing on a ground band, moved to foot row ``foot`` on a band of
    the same piece (and ``dx`` pixels sideways): drawn at that row's scale (nearer is bigger
    and lower) and depth, its layer moved in the draw order to where that depth sorts (the
    order is by decreasing ``SLayer.z``). None for a thing not placed at its foot row's
    ground depth (on a table, held, against a wall) or a row on another piece."""
    got = current_sprite(scene, tables, oid)
    i = _main_layer(scene, oid)
    if got is None or i is None:
        return None
    spr, lay = got
    bd = scene.backdrop
    old_foot = lay.y + lay.h
    here, there = bd.band_at(old_foot - 1), bd.band_at(foot - 1)
    if here is None or there is None or here.piece != there.piece:
        return None
    if abs(lay.z - bd.depth(old_foot)) > 1e-6 * max(lay.z, 1.0):
        return None  # not standing at its own foot row's depth
    h = qsize(lay.h * bd.scale(foot) / bd.scale(old_foot))
    cx = lay.x + lay.w / 2 + dx
    got_edit = _redraw(scene, oid, tables, lay.key[0], spr, h, lay.key[4], (cx, foot))
    if got_edit is None:
        return None
    z = bd.depth(foot)
    layers = list(got_edit.scene.layers)
    moved = dataclasses.replace(layers.pop(i), z=z)
    j = next((k for k, other in enumerate(layers) if other.z < z), len(layers))
    layers.insert(j, moved)
    o = got_edit.scene.objects[oid - 1]
    if o.pos is not None:
        o = dataclasses.replace(o, pos=(o.pos[0], round(z, 3)))
    objects = (*got_edit.scene.objects[: oid - 1], o, *got_edit.scene.objects[oid:])
    edited = _copy(scene, objects=objects, layers=tuple(layers))
    return _in_depth(Edited(edited, (i,), (j,), got_edit.oid_map), oid)


def _in_depth(edited: Edited | None, oid: int) -> Edited | None:
    """``edited``, or None when the redrawn thing ``oid`` (moved, resized, replaced: drawn
    at its old place in the draw order) meets a thing on the wrong side of it
    (:func:`drawn_out_of_depth`)."""
    if edited is None or drawn_out_of_depth(edited.scene, oid):
        return None
    return edited


DEPTH_SLACK = 4
"""Foot rows (pixels) within which two overlapping things may be drawn either way round."""


def drawn_out_of_depth(scene: SpriteScene, oid: int) -> bool:
    """Whether leaf thing ``oid``'s art overlaps the art of another thing that the draw
    order puts on the wrong side of it: one drawn behind it that stands clearly nearer (its
    foot row lower by over :data:`DEPTH_SLACK` pixels), or one drawn over it that stands
    clearly farther. A thing moved sideways keeps its place in the draw order: a chair
    moved over a desk that stood nearer the camera was drawn on top of the desk. The
    thing's own support (the table a cup stands on) and backdrop pieces are not compared:
    their foot rows say nothing of the thing's depth."""
    i = _main_layer(scene, oid)
    if i is None:
        return False
    lay = scene.layers[i]
    foot = lay.y + lay.h
    skip = parts_of(scene, oid)
    support = support_of(scene, oid)
    if support is not None:
        skip |= parts_of(scene, support[0])
    mine: np.ndarray | None = None
    for j, other in enumerate(scene.layers):
        if j == i or other.kind == "overlay" or skip.intersection(other.oids):
            continue
        if all(scene.objects[k - 1].role == "backdrop" for k in other.oids):
            continue
        x0, x1 = max(lay.x, other.x), min(lay.x + lay.w, other.x + other.w)
        y0, y1 = max(lay.y, other.y), min(lay.y + lay.h, other.y + other.h)
        if x0 >= x1 or y0 >= y1:
            continue
        other_foot = other.y + other.h
        if (other_foot <= foot + DEPTH_SLACK) if j < i else (other_foot >= foot - DEPTH_SLACK):
            continue  # drawn behind and not nearer, or drawn over and not farther
        if mine is None:
            mine = _art_alpha(scene, lay)
        theirs = _art_alpha(scene, other)
        if mine is None or theirs is None:
            continue
        a = mine[y0 - lay.y : y1 - lay.y, x0 - lay.x : x1 - lay.x]
        b = theirs[y0 - other.y : y1 - other.y, x0 - other.x : x1 - other.x]
        if (a & b).any():
            return True
    return False


def _art_alpha(scene: SpriteScene, lay: SLayer) -> np.ndarray | None:
    """(h, w) bool: the pixels of a layer's art (alpha > 0, as drawn: mirrored when the
    layer is), without its shadow; None for an overlay."""
    art = layer_drawable(scene, lay)
    if art is None:
        return None
    if lay.kind == "sprite":
        alpha = np.asarray(art.im.split()[-1]) > 0
        if lay.key[4]:
            alpha = alpha[:, ::-1]
        return alpha | art.mask if alpha.shape == art.mask.shape else alpha
    return art.mask


def depth_row(scene: SpriteScene, oid: int, factor: float) -> int | None:
    """The foot row at which thing ``oid`` (on a ground band) is drawn ``factor`` times as
    tall (> 1: nearer), or None when that row is off its band."""
    i = _main_layer(scene, oid)
    if i is None:
        return None
    lay = scene.layers[i]
    bd = scene.backdrop
    old_foot = lay.y + lay.h
    band = bd.band_at(old_foot - 1)
    if band is None:
        return None
    foot = round(bd.horizon + (old_foot - bd.horizon) * factor)
    return foot if band.y0 < foot <= band.y1 and foot <= scene.height else None


def footprint(scene: SpriteScene, layers: tuple[int, ...]) -> np.ndarray:
    """(H, W) bool: every pixel the given layers can change: their art's pixels with alpha
    > 0 (a sprite's soft edge included, not only its id-map pixels) and their shadow
    ellipses. Computed from the layers alone (module docstring)."""
    W, H = scene.width, scene.height
    out = np.zeros((H, W), dtype=bool)
    for i in layers:
        lay = scene.layers[i]
        if lay.shadow is not None:
            sx, sy, rx, ry = lay.shadow
            _paint(out, np.asarray(_shadow(rx, ry)) > 0, sx - rx, sy - ry)
        alpha = _art_alpha(scene, lay)
        if alpha is None:  # an overlay: backdrop pixels over its box
            alpha = np.ones((lay.h, lay.w), dtype=bool)
        _paint(out, alpha, lay.x, lay.y)
    return out


def _paint(out: np.ndarray, m: np.ndarray, x0: int, y0: int) -> None:
    H, W = out.shape
    h, w = m.shape
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if cx1 > cx0 and cy1 > cy0:
        out[cy0:cy1, cx0:cx1] |= m[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]


def shadow_box(scene: SpriteScene, layers: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """Inclusive (x0, y0, x1, y1) box of the given layers' shadow ellipses in the image."""
    boxes = []
    for i in layers:
        sh = scene.layers[i].shadow
        if sh is not None:
            sx, sy, rx, ry = sh
            boxes.append(
                (
                    max(sx - rx, 0),
                    max(sy - ry, 0),
                    min(sx + rx, scene.width - 1),
                    min(sy + ry, scene.height - 1),
                )
            )
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


__all__ = [
    "Edited",
    "SLayer",
    "dependents",
    "editable",
    "footprint",
    "leaf_things",
    "mirror",
    "move",
    "recolour",
    "recolour_options",
    "remove",
    "replace",
    "resize",
]


ATTACH_VERBS: dict[str, str] = {
    "holding": "holding",
    "carrying": "carrying",
    "playing": "playing with",
    "eating": "eating",
    "wearing": "wearing",
}
"""Predicates that attach a thing to a person or animal, and how "X is now ... Y" reads."""


def holder_of(scene: SpriteScene, oid: int) -> tuple[int, str] | None:
    """(holder oid, predicate) when ``oid`` is held, carried, played with, eaten or worn."""
    for r in scene.relations:
        if r.object == oid and r.predicate in ATTACH_VERBS:
            return r.subject, r.predicate
    return None


def support_of(scene: SpriteScene, oid: int) -> tuple[int, str] | None:
    """(support oid, predicate) of the thing ``oid`` rests on, stands on or is in."""
    for r in scene.relations:
        if r.subject == oid and r.predicate in DEPENDS_ON_OBJECT:
            return r.object, r.predicate
    return None


POSTURE = frozenset({"riding", "sitting on", "lying on", "laying on", "on back of"})
"""Predicates whose subject is drawn in a pose that fits its support (a man on a skateboard,
a cat lying on the bed): moved or redrawn alone it would ride or lie on nothing."""


def posed_on_support(scene: SpriteScene, oid: int) -> bool:
    """Whether thing ``oid`` rides, sits or lies on something (see :data:`POSTURE`)."""
    return any(r.subject == oid and r.predicate in POSTURE for r in scene.relations)


def is_sprite_thing(scene: SpriteScene, tables: Tables, oid: int) -> bool:
    """A leaf thing drawn as one atlas sprite with no parts (what replace, resize, move,
    mirror and recolour redraw)."""
    o = scene.objects[oid - 1]
    return (
        o.category in tables.atlas.categories
        and _main_layer(scene, oid) is not None
        and parts_of(scene, oid) == {oid}
    )


def _pools(tables: Tables) -> list[frozenset[str]]:
    got = getattr(tables, "_edit_pools", None)
    if got is None:
        got = []
        for value in vars(tables).values():
            if (
                isinstance(value, tuple | set | frozenset)
                and value
                and all(isinstance(v, str) for v in value)
            ):
                got.append(frozenset(value))
            elif isinstance(value, dict):
                got += [
                    frozenset(v)
                    for v in value.values()
                    if isinstance(v, tuple) and v and all(isinstance(x, str) for x in v)
                ]
        tables._edit_pools = got  # type: ignore[attr-defined]
    return got


def replacements(tables: Tables, category: str) -> tuple[str, ...]:
    """Categories a ``category`` thing may be replaced by: ones the scene rules place where
    it stands (some placement list holds both) that share its hypernym path but for the
    last word (a dog -> a cat: animal, mammal), else its first two words (an apple -> a
    carrot: food, produce); never only the first (the group: a potted plant is no
    mushroom). Sorted, so draws are reproducible."""
    c = tables.atlas.categories.get(category)
    if c is None or len(c.hypernyms) < 2:
        return ()
    near: set[str] = set()
    for pool in _pools(tables):
        if category in pool:
            near |= pool
    near.discard(category)
    cats = tables.atlas.categories
    for depth in (len(c.hypernyms) - 1, 2):
        if depth < 2:
            continue  # "plant" alone is the group, not a hypernym a person would swap within
        got = sorted(
            k
            for k in near
            if k in cats
            and cats[k].hypernyms[:depth] == c.hypernyms[:depth]
            and len(cats[k].hypernyms) > depth
            and tables.atlas.sprites(k)
        )
        if got:
            return tuple(got)
    return ()
