"""Renderers: the extension point and the default Pillow + numpy backend.

A renderer turns a `Scene` into a `Rendering`: an RGB image, an exact instance-id map
(uint8, 0 = background, object k of `scene.objects` has id k + 1) and a depth map computed
on first access. Backends register by name (`@register_renderer("pillow")`); a Blender
backend could register as "blender" and be chosen with `WorldConfig.renderer`.

The Pillow backend is built for throughput (see bench/world_render.py for figures): the
geometry of a whole scene is a fixed number of numpy calls (`geometry.py`), the backdrop
is a cached per-stage image, and every polygon is filled by Pillow's C polygon filler twice
-- into the RGB image and, with the same coordinates and no antialiasing, into the id map
-- so the id map is exactly what was drawn. Objects are drawn back to front in an exact
painter's order, each object's faces back to front too. Renderers may render a batch of
scenes at once (`Renderer.render_batch`); the Pillow backend computes the geometry of a
whole batch with one set of numpy calls, which is most of the per-scene cost otherwise.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from PIL import Image

from synthgen.world.backdrop import backdrop_image
from synthgen.world.depth import depth_from_geometry, unoccluded_counts
from synthgen.world.fill import label_array, label_canvas, polygon_filler
from synthgen.world.geometry import SceneGeometry, build_geometries
from synthgen.world.masks import MaskStats, boxes_visible_stats, objects_visible_bbox_and_counts
from synthgen.world.memory import keep_freed_memory
from synthgen.world.scene import Scene


class Rendering:
    """The pixels of one scene.

    image: RGB `PIL.Image.Image` of the scene's width x height.
    ids: (H, W) uint8 instance map; 0 = background, object k has id k + 1.
    pixel_counts: (n + 1,) int64, visible pixels per id (index 0 = background).
    object_boxes: (n, 4) int64 inclusive boxes (x0, y0, x1, y1) that contain every pixel
        the object could cover (a search window, not the visible bbox).
    draw_order: object indices, back to front.
    stats: the `MaskStats` of the id map (visible count, bbox, centroid per object) when
        the renderer computed them (then pixel_counts may be left out: it is derived);
        `visible_stats()` computes them otherwise.
    geometry: the renderer's draw list (`geometry.SceneGeometry`: polygons, inks, shadow
        polygons) when it kept one, for programs that edit or re-mask a scene; else None.

    Depth (`depth`, `depth_map`) is the Euclidean distance from the camera centre to the
    surface point seen at the pixel centre, in world units, float32. It is exact with
    respect to `ids`: at a pixel with id k it is the distance to the surface of object k
    that was drawn there (the plane of the face that was filled last, clamped to that
    face's range of distances; for spheres the analytic sphere, or its point nearest the
    ray on the rasterised rim). Background pixels are +inf, or with
    ``depth_map(include_ground=True)`` the distance to the ground plane (+inf above the
    horizon).
    """

    def __init__(
        self,
        image: Image.Image,
        ids: np.ndarray,
        *,
        pixel_counts: np.ndarray | None = None,
        object_boxes: np.ndarray,
        draw_order: list[int],
        depth_fn: Callable[[bool], np.ndarray],
        unoccluded_fn: Callable[[], np.ndarray],
        ids_image: Image.Image | None = None,
        stats: MaskStats | None = None,
        geometry: SceneGeometry | None = None,
    ) -> None:
        if pixel_counts is None and stats is None:
            raise TypeError("Rendering needs pixel_counts or stats")
        self.image = image
        self.ids = ids
        self._pixel_counts = pixel_counts
        self.object_boxes = object_boxes
        self.draw_order = draw_order
        self.ids_image = ids_image
        self.stats = stats
        self.geometry = geometry
        self._depth_fn = depth_fn
        self._unoccluded_fn = unoccluded_fn
        self._depth: dict[bool, np.ndarray] = {}
        self._unoccluded: np.ndarray | None = None

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def n_objects(self) -> int:
        return len(self.object_boxes)

    @property
    def pixel_counts(self) -> np.ndarray:
        if self._pixel_counts is None:
            counts = self.stats.counts
            h, w = self.ids.shape
            self._pixel_counts = np.concatenate([[h * w - int(counts.sum())], counts])
        return self._pixel_counts

    @pixel_counts.setter
    def pixel_counts(self, value: np.ndarray) -> None:
        self._pixel_counts = value

    def visible_stats(self) -> MaskStats:
        """Visible pixel count, bbox and centroid of every object (exact, from `ids`)."""
        if self.stats is None:
            self.stats = objects_visible_bbox_and_counts(
                self.ids, self.n_objects, self.object_boxes
            )
        return self.stats

    def min_visible_pixels(self) -> int:
        """Pixels of the least visible object (0 for a scene without objects)."""
        counts = self.stats.counts if self.stats is not None else self.pixel_counts[1:]
        return min(counts.tolist(), default=0)

    def depth_map(self, include_ground: bool = False) -> np.ndarray:
        """(H, W) float32 depth (see class docstring); computed once, then cached."""
        if include_ground not in self._depth:
            self._depth[include_ground] = self._depth_fn(include_ground)
        return self._depth[include_ground]

    @property
    def depth(self) -> np.ndarray:
        """Object depth, background = +inf (computed on first access)."""
        return self.depth_map(False)

    def unoccluded_pixel_counts(self) -> np.ndarray:
        """(n,) pixels each object would cover if drawn alone (same polygons); >= visible."""
        if self._unoccluded is None:
            self._unoccluded = self._unoccluded_fn()
        return self._unoccluded


class Renderer(ABC):
    """Turns scenes into renderings. Implementations must be deterministic.

    Options every renderer accepts: shadows (draw ground shadows; default True)."""

    name: ClassVar[str] = ""

    def __init__(self, shadows: bool = True) -> None:
        self.shadows = shadows

    @abstractmethod
    def render(self, scene: Scene) -> Rendering:
        """Render `scene`; the id map must match the RGB image pixel for pixel."""

    def render_batch(self, scenes: Sequence[Scene]) -> list[Rendering]:
        """Render several scenes; each result must equal `render` of that scene alone.
        Override to share work across scenes (the default renders one at a time)."""
        return [self.render(scene) for scene in scenes]


_REGISTRY: dict[str, type[Renderer]] = {}
R = TypeVar("R", bound=type[Renderer])


def register_renderer(name: str) -> Callable[[R], R]:
    """Class decorator: make a `Renderer` subclass available as `get_renderer(name)`."""

    def deco(cls: R) -> R:
        if not (isinstance(cls, type) and issubclass(cls, Renderer)):
            raise TypeError(f"@register_renderer({name!r}) needs a Renderer subclass")
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"renderer {name!r} is already registered")
        cls.name = name
        _REGISTRY[name] = cls
        _cached_renderer.cache_clear()
        return cls

    return deco


@functools.lru_cache(maxsize=64)
def _cached_renderer(name: str, options: tuple[tuple[str, Any], ...]) -> Renderer:
    return _REGISTRY[name](**dict(options))


def get_renderer(name: str = "pillow", **options: Any) -> Renderer:
    """A shared instance of the renderer registered as `name`, built with `options`."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown renderer {name!r}; registered: {sorted(_REGISTRY)}")
    return _cached_renderer(name, tuple(sorted(options.items())))


