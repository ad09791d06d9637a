"""The generator program contract (DESIGN.md section 1).

A program is a class with ``name``, ``version``, a pydantic ``Config`` (``extra="forbid"``),
a pydantic ``Record`` type (a :class:`~synthgen.records.BaseRecord` subclass) and one method,
:meth:`Program.generate`, that turns a :class:`Context` into a :class:`Sample` or a
:class:`Reject`. It must be a pure function of (config, seed, index): all randomness comes
from ``ctx.rng``, which the engine derives from (seed, index) alone.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from synthgen.records import BaseRecord, Lineage, ModelRef, PromptRef, Verdict
from synthgen.registry import Registry


class ProgramConfig(BaseModel):
    """Base of every program's ``Config``: unknown keys are user errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Sample:
    """What a program returns for an accepted candidate.

    ``data`` holds the program's own record fields (the engine adds the provenance fields and
    validates the whole record against ``Program.Record``); ``media`` maps a media name
    (``"image"``, ``"depth"``, ``"audio"``) to a PIL image, :class:`~synthgen.media.Audio` or
    :class:`~synthgen.media.MediaItem`.
    """

    data: dict[str, Any]
    media: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reject:
    """A candidate that did not pass: ``reason`` is a short code counted in the manifest."""

    reason: str
    detail: str | None = None


