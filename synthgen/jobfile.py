"""Job files (``synthgen run JOB.toml``): a scheduled batch run written down.

Example::

    recipe = "svg"          # program name
    n = "1e6"               # or 1000000
    out = "/data/svg"       # relative paths are relative to the job file
    seed = 0
    workers = 16
    executor = "ray"        # or "local"
    ray_address = "auto"
    format = "webdataset"
    encoder = ["jpg"]
    [config]                # program config fields, as with --set
    max_objects = 8
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr

from synthgen.config import load_toml, validate_model
from synthgen.records import StrictModel


class JobFile(StrictModel):
    recipe: StrictStr
    n: StrictInt | StrictStr
    out: StrictStr
    seed: StrictInt = Field(0, ge=0)
    workers: StrictInt = Field(0, ge=0)
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    format: Literal["jsonl", "webdataset"] = "jsonl"
    encoder: list[str] | str = Field(default_factory=list)
    shard_size: StrictInt | None = Field(None, ge=1)
    dataset: str | None = None
    on_error: Literal["raise", "reject"] = "raise"
    overwrite: StrictBool = False
    config_file: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)

    _base: Path = Path(".")

    def make_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the CLI's make path (and :func:`synthgen.make`)."""
        encoders = [self.encoder] if isinstance(self.encoder, str) else list(self.encoder)
        return {
            "name": self.recipe,
            "n": self.n,
            "out": self._base / self.out,
            "seed": self.seed,
            "workers": self.workers,
            "executor": self.executor,
            "ray_address": self.ray_address,
            "format": self.format,
            "encoders": encoders,
            "shard_size": self.shard_size,
            "dataset": self.dataset,
            "on_error": self.on_error,
            "overwrite": self.overwrite,
            "config_file": (self._base / self.config_file) if self.config_file else None,
            "config": self.config,
        }


def load_job_file(path: str | Path) -> JobFile:
    """Parse and validate a job file; problems are one-line user errors naming the file."""
    p = Path(path)
    data = load_toml(p, what="job file")
    job = validate_model(JobFile, data, f"job file {p}", f"fix it in {p}")
    assert isinstance(job, JobFile)
    job._base = p.resolve().parent
    return job
