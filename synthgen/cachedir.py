"""synthgen's per-machine cache folder: ``$SYNTHGEN_CACHE_DIR/NAME``, else
``$XDG_CACHE_HOME/synthgen/NAME``, else ``~/.cache/synthgen/NAME``.

What is kept there is derived data that a process would otherwise recompute identically
(decoded sprite sheets, the sound world's noise tables, ...); deleting the folder only costs
time.

:func:`cached_bytes` is the checked way to keep such data: a file is used only when it holds
exactly the key asked for and its payload matches the checksum written with it, so a stale,
truncated, corrupt or misnamed file is rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CACHE_ENV = "SYNTHGEN_CACHE_DIR"

MAGIC = b"synthgen-cache 1\n"
"""First line of a :func:`cached_bytes` file; the second is its JSON header, then the payload."""


def cache_dir(name: str) -> Path:
    """The cache sub-folder ``name`` (not created)."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / name
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "synthgen" / name
    try:
        base = Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry (some containers)
        base = Path(tempfile.gettempdir()) / f"synthgen-cache-{os.getuid()}"
    return base / "synthgen" / name


def key_text(key: Mapping[str, Any]) -> str:
    """The canonical text of a cache key (sorted keys, no whitespace)."""
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


def cache_path(name: str, key: Mapping[str, Any]) -> Path:
    """Where :func:`cached_bytes` keeps the value of ``key`` in cache folder ``name``."""
    digest = hashlib.sha256(key_text(key).encode()).hexdigest()[:40]
    return cache_dir(name) / f"{digest}.bin"


def cached_bytes(name: str, key: Mapping[str, Any], build: Callable[[], bytes]) -> bytes:
    """``build()``'s bytes, kept in cache folder ``name`` across processes.

    ``key`` must name everything the bytes depend on (the caller's source, library versions,
    parameters); it is stored whole in the file and compared on every read, so two keys whose
    file names collide, or a file copied under another name, still miss. The payload is
    checked against its length and CRC-32 (truncation, a partial write, flipped bits): a file
    that fails any check, or cannot be read, is rebuilt and replaced. Writes go to a temporary
    file renamed into place, so readers never see half a file; a folder that cannot be
    written only costs the rebuild."""
    text = key_text(key)
    path = cache_path(name, key)
    data = read_cached(path, text)
    if data is None:
        data = build()
        write_cached(path, text, data)
    return data


def read_cached(path: Path, text: str) -> bytes | None:
    """The payload of the cache file ``path`` if it holds key ``text`` and is intact."""
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            header = json.loads(f.readline())
            if not isinstance(header, dict) or header.get("key") != text:
                return None
            data = f.read()  # the payload, not copied again by slicing
    except (OSError, ValueError, RecursionError):  # ("[[[[..." nests past the parser's limit)
        return None
    if len(data) != header.get("size") or zlib.crc32(data) != header.get("crc32"):
        return None
    return data


def write_cached(path: Path, text: str, data: bytes) -> None:
    """Write the cache file ``path`` holding key ``text`` (atomically; errors ignored)."""
    header = json.dumps({"key": text, "size": len(data), "crc32": zlib.crc32(data)})
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would make users sharing the folder rebuild
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC)
            f.write(header.encode() + b"\n")
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass  # a cache that cannot be written costs time, not correctness
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


STALE_TEMPORARY_S = 3600.0
"""A ``.tmp-*`` file this old was left by a killed writer (SIGKILL, power loss): removed."""


def _remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for tmp in folder.glob(".tmp-*.bin"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_TEMPORARY_S:
                tmp.unlink()


def source_digest(*files: str | Path) -> str:
    """sha256 (16 hex digits) of source files: put in a cache key, it makes any edit of the
    code that computes a cached value a miss."""
    h = hashlib.sha256()
    for file in files:
        h.update(Path(file).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def numpy_key() -> dict[str, Any]:
    """What numpy's floating-point results depend on beyond the inputs: its version and the
    CPU features its SIMD kernels dispatch on (a cache folder shared by machines with other
    CPUs must not hand one machine's rounding to another)."""
    import importlib
    import platform
    import sys

    import numpy as np

    features: dict[str, bool] | None = None
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        try:
            features = getattr(importlib.import_module(module), "__cpu_features__", None)
        except ImportError:
            continue
        if isinstance(features, dict):
            break
    cpu = sorted(k for k, on in features.items() if on) if isinstance(features, dict) else None
    if cpu is None:  # unknown features: never share entries with another machine
        cpu = [f"host:{platform.node()}", platform.processor() or "unknown"]
    return {
        "numpy": np.__version__,
        "numpy_at": str(Path(np.__file__).parent),  # another build (conda, pip) is elsewhere
        "cpu": cpu,
        "machine": platform.machine(),
        "byteorder": sys.byteorder,
    }
