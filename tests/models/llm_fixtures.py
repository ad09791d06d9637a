"""Fixtures of the chat-backend tests (imported by those test modules, not a conftest, so other
backend tests in this folder keep their own set-up): fake server on loopback, no network."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from synthgen.models import LLMSettings, OpenAIChatBackend
from tests.models.fake_llm_server import FakeLLMServer


@pytest.fixture(name="offline", autouse=True)
def fixture_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connect outside loopback raises; no API key leaks in from the environment."""
    orig = socket.socket.connect

    def guard(self: socket.socket, address: Any, *a: Any, **k: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise RuntimeError(f"network access attempted in an offline test: {address!r}")
        return orig(self, address, *a, **k)

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("SYNTHGEN_LLM_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(name="server")
def fixture_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as srv:
        yield srv


@pytest.fixture(name="make_settings")
def fixture_make_settings(server: FakeLLMServer, tmp_path: Path) -> Callable[..., LLMSettings]:
    """Settings for the fake server: fast backoff, cache in tmp_path unless overridden."""

    def make(**overrides: Any) -> LLMSettings:
        values: dict[str, Any] = {
            "base_url": server.base_url,
            "model": "tiny",
            "cache_dir": str(tmp_path / "cache"),
            "backoff_base_s": 0.01,
            "max_backoff_s": 2.0,
            "timeout_s": 5.0,
            "max_retries": 4,
            "max_tokens": 64,
        }
        values.update(overrides)
        return LLMSettings(**values)

    return make


@pytest.fixture(name="make_backend")
def fixture_make_backend(make_settings: Callable[..., LLMSettings]) -> Iterator[Callable[..., Any]]:
    made: list[OpenAIChatBackend] = []

    def make(**overrides: Any) -> OpenAIChatBackend:
        backend = OpenAIChatBackend(make_settings(**overrides))
        made.append(backend)
        return backend

    yield make
    for b in made:
        b.close()
