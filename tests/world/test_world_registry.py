"""The world registry: built-in worlds, the shapes wrapper's bytes, names of world configs."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel

from synthgen.world import WorldConfig, make_scene, make_scenes
from synthgen.world.base import BUILTIN_WORLDS, World, WorldRendering, worlds
from synthgen.world.choice import default_config, world_name, world_of
from synthgen.world.shapes_world import ShapesRendering, ShapesSample, ShapesWorld


def test_registry_lists_the_builtin_worlds() -> None:
    assert BUILTIN_WORLDS == ("synthgen.world.shapes_world", "synthgen.world.sprites")
    names = worlds.names()
    assert {"shapes", "sprites"} <= set(names)
    assert worlds.get("shapes") is ShapesWorld
    cls = worlds.get("sprites")
    assert issubclass(cls, World) and cls.name == "sprites"
    assert world_name(default_config("sprites")) == "sprites"


def test_shapes_world_is_the_old_functions_byte_for_byte() -> None:
    world = worlds.get("shapes")()
    config = WorldConfig(max_objects=7)
    for seed in range(6):
        scene = world.sample(np.random.default_rng(seed), config)
        rendering = world.render(scene, config)
        graph = world.graph(scene, rendering, config)
        old_scene, old_rendering, old_graph = make_scene(np.random.default_rng(seed), config)
        assert isinstance(scene, ShapesSample) and scene.scene == old_scene
        assert isinstance(rendering, ShapesRendering) and isinstance(rendering, WorldRendering)
        assert rendering.image.tobytes() == old_rendering.image.tobytes()
        assert np.array_equal(rendering.ids, old_rendering.ids)
        assert graph.model_dump_json() == old_graph.model_dump_json()
    rngs = [np.random.default_rng(s) for s in range(5)]
    old = make_scenes([np.random.default_rng(s) for s in range(5)], config)
    new = world.make_batch(rngs, config)
    assert [g.model_dump_json() for _, _, g in new] == [g.model_dump_json() for _, _, g in old]


def test_shapes_depth_order_ranks_objects_back_to_front() -> None:
    world = ShapesWorld()
    config = WorldConfig(min_objects=4, max_objects=6)
    scene = world.sample(np.random.default_rng(11), config)
    rendering = world.render(scene, config)
    order = rendering.depth_order
    assert order.shape == rendering.ids.shape
    assert not order[rendering.ids == 0].any()
    for rank, k in enumerate(rendering.rendering.draw_order, start=1):
        seen = order[rendering.ids == k + 1]
        assert seen.size == 0 or set(seen.tolist()) == {rank}


def test_world_configs_name_their_world() -> None:
    assert world_name(WorldConfig()) == "shapes"
    assert isinstance(world_of(WorldConfig(max_objects=4)), ShapesWorld)
    assert world_of(WorldConfig()) is world_of(WorldConfig(max_objects=3))  # one instance

    class Orphan(BaseModel):
        pass

    with pytest.raises(TypeError, match="no registered world"):
        world_name(Orphan())


def test_a_config_class_shared_by_two_worlds_is_refused() -> None:
    class Twin(ShapesWorld):
        name = "test_shapes_twin"

    worlds.register(Twin)
    try:
        with pytest.raises(TypeError, match="several worlds"):
            world_name(WorldConfig())
    finally:
        worlds._items.pop("test_shapes_twin")
    assert world_name(WorldConfig()) == "shapes"
