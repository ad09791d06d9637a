"""The one entry point behind the CLI and the Python API (DESIGN.md section 8).

:func:`make` resolves a job, reconciles it with what is already on disk (resume, extend,
shrink), runs shards on an executor until the first ``n`` accepted candidates in index order
are written, and writes the manifest. :func:`generate` yields the same records in memory.

Accepting exactly the first ``n`` accepted candidates: shards are fixed candidate ranges
``[k*S, (k+1)*S)``. Shards run in waves sized from the observed accept rate (a faster worker
may run a shard that turns out not to be needed; it is deleted). The shard holding the n-th
accepted record is cut to end right after it, so the final layout and bytes depend only on
(recipe, config, seed, n).

A model-backed job whose next wave has fewer shards than workers (n below the shard size,
n = 1.5 shards on 4 workers, its last shards) has the frontier shard made in parts by all
workers, then written once (:func:`_split_shard`), so no worker idles; the shard's bytes are
the same. Its waves hold no shard it may need only part of (beside the frontier, which stops
at the n-th record): such a shard would be made in full, then cut and made again. Each
worker makes its share of a wave as one stream of candidates across the shard ends
(:func:`_streams`, :func:`synthgen.shard.run_stream`), so its requests stay in flight there;
shard events then arrive when a stream ends (one worker: at the end of the job), while the
shards' sidecars are written as each completes, so a stop resumes from them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import itertools
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthgen import __version__, live
from synthgen.config import deep_merge, load_toml, parse_count, validate_model
from synthgen.encoders import encoder_names, resolve_encoders
from synthgen.encoders import encoders as encoder_registry
from synthgen.errors import DiskFull, ShardError, UserError
from synthgen.executors.base import WorkerLost, executors
from synthgen.fsutil import (
    atomic_write_bytes,
    dataset_lock,
    remove_path,
    remove_stale_temporaries,
)
from synthgen.job import DEFAULT_SHARD_SIZE, JobSpec, RunOptions
from synthgen.manifest import (
    Manifest,
    ShardEntry,
    build_manifest,
    existing_job,
    manifest_path,
    read_sidecars,
    sidecar_dir,
    write_job_marker,
    write_manifest,
)
from synthgen.produce import produce_range
from synthgen.program import Program, programs
from synthgen.records import BaseRecord
from synthgen.seeding import canonical_json, config_hash
from synthgen.shard import (
    ShardTask,
    StreamTask,
    accepted_indices,
    remove_shard,
    run_shard,
    run_stream,
    verify_shard,
)
from synthgen.sinks import sinks
from synthgen.stopping import Stopped, stop_on_signals

MANIFEST_INTERVAL_S = 10.0
"""How often a running job refreshes manifest.json (the sidecars are always current)."""

MAX_WAVE_SHARDS = 1024
"""Most shards handed to the executor at once (a huge --n must not build millions of tasks)."""

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

ProgressCallback = Callable[[str, dict[str, Any]], None]
"""Receives engine events: ("start", {...}), ("shard", {...}), ("done", {...})."""


def resolve_config(
    program: type[Program],
    config: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
) -> dict[str, Any]:
    """Defaults <- config file <- overrides, validated by the program's Config."""
    data: dict[str, Any] = {}
    if config_file is not None:
        data = load_toml(config_file)
    data = deep_merge(data, config or {})
    model = validate_model(
        program.Config, data, "config", "fix it with --set KEY=VALUE or in the config file"
    )
    return model.model_dump(mode="json")


