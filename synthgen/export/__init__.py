"""``synthgen export DIR --to FORMAT OUT``: convert a dataset's records to a training format.

Each format is an :class:`Export` registered by name (``@exporters.register``; third parties
through the ``synthgen.exporters`` entry-point group). Formats and the programs they fit:

=============  ==============================================================================
``llava``      LLaVA conversation JSON; svg, svg_multi, imgdiff (turns), multihop (documents
               with ``<image>`` where a document part is a picture, then the question)
``sharegpt``   OpenAI-role messages in LLaMA-Factory's ShareGPT layout with ``images`` or,
               for audiocaps, ``audios`` and ``<audio>`` tokens (the Qwen2-Audio layout)
``parquet``    one row per chat item with the images embedded (Hugging Face ``Image``)
``vg``         Visual Genome ``scene_graphs.json`` + ``image_data.json`` of an svg dataset
``multiedit``  MultiEdit-style rows of an edit dataset (source, target, mask, instruction)
``ip2p``       InstructPix2Pix rows (diffusers' column names) of an edit dataset, with mask
=============  ==============================================================================

JSON formats (llava, sharegpt, and multiedit/ip2p with a ``.json``/``.jsonl`` OUT) hold media
paths relative to the directory of OUT (give that directory as the trainer's image folder), or
absolute paths with ``--absolute-paths``. A format that would write nothing for a dataset (an
audio dataset to llava, svg imported from VG without images to llava) is a user error naming
the formats that fit, and writes nothing.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from synthgen.errors import UserError
from synthgen.fsutil import fsync_file, publish, remove_path, tmp_path
from synthgen.manifest import Manifest
from synthgen.records import media_of
from synthgen.registry import Registry
from synthgen.sinks import StoredRecord, iter_records, iter_stored
from synthgen.validate import load_dataset

PROBE_RECORDS = 50
"""Records looked at to tell whether a format fits a dataset before writing anything."""


@dataclass(frozen=True)
class ExportOptions:
    absolute_paths: bool = False
    """JSON formats: absolute media paths instead of paths relative to OUT's directory."""
    all_relations: bool = False
    """vg: keep inverse duplicates (B right of A beside A left of B) and attribute-sharing
    pairs (same color as, ...), which VG itself does not state."""


class Export(ABC):
    """One export format: ``fits`` a record, ``write`` the dataset to OUT."""

    name: ClassVar[str]
    summary: ClassVar[str]
    """One line for ``synthgen export --help``."""
    needs: ClassVar[str]
    """What a record must have, for the error when none has it ("images and questions")."""

    @abstractmethod
    def fits(self, record: dict[str, Any]) -> bool:
        """Whether the format writes something for this record."""

    @abstractmethod
    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        """Write OUT; returns the number of items written."""


exporters: Registry[type[Export]] = Registry("export format", "synthgen.exporters")


def format_rows() -> list[tuple[str, str]]:
    """(name, one-line summary) of every registered format (for ``export --help``)."""
    return [(name, exporters.get(name).summary) for name in exporters.names()]


def export_dataset(
    root: str | Path,
    to: str,
    out: str | Path,
    *,
    absolute_paths: bool = False,
    all_relations: bool = False,
) -> int:
    manifest = load_dataset(root)
    try:
        export = exporters.get(to)()
    except UserError:
        raise UserError(
            f"--to {to!r} is unknown: choose from {', '.join(exporters.names())}"
        ) from None
    out = Path(out)
    sample = list(iter_records(manifest, PROBE_RECORDS))
    if sample and not any(export.fits(r) for r in sample):
        raise _writes_nothing(manifest, to, export, sample)
    count = export.write(manifest, out, ExportOptions(absolute_paths, all_relations))
    if count == 0:
        remove_path(out)
        raise _writes_nothing(manifest, to, export, sample)
    return count


def _writes_nothing(
    manifest: Manifest, to: str, export: Export, sample: list[dict[str, Any]]
) -> UserError:
    fitting = [
        name
        for name in exporters.names()
        if name != to and any(exporters.get(name)().fits(r) for r in sample)
    ]
    hint = f"use --to {' or --to '.join(fitting)}" if fitting else "no export format fits it"
    return UserError(
        f"--to {to} would write nothing: no record of {manifest.root} "
        f"({manifest.job.program}) has {export.needs}; {hint}"
    )


# ----------------------------------------------------------------------------- shared helpers


def media_refs(record: dict[str, Any], kind: str = "image") -> list[dict[str, Any]]:
    """The record's media of ``kind`` in token order: ``image`` (or ``audio``), else
    ``image_0``, ``image_1``..."""
    media = media_of(record)
    if kind in media:
        return [media[kind]]
    refs = []
    while f"{kind}_{len(refs)}" in media:
        refs.append(media[f"{kind}_{len(refs)}"])
    return refs


def image_refs(record: dict[str, Any]) -> list[dict[str, Any]]:
    return media_refs(record, "image")


def media_path(
    manifest: Manifest, ref: dict[str, Any], out: Path, options: ExportOptions, to: str
) -> str:
    """Where a JSON export says a media file is: relative to OUT's directory, or absolute."""
    if ref.get("container"):
        raise UserError(
            f"--to {to} writes media paths, but {manifest.root} keeps its media inside "
            f"{manifest.job.format} shards: export --to parquet (images embedded), or make "
            f"the dataset with --format jsonl"
        )
    target = (manifest.root / ref["path"]).resolve()
    if options.absolute_paths:
        return str(target)
    return Path(os.path.relpath(target, out.parent.resolve())).as_posix()


@contextmanager
def published(out: Path) -> Iterator[Path]:
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


def write_json_items(out: Path, items: Iterator[dict[str, Any]]) -> int:
    """A JSON array (or JSON lines for ``*.jsonl``), streamed to a temporary file, fsynced and
    renamed into place."""
    lines = out.suffix == ".jsonl"
    count = 0
    with published(out) as tmp, open(tmp, "w", encoding="utf-8") as f:
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


PARQUET_ROWS_PER_GROUP = 256


def write_parquet(out: Path, schema: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Stream ``rows`` into a Parquet file of ``schema`` in row groups of
    PARQUET_ROWS_PER_GROUP, written to a temporary name, fsynced and renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    with published(out) as tmp, pq.ParquetWriter(tmp, schema) as writer:
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


def embedded(stored: StoredRecord, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"bytes", "path"}`` of each media ref (the Hugging Face ``Image`` feature layout)."""
    items = []
    for ref in refs:
        data = stored.media.get(ref["path"])
        if data is None:
            raise UserError(f"{ref['path']}: media file missing; run `synthgen validate`")
        items.append({"bytes": data, "path": ref["path"]})
    return items


def need_pyarrow(what: str) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UserError(f"{what} needs pyarrow: pip install 'synthgen[data]'") from None


__all__ = [
    "Export",
    "ExportOptions",
    "export_dataset",
    "exporters",
    "format_rows",
    "iter_records",
    "iter_stored",
]

from synthgen.export import chat, tables, vg  # noqa: E402,F401  (register the formats)