class Rejected(Exception):
    """Raised by :meth:`Context.require` to reject the current candidate from deep inside."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(reject.reason)
        self.reject = reject


ConfigT = TypeVar("ConfigT", bound=ProgramConfig)


@dataclass
class Context(Generic[ConfigT]):
    """Everything a program may use to make candidate ``index``.

    ``backends`` maps a capability name ("llm", "diffusion", "clip", ...) to a backend object;
    it is empty for model-free programs. ``lineage`` collects verdicts, models and prompts as
    the program runs; the engine copies it into the record (or counts it for a reject).
    """

    config: ConfigT
    rng: np.random.Generator
    index: int
    seed: int
    backends: Mapping[str, Any] = field(default_factory=dict)
    lineage: Lineage = field(default_factory=Lineage)
    timings: dict[str, float] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)
    """Named counts summed per shard into the manifest (model usage, skipped kinds, ...)."""

    def record_verdict(self, verdict: Verdict) -> Verdict:
        """Add a filter verdict to the lineage and return it."""
        self.lineage.verdicts.append(verdict)
        return verdict

    def require(self, verdict: Verdict) -> Verdict:
        """Record ``verdict``; reject the candidate (reason = filter name) if it failed."""
        self.record_verdict(verdict)
        if not verdict.passed:
            raise Rejected(Reject(reason=verdict.filter, detail=verdict.detail))
        return verdict

    def used_model(
        self, model_id: str, revision: str | None = None, role: str | None = None
    ) -> None:
        ref = ModelRef(id=model_id, revision=revision, role=role)
        if ref not in self.lineage.models:
            self.lineage.models.append(ref)

    def used_prompt(self, name: str, sha256: str) -> None:
        ref = PromptRef(name=name, sha256=sha256)
        if ref not in self.lineage.prompts:
            self.lineage.prompts.append(ref)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a named stage; the sum per stage goes into the shard's manifest entry."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


class Program(ABC, Generic[ConfigT]):
    """Base class of generator programs. Subclass, set the class attributes, register.

    Instances are created once per worker process with the resolved config, so expensive
    set-up (tables, fonts, meshes) belongs in ``__init__``; ``generate`` must not keep state
    that changes its output between calls.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""
    Config: ClassVar[type[ProgramConfig]] = ProgramConfig
    Record: ClassVar[type[BaseRecord]] = BaseRecord
    worlds: ClassVar[tuple[str, ...] | None] = None
    """The worlds (``synthgen.world``) the program can draw when its config has a ``world``
    field; None: any registered world. Checked by the default :meth:`preflight`."""
    backends: ClassVar[tuple[str, ...]] = ()
    """Capabilities the program needs in ``ctx.backends`` (created by the engine per worker)."""
    media_kinds: ClassVar[tuple[str, ...] | None] = None
    """Media kinds the program writes (``"image"``, ``"audio"``; ``()``: none): an
    ``--encoder`` of another kind is refused. None: not declared, every encoder accepted."""

    def __init__(self, config: ConfigT) -> None:
        self.config = config

    @classmethod
    def candidate_limit(cls, config: ConfigT) -> int | None:
        """How many candidates the program's input holds (e.g. graphs in an imported file),
        or None when candidates never run out. Called once per job, before anything is
        written, so it is also the place to reject a malformed input file (UserError)."""
        return None

    @classmethod
    def warm_up(cls, config: ConfigT) -> None:
        """Build, once in the job's process before its local workers start, what each worker
        would otherwise build for itself into the per-machine cache (svg: the QA balance
        tables, about 20 CPU-s and 2-3 GB the first time on a machine, per worker), and
        release the memory it took: the workers then read the cache. Default: nothing."""

    @classmethod
    def preflight(cls, config: ConfigT) -> None:
        """Check everything that could otherwise fail after the first byte is written: model
        settings (``llm.*`` URLs and values), names resolved later (a renderer, a world),
        optional imports a mode needs, input files. Raise a one-line
        :class:`~synthgen.errors.UserError` naming the field and the fix. Called once per
        job by ``make``/``generate`` before the output directory is touched.

        Default: every ``llm`` table of the config is validated as
        :class:`~synthgen.models.LLMSettings`, and when the config has a ``needs_llm``
        property that is true, the chosen backend's extra must be importable (``aiohttp``
        for ``llm.backend=openai``, ``vllm`` for ``vllm``); and the config's ``world`` must be
        one of :attr:`worlds`. Overrides should call it first.
        """
        from synthgen.models.config import check_llm_extra, check_llm_settings

        check_llm_settings(config)
        if getattr(config, "needs_llm", False):
            check_llm_extra(getattr(config, "llm", None))
        if cls.worlds is not None and hasattr(config, "world"):
            from synthgen.world.choice import require_world

            require_world(config.world, cls.name, cls.worlds)

    @classmethod
    def default_encoders(cls, config: ConfigT) -> dict[str, str]:
        """Media kind -> encoder name this config writes unless ``--encoder`` says otherwise
        (over the engine's png/wav). Photo-like images are JPEG in the datasets users train
        on (Visual Genome, COCO), a third of the PNG's bytes and time; a program whose
        pixels must stay exact (differences, edits, masks) keeps the lossless default.
        Default: none."""
        return {}

    @classmethod
    def identity_config(cls, config: dict[str, Any]) -> dict[str, Any]:
        """The part of a resolved config that decides the output bytes (it is hashed into
        ``config_hash``, the dataset's identity). Settings that only say *how* to run (a
        server URL, timeouts, concurrency, retries, a cache folder) are left out, so changing
        them never refuses a resume.

        Default: the whole config except the operational keys of every ``llm`` table
        (:data:`synthgen.models.config.OPERATIONAL_FIELDS`) and the name of a ``world`` that
        hashed without one before worlds had names
        (:func:`synthgen.world.choice.world_identity`); a config without such keys is
        returned equal, so it hashes as before."""
        from synthgen.models.config import identity_config
        from synthgen.world.choice import world_identity

        return world_identity(identity_config(config))

    def open_backends(self) -> dict[str, Any]:
        """Model backends this program needs with its config ("llm", "diffusion", "clip"...).

        Called once per worker process, on first use; the result is ``ctx.backends`` for every
        candidate. After each shard the engine adds each backend's ``usage(reset=True)``
        counters (if it has that method) to the shard's manifest entry. Default: none.
        """
        return {}

    def batch_size(self) -> int:
        """How many candidates ``generate_batch`` gets at once (1: no batching)."""
        return 1

    def generate_batch(self, ctxs: list[Context[ConfigT]]) -> list[Sample | Reject | Exception]:
        """Make several candidates at once, one result per context, in order.

        Override to share work across candidates (one model call for a batch, vectorised
        geometry). Contract: each result must equal what ``generate`` gives for its context
        alone -- every random draw comes from its own ``ctx.rng`` -- so output never depends
        on batch composition. A failing candidate yields a :class:`Reject` (or the exception,
        which the engine raises or turns into a reject per ``--on-error``), never an
        exception that loses the rest of the batch.
        """
        results: list[Sample | Reject | Exception] = []
        for ctx in ctxs:
            try:
                results.append(self.generate(ctx))
            except Rejected as rejected:
                results.append(rejected.reject)
            except Exception as exc:
                results.append(exc)
        return results

    @abstractmethod
    def generate(self, ctx: Context[ConfigT]) -> Sample | Reject:
        """Make candidate ``ctx.index``: a :class:`Sample`, or a :class:`Reject` with a reason."""


programs: Registry[type[Program]] = Registry(
    "program", "synthgen.programs", builtins=("synthgen.generators",)
)
register_program = programs.register
"""Decorator that registers a :class:`Program` subclass under its ``name``."""