def build_job(
    name: str,
    n: int | str | float,
    out: str | Path,
    seed: int = 0,
    *,
    config: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
    shard_size: int | None = None,
    format: str = "jsonl",
    encoders: list[str] | None = None,
    dataset: str | None = None,
    on_error: str = "raise",
) -> JobSpec:
    """Validate everything about a job without touching the disk."""
    program = programs.get(name)
    count = parse_count(n)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise UserError(f"--seed must be a non-negative integer, got {seed!r}")
    if shard_size is not None and shard_size <= 0:
        raise UserError(f"--shard-size must be a positive integer, got {shard_size!r}")
    if format not in sinks.names():
        raise UserError(f"--format {format!r} is unknown: choose from {', '.join(sinks.names())}")
    if on_error not in ("raise", "reject"):
        raise UserError(f"--on-error must be 'raise' or 'reject', got {on_error!r}")
    dataset = dataset or program.name
    if not dataset.replace("_", "").isalnum():
        raise UserError(f"--dataset {dataset!r} must be letters, digits and underscores")
    _check_encoders_fit(program, encoders)
    resolved = resolve_config(program, config, config_file)
    config_model = program.Config.model_validate(resolved)
    program.preflight(config_model)
    limit = program.candidate_limit(config_model)
    if limit is not None and count > limit:
        raise UserError(
            f"--n {count} is more than the {limit} candidates the program's source holds: lower --n"
        )
    return JobSpec(
        program=program.name,
        program_version=program.version,
        dataset=dataset,
        config=resolved,
        config_hash=config_hash(program.identity_config(resolved)),
        seed=seed,
        n=count,
        shard_size=shard_size or DEFAULT_SHARD_SIZE,
        format=format,  # type: ignore[arg-type]
        encoders=resolve_encoders(encoders, program.default_encoders(config_model)),
        candidate_limit=limit,
        on_error=on_error,  # type: ignore[arg-type]
        out=str(Path(out).expanduser().resolve()),
    )


def _check_encoders_fit(program: type[Program], names: list[str] | None) -> None:
    """An ``--encoder`` for a media kind the program never writes is a user error (it would
    be silently ignored). Programs that do not declare ``media_kinds`` accept any."""
    kinds = program.media_kinds
    if kinds is None:
        return
    for name in encoder_names(names):
        if name not in encoder_registry.names():
            continue  # resolve_encoders names the unknown encoder
        kind = encoder_registry.get(name).kind
        if kind in kinds:
            continue
        fitting = [n for n, cls in encoder_registry.items() if cls.kind in kinds]
        writes = " and ".join(kinds) if kinds else "no media"
        choice = f"choose from {', '.join(fitting)}" if fitting else "drop --encoder"
        raise UserError(
            f"--encoder {name} encodes {kind}, but {program.name} writes {writes}: {choice}"
        )


def _check_writable(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root} is a file: give a directory")
    probe = root
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UserError(f"--out {root}: {probe} is not a directory: choose another --out")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"--out {root}: {probe} is not writable: choose a writable directory")


def _reconcile(
    job: JobSpec,
    existing: JobSpec | None,
    explicit_shard_size: bool,
    overwrite: bool,
    explicit_encoders: bool = False,
) -> JobSpec:
    """Check that ``job`` continues the dataset already at its root (or raise).

    A shard size or encoders the user did not give are taken from the existing dataset, so
    a plain rerun resumes it even where a default changed since it was made."""
    if existing is None:
        return job
    if not explicit_shard_size and existing.shard_size != job.shard_size:
        job = job.model_copy(update={"shard_size": existing.shard_size})
    if not explicit_encoders and existing.encoders != job.encoders:
        job = job.model_copy(update={"encoders": existing.encoders})
    if overwrite:
        return job
    ours, theirs = job.identity(), existing.identity()
    for key in ours:
        if ours[key] != theirs[key] and key == "schema_version":
            raise UserError(
                f"--out {job.root} holds records of schema version {theirs[key]}; this synthgen "
                f"writes version {ours[key]} and cannot resume or extend it: use another --out, "
                f"or --overwrite to make it again"
            )
        if ours[key] != theirs[key]:
            flag = {
                "config_hash": "config (--set/--config)",
                "program_version": "program version",
                "encoders": "--encoder",
                "shard_size": "--shard-size",
            }.get(key, f"--{key}")
            raise UserError(
                f"--out {job.root} holds a dataset made with a different {flag} "
                f"({theirs[key]!r}, now {ours[key]!r}): use the same settings to resume, another "
                f"--out, or --overwrite to replace it"
            )
    return job


