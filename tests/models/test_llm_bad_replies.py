"""Bad replies are per-request problems, never an exception that ends the job.

A malformed ``usage`` (accounting only) keeps the reply's content and is counted as
``llm.bad_usage``; a reply without usable content is rejected with a reason; JSON with raw
control characters inside strings (vLLM's xgrammar) is read leniently, then validated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from synthgen.models import ChatRequest, LLMRejected, OpenAIChatBackend
from tests.models.fake_llm_server import NO_USAGE, FakeLLMServer, Reply
from tests.models.llm_fixtures import (  # noqa: F401  (fixtures, used by name)
    fixture_make_backend,
    fixture_make_settings,
    fixture_offline,
    fixture_server,
)

MakeBackend = Callable[..., OpenAIChatBackend]


class Note(BaseModel):
    text: str
    tags: list[str]


BAD_USAGES: list[Any] = [
    {"prompt_tokens": "many", "completion_tokens": 3},
    {"prompt_tokens": -5, "completion_tokens": 3},
    {"prompt_tokens": None, "completion_tokens": None},
    {"prompt_tokens": 2.5, "completion_tokens": 3},
    {"prompt_tokens": True, "completion_tokens": 3},
    {"completion_tokens": 3},
    None,
    "lots",
    [7, 3],
    NO_USAGE,
]


@pytest.mark.parametrize("usage", BAD_USAGES, ids=repr)
def test_bad_usage_keeps_the_reply_and_is_counted(
    server: FakeLLMServer, make_backend: MakeBackend, usage: Any
) -> None:
    server.script(Reply("fine words", usage=usage))
    backend = make_backend()
    reply = backend.chat_sync(ChatRequest.user("a", seed=1, stage="cap"))
    assert reply.text == "fine words"
    assert reply.prompt_tokens >= 0 and reply.completion_tokens >= 0
    counts = backend.usage()
    assert counts["llm.bad_usage"] == 1
    assert counts["llm.stage.cap.bad_usage"] == 1
    assert all(isinstance(v, int) and v >= 0 for v in counts.values()), counts
    assert "llm.rejects.llm_bad_response" not in counts


def test_valid_counts_of_a_half_bad_usage_are_kept(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Reply("x", usage={"prompt_tokens": "many", "completion_tokens": 3}))
    backend = make_backend()
    reply = backend.chat_sync(ChatRequest.user("a", seed=1))
    assert (reply.prompt_tokens, reply.completion_tokens) == (0, 3)
    assert backend.usage()["llm.completion_tokens"] == 3


def test_bad_usage_on_a_structured_reply_is_cached_and_replayed(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    payload = {"text": "a cube", "tags": ["cube"]}
    server.script(Reply(json.dumps(payload), usage={"prompt_tokens": "many"}))
    request = ChatRequest.user("a", response_model=Note, seed=4)
    first = make_backend().chat_sync(request)
    assert first.parsed == Note(**payload)
    again = make_backend().chat_sync(request)  # a resumed job: from the cache, no call
    assert again.cached and again.parsed == Note(**payload)
    assert server.chat_hits == 1


def test_a_batch_with_bad_replies_loses_only_those(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    """chat_many (what a job's batch uses) gives every request its own outcome."""
    server.script(
        Reply("one", usage={"prompt_tokens": "many"}),
        Reply(12345),  # content not a string: nothing usable
        Reply("three", usage=None),
    )
    backend = make_backend(max_concurrency=1, cache=False)
    requests = [ChatRequest.user(f"q{i}", seed=i) for i in range(4)]
    results = backend.chat_many_sync(requests)
    texts = [r.text if not isinstance(r, LLMRejected) else r.reason for r in results]
    assert texts == ["one", "llm_bad_response", "three", "echo: q3"]
    counts = backend.usage()
    assert counts["llm.bad_usage"] == 2
    assert counts["llm.rejects.llm_bad_response"] == 1


@pytest.mark.parametrize("content", [None, ""])
def test_empty_content_is_text_not_a_crash(
    server: FakeLLMServer, make_backend: MakeBackend, content: Any
) -> None:
    server.script(Reply(content))
    reply = make_backend(cache=False).chat_sync(ChatRequest.user("a", seed=1))
    assert reply.text == ""


def test_odd_finish_reason_is_kept_as_text(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Reply("x", finish_reason=3))
    reply = make_backend(cache=False).chat_sync(ChatRequest.user("a", seed=1))
    assert reply.text == "x" and reply.finish_reason == "3"


def test_raw_control_characters_in_json_strings_are_read(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    """vLLM's xgrammar may put a raw newline or tab inside a JSON string; the body on the
    wire is valid JSON, the content it carries is not strict JSON."""
    content = '{"text": "line one\nline\ttwo", "tags": ["a\nb"]}'
    with pytest.raises(ValueError):
        json.loads(content)  # really not strict JSON
    server.script(Reply(content))
    backend = make_backend(cache=False)
    reply = backend.chat_sync(ChatRequest.user("a", response_model=Note, seed=1))
    assert reply.parsed == Note(text="line one\nline\ttwo", tags=["a\nb"])
    assert server.chat_hits == 1 and "llm.reasks" not in backend.usage()


def test_lenient_json_still_checks_the_schema(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    server.script(Reply('{"text": "a\nb"}'), Reply('{"text": 3, "tags": []}'))
    with pytest.raises(LLMRejected) as info:
        make_backend(cache=False).chat_sync(ChatRequest.user("a", response_model=Note, seed=1))
    assert info.value.reason == "llm_invalid_json"


def test_corrupt_cache_counts_do_not_crash(
    server: FakeLLMServer, make_backend: MakeBackend
) -> None:
    backend = make_backend()
    request = ChatRequest.user("a", seed=2)
    backend.chat_sync(request)
    key = backend.cache_key_for(request, backend._served, backend.sampling(request))  # type: ignore[arg-type]
    assert key is not None
    backend._cache_put(  # an entry written by hand or by an older version
        key, {"text": "cached", "prompt_tokens": "many", "completion_tokens": -1, "reasks": None}
    )
    reply = backend.chat_sync(request)
    assert reply.cached and reply.text == "cached"
    assert (reply.prompt_tokens, reply.completion_tokens, reply.reasks) == (0, 0, 0)
