"""The exact scene graph of a rendered scene: objects, attributes, dense relations.

Every relation is decided from the scene's 3D state and the rendering's pixels with margins,
so none is ambiguous: pairs too close to call are left out (absence of a relation is not a
claim that it is false). Rules (A, B objects; world units unless said otherwise):

spatial
  left of / right of   A's visible-mask centroid lies left of B's by at least
                       max(3 px, 0.15 * mean of their visible bbox widths) AND A's centre
                       lies left of B's along the camera's right axis by at least 0.1 --
                       the image and 3D agree. `right of` is the inverse.
  in front of / behind A's centre is nearer along the view axis by dz >= 0.3 and nearer
                       in camera distance, and A stands across the view from B: their
                       offset along the camera's right axis is below 0.8 * (rA + rB)
                       (footprint radii: A hides part of B) OR below 0.7 * dz (A lies
                       within 35 degrees of straight in front of B, as a viewer reads a
                       thing 3 units nearer and a little aside). `behind` is the inverse.
                       A pair displaced more sideways than that is left/right only.
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
predicate (`SceneGraph.relations_by_predicate`, subject/object pairs sorted; JSON text in a
record's JSON); the `SceneGraph.relations` property expands them into `Relation` models with
categories.

Computation: `build_scene_graphs` does a batch of scenes at once -- the rules above are
evaluated for every object pair of every scene with one set of elementwise numpy calls
(distances as sqrt of sums of squares, camera coordinates from the camera's rows), the
visible statistics come from the renderer (`Rendering.visible_stats`), and the graphs are
assembled without pydantic validation (`_trusted`: the values already have exactly the
validated types, so the JSON is identical; tests check it). `build_scene_graph` is the
batch of one, so a graph never depends on the batch it was built in.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Sequence
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from synthgen.records import JsonText
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
FRONT_ANGLE_TAN = 0.7
"""in front of: lateral offset at most this times the depth offset (tan 35 degrees)."""
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


RelationsByPredicate = JsonText(
    dict[str, list[tuple[int, int]]],
    "predicate -> sorted [subject_id, object_id] pairs, as JSON text in the canonical predicate"
    " order",
    sort_keys=False,
)
"""A dict in memory (and ``model_dump()``), JSON text in the record's JSON: a predicate's pair
list can be empty in every graph of a first shard and set later, which ``datasets``' bare
loaders (typing every shard from the first) cannot read as a column."""


class SceneGraph(BaseModel):
    """Objects, relations and viewing conditions of one image (JSON-friendly, compact)."""

    model_config = ConfigDict(extra="forbid")

    width: int
    height: int
    objects: list[SceneObject]
    relations_by_predicate: RelationsByPredicate = Field(
        description="predicate -> sorted (subject_id, object_id) pairs (JSON text on disk)."
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
        raise ValueError(f"unknown predicates {unknown}; choose from {sorted(PREDICATES)}")
    return chosen


def _known_predicates(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    _check_predicates(value)
    return value


PredicateFilter = Annotated[
    tuple[str, ...] | None,
    AfterValidator(_known_predicates),
    Field(description=f"relations to keep (default all): {sorted(PREDICATES)}"),
]
"""A program config's ``predicates`` option: None (all) or known predicate names."""


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
    name raises ValueError listing the valid ones. The batch of one of
    `build_scene_graphs`.
    """
    return build_scene_graphs([scene], [rendering], predicates)[0]


def _trusted(cls: type[BaseModel], fields: set[str], values: dict) -> BaseModel:
    """`cls.model_construct(**values)` without its overhead: values are already exactly
    the types validation would produce (the JSON is the same; tests check it). `fields`
    (all field names) is shared by the instances: pydantic only ever adds field names to
    a fields-set, which leaves a complete one unchanged."""
    obj = cls.__new__(cls)
    _set = object.__setattr__
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_OBJECT_FIELDS = set(SceneObject.model_fields)
_GRAPH_FIELDS = set(SceneGraph.model_fields)
_PRED_LIST = list(PREDICATES)
_PRED_INDEX = {p: i for i, p in enumerate(_PRED_LIST)}


_PAIRS: list[tuple[int, int]] = []
_PAIRS_LOCK = threading.Lock()


def _pair_table(max_id: int) -> list[tuple[int, int]]:
    """(s, o) at index s << 8 | o, for s <= max_id and o < 256 (grown on demand):
    relations share these tuples (no allocation per relation, nothing new for the
    garbage collector to track). Grown under a lock: candidates build graphs in several
    threads at once (:mod:`synthgen.inflight`), and two threads growing it together appended
    the same block twice, which shifted every later pair (wrong relations, KeyErrors)."""
    if len(_PAIRS) >> 8 > max_id:
        return _PAIRS
    with _PAIRS_LOCK:
        for s in range(len(_PAIRS) >> 8, max_id + 1):
            _PAIRS.extend((s, o) for o in range(256))
    return _PAIRS


def _cat(arrays: list, name: str) -> np.ndarray:
    return np.concatenate([getattr(a, name) for a in arrays])


def build_scene_graphs(
    scenes: Sequence[Scene],
    renderings: Sequence[Rendering],
    predicates: Iterable[str] | None = None,
) -> list[SceneGraph]:
    """`build_scene_graph` of several scenes at once: the per-object and per-pair arithmetic
    of the whole batch is one set of elementwise numpy calls (so each graph is the same as
    alone), and only assembling each graph's lists is per scene."""
    wanted = _check_predicates(predicates)
    nb = len(scenes)
    if nb == 0:
        return []
    arrs = [s.arrays for s in scenes]
    stats = [r.visible_stats() for r in renderings]
    unocc = np.concatenate([r.unoccluded_pixel_counts() for r in renderings])
    nobj = np.array([len(a.x) for a in arrs], dtype=np.int64)
    nall = int(nobj.sum())
    ostart = np.cumsum(nobj) - nobj
    sid = np.repeat(np.arange(nb), nobj)
    counts = _cat(stats, "counts")
    bboxes = np.concatenate([st.bboxes for st in stats]).reshape(nall, 4)
    cents = np.concatenate([st.centroids for st in stats]).reshape(nall, 2)
    x = _cat(arrs, "x")
    y = _cat(arrs, "y")
    half_h = _cat(arrs, "height") / 2
    c = np.array([s.camera.params for s in scenes]).T[:, sid]  # (15, nall)
    dx = x - c[0]
    dy = y - c[1]
    dz = half_h - c[2]
    xr = c[3] * dx + c[4] * dy + c[5] * dz  # camera coordinates: right, up, forward
    yu = c[6] * dx + c[7] * dy + c[8] * dz
    zf = c[9] * dx + c[10] * dy + c[11] * dz
    dist = np.sqrt(xr * xr + yu * yu + zf * zf)
    frac_l = np.round(counts / np.maximum(unocc, 1), 4).tolist()
    pos_l = list(
        zip(
            np.round(x, 4).tolist(),
            np.round(y, 4).tolist(),
            np.round(half_h, 4).tolist(),
            strict=True,
        )
    )
    dist_l = np.round(dist, 4).tolist()
    cent_l = list(
        zip(np.round(cents[:, 0], 4).tolist(), np.round(cents[:, 1], 4).tolist(), strict=True)
    )
    rot_l = np.round(_cat(arrs, "rotation_deg"), 4).tolist()
    bbox_l = list(map(tuple, bboxes.tolist()))
    count_l = counts.tolist()
    rel = _relations(
        arrs, sid, ostart, cents[:, 0], bboxes[:, 2], xr, zf, dist, x, y, wanted, nb, nall
    )
    out: list[SceneGraph] = []
    for i, scene in enumerate(scenes):
        base = int(ostart[i])
        objects = [
            _trusted(
                SceneObject,
                _OBJECT_FIELDS,
                {
                    "id": k + 1,
                    "name": o.shape,
                    "attributes": {"color": o.color, "material": o.material, "size": o.size},
                    "bbox": bbox_l[g],
                    "visible_pixels": count_l[g],
                    "visible_fraction": frac_l[g],
                    "position": pos_l[g],
                    "rotation": rot_l[g],
                    "distance": dist_l[g],
                    "centroid": cent_l[g],
                },
            )
            for k, (g, o) in enumerate(enumerate(scene.objects, start=base))
        ]
        cam = scene.camera
        light = scene.light
        out.append(
            _trusted(
                SceneGraph,
                _GRAPH_FIELDS,
                {
                    "width": cam.width,
                    "height": cam.height,
                    "objects": objects,
                    "relations_by_predicate": rel[i],
                    "camera": _camera_params(scene.stage),
                    "light": _light_params(light.azimuth_deg, light.elevation_deg, light.direction),
                },
            )
        )
    return out