def _prepare_root(job: JobSpec, existing: JobSpec | None, overwrite: bool) -> None:
    """Mark the directory as this job's, then lay it out. The marker is the first write (the
    lock file aside), so a run killed at any later moment leaves a resumable directory. On
    ``--overwrite`` the old sidecars go before the marker changes, so no old shard can ever
    count as done for the new job."""
    root = job.root
    replacing = overwrite and existing is not None
    if replacing:
        remove_path(sidecar_dir(root))
        remove_path(manifest_path(root))
    write_job_marker(job)
    if replacing:
        for sub in ("data", "media", "rejects", "schema.json"):
            remove_path(root / sub)
    try:
        for sub in ("data", "rejects", "media", ".synthgen/shards"):
            (root / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"--out {root} cannot be created ({exc.strerror}): choose another --out"
        ) from None
    remove_stale_temporaries(root)
    schema = programs.get(job.program).Record.model_json_schema()
    atomic_write_bytes(root / "schema.json", canonical_json(schema).encode() + b"\n")


def _refuse_foreign_directory(root: Path) -> None:
    """Never write into a non-empty directory that is not a synthgen dataset."""
    if root.is_dir() and any(p.name != ".synthgen" for p in root.iterdir()):
        raise UserError(
            f"--out {root} is not empty and holds no synthgen dataset: "
            f"choose an empty or new directory"
        )


@dataclass
class _Walk:
    """Where the dataset stands: done at ``cutoff``, needs a cut, or needs more shards."""

    state: str  # "done" | "cut" | "more"
    shard: int
    stop: int = 0
    accepted: int = 0


def _walk(job: JobSpec, entries: dict[int, ShardEntry]) -> _Walk:
    cum = 0
    k = 0
    while True:
        entry = entries.get(k)
        full_stop = job.shard_range(k)[1]
        if entry is None:
            return _Walk("more", k, accepted=cum)
        if cum + entry.accepted >= job.n:
            need = job.n - cum
            last = accepted_indices(job, entry)[need - 1]
            if entry.stop == last + 1:
                return _Walk("done", k, accepted=job.n)
            return _Walk("cut", k, stop=last + 1, accepted=cum)
        if entry.stop != full_stop:
            return _Walk("more", k, accepted=cum)
        cum += entry.accepted
        k += 1


