"""Shared plumbing of the in-process torch backends (diffusers pipelines, CLIP/CLAP scorers).

Why a module of its own: the engine core must import without torch (DESIGN.md, dependency
direction), so every heavy import goes through :func:`require`, which raises a one-line
:class:`~synthgen.errors.UserError` with the install hint when the extra is missing. Device and
dtype resolution, the hub-offline rule and model provenance (:func:`model_ref`) are the same
for every backend and live here once.

Nothing in this module imports torch at module import time.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from synthgen.errors import UserError

if TYPE_CHECKING:
    import torch

HF_HINT = "pip install 'synthgen[hf]'"
DIFFUSION_HINT = "pip install 'synthgen[diffusion]'"

CONFIG_SUFFIXES = (".json", ".txt", ".yaml", ".yml")
"""Files hashed into the revision of a local model directory (configs, vocabularies, merges);
weights are left out so that hashing a multi-GB checkpoint stays instant."""

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def require(module: str, what: str, hint: str = HF_HINT) -> ModuleType:
    """Import ``module`` or fail with a one-line user error naming ``what`` needs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UserError(
            f"{what} needs torch/transformers ({module} is missing: {exc}): {hint}"
        ) from None


def hub_offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` asks for no hub access (tests, air-gapped machines)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def local_files_only(model: str | Path) -> bool:
    """Whether ``from_pretrained`` must not touch the hub: offline, or a local directory."""
    return hub_offline() or Path(model).is_dir()


def resolve_device(device: str) -> str:
    """``"auto"`` -> ``"cuda"`` when a GPU is visible, else ``"cpu"``; anything else as given."""
    if device != "auto":
        return device
    torch = require("torch", "device selection")
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(dtype: str, device: str) -> torch.dtype:
    """``"auto"`` -> float16 on CUDA, float32 elsewhere (CPU half precision is slow/unsupported)."""
    torch = require("torch", "dtype selection")
    if dtype == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    try:
        value = getattr(torch, dtype)
    except AttributeError:
        value = None
    if not isinstance(value, torch.dtype):
        raise UserError(
            f"dtype {dtype!r} is not a torch dtype: use auto, float32, float16 or bfloat16"
        )
    return value


def config_digest(folder: str | Path, length: int = 12) -> str:
    """Short sha256 over the config files of a model directory (path + bytes, sorted)."""
    root = Path(folder)
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in CONFIG_SUFFIXES):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:length]


def model_ref(model: str | Path, revision: str | None = None) -> tuple[str, str | None]:
    """``(id, revision)`` of a model for the record's lineage.

    * A directory inside the hub cache (``.../models--org--name/snapshots/<commit>``) is
      ``("org/name", commit)``.
    * Any other local directory is ``(path as given, sha256[:12] of its config files)``.
    * A hub id is ``(id, revision)``: a pinned commit as given, else the commit of the cached
      snapshot (looked up without network), else the requested revision or None.
    """
    path = Path(model)
    if path.is_dir():
        parts = path.resolve().parts
        if len(parts) >= 3 and parts[-2] == "snapshots" and parts[-3].startswith("models--"):
            return parts[-3][len("models--") :].replace("--", "/"), parts[-1]
        return str(model), config_digest(path)
    if revision and _COMMIT.match(revision):
        return str(model), revision
    try:
        from huggingface_hub import snapshot_download

        snapshot = snapshot_download(str(model), revision=revision, local_files_only=True)
        return str(model), Path(snapshot).name
    except Exception:  # not cached, or no huggingface_hub: record what we know
        return str(model), revision


def model_label(ref: tuple[str, str | None]) -> str:
    """``id@revision`` (or ``id``): the model string a filter verdict carries."""
    model_id, revision = ref
    return f"{model_id}@{revision}" if revision else model_id


def pretrained_kwargs(model: str | Path, revision: str | None = None) -> dict[str, Any]:
    """Keyword arguments for any ``from_pretrained``: revision and the offline rule."""
    kwargs: dict[str, Any] = {"local_files_only": local_files_only(model)}
    if revision is not None and not Path(model).is_dir():
        kwargs["revision"] = revision
    return kwargs


def same_length(what: str, **lists: Sequence[Any]) -> int:
    """The common length of the batch inputs ``lists``; ValueError naming each length if not."""
    lengths = {name: len(values) for name, values in lists.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise ValueError(f"{what} inputs differ in length: {shown}")
    return next(iter(lengths.values()))
