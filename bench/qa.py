"""QA throughput: questions per CPU-second over the full single-image suite, per kind too,
on the graphs svg asks (``--world sprites``, svg's default, or ``shapes`` with 10-object
graphs; masks and lazy depth attached as the recipe has them), plus the svg recipe's
per-image cost (``per_image=8``) and the one-off calibration time per process.

Scenes are made first and not timed; each timed pass builds the QA view from the world's
graph (part of the cost: for sprites the lexicon and world facts; the svg line gives
the view's share and the asking's) and asks. "Full suite" =
every single-image kind asked once per graph, with answer balancing on (rejected proposals
cost time and yield nothing) and the default multiple-choice ratio. Timed as a shard runs:
the calibration graphs dropped once the tables are made (``QASuite.warm``) and the shard's
garbage-collector thresholds (:func:`synthgen.gc_tuning.shard_gc`). Per kind: that kind
alone, once per graph, its QA per CPU-second and how often it had a question to ask.

    python bench/qa.py                       # sprites, 150 graphs, 3 passes
    python bench/qa.py --world shapes --graphs 300 --passes 5

CPU time on a shared machine moves with the neighbours: on stop 27's build machine the same
code read 6,300 and 11,000 QA per CPU-second minutes apart, each pass of a run alike. Read
the figure of an uncontended run (the best of several), and compare two versions with
``bench/qa_instructions.py`` (instructions, which do not move).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from synthgen.gc_tuning import release_memory, shard_gc
from synthgen.generators.qa import QAConfig, QAGraph, QASuite, question_kinds
from synthgen.generators.qa.balance import calibration_graphs
from synthgen.generators.qa.sources import from_scene_graph, world_view
from synthgen.world import SceneSamplingError, WorldConfig, make_scene
from synthgen.world.choice import default_config, world_of


def scenes(world: str, n: int, objects: int) -> tuple[list[Callable[[], QAGraph]], object]:
    """``n`` view builders of ``world`` (each call builds the QA view, as svg does) and the
    calibration settings."""
    rng = np.random.default_rng(0)
    if world == "shapes":
        cfg = WorldConfig(min_objects=objects, max_objects=objects)
        made = [make_scene(rng, cfg) for _ in range(n)]
        return [
            lambda r=r, g=g: from_scene_graph(g, r.ids, lambda: r.depth) for _, r, g in made
        ], None
    settings = default_config(world)
    w = world_of(settings)
    out = []
    while len(out) < n:
        try:
            scene = w.sample(rng, settings)
        except SceneSamplingError:
            continue
        rendering = w.render(scene, settings)
        graph = w.graph(scene, rendering, settings)
        out.append(lambda s=scene, r=rendering, g=graph: world_view(w, s, r, g))
    return out, settings


def reference_loop() -> float:
    """CPU-seconds of a fixed pure-Python loop (10 million additions), the best of three: a
    note of the interpreter's speed on the day. It does not carry the QA figure across
    machines: on stop 26's machine a loop as fast as stop 24's went with QA 1.45x slower
    (the QA work is dict- and allocation-heavy, the loop is not), so compare code side by
    side on one machine."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--world", default="sprites")
    parser.add_argument("--graphs", type=int, default=150)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--objects", type=int, default=10, help="shapes: objects per graph")
    args = parser.parse_args()

    builders, settings = scenes(args.world, args.graphs, args.objects)
    t0 = time.process_time()
    calibration_graphs(settings)  # type: ignore[arg-type]
    single = [n for n in question_kinds.names() if question_kinds.get(n).images == 1]
    full = QASuite(QAConfig(per_image=len(single)), calibration_world=settings)  # type: ignore[arg-type]
    for kind in full.kinds:
        if kind.balance:
            full.balancer.table(kind)
    calib = time.process_time() - t0
    calibration_graphs.cache_clear()  # as QASuite.warm leaves a job's process
    release_memory()

    def run(suite: QASuite, passes: int) -> tuple[int, float, float, list[float]]:
        """QA made, CPU-seconds in all, of which building the views, and each pass's QA per
        CPU-second."""
        qa_rng = np.random.default_rng(1)
        n = 0
        viewing = 0.0
        rates = []
        start = time.process_time()
        for _ in range(passes):
            pass_start, pass_n = time.process_time(), n
            for build in builders:
                t = time.process_time()
                view = build()
                viewing += time.process_time() - t
                n += len(suite.ask(view, qa_rng))
            rates.append((n - pass_n) / max(time.process_time() - pass_start, 1e-9))
        return n, time.process_time() - start, viewing, rates

    with shard_gc():
        n, seconds, _, _ = run(full, args.passes)
    images = args.graphs * args.passes
    print(
        f"{args.world}: full single-image suite ({len(single)} kinds): {n:,} QA in "
        f"{seconds:.2f} CPU-s = {n / seconds:,.0f} QA per CPU-second "
        f"({n / images:.1f} QA per image, {1000 * seconds / images:.2f} ms per image)"
    )
    with shard_gc():
        svg = QASuite(QAConfig(per_image=8), calibration_world=settings)  # type: ignore[arg-type]
        n8, s8, v8, rates = run(svg, args.passes)
    print(
        f"svg default (per_image=8): {n8 / images:.2f} QA per image, "
        f"{1000 * s8 / images:.3f} ms per image (view {1000 * v8 / images:.3f}, ask "
        f"{1000 * (s8 - v8) / images:.3f}) = {n8 / s8:,.0f} QA per CPU-second"
    )
    # passes of one run agree within ~10 %; whole runs differ by up to 1.6x when another
    # process shares the core (a hyperthread's sibling, or the host's): compare runs made
    # on a quiet machine, and their best
    print("  per pass: " + " / ".join(f"{r:,.0f}" for r in rates) + f" (best {max(rates):,.0f})")
    print(f"one-off per process: calibration {calib:.2f} CPU-s (graphs and balance tables)")
    print(
        f"machine: the reference loop takes {reference_loop():.2f} CPU-s (the interpreter's "
        "speed; compare QA figures of two versions side by side on one machine)"
    )
    views = [build() for build in builders]  # per kind: the view is built once, not timed
    print(f"\n{'kind':28s} {'QA':>6s} {'asked %':>8s} {'QA/CPU-s':>10s}")
    for name in single:
        suite = QASuite(QAConfig(kinds=(name,), per_image=1), calibration_world=settings)  # type: ignore[arg-type]
        rng = np.random.default_rng(2)
        got = 0
        start = time.process_time()
        for view in views:
            got += len(suite.ask(view, rng))
        spent = time.process_time() - start
        rate = f"{got / spent:,.0f}" if got and spent > 0 else "-"
        print(f"{name:28s} {got:6d} {100 * got / len(views):7.0f}% {rate:>10s}")


if __name__ == "__main__":
    main()
