"""A model-backed job that needs fewer records than a shard holds still keeps every worker
busy (the engine makes the lone shard in parts, one per worker), and its bytes are those of a
one-worker run."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

import pytest

import synthgen
import synthgen.shard
from synthgen.manifest import read_sidecars
from tests.helpers import dataset_bytes
from tests.models.fake_llm_server import FakeLLMServer
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401
from tests.models.test_inflight import shuffled_paraphrase

_real_run_part = synthgen.shard.run_part
_log: Path | None = None
_barrier: Any = None
_first_round_end = 0
"""Knowing nothing yet, the engine's first round of parts covers exactly [0, n)."""


def recording_run_part(task: synthgen.shard.PartTask) -> synthgen.shard.PartResult:
    """run_part that notes which process made which part and how many records it holds.
    The first two parts wait for each other (briefly), so the pool cannot hand both to the
    same worker: the test asks whether the engine gives two workers work at the same time."""
    if _barrier is not None and task.stop <= _first_round_end:
        with contextlib.suppress(threading.BrokenBarrierError):
            _barrier.wait(timeout=300)  # only a stuck pool; a loaded box starts workers slowly
    result = _real_run_part(task)
    assert _log is not None
    with open(_log, "a") as f:
        f.write(json.dumps([os.getpid(), task.start, task.stop, result.accepted]) + "\n")
    return result


def _config(server: FakeLLMServer) -> dict[str, Any]:
    return {
        "world": "shapes",
        "qa": {"per_image": 2},
        "paraphrase": "llm",
        "llm": {
            "base_url": server.base_url,
            "model": "tiny",
            "cache": False,
            "max_concurrency": 32,
            "backoff_base_s": 0.01,
        },
    }


def _shard_facts(root: Path) -> list[dict[str, Any]]:
    """Each shard's entry without run facts (timings, model usage: the calls made)."""
    facts = []
    for entry in read_sidecars(root).values():
        data = entry.model_dump(mode="json")
        data.pop("timings")
        data["counters"] = {k: v for k, v in data["counters"].items() if not k.startswith("llm.")}
        facts.append(data)
    return facts


@pytest.mark.parametrize("n", [40, 7])
def test_n_below_the_shard_size_gives_both_workers_records_and_the_same_bytes(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    global _log, _barrier, _first_round_end
    server.state.reply = shuffled_paraphrase
    _log = tmp_path / "parts.jsonl"
    _barrier = multiprocessing.get_context("fork").Barrier(2)
    _first_round_end = n
    monkeypatch.setattr(synthgen.shard, "run_part", recording_run_part)
    config = _config(server)
    two = synthgen.make("svg", n=n, out=tmp_path / "w2", workers=2, seed=3, config=config)
    one = synthgen.make("svg", n=n, out=tmp_path / "w1", workers=1, seed=3, config=config)
    assert two.totals.accepted == one.totals.accepted == n
    parts = [json.loads(line) for line in _log.read_text().splitlines()]
    pids_with_records = {pid for pid, _, _, accepted in parts if accepted > 0}
    assert len(pids_with_records) == 2, parts
    assert os.getpid() not in pids_with_records  # the workers made them, not the engine
    assert dataset_bytes(tmp_path / "w2") == dataset_bytes(tmp_path / "w1")
    assert _shard_facts(tmp_path / "w2") == _shard_facts(tmp_path / "w1")
    assert (tmp_path / "w2/data/shard-00000.jsonl").read_bytes().count(b"\n") == n


def test_one_and_a_half_shards_on_four_workers_split_each_shard_and_make_nothing_twice(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    """n = 1.5 shards, 4 workers: the engine used to run a wave of 2 whole shards (2 workers
    idle), the second made in full and then cut and made again up to the n-th record: 197
    paraphrase requests for 60 records (~120 needed). Now each shard is made in parts by all
    workers and stops at the n-th record: requests only for the candidates written, and the
    bytes of a one-worker run."""
    server.state.reply = shuffled_paraphrase
    config = _config(server)
    four = synthgen.make(
        "svg", n=60, out=tmp_path / "w4", workers=4, shard_size=40, seed=3, config=config
    )
    asked_four = server.chat_hits
    one = synthgen.make(
        "svg", n=60, out=tmp_path / "w1", workers=1, shard_size=40, seed=3, config=config
    )
    assert four.totals.accepted == one.totals.accepted == 60
    assert dataset_bytes(tmp_path / "w4") == dataset_bytes(tmp_path / "w1")
    # every request the server saw is in the manifest's shards (none went to a shard made
    # and then thrown away), and about 2 per written candidate (qa.per_image=2)
    counted = four.totals.counters["llm.requests"]
    assert asked_four == counted <= 2 * four.totals.candidates + 8, (asked_four, counted)


def test_one_worker_streams_across_shard_ends_with_the_bytes_of_shard_by_shard(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker, model-backed: the job is one stream of candidates across shard ends (its
    requests stay in flight there; rejects carry the stream into further shards), written
    shard by shard with the bytes and shard entries of the shard-by-shard path (which
    max_concurrency 1 takes), also when a dataset made by a stream is extended."""
    import synthgen.engine

    streams: list[synthgen.shard.StreamTask] = []

    def recording_run_stream(task: synthgen.shard.StreamTask) -> list:
        streams.append(task)
        return synthgen.shard.run_stream(task)

    monkeypatch.setattr(synthgen.engine, "run_stream", recording_run_stream)
    server.state.reply = shuffled_paraphrase
    config = _config(server)
    serial_config = {**config, "llm": {**config["llm"], "max_concurrency": 1}}
    common = {"workers": 1, "shard_size": 16, "seed": 3}
    streamed = synthgen.make("svg", n=60, out=tmp_path / "s", config=config, **common)
    assert [(t.first, t.max_accepted) for t in streams] == [(0, 60)]  # one task, to n
    synthgen.make("svg", n=60, out=tmp_path / "o", config=serial_config, **common)
    assert len(streams) == 1  # shard by shard: no stream
    assert len(streamed.shards) == 5  # 4 shards of 16 held 60 records less the rejects
    assert dataset_bytes(tmp_path / "s") == dataset_bytes(tmp_path / "o")
    assert _shard_facts(tmp_path / "s") == _shard_facts(tmp_path / "o")
    synthgen.make("svg", n=30, out=tmp_path / "x", config=config, **common)
    synthgen.make("svg", n=60, out=tmp_path / "x", config=config, **common)
    assert dataset_bytes(tmp_path / "x") == dataset_bytes(tmp_path / "o")
