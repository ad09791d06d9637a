"""Model backends (DESIGN.md section 7): one interface per capability.

Chat LLM/MLLM: :class:`ChatBackend`, made by :func:`create_chat_backend` from
:class:`LLMSettings` (``--set llm.base_url=... llm.model=...``). A program uses it as::

    llm = ctx.backends["llm"]
    reply = llm.chat_sync(ChatRequest.user("Describe the image.", images=[img],
                                           seed=request_seed(ctx.seed, ctx.index),
                                           response_model=Caption, stage="caption"))
    reply.note_model(ctx)            # lineage: model id and revision
    caption = reply.parsed           # a Caption; LLMRejected (a Rejected) rejects the sample

Nothing here imports a heavy library; ``aiohttp`` is imported when an HTTP backend is built and
``vllm`` only by the in-process backend.
"""

from synthgen.models.cache import ResponseCache, cache_key
from synthgen.models.config import LLMSettings, load_llm_settings
from synthgen.models.llm import (
    CachingChatBackend,
    ChatBackend,
    Completion,
    LLMRejected,
    OpenAIChatBackend,
    ServedModel,
    create_chat_backend,
    reject_from,
)
from synthgen.models.messages import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    ImagePart,
    request_seed,
)

__all__ = [
    "CachingChatBackend",
    "ChatBackend",
    "ChatMessage",
    "ChatRequest",
    "ChatResponse",
    "Completion",
    "ImagePart",
    "LLMRejected",
    "LLMSettings",
    "OpenAIChatBackend",
    "ResponseCache",
    "ServedModel",
    "cache_key",
    "create_chat_backend",
    "load_llm_settings",
    "reject_from",
    "request_seed",
]
