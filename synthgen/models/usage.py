"""Per-backend counters (requests, cache hits, retries, tokens, rejects), flat and summable.

Keys look like ``llm.requests`` or ``llm.rejects.llm_truncated``; when a request names a stage
the same count is also kept under ``llm.stage.<stage>.<counter>``. Values are ints so the engine
can add the dictionaries of all workers into the manifest. Thread-safe: a backend may be used
from several threads, each with its own event loop.
"""

from __future__ import annotations

import threading
from collections import Counter


class UsageCounter:
    """Thread-safe named counters under one prefix (``llm``)."""

    def __init__(self, prefix: str = "llm") -> None:
        self.prefix = prefix
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str, n: int = 1, stage: str | None = None) -> None:
        """Add ``n`` to ``<prefix>.<name>`` (and to the stage's copy when ``stage`` is set)."""
        if n == 0:
            return
        with self._lock:
            self._counts[f"{self.prefix}.{name}"] += n
            if stage:
                self._counts[f"{self.prefix}.stage.{stage}.{name}"] += n

    def snapshot(self, reset: bool = False) -> dict[str, int]:
        """The counts so far, sorted by key; ``reset=True`` starts again from zero."""
        with self._lock:
            out = dict(sorted(self._counts.items()))
            if reset:
                self._counts.clear()
        return out

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
