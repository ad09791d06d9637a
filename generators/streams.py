"""Per-program random streams: a candidate's generator from (program name, seed, index).

The engine gives candidate ``index`` the generator of (seed, index) (``synthgen.seeding``),
the same for every program, so two programs that draw a scene first with the same seed
draw the same scene: ``imgdiff``'s image A and ``edit``'s source were ``svg``'s image of
the same index. A program that calls :func:`own_stream` at the start of each candidate
reseeds ``ctx.rng`` from (seed, index, a number derived from its name) instead: its
datasets share no images with another program's, and the stream is still a pure function
of (program, seed, index), so replay and any worker split give the same bytes. Reseeding
is idempotent (a candidate retried one at a time after a batch restarts its stream).
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import numpy as np


@cache
def name_key(program: str) -> int:
    """A 32-bit number for a program name (sha256, so stable across runs and machines)."""
    return int.from_bytes(hashlib.sha256(program.encode()).digest()[:4], "little")


def own_stream(program: str, ctx: Any) -> None:
    """Reset ``ctx.rng`` to the start of the stream of (program, ctx.seed, ctx.index)."""
    seq = np.random.SeedSequence([ctx.seed, ctx.index, name_key(program)])
    ctx.rng.bit_generator.state = np.random.PCG64(seq).state
