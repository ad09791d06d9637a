"""The random stream the question kinds draw from: a numpy ``Generator`` whose scalar
``random()`` is served from blocks of doubles drawn ahead.

Kinds draw one uniform at a time, some 70 times per image (which object, which template,
keep the proposal or not, where to try a point). Each numpy call costs about 0.5 us of
argument handling for 5 ns of work; a :class:`Draws` takes :data:`BLOCK` doubles in one call
and hands them out at about 0.15 us each. The doubles are the generator's own, in its order:
``Draws(g.bit_generator)`` gives what ``g.random()`` would give, call after call, while only
scalars are drawn. Every other method (``shuffle``, ``integers``, a sized ``random``) is the
generator's, on the same bit generator, and so draws after the block taken ahead: the
records are as random and as reproducible as before (same seed, same bytes), but not the
bytes of the one-at-a-time stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BLOCK = 64
"""Doubles drawn ahead at a time (a sprite image's questions use 70-120)."""

_F64 = np.float64
_random = np.random.Generator.random


class Draws(np.random.Generator):
    """A ``Generator`` on a shared bit generator whose scalar ``random()`` reads ahead
    (see the module docstring). Use :func:`draws` to wrap a caller's generator."""

    __slots__ = ("_block", "_next")

    def __init__(self, bit_generator: np.random.BitGenerator) -> None:
        super().__init__(bit_generator)
        self._block: list[float] = []
        self._next = 0

    def random(self, size: Any = None, dtype: Any = _F64, out: Any = None) -> Any:
        """``Generator.random``; a scalar double comes from the block drawn ahead."""
        if size is None and dtype is _F64 and out is None:
            i = self._next
            block = self._block
            if i == len(block):
                block = self._block = _random(self, BLOCK).tolist()
                i = 0
            self._next = i + 1
            return block[i]
        return _random(self, size, dtype, out)


def draws(rng: np.random.Generator) -> Draws:
    """``rng`` itself when it is a :class:`Draws`, else one on its bit generator (``rng``
    moves on as the draws are taken, a block at a time)."""
    return rng if isinstance(rng, Draws) else Draws(rng.bit_generator)
