"""One call from a random generator to (scene, rendering, scene graph)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from synthgen.world.graph import SceneGraph, build_scene_graph
from synthgen.world.render import Rendering
from synthgen.world.scene import Scene, WorldConfig, sample_rendered_scene


def make_scene(
    rng: np.random.Generator,
    config: WorldConfig | None = None,
    predicates: Iterable[str] | None = None,
) -> tuple[Scene, Rendering, SceneGraph]:
    """Sample a scene, render it (the rendering used for the visibility check is reused)
    and build its scene graph. Pure function of the generator's state and the config."""
    config = config if config is not None else WorldConfig()
    scene, rendering = sample_rendered_scene(rng, config)
    return scene, rendering, build_scene_graph(scene, rendering, predicates)
