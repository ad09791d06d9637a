"""Per-backend counters (requests, cache hits, retries, tokens, rejects), flat and summable.

Keys look like ``llm.requests`` or ``llm.rejects.llm_truncated``; when a request names a stage
the same count is also kept under ``llm.stage.<stage>.<counter>``. Values are ints so the engine
can add the dictionaries of all workers into the manifest. Thread-safe: a backend may be used
from several threads, each with its own event loop.
"""

from __future__ import annotations

import threading
import time
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


class InFlightClock:
    """Requests on the wire, and for how long at least one was: ``<prefix>.active_ms`` (and
    per stage ``<prefix>.stage.<stage>.active_ms``) added to a :class:`UsageCounter`.

    Achieved concurrency = ``http_ms / active_ms`` (summed request time over the time the
    server had work from us): what the manifest and ``synthgen plan`` report. ``now`` is read
    by the live progress display (requests in flight)."""

    def __init__(self, usage: UsageCounter) -> None:
        self.usage = usage
        self.now = 0
        self._per_stage: dict[str | None, int] = {}
        self._since: dict[str | None, float] = {}
        self._lock = threading.Lock()

    def start(self, stage: str | None) -> None:
        from synthgen import live

        now = time.perf_counter()
        with self._lock:
            self.now += 1
            for key in {None, stage}:
                if self._per_stage.get(key, 0) == 0:
                    self._since[key] = now
                self._per_stage[key] = self._per_stage.get(key, 0) + 1
        live.model_requests(+1)

    def end(self, stage: str | None, tokens: int = 0) -> None:
        from synthgen import live

        now = time.perf_counter()
        with self._lock:
            self.now -= 1
            for key in {None, stage}:
                self._per_stage[key] -= 1
                if self._per_stage[key] == 0:
                    ms = int((now - self._since.pop(key)) * 1000)
                    if key is None:
                        self.usage.add("active_ms", ms)
                    else:
                        self.usage.add(f"stage.{key}.active_ms", ms)
        live.model_requests(-1, done=1)

    def clear(self) -> None:
        with self._lock:
            self.now = 0
            self._per_stage.clear()
            self._since.clear()
