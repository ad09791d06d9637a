"""What a dataset card counts in a dataset's records, read generically (no program's code).

The card reads the first :data:`SAMPLE` records (every record of a smaller dataset) and finds,
wherever they are in a record:

- QA: every list named ``qa`` of ``{"kind", "answer"}`` objects -> questions per kind and the
  answer distribution of each kind (the answer balance).
- Scene graphs: every list named ``objects`` of objects with a ``bbox`` -> objects per image and
  category frequencies (``name``, else the first of ``names``, else ``category``);
  every ``relations`` / ``relationships`` list (``predicate``) and ``relations_by_predicate``
  table -> relation counts.
- Categorical fields: top-level string fields with at most :data:`MAX_LEVELS` distinct values
  (edit type, question type, source...) and lists of such strings (audio labels).
- Media: images per record, audio durations.

Counts over the whole dataset (accepted, rejects, filters, counters) come from the manifest.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from synthgen.records import media_of, relations_table

SAMPLE = 2000
"""Records a card reads for its distributions (the counts from the manifest are exact)."""

MAX_LEVELS = 40
"""A top-level string field with more distinct values than this is text, not a category."""

SKIP_FIELDS = frozenset({"id", "config_hash", "schema_version", "index", "seed"})


@dataclass
class Stats:
    records: int = 0
    qa_kinds: Counter[str] = field(default_factory=Counter)
    answers: dict[str, Counter[str]] = field(default_factory=dict)
    categories: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    objects_per_image: Counter[int] = field(default_factory=Counter)
    fields: dict[str, Counter[str]] = field(default_factory=dict)
    media_per_record: Counter[str] = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    _text_fields: set[str] = field(default_factory=set)

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        named = _members_named(record, WALKED_NAMES)
        for qa in _lists(named["qa"]):
            for item in qa:
                if isinstance(item, dict) and "kind" in item and "answer" in item:
                    kind = str(item["kind"])
                    self.qa_kinds[kind] += 1
                    self.answers.setdefault(kind, Counter())[_short(item["answer"])] += 1
        for objects in _lists(named["objects"]):
            boxed = [o for o in objects if isinstance(o, dict) and object_box(o) is not None]
            if boxed:
                self.objects_per_image[len(boxed)] += 1
                self.categories.update(object_name(o) for o in boxed)
        for key in ("relations", "relationships"):
            for relations in _lists(named[key]):
                self.relations.update(
                    str(r["predicate"])
                    for r in relations
                    if isinstance(r, dict) and "predicate" in r
                )
        for table in named["relations_by_predicate"]:
            for predicate, pairs in relations_table(table).items():
                self.relations[predicate] += len(pairs) if isinstance(pairs, list) else 1
        self._add_fields(record)
        media = media_of(record)
        kinds = Counter(ref.get("mime", "?").split("/")[0] for ref in media.values())
        self.media_per_record.update({f"{k} x{n}": 1 for k, n in kinds.items()})
        self.durations += [ref["duration"] for ref in media.values() if "duration" in ref]

    def categorical(self) -> dict[str, Counter[str]]:
        """The fields that read as categories: few distinct values, each repeated on average
        (free text, ids and JSON-text fields are left out)."""
        return {
            name: counter
            for name, counter in sorted(self.fields.items())
            if 2 <= len(counter) <= max(2, sum(counter.values()) // 2)
            and not any(v.startswith(("{", "[")) for v in counter)
        }

    def _add_fields(self, record: dict[str, Any]) -> None:
        for key, value in record.items():
            if key in SKIP_FIELDS or key in self._text_fields:
                continue
            values: list[str] = []
            if isinstance(value, str):
                values = [value]
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                values = value
            if not values:
                continue
            counter = self.fields.setdefault(key, Counter())
            counter.update(values)
            if len(counter) > MAX_LEVELS:
                self._text_fields.add(key)
                del self.fields[key]


def object_box(obj: dict[str, Any]) -> list[float] | None:
    """An object's ``[x, y, w, h]``: its ``bbox``, or VG's ``x``, ``y``, ``w``, ``h``."""
    if isinstance(obj.get("bbox"), list):
        return obj["bbox"]
    if all(isinstance(obj.get(k), int | float) for k in ("x", "y", "w", "h")):
        return [obj["x"], obj["y"], obj["w"], obj["h"]]
    return None


def object_name(obj: dict[str, Any]) -> str:
    """A scene-graph object's category name as a viewer would call it."""
    if obj.get("name"):
        return str(obj["name"])
    names = obj.get("names")
    if isinstance(names, list) and names:
        return str(names[0])
    for key in ("category", "shape", "label"):
        if obj.get(key):
            return str(obj[key])
    return "?"


def _short(answer: Any) -> str:
    text = answer if isinstance(answer, str) else repr(answer)
    return text if len(text) <= 40 else text[:37] + "..."


def _walk(value: Any) -> Iterable[tuple[str, Any]]:
    """(key, value) of every object member anywhere in ``value``."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                yield k, v
                if isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))


WALKED_NAMES = ("qa", "objects", "relations", "relationships", "relations_by_predicate")
"""The member names :meth:`Stats.add` reads wherever they are in a record."""


def _members_named(record: dict[str, Any], names: Iterable[str]) -> dict[str, list[Any]]:
    """The values of every member called one of ``names``, anywhere in ``record``, in walk
    order: one walk for all names (an svg record has ~600 members; a walk per name made the
    card's scan of 2000 records take ~10 s of CPU)."""
    found: dict[str, list[Any]] = {name: [] for name in names}
    for key, value in _walk(record):
        if key in found:
            found[key].append(value)
    return found


def _lists(values: list[Any]) -> Iterable[list[Any]]:
    """The lists among ``values``; a list written as JSON text (audiocaps' graph relations,
    schema 4) is read back."""
    for v in values:
        if isinstance(v, str) and v.startswith("["):
            try:
                v = json.loads(v)
            except ValueError:
                continue
        if isinstance(v, list):
            yield v


def scan(records: Iterable[dict[str, Any]]) -> Stats:
    stats = Stats()
    for record in records:
        stats.add(record)
    return stats
