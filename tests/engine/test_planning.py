"""--n parsing, and --n counting accepted records (the first n accepted in index order)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import synthgen
from synthgen.config import parse_count, parse_overrides
from synthgen.errors import UserError


@pytest.mark.parametrize("text", ["1e6", "1_000_000", "1000000", "1E6", "1.0e6", 1000000, 1e6])
def test_counts_in_every_spelling(text: str | int | float) -> None:
    assert parse_count(text) == 1_000_000


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-5",
        "1.5",
        "1e-3",
        "abc",
        "",
        "1__0",
        "_1",
        "1_",
        "2.5e0",
        1.5,
        0,
        -1,
        "inf",
        "nan",
        True,
    ],
)
def test_non_positive_integers_are_user_errors(text: object) -> None:
    with pytest.raises(UserError, match="--n"):
        parse_count(text)  # type: ignore[arg-type]


def test_set_values_parse_as_toml_with_dotted_keys() -> None:
    parsed = parse_overrides(
        ["llm.base_url=http://x:8000/v1", "a=3", "b=true", "c=[1, 2]", "d=plain words"]
    )
    assert parsed == {
        "llm": {"base_url": "http://x:8000/v1"},
        "a": 3,
        "b": True,
        "c": [1, 2],
        "d": "plain words",
    }
    with pytest.raises(UserError, match="key=value"):
        parse_overrides(["novalue"])


def _lines(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((root / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def test_n_counts_accepted_records_first_in_index_order(out: Path) -> None:
    # min_area=0.3 rejects a good share of squares, so the engine must over-generate.
    manifest = synthgen.make(
        "squares", n=57, out=out, seed=3, workers=1, shard_size=16, min_area=0.3
    )
    records = _lines(out)
    assert len(records) == 57 == manifest.totals.accepted
    assert manifest.totals.rejected > 0
    indices = [r["index"] for r in records]
    assert indices == sorted(indices)
    rejected = [
        json.loads(line)["index"]
        for p in sorted((out / "rejects").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]
    # Every candidate up to the last accepted one is either a record or a reject, none beyond.
    assert sorted(indices + rejected) == list(range(indices[-1] + 1))
    expected = [
        r.model_dump(mode="json")
        for r in synthgen.generate("squares", n=57, seed=3, shard_size=16, min_area=0.3)
    ]
    assert records == expected


def test_shards_are_contiguous_index_ranges(out: Path) -> None:
    manifest = synthgen.make("squares", n=40, out=out, workers=1, shard_size=7)
    starts = [(e.shard, e.start) for e in manifest.shards]
    assert starts == [(k, 7 * k) for k in range(len(manifest.shards))]
    assert all(e.stop == e.start + 7 for e in manifest.shards[:-1])
    assert manifest.shards[-1].stop <= manifest.shards[-1].start + 7


def test_all_rejected_is_a_clear_error(out: Path) -> None:
    with pytest.raises(UserError, match="accepted none"):
        synthgen.make("squares", n=5, out=out, workers=1, shard_size=4, min_area=1.0)


def test_a_small_n_makes_few_candidates_even_with_large_shards(out: Path) -> None:
    manifest = synthgen.make("squares", n=5, out=out, workers=1, min_area=0.2)
    assert manifest.job.shard_size == 1000
    assert manifest.totals.accepted == 5
    assert manifest.totals.candidates < 20, "the frontier shard must stop at n accepted"
    assert manifest.shards[0].stop == manifest.totals.candidates


def _full_entries(job, shards: int, rejected: int) -> dict:
    from synthgen.manifest import ShardEntry

    entries = {}
    for k in range(shards):
        start, stop = job.shard_range(k)
        entries[k] = ShardEntry(
            shard=k, start=start, stop=stop, accepted=stop - start - rejected,
            rejected=rejected, files={},
        )  # fmt: skip
    return entries


def test_a_wave_without_rejects_runs_only_the_shards_n_needs(tmp_path: Path) -> None:
    """With every candidate accepted so far, the next wave is exactly the shards that reach
    n (an extra one would be made and thrown away: 1 of 5 shards at n = 4 shards); with
    rejects it keeps a margin so one wave most likely reaches n."""
    from synthgen.engine import _walk, _wave, build_job

    job = build_job("squares", n=400, out=tmp_path / "d", shard_size=100)
    clean = _full_entries(job, 2, rejected=0)
    assert _wave(job, clean, _walk(job, clean), workers=2) == [2, 3]
    lossy = _full_entries(job, 2, rejected=5)  # 95 % accepted: 210 more needed
    assert _wave(job, lossy, _walk(job, lossy), workers=2) == [2, 3, 4]


def test_a_wave_after_a_gap_counts_the_records_past_it(tmp_path: Path) -> None:
    """A shard lost mid-dataset (killed mid-write, torn, deleted) is redone on resume; the
    shards past it hold their records, so the wave is the gap and what n still needs past
    the last shard, not n minus the records before the gap (that ran a wave past the end and
    threw it away: 11 shards where 9 were needed, in a CI run)."""
    from synthgen.engine import _walk, _wave, build_job

    job = build_job("squares", n=400, out=tmp_path / "d", shard_size=100)
    clean = _full_entries(job, 4, rejected=0)
    del clean[1]
    assert _wave(job, clean, _walk(job, clean), workers=2) == [1]
    lossy = _full_entries(job, 3, rejected=5)  # 285 held, 190 of them past the gap
    del lossy[1]
    # 210 missing at 95 %: three shards, the gap and two past the end
    assert _wave(job, lossy, _walk(job, lossy), workers=2) == [1, 3, 4]
