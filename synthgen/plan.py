"""``synthgen plan NAME --n N``: see what a model-backed job will cost before paying for it.

Runs the job's first ``--sample`` candidates (default 20) exactly as ``make`` would (same
program, config, seed, concurrency), against the configured server, writing nothing, with
the response cache off so every request is really sent and measured. Then it extrapolates
to ``--n``: accept rate, candidates needed, model requests, prompt and completion tokens,
the expected wall time (at the rate the sample reached, and at the full concurrency of
``llm.max_concurrency`` x workers), and the cost at ``--price-per-mtok IN,OUT`` (price per
million prompt / completion tokens) when given.

The figures are estimates from a small sample: the accept rate of 20 candidates is rough
(its 90 % interval is printed), and a server's speed changes with load.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from synthgen.errors import UserError

DEFAULT_SAMPLE = 20


@dataclass(frozen=True)
class Plan:
    """What the sample measured and what it implies for ``n`` records."""

    n: int
    sample: int
    accepted: int
    rejects: dict[str, int]
    requests: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    http_ms: int
    active_ms: int
    concurrency_cap: int

    @property
    def accept_rate(self) -> float:
        return self.accepted / self.sample if self.sample else 0.0

    @property
    def candidates_needed(self) -> int | None:
        return math.ceil(self.n / self.accept_rate) if self.accepted else None

    def per_job(self, per_sample: float) -> float | None:
        """A per-sample total scaled to the candidates ``n`` needs."""
        needed = self.candidates_needed
        return None if needed is None else per_sample / self.sample * needed

    @property
    def achieved_concurrency(self) -> float:
        return self.http_ms / self.active_ms if self.active_ms else 0.0

    @property
    def latency_s(self) -> float:
        return self.http_ms / 1000 / self.requests if self.requests else 0.0

    def wall_at_sample_rate(self) -> float | None:
        requests = self.per_job(self.requests)
        if requests is None or not self.requests:
            return None
        return requests / (self.requests / max(self.seconds, 1e-9))

    def wall_at_full_concurrency(self) -> float | None:
        requests = self.per_job(self.requests)
        if requests is None or not self.requests:
            return None
        return requests * self.latency_s / self.concurrency_cap

    def cost(self, price_in: float, price_out: float) -> float | None:
        tokens_in, tokens_out = (
            self.per_job(self.prompt_tokens),
            self.per_job(self.completion_tokens),
        )
        if tokens_in is None or tokens_out is None:
            return None
        return (tokens_in * price_in + tokens_out * price_out) / 1e6

    def interval(self) -> tuple[float, float]:
        """90 % Wilson interval of the accept rate."""
        n, p, z = self.sample, self.accept_rate, 1.645
        if n == 0:
            return 0.0, 1.0
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


def run_plan(
    name: str,
    n: int | str | float,
    *,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
    workers: int = 1,
    config: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
) -> Plan:
    """Run the first ``sample`` candidates of job (``name``, ``config``, ``seed``) in memory
    and measure them (see the module docstring)."""
    from synthgen.config import deep_merge
    from synthgen.engine import build_job
    from synthgen.program import programs

    if sample < 1:
        raise UserError(f"--sample must be at least 1, got {sample}")
    program_cls = programs.get(name)
    overrides = dict(config or {})
    if "llm" in program_cls.Config.model_fields:
        overrides = deep_merge(overrides, {"llm": {"cache": False}})
    job = build_job(name, n, ".", seed, config=overrides, config_file=config_file)
    program = program_cls(program_cls.Config.model_validate(job.config))
    backends = program.open_backends()
    try:
        return _measure(job, program, backends, sample, workers)
    finally:
        for backend in backends.values():
            close = getattr(backend, "close", None)
            if callable(close):
                close()


def _measure(job: Any, program: Any, backends: dict[str, Any], sample: int, workers: int) -> Plan:
    from synthgen.models.config import load_llm_settings
    from synthgen.produce import collect_usage, produce_range

    stop = sample if job.candidate_limit is None else min(sample, job.candidate_limit)
    counters: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    accepted = 0
    collect_usage(backends)
    start = time.perf_counter()
    for outcome in produce_range(job, 0, stop, program, backends, counters=counters):
        if outcome.record is not None:
            accepted += 1
        elif outcome.reject is not None:
            rejects[outcome.reject.reason] += 1
    seconds = time.perf_counter() - start
    durations: dict[str, float] = {}
    usage = collect_usage(backends, durations)
    llm = getattr(program.config, "llm", None)
    cap = load_llm_settings(llm).max_concurrency if llm is not None else 1
    return Plan(
        n=job.n,
        sample=stop,
        accepted=accepted,
        rejects=dict(sorted(rejects.items())),
        requests=usage.get("llm.model_calls", 0),
        prompt_tokens=usage.get("llm.prompt_tokens", 0),
        completion_tokens=usage.get("llm.completion_tokens", 0),
        seconds=seconds,
        http_ms=round(durations.get("llm.http", 0.0) * 1000),
        active_ms=round(durations.get("llm.active", 0.0) * 1000),
        concurrency_cap=int(cap) * max(1, workers),
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown (nothing accepted)"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _count(value: float | None) -> str:
    return "unknown (nothing accepted)" if value is None else f"{value:,.0f}"


def report(plan: Plan, price: tuple[float, float] | None = None) -> list[str]:
    """The lines ``synthgen plan`` prints."""
    low, high = plan.interval()
    rejects = ", ".join(f"{k} {v}" for k, v in plan.rejects.items()) or "none"
    lines = [
        f"sample: {plan.sample} candidates, {plan.accepted} accepted "
        f"(accept rate {plan.accept_rate:.0%}, 90% interval {low:.0%}-{high:.0%}); "
        f"rejects: {rejects}",
        f"sample model calls: {plan.requests} requests, {plan.prompt_tokens:,} prompt + "
        f"{plan.completion_tokens:,} completion tokens in {plan.seconds:.1f} s "
        f"({plan.requests / max(plan.seconds, 1e-9):,.1f} req/s, mean latency "
        f"{plan.latency_s * 1000:,.0f} ms, {plan.achieved_concurrency:.1f} in flight)",
        f"for --n {plan.n:,}: about {_count(plan.candidates_needed)} candidates, "
        f"{_count(plan.per_job(plan.requests))} model requests, "
        f"{_count(plan.per_job(plan.prompt_tokens))} prompt + "
        f"{_count(plan.per_job(plan.completion_tokens))} completion tokens",
        f"expected wall time: {_duration(plan.wall_at_sample_rate())} at the sample's rate; "
        f"{_duration(plan.wall_at_full_concurrency())} with {plan.concurrency_cap} requests "
        "in flight (llm.max_concurrency x workers) if the server keeps its latency",
    ]
    if plan.requests == 0:
        lines[1] = "sample model calls: none (this configuration calls no model)"
        lines[3] = "expected wall time: not estimated (no model calls; see bench/ for CPU rates)"
    if price is not None:
        cost = plan.cost(*price)
        shown = "unknown (nothing accepted)" if cost is None else f"{cost:,.2f}"
        lines.append(
            f"cost at {price[0]:g} / {price[1]:g} per million prompt / completion tokens: {shown}"
        )
    return lines


def _price(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    parts = value.split(",")
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 2 or any(x < 0 or not math.isfinite(x) for x in numbers):
        raise UserError(
            f"--price-per-mtok {value!r}: give IN,OUT, two non-negative numbers (price per "
            "million prompt and completion tokens), e.g. --price-per-mtok 0.15,0.60"
        )
    return numbers  # type: ignore[return-value]


@click.command("plan")
@click.argument("name")
@click.option("--n", "n", required=True, help="accepted records the job would make")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--sample", type=click.IntRange(min=1), default=DEFAULT_SAMPLE, show_default=True,
    help="candidates to run against the server",
)  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="worker processes the job would use (for the wall-time estimate)")  # fmt: skip
@click.option("--set", "sets", multiple=True, help="config override KEY=VALUE (TOML value)")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None)
@click.option("--price-per-mtok", "price", default=None,
              help="IN,OUT: price per million prompt / completion tokens")  # fmt: skip
def plan_command(
    name: str,
    n: str,
    seed: int,
    sample: int,
    workers: int,
    sets: tuple[str, ...],
    config_file: Path | None,
    price: str | None,
) -> int:
    """Run a small sample of job NAME against the model server, write nothing, and print
    accept rate, candidates, requests, tokens, wall time and cost for --n records."""
    from synthgen.config import parse_overrides

    prices = _price(price)
    plan = run_plan(
        name,
        n,
        sample=sample,
        seed=seed,
        workers=workers,
        config=parse_overrides(sets),
        config_file=config_file,
    )
    for line in report(plan, prices):
        click.echo(line)
    return 0
