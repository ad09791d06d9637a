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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthgen import live
from synthgen.fsutil import fsync_file, publish, remove_path, tmp_path
from synthgen.gc_tuning import shard_gc
from synthgen.job import JobSpec
from synthgen.manifest import FilterStats, ShardEntry, sidecar_path, write_sidecar
from synthgen.produce import Outcome, backends_of, collect_usage, load_program, produce_range
from synthgen.records import media_of
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


@dataclass(frozen=True)
class PartTask:
    """Candidates [start, stop) of shard ``shard``, one of the parts the engine splits a
    shard into so that every worker has work when the dataset needs fewer records than a
    shard holds (see :mod:`synthgen.engine`). Nothing is written: the outcomes go back to the
    engine, which writes the shard from its parts (:func:`write_parts`) exactly as
    :func:`run_shard` would have written it."""

    job: JobSpec
    shard: int
    start: int
    stop: int
    max_accepted: int
    """The shard never needs more accepted records than this: the part stops there."""
    slot: int
    """Its live-progress slot (the parts of a shard run at once, each counts in its own)."""


@dataclass
class PartResult:
    """What a part made: each outcome in index order with the counters that candidate alone
    added (so the shard's counters can stop exactly where the shard is cut), and the part's
    timings and model usage (run facts, summed over every part)."""

    start: int
    stop: int
    """One past the last candidate made: ``task.stop``, or less when max_accepted was hit."""
    outcomes: list[tuple[Outcome, dict[str, int]]]
    timings: dict[str, float]
    usage: dict[str, int]

    @property
    def accepted(self) -> int:
        return sum(o.record is not None for o, _ in self.outcomes)


def _start(
    task: ShardTask | PartTask, slot: int | None = None
) -> tuple[dict[str, Any], Any, dict[str, float], Counter[str], Iterator[Outcome]]:
    """What a shard and a part both begin with: the program and its backends (model usage
    accounted from zero), the live counts' slot, and the lazy candidates of the task's range
    (timings and counters fill in as they are drawn)."""
    program = load_program(task.job)
    backends = backends_of(program)
    collect_usage(backends)  # start this task's accounting from zero
    counts = live.current()
    if counts is not None:
        counts.begin(task.shard, slot=slot)
    timings: dict[str, float] = {}
    counters: Counter[str] = Counter()
    outcomes = produce_range(
        task.job,
        task.start,
        task.stop,
        program,
        backends,
        timings,
        counters,
        max_accepted=task.max_accepted,
    )
    return backends, counts, timings, counters, outcomes


def run_shard(task: ShardTask) -> ShardEntry:
    """Produce, write and record one shard; returns its manifest entry."""
    with shard_gc():
        remove_shard(task.job, task.shard)
        backends, counts, timings, counters, outcomes = _start(task)
        return _write(
            task,
            ((outcome, None) for outcome in outcomes),
            timings,
            counters,
            lambda: collect_usage(backends, timings),  # model durations go to timings
            counts,
        )


@dataclass(frozen=True)
class StreamTask:
    """Shards ``first`` .. ``stop - 1`` of ``job`` made as ONE stream of candidates and
    written one by one as the stream passes each shard's end, each exactly as
    :func:`run_shard` would write it (a record's bytes depend on its index alone, and on
    whole cohorts, which shard ends never cut).

    For model-backed programs: a worker that runs shard after shard lets its requests in
    flight drain to none at every shard's end and ramps up again after it (at 2 s latency
    ~15 % of a shard's time); a stream keeps them in flight across the ends. With
    ``max_accepted`` the stream stops right after that many accepted records, and the shard
    holding the last one ends there, as a frontier shard does."""

    job: JobSpec
    first: int
    stop: int
    max_accepted: int | None = None

    @property
    def shard(self) -> int:
        """The stream's first shard (what the engine's retry bookkeeping names it by)."""
        return self.first


