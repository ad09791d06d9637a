"""Turning one candidate index into a validated record with encoded media.

This is the single code path behind ``make`` (in shard workers), ``generate`` (in memory) and
``replay``: the record bytes of an index are the same whichever of them made it.
"""

from __future__ import annotations

import time
import traceback
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from synthgen.encoders import Encoder, encoders
from synthgen.errors import UserError
from synthgen.job import JobSpec
from synthgen.media import MediaItem, media_kind
from synthgen.program import Context, Program, Reject, Sample, programs
from synthgen.records import BaseRecord, GeneratorRef, MediaRef, RejectRecord
from synthgen.seeding import canonical_json, record_id, rng_for, sha256_bytes


@dataclass
class EncodedMedia:
    name: str
    filename: str
    data: bytes


@dataclass
class Outcome:
    """The result of one candidate: a record (with its media bytes) or a reject."""

    index: int
    record: BaseRecord | None = None
    media: list[EncodedMedia] = field(default_factory=list)
    reject: RejectRecord | None = None
    verdicts: list[tuple[str, bool]] = field(default_factory=list)


@lru_cache(maxsize=8)
def _program_for(program_name: str, config_json: str) -> Program:
    cls = programs.get(program_name)
    return cls(cls.Config.model_validate_json(config_json))


def load_program(job: JobSpec) -> Program:
    """The program instance of ``job``, built once per process and reused across shards."""
    return _program_for(job.program, canonical_json(job.config))


_BACKENDS: weakref.WeakKeyDictionary[Program, dict[str, Any]] = weakref.WeakKeyDictionary()
"""Keyed on the instance itself, not ``id()``: an id is reused once a program is freed (a
finished ``synthgen.generate``, an evicted ``_program_for`` entry), which would hand the new
program the old one's backends."""


def backends_of(program: Program) -> dict[str, Any]:
    """The program's backends, opened once per process (see ``Program.open_backends``)."""
    backends = _BACKENDS.get(program)
    if backends is None:
        backends = _BACKENDS[program] = program.open_backends()
    return backends


def collect_usage(
    backends: dict[str, Any], timings: dict[str, float] | None = None
) -> dict[str, int]:
    """Counters the backends accumulated since the last call (they are reset).

    Durations (``*_ms`` counters such as ``llm.http_ms``) are not counts: they vary from run
    to run, so they go to ``timings`` as seconds (``llm.http_ms`` -> ``llm.http``), beside the
    stage timings, and never into the counters that describe the data (dropped when
    ``timings`` is None)."""
    out: dict[str, int] = {}
    for backend in backends.values():
        usage = getattr(backend, "usage", None)
        if callable(usage):
            for key, value in usage(reset=True).items():
                if key.endswith("_ms"):
                    if timings is not None:
                        name = key[: -len("_ms")]
                        timings[name] = timings.get(name, 0.0) + int(value) / 1000
                    continue
                out[key] = out.get(key, 0) + int(value)
    return out


@lru_cache(maxsize=16)
def _encoder(name: str) -> Encoder:
    return encoders.get(name)()


CONTAINER_EXT = {"webdataset": "tar", "parquet": "parquet"}
"""Output formats that keep media inside the shard's data file, and that file's extension."""


class MediaLocator:
    """Where media of a record goes: a file per item, or a member of the shard's tar."""

    def __init__(self, job: JobSpec) -> None:
        self.job = job

    def ref_path(self, index: int, filename: str) -> tuple[str, str | None]:
        shard = self.job.shard_of(index)
        if self.job.format in CONTAINER_EXT:  # media inside the shard's data file
            return filename, f"data/shard-{shard:05d}.{CONTAINER_EXT[self.job.format]}"
        return f"media/shard-{shard:05d}/{filename}", None


def encode_media(
    job: JobSpec, rid: str, index: int, media: dict[str, Any]
) -> tuple[dict[str, MediaRef], list[EncodedMedia]]:
    refs: dict[str, MediaRef] = {}
    encoded: list[EncodedMedia] = []
    locator = MediaLocator(job)
    for name, value in media.items():
        if not name.replace("_", "").isalnum():
            raise ValueError(f"media name {name!r} must be alphanumeric (underscores allowed)")
        encoder_name = value.encoder if isinstance(value, MediaItem) else None
        raw = value.value if isinstance(value, MediaItem) else value
        encoder = _encoder(encoder_name or job.encoders[media_kind(raw)])
        data, meta = encoder.encode(raw)
        filename = f"{rid}.{name}.{encoder.ext}"
        path, container = locator.ref_path(index, filename)
        refs[name] = MediaRef(
            path=path,
            container=container,
            sha256=sha256_bytes(data),
            mime=encoder.mime,
            bytes=len(data),
            **meta,
        )
        encoded.append(EncodedMedia(name=name, filename=filename, data=data))
    return refs, encoded


