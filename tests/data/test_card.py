"""Every ``make`` writes the dataset card ``DIR/README.md`` and its pictures ``DIR/card/``,
and refreshes them when the dataset is resumed or extended (issue #16)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import synthgen
from tests.data.conftest import N


def _yaml(readme: str) -> str:
    match = re.match(r"---\n(.*?)\n---\n", readme, re.S)
    assert match, "the card starts with a YAML header"
    return match[1]


def _section(readme: str, title: str) -> str:
    start = readme.index(title)
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def _records(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((root / "data").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_card_counts_come_from_the_dataset(tmp_path: Path) -> None:
    """squares rejects candidates below min_area: the card's counts and rejects by reason equal
    what the rejects files and records say (counted here from them, not from the card code)."""
    out = tmp_path / "sq"
    synthgen.make("squares", n=40, out=out, workers=1, shard_size=16, min_area=0.3)
    readme = (out / "README.md").read_text()
    rejects = Counter(
        json.loads(line)["reason"]
        for path in (out / "rejects").glob("*.jsonl")
        for line in path.read_text().splitlines()
    )
    assert rejects, "min_area=0.3 must reject some squares"
    counts = _section(readme, "## Counts")
    assert "| records (accepted) | 40 |" in counts
    assert f"| rejected | {sum(rejects.values())} |" in counts
    for reason, n in rejects.items():
        assert f"| {reason} | {n} |" in counts
    colors = Counter(r["color"] for r in _records(out))
    for color, n in colors.items():
        assert f"| {color} | {n} |" in readme
    assert "squares" in _yaml(readme)


@pytest.mark.parametrize("program", ["svg", "edit", "audiocaps", "multihop"])
def test_card_pictures_and_yaml(made: Callable[[str, str], Path], program: str) -> None:
    root = made(program, "jsonl")
    readme = (root / "README.md").read_text()
    yaml = _yaml(readme)
    assert "configs:" in yaml and "dataset_info:" in yaml and "features:" in yaml
    pictures = sorted(p.name for p in (root / "card").glob("*.png"))
    assert "contact_sheet.png" in pictures
    for name in pictures:
        assert f"(card/{name})" in readme
        with Image.open(root / "card" / name) as image:
            assert image.width > 100 and image.height > 50
    sheet = Image.open(root / "card" / "contact_sheet.png").convert("L")
    assert len(sheet.getcolors(1 << 16) or []) > 16, (
        "the contact sheet shows pictures, not a blank page"
    )
    if program == "svg":
        assert {"answer_balance.png", "categories.png", "relations.png"} <= set(pictures)
        assert '"image"' in yaml and 'dtype: "image"' in yaml
    if program == "audiocaps":
        assert "durations.png" in pictures
        assert 'path: "data/*.jsonl"' in yaml  # the records; audio stays files (no torchcodec)
    assert f"first {N} records (all of them)" in readme


def test_card_is_refreshed_when_a_dataset_grows(tmp_path: Path) -> None:
    out = tmp_path / "sq"
    synthgen.make("squares", n=5, out=out, workers=1, shard_size=4)
    assert "| records (accepted) | 5 |" in (out / "README.md").read_text()
    synthgen.make("squares", n=9, out=out, workers=1, shard_size=4)
    readme = (out / "README.md").read_text()
    assert "| records (accepted) | 9 |" in readme
    (out / "README.md").unlink()
    synthgen.make("squares", n=9, out=out, workers=1, shard_size=4)  # nothing to do: resume
    assert (out / "README.md").read_text() == readme


def test_shard_metadata_is_rebuilt_and_shares_one_schema(tmp_path: Path) -> None:
    """jsonl: each media shard folder's metadata.parquet (what the imagefolder loader reads) has
    the same schema in every shard, and a deleted one comes back, byte for byte, on resume."""
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "svg"
    config = {"qa": {"per_image": 3}}
    synthgen.make("svg", n=6, out=out, workers=1, shard_size=2, config=config)
    paths = sorted(out.glob("media/shard-*/metadata.parquet"))
    assert len(paths) == 3
    schemas = [pq.read_schema(p) for p in paths]
    assert all(s.equals(schemas[0]) for s in schemas)
    ids = [r["id"] for p in paths for r in pq.read_table(p).to_pylist()]
    assert ids == [r["id"] for r in _records(out)]
    before = paths[1].read_bytes()
    paths[1].unlink()
    synthgen.make("svg", n=6, out=out, workers=1, shard_size=2, config=config)
    assert paths[1].read_bytes() == before


def test_card_counts_relations_written_as_json_text(tmp_path: Path) -> None:
    """audiocaps writes its graph's relations as JSON text (schema 4): the card still counts
    them per predicate, as many as the records hold."""
    from synthgen.card.stats import scan

    out = tmp_path / "audiocaps"
    synthgen.make("audiocaps", n=6, out=out, workers=1)
    records = _records(out)
    assert all(isinstance(r["graph"]["relations"], str) for r in records)
    expected: dict[str, int] = {}
    for r in records:
        for rel in json.loads(r["graph"]["relations"]):
            expected[rel["predicate"]] = expected.get(rel["predicate"], 0) + 1
    assert expected, "no clip with two events: the case is not made"
    assert dict(scan(records).relations) == expected


def test_audiocaps_records_follow_their_schema_json(tmp_path: Path) -> None:
    """schema.json describes what is written: the graph's relations as JSON text (schema 4)."""
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "audiocaps"
    synthgen.make("audiocaps", n=3, out=out, workers=1)
    schema = json.loads((out / "schema.json").read_text())
    for record in _records(out):
        jsonschema.validate(record, schema)
