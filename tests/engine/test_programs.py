"""Programs used only by the engine tests (registered when this module is imported)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pydantic import Field

from synthgen.program import Context, Program, ProgramConfig, Reject, Sample, register_program
from synthgen.records import BaseRecord


class SlowConfig(ProgramConfig):
    delay: float = Field(0.0, ge=0)
    reject_every: int = Field(0, ge=0, description="reject indices divisible by this (0: never)")


class SlowRecord(BaseRecord):
    value: float


@register_program
class Slow(Program[SlowConfig]):
    """Sleeps per record; ``SYNTHGEN_TEST_CRASH=INDEX:MARKER`` SIGKILLs its own worker once
    (when MARKER does not exist yet) on reaching INDEX, to test worker loss."""

    name = "test_slow"
    version = "1"
    Config = SlowConfig
    Record = SlowRecord

    def generate(self, ctx: Context[SlowConfig]) -> Sample | Reject:
        crash = os.environ.get("SYNTHGEN_TEST_CRASH")
        if crash:
            at, marker = crash.split(":", 1)
            if ctx.index == int(at) and not Path(marker).exists():
                Path(marker).write_text("crashed")
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(ctx.config.delay)
        if ctx.config.reject_every and ctx.index % ctx.config.reject_every == 0:
            return Reject("divisible", f"{ctx.index} % {ctx.config.reject_every} == 0")
        return Sample({"value": float(ctx.rng.random())})


class BatchedConfig(ProgramConfig):
    reject_every: int = Field(0, ge=0)


class BatchedRecord(BaseRecord):
    value: float
    batch_len: int = Field(description="only for the test: how many came in the batch")


@register_program
class Batched(Program[BatchedConfig]):
    """Implements ``generate_batch`` itself: one vectorised draw per candidate's RNG."""

    name = "test_batched"
    version = "1"
    Config = BatchedConfig
    Record = BatchedRecord
    size = 7
    seen_batches: list[int] = []

    def batch_size(self) -> int:
        return self.size

    def generate_batch(self, ctxs: list[Context[BatchedConfig]]) -> list[Sample | Reject]:
        Batched.seen_batches.append(len(ctxs))
        values = [float(ctx.rng.random()) for ctx in ctxs]
        every = ctxs[0].config.reject_every if ctxs else 0
        return [
            Reject("divisible")
            if every and ctx.index % every == 0
            else Sample({"value": v, "batch_len": 0})
            for ctx, v in zip(ctxs, values, strict=True)
        ]

    def generate(self, ctx: Context[BatchedConfig]) -> Sample | Reject:
        return self.generate_batch([ctx])[0]


class GcProbeRecord(BaseRecord):
    gc_threshold: list[int]


@register_program
class GcProbe(Program[ProgramConfig]):
    """Records the collector thresholds in force while the shard runs."""

    name = "test_gc_probe"
    version = "1"
    Config = ProgramConfig
    Record = GcProbeRecord

    def generate(self, ctx: Context[ProgramConfig]) -> Sample | Reject:
        import gc

        return Sample({"gc_threshold": list(gc.get_threshold())})