def available_renderers() -> list[str]:
    return sorted(_REGISTRY)


@register_renderer("pillow")
class PillowRenderer(Renderer):
    """CPU renderer: Pillow polygon fills, numpy geometry, exact ids, lazy exact depth.

    shadows: draw soft-edged ground shadows (alpha blended, RGB only; ids stay 0).
    all_into_ids: debugging aid -- also draw sphere shading bands that provably lie inside
        the silhouette into the id map (the result must not change; tests check it).

    `render_batch` computes the geometry of all scenes with one set of numpy calls
    (`geometry.build_geometries`) and the visible statistics of all objects together
    (`masks.boxes_visible_stats`); `render(scene)` is the batch of one.
    """

    def __init__(self, shadows: bool = True, all_into_ids: bool = False) -> None:
        super().__init__(shadows=shadows)
        self.all_into_ids = all_into_ids

    def render(self, scene: Scene) -> Rendering:
        return self.render_batch([scene])[0]

    def render_batch(self, scenes: Sequence[Scene]) -> list[Rendering]:
        if len(scenes) > 1:
            keep_freed_memory()  # a batch's images are freed together (see memory.py)
        geos = build_geometries(scenes, shadows=self.shadows)
        everything = self.all_into_ids
        drawn = []
        for scene, geo in zip(scenes, geos, strict=True):
            rgb = backdrop_image(scene.stage).copy()
            ids_img, shared = label_canvas(*rgb.size)
            if geo.shadows:
                fill = polygon_filler(rgb, blend=True)
                ink = geo.shadow_ink
                for xy in geo.shadows:
                    fill(xy, ink, 1)
            fill_rgb = polygon_filler(rgb)
            fill_ids = polygon_filler(ids_img)
            coords = geo.coords
            polys = zip(geo.starts, geo.ends, geo.ink, geo.kid, geo.to_ids, strict=True)
            for a, b, ink, kid, to_ids in polys:
                xy = coords[a:b]
                fill_rgb(xy, ink, 1)
                if to_ids or everything:
                    fill_ids(xy, kid, 1)
            drawn.append((rgb, ids_img, label_array(ids_img, shared)))
        stats = boxes_visible_stats([d[2] for d in drawn], [g.boxes for g in geos])
        return [
            Rendering(
                rgb,
                ids,
                object_boxes=geo.boxes,
                draw_order=geo.order,
                depth_fn=functools.partial(_depth, scene, geo, ids, everything),
                unoccluded_fn=functools.partial(
                    unoccluded_counts, geo, ids_img.size, st.counts, everything
                ),
                ids_image=ids_img,
                stats=st,
                geometry=geo,
            )
            for scene, geo, (rgb, ids_img, ids), st in zip(scenes, geos, drawn, stats, strict=True)
        ]


def _depth(
    scene: Scene, geo: SceneGeometry, ids: np.ndarray, everything: bool, include_ground: bool
) -> np.ndarray:
    return depth_from_geometry(scene, geo, ids, include_ground, everything)
