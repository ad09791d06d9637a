"""svg throughput and memory: records/s at n=2e4 on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (PNG images, JSONL with scene graphs
and QA) to a temporary directory, so the figures include encoding and disk writes.

    python bench/svg.py                 # n = 2e4, workers 1 and 2
    python bench/svg.py --n 1e5 --workers 2
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
n, workers, out = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
m = synthgen.make("svg", n=n, out=out, workers=workers)
dt = time.perf_counter() - t
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
                  "rejected": m.totals.rejected, "media_bytes": m.totals.media_bytes,
                  "timings": m.timings,
                  "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(n: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(workers), tmp + "/ds"],
            capture_output=True,
            text=True,
            check=True,
        )
        du = subprocess.run(["du", "-sb", tmp + "/ds"], capture_output=True, text=True)
    result = json.loads(proc.stdout)
    result["disk_bytes"] = int(du.stdout.split()[0]) if du.returncode == 0 else -1
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="2e4")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    for workers in args.workers:
        r = run(float(args.n), workers)
        rate = r["records"] / r["seconds"]
        # "generate" already contains the program's own stages (scene, graph, qa, ...)
        cpu = sum(r["timings"].get(k, 0.0) for k in ("generate", "encode", "write", "sync"))
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"svg n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} rec/s, "
            f"{1000 * cpu / r['records']:.2f} ms/record of worker time ({stages}); "
            f"rejected {r['rejected']}; disk {r['disk_bytes'] / r['records'] / 1024:.1f} KiB"
            f"/record; peak RSS main {r['main_rss_mib']:.0f} MiB, worker "
            f"{r['worker_rss_mib']:.0f} MiB; 1e6 would take "
            f"{1e6 / rate / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
