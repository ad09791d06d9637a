"""Sampling the variant of a procedural scene: 1-3 changes, each on a different object.

Contract: ``sample_variant(rng, scene, spec)`` is a pure function of the generator's state,
the scene and the spec; it returns the variant's objects and the list of changes, or None
when no valid change was found in ``spec.tries`` attempts per change. The variant keeps the
base's stage and light, so the two renders differ only where the changes are.

Kinds (``CHANGE_KINDS``):

replace   another shape and/or another color (the object is swapped for a different one)
remove    the object is gone
add       a new object (random attributes) stands somewhere free
recolor   another color
material  the other material (rubber <-> metal)
move      the same object stands elsewhere (at least ``min_move`` world units away)
resize    another size class

Every variant keeps the world's guarantees: footprints stay ``min_spacing`` apart, and every
changed or added object stands in a placement cell that keeps it inside the image (the same
cell tables the scene sampler uses, ``synthgen.world.placement``). Visibility after the change
is checked on the variant's rendering by the program, not here.

Separate regions: with more than one change, each change's screen region (the union of the
object's bounding screen boxes before and after, ``screen_box``) must neither overlap nor
touch the regions of the changes made before it; a candidate that would is redrawn like any
other failed attempt. Screen boxes bound the silhouette (they contain every pixel the object
can cover), so visible boxes, and hence the recorded change boxes, are then apart too: the
pixel difference of each change is its own region, never merged with another's.

Identity: unchanged and changed objects keep their order; removed ones are left out and added
ones go last. ``Variant.index_b[i]`` is the variant index of base object i (None if removed),
``Change.a`` / ``Change.b`` the object's index in the base / variant (None where absent).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from synthgen.filters.diff_area import apart
from synthgen.world.camera import Camera
from synthgen.world.placement import GRID, placement_table
from synthgen.world.scene import Scene, WorldConfig, WorldObject
from synthgen.world.vocab import SIZE_RANK

CHANGE_KINDS: tuple[str, ...] = (
    "replace",
    "remove",
    "add",
    "recolor",
    "material",
    "move",
    "resize",
)


@dataclass(frozen=True)
class VariantSpec:
    """What the sampler may do (derived from the program config)."""

    world: WorldConfig
    kinds: tuple[str, ...] = CHANGE_KINDS
    changes: tuple[int, int] = (1, 1)
    tries: int = 20
    min_move: float = 1.0
    position_tries: int = 16


@dataclass(frozen=True)
class Change:
    """One change: ``kind``, the object's index in the base (``a``) and variant (``b``)."""

    kind: str
    a: int | None
    b: int | None


@dataclass(frozen=True)
class Variant:
    objects: tuple[WorldObject, ...]
    changes: tuple[Change, ...]
    index_b: tuple[int | None, ...]

    def scene(self, base: Scene) -> Scene:
        return Scene(objects=self.objects, stage=base.stage, light=base.light)


@functools.lru_cache(maxsize=4096)
def _valid_cells(stage: object, world: WorldConfig) -> np.ndarray:
    """(classes, GRID * GRID) bool: cell validity per (shape, size) class of the world."""
    table = placement_table(stage, world.shapes, world.sizes, world.area_half_extent)
    valid = np.zeros((len(table.counts), GRID * GRID), dtype=bool)
    for c, count in enumerate(table.counts.tolist()):
        valid[c, table.cells[c, :count].astype(np.int64)] = True
    return valid


_RIM = 16
_ANGLES = 2 * math.pi * np.arange(_RIM) / _RIM
_CIRCUM = 1 / math.cos(math.pi / _RIM)
"""A regular 16-gon with this circumradius factor contains the unit circle."""
_PRISM_X = np.tile(np.cos(_ANGLES) * _CIRCUM, 2)
_PRISM_Y = np.tile(np.sin(_ANGLES) * _CIRCUM, 2)
_PRISM_Z = np.repeat([0.0, 1.0], _RIM)

ScreenBox = tuple[int, int, int, int]
"""Inclusive pixel box (x0, y0, x1, y1)."""


