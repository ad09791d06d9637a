"""The shard function: make candidates [start, stop) of a job and publish them atomically.

This one function runs in every executor (in-process, process pool, Ray), which is why output
bytes cannot depend on the executor. A shard is the unit of work, retry and resume
(DESIGN.md section 4): it is written under temporary names, fsynced, renamed, and only then
recorded by its sidecar entry.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from synthgen import live
from synthgen.fsutil import fsync_file, publish, remove_path, tmp_path
from synthgen.gc_tuning import shard_gc
from synthgen.job import JobSpec
from synthgen.manifest import FilterStats, ShardEntry, sidecar_path, write_sidecar
from synthgen.produce import backends_of, collect_usage, load_program, produce_range
from synthgen.seeding import sha256_file
from synthgen.sinks import sinks


@dataclass(frozen=True)
class ShardTask:
    """Candidates [start, stop) of ``job`` written as shard number ``shard``."""

    job: JobSpec
    shard: int
    start: int
    stop: int
    max_accepted: int | None = None
    """Stop right after this many accepted records (the shard then ends at the last one):
    set when the engine knows exactly how many the dataset still needs."""


def rejects_path(root: Path, shard: int) -> Path:
    return root / "rejects" / f"shard-{shard:05d}.jsonl"


def remove_shard(job: JobSpec, shard: int) -> None:
    """Un-record, then delete, every file of ``shard`` (the sidecar goes first)."""
    remove_path(sidecar_path(job.root, shard))
    for path in sinks.get(job.format).final_paths(job.root, shard):
        remove_path(path)
    remove_path(rejects_path(job.root, shard))


def run_shard(task: ShardTask) -> ShardEntry:
    """Produce, write and record one shard; returns its manifest entry."""
    with shard_gc():
        return _run_shard(task)


def _run_shard(task: ShardTask) -> ShardEntry:
    job = task.job
    remove_shard(job, task.shard)
    program = load_program(job)
    backends = backends_of(program)
    collect_usage(backends)  # start this shard's accounting from zero
    writer = sinks.get(job.format)(job, task.shard)
    rejects_final = rejects_path(job.root, task.shard)
    rejects_tmp = tmp_path(rejects_final)
    timings: dict[str, float] = {}
    reasons: Counter[str] = Counter()
    counters: Counter[str] = Counter()
    filters: dict[str, FilterStats] = {}
    accepted = 0
    stop = task.stop
    rejects_sha = hashlib.sha256()
    counts = live.current()
    if counts is not None:
        counts.begin(task.shard)
    try:
        with open(rejects_tmp, "wb") as rejects:
            outcomes = produce_range(
                job,
                task.start,
                task.stop,
                program,
                backends,
                timings,
                counters,
                max_accepted=task.max_accepted,
            )
            for outcome in outcomes:
                for name, passed in outcome.verdicts:
                    stats = filters.setdefault(name, FilterStats())
                    if passed:
                        stats.passed += 1
                    else:
                        stats.failed += 1
                if outcome.reject is not None:
                    line = outcome.reject.model_dump_json().encode() + b"\n"
                    rejects.write(line)
                    rejects_sha.update(line)
                    reasons[outcome.reject.reason] += 1
                    continue
                start = time.perf_counter()
                writer.add(outcome)
                timings["write"] = timings.get("write", 0.0) + time.perf_counter() - start
                accepted += 1
                if counts is not None:
                    counts.accepted(task.shard, accepted)
                if task.max_accepted is not None and accepted >= task.max_accepted:
                    stop = outcome.index + 1
                    break
        start = time.perf_counter()
        fsync_file(rejects_tmp)
        files = writer.commit()
        publish(rejects_tmp, rejects_final)
        timings["sync"] = time.perf_counter() - start  # durability: fsync, syncfs, renames
    except BaseException:
        writer.abort()
        remove_path(rejects_tmp)
        raise
    files[rejects_final.relative_to(job.root).as_posix()] = rejects_sha.hexdigest()
    usage = collect_usage(backends, timings)  # model durations go to timings
    entry = ShardEntry(
        shard=task.shard,
        start=task.start,
        stop=stop,
        accepted=accepted,
        rejected=sum(reasons.values()),
        rejects_by_reason=dict(sorted(reasons.items())),
        filters=dict(sorted(filters.items())),
        files=dict(sorted(files.items())),
        media_files=writer.media_files,
        media_bytes=writer.media_bytes,
        timings={k: round(v, 4) for k, v in sorted(timings.items())},
        counters=dict(sorted((counters + Counter(usage)).items())),
    )
    write_sidecar(job.root, entry)
    return entry


def verify_shard(job: JobSpec, entry: ShardEntry, deep: bool = True) -> list[str]:
    """Problems with a recorded shard: missing or changed files, media missing or changed.

    Returns an empty list when the shard is intact. ``deep`` also hashes every media file
    against the sha256 its record carries.
    """
    problems: list[str] = []
    for rel, digest in entry.files.items():
        path = job.root / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif sha256_file(str(path)) != digest:
            problems.append(f"{rel}: sha256 differs from the manifest")
    if problems or not deep:
        return problems
    count = 0
    try:
        for stored in sinks.get(job.format).read(job.root, entry.shard):
            count += 1
            for ref in stored.data.get("media", {}).values():
                blob = stored.media.get(ref["path"])
                if blob is None:
                    problems.append(f"{ref['path']}: missing")
                elif hashlib.sha256(blob).hexdigest() != ref["sha256"]:
                    problems.append(f"{ref['path']}: sha256 differs from its record")
    except (OSError, ValueError) as exc:
        problems.append(f"shard {entry.shard}: unreadable ({exc})")
    if count != entry.accepted:
        problems.append(f"shard {entry.shard}: {count} records, manifest says {entry.accepted}")
    return problems


def accepted_indices(job: JobSpec, entry: ShardEntry) -> list[int]:
    """Indices of the accepted candidates of a shard: its range minus its rejects."""
    import json

    rejected: set[int] = set()
    with open(rejects_path(job.root, entry.shard), "rb") as f:
        for line in f:
            rejected.add(json.loads(line)["index"])
    return [i for i in range(entry.start, entry.stop) if i not in rejected]
