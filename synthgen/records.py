"""Record base model and the provenance types every record carries (DESIGN.md section 2).

Every record is a pydantic v2 model with ``extra="forbid"``. The engine fills the provenance
fields (id, index, seed, generator, config hash, lineage, media references); a program only
supplies its own fields. Records serialise with ``model_dump_json()``, which is deterministic,
so the same (recipe, config, seed, index) always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializationInfo,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from synthgen.seeding import canonical_json

SCHEMA_VERSION = 6
"""Version of the record layout; bumped on any incompatible change of the base fields or of
the programs' record shapes. 2: every JSON field has one type across records (Arrow /
``datasets`` load them): QA and multihop programs and edit params as canonical JSON text,
tuples of mixed types as objects, int-or-str values as strings, no all-null fields.
3: the bare JSON loader (which types every shard from the first) reads every shard: sprite
anchors as a list of {name, x, y}; edit's deltas fixed structs, refexps JSON text, phrase and
signs never null; audio events with every key; a verdict's detail always written ("": none).
4: no list that a whole shard can have empty and a later shard not (that loader types an
empty list ``null`` and fails on the next shard): audiocaps' graph relations as JSON text, its
lineage.models the same in every record of a dataset.
5: every record of a program writes the same keys (a one-record first shard types every later
one): edit's delta as JSON text; imgdiff changes with both sides and every key
(:class:`FilledModel`), QA choices as JSON text; multihop document parts with every key, their
lists as JSON text, hops with every key.
6: every record of a program writes the same key paths whatever its number of images:
``media`` as a list of named files (:func:`media_of`), scene graphs' relations by predicate
as JSON text."""


NO_INDEX = -1
"""How :data:`OptionalIndex` writes "no index"."""

OptionalIndex = Annotated[
    int | None,
    BeforeValidator(lambda value: None if value == NO_INDEX else value),
    PlainSerializer(
        lambda value: NO_INDEX if value is None else value, return_type=int, when_used="json"
    ),
    WithJsonSchema({"type": "integer", "minimum": NO_INDEX, "description": "-1: none"}),
]
"""An index that may be unset: None in memory (and in ``model_dump()``), ``-1`` in the JSON
(``model_dump_json()``, what is written). A field that is null in
every record of a first shard and a number later fails ``datasets``' bare JSON loader (it
types every shard from the first; ``null`` has no type), so the JSON never holds null here."""


@cache
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


def listed_json(value: Any) -> list[Any]:
    """A record's list field as read back from its JSON: JSON text (a :func:`JsonText` list,
    ``""`` when unset: empty) or, in older records and in memory, the list itself."""
    if isinstance(value, str):
        return json.loads(value) if value else []
    return list(value or ())


def JsonText(tp: Any, description: str = "JSON text", sort_keys: bool = True) -> Any:
    """``tp`` (a list of models, say) in memory and in ``model_dump()``, its canonical JSON
    text in the record's JSON (``model_dump_json()``). For a list that a whole first shard
    can have empty while later shards have items (an empty list has no Arrow type, so
    ``datasets``' bare JSON loader fails on the later shard), or a value whose keys differ
    from record to record; a string column is typed whatever it holds. None (where ``tp``
    allows it) is written ``""``. ``sort_keys=False`` keeps a mapping's keys in their order
    (which must then be deterministic: a canonical order the model builds)."""

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else None
        return value

    def dump(value: Any) -> str:
        if value is None:
            return ""
        data = _adapter(tp).dump_python(value, mode="json")
        if sort_keys:
            return canonical_json(data)
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    return Annotated[
        tp,
        BeforeValidator(parse),
        PlainSerializer(dump, return_type=str, when_used="json"),
        WithJsonSchema(
            {"type": "string", "contentMediaType": "application/json", "description": description}
        ),
    ]


OptionalStrings = JsonText(list[str] | None, 'a list of strings as JSON text ("" when unset)')
"""A list of strings that may be unset or empty: the list (or None) in memory and in
``model_dump()``, its JSON text in the record's JSON (``model_dump_json()``; ``""`` for None).
An empty list or null has no Arrow type, so a first shard where every record's list is empty
or unset fails ``datasets``' bare JSON loader on a later shard that has items; a string
column is typed whatever it holds."""


class StrictModel(BaseModel):
    """Base for all synthgen data models: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _same(value: Any, sentinel: Any) -> bool:
    if isinstance(sentinel, (list, tuple)):
        return isinstance(value, (list, tuple)) and list(value) == list(sentinel)
    return value == sentinel and type(value) is type(sentinel)


class FilledModel(StrictModel):
    """A model whose unset optional fields are written, not left out: a field named in
    ``json_none`` is written as its sentinel when None (``""``, ``0``, ``[0, 0, 0, 0]``...)
    and reads back as None, so every record's JSON has the same keys with typed values (a key
    only a later shard has, or a value null in a whole first shard, fails ``datasets``' bare
    JSON loader). Other None fields are left out, as :class:`CompactModel` does (for fields
    unset in every record of a dataset). In memory and in ``model_dump()`` the field is None
    (left out of the dump); only the JSON (``model_dump_json()``) changes."""

    json_none: ClassVar[dict[str, Any]] = {}

    @model_validator(mode="before")
    @classmethod
    def _none_from_sentinel(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.json_none:
            data = {
                k: None if k in cls.json_none and _same(v, cls.json_none[k]) else v
                for k, v in data.items()
            }
        return data

    def _sentinels(self, out: dict[str, Any]) -> dict[str, Any]:
        """What each None field is written as in the JSON (``out``: the dump so far); a
        subclass whose sentinel depends on other fields overrides this."""
        return self.json_none

    @model_serializer(mode="wrap")
    def _fill(self, handler: Any, info: SerializationInfo) -> dict[str, Any]:
        out = handler(self)
        if not info.mode_is_json():
            return {k: v for k, v in out.items() if v is not None}
        filled = self._sentinels(out)
        return {
            k: filled[k] if v is None and k in filled else v
            for k, v in out.items()
            if v is not None or k in filled
        }


class CompactModel(StrictModel):
    """A model whose unset optional fields (None) are left out of its JSON, to keep
    million-record datasets small; they read back as None."""

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class GeneratorRef(StrictModel):
    """Which program made a record."""

    name: str
    version: str


class Verdict(CompactModel):
    """The outcome of one filter on one candidate (DESIGN.md section 6).

    Scores of different models are not comparable, so the model, the score type and the
    threshold always travel with the score.
    """

    filter: str = Field(description="registered filter name")
    kind: Literal["oracle", "clip", "vqa", "clap"] = "oracle"
    passed: bool
    score: float | None = None
    threshold: float | None = None
    score_type: str | None = None
    model: str | None = None
    detail: str = Field("", description='why, in words ("" when there is nothing to add)')

    @field_validator("detail", mode="before")
    @classmethod
    def _no_detail(cls, value: str | None) -> str:
        # "" rather than left out: whether a verdict has a detail varies from record to record,
        # and a key only a later shard has fails the bare JSON loader of ``datasets``
        return "" if value is None else value


class ModelRef(CompactModel):
    """A model that took part in making a record."""

    id: str
    revision: str | None = None
    role: str | None = None


class PromptRef(StrictModel):
    """A prompt template used for a record, pinned by the hash of its text."""

    name: str
    sha256: str


class Lineage(StrictModel):
    """How a record came to be: models, prompts and every filter verdict."""

    models: list[ModelRef] = Field(default_factory=list)
    prompts: list[PromptRef] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)


class MediaRef(CompactModel):
    """A media file written next to the records.

    ``path`` is relative to the dataset root (for the webdataset format it is the member
    name inside ``container``, the shard's tar file). Images carry width/height, audio carries
    duration/sample rate/channels.
    """

    path: str
    sha256: str
    mime: str
    bytes: int
    container: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


def _named_files(items: list[Any], strict: bool) -> dict[str, Any]:
    """``{name: ref}`` from a JSON list of named files, in order. ``strict``: an entry that
    is no object, has no name or repeats one is an error (validation); else it is skipped,
    a repeated name's last entry kept (:func:`media_of` on a raw, maybe damaged line)."""
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            if strict:
                raise ValueError("a media entry is an object with a 'name'")
            continue
        if strict and item["name"] in out:
            raise ValueError(f"media {item['name']!r} is named twice")
        out[item["name"]] = {k: v for k, v in item.items() if k != "name"}
    return out


def _media_from_json(value: Any) -> Any:
    """The record's ``{name: ref}`` from its JSON list of named files (a dict passes)."""
    return _named_files(value, strict=True) if isinstance(value, list) else value


def _media_to_json(value: dict[str, MediaRef]) -> list[dict[str, Any]]:
    return [
        {"name": name, **(ref.model_dump(mode="json") if isinstance(ref, MediaRef) else ref)}
        for name, ref in value.items()
    ]


def _media_json_schema() -> dict[str, Any]:
    ref = MediaRef.model_json_schema()
    name = {"type": "string", "description": "image, image_0, audio, source, mask..."}
    return {
        "type": "array",
        "description": "the record's media files, each named (the dict key in memory)",
        "items": {
            "type": "object",
            "title": "NamedMediaRef",
            "description": ref.get("description", ""),
            "properties": {"name": name, **ref["properties"]},
            "required": ["name", *ref.get("required", [])],
            "additionalProperties": False,
        },
    }


Media = Annotated[
    dict[str, MediaRef],
    BeforeValidator(_media_from_json),
    PlainSerializer(_media_to_json, return_type=list[dict[str, Any]], when_used="json"),
    WithJsonSchema(_media_json_schema()),
]
"""A record's media: ``{name: MediaRef}`` in memory (and in ``model_dump()``), a list of
named files ``[{"name": "image_0", "path", "sha256", ...}]`` in its JSON. A dict keyed
``image_0 .. image_K`` would have keys a later record has and a first shard lacks when the
number of images varies (``datasets``' bare loaders type every shard from the first)."""


def media_of(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{name: ref}`` of a record read as raw JSON (``json.loads`` of a line): its ``media``
    list keyed by each file's ``name`` (the ref without it: ``path``, ``sha256``, ``mime``,
    ``bytes``...), in the record's order. Also takes ``model_dump()``'s dict and the dict of
    records written before schema 6. Empty when the record has no media; an entry that is no
    object or has no name is skipped (a damaged line: validation reports it)."""
    media = record.get("media")
    if not media:
        return {}
    if isinstance(media, Mapping):
        return dict(media)
    return _named_files(media, strict=False)


def relations_table(value: Any) -> dict[str, list[Any]]:
    """A scene graph's ``relations_by_predicate`` read from a record's raw JSON: JSON text
    since schema 6, a dict before (and in ``model_dump()``); ``{}`` when absent or damaged."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


class BaseRecord(StrictModel):
    """Envelope shared by all records. Programs subclass it and add their own fields."""

    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="stable id derived from (dataset, seed, index)")
    index: int = Field(ge=0, description="candidate index the record was generated from")
    seed: int = Field(description="dataset seed; with index it replays this record")
    generator: GeneratorRef
    config_hash: str
    lineage: Lineage = Field(default_factory=Lineage)
    media: Media = Field(default_factory=dict)

    # default=None, not default_factory=dict: pydantic inspects a private default factory's
    # signature on every model init (15 us of the 20 us a record envelope costs).
    _media_objects: dict[str, Any] | None = PrivateAttr(default=None)

    @property
    def media_objects(self) -> dict[str, Any]:
        """The in-memory media (PIL images, :class:`~synthgen.media.Audio`) of this record.

        Filled by :func:`synthgen.generate`; empty for records read back from disk.
        """
        if self._media_objects is None:
            self._media_objects = {}
        return self._media_objects


class RejectRecord(CompactModel):
    """One line of ``rejects/shard-NNNNN.jsonl``: a candidate that did not become a record."""

    index: int
    reason: str
    detail: str | None = None
