"""Turning user input (flags, ``--set key=value``, TOML files) into validated values.

Every problem becomes a one-line :class:`~synthgen.errors.UserError` that names the flag,
field or file and says how to fix it.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from synthgen.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_COUNT = 10**9
"""Largest ``--n``: record ids hold 10 index digits, and rejects need headroom. Bigger jobs
are several datasets (different seeds)."""

_N_PATTERN = re.compile(r"^\d[\d_]*$|^\d+(\.\d+)?[eE]\+?\d+$")


def parse_count(value: str | int | float, flag: str = "--n") -> int:
    """Parse a record count: ``1e6``, ``1_000_000`` and ``1000000`` all give 1000000.

    Anything that is not a positive integer (0, -3, 1.5, 1e-3, "abc", true) or is above
    :data:`MAX_COUNT` is a user error.
    """
    if isinstance(value, bool):
        raise UserError(f"{flag} must be a positive integer, got {value!r}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise UserError(f"{flag} must be a positive integer, got {value!r} (e.g. 1000 or 1e6)")
        n = int(value)
    else:
        text = str(value).strip()
        if not _N_PATTERN.match(text) or text.endswith("_") or "__" in text:
            raise UserError(
                f"{flag} must be a positive integer such as 1000, 1_000 or 1e6; got {value!r}"
            )
        if "e" in text.lower():
            mantissa, exponent = re.split("[eE]", text)
            as_float = float(text)
            n = int(as_float)
            if n != as_float or float(mantissa) * 10 ** int(exponent) != n:
                raise UserError(f"{flag} must be a positive integer, got {value!r}")
        else:
            n = int(text.replace("_", ""))
    if n <= 0:
        raise UserError(f"{flag} must be a positive integer, got {value!r}")
    if n > MAX_COUNT:
        raise UserError(
            f"{flag} {value!r} is more than the {MAX_COUNT:,} records one dataset can hold: "
            "split the job into datasets with different --seed values"
        )
    return n


def load_toml(path: str | Path, what: str = "config file") -> dict[str, Any]:
    """Read a TOML file; a missing or malformed file is a user error naming it."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise UserError(f"{what} {p} does not exist: check the path") from None
    except IsADirectoryError:
        raise UserError(f"{what} {p} is a directory: give a .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{what} {p} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{what} {p} is not UTF-8 text: save it as UTF-8 TOML") from None


_TOML_STRUCTURE = ("[", "{", '"', "'")
"""How a ``--set`` value that is meant as TOML (an array, a table, a quoted string) starts."""


def parse_value(text: str, key: str = "") -> Any:
    """A ``--set`` value: TOML syntax (numbers, true/false, "strings", [lists], {tables}) or a
    bare string (``--set name=abc``). Text that starts like TOML structure (``[``, ``{``,
    ``"``, ``'``) but does not parse is a user error, not a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError as exc:
        if text.lstrip().startswith(_TOML_STRUCTURE):
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise UserError(
                f"--set {key}={text} is not valid TOML: {reason}; write e.g. "
                f"--set 'qa={{per_image=3}}', --set 'kinds=[\"a\", \"b\"]' or --set 'name=\"x\"'"
            ) from None
        return text


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` -> ``{"a": {"b": 1}, "c": "x"}``."""
    result: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or not all(part.isidentifier() for part in key.split(".")):
            raise UserError(f"--set {item!r} is not key=value: write e.g. --set max_objects=8")
        set_nested(result, key.split("."), parse_value(raw.strip(), key))
    return result


