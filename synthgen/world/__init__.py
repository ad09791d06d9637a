"""Procedural 3D scene world with an exact renderer and exact scene graphs.

    rng = numpy.random.default_rng(seed)
    scene, rendering, graph = make_scene(rng, WorldConfig(max_objects=8))
    rendering.image        # PIL RGB image
    rendering.ids          # (H, W) uint8 instance map, object k of scene.objects -> k + 1
    rendering.depth        # (H, W) float32 camera distance, computed on first access
    graph.objects, graph.relations_by_predicate, graph.relations

    # a batch: element i is exactly make_scene(rngs[i], ...), several times cheaper
    for result in make_scenes(rngs, WorldConfig()):  # (scene, rendering, graph) or error
        ...

Everything is a pure function of the generator's state and the config; only numpy and
Pillow are needed. Renderers are pluggable (`register_renderer`, `get_renderer`).

Worlds are pluggable too (`synthgen.world.base`: `World` with sample/render/graph,
`register_world`, `worlds`): this one is registered as "shapes"
(`synthgen.world.shapes_world`); programs choose one with ``--set world="NAME"``
(`synthgen.world.choice`).
"""

from synthgen.world.base import World, WorldRendering, register_world, worlds
from synthgen.world.contact_sheet import contact_sheet
from synthgen.world.graph import (
    PREDICATES,
    CameraParams,
    LightParams,
    Relation,
    SceneGraph,
    SceneObject,
    build_scene_graph,
    build_scene_graphs,
)
from synthgen.world.masks import MaskStats, objects_visible_bbox_and_counts
from synthgen.world.pipeline import make_scene, make_scenes
from synthgen.world.render import (
    PillowRenderer,
    Renderer,
    Rendering,
    available_renderers,
    get_renderer,
    register_renderer,
)
from synthgen.world.scene import (
    Scene,
    SceneSamplingError,
    WorldConfig,
    WorldObject,
    sample_rendered_scene,
    sample_rendered_scenes,
    sample_scene,
)
from synthgen.world.vocab import COLORS, MATERIALS, SHAPES, SIZES

__all__ = [
    "COLORS",
    "MATERIALS",
    "PREDICATES",
    "SHAPES",
    "SIZES",
    "CameraParams",
    "LightParams",
    "MaskStats",
    "PillowRenderer",
    "Relation",
    "Renderer",
    "Rendering",
    "Scene",
    "SceneGraph",
    "SceneObject",
    "SceneSamplingError",
    "World",
    "WorldConfig",
    "WorldObject",
    "WorldRendering",
    "available_renderers",
    "build_scene_graph",
    "build_scene_graphs",
    "contact_sheet",
    "get_renderer",
    "make_scene",
    "make_scenes",
    "objects_visible_bbox_and_counts",
    "register_renderer",
    "register_world",
    "sample_rendered_scene",
    "sample_rendered_scenes",
    "sample_scene",
    "worlds",
]
