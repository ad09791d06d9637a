"""QA throughput: questions per CPU-second over the full single-image suite on 10-object
procedural graphs (masks and lazy depth attached, as the svg recipe has them), plus the
svg recipe's per-image cost (``per_image=8``) and the one-off calibration time per process.

Graphs are made first and not timed; each timed pass builds the QA view from the world's
scene graph (part of the cost) and asks. "Full suite" = every single-image kind asked once
per graph, with answer balancing on (rejected proposals cost time and yield nothing) and
the default multiple-choice ratio.

    python bench/qa.py                # 300 graphs, 5 passes
    python bench/qa.py --graphs 1000 --passes 3
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from synthgen.generators.qa import QAConfig, QASuite, question_kinds
from synthgen.generators.qa.balance import calibration_graphs
from synthgen.generators.qa.sources import from_scene_graph
from synthgen.world import WorldConfig, make_scene


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--graphs", type=int, default=300)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--objects", type=int, default=10)
    args = parser.parse_args()

    t0 = time.process_time()
    calibration_graphs()
    single = [n for n in question_kinds.names() if question_kinds.get(n).images == 1]
    full = QASuite(QAConfig(per_image=len(single)))
    for kind in full.kinds:
        if kind.balance:
            full.balancer.table(kind)
    calib = time.process_time() - t0

    rng = np.random.default_rng(0)
    world = WorldConfig(min_objects=args.objects, max_objects=args.objects)
    scenes = [make_scene(rng, world) for _ in range(args.graphs)]

    def run(suite: QASuite) -> tuple[int, float, Counter[str]]:
        qa_rng = np.random.default_rng(1)
        kinds: Counter[str] = Counter()
        n = 0
        start = time.process_time()
        for _ in range(args.passes):
            for _, rendering, graph in scenes:
                view = from_scene_graph(graph, rendering.ids, lambda r=rendering: r.depth)
                qas = suite.ask(view, qa_rng)
                n += len(qas)
                kinds.update(q.kind for q in qas)
        return n, time.process_time() - start, kinds

    n, seconds, kinds = run(full)
    images = args.graphs * args.passes
    print(
        f"full single-image suite ({len(single)} kinds), {args.objects}-object graphs: "
        f"{n:,} QA in {seconds:.2f} CPU-s = {n / seconds:,.0f} QA per CPU-second "
        f"({n / images:.1f} QA per image, {1000 * seconds / images:.2f} ms per image)"
    )
    print(f"kinds produced: {len(kinds)}/{len(single)}; fewest: {kinds.most_common()[-3:]}")
    n8, s8, _ = run(QASuite(QAConfig(per_image=8)))
    print(
        f"svg default (per_image=8): {n8 / images:.2f} QA per image, "
        f"{1000 * s8 / images:.3f} ms per image = {n8 / s8:,.0f} QA per CPU-second"
    )
    print(f"one-off per process: calibration {calib:.2f} CPU-s (graphs and balance tables)")


if __name__ == "__main__":
    main()
