"""When to retry an HTTP call to a model server, and how long to wait first.

Pure policy, no I/O: which failures are transient, how to read ``Retry-After`` (seconds or an
HTTP date), and exponential backoff with full jitter. The jitter comes from a private
``random.Random`` seeded from the OS, never from the global RNG: the waits must not disturb
(or be disturbed by) any seeded generator, and they cannot affect outputs because a reply
depends only on the request, never on when it was sent.
"""

from __future__ import annotations

import os
import random
import time
from email.utils import parsedate_to_datetime

RETRY_AFTER_STATUSES = frozenset({429, 503})
"""The server is overloaded: honour its ``Retry-After`` and pause every request, not just one."""

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 524})
"""Statuses worth retrying; every other 4xx is a property of the request itself."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: ``"0.2"``, ``"3"`` or an HTTP date.

    Returns None when absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Backoff:
    """Exponential backoff with full jitter: attempt k waits U(0.5, 1) x base x 2**k, capped."""

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self._rng = rng or random.Random(int.from_bytes(os.urandom(8), "little"))

    def reseed(self) -> None:
        """New private stream (after a fork, so sibling workers do not retry in lockstep)."""
        self._rng = random.Random(int.from_bytes(os.urandom(8), "little"))

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Wait before retry number ``attempt`` (0-based).

        A server's ``Retry-After`` wins (capped at ``cap_s``), plus up to 10 % so that many
        waiting clients do not all come back in the same instant.
        """
        if retry_after is not None:
            return min(retry_after, self.cap_s) * (1.0 + 0.1 * self._rng.random())
        step = min(self.cap_s, self.base_s * (2 ** min(attempt, 30)))
        return step * self._rng.uniform(0.5, 1.0)
