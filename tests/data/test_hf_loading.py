"""``datasets.load_dataset("DIR")`` returns the records with decoded media, for every program
and output format (issue #16): the card's YAML picks the loader (imagefolder/audiofolder over
``media/**`` for jsonl, webdataset over ``data/*.tar``, parquet over ``data/*.parquet``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from synthgen.records import media_of
from synthgen.sinks import sinks
from synthgen.validate import load_dataset
from tests.data.conftest import N

hf = pytest.importorskip("datasets")

CASES = [
    ("svg", "jsonl"),
    ("svg_multi", "jsonl"),
    ("imgdiff", "jsonl"),
    ("edit", "jsonl"),
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
    out = []
    for name, ref in media_of(record).items():
        if fmt == "jsonl" and ref["mime"].startswith("audio/"):
            continue  # the card's config is the JSON records; audio stays files
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


def _present(value: object) -> object:
    """``value`` without dict keys whose value is None (the loader fills a key a record lacks
    with None) and without empty dicts."""
    if isinstance(value, dict):
        kept = {k: _present(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_present(v) for v in value]
    return value


def _key_paths(value: object, prefix: str = "") -> set[str]:
    """Every dotted key path of a JSON value (list items share their list's path)."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in (prefix + k, *_key_paths(v, prefix + k + "."))}
    if isinstance(value, list):
        return {p for v in value for p in _key_paths(v, prefix)}
    return set()


def test_webdataset_card_types_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card's statistics read a sample, but a webdataset card declares the JSON keys and
    members of every record (the loader silently drops what its features lack): with a
    one-record sample, every later record still loads with all its keys. Every record of a
    shipped program writes the same keys (schema 6), so a program of this test's own makes
    the case: every third record has a key the others lack."""
    import synthgen
    import synthgen.card as card
    from synthgen.program import programs

    monkeypatch.setattr(card, "SAMPLE", 1)
    programs.names()  # the built-in programs first: the registry loads them once
    monkeypatch.setitem(programs._items, "keyed", _Keyed)
    out = tmp_path / "keyed"
    synthgen.make("keyed", n=6, out=out, workers=1, shard_size=2, format="webdataset", seed=7)
    stored = {s.data["id"]: s.data for s in _stored(out, "webdataset")}
    first = _key_paths(stored[min(stored)])
    assert any(_key_paths(r) - first for r in stored.values()), "no key first seen later"
    ds = hf.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert len(ds) == len(stored)
    for row in ds:
        assert _present(row["json"]) == _present(stored[row["json"]["id"]])
    # the kept per-shard types are a cache: without them the card is the same
    readme = (out / "README.md").read_bytes()
    for kept in (out / "card" / "types").glob("*.json"):
        kept.unlink()
    card.write_card(load_dataset(out))
    assert (out / "README.md").read_bytes() == readme
    assert len(list((out / "card" / "types").glob("*.json"))) == 3


def _keyed_classes() -> type:
    from PIL import Image as PILImage

    from synthgen.program import Context, Program, ProgramConfig, Sample
    from synthgen.records import BaseRecord, CompactModel

    class KeyedRecord(BaseRecord, CompactModel):
        value: int
        extra: dict[str, int] | None = None  # every third record: a key the first lacks

    class Keyed(Program[ProgramConfig]):
        """Test program (registered by the test that uses it)."""

        name = "keyed"
        version = "1"
        description = "records with a key only some have"
        Config = ProgramConfig
        Record = KeyedRecord
        media_kinds = ("image",)

        def generate(self, ctx: Context[ProgramConfig]) -> Sample:
            data: dict[str, Any] = {"value": ctx.index}
            if ctx.index % 3 == 2:
                data["extra"] = {"later": ctx.index}
            return Sample(data, {"image": PILImage.new("RGB", (4, 4), (ctx.index, 0, 0))})

    return Keyed


_Keyed = _keyed_classes()


@pytest.mark.parametrize(
    ("program", "fmt"), [("svg", "jsonl"), ("audiocaps", "jsonl"), ("audiocaps", "webdataset")]
)
def test_every_config_of_the_card_loads(
    made: Callable[[str, str], Path], program: str, fmt: str, tmp_path: Path
) -> None:
    """Every config the card names loads all records (datasets reads every config of a card
    with one loader, so a config over other files would find no rows)."""
    import re

    root = made(program, fmt)
    yaml = (root / "README.md").read_text().split("---")[1]
    names = re.findall(r"^- config_name: (\S+)$", yaml, flags=re.M)
    assert "default" in names
    for name in dict.fromkeys(names):
        ds = hf.load_dataset(str(root), name, split="train", cache_dir=str(tmp_path / name))
        assert len(ds) == N, name


@pytest.mark.parametrize(
    "program",
    [
        "svg",
        "svg_multi",
        "edit",
        "multihop",
        "audiocaps",
        "imgdiff",
    ],
)
def test_json_loader_reads_every_shard(
    made: Callable[[str, str], Path], program: str, tmp_path: Path
) -> None:
    """``load_dataset("json", data_files="D/data/*.jsonl")`` (the issue's first call) gives
    every record of a several-shard dataset. Every datasets version (3.x and 5.x) types all
    files from the first one it reads: a struct key only a later shard has, or a field null in
    every record of the first shard and set later, fails the load (schema 3 removed those:
    sprite anchors as a list, edit's deltas, refexps, signs and phrase with fixed types)."""
    root = made(program, "jsonl")
    files = sorted(str(p) for p in (root / "data").glob("*.jsonl"))
    assert len(files) > 1
    stored = {s.data["id"]: s.data for s in _stored(root, "jsonl")}
    for first in range(len(files)):  # each shard once as the one the types come from
        order = files[first:] + files[:first]
        cache = str(tmp_path / str(first))
        ds = hf.load_dataset("json", data_files=order, split="train", cache_dir=cache)
        assert sorted(ds["id"]) == sorted(stored)
        for row in ds:  # floats to 1e-9: this loader can parse 1.61 as 1.6099999999999999
            assert _rounded(_present(row)) == _rounded(_present(stored[row["id"]]))


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _loaded(text: object) -> object:
    """A field written as JSON text (schema 4), or the value itself."""
    return json.loads(text) if isinstance(text, str) and text.startswith(("[", "{")) else text


def _no_relations(record: dict) -> bool:
    return not _loaded(record["graph"]["relations"])


def _no_options(record: dict) -> bool:
    return not any(_loaded(q.get("choices")) for q in record["qa"])


def _no_table(record: dict) -> bool:
    return not any(p["type"] == "table" for d in record["documents"] for p in d["parts"])


@pytest.mark.parametrize(
    ("program", "lacks", "strip"),
    [
        ("audiocaps", _no_relations, ()),  # one-event clips: no relations
        ("svg", _no_options, ()),  # no multiple-choice question: choices / answer_index unset
        # no table part: no header, columns or rows (schema 5: JSON text)
        ("multihop", _no_table, ()),
    ],
)
def test_json_loader_first_shard_lacking_a_list(
    program: str, lacks: Callable[[dict], bool], strip: tuple[str, ...], tmp_path: Path
) -> None:
    """The bare JSON loader types every shard from the first: a first shard whose records all
    lack a list (or a value) that later records have must still load every record. The shard
    files are cut from one made dataset so that the first holds exactly such records
    (``strip``: top-level keys removed from every record first)."""
    import synthgen

    out = tmp_path / program
    config = {"qa": {"per_image": 2}} if program == "svg" else {}
    synthgen.make(program, n=16, out=out, workers=1, shard_size=16, seed=3, config=config)
    lines = (out / "data" / "shard-00000.jsonl").read_text().splitlines(keepends=True)
    if strip:
        lines = [
            json.dumps({k: v for k, v in json.loads(line).items() if k not in strip}) + "\n"
            for line in lines
        ]
    first = [line for line in lines if lacks(json.loads(line))]
    rest = [line for line in lines if not lacks(json.loads(line))]
    assert first and rest, "the made records do not give the case"
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    files[0].write_text("".join(first))
    files[1].write_text("".join(rest))
    ds = hf.load_dataset(
        "json", data_files=[str(f) for f in files], split="train", cache_dir=str(tmp_path / "hf")
    )
    stored = {json.loads(line)["id"]: json.loads(line) for line in lines}
    assert sorted(ds["id"]) == sorted(stored)
    for row in ds:
        assert _rounded(_present(row)) == _rounded(_present(stored[row["id"]]))


def test_optional_fields_load_from_a_first_shard_that_never_sets_them(tmp_path: Path) -> None:
    """records.OptionalIndex / OptionalStrings (what a record uses for an index or a list of
    strings that may be unset or empty): a first file where every record leaves them unset
    and a second that sets them load together, and each row reads back as its record."""
    from synthgen.records import OptionalIndex, OptionalStrings, StrictModel

    class Item(StrictModel):
        choices: OptionalStrings = None
        answer_index: OptionalIndex = None

    class Row(StrictModel):
        id: str
        items: list[Item]

    first = [Row(id="a", items=[Item()]), Row(id="b", items=[Item(choices=[])])]
    later = [Row(id="c", items=[Item(choices=["red", "blue"], answer_index=1), Item()])]
    files = []
    for k, rows in enumerate((first, later)):
        files.append(tmp_path / f"{k}.jsonl")
        files[-1].write_text("".join(r.model_dump_json() + "\n" for r in rows))
    ds = hf.load_dataset(
        "json", data_files=[str(f) for f in files], split="train", cache_dir=str(tmp_path / "hf")
    )
    assert [Row.model_validate(row) for row in ds] == first + later


@pytest.mark.parametrize(
    "program",
    [
        "multihop",
        "svg_multi",
    ],
)
def test_bare_webdataset_loader_reads_samples_of_any_image_count(
    program: str, tmp_path: Path
) -> None:
    """``load_dataset("webdataset", data_files="D/data/*.tar")`` without the card's features
    takes the member set from the first five samples and refuses five that differ: every
    sample of a program with 1..K images has a member per slot (a 1x1 placeholder where the
    record has fewer), so each shard first loads every record with its own images decoded."""
    import synthgen

    out = tmp_path / program
    config = {"world": {"max_objects": 5}, "qa": {"per_image": 2}} if program == "svg_multi" else {}
    synthgen.make(
        program, n=12, out=out, workers=1, shard_size=4, format="webdataset", config=config
    )
    stored = {s.data["id"]: s for s in _stored(out, "webdataset")}
    counts = {len(s.data["media"]) for s in stored.values()}
    assert len(counts) > 1, "every record has as many images: the case is not made"
    files = sorted(str(p) for p in (out / "data").glob("*.tar"))
    for first in range(len(files)):
        order = files[first:] + files[:first]
        cache = str(tmp_path / f"hf{first}")
        ds = hf.load_dataset("webdataset", data_files=order, split="train", cache_dir=cache)
        assert sorted(ds["__key__"]) == sorted(stored)
        slots = sorted(c for c in ds.column_names if c.startswith("image_"))
        assert len(slots) >= max(counts)  # K slots: as many as a record can have
        for row in ds:
            item = stored[row["__key__"]]
            for column in slots:
                name = column.split(".")[0]
                ref = media_of(item.data).get(name)
                if ref is None:  # a slot this record does not fill
                    assert row[column].size == (1, 1)
                    continue
                blob = item.media[ref["path"]]
                assert row[column].tobytes() == Image.open(io.BytesIO(blob)).tobytes()


ONE_FIRST = [
    ("svg", ()),
    # schema 6: media as a list (a record with more images than the first had keys the first
    # lacked) and scene graphs' relations_by_predicate as JSON text (a predicate's pairs
    # empty in every graph of the first record typed the list as null)
    ("svg_multi", ()),
    ("imgdiff", ()),
    ("edit", ()),
    ("multihop", ()),
    ("audiocaps", ()),
]


def _poorest_first(records: list[dict]) -> list[int]:
    """Record positions, the record with the fewest key paths (of its own JSON: the fewest
    kinds of part, change or edit, empty lists) first; ties by fewer media."""
    return sorted(
        range(len(records)),
        key=lambda i: (len(_key_paths(records[i])), len(records[i].get("media", {})), i),
    )


@pytest.mark.parametrize(("program", "strip"), ONE_FIRST)
def test_json_loader_one_record_as_the_first_file(
    program: str, strip: tuple[str, ...], tmp_path: Path
) -> None:
    """The bare JSON loader types every file from the first: the record with the fewest key
    paths (a style edit without delta items, an imgdiff add without a before side or a move
    direction, a multihop record without a chart or a text part) alone as the first file and
    the other records as the second load, every row equal to its record (schema 5: every
    record writes the same keys with typed values; schema 6: media a list of named files).
    ``strip``: top-level keys removed from every line first."""
    import synthgen

    out = tmp_path / program
    config = {"qa": {"per_image": 2}} if program == "svg" else {}
    synthgen.make(program, n=12, out=out, workers=1, shard_size=12, seed=11, config=config)
    records = [
        json.loads(line)
        for path in sorted((out / "data").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    for record in records:
        for key in strip:
            del record[key]
    order = _poorest_first(records)
    lines = [json.dumps(records[i]) + "\n" for i in order]
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    files[0].write_text(lines[0])
    files[1].write_text("".join(lines[1:]))
    ds = hf.load_dataset(
        "json", data_files=[str(f) for f in files], split="train", cache_dir=str(tmp_path / "hf")
    )
    stored = {r["id"]: r for r in records}
    assert sorted(ds["id"]) == sorted(stored)
    for row in ds:
        assert _rounded(_present(row)) == _rounded(_present(stored[row["id"]]))


def _tar_in_order(sources: list[Path], dst: Path, keys: list[str]) -> None:
    """The samples of the ``sources`` tars written to ``dst`` in the order of ``keys``."""
    import tarfile

    members = []
    for src in sources:
        with tarfile.open(src) as tar:
            members += [(m, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
    by_key: dict[str, list] = {}
    for member, blob in members:
        by_key.setdefault(member.name.split(".", 1)[0], []).append((member, blob))
    with tarfile.open(dst, "w") as tar:
        for key in keys:
            for member, blob in by_key[key]:
                tar.addfile(member, io.BytesIO(blob))


@pytest.mark.parametrize(
    "program",
    [
        "svg",
        "svg_multi",
        "imgdiff",
        "edit",
        "multihop",
        # audiocaps: the bare loader decodes its WAV members, which needs torchcodec (5.x)
    ],
)
def test_bare_webdataset_loader_keeps_keys_only_later_samples_have(
    program: str, tmp_path: Path
) -> None:
    """``load_dataset("webdataset", data_files=...)`` without the card's features types the
    ``json`` member from the first five samples and drops, without a word, keys that only
    later samples have (or fails on a list empty in all five): with the samples of fewest key
    paths first, every row's JSON still equals its record (every record writes the same keys;
    schema 4's edit and imgdiff records failed here: five style edits type ``delta`` as a list
    of null)."""
    import synthgen

    out = tmp_path / program
    config = {"world": {"max_objects": 5}} if program == "svg_multi" else {}
    synthgen.make(
        program,
        n=30,
        out=out,
        workers=1,
        shard_size=30,
        seed=11,
        format="webdataset",
        config=config,
    )
    stored = [s.data for s in _stored(out, "webdataset")]
    keys = [stored[i]["id"] for i in _poorest_first(stored)]
    tar = tmp_path / "ordered.tar"
    _tar_in_order(sorted((out / "data").glob("*.tar")), tar, keys)
    ds = hf.load_dataset(
        "webdataset", data_files=[str(tar)], split="train", cache_dir=str(tmp_path / "hf")
    )
    assert ds["__key__"] == keys
    by_id = {r["id"]: r for r in stored}
    for row in ds:
        assert _rounded(_present(row["json"])) == _rounded(_present(by_id[row["json"]["id"]]))


@pytest.mark.parametrize(
    ("program", "config", "unset"),
    [
        ("edit", {"world": "shapes"}, lambda r: not r.delta),  # a style edit changes no object
        (  # an add has no before side, a held sprite no ground position
            "imgdiff",
            {"world": "sprites"},
            lambda r: any(
                s is None or s.position is None for c in r.changes for s in (c.before, c.after)
            ),
        ),
        ("multihop", {}, lambda r: not any(h.regions for h in r.chain)),  # no image hop
        ("multihop", {}, lambda r: len(r.media) == 1),  # one image (others have more)
        (  # a predicate with no pair in any of the record's graphs (schema 6: JSON text)
            "svg_multi",
            {"world": {"max_objects": 5}},
            lambda r: any(
                not any(g.relations_by_predicate[p] for g in r.scene_graphs)
                for p in r.scene_graphs[0].relations_by_predicate
            ),
        ),
        ("svg_multi", {"world": {"max_objects": 5}}, lambda r: len(r.media) == 2),
    ],
)
def test_every_record_writes_the_same_keys(
    program: str, config: dict, unset: Callable[[Any], bool]
) -> None:
    """Schema 5: every record of a program writes the same key paths (what lets a one-record
    first file type the rest, and the bare webdataset loader's five samples type every
    later one), also where a record leaves a field unset in memory (``unset`` says which
    records do: the case must be there). Schema 6: also whatever its number of images
    (``media`` a list) or its graphs' empty predicates (``relations_by_predicate`` text)."""
    import synthgen

    made = list(synthgen.generate(program, n=30, seed=11, config=config))
    assert any(unset(r) for r in made) and not all(unset(r) for r in made)
    paths = {}
    for record in made:
        data = json.loads(record.model_dump_json())
        paths.setdefault(frozenset(_key_paths(data)), record.id)
    assert len(paths) == 1, [sorted(p) for p in paths]
