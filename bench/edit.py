"""edit throughput and memory: triplets/s on 1 and 2 workers, CPU per triplet, peak RSS.

Each run is a fresh interpreter writing a real dataset (source and target PNG, mask PNG,
JSONL records) to a temporary directory, so the figures include rendering both images,
masks, oracle checks, PNG encoding and disk writes -- and a cold process's one-off costs
(the renderer's per-stage backdrops: 64 stages, plus up to 8 looks each for background
edits, about 200 of them in a 3000-triplet run). Default n keeps the whole run under a
minute on a laptop.

Besides wall-clock triplets/s it prints the CPU time per triplet (user + system, the
interpreter and its worker processes together) and the rate two fully busy cores would
give, ``2 / CPU seconds per triplet``: on a machine shared with other work, wall-clock
figures measure the neighbours as much as the program. System time is mostly creating the
three media files per triplet and the shard's ``syncfs``, so it grows with other disk
traffic on the same filesystem.

    python bench/edit.py                 # n = 3000, workers 1 and 2
    python bench/edit.py --n 2e4 --workers 2
    python bench/edit.py --dir /work/scratch   # write the datasets on that filesystem
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
def cpu():
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime for u in usage), sum(u.ru_stime for u in usage)
u0, s0 = cpu()
t = time.perf_counter()
m = synthgen.make("edit", n=n, out=out, workers=workers)
dt = time.perf_counter() - t
u1, s1 = cpu()
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
                  "user_s": u1 - u0, "sys_s": s1 - s0,
                  "rejected": m.totals.rejected, "rejects": m.totals.rejects_by_reason,
                  "timings": m.timings,
                  "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(n: float, workers: int, where: str | None) -> dict:
    with tempfile.TemporaryDirectory(dir=where) as tmp:
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
    parser.add_argument("--n", default="3000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--dir", default=None, help="parent of the temporary datasets")
    args = parser.parse_args()
    for workers in args.workers:
        r = run(float(args.n), workers, args.dir)
        rate = r["records"] / r["seconds"]
        cpu_ms = 1000 * (r["user_s"] + r["sys_s"]) / r["records"]
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"edit n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} triplets/s; "
            f"CPU {cpu_ms:.2f} ms/triplet (user {1000 * r['user_s'] / r['records']:.2f}, "
            f"sys {1000 * r['sys_s'] / r['records']:.2f}) -> {2000 / cpu_ms:,.0f} triplets/s "
            f"on 2 busy cores "
            f"(ms/triplet of worker time: {stages}); rejected {r['rejected']} {r['rejects']}; "
            f"disk {r['disk_bytes'] / r['records'] / 1024:.1f} KiB/triplet; peak RSS main "
            f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
