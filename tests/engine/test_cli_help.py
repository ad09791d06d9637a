"""A CLI a newcomer can find their way in (issue #16): `synthgen config NAME` lists the --set
keys and prints a job file's [config] block; nested typos get a did-you-mean; broken TOML in
--set is named as such; job files say `program`; an encoder the program cannot use is
refused; a cut to a smaller --n is reported; the QA calibration is cached on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from synthgen.config import config_toml, describe_config
from synthgen.engine import build_job
from synthgen.program import programs
from tests.helpers import dataset_bytes, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _user_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# 1. synthgen config NAME ----------------------------------------------------------------


def test_config_lists_nested_fields_with_type_default_bounds_and_description() -> None:
    result = run_cli("config", "svg")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "qa.per_image: int = 8  (>= 0, <= 200)" in out
    assert "questions per image" in out
    assert 'llm.base_url: str = "http://127.0.0.1:8000/v1"' in out
    assert "world.max_objects: int = 10" in out
    assert 'world.name: one of "shapes", "sprites" = "sprites"' in out  # svg's default
    assert 'annotator: one of "exact", "mllm" = "exact"' in out
    assert "world.* when world.name = 'shapes'" in out  # the other world's settings


def test_describe_config_covers_every_program() -> None:
    for name, cls in programs.items():
        names = [d.name for d in describe_config(cls.Config)]
        assert set(cls.Config.model_fields) <= set(names), name


@pytest.mark.parametrize("name", sorted(programs.names()))
def test_config_toml_is_valid_and_means_the_defaults(name: str, tmp_path: Path) -> None:
    program = programs.get(name)
    block = tomllib.loads(config_toml(program.Config))["config"]
    with_block = build_job(name, 1, tmp_path / "a", config=block)
    without = build_job(name, 1, tmp_path / "b")
    assert with_block.config_hash == without.config_hash


@pytest.mark.parametrize("name", ["squares", "svg"])
def test_config_toml_is_accepted_by_run(name: str, tmp_path: Path) -> None:
    result = run_cli("config", name, "--toml")
    assert result.returncode == 0, result.stderr
    tomllib.loads(result.stdout)
    job = tmp_path / "job.toml"
    job.write_text(f'program = "{name}"\nn = 2\nout = "ds"\nworkers = 1\n{result.stdout}')
    ran = run_cli("run", str(job))
    assert ran.returncode == 0, ran.stderr
    assert "wrote 2 records" in ran.stdout


def test_config_of_unknown_program_is_a_user_error() -> None:
    _user_error(run_cli("config", "sqaures"), "sqaures")


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("qa.per_imag=3", ["'qa.per_imag'", "did you mean 'qa.per_image'?", "fields of 'qa'"]),
        ("world.max_objectz=3", ["'world.max_objectz'", "'world.max_objects'", "name, "]),
    ],
)
def test_nested_typo_suggests_the_field_and_lists_its_table(
    tmp_path: Path, setting: str, words: list[str]
) -> None:
    line = _user_error(
        run_cli("make", "svg", "--n", "1", "--out", str(tmp_path / "ds"), "--set", setting),
        *words,
    )
    assert "conversations" not in line  # not the top-level fields
    assert not (tmp_path / "ds").exists()


# 2. broken TOML in --set ----------------------------------------------------------------


@pytest.mark.parametrize("setting", ["qa={per_image=3", "qa.kinds=[1,", 'source="vg:x'])
def test_broken_toml_in_set_is_named(tmp_path: Path, setting: str) -> None:
    out = tmp_path / "ds"
    _user_error(
        run_cli("make", "svg", "--n", "1", "--out", str(out), "--set", setting),
        "--set",
        "is not valid TOML",
    )
    assert not out.exists()


def test_bare_words_in_set_are_strings() -> None:
    from synthgen.config import parse_overrides

    assert parse_overrides(["name=abc", "url=http://h:1/v1", "n=3"]) == {
        "name": "abc",
        "url": "http://h:1/v1",
        "n": 3,
    }


# 3. program / recipe in job files ---------------------------------------------------------


def test_job_file_takes_program_or_recipe_but_not_both_or_neither(tmp_path: Path) -> None:
    for key in ("program", "recipe"):
        job = tmp_path / f"{key}.toml"
        job.write_text(f'{key} = "squares"\nn = 3\nout = "{key}"\nworkers = 1\n')
        result = run_cli("run", str(job))
        assert result.returncode == 0, result.stderr
    assert dataset_bytes(tmp_path / "program") == dataset_bytes(tmp_path / "recipe")
    both = tmp_path / "both.toml"
    both.write_text('program = "squares"\nrecipe = "squares"\nn = 3\nout = "x"\n')
    _user_error(run_cli("run", str(both)), "program", "recipe", str(both))
    neither = tmp_path / "neither.toml"
    neither.write_text('n = 3\nout = "x"\n')
    _user_error(run_cli("run", str(neither)), "program", "recipe", str(neither))
    assert not (tmp_path / "x").exists()


# 4. an encoder the program cannot use ----------------------------------------------------


def test_encoder_for_media_the_program_does_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    _user_error(
        run_cli("make", "svg", "--n", "1", "--out", str(out), "--encoder", "flac"),
        "--encoder flac",
        "png",
        "jpg",
    )
    _user_error(
        run_cli("make", "audiocaps", "--n", "1", "--out", str(out), "--encoder", "jpg"),
        "--encoder jpg",
        "wav",
    )
    assert not out.exists()
    # squares writes images and (optionally) audio: both kinds are accepted
    build_job("squares", 1, out, encoders=["jpg", "wav"])


def test_undeclared_media_kinds_accept_any_encoder(tmp_path: Path) -> None:
    from synthgen.program import Program

    assert Program.media_kinds is None
    for name, cls in programs.items():
        if name in ("svg", "svg_multi", "imgdiff", "edit", "multihop", "audiocaps"):
            assert cls.media_kinds, name


# 5. a smaller --n reports the cut --------------------------------------------------------


def test_smaller_n_reports_what_was_cut(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    common = ["--out", str(out), "--shard-size", "100", "--workers", "1"]
    assert run_cli("make", "squares", "--n", "300", *common).returncode == 0
    result = run_cli("make", "squares", "--n", "100", *common)
    assert result.returncode == 0, result.stderr
    assert "cut the dataset from 300 to 100 records (shards 2-3 removed)" in result.stdout
    logged = run_cli("make", "squares", "--n", "50", *common, "--log-format", "json")
    lines = [json.loads(line) for line in logged.stdout.splitlines()]
    cuts = [e for e in lines if e["event"] == "cut"]  # the progress callback's event
    assert [(e["from"], e["to"], e["removed"]) for e in cuts] == [(100, 50, [1])]


def test_no_cut_message_on_a_resume_or_extension(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    common = ["--out", str(out), "--workers", "1"]
    for n in ("20", "20", "40"):
        result = run_cli("make", "squares", "--n", n, *common)
        assert result.returncode == 0, result.stderr
        assert "cut the dataset" not in result.stdout


# 6. the QA calibration is cached on disk --------------------------------------------------


def test_calibration_cache_never_changes_bytes_and_survives_corruption(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"SYNTHGEN_CACHE_DIR": str(cache)}
    # the balance tables are the shapes world's (other worlds' graphs are asked unbalanced)
    args = ["--n", "2", "--workers", "1", "--set", "qa.per_image=4", "--set", 'world="shapes"']
    for name in ("cold", "warm"):
        result = run_cli("make", "svg", *args, "--out", str(tmp_path / name), env=env)
        assert result.returncode == 0, result.stderr
    files = sorted((cache / "calibration").glob("*.json"))
    assert files, "no calibration table was cached"
    assert dataset_bytes(tmp_path / "cold") == dataset_bytes(tmp_path / "warm")
    for path in files:
        path.write_text('{"key": ["oops"')  # torn / corrupt: ignored and rewritten
    result = run_cli("make", "svg", *args, "--out", str(tmp_path / "mended"), env=env)
    assert result.returncode == 0, result.stderr
    assert dataset_bytes(tmp_path / "mended") == dataset_bytes(tmp_path / "cold")
    for path in files:
        json.loads(path.read_text())
    record = json.loads((tmp_path / "warm/data/shard-00000.jsonl").read_text().splitlines()[0])
    replayed = run_cli("replay", str(tmp_path / "warm"), record["id"], env=env)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert not list((cache / "calibration").glob(".tmp-*"))


def test_cached_table_equals_the_computed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synthgen.generators.qa import balance, question_kinds

    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path))
    assert balance.cache_dir() == tmp_path / "calibration"
    monkeypatch.delenv("SYNTHGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert balance.cache_dir() == tmp_path / "xdg/synthgen/calibration"
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path))
    kind = question_kinds.get("count")()
    computed = balance.calibrate(kind, balance.calibration_graphs())
    key = ("count", type(kind).version, "test")
    first = balance._cached(key, lambda: computed)
    again = balance._cached(key, lambda: pytest.fail("the cached table was not read"))
    assert first == again == computed
    assert json.dumps(again) == json.dumps(computed)
