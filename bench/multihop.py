"""multihop throughput and memory: records/s on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (rendered scenes, tables and charts as
PNG, JSONL with documents, programs and chains) to a temporary directory, so the figures
include image rendering, the oracle checks, encoding and disk writes. CPU ms/record (driver
plus workers, user + system) is the figure to compare on a shared machine: wall-clock rates
there depend on what else runs; on ``k`` free cores the rate is about ``k * 1000 / CPU ms``.

    python bench/multihop.py                # n = 4000, workers 1 and 2
    python bench/multihop.py --n 1e4 --workers 2
"""

from __future__ import annotations

import argparse

from child_make import make_in_child


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="4000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    args = parser.parse_args()
    for workers in args.workers:
        r = make_in_child("multihop", float(args.n), workers, args.set)
        rate = r["records"] / r["seconds"]
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"multihop n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} rec/s, "
            f"CPU {1000 * r['cpu_s'] / r['records']:.2f} ms/record "
            f"(ms/record: {stages}); rejects {r['rejects']}; media "
            f"{r['media_bytes'] / r['records'] / 1024:.1f} KiB/record; peak RSS main "
            f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
