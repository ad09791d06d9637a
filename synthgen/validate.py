"""``synthgen validate DIR``: check a dataset end to end and report every problem.

Checks: the manifest parses and agrees with the per-shard sidecars and its totals; shards are
contiguous and hold exactly n records; every shard file matches its sha256; every record
validates against the program's Record schema, has the id its (dataset, seed, index) implies
and a media file with matching sha256; no stray shard files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from synthgen import __version__
from synthgen.errors import UserError
from synthgen.manifest import Manifest, Totals, read_manifest, read_sidecars, recover_manifest
from synthgen.program import programs
from synthgen.seeding import record_id
from synthgen.shard import verify_shard
from synthgen.sinks import sinks


def load_dataset(root: str | Path) -> Manifest:
    """The manifest of the dataset at ``root``. A missing or damaged ``manifest.json`` is
    rebuilt in memory from the job marker and the shard sidecars (``manifest._repaired``);
    only a directory with neither is a user error."""
    path = Path(root)
    if not path.is_dir():
        raise UserError(f"{path} is not a directory: give a dataset directory made by make")
    try:
        manifest = read_manifest(path)
    except (ValueError, OSError) as exc:
        damage = str(exc)
        manifest = None
    else:
        damage = f"{path / 'manifest.json'} is missing"
    if manifest is None:
        try:
            manifest = recover_manifest(path, __version__)
        except ValueError as exc:
            raise UserError(f"{exc}: it cannot be read as a synthgen dataset") from None
        if manifest is None:
            raise UserError(f"{damage}: {path} is not a synthgen dataset")
    if Path(manifest.job.out).resolve() != path.resolve():
        # The dataset was moved: paths inside are relative, so read it where it is now.
        manifest.job.out = str(path.resolve())
    return manifest


@dataclass
class ValidationReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_dataset(root: str | Path) -> ValidationReport:
    """Every problem found in the dataset at ``root`` (none when it is valid), plus notes on
    checks that could not run."""
    manifest = load_dataset(root)
    job = manifest.job
    report = ValidationReport()
    problems = report.problems
    if manifest._repaired:
        problems.append(
            "manifest.json: missing or damaged; rerun the same make command to rebuild it "
            "from the shard sidecars"
        )
    elif not manifest.complete:
        problems.append("manifest: the run did not finish (complete=false); rerun make to resume")
    sidecars = read_sidecars(job.root)
    listed = {e.shard: e for e in manifest.shards}
    if set(sidecars) != set(listed):
        problems.append(
            f"manifest lists shards {sorted(set(listed) - set(sidecars))} without "
            f"sidecars / sidecars {sorted(set(sidecars) - set(listed))} not listed"
        )
    for k, entry in listed.items():
        if k in sidecars and sidecars[k] != entry:
            problems.append(f"shard {k}: manifest entry differs from its sidecar")
    if Totals.of(manifest.shards).model_dump(exclude={"filters"}) != manifest.totals.model_dump(
        exclude={"filters"}
    ):
        problems.append("manifest: totals do not equal the sum of the shard entries")
    expected_start = 0
    for k, entry in enumerate(manifest.shards):
        if entry.shard != k or entry.start != expected_start:
            problems.append(
                f"shard {entry.shard}: not contiguous (expected shard {k} starting "
                f"at {expected_start})"
            )
            break
        expected_start = (k + 1) * job.shard_size
    if manifest.complete and manifest.totals.accepted != job.n:
        problems.append(f"manifest: {manifest.totals.accepted} records, n is {job.n}")
    record_model = None
    try:
        record_model = programs.get(job.program).Record
    except UserError:
        report.notes.append(
            f"program {job.program!r} is not installed here: record schemas were not checked"
        )
    reader = sinks.get(job.format)
    seen: set[str] = set()
    for entry in manifest.shards:
        shard_problems = verify_shard(job, entry)
        problems.extend(shard_problems)
        if shard_problems:
            continue
        for stored in reader.read(job.root, entry.shard):
            rid = stored.data.get("id", "?")
            if record_model is not None:
                try:
                    record_model.model_validate_json(stored.line)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    loc = ".".join(str(p) for p in err["loc"])
                    problems.append(f"record {rid}: field {loc!r}: {err['msg']}")
                    continue
            index = stored.data.get("index", -1)
            if not entry.start <= index < entry.stop:
                problems.append(f"record {rid}: index {index} outside shard {entry.shard}")
            if rid != record_id(job.dataset, job.seed, index):
                problems.append(f"record {rid}: id does not match (dataset, seed, index)")
            if stored.data.get("config_hash") != job.config_hash:
                problems.append(f"record {rid}: config_hash differs from the manifest")
            if rid in seen:
                problems.append(f"record {rid}: duplicate id")
            seen.add(rid)
    known = {p for e in manifest.shards for p in e.files}
    for folder in ("data", "rejects"):
        for path in sorted((job.root / folder).glob("*")):
            rel = path.relative_to(job.root).as_posix()
            if rel not in known:
                problems.append(f"{rel}: not listed in the manifest")
    return report