def _wave(
    job: JobSpec,
    entries: dict[int, ShardEntry],
    walk: _Walk,
    workers: int,
    whole_only: bool = False,
) -> list[int]:
    """The next shards to run, sized so the wave most likely reaches ``n``.

    ``whole_only`` (model-backed jobs): besides the frontier, only shards the dataset needs
    whole even if every candidate is accepted. A shard holding the n-th record is made in
    full and then made again up to it (the cut): twice the model calls of its prefix, and
    the rest thrown away. The frontier stops at the n-th record itself (``max_accepted``)."""
    full = [e for e in entries.values() if e.stop == job.shard_range(e.shard)[1]]
    candidates = sum(e.candidates for e in full)
    accepted = sum(e.accepted for e in full)
    # records still missing: shards already done past a gap (a torn or killed shard redone
    # on resume) hold theirs, so only the gaps and what lies past the last shard are needed
    ahead = sum(e.accepted for e in full if e.shard > walk.shard)
    missing = max(job.n - walk.accepted - ahead, 1)
    if candidates == 0:
        count = max(1, min(workers, math.ceil(missing / job.shard_size)))
    else:
        if accepted == 0 and candidates >= 10 * job.shard_size:
            reasons: dict[str, int] = {}
            for e in full:
                for r, c in e.rejects_by_reason.items():
                    reasons[r] = reasons.get(r, 0) + c
            raise UserError(
                f"program {job.program!r} accepted none of {candidates} candidates "
                f"(rejects: {reasons}): loosen its config"
            )
        rate = max(accepted / candidates, 1.0 / (10 * job.shard_size))
        # 5 % more shards than the rate asks for when candidates get rejected (so one wave
        # most likely reaches n); none when none was: every extra shard would be thrown away
        margin = 1.0 if accepted == candidates else 1.05
        count = math.ceil(missing / (rate * job.shard_size) * margin)
        count = min(max(count, 1), MAX_WAVE_SHARDS)
    if whole_only:
        count = min(count, max(1, missing // job.shard_size))
    shards: list[int] = []
    k = walk.shard
    limit = job.candidate_limit
    while len(shards) < count and (limit is None or k * job.shard_size < limit):
        e = entries.get(k)
        if e is None or e.stop != job.shard_range(k)[1]:
            shards.append(k)
        k += 1
    if not shards:
        raise _source_exhausted(limit or 0, walk.accepted)
    return shards


def _source_exhausted(candidates: int, accepted: int) -> UserError:
    return UserError(
        f"the program's source ran out after {candidates} candidates with "
        f"{accepted} accepted: lower --n to at most {accepted}"
    )


def _verify_existing(job: JobSpec, progress: ProgressCallback | None) -> dict[int, ShardEntry]:
    """Recorded shards that verify; the others are deleted so they get redone."""
    from concurrent.futures import ThreadPoolExecutor

    entries = read_sidecars(job.root)
    if not entries:
        return entries
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda e: (e, verify_shard(job, e)), entries.values()))
    good: dict[int, ShardEntry] = {}
    for entry, problems in results:
        if problems:
            if progress:
                progress("redo", {"shard": entry.shard, "problems": problems[:3]})
            remove_shard(job, entry.shard)
        else:
            good[entry.shard] = entry
    return good


def _remove_shards_after(job: JobSpec, last: int, entries: dict[int, ShardEntry]) -> None:
    for k in [k for k in entries if k > last]:
        del entries[k]
    on_disk: set[int] = set(read_sidecars(job.root))
    for folder, pattern in (("data", "shard-*"), ("rejects", "shard-*"), ("media", "shard-*")):
        for path in (job.root / folder).glob(pattern):
            stem = path.name.split(".")[0]
            if stem[6:].isdigit():
                on_disk.add(int(stem[6:]))
    for k in sorted(on_disk):
        if k > last:
            remove_shard(job, k)


def make(
    name: str,
    n: int | str | float,
    out: str | Path,
    seed: int = 0,
    *,
    workers: int | None = None,
    executor: str = "local",
    ray_address: str | None = None,
    format: str = "jsonl",
    encoders: list[str] | None = None,
    shard_size: int | None = None,
    overwrite: bool = False,
    config_file: str | Path | None = None,
    dataset: str | None = None,
    on_error: str = "raise",
    max_retries: int = 2,
    progress: ProgressCallback | None = None,
    config: dict[str, Any] | None = None,
    **overrides: Any,
) -> Manifest:
    """Make (or resume, or extend) dataset ``name`` with ``n`` accepted records in ``out``.

    ``config`` and ``overrides`` are program config fields (nested dicts for dotted keys;
    ``overrides`` win). Returns the manifest. Raises :class:`~synthgen.errors.UserError` for
    bad input before writing anything.
    """
    job = build_job(
        name,
        n,
        out,
        seed,
        config=deep_merge(config or {}, overrides),
        config_file=config_file,
        shard_size=shard_size,
        format=format,
        encoders=encoders,
        dataset=dataset,
        on_error=on_error,
    )
    options = RunOptions(
        workers=workers if workers is not None else 0,
        executor=executor,
        ray_address=ray_address,
        max_retries=max_retries,
        overwrite=overwrite,
    )
    executors.get(options.executor).check_available()
    _check_writable(job.root)
    try:
        existing = existing_job(job.root)
    except ValueError as exc:
        raise UserError(f"{exc}: use --overwrite or another --out") from None
    job = _reconcile(job, existing, shard_size is not None, overwrite, bool(encoders))
    if existing is None:
        _refuse_foreign_directory(job.root)
    with stop_on_signals(), dataset_lock(job.root):
        try:
            _prepare_root(job, existing, overwrite)
            return _run(job, options, progress)
        except Stopped:
            _tidy_after_stop(job)
            raise
        except OSError as exc:
            if exc.errno not in DISK_FULL_ERRNOS:
                raise
            _tidy_after_stop(job)
            raise _disk_full(job, exc) from None


