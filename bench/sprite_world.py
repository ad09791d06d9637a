"""Bench the sprite world (issue #14): warm steady-state CPU ms per scene and stage, peak
RSS, and records/s of ``synthgen make svg --set world="sprites"``.

    python bench/sprite_world.py [n] [--warm W] [--atlas placeholder] [--make-n 2000]
                                 [--workers 1 2] [--no-make]

One long-lived process, as a worker is: ``--warm`` scenes (default 2000) fill the caches
(resized sprites, structures, backdrops), then ``n`` scenes (default 500) are timed with
``time.process_time`` (CPU, so other load on the machine matters less). Stages are the
calls ``SpriteWorld.sample`` makes, rejected candidates included: ``sample_draft``
(placing things), ``render`` (compositing) and ``graph`` (graph and its checks). Peak RSS
is this process's. Then, unless ``--no-make``, ``synthgen make svg`` on the sprite world
(images, graphs, QA, PNG) runs in a fresh child process per worker count (see
``bench/child_make.py``), and its rate gives the projected time for 1e6 records. With one
worker the records are made in the child's main process (its "worker" RSS is then 0).
``--marginal`` also makes 2n records and prints the cost of the second n (fixed costs
such as start-up, warm-up and the card's 2000-record scan cancel; see ``bench/svg.py``).

Cache lines: misses per scene are comparable across versions; the hit rate is not: since
6e60574 the graph reuses the renderer's lookups instead of looking every layer's art up a
second time (a hit each), so the same misses show as a lower hit rate.
"""

from __future__ import annotations

import argparse
import collections
import resource
import time

import numpy as np

import synthgen.world.sprites as sprites_mod
from synthgen.world.sprites import SpritesConfig, SpriteWorld
from synthgen.world.sprites import render as render_mod

STAGES = {"sample_draft": "sample_draft", "render_scene": "render", "build_graph": "graph"}


def _timed(times: dict, name: str, f):
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            times[name] += time.process_time() - t

    return g


def world_bench(n: int, warm: int, atlas: str) -> None:
    world, config = SpriteWorld(), SpritesConfig(atlas=atlas)
    t0 = time.process_time()
    for i in range(warm):
        world.sample(np.random.default_rng(10_000_000 + i), config)
    warm_ms = 1000 * (time.process_time() - t0) / max(warm, 1)
    times: dict[str, float] = collections.defaultdict(float)
    saved = {k: getattr(sprites_mod, k) for k in STAGES}
    for k, label in STAGES.items():
        setattr(sprites_mod, k, _timed(times, label, saved[k]))
    before = render_mod.cache_info()
    tries = objs = rels = 0
    preds: collections.Counter = collections.Counter()
    try:
        t0 = time.process_time()
        for i in range(n):
            scene = world.sample(np.random.default_rng(i), config)
            g = world.graph(scene, world.render(scene, config), config)
            tries += scene.tries
            objs += len(g.objects)
            rels += len(g.relationships)
            preds.update(x.kind for x in g.relationships)
        total = time.process_time() - t0
    finally:
        for k, f in saved.items():
            setattr(sprites_mod, k, f)
    after = render_mod.cache_info()
    print(f"sprite world, warm steady state ({warm} scenes to warm up, {n} timed), CPU:")
    for label in STAGES.values():
        print(f"  {label:14s} {1000 * times[label] / n:7.2f} ms/scene")
    other = total - sum(times.values())
    print(f"  {'other':14s} {1000 * other / n:7.2f} ms/scene")
    print(f"  {'total':14s} {1000 * total / n:7.2f} ms/scene  (warm-up: {warm_ms:.2f} ms/scene)")
    print(f"candidates per accepted scene: {tries / n:.2f}")
    for k in after:
        hits = after[k]["hits"] - before[k]["hits"]
        misses = after[k]["misses"] - before[k]["misses"]
        print(
            f"cache {k}: {after[k]['entries']} entries, {after[k]['mib']:.0f} MiB, "
            f"{misses / n:.2f} misses/scene, hit rate {hits / max(hits + misses, 1):.3f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MiB")
    print(f"objects/scene {objs / n:.1f}, relations/object {rels / max(objs, 1):.2f}")
    print("kinds:", dict(preds))


def make_bench(n: float, workers: list[int], marginal: bool = False) -> None:
    from child_make import make_in_child
    from svg import marginal as print_marginal

    for w in workers:
        runs = []
        for size in (n, 2 * n) if marginal else (n,):
            r = make_in_child("svg", size, w, ['world="sprites"'])
            runs.append(r)
            rate = r["records"] / r["seconds"]
            stages = ", ".join(
                f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items()
            )
            print(
                f"make svg world=sprites n={r['n']} workers={w}: {r['seconds']:.1f}s, "
                f"{rate:,.0f} rec/s; CPU {1000 * r['cpu_s'] / r['records']:.2f} ms/record "
                f"(worker stages ms/record: {stages}); rejected {r['rejected']}; peak RSS main "
                f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB; "
                f"1e6 would take {1e6 / rate / 60:.1f} min"
            )
        if marginal:
            print_marginal("make svg world=sprites", *runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=500)
    ap.add_argument("--warm", type=int, default=2000)
    ap.add_argument("--atlas", default="emoji")
    ap.add_argument("--make-n", default="2000")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--no-make", action="store_true")
    ap.add_argument(
        "--marginal", action="store_true", help="also make 2n: per-record cost past fixed costs"
    )
    args = ap.parse_args()
    world_bench(args.n, args.warm, args.atlas)
    if not args.no_make:
        make_bench(float(args.make_n), args.workers, args.marginal)


if __name__ == "__main__":
    main()
