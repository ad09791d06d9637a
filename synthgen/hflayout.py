"""How a dataset directory looks to Hugging Face ``datasets`` (``load_dataset("DIR")``).

``datasets`` picks a loader from the files a dataset card's ``configs`` list:

- jsonl output: ``imagefolder`` over ``media/**`` (audio-only programs: the JSON loader over
  ``data/*.jsonl``, audio left as the records' paths: ``datasets`` uses one loader for every
  config of a card, and decoding audio needs torchcodec/librosa). Each media shard folder
  holds ``metadata.parquet`` (written with the shard by the jsonl sink where pyarrow is
  installed; a derived view like the card, not part of the shard's checked files, unified and
  rebuilt by the card step): the shard's records again, each with ``<name>_file_name`` columns
  naming its media files relative to that folder (``images_file_names`` for ``image_0,
  image_1, ...``), which the loader turns into decoded ``Image`` / ``Audio`` columns
  (``row["image"]``, ``row["images"]``). The JSON loader cannot do this: it opens media paths
  relative to the current directory, not to the dataset. The folder loaders type their columns
  from the first metadata file they read and ignore the card's features, so the Parquet file
  types what JSON cannot: a field that is null in every record of the shard gets its type from
  the record model, the lineage lists theirs from the envelope.
- webdataset output: the ``webdataset`` loader over ``data/*.tar``, with the card's
  ``dataset_info.features`` declaring every member (``json`` as the record's struct, each
  media member as ``Image``/``Audio``), so samples with different numbers of images load
  (a member a sample lacks reads as None). The types cover every record
  (:class:`WebDatasetTypes`, kept per shard), not a sample.
- parquet output: the ``parquet`` loader over ``data/*.parquet`` (media embedded as bytes).

Everything here is a pure function of the records: the card's bytes must not depend on the
machine or on which ``datasets`` version is installed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from synthgen.records import media_of

METADATA_NAME = "metadata.parquet"
"""The folder loaders' metadata file (one per media shard folder)."""

_INDEXED = re.compile(r"^(?P<base>.+)_(?P<i>\d+)$")


def media_kind(mime: str) -> str:
    """``image`` or ``audio`` (what ``datasets`` decodes), else ``file``."""
    head = mime.split("/", 1)[0]
    return head if head in ("image", "audio") else "file"


def media_columns(media: Mapping[str, Mapping[str, Any]], fields: Iterable[str]) -> dict[str, Any]:
    """``{column: file name or list of file names}`` of a record's media for the folder
    loaders: ``image`` -> ``image_file_name``; ``image_0, image_1, ...`` -> one
    ``images_file_names`` list in index order; a name that is also a record field (edit's
    ``source``) gets its kind appended (``source_image_file_name``). File names are the media
    paths' last component (relative to the media shard folder)."""
    taken = set(fields)
    groups: dict[str, list[tuple[int, str]]] = {}
    out: dict[str, Any] = {}
    for name, ref in media.items():
        file_name = ref["path"].rsplit("/", 1)[-1]
        match = _INDEXED.match(name)
        if match:
            groups.setdefault(match["base"], []).append((int(match["i"]), file_name))
            continue
        column = name if name not in taken else f"{name}_{media_kind(ref['mime'])}"
        out[f"{column}_file_name"] = file_name
    for base, items in groups.items():
        column = f"{base}s" if f"{base}s" not in taken else f"{base}s_files"
        out[f"{column}_file_names"] = [f for _, f in sorted(items)]
    return out


def metadata_line(
    record_line: bytes, media: Mapping[str, Mapping[str, Any]], fields: Iterable[str]
) -> bytes:
    """The record's JSON line with its media file columns appended (one ``metadata.jsonl``
    line). ``record_line`` is the record's own bytes, so the fields keep their order and
    formatting; the columns go last."""
    columns = media_columns(media, fields)
    if not columns:
        return record_line
    extra = json.dumps(columns, separators=(",", ":"), ensure_ascii=False)[1:-1]
    body = record_line.rstrip(b"\n")
    assert body.endswith(b"}"), "a record line is one JSON object"
    return body[:-1] + b"," + extra.encode() + b"}\n"


