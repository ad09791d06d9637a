"""``synthgen export DIR --to FORMAT OUT``: convert a dataset's records to another format.

Exporters register by name with ``@exporters.register("name")``; each takes the dataset's
manifest, an iterator over its records (parsed JSON, in index order) and the output path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from synthgen.errors import UserError
from synthgen.fsutil import atomic_write_bytes
from synthgen.manifest import Manifest
from synthgen.registry import Registry
from synthgen.sinks import sinks
from synthgen.validate import load_dataset

Exporter = Callable[[Manifest, Iterator[dict[str, Any]], Path], int]
"""(manifest, records, out) -> number of items written."""

exporters: Registry[Exporter] = Registry("export format", "synthgen.exporters")


def iter_records(manifest: Manifest) -> Iterator[dict[str, Any]]:
    reader = sinks.get(manifest.job.format)
    for entry in manifest.shards:
        for stored in reader.read(manifest.root, entry.shard):
            yield stored.data


def export_dataset(root: str | Path, to: str, out: str | Path) -> int:
    manifest = load_dataset(root)
    try:
        exporter = exporters.get(to)
    except UserError:
        raise UserError(
            f"--to {to!r} is unknown: choose from {', '.join(exporters.names())}"
        ) from None
    return exporter(manifest, iter_records(manifest), Path(out))


@exporters.register("vg")
def export_vg(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """Visual Genome ``scene_graphs.json`` of an svg dataset (image_id = record index)."""
    from synthgen.world.vg import export_records

    if manifest.job.program != "svg":
        raise UserError(
            f"--to vg needs an svg dataset; {manifest.root} was made by {manifest.job.program!r}"
        )
    entries = export_records(records)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, json.dumps(entries, separators=(",", ":")).encode())
    return len(entries)
