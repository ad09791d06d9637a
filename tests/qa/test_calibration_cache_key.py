"""The QA calibration tables cached on disk are keyed by synthgen's code *and* its package data:
the sprite atlas's colour names live in atlas.json, and a table computed with other colour
names must not be read (it would balance answers by the wrong shares)."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthgen.generators.qa import balance as B


def test_the_fingerprint_changes_with_the_atlas_data(monkeypatch: pytest.MonkeyPatch) -> None:
    compute = B.code_fingerprint.__wrapped__
    before = compute()
    assert compute() == before
    real = Path.read_bytes

    def edited(self: Path) -> bytes:
        data = real(self)
        return (
            data.replace(b'"color":"brown"', b'"color":"orange"', 1)
            if self.name == "atlas.json"
            else data
        )

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert compute() != before
