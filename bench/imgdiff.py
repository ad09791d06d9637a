"""imgdiff throughput and memory: pairs/s on 1 and 2 workers with PNG, and peak RSS.

Each run is a fresh interpreter writing a real dataset (two PNG images per pair, JSONL with
changes, boxes, captions, QA and conversations) to a temporary directory, so the figures
include encoding and disk writes. The issue's target is >= 300 pairs/s on 2 cores. On a
shared machine wall-clock rates are noisy; the CPU time of all processes (getrusage of the
run's interpreter and its workers) per pair is the steadier figure.

    python bench/imgdiff.py                     # n = 3000, workers 1 and 2
    python bench/imgdiff.py --n 1e4 --workers 2 --set changes=1
    python bench/imgdiff.py --n 200 --workers 1 --set 'world="sprites"'   # real things
"""

from __future__ import annotations

import argparse

from child_make import make_in_child


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="3000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    args = parser.parse_args()
    for workers in args.workers:
        r = make_in_child("imgdiff", float(args.n), workers, args.set)
        rate = r["records"] / r["seconds"]
        c = r["candidates"]
        stages = ", ".join(f"{k} {1000 * v / c:.2f}" for k, v in sorted(r["timings"].items()))
        busy = r["worker_s"]  # without interpreter start-up and per-process warm-up
        print(
            f"imgdiff n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} pairs/s; "
            f"ms per candidate ({stages}); pass rate {r['records'] / c:.1%} "
            f"(rejects {r['rejects']}); {r['media_bytes'] / r['records'] / 1024:.1f} KiB media"
            f"/pair; peak RSS main {r['main_rss_mib']:.0f} MiB, worker "
            f"{r['worker_rss_mib']:.0f} MiB; worker time {1000 * busy / r['records']:.2f} "
            f"ms/pair (= {workers * r['records'] / busy:,.0f} pairs/s on {workers} idle "
            f"core(s) without start-up); CPU (all processes, start-up included) "
            f"{1000 * r['cpu_s'] / r['records']:.2f} ms/pair"
        )


if __name__ == "__main__":
    main()
