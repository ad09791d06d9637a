"""Job files (``synthgen run JOB.toml``): a scheduled batch run written down.

Example::

    program = "svg"         # program name (``recipe`` is accepted too)
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
from synthgen.errors import UserError
from synthgen.records import StrictModel


class JobFile(StrictModel):
    program: StrictStr | None = None
    recipe: StrictStr | None = None
    """The older name of ``program``; a job file gives one of the two."""
    n: StrictInt | StrictStr
    out: StrictStr
    seed: StrictInt = Field(0, ge=0)
    workers: StrictInt = Field(0, ge=0)
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    format: Literal["jsonl", "webdataset", "parquet"] = "jsonl"
    encoder: list[str] | str = Field(default_factory=list)
    shard_size: StrictInt | None = Field(None, ge=1)
    dataset: str | None = None
    on_error: Literal["raise", "reject"] = "raise"
    overwrite: StrictBool = False
    config_file: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)

    _base: Path = Path(".")

    @property
    def program_name(self) -> str:
        name = self.program if self.program is not None else self.recipe
        assert name is not None  # load_job_file checks that one of the two is given
        return name

    def make_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the CLI's make path (and :func:`synthgen.make`)."""
        encoders = [self.encoder] if isinstance(self.encoder, str) else list(self.encoder)
        return {
            "name": self.program_name,
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
    if "program" in data and "recipe" in data:
        raise UserError(
            f"job file {p} gives both program and recipe (two names for the same key): "
            f"keep only program = {data['program']!r}"
        )
    if "program" not in data and "recipe" not in data:
        raise UserError(
            f'job file {p} names no program: add program = "NAME" (or recipe = "NAME"); '
            f"`synthgen list` shows the programs"
        )
    job = validate_model(JobFile, data, f"job file {p}", f"fix it in {p}")
    assert isinstance(job, JobFile)
    job._base = p.resolve().parent
    return job
