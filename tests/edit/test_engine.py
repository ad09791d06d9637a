"""The edit recipe in the engine: shadows in masks, oracle filters that can fail, determinism
across workers and batch sizes, exporters, bad config."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import synthgen
from synthgen.filters.edit_fidelity import EditFidelity, ExpectedDelta, ObjectSpec
from synthgen.filters.edit_preservation import EditPreservation
from synthgen.generators.edit import pixels
from synthgen.world import WorldConfig, build_scene_graph, get_renderer, sample_rendered_scene
from tests.helpers import dataset_bytes, run_cli


def _moved_scene(seed: int):
    rng = np.random.default_rng(seed)
    scene, rendering = sample_rendered_scene(rng, WorldConfig(min_objects=3, max_objects=4))
    k = 0
    o = scene.objects[k]
    far = replace(o, x=o.x + 0.01, y=o.y + 0.01)  # a tiny move: shadow shifts by ~1 px
    target = replace(scene, objects=(far, *scene.objects[1:]))
    return scene, rendering, target, get_renderer("pillow").render(target), k


def test_shadows_are_in_the_mask_and_matter() -> None:
    """Without the shadow term the mask misses changed pixels; with it nothing is missed."""
    missed_without = 0
    for seed in range(6):
        scene, r0, target, r1, k = _moved_scene(seed)
        a, b = np.asarray(r0.image), np.asarray(r1.image)
        changed = (a != b).any(axis=2)
        with_shadow = pixels.object_edit_mask((scene, r0), (target, r1), [k], [k], True, True)
        without = pixels.object_edit_mask((scene, r0), (target, r1), [k], [k], False, True)
        assert not (changed & ~with_shadow).any()
        missed_without += int((changed & ~without).sum())
    assert missed_without > 0


def test_preservation_filter_catches_one_pixel() -> None:
    a = np.zeros((20, 30, 3), np.uint8)
    b = a.copy()
    mask = np.zeros((20, 30), bool)
    mask[5:10, 5:10] = True
    b[6, 6] = 200
    f = EditPreservation()
    assert f.check((a, b, mask)).passed
    b[0, 29, 1] = 1
    v = f.check((a, b, mask))
    assert not v.passed and v.score == 1.0 and "1 px" in v.detail


def test_fidelity_filter_catches_collateral_and_missing_changes() -> None:
    rng = np.random.default_rng(4)
    scene, rendering = sample_rendered_scene(rng, WorldConfig(min_objects=3, max_objects=3))
    graph = build_scene_graph(scene, rendering)
    o0 = scene.objects[0]
    new_color = "red" if o0.color != "red" else "blue"
    expected = ExpectedDelta(id_map=[1, 2, 3], changed={1: ObjectSpec(color=new_color)})
    good = replace(scene, objects=(replace(o0, color=new_color), *scene.objects[1:]))
    g_good = build_scene_graph(good, get_renderer("pillow").render(good))
    f = EditFidelity(min_pixels=1)
    assert f.check((graph, g_good, expected)).passed
    o1 = scene.objects[1]
    other = "green" if o1.color != "green" else "purple"
    bad = replace(good, objects=(good.objects[0], replace(o1, color=other), good.objects[2]))
    g_bad = build_scene_graph(bad, get_renderer("pillow").render(bad))
    v = f.check((graph, g_bad, expected))
    assert not v.passed and "object 2 color changed" in v.detail
    v = f.check((graph, graph, expected))
    assert not v.passed and "object 1 color is not" in v.detail


def test_same_bytes_with_one_and_two_workers_and_any_batch(tmp_path: Path) -> None:
    one = synthgen.make("edit", n=48, out=tmp_path / "one", seed=7, workers=1, shard_size=16)
    two = synthgen.make("edit", n=48, out=tmp_path / "two", seed=7, workers=2, shard_size=16)
    assert one.totals.accepted == two.totals.accepted == 48
    assert dataset_bytes(tmp_path / "one") == dataset_bytes(tmp_path / "two")
    # the batch path equals the one-at-a-time path
    from synthgen.engine import build_job
    from synthgen.produce import load_program
    from synthgen.program import Context
    from synthgen.seeding import rng_for

    program = load_program(build_job("edit", 1, str(tmp_path / "x"), seed=7))
    ctxs = [Context(program.config, rng_for(7, i), i, 7) for i in range(12)]
    batch = program.generate_batch(ctxs)
    for i, got in enumerate(batch):
        alone = program.generate(Context(program.config, rng_for(7, i), i, 7))
        assert type(got) is type(alone)
        if hasattr(got, "data"):
            assert json.dumps(got.data, default=str) == json.dumps(alone.data, default=str)
            assert got.media["target"].tobytes() == alone.media["target"].tobytes()


def test_exporters(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    synthgen.make("edit", n=6, out=root, seed=1, workers=1)
    rc = run_cli("export", str(root), "--to", "ip2p", str(tmp_path / "ip2p.jsonl"))
    assert rc.returncode == 0, rc.stderr
    rows = [json.loads(x) for x in (tmp_path / "ip2p.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    for row in rows:
        assert {"input_image", "edit_prompt", "edited_image", "mask_image"} <= set(row)
        for key in ("input_image", "edited_image", "mask_image"):
            assert (tmp_path / row[key]).is_file()  # paths relative to the JSON file
        assert row["input_image"].endswith("source.png")
    pq = pytest.importorskip("pyarrow.parquet")
    rc = run_cli("export", str(root), "--to", "multiedit", str(tmp_path / "me.parquet"))
    assert rc.returncode == 0, rc.stderr
    table = pq.read_table(tmp_path / "me.parquet").to_pylist()
    assert len(table) == 6
    first = table[0]
    assert set(first) == {
        "id",
        "original_image",
        "edited_image",
        "mask_image",
        "edit_prompt",
        "edit_type",
        "task",
    }
    assert first["original_image"]["bytes"] == (root / first["original_image"]["path"]).read_bytes()
    assert (
        first["edit_prompt"]
        == json.loads((root / "data/shard-00000.jsonl").read_text().splitlines()[0])["instruction"]
    )
    # a non-edit dataset is refused with a one-line user error
    synthgen.make("squares", n=2, out=tmp_path / "sq", workers=1)
    rc = run_cli("export", str(tmp_path / "sq"), "--to", "ip2p", str(tmp_path / "x.jsonl"))
    assert rc.returncode == 2 and "an edit dataset" in rc.stderr


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ('types=["recolour"]', "types"),
        ("style_fraction=1.5", "style_fraction"),
        ('styles=["vaporwave"]', "styles"),
        ('source="images"', "images"),
    ],
)
def test_bad_config_exits_2_naming_the_field(tmp_path: Path, setting: str, field: str) -> None:
    rc = run_cli("make", "edit", "--n", "2", "--out", str(tmp_path / "ds"), "--set", setting)
    assert rc.returncode == 2, rc.stderr
    lines = rc.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]
    assert not (tmp_path / "ds" / "data").exists()


class _FakeOCR:
    """Stands in for RapidOCR: reads ``word`` on every board (its (result, elapse) reply)."""

    def __init__(self, word: str) -> None:
        self.word = word

    def __call__(self, image: np.ndarray) -> tuple[list, float]:
        assert image.ndim == 3 and image.shape[0] > 0
        return [[[[0, 0], [1, 0], [1, 1], [0, 1]], self.word.lower(), 0.99]], 0.01


@pytest.mark.parametrize("installed", [False, True])
def test_ocr_is_checked_when_installed_and_recorded_as_skipped_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, installed: bool
) -> None:
    """With OCR a target whose sign reads otherwise than the requested text is rejected
    (the fake engine always reads STOP); without it every text edit says ``skipped`` and
    the run counts the skips."""
    from synthgen.engine import build_job
    from synthgen.generators.edit import Edit, EditConfig
    from synthgen.generators.edit import sign as signs
    from synthgen.produce import produce_many

    monkeypatch.setattr(signs, "ocr_available", lambda: installed)
    monkeypatch.setattr(signs, "_ocr_engine", lambda: _FakeOCR("STOP"))
    config = {"world": "shapes", "types": ["text_wording"], "style_fraction": 0.0}
    job = build_job("edit", 40, str(tmp_path / "ds"), seed=3, config=config)
    counters: Counter[str] = Counter()
    program = Edit(EditConfig.model_validate(config))  # not the per-process cached one
    outs = produce_many(job, list(range(40)), program, {}, counters=counters)
    accepted = [o.record for o in outs if o.record is not None]
    reasons = Counter(o.reject.reason for o in outs if o.reject is not None)
    planned = 40 - reasons.pop("no_applicable_edit", 0)  # no free corner for a sign
    assert planned >= 20
    if installed:
        assert accepted and all(r.sign_after.text == "STOP" for r in accepted)
        assert all(r.ocr == "passed" for r in accepted)
        assert reasons == {"ocr": planned - len(accepted)} and reasons["ocr"] >= 10
        assert counters["edit.ocr_skipped"] == 0
    else:
        assert len(accepted) == planned and {r.ocr for r in accepted} == {"skipped"}
        assert counters["edit.ocr_skipped"] == planned and not reasons


def _reasons(config: dict, n: int, tmp_path: Path) -> Counter:
    from synthgen.engine import build_job
    from synthgen.generators.edit import Edit, EditConfig
    from synthgen.produce import produce_many

    config = {"world": "shapes", **config}  # the shapes world's edit types and checks
    job = build_job("edit", n, str(tmp_path / "ds"), seed=3, config=config)
    program = Edit(EditConfig.model_validate(config))  # built after the monkeypatching
    outs = produce_many(job, list(range(n)), program, {})
    return Counter(o.reject.reason if o.reject is not None else "accepted" for o in outs)


def test_program_rejects_a_mask_that_misses_shadows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The oracle is checked, not assumed: moves with shadow-less masks fail preservation."""
    real = pixels.object_edit_mask

    def no_shadows(
        before: Any, after: Any, c_before: list[int], c_after: list[int], _: bool, shadows: bool
    ) -> np.ndarray:
        return real(before, after, c_before, c_after, False, shadows)

    config = {"types": ["move"], "style_fraction": 0.0}
    exact = _reasons(config, 8, tmp_path)
    assert exact["edit_preservation"] == 0
    monkeypatch.setattr(pixels, "object_edit_mask", no_shadows)
    # a move whose shadow falls on other objects or outside the image changes no ground
    # pixel outside the silhouettes: some pass even so, most do not
    assert _reasons(config, 8, tmp_path)["edit_preservation"] >= exact["accepted"] // 2


