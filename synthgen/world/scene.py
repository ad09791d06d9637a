"""Scene sampling: which objects stand where, under which light, on which stage.

Contract: `sample_scene(rng, config)` is a pure function of the generator's state and the
config -- the same state gives the same scene, bit for bit, in any process -- and it never
touches global random state. Rejection sampling enforces two CLEVR-like guarantees:

* no two objects interpenetrate: the vertical cylinders that contain them (radius
  `footprint_radius`) are at least `min_spacing` apart; every object projects inside the
  image;
* every object shows at least `min_visible_pixels` pixels after occlusion, counted on the
  very rendering that is returned (`sample_rendered_scene`), so nothing is rendered twice
  unless the scene is re-sampled. After `max_tries` failed scenes, `SceneSamplingError`.

Draws per scene: one `rng.random(4)` (object count, stage, light azimuth and elevation),
then one `rng.random(n * (5 + 3 * placement_tries))` per try (attributes, rotation and
candidate positions). `sample_rendered_scenes` samples a batch of scenes, each from its
own generator in exactly that order, and shares the numpy work (attribute decoding,
greedy placement, rendering) across the batch, so each result is bit for bit what
`sample_rendered_scene` gives for that generator alone, which is the batch of one.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthgen.world.camera import Camera, Light
from synthgen.world.meshes import SHAPE_SPECS
from synthgen.world.placement import GRID, placement_table
from synthgen.world.stage import Stage, make_stage
from synthgen.world.vocab import COLORS, MATERIALS, SHAPES, SIZE_RANK, SIZES

if TYPE_CHECKING:
    from synthgen.world.render import Renderer, Rendering


class SceneSamplingError(RuntimeError):
    """No scene satisfying the spacing and visibility constraints was found in max_tries."""


class WorldConfig(BaseModel):
    """How scenes are sampled and rendered. Frozen (hashable) so derived tables are cached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_objects: int = Field(3, ge=1, le=254, description="Fewest objects in a scene.")
    max_objects: int = Field(10, ge=1, le=254, description="Most objects in a scene.")
    width: int = Field(320, ge=32, le=4096, description="Image width in pixels.")
    height: int = Field(240, ge=32, le=4096, description="Image height in pixels.")
    shapes: tuple[str, ...] = Field(SHAPES, description=f"Shapes to draw from: {SHAPES}.")
    colors: tuple[str, ...] = Field(
        tuple(COLORS), description=f"Colours to draw from: {tuple(COLORS)}."
    )
    materials: tuple[str, ...] = Field(
        MATERIALS, description=f"Materials to draw from: {MATERIALS}."
    )
    sizes: tuple[str, ...] = Field(tuple(SIZES), description=f"Sizes: {tuple(SIZES)}.")
    min_visible_pixels: int = Field(
        40, ge=1, description="Every object must show at least this many pixels."
    )
    min_spacing: float = Field(
        0.15, ge=0.0, description="Least gap (world units) between objects' footprints."
    )
    area_half_extent: float = Field(
        3.2, gt=0.0, description="Objects stand in the square [-a, a]^2 around the origin."
    )
    max_tries: int = Field(
        50, ge=1, description="Scenes sampled before giving up with SceneSamplingError."
    )
    placement_tries: int = Field(
        16, ge=1, description="Candidate positions per object before re-sampling the scene."
    )
    stages: int = Field(
        64, ge=1, le=100_000, description="Distinct stages (camera pose + ground + backdrop)."
    )
    stage_seed: int = Field(0, ge=0, description="Selects the family of stages.")
    light_elevation_deg: tuple[float, float] = Field(
        (38.0, 72.0), description="Range of the light's elevation above the ground, degrees."
    )
    shadows: bool = Field(
        True, description="Draw soft ground shadows (RGB only; ~0.1 ms per scene)."
    )
    renderer: str = Field("pillow", description="Registered renderer used for visibility.")

    @field_validator("shapes", "colors", "materials", "sizes")
    @classmethod
    def _known(cls, value: tuple[str, ...], info) -> tuple[str, ...]:
        valid = {
            "shapes": SHAPES,
            "colors": tuple(COLORS),
            "materials": MATERIALS,
            "sizes": tuple(SIZES),
        }[info.field_name]
        if not value:
            raise ValueError(f"{info.field_name} must not be empty; choose from {valid}")
        unknown = [v for v in value if v not in valid]
        if unknown:
            raise ValueError(f"unknown {info.field_name} {unknown}; choose from {valid}")
        if len(set(value)) != len(value):
            raise ValueError(f"{info.field_name} has duplicates: {value}")
        return tuple(value)

    @field_validator("renderer")
    @classmethod
    def _known_renderer(cls, value: str) -> str:
        """Resolved by `get_renderer` only when a worker starts: check the name now."""
        from synthgen.world.render import available_renderers

        names = available_renderers()
        if value not in names:
            raise ValueError(f"unknown renderer {value!r}; choose from {names}")
        return value

    @model_validator(mode="after")
    def _ranges(self) -> WorldConfig:
        if self.min_objects > self.max_objects:
            raise ValueError(f"min_objects ({self.min_objects}) > max_objects ({self.max_objects})")
        lo, hi = self.light_elevation_deg
        if not 5.0 <= lo <= hi <= 89.0:
            raise ValueError("light_elevation_deg must satisfy 5 <= low <= high <= 89")
        return self


