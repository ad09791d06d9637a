"""``synthgen export DIR --to FORMAT OUT``: convert a dataset's records to another format.

Exporters register by name with ``@exporters.register("name")``; each takes the dataset's
manifest, an iterator over its records (parsed JSON, in index order) and the output path.

Formats:

``vg``
    Visual Genome ``scene_graphs.json`` of an svg dataset.
``llava``
    LLaVA instruction-tuning JSON: a list of ``{"id", "image", "conversations"}`` with
    ``<image>`` tokens in the first human turn, one per image. ``image`` is a path relative
    to the dataset directory DIR (give DIR as LLaVA's ``--image_folder``); records with
    several images (svg_multi) have a list of paths, in ``<image>`` order (the
    LLaVA-OneVision / interleave convention).
``sharegpt``
    OpenAI-style messages in the ShareGPT layout LLaMA-Factory reads: a list of
    ``{"id", "messages": [{"role": "user" | "assistant", "content"}], "images"}`` with the
    same ``<image>`` tokens and DIR-relative image paths.
``parquet``
    One row per record, images embedded: ``id``, ``index``, ``generator``, ``images`` (list
    of ``{"bytes", "path"}``), ``conversations`` (list of ``{"from", "value"}``) and
    ``metadata`` (the rest of the record as JSON). The schema carries Hugging Face
    ``datasets`` feature metadata, so ``datasets.load_dataset("parquet", data_files=OUT)``
    decodes ``images`` as a list of images. Needs pyarrow (the ``data`` extra).

``multiedit``
    MultiEdit-style rows of an ``edit`` dataset: ``id``, ``original_image``,
    ``edited_image``, ``edit_prompt`` (the instruction), ``edit_type`` and ``task`` (object,
    scene, text, style or model).
``ip2p``
    InstructPix2Pix-style rows of an ``edit`` dataset with the column names diffusers'
    ``train_instruct_pix2pix.py`` expects by default: ``input_image``, ``edit_prompt``,
    ``edited_image`` (plus ``id`` and ``edit_type``).

multiedit and ip2p write Parquet with the images embedded (and Hugging Face ``Image``
feature metadata) when OUT ends in ``.parquet``, else JSON (lines for ``.jsonl``) with
DIR-relative image paths.

llava and sharegpt write a JSON array, or JSON lines when OUT ends in ``.jsonl``. Records
without images (e.g. svg from ``source="vg:PATH"``) or without questions are left out: their
conversations would refer to an image that is not in the dataset.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synthgen.errors import UserError
from synthgen.fsutil import atomic_write_bytes, fsync_file, publish, remove_path, tmp_path
from synthgen.manifest import Manifest
from synthgen.registry import Registry
from synthgen.sinks import StoredRecord, sinks
from synthgen.validate import load_dataset

Exporter = Callable[[Manifest, Iterator[dict[str, Any]], Path], int]
"""(manifest, records, out) -> number of items written."""

exporters: Registry[Exporter] = Registry("export format", "synthgen.exporters")


def iter_stored(manifest: Manifest) -> Iterator[StoredRecord]:
    """Every record of the dataset with its media bytes, in index order."""
    reader = sinks.get(manifest.job.format)
    for entry in manifest.shards:
        yield from reader.read(manifest.root, entry.shard)


def iter_records(manifest: Manifest) -> Iterator[dict[str, Any]]:
    for stored in iter_stored(manifest):
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


def image_refs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's image media in ``<image>`` order: ``image``, or ``image_0``, ``image_1``..."""
    media = record.get("media", {})
    if "image" in media:
        return [media["image"]]
    refs = []
    while f"image_{len(refs)}" in media:
        refs.append(media[f"image_{len(refs)}"])
    return refs


QA_SUITE_PROGRAMS = frozenset({"svg", "svg_multi"})
"""Programs whose ``qa`` entries are the QA suite's, so turns can be rebuilt from them."""


def _turns(record: dict[str, Any], images: int) -> list[dict[str, str]]:
    """The record's LLaVA turns; for QA-suite records made without them, rebuilt from the
    QA; otherwise none (the record is left out of chat exports)."""
    turns = record.get("conversations")
    if turns:
        return turns
    if record.get("generator", {}).get("name") not in QA_SUITE_PROGRAMS:
        return []
    from synthgen.generators.qa.base import QA  # lazy: only for records without turns
    from synthgen.generators.qa.suite import conversations

    return conversations([QA.model_validate(q) for q in record.get("qa") or []], images)


