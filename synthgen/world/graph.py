"""The exact scene graph of a rendered scene: objects, attributes, dense relations.

Every relation is decided from the scene's 3D state and the rendering's pixels with margins,
so none is ambiguous: pairs too close to call are left out (absence of a relation is not a
claim that it is false). Rules (A, B objects; world units unless said otherwise):

spatial
  left of / right of   A's visible-mask centroid lies left of B's by at least
                       max(3 px, 0.15 * mean of their visible bbox widths) AND A's centre
                       lies left of B's along the camera's right axis by at least 0.1 --
                       the image and 3D agree. `right of` is the inverse.
  in front of / behind A is between the camera and B: their centres' offsets along the
                       camera's right axis differ by less than 0.8 * (rA + rB) (footprint
                       radii), A's centre is nearer along the view axis by at least 0.3,
                       and nearer in camera distance. `behind` is the inverse.
  next to              the gap between the footprints is below NEXT_TO_GAP (symmetric).
comparative
  bigger than / smaller than   size class (small < medium < large).
  closer than / farther than   camera distance of the centres with the objects' bounding
                       spheres disjoint in distance: d_A + R_A < d_B - R_B. Then every
                       surface point of A -- so every depth-map value at A's pixels -- is
                       nearer than every one of B; the depth map cannot disagree.
attribute
  same color as / same shape as / same material as / same size as   (symmetric)

Symmetric predicates are listed in both directions. Relations are stored compactly per
predicate (`SceneGraph.relations_by_predicate`, subject/object pairs sorted); the
`SceneGraph.relations` property expands them into `Relation` models with categories.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from synthgen.world.masks import objects_visible_bbox_and_counts
from synthgen.world.render import Rendering
from synthgen.world.scene import Scene
from synthgen.world.stage import Stage
from synthgen.world.vocab import SHAPES

PREDICATES: dict[str, str] = {
    "left of": "spatial",
    "right of": "spatial",
    "in front of": "spatial",
    "behind": "spatial",
    "next to": "spatial",
    "bigger than": "comparative",
    "smaller than": "comparative",
    "closer than": "comparative",
    "farther than": "comparative",
    "same color as": "attribute",
    "same shape as": "attribute",
    "same material as": "attribute",
    "same size as": "attribute",
}
"""Predicate -> category, in the canonical order of `relations_by_predicate`."""

LEFT_MARGIN_PX = 3.0
LEFT_MARGIN_WIDTH = 0.15
LEFT_MARGIN_3D = 0.1
FRONT_LATERAL = 0.8
FRONT_DEPTH = 0.3
NEXT_TO_GAP = 0.5


class SceneObject(BaseModel):
    """One object as seen in the image."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(description="Instance id: the object's value in the id map (1-based).")
    name: str = Field(description=f"Shape, one of {SHAPES}.")
    attributes: dict[str, str] = Field(description="color, material and size.")
    bbox: tuple[int, int, int, int] = Field(
        description="(x, y, w, h) pixel box of the visible mask; w = x_max - x_min + 1."
    )
    visible_pixels: int = Field(description="Pixels of this object in the id map.")
    visible_fraction: float = Field(
        description="visible_pixels / pixels the object covers when drawn alone (<= 1)."
    )
    position: tuple[float, float, float] = Field(
        description="World (x, y, z) of the centre of the object's bounding box; z up."
    )
    rotation: float = Field(description="Rotation about the vertical axis, degrees.")
    distance: float = Field(description="Euclidean camera distance of `position`.")
    centroid: tuple[float, float] = Field(description="(x, y) mean pixel of the visible mask.")


