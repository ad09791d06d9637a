"""``datasets.load_dataset("DIR")`` returns the records with decoded media, for every program
and output format (issue #16): the card's YAML picks the loader (imagefolder/audiofolder over
``media/**`` for jsonl, webdataset over ``data/*.tar``, parquet over ``data/*.parquet``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from synthgen.sinks import sinks
from tests.data.conftest import N

hf = pytest.importorskip("datasets")

CASES = [
    ("svg", "jsonl"),
    ("svg_multi", "jsonl"),
    ("imgdiff", "jsonl"),
    ("edit", "jsonl"),  # referring_expression can be null in every record of a shard
    ("multihop", "jsonl"),
    ("audiocaps", "jsonl"),
    ("svg", "webdataset"),
    ("edit", "webdataset"),
    ("multihop", "webdataset"),
    ("audiocaps", "webdataset"),
    ("svg", "parquet"),
    ("svg_multi", "parquet"),
    ("edit", "parquet"),
    ("audiocaps", "parquet"),
]


def _stored(root: Path, fmt: str) -> list:
    """The records as the sink reads them back (independent of the card and of datasets)."""
    shards = sorted(int(p.stem.split("-")[1]) for p in (root / "data").glob("shard-*"))
    return [s for k in shards for s in sinks.get(fmt).read(root, k)]


def _decoded(row: dict, record: dict, fmt: str) -> list[tuple[object, dict]]:
    """(value the loader gave, media ref) of every media item of the record."""
    media = record["media"]
    out = []
    for name, ref in media.items():
        if fmt == "jsonl" and ref["mime"].startswith("audio/"):
            continue  # the default config is the JSON records; audio in the "audio" config
        if fmt == "webdataset":
            value = row[f"{name}.{ref['path'].rsplit('.', 1)[-1]}"]
        elif name[-1].isdigit():
            base, i = name.rsplit("_", 1)
            value = row[f"{base}s"][int(i)]
        else:
            value = (
                row[name]
                if name in row and not isinstance(row[name], str)
                else row[f"{name}_{ref['mime'].split('/')[0]}"]
            )
        out.append((value, ref))
    return out


@pytest.mark.parametrize(("program", "fmt"), CASES)
def test_load_dataset_dir_gives_records_and_media(
    made: Callable[[str, str], Path], program: str, fmt: str, tmp_path: Path
) -> None:
    root = made(program, fmt)
    stored = _stored(root, fmt)
    # a fresh cache: datasets' cache key of local files can match an earlier run's dataset
    ds = hf.load_dataset(str(root), split="train", cache_dir=str(tmp_path / "hf"))
    assert len(ds) == N == len(stored)
    by_id = {item.data["id"]: item for item in stored}
    seen = set()
    for row in ds:  # the folder loaders read shards in no fixed order
        fields = row["json"] if fmt == "webdataset" else row
        item = by_id[fields["id"]]
        record = item.data
        seen.add(record["id"])
        assert fields["index"] == record["index"]
        for key in ("qa", "instruction", "question", "caption"):
            if key in record:
                assert (
                    json.dumps(fields[key], sort_keys=True)
                    == json.dumps(record[key], sort_keys=True)
                    or key == "qa"
                )  # qa items gain null-filled optional fields
        for value, ref in _decoded(row, record, fmt):
            blob = item.media[ref["path"]]
            if ref["mime"].startswith("image/"):
                assert isinstance(value, Image.Image)
                assert value.size == (ref["width"], ref["height"])
                assert value.tobytes() == Image.open(io.BytesIO(blob)).tobytes()
            else:  # audio: bytes (decoding needs torchcodec / librosa, not installed here)
                data = value["bytes"] if isinstance(value, dict) else value
                assert data == blob
    assert seen == set(by_id)
