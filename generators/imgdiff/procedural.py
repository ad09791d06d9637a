"""The procedural record: ground truth of a (base, variant) pair from the world's id maps.

Per change, the object's visible boxes in A and B come from the renderings' exact mask
statistics (the numbers the scene graph reports); the changed region is their union. The
``diff_area`` oracle then checks that the pixels agree: changed pixels (shadow pixels on the
background left out, see ``filters/diff_area.py``) form components inside the regions, each
region's pixel box has IoU >= 0.5 with it, each change covers >= 1/400 of the image, and no
changed object is hidden by occlusion (visible fraction = visible / drawn-alone pixels).
Multi-change regions never overlap or touch: the sampler keeps the changes' screen boxes
apart (``changes.py``); ``overlapping`` re-checks the recorded boxes as a guard (reason
``overlapping_changes``), since the pixels of touching changes would form one region that
belongs to no single change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthgen.filters.diff_area import DiffArea, DiffCandidate, ExpectedChange, apart, xyxy
from synthgen.filters.visibility import Visibility
from synthgen.generators.imgdiff.changes import Variant, size_direction
from synthgen.generators.imgdiff.describe import (
    article,
    change_captions,
    direction,
    distinguishing,
    full,
    referring,
)
from synthgen.generators.imgdiff.qa import conversations, make_qa, which_image_options
from synthgen.generators.imgdiff.schema import Box, ChangeRecord, ObjectState
from synthgen.program import Context, Reject, Rejected, Sample
from synthgen.world.graph import build_scene_graph
from synthgen.world.render import Rendering
from synthgen.world.scene import Scene, WorldObject

ATTR_KEYS = ("color", "material", "size")
AVOID = {"recolor": "color", "material": "material", "resize": "size"}
"""The attribute a change kind is about: left out of the object's name where possible."""


def attrs_of(o: WorldObject) -> dict[str, str]:
    return {"shape": o.shape, "color": o.color, "material": o.material, "size": o.size}


