"""Candidates in flight (synthgen.inflight): a model-backed job keeps many candidates' requests
in flight at once, and its bytes do not depend on how many, nor on the order replies arrive."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import synthgen
from synthgen import inflight
from synthgen.models import loops
from tests.helpers import dataset_bytes
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401


def shuffled_paraphrase(body: dict[str, Any]) -> tuple[str, str]:
    """A paraphrase that is a function of the request alone, sent after a random delay (from
    an unseeded RNG), so replies come back in an order unrelated to the requests'."""
    time.sleep(random.random() * 0.03)
    question = last_user_text(body).split("Question:", 1)[-1].strip()
    return json.dumps({"question": "Please tell me: " + question}), "stop"


def _svg_config(server: FakeLLMServer, tmp_path: Path, concurrency: int) -> dict[str, Any]:
    return {
        "world": "shapes",
        "qa": {"per_image": 3},
        "paraphrase": "llm",
        "llm": {
            "base_url": server.base_url,
            "model": "tiny",
            "cache": False,
            "max_concurrency": concurrency,
            "backoff_base_s": 0.01,
        },
    }


def test_concurrency_one_and_128_give_the_same_bytes_with_shuffled_replies(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.state.reply = shuffled_paraphrase
    outs = {}
    peaks: dict[int, int] = {}
    concurrency: dict[int, float] = {}
    for width in (1, 128):
        server.state.max_in_flight = 0
        outs[width] = tmp_path / f"c{width}"
        manifest = synthgen.make(
            "svg",
            n=24,
            out=outs[width],
            workers=1,
            shard_size=10,
            config=_svg_config(server, tmp_path, width),
        )
        assert manifest.totals.accepted == 24
        peaks[width] = server.state.max_in_flight
        stage = manifest.model["paraphrase"]  # the manifest's model use per stage
        # 3 requests a candidate. At width 1 exactly the candidates the job needs ask (the
        # 24 accepted and any rejected after its paraphrase). At width 128 the job is one
        # stream across shard ends, which may start candidates past the last one needed at
        # the job's accept rate, more while finished candidates' acceptance is not yet
        # counted: 3 seen twice on a loaded machine (27 candidates for 24 with one reject
        # before its paraphrase); 4 allowed, far below the window of 128
        assert stage.requests % 3 == 0
        if width == 1:
            needed = stage.requests
            assert 24 * 3 <= needed <= 26 * 3
        else:
            assert needed <= stage.requests <= needed + 4 * 3
        assert stage.prompt_tokens == 7 * stage.requests
        concurrency[width] = stage.concurrency
    assert dataset_bytes(outs[1]) == dataset_bytes(outs[128])
    records = [
        json.loads(line)
        for p in sorted((outs[1] / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]
    assert all(q["question"].startswith("Please tell me: ") for r in records for q in r["qa"])
    # one candidate asks 3 questions at once: more than 3 in flight means across candidates
    assert peaks[1] == 1
    assert peaks[128] > 3
    assert concurrency[1] <= 1.01 < 2 < concurrency[128]


def test_in_index_order_yields_in_order_whatever_the_finishing_order() -> None:
    def make(i: int) -> int:
        time.sleep(random.random() * 0.01)
        return i

    got = list(inflight.in_index_order(make, 5, 60, 16, lambda _: True))
    assert got == list(range(5, 60))


def test_in_index_order_runs_up_to_width_at_once() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def make(i: int) -> int:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return i

    assert list(inflight.in_index_order(make, 0, 40, 8, lambda _: True)) == list(range(40))
    assert 2 < state["peak"] <= 8


def test_a_needed_count_keeps_candidates_past_it_from_starting() -> None:
    started: list[int] = []
    lock = threading.Lock()
    accepted = {i for i in range(1000) if random.Random(i).random() < 0.5}

    def make(i: int) -> bool:
        with lock:
            started.append(i)
        time.sleep(random.random() * 0.005)
        return i in accepted

    taken = 0
    for ok in inflight.in_index_order(make, 0, None, 64, bool, needed=100):
        taken += ok
        if taken == 100:
            break
    last = sorted(accepted)[99]
    past = [i for i in started if i > last]
    assert max(started) >= last
    # about 200 candidates are needed; a window of 64 with no estimate would waste up to 63
    assert len(past) <= 20, (last, past)


def test_an_error_is_raised_at_its_index_turn() -> None:
    def make(i: int) -> int:
        if i == 7:
            raise ValueError("seven")
        return i

    seen: list[int] = []
    with pytest.raises(ValueError, match="seven"):
        for value in inflight.in_index_order(make, 0, 20, 8, lambda _: True):
            seen.append(value)
    assert seen == list(range(7))


def _cpu_then_model(width: int, count: int) -> dict[str, int]:
    """Run ``count`` candidates that each do some CPU work, wait on the model loop
    (``loops.run_sync``, as a chat call does), then do some more CPU work; return the peaks
    of candidates started and not finished, waiting on the model, and using the CPU before
    their request."""
    lock = threading.Lock()
    now = {"running": 0, "waiting": 0, "cpu": 0}
    peak = dict.fromkeys(now, 0)

    def move(**delta: int) -> None:
        with lock:
            for key, d in delta.items():
                now[key] += d
                peak[key] = max(peak[key], now[key])

    async def reply() -> None:
        move(waiting=1)
        await asyncio.sleep(0.05)
        move(waiting=-1)

    def make(i: int) -> int:
        move(running=1, cpu=1)
        time.sleep(0.002)  # rendering before the request
        move(cpu=-1)
        loops.run_sync(reply())
        time.sleep(0.001)  # checking the reply
        move(running=-1)
        return i

    assert list(inflight.in_index_order(make, 0, count, width, lambda _: True)) == list(
        range(count)
    )
    return peak


def test_candidates_ahead_of_the_model_width_do_their_cpu_work_while_requests_fly() -> None:
    width = 16
    peak = _cpu_then_model(width, 200)
    # a reserve beyond the width is started (before: never more than `width` candidates, so
    # those rendering or checking were missing from the requests in flight) ...
    assert width < peak["running"] <= inflight.window_for(width)
    assert peak["waiting"] <= inflight.window_for(width)
    # ... but no candidate starts while AHEAD of them use the CPU
    assert peak["cpu"] <= inflight.AHEAD
