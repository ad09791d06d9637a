"""Sampling sprite scenes: scene type, backdrop, tint, then object groups placed by rules.

``sample_draft(rng, config, tables)`` is a pure function of the generator's state and the
config. Camera: the backdrop's horizon row and ground plane (see :mod:`.backdrop`): a thing
whose foot is on row ``y`` is drawn ``height_m * (y - horizon) / CAM_H`` pixels tall, where
``height_m`` is drawn from its category's real height range; farther things are smaller
and higher in the image. Things resting on other things take their support's scale.

Every placed instance remembers the rule (template) that placed it; the relations a rule
emits are true by construction (a cup put on the table's top band is ``on`` the table, an
umbrella anchored at a hand is ``held``), and are checked against the rendering by
:mod:`.graph` before the scene is accepted.

Draw order: backdrop pieces first (oids 1..k, in piece order), then layers far to near
(larger ground depth first). A thing resting on or held by another is drawn just after it
(depth minus a hair); a thing *in* a container or *under* a table just before it (the
container's front then hides part of it), so ``in`` is visible as occlusion.
"""

from __future__ import annotations

import functools
from dataclasses import MISSING, dataclass, field
from dataclasses import fields as dc_fields
from typing import Any

import numpy as np

from synthgen.world.sprites import grammar as G
from synthgen.world.sprites.backdrop import CAM_H as CAM_H_M
from synthgen.world.sprites.backdrop import TINTS, Backdrop, backdrop, variant_tint
from synthgen.world.sprites.colours import named_colour
from synthgen.world.sprites.structures import (
    STRUCTURE_SIZES,
    geom,
    sprite_part_kind,
    sprite_part_names,
)


class FastRng:
    """A :class:`numpy.random.Generator`'s own draws for the two calls sampling makes some
    250 times a scene -- ``integers(n)`` / ``integers(lo, hi)`` of a small range and
    ``random()`` -- read through the bit generator's C functions without the Generator's
    per-call argument handling (timeit: 1.4 vs 5.7 us for ``integers``): the same values
    in the same order, as numpy computes them (``integers``: Lemire's bounded draw on 32-bit
    words, as ``Generator.integers`` does for a range below 2**32; ``random``: the bit
    generator's ``next_double``). Anything else goes to the Generator. :func:`_fast_ok`
    checks on import that both agree with numpy's; where they do not, the Generator is
    used as is."""

    __slots__ = ("_g", "_st", "_u32", "random")

    def __init__(self, g: np.random.Generator) -> None:
        ct = g.bit_generator.ctypes
        self._g, self._st, self._u32 = g, ct.state, ct.next_uint32
        self.random = functools.partial(ct.next_double, ct.state)

    def integers(self, low: int, high: int | None = None) -> int:
        if high is None:
            low, high = 0, low
        n = high - low
        if n == 1:
            return low  # numpy draws nothing for a range of one
        if n <= 0 or n >= 0xFFFFFFFF:
            return int(self._g.integers(low, high))
        m = self._u32(self._st) * n
        left = m & 0xFFFFFFFF
        if left < n:
            threshold = (0x100000000 - n) % n
            while left < threshold:
                m = self._u32(self._st) * n
                left = m & 0xFFFFFFFF
        return low + (m >> 32)

    def __getattr__(self, name: str):
        return getattr(self._g, name)


def _fast_ok() -> bool:
    """Whether :class:`FastRng` draws what numpy's Generator draws (a mixed stream)."""
    try:
        a, b = np.random.default_rng(12345), FastRng(np.random.default_rng(12345))
        for i in range(400):
            n = 1 + (i * 7919) % (40 if i % 5 else 70_000)
            if int(a.integers(n)) != b.integers(n) or a.random() != b.random():
                return False
            if int(a.integers(2, n + 3)) != b.integers(2, n + 3):
                return False
        return int(a.integers(1 << 40)) == b.integers(1 << 40)
    except Exception:
        return False


FAST_RNG = _fast_ok()


def fast_rng(g: np.random.Generator):
    """``g`` wrapped in :class:`FastRng` where that draws the same values, else ``g``."""
    return FastRng(g) if FAST_RNG and isinstance(g, np.random.Generator) else g


@dataclass(frozen=True)
class SObject:
    oid: int
    name: str
    category: str  # atlas category, structure kind or backdrop piece name
    synset: str
    group: str
    role: str  # "backdrop", "thing" (placed instance) or "part" (of a structure)
    attributes: tuple[str, ...] = ()
    anchors: tuple[tuple[str, tuple[float, float]], ...] = ()  # image coordinates
    facing: str = "none"
    pose: str = ""
    pos: tuple[float, float] | None = None  # ground position (x, z) in metres
    rule: str = ""
    whole: int = 0  # a region of another object's sprite (a person's head): that object's oid
    alt: tuple[str, ...] = ()  # further names (the specific word when named generically)

    def anchor(self, name: str) -> tuple[float, float] | None:
        for k, v in self.anchors:
            if k == name:
                return v
        return None


@dataclass(frozen=True)
class SLayer:
    kind: str  # "sprite" | "struct" | "overlay"
    key: tuple  # sprite: (category, pose, index, height, flip); struct: (kind, w, h, v, front)
    x: int  # top-left in the image
    y: int
    w: int
    h: int
    oids: tuple[int, ...]  # label k of the drawable -> oids[k - 1]
    shadow: tuple[int, int, int, int] | None = None  # (cx, cy, rx, ry) ground shadow
    z: float = 0.0  # the depth key the draw order was sorted by (larger: farther)


@dataclass(frozen=True)
class SRelation:
    subject: int
    predicate: str
    object: int
    kind: str
    rule: str


def _defaults(cls) -> dict[str, Any]:
    return {f.name: f.default for f in dc_fields(cls) if f.default is not MISSING}


_SOBJECT_DEFAULTS = _defaults(SObject)
_SLAYER_DEFAULTS = _defaults(SLayer)
_NO_DEFAULTS: dict[str, Any] = {}


def _built(cls, defaults: dict[str, Any], values: dict[str, Any]):
    """``cls(**values)`` of a frozen dataclass without its generated ``__init__`` (which
    sets each field through ``object.__setattr__``: 3.4 vs 0.8 us for an SObject, ~30
    built per draft): the same fields, equal and hashing alike. ``values`` must name every
    field without a default, and no other name."""
    o = object.__new__(cls)
    d = o.__dict__
    d.update(defaults)
    d.update(values)
    return o


@dataclass(frozen=True)
class SpriteScene:
    scene_type: str
    variant: int
    tint: int
    width: int
    height: int
    atlas: str
    objects: tuple[SObject, ...]  # oid k is objects[k - 1]; backdrop pieces first
    layers: tuple[SLayer, ...]  # draw order, after the backdrop
    relations: tuple[SRelation, ...]  # by construction
    tries: int = 1
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def backdrop(self) -> Backdrop:
        return backdrop(self.scene_type, self.variant, self.width, self.height)

    @property
    def tint_name(self) -> str:
        return TINTS[self.tint][0]


