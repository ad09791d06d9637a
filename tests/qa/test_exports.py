"""Exports load back: LLaVA JSON with one ``<image>`` per image and paths relative to the JSON
file (absolute with ``--absolute-paths``),
ShareGPT/OpenAI messages, and Parquet with embedded images that pyarrow reads (and Hugging
Face ``datasets``, when installed, decodes to images)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

import synthgen
from synthgen.errors import UserError
from synthgen.export import export_dataset
from synthgen.generators.qa import QA, conversations
from tests.helpers import run_cli

SMALL = {"world": {"max_objects": 5}, "qa": {"per_image": 4}}


def _records(root: Path) -> dict[str, dict]:
    return {
        r["id"]: r
        for p in sorted((root / "data").glob("*.jsonl"))
        for r in map(json.loads, p.read_text().splitlines())
    }


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("exports")
    synthgen.make("svg", n=6, out=root / "svg", workers=1, shard_size=3, config=SMALL)
    synthgen.make("svg_multi", n=5, out=root / "multi", workers=1, shard_size=5, config=SMALL)
    return {"svg": root / "svg", "multi": root / "multi"}


@pytest.mark.parametrize("name", ["svg", "multi"])
def test_llava_json_has_one_image_token_per_image(
    datasets: dict[str, Path], name: str, tmp_path: Path
) -> None:
    root = datasets[name]
    out = tmp_path / "llava.json"
    result = run_cli("export", str(root), "--to", "llava", str(out))
    assert result.returncode == 0, result.stderr
    items = json.loads(out.read_text())
    records = _records(root)
    assert len(items) == len(records)
    for item in items:
        paths = item["image"] if isinstance(item["image"], list) else [item["image"]]
        record = records[item["id"]]
        assert len(paths) == (len(record["scene_graphs"]) if name == "multi" else 1)
        for path in paths:
            assert (out.parent / path).is_file()  # relative to the JSON file
        turns = item["conversations"]
        assert [t["from"] for t in turns] == ["human", "gpt"] * (len(turns) // 2)
        assert turns[0]["value"].count("<image>") == len(paths)
        assert sum(t["value"].count("<image>") for t in turns) == len(paths)
        assert turns == record["conversations"]


def test_sharegpt_messages_and_jsonl(datasets: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "chat.jsonl"
    assert export_dataset(datasets["multi"], "sharegpt", out) == 5
    for line in out.read_text().splitlines():
        item = json.loads(line)
        roles = [m["role"] for m in item["messages"]]
        assert roles == ["user", "assistant"] * (len(roles) // 2)
        tokens = sum(m["content"].count("<image>") for m in item["messages"])
        assert tokens == len(item["images"]) >= 2


@pytest.mark.parametrize("name", ["svg", "multi"])
def test_parquet_reads_back_with_pyarrow(
    datasets: dict[str, Path], name: str, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "data.parquet"
    assert export_dataset(datasets[name], "parquet", out) == len(_records(datasets[name]))
    table = pq.read_table(out)
    assert b"huggingface" in table.schema.metadata
    records = _records(datasets[name])
    for row in table.to_pylist():
        record = records[row["id"]]
        assert row["index"] == record["index"]
        assert row["conversations"] == record["conversations"]
        meta = json.loads(row["metadata"])
        graphs = meta["scene_graphs"] if name == "multi" else [meta["scene_graph"]]
        assert len(row["images"]) == len(graphs)
        for image, graph in zip(row["images"], graphs, strict=True):
            assert Image.open(io.BytesIO(image["bytes"])).size == (graph["width"], graph["height"])


def test_parquet_loads_with_hugging_face_datasets(
    datasets: dict[str, Path], tmp_path: Path
) -> None:
    hf = pytest.importorskip("datasets")
    out = tmp_path / "multi.parquet"
    export_dataset(datasets["multi"], "parquet", out)
    ds = hf.load_dataset("parquet", data_files=str(out), split="train")
    assert len(ds) == 5
    row = ds[0]
    assert all(isinstance(im, Image.Image) for im in row["images"]) and len(row["images"]) >= 2
    assert row["conversations"][0]["value"].startswith("<image>\n")


def test_an_export_that_would_write_nothing_is_refused_and_containers_need_parquet(
    datasets: dict[str, Path], tmp_path: Path
) -> None:
    vg = tmp_path / "sg.json"
    export_dataset(datasets["svg"], "vg", vg)
    synthgen.make(
        "svg",
        n=3,
        out=tmp_path / "from_vg",
        workers=1,
        shard_size=3,
        config={**SMALL, "source": f"vg:{vg}"},
    )
    result = run_cli("export", str(tmp_path / "from_vg"), "--to", "llava", str(tmp_path / "x.json"))
    assert result.returncode == 2 and not (tmp_path / "x.json").exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "would write nothing" in lines[0] and "--to vg" in lines[0]
    synthgen.make(
        "svg",
        n=3,
        out=tmp_path / "wds",
        workers=1,
        shard_size=3,
        format="webdataset",
        config=SMALL,
    )
    with pytest.raises(UserError, match="parquet"):
        export_dataset(tmp_path / "wds", "llava", tmp_path / "y.json")
    pytest.importorskip("pyarrow")
    assert export_dataset(tmp_path / "wds", "parquet", tmp_path / "w.parquet") == 3
    result = run_cli("export", str(tmp_path / "wds"), "--to", "sharegpt", str(tmp_path / "z"))
    assert result.returncode == 2 and "parquet" in result.stderr


def test_absolute_paths_flag(datasets: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "deep" / "llava.json"
    result = run_cli("export", str(datasets["svg"]), "--to", "llava", "--absolute-paths", str(out))
    assert result.returncode == 0, result.stderr
    for item in json.loads(out.read_text()):
        assert Path(item["image"]).is_absolute() and Path(item["image"]).is_file()


def test_records_made_without_turns_get_them_from_their_qa(tmp_path: Path) -> None:
    config = {**SMALL, "conversations": False, "qa": {"per_image": 3, "multiple_choice_ratio": 1}}
    synthgen.make("svg", n=2, out=tmp_path / "d", workers=1, shard_size=2, config=config)
    out = tmp_path / "llava.json"
    assert export_dataset(tmp_path / "d", "llava", out) == 2
    records = _records(tmp_path / "d")
    for item in json.loads(out.read_text()):
        qas = [QA.model_validate(q) for q in records[item["id"]]["qa"]]
        assert "conversations" not in records[item["id"]]  # turned off: left out
        assert item["conversations"] == conversations(qas) and len(qas) == 3
        assert item["conversations"][0]["value"].startswith("<image>\n")
