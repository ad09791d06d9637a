"""Requests per second through the chat client against the fake OpenAI-compatible server.

Measures the client's own cost (JSON, HTTP, semaphore, cache), not a model: the fake server
(``tests/models/fake_llm_server.py``, run in its own process so it does not share our GIL)
answers at once. Cases: sequential ``chat_sync`` (what a synchronous program does), with and
without a 64x64 image; ``chat_many`` batches at two concurrencies, without cache, with a cold
cache (miss + write) and with a warm cache (hits, no HTTP call: checked). Then the same
server with a fixed 50 ms latency per reply, where bounded concurrency is what pays.

usage: python bench/llm_client.py [--n 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthgen.models import ChatRequest, LLMSettings, OpenAIChatBackend  # noqa: E402


@contextmanager
def fake_server(delay_s: float = 0.0) -> Iterator[str]:
    """The fake server in a child process on a free loopback port; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.models.fake_llm_server", "0", str(delay_s)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _requests(n: int, tag: str, image: Image.Image | None = None) -> list[ChatRequest]:
    images = [image] if image is not None else []
    return [ChatRequest.user(f"{tag} question {i}", images=images, seed=i) for i in range(n)]


def _rate(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def _batch_rate(backend: OpenAIChatBackend, reqs: list[ChatRequest]) -> float:
    return _rate(lambda: backend.chat_many_sync(reqs), len(reqs))


def _sequential_rate(backend: OpenAIChatBackend, reqs: list[ChatRequest]) -> float:
    return _rate(lambda: [backend.chat_sync(r) for r in reqs], len(reqs))


def _backend(base_url: str, concurrency: int, cache_dir: Path | None) -> OpenAIChatBackend:
    backend = OpenAIChatBackend(
        LLMSettings(
            base_url=base_url,
            model="tiny",
            cache=cache_dir is not None,
            cache_dir=str(cache_dir or "unused"),
            max_concurrency=concurrency,
        )
    )
    backend.chat_sync(ChatRequest.user("warm-up", temperature=0.0))  # /models, connections
    return backend


def run(n: int, base_url: str, tmp: Path) -> list[tuple[str, float]]:
    """The client's own cost: the server answers at once."""
    rows: list[tuple[str, float]] = []
    seq = max(1, n // 4)
    image = Image.new("RGB", (64, 64), (200, 30, 30))
    b = _backend(base_url, 1, None)
    rows.append(("chat_sync sequential, no cache", _sequential_rate(b, _requests(seq, "s"))))
    rows.append(
        (
            "chat_sync sequential, 64x64 image, no cache",
            _sequential_rate(b, _requests(seq, "i", image)),
        )
    )
    b.close()
    for conc in (8, 64):
        b = _backend(base_url, conc, None)
        rows.append((f"chat_many c={conc}, no cache", _batch_rate(b, _requests(n, f"n{conc}"))))
        b.close()
        b = _backend(base_url, conc, tmp / f"cache-{conc}")
        reqs = _requests(n, f"c{conc}")
        rows.append((f"chat_many c={conc}, cold cache (miss + write)", _batch_rate(b, reqs)))
        calls = b.usage()["llm.http_calls"]
        rows.append((f"chat_many c={conc}, warm cache (hits)", _batch_rate(b, reqs)))
        rows.append(("chat_sync sequential, warm cache (hits)", _sequential_rate(b, reqs[:seq])))
        assert b.usage()["llm.http_calls"] == calls, "the warm cache made HTTP calls"
        b.close()
    return rows


def run_latency(base_url: str, delay_s: float, rounds: int = 30) -> list[tuple[str, float]]:
    """A server that takes ``delay_s`` per reply: what bounded concurrency buys.

    Each case sends ``rounds`` x concurrency requests, so start-up and the last partial round
    weigh little; the ideal rate is concurrency / latency.
    """
    rows = []
    for conc in (1, 8, 64):
        b = _backend(base_url, conc, None)
        rate = _batch_rate(b, _requests(conc * rounds, f"l{conc}"))
        ideal = conc / delay_s
        name = (
            f"chat_many c={conc}, server latency {delay_s * 1000:.0f} ms, no cache "
            f"({rate / ideal:.0%} of ideal {ideal:.0f})"
        )
        rows.append((name, rate))
        b.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="requests per chat_many case")
    args = parser.parse_args()
    with fake_server() as base_url, tempfile.TemporaryDirectory() as tmp:
        rows = run(args.n, base_url, Path(tmp))
    with fake_server(0.05) as base_url:
        rows += run_latency(base_url, 0.05)
    width = max(len(name) for name, _ in rows)
    print(f"LLM client vs fake server (own process, loopback), n={args.n} per chat_many case")
    for name, rate in rows:
        print(f"  {name:<{width}}  {rate:9.0f} req/s")


if __name__ == "__main__":
    main()
