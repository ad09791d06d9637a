"""svg throughput and memory: records/s at n=2e4 on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (PNG images, JSONL with scene graphs
and QA) to a temporary directory, so the figures include encoding and disk writes.

    python bench/svg.py                 # n = 2e4, workers 1 and 2
    python bench/svg.py --n 1e5 --workers 2
"""

from __future__ import annotations

import argparse

from child_make import make_in_child


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="2e4")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    args = parser.parse_args()
    for workers in args.workers:
        r = make_in_child("svg", float(args.n), workers, args.set)
        rate = r["records"] / r["seconds"]
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"svg n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} rec/s, "
            f"{1000 * r['worker_s'] / r['records']:.2f} ms/record of worker time ({stages}); "
            f"CPU {1000 * r['cpu_s'] / r['records']:.2f} ms/record (sys "
            f"{1000 * r['sys_s'] / r['records']:.2f}); rejected {r['rejected']}; disk "
            f"{r['disk_bytes'] / r['records'] / 1024:.1f} KiB/record; peak RSS main "
            f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB; 1e6 would take "
            f"{1e6 / rate / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
