"""Visual Genome interop: export scene graphs as ``scene_graphs.json`` and import such files.

The shape is Visual Genome's: a JSON list of images, each with ``image_id``, ``objects``
(``object_id``, ``x``, ``y``, ``w``, ``h``, ``names``, ``attributes``) and ``relationships``
(``relationship_id``, ``predicate``, ``subject_id``, ``object_id``). We also write ``width``
and ``height`` (VG keeps them in ``image_data.json``).

Importing (:func:`load_vg_file`, :func:`load_vg`) reads real VG files, which are noisy, and
cleans each image so that questions are only asked of what the file states unambiguously.
What was repaired or left out is counted per image (:attr:`VGFile.counts`); the svg recipe
adds an image's counts to the counters of the candidate made from it, so the manifest's
``counters`` (per shard and in ``totals``) sum them over the images in the dataset:

- Extra fields (``synsets``, ``merged_object_ids`` on relationships, ...) are ignored. A
  relationship may embed whole ``subject``/``object`` dicts (VG's ``relationships.json``);
  an object may carry VG 1.0's single ``name`` instead of ``names``.
- **Merged ids.** A relationship endpoint that names an id listed in some object's
  ``merged_object_ids`` is resolved to that object (``merged_ids_resolved`` counts such
  endpoints of kept relationships). A listed object id wins over a merged alias; an id
  two objects claim as merged is ambiguous and resolves to nothing.
- **Relationships** left out, counted as ``skipped_relations`` and
  ``skipped_relations.<reason>``: ``dangling_id`` (an endpoint names no listed or merged
  object), ``removed_object`` (it names an object left out below), ``empty_predicate``
  (missing or blank), ``self_relation`` (an object related to itself, e.g. after resolving
  a merged id) and ``duplicate`` (the same subject, predicate -- case aside -- and object
  again). A dangling relationship never refuses the file.
- **Boxes.** Coordinates may be fractional (edges are rounded to whole pixels). A box
  partly outside the image is clipped to it (``clipped_boxes``; a negative ``x``/``y`` is
  clipped to 0 even when the image size is unknown).
- **Objects** left out, with every relationship naming them, counted as
  ``skipped_objects`` and ``skipped_objects.<reason>``: ``bad_box`` (a coordinate that is
  not a finite number within +-100000, e.g. ``1e30``), ``degenerate_box`` (``w`` or ``h``
  <= 0, or under a pixel), ``outside_image`` (nothing left after clipping), ``no_name``
  (no name that is not blank; names are stripped and inner whitespace collapsed),
  ``duplicate_id`` and ``conflicting_id``: copies of one object id within an image with
  the same first name and box are one object (attributes and merged ids are united; each
  extra copy counts as ``duplicate_id``); copies that disagree make the id ambiguous, so
  every copy is left out (each counts as ``conflicting_id``).
- **Image size.** ``width``/``height`` are optional (VG's ``scene_graphs.json`` lacks them,
  they live in ``image_data.json``); when one is missing, boxes are not clipped on that side
  and the QA view takes the extent of the boxes. When present each must be a whole number
  of pixels in 1..100000, else the file is refused (a wrong size would clip every box).

Everything else that is wrong -- the file cannot be read, is not UTF-8, is not JSON, is
nested too deeply for the parser, is not a non-empty list of image entries, an entry or
object lacks a required field (``image_id``, ``objects``, ``object_id``, ``x``, ``y``,
``w``, ``h``) or a field has the wrong type -- is a one-line :class:`UserError` naming the
file, the entry index, the image id and the field, raised by the loader. The svg recipe
loads in ``candidate_limit``, so such an error comes before anything is written.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from typing_extensions import NotRequired, TypedDict

from synthgen.errors import UserError
from synthgen.world.graph import SceneGraph

MAX_COORD = 100_000
"""Largest accepted coordinate or image side, in pixels: beyond it a value is corrupt."""

SHAPE_HINT = "Visual Genome scene_graphs.json shape"


class _VGModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class VGObject(_VGModel):
    object_id: int
    x: int
    y: int
    w: int = Field(ge=0)
    h: int = Field(ge=0)
    names: list[str] = Field(min_length=1)
    attributes: list[str] = Field(default_factory=list)


def _embedded_ids(data: Any) -> Any:
    # relationships.json embeds {"subject": {...object...}, "object": {...}}.
    if isinstance(data, dict):
        data = dict(data)
        for key in ("subject", "object"):
            if f"{key}_id" not in data and isinstance(data.get(key), dict):
                data[f"{key}_id"] = data[key].get("object_id")
    return data


class VGRelationship(_VGModel):
    relationship_id: int
    predicate: str
    subject_id: int
    object_id: int

    @model_validator(mode="before")
    @classmethod
    def _embedded(cls, data: Any) -> Any:
        return _embedded_ids(data)


class VGImage(_VGModel):
    """A clean VG image: what imports produce and records hold (every endpoint exists)."""

    image_id: int
    width: int | None = None
    height: int | None = None
    objects: list[VGObject]
    relationships: list[VGRelationship] = Field(default_factory=list)

    @model_validator(mode="after")
    def _endpoints_exist(self) -> VGImage:
        ids = {o.object_id for o in self.objects}
        for i, rel in enumerate(self.relationships):
            for end in ("subject_id", "object_id"):
                if getattr(rel, end) not in ids:
                    raise ValueError(f"relationships.{i}.{end} {getattr(rel, end)} names no object")
        return self


# ---- the file as written: lenient shapes (validated in pydantic-core), cleaned to dicts ----


class _RawEnd(TypedDict):
    object_id: NotRequired[int | None]


class _RawObject(TypedDict):
    object_id: int
    x: float
    y: float
    w: float
    h: float
    names: NotRequired[list[str | None] | None]
    name: NotRequired[str | None]  # VG 1.0
    attributes: NotRequired[list[str | None] | None]
    merged_object_ids: NotRequired[list[int] | None]


class _RawRelationship(TypedDict):
    relationship_id: NotRequired[int | None]
    predicate: NotRequired[str | None]
    subject_id: NotRequired[int | None]
    object_id: NotRequired[int | None]
    subject: NotRequired[_RawEnd | None]  # relationships.json embeds the objects
    object: NotRequired[_RawEnd | None]


class _RawImage(TypedDict):
    image_id: int
    width: NotRequired[float | None]
    height: NotRequired[float | None]
    objects: list[_RawObject]
    relationships: NotRequired[list[_RawRelationship] | None]


_RAW_IMAGE: TypeAdapter[_RawImage] = TypeAdapter(_RawImage)


@dataclass(frozen=True)
class VGFile:
    """An imported file: its clean entries (plain dicts in :class:`VGImage`'s shape, made
    into models on use) and, per entry, what cleaning repaired or left out."""

    entries: tuple[dict[str, Any], ...]
    counts: tuple[Mapping[str, int], ...]

    def __len__(self) -> int:
        return len(self.entries)

    def image(self, index: int) -> VGImage:
        return VGImage.model_validate(self.entries[index])

    @cached_property
    def images(self) -> tuple[VGImage, ...]:
        return tuple(VGImage.model_validate(e) for e in self.entries)


def _words(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _side(value: float | None, field: str, where: str) -> int | None:
    if value is None:
        return None
    if not (0 < value <= MAX_COORD and value == int(value)):  # NaN fails the comparison
        raise UserError(
            f"{where}: field {field!r} is {value:g}: must be the image's {field} in whole "
            f"pixels (1..{MAX_COORD}); fix it or drop the field"
        )
    return int(value)


def _box(
    o: _RawObject, width: int | None, height: int | None
) -> tuple[tuple[int, int, int, int], bool] | str:
    """(x, y, w, h) in whole pixels inside the image and whether it was clipped, or the
    reason the object is left out."""
    x, y, w, h = o["x"], o["y"], o["w"], o["h"]
    # comparisons are False for NaN: a NaN anywhere fails these range checks
    if not (-MAX_COORD <= x <= MAX_COORD and -MAX_COORD <= y <= MAX_COORD):
        return "bad_box"
    if not (w <= MAX_COORD and h <= MAX_COORD):
        return "degenerate_box" if w <= 0 or h <= 0 else "bad_box"
    if not (w > 0 and h > 0):
        return "degenerate_box"
    x0, y0, x1, y1 = round(x), round(y), round(x + w), round(y + h)
    if x1 <= x0 or y1 <= y0:
        return "degenerate_box"  # under a pixel
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1 = x1 if width is None else min(x1, width)
    cy1 = y1 if height is None else min(y1, height)
    if cx1 <= cx0 or cy1 <= cy0:
        return "outside_image"
    clipped = cx0 != x0 or cy0 != y0 or cx1 != x1 or cy1 != y1
    return (cx0, cy0, cx1 - cx0, cy1 - cy0), clipped


def _ends(r: _RawRelationship) -> tuple[int | None, int | None]:
    """Subject and object ids, from ``subject_id``/``object_id`` or the embedded dicts."""
    subject, obj = r.get("subject_id"), r.get("object_id")
    if subject is None and (embedded := r.get("subject")):
        subject = embedded.get("object_id")
    if obj is None and (embedded := r.get("object")):
        obj = embedded.get("object_id")
    return subject, obj


def _clean(raw: _RawImage, where: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The entry as a clean VG dict (see the module docstring) and its counts."""
    counts: Counter[str] = Counter()

    def skip(kind: str, reason: str, k: int = 1) -> None:
        counts[kind] += k
        counts[f"{kind}.{reason}"] += k

    width = _side(raw.get("width"), "width", where)
    height = _side(raw.get("height"), "height", where)
    removed: set[int] = set()  # ids whose objects were left out
    # id -> copies: (clean object, merged ids, clipped)
    copies: dict[int, list[tuple[dict[str, Any], list[int], bool]]] = {}
    for o in raw["objects"]:
        oid = o["object_id"]
        listed = o.get("names")
        names = [n for n in map(_words, listed if listed else [o.get("name")]) if n]
        box = _box(o, width, height)
        if not names or isinstance(box, str):
            skip("skipped_objects", "no_name" if not names else str(box))
            removed.add(oid)
            continue
        (x, y, w, h), clipped = box
        clean = {
            "object_id": oid,
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "names": names,
            "attributes": [a for a in map(_words, o.get("attributes") or ()) if a],
        }
        copies.setdefault(oid, []).append((clean, o.get("merged_object_ids") or [], clipped))

    objects: list[dict[str, Any]] = []
    merged_into: dict[int, int | None] = {}  # merged id -> object (None: claimed twice)
    for oid, found in copies.items():
        first, _, clipped = found[0]
        if len(found) > 1:
            if len({(c["names"][0], c["x"], c["y"], c["w"], c["h"]) for c, _, _ in found}) > 1:
                skip("skipped_objects", "conflicting_id", len(found))
                removed.add(oid)
                continue
            skip("skipped_objects", "duplicate_id", len(found) - 1)
            first["attributes"] = list(
                dict.fromkeys(a for c, _, _ in found for a in c["attributes"])
            )
        objects.append(first)
        counts["clipped_boxes"] += clipped
        for _, merged_ids, _ in found:
            for merged in merged_ids:
                if merged != oid:
                    merged_into[merged] = oid if merged_into.get(merged, oid) == oid else None
    kept = {o["object_id"] for o in objects}

    def resolve(end: int | None) -> tuple[int | None, str]:
        """(object id, "") or (None, why); why is "merged" for a resolved merged id."""
        if end in kept:
            return end, ""
        target = merged_into.get(end) if end is not None else None
        if target is not None:
            return target, "merged"
        return None, "removed_object" if end in removed else "dangling_id"

    relationships: list[dict[str, Any]] = []
    seen: set[tuple[int, str, int]] = set()
    for i, r in enumerate(raw.get("relationships") or ()):
        predicate = _words(r.get("predicate"))
        if not predicate:
            skip("skipped_relations", "empty_predicate")
            continue
        subject_end, object_end = _ends(r)
        subject, why_s = resolve(subject_end)
        obj, why_o = resolve(object_end)
        if subject is None or obj is None:
            skip("skipped_relations", why_s if subject is None else why_o)
            continue
        if subject == obj:
            skip("skipped_relations", "self_relation")
            continue
        key = (subject, predicate.lower(), obj)
        if key in seen:
            skip("skipped_relations", "duplicate")
            continue
        seen.add(key)
        counts["merged_ids_resolved"] += (why_s == "merged") + (why_o == "merged")
        rid = r.get("relationship_id")
        relationships.append(
            {
                "relationship_id": i if rid is None else rid,
                "predicate": predicate,
                "subject_id": subject,
                "object_id": obj,
            }
        )
    entry = {
        "image_id": raw["image_id"],
        "width": width,
        "height": height,
        "objects": objects,
        "relationships": relationships,
    }
    return entry, {k: v for k, v in sorted(counts.items()) if v}


