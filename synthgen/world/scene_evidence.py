"""Which scene types a picture can be, from what it shows (the sprite world's table).

A kitchen is told by its counter, a bedroom by its bed, a farm by its cows; a room with one
table and a chair could be a kitchen, a living room or a restaurant, and nobody can say
which. The scene-type question is asked only when the things an image shows rule out
every scene type but one (``generators.qa.world.SceneType``).

What each thing rules out is read off the world itself: ``scripts/build_scene_evidence.py``
samples many scenes of every type and writes, per *evidence key* (a category; for a
backdrop piece that is the ground, the category on the ground: snow on the ground is a ski
slope, snow on a mountain's top is not), the scene types it was seen in. Keys seen fewer
than :data:`MIN_SIGHTINGS` times tell nothing (a thing seen twice in restaurants may well
turn up in a kitchen). A test samples fresh scenes and checks that no key shows up in a
type its entry leaves out, so a grammar change that moves a thing fails until the file is
rebuilt.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from synthgen.fsutil import atomic_write_bytes

EVIDENCE_FILE = Path(__file__).parent / "sprites" / "data" / "scene_evidence.json"
MIN_SIGHTINGS = 40
"""Fewest sightings (over all types) for a key to rule scene types out."""
GROUND = "@ground"


def evidence_key(category: str, role: str, box: Iterable[int], height: int) -> str:
    """The key of one object of a graph: its category; a backdrop piece whose box reaches
    the image's bottom row (the ground the scene stands on) gets :data:`GROUND` added."""
    if role == "backdrop":
        _x, y, _w, h = box
        if y + h >= height:
            return category + GROUND
    return category


def shown_types(
    keys: Iterable[str], evidence: Mapping[str, frozenset[str]]
) -> frozenset[str] | None:
    """The scene types consistent with every key (those in ``evidence``; None when no key
    rules anything out)."""
    out: frozenset[str] | None = None
    for key in keys:
        types = evidence.get(key)
        if types is not None:
            out = types if out is None else out & types
    return out


@functools.cache
def load_scene_evidence(path: Path = EVIDENCE_FILE) -> Mapping[str, frozenset[str]]:
    """Key -> the scene types it is seen in, for the keys seen :data:`MIN_SIGHTINGS` times
    or more (read once per process)."""
    data = json.loads(path.read_text())
    return MappingProxyType(
        {
            key: frozenset(seen)
            for key, seen in data["evidence"].items()
            if sum(seen.values()) >= data["min_sightings"]
        }
    )


def graph_keys(graph: Any) -> list[str]:
    """The evidence keys of a sprite graph's objects (``SpriteGraph``)."""
    return [evidence_key(o.category, o.role, o.bbox, graph.height) for o in graph.objects]


def sightings(scenes: int, seed: int) -> dict[str, Counter[str]]:
    """Key -> scene type -> graphs showing it, over ``scenes`` scenes of the default
    sprite world (every scene type) drawn from ``seed``."""
    from synthgen.world import SceneSamplingError
    from synthgen.world.choice import default_config, world_of

    settings = default_config("sprites")
    world = world_of(settings)
    rng = np.random.default_rng(seed)
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    made = 0
    while made < scenes:
        try:
            scene = world.sample(rng, settings)
        except SceneSamplingError:
            continue
        graph = world.graph(scene, world.render(scene, settings), settings)
        for key in set(graph_keys(graph)):
            seen[key][graph.scene_type] += 1
        made += 1
    return seen


def write_scene_evidence(scenes: int, seed: int, path: Path = EVIDENCE_FILE) -> None:
    """Sample the world and write the evidence file (``scripts/build_scene_evidence.py``)."""
    seen = sightings(scenes, seed)
    data = {
        "format": 1,
        "scenes": scenes,
        "seed": seed,
        "min_sightings": MIN_SIGHTINGS,
        "evidence": {k: dict(sorted(seen[k].items())) for k in sorted(seen)},
    }
    atomic_write_bytes(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
