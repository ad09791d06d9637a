"""Referring expressions pick the meant thing alone, as a person reads them."""

from __future__ import annotations

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld, tables
from synthgen.world.sprites.referring import noun, unique_ref, visible_boxes

ON = {"on", "on back of", "standing on", "walking on", "parked on", "sitting on", "lying on"}
ON |= {"laying on", "growing on"}
"""What a person accepts "X on the Y" for (stated here, not read from the module)."""


def test_on_the_anchor_is_unique_whatever_placed_the_other_thing_there():
    """"The sunflower on the grass has been removed" with two sunflowers on the grass, one
    placed "growing on" it and one "on" it: both are on the grass to a person. An
    expression "N on A" is given only when no other N stands, grows, lies or sits on A
    (on the old exact-predicate match it was given for flowers whose twin grew there)."""
    w, config, t = SpriteWorld(), SpritesConfig(), tables("emoji")
    used = 0
    for seed in range(400):
        scene = w.sample(np.random.default_rng([67, seed]), config)
        graph = w.graph(scene, w.render(scene, config), config)
        boxes = visible_boxes(graph)
        for o in scene.objects:
            if o.role != "thing" or o.oid not in boxes:
                continue
            ref = unique_ref(scene, t, o.oid, boxes)
            if ref is None or ref.pred != "on" or ref.anchor is None:
                continue
            anchor = [
                r.object for r in scene.relations if r.subject == o.oid and r.predicate == "on"
            ]
            twins = [
                r.subject
                for r in scene.relations
                if r.predicate in ON
                and r.object in anchor
                and r.subject != o.oid
                and noun(scene.objects[r.subject - 1]) == ref.noun
            ]
            assert not twins, (seed, ref, twins)
            used += 1
    assert used >= 15, used