@dataclass(frozen=True)
class WorldObject:
    """One object: attributes, ground position (x, y) of its axis, rotation about z."""

    shape: str
    color: str
    material: str
    size: str
    x: float
    y: float
    rotation_deg: float

    @property
    def scale(self) -> float:
        return SIZES[self.size]

    @property
    def footprint_radius(self) -> float:
        return SHAPE_SPECS[self.shape].footprint_radius * SIZES[self.size]

    @property
    def height(self) -> float:
        return SHAPE_SPECS[self.shape].height * SIZES[self.size]

    @property
    def bound_radius(self) -> float:
        return SHAPE_SPECS[self.shape].bound_radius * SIZES[self.size]

    @property
    def centre(self) -> tuple[float, float, float]:
        """Centre of the object's bounding box (the point the scene graph reports)."""
        return (self.x, self.y, self.height / 2)


@dataclass(frozen=True, eq=False)
class SceneArrays:
    """Per-object numeric columns of a scene (index k = object k), for vectorised code."""

    shape_idx: np.ndarray  # int64 index into SHAPES
    color_idx: np.ndarray  # int64 index into COLORS
    metal: np.ndarray  # bool
    size_rank: np.ndarray  # int64, SIZE_RANK
    x: np.ndarray
    y: np.ndarray
    rotation_deg: np.ndarray
    scale: np.ndarray
    footprint: np.ndarray  # footprint radius, world units
    height: np.ndarray  # world units
    bound: np.ndarray  # bounding-sphere radius about the centre, world units

    @staticmethod
    def of(objects: tuple[WorldObject, ...]) -> SceneArrays:
        si = np.array([_SHAPE_IDX[o.shape] for o in objects], dtype=np.int64)
        zi = np.array([SIZE_RANK[o.size] for o in objects], dtype=np.int64)
        scale = _SIZE_SCALE[zi]
        return SceneArrays(
            shape_idx=si,
            color_idx=np.array([_COLOR_IDX[o.color] for o in objects], dtype=np.int64),
            metal=np.array([o.material == "metal" for o in objects], dtype=bool),
            size_rank=zi,
            x=np.array([o.x for o in objects], dtype=np.float64),
            y=np.array([o.y for o in objects], dtype=np.float64),
            rotation_deg=np.array([o.rotation_deg for o in objects], dtype=np.float64),
            scale=scale,
            footprint=_FOOTPRINT[si] * scale,
            height=_HEIGHT[si] * scale,
            bound=_BOUND[si] * scale,
        )