def screen_box(camera: Camera, obj: WorldObject) -> ScreenBox:
    """A pixel box holding every pixel ``obj`` can cover: the projection of a prism around
    its footprint cylinder (a 16-gon circumscribing the footprint circle, from the ground to
    the object's top), widened by one pixel for rasterisation. Straight edges project to
    straight edges, so the prism's projected corners bound its image, and the prism holds the
    shape; objects stand in front of the camera (placement guarantees it)."""
    r = obj.footprint_radius
    u, v, _ = camera.project_xyz(obj.x + r * _PRISM_X, obj.y + r * _PRISM_Y, obj.height * _PRISM_Z)
    return (
        math.floor(u.min()) - 1,
        math.floor(v.min()) - 1,
        math.ceil(u.max()) + 1,
        math.ceil(v.max()) + 1,
    )


def _join(a: ScreenBox | None, b: ScreenBox | None) -> ScreenBox:
    boxes = [x for x in (a, b) if x is not None]
    return (
        min(x[0] for x in boxes),
        min(x[1] for x in boxes),
        max(x[2] for x in boxes),
        max(x[3] for x in boxes),
    )


class _Placer:
    """Placement checks and draws against the scene's stage and the world's tables."""

    def __init__(self, scene: Scene, world: WorldConfig) -> None:
        self.world = world
        self.valid = _valid_cells(scene.stage, world)
        self.half = world.area_half_extent
        self.cell = 2 * self.half / GRID

    def cls(self, shape: str, size: str) -> int | None:
        w = self.world
        if shape not in w.shapes or size not in w.sizes:
            return None
        return w.shapes.index(shape) * len(w.sizes) + w.sizes.index(size)

    def in_frame(self, obj: WorldObject) -> bool:
        c = self.cls(obj.shape, obj.size)
        if c is None:
            return False
        col = int((obj.x + self.half) // self.cell)
        row = int((obj.y + self.half) // self.cell)
        if not (0 <= col < GRID and 0 <= row < GRID):
            return False
        return bool(self.valid[c, row * GRID + col])

    def free(self, obj: WorldObject, others: list[WorldObject]) -> bool:
        gap = self.world.min_spacing
        r = obj.footprint_radius + gap
        for o in others:
            lim = r + o.footprint_radius
            dx, dy = obj.x - o.x, obj.y - o.y
            if dx * dx + dy * dy < lim * lim:
                return False
        return True

    def ok(self, obj: WorldObject, others: list[WorldObject]) -> bool:
        return self.in_frame(obj) and self.free(obj, others)

    def position(
        self, rng: np.random.Generator, shape: str, size: str, tries: int
    ) -> np.ndarray | None:
        """(tries, 2) candidate ground positions, uniform over the class's valid cells."""
        c = self.cls(shape, size)
        cells = np.flatnonzero(self.valid[c]) if c is not None else np.zeros(0, dtype=np.int64)
        u = rng.random((3, tries))
        if not len(cells):
            return None
        cell = cells[(u[0] * len(cells)).astype(np.int64)]
        x = (cell % GRID + u[1]) * self.cell - self.half
        y = (cell // GRID + u[2]) * self.cell - self.half
        return np.stack([x, y], axis=1)


def _other(rng: np.random.Generator, options: tuple[str, ...], current: str) -> str | None:
    rest = [v for v in options if v != current]
    return rest[int(rng.random() * len(rest))] if rest else None


def _try_change(
    rng: np.random.Generator,
    kind: str,
    objs: list[WorldObject | None],
    target: int | None,
    placer: _Placer,
    spec: VariantSpec,
) -> WorldObject | bool | None:
    """The new state of ``objs[target]`` (or the added object), None for a removal, or False
    when this attempt found no valid change."""
    world = spec.world
    others = [o for i, o in enumerate(objs) if o is not None and i != target]
    old = objs[target] if target is not None else None
    if kind == "remove":
        return None if others else False
    if kind == "add":
        shape = world.shapes[int(rng.random() * len(world.shapes))]
        color = world.colors[int(rng.random() * len(world.colors))]
        material = world.materials[int(rng.random() * len(world.materials))]
        size = world.sizes[int(rng.random() * len(world.sizes))]
        rot = float(rng.random() * 360.0)
        pts = placer.position(rng, shape, size, spec.position_tries)
        for x, y in pts.tolist() if pts is not None else []:
            new = WorldObject(shape, color, material, size, x, y, rot)
            if placer.free(new, others):
                return new
        return False
    assert old is not None
    if kind == "recolor":
        color = _other(rng, world.colors, old.color)
        return replace(old, color=color) if color else False
    if kind == "material":
        material = _other(rng, world.materials, old.material)
        return replace(old, material=material) if material else False
    if kind == "resize":
        size = _other(rng, world.sizes, old.size)
        new = replace(old, size=size) if size else None
        return new if new is not None and placer.ok(new, others) else False
    if kind == "replace":
        what = int(rng.random() * 3)  # 0: shape, 1: color, 2: both
        shape = _other(rng, world.shapes, old.shape) if what != 1 else old.shape
        color = _other(rng, world.colors, old.color) if what != 0 else old.color
        if shape is None or color is None:
            return False
        new = replace(old, shape=shape, color=color)
        return new if placer.ok(new, others) else False
    if kind == "move":
        pts = placer.position(rng, old.shape, old.size, spec.position_tries)
        for x, y in pts.tolist() if pts is not None else []:
            if (x - old.x) ** 2 + (y - old.y) ** 2 < spec.min_move**2:
                continue
            new = replace(old, x=x, y=y)
            if placer.free(new, others):
                return new
        return False
    raise ValueError(f"unknown change kind {kind!r}")


def sample_variant(rng: np.random.Generator, scene: Scene, spec: VariantSpec) -> Variant | None:
    """The variant of ``scene`` (module docstring); None if some change found no valid,
    separate placement in ``spec.tries`` attempts."""
    lo, hi = spec.changes
    count = lo + int(rng.random() * (hi - lo + 1))
    objs: list[WorldObject | None] = list(scene.objects)
    added: list[WorldObject] = []
    touched: set[int] = set()
    made: list[tuple[str, int | None, int | None]] = []  # kind, base index, added index
    placer = _Placer(scene, spec.world)
    camera = scene.stage.camera
    regions: list[ScreenBox] = []  # screen regions of the changes made so far
    for _ in range(count):
        for _attempt in range(spec.tries):
            kind = spec.kinds[int(rng.random() * len(spec.kinds))]
            current = objs + added
            if kind == "add":
                target = None
            else:
                free = [i for i in range(len(objs)) if i not in touched and objs[i] is not None]
                if not free:
                    continue
                target = free[int(rng.random() * len(free))]
            new = _try_change(rng, kind, current, target, placer, spec)
            if new is False:
                continue
            if count > 1:
                old = objs[target] if target is not None else None
                region = _join(
                    screen_box(camera, old) if old is not None else None,
                    screen_box(camera, new) if isinstance(new, WorldObject) else None,
                )
                if not all(apart(region, r) for r in regions):
                    continue
                regions.append(region)
            if kind == "add":
                assert isinstance(new, WorldObject)
                added.append(new)
                made.append((kind, None, len(added) - 1))
            else:
                assert target is not None
                objs[target] = new  # type: ignore[assignment]
                touched.add(target)
                made.append((kind, target, None))
            break
        else:
            return None
    index_b: list[int | None] = []
    kept = 0
    for o in objs:
        index_b.append(kept if o is not None else None)
        kept += o is not None
    changes = []
    for kind, a, k in made:
        if kind == "add":
            assert k is not None
            changes.append(Change(kind, None, kept + k))
        else:
            assert a is not None
            changes.append(Change(kind, a, index_b[a]))
    objects = tuple(o for o in objs if o is not None) + tuple(added)
    return Variant(objects, tuple(changes), tuple(index_b))


def size_direction(before: str, after: str) -> str:
    """ "bigger" or "smaller" (size classes are ordered)."""
    return "bigger" if SIZE_RANK[after] > SIZE_RANK[before] else "smaller"