def _tidy_after_stop(job: JobSpec) -> None:
    """After a stop or a failed write: workers are gone (the executor aborted them), so no
    temporary file is still being written. Remove them, and record the finished shards in
    the manifest (best effort: the disk may be full; the sidecars are what counts)."""
    with contextlib.suppress(OSError):
        remove_stale_temporaries(job.root)
    with contextlib.suppress(OSError):
        entries = read_sidecars(job.root)
        write_manifest(build_manifest(__version__, job, _ordered(entries), complete=False))


def _disk_full(job: JobSpec, exc: OSError) -> DiskFull:
    """One line: which directory, how much space is free, and about how much more is needed."""
    root = job.root
    free = 0
    with contextlib.suppress(OSError):
        stat = os.statvfs(root)
        free = stat.f_bavail * stat.f_frsize
    entries = read_sidecars(root)
    accepted = sum(e.accepted for e in entries.values())
    written = sum(e.media_bytes for e in entries.values())
    for entry in entries.values():
        for rel in entry.files:
            with contextlib.suppress(OSError):
                written += (root / rel).stat().st_size
    if accepted:
        needed = math.ceil(written / accepted * max(job.n - accepted, 0))
        estimate = f"about {_size(needed)} more for the remaining {job.n - accepted} records"
    else:
        estimate = "more than that (not one shard fitted)"
    return DiskFull(
        f"disk full writing to {root} ({exc.strerror or 'no space left on device'}): "
        f"{_size(free)} free, {estimate}; free space, then rerun the same command to resume"
    )


def _size(nbytes: int) -> str:
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _run(job: JobSpec, options: RunOptions, progress: ProgressCallback | None) -> Manifest:
    """Run shards until the first ``job.n`` accepted records are on disk; write the manifest."""
    n_workers = options.workers or os.cpu_count() or 1
    started = time.perf_counter()
    entries = {} if options.overwrite else _verify_existing(job, progress)
    write_manifest(build_manifest(__version__, job, _ordered(entries), complete=False))
    if n_workers > 1 and options.executor == "local" and _walk(job, entries).state != "done":
        # before forking: N cold workers would each build the caches (and their memory)
        program = programs.get(job.program)
        program.warm_up(program.Config.model_validate(job.config))
    counts = live.LiveCounts()
    live.install(counts)  # before the executor starts, so forked workers share it

    def accepted_so_far() -> int:
        """Accepted records on disk plus those of running shards (for progress only)."""
        done = list(entries.values())  # one C-level copy: safe beside the main thread
        return sum(e.accepted for e in done) + counts.in_flight(entries)

    def model_activity() -> tuple[int, int, int]:
        """Model requests in flight, requests sent and tokens so far (for progress only)."""
        done = list(entries.values())
        flying, sent, tokens = counts.model_activity(entries)
        for e in done:
            c = e.counters
            sent += c.get("llm.model_calls", 0)
            tokens += c.get("llm.prompt_tokens", 0) + c.get("llm.completion_tokens", 0)
        return flying, sent, tokens

    if progress:
        progress(
            "start",
            {
                "job": job,
                "workers": n_workers,
                "resumed": len(entries),
                "accepted_so_far": accepted_so_far,
                "model_activity": model_activity,
            },
        )
    try:
        return _run_waves(job, options, progress, entries, n_workers, started)
    finally:
        live.install(None)