def produce(
    job: JobSpec,
    index: int,
    program: Program | None = None,
    backends: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    counters: Counter[str] | None = None,
    keep_media_objects: bool = False,
) -> Outcome:
    """Run the program on candidate ``index`` and build the record or the reject."""
    return produce_many(job, [index], program, backends, timings, counters, keep_media_objects)[0]


def produce_many(
    job: JobSpec,
    indices: list[int],
    program: Program | None = None,
    backends: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    counters: Counter[str] | None = None,
    keep_media_objects: bool = False,
) -> list[Outcome]:
    """Run the program on a batch of candidates (``Program.generate_batch``) and build each
    record or reject. Each candidate keeps its own RNG, lineage and verdicts."""
    program = program or load_program(job)
    if backends is None:
        backends = backends_of(program)
    timings = timings if timings is not None else {}
    counters = counters if counters is not None else Counter()
    ctxs = [
        Context(
            config=program.config,
            rng=rng_for(job.seed, index),
            index=index,
            seed=job.seed,
            backends=backends,
            timings=timings,
            counters=counters,
        )
        for index in indices
    ]
    start = time.perf_counter()
    results = program.generate_batch(ctxs)
    timings["generate"] = timings.get("generate", 0.0) + time.perf_counter() - start
    if len(results) != len(ctxs):
        raise TypeError(
            f"program {job.program!r} returned {len(results)} results for {len(ctxs)} candidates"
        )
    return [
        _outcome(job, program, ctx, result, keep_media_objects)
        for ctx, result in zip(ctxs, results, strict=True)
    ]


ALL_REJECTED_AFTER = 100
"""A model-backed job whose first this many candidates are all rejected stops with one line
(whatever the shard size): a dead server or a wrong model should cost minutes, not hours."""


def all_rejected(job: JobSpec, candidates: int, reasons: dict[str, int]) -> UserError:
    """The one line that stops a model-backed job whose first candidates were all rejected."""
    ranked = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    return UserError(
        f"program {job.program!r} rejected all of its first {candidates} candidates "
        f"(rejects: {ranked}): check the model server and the config, then rerun"
    )


def candidate_concurrency(backends: dict[str, Any]) -> int:
    """How many candidates to run at once: the largest ``max_concurrency`` of the backends'
    settings (a chat backend's ``llm.max_concurrency``), 1 for a program without one; at
    least one cohort (:func:`synthgen.models.cohort.cohort_size`) when a local-model backend
    batches across candidates, so grouping never depends on the concurrency."""
    from synthgen.models.cohort import cohort_size

    widths = [
        getattr(getattr(b, "settings", None), "max_concurrency", None) for b in backends.values()
    ]
    return max([w for w in widths if isinstance(w, int)] + [cohort_size(backends)])


def produce_range(
    job: JobSpec,
    start: int,
    stop: int | None,
    program: Program,
    backends: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    counters: Counter[str] | None = None,
    keep_media_objects: bool = False,
    max_accepted: int | None = None,
) -> Iterator[Outcome]:
    """Outcomes of candidates ``start`` .. ``stop`` (None: without end) in index order, made
    lazily in batches of ``program.batch_size()``.

    A program with a chat backend runs up to ``llm.max_concurrency`` candidates at once
    instead (:mod:`synthgen.inflight`), one candidate per ``generate_batch`` call, each with
    its own timings and counters added here in index order: the same outcomes in the same
    order. ``max_accepted`` (the consumer stops after that many records) keeps candidates
    past the last needed one from being started.
    """
    if backends is None:
        backends = backends_of(program)
    timings = timings if timings is not None else {}
    counters = counters if counters is not None else Counter()
    width = candidate_concurrency(backends)
    if width > 1:
        yield from _produce_concurrently(
            job, start, stop, program, backends, timings, counters, keep_media_objects,
            width, max_accepted,
        )  # fmt: skip
        return
    size = max(1, program.batch_size())
    first = start
    accepted = 0
    while stop is None or first < stop:
        # never a batch larger than the records still needed: no candidate past the last
        # needed one is made (a program's output does not depend on its batch's composition)
        take = size if max_accepted is None else max(1, min(size, max_accepted - accepted))
        last = first + take if stop is None else min(first + take, stop)
        for outcome in produce_many(
            job,
            list(range(first, last)),
            program,
            backends,
            timings,
            counters,
            keep_media_objects,
        ):
            accepted += outcome.record is not None
            yield outcome
        first = last


