"""A record field that is a JSON object in memory and one JSON string on disk.

Some record fields are small programs whose shape depends on their operation (a QA program's
``subject`` is a ref object or a region list; an edit's ``params`` depend on the edit type).
Columnar readers (``pyarrow.json.read_json``, ``datasets.load_dataset("json")``, Parquet) need
one type per column, so such a field is written as its canonical JSON text (sorted keys, no
whitespace): one ``string`` column. In memory it stays a ``dict``; validation accepts the
dict or its JSON text, so ``Record.model_validate(json.loads(line))`` reads it back.

``json.loads(record["qa"][0]["program"])`` gives the program of a record read as plain JSON.
"""

from __future__ import annotations

import inspect
import json
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_serializer,
)

from synthgen.seeding import canonical_json


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON object: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("must be the JSON text of an object")
    return value


def _dump(value: dict[str, Any]) -> str:
    return canonical_json(value)


JsonObject = Annotated[
    dict[str, Any],
    BeforeValidator(_parse),
    PlainSerializer(_dump, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "a JSON object as canonical JSON text (sorted keys, no whitespace)",
        }
    ),
]
"""``dict`` in memory, canonical JSON text in ``model_dump()`` / ``model_dump_json()``."""


def loads(value: str | dict[str, Any]) -> dict[str, Any]:
    """A :data:`JsonObject` field as read from a record's JSON (its text) -> the dict; a dict
    passes through (records made in memory)."""
    return json.loads(value) if isinstance(value, str) else value


class OmitNone(BaseModel):
    """Mixin: the fields named in ``omit_when_none`` are left out of the model's JSON when
    None (they read back as None); its other None fields are written as null."""

    omit_when_none: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_none(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        for key in self.omit_when_none:
            if out.get(key, 0) is None:
                del out[key]
        return out


def _is_none(value: Any) -> bool:
    return value is None


EXCLUDE_IF = "exclude_if" in inspect.signature(Field).parameters
"""Whether this pydantic's fields take ``exclude_if`` (2.12 and newer)."""
OMITTED: dict[str, Any] = {"exclude_if": _is_none} if EXCLUDE_IF else {}
"""``Field(..., **OMITTED)`` leaves a None value out of the model's JSON where pydantic has
``exclude_if`` (0.12 ms less per sprite svg record than :class:`OmitNone`'s wrap
serializer, which turns the whole record into Python objects before the JSON); elsewhere
it adds nothing, and a model based on :data:`OMIT_NONE_BASES` (:class:`OmitNone` there)
leaves its ``omit_when_none`` fields out instead: the same bytes either way."""
OMIT_NONE_BASES: tuple[type, ...] = () if EXCLUDE_IF else (OmitNone,)
"""Bases of a model whose ``omit_when_none`` fields are declared with :data:`OMITTED`."""
