"""Visual Genome interop: export scene graphs as ``scene_graphs.json`` and import such files.

The shape is Visual Genome's: a JSON list of images, each with ``image_id``, ``objects``
(``object_id``, ``x``, ``y``, ``w``, ``h``, ``names``, ``attributes``) and ``relationships``
(``relationship_id``, ``predicate``, ``subject_id``, ``object_id``). We also write ``width``
and ``height`` (VG keeps them in ``image_data.json``). Importing accepts real VG files: extra
fields are ignored, and relationships that embed full ``subject``/``object`` dicts (as VG's
``relationships.json`` does) are read too. A malformed file is a user error naming the entry
index and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from synthgen.errors import UserError
from synthgen.world.graph import SceneGraph


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


class VGRelationship(_VGModel):
    relationship_id: int
    predicate: str
    subject_id: int
    object_id: int

    @model_validator(mode="before")
    @classmethod
    def _embedded(cls, data: Any) -> Any:
        # relationships.json embeds {"subject": {...object...}, "object": {...}}.
        if isinstance(data, dict):
            data = dict(data)
            for key in ("subject", "object"):
                if f"{key}_id" not in data and isinstance(data.get(key), dict):
                    data[f"{key}_id"] = data[key].get("object_id")
        return data


class VGImage(_VGModel):
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


def _error_line(path: Path, index: int, exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(entry)"
    return (
        f"{path}: entry {index}: field {where!r}: {err['msg']}; fix the file "
        f"(Visual Genome scene_graphs.json shape)"
    )


@lru_cache(maxsize=4)
def _load(path_text: str, mtime_ns: int, size: int) -> tuple[VGImage, ...]:
    path = Path(path_text)
    try:
        data = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, list):
        raise UserError(
            f"{path}: expected a JSON list of images (Visual Genome "
            f"scene_graphs.json), got {type(data).__name__}"
        )
    images = []
    for i, entry in enumerate(data):
        try:
            images.append(VGImage.model_validate(entry))
        except ValidationError as exc:
            raise UserError(_error_line(path, i, exc)) from None
    return tuple(images)


def load_vg(path: str | Path) -> tuple[VGImage, ...]:
    """Parse and validate a VG scene-graph file (cached per process while it is unchanged)."""
    p = Path(path).expanduser()
    try:
        stat = p.stat()
    except FileNotFoundError:
        raise UserError(f"Visual Genome file {p} does not exist: check --source vg:PATH") from None
    if p.is_dir():
        raise UserError(f"Visual Genome file {p} is a directory: give scene_graphs.json")
    return _load(str(p.resolve()), stat.st_mtime_ns, stat.st_size)
