"""A scriptable fake OpenAI-compatible server (stdlib only) for the LLM client's tests and bench.

Grown from ``shared/recipes/tiny_models/fake_openai_server.py``. It serves ``GET /v1/models``
and ``POST /v1/chat/completions`` on 127.0.0.1, HTTP/1.1 with keep-alive, and:

* records every chat request (path, JSON body, headers, arrival time) and counts hits, model
  listings and the largest number of chat requests in flight at once;
* answers with ``reply(body) -> (content, finish_reason)`` (default: echo the last user text),
  e.g. :func:`json_reply` which truncates at ``max_tokens`` like a real model;
* plays scripted faults, one per chat request in FIFO order, before going back to normal:
  ``Status(429, retry_after="0.2")``, ``Status(500)``, ``Drop()`` (connection reset, no reply),
  ``CutBody()`` (declares the full length, sends half, closes), ``BadJSON()`` (a complete 200
  whose body is truncated JSON), ``Delay(s)`` (slow reply), ``Reply(content, finish)``
  (``Reply(content, usage={"prompt_tokens": "many"})``: a bad or missing ``usage`` field).

Usage::

    with FakeLLMServer() as srv:
        srv.script(Status(429, retry_after="0.2"))
        backend = OpenAIChatBackend(LLMSettings(base_url=srv.base_url, ...))
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Status:
    code: int
    retry_after: str | None = None
    body: dict[str, Any] | None = None


@dataclass
class Drop:
    """Reset the connection (RST) without answering."""


@dataclass
class CutBody:
    """Announce the full content-length, send half the body, close."""


@dataclass
class BadJSON:
    """A well-framed 200 whose body is cut-off JSON."""


@dataclass
class Delay:
    seconds: float


class _Usage:
    """Sentinels of :attr:`Reply.usage` (repr for readable test ids)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NORMAL_USAGE: Any = _Usage("NORMAL_USAGE")
"""The server's usual ``usage`` object (7 prompt tokens, len(content) // 4 completion)."""
NO_USAGE: Any = _Usage("NO_USAGE")
"""Leave the ``usage`` key out of the reply."""


@dataclass
class Reply:
    """A scripted answer. ``usage`` replaces the reply's ``usage`` value as given (a bad one
    such as ``{"prompt_tokens": "many"}`` or None), or omits it (:data:`NO_USAGE`)."""

    content: Any
    finish_reason: Any = "stop"
    usage: Any = NORMAL_USAGE


Action = Status | Drop | CutBody | BadJSON | Delay | Reply
ReplyFn = Callable[[dict[str, Any]], tuple[str, str]]


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    arrived: float
    answered: float | None = None


def last_user_text(body: dict[str, Any]) -> str:
    for m in reversed(body.get("messages", [])):
        if m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, str):
                return content
            return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
    return ""


def echo_reply(body: dict[str, Any]) -> tuple[str, str]:
    return f"echo: {last_user_text(body)}", "stop"


def json_reply(payload: dict[str, Any], chars_per_token: int = 1) -> ReplyFn:
    """Answer ``payload`` as JSON, cut (finish_reason "length") when max_tokens is too small."""
    text = json.dumps(payload)

    def reply(body: dict[str, Any]) -> tuple[str, str]:
        room = int(body.get("max_tokens") or 16) * chars_per_token
        return (text, "stop") if len(text) <= room else (text[:room], "length")

    return reply


@dataclass
class _State:
    reply: ReplyFn = echo_reply
    delay: float = 0.0
    models: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "tiny", "root": "org/tiny", "parent": None}]
    )
    script: deque[Action] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    chat_hits: int = 0
    model_hits: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    record: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body as two writes cost 40 ms
    state: _State  # set on a per-server subclass

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            with self.state.lock:
                self.state.model_hits += 1
                models = [
                    {"object": "model", "owned_by": "fake", "created": time.time(), **m}
                    for m in self.state.models
                ]
            self._send(200, {"object": "list", "data": models})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": "not found"}})
            return
        st = self.state
        body = json.loads(raw or b"{}")
        rec = Recorded(
            self.path, body, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
        )
        with st.lock:
            st.chat_hits += 1
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            action = st.script.popleft() if st.script else None
            if st.record:
                st.requests.append(rec)
            delay = st.delay
        try:
            self._answer(action, body, delay)
        finally:
            rec.answered = time.monotonic()
            with st.lock:
                st.in_flight -= 1

    def _answer(self, action: Action | None, body: dict[str, Any], delay: float) -> None:
        if isinstance(action, Delay):
            delay = action.seconds
        if delay:
            time.sleep(delay)
        if isinstance(action, Status):
            headers = {"retry-after": action.retry_after} if action.retry_after else {}
            err = action.body or {"error": {"message": f"fake status {action.code}"}}
            self._send(action.code, err, headers)
            return
        if isinstance(action, Drop):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        content, finish = (
            (action.content, action.finish_reason)
            if isinstance(action, Reply)
            else self.state.reply(body)
        )
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": 7,
                "completion_tokens": max(1, len(str(content)) // 4),
                "total_tokens": 7 + max(1, len(str(content)) // 4),
            },
        }
        usage = action.usage if isinstance(action, Reply) else NORMAL_USAGE
        if usage is NO_USAGE:
            del payload["usage"]
        elif usage is not NORMAL_USAGE:
            payload["usage"] = usage
        data = json.dumps(payload).encode()
        if isinstance(action, (CutBody, BadJSON)):
            part = data[: len(data) // 2]
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header(
                "content-length", str(len(data) if isinstance(action, CutBody) else len(part))
            )
            self.end_headers()
            self.wfile.write(part)
            self.wfile.flush()
            if isinstance(action, CutBody):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # dropped or timed-out connections are part of the script


class FakeLLMServer:
    """Context manager; ``with FakeLLMServer() as srv: srv.base_url ...``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = _State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._srv = _Server((host, port), handler)
        self._thread = threading.Thread(
            target=self._srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._srv.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *actions: Action) -> None:
        with self.state.lock:
            self.state.script.extend(actions)

    @property
    def requests(self) -> list[Recorded]:
        return self.state.requests

    @property
    def chat_hits(self) -> int:
        return self.state.chat_hits

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._srv.shutdown()
        self._srv.server_close()


def main() -> None:  # pragma: no cover
    """``python -m tests.models.fake_llm_server [PORT [DELAY_S]]``: print the URL, serve."""
    import sys

    srv = FakeLLMServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8011)
    srv.state.record = False
    srv.state.delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    with srv:
        print(srv.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
