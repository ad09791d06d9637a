"""Chat LLM/MLLM backends: the interface, the shared request pipeline, the HTTP client.

Contract (DESIGN.md section 7). A :class:`ChatBackend` turns a
:class:`~synthgen.models.messages.ChatRequest` into a
:class:`~synthgen.models.messages.ChatResponse` or raises :class:`LLMRejected`. It never lets
a bad reply or a dead server crash a job: truncated or invalid output is re-asked once with a
larger ``max_tokens`` and then rejected with a reason code; transient server failures are
retried with backoff and then rejected as ``llm_unavailable``. :class:`LLMRejected` *is* a
:class:`synthgen.program.Rejected`, so a program that does not catch it rejects the candidate
with that reason; :func:`reject_from` turns it into a :class:`~synthgen.program.Reject`.

Only configuration mistakes (wrong key, wrong URL, unknown model) raise
:class:`~synthgen.errors.UserError`: rejecting every sample of a long job for those would
only hide them.

:class:`CachingChatBackend` holds what every backend shares: the on-disk response cache keyed
on the whole request, the re-ask loop, validation of structured output and the usage
counters. :class:`OpenAIChatBackend` speaks the OpenAI-compatible HTTP API of ``vllm serve``
(also SGLang, llama.cpp, TGI) with ``aiohttp``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from synthgen import live
from synthgen.errors import UserError
from synthgen.models.cache import ResponseCache, cache_key
from synthgen.models.config import LLMSettings, load_llm_settings
from synthgen.models.loops import run_sync
from synthgen.models.messages import ChatRequest, ChatResponse, schema_name
from synthgen.models.retry import (
    RETRY_AFTER_STATUSES,
    TRANSIENT_STATUSES,
    Backoff,
    parse_retry_after,
)
from synthgen.models.usage import InFlightClock, UsageCounter
from synthgen.program import Reject, Rejected

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger(__name__)

FALLBACK_API_KEY_ENV = "OPENAI_API_KEY"

CACHEABLE_REJECTS = frozenset({"llm_truncated", "llm_invalid_json"})
"""Rejects that depend on the request alone, so a resumed job may replay them from cache."""


class LLMRejected(Rejected):
    """The model gave no usable answer for this request; the candidate should be rejected.

    ``reason`` is a short code counted in the manifest: ``llm_truncated`` (cut at
    ``max_tokens`` even after the re-ask), ``llm_invalid_json`` (not valid JSON for the schema),
    ``llm_unavailable`` (server errors/timeouts after all retries), ``llm_bad_request`` (the
    server refused this request, e.g. prompt too long), ``llm_bad_response`` (a reply without
    a message). ``detail`` is one line for humans; it never contains the API key.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(Reject(reason=reason, detail=detail or None))
        self.reason = reason
        self.detail = detail
        self.args = (reason, detail)

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


def reject_from(exc: BaseException) -> Reject:
    """The :class:`~synthgen.program.Reject` a program should return for ``exc``."""
    if isinstance(exc, Rejected):
        return exc.reject
    return Reject(reason="llm_error", detail=f"{type(exc).__name__}: {exc}"[:500])


def api_key(env_name: str) -> str | None:
    """The API key from ``env_name``, else ``OPENAI_API_KEY``, else None (no auth header)."""
    return os.environ.get(env_name) or os.environ.get(FALLBACK_API_KEY_ENV) or None


def redact(text: str, env_name: str) -> str:
    """``text`` with any API key we might send replaced by ``***``."""
    for secret in (os.environ.get(env_name), os.environ.get(FALLBACK_API_KEY_ENV)):
        if secret:
            text = text.replace(secret, "***")
    return text


