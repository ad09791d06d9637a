"""The dataset card: ``DIR/README.md`` and its pictures in ``DIR/card/``.

Written at the end of every ``make`` (new, resumed, extended or cut) from the manifest and the
records, so it always describes what is on disk. The README's YAML header is a Hugging Face
dataset card: ``configs`` (which files, which split) and ``dataset_info.features`` (media as
``Image``), so ``datasets.load_dataset("DIR")`` returns the records with their images decoded
(see :mod:`synthgen.hflayout` for the loader each output format uses). The prose says what
made the dataset and what is in it; ``card/*.png`` are its plots and a contact sheet of its
own first records.

A card is a pure function of the dataset (no timings, no paths, no installed versions), so it
is part of the bytes a (program, config, seed, n) makes.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

from synthgen.card import draw
from synthgen.card.stats import SAMPLE, Stats, object_box, object_name, scan
from synthgen.fsutil import atomic_write_bytes
from synthgen.hflayout import (
    METADATA_NAME,
    TYPES_DIR,
    WebDatasetTypes,
    features_yaml,
    folder_columns,
    media_kind,
    metadata_file,
    metadata_line,
    record_type,
    type_of_arrow,
    types_path,
    unify_metadata,
    union_schema,
    webdataset_columns,
)
from synthgen.manifest import Manifest
from synthgen.records import media_of
from synthgen.sinks import PARQUET_RECORD_COLUMN, data_path, iter_records, iter_stored

CARD_DIR = "card"
SHEET_RECORDS = 8
BOX_CONVENTION = (
    "Boxes stored in records (scene-graph objects, change boxes) are `[x, y, width, height]` "
    "in pixels of their image, origin at the top-left corner (the Visual Genome convention). "
    "Questions that ask for a box (svg grounding, imgdiff 'where') ask for the same "
    "`[x, y, w, h]` and say so in their text."
)


def write_card(manifest: Manifest) -> Path:
    """Write ``README.md`` and ``card/*.png`` of the dataset (and bring the jsonl shards'
    ``metadata.parquet`` to one schema); returns the README path."""
    root = manifest.root
    refresh_metadata(manifest)
    records = list(iter_records(manifest, SAMPLE))
    stats = scan(records)
    pictures = _pictures(manifest, stats)
    folder = root / CARD_DIR
    folder.mkdir(exist_ok=True)
    for name, image in pictures.items():
        atomic_write_bytes(folder / name, draw.png_bytes(image))
    for stale in folder.glob("*.png"):
        if stale.name not in pictures:
            stale.unlink()
    text = _yaml_header(manifest, records) + _prose(manifest, stats, list(pictures))
    readme = root / "README.md"
    atomic_write_bytes(readme, text.encode())
    return readme


# ----------------------------------------------------------------------------- YAML header


def _configs(manifest: Manifest, records: list[dict[str, Any]]) -> list[tuple[str, str, dict]]:
    """(config name, data files glob, {column: type}) of each loader config of the card."""
    fmt = manifest.job.format
    if not records:
        return []
    model = _record_model(manifest)
    if fmt == "webdataset":
        columns = webdataset_columns(webdataset_types(manifest), model)
        columns = {k: ("binary" if v == "audio" else v) for k, v in columns.items()}
        return [("default", "data/*.tar", columns)]
    has_media = any(r.get("media") for r in records) and (
        fmt != "jsonl" or bool(metadata_paths(manifest))
    )

    def _jsonl_fields() -> dict[str, Any]:
        """The record fields of data/*.jsonl, from the union of every shard's metadata (the
        JSON loader of datasets 3.x types every file from the first one it reads and fails on
        a key only a later file has)."""
        fields = record_type(records, model)
        _union_field_types(metadata_paths(manifest), fields, only_known=True)
        return fields

    if fmt == "parquet" or (fmt == "jsonl" and has_media):
        loader, columns = folder_columns(records, model)
        glob = "data/*.parquet" if fmt == "parquet" else "media/**"
        if fmt == "parquet":
            columns[PARQUET_RECORD_COLUMN] = "string"
            shards = [data_path(manifest.root, e.shard, "parquet") for e in manifest.shards]
            _union_field_types(shards, columns)
        else:
            _union_field_types(metadata_paths(manifest), columns, only_known=True)
        if loader == "imagefolder":
            return [("default", glob, columns)]
        plain = {k: (_audio_struct() if v == "audio" else v) for k, v in columns.items()}
        if fmt == "parquet":
            return [("default", glob, plain)]
        # datasets picks one loader for every config of a card: a second config over the
        # media (audiofolder) would be read with the JSON loader, so there is none
        return [("default", "data/*.jsonl", _jsonl_fields())]
    return [("default", "data/*.jsonl", record_type(records, model))]


def webdataset_types(manifest: Manifest) -> WebDatasetTypes:
    """The union of every shard's :class:`WebDatasetTypes` (all records, not a sample): each
    shard's kept types where they match its sha256, else read from its tar and kept."""
    from synthgen.sinks import WebDatasetWriter

    union = WebDatasetTypes()
    shards = {types_path(manifest.root, e.shard) for e in manifest.shards}
    for stale in (manifest.root / TYPES_DIR).glob("shard-*.json"):
        if stale not in shards:  # a shard a cut to a smaller --n removed
            stale.unlink()
    for entry in manifest.shards:
        tar = f"data/shard-{entry.shard:05d}.tar"
        path = types_path(manifest.root, entry.shard)
        types = WebDatasetTypes.read(path, entry.files.get(tar, ""))
        if types is None:
            types = WebDatasetTypes()
            for record in WebDatasetWriter.read_records(manifest.root, entry.shard):
                types.add(record)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, types.to_bytes(entry.files.get(tar, "")))
        union.update(types)
    return union


def metadata_paths(manifest: Manifest) -> list[Path]:
    """The jsonl shards' ``metadata.parquet`` files that exist."""
    folders = (manifest.root / "media" / f"shard-{e.shard:05d}" for e in manifest.shards)
    return [f / METADATA_NAME for f in folders if (f / METADATA_NAME).is_file()]


def refresh_metadata(manifest: Manifest) -> None:
    """jsonl output: rebuild a media shard folder's missing ``metadata.parquet`` from the
    shard's records, then give all of them the union of their schemas (:mod:`hflayout`)."""
    if manifest.job.format != "jsonl" or importlib.util.find_spec("pyarrow") is None:
        return
    model = _record_model(manifest)
    for entry in manifest.shards:
        folder = manifest.root / "media" / f"shard-{entry.shard:05d}"
        if not folder.is_dir() or (folder / METADATA_NAME).is_file():
            continue
        lines = []
        with open(manifest.root / "data" / f"shard-{entry.shard:05d}.jsonl", "rb") as f:
            for line in f:
                record = json.loads(line)
                if record.get("media"):
                    fields = model.model_fields if model is not None else record
                    lines.append(metadata_line(line, media_of(record), fields))
        blob = metadata_file(lines, model) if lines else None
        if blob is not None:
            atomic_write_bytes(folder / METADATA_NAME, blob)
    unify_metadata(metadata_paths(manifest))


def _union_field_types(
    paths: list[Path], columns: dict[str, Any], only_known: bool = False
) -> None:
    """The record fields' types from the union of these Parquet files' schemas (footers only:
    every shard's parquet, or the jsonl shards' ``metadata.parquet``), so a struct key first
    seen after the sampled records is declared too; media columns kept. ``only_known``: add
    no column the sample does not have (the metadata's ``*_file_name`` columns)."""
    union = union_schema(paths) if paths else None
    if union is None:
        return
    for field in union:
        if only_known and field.name not in columns:
            continue
        current = columns.get(field.name)
        if current in ("image", "audio") or current == {"list": "image"}:
            continue
        if (
            current is not None
            and isinstance(current, dict)
            and "bytes" in current.get("struct", {})
        ):
            continue
        t = type_of_arrow(field.type)
        if t != "null" or current is None:
            columns[field.name] = _merge_types(current, t)


def _merge_types(current: Any, t: Any) -> Any:
    from synthgen.hflayout import _merge

    try:
        return _merge(current or "null", t)
    except ValueError:
        return t


def _record_model(manifest: Manifest) -> type | None:
    """The program's record model (None when the program is not installed here)."""
    from synthgen.errors import UserError
    from synthgen.program import programs

    try:
        return programs.get(manifest.job.program).Record
    except UserError:
        return None


def _audio_struct() -> dict[str, Any]:
    return {"struct": {"bytes": "binary", "path": "string"}}


def _yaml_header(manifest: Manifest, records: list[dict[str, Any]]) -> str:
    job = manifest.job
    lines = [
        "---",
        f"pretty_name: {json.dumps(f'{job.dataset} ({job.program}, synthgen)')}",
        "tags:",
        "- synthetic",
        "- synthgen",
        f"- {json.dumps(job.program)}",
    ]
    configs = _configs(manifest, records)
    if configs:
        lines.append("configs:")
        for name, glob, _ in configs:
            lines += [
                f"- config_name: {name}",
                "  data_files:",
                "  - split: train",
                f"    path: {json.dumps(glob)}",
            ]
        lines.append("dataset_info:")
        for name, _, columns in configs:
            lines.append(f"- config_name: {name}")
            lines += features_yaml(columns, indent=2)
    lines.append("---")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- prose


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return [*lines, ""]


def _top(counter: Counter[Any], k: int) -> list[tuple[Any, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[:k]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _names_media_slots(manifest: Manifest) -> bool:
    """Whether the dataset's program names its media slots (the webdataset sink then pads
    every sample to them, see :class:`synthgen.sinks.WebDatasetWriter`)."""
    from synthgen.errors import UserError
    from synthgen.program import programs

    try:
        return hasattr(programs.get(manifest.job.program), "media_slots")
    except UserError:  # a program no longer installed: the card still describes the data
        return False


def _load_snippet(manifest: Manifest, records: list[dict[str, Any]]) -> list[str]:
    configs = _configs(manifest, records)
    columns = configs[0][2] if configs else {}
    media = [k for k, v in columns.items() if v in ("image", "audio") or v == {"list": "image"}]
    media += [k for k in columns if k.endswith((".png", ".jpg", ".webp", ".wav", ".flac"))]
    lines = [
        "```python",
        "from datasets import load_dataset",
        "",
        'ds = load_dataset("path/to/this/directory", split="train")',
        "row = ds[0]",
    ]
    if media:
        lines.append(
            f"row[{media[0]!r}]  # decoded media; the record's fields are the other columns"
        )
    lines.append("```")
    notes = []
    fmt = manifest.job.format
    if fmt == "jsonl" and any(r.get("media") for r in records):
        notes.append(
            "The loader reads `media/shard-*/metadata.parquet` (each shard's records with "
            "`*_file_name` columns naming their media files); `data/shard-*.jsonl` hold the "
            'same records and load with `load_dataset("json", data_files="data/*.jsonl")` '
            "(each record's `media` is a list of its files, each with its `name`: "
            '`r["media"][0]["path"]`). '
            'The folder loaders read shards in no fixed order: `ds.sort("index")` restores it, '
            "`metadata.parquet` is derived from `data/` (rebuilt and given one schema by "
            "every run's card step)."
        )
    if fmt == "webdataset":
        fewer = (
            "a 1x1 placeholder where a record has fewer images than the program's most: every "
            "sample has the same members; `json.media` lists the record's own images"
            if _names_media_slots(manifest)
            else "None where a sample has fewer"
        )
        notes.append(
            "Rows are webdataset samples: `json` is the record, each media member a column "
            f"(`image.png`, `image_0.png`, ...; {fewer}). A bare "
            '`load_dataset("webdataset", data_files=...)` types everything from the first 5 '
            "samples (it drops keys that appear later, and fails when samples have different "
            "members or a field is null in those 5); pass this card's types: "
            "`features=datasets.load_dataset_builder(DIR).info.features`."
        )
    if any(media_kind(ref["mime"]) == "audio" for r in records for ref in media_of(r).values()):
        notes.append(
            "Audio is not decoded by the card's config (decoding needs `torchcodec` with "
            "`datasets>=4`, `librosa` with 3.x): rows are the records, and the `path` of "
            "each record's `media` entry named `audio` is its WAV file, relative to this "
            "directory (`soundfile.read(DIR / path)`)."
            if fmt == "jsonl"
            else "Audio columns are `{bytes, path}` (decoding needs `torchcodec` with "
            '`datasets>=4`, `librosa` with 3.x): `soundfile.read(io.BytesIO(x["bytes"]))`.'
        )
    return lines + [""] + [f"{n}\n" for n in notes]


def _prose(manifest: Manifest, stats: Stats, pictures: list[str]) -> str:
    job, totals = manifest.job, manifest.totals
    records = list(iter_records(manifest, min(SAMPLE, 50)))
    out = [
        f"# {job.dataset}",
        "",
        f"Synthetic data made by [synthgen](https://pypi.org/project/synthgen/) "
        f"{manifest.synthgen_version}, program `{job.program}` version {job.program_version}, "
        f"seed {job.seed}, config hash `{job.config_hash}`, output format `{job.format}`, "
        f"encoders {', '.join(f'{k}: {v}' for k, v in sorted(job.encoders.items()))}. "
        f"Every record can be rebuilt alone: `synthgen replay DIR ID`.",
        "",
        "## Load it",
        "",
        *_load_snippet(manifest, records),
        "## Counts",
        "",
        *_table(
            ("what", "count"),
            [
                ("records (accepted)", totals.accepted),
                ("candidates tried", totals.candidates),
                ("rejected", totals.rejected),
                ("accept rate", _pct(totals.accepted, totals.candidates)),
                ("shards", totals.shards),
                ("media files", totals.media_files),
                ("media bytes", totals.media_bytes),
            ],
        ),
    ]
    if totals.rejects_by_reason:
        out += ["### Rejects by reason", ""]
        out += _table(
            ("reason", "candidates", "share of rejects"),
            [
                (r, n, _pct(n, totals.rejected))
                for r, n in _top(Counter(totals.rejects_by_reason), 100)
            ],
        )
    if totals.filters:
        out += [
            "### Filters",
            "",
            "Pass rate of each verification filter over the candidates it saw.",
            "",
        ]
        out += _table(
            ("filter", "passed", "failed", "pass rate"),
            [
                (name, s.passed, s.failed, _pct(s.passed, s.passed + s.failed))
                for name, s in totals.filters.items()
            ],
        )
    out += [
        "## What is in it",
        "",
        f"Distributions over the first {stats.records} records"
        + (" (all of them)." if stats.records == totals.accepted else f" of {totals.accepted}."),
        "",
        BOX_CONVENTION,
        "",
    ]
    if stats.media_per_record:
        out += _table(("media per record", "records"), _top(stats.media_per_record, 20))
    if stats.qa_kinds:
        out += ["### Questions", ""]
        out += _table(
            ("kind", "questions", "top answers (share within the kind)"),
            [
                (
                    kind,
                    n,
                    ", ".join(f"{a!s} ({_pct(c, n)})" for a, c in _top(stats.answers[kind], 4)),
                )
                for kind, n in _top(stats.qa_kinds, 100)
            ],
        )
    for name, counter in stats.categorical().items():
        out += [f"### `{name}`", ""]
        total = sum(counter.values())
        out += _table(
            (name, "records", "share"), [(v, c, _pct(c, total)) for v, c in _top(counter, 25)]
        )
    if stats.categories:
        out += ["### Object categories", ""]
        total = sum(stats.categories.values())
        out += [
            f"{len(stats.categories)} categories, {total} objects in "
            f"{sum(stats.objects_per_image.values())} images; the 20 most frequent:",
            "",
        ]
        out += _table(
            ("category", "objects", "share"),
            [(k, c, _pct(c, total)) for k, c in _top(stats.categories, 20)],
        )
    if stats.relations:
        out += ["### Relations", ""]
        total = sum(stats.relations.values())
        out += [f"{len(stats.relations)} predicates, {total} relations; the 20 most frequent:", ""]
        out += _table(
            ("predicate", "relations", "share"),
            [(k, c, _pct(c, total)) for k, c in _top(stats.relations, 20)],
        )
    if totals.counters:
        out += [
            "## Counters",
            "",
            "Program counters (model usage, skipped question kinds, imports):",
            "",
        ]
        out += _table(("counter", "value"), list(totals.counters.items()))
    if pictures:
        out += ["## Pictures", ""]
        for name in pictures:
            out += [f"![{name[:-4].replace('_', ' ')}]({CARD_DIR}/{name})", ""]
    out += [
        "## Files",
        "",
        "`manifest.json` (job, per-shard counts and sha256), `schema.json` (JSON Schema of a "
        "record), `data/` (records), `media/` (media files, jsonl output), `rejects/` (one line "
        "per rejected candidate with its reason), `card/` (these pictures). "
        "`synthgen view DIR` writes a browser of the records to `DIR/view/index.html`.",
        "",
        "### Config",
        "",
        "```json",
        json.dumps(job.config, indent=1, sort_keys=True),
        "```",
        "",
    ]
    return "\n".join(out)


