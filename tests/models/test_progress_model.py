"""The live progress line of model-backed jobs: requests in flight, requests/s, tokens/s over
the recent window (synthgen.progress.ModelRates), fed by the engine's model_activity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthgen import progress
from synthgen.live import LiveCounts


def test_model_rates_over_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 102.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    activity = iter([(0, 0, 0), (96, 300, 45_000)])
    rates = progress.ModelRates(lambda: next(activity))
    assert rates.line() == ""  # nothing sent yet: nothing shown
    assert rates.line() == "model: 96 in flight, 150.0 req/s, 22,500 tok/s"


def test_live_counts_carry_model_activity_of_running_shards_only() -> None:
    counts = LiveCounts()
    counts.begin(3)
    counts.add_model(+2, 0, 0)
    counts.add_model(-1, 1, 120)
    assert counts.model_activity(finished=set()) == (1, 1, 120)
    assert counts.model_activity(finished={3}) == (0, 0, 0)  # its entry counts it now


def test_json_log_shard_events_carry_model_calls_and_tokens(tmp_path: Path) -> None:
    from tests.helpers import run_cli
    from tests.models.fake_llm_server import FakeLLMServer, last_user_text

    def reply(body: dict) -> tuple[str, str]:
        question = last_user_text(body).split("Question:", 1)[-1].strip()
        return json.dumps({"question": "Please tell me: " + question}), "stop"

    with FakeLLMServer() as server:
        server.state.reply = reply
        result = run_cli(
            "make", "svg", "--n", "4", "--out", str(tmp_path / "ds"), "--workers", "1",
            "--log-format", "json", "--set", 'world="shapes"', "--set", 'paraphrase="llm"',
            "--set", "qa.per_image=2", "--set", f'llm.base_url="{server.base_url}"',
            "--set", 'llm.model="tiny"', "--set", f'llm.cache_dir="{tmp_path / "c"}"',
            timeout=120,
        )  # fmt: skip
        hits = server.chat_hits
    assert result.returncode == 0, result.stderr
    shards = [json.loads(line) for line in result.stdout.splitlines()]
    shards = [e for e in shards if e["event"] == "shard"]
    assert sum(e["model_calls"] for e in shards) == hits == 4 * 2
    assert all(e["model_tokens"] > 0 and e["model_seconds"] >= 0 for e in shards)
