"""svg throughput and memory: records/s at n=2e4 on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (PNG images, JSONL with scene graphs
and QA) to a temporary directory, so the figures include encoding and disk writes.

    python bench/svg.py                 # n = 2e4, workers 1 and 2
    python bench/svg.py --n 1e5 --workers 2
    python bench/svg.py --n 3000 --workers 2 --set 'world="sprites"' --marginal

"1e6 would take" divides 1e6 by the run's own rate, so it charges every record a share of
what a run pays once: start-up, per-process warm-up (caches, answer calibration) and the
card, which reads the first 2000 records. At a few thousand records that is a large part
of the run. ``--marginal`` also makes 2n records and reports the rate of the second n
(the difference of the two runs: what each further record costs, fixed costs cancelled),
which is what a 1e6 run sees after its first few thousand records.
"""

from __future__ import annotations

import argparse

from child_make import make_in_child


def report(label: str, r: dict) -> None:
    rate = r["records"] / r["seconds"]
    stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
    print(
        f"{label} n={r['n']} workers={r['workers']}: {r['seconds']:.1f}s, {rate:,.0f} rec/s, "
        f"{1000 * r['worker_s'] / r['records']:.2f} ms/record of worker time ({stages}); "
        f"CPU {1000 * r['cpu_s'] / r['records']:.2f} ms/record (sys "
        f"{1000 * r['sys_s'] / r['records']:.2f}); rejected {r['rejected']}; disk "
        f"{r['disk_bytes'] / r['records'] / 1024:.1f} KiB/record; peak RSS main "
        f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB; 1e6 would take "
        f"{1e6 / rate / 60:.1f} min"
    )


def marginal(label: str, small: dict, big: dict) -> None:
    """The second n's figures: big minus small (fixed costs cancel)."""
    records = big["records"] - small["records"]
    seconds = big["seconds"] - small["seconds"]
    cpu = big["cpu_s"] - small["cpu_s"]
    print(
        f"{label} marginal (records {small['records'] + 1}..{big['records']}, workers "
        f"{big['workers']}): CPU {1000 * cpu / records:.2f} ms/record, "
        f"{records / seconds:,.0f} rec/s; 1e6 would take {1e6 * seconds / records / 60:.1f} "
        f"min (+ the fixed {small['seconds'] - small['records'] * seconds / records:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="2e4")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--set", action="append", default=[], help="config override, as in make")
    parser.add_argument("--marginal", action="store_true", help="also run 2n (see above)")
    args = parser.parse_args()
    for workers in args.workers:
        r = make_in_child("svg", float(args.n), workers, args.set)
        report("svg", r)
        if args.marginal:
            big = make_in_child("svg", 2 * float(args.n), workers, args.set)
            report("svg", big)
            marginal("svg", r, big)


if __name__ == "__main__":
    main()