def set_nested(target: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        node = target.setdefault(part, {})
        if not isinstance(node, dict):
            raise UserError(f"--set {'.'.join(path)}: {part!r} is not a table")
        target = node
    target[path[-1]] = value


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def validate_model(model: type[BaseModel], data: dict[str, Any], where: str, fix: str) -> BaseModel:
    """Validate ``data`` against ``model``; the first error becomes a one-line UserError.

    An unknown key names its full dotted path, suggests the closest known field of the table
    it is in (``qa.per_imag``: did you mean ``qa.per_image``?) and lists that table's fields.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            raise UserError(_unknown_field(model, data, err["loc"], where)) from None
        got = err.get("input")
        shown = f" (got {got!r})" if not isinstance(got, dict) else ""
        raise UserError(f"{where} field {field!r}: {err['msg']}{shown}; {fix}") from None


def _unknown_field(model: type[BaseModel], data: Any, loc: tuple[Any, ...], where: str) -> str:
    """One line for an unknown key at ``loc``: did-you-mean and the fields of its table."""
    field = ".".join(str(p) for p in loc)
    parent = table_model(model, data, [str(p) for p in loc[:-1]])
    known = list(parent.model_fields) if parent is not None else []
    if parent is not None and _world_name(parent) is not None:
        known.insert(0, "name")
    prefix = "".join(f"{p}." for p in loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    hint = f"did you mean {prefix + close[0]!r}? " if close else ""
    table = f"fields of {prefix[:-1]!r}" if prefix else "known fields"
    listing = ", ".join(known) or "(none)"
    return f"{where} field {field!r} is unknown: {hint}{table} are {listing}"


def table_model(model: type[BaseModel], data: Any, path: list[str]) -> type[BaseModel] | None:
    """The pydantic model that validates the table at ``path`` of ``model`` (None when the
    path leads to a plain value). ``data`` is the input: a ``world`` table is validated by
    the ``Config`` of the world it names; ``llm``/``diffusion`` tables by their settings."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None or part not in current.model_fields:
            return None
        info = current.model_fields[part]
        data = data.get(part) if isinstance(data, dict) else None
        current = field_model(part, info, data)
    return current


def field_model(name: str, info: Any, value: Any = None) -> type[BaseModel] | None:
    """The model of a config field's table, if it has one (see :func:`table_model`)."""
    if _is_world_field(info):
        from synthgen.world.base import worlds
        from synthgen.world.choice import DEFAULT_WORLD, TABLE_WORLD

        world = DEFAULT_WORLD
        if isinstance(value, dict):
            world = value.get("name", TABLE_WORLD)
        elif isinstance(value, str):
            world = value
        elif value is None and info.default_factory is not None:
            default = info.default_factory()
            if isinstance(default, BaseModel):
                return type(default)
        try:
            return worlds.get(str(world)).Config
        except UserError:
            return None
    annotation = info.annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    if typing.get_origin(annotation) is dict:
        return settings_table(name)
    return None


def _world_name(model: type[BaseModel] | None) -> str | None:
    """The name of the registered world whose ``Config`` is ``model`` (None: not a world's)."""
    from synthgen.world.base import worlds

    return next((name for name, cls in worlds.items() if cls.Config is model), None)


def _is_world_field(info: Any) -> bool:
    return any(type(m).__name__ == "WorldChoice" for m in info.metadata)


SETTINGS_TABLES = {
    "llm": ("synthgen.models.config", "LLMSettings"),
    "diffusion": ("synthgen.models.diffusion", "DiffusionSettings"),
    "inpaint": ("synthgen.models.diffusion", "DiffusionSettings"),
    "model": ("synthgen.generators.imgdiff.model", "ModelSettings"),
}
"""Free-form config tables (``dict`` fields) that a program validates later by name."""


def settings_table(name: str) -> type[BaseModel] | None:
    spec = SETTINGS_TABLES.get(name)
    if spec is None:
        return None
    import importlib

    try:
        found = getattr(importlib.import_module(spec[0]), spec[1])
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


# --- describing a config: `synthgen config NAME` --------------------------------------------


@dataclass
class FieldDoc:
    """One config field as ``synthgen config`` shows it (``name`` is the dotted key)."""

    name: str
    type: str
    default: Any
    has_default: bool
    constraints: str
    description: str


def type_name(annotation: Any) -> str:
    """A short, user-facing name of a field type: ``int``, ``[float, float]``, ``one of a, b``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is type(None):
        return "none"
    if origin is typing.Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in args)
    if origin in (tuple, list):
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return f"[{type_name(args[0])}, ...]"
        if origin is tuple and args:
            return "[" + ", ".join(type_name(a) for a in args) + "]"
        return f"[{type_name(args[0])}, ...]" if args else "array"
    if origin is dict or annotation is dict:
        return "table"
    if annotation is typing.Any:
        return "any"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return getattr(annotation, "__name__", str(annotation))


def _constraints(info: Any) -> str:
    parts = []
    for meta in info.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{sign} {value}")
        for attr, word in (("min_length", "at least"), ("max_length", "at most")):
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{word} {value} items")
    return ", ".join(parts)


def _default(info: Any) -> tuple[bool, Any]:
    from pydantic_core import PydanticUndefined, to_jsonable_python

    if info.default is PydanticUndefined and info.default_factory is None:
        return False, None
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return True, to_jsonable_python(value)


def describe_config(model: type[BaseModel], prefix: str = "") -> list[FieldDoc]:
    """Every field of ``model`` with nested tables flattened to dotted names. A ``world``
    field lists ``world.name`` (the registered worlds) and the default world's settings;
    :func:`world_docs` gives the other worlds' settings."""
    docs: list[FieldDoc] = []
    for name, info in model.model_fields.items():
        key = prefix + name
        has_default, default = _default(info)
        description = " ".join((info.description or "").split())
        if _is_world_field(info):
            from synthgen.world.base import worlds

            default_world = default.get("name") if isinstance(default, dict) else None
            sub = field_model(name, info)
            if default_world is None and sub is not None:
                default_world = _world_name(sub) or "shapes"
            docs.append(FieldDoc(key, "world name or table", default_world, True, "", description))
            docs.append(
                FieldDoc(
                    f"{key}.name",
                    "one of " + ", ".join(json.dumps(n) for n in worlds.names()),
                    default_world,
                    True,
                    "",
                    'which registered world; --set world="NAME" is short for it',
                )
            )
            if sub is not None:
                docs += describe_config(sub, f"{key}.")
            continue
        sub = field_model(name, info)
        if sub is not None:
            docs.append(
                FieldDoc(key, "table", None, False, "", description or f"{sub.__name__} settings")
            )
            docs += describe_config(sub, f"{key}.")
            continue
        docs.append(
            FieldDoc(
                key,
                type_name(info.annotation),
                default,
                has_default,
                _constraints(info),
                description,
            )
        )
    return docs


def world_docs(model: type[BaseModel]) -> dict[str, list[FieldDoc]]:
    """For each ``world`` field of ``model`` and each registered world other than the
    field's default: that world's settings, keyed by ``"FIELD:WORLD"``."""
    from synthgen.world.base import worlds

    out: dict[str, list[FieldDoc]] = {}
    for name, info in model.model_fields.items():
        if not _is_world_field(info):
            continue
        default = field_model(name, info)
        for world, cls in worlds.items():
            if cls.Config is not default:
                out[f"{name}:{world}"] = describe_config(cls.Config, f"{name}.")
    return out


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """``value`` (JSON-like) as a TOML value (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{" + inner + "}" if inner else "{}"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def config_toml(model: type[BaseModel], table: str = "config") -> str:
    """A job file's ``[config]`` block with every field at its default (valid TOML).

    Nested models become ``[config.NAME]`` tables; a field without a TOML form (a default of
    none) and the keys of free-form tables that default to empty (``llm``) are written as
    comments, so the block validates to the same config (and ``config_hash``) as no block."""
    lines = [f"[{table}]"]
    subtables: list[str] = []
    for name, info in model.model_fields.items():
        has_default, default = _default(info)
        comment = _comment(info.description)
        is_world = _is_world_field(info)
        sub = field_model(name, info)
        if is_world or (sub is not None and isinstance(default, dict) and default):
            if is_world and isinstance(default, dict) and "name" not in default:
                default = {"name": _world_name(sub) or "shapes", **default}
            subtables.append(_sub_table(f"{table}.{_toml_key(name)}", default, info.description))
            continue
        if sub is not None and isinstance(default, dict) and not default:
            block = [f"# [{table}.{_toml_key(name)}]{comment}  (empty: every default)"]
            for sub_name, sub_info in sub.model_fields.items():
                ok, sub_default = _default(sub_info)
                shown = toml_value(sub_default) if ok and sub_default is not None else "..."
                block.append(f"# {_toml_key(sub_name)} = {shown}")
            subtables.append("\n".join(block))
            continue
        if not has_default:
            lines.append(f"# {_toml_key(name)} = ...{comment}  (required)")
        elif default is None:
            lines.append(f"# {_toml_key(name)} = ...{comment}  (default: unset)")
        else:
            lines.append(f"{_toml_key(name)} = {toml_value(default)}{comment}")
    return "\n\n".join(["\n".join(lines), *subtables]) + "\n"


def _sub_table(header: str, values: dict[str, Any], description: str | None) -> str:
    lines = [f"[{header}]{_comment(description)}"]
    for key, value in values.items():
        if value is None:
            lines.append(f"# {_toml_key(key)} = ...  (default: unset)")
        else:
            lines.append(f"{_toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines)


def _comment(description: str | None) -> str:
    text = " ".join((description or "").split())
    return f"  # {text}" if text else ""