@functools.lru_cache(maxsize=256)
def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of a response model (computed once per class)."""
    return model.model_json_schema()


def lenient_json(text: str) -> str:
    """``text`` as strict JSON when it is JSON only with raw control characters inside
    strings (vLLM's xgrammar emits raw newlines there; ``json.loads(strict=False)`` reads
    them), else ``text`` unchanged for the schema validation to judge."""
    try:
        return json.dumps(json.loads(text, strict=False))
    except (ValueError, RecursionError):
        return text


def token_count(value: Any) -> int | None:
    """A token count from a server's ``usage``: a non-negative int, else None (malformed:
    a string, a float, null, a negative number, a bool)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def token_counts(usage: Any) -> tuple[int | None, int | None]:
    """``(prompt_tokens, completion_tokens)`` of a reply's ``usage`` object (None where it is
    missing or malformed)."""
    if not isinstance(usage, dict):
        return None, None
    return token_count(usage.get("prompt_tokens")), token_count(usage.get("completion_tokens"))


def strip_code_fence(text: str) -> str:
    """Remove a Markdown code fence some servers wrap JSON in."""
    t = text.strip()
    if t.startswith("```") and t.endswith("```") and len(t) >= 6:
        t = t[3:-3]
        first, _, rest = t.partition("\n")
        t = rest if first.strip().isalpha() or not first.strip() else t
    return t.strip()