def metadata_file(lines: list[bytes], model: type | None) -> bytes | None:
    """``metadata.parquet`` of a media shard folder for these :func:`metadata_line` lines
    (None without pyarrow: the card then points the JSON loader at the records)."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    table = _read_lines(lines)
    envelope = envelope_types()
    columns = []
    for f, column in zip(table.schema, table.columns, strict=True):
        t = f.type
        if f.name in envelope:
            t = arrow_type(envelope[f.name])
        elif pa.types.is_null(t):
            t = arrow_type(_model_field_type(model, f.name))
        if not t.equals(f.type):  # through Python: Arrow's cast cannot add struct fields
            column = pa.array(column.to_pylist(), type=t)
        columns.append(column)
    return _parquet_bytes(pa.Table.from_arrays(columns, names=table.column_names))


def _read_lines(lines: list[bytes]) -> Any:
    """The lines as an Arrow table, the way ``pa.Table.from_pylist`` of the parsed records
    with :func:`no_empty_objects` types it. Arrow's own JSON reader (one block, one thread:
    ~0.2 ms per svg record against ~0.7 for Python's parse and ``from_pylist``'s inference,
    a tenth of a record's budget) gives the same table unless a record holds an empty object
    or a string Arrow reads as a timestamp; those shards take the Python parse."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    blob = b"".join(lines)
    table = None
    if not _may_hold_empty_object(blob):
        with contextlib.suppress(pa.ArrowInvalid):
            table = pa_json.read_json(
                pa.py_buffer(blob),
                read_options=pa_json.ReadOptions(use_threads=False, block_size=len(blob) + 1),
            )
    if table is None or any(_arrow_reads_otherwise(f.type) for f in table.schema):
        rows = [json.loads(line, object_hook=_none_if_empty) for line in lines]
        return pa.Table.from_pylist(rows)
    return table


def _may_hold_empty_object(blob: bytes) -> bool:
    """Whether compact JSON lines may hold an empty object ``{}`` as a value (Arrow reads it
    as a struct of nulls where from_pylist of :func:`no_empty_objects` has None). ``{}``
    inside a JSON-text string (a question's program) follows an escaped quote (``\\":{}``) and
    does not count; a ``[{}`` or ``,{}`` inside a string answers True, which only costs the
    slower parse. (A key that itself ends in a backslash is not one of ours.)"""
    for needle in (b'":{}', b"[{}", b",{}"):
        at = blob.find(needle)
        while at != -1:
            if needle != b'":{}' or blob[at - 1] != 0x5C:  # not after a backslash
                return True
            at = blob.find(needle, at + len(needle))
    return False


def _arrow_reads_otherwise(t: Any) -> bool:
    """Whether Arrow's JSON reader typed a value unlike ``from_pylist`` of the parsed JSON:
    a string taken for a timestamp, date or time."""
    import pyarrow as pa

    if pa.types.is_struct(t):
        return any(_arrow_reads_otherwise(f.type) for f in t)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _arrow_reads_otherwise(t.value_type)
    return pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t)


