"""Every program has a training-format export, and each loads back as its trainer reads it
(issue #16): multihop as multi-image LLaVA with its documents, audiocaps as LLaMA-Factory's
audio ShareGPT layout, edit as ip2p/multiedit with the mask, svg as Visual Genome files with
the official field names and dataset-unique ids."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from synthgen.export import export_dataset
from synthgen.records import media_of
from tests.helpers import run_cli

FITS = {
    "svg": "llava",
    "svg_multi": "llava",
    "imgdiff": "sharegpt",
    "edit": "ip2p",
    "multihop": "llava",
    "audiocaps": "sharegpt",
}


def _records(root: Path) -> dict[str, dict]:
    return {
        r["id"]: r
        for p in sorted((root / "data").glob("*.jsonl"))
        for r in map(json.loads, p.read_text().splitlines())
    }


@pytest.mark.parametrize("program", sorted(FITS))
def test_every_program_has_an_export(
    made: Callable[[str, str], Path], program: str, tmp_path: Path
) -> None:
    root = made(program, "jsonl")
    out = tmp_path / "sub" / "out.json"
    assert export_dataset(root, FITS[program], out) == len(_records(root))


def test_multihop_llava_has_its_documents_and_one_token_per_image(
    made: Callable[[str, str], Path], tmp_path: Path
) -> None:
    root = made("multihop", "jsonl")
    out = tmp_path / "llava.json"
    export_dataset(root, "llava", out)
    records = _records(root)
    for item in json.loads(out.read_text()):
        record = records[item["id"]]
        paths = item["image"] if isinstance(item["image"], list) else [item["image"]]
        assert len(paths) == len(media_of(record))
        for path in paths:
            assert (out.parent / path).is_file()
        human, gpt = item["conversations"]
        assert human["value"].count("<image>") == len(paths)
        assert human["value"].endswith(record["question"])
        for doc in record["documents"]:
            assert doc["title"] in human["value"]
        assert gpt["value"] == record["answer"]


def test_audiocaps_sharegpt_is_the_audio_chat_layout(
    made: Callable[[str, str], Path], tmp_path: Path
) -> None:
    root = made("audiocaps", "jsonl")
    out = tmp_path / "audio.jsonl"
    export_dataset(root, "sharegpt", out)
    records = _records(root)
    for line in out.read_text().splitlines():
        item = json.loads(line)
        record = records[item["id"]]
        assert "images" not in item and len(item["audios"]) == 1
        assert (out.parent / item["audios"][0]).read_bytes() == (
            root / media_of(record)["audio"]["path"]
        ).read_bytes()
        roles = [m["role"] for m in item["messages"]]
        assert roles == ["user", "assistant"] * (len(roles) // 2)
        assert sum(m["content"].count("<audio>") for m in item["messages"]) == 1
        assert item["messages"][1]["content"] == record["caption"]
        assert len(roles) == 2 * (2 + len(record["qa"]))


def test_edit_exports_keep_the_mask(made: Callable[[str, str], Path], tmp_path: Path) -> None:
    root = made("edit", "jsonl")
    out = tmp_path / "ip2p.json"
    export_dataset(root, "ip2p", out)
    for row in json.loads(out.read_text()):
        source = Image.open(out.parent / row["input_image"])
        mask = Image.open(out.parent / row["mask_image"])
        assert mask.size == source.size
        assert row["mask_image"].endswith(".mask.png")


INVERSE = {"right of": "left of", "behind": "in front of", "smaller than": "bigger than"}


@pytest.mark.parametrize("world", ["shapes", "sprites"])
def test_vg_export_uses_official_fields_and_dataset_unique_ids(world: str, tmp_path: Path) -> None:
    import synthgen

    root = tmp_path / "svg"
    synthgen.make("svg", n=4, out=root, workers=1, shard_size=2, config={"world": world})
    out = tmp_path / "vg" / "scene_graphs.json"
    result = run_cli("export", str(root), "--to", "vg", str(out))
    assert result.returncode == 0, result.stderr
    images = json.loads(out.read_text())
    image_data = json.loads((out.parent / "image_data.json").read_text())
    assert [i["image_id"] for i in images] == [d["image_id"] for d in image_data] == [1, 2, 3, 4]
    object_ids = [o["object_id"] for i in images for o in i["objects"]]
    assert object_ids == list(range(1, len(object_ids) + 1))
    rel_ids = [r["relationship_id"] for i in images for r in i["relationships"]]
    assert rel_ids == list(range(1, len(rel_ids) + 1))
    for image, data in zip(images, image_data, strict=True):
        assert set(data) == {"image_id", "url", "width", "height", "coco_id", "flickr_id"}
        with Image.open(out.parent / data["url"]) as picture:
            assert picture.size == (data["width"], data["height"])
        for o in image["objects"]:
            assert {"object_id", "x", "y", "w", "h", "names", "synsets"} <= set(o)
        triples = {
            (r["subject_id"], r["predicate"], r["object_id"]) for r in image["relationships"]
        }
        for r in image["relationships"]:
            assert {"relationship_id", "predicate", "synsets", "subject_id", "object_id"} <= set(r)
            assert not r["predicate"].startswith("same ")
            inverse = INVERSE.get(r["predicate"])
            assert inverse is None or (r["object_id"], inverse, r["subject_id"]) not in triples
    if world == "sprites":
        assert all(o["synsets"] for i in images for o in i["objects"])
    every = tmp_path / "all.json"
    assert run_cli("export", str(root), "--to", "vg", "--all-relations", str(every)).returncode == 0
    assert sum(len(i["relationships"]) for i in json.loads(every.read_text())) >= len(rel_ids)


def test_export_help_lists_every_format_on_one_line() -> None:
    result = run_cli("export", "--help")
    assert result.returncode == 0
    listed = result.stdout.split("Formats (--to):", 1)[1]
    for name in ("llava", "sharegpt", "parquet", "vg", "multiedit", "ip2p"):
        assert f"\n  {name} " in listed
    words = " ".join(result.stdout.split())
    assert "--absolute-paths" in words and "relative to OUT's directory" in words


@pytest.mark.parametrize("as_text", [True, False])
def test_a_table_without_its_image_is_written_as_rows(as_text: bool) -> None:
    """A table part whose image is not in the record (media left out) is written as text rows,
    whether header/rows are JSON text (schema 5) or lists (older records)."""
    from synthgen.export.chat import _document_text

    header, rows = ["City", "Founded"], [["Zaiboford", 1913], ["Frikai", 1994]]
    part = {
        "type": "table",
        "media": "image_3",
        "header": json.dumps(header) if as_text else header,
        "rows": json.dumps(rows) if as_text else rows,
    }
    text = _document_text({"id": "d1", "title": "Towns", "parts": [part]}, {}, [])
    assert text.splitlines()[1:] == ["City | Founded", "Zaiboford | 1913", "Frikai | 1994"]
