"""Turning user input (flags, ``--set key=value``, TOML files) into validated values.

Every problem becomes a one-line :class:`~synthgen.errors.UserError` that names the flag,
field or file and says how to fix it.
"""

from __future__ import annotations

import math
import re
import sys
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


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (numbers, true/false, "strings", [lists]) or a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` -> ``{"a": {"b": 1}, "c": "x"}``."""
    result: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or not all(part.isidentifier() for part in key.split(".")):
            raise UserError(f"--set {item!r} is not key=value: write e.g. --set max_objects=8")
        set_nested(result, key.split("."), parse_value(raw.strip()))
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
    """Validate ``data`` against ``model``; the first error becomes a one-line UserError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields) or "(none)"
            raise UserError(
                f"{where} field {field!r} is unknown: known fields are {known}"
            ) from None
        got = err.get("input")
        shown = f" (got {got!r})" if not isinstance(got, dict) else ""
        raise UserError(f"{where} field {field!r}: {err['msg']}{shown}; {fix}") from None