def _relations(
    arrs: list,
    sid: np.ndarray,
    ostart: np.ndarray,
    cx: np.ndarray,
    width: np.ndarray,
    xr: np.ndarray,
    zf: np.ndarray,
    dist: np.ndarray,
    gx: np.ndarray,
    gy: np.ndarray,
    wanted: frozenset[str],
    nb: int,
    nall: int,
) -> list[dict[str, list[tuple[int, int]]]]:
    """All wanted relations of every scene of a batch, decided for all object pairs of all
    scenes at once (elementwise, so each scene's are the same as alone)."""
    keys = [p for p in PREDICATES if p in wanted]
    # all pairs (i, j), i < j, of objects of the same scene
    nobj = np.bincount(sid, minlength=nb)
    after = (ostart + nobj)[sid] - np.arange(nall) - 1  # partners later in the same scene
    npair = int(after.sum())
    ii = np.repeat(np.arange(nall), after)
    jj = ii + 1 + np.arange(npair) - np.repeat(np.cumsum(after) - after, after)
    conds: list[np.ndarray] = []  # per (predicate, direction): which pairs hold
    spec: list[tuple[int, bool]] = []  # (predicate index, subject is the pair's i)

    def emit(pred: str, cond: np.ndarray, forward: bool) -> None:
        if pred in wanted:
            conds.append(cond)
            spec.append((_PRED_INDEX[pred], forward))

    w = wanted.__contains__
    foot = _cat(arrs, "footprint")
    if w("left of") or w("right of"):
        dxc = cx[jj] - cx[ii]
        dr = xr[jj] - xr[ii]
        m = np.maximum(LEFT_MARGIN_PX, LEFT_MARGIN_WIDTH * 0.5 * (width[ii] + width[jj]))
        ij = (dxc >= m) & (dr >= LEFT_MARGIN_3D)
        ji = ~ij & (dxc <= -m) & (dr <= -LEFT_MARGIN_3D)
        emit("left of", ij, True)
        emit("right of", ij, False)
        emit("left of", ji, False)
        emit("right of", ji, True)
    if w("in front of") or w("behind"):
        side = np.abs(xr[ii] - xr[jj])
        lat = (side < FRONT_LATERAL * (foot[ii] + foot[jj])) | (
            side < FRONT_ANGLE_TAN * np.abs(zf[ii] - zf[jj])
        )
        ij = lat & (zf[ii] + FRONT_DEPTH <= zf[jj]) & (dist[ii] < dist[jj])
        ji = lat & ~ij & (zf[jj] + FRONT_DEPTH <= zf[ii]) & (dist[jj] < dist[ii])
        emit("in front of", ij, True)
        emit("behind", ij, False)
        emit("in front of", ji, False)
        emit("behind", ji, True)
    if w("next to"):
        ex = gx[ii] - gx[jj]
        ey = gy[ii] - gy[jj]
        near = np.sqrt(ex * ex + ey * ey) - foot[ii] - foot[jj] < NEXT_TO_GAP
        emit("next to", near, True)
        emit("next to", near, False)
    rank = _cat(arrs, "size_rank")
    if w("bigger than") or w("smaller than"):
        ij = rank[ii] > rank[jj]
        ji = rank[jj] > rank[ii]
        emit("bigger than", ij, True)
        emit("smaller than", ij, False)
        emit("bigger than", ji, False)
        emit("smaller than", ji, True)
    if w("closer than") or w("farther than"):
        bound = _cat(arrs, "bound")
        ij = dist[ii] + bound[ii] < dist[jj] - bound[jj]
        ji = ~ij & (dist[jj] + bound[jj] < dist[ii] - bound[ii])
        emit("closer than", ij, True)
        emit("farther than", ij, False)
        emit("closer than", ji, False)
        emit("farther than", ji, True)
    for pred, col in (
        ("same color as", "color_idx"),
        ("same shape as", "shape_idx"),
        ("same material as", "metal"),
        ("same size as", "size_rank"),
    ):
        if w(pred):
            v = _cat(arrs, col)
            same = v[ii] == v[jj]
            emit(pred, same, True)
            emit(pred, same, False)
    npred = len(_PRED_LIST)
    key_idx = [(p, _PRED_INDEX[p]) for p in keys]
    if not conds:
        return [{p: [] for p in keys} for _ in range(nb)]
    kk, pp = np.stack(conds).nonzero()
    sp = np.array(spec, dtype=np.int64)
    fwd = sp[kk, 1].astype(bool)
    pi = ii[pp]
    pj = jj[pp]
    subj = np.where(fwd, pi, pj)
    obj = np.where(fwd, pj, pi)
    scene = sid[pi]
    first = ostart[scene] - 1
    # one sort on a packed key (scene, predicate, subject id, object id); ids are < 256
    key = (scene * npred + sp[kk, 0]) << 16 | (subj - first) << 8 | (obj - first)
    key.sort()
    pairs = list(map(_pair_table(int(nobj.max())).__getitem__, (key & 0xFFFF).tolist()))
    bounds = np.searchsorted(key >> 16, np.arange(nb * npred + 1)).tolist()
    out = []
    for i in range(nb):
        b = i * npred
        out.append({p: pairs[bounds[b + k] : bounds[b + k + 1]] for p, k in key_idx})
    return out


__all__ = [
    "PREDICATES",
    "CameraParams",
    "LightParams",
    "Relation",
    "SceneGraph",
    "SceneObject",
    "build_scene_graph",
    "build_scene_graphs",
    "objects_visible_bbox_and_counts",
]