# ----------------------------------------------------------------------------- pictures


def _pictures(manifest: Manifest, stats: Stats) -> dict[str, Any]:
    pics: dict[str, Any] = {}
    if stats.answers:
        charts = [
            draw.bar_chart(
                f"{kind}: answers ({n} questions)", _top(stats.answers[kind], 8), percent=True
            )
            for kind, n in _top(stats.qa_kinds, 16)
        ]
        pics["answer_balance.png"] = draw.stack(charts, columns=2)
    if stats.categories:
        pics["categories.png"] = draw.bar_chart(
            "object categories (30 most frequent)", _top(stats.categories, 30), width=640
        )
        pics["objects_per_image.png"] = draw.histogram(
            "objects per image",
            [k for k, c in sorted(stats.objects_per_image.items()) for _ in range(c)],
        )
    if stats.relations:
        pics["relations.png"] = draw.bar_chart(
            "relation predicates (30 most frequent)", _top(stats.relations, 30), width=640
        )
    fields = list(stats.categorical().items())
    if fields:
        pics["fields.png"] = draw.stack(
            [draw.bar_chart(f"{n}", _top(c, 12), percent=True) for n, c in fields], columns=2
        )
    if stats.durations:
        pics["durations.png"] = draw.histogram("clip durations", stats.durations, unit=" s")
    sheet = _contact_sheet(manifest)
    if sheet is not None:
        pics["contact_sheet.png"] = sheet
    return pics