def _run_waves(
    job: JobSpec,
    options: RunOptions,
    progress: ProgressCallback | None,
    entries: dict[int, ShardEntry],
    n_workers: int,
    started: float,
) -> Manifest:
    executor_cls = executors.get(options.executor)
    retries: dict[int, int] = {}
    shards_run = 0
    # what the dataset held before this run, to report a cut to a smaller --n
    held_before = sum(e.accepted for e in entries.values())
    shards_before = set(entries)
    last_manifest = time.perf_counter()
    model_backed = _splits_shards(job)
    split = n_workers > 1 and model_backed
    with executor_cls(n_workers, options.ray_address) as ex:
        while True:
            walk = _walk(job, entries)
            if walk.state == "done":
                break
            run: Callable[[Any], Any] = run_shard
            if walk.state == "cut":
                shards = [ShardTask(job, walk.shard, job.shard_range(walk.shard)[0], walk.stop)]
            else:
                wave = _wave(job, entries, walk, n_workers, whole_only=model_backed)
                if split and len(wave) < n_workers:
                    # fewer shards than workers (n below a shard, or n = 1.5 shards on 4
                    # workers, or a job's last shards): all of them make the frontier in parts
                    entry = _split_shard(job, ex, walk, entries, n_workers, options.max_retries)
                    entries[walk.shard] = entry
                    shards_run += 1
                    if progress:
                        progress("shard", {"entry": entry, "n": job.n})
                    continue
                if model_backed:  # keep requests in flight across shard ends
                    shards, run = _streams(job, walk, wave, n_workers), run_stream
                else:
                    # The first shard of a wave is the frontier: all shards before it are
                    # done, so it needs exactly n - accepted records and can stop there (no
                    # cut re-run).
                    shards = [
                        ShardTask(
                            job,
                            k,
                            *job.shard_range(k),
                            max_accepted=job.n - walk.accepted if k == walk.shard else None,
                        )
                        for k in wave
                    ]
            try:
                for _task, result in ex.map_unordered(run, shards):
                    for entry in result if isinstance(result, list) else [result]:
                        entries[entry.shard] = entry
                        shards_run += 1
                        if progress:
                            progress("shard", {"entry": entry, "n": job.n})
                    if time.perf_counter() - last_manifest > MANIFEST_INTERVAL_S:
                        write_manifest(build_manifest(__version__, job, _ordered(entries), False))
                        last_manifest = time.perf_counter()
                    if walk.state == "more" and _walk(job, entries).state != "more":
                        break
            except WorkerLost as lost:
                for task in lost.pending:
                    retries[task.shard] = retries.get(task.shard, 0) + 1
                    if retries[task.shard] > options.max_retries:
                        raise ShardError(
                            f"shard {task.shard} lost its worker "
                            f"{retries[task.shard]} times; giving up"
                        ) from lost
                if progress:
                    progress("retry", {"shards": [t.shard for t in lost.pending]})
    _remove_shards_after(job, walk.shard, entries)
    remove_stale_temporaries(job.root)  # left by workers that died mid-shard
    manifest = build_manifest(__version__, job, _ordered(entries), complete=True)
    write_manifest(manifest)
    from synthgen.card import write_card  # lazy: Pillow drawing only once a run is done

    write_card(manifest)  # README.md (the Hugging Face dataset card) and card/*.png
    manifest._shards_run = shards_run
    if held_before > job.n:
        cut = {
            "from": held_before,
            "to": job.n,
            "removed": sorted(k for k in shards_before if k > walk.shard),
        }
        manifest._cut = cut  # read by progress.summary_line
        if progress:
            progress("cut", cut)
    if progress:
        progress("done", {"manifest": manifest, "seconds": time.perf_counter() - started})
    return manifest