@dataclass
class _Made:
    outcome: Outcome
    timings: dict[str, float]
    counters: Counter[str]


def _produce_concurrently(
    job: JobSpec,
    start: int,
    stop: int | None,
    program: Program,
    backends: dict[str, Any],
    timings: dict[str, float],
    counters: Counter[str],
    keep_media_objects: bool,
    width: int,
    max_accepted: int | None,
) -> Iterator[Outcome]:
    def make(index: int) -> _Made:
        own_timings: dict[str, float] = {}
        own_counters: Counter[str] = Counter()
        outcome = produce_many(
            job, [index], program, backends, own_timings, own_counters, keep_media_objects
        )[0]
        return _Made(outcome, own_timings, own_counters)

    # imported here: a replay (one candidate, no threads) need not import synthgen.models
    from synthgen import inflight
    from synthgen.models import cohort

    saturated = [b.saturated for b in backends.values() if callable(getattr(b, "saturated", None))]
    cohorts = cohort.Cohorts(start, stop, cohort.cohort_size(backends))
    made = inflight.in_index_order(
        cohorts.wrap(make) if cohorts.size > 1 else make,
        start,
        stop,
        width,
        lambda m: m.outcome.record is not None,
        max_accepted,
        busy=lambda: any(s() for s in saturated),
        floor=cohorts.floor,
    )
    try:
        yield from _merged(job, start, max_accepted, made, timings, counters)
    finally:
        cohorts.close()  # members that never started: their cohorts' waiters go on


def _merged(
    job: JobSpec,
    start: int,
    max_accepted: int | None,
    made: Iterator[_Made],
    timings: dict[str, float],
    counters: Counter[str],
) -> Iterator[Outcome]:
    """Outcomes in index order, each candidate's timings and counters added to the range's."""
    # the dataset's first candidates, none accepted before: watch for "everything rejected"
    guard = start == 0 and max_accepted == job.n
    reasons: Counter[str] = Counter()
    for item in made:
        for key, value in item.timings.items():
            timings[key] = timings.get(key, 0.0) + value
        counters.update(item.counters)
        if guard:
            reject = item.outcome.reject
            if reject is None:
                guard = False
            else:
                reasons[reject.reason] += 1
                if reasons.total() >= ALL_REJECTED_AFTER:
                    raise all_rejected(job, ALL_REJECTED_AFTER, reasons)
        yield item.outcome


def _outcome(
    job: JobSpec, program: Program, ctx: Context, result: Any, keep_media_objects: bool
) -> Outcome:
    index = ctx.index
    if isinstance(result, BaseException):
        if job.on_error == "raise" or isinstance(result, UserError):
            raise result
        line = traceback.format_exception_only(type(result), result)[-1].strip()
        result = Reject(reason="exception", detail=line[:500])
    verdicts = [(v.filter, v.passed) for v in ctx.lineage.verdicts]
    if isinstance(result, Reject):
        reject = RejectRecord(index=index, reason=result.reason, detail=result.detail)
        return Outcome(index=index, reject=reject, verdicts=verdicts)
    if not isinstance(result, Sample):
        raise TypeError(
            f"program {job.program!r} returned {type(result).__name__}; expected Sample or Reject"
        )
    start = time.perf_counter()
    rid = record_id(job.dataset, job.seed, index)
    refs, encoded = encode_media(job, rid, index, result.media)
    ctx.timings["encode"] = ctx.timings.get("encode", 0.0) + time.perf_counter() - start
    record = type(program).Record.model_validate(
        {
            **result.data,
            "id": rid,
            "index": index,
            "seed": job.seed,
            "generator": GeneratorRef(name=job.program, version=job.program_version),
            "config_hash": job.config_hash,
            "lineage": ctx.lineage,
            "media": refs,
        }
    )
    if keep_media_objects:
        record.media_objects.update(
            {k: (v.value if isinstance(v, MediaItem) else v) for k, v in result.media.items()}
        )
    return Outcome(index=index, record=record, media=encoded, verdicts=verdicts)


def record_line(record: BaseRecord) -> bytes:
    """The JSONL bytes of a record (one line, newline-terminated)."""
    return record.model_dump_json().encode() + b"\n"