def union(a: Box | None, b: Box | None) -> Box:
    boxes = [x for x in (a, b) if x is not None]
    x0 = min(x for x, _, _, _ in boxes)
    y0 = min(y for _, y, _, _ in boxes)
    x1 = max(x + w for x, _, w, _ in boxes)
    y1 = max(y + h for _, y, _, h in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


class _View:
    """One image's objects: attributes, visible stats, drawn-alone pixel counts (lazy)."""

    def __init__(self, scene: Scene, rendering: Rendering) -> None:
        self.scene = scene
        self.rendering = rendering
        st = rendering.visible_stats()
        self.attrs = [attrs_of(o) for o in scene.objects]
        self.bboxes = [tuple(b) for b in st.bboxes.tolist()]
        self.counts = st.counts.tolist()
        self.xs = st.centroids[:, 0].tolist()

    def state(self, k: int) -> ObjectState:
        o = self.scene.objects[k]
        return ObjectState(
            name=o.shape,
            attributes={key: getattr(o, key) for key in ATTR_KEYS},
            id=k + 1,
            bbox=self.bboxes[k],
            visible_pixels=self.counts[k],
            position=(round(o.x, 4), round(o.y, 4)),
            rotation=round(o.rotation_deg, 3),
        )

    def visible_fraction(self, k: int) -> float:
        """Visible / drawn-alone pixels of object k. Only objects drawn after k whose screen
        boxes overlap k's can hide part of it; without one the fraction is 1 (0 for an
        object with no pixel) and the drawn-alone redraw is skipped."""
        ren = self.rendering
        order = ren.draw_order
        x0, y0, x1, y1 = ren.object_boxes[k].tolist()
        later = ren.object_boxes[order[order.index(k) + 1 :]]
        if not (
            (later[:, 0] <= x1) & (x0 <= later[:, 2]) & (later[:, 1] <= y1) & (y0 <= later[:, 3])
        ).any():
            return 1.0 if self.counts[k] else 0.0
        alone = int(ren.unoccluded_pixel_counts()[k])
        return self.counts[k] / alone if alone else 0.0


def ground_move(scene: Scene, before: WorldObject, after: WorldObject) -> tuple[float, float]:
    """A move as (sideways, depth) on the ground in the camera's frame: sideways along the
    camera's right axis (positive: to the right in the image), depth along its viewing
    direction on the ground (positive: away from the camera), in world units.

    Screen displacement hides depth: a move of 2 units straight away from the camera shifts
    an object's image by a few pixels upwards, less than a 1-unit move sideways shifts it,
    so a description from screen offsets says "to the left" for a mostly-depth move."""
    cam = scene.camera
    fwd = np.asarray(cam.forward, dtype=float)[:2]
    fwd = fwd / max(float(np.hypot(fwd[0], fwd[1])), 1e-9)
    right = np.array([fwd[1], -fwd[0]])
    if float(np.dot(right, np.asarray(cam.right, dtype=float)[:2])) < 0:
        right = -right
    d = np.array([after.x - before.x, after.y - before.y])
    return float(d @ right), float(d @ fwd)


def describe_changes(
    variant: Variant, a: _View, b: _View
) -> tuple[list[ChangeRecord], list[ExpectedChange]]:
    records = []
    expected = []
    for ch in variant.changes:
        before = a.scene.objects[ch.a] if ch.a is not None else None
        after = b.scene.objects[ch.b] if ch.b is not None else None
        slots: dict[str, str] = {}
        if before is not None:
            assert ch.a is not None
            slots["the_a"] = referring(ch.a, a.attrs, a.xs, AVOID.get(ch.kind))
            slots["a_full"] = article(full(a.attrs[ch.a]))
        if after is not None:
            assert ch.b is not None
            slots["the_b"] = referring(ch.b, b.attrs, b.xs)
            slots["b_full"] = article(full(b.attrs[ch.b]))
        moved = None
        if before is not None and after is not None:
            for key in ("color", "material", "size"):
                if getattr(before, key) != getattr(after, key):
                    slots["old"], slots["new"] = getattr(before, key), getattr(after, key)
            if ch.kind == "resize":
                slots["change"] = size_direction(before.size, after.size)
            if ch.kind == "move":
                side, depth = ground_move(a.scene, before, after)
                moved = slots["direction"] = direction(side, -depth)
        box_a = a.bboxes[ch.a] if ch.a is not None else None
        box_b = b.bboxes[ch.b] if ch.b is not None else None
        region = union(box_a, box_b)
        fractions = []
        if ch.a is not None:
            fractions.append(a.visible_fraction(ch.a))
        if ch.b is not None:
            fractions.append(b.visible_fraction(ch.b))
        label = f"change {len(records)} ({ch.kind})"
        expected.append(ExpectedChange(region, label, min(fractions)))
        records.append(
            ChangeRecord(
                kind=ch.kind,  # type: ignore[arg-type]
                before=a.state(ch.a) if ch.a is not None else None,
                after=b.state(ch.b) if ch.b is not None else None,
                box_a=box_a,
                box_b=box_b,
                box=region,
                region_caption_before=slots.get("a_full"),
                region_caption_after=slots.get("b_full"),
                captions=change_captions(ch.kind, slots),
                direction=moved,
            )
        )
    return records, expected


def with_shadow_boxes(
    changes: list[ChangeRecord],
    variant: Variant,
    before: tuple[Scene, Rendering],
    after: tuple[Scene, Rendering],
) -> list[ChangeRecord]:
    """The changes with ``shadow_box``: the box of the changed object's ground shadow
    polygons in A and B (the polygons the renderer drew), clipped to the image. ``box`` is
    the object's; a changed shadow's pixels lie in ``shadow_box``."""
    from synthgen.generators.edit.pixels import geometry_of, shadow_mask

    (sa, ra), (sb, rb) = before, after
    geo_a, geo_b = geometry_of(sa, ra, True), geometry_of(sb, rb, True)
    out = []
    for ch, rec in zip(variant.changes, changes, strict=True):
        parts = []
        if ch.a is not None:
            parts.append((geo_a, [ch.a]))
        if ch.b is not None:
            parts.append((geo_b, [ch.b]))
        m = shadow_mask(ra.image.size, *parts)
        ys, xs = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
        box = None
        if len(ys):
            box = (int(xs[0]), int(ys[0]), int(xs[-1] - xs[0]) + 1, int(ys[-1] - ys[0]) + 1)
        out.append(rec.model_copy(update={"shadow_box": box}))
    return out


def overlapping(changes: list[ChangeRecord]) -> str | None:
    """Why two changed regions cannot be told apart (they overlap or touch), or None.

    The pixel difference of two such changes is one region: neither the ``where`` answer nor
    the ``diff_area`` check could say which change it belongs to (Img-Diff merges such boxes
    by NMS); the pair is rejected with its own reason instead. The sampler already keeps
    the changes apart, so this guard only fires for variants built some other way."""
    for i, p in enumerate(changes):
        for j in range(i + 1, len(changes)):
            q = changes[j]
            if not apart(xyxy(p.box), xyxy(q.box)):
                return f"regions of change {i} ({p.kind}) and {j} ({q.kind}) overlap or touch"
    return None


def which_options(variant: Variant, a: _View, b: _View) -> list[tuple[int, str, int]]:
    """(change, phrase, image) for every changed object a phrase tells apart from the other
    image's objects (all visible: the visibility checks ran on both images)."""
    out = []
    for i, ch in enumerate(variant.changes):
        if ch.a is not None:
            phrase = distinguishing(a.attrs[ch.a], b.attrs)
            if phrase:
                out.append((i, phrase, 0))
        if ch.b is not None:
            phrase = distinguishing(b.attrs[ch.b], a.attrs)
            if phrase:
                out.append((i, phrase, 1))
    return out


def finish(
    ctx: Context[Any],
    pair: tuple[Scene, Rendering, Scene, Rendering],
    variant: Variant,
    visibility: Visibility,
    diff_area: DiffArea,
) -> Sample:
    """Checks, ground truth, captions and QA of a rendered pair (raises Rejected)."""
    cfg = ctx.config
    scene_a, ren_a, scene_b, ren_b = pair
    with ctx.stage("checks"):
        b = _View(scene_b, ren_b)
        ctx.require(visibility.check([(k + 1, c) for k, c in enumerate(b.counts)]))
        a = _View(scene_a, ren_a)
        changes, expected = describe_changes(variant, a, b)
        if cfg.world.shadows:
            changes = with_shadow_boxes(changes, variant, (scene_a, ren_a), (scene_b, ren_b))
        clash = overlapping(changes)
        if clash is not None:
            raise Rejected(Reject("overlapping_changes", clash))
        ignore = None
        if cfg.world.shadows:  # shadows fall on the background only: compare objects
            ids_a, ids_b = ren_a.ids, ren_b.ids

            def ignore(rows: slice, cols: slice) -> np.ndarray:
                return (ids_a[rows, cols] == 0) & (ids_b[rows, cols] == 0)

        ctx.require(diff_area.check(DiffCandidate(ren_a.image, ren_b.image, expected, ignore)))
    with ctx.stage("qa"):
        n_phr = len(changes[0].captions)
        captions = [" ".join(c.captions[i] for c in changes) for i in range(n_phr)]
        which = which_image_options(ctx.rng, which_options(variant, a, b))
        qas = make_qa(changes, captions, which, ask_count=cfg.changes[1] > 1)
    graphs = None
    if cfg.scene_graphs:
        with ctx.stage("graph"):
            graphs = [
                build_scene_graph(scene_a, ren_a, cfg.predicates),
                build_scene_graph(scene_b, ren_b, cfg.predicates),
            ]
    boxes = [c.box for c in changes]
    union_box = boxes[0]
    for box in boxes[1:]:
        union_box = union(union_box, box)
    return Sample(
        {
            "source": "procedural",
            "width": ren_a.width,
            "height": ren_a.height,
            "changes": changes,
            "boxes": boxes,
            "union_box": union_box,
            "captions": captions,
            "qa": qas,
            "conversations": conversations(qas),
            "scene_graphs": graphs,
        },
        {"image_0": ren_a.image, "image_1": ren_b.image},
    )
