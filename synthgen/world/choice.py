"""The ``world`` setting of programs: which registered world, and that world's own settings.

One pydantic type, :data:`WorldSettings`, used by every program that draws scenes (``svg``,
``svg_multi``, ``imgdiff``, ``edit``)::

    class MyConfig(ProgramConfig):
        world: WorldSettings = world_field("shapes")   # the program's default world

It accepts

- a world's name: ``--set world="sprites"`` (that world with its default settings);
- a table with ``name`` beside that world's own settings: ``--set world.name="sprites"
  --set world.max_objects=8``, validated by that world's ``Config`` (a typo such as
  ``world.max_objectz`` is an error naming the field);
- a table without ``name``: the ``shapes`` world's settings, as every config meant before
  worlds had names (``--set world.max_objects=8``), whatever the program's default world;
- a world's ``Config`` instance (Python callers: ``world=WorldConfig(max_objects=8)``).

The value is the chosen world's ``Config`` instance itself (``config.world.max_objects``
reads as before); :func:`world_name` and :func:`world_of` say which world it belongs to. A
world's ``Config`` class belongs to that world alone. The resolved config names the world:
``{"world": {"name": "sprites", ...}}``. An unknown name is a one-line error listing the
registered worlds.

Identity: ``shapes`` configs were hashed without a name before worlds had one, so
:func:`world_identity` leaves ``name`` out of ``config_hash`` for them (their datasets keep
their identity and resume); every other world's name is hashed.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from synthgen.errors import UserError
from synthgen.world.base import World, worlds

DEFAULT_WORLD = "shapes"
"""The world of a program config that names none (each program may pass its own)."""
TABLE_WORLD = "shapes"
"""The world a ``world`` table without ``name`` means: the settings configs always held."""
UNNAMED_IN_HASH = frozenset({"shapes"})
"""Worlds whose name stays out of ``config_hash`` (they were hashed before they had one)."""


def world_classes() -> list[tuple[str, type[World]]]:
    """Every registered world as (name, class), sorted by name."""
    return worlds.items()


def _unknown(name: str) -> PydanticCustomError:
    known = worlds.names()
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return PydanticCustomError(
        "unknown_world",
        "unknown world {name}: {hint}registered worlds: {known}",
        {"name": repr(name), "hint": hint, "known": ", ".join(known)},
    )


def world_name(config: BaseModel) -> str:
    """The name of the registered world whose ``Config`` ``config`` is an instance of."""
    names = [name for name, cls in world_classes() if cls.Config is type(config)]
    if len(names) != 1:
        what = "no registered world" if not names else f"several worlds ({', '.join(names)})"
        raise TypeError(
            f"{type(config).__qualname__} is the Config of {what}: give each world its own "
            f"Config class"
        )
    return names[0]


@functools.cache
def _instance(cls: type[World]) -> World:
    return cls()


def world_of(config: BaseModel) -> World:
    """The (shared) instance of the world ``config`` belongs to."""
    return _instance(worlds.get(world_name(config)))


def default_config(name: str = DEFAULT_WORLD) -> BaseModel:
    """World ``name`` with its default settings."""
    return worlds.get(name).Config()


def validate_world(value: Any) -> BaseModel:
    """A ``world`` value (name, table or Config instance) -> the chosen world's Config."""
    if isinstance(value, BaseModel):
        if not any(cls.Config is type(value) for _, cls in world_classes()):
            raise PydanticCustomError(
                "world_config",
                "{kind} is not the Config of a registered world (registered: {known})",
                {"kind": type(value).__qualname__, "known": ", ".join(worlds.names())},
            )
        return value
    if isinstance(value, str):
        name, settings = value, {}
    elif isinstance(value, Mapping):
        settings = dict(value)
        name = settings.pop("name", TABLE_WORLD)
        if not isinstance(name, str):
            raise PydanticCustomError(
                "world_name", "world.name must be a string such as \"sprites\"", {}
            )
    else:
        raise PydanticCustomError(
            "world_type",
            'must be a world name such as "sprites" or a table of world settings',
            {},
        )
    try:
        cls = worlds.get(name)
    except UserError:
        raise _unknown(name) from None
    return cls.Config.model_validate(settings)


def _serialize(value: BaseModel, info: core_schema.SerializationInfo) -> dict[str, Any]:
    return {"name": world_name(value), **value.model_dump(mode=info.mode)}


class WorldChoice:
    """Pydantic marker of a ``world`` field (see the module docstring)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            validate_world,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _serialize, info_arg=True
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "description": "a registered world's name"},
                {
                    "type": "object",
                    "properties": {"name": {"type": "string", "default": TABLE_WORLD}},
                    "additionalProperties": True,
                    "description": "name and that world's own settings",
                },
            ]
        }


WorldSettings = Annotated[Any, WorldChoice()]
"""Type of a program's ``world`` field: the chosen world's Config instance."""


def world_field(default: str = DEFAULT_WORLD, description: str = "") -> Any:
    """The ``world`` field of a program config, defaulting to world ``default``."""
    text = description or (
        f'the world scenes come from: a name ("shapes", "sprites") or a table with name and '
        f"that world's settings (default {default!r}; a table without name: shapes)"
    )
    return Field(default_factory=functools.partial(default_config, default), description=text)


def world_identity(config: dict[str, Any], key: str = "world") -> dict[str, Any]:
    """``config`` (resolved, JSON) for ``config_hash``: ``world.name`` left out when it is
    one of :data:`UNNAMED_IN_HASH`, so such configs hash as before worlds had names."""
    table = config.get(key)
    if isinstance(table, dict) and table.get("name") in UNNAMED_IN_HASH:
        config = {**config, key: {k: v for k, v in table.items() if k != "name"}}
    return config


def require_world(config: BaseModel, program: str, supported: tuple[str, ...]) -> None:
    """Preflight: a one-line UserError when ``config`` (a ``world`` value) is a world that
    ``program`` cannot draw yet."""
    name = world_name(config)
    if name not in supported:
        choices = " or ".join(f'world="{s}"' for s in supported)
        raise UserError(
            f"config field 'world': world {name!r} is not yet supported by {program}: "
            f"use {choices}"
        )


__all__ = [
    "DEFAULT_WORLD",
    "TABLE_WORLD",
    "WorldChoice",
    "WorldSettings",
    "default_config",
    "require_world",
    "validate_world",
    "world_field",
    "world_identity",
    "world_name",
    "world_of",
]
