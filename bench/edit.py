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
    python bench/edit.py --n 200 --workers 1 --set 'world="sprites"'   # edits of real things
"""

from __future__ import annotations

import argparse

from child_make import make_in_child


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="3000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--dir", default=None, help="parent of the temporary datasets")
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    args = parser.parse_args()
    for workers in args.workers:
        r = make_in_child("edit", float(args.n), workers, args.set, args.dir)
        rate = r["records"] / r["seconds"]
        cpu_ms = 1000 * r["cpu_s"] / r["records"]
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
