"""``synthgen replay DIR ID``: regenerate one record from its seed and index, compare bytes.

This is what a per-sample seed is for: any record of any dataset can be rebuilt alone, and
a byte-identical result proves the dataset was made by this code and config. A program whose
local-model calls are batched across candidates (:mod:`synthgen.models.cohort`) rebuilds the
record's whole cohort, since batched floats depend on the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from synthgen.errors import UserError
from synthgen.gc_tuning import shard_gc

if TYPE_CHECKING:
    from synthgen.job import JobSpec
    from synthgen.produce import Outcome


@dataclass
class ReplayResult:
    record_id: str
    identical: bool
    differences: list[str] = field(default_factory=list)


def replay(root: str | Path, rid: str) -> ReplayResult:
    """Rebuild record ``rid`` of the dataset at ``root`` and compare it with the stored one.

    Runs with the shard's garbage-collector thresholds (:func:`synthgen.gc_tuning.shard_gc`),
    imports included: a one-record replay is mostly imports (engine, records, the program),
    which allocate long-lived objects that the default thresholds scan again and again (~110
    collections, 50-70 ms of a 0.6-s replay, measured with ``gc.callbacks``)."""
    with shard_gc():
        return _replay(root, rid)


def _replay(root: str | Path, rid: str) -> ReplayResult:
    from synthgen.produce import record_line
    from synthgen.seeding import index_from_id
    from synthgen.sinks import sinks
    from synthgen.validate import load_dataset

    manifest = load_dataset(root)
    job = manifest.job
    try:
        index = index_from_id(rid)
    except ValueError:
        raise UserError(f"record id {rid!r} is not of the form <dataset>-<seed>-<index>") from None
    shard = job.shard_of(index)
    entry = next((e for e in manifest.shards if e.shard == shard), None)
    stored = None
    if entry is not None:
        stored = sinks.get(job.format).find(job.root, shard, rid)
    if stored is None:
        raise UserError(f"record {rid!r} is not in {job.root}: pick an id from its data/ files")
    outcome = _rebuild(job, index)
    if outcome.record is None:
        reason = outcome.reject.reason if outcome.reject else "?"
        return ReplayResult(rid, False, [f"replay rejected the candidate ({reason})"])
    differences: list[str] = []
    line = record_line(outcome.record)
    if line.rstrip(b"\n") != stored.line.rstrip(b"\n"):
        differences.append("record JSON differs")
    for item in outcome.media:
        ref = outcome.record.media[item.name]
        blob = stored.media.get(ref.path)
        if blob is None:
            differences.append(f"{ref.path}: missing in the dataset")
        elif blob != item.data:
            differences.append(f"{ref.path}: bytes differ")
    return ReplayResult(rid, not differences, differences)


def _rebuild(job: JobSpec, index: int) -> Outcome:
    """Candidate ``index`` made as the job made it: alone, or with the other members of its
    cohort (the shard's range clips cohorts, as it did when the shard was made)."""
    from synthgen.produce import backends_of, load_program, produce, produce_range

    program = load_program(job)
    backends = backends_of(program)
    size = 1
    if backends:  # a program without model backends never batches (nor imports models)
        from synthgen.models.cohort import cohort_size

        size = cohort_size(backends)
    if size == 1:
        return produce(job, index, program, backends)
    lo, hi = job.shard_range(job.shard_of(index))
    first = max(lo, index // size * size)
    last = min(hi, index // size * size + size)
    outcomes = produce_range(job, first, last, program, backends)
    return next(o for o in outcomes if o.index == index)
