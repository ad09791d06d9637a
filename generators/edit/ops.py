"""The edit types of the procedural world: each turns a source scene into a target scene.

An edit type is a function ``(rng, Source) -> Plan | None``: it picks what to edit with the
candidate's own RNG, builds the target scene (a ``dataclasses.replace`` of the source: same
stage, camera and light unless the edit is about them), states what the instruction asks in
graph terms (:class:`~synthgen.filters.edit_fidelity.ExpectedDelta`) and fills the slots of
the instruction phrasings (``prompts/edit.toml``). None means "not applicable to this scene"
(e.g. no pair of objects to swap, no free space for the new object); the program then tries
another type. Geometric validity (footprints keep ``min_spacing`` from every other object, so
nothing interpenetrates and the painter's order stays exact) is decided here, before
rendering; visibility and the requested relations are checked on the rendered target.

Categories (``Plan.category``):

``object``  local edits of objects. The mask is the union of the edited objects'
            silhouettes before and after and, when the edit moves/reshapes them, of their
            shadows on the visible ground (``pixels.object_edit_mask``).
``scene``   background and light. Not local in pixels: background repaints every ground and
            wall pixel and every metal object (metal reflects the environment); light
            reshades every object and moves every shadow. Their masks are exactly those sets,
            and preservation additionally requires identical id maps (no object moved).
``text``    text on a sign (``sign.py``): the mask is the sign's board.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from synthgen.filters.edit_fidelity import ExpectedDelta, ObjectSpec
from synthgen.generators.edit import sign as signs
from synthgen.generators.edit.refexp import (
    STYLES,
    GraphIndex,
    RefExp,
    noun_phrase,
    phrase,
    unique_ref,
)
from synthgen.world import Rendering, Scene, SceneGraph, WorldConfig, WorldObject
from synthgen.world.camera import Light
from synthgen.world.scene import LIGHT_AZIMUTH_STEP_DEG

BACKDROPS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "light blue": ((150, 178, 205), (185, 210, 235)),
    "beige": ((196, 180, 150), (225, 212, 185)),
    "dark gray": ((80, 80, 84), (60, 60, 64)),
    "pale green": ((150, 185, 150), (190, 220, 190)),
    "pink": ((205, 160, 170), (235, 195, 205)),
    "white": ((225, 225, 225), (245, 245, 245)),
    "lavender": ((170, 160, 200), (205, 195, 230)),
    "sand yellow": ((205, 185, 120), (230, 215, 160)),
}
"""Named background looks: (ground rgb, wall rgb). A fixed palette keeps the renderer's
per-stage backdrop cache small (stages x 8 looks)."""

LIGHT_FROM: dict[str, float] = {
    "the left": -90.0,
    "the right": 90.0,
    "behind the camera": 0.0,
    "the back of the scene": 180.0,
}
"""Where the light comes from, as an azimuth offset from the camera's azimuth."""

MOVE_DIRECTIONS = ("to the left", "to the right", "toward the camera", "away from the camera")
MOVE_AMOUNTS: dict[str, float] = {
    "about half its width": 0.5,
    "about its own width": 1.0,
    "about twice its width": 2.0,
}
"""Described distance -> multiple of the object's footprint diameter."""
PLACES: dict[str, str] = {
    "to the left of": "left of",
    "to the right of": "right of",
    "behind": "behind",
    "in front of": "in front of",
}
"""Where an added object goes relative to an anchor -> the relation that must then hold."""
ROTATABLE = ("cube", "pyramid")
"""Shapes whose rotation about the vertical axis is visible (the others are round)."""
SYMMETRY_DEG = {"cube": 90, "pyramid": 90}
"""Turns that leave a shape looking the same (a cube and a square pyramid: quarter turns)."""
ROTATE_DEGREES = (15, 20, 25, 30)
"""Turns a viewer reads as asked: under half the symmetry period by at least 15 degrees.
A quarter-symmetric cube turned 60-70 degrees one way looks turned 20-30 degrees the other
way, and 45 degrees either way is the same picture."""
assert all(d <= p / 2 - 15 for p in SYMMETRY_DEG.values() for d in ROTATE_DEGREES)
COUNT_WORDS = {1: "one", 2: "two"}
"""How many objects a count edit adds (1 or 2), as the instruction says it."""
MAX_PLACEMENT_TRIES = 8
OBJECT_TYPES = (
    "recolor",
    "shape",
    "material",
    "resize",
    "move",
    "remove",
    "add",
    "replace",
    "swap",
    "duplicate",
    "count",
    "remove_all",
    "recolor_all",
    "rotate",
)
SCENE_TYPES = ("background", "light")
TEXT_TYPES = ("text_wording", "text_color", "text_size", "text_style")
EDIT_TYPES = OBJECT_TYPES + SCENE_TYPES + TEXT_TYPES


