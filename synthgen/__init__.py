"""synthgen: a synthetic multimodal data generation engine.

Python API (the CLI calls the same functions)::

    import synthgen
    manifest = synthgen.make("svg", n=1000, out="out/svg", seed=0)
    for record in synthgen.generate("svg", n=3, seed=0):
        print(record.id, record.media_objects["image"].size)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from synthgen.engine import generate, make

__all__ = ["__version__", "generate", "make"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import synthgen` stays cheap (the CLI's start-up time, worker imports).
    if name in ("make", "generate"):
        from synthgen import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'synthgen' has no attribute {name!r}")
