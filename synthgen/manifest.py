"""The dataset manifest (``DIR/manifest.json``) and per-shard entries.

Each shard writes its own entry to ``DIR/.synthgen/shards/shard-NNNNN.json`` right after its
files are renamed into place: that sidecar is what marks a shard as done, so a run killed at
any point loses at most the shards in flight. ``manifest.json`` aggregates the sidecars with
the job's identity and totals, and is rewritten atomically.

Integrity chain: the manifest holds the sha256 of every shard file (JSONL, rejects, tar); each
record holds the sha256 of each of its media files. ``validate`` and resume check both.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError

from synthgen.fsutil import atomic_write_bytes
from synthgen.job import JobSpec
from synthgen.records import StrictModel

STATE_DIR = ".synthgen"


class FilterStats(StrictModel):
    passed: int = 0
    failed: int = 0


class ShardEntry(StrictModel):
    """What one finished shard wrote; its ``files`` map paths (relative to the root) to sha256."""

    shard: int
    start: int
    stop: int
    accepted: int
    rejected: int
    rejects_by_reason: dict[str, int] = Field(default_factory=dict)
    filters: dict[str, FilterStats] = Field(default_factory=dict)
    files: dict[str, str]
    media_files: int = 0
    media_bytes: int = 0
    timings: dict[str, float] = Field(default_factory=dict)
    counters: dict[str, int] = Field(
        default_factory=dict, description="program counters: model usage, skipped kinds, ..."
    )

    @property
    def candidates(self) -> int:
        return self.stop - self.start


class Totals(StrictModel):
    accepted: int = 0
    rejected: int = 0
    candidates: int = 0
    shards: int = 0
    media_files: int = 0
    media_bytes: int = 0
    rejects_by_reason: dict[str, int] = Field(default_factory=dict)
    filters: dict[str, FilterStats] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def of(cls, entries: list[ShardEntry]) -> Totals:
        reasons: Counter[str] = Counter()
        counters: Counter[str] = Counter()
        filters: dict[str, FilterStats] = {}
        for e in entries:
            reasons.update(e.rejects_by_reason)
            counters.update(e.counters)
            for name, stats in e.filters.items():
                acc = filters.setdefault(name, FilterStats())
                acc.passed += stats.passed
                acc.failed += stats.failed
        return cls(
            accepted=sum(e.accepted for e in entries),
            rejected=sum(e.rejected for e in entries),
            candidates=sum(e.candidates for e in entries),
            shards=len(entries),
            media_files=sum(e.media_files for e in entries),
            media_bytes=sum(e.media_bytes for e in entries),
            rejects_by_reason=dict(sorted(reasons.items())),
            filters=dict(sorted(filters.items())),
            counters=dict(sorted(counters.items())),
        )


class ModelStage(StrictModel):
    """Model use of one stage (``all``: every request) summed over the shards, from the
    backends' ``llm.*`` counters. ``concurrency`` is the achieved number of requests in
    flight while the stage had any (``model_seconds`` / busy seconds, the latter summed per
    worker): what ``llm.max_concurrency`` bought."""

    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_seconds: float = Field(0.0, description="request time summed over requests")
    busy_seconds: float = Field(0.0, description="time with at least one request in flight")
    concurrency: float = 0.0

    @classmethod
    def stages_of(
        cls, counters: dict[str, int], timings: dict[str, float], prefix: str = "llm"
    ) -> dict[str, ModelStage]:
        """From the manifest's counters (``llm.requests``, ``llm.stage.<stage>.requests``, ...)
        and timings (``llm.http``, ``llm.active``, ``llm.stage.<stage>.http`` seconds)."""
        found: dict[str, dict[str, float]] = {}
        merged: dict[str, float] = {**counters}
        merged.update({f"{k}_s": v for k, v in timings.items()})
        for key, value in merged.items():
            if not key.startswith(prefix + "."):
                continue
            rest = key[len(prefix) + 1 :]
            stage, _, name = rest.rpartition(".")
            if stage.startswith("stage."):
                stage = stage[len("stage.") :]
            elif stage:
                continue  # e.g. llm.rejects.<reason>
            else:
                stage = "all"
            found.setdefault(stage, {})[name] = value
        out: dict[str, ModelStage] = {}
        for stage, c in sorted(found.items()):
            model_s, busy_s = c.get("http_s", 0.0), c.get("active_s", 0.0)
            if not (c.get("requests") or model_s):
                continue
            out[stage] = cls(
                requests=int(c.get("requests", 0)),
                cache_hits=int(c.get("cache_hits", 0)),
                prompt_tokens=int(c.get("prompt_tokens", 0)),
                completion_tokens=int(c.get("completion_tokens", 0)),
                model_seconds=round(model_s, 3),
                busy_seconds=round(busy_s, 3),
                concurrency=round(model_s / busy_s, 2) if busy_s else 0.0,
            )
        return out


class Manifest(StrictModel):
    synthgen_version: str
    job: JobSpec
    complete: bool = False
    shards: list[ShardEntry] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)
    timings: dict[str, float] = Field(
        default_factory=dict, description="stage seconds summed over shards (varies)"
    )
    model: dict[str, ModelStage] = Field(
        default_factory=dict,
        description="model requests, tokens, time and achieved concurrency per stage (varies)",
    )

    _shards_run: int = PrivateAttr(default=0)
    """Shards this process ran to make it (0: the dataset was already complete)."""
    _cut: dict[str, Any] | None = PrivateAttr(default=None)
    """What this run removed to cut the dataset to a smaller ``--n`` (None: nothing)."""
    _repaired: bool = PrivateAttr(default=False)
    """Rebuilt in memory from the job marker and the sidecars (manifest.json was damaged)."""

    @property
    def root(self) -> Path:
        return self.job.root


def job_marker_path(root: Path) -> Path:
    """``.synthgen/job.json``: the job that owns the directory, written before anything else,
    so a run killed at any moment leaves a directory the next run recognises and resumes."""
    return root / STATE_DIR / "job.json"


def write_job_marker(job: JobSpec) -> None:
    atomic_write_bytes(job_marker_path(job.root), job.model_dump_json(indent=1).encode() + b"\n")


def read_job_marker(root: Path) -> JobSpec | None:
    """The job recorded in ``root``'s marker, or None. A damaged one raises ValueError."""
    path = job_marker_path(root)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return JobSpec.model_validate_json(data)
    except ValidationError as exc:
        raise ValueError(f"{path} is damaged: {exc.errors()[0]['msg']}") from None