_SHAPE_IDX = {s: i for i, s in enumerate(SHAPES)}
_COLOR_IDX = {c: i for i, c in enumerate(COLORS)}
_SIZE_SCALE = np.array(list(SIZES.values()))
_FOOTPRINT = np.array([SHAPE_SPECS[s].footprint_radius for s in SHAPES])
_HEIGHT = np.array([SHAPE_SPECS[s].height for s in SHAPES])
_BOUND = np.array([SHAPE_SPECS[s].bound_radius for s in SHAPES])


@dataclass(frozen=True)
class Scene:
    """A sampled scene. Object k has instance id k + 1 in every rendering and graph."""

    objects: tuple[WorldObject, ...]
    stage: Stage
    light: Light

    @functools.cached_property
    def arrays(self) -> SceneArrays:
        """Numeric per-object columns (computed once per scene)."""
        return SceneArrays.of(self.objects)

    @property
    def camera(self) -> Camera:
        return self.stage.camera

    @property
    def width(self) -> int:
        return self.stage.camera.width

    @property
    def height(self) -> int:
        return self.stage.camera.height


@dataclass(frozen=True, eq=False)
class _StageEntry:
    stage: Stage
    counts: np.ndarray  # valid cells per object class
    cells: np.ndarray  # flat (n_classes * width,) int16 valid cells, row c padded to width
    width: int


@dataclass(frozen=True, eq=False)
class _Plan:
    shapes: tuple[str, ...]
    colors: tuple[str, ...]
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    shape_global: np.ndarray  # index into SHAPES of each allowed shape
    color_global: np.ndarray
    metal: np.ndarray  # bool per allowed material
    size_rank: np.ndarray
    footprint: np.ndarray  # per allowed shape, unit scale
    height: np.ndarray
    bound: np.ndarray
    scale: np.ndarray  # per allowed size
    entries: dict[int, _StageEntry] = field(default_factory=dict)  # stage index -> tables


@functools.lru_cache(maxsize=64)
def _plan(config: WorldConfig) -> _Plan:
    return _Plan(
        shapes=config.shapes,
        colors=config.colors,
        materials=config.materials,
        sizes=config.sizes,
        shape_global=np.array([_SHAPE_IDX[s] for s in config.shapes], dtype=np.int64),
        color_global=np.array([_COLOR_IDX[c] for c in config.colors], dtype=np.int64),
        metal=np.array([m == "metal" for m in config.materials], dtype=bool),
        size_rank=np.array([SIZE_RANK[z] for z in config.sizes], dtype=np.int64),
        footprint=np.array([SHAPE_SPECS[s].footprint_radius for s in config.shapes]),
        height=np.array([SHAPE_SPECS[s].height for s in config.shapes]),
        bound=np.array([SHAPE_SPECS[s].bound_radius for s in config.shapes]),
        scale=np.array([SIZES[s] for s in config.sizes]),
    )


def _stage_entry(plan: _Plan, config: WorldConfig, index: int) -> _StageEntry:
    entry = plan.entries.get(index)
    if entry is None:
        stage = make_stage(index, config.stage_seed, config.width, config.height)
        table = placement_table(stage, plan.shapes, plan.sizes, config.area_half_extent)
        entry = _StageEntry(stage, table.counts, table.cells.ravel(), table.cells.shape[1])
        if len(plan.entries) >= 4096:  # bound the cache for configs with huge stage counts
            plan.entries.clear()
        plan.entries[index] = entry
    return entry


LIGHT_AZIMUTH_STEP_DEG = 2.0
"""Light azimuths are multiples of this (lets renderers cache per-light tables)."""

SMALL_PLACEMENT_BATCH = 8
"""Batches of at most this many scenes are placed with Python floats, larger ones with
numpy; both evaluate the same float operations in the same order (identical results)."""


