"""The svg program's batch path: each result is what `generate` gives for its context alone
(records, media, rejects, generator states), and datasets do not depend on the batch size."""

from __future__ import annotations

from pathlib import Path

import pytest

import synthgen
import synthgen.generators.svg as svg_module
from synthgen.generators.svg import Svg, SvgConfig
from synthgen.program import Context, Reject, Rejected, Sample
from synthgen.seeding import rng_for
from tests.helpers import dataset_bytes

SMALL = {"world": {"max_objects": 6}, "qa": {"per_image": 6}}


def _contexts(program: Svg, indices: range, seed: int = 0) -> list[Context]:
    return [
        Context(config=program.config, rng=rng_for(seed, i), index=i, seed=seed) for i in indices
    ]


def _summary(ctx: Context, result) -> tuple:
    if isinstance(result, Reject):
        return ("reject", result.reason, result.detail, ctx.rng.random())
    assert isinstance(result, Sample), result
    data = result.data
    return (
        data["scene_graph"].model_dump_json(),
        [qa.model_dump_json() for qa in data["qa"]],
        data["conversations"],
        result.media["image"].tobytes(),
        [v.model_dump_json() for v in ctx.lineage.verdicts],
        ctx.rng.random(),
    )


def _alone(program: Svg, ctx: Context):
    try:
        return program.generate(ctx)
    except Rejected as rejected:
        return rejected.reject


@pytest.mark.parametrize(
    "config",
    [
        SMALL,
        # the svg visibility filter stricter than the world's: some rejects
        {**SMALL, "min_visible_pixels": 700},
        # scenes that cannot always be placed: some scene_sampling rejects
        {
            "world": {"min_objects": 1, "max_objects": 30, "area_half_extent": 1.6, "max_tries": 3},
            "qa": {"per_image": 3},
        },
    ],
)
def test_generate_batch_equals_generate_per_context(config: dict) -> None:
    program = Svg(SvgConfig.model_validate(config))
    assert program.batch_size() > 1
    batch = _contexts(program, range(40))
    results = program.generate_batch(batch)
    alone = _contexts(program, range(40))
    expected = [_summary(ctx, _alone(program, ctx)) for ctx in alone]
    assert [_summary(ctx, r) for ctx, r in zip(batch, results, strict=True)] == expected
    if config is not SMALL:
        assert any(isinstance(r, Reject) for r in results)


def test_an_unexpected_batch_failure_falls_back_to_one_at_a_time(monkeypatch) -> None:
    program = Svg(SvgConfig.model_validate(SMALL))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(svg_module, "build_scene_graphs", broken)
    batch = _contexts(program, range(6))
    results = program.generate_batch(batch)
    alone = _contexts(program, range(6))
    expected = [_summary(ctx, _alone(program, ctx)) for ctx in alone]
    assert [_summary(ctx, r) for ctx, r in zip(batch, results, strict=True)] == expected


def test_dataset_bytes_do_not_depend_on_the_batch_size(tmp_path: Path, monkeypatch) -> None:
    synthgen.make("svg", n=30, out=tmp_path / "b64", workers=1, shard_size=16, config=SMALL)
    monkeypatch.setattr(svg_module, "BATCH_SIZE", 1)
    synthgen.make("svg", n=30, out=tmp_path / "b1", workers=1, shard_size=16, config=SMALL)
    assert dataset_bytes(tmp_path / "b64") == dataset_bytes(tmp_path / "b1")
