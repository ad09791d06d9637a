"""Shared test set-up: no model hub, ever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A dataset directory that does not exist yet."""
    return tmp_path / "ds"