def _parquet_bytes(table: Any) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def unify_metadata(paths: list[Path]) -> int:
    """Rewrite the shards' ``metadata.parquet`` files whose schema is not the union of all of
    theirs (returns how many). The folder loaders type every column from whichever metadata
    file they read first, so each must carry every field any shard has (a struct key only some
    scenes have, a field null in one whole shard). Rows keep their values; missing ones read
    as null. Reads only the files' footers when nothing differs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = {path: pq.read_schema(path) for path in paths}
    if not schemas:
        return 0
    union: Any = None
    for schema in schemas.values():
        union = schema if union is None else _unify_schema(union, schema)
    rewritten = 0
    for path, schema in schemas.items():
        if schema.equals(union):
            continue
        rows = pq.read_table(path).to_pylist()
        blob = _parquet_bytes(pa.Table.from_pylist(rows, schema=union))
        from synthgen.fsutil import atomic_write_bytes

        atomic_write_bytes(path, blob)
        rewritten += 1
    return rewritten


def _unify_schema(a: Any, b: Any) -> Any:
    import pyarrow as pa

    return pa.schema(
        [pa.field(f.name, f.type) for f in _unify_type(pa.struct(list(a)), pa.struct(list(b)))]
    )


def _unify_type(a: Any, b: Any) -> Any:
    """One Arrow type that holds values of both (struct fields united, null filled in, int
    widened to float; a text fallback gives way to the real nested type)."""
    import pyarrow as pa

    if a.equals(b):
        return a
    if pa.types.is_null(a):
        return b
    if pa.types.is_null(b):
        return a
    if pa.types.is_struct(a) and pa.types.is_struct(b):
        fields = {f.name: f.type for f in a}
        for f in b:
            fields[f.name] = _unify_type(fields[f.name], f.type) if f.name in fields else f.type
        return pa.struct(list(fields.items()))
    if pa.types.is_list(a) and pa.types.is_list(b):
        return pa.list_(_unify_type(a.value_type, b.value_type))
    numbers = (pa.types.is_integer, pa.types.is_floating)
    if any(t(a) for t in numbers) and any(t(b) for t in numbers):
        return pa.float64()
    if pa.types.is_string(a) and (pa.types.is_struct(b) or pa.types.is_list(b)):
        return b
    if pa.types.is_string(b) and (pa.types.is_struct(a) or pa.types.is_list(a)):
        return a
    raise ValueError(f"a field has two types across shards: {a} and {b}")


def no_empty_objects(value: Any) -> Any:
    """``value`` with every empty object ``{}`` as None: Parquet has no struct without fields
    (the JSON lines keep the record exactly)."""
    if isinstance(value, dict):
        return {k: no_empty_objects(v) for k, v in value.items()} if value else None
    if isinstance(value, list):
        return [no_empty_objects(v) for v in value]
    return value


def _none_if_empty(obj: dict) -> dict | None:
    """``json.loads`` object hook: :func:`no_empty_objects` while parsing (the C decoder
    calls it once per object, about 20x cheaper than walking the parsed record again)."""
    return obj or None


def _model_field_type(model: type | None, name: str) -> Any:
    """The feature type of field ``name`` of a record model; text when it cannot tell."""
    field = getattr(model, "model_fields", {}).get(name)
    try:
        return _annotation_type(field.annotation) if field is not None else "string"
    except TypeError:
        return "string"


# ----------------------------------------------------------------------------- features


def infer_type(values: Iterable[Any]) -> Any:
    """A ``datasets`` feature type of JSON values, as nested plain data: ``"int64"``,
    ``"float64"``, ``"string"``, ``"bool"``, ``"null"``, ``{"struct": {name: type}}`` or
    ``{"list": type}``. Types of all values are merged (int with float is float64; a struct
    holds every field any value has), the way pyarrow unifies JSON records."""
    t: Any = "null"
    for value in values:
        t = _merge(t, _type_of(value))
    return t


def _type_of(value: Any) -> Any:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return {"struct": {k: _type_of(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"list": infer_type(value)}
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _merge(a: Any, b: Any) -> Any:
    if a == "null":
        return b
    if b == "null" or a == b:
        return a
    if isinstance(a, str) and isinstance(b, str) and {a, b} == {"int64", "float64"}:
        return "float64"
    if isinstance(a, dict) and isinstance(b, dict):
        if "struct" in a and "struct" in b:
            fields = dict(a["struct"])
            for k, v in b["struct"].items():
                fields[k] = _merge(fields.get(k, "null"), v)
            return {"struct": fields}
        if "list" in a and "list" in b:
            return {"list": _merge(a["list"], b["list"])}
    raise ValueError(f"a field changes type between records: {a} vs {b}")


def _yaml_feature(name: str, t: Any, indent: int) -> list[str]:
    """One entry of a card's ``features`` list (the YAML ``datasets`` writes and reads)."""
    pad = " " * indent
    head = f"{pad}- name: {json.dumps(name)}"
    if isinstance(t, str):
        return [head, f"{pad}  dtype: {json.dumps(t)}"]
    if t.get("struct") == {}:
        return [head, f"{pad}  struct: []"]
    if "struct" in t:
        lines = [head, f"{pad}  struct:"]
        for key, sub in t["struct"].items():
            lines += _yaml_feature(key, sub, indent + 2)
        return lines
    return [head, *_yaml_list(t["list"], indent + 2)]