class Relation(BaseModel):
    """(subject, predicate, object) with the predicate's category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: int
    predicate: str
    object: int
    category: str


class CameraParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: tuple[float, float, float]
    look_at: tuple[float, float, float]
    hfov_deg: float
    focal_px: float = Field(description="Focal length in pixels; principal point at centre.")
    azimuth_deg: float
    elevation_deg: float
    distance: float


class LightParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: tuple[float, float, float] = Field(description="Unit vector towards the light.")
    azimuth_deg: float
    elevation_deg: float


class SceneGraph(BaseModel):
    """Objects, relations and viewing conditions of one image (JSON-friendly, compact)."""

    model_config = ConfigDict(extra="forbid")

    width: int
    height: int
    objects: list[SceneObject]
    relations_by_predicate: dict[str, list[tuple[int, int]]] = Field(
        description="predicate -> sorted (subject_id, object_id) pairs."
    )
    camera: CameraParams
    light: LightParams

    @property
    def relations(self) -> list[Relation]:
        """All relations as models, grouped by predicate in canonical order."""
        return [
            Relation(subject=s, predicate=p, object=o, category=PREDICATES[p])
            for p, pairs in self.relations_by_predicate.items()
            for s, o in pairs
        ]

    @property
    def n_relations(self) -> int:
        return sum(len(v) for v in self.relations_by_predicate.values())

    def object(self, object_id: int) -> SceneObject:
        return self.objects[object_id - 1]


def _check_predicates(predicates: Iterable[str] | None) -> frozenset[str]:
    if predicates is None:
        return frozenset(PREDICATES)
    chosen = frozenset(predicates)
    unknown = sorted(chosen - PREDICATES.keys())
    if unknown:
        raise ValueError(f"unknown predicates {unknown}; valid: {list(PREDICATES)}")
    return chosen


@functools.lru_cache(maxsize=4096)
def _camera_params(stage: Stage) -> CameraParams:
    cam = stage.camera
    return CameraParams(
        position=tuple(round(v, 4) for v in cam.position),
        look_at=tuple(round(v, 4) for v in cam.target),
        hfov_deg=round(cam.hfov_deg, 4),
        focal_px=round(cam.focal_px, 4),
        azimuth_deg=round(cam.azimuth_deg, 4),
        elevation_deg=round(cam.elevation_deg, 4),
        distance=round(cam.distance, 4),
    )


@functools.lru_cache(maxsize=65536)
def _light_params(azimuth: float, elevation: float, direction: tuple) -> LightParams:
    return LightParams(
        direction=tuple(round(v, 4) for v in direction),
        azimuth_deg=round(azimuth, 4),
        elevation_deg=round(elevation, 4),
    )


def build_scene_graph(
    scene: Scene, rendering: Rendering, predicates: Iterable[str] | None = None
) -> SceneGraph:
    """The scene graph of `scene` as drawn in `rendering` (see module docstring).

    predicates: restrict relations to these names (default: all of PREDICATES); an unknown
    name raises ValueError listing the valid ones.
    """
    wanted = _check_predicates(predicates)
    a = scene.arrays
    n = len(scene.objects)
    cam = scene.camera
    stats = objects_visible_bbox_and_counts(rendering.ids, n, rendering.object_boxes)
    unocc = rendering.unoccluded_pixel_counts()
    frac = np.round(stats.counts / np.maximum(unocc, 1), 4).tolist()

    half_h = a.height / 2
    centre = np.empty((n, 3))
    centre[:, 0] = a.x
    centre[:, 1] = a.y
    centre[:, 2] = half_h
    rel = (centre - cam.origin) @ cam.basis.T  # camera coords: right, up, forward
    dist = np.sqrt((rel * rel).sum(axis=1))
    pos_l = np.round(centre, 4).tolist()
    dist_l = np.round(dist, 4).tolist()
    cent_l = np.round(stats.centroids, 4).tolist()
    rot_l = np.round(a.rotation_deg, 4).tolist()
    bbox_l = stats.bboxes.tolist()
    count_l = stats.counts.tolist()
    objects = [
        {
            "id": k + 1,
            "name": o.shape,
            "attributes": {"color": o.color, "material": o.material, "size": o.size},
            "bbox": bbox_l[k],
            "visible_pixels": count_l[k],
            "visible_fraction": frac[k],
            "position": pos_l[k],
            "rotation": rot_l[k],
            "distance": dist_l[k],
            "centroid": cent_l[k],
        }
        for k, o in enumerate(scene.objects)
    ]
    relations = _relations(scene, stats.centroids[:, 0], stats.bboxes[:, 2], rel, dist, wanted)
    light = scene.light
    return SceneGraph.model_validate(
        {
            "width": cam.width,
            "height": cam.height,
            "objects": objects,
            "relations_by_predicate": relations,
            "camera": _camera_params(scene.stage),
            "light": _light_params(light.azimuth_deg, light.elevation_deg, light.direction),
        }
    )


def _relations(
    scene: Scene,
    cx: np.ndarray,
    width: np.ndarray,
    rel: np.ndarray,
    dist: np.ndarray,
    wanted: frozenset[str],
) -> dict[str, list[tuple[int, int]]]:
    """All wanted relations, decided pair by pair with plain floats (n <= a few dozen)."""
    a = scene.arrays
    n = len(scene.objects)
    cxl, wl = cx.tolist(), width.tolist()
    xr, zf = rel[:, 0].tolist(), rel[:, 2].tolist()
    dl, bl = dist.tolist(), a.bound.tolist()
    fl, gx, gy = a.footprint.tolist(), a.x.tolist(), a.y.tolist()
    rank = a.size_rank.tolist()
    color, shape = a.color_idx.tolist(), a.shape_idx.tolist()
    metal = a.metal.tolist()
    out: dict[str, list[tuple[int, int]]] = {p: [] for p in PREDICATES if p in wanted}
    w = wanted.__contains__
    do_lr = w("left of") or w("right of")
    do_fb = w("in front of") or w("behind")
    do_size = w("bigger than") or w("smaller than")
    do_dist = w("closer than") or w("farther than")
    do_next = w("next to")
    same = [
        (p, v)
        for p, v in (
            ("same color as", color),
            ("same shape as", shape),
            ("same material as", metal),
            ("same size as", rank),
        )
        if w(p)
    ]
    pairs: list[tuple[str, int, int]] = []  # (predicate, subject index, object index)
    add = pairs.append
    for i in range(n):
        for j in range(i + 1, n):
            if do_lr:
                dx = cxl[j] - cxl[i]
                dr = xr[j] - xr[i]
                m = max(LEFT_MARGIN_PX, LEFT_MARGIN_WIDTH * 0.5 * (wl[i] + wl[j]))
                if dx >= m and dr >= LEFT_MARGIN_3D:
                    add(("left of", i, j))
                    add(("right of", j, i))
                elif dx <= -m and dr <= -LEFT_MARGIN_3D:
                    add(("left of", j, i))
                    add(("right of", i, j))
            if do_fb and abs(xr[i] - xr[j]) < FRONT_LATERAL * (fl[i] + fl[j]):
                if zf[i] + FRONT_DEPTH <= zf[j] and dl[i] < dl[j]:
                    add(("in front of", i, j))
                    add(("behind", j, i))
                elif zf[j] + FRONT_DEPTH <= zf[i] and dl[j] < dl[i]:
                    add(("in front of", j, i))
                    add(("behind", i, j))
            if do_next and math.hypot(gx[i] - gx[j], gy[i] - gy[j]) - fl[i] - fl[j] < NEXT_TO_GAP:
                add(("next to", i, j))
                add(("next to", j, i))
            if do_size and rank[i] != rank[j]:
                big, small = (i, j) if rank[i] > rank[j] else (j, i)
                add(("bigger than", big, small))
                add(("smaller than", small, big))
            if do_dist:
                if dl[i] + bl[i] < dl[j] - bl[j]:
                    add(("closer than", i, j))
                    add(("farther than", j, i))
                elif dl[j] + bl[j] < dl[i] - bl[i]:
                    add(("closer than", j, i))
                    add(("farther than", i, j))
            for p, v in same:
                if v[i] == v[j]:
                    add((p, i, j))
                    add((p, j, i))
    for p, s, o in pairs:
        if p in out:
            out[p].append((s + 1, o + 1))
    for v in out.values():
        v.sort()
    return out


__all__ = [
    "PREDICATES",
    "CameraParams",
    "LightParams",
    "Relation",
    "SceneGraph",
    "SceneObject",
    "build_scene_graph",
    "objects_visible_bbox_and_counts",
]