def _chat_items(
    manifest: Manifest, records: Iterator[dict[str, Any]], to: str
) -> Iterator[tuple[dict[str, Any], list[str], list[dict[str, str]]]]:
    """(record, DIR-relative image paths, turns) of every record with images and questions."""
    for record in records:
        refs = image_refs(record)
        turns = _turns(record, len(refs)) if refs else []
        if not turns:
            continue
        if any(ref.get("container") for ref in refs):
            raise UserError(
                f"--to {to} writes image paths, but {manifest.root} keeps its media inside "
                f"{manifest.job.format} shards: export --to parquet (images embedded), or "
                f"make the dataset with --format jsonl"
            )
        yield record, [ref["path"] for ref in refs], turns


@contextmanager
def _published(out: Path) -> Iterator[Path]:
    """A temporary path to write ``out`` to; once the block ends it is fsynced and renamed into
    place, or removed if the block raised (a reader never sees half a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(out)
    try:
        yield tmp
        fsync_file(tmp)
        publish(tmp, out)
    except BaseException:
        remove_path(tmp)
        raise


def _write_json_items(out: Path, items: Iterator[dict[str, Any]]) -> int:
    """A JSON array (or JSON lines for ``*.jsonl``), streamed to a temporary file, fsynced and
    renamed into place."""
    lines = out.suffix == ".jsonl"
    count = 0
    with _published(out) as tmp, open(tmp, "w", encoding="utf-8") as f:
        if not lines:
            f.write("[")
        for item in items:
            text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
            if lines:
                f.write(text + "\n")
            else:
                f.write(("\n" if count == 0 else ",\n") + text)
            count += 1
        if not lines:
            f.write("\n]\n")
    return count


@exporters.register("llava")
def export_llava(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """LLaVA conversation JSON (see the module docstring)."""
    items = (
        {"id": r["id"], "image": paths[0] if len(paths) == 1 else paths, "conversations": turns}
        for r, paths, turns in _chat_items(manifest, records, "llava")
    )
    return _write_json_items(out, items)


@exporters.register("sharegpt")
def export_sharegpt(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """OpenAI-role messages in the ShareGPT layout (see the module docstring)."""
    roles = {"human": "user", "gpt": "assistant"}
    items = (
        {
            "id": r["id"],
            "messages": [{"role": roles[t["from"]], "content": t["value"]} for t in turns],
            "images": paths,
        }
        for r, paths, turns in _chat_items(manifest, records, "sharegpt")
    )
    return _write_json_items(out, items)


PARQUET_ROWS_PER_GROUP = 256


@exporters.register("parquet")
def export_parquet(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """One row per record with its images embedded (see the module docstring)."""
    try:
        import pyarrow as pa
    except ImportError:
        raise UserError("--to parquet needs pyarrow: pip install 'synthgen[data]'") from None
    del records  # the rows need media bytes: read the shards with them
    turn = pa.struct([("from", pa.string()), ("value", pa.string())])
    image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    features = {
        "id": {"dtype": "string", "_type": "Value"},
        "index": {"dtype": "int64", "_type": "Value"},
        "generator": {"dtype": "string", "_type": "Value"},
        "images": {"feature": {"_type": "Image"}, "_type": "Sequence"},
        "conversations": [
            {
                "from": {"dtype": "string", "_type": "Value"},
                "value": {"dtype": "string", "_type": "Value"},
            }
        ],
        "metadata": {"dtype": "string", "_type": "Value"},
    }
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("index", pa.int64()),
            ("generator", pa.string()),
            ("images", pa.list_(image)),
            ("conversations", pa.list_(turn)),
            ("metadata", pa.string()),
        ],
        metadata={"huggingface": json.dumps({"info": {"features": features}})},
    )
    rows = (row for row in map(_parquet_row, iter_stored(manifest)) if row is not None)
    return _write_parquet(out, schema, rows)


def _write_parquet(out: Path, schema: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Stream ``rows`` into a Parquet file of ``schema`` in row groups of
    PARQUET_ROWS_PER_GROUP, written to a temporary name, fsynced and renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    with _published(out) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        group: list[dict[str, Any]] = []
        for row in rows:
            group.append(row)
            if len(group) == PARQUET_ROWS_PER_GROUP:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
                count += len(group)
                group = []
        if group or count == 0:
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            count += len(group)
    return count


def _embedded(stored: StoredRecord, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"bytes", "path"}`` of each media ref (the Hugging Face ``Image`` feature layout)."""
    images = []
    for ref in refs:
        data = stored.media.get(ref["path"])
        if data is None:
            raise UserError(f"{ref['path']}: media file missing; run `synthgen validate`")
        images.append({"bytes": data, "path": ref["path"]})
    return images


