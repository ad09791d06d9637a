"""``edit_fidelity``: the target's scene graph shows exactly the requested change.

An edit program states what an instruction asks as an :class:`ExpectedDelta` (which source
objects change which fields to which values, which disappear, which appear with which
attributes, which relations must hold afterwards, where the light must come from). The
filter compares that with the *actual* difference of the source and target scene graphs:

* every object the instruction does not touch keeps shape, color, material, size, ground
  position and rotation; touched objects show exactly the requested values, nothing else
  changes on them; removed objects are gone, added ones are there with their attributes;
* the requested relations hold in the target graph (e.g. the added cube is ``left of`` the
  anchor, by the graph's margins); the camera is unchanged, the light is as requested;
* every object of the target shows at least ``min_pixels`` pixels, so the edit neither hid
  an object nor made an invisible change.

Positions are compared on the ground plane (the graph's x, y, rounded to 1e-4) and
rotations modulo 360 degrees. :func:`graph_delta` is the before/after record of the change.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthgen.filter import Filter, register_filter
from synthgen.records import CompactModel, StrictModel, Verdict
from synthgen.world import SceneGraph, SceneObject

POSITION_TOL = 2e-4
ROTATION_TOL = 2e-4
FIELDS = ("shape", "color", "material", "size", "x", "y", "rotation")


class ObjectSpec(CompactModel):
    """Requested values of an object's fields (None: not requested)."""

    shape: str | None = None
    color: str | None = None
    material: str | None = None
    size: str | None = None
    x: float | None = None
    y: float | None = None
    rotation: float | None = None


class ExpectedDelta(BaseModel):
    """What an instruction asks, in graph terms (ids are 1-based graph ids)."""

    model_config = ConfigDict(extra="forbid")

    id_map: list[int] = Field(description="source id k -> target id id_map[k-1]; 0 = removed")
    changed: dict[int, ObjectSpec] = Field(default_factory=dict, description="by source id")
    added: list[ObjectSpec] = Field(
        default_factory=list, description="objects new in the target, in target id order"
    )
    relations: list[tuple[int, str, int]] = Field(
        default_factory=list, description="(subject, predicate, object) target ids that must hold"
    )
    light: tuple[float, float] | None = Field(None, description="(azimuth, elevation) degrees")


class ObjectState(StrictModel):
    """The compared fields (``FIELDS``) of one object on one side of an edit."""

    shape: str
    color: str
    material: str
    size: str
    x: float
    y: float
    rotation: float


ABSENT = ObjectState(shape="", color="", material="", size="", x=0.0, y=0.0, rotation=0.0)
"""The state on the side where the object does not exist (its id there is 0)."""


class ObjectDelta(StrictModel):
    """One object's full state before and after and the fields that differ.

    Every key is present and never null (id 0 and :data:`ABSENT`: not on that side; for an
    object on one side only every field counts as changed), so every record has the same
    keys and types whatever its edit: Arrow / ``datasets`` type all shards alike.
    """

    source_id: int = Field(0, description="object id in the source graph (0: added)")
    target_id: int = Field(0, description="object id in the target graph (0: removed)")
    changed: list[str] = Field(description="the FIELDS whose value differs")
    before: ObjectState = ABSENT
    after: ObjectState = ABSENT


def state(o: SceneObject) -> dict[str, Any]:
    """The fields of a graph object the fidelity check compares (``FIELDS``)."""
    return {
        "shape": o.name,
        "color": o.attributes["color"],
        "material": o.attributes["material"],
        "size": o.attributes["size"],
        "x": o.position[0],
        "y": o.position[1],
        "rotation": o.rotation,
    }


def _same(field: str, a: Any, b: Any) -> bool:
    if field in ("x", "y"):
        return abs(a - b) <= POSITION_TOL
    if field == "rotation":
        d = (a - b) % 360.0
        return min(d, 360.0 - d) <= ROTATION_TOL
    return a == b


