"""Model-backed programs end to end against a loopback server: does the job keep it busy?

For each model-backed program (svg ``paraphrase=llm`` and ``annotator=mllm``, multihop
``rewrite=llm`` and ``documents=``, audiocaps ``rewrite=llm``) and each injected latency
(default 50 ms and 2 s), a fake OpenAI-compatible server that serves at most ``--server-cap``
(256) requests at once answers every chat request after the latency. The job runs with
``synthgen.make`` (``--workers``, default 1, each with ``llm.max_concurrency`` = ``--client-cap``;
with more workers a job of fewer records than a shard has its shard made in parts, one per
worker). Printed:

* achieved requests/s, measured at the server from the first request's arrival to the last
  reply, as a fraction of the ideal ``min(server cap, client cap x workers) / latency``
  (goal >= 90 %);
* wasted calls: requests made for candidates past the n-th accepted record (mapped back to
  their candidate through the request seed, ``request_seed(seed, index, call)``), as a
  fraction of all requests (goal <= 5 %);
* the peak number of requests in flight at the server, the *steady* share (mean in flight
  from one latency after the first request to one latency before the last reply, over the
  cap: ramp and final drain left out, a drain at a shard boundary inside the job counted),
  the number of shards the job made, and the CPU seconds per request from
  the job's start to its last shard (the job and the in-process fake server; the workers'
  too with ``--workers`` > 1; imports and the dataset card left out): its inverse is one
  core's bound on the rate.

imgdiff ``mode="model"`` and edit ``source="images"`` run diffusers pipelines per candidate:
on this CPU-only machine they are diffusion-bound, not server-bound, and are not run here.

The figures of a loaded 2-core machine are low for the 50 ms case: the client needs ~0.3 ms
of CPU per request and the candidates' own CPU work (rendering, QA, audio) shares the core, so
the ideal 2,560 req/s is out of reach; the 2 s case shows whether the pipeline keeps
``client cap`` requests in flight.

usage: python bench/llm_programs.py [--latency 0.05 2] [--seconds 20] [--max-n 1500]
                                    [--programs NAME ...]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import synthgen  # noqa: E402
from synthgen.seeding import sample_seed  # noqa: E402
from tests.models.fake_llm_server import FakeLLMServer, last_user_text  # noqa: E402

GRAPH = {
    "objects": [
        {"id": 1, "name": "mug", "attributes": ["red"], "bbox": [2, 3, 10, 12]},
        {"id": 2, "name": "book", "attributes": ["blue"], "bbox": [20, 4, 20, 10]},
        {"id": 3, "name": "mug", "attributes": ["white"], "bbox": [44, 20, 8, 8]},
    ],
    "relations": [{"subject": 1, "predicate": "left of", "object": 2}],
}
POOL = {
    "documents": [
        {"id": "a", "text": "The river ferry was built by Omsted Yards."},
        {"id": "b", "text": "Omsted Yards was founded in 1888 by two brothers."},
    ]
}
GROUNDED = {
    "questions": [
        {
            "question": "When was the builder of the river ferry founded?",
            "answer": "1888",
            "evidence": [
                {"doc": "a", "quote": "The river ferry was built by Omsted Yards."},
                {"doc": "b", "quote": "Omsted Yards was founded in 1888"},
            ],
        }
    ]
}


def reply(body: dict[str, Any]) -> tuple[str, str]:
    """One fake model for every program: it answers what each prompt asks for."""
    text = last_user_text(body)
    if "Draft:" in text:  # audiocaps rewrite
        draft = text.split("Draft:", 1)[1].strip().splitlines()[0]
        return json.dumps({"caption": draft}), "stop"
    if "Rewrite" in text or "rewrite" in text:
        question = text.split("Question:", 1)[-1].strip()
        return json.dumps({"question": "Please tell me: " + question}), "stop"
    if "Documents:" in text:
        return json.dumps(GROUNDED), "stop"
    return json.dumps(GRAPH), "stop"


@dataclass
class Case:
    program: str
    config: Callable[[Path], dict[str, Any]]
    per_record: float
    """Roughly how many requests one accepted record costs (to size n)."""
    limited: bool = False
    """The input folder/file has to hold n candidates (annotator / documents)."""


def _images(folder: Path, count: int) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        Image.new("RGB", (64, 48), (40 * i % 255, 90, 160)).save(folder / f"img{i:05d}.png")
    return str(folder)


def _pools(path: Path, count: int) -> str:
    path.write_text("\n".join(json.dumps(POOL) for _ in range(count)) + "\n")
    return str(path)


CASES = {
    "svg-paraphrase": Case(
        "svg",
        lambda tmp: {"world": "shapes", "qa": {"per_image": 8}, "paraphrase": "llm"},
        8,
    ),
    "svg-annotate": Case(
        "svg",
        lambda tmp: {"annotator": "mllm", "images": str(tmp / "images"), "qa": {"per_image": 4}},
        1,
        limited=True,
    ),
    "multihop-rewrite": Case("multihop", lambda tmp: {"rewrite": "llm"}, 1),
    "multihop-documents": Case(
        "multihop", lambda tmp: {"documents": str(tmp / "pools.jsonl")}, 1, limited=True
    ),
    "audiocaps-rewrite": Case(
        "audiocaps",
        lambda tmp: {"rewrite": "llm", "duration_s": [5.0, 6.0], "events": [1, 3]},
        1,
    ),
}


class CappedServer(FakeLLMServer):
    """The fake server answering at most ``cap`` chat requests at once after ``latency``."""

    def __init__(self, latency: float, cap: int) -> None:
        super().__init__()
        gate = threading.BoundedSemaphore(cap)

        def answer(body: dict[str, Any]) -> tuple[str, str]:
            with gate:
                time.sleep(latency)
                return reply(body)

        self.state.reply = answer
        self._srv.request_queue_size = 4096


def run_case(
    name: str,
    latency: float,
    seconds: float,
    server_cap: int,
    client_cap: int,
    max_n: int,
    workers: int = 1,
) -> str:
    case = CASES[name]
    ideal = min(server_cap, client_cap * workers) / latency
    n = min(max_n, max(20, math.ceil(ideal * seconds / case.per_record)))
    with tempfile.TemporaryDirectory() as tmp_name, CappedServer(latency, server_cap) as srv:
        tmp = Path(tmp_name)
        if case.limited and case.program == "svg":
            _images(tmp / "images", n)
        elif case.limited:
            _pools(tmp / "pools.jsonl", n)
        config = case.config(tmp)
        config["llm"] = {
            "base_url": srv.base_url,
            "model": "tiny",
            "cache": False,
            "max_concurrency": client_cap,
            "timeout_s": max(30.0, 10 * latency),
        }
        marks: dict[str, float] = {}

        def progress(event: str, _data: dict[str, Any]) -> None:
            """CPU from the job's start to its last shard: the candidates and the client,
            not the imports before nor the dataset card after (fixed costs)."""
            if event in ("start", "shard"):
                marks[event] = time.process_time()

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        manifest = synthgen.make(
            case.program, n=n, out=tmp / "out", workers=workers, config=config, progress=progress
        )
        cpu = marks["shard"] - marks["start"]
        if workers > 1:  # the workers' CPU (they are reaped when the job ends)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu += (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        requests = [r for r in srv.requests if r.answered is not None]
        if not requests:
            return f"{name:20s} latency {latency:g}s: no request reached the server"
        span = max(r.answered for r in requests) - min(r.arrived for r in requests)  # type: ignore[type-var]
        rate = len(requests) / span
        last = max(
            json.loads(line)["index"]
            for p in (tmp / "out" / "data").glob("*.jsonl")
            for line in p.read_text().splitlines()
        )
        wasted = _wasted(requests, last, n * 4)
        steady = _steady(requests, latency) / min(server_cap, client_cap * workers)
        return (
            f"{name:20s} latency {latency:>5g}s  n={manifest.totals.accepted:<6d} "
            f"{len(requests):6d} requests in {span:6.1f}s = {rate:8.1f} req/s = "
            f"{rate / ideal:6.1%} of ideal {ideal:7.1f}; peak in flight "
            f"{srv.state.max_in_flight:4d}; steady {steady:6.1%}; "
            f"{manifest.totals.shards} shard(s); wasted {wasted:5.1%}; CPU {cpu:6.1f}s = "
            f"{1000 * cpu / len(requests):5.2f} ms/request (one core: at most "
            f"{len(requests) / max(cpu, 1e-9):7.1f} req/s); {workers} worker(s)"
        )


def _steady(requests: list[Any], latency: float) -> float:
    """Mean requests in flight at the server between one latency after the first arrival
    and one latency before the last reply: the pipeline's steady state, without the first
    ramp and the last drain (shard boundaries inside a job still count)."""
    start = min(r.arrived for r in requests) + latency
    end = max(r.answered for r in requests) - latency
    if end <= start:
        return 0.0
    busy = sum(max(0.0, min(r.answered, end) - max(r.arrived, start)) for r in requests)
    return busy / (end - start)


def _wasted(requests: list[Any], last_index: int, max_index: int) -> float:
    """Share of requests whose candidate index is past ``last_index``."""
    bases = {sample_seed(0, i): i for i in range(max_index)}
    past = 0
    for r in requests:
        seed = r.body.get("seed")
        if seed is None:
            continue
        for call in range(64):
            index = bases.get(seed - call)
            if index is not None:
                past += index > last_index
                break
    return past / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 2.0])
    parser.add_argument("--seconds", type=float, default=20.0, help="target run per case")
    parser.add_argument("--server-cap", type=int, default=256)
    parser.add_argument("--client-cap", type=int, default=128)
    parser.add_argument("--programs", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--max-n", type=int, default=1500, help="records per case at most")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (each keeps client-cap in flight)"
    )
    args = parser.parse_args()
    for latency in args.latency:
        for name in args.programs:
            print(
                run_case(
                    name,
                    latency,
                    args.seconds,
                    args.server_cap,
                    args.client_cap,
                    args.max_n,
                    args.workers,
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
