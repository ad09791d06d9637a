"""Record the size of every local-model call (diffusers pipeline runs, scorer embeddings),
to check that calls of several candidates were batched together (#17)."""

from __future__ import annotations

from typing import Any

import pytest


def record_call_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Patch the backends so each grouped call appends ``(what, items)`` to the returned
    list: ``what`` is the diffusion task, or ``clip.<kind>`` / ``clap.<kind>`` for a scorer
    (one entry per group, before it is cut into ``batch_size`` forward passes)."""
    from synthgen.models.diffusion import DiffusionBackend
    from synthgen.models.scorers import ClapScorer, ClipScorer

    sizes: list[tuple[str, int]] = []
    run_locked = DiffusionBackend._run_locked

    def spy_run(self: Any, task: str, n: int, *args: Any, **kwargs: Any) -> Any:
        sizes.append((task, n))
        return run_locked(self, task, n, *args, **kwargs)

    monkeypatch.setattr(DiffusionBackend, "_run_locked", spy_run)
    for cls, name in ((ClipScorer, "clip"), (ClapScorer, "clap")):
        embed_now = cls._embed_now

        def spy_embed(self: Any, items: Any, kind: str, _f: Any = embed_now, _n: str = name) -> Any:
            sizes.append((f"{_n}.{kind}", len(items)))
            return _f(self, items, kind)

        monkeypatch.setattr(cls, "_embed_now", spy_embed)
    return sizes
