"""The multihop recipe: answers re-derived by an independent reader, evidence, coverage of
question types, pool shape, determinism and config errors."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import synthgen
from synthgen.generators.multihop.questions import VARIANTS
from synthgen.generators.multihop.schema import QUESTION_TYPES
from tests.helpers import dataset_bytes, run_cli
from tests.multihop import checker

N = 2000


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """A few thousand records with image documents, as JSON (what a user reads)."""
    made = synthgen.generate("multihop", n=N, seed=11)
    return [json.loads(r.model_dump_json()) for r in made]


def test_independent_reader_rederives_every_answer(records: list[dict]) -> None:
    for record in records:
        assert checker.answer(record) == record["answer"], record["id"]
        checker.check_evidence(record)


def test_every_type_and_variant_is_produced(records: list[dict]) -> None:
    types = Counter(r["question_type"] for r in records)
    assert set(types) == set(QUESTION_TYPES)
    variants = {r["variant"] for r in records}
    expected = {
        m(*_probe()).variant  # type: ignore[union-attr]
        for makers in VARIANTS.values()
        for m in makers
        if m(*_probe()) is not None
    }
    assert expected <= variants, expected - variants
    assert len(variants) >= 20


def _probe():  # type: ignore[no-untyped-def]
    import numpy as np

    from synthgen.generators.multihop.world import sample_world

    rng = np.random.default_rng(3)
    return sample_world(rng), rng


def test_pools_are_multihop_and_multimodal(records: list[dict]) -> None:
    modality_sets = Counter()
    for r in records:
        assert 3 <= len(r["documents"]) <= 6
        assert 2 <= len(r["chain"]) <= 4
        assert len({h["doc"] for h in r["chain"]}) >= 2
        modalities = {h["modality"] for h in r["chain"]}
        assert len(modalities) >= 2
        modality_sets[tuple(sorted(modalities))] += 1
        verdicts = {v["filter"]: v["passed"] for v in r["lineage"]["verdicts"]}
        assert verdicts == {
            "multihop": True,
            "multimodal": True,
            "unique_answer": True,
            "no_answer_leak": True,
        }
        names = [p["media"] for d in r["documents"] for p in d["parts"] if p.get("media")]
        assert names == [f"image_{i}" for i in range(len(names))] == sorted(r["media"], key=_n)
        plain = re.sub(r"(\d),(\d)", r"\1\2", r["question"].lower())
        answer = r["answer"].lower().replace(",", "")
        assert not re.search(rf"(?<![\w]){re.escape(answer)}(?![\w])", plain), r["question"]
    # every pair of modalities shows up, and all three together
    assert len(modality_sets) == 4, modality_sets


def _n(name: str) -> int:
    return int(name.split("_")[1])


def test_images_are_real_renders(records: list[dict]) -> None:
    made = list(synthgen.generate("multihop", n=5, seed=11))
    for rec, data in zip(made, records[:5], strict=True):
        for name, ref in data["media"].items():
            image = rec.media_objects[name]
            assert image.size == (ref["width"], ref["height"])
            assert len(image.getcolors(1 << 20)) >= 3  # drawn, not blank


def test_same_bytes_on_one_and_two_workers(tmp_path: Path) -> None:
    one = synthgen.make("multihop", n=120, out=tmp_path / "a", workers=1, shard_size=40)
    two = synthgen.make("multihop", n=120, out=tmp_path / "b", workers=2, shard_size=40)
    assert one.totals.accepted == two.totals.accepted == 120
    assert dataset_bytes(tmp_path / "a") == dataset_bytes(tmp_path / "b")


def test_batch_and_single_paths_agree() -> None:
    batched = [r.model_dump_json() for r in synthgen.generate("multihop", n=40, seed=5)]
    from synthgen.generators.multihop.program import MultihopConfig, MultihopProgram
    from synthgen.program import Context
    from synthgen.seeding import rng_for

    program = MultihopProgram(MultihopConfig())
    first = json.loads(batched[0])
    ctx = Context(
        config=program.config, rng=rng_for(5, first["index"]), index=first["index"], seed=5
    )
    sample = program.generate(ctx)
    assert sample.data["question"] == first["question"]
    assert sample.data["answer"] == first["answer"]


@pytest.mark.parametrize(
    ("setting", "field"),
    [('types=["bogus"]', "types"), ("docs=[1, 9]", "docs"), ("max_hops=1", "max_hops")],
)
def test_bad_config_exits_2(tmp_path: Path, setting: str, field: str) -> None:
    proc = run_cli("make", "multihop", "--n", "5", "--out", str(tmp_path / "o"), "--set", setting)
    assert proc.returncode == 2, proc.stderr
    assert field in proc.stderr
    assert not (tmp_path / "o" / "data").exists()