SHEET_IMAGES = 2
"""Images of one record the contact sheet puts side by side (a pair's A and B, an edit's source
and target, the first views or document pictures)."""


def _contact_sheet(manifest: Manifest) -> Any:
    """The first records' media (up to SHEET_IMAGES images side by side with their boxes, or an
    audio spectrogram) and one line of what the record says about them."""
    import io

    from PIL import Image

    tiles = []
    for stored in iter_stored(manifest):
        record = stored.data
        media = media_of(record)
        if not media:
            break
        pictures = []
        for name, ref in media.items():
            blob = stored.media.get(ref["path"])
            if blob is None or name == "mask" or name == "depth":
                continue
            if media_kind(ref["mime"]) == "image":
                picture = Image.open(io.BytesIO(blob))
                picture.load()
                pictures.append(draw.with_boxes(picture, record_boxes(record, name)))
            elif media_kind(ref["mime"]) == "audio":
                pictures.append(draw.spectrogram(blob))
            if len(pictures) == SHEET_IMAGES:
                break
        if not pictures:
            continue
        tiles.append(
            draw.tile(draw.side_by_side(pictures), [record["id"], *record_caption(record)])
        )
        if len(tiles) == SHEET_RECORDS:
            break
    return draw.stack(tiles, columns=4) if tiles else None


