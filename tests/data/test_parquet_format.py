"""``--format parquet``: Parquet shards with media embedded, checked, replayable and resumable
like the other formats (issue #16)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import synthgen
from synthgen.replay import replay
from synthgen.validate import validate_dataset
from tests.helpers import dataset_bytes, run_cli

pq = pytest.importorskip("pyarrow.parquet")

SMALL = {"world": {"max_objects": 5}, "qa": {"per_image": 3}}


def test_parquet_rows_hold_the_records_and_their_images(tmp_path: Path) -> None:
    out = tmp_path / "d"
    synthgen.make(
        "svg_multi", n=5, out=out, workers=1, shard_size=3, format="parquet", config=SMALL
    )
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        "shard-00000.parquet",
        "shard-00001.parquet",
    ]
    assert not [p for p in (out / "media").rglob("*") if p.is_file()]
    rows = [
        r for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()
    ]
    assert [r["index"] for r in rows] == sorted(r["index"] for r in rows) and len(rows) == 5
    for row in rows:
        present = row["media"]  # a list of the record's named files (schema 6)
        assert [ref["name"] for ref in present] == [f"image_{i}" for i in range(len(present))]
        assert len(row["images"]) == len(row["scene_graphs"]) == len(present) >= 2
        for image, graph in zip(row["images"], row["scene_graphs"], strict=True):
            picture = Image.open(io.BytesIO(image["bytes"]))
            assert picture.size == (graph["width"], graph["height"])
    report = validate_dataset(out)
    assert report.problems == []
    rid = rows[-1]["id"]
    assert replay(out, rid).identical


def test_parquet_resume_and_workers_give_the_same_bytes(tmp_path: Path) -> None:
    fresh, grown = tmp_path / "fresh", tmp_path / "grown"
    synthgen.make("squares", n=20, out=fresh, workers=2, shard_size=6, format="parquet")
    synthgen.make("squares", n=7, out=grown, workers=1, shard_size=6, format="parquet")
    synthgen.make("squares", n=20, out=grown, workers=1, shard_size=6, format="parquet")
    assert dataset_bytes(fresh) == dataset_bytes(grown)


def test_a_torn_parquet_shard_is_found_and_redone(tmp_path: Path) -> None:
    out = tmp_path / "d"
    synthgen.make("squares", n=10, out=out, workers=1, shard_size=4, format="parquet")
    before = dataset_bytes(out)
    shard = out / "data" / "shard-00001.parquet"
    shard.write_bytes(shard.read_bytes()[:100])
    assert run_cli("validate", str(out)).returncode == 1
    synthgen.make("squares", n=10, out=out, workers=1, shard_size=4, format="parquet")
    assert dataset_bytes(out) == before


def test_parquet_card_declares_what_only_later_records_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card samples the first records, but a Parquet dataset's card declares the union of
    every shard's schema: with a one-record sample, the rest still load."""
    hf = pytest.importorskip("datasets")
    import synthgen.card as card

    monkeypatch.setattr(card, "SAMPLE", 1)
    out = tmp_path / "svg"
    config = {"qa": {"per_image": 3}}
    synthgen.make("svg", n=6, out=out, workers=1, shard_size=2, format="parquet", config=config)
    ds = hf.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(ds["index"]) == list(range(6))
