"""Progress reporters for ``make``: a live rich display, or one JSON line per event.

Both are plain :data:`~synthgen.engine.ProgressCallback` functions, so the Python API can pass
its own. Figures: records/s, ETA, accept rate overall and per filter.

The live display counts records as workers accept them (the engine's ``accepted_so_far``,
fed by :mod:`synthgen.live`), refreshed every :data:`REFRESH_S`, not only when a shard ends;
its rate and ETA come from the last :data:`RATE_WINDOW_S` seconds, so the start-up (imports,
calibration) does not skew them for the rest of the run.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from typing import Any

from synthgen.manifest import ShardEntry

REFRESH_S = 0.5
RATE_WINDOW_S = 20.0


class RunningTotals:
    """Accepted records and filter pass rates over the shards seen so far, kept up to date
    per event in O(filters) (a shard that is redone replaces its earlier entry)."""

    def __init__(self) -> None:
        self.entries: dict[int, ShardEntry] = {}
        self.accepted = 0
        self.filters: dict[str, list[int]] = {}

    def _apply(self, entry: ShardEntry, sign: int) -> None:
        self.accepted += sign * entry.accepted
        for name, stats in entry.filters.items():
            acc = self.filters.setdefault(name, [0, 0])
            acc[0] += sign * stats.passed
            acc[1] += sign * stats.failed

    def add(self, entry: ShardEntry) -> None:
        old = self.entries.get(entry.shard)
        if old is not None:
            self._apply(old, -1)
        self.entries[entry.shard] = entry
        self._apply(entry, +1)

    def pass_rates(self) -> dict[str, float]:
        return {name: p / max(1, p + f) for name, (p, f) in sorted(self.filters.items())}


class ModelRates:
    """Model requests in flight, requests/s and tokens/s over the last
    :data:`RATE_WINDOW_S` seconds, from the engine's ``model_activity`` callable (requests in
    flight, requests sent, tokens so far). Empty until the job has sent a model request."""

    def __init__(self, activity: Any) -> None:
        self.activity = activity
        self.samples: deque[tuple[float, int, int]] = deque()

    def line(self) -> str:
        flying, sent, tokens = self.activity()
        now = time.perf_counter()
        self.samples.append((now, sent, tokens))
        while len(self.samples) > 2 and now - self.samples[0][0] > RATE_WINDOW_S:
            self.samples.popleft()
        if sent == 0 and flying == 0:
            return ""
        t0, sent0, tokens0 = self.samples[0]
        span = max(now - t0, 1e-9)
        if span < 0.2:
            return f"model: {flying} in flight"
        return (
            f"model: {flying} in flight, {(sent - sent0) / span:,.1f} req/s, "
            f"{(tokens - tokens0) / span:,.0f} tok/s"
        )


class JsonLogReporter:
    """One JSON object per line on stdout: for batch schedulers and log collectors."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.started = time.perf_counter()
        self.totals = RunningTotals()

    def emit(self, event: str, **fields: Any) -> None:
        line = {"event": event, "t": round(time.perf_counter() - self.started, 3), **fields}
        self.stream.write(json.dumps(line, sort_keys=True) + "\n")
        self.stream.flush()

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "start":
            job = info["job"]
            self.emit(
                "start",
                program=job.program,
                n=job.n,
                out=job.out,
                seed=job.seed,
                workers=info["workers"],
                resumed_shards=info["resumed"],
            )
        elif event == "shard":
            entry: ShardEntry = info["entry"]
            self.totals.add(entry)
            elapsed = time.perf_counter() - self.started
            c = entry.counters
            model = (
                {
                    "model_calls": c["llm.model_calls"],
                    "model_tokens": c.get("llm.prompt_tokens", 0)
                    + c.get("llm.completion_tokens", 0),
                    "model_seconds": round(entry.timings.get("llm.http", 0.0), 3),
                }
                if c.get("llm.model_calls")
                else {}
            )
            self.emit(
                "shard",
                **model,
                shard=entry.shard,
                start=entry.start,
                stop=entry.stop,
                accepted=entry.accepted,
                rejected=entry.rejected,
                rejects_by_reason=entry.rejects_by_reason,
                total_accepted=self.totals.accepted,
                records_per_s=round(self.totals.accepted / max(elapsed, 1e-9), 1),
                filter_pass_rate={k: round(v, 4) for k, v in self.totals.pass_rates().items()},
            )
        elif event in ("redo", "retry", "cut"):
            self.emit(event, **info)
        elif event == "done":
            m = info["manifest"]
            self.emit(
                "done",
                accepted=m.totals.accepted,
                rejected=m.totals.rejected,
                shards=m.totals.shards,
                seconds=round(info["seconds"], 3),
                out=m.job.out,
            )


