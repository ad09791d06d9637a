"""The record shape: FM2DS's (question, answer, documents as lists of typed parts, chain)
plus the program that produced the answer.

A document is ``{"id", "title", "parts": [...]}``; a part is one of

* ``{"type": "text", "text", "facts": [{"subject", "predicate", "value", "span"}]}``: prose;
  each fact names the character span ``[start, end)`` of the sentence that states it; its
  ``value`` is a string (years and counts in decimal digits, ``"1994"``);
* ``{"type": "table", "caption", "header", "columns", "rows", "media"}``: a table as cells
  (``rows[r][c]`` is the display string; ``columns[c]`` is the machine key: ``"name"`` for the
  entity column, else a predicate; ``"n/a"`` marks a value the table does not give) and as a
  rendered image (media name in ``media``);
* ``{"type": "image", "kind": "scene", "media", "caption", "entity", "objects"}``: the product
  line of ``entity``, a procedural scene; ``objects`` are its items (shape, color, material,
  size, visible bbox ``[x, y, w, h]`` in pixels), exact from the renderer;
* ``{"type": "image", "kind": "chart", "media", "caption", "attribute", "bars"}``: a bar chart
  of ``attribute`` with one bar per entity (label, value, bar bbox in pixels);
* ``{"type": "image", "kind": "photo", "media"}``: a user's image (``documents=`` mode).

Media are named ``image_0``, ``image_1``, ... in the order of the parts that carry one (each
table and image part, document by document); ``record.media[name]`` is the written file.
The chain lists one hop per fact the answer uses, with where it is: ``span`` (text),
``cell`` ``[row, col]`` (table), ``regions`` (bboxes of the image items or bar it reads).
A hop's ``value`` is a string too: the fact's value (years and counts in decimal digits), or
for an ``items`` hop the number of items read.

Every field has one JSON type across records (so Arrow and ``datasets`` load the JSON lines):
the question ``program``, whose nodes change with its op, is canonical JSON text. Every part
and every hop is written with the same keys whatever its type (schema 5: ``datasets``' bare
JSON loader types every shard from the first, so a key only a later record has fails it):
a part holds every part type's keys, those of other types ``""``, and its lists (``facts``,
``header``, ``columns``, ``rows``, ``objects``, ``bars``) are canonical JSON text (``""``:
none), since a list empty in every record of a first shard has no type (13 of 300 records
have no table, 17 no text); a hop's unset
``subject``/``predicate``/``value``/``quote`` are ``""``, ``span``/``cell`` ``[-1, -1]`` and
``regions`` JSON text (``""``: none). In memory (and read back) they are the lists or None.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, SerializationInfo, model_serializer, model_validator

from synthgen.generators.jsonfield import JsonObject
from synthgen.records import (
    BaseRecord,
    CompactModel,
    FilledModel,
    JsonText,
    OptionalStrings,
    StrictModel,
)

Modality = Literal["text", "table", "image"]
QUESTION_TYPES = ("bridge", "comparison", "intersection", "counting", "temporal")


class TextFact(CompactModel):
    subject: str
    predicate: str
    value: str = Field(description="the value as text; years and counts in decimal digits")
    span: tuple[int, int]


PART_KEYS: dict[str, Any] = {
    "type": "",
    "kind": "",
    "media": "",
    "caption": "",
    "text": "",
    "facts": "",
    "header": "",
    "columns": "",
    "rows": "",
    "entity": "",
    "attribute": "",
    "objects": "",
    "bars": "",
}
"""Every key a part's JSON has, in order, with the value a part that has no such field (or
leaves it unset) writes."""


def _other_keys_schema(schema: dict[str, Any]) -> None:
    """A part's JSON schema also lists the other part types' keys, with their empty value."""
    properties = schema.setdefault("properties", {})
    for key, empty in PART_KEYS.items():
        properties.setdefault(key, {"const": empty})


class PartModel(StrictModel):
    """A document part: its own fields in memory, every part type's keys in the JSON."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_other_keys_schema)

    @model_validator(mode="before")
    @classmethod
    def _own_keys(cls, data: Any) -> Any:
        # the JSON's empty values of other part types' keys (and of its own unset ones) go
        if isinstance(data, dict):
            fields = cls.model_fields
            data = {
                k: v
                for k, v in data.items()
                if k == "type"
                or k not in PART_KEYS
                or v != PART_KEYS[k]
                or (k in fields and fields[k].is_required())
            }
        return data

    @model_serializer(mode="wrap")
    def _all_keys(self, handler: Any, info: SerializationInfo) -> dict[str, Any]:
        out = handler(self)
        if not info.mode_is_json():
            return {k: v for k, v in out.items() if v is not None}
        return {k: empty if out.get(k) is None else out[k] for k, empty in PART_KEYS.items()}


class TextPart(PartModel):
    type: Literal["text"] = "text"
    text: str
    facts: JsonText(list[TextFact] | None, "the text's facts as JSON text") = None


class TablePart(PartModel):
    type: Literal["table"] = "table"
    caption: str
    header: OptionalStrings
    columns: OptionalStrings
    rows: JsonText(list[list[str]], "the cells, row by row, as JSON text")
    media: str | None = None


class SceneItem(CompactModel):
    id: int
    shape: str
    color: str
    material: str
    size: str
    bbox: tuple[int, int, int, int]


class Bar(CompactModel):
    label: str
    value: int
    bbox: tuple[int, int, int, int]


class ImagePart(PartModel):
    type: Literal["image"] = "image"
    kind: Literal["scene", "chart", "photo"]
    media: str
    caption: str | None = None
    entity: str | None = None
    objects: JsonText(list[SceneItem] | None, "the scene's items as JSON text") = None
    attribute: str | None = None
    bars: JsonText(list[Bar] | None, "the chart's bars as JSON text") = None


Part = Annotated[TextPart | TablePart | ImagePart, Field(discriminator="type")]


class Document(CompactModel):
    id: str
    title: str
    parts: list[Part]


NO_PAIR = (-1, -1)
"""How a hop writes an unset ``span`` or ``cell``."""


class Hop(FilledModel):
    json_none: ClassVar[dict[str, Any]] = {
        "subject": "",
        "predicate": "",
        "value": "",
        "span": list(NO_PAIR),
        "cell": list(NO_PAIR),
        "quote": "",
    }

    hop: int
    doc: str
    part: int
    modality: Modality
    subject: str | None = None
    predicate: str | None = None
    value: str | None = Field(
        None,
        description="the fact's value as text (years and counts in decimal digits); "
        "for an items hop, the number of items",
    )
    span: tuple[int, int] | None = None
    cell: tuple[int, int] | None = None
    regions: JsonText(list[tuple[int, int, int, int]] | None, "the bboxes read, as JSON text") = (
        None
    )
    quote: str | None = None


def modality_of(part: TextPart | TablePart | ImagePart) -> Modality:
    return part.type  # the part type is the modality


class MultihopRecord(BaseRecord, CompactModel):
    source: Literal["procedural", "user"] = Field(description="procedural world or user docs")
    question: str
    answer: str
    question_type: str = Field(description=f"one of {QUESTION_TYPES} (procedural) or 'user'")
    variant: str | None = Field(None, description="the question program's template name")
    program: JsonObject | None = Field(
        None,
        description="the question as a program over the documents' facts (procedural), as "
        "canonical JSON text",
    )
    documents: list[Document]
    chain: list[Hop]
    original_question: str | None = Field(None, description="template question before rewrite")
