"""``synthgen plan``: a small sample against the loopback server, nothing written, and the
figures for --n extrapolated from what the server really answered."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Any

import pytest

from synthgen.plan import run_plan
from tests.helpers import run_cli
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401


class CountingParaphraser:
    """Paraphrases, and adds up the usage the fake server will report for each reply
    (7 prompt tokens, len(content) // 4 completion tokens)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.prompt = 0
        self.completion = 0

    def __call__(self, body: dict[str, Any]) -> tuple[str, str]:
        question = last_user_text(body).split("Question:", 1)[-1].strip()
        content = json.dumps({"question": "Please tell me: " + question})
        with self.lock:
            self.prompt += 7
            self.completion += max(1, len(content) // 4)
        return content, "stop"


def _config(server: FakeLLMServer, tmp_path: Path) -> dict[str, Any]:
    return {
        "world": "shapes",
        "qa": {"per_image": 3},
        "paraphrase": "llm",
        "llm": {"base_url": server.base_url, "model": "tiny", "cache_dir": str(tmp_path / "c")},
    }


def test_plan_measures_the_sample_and_extrapolates_to_n(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = CountingParaphraser()
    server.state.reply = counter
    monkeypatch.chdir(tmp_path)
    plan = run_plan("svg", 1000, sample=10, config=_config(server, tmp_path))
    assert plan.sample == 10
    assert plan.requests == server.chat_hits  # the cache is off: every request was sent
    assert (plan.prompt_tokens, plan.completion_tokens) == (counter.prompt, counter.completion)
    assert 0 < plan.accepted <= 10
    needed = math.ceil(1000 / (plan.accepted / 10))
    assert plan.candidates_needed == needed
    cost = (counter.prompt / 10 * needed * 1.5 + counter.completion / 10 * needed * 6.0) / 1e6
    assert plan.cost(1.5, 6.0) == pytest.approx(cost)
    assert list(tmp_path.iterdir()) == [tmp_path / "c"] or not list(tmp_path.iterdir())
    # a second plan sends every request again (nothing cached), same counts
    hits = server.chat_hits
    again = run_plan("svg", 1000, sample=10, config=_config(server, tmp_path))
    assert server.chat_hits == 2 * hits and again.accepted == plan.accepted


def test_plan_on_the_cli_prints_the_figures_and_writes_no_dataset(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.state.reply = CountingParaphraser()
    result = run_cli(
        "plan", "svg", "--n", "500", "--sample", "6", "--price-per-mtok", "0.5,2",
        "--set", 'world="shapes"', "--set", 'paraphrase="llm"',
        "--set", f'llm.base_url="{server.base_url}"', "--set", 'llm.model="tiny"',
        "--set", f'llm.cache_dir="{tmp_path / "c"}"',
        cwd=tmp_path,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sample: 6 candidates" in out
    assert f"sample model calls: {server.chat_hits} requests" in out
    assert "for --n 500: about" in out and "expected wall time" in out
    assert "cost at 0.5 / 2 per million" in out
    assert not (tmp_path / "out").exists()


def test_a_bad_price_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("plan", "svg", "--n", "5", "--price-per-mtok", "cheap", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--price-per-mtok" in result.stderr
