"""Benchmark of the procedural world on one core: CPU ms per scene, single and batch paths.

    python bench/world_render.py [--n 2048] [--batch 64] [--repeat 3] [--max-objects 10]
                                 [--no-shadows]

Scenes use seeds 0..n-1 after a warm-up that fills the per-stage caches. Each figure is
CPU time (process_time, so other processes on the machine disturb it less), the median
over --repeat passes:

  single  sample_rendered_scene + build_scene_graph, one scene at a time (sampling
          includes the renders of scenes re-sampled for visibility)
  batch   sample_rendered_scenes + build_scene_graphs on chunks of --batch generators
          (what the svg program does); results are bit-identical to the single path

plus, for information: a tight re-render loop, PNG encoding with the project's encoder,
the lazy depth map (not on the default record path), objects / relations per image,
renders per scene and PNG size. Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from synthgen.encoders import fast_png
from synthgen.world import (
    WorldConfig,
    build_scene_graph,
    build_scene_graphs,
    sample_rendered_scene,
    sample_rendered_scenes,
)
from synthgen.world.render import PillowRenderer


class CountingRenderer(PillowRenderer):
    """Counts the scenes it renders (re-sampled scenes are rendered again)."""

    def __init__(self, shadows: bool) -> None:
        super().__init__(shadows=shadows)
        self.rendered = 0

    def render_batch(self, scenes):
        self.rendered += len(scenes)
        return super().render_batch(scenes)


def single_pass(n: int, cfg: WorldConfig, renderer: PillowRenderer) -> tuple[float, float, list]:
    t_sample = t_graph = 0.0
    out = []
    clock = time.process_time
    for i in range(n):
        rng = np.random.default_rng(i)
        a = clock()
        scene, rendering = sample_rendered_scene(rng, cfg, renderer)
        b = clock()
        graph = build_scene_graph(scene, rendering)
        t_sample += b - a
        t_graph += clock() - b
        out.append((scene, rendering, graph))
        if len(out) > 64:  # keep memory like the batch path, not n renderings
            out.pop(0)
    return t_sample, t_graph, out


def batch_pass(
    n: int, batch: int, cfg: WorldConfig, renderer: PillowRenderer
) -> tuple[float, float, list]:
    t_sample = t_graph = 0.0
    clock = time.process_time
    out: list = []
    for start in range(0, n, batch):
        rngs = [np.random.default_rng(i) for i in range(start, min(n, start + batch))]
        a = clock()
        made = sample_rendered_scenes(rngs, cfg, renderer)
        b = clock()
        graphs = build_scene_graphs([s for s, _ in made], [r for _, r in made])
        t_graph += clock() - b
        t_sample += b - a
        out = [(s, r, g) for (s, r), g in zip(made, graphs, strict=True)]
    return t_sample, t_graph, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-objects", type=int, default=3)
    ap.add_argument("--max-objects", type=int, default=10)
    ap.add_argument("--no-shadows", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cfg = WorldConfig(min_objects=args.min_objects, max_objects=args.max_objects)
    renderer = CountingRenderer(shadows=not args.no_shadows)
    n = args.n

    t0 = time.perf_counter()
    for i in range(300):  # warm-up: stage backdrops and placement tables
        sample_rendered_scene(np.random.default_rng(10_000_000 + i), cfg, renderer)
    batch_pass(4 * args.batch, args.batch, cfg, renderer)
    warm = time.perf_counter() - t0

    single: list[tuple[float, float]] = []
    batched: list[tuple[float, float]] = []
    for _ in range(args.repeat):  # interleaved, so drifts in machine load hit both alike
        s, g, _out = single_pass(n, cfg, renderer)
        single.append((s, g))
        renderer.rendered = 0
        s, g, _out = batch_pass(n, args.batch, cfg, renderer)
        batched.append((s, g))
        renders = renderer.rendered

    scenes = [np.random.default_rng(i) for i in range(min(n, 512))]
    made = sample_rendered_scenes(scenes, cfg, renderer)
    graphs = build_scene_graphs([s for s, _ in made], [r for _, r in made])
    clock = time.process_time
    a = clock()
    for scene, _r in made:
        renderer.render(scene)
    t_render = (clock() - a) / len(made)
    a = clock()
    for start in range(0, len(made), args.batch):
        renderer.render_batch([s for s, _ in made[start : start + args.batch]])
    t_render_b = (clock() - a) / len(made)
    a = clock()
    png_bytes = sum(len(fast_png(r.image)) for _s, r in made)
    t_png = (clock() - a) / len(made)
    a = clock()
    for _s, r in made[:100]:
        _ = r.depth
    t_depth = (clock() - a) / min(100, len(made))
    n_obj = sum(len(s.objects) for s, _ in made) / len(made)
    n_rel = sum(g.n_relations for g in graphs) / len(made)

    def med(rows: list[tuple[float, float]], k: int | None) -> float:
        return statistics.median((r[0] + r[1]) if k is None else r[k] for r in rows) * 1e3 / n

    print(
        f"world bench: {n} scenes x {args.repeat} passes, {cfg.min_objects}-{cfg.max_objects} "
        f"objects, {cfg.width}x{cfg.height}, shadows={'off' if args.no_shadows else 'on'}, "
        f"one core, CPU ms per scene (median)"
    )
    print(f"{'':32s}{'single':>9s}{'batch ' + str(args.batch):>11s}")
    for label, k in (
        ("sample + render (incl. retries)", 0),
        ("scene graph", 1),
        ("sample + render + graph", None),
    ):
        print(f"  {label:30s}{med(single, k):9.3f}{med(batched, k):11.3f}")
    print(f"  {'re-render, tight loop':30s}{t_render * 1e3:9.3f}{t_render_b * 1e3:11.3f}")
    print(f"  PNG encode (fast_png)         {t_png * 1e3:7.3f} ms/scene")
    print(f"  depth map (lazy, extra)       {t_depth * 1e3:7.3f} ms/scene")
    print(f"  objects / image               {n_obj:7.2f}")
    print(f"  relations / image             {n_rel:7.1f}")
    print(f"  renders / scene               {renders / n:7.3f}  (>1: re-sampled for visibility)")
    print(f"  PNG size                      {png_bytes / len(made) / 1024:7.1f} KiB")
    print(f"  warm-up                       {warm:7.2f} s")


if __name__ == "__main__":
    main()
