"""Output formats: how a shard's records and media are laid out on disk.

``jsonl`` (default): ``data/shard-NNNNN.jsonl`` plus ``media/shard-NNNNN/<id>.<name>.<ext>``
and ``media/shard-NNNNN/metadata.parquet`` (the shard's records again with ``*_file_name``
columns: what Hugging Face's imagefolder/audiofolder loaders read, see :mod:`synthgen.hflayout`).
``webdataset``: ``data/shard-NNNNN.tar`` with ``<id>.json`` and ``<id>.<name>.<ext>`` members,
readable by the ``webdataset`` library; a program with a varying number of images per record
names its media slots (``media_slots()``) and every sample has a member for each (see
:class:`WebDatasetWriter`). Both write under temporary names and publish by
rename, so a shard is either complete or invisible. Rejects are written by the shard runner,
the same for every format.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from synthgen.fsutil import (
    atomic_write_bytes,
    fsync_file,
    publish,
    remove_path,
    sync_filesystem,
    tmp_path,
)
from synthgen.hflayout import (
    METADATA_NAME,
    WebDatasetTypes,
    metadata_file,
    metadata_line,
    no_empty_objects,
    types_path,
)
from synthgen.job import JobSpec
from synthgen.produce import Outcome, record_line
from synthgen.records import media_of
from synthgen.registry import Registry

if TYPE_CHECKING:
    from synthgen.manifest import Manifest


@dataclass
class StoredRecord:
    """A record read back from a shard: its raw line, parsed JSON, and media bytes by path."""

    line: bytes
    data: dict
    media: dict[str, bytes | None]


class ShardWriter(ABC):
    """Writes one shard. ``add`` records in index order, then ``commit`` or ``abort``."""

    format: ClassVar[str]

    def __init__(self, job: JobSpec, shard: int) -> None:
        self.job = job
        self.shard = shard
        self.root = job.root
        self.media_files = 0
        self.media_bytes = 0

    @abstractmethod
    def add(self, outcome: Outcome) -> None: ...

    @abstractmethod
    def commit(self) -> dict[str, str]:
        """Publish the shard; returns {path relative to root: sha256} of the files written."""

    @abstractmethod
    def abort(self) -> None: ...

    @classmethod
    @abstractmethod
    def final_paths(cls, root: Path, shard: int) -> list[Path]:
        """Every path this format publishes for ``shard`` (for removal on redo)."""

    @classmethod
    @abstractmethod
    def read(cls, root: Path, shard: int) -> Iterator[StoredRecord]:
        """Read a published shard back (raises OSError/ValueError if it is torn)."""

    @classmethod
    def find(cls, root: Path, shard: int, rid: str) -> StoredRecord | None:
        """Record ``rid`` of a published shard with its media, or None."""
        return next((s for s in cls.read(root, shard) if s.data.get("id") == rid), None)


sinks: Registry[type[ShardWriter]] = Registry("format", None)


def iter_stored(manifest: Manifest) -> Iterator[StoredRecord]:
    """Every record of a dataset with its media bytes, in index order."""
    reader = sinks.get(manifest.job.format)
    for entry in manifest.shards:
        yield from reader.read(manifest.root, entry.shard)


def iter_records(manifest: Manifest, limit: int | None = None) -> Iterator[dict]:
    """The first ``limit`` records (all when None) as parsed JSON, in index order; JSON lines
    are read without their media."""
    count = 0
    for entry in manifest.shards:
        if limit is not None and count >= limit:
            return
        if manifest.job.format in ("jsonl", "webdataset"):
            for row in _records_of(manifest, entry.shard):
                if limit is not None and count >= limit:
                    return
                count += 1
                yield row
        else:
            for stored in sinks.get(manifest.job.format).read(manifest.root, entry.shard):
                if limit is not None and count >= limit:
                    return
                count += 1
                yield stored.data


def _records_of(manifest: Manifest, shard: int) -> Iterator[dict]:
    if manifest.job.format == "webdataset":
        yield from WebDatasetWriter.read_records(manifest.root, shard)
        return
    with open(data_path(manifest.root, shard, "jsonl"), "rb") as f:
        for line in f:
            yield json.loads(line)


def data_path(root: Path, shard: int, ext: str) -> Path:
    return root / "data" / f"shard-{shard:05d}.{ext}"


@sinks.register("jsonl")
class JsonlWriter(ShardWriter):
    format = "jsonl"

    def __init__(self, job: JobSpec, shard: int) -> None:
        super().__init__(job, shard)
        self.data_final = data_path(self.root, shard, "jsonl")
        self.media_final = self.root / "media" / f"shard-{shard:05d}"
        self.data_tmp = tmp_path(self.data_final)
        self.media_tmp = tmp_path(self.media_final)
        self._data = open(self.data_tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        self._sha = hashlib.sha256()
        self._media_paths: list[Path] = []
        self._metadata: list[bytes] = []
        self._model: type | None = None

    def add(self, outcome: Outcome) -> None:
        record = outcome.record
        assert record is not None
        line = record_line(record)
        self._data.write(line)
        self._sha.update(line)
        if outcome.media and not self._media_paths:
            self.media_tmp.mkdir()
        for item in outcome.media:
            path = self.media_tmp / item.filename
            path.write_bytes(item.data)
            self._media_paths.append(path)
            self.media_files += 1
            self.media_bytes += len(item.data)
        if record.media:
            refs = {name: {"path": r.path, "mime": r.mime} for name, r in record.media.items()}
            self._metadata.append(metadata_line(line, refs, type(record).model_fields))
            self._model = type(record)

    def commit(self) -> dict[str, str]:
        self._data.flush()
        self._data.close()
        fsync_file(self.data_tmp)
        files = {self.data_final.relative_to(self.root).as_posix(): self._sha.hexdigest()}
        blob = metadata_file(self._metadata, self._model) if self._metadata else None
        if blob is not None:  # a derived view (not in ``files``): the card step unifies it
            metadata = self.media_tmp / METADATA_NAME
            metadata.write_bytes(blob)
            self._media_paths.append(metadata)
        if self._media_paths:
            sync_filesystem(self.media_tmp, self._media_paths)
            publish(self.media_tmp, self.media_final)
        publish(self.data_tmp, self.data_final)
        return files

    def abort(self) -> None:
        self._data.close()
        remove_path(self.data_tmp)
        remove_path(self.media_tmp)

    @classmethod
    def final_paths(cls, root: Path, shard: int) -> list[Path]:
        return [data_path(root, shard, "jsonl"), root / "media" / f"shard-{shard:05d}"]

    @classmethod
    def read(cls, root: Path, shard: int) -> Iterator[StoredRecord]:
        with open(data_path(root, shard, "jsonl"), "rb") as f:
            for line in f:
                yield cls._stored(root, line)

    @classmethod
    def find(cls, root: Path, shard: int, rid: str) -> StoredRecord | None:
        """Only the matching record's media are read (a replay reads one file, not a shard's)."""
        key = f'"id":"{rid}"'.encode()
        with open(data_path(root, shard, "jsonl"), "rb") as f:
            for line in f:
                if key in line and json.loads(line).get("id") == rid:
                    return cls._stored(root, line)
        return None

    @staticmethod
    def _stored(root: Path, line: bytes) -> StoredRecord:
        data = json.loads(line)
        media: dict[str, bytes | None] = {}
        for ref in media_of(data).values():
            path = root / ref["path"]
            media[ref["path"]] = path.read_bytes() if path.is_file() else None
        return StoredRecord(line=line, data=data, media=media)


def _tar_member(name: str, data: bytes) -> tuple[tarfile.TarInfo, io.BytesIO]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info, io.BytesIO(data)


def media_slots(job: JobSpec) -> tuple[str, ...]:
    """The media names every webdataset sample of ``job`` has: the program's
    ``media_slots()`` (a program whose records have 1..K images names all K), else none."""
    from synthgen.produce import load_program
    from synthgen.program import programs

    if not hasattr(programs.get(job.program), "media_slots"):
        return ()  # no program instance needed (where parts are merged, none is built yet)
    return tuple(load_program(job).media_slots())  # type: ignore[attr-defined]


@cache
def placeholder(ext: str) -> bytes:
    """A 1x1 transparent (or black, where the format has no alpha) image in format ``ext``:
    the member of a media slot the record does not fill."""
    from PIL import Image

    buf = io.BytesIO()
    fmt = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}.get(ext, ext.upper())
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    Image.new(mode, (1, 1)).save(buf, fmt)
    return buf.getvalue()


@sinks.register("webdataset")
class WebDatasetWriter(ShardWriter):
    """One POSIX tar per shard; members of a sample share the key ``<id>`` (no dots in ids).

    ``datasets.load_dataset("webdataset", data_files=...)`` without the card's features takes
    the member set from the first five samples, and refuses a first five that differ (a record
    of 2 images next to one of 4). So a program whose records have a varying number of images
    names its slots (``media_slots()``: ``image_0`` .. ``image_{K-1}``), and a sample has a
    member for every slot: a slot the record does not fill holds a 1x1 :func:`placeholder` in
    the record's image format. The record's ``media`` lists only its own images (what
    ``iter_records``, exports, replay and the viewer read); placeholders are not counted as
    media files.
    """

    format = "webdataset"

    def __init__(self, job: JobSpec, shard: int) -> None:
        super().__init__(job, shard)
        self.final = data_path(self.root, shard, "tar")
        self.tmp = tmp_path(self.final)
        self._tar = tarfile.open(self.tmp, "w", format=tarfile.USTAR_FORMAT)  # noqa: SIM115
        self._types = WebDatasetTypes()
        self._slots = media_slots(job)

    def add(self, outcome: Outcome) -> None:
        assert outcome.record is not None
        key = outcome.record.id
        line = record_line(outcome.record)
        self._tar.addfile(*_tar_member(f"{key}.json", line))
        self._types.add(json.loads(line))
        for item in outcome.media:
            self._tar.addfile(*_tar_member(item.filename, item.data))
            self.media_files += 1
            self.media_bytes += len(item.data)
        if self._slots:
            self._pad(key, outcome)

    def _pad(self, key: str, outcome: Outcome) -> None:
        names = {item.name: item.filename.rsplit(".", 1)[-1] for item in outcome.media}
        extra = sorted(set(names) - set(self._slots))
        if extra:
            raise ValueError(f"record {key} has media {extra} outside the slots {self._slots}")
        ext = next(iter(names.values()), "png")
        for slot in self._slots:
            if slot not in names:
                self._tar.addfile(*_tar_member(f"{key}.{slot}.{ext}", placeholder(ext)))

    def commit(self) -> dict[str, str]:
        from synthgen.seeding import sha256_file

        self._tar.close()
        fsync_file(self.tmp)
        digest = sha256_file(str(self.tmp))
        publish(self.tmp, self.final)
        # a derived view (not in the returned files): the card step recomputes a missing one
        kept = types_path(self.root, self.shard)
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(kept, self._types.to_bytes(digest))
        return {self.final.relative_to(self.root).as_posix(): digest}

    def abort(self) -> None:
        self._tar.close()
        remove_path(self.tmp)

    @classmethod
    def final_paths(cls, root: Path, shard: int) -> list[Path]:
        return [data_path(root, shard, "tar")]

    @classmethod
    def read_records(cls, root: Path, shard: int) -> Iterator[dict]:
        """The shard's records as parsed JSON, in order, without reading their media."""
        with tarfile.open(data_path(root, shard, "tar"), "r") as tar:
            for member in tar:
                if member.name.endswith(".json"):
                    yield json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]

    @classmethod
    def read(cls, root: Path, shard: int) -> Iterator[StoredRecord]:
        with tarfile.open(data_path(root, shard, "tar"), "r") as tar:
            members = {m.name: m for m in tar.getmembers()}
            for name, member in members.items():
                if not name.endswith(".json"):
                    continue
                line = tar.extractfile(member).read()  # type: ignore[union-attr]
                data = json.loads(line)
                media: dict[str, bytes | None] = {}
                for ref in media_of(data).values():
                    m = members.get(ref["path"])
                    media[ref["path"]] = tar.extractfile(m).read() if m else None  # type: ignore[union-attr]
                yield StoredRecord(line=line, data=data, media=media)