class ChatBackend(ABC):
    """One chat-capable model. Async at heart; ``*_sync`` wrappers for synchronous programs.

    The sync wrappers run the coroutine on the calling thread's own event loop
    (:func:`synthgen.models.loops.run_sync`), which works in process-pool workers, forked or
    spawned.
    """

    settings: LLMSettings

    @abstractmethod
    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Answer ``request`` or raise :class:`LLMRejected`."""

    async def chat_many(self, requests: Sequence[ChatRequest]) -> list[ChatResponse | LLMRejected]:
        """Answer all ``requests`` concurrently (bounded by the backend); rejects come back as
        :class:`LLMRejected` values in their slot. Any other error is raised once all ended."""
        results = await asyncio.gather(*(self.chat(r) for r in requests), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, LLMRejected):
                raise r
        return results  # type: ignore[return-value]

    def chat_sync(self, request: ChatRequest) -> ChatResponse:
        """:meth:`chat` for synchronous code (a program's ``generate``)."""
        return run_sync(self.chat(request))

    def chat_many_sync(self, requests: Sequence[ChatRequest]) -> list[ChatResponse | LLMRejected]:
        """:meth:`chat_many` for synchronous code."""
        return run_sync(self.chat_many(requests))

    @abstractmethod
    def usage(self, reset: bool = False) -> dict[str, int]:
        """Flat counters (``llm.requests``, ``llm.cache_hits``, ...); ``reset`` zeroes them."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections held for the running loop."""

    def close(self) -> None:
        run_sync(self.aclose())

    def __enter__(self) -> ChatBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Completion:
    """One raw answer from a model, before validation."""

    text: str
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class ServedModel:
    """What answers: ``id`` goes into the request; ``identity`` into the cache key.

    ``identity`` is what the server reports about the model (vLLM: ``id``, ``root`` = the
    weights' path or hub id, ``parent`` for LoRA adapters), so re-serving other weights under
    the same name misses the cache. ``lineage_id`` is the most specific name for records.
    """

    id: str
    identity: dict[str, Any] = field(default_factory=dict)

    @property
    def lineage_id(self) -> str:
        root = self.identity.get("root")
        return str(root) if root else self.id


class CachingChatBackend(ChatBackend):
    """The pipeline every backend shares: cache, re-ask, validation, accounting.

    Subclasses implement :meth:`_served_model` (who answers, fetched once) and
    :meth:`_generate` (one raw completion).
    """

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self._usage = UsageCounter("llm")
        self._clock = InFlightClock(self._usage)
        self._cache = ResponseCache(settings.cache_dir) if settings.cache else None
        self._served: ServedModel | None = None
        self._pid = os.getpid()
        self._fatal: str | None = None
        self._unavailable_streak = 0

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the settings only: connections, loops and counters stay in their process."""
        return {"settings": self.settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._after_fork()

    def _after_fork(self) -> None:
        """A forked child starts with zero counters (the parent counts its own)."""
        self._usage.clear()
        self._clock = InFlightClock(self._usage)
        self._fatal = None
        self._unavailable_streak = 0

    def _give_up(self, message: str) -> UserError:
        """Stop using the server for good (every later request raises the same one line):
        it stalled or stayed unavailable, and rejecting every remaining candidate would only
        hide that. The job stops with this UserError (exit 2) and resumes when rerun."""
        if self._fatal is None:
            self._fatal = message
        return UserError(self._fatal)

    def _note_unavailable(self, exc: LLMRejected) -> None:
        """Count consecutive ``llm_unavailable`` rejects; too many: give up on the server."""
        if exc.reason != "llm_unavailable":
            return
        self._unavailable_streak += 1
        limit = self.settings.max_consecutive_unavailable
        if self._unavailable_streak >= limit:
            raise self._give_up(
                f"the LLM server at {self.settings.base_url} was unavailable for {limit} "
                f"requests in a row (last: {exc.detail[:160]}): check it, then rerun the same "
                "command to resume"
            ) from None

    @abstractmethod
    async def _served_model(self) -> ServedModel: ...

    @abstractmethod
    async def _generate(
        self, request: ChatRequest, served: ServedModel, sampling: dict[str, Any]
    ) -> Completion: ...

    def usage(self, reset: bool = False) -> dict[str, int]:
        """The counters; ``reset=True`` (the engine, at the start of each shard) also forgets
        a server given up on (:meth:`_give_up`): a rerun tries it again."""
        self._check_fork()
        if reset:
            self._fatal = None
            self._unavailable_streak = 0
            self._forget_faults()
        return self._usage.snapshot(reset=reset)

    def _forget_faults(self) -> None:
        """Backend-specific fault state to drop with the counters (see :meth:`usage`)."""

    def sampling(self, request: ChatRequest) -> dict[str, Any]:
        """The request's sampling values with the settings' defaults filled in."""
        s = self.settings
        return {
            "temperature": s.temperature if request.temperature is None else request.temperature,
            "top_p": s.top_p if request.top_p is None else request.top_p,
            "max_tokens": s.max_tokens if request.max_tokens is None else request.max_tokens,
            "seed": request.seed,
            "stop": list(request.stop),
        }

    def cache_key_for(
        self, request: ChatRequest, served: ServedModel, sampling: dict[str, Any]
    ) -> str | None:
        """The cache key of ``request``, or None when it must not be cached.

        Unseeded requests at temperature > 0 are meant to differ each time and are not cached.
        """
        if self._cache is None or (request.seed is None and sampling["temperature"] > 0):
            return None
        rm = request.response_model
        s = self.settings
        return cache_key(
            {
                "model": served.id,
                "served": served.identity,
                "revision": s.revision,
                "messages": [m.key_material() for m in request.messages],
                "sampling": sampling,
                "schema": json_schema(rm) if rm else None,
                "schema_name": schema_name(rm) if rm else None,
                "structured_output_mode": s.structured_output_mode if rm else None,
                "allow_truncated": request.allow_truncated,
                "extra": dict(request.extra),
                "reask": [s.max_reasks, s.max_tokens_cap],
            }
        )

    async def chat(self, request: ChatRequest) -> ChatResponse:
        self._check_fork()
        if self._fatal is not None:
            raise UserError(self._fatal)
        stage = request.stage
        self._usage.add("requests", stage=stage)
        try:
            served = await self._served_model()
            sampling = self.sampling(request)
            key = self.cache_key_for(request, served, sampling)
            if key is None and self._cache is not None:
                self._usage.add("cache_skips", stage=stage)
            if key is not None:
                hit = self._cache_get(key)
                if hit is not None:
                    response = self._from_cache(request, served, hit)
                    if response is not None:
                        return response
            try:
                response = await self._complete(request, served, sampling)
            except LLMRejected as exc:
                if key is not None and exc.reason in CACHEABLE_REJECTS:
                    self._cache_put(key, {"reject": exc.reason, "detail": exc.detail})
                raise
            if key is not None:
                self._cache_put(
                    key,
                    {
                        "text": response.text,
                        "finish_reason": response.finish_reason,
                        "prompt_tokens": response.prompt_tokens,
                        "completion_tokens": response.completion_tokens,
                        "reasks": response.reasks,
                    },
                )
            return response
        except LLMRejected as exc:
            self._usage.add(f"rejects.{exc.reason}", stage=stage)
            self._note_unavailable(exc)
            raise

    def _from_cache(
        self, request: ChatRequest, served: ServedModel, hit: dict[str, Any]
    ) -> ChatResponse | None:
        """Rebuild a response (or re-raise a cached reject); None if the entry is unusable."""
        stage = request.stage
        if "reject" in hit:
            self._usage.add("cache_hits", stage=stage)
            raise LLMRejected(str(hit["reject"]), f"{hit.get('detail') or ''} (cached)".strip())
        completion = Completion(str(hit.get("text", "")), hit.get("finish_reason"))
        try:
            parsed = self._validate(request, completion, max_tokens=0)
        except LLMRejected:
            return None  # e.g. the response model's validators changed: ask again
        self._usage.add("cache_hits", stage=stage)
        return ChatResponse(
            text=completion.text,
            finish_reason=completion.finish_reason,
            model=served.lineage_id,
            revision=self.settings.revision,
            parsed=parsed,
            prompt_tokens=token_count(hit.get("prompt_tokens")) or 0,
            completion_tokens=token_count(hit.get("completion_tokens")) or 0,
            cached=True,
            reasks=token_count(hit.get("reasks")) or 0,
        )

    async def _complete(
        self, request: ChatRequest, served: ServedModel, sampling: dict[str, Any]
    ) -> ChatResponse:
        """Generate and validate, re-asking up to ``max_reasks`` times with x2 ``max_tokens``.

        A truncated reply is re-asked with the same seed (same prefix, more room); an invalid
        one with seed + 1, so the second draw differs. Both stay pure functions of the request.
        """
        stage = request.stage
        cap = max(self.settings.max_tokens_cap, sampling["max_tokens"])
        current = dict(sampling)
        reasks = 0
        while True:
            self._usage.add("model_calls", stage=stage)
            completion = await self._generate(request, served, current)
            self._unavailable_streak = 0
            self._usage.add("prompt_tokens", completion.prompt_tokens, stage=stage)
            self._usage.add("completion_tokens", completion.completion_tokens, stage=stage)
            live.model_requests(0, tokens=completion.prompt_tokens + completion.completion_tokens)
            try:
                parsed = self._validate(request, completion, current["max_tokens"])
            except LLMRejected as exc:
                bigger = min(current["max_tokens"] * 2, cap)
                if reasks >= self.settings.max_reasks or (
                    exc.reason == "llm_truncated" and bigger <= current["max_tokens"]
                ):
                    raise
                if exc.reason == "llm_invalid_json" and current["seed"] is not None:
                    current["seed"] = (current["seed"] + 1) % (1 << 63)
                log.debug("re-asking (%s): max_tokens %d -> %d", exc, current["max_tokens"], bigger)
                current["max_tokens"] = bigger
                reasks += 1
                self._usage.add("reasks", stage=stage)
                continue
            return ChatResponse(
                text=completion.text,
                finish_reason=completion.finish_reason,
                model=served.lineage_id,
                revision=self.settings.revision,
                parsed=parsed,
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                reasks=reasks,
            )

    @staticmethod
    def _validate(
        request: ChatRequest, completion: Completion, max_tokens: int
    ) -> BaseModel | None:
        """The parsed response model (None for plain text), or :class:`LLMRejected`."""
        truncated = completion.finish_reason == "length"
        model = request.response_model
        if model is None:
            if truncated and not request.allow_truncated:
                raise LLMRejected("llm_truncated", f"reply cut at max_tokens={max_tokens}")
            return None
        try:
            return model.model_validate_json(lenient_json(strip_code_fence(completion.text)))
        except ValidationError as exc:
            if truncated:
                raise LLMRejected("llm_truncated", f"JSON cut at max_tokens={max_tokens}") from None
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
            raise LLMRejected(
                "llm_invalid_json", f"{model.__name__} at {where}: {err.get('msg')}"[:300]
            ) from None

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        assert self._cache is not None
        try:
            return self._cache.get(key)
        except Exception as exc:  # a broken cache costs calls, never the job
            self._cache_failed("read", exc)
            return None

    def _cache_put(self, key: str, value: dict[str, Any]) -> None:
        assert self._cache is not None
        try:
            self._cache.put(key, value)
        except Exception as exc:
            self._cache_failed("write", exc)

    def _cache_failed(self, what: str, exc: Exception) -> None:
        self._usage.add("cache_errors")
        log.warning(
            "LLM cache %s failed (%s: %s); going on without it", what, type(exc).__name__, exc
        )


def _close_sessions(
    sessions: list[tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]],
) -> None:
    """Close a backend's sessions when it is collected or the interpreter exits.

    Backends live as long as their worker and are rarely closed by hand (a notebook, a
    program's ``open_backends``); without this, aiohttp prints "Unclosed client session" for
    each of them at exit. A session whose loop is running elsewhere is left to that loop.
    """
    for loop, session in sessions:
        if session.closed or loop.is_closed():
            continue
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(session.close())
        elif running is None and not loop.is_running():
            loop.run_until_complete(session.close())
        elif loop.is_running():  # the model loop's thread (synthgen.models.loops)
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(session.close(), loop).result(timeout=2)
    sessions.clear()


def _import_aiohttp() -> ModuleType:
    try:
        import aiohttp
    except ImportError:
        raise UserError('the LLM HTTP backend needs aiohttp: pip install "synthgen[llm]"') from None
    return aiohttp


@dataclass(frozen=True)
class _Reply:
    """An HTTP answer read to the end (status, headers we use, raw body)."""

    status: int
    retry_after: str | None
    body: bytes

    def text(self, env_name: str, limit: int = 200) -> str:
        """A short, redacted, one-line excerpt of the body (servers say why there)."""
        text = self.body.decode("utf-8", "replace")
        return redact(" ".join(text.split()), env_name)[:limit] or "empty body"


_CONTEXT_LIMIT = re.compile(r"max_tokens=(\d+) cannot be greater than max_model_len=(\d+)")


def _context_limit(body: bytes) -> tuple[int, int] | None:
    """(max_tokens asked, the server's context) when a 400 says that ``max_tokens`` alone
    exceeds the context (vLLM 0.32: "max_tokens=1024 cannot be greater than
    max_model_len=512"): then every request of the job fails the same way, a config error
    rather than one candidate's reject (a long prompt that overflows the context is the
    latter, and is not matched here)."""
    match = _CONTEXT_LIMIT.search(body.decode("utf-8", "replace"))
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass
class _LoopState:
    """Per-event-loop resources (an aiohttp session and asyncio primitives bind to one loop).

    One session whose connector keeps up to ``max_concurrency`` keep-alive connections: aiohttp
    parses HTTP in C and its pool costs O(1) per request, so the client spends ~0.3 ms of CPU
    per request where httpx/httpcore spent ~1 ms (bench/llm_client.py); at 64 requests in
    flight against a 50 ms server that is the difference between ~75 % and > 90 % of the
    ideal rate on one core.
    """

    session: aiohttp.ClientSession
    semaphore: asyncio.Semaphore
    served_lock: asyncio.Lock


class OpenAIChatBackend(CachingChatBackend):
    """Chat over the OpenAI-compatible HTTP API (``POST {base_url}/chat/completions``).

    * at most ``max_concurrency`` requests in flight per event loop (an asyncio.Semaphore; a
      slot is held only while a request is on the wire, not while backing off);
    * 429/503: wait ``Retry-After`` (seconds or HTTP date) and make *every* request of this
      backend pause until then, so an overloaded server gets air; other 5xx, 408, timeouts,
      connection resets and unreadable bodies: exponential backoff with jitter; at most
      ``max_retries`` retries, then :class:`LLMRejected` ``llm_unavailable``;
    * the served model is asked once (``GET {base_url}/models``) and its identity enters every
      cache key;
    * the API key is read from the environment when a client is built, sent as a bearer
      token, and kept out of repr, pickles, cache files, logs and exception messages.
    """

    def __init__(self, settings: LLMSettings) -> None:
        super().__init__(settings)
        self._aiohttp = _import_aiohttp()
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
            weakref.WeakKeyDictionary()
        )
        self._backoff = Backoff(settings.backoff_base_s, settings.max_backoff_s)
        self._pause_until = 0.0
        self._served_error: str | None = None
        self._last_reply: float | None = None
        self._queued = 0
        """Requests waiting for a free slot of ``max_concurrency`` (see :meth:`saturated`)."""
        """When the server last answered anything (monotonic; None: no request sent yet)."""
        self._sessions: list[tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = []
        weakref.finalize(self, _close_sessions, self._sessions)

    def __repr__(self) -> str:
        s = self.settings
        return f"OpenAIChatBackend(base_url={s.base_url!r}, model={s.model!r})"

    def _after_fork(self) -> None:
        super()._after_fork()
        self._loops = weakref.WeakKeyDictionary()  # the parent's sockets are not ours
        self._sessions.clear()  # the parent closes its own
        self._backoff.reseed()
        self._pause_until = 0.0
        self._last_reply = None
        self._queued = 0

    def _state(self) -> _LoopState:
        self._check_fork()
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            aiohttp = self._aiohttp
            n = self.settings.max_concurrency
            headers = {"user-agent": "synthgen"}
            key = api_key(self.settings.api_key_env)
            if key:
                headers["authorization"] = f"Bearer {key}"
            session = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout_s),
                connector=aiohttp.TCPConnector(limit=n, limit_per_host=n),
                raise_for_status=False,
            )
            state = _LoopState(session, asyncio.Semaphore(n), asyncio.Lock())
            self._sessions.append((loop, session))
            self._loops[loop] = state
        return state

    async def aclose(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover
            return
        state = self._loops.pop(loop, None)
        if state is not None:
            await state.session.close()
        if self._cache is not None:
            self._cache.close()

    async def _wait_pause(self) -> None:
        while (delay := self._pause_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)

    async def _request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        stage: str | None = None,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        """Send with retries; the decoded JSON object of a 200 reply.

        ``missing_ok`` turns 404/405 into None (for optional endpoints such as ``/models``).
        """
        aiohttp = self._aiohttp
        state = self._state()
        env = self.settings.api_key_env
        attempts = self.settings.max_retries + 1
        failure = "no attempt"
        for attempt in range(attempts):
            if attempt:
                self._usage.add("retries", stage=stage)
            retry_after: float | None = None
            await self._wait_pause()
            async with self._slot(state):
                await self._wait_pause()
                if self._fatal is not None:
                    raise UserError(self._fatal)
                self._usage.add("http_calls", stage=stage)
                start = time.perf_counter()
                if self._last_reply is None:
                    self._last_reply = time.monotonic()
                resp: _Reply | None = None
                self._clock.start(stage)
                try:
                    async with state.session.request(method, url, json=body) as raw:
                        resp = _Reply(raw.status, raw.headers.get("retry-after"), await raw.read())
                    self._last_reply = time.monotonic()
                except asyncio.TimeoutError:  # the builtin TimeoutError only from 3.11
                    failure = f"timed out after {self.settings.timeout_s:g}s"
                    self._check_stalled()
                except aiohttp.ClientError as exc:  # resets, cut bodies, bad framing
                    failure = redact(f"{type(exc).__name__}: {exc}", env)[:200]
                finally:
                    self._clock.end(stage)
                    self._usage.add(
                        "http_ms", int((time.perf_counter() - start) * 1000), stage=stage
                    )
            if resp is not None:
                status = resp.status
                if status == 200:
                    try:
                        data = json.loads(resp.body)
                    except ValueError:
                        data = None
                    if isinstance(data, dict):
                        return data
                    failure = "HTTP 200 whose body is not a JSON object (truncated?)"
                elif missing_ok and status in (404, 405):
                    return None
                elif status in (401, 403):
                    raise UserError(
                        f"the LLM server at {self.settings.base_url} refused the request "
                        f"(HTTP {status}): put its API key in the environment variable "
                        f"{env} (llm.api_key_env)"
                    )
                elif status == 404:
                    raise UserError(
                        f"{url} answered HTTP 404 ({resp.text(env)}): check llm.base_url "
                        "(it usually ends in /v1) and llm.model"
                    )
                elif status not in TRANSIENT_STATUSES:
                    if status == 400 and (limits := _context_limit(resp.body)) is not None:
                        raise UserError(
                            f"the LLM server at {self.settings.base_url} serves at most "
                            f"{limits[1]} tokens per sequence (max_model_len) and refused "
                            f"max_tokens={limits[0]} (llm.max_tokens is "
                            f"{self.settings.max_tokens}, re-asks go up to llm.max_tokens_cap "
                            f"{self.settings.max_tokens_cap}): lower them, or serve the model "
                            "with a larger --max-model-len"
                        )
                    raise LLMRejected("llm_bad_request", f"HTTP {status}: {resp.text(env)}")
                else:
                    failure = f"HTTP {status}"
                    if status in RETRY_AFTER_STATUSES:
                        retry_after = parse_retry_after(resp.retry_after)
            if attempt + 1 >= attempts:
                break
            wait = self._backoff.delay(attempt, retry_after)
            if resp is not None and resp.status in RETRY_AFTER_STATUSES:
                self._pause_until = max(self._pause_until, time.monotonic() + wait)
                log.debug("%s %s: %s, all requests pause %.2fs", method, url, failure, wait)
            else:
                log.debug("%s %s: %s, retrying in %.2fs", method, url, failure, wait)
                await asyncio.sleep(wait)
        raise LLMRejected(
            "llm_unavailable", f"{method} {url}: {failure} (after {attempts} attempts)"
        )

    def _forget_faults(self) -> None:
        self._last_reply = None

    @contextlib.asynccontextmanager
    async def _slot(self, state: _LoopState) -> AsyncIterator[None]:
        """One of the ``max_concurrency`` slots, counting the requests that wait for one."""
        self._queued += 1
        try:
            await state.semaphore.acquire()
        finally:
            self._queued -= 1
        try:
            yield
        finally:
            state.semaphore.release()

    def saturated(self) -> bool:
        """Whether more requests wait for a slot than ``max_concurrency`` (a full round
        queued behind the one on the wire): then the engine starts no new candidate
        (:mod:`synthgen.inflight`); more would only queue here, and any past the last needed
        record would be wasted."""
        return self._queued > self.settings.max_concurrency

    def _check_stalled(self) -> None:
        """After a request timed out: if the server has answered nothing at all for two
        ``timeout_s`` (a server that accepts connections and never replies: every request
        timed out, and a retry too), give up on it with one line instead of retrying every
        candidate for minutes each. One slow reply among answered ones is only retried."""
        quiet = time.monotonic() - (self._last_reply or time.monotonic())
        if quiet >= 2 * self.settings.timeout_s:
            raise self._give_up(
                f"the LLM server at {self.settings.base_url} stalled: no reply for {quiet:.0f} s "
                f"(llm.timeout_s={self.settings.timeout_s:g}): check it, then rerun the same "
                "command to resume"
            )

    async def _served_model(self) -> ServedModel:
        """Who answers, asked once (``GET /models``). A server that cannot be reached or does
        not serve ``llm.model`` is a UserError, raised at once to every waiting request."""
        if self._served is not None:
            return self._served
        state = self._state()
        async with state.served_lock:
            if self._served_error is not None:
                raise UserError(self._served_error)
            if self._served is None:
                try:
                    self._served = self._pick_model(await self._list_models())
                except UserError as exc:
                    self._served_error = str(exc)
                    raise
        return self._served

    async def _list_models(self) -> dict[str, Any] | None:
        try:
            return await self._request("GET", self.settings.models_url, None, missing_ok=True)
        except LLMRejected as exc:
            # Never reached: a configuration problem, not a bad sample. Rejecting every
            # candidate would only hide it (a server that dies later is retried and
            # rejected per request instead).
            raise UserError(
                f"cannot reach the LLM server at {self.settings.base_url} ({exc.detail}): "
                "start it (e.g. `vllm serve MODEL`) or set llm.base_url"
            ) from None

    def _pick_model(self, data: dict[str, Any] | None) -> ServedModel:
        listed = data.get("data") if isinstance(data, dict) else None
        entries = [e for e in listed or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]
        wanted = self.settings.model
        ids = [e["id"] for e in entries]
        where = self.settings.base_url
        if wanted:
            entry = next((e for e in entries if e["id"] == wanted), None)
            if entry is None and entries:
                raise UserError(f"llm.model {wanted!r} is not served at {where}; it serves {ids}")
        elif len(entries) == 1:
            entry = entries[0]
        elif not entries:
            raise UserError(f"the server at {where} lists no model: set llm.model")
        else:
            raise UserError(f"the server at {where} serves {ids}: choose one with llm.model")
        if entry is None:  # the server does not list models: trust the settings
            return ServedModel(id=str(wanted), identity={"listed": False})
        identity = {k: entry.get(k) for k in ("id", "root", "parent")}
        return ServedModel(id=entry["id"], identity=identity)

    async def _generate(
        self, request: ChatRequest, served: ServedModel, sampling: dict[str, Any]
    ) -> Completion:
        body = build_chat_body(request, served.id, sampling, self.settings.structured_output_mode)
        data = await self._request("POST", self.settings.chat_url, body, stage=request.stage)
        assert data is not None
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
            finish = choice.get("finish_reason")
        except (KeyError, IndexError, TypeError):
            raise LLMRejected("llm_bad_response", "reply has no choices[0].message") from None
        if not isinstance(text, str):
            raise LLMRejected(
                "llm_bad_response", f"choices[0].message.content is a {type(text).__name__}"
            )
        if finish is not None and not isinstance(finish, str):
            finish = str(finish)
        prompt_tokens, completion_tokens = token_counts(data.get("usage"))
        if prompt_tokens is None or completion_tokens is None:
            # usage is accounting only: the reply's content still counts; the bad field is
            # counted (llm.bad_usage) and its tokens as zero, never an error for the job
            self._usage.add("bad_usage", stage=request.stage)
            log.debug("reply with a missing or malformed usage field: %.200r", data.get("usage"))
        return Completion(
            text=text,
            finish_reason=finish,
            prompt_tokens=prompt_tokens or 0,
            completion_tokens=completion_tokens or 0,
        )


def build_chat_body(
    request: ChatRequest, model: str, sampling: dict[str, Any], structured_output_mode: str
) -> dict[str, Any]:
    """The JSON body of ``POST /chat/completions`` for ``request``.

    Structured output goes either as OpenAI ``response_format`` (json_schema, strict) or, for
    vLLM servers that prefer it, as ``structured_outputs: {"json": schema}`` (the successor of
    the removed ``guided_json``). ``request.extra`` is merged last.
    """
    body: dict[str, Any] = {
        "model": model,
        "messages": [m.to_openai() for m in request.messages],
        "temperature": sampling["temperature"],
        "top_p": sampling["top_p"],
        "max_tokens": sampling["max_tokens"],
    }
    if sampling.get("seed") is not None:
        body["seed"] = sampling["seed"]
    if sampling.get("stop"):
        body["stop"] = list(sampling["stop"])
    rm = request.response_model
    if rm is not None:
        schema = json_schema(rm)
        if structured_output_mode == "structured_outputs":
            body["structured_outputs"] = {"json": schema}
        else:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name(rm), "schema": schema, "strict": True},
            }
    body.update(request.extra)
    return body


def create_chat_backend(settings: LLMSettings | dict[str, Any] | None = None) -> ChatBackend:
    """The backend that ``settings.backend`` names: ``openai`` (HTTP) or ``vllm`` (in-process).

    ``settings`` may be raw user values (the ``llm`` table of ``--set llm.x=...``); they are
    validated into :class:`LLMSettings`, a problem being a one-line UserError.
    """
    resolved = load_llm_settings(settings)
    if resolved.backend == "vllm":
        from synthgen.models.vllm_local import VLLMChatBackend

        return VLLMChatBackend(resolved)
    return OpenAIChatBackend(resolved)
