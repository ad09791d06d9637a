"""The job specification: everything that decides a dataset's bytes, and nothing else.

Two runs with equal :class:`JobSpec` identities (and any ``n``) write the same records for
the same indices, whatever the worker count, executor or interruptions. Execution options
(workers, executor, progress) live in :class:`RunOptions` and never reach the output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from synthgen.records import SCHEMA_VERSION, StrictModel

DEFAULT_SHARD_SIZE = 1000
OutputFormat = Literal["jsonl", "webdataset", "parquet"]
OnError = Literal["raise", "reject"]

IDENTITY_FIELDS = (
    "candidate_limit",
    "program",
    "program_version",
    "dataset",
    "config_hash",
    "seed",
    "shard_size",
    "format",
    "encoders",
    "on_error",
    "schema_version",
)
"""Fields that must match for a run to continue (resume or extend) an existing dataset."""


class JobSpec(StrictModel):
    program: str
    program_version: str
    dataset: str
    config: dict[str, Any]
    config_hash: str
    seed: int
    n: int = Field(gt=0)
    shard_size: int = Field(gt=0)
    format: OutputFormat = "jsonl"
    encoders: dict[str, str]
    on_error: OnError = "raise"
    schema_version: int = SCHEMA_VERSION
    candidate_limit: int | None = Field(
        None, description="candidates the program's source holds (None: unbounded)"
    )
    out: str = Field(description="dataset root; absolute path")

    @property
    def root(self) -> Path:
        return Path(self.out)

    def identity(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in IDENTITY_FIELDS}

    def shard_of(self, index: int) -> int:
        return index // self.shard_size

    def shard_range(self, shard: int) -> tuple[int, int]:
        """The full candidate range of ``shard`` (the last one ends at the source's limit)."""
        stop = (shard + 1) * self.shard_size
        if self.candidate_limit is not None:
            stop = min(stop, self.candidate_limit)
        return shard * self.shard_size, stop


class RunOptions(StrictModel):
    """How to run a job; has no influence on the output bytes."""

    workers: int = Field(default=0, ge=0, description="0 = number of CPUs")
    executor: str = "local"
    ray_address: str | None = None
    max_retries: int = Field(default=2, ge=0)
    overwrite: bool = False
