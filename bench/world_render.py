"""Benchmark of the procedural world on one core: ms per scene for each stage.

    python bench/world_render.py [--n 2000] [--max-objects 10] [--no-shadows]

Prints, averaged over n fresh scenes (seeds 0..n-1, after a warm-up that fills the
per-stage caches), each made the way a record is (sample, render, graph, PNG, in turn):
sampling (including scenes re-sampled for visibility and their renders), rendering
(RGB + id map), scene graph, PNG encoding (compress_level=1), the lazy depth map (for
information: not on the default record path), plus objects and relations per image,
renders per scene and PNG size. Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import io
import os
import time

import numpy as np

from synthgen.world import WorldConfig, build_scene_graph, get_renderer
from synthgen.world.render import PillowRenderer
from synthgen.world.scene import sample_rendered_scene


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--min-objects", type=int, default=3)
    ap.add_argument("--max-objects", type=int, default=10)
    ap.add_argument("--no-shadows", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cfg = WorldConfig(min_objects=args.min_objects, max_objects=args.max_objects)
    renderer = PillowRenderer(shadows=not args.no_shadows)
    assert get_renderer("pillow") is not None

    t0 = time.perf_counter()
    for i in range(300):  # warm-up: stage backdrops and placement tables
        sample_rendered_scene(np.random.default_rng(10_000_000 + i), cfg, renderer)
    warm = time.perf_counter() - t0

    renders = [0]
    t_in_loop = [0.0]
    inner = renderer.render

    def counting_render(scene):  # count and time the renders made while sampling
        renders[0] += 1
        t = time.perf_counter()
        out = inner(scene)
        t_in_loop[0] += time.perf_counter() - t
        return out

    renderer.render = counting_render  # type: ignore[method-assign]
    t_sample = t_graph = t_png = 0.0
    n_rel = n_obj = png_bytes = 0
    scenes = []
    for i in range(args.n):
        a = time.perf_counter()
        scene, rendering = sample_rendered_scene(np.random.default_rng(i), cfg, renderer)
        b = time.perf_counter()
        graph = build_scene_graph(scene, rendering)
        c = time.perf_counter()
        buf = io.BytesIO()
        rendering.image.save(buf, format="PNG", compress_level=1)
        d = time.perf_counter()
        t_sample += b - a
        t_graph += c - b
        t_png += d - c
        n_rel += graph.n_relations
        n_obj += len(scene.objects)
        png_bytes += buf.tell()
        scenes.append(scene)
    renderer.render = inner  # type: ignore[method-assign]

    a = time.perf_counter()
    for scene in scenes:
        rendering = renderer.render(scene)
    t_render = time.perf_counter() - a
    a = time.perf_counter()
    for scene in scenes[:200]:
        _ = renderer.render(scene).depth
    t_depth = (time.perf_counter() - a) / min(200, len(scenes)) - t_render / len(scenes)

    n = args.n
    ms = 1e3 / n
    # sample_rendered_scene = sampling + the renders of the visibility check; the render of
    # the accepted scene is counted as rendering, those of rejected scenes as sampling
    t_render_loop = t_in_loop[0] * n / renders[0]
    sample = t_sample - t_render_loop
    print(
        f"world bench: {n} scenes, {cfg.min_objects}-{cfg.max_objects} objects, "
        f"{cfg.width}x{cfg.height}, shadows={'off' if args.no_shadows else 'on'}, one core"
    )
    print(f"  sample (incl. re-sampling)  {sample * ms:7.3f} ms/scene")
    print(
        f"  render (RGB + id map)       {t_render_loop * ms:7.3f} ms/scene"
        f"  ({t_render * ms:.3f} re-rendering in a tight loop, warm caches)"
    )
    print(f"  scene graph                 {t_graph * ms:7.3f} ms/scene")
    print(f"  sample + render + graph     {(t_sample + t_graph) * ms:7.3f} ms/scene")
    print(f"  PNG encode (level 1)        {t_png * ms:7.3f} ms/scene")
    print(f"  total per record            {(t_sample + t_graph + t_png) * ms:7.3f} ms/scene")
    print(f"  depth map (lazy, extra)     {t_depth * 1e3:7.3f} ms/scene")
    print(f"  objects / image             {n_obj / n:7.2f}")
    print(f"  relations / image           {n_rel / n:7.1f}")
    print(f"  renders / scene             {renders[0] / n:7.3f}  (>1: re-sampled for visibility)")
    print(f"  PNG size                    {png_bytes / n / 1024:7.1f} KiB")
    print(f"  warm-up (300 scenes, caches) {warm:6.2f} s")


if __name__ == "__main__":
    main()
