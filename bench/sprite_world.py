"""Bench the sprite world: ms per scene for sample (incl. retries), render and graph.

    python bench/sprite_world.py [n] [--atlas placeholder]

The first n scenes warm the caches (resized sprites, structures, backdrops); the next n are
timed. ``sample`` includes drawing the candidates and, for rejected ones, their rendering and
checks; ``render``/``graph`` are timed again on the accepted scene (as a program calls them
after ``sample`` when nothing is cached).
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld
from synthgen.world.sprites.graph import build_graph
from synthgen.world.sprites.render import render_scene


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=300)
    ap.add_argument("--atlas", default="emoji")
    args = ap.parse_args()
    world, config = SpriteWorld(), SpritesConfig(atlas=args.atlas)
    for i in range(args.n):
        world.sample(np.random.default_rng(10_000_000 + i), config)
    ts = collections.defaultdict(float)
    tries = objs = rels = 0
    preds: collections.Counter = collections.Counter()
    for i in range(args.n):
        t0 = time.perf_counter()
        scene = world.sample(np.random.default_rng(i), config)
        t1 = time.perf_counter()
        r = render_scene(scene)
        t2 = time.perf_counter()
        g = build_graph(scene, r, config)
        t3 = time.perf_counter()
        ts["sample (incl. first render+graph)"] += t1 - t0
        ts["render"] += t2 - t1
        ts["graph"] += t3 - t2
        tries += scene.tries
        objs += len(g.objects)
        rels += len(g.relationships)
        preds.update(x.kind for x in g.relationships)
    for k, v in ts.items():
        print(f"{k:36s} {1000 * v / args.n:7.2f} ms/scene")
    print(f"candidates per accepted scene: {tries / args.n:.2f}")
    print(f"objects/scene {objs / args.n:.1f}, relations/object {rels / max(objs, 1):.2f}")
    print("kinds:", dict(preds))


if __name__ == "__main__":
    main()
