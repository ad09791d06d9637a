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