def manifest_path(root: Path) -> Path:
    return root / "manifest.json"


def sidecar_dir(root: Path) -> Path:
    return root / STATE_DIR / "shards"


def sidecar_path(root: Path, shard: int) -> Path:
    return sidecar_dir(root) / f"shard-{shard:05d}.json"


def write_sidecar(root: Path, entry: ShardEntry) -> None:
    atomic_write_bytes(sidecar_path(root, entry.shard), entry.model_dump_json().encode())


def read_sidecars(root: Path) -> dict[int, ShardEntry]:
    """All parseable sidecars; unparseable ones are dropped (the shard will be redone)."""
    entries: dict[int, ShardEntry] = {}
    folder = sidecar_dir(root)
    if not folder.is_dir():
        return entries
    for path in sorted(folder.glob("shard-*.json")):
        try:
            entry = ShardEntry.model_validate_json(path.read_bytes())
        except (ValidationError, OSError):
            path.unlink(missing_ok=True)
            continue
        entries[entry.shard] = entry
    return entries


def build_manifest(
    version: str, job: JobSpec, entries: list[ShardEntry], complete: bool
) -> Manifest:
    timings: Counter[str] = Counter()
    for e in entries:
        timings.update(e.timings)
    return Manifest(
        synthgen_version=version,
        job=job,
        complete=complete,
        shards=entries,
        totals=(totals := Totals.of(entries)),
        timings={k: round(v, 3) for k, v in sorted(timings.items())},
        model=ModelStage.stages_of(totals.counters, dict(timings)),
    )


def write_manifest(manifest: Manifest) -> None:
    data = json.dumps(manifest.model_dump(mode="json"), indent=1).encode() + b"\n"
    atomic_write_bytes(manifest_path(manifest.root), data)


def read_manifest(root: Path) -> Manifest | None:
    """The manifest of ``root``, or None if there is none. A corrupt one raises ValueError."""
    path = manifest_path(root)
    if not path.exists():
        return None
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ValueError(f"{path} is not a synthgen manifest: {exc.errors()[0]['msg']}") from exc


def existing_job(root: Path) -> JobSpec | None:
    """The job of the dataset at ``root``: its marker, else (datasets made before markers)
    its manifest; None for a new directory. Raises ValueError when neither can be read."""
    job = read_job_marker(root)
    if job is not None:
        return job
    manifest = read_manifest(root)
    return manifest.job if manifest is not None else None


def recover_manifest(root: Path, version: str) -> Manifest | None:
    """A manifest rebuilt from the job marker and the shard sidecars, for a dataset whose
    ``manifest.json`` is missing or damaged (None without a marker). ``complete`` is left
    false: only a run (``make``) or ``validate`` can tell whether the shards add up."""
    job = read_job_marker(root)
    if job is None:
        return None
    entries = read_sidecars(root)
    manifest = build_manifest(version, job, [entries[k] for k in sorted(entries)], False)
    manifest._repaired = True
    return manifest


def read_raw_manifest(root: Path) -> dict[str, Any] | None:
    path = manifest_path(root)
    return json.loads(path.read_bytes()) if path.exists() else None