def run_stream(task: StreamTask) -> list[ShardEntry]:
    """Produce and write the stream's shards; returns their manifest entries in order. Each
    shard is published (and its sidecar written) as soon as it is complete, so a stream
    stopped midway resumes from the shards it finished."""
    job = task.job
    start, stop = job.shard_range(task.first)[0], job.shard_range(task.stop - 1)[1]
    with shard_gc():
        head = ShardTask(job, task.first, start, stop, max_accepted=task.max_accepted)
        backends, counts, timings, counters, outcomes = _start(head)
        entries: list[ShardEntry] = []
        drawn = _with_counters(outcomes, counters)
        pending: list[tuple[Outcome, dict[str, int]]] = []
        accepted = 0
        try:
            for shard in range(task.first, task.stop):
                first, end = job.shard_range(shard)
                if first >= end:  # past the program's source
                    break
                remove_shard(job, shard)
                if counts is not None and shard != task.first:
                    counts.begin(shard)
                left = None if task.max_accepted is None else task.max_accepted - accepted
                entry = _write(
                    ShardTask(job, shard, first, end, max_accepted=left),
                    _until(end, drawn, pending),
                    timings,
                    Counter(),
                    lambda: collect_usage(backends, timings),
                    counts,
                )
                entries.append(entry)
                accepted += entry.accepted
                timings.clear()  # the next shard's timings start now
                if left is not None and entry.accepted >= left:  # the n-th record is in
                    break
        finally:
            outcomes.close()  # candidates started past the last record settle here
        return entries


def _with_counters(
    outcomes: Iterator[Outcome], counters: Counter[str]
) -> Iterator[tuple[Outcome, dict[str, int]]]:
    """Each outcome with the counters its candidate alone added: produce_range adds them
    just before yielding it (one candidate at a time on the concurrent path the engine
    splits and streams for), so they are taken as it is drawn."""
    for outcome in outcomes:
        added = dict(counters)
        counters.clear()
        yield outcome, added


def _until(
    end: int,
    outcomes: Iterator[tuple[Outcome, dict[str, int]]],
    pending: list[tuple[Outcome, dict[str, int]]],
) -> Iterator[tuple[Outcome, dict[str, int]]]:
    """The stream's outcomes (with their counters) with index below ``end``; the first one
    past ``end`` is kept in ``pending`` for the next shard."""
    while True:
        item = pending.pop() if pending else next(outcomes, None)
        if item is None:
            return
        if item[0].index >= end:
            pending.append(item)
            return
        yield item


def run_part(task: PartTask) -> PartResult:
    """Make the candidates of one part of a split shard (see :class:`PartTask`)."""
    with shard_gc():
        backends, counts, timings, counters, outcomes = _start(task, slot=task.slot)
        made: list[tuple[Outcome, dict[str, int]]] = []
        accepted = 0
        stop = task.stop
        for outcome, added in _with_counters(outcomes, counters):
            made.append((outcome, added))
            if outcome.record is not None:
                accepted += 1
                if counts is not None:
                    counts.accepted(task.shard, accepted, slot=task.slot)
                if accepted >= task.max_accepted:
                    stop = outcome.index + 1
                    break
        usage = collect_usage(backends, timings)
        return PartResult(task.start, stop, made, timings, usage)


def write_parts(task: ShardTask, parts: list[PartResult]) -> ShardEntry:
    """Write shard ``task`` from its parts (contiguous from ``task.start``, in index order),
    the same bytes and entry as :func:`run_shard`: outcomes stop at ``task.max_accepted``
    accepted records, counters at the last candidate written; timings and model usage are
    every part's (they are run facts: the calls were made)."""
    timings: dict[str, float] = {}
    usage: Counter[str] = Counter()
    for part in parts:
        for key, value in part.timings.items():
            timings[key] = timings.get(key, 0.0) + value
        usage.update(part.usage)
    remove_shard(task.job, task.shard)
    outcomes = (item for part in parts for item in part.outcomes)
    return _write(task, outcomes, timings, Counter(), lambda: dict(usage), None)


def _write(
    task: ShardTask,
    outcomes: Iterable[tuple[Outcome, dict[str, int] | None]],
    timings: dict[str, float],
    counters: Counter[str],
    usage: Callable[[], dict[str, int]],
    counts: live.LiveCounts | None,
) -> ShardEntry:
    """Write ``outcomes`` (each with the counters it adds, if not already in ``counters``)
    as shard ``task``, stopping after ``task.max_accepted`` records; record the shard."""
    job = task.job
    writer = sinks.get(job.format)(job, task.shard)
    rejects_final = rejects_path(job.root, task.shard)
    rejects_tmp = tmp_path(rejects_final)
    reasons: Counter[str] = Counter()
    filters: dict[str, FilterStats] = {}
    accepted = 0
    stop = task.stop
    rejects_sha = hashlib.sha256()
    try:
        with open(rejects_tmp, "wb") as rejects:
            for outcome, added in outcomes:
                if added:
                    counters.update(added)
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
    used = usage()
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
        counters=dict(sorted((counters + Counter(used)).items())),
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
            for ref in media_of(stored.data).values():
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
