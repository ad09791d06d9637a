"""The scene type is asked only when what the image shows tells it (a counter makes a
kitchen; a room with one table and a chair may be a kitchen, a living room or a
restaurant), by the world's scene evidence file, which must match the world."""

from __future__ import annotations

import json
from collections import Counter

import synthgen
from synthgen.world.scene_evidence import EVIDENCE_FILE, sightings
from tests.qa.checker import _scene_shown


def test_the_evidence_file_matches_the_world() -> None:
    """Fresh scenes show no thing in a scene type its entry leaves out: a grammar change
    that places a thing somewhere new fails here until ``scripts/build_scene_evidence.py``
    is rerun (else a sofa moved into offices would still "prove" a living room)."""
    data = json.loads(EVIDENCE_FILE.read_text())
    least = data["min_sightings"]
    seen = sightings(1500, seed=4242)
    checked = 0
    for key, types in seen.items():
        recorded = data["evidence"].get(key, {})
        if sum(recorded.values()) >= least:
            checked += 1
            assert set(types) <= set(recorded), (key, dict(types), recorded)
    assert checked >= 100


def test_scene_type_is_asked_only_where_the_image_tells_it() -> None:
    made = synthgen.generate(
        "svg", 240, seed=3, config={"qa": {"kinds": ["scene_type"], "per_image": 1}}
    )
    asked: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for r in made:
        world = r.world_graph
        shown = _scene_shown(world)
        if r.qa:
            asked[world["scene_type"]] += 1
            assert shown == {world["scene_type"]}, (world["scene_type"], shown)
        else:
            held[world["scene_type"]] += 1
            assert shown != {world["scene_type"]}, "an image that tells its type is asked"
    # both happen: rooms with only a table and chairs are held back, kitchens asked
    assert sum(asked.values()) >= 120 and sum(held.values()) >= 10, (asked, held)