def _parquet_row(stored: StoredRecord) -> dict[str, Any] | None:
    record = stored.data
    refs = image_refs(record)
    turns = _turns(record, len(refs)) if refs else []
    if not turns:
        return None
    images = _embedded(stored, refs)
    rest = {k: v for k, v in record.items() if k not in ("conversations", "media")}
    return {
        "id": record["id"],
        "index": record["index"],
        "generator": record["generator"]["name"],
        "images": images,
        "conversations": turns,
        "metadata": json.dumps(rest, separators=(",", ":")),
    }


EDIT_COLUMNS: dict[str, tuple[str, str, str]] = {
    "multiedit": ("original_image", "edited_image", "edit_prompt"),
    "ip2p": ("input_image", "edited_image", "edit_prompt"),
}
"""(source image, target image, instruction) column names per edit export format; ip2p's are
the defaults of diffusers' ``train_instruct_pix2pix.py``."""


def _edit_rows(manifest: Manifest, to: str, embed: bool) -> Iterator[dict[str, Any]]:
    """One row per edit record: source and target image (DIR-relative path, or embedded
    ``{"bytes", "path"}``), instruction, plus id and edit type (and task for multiedit)."""
    if manifest.job.program != "edit":
        raise UserError(
            f"--to {to} needs an edit dataset; {manifest.root} was made by {manifest.job.program!r}"
        )
    src_col, tgt_col, prompt_col = EDIT_COLUMNS[to]
    for stored in iter_stored(manifest):
        record = stored.data
        media = record.get("media", {})
        refs = [media.get("source"), media.get("target")]
        if refs[0] is None or refs[1] is None:
            continue
        if embed:
            images: list[Any] = _embedded(stored, refs)
        elif any(ref.get("container") for ref in refs):
            raise UserError(
                f"--to {to} with a JSON OUT writes image paths, but {manifest.root} keeps its "
                f"media inside {manifest.job.format} shards: give OUT a .parquet suffix"
            )
        else:
            images = [ref["path"] for ref in refs]
        row = {
            "id": record["id"],
            src_col: images[0],
            tgt_col: images[1],
            prompt_col: record["instruction"],
            "edit_type": record["edit_type"],
        }
        if to == "multiedit":
            row["task"] = record["category"]
        yield row


def _export_edit(manifest: Manifest, out: Path, to: str) -> int:
    if out.suffix != ".parquet":
        return _write_json_items(out, _edit_rows(manifest, to, embed=False))
    try:
        import pyarrow as pa
    except ImportError:
        raise UserError(
            f"--to {to} with .parquet needs pyarrow: pip install 'synthgen[data]'"
        ) from None
    src_col, tgt_col, prompt_col = EDIT_COLUMNS[to]
    image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    fields = [("id", pa.string()), (src_col, image), (tgt_col, image), (prompt_col, pa.string())]
    fields.append(("edit_type", pa.string()))
    if to == "multiedit":
        fields.append(("task", pa.string()))
    value = {"dtype": "string", "_type": "Value"}
    features = {name: value for name, _ in fields}
    features[src_col] = features[tgt_col] = {"_type": "Image"}
    schema = pa.schema(
        fields, metadata={"huggingface": json.dumps({"info": {"features": features}})}
    )
    return _write_parquet(out, schema, _edit_rows(manifest, to, embed=True))


@exporters.register("multiedit")
def export_multiedit(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """MultiEdit-style rows of an edit dataset (see the module docstring)."""
    del records  # parquet rows need media bytes: read the shards with them
    return _export_edit(manifest, out, "multiedit")


@exporters.register("ip2p")
def export_ip2p(manifest: Manifest, records: Iterator[dict[str, Any]], out: Path) -> int:
    """InstructPix2Pix-style rows of an edit dataset (see the module docstring)."""
    del records
    return _export_edit(manifest, out, "ip2p")
