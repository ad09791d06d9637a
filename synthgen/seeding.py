"""Seeds, ids and hashes: the pure functions that make output reproducible.

The RNG of a candidate depends on (seed, index) only, through ``numpy.random.SeedSequence``,
so a record can be replayed alone and results do not depend on how work was split.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

ID_INDEX_DIGITS = 10


def rng_for(seed: int, index: int) -> np.random.Generator:
    """The generator of candidate ``index`` of a dataset with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index])))


def sample_seed(seed: int, index: int) -> int:
    """A 63-bit integer seed for libraries that take one (torch, vLLM), from (seed, index)."""
    state = np.random.SeedSequence([seed, index, 0x5EED]).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def record_id(dataset: str, seed: int, index: int) -> str:
    """Stable, human-readable record id, e.g. ``svg-0-0000000042``.

    The index can be read back from the id (see :func:`index_from_id`), which is what
    ``synthgen replay DIR ID`` uses.
    """
    return f"{dataset}-{seed}-{index:0{ID_INDEX_DIGITS}d}"


def index_from_id(record_id_: str) -> int:
    """The candidate index encoded in a record id. Raises ValueError if it has none."""
    tail = record_id_.rsplit("-", 1)[-1]
    if not tail.isdigit():
        raise ValueError(f"record id {record_id_!r} does not end in an index")
    return int(tail)


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def config_hash(config: dict[str, Any]) -> str:
    """Short sha256 of a resolved config; two configs with equal values hash equally."""
    return hashlib.sha256(canonical_json(config).encode()).hexdigest()[:16]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