def record_graph(record: dict[str, Any], media_name: str) -> dict[str, Any] | None:
    """The scene graph of a record's image ``media_name``, if the record has one."""
    for key in ("scene_graph", "world_graph", "vg_graph"):
        if isinstance(record.get(key), dict):
            return record[key]
    graphs = record.get("scene_graphs")
    if isinstance(graphs, list) and graphs:
        index = int(media_name.rsplit("_", 1)[-1]) if media_name[-1:].isdigit() else 0
        return graphs[index] if index < len(graphs) else None
    return None


def record_boxes(record: dict[str, Any], media_name: str) -> list[tuple[str, list[float]]]:
    """(label, [x, y, w, h]) boxes to draw on image ``media_name`` of a record: its scene
    graph's objects, or the change boxes of a difference pair."""
    graph = record_graph(record, media_name)
    if graph is not None:
        return [
            (object_name(o), box)
            for o in graph.get("objects", [])
            if isinstance(o, dict)
            and (box := object_box(o)) is not None
            and o.get("role") != "backdrop"
        ]
    boxes = record.get("boxes")
    if isinstance(boxes, list):
        return [("change", b) for b in boxes if isinstance(b, list) and len(b) == 4]
    return []


def record_caption(record: dict[str, Any]) -> list[str]:
    """One question and answer (or instruction, or caption) of a record."""
    qa = record.get("qa")
    if isinstance(qa, list) and qa:
        q = next((x for x in qa if x.get("kind") != "caption"), qa[0])
        return [f"Q: {q.get('question')}", f"A: {q.get('answer')}"]
    if "question" in record:
        return [f"Q: {record['question']}", f"A: {record.get('answer')}"]
    for key in ("instruction", "caption"):
        if isinstance(record.get(key), str):
            return [record[key]]
    return []
