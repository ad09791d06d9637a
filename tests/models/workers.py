"""Functions run in child processes by the cross-process tests (importable by spawn)."""

from __future__ import annotations

from typing import Any

from synthgen.models import ChatRequest, LLMRejected, LLMSettings, OpenAIChatBackend


def ask_many(settings: dict[str, Any], prompts: list[str]) -> list[tuple[str, bool]]:
    """Ask each prompt (seed 1) through a fresh backend: [(text, cached), ...]."""
    backend = OpenAIChatBackend(LLMSettings(**settings))
    try:
        out = backend.chat_many_sync([ChatRequest.user(p, seed=1) for p in prompts])
        return [
            ("REJECT" if isinstance(r, LLMRejected) else r.text, getattr(r, "cached", False))
            for r in out
        ]
    finally:
        backend.close()


def ask_with(backend: OpenAIChatBackend, prompt: str) -> tuple[str, bool, dict[str, int]]:
    """Use a backend inherited from the parent (fork) or unpickled (spawn)."""
    r = backend.chat_sync(ChatRequest.user(prompt, seed=2))
    return r.text, r.cached, backend.usage()


INHERITED: OpenAIChatBackend | None = None
"""Set by a test before forking, so the child uses the very object of the parent."""


def ask_inherited(prompt: str) -> tuple[str, bool, dict[str, int]]:
    assert INHERITED is not None
    return ask_with(INHERITED, prompt)
