"""Schema 6: a record's ``media`` is a list of named files in its JSON and a dict in memory;
scene graphs' ``relations_by_predicate`` is JSON text in the JSON and a dict in memory. Both
read back to the same record and the same bytes (issue #16: bare loaders)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import synthgen
from synthgen.program import programs
from synthgen.records import SCHEMA_VERSION, MediaRef, media_of
from synthgen.world.graph import PREDICATES


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("media") / "svg_multi"
    config = {"world": {"max_objects": 5}, "qa": {"per_image": 2}}
    synthgen.make("svg_multi", n=6, out=out, workers=1, shard_size=6, seed=11, config=config)
    return (out / "data" / "shard-00000.jsonl").read_text().splitlines()


def test_media_is_a_list_on_disk_and_a_dict_in_memory(lines: list[str]) -> None:
    Record = programs.get("svg_multi").Record
    counts = set()
    for line in lines:
        raw = json.loads(line)
        assert raw["schema_version"] == SCHEMA_VERSION == 6
        assert isinstance(raw["media"], list)
        names = [item["name"] for item in raw["media"]]
        assert names == [f"image_{i}" for i in range(len(names))]
        counts.add(len(names))
        for item in raw["media"]:
            assert {"name", "path", "sha256", "mime", "bytes", "width", "height"} <= set(item)
        record = Record.model_validate_json(line)
        assert list(record.media) == names
        assert all(isinstance(ref, MediaRef) for ref in record.media.values())
        assert record.model_dump_json() == line  # the same bytes back
        assert Record.model_validate(raw).model_dump_json() == line
        assert record.model_dump()["media"] == media_of(raw)  # dict in memory, as before
        assert media_of(raw)["image_0"]["path"] == raw["media"][0]["path"]
    assert len(counts) > 1, "every record has as many images: the case is not made"


def test_relations_by_predicate_is_text_on_disk_and_a_dict_in_memory(lines: list[str]) -> None:
    Record = programs.get("svg_multi").Record
    for line in lines:
        raw = json.loads(line)
        record = Record.model_validate_json(line)
        for text, graph in zip(
            (g["relations_by_predicate"] for g in raw["scene_graphs"]),
            record.scene_graphs,
            strict=True,
        ):
            assert isinstance(text, str)
            table = json.loads(text)
            assert list(table) == [p for p in PREDICATES if p in table]  # canonical order kept
            assert graph.relations_by_predicate == {
                p: [tuple(pair) for pair in pairs] for p, pairs in table.items()
            }


def test_media_of_reads_the_list_and_the_dict() -> None:
    ref = {"path": "media/a.png", "sha256": "0" * 64, "mime": "image/png", "bytes": 1}
    assert media_of({"media": [{"name": "image", **ref}]}) == {"image": ref}
    assert media_of({"media": {"image": ref}}) == {"image": ref}  # model_dump(), schema <= 5
    assert media_of({"media": []}) == {} == media_of({})


def test_a_media_name_twice_is_an_error() -> None:
    from pydantic import ValidationError

    Record = programs.get("noop").Record
    ref = {"path": "media/a.png", "sha256": "0" * 64, "mime": "image/png", "bytes": 1}
    base = {"id": "d-0-0", "index": 0, "seed": 0, "value": 1, "config_hash": "x"}
    base["generator"] = {"name": "noop", "version": "1"}
    with pytest.raises(ValidationError, match="named twice"):
        Record.model_validate({**base, "media": [{"name": "a", **ref}, {"name": "a", **ref}]})
    with pytest.raises(ValidationError, match="with a 'name'"):
        Record.model_validate({**base, "media": [ref]})


def test_schema_json_describes_the_list(lines: list[str], tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = programs.get("svg_multi").Record.model_json_schema()
    media = schema["properties"]["media"]
    assert media["type"] == "array"
    assert media["items"]["required"][0] == "name"
    for line in lines:
        jsonschema.validate(json.loads(line), schema)


def test_relations_table_reads_text_dicts_and_damage() -> None:
    """Readers of raw records (view, vg export, card) take a scene graph's relations as JSON
    text (schema 6) or a dict (older), and a damaged value as no relations, not a crash."""
    from synthgen.records import relations_table

    pairs = {"left of": [[1, 2]], "behind": []}
    assert relations_table(json.dumps(pairs)) == pairs
    assert relations_table(pairs) == pairs
    assert relations_table('{"left of": [[1,') == {} == relations_table(None)
    assert relations_table("[1, 2]") == {}
