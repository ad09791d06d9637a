"""The in-process vLLM backend, driven by a stand-in ``vllm`` module (no GPU, no vLLM here).

This proves the wiring (batching, sampling params, structured outputs, re-asks, cache); it
does not prove compatibility with a real vLLM release.
"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from synthgen.errors import UserError
from synthgen.models import ChatRequest, LLMRejected, create_chat_backend
from synthgen.models.vllm_local import VLLMChatBackend
from tests.models.llm_fixtures import fixture_offline  # noqa: F401  (autouse: no network)


class Answer(BaseModel):
    answer: str


@dataclass
class _Out:
    text: str
    finish_reason: str
    token_ids: list[int]


@dataclass
class _RequestOut:
    prompt_token_ids: list[int]
    outputs: list[_Out]


@dataclass
class FakeVLLM:
    """Records batches; answers JSON for structured requests, else echoes; cuts at max_tokens."""

    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    init_kwargs: dict[str, Any] = field(default_factory=dict)

    def module(self) -> types.ModuleType:
        fake = self
        mod = types.ModuleType("vllm")
        sp = types.ModuleType("vllm.sampling_params")

        class StructuredOutputsParams:
            def __init__(self, json: dict[str, Any]) -> None:
                self.json = json

        class SamplingParams:
            def __init__(self, **kwargs: Any) -> None:
                self.kwargs = kwargs

        class LLM:
            def __init__(self, **kwargs: Any) -> None:
                fake.init_kwargs = kwargs

            def chat(self, conversations: list[Any], sampling_params: list[Any], use_tqdm: bool):
                assert len(conversations) == len(sampling_params)
                fake.batches.append([p.kwargs for p in sampling_params])
                outs = []
                for conv, p in zip(conversations, sampling_params, strict=True):
                    so = p.kwargs.get("structured_outputs")
                    last = conv[-1]["content"]
                    text = json.dumps({"answer": last * 3}) if so else f"echo: {last}"
                    room = p.kwargs["max_tokens"]
                    cut = len(text) > room
                    outs.append(
                        _RequestOut(
                            [1, 2, 3],
                            [_Out(text[:room], "length" if cut else "stop", [0] * min(room, 9))],
                        )
                    )
                return outs

        sp.StructuredOutputsParams = StructuredOutputsParams  # type: ignore[attr-defined]
        mod.sampling_params = sp  # type: ignore[attr-defined]
        mod.SamplingParams = SamplingParams  # type: ignore[attr-defined]
        mod.LLM = LLM  # type: ignore[attr-defined]
        return mod


@pytest.fixture
def fake_vllm(monkeypatch: pytest.MonkeyPatch) -> FakeVLLM:
    fake = FakeVLLM()
    mod = fake.module()
    monkeypatch.setitem(sys.modules, "vllm", mod)
    monkeypatch.setitem(sys.modules, "vllm.sampling_params", mod.sampling_params)
    return fake


def _backend(tmp_path: Path, **kw: Any) -> VLLMChatBackend:
    settings = {"backend": "vllm", "model": "org/tiny", "cache_dir": str(tmp_path), **kw}
    backend = create_chat_backend(settings)
    assert isinstance(backend, VLLMChatBackend)
    return backend


def test_concurrent_requests_form_one_batch(fake_vllm: FakeVLLM, tmp_path: Path) -> None:
    backend = _backend(tmp_path, vllm_args={"tensor_parallel_size": 1}, max_tokens=64)
    out = backend.chat_many_sync([ChatRequest.user(f"q{i}", seed=i) for i in range(5)])
    assert [r.text for r in out] == [f"echo: q{i}" for i in range(5)]  # type: ignore[union-attr]
    assert [len(b) for b in fake_vllm.batches] == [5]
    assert [p["seed"] for p in fake_vllm.batches[0]] == list(range(5))
    assert fake_vllm.init_kwargs == {
        "model": "org/tiny",
        "revision": None,
        "tensor_parallel_size": 1,
    }
    assert backend.usage()["llm.prompt_tokens"] == 15


def test_structured_output_reask_and_cache(fake_vllm: FakeVLLM, tmp_path: Path) -> None:
    backend = _backend(tmp_path, max_tokens=16, max_tokens_cap=64)
    req = ChatRequest.user("abcdef", response_model=Answer, seed=1)  # needs ~30 chars
    reply = backend.chat_sync(req)
    assert reply.parsed == Answer(answer="abcdef" * 3) and reply.reasks == 1
    assert [b[0]["max_tokens"] for b in fake_vllm.batches] == [16, 32]
    assert fake_vllm.batches[0][0]["structured_outputs"].json == Answer.model_json_schema()
    assert _backend(tmp_path, max_tokens=16, max_tokens_cap=64).chat_sync(req).cached
    assert len(fake_vllm.batches) == 2
    with pytest.raises(LLMRejected, match="llm_truncated"):
        backend.chat_sync(ChatRequest.user("x" * 50, response_model=Answer, seed=1))


def test_missing_vllm_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # import vllm raises ImportError
    backend = _backend(tmp_path, cache=False)
    with pytest.raises(UserError, match="vllm serve"):
        backend.chat_sync(ChatRequest.user("x", seed=1))


def test_vllm_backend_needs_a_model() -> None:
    with pytest.raises(UserError, match=r"llm\.model"):
        create_chat_backend({"backend": "vllm"})


def test_the_engine_batches_many_candidates_into_one_vllm_call(
    fake_vllm: FakeVLLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """svg paraphrase=llm on the in-process backend: the requests of many candidates (each
    asks 3) reach ``LLM.chat`` together; with max_concurrency=1 one candidate at a time. The
    records are the same either way."""
    import importlib.machinery

    import synthgen
    from tests.helpers import dataset_bytes

    mod = sys.modules["vllm"]
    mod.__spec__ = importlib.machinery.ModuleSpec("vllm", None)  # preflight's find_spec
    chat = mod.LLM.chat

    def paraphrasing_chat(
        self: Any, conversations: list[Any], sampling_params: list[Any], use_tqdm: bool
    ):
        outs = chat(self, conversations, sampling_params, use_tqdm)
        for out, conv in zip(outs, conversations, strict=True):
            content = conv[-1]["content"]
            text = content if isinstance(content, str) else content[-1]["text"]
            question = text.split("Question:", 1)[-1].strip()
            out.outputs[0] = _Out(
                json.dumps({"question": "Please tell me: " + question}), "stop", [0]
            )
        return outs

    monkeypatch.setattr(mod.LLM, "chat", paraphrasing_chat)
    sizes = {}
    for width in (1, 128):
        fake_vllm.batches.clear()
        config = {
            "world": "shapes",
            "qa": {"per_image": 3},
            "paraphrase": "llm",
            "llm": {
                "backend": "vllm",
                "model": "org/tiny",
                "cache": False,
                "max_concurrency": width,
            },
        }
        synthgen.make("svg", n=12, out=tmp_path / f"w{width}", workers=1, config=config)
        sizes[width] = [len(b) for b in fake_vllm.batches]
    assert max(sizes[1]) <= 3
    assert max(sizes[128]) > 3  # requests of several candidates in one generate call
    # one at a time, no candidate past the 12th record is made; many at a time, a few are
    assert sum(sizes[1]) == 12 * 3 <= sum(sizes[128]) <= 2 * 12 * 3

    def data(root: Path) -> dict[str, bytes]:
        return {k: v for k, v in dataset_bytes(root).items() if k.startswith(("data/", "media/"))}

    assert data(tmp_path / "w1") == data(tmp_path / "w128")
    lines = (tmp_path / "w1" / "data" / "shard-00000.jsonl").read_text().splitlines()
    questions = [qa["question"] for line in lines for qa in json.loads(line)["qa"]]
    assert len(questions) == 12 * 3
    assert all(q.startswith("Please tell me: ") for q in questions)