def _streams(job: JobSpec, walk: _Walk, wave: list[int], workers: int) -> list[StreamTask]:
    """A model-backed wave as at most about ``workers`` streams of consecutive shards
    (:class:`synthgen.shard.StreamTask`: a worker's requests stay in flight across the shard
    ends of its stream). The first stream holds the frontier and stops at the n-th record; a
    lone stream (one worker) runs on past the wave, so rejects never leave a wave's last few
    records to a stream of their own."""
    per_stream = math.ceil(len(wave) / workers)
    runs: list[list[int]] = []
    for k in wave:  # a wave skips shards already made (on resume): no stream spans one
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    pieces = [run[i : i + per_stream] for run in runs for i in range(0, len(run), per_stream)]
    streams = [StreamTask(job, piece[0], piece[-1] + 1) for piece in pieces]
    lone = len(streams) == 1 and len(runs) == 1
    stop = walk.shard + MAX_WAVE_SHARDS if lone else streams[0].stop
    streams[0] = dataclasses.replace(streams[0], stop=stop, max_accepted=job.n - walk.accepted)
    return streams


def _splits_shards(job: JobSpec) -> bool:
    """Whether a lone shard is made in parts by several workers: for programs that wait on
    a model server (the config's ``needs_llm``) and run candidates concurrently
    (``llm.max_concurrency`` > 1). Those take one shard's candidates at a time, so a job that
    needs fewer records than a shard holds (or the last shard of a job) would leave every
    worker but one idle, and with it their CPU (rendering, QA, audio) between the replies.
    The concurrent path also gives each candidate its own counters, which a part hands back
    one by one, so the written shard counts exactly the candidates it keeps."""
    from synthgen.models.config import load_llm_settings

    program = programs.get(job.program)
    config = program.Config.model_validate(job.config)
    llm = getattr(config, "llm", None)
    if not getattr(config, "needs_llm", False) or llm is None:
        return False
    return load_llm_settings(llm).max_concurrency > 1


