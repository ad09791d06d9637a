"""Programs may make candidates in batches; output never depends on the batch size."""

from __future__ import annotations

from pathlib import Path

import pytest

import synthgen
from tests.engine.test_programs import Batched
from tests.helpers import dataset_bytes


def test_batched_program_output_is_independent_of_batch_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Batched.seen_batches.clear()
    synthgen.make(
        "test_batched", n=40, out=tmp_path / "b7", workers=1, shard_size=16, reject_every=5
    )
    assert 7 in Batched.seen_batches and max(Batched.seen_batches) == 7
    monkeypatch.setattr(Batched, "size", 1)
    Batched.seen_batches.clear()
    synthgen.make(
        "test_batched", n=40, out=tmp_path / "b1", workers=1, shard_size=16, reject_every=5
    )
    assert set(Batched.seen_batches) == {1}
    assert dataset_bytes(tmp_path / "b7") == dataset_bytes(tmp_path / "b1")
    in_memory = [
        r.model_dump_json()
        for r in synthgen.generate("test_batched", n=40, shard_size=16, reject_every=5)
    ]
    written = [
        line
        for p in sorted((tmp_path / "b7/data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]
    assert in_memory == written
