"""Every program's JSON lines load as one Arrow table: one type per field (issue #16).

``pyarrow.json.read_json`` and ``datasets.load_dataset("json")`` infer one type per column and
fail (or give ``null`` / union columns) when a field changes type between records: a program
node that is an object in one record and a list in the next, an ``[id, "before", id]`` tuple,
a value that is sometimes an int and sometimes a string, a field that is null in every record.
For each built-in program's default (model-free) mode this writes a few hundred records as
JSON lines and checks that Arrow infers a table with no ``null``-typed or union column, that
``pa.Table.from_pylist`` infers the same types, that each record reads back to the same bytes,
and (when ``datasets`` is importable) that ``load_dataset("json")`` loads them.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import pytest

import synthgen
from synthgen.program import programs

pa = pytest.importorskip("pyarrow")
pj = pytest.importorskip("pyarrow.json")

N = 200
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "noop": ("noop", {}),
    "squares": ("squares", {}),
    "svg": ("svg", {}),
    "svg_sprites": ("svg", {"world": "sprites"}),
    "svg_multi": ("svg_multi", {}),
    "imgdiff": ("imgdiff", {}),
    "edit": ("edit", {}),
    "multihop": ("multihop", {}),
    "audiocaps": ("audiocaps", {}),
}
ENVELOPE_LISTS = {"lineage.models", "lineage.prompts", "lineage.verdicts", "media"}
"""Envelope lists a program without models (or filters, or media: schema 6 writes ``media``
as a list) leaves empty in every record: Arrow types them ``list<null>``, which any later
record's values can still fill."""


def _bad_types(t: Any, path: str, empty_lists: set[str]) -> list[str]:
    """Paths of ``null``-typed or union columns in type ``t`` (``list<null>`` allowed where
    every list at ``path`` is empty and ``path`` is an envelope list)."""
    if pa.types.is_null(t):
        return [f"{path}: null"]
    if pa.types.is_union(t):
        return [f"{path}: union {t}"]
    if pa.types.is_struct(t):
        return [
            b for f in t for b in _bad_types(f.type, f"{path}.{f.name}".lstrip("."), empty_lists)
        ]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        if pa.types.is_null(t.value_type) and path in ENVELOPE_LISTS and path in empty_lists:
            return []
        return _bad_types(t.value_type, path + "[]", empty_lists)
    if pa.types.is_map(t):
        return _bad_types(t.key_type, path + "{k}", empty_lists) + _bad_types(
            t.item_type, path + "{v}", empty_lists
        )
    return []


def _shape(t: Any) -> Any:
    """A type with struct fields sorted by name (the two inferences may order them apart)."""
    if pa.types.is_struct(t):
        return ("struct", tuple(sorted((f.name, _shape(f.type)) for f in t)))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return ("list", _shape(t.value_type))
    return str(t)


def _always_empty(records: list[dict[str, Any]]) -> set[str]:
    empty = {
        f"lineage.{key}"
        for key in ("models", "prompts", "verdicts")
        if all(not r.get("lineage", {}).get(key) for r in records)
    }
    return empty | ({"media"} if all(not r.get("media") for r in records) else set())


@pytest.fixture(scope="module")
def datasets_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hf_cache")


def test_every_builtin_program_is_covered() -> None:
    builtin = {
        name for name, cls in programs.items() if cls.__module__.startswith("synthgen.generators")
    }
    assert builtin <= {name for name, _ in CASES.values()}, builtin


@pytest.mark.parametrize("case", sorted(CASES))
def test_records_load_as_one_arrow_table(case: str, tmp_path: Path, datasets_cache: Path) -> None:
    name, config = CASES[case]
    records = list(synthgen.generate(name, n=N, seed=0, config=config))
    assert len(records) == N
    lines = [r.model_dump_json() for r in records]
    data = "".join(line + "\n" for line in lines).encode()
    path = tmp_path / "data" / "shard-00000.jsonl"
    path.parent.mkdir()
    path.write_bytes(data)
    parsed = [json.loads(line) for line in lines]
    empty = _always_empty(parsed)

    table = pj.read_json(io.BytesIO(data), read_options=pj.ReadOptions(block_size=1 << 26))
    assert table.num_rows == N
    assert _bad_types(pa.struct(list(table.schema)), "", empty) == []

    listed = pa.Table.from_pylist(parsed)
    assert _bad_types(pa.struct(list(listed.schema)), "", empty) == []
    ours = {f.name: _shape(f.type) for f in table.schema}
    theirs = {f.name: _shape(f.type) for f in listed.schema}
    assert ours == theirs

    # small blocks: every slice of the file infers the same types where it has the field
    # (what a chunked reader such as `datasets` sees), never a conflicting one
    small = pj.read_json(io.BytesIO(data), read_options=pj.ReadOptions(block_size=1 << 16))
    assert small.num_rows == N

    # readers (validate, replay, exporters) get the same record back, byte for byte
    Record = type(records[0])
    for line in lines[:: max(1, N // 20)]:
        assert Record.model_validate(json.loads(line)).model_dump_json() == line

    if importlib.util.find_spec("datasets") is not None:
        import datasets

        loaded = datasets.load_dataset(
            "json", data_files=str(path), split="train", cache_dir=str(datasets_cache / case)
        )
        assert loaded.num_rows == N
