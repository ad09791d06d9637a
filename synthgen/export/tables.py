"""Row exports: ``parquet`` (chat items with embedded images) and the edit formats
``multiedit`` / ``ip2p`` (Parquet with embedded images for a ``.parquet`` OUT, else JSON with
media paths)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synthgen.export import (
    Export,
    ExportOptions,
    embedded,
    exporters,
    media_path,
    need_pyarrow,
    write_json_items,
    write_parquet,
)
from synthgen.export.chat import chat_item
from synthgen.manifest import Manifest
from synthgen.records import media_of
from synthgen.sinks import StoredRecord, iter_stored

VALUE = {"dtype": "string", "_type": "Value"}


def _hf_schema(fields: list[tuple[str, Any]], features: dict[str, Any]) -> Any:
    import pyarrow as pa

    return pa.schema(fields, metadata={"huggingface": json.dumps({"info": {"features": features}})})


@exporters.register
class Parquet(Export):
    """One row per chat item: ``id``, ``index``, ``generator``, ``images`` (list of
    ``{"bytes", "path"}``, decoded by ``datasets`` as images), ``conversations`` and
    ``metadata`` (the rest of the record as JSON)."""

    name = "parquet"
    summary = "Parquet rows {id, images (embedded), conversations, metadata} of image chat items"
    needs = "images with questions"

    def fits(self, record: dict[str, Any]) -> bool:
        item = chat_item(record)
        return item is not None and item.kind == "image" and bool(item.refs)

    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        need_pyarrow("--to parquet")
        import pyarrow as pa

        turn = pa.struct([("from", pa.string()), ("value", pa.string())])
        image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
        features = {
            "id": VALUE,
            "index": {"dtype": "int64", "_type": "Value"},
            "generator": VALUE,
            "images": {"feature": {"_type": "Image"}, "_type": "Sequence"},
            "conversations": [{"from": VALUE, "value": VALUE}],
            "metadata": VALUE,
        }
        fields = [
            ("id", pa.string()),
            ("index", pa.int64()),
            ("generator", pa.string()),
            ("images", pa.list_(image)),
            ("conversations", pa.list_(turn)),
            ("metadata", pa.string()),
        ]
        rows = (row for row in map(self._row, iter_stored(manifest)) if row is not None)
        return write_parquet(out, _hf_schema(fields, features), rows)

    @staticmethod
    def _row(stored: StoredRecord) -> dict[str, Any] | None:
        record = stored.data
        item = chat_item(record)
        if item is None or item.kind != "image" or not item.refs:
            return None
        rest = {k: v for k, v in record.items() if k not in ("conversations", "media")}
        return {
            "id": record["id"],
            "index": record["index"],
            "generator": record["generator"]["name"],
            "images": embedded(stored, item.refs),
            "conversations": item.turns,
            "metadata": json.dumps(rest, separators=(",", ":")),
        }


EDIT_MEDIA = ("source", "target", "mask")


class _EditExport(Export):
    """Edit triplets as rows: source, target and mask images, instruction, id, edit type."""

    columns: tuple[str, str, str, str]
    """Column names of (source image, target image, mask image, instruction)."""
    needs = "source and target images (an edit dataset)"

    def fits(self, record: dict[str, Any]) -> bool:
        media = media_of(record)
        return "source" in media and "target" in media and "instruction" in record

    def _row(self, record: dict[str, Any], images: list[Any]) -> dict[str, Any]:
        src, tgt, mask, prompt = self.columns
        row = {"id": record["id"], src: images[0], tgt: images[1], mask: images[2]}
        row[prompt] = record["instruction"]
        row["edit_type"] = record["edit_type"]
        return row

    def _rows(
        self, manifest: Manifest, out: Path, options: ExportOptions, embed: bool
    ) -> Iterator[dict[str, Any]]:
        for stored in iter_stored(manifest):
            record = stored.data
            if not self.fits(record):
                continue
            media = media_of(record)
            refs = [media.get(name) for name in EDIT_MEDIA]
            present = [r for r in refs if r is not None]
            if embed:
                blobs = iter(embedded(stored, present))
            else:
                paths = iter([media_path(manifest, r, out, options, self.name) for r in present])
            yield self._row(
                record, [None if r is None else next(blobs if embed else paths) for r in refs]
            )

    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        if out.suffix != ".parquet":
            return write_json_items(out, self._rows(manifest, out, options, embed=False))
        need_pyarrow(f"--to {self.name} with a .parquet OUT")
        import pyarrow as pa

        image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
        src, tgt, mask, prompt = self.columns
        fields = [("id", pa.string()), (src, image), (tgt, image), (mask, image)]
        fields += [(prompt, pa.string()), ("edit_type", pa.string())]
        fields += [(name, pa.string()) for name in self.extra_columns()]
        features: dict[str, Any] = {name: VALUE for name, _ in fields}
        features[src] = features[tgt] = features[mask] = {"_type": "Image"}
        rows = self._rows(manifest, out, options, embed=True)
        return write_parquet(out, _hf_schema(fields, features), rows)

    def extra_columns(self) -> list[str]:
        return []


@exporters.register
class MultiEdit(_EditExport):
    name = "multiedit"
    summary = (
        "MultiEdit rows {original_image, edited_image, mask_image, edit_prompt, edit_type, "
        "task} of an edit dataset (.parquet: images embedded)"
    )
    columns = ("original_image", "edited_image", "mask_image", "edit_prompt")

    def _row(self, record: dict[str, Any], images: list[Any]) -> dict[str, Any]:
        return {**super()._row(record, images), "task": record["category"]}

    def extra_columns(self) -> list[str]:
        return ["task"]


@exporters.register
class InstructPix2Pix(_EditExport):
    name = "ip2p"
    summary = (
        "InstructPix2Pix rows {input_image, edit_prompt, edited_image, mask_image} "
        "(diffusers' train_instruct_pix2pix.py columns) of an edit dataset"
    )
    columns = ("input_image", "edited_image", "mask_image", "edit_prompt")
