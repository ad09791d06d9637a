"""Which things of a sprite scene an edit may take away, move or redraw alone."""

from __future__ import annotations

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld
from synthgen.world.sprites.edits import leaf_things


def test_a_hanging_light_and_its_wire_are_never_edited_alone():
    """ "Delete the wire from the picture" left the light it held floating under the
    ceiling; removing, moving or resizing the light would leave its wire ending in the
    air. A wire attached to a thing, and that thing, are not leaf things."""
    w = SpriteWorld()
    config = SpritesConfig(
        scene_types=("kitchen", "living_room", "bedroom", "office", "restaurant")
    )
    wires = 0
    for seed in range(120):
        scene = w.sample(np.random.default_rng([83, seed]), config)
        leaves = set(leaf_things(scene))
        for r in scene.relations:
            if r.predicate == "attached to" and scene.objects[r.subject - 1].name == "wire":
                wires += 1
                assert r.subject not in leaves, (seed, "wire")
                assert r.object not in leaves, (seed, scene.objects[r.object - 1].name)
    assert wires >= 10, wires
