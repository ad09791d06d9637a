"""Settings of the chat LLM/MLLM backend (``--set llm.FIELD=VALUE``).

One frozen pydantic model, ``extra="forbid"`` so that a typo such as ``llm.base_ulr`` is a
one-line user error naming the known fields (see :func:`load_llm_settings`). Nothing secret
lives here: the API key is read from the environment variable *named* by ``api_key_env``, so a
settings object can be printed, hashed, pickled and written to a manifest safely.

Dataset identity. Each field is either *hashed* (it can change what the model answers, so it
is part of the dataset's ``config_hash``) or *operational* (it only says how to reach and pace
the server; ``json_schema_extra={"operational": True}``, listed in :data:`OPERATIONAL_FIELDS`).
Operational fields are left out of the hash (:func:`identity_table`), so changing a timeout,
the concurrency, the retries, the cache or the server's URL never refuses a resume.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from synthgen.errors import UserError

LLM_EXTRA_HINT = 'pip install -e ".[llm]"'
VLLM_EXTRA_HINT = 'pip install -e ".[vllm]" (on a GPU machine)'
HF_EXTRA_HINT = 'pip install -e ".[hf]"'
DIFFUSION_EXTRA_HINT = 'pip install -e ".[diffusion]"'
HF_MODULES = ("torch", "transformers")
"""What the CLIP/CLAP scorers import when they are built."""
DIFFUSION_MODULES = ("torch", "diffusers", "transformers")
"""What a diffusers pipeline (and the CLIP scorer beside it) imports when it is built."""

_OPERATIONAL = {"operational": True}


def _operational(default: Any, description: str, **constraints: Any) -> Any:
    """A field that only says how to reach and pace the server (left out of the hash)."""
    return Field(
        default=default,
        description=f"operational: {description}",
        json_schema_extra=_OPERATIONAL,
        **constraints,
    )


class LLMSettings(BaseModel):
    """How to reach and drive a chat model.

    ``backend="openai"`` talks to any OpenAI-compatible server (``vllm serve``, SGLang,
    llama.cpp, TGI) at ``base_url``; ``backend="vllm"`` runs ``vllm.LLM`` in-process (GPU
    machines only). ``max_concurrency`` bounds in-flight requests *per worker process* (the
    server sees up to workers x max_concurrency).

    Hashed (dataset identity): backend, model, revision, max_tokens, max_tokens_cap,
    max_reasks, temperature, top_p, structured_output_mode, vllm_args. Operational (not
    hashed): base_url, api_key_env, max_concurrency, timeout_s, max_retries,
    max_consecutive_unavailable, backoff_base_s, max_backoff_s, cache_dir, cache.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["openai", "vllm"] = Field(
        default="openai", description="hashed: openai (HTTP server) or vllm (in-process)"
    )
    base_url: str = _operational(
        "http://127.0.0.1:8000/v1", "the server's URL (the served model's identity is checked)"
    )
    model: str | None = Field(
        default=None,
        description="hashed: model id to request; None = the one model the server lists",
        validate_default=True,
    )
    revision: str | None = Field(
        default=None, description="hashed: pinned revision, kept in lineage"
    )
    api_key_env: str = _operational(
        "SYNTHGEN_LLM_API_KEY",
        "environment variable holding the API key (OPENAI_API_KEY is the fallback)",
    )
    max_concurrency: int = _operational(128, "requests in flight per worker", ge=1, le=4096)
    timeout_s: float = _operational(120.0, "per-request timeout", gt=0)
    max_retries: int = _operational(6, "retries of transient failures", ge=0, le=100)
    max_consecutive_unavailable: int = _operational(
        32,
        "stop the job (exit 2, resumable) after this many llm_unavailable rejects in a row",
        ge=1,
    )
    backoff_base_s: float = _operational(0.5, "first backoff step", gt=0)
    max_backoff_s: float = _operational(60.0, "cap on any single wait", gt=0)
    max_tokens: int = Field(default=1024, ge=1, description="hashed: reply length limit")
    max_tokens_cap: int = Field(
        default=8192,
        ge=1,
        description="hashed: limit of the re-ask doubling",
        validate_default=True,
    )
    max_reasks: int = Field(
        default=1, ge=0, le=5, description="hashed: re-asks on truncated/bad JSON"
    )
    temperature: float = Field(default=0.7, ge=0, description="hashed: sampling temperature")
    top_p: float = Field(default=1.0, gt=0, le=1, description="hashed: nucleus sampling")
    cache_dir: str = _operational("~/.cache/synthgen/llm", "response cache folder")
    cache: bool = _operational(True, "cache responses on disk")
    structured_output_mode: Literal["response_format", "structured_outputs"] = Field(
        default="response_format", description="hashed: how the JSON schema is sent"
    )
    vllm_args: dict[str, Any] = Field(
        default_factory=dict,
        description="hashed: extra keyword arguments for in-process vllm.LLM",
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. http://host:8000/v1")
        return value

    @field_validator("model")
    @classmethod
    def _model_for_vllm(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("backend") == "vllm" and not value:
            raise ValueError("backend 'vllm' needs llm.model (a local path or hub id)")
        return value

    @field_validator("max_tokens_cap")
    @classmethod
    def _cap(cls, value: int, info: ValidationInfo) -> int:
        max_tokens = info.data.get("max_tokens")
        if max_tokens is not None and value < max_tokens:
            raise ValueError(f"must be >= max_tokens ({max_tokens})")
        return value

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def models_url(self) -> str:
        return self.base_url.rstrip("/") + "/models"


OPERATIONAL_FIELDS: frozenset[str] = frozenset(
    name
    for name, f in LLMSettings.model_fields.items()
    if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("operational")
)
"""LLM settings that never change a reply's content, left out of the dataset identity."""

HASHED_FIELDS: frozenset[str] = frozenset(LLMSettings.model_fields) - OPERATIONAL_FIELDS
"""LLM settings that can change what the model answers: part of ``config_hash``."""


def load_llm_settings(
    data: Mapping[str, Any] | LLMSettings | None = None, where: str = "llm"
) -> LLMSettings:
    """Validate user values (e.g. the ``llm`` table of ``--set llm.x=...``) into settings.

    Any problem becomes a one-line :class:`~synthgen.errors.UserError` naming the field as
    ``llm.FIELD`` (``where`` is the table's dotted path in the config) and the fix.
    """
    if isinstance(data, LLMSettings):
        return data
    if data is not None and not isinstance(data, Mapping):
        raise UserError(
            f"{where} must be a table of settings (got {data!r}): set them with "
            f"--set {where}.FIELD=VALUE"
        )
    try:
        return LLMSettings.model_validate(dict(data or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        name = f"{where}.{field}" if field else where
        if err["type"] == "extra_forbidden":
            known = ", ".join(LLMSettings.model_fields)
            raise UserError(f"{name} is unknown: known llm fields are {known}") from None
        msg = str(err["msg"]).removeprefix("Value error, ")
        got = err.get("input")
        shown = f" (got {got!r})" if field and not isinstance(got, dict) else ""
        raise UserError(f"{name}: {msg}{shown}; fix it with --set {name}=VALUE") from None


def identity_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """An ``llm`` table without its operational keys (what goes into ``config_hash``)."""
    return {k: v for k, v in table.items() if k not in OPERATIONAL_FIELDS}


def identity_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with every ``llm`` table (at any depth) reduced to :func:`identity_table`.

    A config without operational keys comes back equal, so it hashes as it always did."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            value = identity_config(value)
            if key == "llm":
                value = identity_table(value)
        out[key] = value
    return out


def llm_tables(config: Any, prefix: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    """Every ``llm`` table of a program config (a pydantic model or a dict), with its dotted
    path: ``[("llm", {...})]`` for the usual top-level one."""
    if isinstance(config, BaseModel):
        items = [(name, getattr(config, name)) for name in type(config).model_fields]
    elif isinstance(config, Mapping):
        items = list(config.items())
    else:
        return []
    out: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in items:
        path = f"{prefix}{key}"
        if key == "llm" and isinstance(value, Mapping | LLMSettings):
            out.append((path, value))  # type: ignore[arg-type]
        elif isinstance(value, BaseModel | Mapping):
            out.extend(llm_tables(value, f"{path}."))
    return out


def check_llm_settings(config: Any) -> None:
    """Validate every ``llm`` table of ``config`` (one-line UserError naming ``llm.FIELD``)."""
    for path, table in llm_tables(config):
        load_llm_settings(table, where=path)


def require_modules(modules: tuple[str, ...] | list[str], what: str, hint: str) -> None:
    """A one-line UserError unless every module of ``modules`` is importable (checked with
    :func:`importlib.util.find_spec`, so nothing heavy is imported)."""
    missing = [m for m in modules if not _importable(m)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise UserError(f"{what} needs {', '.join(missing)}, which {verb} not installed: {hint}")


def require_diffusion(what: str) -> None:
    """A one-line UserError unless the diffusion extra (torch, diffusers, transformers) is
    importable: for modes that run diffusers pipelines and CLIP in the workers."""
    require_modules(DIFFUSION_MODULES, what, DIFFUSION_EXTRA_HINT)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a stub in sys.modules
        return False


def check_llm_extra(table: Mapping[str, Any] | LLMSettings | None, where: str = "llm") -> None:
    """The modules the chosen backend imports when it is built: aiohttp (``openai``) or vllm."""
    settings = load_llm_settings(table, where=where)
    if settings.backend == "vllm":
        require_modules(["vllm"], f"{where}.backend=vllm", VLLM_EXTRA_HINT)
    else:
        require_modules(
            ["aiohttp"], f"the LLM HTTP client ({where}.backend=openai)", LLM_EXTRA_HINT
        )