def export_graph(graph: SceneGraph, image_id: int) -> dict[str, Any]:
    """One image entry in Visual Genome's shape (attributes as plain words)."""
    objects = [
        {
            "object_id": o.id,
            "x": o.bbox[0],
            "y": o.bbox[1],
            "w": o.bbox[2],
            "h": o.bbox[3],
            "names": [o.name],
            "attributes": [o.attributes[k] for k in sorted(o.attributes)],
        }
        for o in graph.objects
    ]
    relationships = [
        {
            "relationship_id": i,
            "predicate": r.predicate,
            "subject_id": r.subject,
            "object_id": r.object,
        }
        for i, r in enumerate(graph.relations)
    ]
    return {
        "image_id": image_id,
        "width": graph.width,
        "height": graph.height,
        "objects": objects,
        "relationships": relationships,
    }


def export_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """VG entries for svg records (dicts as read from JSONL); image_id = the record index."""
    return [
        export_graph(SceneGraph.model_validate(r["scene_graph"]), r["index"])
        for r in records
        if r.get("scene_graph") is not None
    ]


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _where(path: Path, index: int, entry: Any) -> str:
    image_id = entry.get("image_id") if isinstance(entry, dict) else None
    if isinstance(image_id, (int, str)) and not isinstance(image_id, bool):
        return f"{path}: entry {index} (image_id {str(image_id)[:40]})"
    return f"{path}: entry {index}"


