"""Building the QA view of a graph from each source: the shapes world, VG files, and the
graphs of other registered worlds (their VG view plus the rendering's masks and depth order)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from synthgen.generators.qa.graph import QAGraph, QObject
from synthgen.world.base import WorldRendering
from synthgen.world.graph import SceneGraph
from synthgen.world.vg import VGImage
from synthgen.world.vocab import COLORS, MATERIALS, SHAPES, SIZES

_TYPED = {
    **{c: "color" for c in COLORS},
    **{m: "material" for m in MATERIALS},
    **{s: "size" for s in SIZES},
}
"""Attribute word -> type for untyped (VG) attributes; other words stay under "other"."""

WORLD_VOCAB: dict[str, tuple[str, ...]] = {
    "name": SHAPES,
    "color": tuple(COLORS),
    "material": MATERIALS,
    "size": tuple(SIZES),
}
"""The procedural world's closed vocabulary: questions may name absent things."""


def from_scene_graph(
    graph: SceneGraph,
    ids: np.ndarray | None = None,
    depth_fn: Callable[[], np.ndarray] | None = None,
) -> QAGraph:
    """The world's exact graph: typed attributes, 3D, optional masks and (lazy) depth."""
    objects = [
        QObject(
            id=o.id,
            name=o.name,
            attrs=dict(o.attributes),
            bbox=o.bbox,
            centroid=o.centroid,
            distance=o.distance,
            position=o.position,
        )
        for o in graph.objects
    ]
    return QAGraph(
        width=graph.width,
        height=graph.height,
        objects=objects,
        ids=ids,
        depth_fn=depth_fn,
        source="svg",
        by_predicate=graph.relations_by_predicate,
        vocab=WORLD_VOCAB,
    )


def from_vg(image: VGImage) -> QAGraph:
    """A VG entry has names, untyped attributes, boxes and relations: no masks, depth or 3D."""
    objects = []
    for o in image.objects:
        attrs: dict[str, str] = {}
        other: list[str] = []
        for word in o.attributes:
            word = word.strip().lower()
            kind = _TYPED.get(word)
            if kind and kind not in attrs:
                attrs[kind] = word
            elif word:
                other.append(word)
        if other:
            attrs["other"] = ", ".join(sorted(set(other)))
        objects.append(
            QObject(
                id=o.object_id,
                name=o.names[0].strip().lower(),
                attrs=attrs,
                bbox=(o.x, o.y, o.w, o.h),
                centroid=(o.x + o.w / 2, o.y + o.h / 2),
            )
        )
    relations = [
        (r.subject_id, r.predicate.strip().lower(), r.object_id) for r in image.relationships
    ]
    width = image.width or max((o.x + o.w for o in image.objects), default=1)
    height = image.height or max((o.y + o.h for o in image.objects), default=1)
    return QAGraph(width=width, height=height, objects=objects, relations=relations, source="vg")


def from_world_graph(vg: VGImage, rendering: WorldRendering, source: str) -> QAGraph:
    """The graph of a registered world (``graph.to_vg()``) with what its rendering adds:
    the instance-id map as masks (point questions) when every object of the graph shows
    under its id there (the map may also hold things the graph left out), and the depth
    order as depth (which of two points is nearer): rank r of ``n`` becomes
    ``n + 1 - r``, far surfaces large, the backdrop +inf. Names and attributes are read as
    from a VG file (no closed vocabulary, so no shape or material questions unless the
    world's attribute words are those of the shapes world); ``source`` (the world's name)
    keeps the shapes world's answer balance and "too close to call" reading away."""
    view = from_vg(vg)
    ids = np.asarray(rendering.ids)
    if ids.shape != (view.height, view.width) or not _ids_show(ids, vg):
        return dataclasses.replace(view, source=source)
    order = np.asarray(rendering.depth_order)

    def depth() -> np.ndarray:
        top = float(order.max()) if order.size else 0.0
        return np.where(order > 0, top + 1 - order.astype(np.float32), np.inf).astype(
            np.float32
        )

    return dataclasses.replace(view, ids=ids, depth_fn=depth, source=source)


def _ids_show(ids: np.ndarray, vg: VGImage) -> bool:
    """Whether every object of ``vg`` has pixels under its id, inside its box."""
    for o in vg.objects:
        if o.object_id <= 0 or not (ids[o.y : o.y + o.h, o.x : o.x + o.w] == o.object_id).any():
            return False
    return True
