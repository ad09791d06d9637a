"""Prompt and question templates, stored as data files beside this module and loaded by name."""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@cache
def load(name: str) -> dict[str, Any]:
    """The TOML template file ``<name>.toml`` of this package, parsed."""
    text = resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def text_sha256(text: str) -> str:
    """Hash recorded in lineage so a record names the exact template text it used."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]
