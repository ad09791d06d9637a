"""One call from random generators to (scene, rendering, scene graph)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from synthgen.world.graph import SceneGraph, build_scene_graphs
from synthgen.world.render import Renderer, Rendering
from synthgen.world.scene import Scene, SceneSamplingError, WorldConfig, sample_rendered_scenes


def make_scenes(
    rngs: Sequence[np.random.Generator],
    config: WorldConfig | None = None,
    predicates: Iterable[str] | None = None,
    renderer: Renderer | None = None,
) -> list[tuple[Scene, Rendering, SceneGraph] | SceneSamplingError]:
    """`make_scene` for a batch of generators, several times cheaper per scene than one at
    a time: element i is exactly `make_scene(rngs[i], config, predicates)` (or the
    `SceneSamplingError` it raises) and leaves rngs[i] in the same state."""
    config = config if config is not None else WorldConfig()
    predicates = None if predicates is None else frozenset(predicates)
    sampled = sample_rendered_scenes(rngs, config, renderer)
    ok = [s for s in sampled if not isinstance(s, SceneSamplingError)]
    graphs = iter(build_scene_graphs([s for s, _ in ok], [r for _, r in ok], predicates))
    return [s if isinstance(s, SceneSamplingError) else (*s, next(graphs)) for s in sampled]


def make_scene(
    rng: np.random.Generator,
    config: WorldConfig | None = None,
    predicates: Iterable[str] | None = None,
) -> tuple[Scene, Rendering, SceneGraph]:
    """Sample a scene, render it (the rendering used for the visibility check is reused)
    and build its scene graph. Pure function of the generator's state and the config."""
    out = make_scenes([rng], config, predicates)[0]
    if isinstance(out, SceneSamplingError):
        raise out
    return out