def graph_delta(source: SceneGraph, target: SceneGraph, id_map: list[int]) -> list[ObjectDelta]:
    """Objects whose state differs between the graphs, appeared or disappeared."""
    out = []
    kept = set()
    for sid, tid in enumerate(id_map, start=1):
        before = state(source.object(sid))
        if tid == 0:
            out.append(ObjectDelta(source_id=sid, changed=list(FIELDS), before=before))
            continue
        kept.add(tid)
        after = state(target.object(tid))
        diff = [f for f in FIELDS if not _same(f, before[f], after[f])]
        if diff:
            out.append(
                ObjectDelta(
                    source_id=sid,
                    target_id=tid,
                    changed=diff,
                    before=before,
                    after=after,
                )
            )
    for o in target.objects:
        if o.id not in kept:
            out.append(ObjectDelta(target_id=o.id, changed=list(FIELDS), after=state(o)))
    return out


def problems(
    source: SceneGraph, target: SceneGraph, expected: ExpectedDelta, min_pixels: int
) -> list[str]:
    """Why the target does not show exactly the expected change (empty: it does)."""
    out: list[str] = []
    if len(expected.id_map) != len(source.objects):
        return [f"id map covers {len(expected.id_map)} of {len(source.objects)} objects"]
    kept = [t for t in expected.id_map if t]
    n_target = len(kept) + len(expected.added)
    if len(target.objects) != n_target:
        return [f"target has {len(target.objects)} objects, expected {n_target}"]
    if len(set(kept)) != len(kept) or not all(1 <= t <= n_target for t in kept):
        return ["id map is not injective into the target"]
    for sid, tid in enumerate(expected.id_map, start=1):
        if not tid:
            continue
        before, after = state(source.object(sid)), state(target.object(tid))
        spec = expected.changed.get(sid)
        want = dict(before)
        if spec is not None:
            want.update({k: v for k, v in spec.model_dump().items() if v is not None})
        for f in FIELDS:
            if not _same(f, want[f], after[f]):
                what = "changed" if spec is None or getattr(spec, f) is None else "is not"
                out.append(f"object {sid} {f} {what} {want[f]!r} -> {after[f]!r}")
    new_ids = sorted(set(range(1, n_target + 1)) - set(kept))
    for tid, spec in zip(new_ids, expected.added, strict=True):
        got = state(target.object(tid))
        for f, v in spec.model_dump().items():
            if v is not None and not _same(f, v, got[f]):
                out.append(f"added object {tid} {f} is {got[f]!r}, expected {v!r}")
    pairs = target.relations_by_predicate
    for s, p, o in expected.relations:
        if [s, o] not in pairs.get(p, []) and (s, o) not in pairs.get(p, []):
            out.append(f"relation ({s}, {p!r}, {o}) does not hold in the target")
    if target.camera != source.camera:
        out.append("camera changed")
    if expected.light is None:
        if target.light != source.light:
            out.append("light changed")
    else:
        az, el = expected.light
        got = target.light
        if not (_same("rotation", got.azimuth_deg, az) and abs(got.elevation_deg - el) < 1e-6):
            out.append(f"light is ({got.azimuth_deg}, {got.elevation_deg}), expected ({az}, {el})")
    touched = [expected.id_map[s - 1] for s in expected.changed] + new_ids
    for tid in touched:
        x, y, w, h = target.object(tid).bbox
        if x <= 0 or y <= 0 or x + w >= target.width or y + h >= target.height:
            out.append(f"object {tid} touches the image border")
    for o in target.objects:
        if o.visible_pixels < min_pixels:
            out.append(f"object {o.id} shows {o.visible_pixels} px < {min_pixels}")
    return out


@register_filter
class EditFidelity(Filter):
    """Passes when the source->target graph change is exactly the expected one."""

    name = "edit_fidelity"
    kind = "oracle"

    def __init__(self, min_pixels: int = 40) -> None:
        self.min_pixels = min_pixels

    def check(self, candidate: tuple[SceneGraph, SceneGraph, ExpectedDelta]) -> Verdict:
        source, target, expected = candidate
        found = problems(source, target, expected, self.min_pixels)
        return self.verdict(
            not found,
            score=float(len(found)),
            threshold=0.0,
            score_type="graph_mismatches",
            detail="; ".join(found[:3]) if found else None,
        )
