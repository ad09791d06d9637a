"""``noop``: the smallest program, for measuring engine overhead (bench/engine.py)."""

from __future__ import annotations

from synthgen.program import Context, Program, ProgramConfig, Sample, register_program
from synthgen.records import BaseRecord


class NoopRecord(BaseRecord):
    value: int


@register_program
class Noop(Program[ProgramConfig]):
    """Emits one integer per record and nothing else; every candidate is accepted."""

    name = "noop"
    version = "1"
    description = "no-op records for measuring engine overhead"
    Config = ProgramConfig
    Record = NoopRecord
    media_kinds = ()

    def generate(self, ctx: Context[ProgramConfig]) -> Sample:
        return Sample({"value": int(ctx.rng.integers(0, 1 << 31))})