class Tables:
    """The grammar resolved against one atlas (built once per world)."""

    def __init__(self, atlas: Any) -> None:
        self.atlas = atlas
        self._words: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._plain: dict[str, tuple] = {}  # see _plain_sprites
        plate = atlas.resolve("plate")
        self.plate = plate.name if plate else None
        r = lambda ws: G.resolve_words(atlas, ws)  # noqa: E731
        self.table_top = r(G.TABLE_TOP)
        self.counter_top = r(G.COUNTER_TOP)
        desk_top = r(G.DESK_TOP)
        office_only, classroom_only = set(r(G.OFFICE_ONLY)), set(r(G.CLASSROOM_ONLY))
        self.desk_top = {
            "office": tuple(c for c in desk_top if c not in classroom_only),
            "classroom": tuple(c for c in desk_top if c not in office_only),
        }
        self.desk_computers = r(G.DESK_COMPUTERS)
        self.shelf_items = r(G.SHELF_ITEMS)
        self.cabinet_top = r(G.CABINET_TOP)
        self.containers = {c: r(v) for k, v in G.CONTAINERS.items() for c in r([k]) if r(v)}
        # people drawn whole (standing/walking/sitting poses), not the portrait emoji
        self.people = tuple(c for c in r(G.SITTERS) if self._has_pose(c, "stand"))
        self.sitters = tuple(c for c in self.people if self._has_pose(c, "sit"))
        self.solo = {k: r(v) for k, v in G.SOLO_ATHLETES.items()}
        self.seats = r(G.SEATS)
        self.rides = r(G.RIDES)
        # ridden standing: skis on snow, a skateboard on the street (a skateboard on a ski
        # slope was 4 in 10 of the skiers' boards)
        self.boards = r(("skis", "ski", "snowboard"))
        self.skateboards = r(("skateboard",))
        self.surfboards = r(G.RIDE_ON_WATER)
        self.hold = r(G.HOLD)
        self.carry = set(r(G.CARRY))
        self.play = set(r(G.PLAY))
        self.eat_held = set(r(G.EAT_HELD))
        self.wear_head = r(G.WEAR_HEAD)
        self.wear_face = r(G.WEAR_FACE)
        self.wear_back = r(G.WEAR_BACK)
        self.helmets = r(("helmet",))
        self.wall_mount = r(G.WALL_MOUNT)
        self.hang = r(G.HANG_CEILING)
        self.tree_grow = r(G.TREE_GROW)
        self.flyers = r(G.FLYERS)
        self.ground_birds = r(G.GROUND_BIRDS)
        self.eaters = {a: r(f) for k, f in G.EATERS.items() for a in r([k]) if r(f)}
        self.back_of = {b: r(v) for k, v in G.BACK_OF.items() for b in r([k]) if r(v)}
        self.under = r(G.UNDER)
        self.pets = r(G.PETS)
        self.farm = r(G.FARM_ANIMALS) + r(G.WILD_ANIMALS)
        self.parked = r(G.PARKED)
        self.trees = r(G.TREES)
        self.floor_plants = r(G.FLOOR_PLANTS)
        self.beach = r(G.BEACH_THINGS)
        self.ski = r(G.SKI_THINGS)
        self.boats = r(G.BOATS)
        self.trains = r(("train", "locomotive", "tram", "high-speed train"))
        self.couches = r(("couch", "sofa"))
        self.chairs = r(("chair",))
        self.beds = r(("bed",))
        self.appliances = r(("refrigerator", "fridge", "washing machine", "oven", "trash can"))
        self.towels = r(("towel", "beach towel"))
        self.skiers = r(("skier",))
        self.bed_clothes = r(G.BED_CLOTHES)
        self.floor_shoes = r(G.FLOOR_SHOES)
        self.meal = r(G.MEAL)
        self.flat_min = {c: G.FLAT_MIN_M[w] for w in G.FLAT_MIN_M for c in r([w])}
        # things that stand on the ground are drawn whole (feet), not as the face emoji
        legs = self._whole_body
        self.pets, self.farm, self.ground_birds = (
            legs(self.pets),
            legs(self.farm),
            legs(self.ground_birds),
        )
        self.critters = legs(r(G.CRITTERS))
        self.snow_animals = legs(r(G.SNOW_ANIMALS))
        self.water_animals = r(G.WATER_ANIMALS)
        self.shore_animals = r(G.SHORE_ANIMALS)
        self.tree_birds = r(G.TREE_BIRDS)
        self.nests = r(G.NESTS)
        self.flowers = r(G.FLOWERS)
        self.on_flower = r(G.ON_FLOWER)
        self.on_grass = r(G.ON_GRASS)
        self.street_things = r(G.STREET_THINGS)
        self.park_things = r(G.PARK_THINGS)
        self.buildings = r(G.BUILDINGS)
        self.farm_buildings = r(G.FARM_BUILDINGS)
        self.farm_vehicles = r(G.FARM_VEHICLES)
        self.full_body = legs(r(G.FULL_BODY_PEOPLE))
        self.hold_out = r(G.HOLD_OUTDOOR)
        self.floor_things = {k: r(v) for k, v in G.FLOOR_THINGS.items()}
        # poses: canonical -> atlas pose string, per category with several poses
        self.poses: dict[str, dict[str, str]] = {}
        for name in atlas.categories:
            got = atlas.poses(name) if hasattr(atlas, "poses") else ("",)
            m: dict[str, str] = {}
            for p in got:
                low = p.lower()
                canon = (
                    "walk"
                    if "walk" in low or "run" in low
                    else "sit"
                    if "sit" in low
                    else "stand"
                    if low in ("", "stand", "standing")
                    else ""
                )
                if canon and canon not in m:
                    m[canon] = p
            self.poses[name] = m

    def _whole_body(self, cats: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c for c in cats if any("feet" in sp.anchors for sp in self.atlas.sprites(c)))

    def _has_pose(self, cat: str, canon: str) -> bool:
        poses = self.atlas.poses(cat) if hasattr(self.atlas, "poses") else ()
        return any(canon in p.lower() for p in poses)

    def cat(self, name: str):
        return self.atlas.categories[name]

    def words(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """:func:`grammar.resolve_words` against this atlas, resolved once per word tuple."""
        got = self._words.get(words)
        if got is None:
            got = self._words[words] = G.resolve_words(self.atlas, words)
        return got


STRUCT_VARIANTS = 4
QSTEP = 1.1
"""Sprite and structure heights lie on this geometric grid (so resized art is reused)."""
WSTEP = 1.12
"""Structure widths lie on this (coarser) geometric grid."""
STRUCT_HEIGHTS = 3
"""Real heights a structure kind is drawn at: this many evenly spaced values of its range."""
MAX_UPSCALE = 2.5
"""A sprite is never drawn taller than this many times its art's height (72 px art: 180
px): enlarged further, emoji art turns into a blur no viewer would name (a tree trunk
filling half the picture), so a thing that near the camera is not placed there."""


def _rint(v) -> int:
    """``int(np.rint(v))`` without numpy's scalar call: ``round`` also rounds half to even."""
    return int(round(v))  # noqa: RUF046 (v may be a numpy integer: round keeps its type)


def qsize(x: float, step: float = QSTEP) -> int:
    """Pixel sizes on a geometric grid of ``step`` (>= 4 px), so drawn art is reused from
    cache."""
    if x <= 12:
        return max(4, _rint(x))
    q = _LOG_STEP.get(step)
    if q is None:
        q = _LOG_STEP[step] = np.log(step)
    k = round(np.log(x) / q)
    got = _QSIZE.get((step, k))
    if got is None:
        got = _QSIZE[(step, k)] = int(np.rint(np.exp(k * q)))
    return got


_LOG_STEP: dict[float, Any] = {}
_QSIZE: dict[tuple[float, int], int] = {}  # (step, grid index) -> size: qsize's exp, once


def struct_height_m(kind: str, u: float) -> float:
    """A structure's real height for a uniform draw ``u``: one of :data:`STRUCT_HEIGHTS`
    fixed values of its range (heights hardly vary; fewer distinct drawings)."""
    lo, hi = STRUCTURE_SIZES[kind][1]
    k = min(int(u * STRUCT_HEIGHTS), STRUCT_HEIGHTS - 1)
    return lo + (hi - lo) * k / (STRUCT_HEIGHTS - 1)


def _struct_px(b: _Builder, kind: str, s: float) -> tuple[float, float]:
    """A ``kind`` structure's width and height in pixels at ``s`` px/m: the width drawn
    from its range, then the height (:func:`struct_height_m`)."""
    (wl, wh), _ = STRUCTURE_SIZES[kind]
    return (wl + (wh - wl) * b.rng.random()) * s, struct_height_m(kind, b.rng.random()) * s


REST_ON = frozenset(
    {"on", "in", "sitting on", "lying on", "laying on", "under", "on back of", "riding"}
)
HELD = frozenset({"holding", "carrying", "playing", "eating"})


class Placed:
    """A drawn thing during sampling: its layer box, anchors (image coords), facing."""

    def __init__(self, oid, x, y, w, h, anchors, facing, scale, z, part_oids=()):
        self.oid, self.x, self.y, self.w, self.h = oid, x, y, w, h
        self.anchors = anchors
        self.facing = facing
        self.scale = scale
        self.z = z
        self.part_oids = part_oids

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def a(self, name: str, default=None):
        if name in self.anchors:
            return self.anchors[name]
        if name == "hand":
            for k in ("hand_right", "hand_left"):
                if k in self.anchors:
                    return self.anchors[k]
        return default


class _Builder:
    def __init__(self, rng: np.random.Generator, config, tables: Tables, st: str, variant: int):
        self.rng = rng
        self.config = config
        self.t = tables
        self.atlas = tables.atlas
        self.st = st
        self.bd = backdrop(st, variant, config.width, config.height)
        self.W, self.H = config.width, config.height
        self.objects: list[dict] = []
        self.layers: list[tuple[float, int, dict]] = []  # (z, seq, layer fields)
        self.rels: list[SRelation] = []
        self.ground_boxes: list[tuple[float, float, float, float]] = []
        self._bands: dict[tuple[str, ...], list] = {}  # ground(): bands by piece names
        self.things = 0
        self.cx: dict[int, float] = {}  # placed sprites' centre columns
        self.wall_boxes: list[tuple[int, int]] = []
        # placed things' boxes (x0, y0, x1, y1) by category: see `_crowds_twin`
        self.thing_boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        tile_floor = self.rng.random() < 0.5
        for p in self.bd.pieces:
            tiled = p.name == "floor" and p.texture == "tile" and tile_floor
            self.objects.append(
                dict(
                    name="tile" if tiled else p.name,
                    alt=("floor",) if tiled else (),
                    category=p.name,
                    synset=_synset(p.name),
                    group="backdrop",
                    role="backdrop",
                    attributes=p.attributes,
                )
            )
        for k, p in enumerate(self.bd.pieces):
            if p.relation is not None:
                self._part_rel(k + 1, p.of + 1, p.relation, f"backdrop:{p.name}")

    # ---- helpers ----
    def piece_oid(self, name: str) -> int | None:
        i = self.bd.piece_index(name)
        return None if i is None else i + 1

    def choice(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def rel(self, s: int, pred: str, o: int, rule: str) -> None:
        vals = {"subject": s, "predicate": pred, "object": o, "kind": G.KIND[pred], "rule": rule}
        self.rels.append(_built(SRelation, _NO_DEFAULTS, vals))
        # a thing resting on, in or under another, or held, is where that other is on the
        # ground: its ground position is that depth at its own column
        if pred in REST_ON:
            self._inherit_pos(s, o)
        elif pred in HELD:
            self._inherit_pos(o, s)

    def _inherit_pos(self, child: int, parent: int) -> None:
        c, p = self.objects[child - 1], self.objects[parent - 1]
        if c.get("pos") is not None or p.get("pos") is None or child not in self.cx:
            return
        z = p["pos"][1]
        c["pos"] = (round((self.cx[child] - self.W / 2) * z / self.W, 3), z)

    def _part_rel(self, part: int, whole: int, relation: tuple[str, str], rule: str) -> None:
        pred, direction = relation
        if direction == "p":
            self.rel(part, pred, whole, rule)
        else:
            self.rel(whole, pred, part, rule)

    def new_object(self, **kw) -> int:
        self.objects.append(kw)
        return len(self.objects)

    def add_layer(
        self,
        z: float,
        kind: str,
        key: tuple,
        x: int,
        y: int,
        w: int,
        h: int,
        oids: tuple,
        shadow: tuple | None = None,
        seq: float | None = None,
    ) -> None:
        """A layer at depth ``z`` (ties drawn in ``seq`` order: by default, as added)."""
        seq = len(self.layers) if seq is None else seq
        fields = dict(kind=kind, key=key, x=x, y=y, w=w, h=h, oids=oids, shadow=shadow)
        self.layers.append((z, seq, fields))

    def take_back(self, p: Placed, cat: str) -> None:
        """Undoes the sprite thing :meth:`sprite` placed last (``p``, of ``cat``) and the
        relations added since: a board (skis, skateboard, surfboard) whose rider could not
        be drawn."""
        assert p.oid == len(self.objects) and self.layers[-1][2]["oids"] == (p.oid,)
        self.objects.pop()
        self.layers.pop()
        self.things -= 1
        del self.cx[p.oid]
        self.thing_boxes[cat].pop()
        while self.rels and p.oid in (self.rels[-1].subject, self.rels[-1].object):
            self.rels.pop()

    def _crowds_twin(self, cat: str, share: float, box: tuple[float, float, float, float]) -> bool:
        """Whether a thing of ``cat`` at ``box`` would cover, or hide behind, more than
        ``share`` of another thing booked under ``cat`` (of the smaller box); if not, its box
        is booked. Things book under their category; trains under "train", fences and railings
        under "@barrier", both with share 0 (no overlap at all).

        Two trams one behind the other, or two churches run into each other, read as one odd
        thing, so "How many trams?" would have no answer a person agrees with (stop 24: 10
        such pairs in 400 scenes). Such a second thing is not drawn. Things of different
        categories may overlap as before (a cat in front of a sofa)."""
        booked = self.thing_boxes.setdefault(cat, [])
        area = (box[2] - box[0]) * (box[3] - box[1])
        for x0, y0, x1, y1 in booked:
            ix = min(box[2], x1) - max(box[0], x0)
            iy = min(box[3], y1) - max(box[1], y0)
            if ix > 0 and iy > 0 and ix * iy > share * min(area, (x1 - x0) * (y1 - y0)):
                return True
        booked.append(box)
        return False

    def grounded(
        self, cat: str, rule: str, got: tuple, h_px: float, shadow: bool = True, **kw: Any
    ) -> Placed | None:
        """``cat`` standing at a ground spot found by :meth:`ground` (its feet there, its depth
        and ground position from that row, a shadow unless told otherwise)."""
        _, foot, cx, _ = got
        z = self.bd.depth(foot)
        return self.sprite(
            cat, rule, cx, foot, h_px, z, shadow=shadow, pos=self.pos(cx, foot), **kw
        )

    def sprite(
        self,
        cat: str,
        rule: str,
        cx: float,
        foot: float,
        h_px: float,
        z: float,
        pose: str = "",
        flip: bool | None = None,
        shadow: bool = False,
        attrs: tuple[str, ...] = (),
        pos=None,
        thing: bool = True,
        name: str | None = None,
        twins: tuple[str, float] | None = None,
    ) -> Placed | None:
        """``twins``: (key, share) to keep clear of instead of (its category, one half), see
        :meth:`_crowds_twin`."""
        if pose:
            actual = self.t.poses.get(cat, {}).get(pose, "")
            sprites = self.atlas.sprites(cat, actual)
            if not sprites:
                return None
        else:
            sprites = _plain_sprites(self.t, cat)
        if not sprites:
            return None
        idx = int(self.rng.integers(len(sprites)))
        spr = sprites[idx]
        h = qsize(min(h_px, 1.2 * self.H))
        sh, sw = spr.rgba.shape[:2]
        if h > MAX_UPSCALE * sh:
            return None
        w = max(2, _rint(h * sw / sh))
        if flip is None:
            flip = spr.facing in ("left", "right") and bool(self.rng.random() < 0.5)
        x0 = _rint(cx - w / 2)
        y0 = _rint(foot) - h
        if thing and self._crowds_twin(*(twins or (cat, 0.5)), (x0, y0, x0 + w, y0 + h)):
            return None
        anchors = {}
        for k, (ax, ay) in spr.anchors.items():
            ax = 1.0 - ax if flip else ax
            anchors[k] = (x0 + ax * w, y0 + ay * h)
        facing = spr.facing
        if flip and facing in ("left", "right"):
            facing = "right" if facing == "left" else "left"
        c = self.t.cat(cat)
        pose_word = {"sit": "sitting", "walk": "walking", "stand": "standing"}.get(pose, "")
        if not pose_word and c.group == "person":
            pose_word = "standing"
        attributes = tuple(dict.fromkeys(a for a in (named_colour(spr), pose_word, *attrs) if a))
        alt: tuple[str, ...] = ()
        if name is not None and name != c.name:
            alt = (c.name,)
        else:
            name = c.name
            word = G.generic_word(c, self.rng.random())
            if word is not None:
                name, alt = word, (c.name,)
        oid = self.new_object(
            name=name,
            alt=alt,
            category=c.name,
            synset=c.synset,
            group=c.group,
            role="thing",
            attributes=attributes,
            anchors=tuple(anchors.items()),
            facing=facing,
            pose=pose,
            pos=pos,
            rule=rule,
        )
        shadow_t = None
        if shadow and self.config.shadows:
            shadow_t = (int(x0 + w / 2), int(y0 + h), max(2, int(w * 0.45)), max(1, int(h * 0.05)))
        key = (cat, spr.pose, _index_in(self.atlas, cat, spr), h, flip)
        self.add_layer(z, "sprite", key, x0, y0, w, h, (oid,), shadow_t)
        if thing:
            self.things += 1
        self.cx[oid] = x0 + w / 2
        return Placed(oid, x0, y0, w, h, anchors, facing, h / max(h_px, 1e-6), z)

    def struct(
        self,
        kind: str,
        rule: str,
        cx: float,
        foot: float,
        w: int,
        h: int,
        z: float,
        shadow: bool = True,
        pos=None,
    ) -> tuple[Placed, Any]:
        variant = int(self.rng.integers(STRUCT_VARIANTS))
        g = geom(kind, qsize(w, WSTEP), qsize(h), variant)
        x0 = _rint(cx - g.w / 2)
        y0 = _rint(foot) - g.h
        part_oids = []
        for k, p in enumerate(g.parts):
            if p.front and any(q.name == p.name and not q.front for q in g.parts[:k]):
                part_oids.append(part_oids[[q.name for q in g.parts].index(p.name)])
                continue
            role = "thing" if k == 0 else "part"
            oid = self.new_object(
                name=p.name,
                category=p.name,
                synset=_synset(p.name),
                group="structure",
                role=role,
                attributes=p.attributes,
                pos=pos if k == 0 else None,
                rule=rule,
            )
            part_oids.append(oid)
        for k, p in enumerate(g.parts):
            if p.relation is not None:
                self._part_rel(part_oids[k], part_oids[p.of], p.relation, f"part:{kind}")
                # a handle on a drawer is also part of the desk / counter / cabinet itself
                if p.name == "handle" and p.of != 0 and part_oids[0] != part_oids[p.of]:
                    self.rel(part_oids[k], "part of", part_oids[0], f"part:{kind}")
        shadow_t = None
        if shadow and self.config.shadows:
            shadow_t = (
                int(x0 + g.w / 2),
                int(y0 + g.h),
                max(2, int(g.w * 0.5)),
                max(1, int(g.h * 0.06)),
            )
        box = (x0, y0, g.w, g.h, tuple(part_oids))
        if any(p.front for p in g.parts):
            # back parts a hair farther, front parts a hair nearer: what is put in it between
            self.add_layer(z + 2e-4, "struct", (kind, g.w, g.h, variant, False), *box, shadow_t)
            self.add_layer(z - 2e-4, "struct", (kind, g.w, g.h, variant, True), *box)
        else:
            self.add_layer(z, "struct", (kind, g.w, g.h, variant, None), *box, shadow_t)
        self.things += 1
        anchors = {name: (x0 + a[0], y0 + a[1], x0 + a[2], y0 + a[3]) for name, a in g.anchors}
        pl = Placed(part_oids[0], x0, y0, g.w, g.h, anchors, "none", 1.0, z, tuple(part_oids))
        return pl, g

    def overlay(self, piece_oid: int, x0: int, y0: int, x1: int, y1: int, z: float) -> None:
        """Backdrop pixels of piece ``piece_oid`` redrawn over [x0, x1) x [y0, y1) (a boat's
        hull under the water line): those pixels are the piece's again."""
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.W, x1), min(self.H, y1)
        if x1 > x0 and y1 > y0:
            self.add_layer(z, "overlay", (piece_oid,), x0, y0, x1 - x0, y1 - y0, (piece_oid,))

    def ground(
        self,
        names: tuple[str, ...],
        width_px_per_m: float,
        far: float = 0.0,
        near_wall: bool = False,
        avoid: bool = True,
        tries: int = 10,
        band_names: tuple[str, ...] | None = None,
        rows: tuple[float, float] | None = None,
    ):
        """A free foot spot (band piece oid, foot row, centre x, px/m) on a ground band whose
        piece is named in ``names``; ``width_px_per_m``: the thing's width in metres."""
        key = names if type(names) is tuple else tuple(names)
        bands = self._bands.get(key)
        if bands is None:
            pieces = self.bd.pieces
            bands = self._bands[key] = [b for b in self.bd.bands if pieces[b.piece].name in names]
        if not bands:
            return None
        # the loop below is the hot path of drafting (~50 tries a scene): the same draws and
        # arithmetic as spelt plainly, with the band rows and helpers looked up once
        bd, rng, W, H = self.bd, self.rng, self.W, self.H
        horizon, indoor = bd.horizon, bd.indoor
        nbands = len(bands)
        span: dict[int, tuple[int, int]] = {}
        for _ in range(tries):
            bi = rng.integers(nbands)
            b = bands[bi]
            if near_wall and indoor:
                foot = b.y0 + int(rng.integers(1, 4))
            else:
                got = span.get(bi)
                if got is None:
                    lo, hi = b.y0, b.y1 - 1
                    if rows is not None:
                        lo = max(lo, int(horizon + (H - horizon) * rows[0]))
                        hi = min(hi, int(horizon + (H - horizon) * rows[1]))
                    got = span[bi] = (lo, hi)
                lo, hi = got
                if hi <= lo:
                    continue
                u = rng.random() ** (1.0 - far) if far else rng.random()
                foot = int(lo + (hi - lo) * u)
            d = foot - horizon
            s = (d if d > 1.0 else 1.0) / CAM_H_M  # bd.scale(foot)
            w = width_px_per_m * s
            half = w / 2 if w / 2 < W / 2 else W / 2
            room = W - 2 * half
            cx = half + rng.random() * (room if room > 1 else 1)
            box = (cx - w / 2, foot - 1.7 * s, cx + w / 2, foot)
            if avoid and self._crowded(box):
                continue
            self.ground_boxes.append(box)
            return b.piece + 1, foot, cx, s
        return None

    def _crowded(self, box) -> bool:
        # min/max spelt as conditionals (the same values; this runs ~50 times a scene)
        x0, y0, x1, y1 = box
        a = (x1 - x0) * (y1 - y0)
        if a < 1e-6:
            a = 1e-6
        for bx0, by0, bx1, by1 in self.ground_boxes:
            iw = (x1 if x1 < bx1 else bx1) - (x0 if x0 > bx0 else bx0)
            if iw <= 0:
                continue
            ih = (y1 if y1 < by1 else by1) - (y0 if y0 > by0 else by0)
            if ih > 0:
                b = (bx1 - bx0) * (by1 - by0)
                if b < 1e-6:
                    b = 1e-6
                if iw * ih > 0.3 * (a if a < b else b):
                    return True
        return False

    def pos(self, cx: float, foot: float) -> tuple[float, float]:
        s = self.bd.scale(foot)
        return (round((cx - self.W / 2) / s, 3), round(self.bd.depth(foot), 3))

    def height(self, cat: str) -> float:
        lo, hi = self.t.cat(cat).height_m
        return lo + (hi - lo) * self.rng.random()

    def sprite_parts(self, p: Placed, want: dict[str, tuple[str, str]], rule: str) -> dict:
        """Name regions of ``p``'s sprite as part objects (a layer over it that relabels its
        pixels): ``want`` maps a region name to (predicate, direction "p": part -> whole,
        "w": whole -> part). Returns {region name: oid}."""
        lay = None
        for z, seq, fields in reversed(self.layers):
            if fields["kind"] == "sprite" and fields["oids"] == (p.oid,):
                lay = (z, seq, fields)
                break
        if lay is None or not want:
            return {}
        z, seq, fields = lay
        cat, pose, idx, _h, flip = fields["key"]
        have = sprite_part_names(self.config.atlas, cat, pose, idx)
        names = [n for n in want if n in have]
        if not names:
            return {}
        whole = self.objects[p.oid - 1]
        out = {}
        for n in names:
            name = "tire" if n == "tire2" else n
            alt: tuple[str, ...] = ()
            if name == "tire" and self.rng.random() < 0.35:
                name, alt = "wheel", ("tire",)
            oid = self.new_object(
                name=name,
                alt=alt,
                category=name,
                synset=_synset(name),
                group="part",
                role="part",
                attributes=(),
                rule=rule,
                whole=p.oid,
            )
            out[n] = oid
            pred, direction = want[n]
            if direction == "p":
                self.rel(oid, pred, p.oid, f"part:{whole['category']}")
            else:
                self.rel(p.oid, pred, oid, f"part:{whole['category']}")
        # drawn right after its sprite (same depth, next in order: nothing comes between,
        # so the layer only relabels the sprite's pixels and the renderer need not paste it)
        part_kind = sprite_part_kind(self.config.atlas, cat, pose, idx, flip, names)
        self.add_layer(
            z,
            "struct",
            (part_kind, fields["w"], fields["h"], 0, None),
            fields["x"],
            fields["y"],
            fields["w"],
            fields["h"],
            tuple(out[n] for n in names),
            seq=seq + 1e-6 * len(self.layers),
        )
        return out

    # ---- composite rules ----
    def on_top(
        self,
        support: Placed,
        top: tuple,
        items: tuple[str, ...],
        s: float,
        rule: str,
        n: int,
        pred: str = "on",
        first: tuple[str, ...] | None = None,
    ) -> list[Placed]:
        """Up to n things from ``items`` standing on the band ``top`` = (x0, y0, x1, y1)
        (the first of them from ``first`` when given)."""
        out = []
        if not items:
            return out
        x0, y0, x1, y1 = top
        slots = max(1, n)
        span = (x1 - x0) / slots
        for i in range(slots):
            cat = self.choice(first if i == 0 and first else items)
            hpx = max(self.height(cat), self.t.flat_min.get(cat, 0.0)) * s
            if hpx < 6:
                hpx = 6
            cx = x0 + span * (i + 0.2 + 0.6 * self.rng.random())
            foot = y0 + (y1 - y0) * (0.35 + 0.5 * self.rng.random())
            p = self.sprite(cat, rule, cx, foot, hpx, support.z - 1e-3 * (i + 1) - 1e-4 * foot)
            if p is None:
                continue
            self.rel(p.oid, pred, support.oid, rule)
            out.append(p)
            if cat in self.t.containers and self.rng.random() < 0.7:
                self.fill(p, cat, s, rule)
        return out

    def fill(self, container: Placed, cat: str, s: float, rule: str) -> None:
        """Put 1-2 things in (bowl, basket, vase) or on (plate) a container."""
        goods = self.t.containers[cat]
        plate = cat == self.t.plate if self.t.plate else False
        k = 1 if plate or self.rng.random() < 0.5 else 2
        for j in range(k):
            item = self.choice(goods)
            flower = item in self.t.words(FILL_FLOWERS)
            hpx = max(6.0, self.height(item) * s * (1.6 if flower else 1.0))
            hpx = min(hpx, container.h * (2.2 if flower else 0.9))
            cx = container.cx + (j - (k - 1) / 2) * container.w * 0.3
            if plate:
                foot = container.y + container.h * 0.6
                p = self.sprite(item, rule, cx, foot, hpx, container.z - 1e-4)
                if p is not None:
                    self.rel(p.oid, "on", container.oid, rule)
            else:
                foot = container.y + container.h * 0.55
                p = self.sprite(item, rule, cx, foot, hpx, container.z + 1e-4)
                if p is not None:
                    self.rel(p.oid, "in", container.oid, rule)


FILL_FLOWERS = ("flower", "tulip", "rose", "sunflower", "hibiscus", "cherry blossom")


_INDEX_CACHE: dict[tuple[int, str], dict[int, int]] = {}


def _index_in(atlas, cat: str, spr) -> int:
    """Index of ``spr`` within atlas.sprites(cat, spr.pose) (the renderer's lookup)."""
    key = (id(atlas), cat)
    d = _INDEX_CACHE.get(key)
    if d is None:
        d = {}
        by_pose: dict[str, int] = {}
        for s in atlas.sprites(cat):
            i = by_pose.get(s.pose, 0)
            d[id(s)] = i
            by_pose[s.pose] = i + 1
        _INDEX_CACHE[key] = d
    return d[id(spr)]


_SYNSETS: dict[str, str] = {
    "street": "street.n.01",
    "sidewalk": "sidewalk.n.01",
    "sky": "sky.n.01",
    "grass": "grass.n.01",
    "floor": "floor.n.01",
    "wall": "wall.n.01",
    "ceiling": "ceiling.n.01",
    "water": "body_of_water.n.01",
    "beach": "beach.n.01",
    "snow": "snow.n.02",
    "mountain": "mountain.n.01",
    "hill": "hill.n.01",
    "track": "track.n.01",
    "wave": "wave.n.01",
    "window": "window.n.01",
    "door": "door.n.01",
    "curtain": "curtain.n.01",
    "board": "board.n.03",
    "table": "table.n.02",
    "desk": "desk.n.01",
    "leg": "leg.n.03",
    "counter": "counter.n.01",
    "cabinet": "cabinet.n.01",
    "drawer": "drawer.n.01",
    "handle": "handle.n.01",
    "shelf": "shelf.n.01",
    "bench": "bench.n.01",
    "fence": "fence.n.01",
    "railing": "railing.n.01",
    "sign": "sign.n.02",
    "letter": "letter.n.02",
    "number": "number.n.02",
    "house": "house.n.01",
    "roof": "roof.n.01",
    "pillow": "pillow.n.01",
    "wire": "wire.n.02",
    "pants": "trouser.n.01",
    "hair": "hair.n.01",
    "face": "face.n.01",
    "head": "head.n.01",
    "arm": "arm.n.01",
    "hand": "hand.n.01",
    "shirt": "shirt.n.01",
    "shoe": "shoe.n.01",
    "tire": "tire.n.01",
    "windshield": "windshield.n.01",
    "trunk": "trunk.n.01",
}
"""WordNet synsets of drawn pieces and parts whose name is not the synset's first lemma."""


def _plain_sprites(t: Tables, cat: str) -> tuple:
    """The sprites a poseless draw of ``cat`` picks from: its standing/default-pose ones
    for posed categories (all of them if it has none), computed once per tables."""
    got = t._plain.get(cat)
    if got is None:
        sprites = t.atlas.sprites(cat)
        stand = t.poses.get(cat, {}).get("stand")
        got = t._plain[cat] = tuple(s for s in sprites if s.pose in ("", stand)) or sprites
    return got


def _synset(name: str) -> str:
    return _SYNSETS.get(name, f"{name}.n.01")


# ---- templates: the object groups of the grammar ----

# regions of a standing person named as parts, with the chance each is named (kept low
# enough that no part is above 5 % of objects) and its relation to the person
PERSON_PARTS = (
    ("shirt", 0.55, ("wearing", "w")),
    ("pants", 0.45, ("wearing", "w")),
    ("shoe", 0.3, ("wearing", "w")),
    ("arm", 0.3, ("of", "p")),
    ("hand", 0.4, ("has", "w")),
)


def _person_parts(b: _Builder, p: Placed, rule: str) -> dict:
    want: dict[str, tuple[str, str]] = {}
    u = b.rng.random()
    if u < 0.4:
        want["head"] = ("has", "w") if b.rng.random() < 0.5 else ("of", "p")
    elif u < 0.8:
        want["hair"] = ("has", "w")
        want["face"] = ("of", "p")
    for name, chance, rel in PERSON_PARTS:
        if b.rng.random() < chance:
            want[name] = rel
    return b.sprite_parts(p, want, rule)


def _vehicle_parts(b: _Builder, p: Placed, rule: str) -> dict:
    want: dict[str, tuple[str, str]] = {}
    if b.rng.random() < 0.6:
        want["tire"] = ("of", "p")
        want["tire2"] = ("has", "w")
    if b.rng.random() < 0.6:
        want["window"] = ("part of", "p")
        want["windshield"] = ("of", "p")
    return b.sprite_parts(p, want, rule)


def _person(
    b: _Builder, rule: str = "person", cx=None, foot=None, s=None, pose=None, ground_oid=None
) -> Placed | None:
    t = b.t
    if not t.people:
        return None
    cat = b.choice(t.people)
    if pose is None:
        pose = "walk" if (b.rng.random() < 0.4 and "walk" in t.poses.get(cat, {})) else "stand"
    if cx is None:
        got = b.ground(G.STAND_ON["person"], 0.6)
        if got is None:
            return None
        ground_oid, _foot, cx, s = got
    p = b.grounded(cat, rule, got, b.height(cat) * s, pose=pose)
    if p is None:
        p = b.grounded(cat, rule, got, b.height(cat) * s)
        pose = "stand"
    if p is None:
        return None
    if ground_oid is not None:
        gname = b.objects[ground_oid - 1]["name"]
        b.rel(p.oid, G.ground_predicate("person", pose, gname), ground_oid, rule)
    parts = _person_parts(b, p, rule)
    if ground_oid is not None and "shoe" in parts:
        b.rel(parts["shoe"], "on", ground_oid, rule + "?")
    _accessorize(b, p, cat, s, rule, walking=pose == "walk", parts=parts)
    return p


def _accessorize(
    b: _Builder,
    p: Placed,
    cat: str,
    s: float,
    rule: str,
    walking: bool = False,
    held: bool = True,
    parts: dict | None = None,
) -> None:
    """Things held, worn on the head and on the face. ``parts``: the person's named regions
    (a hat is also ``on`` the head, a held thing ``in`` the hand region's reach: emitted as
    optional relations, kept when the rendering shows them)."""
    parts = parts or {}
    t = b.t
    hand = p.a("hand")
    if held and hand is not None and t.hold and b.rng.random() < 0.6:
        # outdoors, sometimes a thing for outside (a ball, a kite, a fishing rod)
        outdoor = not b.bd.indoor and t.hold_out and b.rng.random() < 0.4
        item = b.choice(t.hold_out if outdoor else t.hold)
        hpx = max(6.0, b.height(item) * s)
        pred = "holding"
        if item in t.play:
            pred = "playing"
        elif walking and item in t.carry:
            pred = "carrying"
        hx, hy = hand
        up = item in t.words(("umbrella", "balloon", "kite"))
        foot = hy + (0.1 * hpx if up else hpx / 2)
        it = b.sprite(item, rule, hx, foot, hpx, p.z - 3e-4)
        if it is not None:
            b.rel(p.oid, pred, it.oid, rule + ":hand")
            if "hand" in parts and pred == "holding":
                b.rel(parts["hand"], "holding", it.oid, rule + ":hand?")
    if walking and t.wear_back and b.rng.random() < 0.2:
        # a backpack on the back: drawn behind the walker, its top at the shoulders
        bh = p.h * 0.3
        it = b.sprite(t.wear_back[0], rule, p.cx, p.y + p.h * 0.2 + bh, bh, p.z + 2e-4)
        if it is not None:
            b.rel(p.oid, "wearing", it.oid, rule + ":back")
    head = p.a("head")
    if head is not None and t.wear_head and b.rng.random() < 0.45:
        item = b.choice(t.wear_head)
        hw = p.w * 0.55
        foot = head[1] - p.h * 0.02 + G.BELOW_RIM.get(item, 0.0) * hw * 0.8
        it = b.sprite(item, rule, head[0], foot, hw * 0.8, p.z - 2e-4)
        if it is not None:
            b.rel(p.oid, "wearing", it.oid, rule + ":head")
            for part in ("head", "hair"):
                if part in parts:
                    b.rel(it.oid, "on", parts[part], rule + ":head?")
    face = p.a("face")
    if face is not None and t.wear_face and b.rng.random() < 0.25:
        item = b.choice(t.wear_face)
        it = b.sprite(item, rule, face[0], face[1] + p.h * 0.04, p.w * 0.22, p.z - 2.5e-4)
        if it is not None:
            b.rel(p.oid, "wearing", it.oid, rule + ":face")
            if "face" in parts:
                b.rel(it.oid, "on", parts["face"], rule + ":face?")


def _rider(b: _Builder, rule: str = "rider") -> int:
    t = b.t
    if not t.rides or not t.people:
        return 0
    v = b.choice(t.rides)
    got = b.ground(("street", "grass", "sidewalk", "beach", "snow"), 1.8)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    vp = b.grounded(v, rule, got, b.height(v) * s)
    if vp is None:
        return 0
    gname = b.objects[g - 1]["name"]
    animal = t.cat(v).group == "animal"
    b.rel(vp.oid, "standing on" if animal else "on", g, rule)
    if not t.sitters:
        return 1
    person = b.choice(t.sitters)
    seat = vp.a("seat") or vp.a("back") or (vp.cx, vp.y + vp.h * 0.3)
    ph = b.height(person) * s * 0.72
    rp = b.sprite(
        person, rule, seat[0], seat[1] + ph * 0.45, ph, vp.z - 5e-4, pose="sit", flip=None
    )
    if rp is None:
        return 1
    b.rel(rp.oid, "riding", vp.oid, rule)
    if not animal and t.helmets and b.rng.random() < 0.6:
        head = rp.a("head")
        if head is not None:
            it = b.sprite(
                t.helmets[0], rule, head[0], head[1] - rp.h * 0.02, rp.w * 0.45, rp.z - 2e-4
            )
            if it is not None:
                b.rel(rp.oid, "wearing", it.oid, rule + ":head")
    del gname
    return 2


def _board_rider(b: _Builder, boards, names, rule) -> int:
    t = b.t
    if not boards or not t.people:
        return 0
    got = b.ground(names, 1.0)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    bd = b.choice(boards)
    bp = b.grounded(bd, rule, got, max(5.0, 0.25 * s))  # boards lie flat: ~0.25 m tall
    if bp is None:
        return 0
    b.rel(bp.oid, "on", g, rule)
    person = b.choice(t.people)
    top = bp.y + bp.h * 0.4
    pp = b.sprite(person, rule, bp.cx, top, b.height(person) * s, bp.z - 5e-4, pose="stand")
    if pp is None:
        # a board without its rider is not drawn (any board: skis, a boot on crossed skis
        # in the emoji, would read as a lone ski boot)
        b.take_back(bp, bd)
        return 0
    b.rel(pp.oid, "riding", bp.oid, rule)
    _accessorize(b, pp, person, s, rule, parts=_person_parts(b, pp, rule))
    return 2


def _solo(b: _Builder, ground: str) -> int:
    """A one-sprite athlete (skier, surfer) on its ground: snow, or in the water."""
    cats = b.t.solo.get(ground, ())
    if not cats:
        return 0
    got = b.ground((ground,), 1.2)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    c = b.choice(cats)
    p = b.grounded(c, "athlete", got, b.height(c) * s, shadow=ground == "snow")
    if p is None:
        return 0
    if ground == "water":
        b.overlay(g, p.x, p.y + int(p.h * 0.85), p.x + p.w, p.y + p.h, p.z - 1e-4)
        b.rel(p.oid, "in", g, "athlete")
    else:
        b.rel(p.oid, "on", g, "athlete")
    return 1


def _parked(b: _Builder, rule="parked") -> int:
    t = b.t
    if not t.parked:
        return 0
    v = b.choice(t.parked)
    got = b.ground(("street", "sidewalk", "grass"), 4.0 if b.height(v) > 1.2 else 1.6)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    p = b.grounded(v, rule, got, b.height(v) * s)
    if p is None:
        return 0
    b.rel(p.oid, "parked on", g, rule)
    _tires_on(b, _vehicle_parts(b, p, rule), g, rule)
    return 1


def _tires_on(b: _Builder, parts: dict, g: int, rule: str) -> None:
    """A parked vehicle's named tires stand on its ground (kept where the rendering shows
    the tire's foot on that ground)."""
    for k in ("tire", "tire2"):
        if k in parts:
            b.rel(parts[k], "on", g, rule + "?")


def _sign(b: _Builder, rule="sign") -> int:
    got = b.ground(("sidewalk", "grass", "snow", "beach"), 0.7)
    if got is None:
        return 0
    g, foot, cx, s = got
    w, h = map(int, _struct_px(b, "sign", s))
    if w < 14 or foot - h < 0:
        return 0  # too small, or its sign above the frame: a bare pole, not a signpost
    pl, _ = b.struct("sign", rule, cx, foot, w, h, b.bd.depth(foot), pos=b.pos(cx, foot))
    b.rel(pl.oid, "on", g, rule)
    return 1


def _house(b: _Builder, rule="house") -> int:
    got = b.ground(("sidewalk", "grass", "snow"), 8.0, rows=(0.0, 0.12), avoid=False)
    if got is None:
        return 0
    g, foot, cx, s = got
    w, h = map(int, _struct_px(b, "house", s))
    if w < 30 or _twin_struct(b, "house", cx, foot, w, h):
        return 0
    pl, _ = b.struct(
        "house", rule, cx, foot, w, h, b.bd.depth(foot) + 1.0, shadow=False, pos=b.pos(cx, foot)
    )
    b.rel(pl.oid, "on", g, rule)
    return 1


def _twin_struct(
    b: _Builder, kind: str, cx: float, foot: float, w: int, h: int, share: float = 0.5
) -> bool:
    """`_Builder._crowds_twin` for a structure about to be drawn at (``cx``, ``foot``)."""
    x0, y0 = _rint(cx - w / 2), _rint(foot) - h
    return b._crowds_twin(kind, share, (x0, y0, x0 + w, y0 + h))


def _barrier_free(b: _Builder, cx: float, foot: float, w: int, h: int) -> bool:
    """Whether a fence or railing of ``w`` x ``h`` px standing at (``cx``, ``foot``) keeps
    clear of those already drawn, and if so, books its box.

    Two barriers whose boxes meet read as one long or crossing fence, so "How many fences?"
    would count what a person sees as one (stop 24: 39 overlapping pairs in 400 scenes). A
    second one is drawn only where it overlaps no other: beside it, or wholly above it
    (farther back), never across it."""
    box = (cx - w / 2 - 2, foot - h - 2, cx + w / 2 + 2, foot + 2)
    return not b._crowds_twin("@barrier", 0.0, box)


def _fence(b: _Builder, rule="fence") -> int:
    names = ("sidewalk",) if b.st == "street" else ("grass", "snow", "beach")
    got = b.ground(names, 6.0, avoid=False, rows=(0.0, 0.5))
    if got is None:
        return 0
    g, foot, cx, s = got
    w, h = _struct_px(b, "fence", s)
    w, h = int(min(w, b.W * 0.9)), int(h)
    if h < 8 or not _barrier_free(b, cx, foot, w, h):
        return 0
    pl, _ = b.struct("fence", rule, cx, foot, w, h, b.bd.depth(foot), pos=b.pos(cx, foot))
    street = b.piece_oid("street")
    if street is not None:
        b.rel(pl.oid, "along", street, rule)
    else:
        b.rel(pl.oid, "on", g, rule)
    return 1


def _tree(b: _Builder, rule="tree") -> int:
    t = b.t
    if not t.trees:
        return 0
    got = b.ground(("grass", "sidewalk", "snow", "beach"), 3.0, rows=(0.0, 0.45))
    if got is None:
        return 0
    g, _foot, _cx, s = got
    ground = b.objects[g - 1]["name"]
    # palms grow on beaches and lawns, never in the snow; a beach's tree is a palm
    kinds = {"snow": ("tree",), "beach": ("palm tree",)}.get(ground, t.trees)
    tr = b.choice([k for k in t.trees if k in kinds] or list(t.trees))
    p = b.grounded(tr, rule, got, b.height(tr) * s)
    if p is None:
        return 0
    b.rel(
        p.oid,
        "on"
        if b.objects[g - 1]["name"] != "grass"
        else "growing on"
        if b.rng.random() < 0.3
        else "on",
        g,
        rule,
    )
    if b.rng.random() < 0.6:
        b.sprite_parts(p, {"trunk": ("has", "w") if b.rng.random() < 0.5 else ("of", "p")}, rule)
    n = 1
    if t.tree_grow and b.rng.random() < 0.6 and p.h > 40:
        item = b.choice(t.tree_grow)
        for j in range(int(b.rng.integers(1, 3))):
            hx = p.x + p.w * (0.3 + 0.4 * b.rng.random())
            hy = p.y + p.h * (0.2 + 0.25 * b.rng.random())
            it = b.sprite(item, rule, hx, hy, max(8.0, p.h * 0.09), p.z - 1e-4 * (j + 1))
            if it is not None:
                b.rel(it.oid, "growing on", p.oid, rule)
                n += 1
    birds = t.tree_birds or list(t.ground_birds)
    if t.nests and b.rng.random() < 0.15 and p.h > 60:
        nest = b.sprite(
            t.nests[0],
            rule,
            p.x + p.w * (0.3 + 0.4 * b.rng.random()),
            p.y + p.h * (0.3 + 0.15 * b.rng.random()),
            max(9.0, p.h * 0.08),
            p.z - 4e-4,
        )
        if nest is not None:
            b.rel(nest.oid, "on", p.oid, rule)
            n += 1
    if birds and b.rng.random() < 0.3 and p.h > 40:
        bird = b.choice(birds)
        it = b.sprite(
            bird,
            rule,
            p.x + p.w * (0.3 + 0.4 * b.rng.random()),
            p.y + p.h * 0.3,
            max(8.0, p.h * 0.1),
            p.z - 5e-4,
        )
        if it is not None:
            b.rel(it.oid, "on", p.oid, rule)
            n += 1
    return n


def _flyer(b: _Builder, rule="flyer") -> int:
    t = b.t
    sky = b.piece_oid("sky")
    if sky is None or not t.flyers:
        return 0
    f = b.choice(t.flyers)
    top = 4
    bottom = min(b.bd.sky_bottom, b.bd.horizon) - 4
    hpx = 10 + 26 * b.rng.random()
    if bottom - top < hpx + 2:
        return 0
    foot = top + hpx + (bottom - top - hpx) * b.rng.random()
    cx = hpx + (b.W - 2 * hpx) * b.rng.random()
    p = b.sprite(f, rule, cx, foot, hpx, 1e4 - foot)
    if p is None:
        return 0
    b.rel(p.oid, "flying in", sky, rule)
    water = b.piece_oid("water")
    if water is not None and b.rng.random() < 0.5:
        b.rel(p.oid, "over", water, rule)
    return 1


def _animal(
    b: _Builder,
    pool,
    rule,
    grounds: tuple[str, ...] = G.STAND_ON["animal"],
    rows: tuple[float, float] | None = None,
    min_px: float = 0.0,
    predicate: str = "standing on",
) -> int:
    """An animal of ``pool`` standing on one of ``grounds`` (``rows``: the band of ground
    rows, near the camera for small animals; ``min_px``: drawn at least this tall)."""
    t = b.t
    if not pool:
        return 0
    a = b.choice(pool)
    _lo, hi = t.cat(a).height_m
    got = b.ground(grounds, max(0.5, hi * 1.3), rows=rows)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    p = b.grounded(a, rule, got, max(min_px, b.height(a) * s))
    if p is None:
        return 0
    b.rel(p.oid, predicate, g, rule)
    n = 1
    face = p.a("face") or p.a("head")
    if a in t.eaters and face is not None and b.rng.random() < 0.45:
        food = b.choice(t.eaters[a])
        hpx = max(7.0, min(b.height(food) * s * 1.5, p.h * 0.35))
        it = b.sprite(food, rule, face[0], face[1] + hpx * 0.4, hpx, p.z - 3e-4)
        if it is not None:
            b.rel(p.oid, "eating", it.oid, rule)
            n += 1
    return n


def _bird_on_back(b: _Builder, rule="bird_on_back") -> int:
    t = b.t
    hosts = [(bird, h) for bird, hs in t.back_of.items() for h in hs]
    if not hosts:
        return 0
    bird, host = hosts[int(b.rng.integers(len(hosts)))]
    got = b.ground(G.STAND_ON["animal"], 1.6)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    p = b.grounded(host, rule, got, b.height(host) * s)
    if p is None:
        return 0
    b.rel(p.oid, "standing on", g, rule)
    back = p.a("back") or p.a("seat") or (p.cx, p.y + p.h * 0.15)
    bh = max(8.0, min(b.height(bird) * s * 1.5, p.h * 0.4))
    it = b.sprite(bird, rule, back[0], back[1] + bh * 0.15, bh, p.z - 3e-4)
    if it is None:
        return 1
    b.rel(it.oid, "on back of", p.oid, rule)
    return 2


def _boat(b: _Builder, rule="boat") -> int:
    t = b.t
    water = b.piece_oid("water")
    if water is None or not t.boats:
        return 0
    got = b.ground(("water",), 3.0)
    if got is None:
        return 0
    _g, _foot, _cx, s = got
    bt = b.choice(t.boats)
    p = b.grounded(bt, rule, got, b.height(bt) * s, shadow=False)
    if p is None:
        return 0
    # the water line hides the hull's lowest fifth: the boat is *in* the water
    b.overlay(water, p.x, p.y + int(p.h * 0.8), p.x + p.w, p.y + p.h, p.z - 1e-4)
    b.rel(p.oid, "in", water, rule)
    return 1


def _swimmer(b: _Builder, rule="swimmer") -> int:
    t = b.t
    water = b.piece_oid("water")
    if water is None or not t.people:
        return 0
    got = b.ground(("water",), 0.8)
    if got is None:
        return 0
    _g, foot, cx, s = got
    cat = b.choice(t.people)
    p = b.sprite(cat, rule, cx, foot, b.height(cat) * s, b.bd.depth(foot), pose="stand")
    if p is None:
        return 0
    b.overlay(water, p.x, p.y + int(p.h * 0.6), p.x + p.w, p.y + p.h, p.z - 1e-4)
    b.rel(p.oid, "in", water, rule)
    return 1


def _beach_thing(b: _Builder, rule="beach_thing") -> int:
    t = b.t
    if not t.beach:
        return 0
    it = b.choice(t.beach)
    got = b.ground(("beach",), 1.2)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    h = b.height(it)
    p = b.grounded(it, rule, got, h * s, shadow=h > 0.3)
    if p is None:
        return 0
    b.rel(p.oid, "lying on" if it in t.towels else "on", g, rule)
    return 1


def _train(b: _Builder, rule="train") -> int:
    t = b.t
    track = b.piece_oid("track")
    if track is None or not t.trains:
        return 0
    got = b.ground(("track",), 12.0, avoid=False)
    if got is None:
        return 0
    _g, _foot, _cx, s = got
    tr = b.choice(t.trains)
    # trains share one track row: one running into another reads as one odd train
    p = b.grounded(tr, rule, got, b.height(tr) * s, twins=("train", 0.0))
    if p is None:
        return 0
    b.rel(p.oid, "on", track, rule)
    return 1


# indoor


NO_OVERLAP = 0.0
"""The share of two things' smaller box they may overlap by when they stand side by side
against the wall (none: see :func:`_floor_struct`)."""


def _floor_struct(b: _Builder, kind: str, rule: str, near_wall: bool):
    (wl, wh), _ = STRUCTURE_SIZES[kind]
    wm = wl + (wh - wl) * b.rng.random()
    got = b.ground(("floor", "grass", "sidewalk"), wm, near_wall=near_wall)
    if got is None:
        return None
    g, foot, cx, s = got
    w = int(wm * s)
    h = int(struct_height_m(kind, b.rng.random()) * s)
    if w < 12 or h < 10:
        return None
    # two of a kind against the wall that meet read as one run (two counters side by side
    # overlapping were 49 of 122 counter pairs: "How many counters? 2" for one green run);
    # elsewhere (tables, desks in the room) as for every thing, half of the smaller box
    if _twin_struct(b, kind, cx, foot, qsize(w, WSTEP) + 2, h, NO_OVERLAP if near_wall else 0.5):
        return None
    pl, geo = b.struct(kind, rule, cx, foot, w, h, b.bd.depth(foot), pos=b.pos(cx, foot))
    # what touches the floor stands on it (a table's legs, a counter's cabinet)
    feet = [pl.part_oids[k] for k, p in enumerate(geo.parts) if _reaches(p, geo.h)]
    feet = list(dict.fromkeys(feet))[:2] or [pl.oid]
    wall = b.piece_oid("wall")
    for oid in feet:
        b.rel(oid, "on" if oid == pl.oid or b.rng.random() < 0.5 else "standing on", g, rule)
    if near_wall and wall is not None:
        b.rel(feet[0], "against", wall, rule)
    return pl, geo, s, foot


def _reaches(part, h: int) -> bool:
    return any(sh[0] == "rect" and sh[4] >= h for sh in part.shapes)


def _floor_sprite(b: _Builder, cats, rule: str, near_wall: bool, width_m: float = 1.5):
    if not cats:
        return None
    c = b.choice(cats)
    got = b.ground(("floor", "grass", "sidewalk", "beach"), width_m, near_wall=near_wall)
    if got is None:
        return None
    g, foot, _cx, s = got
    p = b.grounded(c, rule, got, b.height(c) * s, twins=(c, NO_OVERLAP) if near_wall else None)
    if p is None:
        return None
    b.rel(p.oid, "on", g, rule)
    wall = b.piece_oid("wall")
    if near_wall and wall is not None:
        b.rel(p.oid, "against", wall, rule)
    return p, s, foot, c


def _seat_person(
    b: _Builder,
    seat: Placed,
    s: float,
    rule: str,
    toward: float | None,
    seat_y: float | None = None,
) -> Placed | None:
    t = b.t
    if not t.sitters:
        return None
    cat = b.choice(t.sitters)
    ph = b.height(cat) * s * 0.75
    sx = seat.cx
    sy = seat_y if seat_y is not None else seat.bottom
    p = b.sprite(cat, rule, sx, sy, ph, seat.z - 5e-4, pose="sit", flip=False)
    if p is None:
        return None
    _turn_toward(b, p, toward)
    b.rel(p.oid, "sitting on", seat.oid, rule)
    _accessorize(b, p, cat, s, rule)
    return p


def _turn_toward(b: _Builder, p: Placed, toward: float | None) -> None:
    """Mirror ``p`` (the last layer drawn) so that it faces x = ``toward``, if it faces
    sideways the other way."""
    if toward is None or p.facing not in ("left", "right"):
        return
    want = "right" if toward > p.cx else "left"
    if p.facing != want:  # redraw mirrored: replace the last layer's flip
        _z, _seq, lay = b.layers[-1]
        cat_, pose_, idx, h, flip = lay["key"]
        lay["key"] = (cat_, pose_, idx, h, not flip)
        o = b.objects[p.oid - 1]
        anchors = {k: (2 * p.x + p.w - x, y) for k, (x, y) in o["anchors"]}
        o["anchors"] = tuple(anchors.items())
        o["facing"] = want
        p.anchors = anchors
        p.facing = want


def _stand_at_table(
    b: _Builder, table: Placed, cx: float, foot: float, z: float, s: float, rule: str
) -> Placed | None:
    """A person standing on the floor at ``cx`` beside a table, turned toward it. (The
    only sitting art is cross-legged: on a chair it reads as someone floating over it, so
    people at tables stand.)"""
    if not b.t.sitters:
        return None
    cat = b.choice(b.t.sitters)
    p = b.sprite(
        cat, rule, cx, foot, b.height(cat) * s, z, pose="stand", flip=False, shadow=True,
        pos=b.pos(cx, foot),
    )
    if p is None:
        return None
    _turn_toward(b, p, table.cx)
    # the chair may hide the floor at their feet: then the relation is left out
    b.rel(p.oid, "standing on", b.piece_oid("floor") or 1, rule + "?")
    _accessorize(b, p, cat, s, rule)
    return p


def _table_group(b: _Builder, kind: str = "table", rule: str = "table_group") -> int:
    t = b.t
    got = _floor_struct(b, kind, rule, near_wall=kind == "desk" and b.rng.random() < 0.5)
    if got is None:
        return 0
    pl, _geo, s, foot = got
    n = 1
    top = pl.anchors["top"]
    if kind == "desk":
        office = b.st != "classroom"
        items = t.desk_top["office" if office else "classroom"]
        first = t.desk_computers if office else None  # an office desk has its computer
    else:
        items, first = t.table_top, None
    on = b.on_top(pl, top, items, s, rule, int(b.rng.integers(1, 4)), first=first)
    n += len(on)
    # chairs and people at the sides
    for side in (-1, 1):
        if not t.chairs or b.rng.random() < 0.35:
            continue
        ch = b.choice(t.chairs)
        chh = b.height(ch) * s
        cx = pl.cx + side * (pl.w / 2 + chh * 0.25)
        # nearer than the table and everything on its top (drawn at most 0.04 before it:
        # ``on_top``), so the things on the table never show through the chair or the
        # person behind it (a potted plant on a desk was drawn over a man's face)
        cp = b.sprite(
            ch, rule, cx, foot + 2, chh, pl.z - 0.05, shadow=True, pos=b.pos(cx, foot + 2)
        )
        if cp is None:
            continue
        b.rel(cp.oid, "on", b.piece_oid("floor") or 1, rule)
        b.rel(cp.oid, "at", pl.oid, rule + "?")  # a chair at the table, where they touch
        n += 1
        if b.rng.random() < 0.7:
            px = cx - side * chh * 0.1  # behind the chair, at the table's edge
            pp = _stand_at_table(b, pl, px, foot + 1, cp.z + 1e-3, s, rule)
            if pp is not None:
                n += 1
                b.rel(pp.oid, "at", pl.oid, rule)
                usable = t.words(G.USABLE)
                for it in on:
                    # in front of the person and within reach (the boxes meet, as the
                    # graph's check wants: a computer at the desk's far end is not used)
                    if (
                        b.objects[it.oid - 1]["category"] in usable
                        and (it.cx - pp.cx) * (1 if pp.facing == "right" else -1) > 0
                        and it.x < pp.x + pp.w
                        and pp.x < it.x + it.w
                    ):
                        b.rel(pp.oid, "using", it.oid, rule)
                        break
    if t.under and b.rng.random() < 0.3 and "under" in pl.anchors:
        ux0, uy0, ux1, uy1 = pl.anchors["under"]
        c = b.choice(t.under)
        hpx = min(b.height(c) * s, (uy1 - uy0) * 0.9)
        up = b.sprite(c, rule, (ux0 + ux1) / 2, foot - 1, hpx, pl.z + 1e-3)
        if up is not None:
            b.rel(up.oid, "under", pl.oid, rule)
            n += 1
    if b.bd.indoor and t.hang and b.rng.random() < 0.3:
        n += _hanging_light(b, rule, over=pl, s=s)
    return n


def _hanging_light(
    b: _Builder, rule: str = "hanging_light", over: Placed | None = None, s: float | None = None
) -> int:
    t = b.t
    ceiling = b.piece_oid("ceiling")
    if ceiling is None or not t.hang:
        return 0
    c = b.choice(t.hang)
    if over is None:
        s = b.bd.wall_scale * (1.0 + b.rng.random())
        cx = b.W * (0.1 + 0.8 * b.rng.random())
        z = b.bd.depth(b.bd.wall_bottom) * 0.8
        bottom_limit = b.bd.wall_bottom - 2.1 * s
    else:
        cx = over.cx
        z = over.z - 2e-3
        bottom_limit = over.y - 0.5 * s
    hpx = max(16.0, min(max(b.height(c), 0.3) * s, 40.0))
    top = (
        b.bd.ceiling_bottom
        + 4
        + (max(bottom_limit - hpx, b.bd.ceiling_bottom + 6) - b.bd.ceiling_bottom - 4)
        * b.rng.random()
    )
    p = b.sprite(c, rule, cx, top + hpx, hpx, z)
    if p is None:
        return 0
    # the wire: a 2-px cord from the image top to the light
    wire = b.new_object(
        name="wire",
        category="wire",
        synset=_synset("wire"),
        group="structure",
        role="thing",
        attributes=("black",),
        rule=rule,
    )
    b.layers.append(
        (
            z + 1e-5,
            len(b.layers),
            dict(
                kind="struct",
                key=("wire", 2, max(2, p.y + 2), 0, None),
                x=int(p.cx) - 1,
                y=0,
                w=2,
                h=max(2, p.y + 2),
                oids=(wire,),
                shadow=None,
            ),
        )
    )
    b.rel(p.oid, "hanging from", ceiling, rule)
    b.rel(wire, "attached to", p.oid, rule)
    b.rel(wire, "hanging from", ceiling, rule)
    if over is not None:
        b.rel(p.oid, "over", over.oid, rule)
    return 2


def _wall_mount(b: _Builder, rule="wall_mount") -> int:
    t = b.t
    wall = b.piece_oid("wall")
    if wall is None or not t.wall_mount or not b.bd.free_wall:
        return 0
    c = b.choice(t.wall_mount)
    s = b.bd.wall_scale
    hpx = max(10.0, b.height(c) * s)
    a, z1 = b.bd.free_wall[int(b.rng.integers(len(b.bd.free_wall)))]
    for _ in range(6):
        cx = a + hpx + (z1 - a - 2 * hpx) * b.rng.random()
        if z1 - a < 2 * hpx + 4:
            return 0
        if all(abs(cx - x) > hpx * 1.6 for x, _ in b.wall_boxes):
            break
    else:
        return 0
    foot = b.bd.wall_bottom - (1.4 + 0.5 * b.rng.random()) * s + hpx / 2
    p = b.sprite(c, rule, cx, foot, hpx, b.bd.depth(b.bd.wall_bottom) + 0.5)
    if p is None:
        return 0
    b.wall_boxes.append((cx, hpx))
    b.rel(p.oid, "mounted on" if b.rng.random() < 0.75 else "on", wall, rule)
    return 1


def _counter_group(b: _Builder, rule="counter_group") -> int:
    got = _floor_struct(b, "counter", rule, near_wall=True)
    if got is None:
        return 0
    pl, _geo, s, _foot = got
    on = b.on_top(pl, pl.anchors["top"], b.t.counter_top, s, rule, int(b.rng.integers(1, 4)))
    return 1 + len(on)


def _cabinet_group(b: _Builder, rule="cabinet_group") -> int:
    got = _floor_struct(b, "cabinet", rule, near_wall=True)
    if got is None:
        return 0
    pl, _geo, s, _foot = got
    x0, y0, x1, y1 = pl.anchors["top"]
    on = b.on_top(
        pl,
        (x0, y0, x1, y0 + max(3, (y1 - y0))),
        b.t.cabinet_top,
        s,
        rule,
        int(b.rng.integers(1, 3)),
    )
    return 1 + len(on)


def _shelf_group(b: _Builder, rule="shelf_group") -> int:
    got = _floor_struct(b, "shelf", rule, near_wall=True)
    if got is None:
        return 0
    pl, _geo, s, _foot = got
    n = 1
    items = b.t.shelf_items
    if not items:
        return n
    boards = sorted(k for k in pl.anchors if k.startswith("board"))
    prev = pl.y
    for k in boards:
        x0, y0, x1, y1 = pl.anchors[k]
        room = y0 - prev
        prev = y1
        for j in range(int(b.rng.integers(0, 3))):
            c = b.choice(items)
            hpx = min(b.height(c) * s, room * 0.85)
            if hpx < 6:
                continue
            cx = x0 + (x1 - x0) * (0.15 + 0.7 * b.rng.random())
            # foot on the board's lower edge: the board's front lip hides the thing's foot
            p = b.sprite(c, rule, cx, y1 - 1, hpx, pl.z + 1e-4 * (j + 1) - 1e-5)
            if p is not None:
                b.rel(p.oid, "in", pl.oid, rule)
                n += 1
    return n


def _sofa_group(b: _Builder, rule="sofa_group") -> int:
    got = _floor_sprite(b, b.t.couches, rule, near_wall=True, width_m=2.0)
    if got is None:
        return 0
    p, s, _foot, _c = got
    n = 1
    seat_y = p.a("seat", (p.cx, p.y + p.h * 0.7))[1]
    if b.rng.random() < 0.7:
        pp = _seat_person(b, p, s, rule, toward=None, seat_y=p.bottom)
        if pp is not None:
            n += 1
    if b.t.pets and b.rng.random() < 0.35:
        pet = b.choice([x for x in b.t.pets if b.t.cat(x).height_m[1] < 0.8] or b.t.pets)
        hpx = min(b.height(pet) * s, p.h * 0.6)
        cx = p.x + p.w * (0.2 + 0.6 * b.rng.random())
        pt = b.sprite(pet, rule, cx, seat_y + 2, hpx, p.z - 4e-4)
        if pt is not None:
            b.rel(pt.oid, "laying on" if b.rng.random() < 0.5 else "lying on", p.oid, rule)
            n += 1
    if b.rng.random() < 0.5:
        n += _pillow_on(b, p, s, seat_y, rule)
    return n


def _pillow_on(b: _Builder, p: Placed, s: float, y: float, rule: str) -> int:
    w, h = _struct_px(b, "pillow", s)
    w, h = int(w), int(h * 1.6)
    if w < 8 or h < 4:
        return 0
    cx = p.x + p.w * (0.2 + 0.6 * b.rng.random())
    if _twin_struct(b, "pillow", cx, y + 1, w, h):
        return 0
    pl, _ = b.struct("pillow", rule, cx, y + 1, w, h, p.z - 3e-4, shadow=False)
    b.rel(pl.oid, "on", p.oid, rule)
    return 1


FLOOR_SHOE_MAX_M = 0.25
"""Tallest a shoe standing on the floor by a bed is drawn (metres)."""


def _bed_group(b: _Builder, rule="bed_group") -> int:
    got = _floor_sprite(b, b.t.beds, rule, near_wall=True, width_m=2.2)
    if got is None:
        return 0
    p, s, _foot, _c = got
    n = 1
    top = p.a("seat", (p.cx, p.y + p.h * 0.45))[1]
    for _ in range(int(b.rng.integers(0, 3))):
        n += _pillow_on(b, p, s, top, rule)
    if b.t.pets and b.rng.random() < 0.5:
        pet = b.choice([x for x in b.t.pets if b.t.cat(x).height_m[1] < 0.8] or b.t.pets)
        hpx = min(b.height(pet) * s, p.h * 0.6)
        pt = b.sprite(pet, rule, p.x + p.w * (0.2 + 0.6 * b.rng.random()), top + 2, hpx, p.z - 4e-4)
        if pt is not None:
            b.rel(pt.oid, "laying on" if b.rng.random() < 0.5 else "lying on", p.oid, rule)
            n += 1
    if b.t.bed_clothes and b.rng.random() < 0.5:
        c = b.choice(b.t.bed_clothes)
        hpx = max(8.0, min(b.height(c) * s * 0.5, p.h * 0.35))
        ck = b.sprite(c, rule, p.x + p.w * (0.25 + 0.5 * b.rng.random()), top + 3, hpx, p.z - 6e-4)
        if ck is not None:
            b.rel(ck.oid, "lying on", p.oid, rule)
            n += 1
    if b.t.floor_shoes and b.rng.random() < 0.4:
        c = b.choice(b.t.floor_shoes)
        foot = p.bottom + 2 + int(b.rng.integers(0, 8))
        if foot < b.H - 2:
            cx = p.x + p.w * (0.1 + 0.8 * b.rng.random())
            # a shoe's height, at most an ankle boot's: the boot's range (0.15-0.5 m) is
            # its knee-high pose's too, and a hiking boot drawn at 0.5 m (and 1.5 times
            # that, once) stood as tall as the bed beside it
            hpx = max(8.0, min(b.height(c), FLOOR_SHOE_MAX_M) * b.bd.scale(foot))
            sh = b.sprite(c, rule, cx, foot, hpx, b.bd.depth(foot) - 1e-3, pos=b.pos(cx, foot))
            if sh is not None:
                b.rel(sh.oid, "on", b.piece_oid("floor") or 1, rule)
                n += 1
    books = b.t.words(("book",))
    if books and b.rng.random() < 0.3:
        bk = b.sprite(
            books[0],
            rule,
            p.x + p.w * (0.2 + 0.6 * b.rng.random()),
            top + 3,
            max(6.0, 0.2 * s),
            p.z - 5e-4,
        )
        if bk is not None:
            b.rel(bk.oid, "lying on", p.oid, rule)
            n += 1
    return n


def _bench_group(b: _Builder, rule="bench_group") -> int:
    got = _floor_struct(b, "bench", rule, near_wall=False)
    if got is None:
        return 0
    pl, _geo, s, foot = got
    n = 1
    seat = pl.anchors["seat"]
    if b.rng.random() < 0.7:
        pp = _seat_person(b, pl, s, rule, toward=None, seat_y=seat[3] + (pl.bottom - seat[3]) * 0.6)
        if pp is not None:
            n += 1
    if b.t.under and b.rng.random() < 0.3:
        c = b.choice(b.t.under)
        _ux0, uy0, _ux1, uy1 = pl.anchors["under"]
        hpx = min(b.height(c) * s, (uy1 - uy0) * 0.85)
        if hpx >= 6:
            up = b.sprite(
                c, rule, pl.x + pl.w * (0.25 + 0.5 * b.rng.random()), foot - 1, hpx, pl.z + 1e-3
            )
            if up is not None:
                b.rel(up.oid, "under", pl.oid, rule)
                n += 1
    return n


def _lone(
    b: _Builder,
    word: str,
    grounds: tuple[str, ...],
    width_m: float,
    rule: str,
    predicate: str = "on",
    height: Any = None,
    **ground_kw: Any,
) -> int:
    """One ``word`` thing standing by itself on one of ``grounds`` (a rock, a flag, a
    player): ``predicate`` it to that ground. ``height(s)`` draws its pixel height from the
    ground's pixels per metre (default: the category's real height)."""
    cats = b.t.words((word,))
    if not cats:
        return 0
    got = b.ground(grounds, width_m, **ground_kw)
    if got is None:
        return 0
    g, _, _, s = got
    p = b.grounded(cats[0], rule, got, height(s) if height else b.height(cats[0]) * s)
    if p is None:
        return 0
    b.rel(p.oid, predicate, g, rule)
    return 1


def _rock(b: _Builder, rule="rock") -> int:
    return _lone(b, "rock", ("grass", "beach", "snow", "sidewalk"), 1.0, rule)


def _building(b: _Builder, rule="building") -> int:
    """A building (or a tower) far down the street: its foot on the far ground band."""
    cats = b.t.buildings if b.rng.random() < 0.85 else b.t.words(("tower",))
    if not cats:
        return 0
    c = b.choice(cats)
    got = b.ground(("sidewalk", "grass", "snow"), 14.0, rows=(0.0, 0.1), avoid=False)
    if got is None:
        return 0
    g, foot, cx, s = got
    lo, hi = b.t.cat(c).height_m
    hm = lo + (min(hi, 3 * lo) - lo) * b.rng.random()
    hpx = min(hm * s, (foot - 2) * 0.98)
    if hpx < 30:
        return 0
    p = b.sprite(c, rule, cx, foot, hpx, b.bd.depth(foot) + 2.0, pos=b.pos(cx, foot))
    if p is None:
        return 0
    b.rel(p.oid, "on", g, rule)
    n = 1
    flags = b.t.words(("flag",))
    if flags and c == "building" and b.rng.random() < 0.3:
        fh = max(10.0, p.h * 0.25)
        f = b.sprite(
            flags[0], rule, p.x + p.w * (0.3 + 0.4 * b.rng.random()), p.y + 3, fh, p.z - 1e-3
        )
        if f is not None:
            b.rel(f.oid, "on", p.oid, rule)
            n += 1
    return n


def _flag(b: _Builder, rule="flag") -> int:
    # the emoji's cloth is large for its pole: a flag stands far off, drawn 1-1.6 m tall
    return _lone(
        b,
        "flag",
        ("grass", "beach", "snow", "sidewalk"),
        0.8,
        rule,
        height=lambda s: (1.0 + 0.6 * b.rng.random()) * s,
        rows=(0.0, 0.35),
    )


def _railing(b: _Builder, rule="railing") -> int:
    along = b.piece_oid("track") or b.piece_oid("water") or b.piece_oid("street")
    names = ("sidewalk", "grass", "beach", "snow")
    got = b.ground(names, 4.0, avoid=False, rows=(0.0, 0.45))
    if got is None:
        return 0
    g, foot, cx, s = got
    w, h = _struct_px(b, "railing", s)
    w, h = int(min(w, b.W * 0.9)), int(h)
    if h < 8 or not _barrier_free(b, cx, foot, w, h):
        return 0
    pl, _ = b.struct("railing", rule, cx, foot, w, h, b.bd.depth(foot), pos=b.pos(cx, foot))
    if along is not None and b.rng.random() < 0.5:
        b.rel(pl.oid, "along", along, rule)
    else:
        b.rel(pl.oid, "on", g, rule)
    return 1


def _towel(b: _Builder, rule="towel") -> int:
    got = b.ground(("beach", "grass"), 1.8)
    if got is None:
        return 0
    g, foot, cx, s = got
    w, h = _struct_px(b, "towel", s)
    w, h = int(w), max(4, int(h))
    if w < 20:
        return 0
    pl, _ = b.struct(
        "towel", rule, cx, foot, w, h, b.bd.depth(foot) + 0.3, shadow=False, pos=b.pos(cx, foot)
    )
    b.rel(pl.oid, "lying on" if b.rng.random() < 0.5 else "on", g, rule)
    n = 1
    if b.rng.random() < 0.5:
        pets_or = b.t.words(G.ON_TOWEL)
        c = b.choice(pets_or)
        hpx = max(8.0, b.height(c) * s)
        it = b.sprite(
            c, rule, pl.x + pl.w * (0.2 + 0.6 * b.rng.random()), pl.y + pl.h * 0.7, hpx, pl.z - 1e-3
        )
        if it is not None:
            b.rel(it.oid, "on", pl.oid, rule)
            n += 1
    return n


def _surfboard(b: _Builder, rule="surfer") -> int:
    water = b.piece_oid("water")
    if water is None or not b.t.people:
        return 0
    got = b.ground(("water",), 2.4)
    if got is None:
        return 0
    _g, foot, cx, s = got
    w, h = _struct_px(b, "surfboard", s)
    w, h = int(w), max(4, int(h))
    if w < 16:
        return 0
    pl, _ = b.struct(
        "surfboard", rule, cx, foot, w, h, b.bd.depth(foot), shadow=False, pos=b.pos(cx, foot)
    )
    b.rel(pl.oid, "in", water, rule)
    b.overlay(water, pl.x, pl.y + int(pl.h * 0.7), pl.x + pl.w, pl.y + pl.h, pl.z - 1e-4)
    n = 1
    person = b.choice(b.t.people)
    pp = b.sprite(
        person,
        rule,
        pl.x + pl.w / 2,
        pl.y + pl.h * 0.5,
        b.height(person) * s,
        pl.z - 5e-4,
        pose="stand",
    )
    if pp is not None:
        b.rel(pp.oid, "standing on" if b.rng.random() < 0.4 else "riding", pl.oid, rule)
        n += 1
    return n


def _player(b: _Builder, rule="player") -> int:
    return _lone(b, "player", ("grass", "sidewalk", "beach", "floor"), 0.8, rule, "standing on")


CHILD_NAMES = {"man": ("boy", "kid"), "woman": ("girl", "kid"), "person": ("child", "kid")}


def _child(b: _Builder, rule="child") -> int:
    """A child: a person drawn 1.0-1.4 m tall beside the grown-ups, named boy, girl, child
    or kid."""
    t = b.t
    cats = [c for c in t.people if c in CHILD_NAMES]
    if not cats:
        return 0
    got = b.ground(G.STAND_ON["person"], 0.5)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    cat = b.choice(cats)
    words = CHILD_NAMES[cat]
    name = words[0] if b.rng.random() < 0.75 else words[1]
    pose = "walk" if (b.rng.random() < 0.3 and "walk" in t.poses.get(cat, {})) else "stand"
    p = b.grounded(cat, rule, got, (1.0 + 0.4 * b.rng.random()) * s, pose=pose, name=name)
    if p is None:
        return 0
    gname = b.objects[g - 1]["category"]
    b.rel(p.oid, G.ground_predicate("person", pose, gname), g, rule)
    parts = _person_parts(b, p, rule)
    if "shoe" in parts:
        b.rel(parts["shoe"], "on", g, rule + "?")
    _accessorize(b, p, cat, s, rule, walking=pose == "walk", parts=parts)
    return 1


def _near_table(b: _Builder, rule="near_table") -> int:
    """A table close to the camera: its legs run off the image bottom, its top (and what
    stands on it: plates with food, cups, forks) is seen large."""
    if not b.bd.indoor or any(o.get("rule") == rule for o in b.objects):
        return 0
    # two scales per backdrop (the table's top 30 % or 15 % of the floor above the bottom)
    room = b.H - b.bd.horizon
    s = float(qsize(room * (0.7 if b.rng.random() < 0.5 else 0.85) / 0.75, 1.15))
    foot = b.bd.horizon + CAM_H_M * s
    w, h = _struct_px(b, "table", s)
    w, h = int(min(w, b.W * 0.95)), int(h)
    cx = w / 2 + (b.W - w) * b.rng.random()
    pl, _ = b.struct(
        "table", rule, cx, foot, w, h, b.bd.depth(foot), shadow=False, pos=b.pos(cx, foot)
    )
    b.ground_boxes.append((pl.x, pl.y, pl.x + pl.w, b.H))
    items = b.t.meal or b.t.table_top
    on = b.on_top(pl, pl.anchors["top"], items, s, rule, int(b.rng.integers(2, 5)))
    return 1 + len(on)


def _water_animal(b: _Builder, rule="water_animal") -> int:
    """A water animal (dolphin, seal, duck) in the water: the water line hides its lower
    part (so it is *in* the water), and its top stays under the horizon."""
    water = b.piece_oid("water")
    if water is None or not b.t.water_animals:
        return 0
    got = b.ground(("water",), 1.5)
    if got is None:
        return 0
    _g, foot, _cx, s = got
    a = b.choice(b.t.water_animals)
    # what shows above the water is lower than the camera, so it stays under the horizon (a
    # shark's 3 m length drawn as height leapt into the sky above the sea)
    limit = foot - b.bd.horizon - 2
    h = min(max(10.0, b.height(a) * s), limit)
    while h >= 10 and qsize(h) > limit:  # drawn sizes are rounded to a grid, up too
        h /= QSTEP
    if h < 10:
        return 0
    p = b.grounded(a, rule, got, h, shadow=False)
    if p is None:
        return 0
    b.overlay(water, p.x, p.y + int(p.h * 0.7), p.x + p.w, p.y + p.h, p.z - 1e-4)
    b.rel(p.oid, "in", water, rule)
    return 1


def _flower_bed(b: _Builder, rule="flower_bed") -> int:
    """A few flowers growing side by side on the grass near the camera; an insect (a
    butterfly, a bee, a ladybug) sometimes sits on one."""
    t = b.t
    if not t.flowers:
        return 0
    got = b.ground(("grass",), 1.2, rows=(0.5, 1.0))
    if got is None:
        return 0
    g, foot, cx, s = got
    c = b.choice(t.flowers)
    k = int(b.rng.integers(2, 5))
    h = max(12.0, b.height(c) * s)
    n = 0
    for j in range(k):
        fx = cx + (j - (k - 1) / 2) * h * 0.7
        fp = b.sprite(
            c,
            rule,
            fx,
            foot + j % 2,
            h * (0.85 + 0.3 * b.rng.random()),
            b.bd.depth(foot) - 1e-4 * j,
            pos=b.pos(fx, foot),
        )
        if fp is None:
            continue
        b.rel(fp.oid, "growing on" if b.rng.random() < 0.5 else "on", g, rule)
        n += 1
        if t.on_flower and b.rng.random() < 0.3:
            bug = b.choice(t.on_flower)
            bh = max(8.0, fp.h * 0.3)
            it = b.sprite(bug, rule, fp.cx, fp.y + fp.h * 0.35, bh, fp.z - 2e-4)
            if it is not None:
                b.rel(it.oid, "on", fp.oid, rule + "?")
                n += 1
    return n


def _pick_lone(b: _Builder, cats, grounds, width_m, rule, predicate="on", **kw) -> int:
    if not cats:
        return 0
    return _lone(b, b.choice(cats), grounds, width_m, rule, predicate, **kw)


def _full_body(b: _Builder, rule="person") -> int:
    """A golfer, a juggler, a dancer: a person standing on the ground, holding things."""
    t = b.t
    if not t.full_body:
        return 0
    got = b.ground(G.STAND_ON["person"], 0.6)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    cat = b.choice(t.full_body)
    p = b.grounded(cat, rule, got, b.height(cat) * s)
    if p is None:
        return 0
    b.rel(p.oid, "standing on", g, rule)
    _accessorize(b, p, cat, s, rule)
    return 1


def _floor_thing(b: _Builder, rule="floor_thing") -> int:
    cats = b.t.floor_things.get(b.st) or b.t.appliances or b.t.floor_plants
    return 1 if _floor_sprite(b, cats, rule, near_wall=True, width_m=0.9) else 0


def _farm_vehicle(b: _Builder, rule="farm_vehicle") -> int:
    t = b.t
    if not t.farm_vehicles:
        return 0
    v = b.choice(t.farm_vehicles)
    got = b.ground(("grass",), 3.5)
    if got is None:
        return 0
    g, _foot, _cx, s = got
    p = b.grounded(v, rule, got, b.height(v) * s)
    if p is None:
        return 0
    b.rel(p.oid, "parked on", g, rule)
    _tires_on(b, _vehicle_parts(b, p, rule), g, rule)
    return 1


TEMPLATES = {
    "person": lambda b: 1 if _person(b) is not None else 0,
    "rider": _rider,
    "surfer": lambda b: (
        _board_rider(b, b.t.surfboards, ("water",), "surfer") or _solo(b, "water") or _swimmer(b)
    ),
    "skier": lambda b: _board_rider(b, b.t.boards, ("snow",), "skier") or _solo(b, "snow"),
    "skater": lambda b: _board_rider(b, b.t.skateboards, ("street", "sidewalk"), "skater"),
    "parked": _parked,
    "sign": _sign,
    "house": _house,
    "fence": _fence,
    "tree": _tree,
    "flyer": _flyer,
    "pet": lambda b: _animal(b, b.t.pets, "pet"),
    "farm_animal": lambda b: _animal(b, b.t.farm, "farm_animal"),
    "ground_bird": lambda b: _animal(b, b.t.ground_birds, "ground_bird"),
    "bird_on_back": _bird_on_back,
    "boat": _boat,
    "beach_thing": _beach_thing,
    "ski_thing": lambda b: _animal(b, b.t.ski, "ski_thing") if b.t.ski else 0,
    "train": _train,
    "table_group": _table_group,
    "desk_group": lambda b: _table_group(b, "desk", "desk_group"),
    "counter_group": _counter_group,
    "cabinet_group": _cabinet_group,
    "shelf_group": _shelf_group,
    "sofa_group": _sofa_group,
    "bed_group": _bed_group,
    "bench_group": _bench_group,
    "wall_mount": _wall_mount,
    "hanging_light": _hanging_light,
    "rock": _rock,
    "building": _building,
    "flag": _flag,
    "railing": _railing,
    "towel": _towel,
    "surfboard": _surfboard,
    "player": _player,
    "child": _child,
    "near_table": _near_table,
    "floor_plant": lambda b: (
        1
        if _floor_sprite(
            b, b.t.floor_plants, "floor_plant", near_wall=b.rng.random() < 0.5, width_m=0.6
        )
        else 0
    ),
    "floor_thing": _floor_thing,
    "critter": lambda b: _animal(
        b, b.t.critters, "critter", ("grass", "sidewalk", "snow"), (0.55, 1.0), 10.0, "on"
    ),
    "snow_animal": lambda b: _animal(b, b.t.snow_animals, "snow_animal", ("snow",)),
    "shore_animal": lambda b: _animal(
        b, b.t.shore_animals, "shore_animal", ("beach",), (0.4, 1.0), 10.0, "on"
    ),
    "water_animal": _water_animal,
    "flower_bed": _flower_bed,
    "street_thing": lambda b: _pick_lone(b, b.t.street_things, ("sidewalk",), 0.8, "street_thing"),
    "park_thing": lambda b: _pick_lone(b, b.t.park_things, ("grass",), 2.0, "park_thing"),
    "on_grass": lambda b: _pick_lone(b, b.t.on_grass, ("grass",), 1.0, "on_grass", rows=(0.3, 1.0)),
    "farm_building": lambda b: _pick_lone(
        b, b.t.farm_buildings, ("grass",), 4.0, "farm_building", rows=(0.0, 0.3)
    ),
    "farm_vehicle": _farm_vehicle,
    "full_body": _full_body,
}
assert all(k in TEMPLATES for w in G.SCENES.values() for k in w)


@functools.cache
def _group_draw(scene_type: str) -> tuple[list[str], str, np.ndarray]:
    """A scene type's group names, its first (most typical) group, and the cumulative
    distribution ``Generator.choice(len(names), p=p)`` draws from (computed as it does)."""
    weights = G.SCENES[scene_type]
    names = list(weights)
    p = np.array([weights[k] for k in names], float)
    p /= p.sum()
    # the scene's first group is its most typical one (a kitchen has its counter)
    first = names[int(np.argmax(p))]
    cdf = p.cumsum()
    cdf /= cdf[-1]
    cdf.setflags(write=False)
    return names, first, cdf


def sample_draft(rng: np.random.Generator, config, tables: Tables, tries: int = 1) -> SpriteScene:
    """One candidate scene (not yet checked against its rendering)."""
    rng = fast_rng(rng)
    types = tuple(config.scene_types)
    st = types[int(rng.integers(len(types)))]
    variant = int(rng.integers(config.backdrop_variants))
    tint = variant_tint(variant, st)
    b = _Builder(rng, config, tables, st, variant)
    target = int(rng.integers(config.min_objects, config.max_objects + 1))
    names, first, cdf = _group_draw(st)
    attempts = 0
    while b.things < target and attempts < 3 * config.max_objects:
        attempts += 1
        # rng.choice(len(names), p=p) without its checks of p (a tenth of a millisecond
        # per scene): the same single draw and the same index
        name = first if attempts == 1 else names[int(cdf.searchsorted(rng.random(), "right"))]
        TEMPLATES[name](b)
    order = sorted(b.layers, key=lambda e: (-e[0], e[1]))
    for z, _, lay in order:
        lay["z"] = z
    layers = tuple(_built(SLayer, _SLAYER_DEFAULTS, lay) for _, _, lay in order)
    for i, o in enumerate(b.objects):
        o["oid"] = i + 1
    objects = tuple(_built(SObject, _SOBJECT_DEFAULTS, o) for o in b.objects)
    return SpriteScene(
        st,
        variant,
        tint,
        config.width,
        config.height,
        config.atlas,
        objects,
        layers,
        tuple(b.rels),
        tries,
    )
