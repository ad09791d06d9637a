"""The ``shapes`` world: today's procedural 3D scenes (CLEVR-like shapes, colors, materials,
sizes on a stage) behind the :class:`~synthgen.world.base.World` extension point.

It wraps the functions programs have always called, so every byte is theirs:

- ``sample`` is :func:`~synthgen.world.scene.sample_rendered_scene`. The shapes world checks
  visibility on a rendering while it samples, so the sample keeps that rendering
  (:class:`ShapesSample`) and ``render`` hands it on instead of drawing the scene twice;
- ``render`` adds the painter's-order depth rank map the World API asks for;
- ``graph`` is :func:`~synthgen.world.graph.build_scene_graph` (every predicate).

Its fast path for many scenes at once stays as it was (``sample_rendered_scenes`` then
``build_scene_graphs``); :meth:`ShapesWorld.make_batch` is that path, an optional hook beside
the three methods (the base class has none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from synthgen.world.base import World, WorldRendering, register_world
from synthgen.world.graph import SceneGraph, build_scene_graph
from synthgen.world.pipeline import make_scenes
from synthgen.world.render import Rendering
from synthgen.world.scene import Scene, SceneSamplingError, WorldConfig, sample_rendered_scene


@dataclass(frozen=True)
class ShapesSample:
    """A sampled scene and the rendering its visibility was checked on."""

    scene: Scene
    rendering: Rendering


@dataclass
class ShapesRendering(WorldRendering):
    """:class:`WorldRendering` of a shapes scene, with the world's own :class:`Rendering`
    (lazy metric depth, mask statistics, geometry) beside it."""

    rendering: Rendering

    @classmethod
    def of(cls, rendering: Rendering) -> ShapesRendering:
        # objects are drawn back to front: draw position + 1 is the rank from far (1)
        rank = np.zeros(rendering.n_objects + 1, dtype=np.uint8)
        rank[np.asarray(rendering.draw_order, dtype=np.int64) + 1] = np.arange(
            1, len(rendering.draw_order) + 1
        )
        return cls(
            image=rendering.image,
            ids=rendering.ids,
            depth_order=rank[rendering.ids],
            rendering=rendering,
        )


@register_world
class ShapesWorld(World[WorldConfig, ShapesSample, SceneGraph]):
    """Procedural 3D shapes with exact masks, depth and dense spatial/comparative graphs."""

    name = "shapes"
    Config = WorldConfig
    description = "procedural 3D shapes (CLEVR-like): exact masks, depth, dense relations"

    def sample(self, rng: np.random.Generator, config: WorldConfig) -> ShapesSample:
        scene, rendering = sample_rendered_scene(rng, config)
        return ShapesSample(scene, rendering)

    def render(self, scene: ShapesSample, config: WorldConfig) -> ShapesRendering:
        return ShapesRendering.of(scene.rendering)

    def graph(
        self, scene: ShapesSample, rendering: WorldRendering, config: WorldConfig
    ) -> SceneGraph:
        drawn = rendering.rendering if isinstance(rendering, ShapesRendering) else scene.rendering
        return build_scene_graph(scene.scene, drawn)

    def make_batch(
        self,
        rngs: Sequence[np.random.Generator],
        config: WorldConfig,
        predicates: Iterable[str] | None = None,
    ) -> list[tuple[Scene, Rendering, SceneGraph] | SceneSamplingError]:
        """Optional batch hook: element i is exactly ``make_scene(rngs[i], config,
        predicates)`` (see :func:`~synthgen.world.pipeline.make_scenes`)."""
        return make_scenes(rngs, config, predicates)


__all__ = ["ShapesRendering", "ShapesSample", "ShapesWorld"]