class RichReporter:
    """A live progress bar with records/s, ETA and per-filter pass rates (stderr)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[speed]} rec/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[filters]}"),
            TextColumn("{task.fields[model]}"),
            console=self.console,
            transient=False,
            speed_estimate_period=RATE_WINDOW_S,
        )
        self.task: Any = None
        self.totals = RunningTotals()
        self._n = 0
        self._count: Any = None
        self._model: ModelRates | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _refresh(self) -> None:
        """Show the records accepted so far, with the rate over the recent window."""
        if self.task is None or self._count is None:
            return
        self.progress.update(self.task, completed=min(self._count(), self._n))
        speed = self.progress.tasks[self.task].speed  # rich: over speed_estimate_period
        self.progress.update(self.task, speed="-" if speed is None else f"{speed:,.0f}")
        if self._model is not None:
            self.progress.update(self.task, model=self._model.line())

    def _tick(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self._refresh()

    def close(self) -> None:
        """Stop the live display (also after an error or a stop)."""
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join()
        self.progress.stop()

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "start":
            job = info["job"]
            self._n = job.n
            self._count = info.get("accepted_so_far")
            activity = info.get("model_activity")
            self._model = ModelRates(activity) if activity is not None else None
            self.progress.start()
            self.task = self.progress.add_task(
                job.program, total=job.n, speed="-", filters="", model=""
            )
            if self._count is not None:
                self._refresh()
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()
        elif event == "shard":
            self.totals.add(info["entry"])
            filters = " ".join(f"{k} {v:.0%}" for k, v in self.totals.pass_rates().items())
            self.progress.update(self.task, filters=filters)
            if self._count is None:
                self.progress.update(self.task, completed=min(self.totals.accepted, info["n"]))
            self._refresh()
        elif event == "redo":
            self.console.print(f"redoing shard {info['shard']}: {'; '.join(info['problems'])}")
        elif event == "retry":
            self.console.print(f"a worker died; retrying shards {info['shards']}")
        elif event == "cut":
            self.console.print(cut_message(info))
        elif event == "done":
            self._stop.set()
            self.progress.update(self.task, completed=info["manifest"].totals.accepted)
            self.close()


def _span(shards: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    parts: list[str] = []
    for k in shards:
        if parts and k == int(parts[-1].split("-")[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{k}"
        else:
            parts.append(str(k))
    return ", ".join(parts)


def cut_message(cut: dict[str, Any]) -> str:
    """``cut the dataset from 300 to 100 records (shards 1-2 removed)``: what a rerun with a
    smaller ``--n`` deleted."""
    removed = cut.get("removed") or []
    if removed:
        word = "shard" if len(removed) == 1 else "shards"
        what = f"{word} {_span(removed)} removed"
    else:
        what = "the last shard shortened"
    return f"cut the dataset from {cut['from']} to {cut['to']} records ({what})"


def summary_line(manifest: Any, seconds: float) -> str:
    t = manifest.totals
    cut = manifest._cut
    if cut:
        return (
            f"{cut_message(cut)}: {t.accepted} records ({t.media_files} media files, "
            f"{t.shards} shards) in {manifest.job.out} in {seconds:.1f}s"
        )
    if manifest._shards_run == 0:
        return (
            f"already complete: {t.accepted} records ({t.media_files} media files, "
            f"{t.shards} shards) in {manifest.job.out}; nothing to do"
        )
    rate = t.accepted / max(seconds, 1e-9)
    reasons = ", ".join(f"{k} {v}" for k, v in t.rejects_by_reason.items()) or "none"
    return (
        f"wrote {t.accepted} records ({t.media_files} media files, {t.shards} shards) to "
        f"{manifest.job.out} in {seconds:.1f}s ({rate:,.0f} rec/s); rejected {t.rejected} "
        f"({reasons}){degraded_note(t.counters)}"
    )


def degraded_note(counters: dict[str, int]) -> str:
    """``; degraded 3 (paraphrase 3: a model call failed, the template text was kept)``, or
    "" when no record was degraded (counters ``degraded.<stage>``, set by the programs)."""
    stages = {
        k.removeprefix("degraded."): v for k, v in counters.items() if k.startswith("degraded.")
    }
    if not stages:
        return ""
    total = sum(stages.values())
    parts = ", ".join(f"{k} {v}" for k, v in sorted(stages.items()))
    return f"; degraded {total} ({parts}: a model call failed, the template text was kept)"