@dataclass
class Source:
    """A rendered source scene with its graph and the config's vocabulary.

    ``graph`` is None only for a candidate that gets a global style and stores no graphs
    (the program skips building it); every planner here needs it."""

    scene: Scene
    rendering: Rendering
    graph: SceneGraph | None
    world: WorldConfig

    @cached_property
    def index(self) -> GraphIndex:
        assert self.graph is not None, "edit planners need the source graph"
        return GraphIndex(self.graph)


@dataclass
class Plan:
    """A planned edit (see module docstring)."""

    edit_type: str
    category: str
    slots: dict[str, str]
    params: dict[str, Any]
    target: Scene | None = None
    expected: ExpectedDelta | None = None
    changed_before: list[int] = field(default_factory=list)
    changed_after: list[int] = field(default_factory=list)
    shadows_change: bool = True
    refexps: dict[str, RefExp] = field(default_factory=dict)
    referents: dict[str, int] = field(default_factory=dict)
    """Source graph id (1-based) each expression of ``refexps`` must denote, and only it."""
    sign_before: signs.Sign | None = None
    sign_after: signs.Sign | None = None


def _pick(rng: np.random.Generator, options: Any) -> Any:
    options = list(options)
    return options[int(rng.random() * len(options))]


def _other(rng: np.random.Generator, options: Any, current: Any) -> Any | None:
    rest = [o for o in options if o != current]
    return _pick(rng, rest) if rest else None


def _obj(o: WorldObject, **changes: Any) -> WorldObject:
    return replace(o, **changes)


def _clear(objects: list[WorldObject], k: int, gap: float) -> bool:
    """Whether object k keeps ``gap`` between its footprint and every other object's."""
    a = objects[k]
    for j, b in enumerate(objects):
        if j != k:
            lim = a.footprint_radius + b.footprint_radius + gap
            if (a.x - b.x) ** 2 + (a.y - b.y) ** 2 < lim * lim:
                return False
    return True


def _in_area(o: WorldObject, world: WorldConfig) -> bool:
    lim = world.area_half_extent
    return abs(o.x) <= lim and abs(o.y) <= lim