def part_bounds(
    start: int, want: int, shard: tuple[int, int], cohort: int, n_workers: int
) -> list[tuple[int, int]]:
    """One round's parts: ``[start, want)`` (``want`` rounded up to a cohort boundary, at most
    the shard's end) cut into at most ``n_workers`` about equal ``(start, stop)`` ranges whose
    inner bounds are cohort boundaries too. Cohorts are ``k * cohort`` onwards, clipped to the
    shard, and batched model calls give other floats than single ones, so a part must hold
    whole cohorts to make the bytes the unsplit shard makes (``cohort=1``: any cut does)."""
    first, end = shard

    def on_cohort(index: int) -> int:
        return min(end, max(first, -(-index // cohort) * cohort))

    stop = on_cohort(want)
    size = math.ceil((stop - start) / n_workers)  # fewer parts than workers: no waste
    inner = {min(stop, on_cohort(start + p * size)) for p in range(1, n_workers)}
    bounds = sorted({start, stop} | inner)
    return list(itertools.pairwise(bounds))


def _cohort_size(job: JobSpec) -> int:
    """The program's cohort size (its config's ``cohort_size``; 1 when it has none)."""
    config = programs.get(job.program).Config.model_validate(job.config)
    return int(getattr(config, "cohort_size", 1))


def _split_shard(
    job: JobSpec,
    ex: Any,
    walk: _Walk,
    entries: dict[int, ShardEntry],
    n_workers: int,
    max_retries: int,
) -> ShardEntry:
    """Make the frontier shard ``walk.shard`` in parts, one per worker, then write it.

    Rounds of parts run until the parts, read in index order from the shard's start, hold
    the ``n - accepted`` records the dataset still needs (or the shard's whole range). Each
    round covers about the candidates still needed at the accept rate seen so far (1 before
    anything is known, so a first round never overshoots; at most 4x what the shard made
    before, so a program that rejects everything is caught by the guard below after a few
    rounds, not after a whole shard), split evenly over the workers. The shard written from
    the parts is the one :func:`run_shard` writes (:func:`synthgen.shard.write_parts`):
    every candidate's outcome depends on its index alone (and on its cohort's members, see
    :mod:`synthgen.models.cohort`: parts hold whole cohorts), so neither the part boundaries
    nor the worker count reach the bytes."""
    from synthgen.produce import ALL_REJECTED_AFTER, all_rejected
    from synthgen.shard import PartResult, PartTask, run_part, write_parts

    first, end = job.shard_range(walk.shard)
    cohort = _cohort_size(job)
    missing = job.n - walk.accepted
    full = [e for e in entries.values() if e.stop == job.shard_range(e.shard)[1]]
    seen = sum(e.candidates for e in full)
    seen_accepted = sum(e.accepted for e in full)
    done: list[PartResult] = []
    covered = first
    while True:
        accepted = sum(p.accepted for p in done)
        if accepted >= missing or covered >= end:
            break
        made = covered - first
        if walk.accepted == 0 and accepted == 0 and seen + made >= ALL_REJECTED_AFTER:
            reasons: dict[str, int] = {}
            for part in done:
                for outcome, _ in part.outcomes:
                    if outcome.reject is not None:
                        reasons[outcome.reject.reason] = reasons.get(outcome.reject.reason, 0) + 1
            raise all_rejected(job, seen + made, reasons)
        rate = (seen_accepted + accepted + 1) / (seen + made + 1)
        need = max(1, round((missing - accepted) / rate))  # the expected count, no margin
        if made:
            need = min(need, 4 * made)
        parts = part_bounds(covered, covered + need, (first, end), cohort, n_workers)
        still = missing - accepted
        tasks = [
            PartTask(job, walk.shard, a, b, still, slot=walk.shard + 1 + p)
            for p, (a, b) in enumerate(parts)
        ]
        results = _run_parts(ex, run_part, tasks, max_retries)
        done.extend(results[t.start] for t in tasks)
        covered = parts[-1][1]
    return write_parts(ShardTask(job, walk.shard, first, end, max_accepted=missing), done)


def _run_parts(ex: Any, fn: Callable[[Any], Any], tasks: list[Any], max_retries: int) -> dict:
    """``fn(task)`` of every task on the executor, by ``task.start``; a task whose worker
    died is run again, up to ``max_retries`` times."""
    results: dict[int, Any] = {}
    retries: dict[int, int] = {}
    pending = list(tasks)
    while pending:
        try:
            for task, result in ex.map_unordered(fn, pending):
                results[task.start] = result
            pending = []
        except WorkerLost as lost:
            pending = list(lost.pending)
            for task in pending:
                retries[task.start] = retries.get(task.start, 0) + 1
                if retries[task.start] > max_retries:
                    raise ShardError(
                        f"shard {task.shard} (candidates {task.start}-{task.stop - 1}) lost "
                        f"its worker {retries[task.start]} times; giving up"
                    ) from lost
    return results


def _ordered(entries: dict[int, ShardEntry]) -> list[ShardEntry]:
    return [entries[k] for k in sorted(entries)]


def generate(
    name: str,
    n: int | str | float,
    seed: int = 0,
    *,
    format: str = "jsonl",
    encoders: list[str] | None = None,
    dataset: str | None = None,
    shard_size: int | None = None,
    config_file: str | Path | None = None,
    on_error: str = "raise",
    config: dict[str, Any] | None = None,
    **overrides: Any,
) -> Iterator[BaseRecord]:
    """Yield the first ``n`` accepted records in memory, with no disk I/O.

    The records equal those :func:`make` writes for the same arguments (media paths
    included); ``record.media_objects`` holds the PIL images / audio themselves.
    """
    job = build_job(
        name,
        n,
        ".",
        seed,
        config=deep_merge(config or {}, overrides),
        config_file=config_file,
        shard_size=shard_size,
        format=format,
        encoders=encoders,
        dataset=dataset,
        on_error=on_error,
    )
    program_cls = programs.get(job.program)
    program = program_cls(program_cls.Config.model_validate(job.config))
    made = 0
    limit = job.candidate_limit
    outcomes = produce_range(job, 0, limit, program, keep_media_objects=True, max_accepted=job.n)
    for outcome in outcomes:
        if outcome.record is not None:
            made += 1
            yield outcome.record
            if made == job.n:
                return
    raise _source_exhausted(limit or 0, made)