def test_program_rejects_a_target_that_is_not_the_requested_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A recolor whose rendered target shows another color than the instruction's fails
    fidelity (the planner's expectation and scene are made to disagree)."""
    from synthgen.generators.edit import ops

    real = ops.PLANNERS["recolor"]

    def wrong(rng: np.random.Generator, src: ops.Source) -> ops.Plan | None:
        plan = real(rng, src)
        if plan is not None:
            (k,) = plan.changed_after
            objects = list(plan.target.objects)
            other = next(c for c in src.world.colors if c not in plan.params["color"])
            objects[k] = replace(objects[k], color=other)
            plan.target = replace(plan.target, objects=tuple(objects))
        return plan

    config = {"types": ["recolor"], "style_fraction": 0.0}
    monkeypatch.setitem(ops.PLANNERS, "recolor", wrong)
    assert _reasons(config, 6, tmp_path) == {"edit_fidelity": 6}


def test_program_rejects_an_expression_that_names_another_object(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Expressions are re-evaluated on the source graph: one describing the wrong object
    (the finder is handed the next object's id) fails ``refexp_unique``."""
    from synthgen.generators.edit import ops

    real = ops.unique_ref

    def off_by_one(g: Any, object_id: int, rng: np.random.Generator, *styles: Any) -> Any:
        return real(g, object_id % len(g.graph.objects) + 1, rng, *styles)

    config = {"types": ["recolor", "swap"], "style_fraction": 0.0}
    assert _reasons(config, 8, tmp_path)["refexp_unique"] == 0
    monkeypatch.setattr(ops, "unique_ref", off_by_one)
    reasons = _reasons(config, 8, tmp_path)
    assert reasons["refexp_unique"] >= 6 and not reasons["accepted"], reasons
