"""``vg``: Visual Genome ``scene_graphs.json`` and ``image_data.json`` of an svg dataset.

Field names are the official VG release's (what the ``visual_genome`` driver reads):
``scene_graphs.json`` is a list of ``{"image_id", "width", "height", "objects": [{"object_id",
"x", "y", "w", "h", "names", "synsets", "attributes"}], "relationships": [{"relationship_id",
"predicate", "synsets", "subject_id", "object_id"}]}``; ``image_data.json`` (written beside OUT)
is a list of ``{"image_id", "url", "width", "height", "coco_id", "flickr_id"}`` with ``url`` the
image's path relative to that file (absolute with ``--absolute-paths``; null when the record has
no image file, e.g. media inside webdataset/parquet shards or an svg made from VG).

Ids are unique in the dataset and start at 1, as in VG: image ``index + 1``; objects and
relationships numbered in record order. VG states each relation once, so by default a relation
whose inverse is already there (``B right of A`` beside ``A left of B``; the second of ``A next
to B`` / ``B next to A``) and attribute-sharing pairs (``same color as``...) are left out;
``--all-relations`` keeps them. Synsets are the world's WordNet synsets where it has them (the
sprites world), else empty lists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthgen.export import Export, ExportOptions, exporters, media_path, published
from synthgen.manifest import Manifest
from synthgen.records import media_of, relations_table
from synthgen.sinks import iter_records

INVERSE = {
    "right of": "left of",
    "behind": "in front of",
    "below": "above",
    "smaller than": "bigger than",
    "farther than": "closer than",
}
"""predicate -> the predicate it is the inverse of (the first of each pair is left out when
its inverse is stated)."""
SYMMETRIC = frozenset({"next to", "near", "beside"})


def _graph(
    record: dict[str, Any],
) -> tuple[list[dict], list[tuple[int, str, int]], int, int] | None:
    """(objects {id, names, synsets, attributes, bbox}, relations, width, height) of a record's
    scene graph, whichever world or source made it."""
    if isinstance(record.get("world_graph"), dict):
        g = record["world_graph"]
        objects = [
            {
                "id": o["id"],
                "names": list(o.get("names") or [o.get("category", "")]),
                "synsets": [o["synset"]] if o.get("synset") else [],
                "attributes": list(o.get("attributes") or []),
                "bbox": o["bbox"],
            }
            for o in g["objects"]
        ]
        relations = [(r["subject_id"], r["predicate"], r["object_id"]) for r in g["relationships"]]
        return objects, relations, g["width"], g["height"]
    g = record.get("scene_graph") or record.get("vg_graph")
    if not isinstance(g, dict):
        return None
    objects = []
    for o in g["objects"]:
        attributes = o.get("attributes") or {}
        if isinstance(attributes, dict):
            attributes = [attributes[k] for k in sorted(attributes)]
        names = o.get("names") or [o.get("name", "")]
        objects.append(
            {
                "id": o.get("id", o.get("object_id")),
                "names": list(names),
                "synsets": [],
                "attributes": list(attributes),
                "bbox": o.get("bbox") or [o["x"], o["y"], o["w"], o["h"]],
            }
        )
    by_predicate = relations_table(g.get("relations_by_predicate"))
    relations = [(s, p, o) for p, pairs in by_predicate.items() for s, o in pairs]
    relations += [
        (r["subject_id"], r["predicate"], r["object_id"]) for r in g.get("relationships") or []
    ]
    return objects, relations, g.get("width"), g.get("height")


def kept_relations(
    relations: list[tuple[int, str, int]], all_relations: bool
) -> list[tuple[int, str, int]]:
    """The relations VG would state (see the module docstring), in their order."""
    if all_relations:
        return list(dict.fromkeys(relations))
    stated = set(relations)
    out = []
    for s, p, o in dict.fromkeys(relations):
        if p.startswith("same "):
            continue
        if p in INVERSE and (o, INVERSE[p], s) in stated:
            continue
        if p in SYMMETRIC and s > o and (o, p, s) in stated:
            continue
        out.append((s, p, o))
    return out


@exporters.register
class VisualGenome(Export):
    name = "vg"
    summary = (
        "Visual Genome scene_graphs.json + image_data.json of an svg dataset (ids from 1; "
        "--all-relations keeps inverse and same-attribute pairs)"
    )
    needs = "a scene graph (an svg dataset)"

    def fits(self, record: dict[str, Any]) -> bool:
        return _graph(record) is not None

    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        images, image_data = [], []
        next_object, next_relation = 1, 1
        image_data_path = out.parent / "image_data.json"
        for record in iter_records(manifest):
            graph = _graph(record)
            if graph is None:
                continue
            objects, relations, width, height = graph
            ids: dict[Any, int] = {}
            vg_objects = []
            for o in objects:
                ids[o["id"]] = next_object
                x, y, w, h = o["bbox"]
                vg_objects.append(
                    {
                        "object_id": next_object,
                        "x": x,
                        "y": y,
                        "w": w,
                        "h": h,
                        "names": o["names"],
                        "synsets": o["synsets"],
                        "attributes": o["attributes"],
                    }
                )
                next_object += 1
            vg_relations = []
            for s, p, o in kept_relations(relations, options.all_relations):
                if s in ids and o in ids:
                    vg_relations.append(
                        {
                            "relationship_id": next_relation,
                            "predicate": p,
                            "synsets": [],
                            "subject_id": ids[s],
                            "object_id": ids[o],
                        }
                    )
                    next_relation += 1
            image_id = record["index"] + 1
            images.append(
                {
                    "image_id": image_id,
                    "width": width,
                    "height": height,
                    "objects": vg_objects,
                    "relationships": vg_relations,
                }
            )
            ref = media_of(record).get("image")
            url = None
            if ref is not None and not ref.get("container"):
                url = media_path(manifest, ref, image_data_path, options, self.name)
            image_data.append(
                {
                    "image_id": image_id,
                    "url": url,
                    "width": width,
                    "height": height,
                    "coco_id": None,
                    "flickr_id": None,
                }
            )
        if not images:
            return 0
        with published(image_data_path) as tmp:
            tmp.write_text(json.dumps(image_data, separators=(",", ":")))
        with published(out) as tmp:
            tmp.write_text(json.dumps(images, separators=(",", ":")))
        return len(images)
