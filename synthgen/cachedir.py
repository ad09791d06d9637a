"""synthgen's per-machine cache folder: ``$SYNTHGEN_CACHE_DIR/NAME``, else
``$XDG_CACHE_HOME/synthgen/NAME``, else ``~/.cache/synthgen/NAME``.

What is kept there is derived data that a process would otherwise recompute identically
(decoded sprite sheets, ...); deleting the folder only costs time.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "SYNTHGEN_CACHE_DIR"


def cache_dir(name: str) -> Path:
    """The cache sub-folder ``name`` (not created)."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / name
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "synthgen" / name