def _place_python(
    cx: list[list[float]], cy: list[list[float]], radius: list[float], gap: float
) -> tuple[list[float], list[float]] | None:
    """Greedy placement of one scene: each object takes its first candidate whose footprint
    keeps `gap` from every object placed before it; None if some object has none."""
    px: list[float] = []
    py: list[float] = []
    pr: list[float] = []
    for xs, ys, ri in zip(cx, cy, radius, strict=True):
        rg = ri + gap
        for x, y in zip(xs, ys, strict=True):
            for qx, qy, rj in zip(px, py, pr, strict=True):
                dx = x - qx
                dy = y - qy
                lim = rg + rj
                if dx * dx + dy * dy < lim * lim:
                    break
            else:
                px.append(x)
                py.append(y)
                pr.append(ri)
                break
        else:
            return None
    return px, py


def _place_numpy(
    cx: np.ndarray, cy: np.ndarray, radius: np.ndarray, counts: list[int], gap: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_place_python` for many scenes at once. cx, cy: (N, T) candidates of the objects of
    all scenes (scene by scene, `counts` objects each); radius: (N,). Returns the placed
    x, y (N,) and (scenes,) bool: whether each scene could be placed."""
    ns = len(counts)
    nmax = max(counts)
    cnt = np.array(counts)
    start = np.cumsum(cnt) - cnt
    scene = np.repeat(np.arange(ns), cnt)
    loc = np.arange(len(radius)) - start[scene]
    tries = cx.shape[1]
    gx = np.zeros((ns, nmax, tries))
    gy = np.zeros((ns, nmax, tries))
    gr = np.zeros((ns, nmax))
    gx[scene, loc] = cx
    gy[scene, loc] = cy
    gr[scene, loc] = radius
    px = np.zeros((ns, nmax))
    py = np.zeros((ns, nmax))
    alive = np.ones(ns, dtype=bool)
    for j in range(nmax):
        act = (alive & (cnt > j)).nonzero()[0]
        if not len(act):
            break
        qx = gx[act, j]
        qy = gy[act, j]
        if j == 0:
            px[act, 0] = qx[:, 0]
            py[act, 0] = qy[:, 0]
            continue
        dx = qx[:, :, None] - px[act, None, :j]
        dy = qy[:, :, None] - py[act, None, :j]
        lim = (gr[act, j] + gap)[:, None] + gr[act, :j]
        free = ~(dx * dx + dy * dy < (lim * lim)[:, None, :]).any(axis=2)
        first = free.argmax(axis=1)
        pick = np.arange(len(act))
        px[act, j] = qx[pick, first]
        py[act, j] = qy[pick, first]
        alive[act[~free.any(axis=1)]] = False
    return px[scene, loc], py[scene, loc], alive


def _new_object(shape, color, material, size, x, y, rotation_deg) -> WorldObject:
    obj = object.__new__(WorldObject)  # frozen dataclass: skip the per-field __setattr__
    obj.__dict__.update(
        shape=shape, color=color, material=material, size=size, x=x, y=y, rotation_deg=rotation_deg
    )
    return obj


def _sample_objects(
    draws: list[np.ndarray],
    counts: list[int],
    entries: list[_StageEntry],
    plan: _Plan,
    config: WorldConfig,
) -> list[tuple[tuple[WorldObject, ...], SceneArrays] | None]:
    """Attributes and non-overlapping in-frame positions of the objects of several scenes
    (scene i: counts[i] objects from draws[i], its uniforms) -- or None for a scene whose
    objects could not all be placed."""
    t = config.placement_tries
    u5 = np.concatenate(
        [d[: 5 * n].reshape(5, n) for d, n in zip(draws, counts, strict=True)], axis=1
    )
    u3 = np.concatenate(
        [d[5 * n :].reshape(3, n, t) for d, n in zip(draws, counts, strict=True)], axis=1
    )
    nsz = len(plan.sizes)
    si = (u5[0] * len(plan.shapes)).astype(np.int64)
    ci = (u5[1] * len(plan.colors)).astype(np.int64)
    mi = (u5[2] * len(plan.materials)).astype(np.int64)
    zi = (u5[3] * nsz).astype(np.int64)
    rot = u5[4] * 360.0
    scale = plan.scale[zi]
    foot = plan.footprint[si] * scale
    cls = si * nsz + zi
    bounds = np.cumsum([0, *counts]).tolist()
    spans = list(itertools.pairwise(bounds))
    cnt_parts = [e.counts[cls[a:b]] for e, (a, b) in zip(entries, spans, strict=True)]
    cnt = np.concatenate(cnt_parts)
    pick = (u3[0] * cnt[:, None]).astype(np.int64)
    cell = np.concatenate(
        [
            e.cells[cls[a:b, None] * e.width + pick[a:b]]
            for e, (a, b) in zip(entries, spans, strict=True)
        ]
    ).astype(np.int64)
    half = config.area_half_extent
    cs = 2 * half / GRID
    cand_x = (cell % GRID + u3[1]) * cs - half
    cand_y = (cell // GRID + u3[2]) * cs - half
    possible = [bool(c.all()) for c in (p > 0 for p in cnt_parts)]
    gap = config.min_spacing
    ns = len(counts)
    placed_x = np.zeros(len(foot))
    placed_y = np.zeros(len(foot))
    if ns <= SMALL_PLACEMENT_BATCH:
        ok = []
        cxl, cyl, fl = cand_x.tolist(), cand_y.tolist(), foot.tolist()
        for i, (a, b) in enumerate(spans):
            got = _place_python(cxl[a:b], cyl[a:b], fl[a:b], gap) if possible[i] else None
            ok.append(got is not None)
            if got is not None:
                placed_x[a:b] = got[0]
                placed_y[a:b] = got[1]
    else:
        placed_x, placed_y, alive = _place_numpy(cand_x, cand_y, foot, counts, gap)
        ok = [bool(v) and p for v, p in zip(alive.tolist(), possible, strict=True)]
    shapes, colors, mats, sizes = plan.shapes, plan.colors, plan.materials, plan.sizes
    cols = (
        si.tolist(),
        ci.tolist(),
        mi.tolist(),
        zi.tolist(),
        placed_x.tolist(),
        placed_y.tolist(),
        rot.tolist(),
    )
    g_shape = plan.shape_global[si]
    g_color = plan.color_global[ci]
    g_metal = plan.metal[mi]
    g_rank = plan.size_rank[zi]
    g_height = plan.height[si] * scale
    g_bound = plan.bound[si] * scale
    out: list[tuple[tuple[WorldObject, ...], SceneArrays] | None] = []
    for i, (a, b) in enumerate(spans):
        if not ok[i]:
            out.append(None)
            continue
        objects = tuple(
            _new_object(shapes[s], colors[c], mats[m], sizes[z], x, y, r)
            for s, c, m, z, x, y, r in zip(*(col[a:b] for col in cols), strict=True)
        )
        arrays = SceneArrays(
            shape_idx=g_shape[a:b],
            color_idx=g_color[a:b],
            metal=g_metal[a:b],
            size_rank=g_rank[a:b],
            x=placed_x[a:b],
            y=placed_y[a:b],
            rotation_deg=rot[a:b],
            scale=scale[a:b],
            footprint=foot[a:b],
            height=g_height[a:b],
            bound=g_bound[a:b],
        )
        out.append((objects, arrays))
    return out


def sample_rendered_scenes(
    rngs: Sequence[np.random.Generator], config: WorldConfig, renderer: Renderer | None = None
) -> list[tuple[Scene, Rendering] | SceneSamplingError]:
    """`sample_rendered_scene` for a batch of generators: element i is exactly what
    `sample_rendered_scene(rngs[i], config)` returns (or the `SceneSamplingError` it
    raises), and leaves rngs[i] in the same state. Every scene is drawn from its own
    generator in the same order as alone; only the numpy work (placement, geometry,
    rendering statistics) is shared, which makes a batch several times cheaper per scene.
    """
    from synthgen.world.render import get_renderer

    if renderer is None:
        renderer = get_renderer(config.renderer, shadows=config.shadows)
    plan = _plan(config)
    span = config.max_objects - config.min_objects + 1
    heads: list[tuple[int, _StageEntry, Light]] = []
    for rng in rngs:
        un, us, la, le = rng.random(4).tolist()
        light = light_from_uniforms(config, la, le)
        entry = _stage_entry(plan, config, int(us * config.stages))
        heads.append((config.min_objects + int(un * span), entry, light))
    need = config.min_visible_pixels
    per_try = 5 + 3 * config.placement_tries
    results: list[tuple[Scene, Rendering] | SceneSamplingError | None] = [None] * len(rngs)
    tries = [0] * len(rngs)
    pending = list(range(len(rngs)))
    while pending:
        counts = [heads[i][0] for i in pending]
        draws = [rngs[i].random(n * per_try) for i, n in zip(pending, counts, strict=True)]
        entries = [heads[i][1] for i in pending]
        sampled = _sample_objects(draws, counts, entries, plan, config)
        todo: list[tuple[int, Scene]] = []
        for i, got in zip(pending, sampled, strict=True):
            tries[i] += 1
            if got is not None:
                objects, arrays = got
                scene = Scene(objects=objects, stage=heads[i][1].stage, light=heads[i][2])
                scene.__dict__["arrays"] = arrays  # pre-seed the cached property
                todo.append((i, scene))
        if todo:
            for (i, scene), rendering in zip(
                todo, renderer.render_batch([s for _, s in todo]), strict=True
            ):
                if rendering.min_visible_pixels() >= need:
                    results[i] = (scene, rendering)
        still = []
        for i in pending:
            if results[i] is None:
                if tries[i] >= config.max_tries:
                    results[i] = SceneSamplingError(
                        f"no scene with {heads[i][0]} objects met min_spacing="
                        f"{config.min_spacing} and min_visible_pixels={need} in max_tries="
                        f"{config.max_tries} attempts; lower max_objects or "
                        f"min_visible_pixels, or raise area_half_extent or max_tries"
                    )
                else:
                    still.append(i)
        pending = still
    return results  # type: ignore[return-value]


def sample_rendered_scene(
    rng: np.random.Generator, config: WorldConfig, renderer: Renderer | None = None
) -> tuple[Scene, Rendering]:
    """Sample a scene and return it with the rendering its visibility was checked on.

    The number of objects, the stage and the light are drawn once (one `rng.random(4)`);
    objects are re-drawn (one `rng.random` call per try) until spacing and visibility hold,
    so rejection does not bias the object count. Light azimuths are multiples of
    `LIGHT_AZIMUTH_STEP_DEG` and elevations whole degrees. This is the batch of one of
    `sample_rendered_scenes`.
    """
    out = sample_rendered_scenes([rng], config, renderer)[0]
    if isinstance(out, SceneSamplingError):
        raise out
    return out


@functools.lru_cache(maxsize=65536)
def _light(azimuth_deg: float, elevation_deg: float) -> Light:
    return Light(azimuth_deg=azimuth_deg, elevation_deg=elevation_deg)


def light_from_uniforms(config: WorldConfig, u_azimuth: float, u_elevation: float) -> Light:
    """The light two uniforms in [0, 1) pick: azimuth a multiple of `LIGHT_AZIMUTH_STEP_DEG`,
    elevation a whole degree in ``config.light_elevation_deg`` (how scenes draw theirs)."""
    lo, hi = config.light_elevation_deg
    steps = round(360.0 / LIGHT_AZIMUTH_STEP_DEG)
    return _light(
        LIGHT_AZIMUTH_STEP_DEG * int(u_azimuth * steps),
        float(round(lo + (hi - lo) * u_elevation)),
    )


def sample_scene(rng: np.random.Generator, config: WorldConfig) -> Scene:
    """Sample a scene (see `sample_rendered_scene` to also get its rendering for free)."""
    return sample_rendered_scene(rng, config)[0]


__all__ = [
    "Scene",
    "SceneSamplingError",
    "WorldConfig",
    "WorldObject",
    "light_from_uniforms",
    "sample_rendered_scene",
    "sample_rendered_scenes",
    "sample_scene",
]
