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
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthgen.world.camera import Camera, Light
from synthgen.world.meshes import SHAPE_SPECS
from synthgen.world.placement import candidates, placement_table
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


LIGHT_AZIMUTH_STEP_DEG = 2.0
"""Light azimuths are multiples of this (lets renderers cache per-light tables)."""


def _sample_objects(
    rng: np.random.Generator, n: int, plan: _Plan, stage: Stage, config: WorldConfig
) -> tuple[tuple[WorldObject, ...], SceneArrays] | None:
    """Attributes and non-overlapping in-frame positions for n objects, or None."""
    u = rng.random((5, n))
    si = (u[0] * len(plan.shapes)).astype(np.int64)
    ci = (u[1] * len(plan.colors)).astype(np.int64)
    mi = (u[2] * len(plan.materials)).astype(np.int64)
    zi = (u[3] * len(plan.sizes)).astype(np.int64)
    rot = u[4] * 360.0
    scale = plan.scale[zi]
    foot = plan.footprint[si] * scale
    table = placement_table(stage, plan.shapes, plan.sizes, config.area_half_extent)
    cand, possible = candidates(
        table, si * len(plan.sizes) + zi, rng.random((3, n, config.placement_tries))
    )
    if not possible.all():
        return None
    cand_l = cand.tolist()
    foot_l = foot.tolist()
    gap = config.min_spacing
    placed: list[complex] = []
    radii: list[float] = []
    for i in range(n):
        ri = foot_l[i]
        rg = ri + gap
        for c in cand_l[i]:
            for pj, rj in zip(placed, radii, strict=True):
                if abs(c - pj) < rg + rj:
                    break
            else:
                placed.append(c)
                radii.append(ri)
                break
        else:
            return None
    xs = [c.real for c in placed]
    ys = [c.imag for c in placed]
    shapes, colors, mats, sizes = plan.shapes, plan.colors, plan.materials, plan.sizes
    objects = tuple(
        WorldObject(shapes[s], colors[c], mats[m], sizes[z], x, y, r)
        for s, c, m, z, x, y, r in zip(
            si.tolist(), ci.tolist(), mi.tolist(), zi.tolist(), xs, ys, rot.tolist(), strict=True
        )
    )
    arrays = SceneArrays(
        shape_idx=plan.shape_global[si],
        color_idx=plan.color_global[ci],
        metal=plan.metal[mi],
        size_rank=plan.size_rank[zi],
        x=np.array(xs),
        y=np.array(ys),
        rotation_deg=rot,
        scale=scale,
        footprint=foot,
        height=plan.height[si] * scale,
        bound=plan.bound[si] * scale,
    )
    return objects, arrays


def sample_rendered_scene(
    rng: np.random.Generator, config: WorldConfig, renderer: Renderer | None = None
) -> tuple[Scene, Rendering]:
    """Sample a scene and return it with the rendering its visibility was checked on.

    The number of objects, the stage and the light are drawn once; objects are re-drawn
    until spacing and visibility hold (so rejection does not bias the object count).
    Light azimuths are multiples of `LIGHT_AZIMUTH_STEP_DEG` and elevations whole degrees.
    """
    from synthgen.world.render import get_renderer

    if renderer is None:
        renderer = get_renderer(config.renderer, shadows=config.shadows)
    plan = _plan(config)
    n = int(rng.integers(config.min_objects, config.max_objects + 1))
    stage = make_stage(
        int(rng.integers(config.stages)), config.stage_seed, config.width, config.height
    )
    lo, hi = config.light_elevation_deg
    la, le = rng.random(2).tolist()
    steps = round(360.0 / LIGHT_AZIMUTH_STEP_DEG)
    light = _light(LIGHT_AZIMUTH_STEP_DEG * int(la * steps), float(round(lo + (hi - lo) * le)))
    need = config.min_visible_pixels
    for _ in range(config.max_tries):
        sampled = _sample_objects(rng, n, plan, stage, config)
        if sampled is None:
            continue
        objects, arrays = sampled
        scene = Scene(objects=objects, stage=stage, light=light)
        scene.__dict__["arrays"] = arrays  # pre-seed the cached property
        rendering = renderer.render(scene)
        if min(rendering.pixel_counts[1:].tolist()) >= need:
            return scene, rendering
    raise SceneSamplingError(
        f"no scene with {n} objects met min_spacing={config.min_spacing} and "
        f"min_visible_pixels={need} in max_tries={config.max_tries} attempts; "
        f"lower max_objects or min_visible_pixels, or raise area_half_extent or max_tries"
    )


@functools.lru_cache(maxsize=65536)
def _light(azimuth_deg: float, elevation_deg: float) -> Light:
    return Light(azimuth_deg=azimuth_deg, elevation_deg=elevation_deg)


def sample_scene(rng: np.random.Generator, config: WorldConfig) -> Scene:
    """Sample a scene (see `sample_rendered_scene` to also get its rendering for free)."""
    return sample_rendered_scene(rng, config)[0]


__all__ = [
    "Scene",
    "SceneSamplingError",
    "WorldConfig",
    "WorldObject",
    "sample_rendered_scene",
    "sample_scene",
]