PARQUET_RECORD_COLUMN = "record_json"
"""The parquet column holding each record's exact JSON line (what validate and replay compare
byte for byte; the other columns are the same record as typed columns)."""


@sinks.register("parquet")
class ParquetWriter(ShardWriter):
    """One Parquet file per shard (``data/shard-NNNNN.parquet``), the Hugging Face Hub's native
    layout: one row per record with its fields as columns, each media as an embedded
    ``{"bytes", "path"}`` column named as the folder loaders name them (``image``, ``images``,
    ``source_image``, ``audio``...; see :mod:`synthgen.hflayout`), and ``record_json``. Rows are
    kept in memory until ``commit`` (a shard is at most ``--shard-size`` records)."""

    format = "parquet"

    def __init__(self, job: JobSpec, shard: int) -> None:
        super().__init__(job, shard)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            from synthgen.errors import UserError

            raise UserError(
                "--format parquet needs pyarrow: pip install 'synthgen[data]'"
            ) from None
        self.final = data_path(self.root, shard, "parquet")
        self.tmp = tmp_path(self.final)
        self._rows: list[dict] = []

    def add(self, outcome: Outcome) -> None:
        from synthgen.hflayout import media_columns

        record = outcome.record
        assert record is not None
        line = record_line(record)
        row = json.loads(line)
        blobs = {item.filename: item.data for item in outcome.media}
        refs = {name: {"path": r.path, "mime": r.mime} for name, r in record.media.items()}
        for column, files in media_columns(refs, row).items():
            name = column.rsplit("_file_name", 1)[0]
            if isinstance(files, list):
                row[name] = [{"bytes": blobs[f], "path": f} for f in files]
            else:
                row[name] = {"bytes": blobs[files], "path": files}
        row[PARQUET_RECORD_COLUMN] = line.decode()
        self._rows.append(row)
        self.media_files += len(outcome.media)
        self.media_bytes += sum(len(item.data) for item in outcome.media)

    def commit(self) -> dict[str, str]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from synthgen.hflayout import arrow_type, envelope_types
        from synthgen.seeding import sha256_file

        rows = [no_empty_objects(row) for row in self._rows]
        table = pa.Table.from_pylist(rows)
        for name, t in envelope_types().items():  # typed even where every list is empty
            if name in table.column_names:
                column = pa.array([row.get(name) for row in rows], type=arrow_type(t))
                table = table.set_column(table.column_names.index(name), name, column)
        pq.write_table(table, self.tmp, compression="zstd")
        fsync_file(self.tmp)
        digest = sha256_file(str(self.tmp))
        publish(self.tmp, self.final)
        return {self.final.relative_to(self.root).as_posix(): digest}

    def abort(self) -> None:
        remove_path(self.tmp)

    @classmethod
    def final_paths(cls, root: Path, shard: int) -> list[Path]:
        return [data_path(root, shard, "parquet")]

    @classmethod
    def read(cls, root: Path, shard: int) -> Iterator[StoredRecord]:
        import pyarrow.parquet as pq

        table = pq.read_table(data_path(root, shard, "parquet"))
        lines = table.column(PARQUET_RECORD_COLUMN).to_pylist()
        media_cols = (
            [
                n
                for n in table.column_names
                if n not in json.loads(lines[0]) and n != PARQUET_RECORD_COLUMN
            ]
            if lines
            else []
        )
        blobs = {n: table.column(n).to_pylist() for n in media_cols}
        for k, text in enumerate(lines):
            line = text.encode()
            data = json.loads(line)
            by_name: dict[str, bytes] = {}
            for values in blobs.values():
                cell = values[k]
                for item in cell if isinstance(cell, list) else [cell] if cell else []:
                    by_name[item["path"]] = item["bytes"]
            media: dict[str, bytes | None] = {
                ref["path"]: by_name.get(ref["path"].rsplit("/", 1)[-1])
                for ref in media_of(data).values()
            }
            yield StoredRecord(line=line, data=data, media=media)
