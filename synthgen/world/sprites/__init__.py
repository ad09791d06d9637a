"""The sprite world: 2.5D scenes of real things (emoji art from the atlas, parametric
structures where no sprite exists) with exact instance maps and relations true by
construction, each checked against the rendering.

    world = SpriteWorld()
    config = SpritesConfig()
    scene = world.sample(np.random.default_rng(0), config)
    rendering = world.render(scene, config)     # image, ids (uint16), depth_order (uint16)
    graph = world.graph(scene, rendering, config)
    graph.to_vg()                               # synthgen.world.vg.VGImage

``sample`` draws candidates from the generator until one passes every check (its rendering
and graph are kept on the scene, so ``render``/``graph`` do not redo the work); after
``max_tries`` it raises :class:`synthgen.world.scene.SceneSamplingError`. Modules:
:mod:`.grammar` (scene types, what goes where), :mod:`.structures` and :mod:`.backdrop`
(drawn parts), :mod:`.scene` (sampling), :mod:`.render` (compositing), :mod:`.graph`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthgen.world.base import World, WorldRendering, register_world
from synthgen.world.scene import SceneSamplingError
from synthgen.world.sprites.backdrop import SCENE_TYPES
from synthgen.world.sprites.graph import SpriteGraph, build_graph
from synthgen.world.sprites.render import get_atlas, render_scene
from synthgen.world.sprites.scene import SpriteScene, Tables, sample_draft

__all__ = ["SCENE_TYPES", "SpriteGraph", "SpriteScene", "SpriteWorld", "SpritesConfig"]


class SpritesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(448, ge=128, le=2048, description="Image width in pixels.")
    height: int = Field(336, ge=96, le=2048, description="Image height in pixels.")
    min_objects: int = Field(4, ge=1, le=60, description="Fewest placed things per scene.")
    max_objects: int = Field(14, ge=1, le=60, description="Most placed things per scene.")
    scene_types: tuple[str, ...] = Field(SCENE_TYPES, description=f"From {SCENE_TYPES}.")
    min_visible_pixels: int = Field(100, ge=1, description="A named object shows this many.")
    min_visible_fraction: float = Field(
        0.25, ge=0.0, le=1.0, description="... and this fraction of its drawn area."
    )
    shadows: bool = Field(True, description="Soft ground shadows under standing things.")
    backdrop_variants: int = Field(12, ge=1, le=1000, description="Backdrops per type (cached).")
    max_tries: int = Field(30, ge=1, description="Candidates before SceneSamplingError.")
    atlas: Literal["emoji", "placeholder"] = Field(
        "emoji", description="Sprite art: the shipped emoji atlas or flat placeholder shapes."
    )

    @model_validator(mode="after")
    def _check(self) -> SpritesConfig:
        if self.min_objects > self.max_objects:
            raise ValueError("min_objects > max_objects")
        bad = [t for t in self.scene_types if t not in SCENE_TYPES]
        if bad or not self.scene_types:
            raise ValueError(f"scene_types must be a non-empty subset of {SCENE_TYPES}")
        return self


_TABLES: dict[str, Tables] = {}


def tables(atlas: str) -> Tables:
    t = _TABLES.get(atlas)
    if t is None:
        t = _TABLES[atlas] = Tables(get_atlas(atlas))
    return t


@register_world
class SpriteWorld(World[SpritesConfig, SpriteScene, SpriteGraph]):
    name = "sprites"
    Config = SpritesConfig
    description = "2.5D scenes of real things (emoji sprites, structures) with exact relations"

    def sample(self, rng: np.random.Generator, config: SpritesConfig) -> SpriteScene:
        t = tables(config.atlas)
        last = ""
        for k in range(config.max_tries):
            scene = sample_draft(rng, config, t, tries=k + 1)
            rendering = render_scene(scene)
            try:
                graph = build_graph(scene, rendering, config)
            except SceneSamplingError as e:
                last = str(e)
                continue
            scene._cache["result"] = (config, rendering, graph)
            return scene
        raise SceneSamplingError(
            f"no sprite scene passed its checks in {config.max_tries} tries (last: {last})"
        )

    def _cached(self, scene: SpriteScene, config: SpritesConfig):
        got = scene._cache.get("result")
        return got if got is not None and got[0] == config else None

    def render(self, scene: SpriteScene, config: SpritesConfig) -> WorldRendering:
        got = self._cached(scene, config)
        return got[1] if got is not None else render_scene(scene)

    def graph(
        self, scene: SpriteScene, rendering: WorldRendering, config: SpritesConfig
    ) -> SpriteGraph:
        got = self._cached(scene, config)
        if got is not None and got[1] is rendering:
            return got[2]
        return build_graph(scene, rendering, config)
