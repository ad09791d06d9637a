"""The chat backend against a scripted fake OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import base64
import io
import multiprocessing
import pickle
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pydantic import BaseModel

from synthgen.errors import UserError
from synthgen.models import (
    ChatRequest,
    ImagePart,
    LLMRejected,
    OpenAIChatBackend,
    create_chat_backend,
    reject_from,
    request_seed,
)
from synthgen.models.cache import CACHE_FILE
from synthgen.models.retry import parse_retry_after
from synthgen.program import Reject, Rejected
from synthgen.seeding import sample_seed
from tests.models import workers
from tests.models.fake_llm_server import (
    BadJSON,
    CutBody,
    Delay,
    Drop,
    FakeLLMServer,
    Reply,
    Status,
    json_reply,
)
from tests.models.llm_fixtures import (  # noqa: F401  (fixtures, used by name)
    fixture_make_backend,
    fixture_make_settings,
    fixture_offline,
    fixture_server,
)

MakeBackend = Callable[..., OpenAIChatBackend]


class Caption(BaseModel):
    caption: str
    objects: list[str]


CAPTION = {"caption": "a red cube left of a blue sphere", "objects": ["cube", "sphere"]}


def red_image(color: tuple[int, int, int] = (255, 0, 0)) -> Image.Image:
    return Image.new("RGB", (8, 6), color)


# --- requests on the wire ---------------------------------------------------------------


def test_text_chat(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    backend = make_backend(cache=False, temperature=0.3)
    reply = backend.chat_sync(ChatRequest.user("hello", system="be brief", seed=5))
    assert reply.text == "echo: hello"
    assert reply.finish_reason == "stop"
    assert reply.model == "org/tiny" and not reply.cached
    body = server.requests[0].body
    assert body["model"] == "tiny"
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello"},
    ]
    assert body["temperature"] == 0.3 and body["max_tokens"] == 64 and body["top_p"] == 1.0
    assert server.requests[0].path == "/v1/chat/completions"


def test_images_sent_as_data_urls(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    buf = io.BytesIO()
    red_image((0, 0, 255)).save(buf, format="JPEG")
    jpeg = buf.getvalue()
    backend = make_backend(cache=False)
    backend.chat_sync(ChatRequest.user("what differs?", images=[red_image(), jpeg], seed=1))
    parts = server.requests[0].body["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["image_url", "image_url", "text"]
    assert parts[2]["text"] == "what differs?"
    png_url = parts[0]["image_url"]["url"]
    assert png_url.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(png_url.split(",", 1)[1])))
    assert decoded.tobytes() == red_image().tobytes()
    jpeg_url = parts[1]["image_url"]["url"]
    assert jpeg_url == "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


def test_unknown_image_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="PNG, JPEG"):
        ChatRequest.user("x", images=[b"not an image"])


def test_per_request_seed(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    backend = make_backend(cache=False)
    for index in (0, 1):
        backend.chat_sync(ChatRequest.user("hi", seed=request_seed(42, index)))
    seeds = [r.body["seed"] for r in server.requests]
    assert seeds == [sample_seed(42, 0), sample_seed(42, 1)]
    assert seeds[0] != seeds[1]
    assert request_seed(42, 0, call=1) != seeds[0]
    assert all(0 <= s < 2**63 for s in seeds)


# --- structured output ------------------------------------------------------------------


def test_structured_output_response_format(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.state.reply = json_reply(CAPTION)
    backend = make_backend(cache=False, max_tokens=500)
    reply = backend.chat_sync(ChatRequest.user("caption", response_model=Caption, seed=3))
    assert isinstance(reply.parsed, Caption)
    assert reply.parsed.objects == ["cube", "sphere"]
    fmt = server.requests[0].body["response_format"]
    assert fmt == {
        "type": "json_schema",
        "json_schema": {"name": "Caption", "schema": Caption.model_json_schema(), "strict": True},
    }
    assert "structured_outputs" not in server.requests[0].body


def test_structured_outputs_mode(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.state.reply = json_reply(CAPTION)
    backend = make_backend(cache=False, max_tokens=500, structured_output_mode="structured_outputs")
    reply = backend.chat_sync(ChatRequest.user("caption", response_model=Caption, seed=3))
    assert reply.parsed == Caption(**CAPTION)
    body = server.requests[0].body
    assert body["structured_outputs"] == {"json": Caption.model_json_schema()}
    assert "response_format" not in body and "guided_json" not in body


def test_code_fenced_json_is_accepted(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    import json

    server.script(Reply("```json\n" + json.dumps(CAPTION) + "\n```"))
    reply = make_backend(cache=False).chat_sync(
        ChatRequest.user("c", response_model=Caption, seed=1)
    )
    assert reply.parsed == Caption(**CAPTION)


def test_truncated_json_reasked_with_more_tokens(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.state.reply = json_reply(CAPTION)  # needs ~70 tokens at 1 char/token
    backend = make_backend(cache=False, max_tokens=40, max_tokens_cap=1000)
    reply = backend.chat_sync(ChatRequest.user("c", response_model=Caption, seed=9))
    assert reply.parsed == Caption(**CAPTION)
    assert [r.body["max_tokens"] for r in server.requests] == [40, 80]
    assert [r.body["seed"] for r in server.requests] == [9, 9]  # same draw, more room
    assert reply.reasks == 1
    assert backend.usage()["llm.reasks"] == 1


def test_always_truncated_is_rejected(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.state.reply = json_reply({"caption": "x" * 500, "objects": []})
    backend = make_backend(cache=False, max_tokens=40, max_tokens_cap=60)
    with pytest.raises(LLMRejected) as info:
        backend.chat_sync(ChatRequest.user("c", response_model=Caption, seed=9, stage="cap"))
    exc = info.value
    assert exc.reason == "llm_truncated"
    assert isinstance(exc, Rejected) and exc.reject == Reject("llm_truncated", exc.detail)
    assert reject_from(exc).reason == "llm_truncated"
    assert [r.body["max_tokens"] for r in server.requests] == [40, 60]  # x2, capped
    usage = backend.usage()
    assert usage["llm.rejects.llm_truncated"] == 1
    assert usage["llm.stage.cap.rejects.llm_truncated"] == 1
    assert pickle.loads(pickle.dumps(exc)).reason == "llm_truncated"


def test_no_reask_when_already_at_cap(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.state.reply = json_reply({"caption": "x" * 500, "objects": []})
    backend = make_backend(cache=False, max_tokens=40, max_tokens_cap=40)
    with pytest.raises(LLMRejected, match="llm_truncated"):
        backend.chat_sync(ChatRequest.user("c", response_model=Caption, seed=9))
    assert server.chat_hits == 1


def test_invalid_json_reasked_then_rejected(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Reply('{"caption": 3}'), Reply("sorry, no JSON"))
    backend = make_backend(cache=False)
    with pytest.raises(LLMRejected) as info:
        backend.chat_sync(ChatRequest.user("c", response_model=Caption, seed=9))
    assert info.value.reason == "llm_invalid_json"
    assert [r.body["seed"] for r in server.requests] == [9, 10]  # a different draw
    assert [r.body["max_tokens"] for r in server.requests] == [64, 128]


def test_invalid_then_valid_json(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    import json

    server.script(Reply("{oops"), Reply(json.dumps(CAPTION)))
    reply = make_backend(cache=False).chat_sync(
        ChatRequest.user("c", response_model=Caption, seed=1)
    )
    assert reply.parsed == Caption(**CAPTION) and reply.reasks == 1


def test_plain_text_truncation(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Reply("cut", "length"), Reply("cut again", "length"), Reply("cut", "length"))
    backend = make_backend(cache=False)
    with pytest.raises(LLMRejected, match="llm_truncated"):
        backend.chat_sync(ChatRequest.user("story", seed=1))
    reply = backend.chat_sync(ChatRequest.user("story", seed=1, allow_truncated=True))
    assert reply.text == "cut" and reply.finish_reason == "length"


# --- transport failures -----------------------------------------------------------------


def test_429_retry_after_is_honoured(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Status(429, retry_after="0.2"))
    backend = make_backend(cache=False)
    reply = backend.chat_sync(ChatRequest.user("hi", seed=1))
    assert reply.text == "echo: hi"
    first, second = server.requests
    assert first.answered is not None
    assert second.arrived - first.answered >= 0.2
    assert backend.usage()["llm.retries"] == 1


def test_503_retry_after_pauses_all_requests(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Status(503, retry_after="0.3"))
    server.state.delay = 0.05
    backend = make_backend(cache=False, max_concurrency=1)
    start = time.monotonic()
    out = backend.chat_many_sync([ChatRequest.user(f"q{i}", seed=i) for i in range(3)])
    assert all(not isinstance(r, LLMRejected) for r in out)
    first_fail = server.requests[0]
    assert first_fail.answered is not None
    later = [r.arrived for r in server.requests[1:]]
    assert min(later) - first_fail.answered >= 0.3  # nobody went on during the pause
    assert time.monotonic() - start < 3


def test_retry_after_parsing() -> None:
    assert parse_retry_after("0.2") == 0.2
    assert parse_retry_after(" 3 ") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = 1_700_000_000.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:25 GMT", now=now) == pytest.approx(5.0)
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now=now) == 0.0


def test_5xx_retried(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Status(500), Status(502))
    backend = make_backend(cache=False)
    assert backend.chat_sync(ChatRequest.user("hi", seed=1)).text == "echo: hi"
    assert server.chat_hits == 3
    assert backend.usage()["llm.retries"] == 2


def test_dead_server_rejects_after_max_retries(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(*[Status(503)] * 10)
    backend = make_backend(cache=False, max_retries=2)
    with pytest.raises(LLMRejected) as info:
        backend.chat_sync(ChatRequest.user("hi", seed=1))
    assert info.value.reason == "llm_unavailable"
    assert "HTTP 503" in info.value.detail
    assert server.chat_hits == 3


def _free_port() -> int:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_server_never_reached_is_a_user_error(make_settings: Callable[..., Any]) -> None:
    """Every candidate would be rejected: say what to fix instead (exit 2 from the CLI)."""
    url = f"http://127.0.0.1:{_free_port()}/v1"
    backend = OpenAIChatBackend(make_settings(base_url=url, max_retries=1, cache=False))
    requests = [ChatRequest.user(f"hi {i}", seed=i) for i in range(4)]
    with pytest.raises(UserError, match=r"cannot reach the LLM server at .*llm\.base_url"):
        backend.chat_many_sync(requests)
    assert backend.usage()["llm.http_calls"] == 2  # one probe and its retry, not one per request
    with pytest.raises(UserError, match="cannot reach"):
        backend.chat_sync(requests[0])
    assert backend.usage()["llm.http_calls"] == 2


def test_a_server_that_dies_mid_job_rejects_per_request(
    make_settings: Callable[..., Any],
) -> None:
    with FakeLLMServer() as srv:
        backend = OpenAIChatBackend(
            make_settings(base_url=srv.base_url, max_retries=1, cache=False)
        )
        assert backend.chat_sync(ChatRequest.user("hi", seed=1)).text == "echo: hi"
    backend.close()  # the server's handler threads would keep serving kept-alive connections
    with pytest.raises(LLMRejected, match="llm_unavailable"):
        backend.chat_sync(ChatRequest.user("again", seed=2))
    assert backend.usage()["llm.rejects.llm_unavailable"] == 1


@pytest.mark.parametrize("fault", [Drop(), CutBody(), BadJSON()], ids=["reset", "cut", "badjson"])
def test_broken_connections_retried(
    server: FakeLLMServer, make_backend: MakeBackend, fault: Any
) -> None:
    server.script(fault, fault)
    backend = make_backend(cache=False)
    assert backend.chat_sync(ChatRequest.user("hi", seed=1)).text == "echo: hi"
    assert server.chat_hits == 3
    assert backend.usage()["llm.retries"] == 2


def test_timeout_retried(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Delay(1.5))
    backend = make_backend(cache=False, timeout_s=0.3)
    start = time.monotonic()
    assert backend.chat_sync(ChatRequest.user("hi", seed=1)).text == "echo: hi"
    assert time.monotonic() - start < 1.2
    assert backend.usage()["llm.retries"] == 1


def test_bad_request_rejects_without_retry(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Status(400, body={"error": {"message": "prompt longer than max_model_len"}}))
    backend = make_backend(cache=False)
    with pytest.raises(LLMRejected) as info:
        backend.chat_sync(ChatRequest.user("hi", seed=1))
    assert info.value.reason == "llm_bad_request"
    assert "max_model_len" in info.value.detail
    assert server.chat_hits == 1


def test_max_tokens_over_the_servers_context_is_one_user_error(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    """vLLM answers every request 400 when llm.max_tokens alone exceeds its max_model_len (the
    default 1024 against a 512-token server): a config error for the whole job, not a degraded
    or rejected candidate each (seen against vLLM 0.32: svg kept template questions, rc 0)."""
    message = (
        "max_tokens=1024 cannot be greater than max_model_len=512. Please request fewer output "
        "tokens. (parameter=max_tokens, value=1024)"
    )
    server.script(Status(400, body={"error": {"message": message, "param": "max_tokens"}}))
    backend = make_backend(cache=False)
    with pytest.raises(UserError, match=r"at most 512 tokens.*max_tokens=1024.*llm\.max_tokens"):
        backend.chat_sync(ChatRequest.user("hi", seed=1))
    assert server.chat_hits == 1


def test_auth_failure_is_a_user_error(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Status(401))
    with pytest.raises(UserError, match="SYNTHGEN_LLM_API_KEY"):
        make_backend(cache=False).chat_sync(ChatRequest.user("hi", seed=1))


def test_model_selection(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    assert make_backend(model=None, cache=False).chat_sync(ChatRequest.user("x")).text
    assert server.requests[0].body["model"] == "tiny"
    with pytest.raises(UserError, match="not served"):
        make_backend(model="other", cache=False).chat_sync(ChatRequest.user("x"))
    server.state.models.append({"id": "second"})
    with pytest.raises(UserError, match="choose one"):
        make_backend(model=None, cache=False).chat_sync(ChatRequest.user("x"))


# --- concurrency and batching -----------------------------------------------------------


@pytest.mark.parametrize("limit", [3, 12])  # 12: two pools of 8 connections, semaphore binds
def test_max_concurrency_is_bounded(
    server: FakeLLMServer, make_backend: MakeBackend, limit: int
) -> None:
    server.state.delay = 0.05
    backend = make_backend(cache=False, max_concurrency=limit)
    n = 3 * limit
    out = backend.chat_many_sync([ChatRequest.user(f"q{i}", seed=i) for i in range(n)])
    assert [r.text for r in out] == [f"echo: q{i}" for i in range(n)]  # type: ignore[union-attr]
    assert server.state.max_in_flight == limit


def test_chat_many_returns_rejects_in_place(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.state.reply = lambda body: (
        ("cut", "length") if "bad" in str(body["messages"]) else ("fine", "stop")
    )
    backend = make_backend(cache=False, max_reasks=0)
    out = backend.chat_many_sync([ChatRequest.user(p, seed=1) for p in ("good", "bad", "good too")])
    assert isinstance(out[1], LLMRejected) and out[1].reason == "llm_truncated"
    assert [getattr(r, "text", None) for r in (out[0], out[2])] == ["fine", "fine"]


def test_sync_inside_event_loop_is_refused(make_backend: MakeBackend) -> None:
    backend = make_backend(cache=False)

    async def inner() -> None:
        backend.chat_sync(ChatRequest.user("x", seed=1))

    with pytest.raises(RuntimeError, match="await"):
        asyncio.run(inner())


def test_async_use_in_own_loop(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    backend = make_backend(cache=False)

    async def main() -> str:
        reply = await backend.chat(ChatRequest.user("async", seed=1))
        await backend.aclose()
        return reply.text

    assert asyncio.run(main()) == "echo: async"
    assert backend.chat_sync(ChatRequest.user("sync", seed=1)).text == "echo: sync"


# --- cache ------------------------------------------------------------------------------


def test_cache_hit_makes_no_call(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.state.reply = json_reply(CAPTION)
    backend = make_backend(max_tokens=500)
    req = ChatRequest.user("c", images=[red_image()], response_model=Caption, seed=4)
    first = backend.chat_sync(req)
    second = backend.chat_sync(req)
    assert server.chat_hits == 1
    assert not first.cached and second.cached and second.parsed == first.parsed
    usage = backend.usage()
    assert usage["llm.requests"] == 2 and usage["llm.cache_hits"] == 1
    assert usage["llm.http_calls"] == 2  # one GET /models, one chat
    resumed = make_backend(max_tokens=500)  # a resumed job: new backend, same cache dir
    assert resumed.chat_sync(req).cached
    assert server.chat_hits == 1


def test_cache_misses_on_any_request_change(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    backend = make_backend(max_tokens=500)
    base = {"seed": 4, "images": [red_image()]}
    backend.chat_sync(ChatRequest.user("c", **base))
    variants = [
        ChatRequest.user("c", **base, temperature=0.1),
        ChatRequest.user("c", **base, top_p=0.5),
        ChatRequest.user("c", **base, max_tokens=400),
        ChatRequest.user("c", seed=5, images=base["images"]),
        ChatRequest.user("c", seed=4, images=[red_image((254, 0, 0))]),
        ChatRequest.user("c", **base, response_model=Caption),
        ChatRequest.user("d", **base),
    ]
    server.state.reply = lambda body: (json_reply(CAPTION)(body)[0], "stop")
    for i, req in enumerate(variants):
        backend.chat_sync(req)
        assert server.chat_hits == i + 2, f"variant {i} hit the cache"


def test_cache_misses_when_served_model_changes(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    req = ChatRequest.user("c", seed=4)
    make_backend().chat_sync(req)
    make_backend().chat_sync(req)
    assert server.chat_hits == 1
    server.state.models[0]["root"] = "org/tiny-v2"  # same name, other weights
    reply = make_backend().chat_sync(req)
    assert server.chat_hits == 2 and not reply.cached and reply.model == "org/tiny-v2"
    make_backend(revision="abc123").chat_sync(req)  # a pinned revision is part of the key
    assert server.chat_hits == 3


def test_unseeded_sampling_is_not_cached(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    backend = make_backend()
    backend.chat_sync(ChatRequest.user("c"))
    backend.chat_sync(ChatRequest.user("c"))
    assert server.chat_hits == 2
    assert backend.usage()["llm.cache_skips"] == 2
    backend.chat_sync(ChatRequest.user("c", temperature=0.0))
    backend.chat_sync(ChatRequest.user("c", temperature=0.0))  # greedy: cacheable
    assert server.chat_hits == 3


def test_cached_reject_replays_without_calls(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.state.reply = json_reply({"caption": "x" * 500, "objects": []})
    req = ChatRequest.user("c", response_model=Caption, seed=1)
    for _ in range(2):
        with pytest.raises(LLMRejected, match="llm_truncated"):
            make_backend(max_tokens=20, max_tokens_cap=40).chat_sync(req)
    assert server.chat_hits == 2  # first run: ask + re-ask; second run: from cache


def test_unavailable_is_not_cached(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Status(500), Status(500))
    req = ChatRequest.user("c", seed=1)
    with pytest.raises(LLMRejected, match="llm_unavailable"):
        make_backend(max_retries=1).chat_sync(req)
    assert make_backend().chat_sync(req).text == "echo: c"


def test_cache_can_be_disabled(server: FakeLLMServer, make_backend: MakeBackend, tmp_path: Path):
    backend = make_backend(cache=False)
    for _ in range(2):
        backend.chat_sync(ChatRequest.user("c", seed=1))
    assert server.chat_hits == 2
    assert not (tmp_path / "cache").exists()


def test_broken_cache_degrades_to_calls(
    server: FakeLLMServer, make_backend: MakeBackend, tmp_path: Path
) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    backend = make_backend()
    assert backend.chat_sync(ChatRequest.user("c", seed=1)).text == "echo: c"
    assert backend.usage()["llm.cache_errors"] >= 1


def test_cache_shared_across_processes(server: FakeLLMServer, make_settings: Any) -> None:
    settings = make_settings().model_dump()
    a = [f"p{i}" for i in range(12)]
    b = [f"p{i}" for i in range(6, 18)]  # overlaps a: both may write the same keys
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        fa = pool.submit(workers.ask_many, settings, a)
        fb = pool.submit(workers.ask_many, settings, b)
        ra, rb = fa.result(timeout=60), fb.result(timeout=60)
    assert [t for t, _ in ra] == [f"echo: {p}" for p in a]
    assert [t for t, _ in rb] == [f"echo: {p}" for p in b]
    hits = server.chat_hits
    assert 18 <= hits <= 24
    again = workers.ask_many(settings, [f"p{i}" for i in range(18)])  # this process
    assert all(cached for _, cached in again)
    assert server.chat_hits == hits


def test_backend_survives_fork_and_pickle(server: FakeLLMServer, make_backend: MakeBackend):
    backend = make_backend(cache=False)
    backend.chat_sync(ChatRequest.user("parent", seed=1))  # loop + client exist in the parent
    workers.INHERITED = backend  # the forked child sees this very object, loop and client
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            inherited = pool.submit(workers.ask_inherited, "child").result(timeout=30)
            pickled = pool.submit(workers.ask_with, backend, "pickled").result(timeout=30)
    finally:
        workers.INHERITED = None
    assert inherited[:2] == ("echo: child", False)
    assert inherited[2]["llm.requests"] == 1  # the child counts only its own work
    assert pickled[:2] == ("echo: pickled", False)
    assert backend.usage()["llm.requests"] == 1
    clone = pickle.loads(pickle.dumps(backend))
    assert clone.chat_sync(ChatRequest.user("clone", seed=1)).text == "echo: clone"


# --- secrets ----------------------------------------------------------------------------

SECRET = "sk-test-SECRET-4f9a1c"


def test_api_key_is_sent_but_never_kept(
    server: FakeLLMServer,
    make_backend: MakeBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNTHGEN_LLM_API_KEY", SECRET)
    leaky = {"error": {"message": f"bad request from Bearer {SECRET}"}}
    server.script(Status(400, body=leaky))
    backend = make_backend()
    with pytest.raises(LLMRejected) as info:
        backend.chat_sync(ChatRequest.user("c", seed=1))
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert "***" in info.value.detail
    backend.chat_sync(ChatRequest.user("c", seed=1))
    backend.chat_sync(ChatRequest.user("c", seed=1))
    assert server.requests[-1].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(backend)
    assert SECRET.encode() not in pickle.dumps(backend)
    assert SECRET not in str(backend.settings.model_dump())
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert files
    for f in files:
        assert SECRET.encode() not in f.read_bytes()


def test_openai_api_key_fallback(
    server: FakeLLMServer, make_backend: MakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    make_backend(cache=False).chat_sync(ChatRequest.user("c", seed=1))
    assert server.requests[-1].headers["authorization"] == "Bearer sk-fallback"


def test_no_key_no_auth_header(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    make_backend(cache=False).chat_sync(ChatRequest.user("c", seed=1))
    assert "authorization" not in server.requests[-1].headers


# --- accounting and settings ------------------------------------------------------------


def test_usage_counters(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    server.script(Status(500))
    backend = make_backend()
    backend.chat_sync(ChatRequest.user("a", seed=1, stage="caption"))
    backend.chat_sync(ChatRequest.user("a", seed=1, stage="caption"))
    backend.chat_sync(ChatRequest.user("b", seed=1, stage="verify"))
    usage = backend.usage(reset=True)
    assert usage["llm.requests"] == 3
    assert usage["llm.cache_hits"] == 1
    assert usage["llm.retries"] == 1
    assert usage["llm.prompt_tokens"] == 14  # the fake reports 7 per answered call
    assert usage["llm.completion_tokens"] == 2 * 1  # len("echo: a") // 4 == 1
    assert usage["llm.stage.caption.requests"] == 2
    assert usage["llm.stage.caption.cache_hits"] == 1
    assert usage["llm.stage.verify.requests"] == 1
    assert all(isinstance(v, int) for v in usage.values())
    assert backend.usage() == {}


def test_settings_are_validated() -> None:
    with pytest.raises(UserError, match="base_ulr"):
        create_chat_backend({"base_ulr": "http://x"})
    with pytest.raises(UserError, match="max_concurrency"):
        create_chat_backend({"max_concurrency": 0})
    with pytest.raises(UserError, match="structured_output_mode"):
        create_chat_backend({"structured_output_mode": "guided_json"})
    backend = create_chat_backend({"base_url": "http://127.0.0.1:9/v1", "model": "m"})
    assert isinstance(backend, OpenAIChatBackend)


def test_image_part_hash_is_of_pixels() -> None:
    a, b = ImagePart.from_pil(red_image()), ImagePart.from_pil(red_image())
    assert a.sha256 == b.sha256 and a.mime == "image/png"
    assert ImagePart.from_pil(red_image((0, 255, 0))).sha256 != a.sha256
    assert "data" not in repr(a)


def test_threads_share_one_backend(server: FakeLLMServer, make_backend: MakeBackend) -> None:
    """Each thread gets its own loop, clients and sqlite connection; the cache is shared."""
    from concurrent.futures import ThreadPoolExecutor

    backend = make_backend()
    prompts = [f"t{i % 6}" for i in range(24)]
    with ThreadPoolExecutor(4) as pool:
        texts = list(
            pool.map(lambda p: backend.chat_sync(ChatRequest.user(p, seed=1)).text, prompts)
        )
    assert texts == [f"echo: {p}" for p in prompts]
    assert 6 <= server.chat_hits <= 6 * 4  # racing threads may both miss; never more
    hits = server.chat_hits
    assert all(backend.chat_sync(ChatRequest.user(f"t{i}", seed=1)).cached for i in range(6))
    assert server.chat_hits == hits
    assert backend.usage()["llm.requests"] == 30
