"""Faults of a model server during a job, each against the fault-injecting loopback server:
they end as per-candidate rejects with reasons, degraded records that are counted and shown,
or one clear line (exit 2, resumable); never a traceback, never a hang."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import synthgen
from synthgen import inflight
from synthgen.errors import UserError
from tests.helpers import dataset_bytes, run_cli
from tests.models.fake_llm_server import FakeLLMServer, Status, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401


def _paraphrase(body: dict[str, Any]) -> tuple[str, str]:
    question = last_user_text(body).split("Question:", 1)[-1].strip()
    return json.dumps({"question": "Please tell me: " + question}), "stop"


def _llm(server: FakeLLMServer, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": server.base_url,
        "model": "tiny",
        "cache_dir": str(tmp_path / "cache"),
        "backoff_base_s": 0.01,
        "max_backoff_s": 0.05,
        "max_retries": 1,
        **extra,
    }


def _config(server: FakeLLMServer, tmp_path: Path, **llm: Any) -> dict[str, Any]:
    return {
        "world": "shapes",
        "qa": {"per_image": 3},
        "paraphrase": "llm",
        "llm": _llm(server, tmp_path, **llm),
    }


def test_a_server_that_never_answers_stops_the_job_with_one_line(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.state.delay = 60.0  # accepts, reads the request, never answers in time
    start = time.monotonic()
    with pytest.raises(UserError, match=r"stalled: no reply for \d+ s"):
        synthgen.make(
            "svg",
            n=20,
            out=tmp_path / "ds",
            workers=1,
            config=_config(server, tmp_path, timeout_s=1.0),
        )
    # one timeout (1 s) and out: not retries x candidates x timeout
    assert time.monotonic() - start < 30


def test_a_stalled_server_on_the_cli_is_one_line_and_exit_2(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.state.delay = 60.0
    url = server.base_url
    result = run_cli(
        "make", "svg", "--n", "5", "--out", str(tmp_path / "ds"), "--workers", "1",
        "--set", 'world="shapes"', "--set", 'paraphrase="llm"',
        "--set", f'llm.base_url="{url}"', "--set", 'llm.model="tiny"',
        "--set", "llm.timeout_s=1.0", "--set", f'llm.cache_dir="{tmp_path / "c"}"',
        "--no-progress",
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "stalled" in lines[0] and "rerun" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_server_that_dies_stops_the_job_after_k_unavailable_in_a_row_and_resumes(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.state.reply = _paraphrase
    out = tmp_path / "ds"
    config = _config(server, tmp_path, max_consecutive_unavailable=6, max_concurrency=1)
    synthgen.make("svg", n=4, out=out, workers=1, shard_size=4, config=config)
    server.script(*[Status(500)] * 400)  # then the server dies
    with pytest.raises(UserError, match="unavailable for 6 requests in a row"):
        synthgen.make("svg", n=12, out=out, workers=1, shard_size=4, config=config)
    server.state.script.clear()  # it comes back: the same command resumes
    manifest = synthgen.make("svg", n=12, out=out, workers=1, shard_size=4, config=config)
    assert manifest.totals.accepted == 12
    fresh = tmp_path / "fresh"
    synthgen.make("svg", n=12, out=fresh, workers=1, shard_size=4, config=config)
    assert dataset_bytes(fresh) == dataset_bytes(out)


def test_schema_mismatch_and_bad_usage_degrade_records_that_are_counted_and_shown(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    def reply(body: dict[str, Any]) -> tuple[str, str]:
        text = last_user_text(body)
        if len(text) % 3 == 0:
            return json.dumps({"wrong": "shape"}), "stop"  # 200, not the schema
        return _paraphrase(body)

    server.state.reply = reply
    result = run_cli(
        "make", "svg", "--n", "6", "--out", str(tmp_path / "ds"), "--workers", "1",
        "--set", 'world="shapes"', "--set", 'paraphrase="llm"', "--set", "qa.per_image=3",
        "--set", f'llm.base_url="{server.base_url}"', "--set", 'llm.model="tiny"',
        "--set", f'llm.cache_dir="{tmp_path / "c"}"', "--set", "llm.max_reasks=0",
        "--no-progress",
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    counters = manifest["totals"]["counters"]
    failed = counters.get("qa.paraphrase_failed.llm_invalid_json", 0)
    assert failed >= 1
    degraded = counters["degraded.paraphrase"]
    assert 1 <= degraded <= 6
    assert f"degraded {degraded}" in result.stdout + result.stderr


def test_a_job_whose_first_100_candidates_are_all_rejected_stops_whatever_the_shard_size(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(300):
        Image.new("RGB", (32, 24), (i % 256, 90, 160)).save(folder / f"img{i:03d}.png")
    server.state.reply = lambda body: (json.dumps({"objects": "none"}), "stop")  # not the schema
    config = {"annotator": "mllm", "images": str(folder), "llm": _llm(server, tmp_path)}
    with pytest.raises(UserError, match=r"rejected all of its first 100 candidates.*llm_invalid"):
        synthgen.make("svg", n=5, out=tmp_path / "ds", workers=1, shard_size=1000, config=config)
    # stopped at about 100 candidates (each asked twice: a re-ask), plus those started then
    # (llm.max_concurrency 128 and the reserve ahead of it: synthgen.inflight.window_for)
    assert server.chat_hits <= 2 * (100 + inflight.window_for(128)) < 2 * 300