def _yaml_list(t: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(t, str):
        return [f"{pad}list: {json.dumps(t)}"]
    if t.get("struct") == {}:
        return [f"{pad}list:", f"{pad}  struct: []"]
    if "struct" in t:
        lines = [f"{pad}list:"]
        for key, sub in t["struct"].items():
            lines += _yaml_feature(key, sub, indent + 2)
        return lines
    return [f"{pad}list:", *_yaml_list(t["list"], indent + 2)]


def features_yaml(columns: Mapping[str, Any], indent: int = 2) -> list[str]:
    """The ``features:`` block of a card for ``{column: type}`` (types from
    :func:`infer_type`, or ``"image"`` / ``"audio"`` for decoded media)."""
    lines = [f"{' ' * indent}features:"]
    for name, t in columns.items():
        lines += _yaml_feature(name, t, indent + 2)
    return lines


def webdataset_members(record: Mapping[str, Any]) -> dict[str, str]:
    """``{member: kind}`` of a record's webdataset media members (``image.png``,
    ``image_0.png``, ... ``audio.wav``): ``image``, ``audio`` or ``binary``."""
    members = {}
    for name, ref in media_of(record).items():
        ext = ref["path"].rsplit(".", 1)[-1]
        kind = media_kind(ref["mime"])
        members[f"{name}.{ext}"] = kind if kind != "file" else "binary"
    return members


TYPES_DIR = "card/types"
"""Where each webdataset shard's :class:`WebDatasetTypes` is kept (``shard-NNNNN.json``)."""


class WebDatasetTypes:
    """The webdataset loader's column types over *every* record, built one record at a time:
    the record JSON's type (:func:`infer_type`: every key any record has; a field that changes
    type raises ``ValueError``) and every media member with its kind. The loader drops a JSON
    key or a member its features lack without a word, so a card typed from a sample of records
    would lose a key that first appears later. The sink keeps each shard's types in
    :data:`TYPES_DIR` (with the shard's sha256) when it commits the shard, so the card step
    unites them without reading the records again."""

    def __init__(self, json_type: Any = "null", members: Mapping[str, str] | None = None) -> None:
        self.json_type = json_type
        self.members = dict(members or {})

    def add(self, record: Mapping[str, Any]) -> None:
        self.json_type = _merge(self.json_type, _type_of(record))
        self.members.update(webdataset_members(record))

    def update(self, other: WebDatasetTypes) -> None:
        self.json_type = _merge(self.json_type, other.json_type)
        self.members.update(other.members)

    def to_bytes(self, sha256: str) -> bytes:
        kept = {"sha256": sha256, "json": self.json_type, "members": self.members}
        return json.dumps(kept, separators=(",", ":")).encode()

    @classmethod
    def read(cls, path: Path, sha256: str) -> WebDatasetTypes | None:
        """The types kept at ``path`` for the shard whose sha256 is ``sha256``; None when the
        file is missing, unreadable or kept for other bytes (a redone or cut shard)."""
        try:
            kept = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or kept.get("sha256") != sha256:
            return None
        return cls(kept.get("json", "null"), kept.get("members"))


def types_path(root: Path, shard: int) -> Path:
    return root / TYPES_DIR / f"shard-{shard:05d}.json"


def webdataset_columns(types: WebDatasetTypes, model: type | None = None) -> dict[str, Any]:
    """``{column: type}`` of the webdataset loader's rows: ``__key__``, ``__url__``, ``json``
    (the record) and one column per media member (``image.png``, ``image_0.png``, ...
    ``audio.wav``), media decoded."""
    ordered = dict(sorted(types.members.items(), key=lambda kv: _member_order(kv[0])))
    json_type: Any = "null"
    if types.json_type != "null":
        json_type = {"struct": _record_fields(types.json_type["struct"], model)}
    return {"__key__": "string", "__url__": "string", "json": json_type, **ordered}


def _member_order(member: str) -> tuple[str, int]:
    name = member.rsplit(".", 1)[0]
    match = _INDEXED.match(name)
    return (match["base"], int(match["i"])) if match else (name, -1)


def folder_columns(
    records: list[Mapping[str, Any]], model: type | None = None
) -> tuple[str, dict[str, Any]]:
    """(loader, ``{column: type}``) that the folder loader gives for jsonl output: the record
    fields plus the decoded media columns (``image``, ``images``, ``audio``...)."""
    kinds = {media_kind(ref["mime"]) for r in records for ref in media_of(r).values()}
    loader = "audiofolder" if kinds == {"audio"} else "imagefolder"
    base = "audio" if loader == "audiofolder" else "image"
    fields = record_type(records, model)
    media: dict[str, Any] = {}
    for record in records:
        for column in media_columns(media_of(record), record):
            if column.endswith("_file_names"):
                media[column[: -len("_file_names")]] = {"list": base}
            else:
                media[column[: -len("_file_name")]] = base
    return loader, {**fields, **media}


def model_type(model: type) -> dict[str, Any]:
    """The :func:`infer_type` type of a pydantic model's JSON (fields in declaration order;
    optional fields as their type; literals as strings). Gives empty envelope lists (a
    model-free record's ``lineage.models``) their element type instead of ``null``."""
    return {
        "struct": {name: _annotation_type(f.annotation) for name, f in model.model_fields.items()}
    }


def _annotation_type(annotation: Any) -> Any:
    import types
    import typing

    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _annotation_type(args[0])
    if origin is typing.Literal:
        return "string"
    if origin is list:
        return {"list": _annotation_type(args[0])}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_type(annotation)
    simple = {str: "string", int: "int64", float: "float64", bool: "bool"}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"no feature type for {annotation!r}")