def _ground_axes(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """Unit ground vectors of the camera's right and of 'away from the camera'."""
    cam = scene.camera
    right = np.array(cam.right[:2], dtype=np.float64)
    away = np.array(cam.forward[:2], dtype=np.float64)
    return right / np.linalg.norm(right), away / np.linalg.norm(away)


def _direction(scene: Scene, words: str) -> np.ndarray:
    right, away = _ground_axes(scene)
    return {
        "to the left": -right,
        "to the right": right,
        "toward the camera": -away,
        "away from the camera": away,
        "left of": -right,
        "right of": right,
        "in front of": -away,
        "behind": away,
    }[words]


def _identity(n: int) -> list[int]:
    return list(range(1, n + 1))


def _with_objects(src: Source, objects: list[WorldObject]) -> Scene:
    return replace(src.scene, objects=tuple(objects))


def _target_ref(
    rng: np.random.Generator, src: Source, k: int, relational: bool = True
) -> RefExp | None:
    """A unique expression of object k; ``relational=False`` where a relation phrase would
    run into the instruction's own place words ("Move the cone to the left of the cube
    toward the camera": is the cone left of the cube, or is that where it goes?)."""
    styles = STYLES if relational else tuple(s for s in STYLES if s != "relation")
    return unique_ref(src.index, k + 1, rng, styles)


def _random_object(
    rng: np.random.Generator, world: WorldConfig, x: float, y: float, **fixed: str
) -> WorldObject:
    return WorldObject(
        shape=fixed.get("shape") or _pick(rng, world.shapes),
        color=fixed.get("color") or _pick(rng, world.colors),
        material=fixed.get("material") or _pick(rng, world.materials),
        size=fixed.get("size") or _pick(rng, world.sizes),
        x=x,
        y=y,
        rotation_deg=round(float(rng.random()) * 360.0, 4),
    )


def _describe(o: WorldObject) -> str:
    return noun_phrase(o.shape, {"size": o.size, "color": o.color, "material": o.material})


def _spec(o: WorldObject) -> ObjectSpec:
    return ObjectSpec(
        shape=o.shape,
        color=o.color,
        material=o.material,
        size=o.size,
        x=round(o.x, 4),
        y=round(o.y, 4),
        rotation=round(o.rotation_deg, 4),
    )


def _one_object_plan(
    edit_type: str,
    src: Source,
    objects: list[WorldObject],
    k: int,
    ref: RefExp,
    spec: ObjectSpec,
    slots: dict[str, str],
    params: dict[str, Any],
    shadows_change: bool = True,
) -> Plan:
    """The plan of an edit of object ``k`` alone (``objects``: the target's objects, with
    ``k`` already edited; ``spec``: the requested fields of ``k`` in the target)."""
    return Plan(
        edit_type=edit_type,
        category="object",
        slots={"target": phrase(ref), **slots},
        params=params,
        target=_with_objects(src, objects),
        expected=ExpectedDelta(id_map=_identity(len(objects)), changed={k + 1: spec}),
        changed_before=[k],
        changed_after=[k],
        shadows_change=shadows_change,
        refexps={"target": ref},
        referents={"target": k + 1},
    )


# -- attribute edits --------------------------------------------------------------------------


def _attribute_edit(
    attr: str, vocab: Callable[[WorldConfig], tuple[str, ...]], geometric: bool
) -> Callable[[np.random.Generator, Source], Plan | None]:
    def plan(rng: np.random.Generator, src: Source) -> Plan | None:
        objects = list(src.scene.objects)
        k = int(rng.random() * len(objects))
        old = getattr(objects[k], attr)
        new = _other(rng, vocab(src.world), old)
        ref = _target_ref(rng, src, k)
        if new is None or ref is None:
            return None
        objects[k] = _obj(objects[k], **{attr: new})
        if geometric and not _clear(objects, k, src.world.min_spacing):
            return None
        return _one_object_plan(
            {"color": "recolor", "size": "resize"}.get(attr, attr),
            src,
            objects,
            k,
            ref,
            ObjectSpec(**{attr: new}),
            slots={attr: new},
            params={attr: [old, new]},
            shadows_change=geometric,
        )

    return plan


plan_recolor = _attribute_edit("color", lambda w: w.colors, geometric=False)
plan_material = _attribute_edit("material", lambda w: w.materials, geometric=False)
plan_shape = _attribute_edit("shape", lambda w: w.shapes, geometric=True)
plan_resize = _attribute_edit("size", lambda w: w.sizes, geometric=True)


def plan_rotate(rng: np.random.Generator, src: Source) -> Plan | None:
    """A cube or pyramid (the round shapes would not show it) turned by a listed angle
    about the vertical axis; None when there is none or the turned footprint hits another."""
    objects = list(src.scene.objects)
    cands = [k for k, o in enumerate(objects) if o.shape in ROTATABLE]
    if not cands:
        return None
    k = _pick(rng, cands)
    degrees = _pick(rng, ROTATE_DEGREES)
    sense = _pick(rng, ("clockwise", "counterclockwise"))
    ref = _target_ref(rng, src, k)
    if ref is None:
        return None
    # seen from above, counterclockwise is the positive sense about z
    new_rot = round(
        (objects[k].rotation_deg + (degrees if sense == "counterclockwise" else -degrees)) % 360.0,
        4,
    )
    objects[k] = _obj(objects[k], rotation_deg=new_rot)
    if not _clear(objects, k, src.world.min_spacing):
        return None
    return _one_object_plan(
        "rotate",
        src,
        objects,
        k,
        ref,
        ObjectSpec(rotation=new_rot),
        slots={"degrees": str(degrees), "sense": sense},
        params={"degrees": degrees, "sense": sense},
    )


# -- moving, adding, removing -----------------------------------------------------------------


def plan_move(rng: np.random.Generator, src: Source) -> Plan | None:
    """A drawn object shifted along the camera's ground axes by a multiple of its footprint
    diameter; None when it would leave the area or come within ``min_spacing`` of another."""
    objects = list(src.scene.objects)
    k = int(rng.random() * len(objects))
    direction = _pick(rng, MOVE_DIRECTIONS)
    amount = _pick(rng, MOVE_AMOUNTS)
    ref = _target_ref(rng, src, k, relational=False)
    if ref is None:
        return None
    o = objects[k]
    step = _direction(src.scene, direction) * (2.0 * o.footprint_radius * MOVE_AMOUNTS[amount])
    moved = _obj(o, x=round(o.x + float(step[0]), 4), y=round(o.y + float(step[1]), 4))
    objects[k] = moved
    if not (_clear(objects, k, src.world.min_spacing) and _in_area(moved, src.world)):
        return None
    return _one_object_plan(
        "move",
        src,
        objects,
        k,
        ref,
        ObjectSpec(x=moved.x, y=moved.y),
        slots={"direction": direction, "amount": amount},
        params={"direction": direction, "amount": amount, "offset": [moved.x - o.x, moved.y - o.y]},
    )


def plan_remove(rng: np.random.Generator, src: Source) -> Plan | None:
    """A drawn object deleted (the others keep their order, so ids after it shift down);
    None for a one-object scene."""
    objects = list(src.scene.objects)
    if len(objects) < 2:
        return None
    k = int(rng.random() * len(objects))
    ref = _target_ref(rng, src, k)
    if ref is None:
        return None
    id_map = [i + 1 - (i > k) if i != k else 0 for i in range(len(objects))]
    del objects[k]
    return Plan(
        edit_type="remove",
        category="object",
        slots={"target": phrase(ref)},
        params={},
        target=_with_objects(src, objects),
        expected=ExpectedDelta(id_map=id_map),
        changed_before=[k],
        changed_after=[],
        refexps={"target": ref},
        referents={"target": k + 1},
    )


def _place_near(
    rng: np.random.Generator,
    src: Source,
    objects: list[WorldObject],
    anchor: int,
    new: WorldObject,
    place: str,
) -> WorldObject | None:
    """``new`` moved next to ``objects[anchor]`` on the side ``place``, clear of everything."""
    a = objects[anchor]
    d = _direction(src.scene, PLACES[place])
    for _ in range(MAX_PLACEMENT_TRIES):
        dist = a.footprint_radius + new.footprint_radius + src.world.min_spacing
        dist += 0.2 + 0.8 * float(rng.random())
        cand = _obj(new, x=round(a.x + float(d[0]) * dist, 4), y=round(a.y + float(d[1]) * dist, 4))
        trial = [*objects, cand]
        if _clear(trial, len(objects), src.world.min_spacing) and _in_area(cand, src.world):
            return cand
    return None


def _placed_plan(
    edit_type: str,
    src: Source,
    anchor: int,
    placed: WorldObject,
    place: str,
    named: tuple[str, RefExp],
    slots: dict[str, str],
    params: dict[str, Any],
) -> Plan:
    """The plan of adding ``placed`` on the side ``place`` of object ``anchor`` (0-based),
    which the instruction names with ``named`` = (slot, expression): the target graph must
    show one more object with ``placed``'s looks, standing in that relation to the anchor."""
    n = len(src.scene.objects)
    role, ref = named
    return Plan(
        edit_type=edit_type,
        category="object",
        slots={**slots, "place": place, role: phrase(ref)},
        params=params,
        target=_with_objects(src, [*src.scene.objects, placed]),
        expected=ExpectedDelta(
            id_map=_identity(n),
            added=[
                ObjectSpec(
                    shape=placed.shape,
                    color=placed.color,
                    material=placed.material,
                    size=placed.size,
                )
            ],
            relations=[(n + 1, PLACES[place], anchor + 1)],
        ),
        changed_before=[],
        changed_after=[n],
        refexps={role: ref},
        referents={role: anchor + 1},
    )


def plan_add(rng: np.random.Generator, src: Source) -> Plan | None:
    """A random new object placed on a described side of a drawn anchor; the relation
    must then hold in the target graph. None when no clear spot is found there."""
    objects = list(src.scene.objects)
    if len(objects) >= 254:
        return None
    anchor = int(rng.random() * len(objects))
    place = _pick(rng, PLACES)
    new = _random_object(rng, src.world, 0.0, 0.0)
    ref = _target_ref(rng, src, anchor, relational=False)
    if ref is None:
        return None
    placed = _place_near(rng, src, objects, anchor, new, place)
    if placed is None:
        return None
    return _placed_plan(
        "add",
        src,
        anchor,
        placed,
        place,
        ("anchor", ref),
        slots={"new": _describe(placed)},
        params={"new": _spec(placed).model_dump(), "place": place},
    )


def plan_duplicate(rng: np.random.Generator, src: Source) -> Plan | None:
    """A copy of a drawn object (same looks) on a described side of it; the relation
    must then hold in the target graph. None when no clear spot is found there."""
    objects = list(src.scene.objects)
    if len(objects) >= 254:
        return None
    k = int(rng.random() * len(objects))
    place = _pick(rng, PLACES)
    ref = _target_ref(rng, src, k)
    if ref is None:
        return None
    placed = _place_near(rng, src, objects, k, objects[k], place)
    if placed is None:
        return None
    return _placed_plan(
        "duplicate", src, k, placed, place, ("target", ref), slots={}, params={"place": place}
    )


def plan_replace(rng: np.random.Generator, src: Source) -> Plan | None:
    """A drawn object replaced in place by a random object of another shape; None when the
    new footprint would crowd a neighbour."""
    objects = list(src.scene.objects)
    k = int(rng.random() * len(objects))
    o = objects[k]
    shape = _other(rng, src.world.shapes, o.shape)
    ref = _target_ref(rng, src, k)
    if shape is None or ref is None:
        return None
    new = _random_object(rng, src.world, o.x, o.y, shape=shape)
    objects[k] = new
    if not _clear(objects, k, src.world.min_spacing):
        return None
    return _one_object_plan(
        "replace",
        src,
        objects,
        k,
        ref,
        _spec(new),
        slots={"new": _describe(new)},
        params={"new": _spec(new).model_dump()},
    )


def _looks(o: WorldObject) -> tuple[str, str, str, str]:
    return (o.shape, o.color, o.material, o.size)


def plan_swap(rng: np.random.Generator, src: Source) -> Plan | None:
    """Two drawn objects of different looks trade ground positions; None when they look
    alike (the swap would be invisible) or a footprint would crowd a neighbour."""
    objects = list(src.scene.objects)
    n = len(objects)
    if n < 2:
        return None
    i = int(rng.random() * n)
    j = (i + 1 + int(rng.random() * (n - 1))) % n
    a, b = objects[i], objects[j]
    ref_a = _target_ref(rng, src, i)
    ref_b = _target_ref(rng, src, j)
    if _looks(a) == _looks(b) or ref_a is None or ref_b is None:
        return None
    objects[i] = _obj(a, x=b.x, y=b.y)
    objects[j] = _obj(b, x=a.x, y=a.y)
    gap = src.world.min_spacing
    if not (_clear(objects, i, gap) and _clear(objects, j, gap)):
        return None
    return Plan(
        edit_type="swap",
        category="object",
        slots={"target": phrase(ref_a), "anchor": phrase(ref_b)},
        params={},
        target=_with_objects(src, objects),
        expected=ExpectedDelta(
            id_map=_identity(n),
            changed={
                i + 1: ObjectSpec(x=round(b.x, 4), y=round(b.y, 4)),
                j + 1: ObjectSpec(x=round(a.x, 4), y=round(a.y, 4)),
            },
        ),
        changed_before=[i, j],
        changed_after=[i, j],
        refexps={"target": ref_a, "anchor": ref_b},
        referents={"target": i + 1, "anchor": j + 1},
    )


def _free_spot(
    rng: np.random.Generator, src: Source, objects: list[WorldObject], new: WorldObject
) -> WorldObject | None:
    lim = src.world.area_half_extent
    for _ in range(MAX_PLACEMENT_TRIES):
        x, y = (float(v) * 2.0 * lim - lim for v in rng.random(2))
        cand = _obj(new, x=round(x, 4), y=round(y, 4))
        if _clear([*objects, cand], len(objects), src.world.min_spacing):
            return cand
    return None


def plan_count(rng: np.random.Generator, src: Source) -> Plan | None:
    """One or two objects of a shape already present added at free random spots, so the
    count of that shape rises to a stated total; None when no free spot is found."""
    objects = list(src.scene.objects)
    present = sorted({o.shape for o in objects})
    shape = _pick(rng, present)
    have = sum(o.shape == shape for o in objects)
    added = 1 + int(rng.random() * len(COUNT_WORDS))
    n = len(objects)
    if n + added > 254:
        return None
    new_objects = []
    for _ in range(added):
        new = _free_spot(
            rng, src, objects + new_objects, _random_object(rng, src.world, 0, 0, shape=shape)
        )
        if new is None:
            return None
        new_objects.append(new)
    word = COUNT_WORDS[added]
    more = f"{word} more {noun_phrase(shape, {}, plural=added > 1)}"
    return Plan(
        edit_type="count",
        category="object",
        slots={
            "kind": noun_phrase(shape, {}, plural=True),
            "added": word,
            "more": more,
            "total": str(have + added),
        },
        params={"shape": shape, "before": have, "after": have + added},
        target=_with_objects(src, objects + new_objects),
        expected=ExpectedDelta(
            id_map=_identity(n), added=[ObjectSpec(shape=shape) for _ in new_objects]
        ),
        changed_before=[],
        changed_after=list(range(n, n + added)),
    )


def _kind(
    rng: np.random.Generator, src: Source, at_least: int
) -> tuple[dict[str, str], list[int]] | None:
    """A kind (shape, color, or color + shape) with at least ``at_least`` members, not all."""
    o = src.scene.objects[int(rng.random() * len(src.scene.objects))]
    form = _pick(rng, ("shape", "color", "both"))
    kind = {
        "shape": {"shape": o.shape},
        "color": {"color": o.color},
        "both": {"shape": o.shape, "color": o.color},
    }[form]
    members = [
        k
        for k, p in enumerate(src.scene.objects)
        if all(getattr(p, a) == v for a, v in kind.items())
    ]
    if len(members) < at_least or len(members) == len(src.scene.objects):
        return None
    return kind, members


def _kind_phrase(kind: dict[str, str]) -> str:
    return noun_phrase(
        kind.get("shape"), {k: v for k, v in kind.items() if k != "shape"}, plural=True
    )


def plan_remove_all(rng: np.random.Generator, src: Source) -> Plan | None:
    """Every object of a drawn kind (shape, color or both; at least two, not all) removed."""
    got = _kind(rng, src, 2)
    if got is None:
        return None
    kind, members = got
    objects = list(src.scene.objects)
    gone = set(members)
    id_map, t = [], 0
    for i in range(len(objects)):
        if i in gone:
            id_map.append(0)
        else:
            t += 1
            id_map.append(t)
    return Plan(
        edit_type="remove_all",
        category="object",
        slots={"kind": _kind_phrase(kind)},
        params={"kind": kind, "removed": len(members)},
        target=_with_objects(src, [o for i, o in enumerate(objects) if i not in gone]),
        expected=ExpectedDelta(id_map=id_map),
        changed_before=members,
        changed_after=[],
    )


def plan_recolor_all(rng: np.random.Generator, src: Source) -> Plan | None:
    """Every object of a drawn kind (at least two, not all) painted one new color that none
    of them has; None when the drawn color is one of theirs."""
    got = _kind(rng, src, 2)
    if got is None:
        return None
    kind, members = got
    objects = list(src.scene.objects)
    taken = {objects[k].color for k in members}
    color = _pick(rng, src.world.colors)
    if color in taken:
        return None
    for k in members:
        objects[k] = _obj(objects[k], color=color)
    return Plan(
        edit_type="recolor_all",
        category="object",
        slots={"kind": _kind_phrase(kind), "color": color},
        params={"kind": kind, "color": color, "count": len(members)},
        target=_with_objects(src, objects),
        expected=ExpectedDelta(
            id_map=_identity(len(objects)),
            changed={k + 1: ObjectSpec(color=color) for k in members},
        ),
        changed_before=members,
        changed_after=members,
        shadows_change=False,
    )


# -- scene edits --------------------------------------------------------------------------------


def plan_background(rng: np.random.Generator, src: Source) -> Plan | None:
    """The floor and wall repainted with a named look; None when the stage already has it."""
    name = _pick(rng, BACKDROPS)
    ground, wall = BACKDROPS[name]
    stage = src.scene.stage
    if (stage.ground_rgb, stage.backdrop_rgb) == (ground, wall):
        return None
    target = replace(src.scene, stage=replace(stage, ground_rgb=ground, backdrop_rgb=wall))
    n = len(src.scene.objects)
    return Plan(
        edit_type="background",
        category="scene",
        slots={"backdrop": name},
        params={
            "backdrop": name,
            "ground_rgb": [list(stage.ground_rgb), list(ground)],
            "wall_rgb": [list(stage.backdrop_rgb), list(wall)],
        },
        target=target,
        expected=ExpectedDelta(id_map=_identity(n)),
    )


def plan_light(rng: np.random.Generator, src: Source) -> Plan | None:
    """The light moved to a named side (relative to the camera, on the renderer's azimuth
    grid); None when it already comes from within 90 degrees of there."""
    where = _pick(rng, LIGHT_FROM)
    cam_az = src.scene.camera.azimuth_deg
    step = LIGHT_AZIMUTH_STEP_DEG
    az = (round((cam_az + LIGHT_FROM[where]) / step) * step) % 360.0
    light = src.scene.light
    d = (az - light.azimuth_deg) % 360.0
    if min(d, 360.0 - d) < 90.0:
        return None  # the light already comes from about there
    target = replace(src.scene, light=Light(azimuth_deg=az, elevation_deg=light.elevation_deg))
    n = len(src.scene.objects)
    return Plan(
        edit_type="light",
        category="scene",
        slots={"light_from": where},
        params={"light_from": where, "azimuth_deg": [light.azimuth_deg, az]},
        target=target,
        expected=ExpectedDelta(id_map=_identity(n), light=(az, light.elevation_deg)),
    )


# -- text edits ---------------------------------------------------------------------------------


def _text_plan(field_name: str) -> Callable[[np.random.Generator, Source], Plan | None]:
    vocab = {
        "text": signs.WORDS,
        "font_color": tuple(signs.FONT_COLORS),
        "font_size": tuple(signs.FONT_SIZES),
        "font_style": signs.FONT_STYLES,
    }

    def plan(rng: np.random.Generator, src: Source) -> Plan | None:
        corners = signs.free_corners(src.rendering.ids)
        if not corners:
            return None
        corner = _pick(rng, corners)
        box = signs.board_box(corner, src.scene.width, src.scene.height)
        before = signs.Sign(
            text=_pick(rng, signs.WORDS),
            font_color=_pick(rng, signs.FONT_COLORS),
            font_size=_pick(rng, signs.FONT_SIZES),
            font_style=_pick(rng, signs.FONT_STYLES),
            box=box,
        )
        old = getattr(before, field_name)
        new = _other(rng, vocab[field_name], old)
        after = before.model_copy(update={field_name: new})
        if not (signs.fits(before, src.scene.width) and signs.fits(after, src.scene.width)):
            return None
        bigger = signs.FONT_SIZES[after.font_size] > signs.FONT_SIZES[before.font_size]
        return Plan(
            edit_type=f"text_{field_name.removeprefix('font_')}"
            if field_name != "text"
            else "text_wording",
            category="text",
            slots={
                "old_text": before.text,
                "text": after.text,
                "font_color": after.font_color,
                "font_size": after.font_size,
                "old_font_size": before.font_size,
                "font_size_word": "bigger" if bigger else "smaller",
                "font_style": after.font_style,
                "old_font_style": before.font_style,
            },
            params={field_name: [old, new]},
            sign_before=before,
            sign_after=after,
        )

    return plan


PLANNERS: dict[str, Callable[[np.random.Generator, Source], Plan | None]] = {
    "recolor": plan_recolor,
    "shape": plan_shape,
    "material": plan_material,
    "resize": plan_resize,
    "move": plan_move,
    "remove": plan_remove,
    "add": plan_add,
    "replace": plan_replace,
    "swap": plan_swap,
    "duplicate": plan_duplicate,
    "count": plan_count,
    "remove_all": plan_remove_all,
    "recolor_all": plan_recolor_all,
    "rotate": plan_rotate,
    "background": plan_background,
    "light": plan_light,
    "text_wording": _text_plan("text"),
    "text_color": _text_plan("font_color"),
    "text_size": _text_plan("font_size"),
    "text_style": _text_plan("font_style"),
}
assert tuple(PLANNERS) == EDIT_TYPES
