"""imgdiff throughput and memory: pairs/s on 1 and 2 workers with PNG, and peak RSS.

Each run is a fresh interpreter writing a real dataset (two PNG images per pair, JSONL with
changes, boxes, captions, QA and conversations) to a temporary directory, so the figures
include encoding and disk writes. The issue's target is >= 300 pairs/s on 2 cores. On a
shared machine wall-clock rates are noisy; the CPU time of all processes (getrusage of the
run's interpreter and its workers) per pair is the steadier figure.

    python bench/imgdiff.py                     # n = 3000, workers 1 and 2
    python bench/imgdiff.py --n 1e4 --workers 2 --set changes=[1,3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import synthgen
from synthgen.config import parse_overrides
n, workers, out = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
config = parse_overrides(sys.argv[4:])
t = time.perf_counter()
m = synthgen.make("imgdiff", n=n, out=out, workers=workers, config=config)
dt = time.perf_counter() - t
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
                  "candidates": m.totals.candidates, "rejects": m.totals.rejects_by_reason,
                  "media_bytes": m.totals.media_bytes, "timings": m.timings,
                  "cpu_s": sum(u.ru_utime + u.ru_stime for u in (
                      resource.getrusage(resource.RUSAGE_SELF),
                      resource.getrusage(resource.RUSAGE_CHILDREN))),
                  "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(n: float, workers: int, sets: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(workers), tmp + "/ds", *sets],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="3000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    args = parser.parse_args()
    for workers in args.workers:
        r = run(float(args.n), workers, args.set)
        rate = r["records"] / r["seconds"]
        c = r["candidates"]
        stages = ", ".join(f"{k} {1000 * v / c:.2f}" for k, v in sorted(r["timings"].items()))
        # "generate" holds the program's own stages; with encode and write it is the worker
        # time of the pairs, without interpreter start-up and per-stage cache warm-up
        busy = sum(r["timings"].get(k, 0.0) for k in ("generate", "encode", "write", "sync"))
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