def envelope_types() -> dict[str, Any]:
    """Types of the record envelope fields whose JSON can leave them untyped (empty lists)."""
    from synthgen.records import Lineage

    return {"lineage": model_type(Lineage)}


def record_type(records: list[Mapping[str, Any]], model: type | None = None) -> dict[str, Any]:
    """``{field: type}`` of these records, envelope lists typed even when always empty, and a
    top-level field that is null in every record typed from the record ``model`` (``datasets``
    refuses to write a column of type null; a text field when the model cannot tell)."""
    return _record_fields(infer_type(records)["struct"], model)


def _record_fields(struct: Mapping[str, Any], model: type | None) -> dict[str, Any]:
    fields = dict(struct)
    for name, t in envelope_types().items():
        if name in fields:
            fields[name] = _merge(t, fields[name])
    for name, t in fields.items():
        if t == "null":
            fields[name] = _model_field_type(model, name)
    return fields


def arrow_type(t: Any) -> Any:
    """The pyarrow type of an :func:`infer_type` type."""
    import pyarrow as pa

    if isinstance(t, str):
        return {
            "string": pa.string(),
            "int64": pa.int64(),
            "float64": pa.float64(),
            "bool": pa.bool_(),
            "null": pa.null(),
            "binary": pa.binary(),
        }[t]
    if "struct" in t:
        return pa.struct([(k, arrow_type(v)) for k, v in t["struct"].items()])
    return pa.list_(arrow_type(t["list"]))


def union_schema(paths: list[Path]) -> Any:
    """The union of the Arrow schemas of these Parquet files (footers only), or None."""
    import pyarrow.parquet as pq

    union: Any = None
    for path in paths:
        schema = pq.read_schema(path)
        union = schema if union is None else _unify_schema(union, schema)
    return union


def type_of_arrow(t: Any) -> Any:
    """The :func:`infer_type` type of an Arrow type (the inverse of :func:`arrow_type`)."""
    import pyarrow as pa

    if pa.types.is_struct(t):
        return {"struct": {f.name: type_of_arrow(f.type) for f in t}}
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return {"list": type_of_arrow(t.value_type)}
    if pa.types.is_integer(t):
        return "int64"
    if pa.types.is_floating(t):
        return "float64"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "binary"
    if pa.types.is_null(t):
        return "null"
    return "string"