def _error_line(where: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(entry)"
    msg = err["msg"]
    if err["type"] in ("model_type", "dict_type"):
        msg = f"should be a JSON object, got {_json_type(err['input'])}"
    return f"{where}: field {field!r}: {msg}; fix the file ({SHAPE_HINT})"


def _parse(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc}); check vg:PATH") from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8 JSON "
            f"({SHAPE_HINT})"
        ) from None
    except RecursionError:
        raise UserError(
            f"{path}: JSON nested too deeply for the parser; a Visual Genome file nests a "
            f"few levels ({SHAPE_HINT})"
        ) from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg}); "
            f"fix the file ({SHAPE_HINT})"
        ) from None
    except ValueError as exc:  # an integer literal longer than Python converts (4300 digits)
        first = str(exc).split(":")[0].strip() or type(exc).__name__
        raise UserError(f"{path}: not usable JSON ({first}); fix the file ({SHAPE_HINT})") from None


@lru_cache(maxsize=4)
def _load(path_text: str, mtime_ns: int, size: int) -> VGFile:
    path = Path(path_text)
    data = _parse(path)
    if not isinstance(data, list):
        raise UserError(
            f"{path}: expected a JSON list of images ({SHAPE_HINT}), got {type(data).__name__}"
        )
    if not data:
        raise UserError(f"{path}: the list holds no images; give at least one ({SHAPE_HINT})")
    entries: list[dict[str, Any]] = []
    counts: list[dict[str, int]] = []
    for i, entry in enumerate(data):
        where = _where(path, i, entry)
        try:
            raw = _RAW_IMAGE.validate_python(entry)
        except ValidationError as exc:
            raise UserError(_error_line(where, exc)) from None
        clean, count = _clean(raw, where)
        entries.append(clean)
        counts.append(count)
    return VGFile(tuple(entries), tuple(counts))


def load_vg_file(path: str | Path) -> VGFile:
    """Parse, validate and clean a VG scene-graph file (cached per process while it is
    unchanged); a file that cannot be used is a one-line :class:`UserError`."""
    p = Path(path).expanduser()
    try:
        stat = p.stat()
    except FileNotFoundError:
        raise UserError(f"Visual Genome file {p} does not exist: check --source vg:PATH") from None
    except OSError as exc:
        raise UserError(f"Visual Genome file {p}: {exc.strerror or exc}; check vg:PATH") from None
    if p.is_dir():
        raise UserError(f"Visual Genome file {p} is a directory: give scene_graphs.json")
    return _load(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


def load_vg(path: str | Path) -> tuple[VGImage, ...]:
    """The clean images of a VG scene-graph file (see :func:`load_vg_file`)."""
    return load_vg_file(path).images
