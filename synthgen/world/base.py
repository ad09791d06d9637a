"""The world extension point: a world samples scenes, renders them and builds their graphs.

A world is one class with three methods, registered by name::

    @register_world
    class MyWorld(World[MyConfig, MyScene, MyGraph]):
        name = "mine"
        Config = MyConfig

        def sample(self, rng, config): ...         # -> scene (pure function of rng, config)
        def render(self, scene, config): ...       # -> WorldRendering (pixels + exact maps)
        def graph(self, scene, rendering, config): ...  # -> the scene graph

Programs choose a world with ``--set world="sprites"`` (or ``world.name="sprites"`` beside that
world's own settings). Everything a world returns must be a pure function of the generator's
state and the config, so records replay byte for byte. A newcomer adds a world in one package
and registers it under the ``synthgen.worlds`` entry-point group.

What ``svg`` needs from a world's graph (its generic path, used for every world but
``shapes``): ``to_vg()`` returning a :class:`~synthgen.world.vg.VGImage` whose object ids are
the ids of ``WorldRendering.ids`` (questions are asked over it, points sampled from the id
map, point depth read from ``depth_order``); a pydantic graph is stored whole in the record
(``world_graph``). ``sample`` may raise :class:`~synthgen.world.scene.SceneSamplingError`
(the candidate is rejected as ``scene_sampling``). Give each world its own ``Config`` class:
the chosen config says which world it belongs to (``synthgen.world.choice``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel

from synthgen.registry import Registry

ConfigT = TypeVar("ConfigT", bound=BaseModel)
SceneT = TypeVar("SceneT")
GraphT = TypeVar("GraphT")


@dataclass
class WorldRendering:
    """What a world draws: the picture and the exact maps its graph is checked against.

    ``ids[y, x]`` is the id of the object whose pixel it is (0: nothing, the backdrop);
    ``depth_order[y, x]`` the rank of that pixel's surface from far (1) to near (0: backdrop
    with no object). Both have the image's height and width.
    """

    image: Any  # PIL.Image.Image, mode RGB
    ids: np.ndarray
    depth_order: np.ndarray


class World(ABC, Generic[ConfigT, SceneT, GraphT]):
    """Base class of worlds (see the module docstring). Instances are cheap to keep: build
    tables once in ``__init__``; ``sample``/``render``/``graph`` must not keep state that
    changes their output."""

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]
    description: ClassVar[str] = ""

    @abstractmethod
    def sample(self, rng: np.random.Generator, config: ConfigT) -> SceneT:
        """A scene drawn from ``rng`` alone (raise SceneSamplingError to give up)."""

    @abstractmethod
    def render(self, scene: SceneT, config: ConfigT) -> WorldRendering:
        """The scene's picture with its instance-id and depth-order maps."""

    @abstractmethod
    def graph(self, scene: SceneT, rendering: WorldRendering, config: ConfigT) -> GraphT:
        """The scene graph, every relation decided by construction and checked against the
        rendering."""


BUILTIN_WORLDS = ("synthgen.world.shapes_world", "synthgen.world.sprites")
"""Modules of the worlds that ship with synthgen (imported when the registry is first read)."""

worlds: Registry[type[World]] = Registry("world", "synthgen.worlds", builtins=BUILTIN_WORLDS)
register_world = worlds.register
"""Decorator that registers a :class:`World` subclass under its ``name``."""
