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
the question ``program``, whose nodes change with its op, is canonical JSON text, and unset
optional fields are left out rather than written as null.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from synthgen.generators.jsonfield import JsonObject
from synthgen.records import BaseRecord, CompactModel

Modality = Literal["text", "table", "image"]
QUESTION_TYPES = ("bridge", "comparison", "intersection", "counting", "temporal")


class TextFact(CompactModel):
    subject: str
    predicate: str
    value: str = Field(description="the value as text; years and counts in decimal digits")
    span: tuple[int, int]


class TextPart(CompactModel):
    type: Literal["text"] = "text"
    text: str
    facts: list[TextFact] | None = None


class TablePart(CompactModel):
    type: Literal["table"] = "table"
    caption: str
    header: list[str]
    columns: list[str]
    rows: list[list[str]]
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


class ImagePart(CompactModel):
    type: Literal["image"] = "image"
    kind: Literal["scene", "chart", "photo"]
    media: str
    caption: str | None = None
    entity: str | None = None
    objects: list[SceneItem] | None = None
    attribute: str | None = None
    bars: list[Bar] | None = None


Part = Annotated[TextPart | TablePart | ImagePart, Field(discriminator="type")]


class Document(CompactModel):
    id: str
    title: str
    parts: list[Part]


class Hop(CompactModel):
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
    regions: list[tuple[int, int, int, int]] | None = None
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
