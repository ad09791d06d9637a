"""Settings of the chat LLM/MLLM backend (``--set llm.FIELD=VALUE``).

One frozen pydantic model, ``extra="forbid"`` so that a typo such as ``llm.base_ulr`` is a
one-line user error naming the known fields (see :func:`load_llm_settings`). Nothing secret
lives here: the API key is read from the environment variable *named* by ``api_key_env``, so a
settings object can be printed, hashed, pickled and written to a manifest safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthgen.config import validate_model


class LLMSettings(BaseModel):
    """How to reach and drive a chat model.

    ``backend="openai"`` talks to any OpenAI-compatible server (``vllm serve``, SGLang,
    llama.cpp, TGI) at ``base_url``; ``backend="vllm"`` runs ``vllm.LLM`` in-process (GPU
    machines only). ``max_concurrency`` bounds in-flight requests *per worker process* (the
    server sees up to workers x max_concurrency).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["openai", "vllm"] = "openai"
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str | None = Field(
        default=None, description="model id to request; None = the one model the server lists"
    )
    revision: str | None = Field(default=None, description="pinned revision, kept in lineage")
    api_key_env: str = Field(
        default="SYNTHGEN_LLM_API_KEY",
        description="environment variable holding the API key (OPENAI_API_KEY is the fallback)",
    )
    max_concurrency: int = Field(default=16, ge=1, le=4096)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=6, ge=0, le=100)
    backoff_base_s: float = Field(default=0.5, gt=0, description="first backoff step")
    max_backoff_s: float = Field(default=60.0, gt=0, description="cap on any single wait")
    max_tokens: int = Field(default=1024, ge=1)
    max_tokens_cap: int = Field(default=8192, ge=1, description="limit of the re-ask doubling")
    max_reasks: int = Field(default=1, ge=0, le=5, description="re-asks on truncated/bad JSON")
    temperature: float = Field(default=0.7, ge=0)
    top_p: float = Field(default=1.0, gt=0, le=1)
    cache_dir: str = "~/.cache/synthgen/llm"
    cache: bool = True
    structured_output_mode: Literal["response_format", "structured_outputs"] = "response_format"
    vllm_args: dict[str, Any] = Field(
        default_factory=dict, description="extra keyword arguments for in-process vllm.LLM"
    )

    @model_validator(mode="after")
    def _check(self) -> LLMSettings:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        if self.backend == "vllm" and not self.model:
            raise ValueError("backend 'vllm' needs llm.model (a local path or hub id)")
        if self.max_tokens_cap < self.max_tokens:
            raise ValueError("max_tokens_cap must be >= max_tokens")
        return self

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def models_url(self) -> str:
        return self.base_url.rstrip("/") + "/models"


def load_llm_settings(data: Mapping[str, Any] | LLMSettings | None = None) -> LLMSettings:
    """Validate user values (e.g. the ``llm`` table of ``--set llm.x=...``) into settings.

    Any problem becomes a one-line :class:`~synthgen.errors.UserError` naming the field.
    """
    if isinstance(data, LLMSettings):
        return data
    return validate_model(  # type: ignore[return-value]
        LLMSettings,
        dict(data or {}),
        where="llm setting",
        fix="set it with --set llm.FIELD=VALUE",
    )
